"""Configuration: `.gitsweep.toml` and `[tool.gitsweep]` in a work tree."""

from __future__ import annotations

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.cli import main
from gitsweep.config import ConfigError, find_config, load_config
from gitsweep.findings import fingerprint

RULE_FILE = """
[[rules]]
id = "acme-key"
name = "ACME API key"
provider = "ACME"
severity = "high"
keywords = ["acme_"]
pattern = '''(?P<secret>acme_[a-z0-9]{24})'''
examples.positive = ["k = acme_0123456789abcdefghijklmn", "acme_zyxwvutsrqponmlkjihgfedc"]
examples.negative = ["acme_short", "acme"]
"""


def _two_leaks(builder, rng) -> tuple[str, str]:
    kept, allowed = fakes.github_token(rng), fakes.github_token(rng)
    builder.write("src/app.py", f"T = '{kept}'\n")
    builder.write("tests/fixtures/token.txt", f"{allowed}\n")
    return kept, allowed


@pytest.mark.parametrize(
    ("name", "table"),
    [(".gitsweep.toml", ""), ("pyproject.toml", "[tool.gitsweep]\n")],
)
def test_allowlisted_paths_are_left_out(builder, rng, name, table):
    """Findings only at allowlisted paths are not reported; a note says so."""
    _two_leaks(builder, rng)
    builder.write(name, f'{table}allowlist_paths = ["tests/fixtures/"]\n')
    builder.commit("leaks and config")

    report = gitsweep.scan(builder.path)
    assert [f.occurrences[0].path for f in report.findings] == ["src/app.py"]
    note = [w for w in report.warnings if w.kind == "allowlisted"]
    assert note and name in note[0].message
    assert len(gitsweep.scan(builder.path, config=None).findings) == 2


def test_glob_and_value_and_fingerprint_allowlists(builder, rng):
    """Globs, value regexes and fingerprints each allow what they name."""
    kept, allowed = _two_leaks(builder, rng)
    builder.write(
        ".gitsweep.toml",
        f'allowlist_paths = ["*/fixtures/*"]\nallowlist_values = ["^{kept[:10]}"]\n',
    )
    builder.commit("config")
    assert gitsweep.scan(builder.path).findings == ()

    builder.write(
        ".gitsweep.toml",
        f'allowlist_fingerprints = ["{fingerprint(kept.encode())}"]\n',
    )
    builder.commit("config by fingerprint")
    left = gitsweep.scan(builder.path).findings
    assert [f.fingerprint for f in left] == [fingerprint(allowed.encode())]


def test_extra_rules_and_disabled_rules(builder, rng):
    """A config adds a rule file (relative to it) and turns a rule off."""
    builder.write("ci/acme.toml", RULE_FILE)
    builder.write("keys.txt", "acme_q1w2e3r4t5y6u7i8o9p0a1s2\n")
    builder.write("gh.txt", fakes.github_token(rng) + "\n")
    builder.write(
        ".gitsweep.toml",
        'rules = ["ci/acme.toml"]\n'
        'disable = ["github-classic-pat"]\n'
        # The rule file's own examples would match.
        'allowlist_paths = ["ci/"]\n',
    )
    builder.commit("config")
    assert [f.rule for f in gitsweep.scan(builder.path).findings] == ["acme-key"]


def test_pyproject_without_our_table_is_not_a_config(tmp_path):
    """Other tools' pyproject files are left alone."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("allowlist_paths = [", "not valid TOML"),
        ("allowlist_path = ['a']", "unknown setting"),
        ("disable = 3", "disable must be a list of rule ids"),
        ("allowlist_values = ['(']", "not a valid regular expression"),
        ("allowlist_fingerprints = ['abc']", "not a SHA-256 fingerprint"),
        ("rules = ['missing.toml']", "rule file 'missing.toml' not found"),
    ],
)
def test_malformed_config_names_the_file_and_the_fix(builder, capsys, text, says):
    """A broken config stops the scan with its path and what to change."""
    builder.write(".gitsweep.toml", text + "\n")
    builder.commit("bad config")
    path = builder.path / ".gitsweep.toml"
    with pytest.raises(ConfigError, match=says) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert main(["scan", str(builder.path)]) == 2
    assert ".gitsweep.toml" in capsys.readouterr().err


def test_config_option_and_no_config(builder, rng, tmp_path):
    """--config reads another file; --no-config ignores the work tree's."""
    _two_leaks(builder, rng)
    builder.write(".gitsweep.toml", 'allowlist_paths = ["src/", "tests/"]\n')
    builder.commit("config")
    other = tmp_path / "ci.toml"
    other.write_text('allowlist_paths = ["tests/"]\n')
    repo = str(builder.path)
    assert main(["scan", repo, "-q"]) == 0
    assert main(["scan", repo, "-q", "--no-config"]) == 1
    assert main(["scan", repo, "-q", "--config", str(other)]) == 1


def test_bare_repository_has_no_work_tree_config(builder, rng, tmp_path):
    """A bare clone has no work tree: only --config applies there."""
    _two_leaks(builder, rng)
    builder.write(".gitsweep.toml", 'allowlist_paths = ["tests/"]\n')
    builder.commit("config")
    bare = tmp_path / "bare.git"
    builder.git("clone", "-q", "--bare", str(builder.path), str(bare))
    assert len(gitsweep.scan(bare).findings) == 2


def test_inline_marker_allows_one_line_in_history(builder, rng):
    """`gitsweep:allow` on a line allows that match only, in blobs and messages."""
    allowed, reported = fakes.github_token(rng), fakes.github_token(rng)
    builder.write(
        "tests/test_parser.py",
        f"FAKE = '{allowed}'  # gitsweep:allow fake for the parser test\n"
        f"REAL = '{reported}'\n",
    )
    builder.commit("parser tests", "-m", f"{fakes.github_token(rng)} gitsweep:allow")
    found = gitsweep.scan(builder.path, config=None).findings
    assert [f.fingerprint for f in found] == [fingerprint(reported.encode())]


def test_inline_marker_in_utf16_text(builder, rng):
    """The marker is found in UTF-16 files, whose matches refer to decoded text."""
    token = fakes.github_token(rng)
    marked = f"T = '{token}'  # gitsweep:allow\r\n"
    plain = f"T = '{token}'\r\n"
    builder.write("marked.ps1", b"\xff\xfe" + marked.encode("utf-16-le"))
    builder.write("plain.ps1", b"\xff\xfe" + plain.encode("utf-16-le"))
    builder.commit("windows scripts")
    (finding,) = gitsweep.scan(builder.path, config=None).findings
    assert [o.path for o in finding.occurrences] == ["plain.ps1"]
