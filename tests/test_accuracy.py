"""Accuracy regression: gitsweep on a slice of the labelled corpus.

The corpus lives beside the checkout (../shared/corpus) and is never copied
into the repository; without it the test is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.accuracy import (
    Detection,
    Record,
    detect_gitsweep,
    load_corpus,
    score,
    slice_corpus,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "formats.jsonl"
#: Committed floors; docs/accuracy.md has the full-corpus table.
MIN_RECALL = 0.97
MIN_PRECISION = 0.97
MIN_PROVIDER = 0.90


@pytest.fixture(scope="module")
def records() -> list[Record]:
    if not CORPUS.exists():
        pytest.skip(f"labelled corpus not found at {CORPUS}")
    return slice_corpus(load_corpus(CORPUS))


def test_accuracy_on_corpus_slice(records: list[Record]) -> None:
    """Recall and precision stay above the committed floors, per provider too."""
    result = score("gitsweep", records, detect_gitsweep(records))
    assert result.overall.recall >= MIN_RECALL, [r.id for r in result.misses]
    assert result.overall.precision >= MIN_PRECISION, [
        (r.id, d.rule) for r, d in result.false_alarms
    ]
    for provider, tally in result.providers.items():
        assert tally.recall >= MIN_PROVIDER, provider
        assert tally.precision >= MIN_PROVIDER, provider


def test_scoring_rules() -> None:
    """Covering the secret counts; a part of it is neither hit nor noise."""
    pos = Record("p", "t", "P", True, "f", "x", "SECRET", "")
    neg = Record("n", "t", "P", False, "f", "x", "", "")
    found = [
        Detection("p", "url://u:SECRET@h", "r"),
        Detection("p", "SEC", "r"),
        Detection("n", "noise", "r"),
    ]
    result = score("t", [pos, neg], found)
    assert (result.overall.tp, result.overall.fn, result.overall.fp) == (1, 0, 1)
