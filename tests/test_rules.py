"""Built-in rules: every example through the real matcher, and the loader's
rejection of broken user rule files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from gitsweep.errors import RuleError
from gitsweep.matcher import Matcher
from gitsweep.rules import (
    Rule,
    RuleSet,
    builtin_rule_files,
    load_rules,
    read_rule_file,
)

RULES = load_rules()
REPORTED = ("high", "medium")
EXAMPLES = [
    pytest.param(rule.id, text, flagged, id=f"{rule.id}-{kind}{n}")
    for rule in RULES
    for kind, flagged, texts in (
        ("pos", True, rule.positives),
        ("neg", False, rule.negatives),
    )
    for n, text in enumerate(texts, 1)
]


@cache
def matcher_for(rule_id: str) -> Matcher:
    return Matcher(RuleSet((RULES.by_id(rule_id),), rule_id))


@pytest.mark.parametrize(("rule_id", "text", "flagged"), EXAMPLES)
def test_rule_example(rule_id: str, text: str, flagged: bool) -> None:
    """A positive is reported at medium or up by its rule; a negative is not."""
    matches = matcher_for(rule_id).match(text.encode("utf-8"))
    reported = [m for m in matches if m.confidence in REPORTED]
    assert bool(reported) is flagged


def test_rule_coverage_and_metadata() -> None:
    """At least 150 rules, each with reference, revocation and examples."""
    assert len(RULES) >= 150
    for rule in RULES:
        assert rule.reference.startswith("https://"), rule.id
        for field in ("how", "url", "identity", "audit", "replace_with"):
            assert getattr(rule.revocation, field), (rule.id, field)
        assert len(rule.positives) >= 2 and len(rule.negatives) >= 2, rule.id
        # Keyword rules prefilter on their keywords alone; an assigned
        # rule's keywords only gate its token pass and may be 2 bytes.
        shortest = 3 if rule.kind == "keyword" else 2
        assert all(len(k) >= shortest for k in rule.keywords), rule.id


def test_no_negative_reported_by_any_rule() -> None:
    """No built-in negative example is reported by the whole rule set."""
    everything = Matcher(RULES)
    noisy = [
        (rule.id, n)
        for rule in RULES
        for n, text in enumerate(rule.negatives, 1)
        if any(m.confidence in REPORTED for m in everything.match(text.encode()))
    ]
    assert noisy == []


GOOD = """
[[rules]]
id = "acme-token"
name = "Acme token"
provider = "Acme"
severity = "high"
keywords = ["acme_"]
pattern = '''(?P<secret>acme_[a-z0-9]{20})'''
examples.positive = ["t = acme_k3j5h6g7f8d9s0a1q2w3", "acme_z9x8c7v6b5n4m3l2k1j0"]
examples.negative = ["acme_short", "acme_"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user.toml"
    path.write_text(text)
    return path


def test_user_rule_file_loads(tmp_path: Path) -> None:
    """A well-formed user file loads beside the built-ins."""
    rules = load_rules([write(tmp_path, GOOD)])
    assert isinstance(rules.by_id("acme-token"), Rule)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("[a-z0-9]{20})'''", "[a-z0-9]{20}'''"), "does not compile"),
        (("(?P<secret>", "(?P<value>"), "named group"),
        (("acme_[a-z0-9]{20}", "acme_[a-z0-9]{20}|(?:a+)+b"), "backtracks"),
        (('"t = acme_k3j5', '"t = acme_K3J5'), "does not match"),
        (('severity = "high"', 'severity = "urgent"'), "severity"),
        (('keywords = ["acme_"]', 'keywords = ["ac"]'), "3 bytes"),
        (
            ('name = "Acme token"', 'name = "Acme token"\nvalidator = "nope"'),
            "validator",
        ),
        (
            ('name = "Acme token"', 'name = "Acme token"\nkeyword = "x"'),
            "unknown field",
        ),
    ],
)
def test_broken_user_rule_is_rejected(
    tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    """A broken user rule names the file, the rule id and the reason."""
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleError) as caught:
        load_rules([path])
    assert reason in caught.value.reason
    assert caught.value.source == str(path)
    assert caught.value.rule_id == "acme-token"


def test_duplicate_id_is_rejected(tmp_path: Path) -> None:
    """A user rule that reuses a built-in id is refused, naming both files."""
    path = write(tmp_path, GOOD.replace("acme-token", "github-classic-pat"))
    with pytest.raises(RuleError, match="duplicate id"):
        load_rules([path])


def test_user_file_without_rules_is_rejected(tmp_path: Path) -> None:
    """A file with no [[rules]] table says so."""
    with pytest.raises(RuleError, match="no \\[\\[rules\\]\\]"):
        read_rule_file(write(tmp_path, "title = 'x'\n"))


@pytest.mark.parametrize(
    "path", builtin_rule_files(), ids=lambda p: p.name
)
def test_builtin_file_passes_the_user_file_checks(path) -> None:
    """Built-in rules skip the load-time probe, so the suite runs it: every
    built-in file must pass the checks a user's rule file gets (examples
    match, no runaway backtracking)."""
    rules = read_rule_file(path, check_examples=True)
    assert rules and all(r.source == str(path) for r in rules)
