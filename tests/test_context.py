"""Context scoring: stand-ins are dropped, generic values weighed, paths lower."""

from __future__ import annotations

import pytest

from gitsweep.context import (
    adjust_for_paths,
    classify_path,
    find_stand_in,
    is_sequential,
    score_match,
)
from gitsweep.rules import load_rules

RULES = load_rules()
GENERIC = RULES.by_id("generic-api-key")
GITHUB = RULES.by_id("github-classic-pat")
URL = RULES.by_id("postgres-url-password")


@pytest.mark.parametrize(
    "value",
    [
        b"changeme",
        b"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        b"<your-token>",
        b"${API_TOKEN}",
        b"{{ api_token }}",
        b"sk-ant-api03-...",
        b"AKIAIOSFODNN7EXAMPLE",
        b"dop_v1_" + b"0" * 64,
        b"abcdef1234567890abcdef1234567890",
        b"12345678-1234-5678-1234-567812345678",
    ],
)
def test_stand_ins_are_recognised(value: bytes) -> None:
    """Placeholders, masked, filler, sequential and documented values."""
    assert find_stand_in(value) is not None


def test_random_value_is_not_a_stand_in() -> None:
    """A random value passes every stand-in check."""
    assert find_stand_in(b"q8ZkR3vX1mT7pLw2NfYc9HdJ") is None
    assert not is_sequential(b"q8ZkR3vX1mT7pLw2NfYc9HdJ")


def test_generic_value_scoring() -> None:
    """Random values are medium; hashes by name, code refs and text dropped."""
    secret = b"q8ZkR3vX1mT7pLw2NfYc9HdJ"
    confidence, reasons = score_match(GENERIC, secret, b'api_key = "' + secret)
    assert confidence == "medium" and "secret-like name on the left" in reasons
    digest = b"3f786850e387550fdab836ed7e6dc881de23001b"
    assert score_match(GENERIC, digest, b'commit_sha_token = "' + digest)[0] is None
    assert score_match(GENERIC, digest, b'token = "' + digest)[0] == "low"
    uuid = b"0b7c6a4e-92d1-4f0e-a3c5-6d2e8f1b9a70"
    assert score_match(GENERIC, uuid, b"token: " + uuid)[0] == "low"
    assert score_match(GENERIC, b"settings.API_TOKEN", b"")[0] is None
    assert score_match(GENERIC, b"ghp_abc", b"")[0] is None


def test_url_password_scoring() -> None:
    """Default or user-equal passwords are dropped; a random one is high."""
    assert score_match(URL, b"password", b"postgres://u:password@h/db")[0] is None
    assert score_match(URL, b"root1234", b"mysql://root1234:root1234@h")[0] is None
    secret = b"Ju11jJ_RHJQf573Pw"
    assert score_match(URL, secret, b"postgres://app:" + secret + b"@h")[0] == "high"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("tests/fixtures/keys.py", "tests"),
        ("src/app_test.go", "tests"),
        ("docs/setup.md", "docs"),
        (".env.example", "docs"),
        ("package-lock.json", "generated"),
        ("vendor/lib/x.js", "generated"),
        ("static/app.min.js", "generated"),
        ("src/settings.py", None),
    ],
)
def test_classify_path(path: str, kind: str | None) -> None:
    """Paths are sorted into tests, docs, generated or ordinary."""
    assert classify_path(path) == kind


def test_paths_lower_confidence_only_when_all_paths_agree() -> None:
    """One ordinary path keeps the confidence; only-tests lowers one level."""
    assert adjust_for_paths(GITHUB, "high", (), ["tests/a.py", "src/a.py"])[0] == "high"
    assert adjust_for_paths(GITHUB, "high", (), ["tests/a.py"])[0] == "medium"
    assert adjust_for_paths(GENERIC, "medium", (), ["yarn.lock"])[0] == "low"
