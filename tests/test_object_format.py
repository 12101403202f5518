"""Repositories gitsweep cannot read say so, and why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import gitsweep
from gitsweep.errors import UnsupportedRepositoryError


def test_sha256_repository_is_named_as_such(tmp_path: Path) -> None:
    """A SHA-256 repository is not called 'not a repository'."""
    done = subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", str(tmp_path / "r")],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("this git cannot make SHA-256 repositories")
    with pytest.raises(UnsupportedRepositoryError, match="sha256 object format"):
        gitsweep.scan(tmp_path / "r")
