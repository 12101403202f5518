"""The numba kernels against slow, obviously right Python references.

Each kernel is called directly, with output arrays as small as one slot, so
the fill-up-and-resume path runs on every case; the caller's loop here is
the same one `Matcher` uses.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitsweep import _kernels
from gitsweep.matcher import TAIL_CLASS, build_keyword_tables, build_token_classes


def reference_keywords(
    data: bytes, keywords: list[bytes], tails: list[int] | None = None
) -> list[tuple[int, int]]:
    """Return sorted (end offset, keyword index) of every ASCII-caseless hit
    followed by at least its tail count of tail-class bytes.
    """
    tails = tails or [0] * len(keywords)
    folded = data.lower()
    return sorted(
        (i + len(kw), k)
        for k, kw in enumerate(keywords)
        for i in range(len(data) - len(kw) - tails[k] + 1)
        if folded[i : i + len(kw)] == kw
        and all(TAIL_CLASS[b] for b in data[i + len(kw) : i + len(kw) + tails[k]])
    )


def kernel_keywords(
    data: bytes, keywords: list[bytes], cap: int, tails: list[int] | None = None
) -> list[tuple[int, int]]:
    """Run the keyword kernel to the end with `cap` output slots.

    The kernel reserves room for both hash buckets of a position before it
    checks them, so it needs at least that many slots; fewer would stall it
    (the matcher gives it 4096).
    """
    tables = build_keyword_tables(keywords, tails)
    counts = tables[4]
    cap = max(cap, int(counts[:65536].max()) + int(counts[65536:].max()))
    arr = np.frombuffer(data, np.uint8)  # read-only, as the matcher passes it
    found_end = np.empty(cap, np.int64)
    found_kw = np.empty(cap, np.int32)
    hits: list[tuple[int, int]] = []
    start, rounds = 0, 0
    while start < len(data):
        count, resume = _kernels._scan_keywords(
            arr, start, *tables, found_end, found_kw
        )
        assert count <= cap
        assert resume > start or count > 0, "the kernel made no progress"
        hits += zip(found_end[:count].tolist(), found_kw[:count].tolist())
        start = resume
        rounds += 1
        assert rounds <= len(data) + 1
    return sorted(hits)


def reference_tokens(
    data: bytes, min_length: int, max_length: int, min_entropy: float
) -> list[tuple[int, int, float, int]]:
    """Return (start, end, entropy, hex only) of qualifying token runs."""
    classes = build_token_classes()
    out = []
    i = 0
    while i < len(data):
        if not classes[data[i]]:
            i += 1
            continue
        j = i
        while j < len(data) and classes[data[j]]:
            j += 1
        run = data[i:j]
        if min_length <= len(run) <= max_length:
            n = len(run)
            entropy = -sum(c / n * math.log2(c / n) for c in Counter(run).values())
            if entropy >= min_entropy:
                hex_only = int(all(classes[b] == 1 for b in run))
                out.append((i, j, entropy, hex_only))
        i = j
    return out


def kernel_tokens(
    data: bytes, min_length: int, max_length: int, min_entropy: float, cap: int
) -> list[tuple[int, int, float, int]]:
    """Run the token kernel to the end with `cap` output slots."""
    arr = np.frombuffer(data, np.uint8)
    starts, ends = np.empty(cap, np.int64), np.empty(cap, np.int64)
    entropy, hex_only = np.empty(cap, np.float64), np.empty(cap, np.uint8)
    out: list[tuple[int, int, float, int]] = []
    start = 0
    while start < len(data):
        count, resume = _kernels._find_tokens(
            arr, start, build_token_classes(), min_length, max_length, min_entropy,
            starts, ends, entropy, hex_only,
        )  # fmt: skip
        assert count <= cap and (resume > start or count > 0)
        out += zip(
            starts[:count].tolist(),
            ends[:count].tolist(),
            entropy[:count].tolist(),
            hex_only[:count].tolist(),
        )
        start = resume
    return out


def same_tokens(got: list, want: list) -> bool:  # type: ignore[type-arg]
    """Compare token lists, entropies to within float rounding."""
    return len(got) == len(want) and all(
        g[:2] == w[:2] and g[3] == w[3] and g[2] == pytest.approx(w[2], abs=1e-9)
        for g, w in zip(got, want)
    )


KEYWORDS = [b"ghp_", b"akia", b"secret", b"sec"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"g",
        b"gh",
        b"ghp_",
        b"GHP_ at the start",
        b"at the very end: AkIa",
        b"SECRET secret SeCrEt",
        b"secsecret",
        b"\0\xff\x00ghp_\x80akia\xff",
        b"ghp" + b"_" * 3 + b"ghp_",
    ],
    ids=repr,
)
@pytest.mark.parametrize("cap", [1, 2, 4096])
def test_keyword_kernel_matches_reference(data: bytes, cap: int) -> None:
    """Every case-insensitive hit, overlaps included, at any capacity."""
    assert kernel_keywords(data, KEYWORDS, cap) == reference_keywords(data, KEYWORDS)


def test_keyword_kernel_overlapping_keywords_end_at_the_same_byte() -> None:
    """`sec` inside `secret` and `secret` itself are two hits."""
    data = b"x=secret"
    assert kernel_keywords(data, KEYWORDS, 2) == [(5, 3), (8, 2)]


def test_keyword_kernel_resumes_exactly_where_the_output_filled() -> None:
    """With one slot, 500 hits come back over 500 calls, none lost or doubled."""
    data = b"akia " * 500
    hits = kernel_keywords(data, KEYWORDS, 1)
    assert hits == [(5 * i + 4, 1) for i in range(500)]


def test_keyword_kernel_folds_ascii_only() -> None:
    """Bytes above 127 are never folded onto letters."""
    data = "ĞHP_ ghp_".encode()
    assert kernel_keywords(data, KEYWORDS, 8) == [(len(data), 0)]


keyword_text = st.binary(min_size=3, max_size=6).map(
    lambda b: bytes(b"abs_-"[x % 5] for x in b)
)


def test_keyword_kernel_tail_keeps_short_prefixes_quiet() -> None:
    """`pat` needs token bytes after it: `pat_x1` is a hit, `path/` is not."""
    data = b"see path/ and PAT_x1 and pat"
    assert kernel_keywords(data, [b"pat"], 1, [2]) == [(17, 0)]
    assert reference_keywords(data, [b"pat"], [2]) == [(17, 0)]


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=200).map(
        lambda b: bytes(b"aAbBsS_- \0\xc3"[x % 11] for x in b)
    ),
    keywords=st.lists(keyword_text, min_size=1, max_size=6, unique=True),
    cap=st.integers(min_value=1, max_value=8),
    tail=st.integers(min_value=0, max_value=3),
)
def test_keyword_kernel_property(
    data: bytes, keywords: list[bytes], cap: int, tail: int
) -> None:
    """On a small alphabet, where hits and overlaps are frequent."""
    tails = [tail * (k % 2) for k in range(len(keywords))]
    got = kernel_keywords(data, keywords, cap, tails)
    assert got == reference_keywords(data, keywords, tails)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a",
        b"Zm9vYmFyYmF6cXV4MTIzNDU2",
        b"key = 'Zm9vYmFyYmF6cXV4MTIzNDU2'",
        b"\0" * 40,
        b"0123456789abcdef0123456789ABCDEF x AAAAAAAAAAAAAAAAAAAAA",
        b"a+b/c=d_e-f" * 3,
        b"deadbeefdeadbeefdeadbeef\ncafebabecafebabecafebabe",
    ],
    ids=repr,
)
@pytest.mark.parametrize("cap", [1, 4096])
def test_token_kernel_matches_reference(data: bytes, cap: int) -> None:
    """Runs, their entropy and hex flag, for tokens at the start and end."""
    got = kernel_tokens(data, 16, 1024, 0.0, cap)
    assert same_tokens(got, reference_tokens(data, 16, 1024, 0.0))


def test_token_kernel_length_and_entropy_limits() -> None:
    """Too short, too long and too uniform runs are passed over."""
    data = b"short abcdefghijklmnopqrstuvwxyz " + b"ab" * 20 + b" " + b"Q" * 40
    got = kernel_tokens(data, 16, 30, 1.5, 4)
    assert [(s, e) for s, e, _, _ in got] == [(6, 32)]
    assert got[0][3] == 0


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=300).map(
        lambda b: bytes(b"aF9z+_= \n\0"[x % 10] for x in b)
    ),
    min_length=st.integers(min_value=1, max_value=20),
    span=st.integers(min_value=0, max_value=40),
    cap=st.integers(min_value=1, max_value=5),
)
def test_token_kernel_property(
    data: bytes, min_length: int, span: int, cap: int
) -> None:
    """Random runs of token and separator bytes, any capacity."""
    got = kernel_tokens(data, min_length, min_length + span, 0.0, cap)
    assert same_tokens(got, reference_tokens(data, min_length, min_length + span, 0.0))
