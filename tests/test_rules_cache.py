"""Loaded rule sets are reused in a process, and reloaded when a file changes."""

from __future__ import annotations

from pathlib import Path

from gitsweep.rules import load_rules

_RULE = '''
[[rules]]
id = "{rid}"
name = "Example corp token"
provider = "Example"
severity = "high"
keywords = ["excorp_"]
pattern = \'\'\'(?P<secret>excorp_[a-z0-9]{{24}})\'\'\'
examples.positive = ["t = excorp_0123456789abcdefghijklmn", "excorp_abcdefghijklmn0123456789"]
examples.negative = ["excorp_short", "nothing here"]
'''


def test_same_files_same_rule_set_object(tmp_path: Path) -> None:
    """A second load with the same files and options costs nothing."""
    assert load_rules() is load_rules()
    assert load_rules(disabled=["jwt"]) is not load_rules()


def test_edited_user_file_is_read_again(tmp_path: Path) -> None:
    """Changing a rule file between two loads gives the new rules."""
    path = tmp_path / "mine.toml"
    path.write_text(_RULE.format(rid="excorp-token"))
    first = load_rules([path])
    path.write_text(_RULE.format(rid="excorp-token-renamed"))

    second = load_rules([path])

    assert "excorp-token" in {r.id for r in first}
    assert "excorp-token-renamed" in {r.id for r in second}
