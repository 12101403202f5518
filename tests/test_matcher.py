"""The matcher: candidates from the kernels, confirmation by `regex`.

Small hand-made rules keep these tests independent of the built-in rule
files; the last tests run the built-in rules on values that must not be
reported.
"""

from __future__ import annotations

import random
import string

import pytest

from gitsweep import fakes
from gitsweep.matcher import Matcher, decode_utf16, is_binary, shannon_entropy
from gitsweep.rules import Rule, RuleSet, load_rules


def demo_rule(**changes: object) -> Rule:
    """A keyword rule for `dmo_` and 20 base62 characters."""
    fields: dict[str, object] = {
        "id": "demo-token",
        "name": "Demo token",
        "provider": "Demo",
        "severity": "high",
        "keywords": ("dmo_",),
        "pattern": r"(?<![A-Za-z0-9_])(?P<secret>dmo_[A-Za-z0-9]{20})(?![A-Za-z0-9])",
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


def matcher(*rules: Rule, timeout: float = 1.0) -> Matcher:
    return Matcher(RuleSet(tuple(rules), "test"), regex_timeout=timeout)


def token(rng: random.Random) -> str:
    # Digits and capitals only, so no stand-in word can appear by chance.
    return "dmo_" + "".join(rng.choice(string.digits + "QWZJKV") for _ in range(20))


def test_match_at_the_very_start_and_end(rng: random.Random) -> None:
    """Offsets, 1-based lines and byte columns at both edges of a blob."""
    first, last = token(rng), token(rng)
    data = f"{first}\nmiddle line\nx = {last}".encode()

    matches = matcher(demo_rule()).match(data, "oid")

    assert [(m.secret.decode(), m.start, m.end) for m in matches] == [
        (first, 0, 24),
        (last, len(data) - 24, len(data)),
    ]
    assert [(m.line, m.column, m.end_line) for m in matches] == [(1, 1, 1), (3, 5, 3)]


def test_keywords_fold_case_and_the_pattern_decides(rng: random.Random) -> None:
    """An upper-case keyword is a candidate; only a (?i) pattern confirms it."""
    value = token(rng).upper()
    data = f"TOKEN={value}\n".encode()
    strict = matcher(demo_rule())
    folding = matcher(demo_rule(pattern=r"(?i)(?P<secret>dmo_[A-Z0-9]{20})"))

    assert strict.match(data) == [] and strict.stats.candidates == 1
    assert [m.secret.decode() for m in folding.match(data)] == [value]


def test_close_hits_share_a_window_and_each_is_found_once(rng: random.Random) -> None:
    """Many hits a few bytes apart: every secret once, none twice."""
    values = [token(rng) for _ in range(30)]
    data = " ".join(values).encode()

    matches = matcher(demo_rule()).match(data)

    assert [m.secret.decode() for m in matches] == values


def test_binary_content_only_for_binary_rules(rng: random.Random) -> None:
    """With a NUL early on, a rule marked `binary = false` is not run."""
    value = token(rng)
    data = b"SQLite format 3\0\0" + f"\nk={value}\n".encode()
    assert is_binary(data)

    assert [m.line for m in matcher(demo_rule(binary=True)).match(data)] == [2]
    assert matcher(demo_rule(binary=False)).match(data) == []


@pytest.mark.parametrize(
    ("codec", "bom", "label"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16LE+BOM"),
        ("utf-16-be", b"\xfe\xff", "UTF-16BE+BOM"),
        ("utf-16-le", b"", "UTF-16LE"),
        ("utf-16-be", b"", "UTF-16BE"),
    ],
)
def test_utf16_is_decoded_and_lines_count_in_the_text(
    rng: random.Random, codec: str, bom: bytes, label: str
) -> None:
    value = token(rng)
    data = bom + f"line one\r\nkey = {value}\r\n".encode(codec)

    (match,) = matcher(demo_rule()).match(data)

    assert (match.secret.decode(), match.line, match.column, match.encoding) == (
        value,
        2,
        7,
        label,
    )


def test_utf16_detection_leaves_real_binary_alone() -> None:
    """Random bytes with NULs are not mistaken for UTF-16 text."""
    data = bytes(random.Random(5).randrange(256) for _ in range(4000))
    assert decode_utf16(b"\0\x01" * 3) is None
    assert decode_utf16(data) is None


def test_regex_timeout_is_counted_not_a_hang(caplog: pytest.LogCaptureFixture) -> None:
    """A pattern that backtracks without bound is stopped and recorded."""
    slow = demo_rule(id="slow", pattern=r"dmo_(?P<secret>(a|aa)+b)")
    m = matcher(slow, timeout=0.05)

    assert m.match(b"dmo_" + b"a" * 60, "deadbeef") == []

    assert m.stats.timeouts == [("slow", "deadbeef")]
    assert "slow" in caplog.text and "deadbeef" in caplog.text


def test_shannon_entropy_reference_values() -> None:
    assert shannon_entropy(b"") == 0.0
    assert shannon_entropy(b"aaaa") == 0.0
    assert shannon_entropy(b"abab") == pytest.approx(1.0)
    assert shannon_entropy(bytes(range(256))) == pytest.approx(8.0)


@pytest.fixture(scope="module")
def builtin() -> Matcher:
    return Matcher(load_rules())


def test_builtin_rules_find_real_shapes(builtin: Matcher, rng: random.Random) -> None:
    """A checksummed GitHub token is found with its rule id."""
    value = fakes.github_token(rng)
    (match,) = builtin.match(f"GITHUB_TOKEN={value}\n".encode())
    assert (match.rule_id, match.secret.decode()) == ("github-classic-pat", value)


@pytest.mark.parametrize(
    "text",
    [
        "GITHUB_TOKEN=ghp_" + "x" * 36,
        "aws_access_key_id = AKIAIOSFODNN7" + "EXAMPLE",
        "STRIPE_SECRET_KEY=sk_live_...",
        "password: ${DB_PASSWORD}",
        "api_key = 'your-api-key-here'",
        "commit = '9caba552abb45deb93f1f4aefbb6e04f47729fa2'",
    ],
)
def test_builtin_rules_skip_placeholders(builtin: Matcher, text: str) -> None:
    """Masked values, documented examples and templated values are no match."""
    assert builtin.match(text.encode() + b"\n") == []


def test_github_token_with_a_bad_checksum_is_dropped(
    builtin: Matcher, rng: random.Random
) -> None:
    """The right shape with a wrong CRC32 is a typo or a test value."""
    value = fakes.github_token(rng)
    broken = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert builtin.match(f"GITHUB_TOKEN={broken}\n".encode()) == []
