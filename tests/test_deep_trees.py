"""Trees nested thousands of levels deep: paths found, or said unknown."""

from __future__ import annotations

import random
from pathlib import Path

import pygit2
import pytest

import gitsweep
from gitsweep import fakes, provenance


def _deep_repository(path: Path, depth: int, token: str) -> None:
    repo = pygit2.init_repository(str(path), bare=True)
    blob = repo.create_blob(f"GITHUB_TOKEN={token}\n".encode())
    builder = repo.TreeBuilder()
    builder.insert("token.env", blob, pygit2.GIT_FILEMODE_BLOB)
    tree = builder.write()
    for _ in range(depth):
        builder = repo.TreeBuilder()
        builder.insert("d", tree, pygit2.GIT_FILEMODE_TREE)
        tree = builder.write()
    sig = pygit2.Signature("Dev One", "dev1@example.test", 1_700_000_000, 0)
    repo.create_commit("refs/heads/main", sig, sig, "deep", tree, [])


def test_path_below_thousands_of_levels(tmp_path: Path) -> None:
    """A secret 2,500 folders down gets its full path and commit."""
    token = fakes.github_token(random.Random(5))
    _deep_repository(tmp_path / "deep.git", 2500, token)

    report = gitsweep.scan(tmp_path / "deep.git")

    (finding,) = report.findings
    occ = finding.occurrences[0]
    assert occ.path == "d/" * 2500 + "token.env"
    assert occ.commit is not None and report.complete


def test_tree_past_the_depth_limit_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the depth gitsweep follows, the scan still finds the secret,
    says the tree was too deep, and does not call itself complete."""
    monkeypatch.setattr(provenance, "_TREE_DEPTH_LIMIT", 300)
    token = fakes.github_token(random.Random(6))
    _deep_repository(tmp_path / "deep.git", 2000, token)

    report = gitsweep.scan(tmp_path / "deep.git")

    assert [f.secret for f in report.findings] == [token]
    assert [w.kind for w in report.warnings] == ["tree-too-deep"]
    assert report.exit_code == 1 and not report.complete
