"""Shared fixtures: real repositories built with git in temporary folders."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from gitsweep.gitbuild import GitBuilder

#: The labelled corpus beside the checkout (read-only, never copied here).
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the user's git configuration out of every test."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    # The CLI caches clean object ids by default; keep that out of $HOME.
    monkeypatch.setenv("GITSWEEP_CACHE_DIR", str(tmp_path / "gitsweep-cache"))


@pytest.fixture
def builder(tmp_path: Path) -> GitBuilder:
    """An empty repository with a reproducible clock and identity."""
    return GitBuilder(tmp_path / "repo")


@pytest.fixture
def rng() -> random.Random:
    """A seeded random source for fake secrets."""
    return random.Random(1234)


def corpus_path() -> Path:
    """Return the shared corpus folder, or skip when it is not there."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS
