"""One secret, one finding: overlapping matches of two rules."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from gitsweep import matcher
from gitsweep.rules import load_rules


def _naive(spans, ranks):  # type: ignore[no-untyped-def]
    return [
        span
        for span, mine in zip(spans, ranks)
        if not any(
            theirs > mine and span[1] < e2 and s2 < span[2]
            for (_, s2, e2), theirs in zip(spans, ranks)
        )
    ]


_RULES = [
    r
    for r in load_rules()
    if r.id in ("github-classic-pat", "generic-api-key", "http-basic-auth-url")
]


@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 15), st.integers(0, 2)),
        max_size=30,
    )
)
def test_sweep_drops_exactly_what_the_pairwise_test_drops(items) -> None:  # type: ignore[no-untyped-def]
    """The overlap sweep agrees with comparing every pair."""
    spans = sorted(((_RULES[k], s, s + n) for s, n, k in items), key=matcher._span_key)
    ranks = [matcher.rank(r) for r, _, _ in spans]
    assert matcher._drop_outranked(spans) == _naive(spans, ranks)


def test_many_matches_in_one_blob_keep_every_disjoint_match() -> None:
    """20,000 disjoint matches of mixed ranks all survive (a pairwise test
    would make 400 million comparisons here; the sweep makes none)."""
    rng = random.Random(3)
    spans = sorted(
        ((rng.choice(_RULES), i * 50, i * 50 + 40) for i in range(20_000)),
        key=matcher._span_key,
    )
    assert matcher._drop_outranked(spans) == spans
