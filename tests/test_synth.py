"""The synthetic repository generator is deterministic and truthful."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from benchmarks import synth


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, check=True, capture_output=True
    ).stdout


def all_commit_ids(repo: Path) -> list[str]:
    lines = git(repo, "cat-file", "--batch-all-objects", "--batch-check")
    return sorted(
        line.split()[0] for line in lines.decode().splitlines() if " commit " in line
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    repo = tmp_path_factory.mktemp("synth") / "small.git"
    truth_file = synth.generate(repo, size_mb=1)
    return repo, json.loads(truth_file.read_text())


def test_same_seed_gives_same_commits(generated, tmp_path):
    """Two runs at the same size and seed write identical commit ids."""
    repo, truth = generated
    again = tmp_path / "again.git"
    truth_again = json.loads(synth.generate(again, size_mb=1).read_text())

    assert all_commit_ids(repo) == all_commit_ids(again)
    assert truth["head"] == truth_again["head"]
    assert truth["secrets"] == truth_again["secrets"]


def test_repository_has_packed_and_loose_objects(generated):
    """Scanners meet both storage forms, and the pack holds deltas."""
    repo, _ = generated
    counts = dict(
        line.split(": ")
        for line in git(repo, "count-objects", "-v").decode().splitlines()
    )
    assert int(counts["count"]) > 0
    assert int(counts["in-pack"]) > 0


def test_ground_truth_points_at_real_objects(generated):
    """Each planted secret sits in the blob or commit the truth names."""
    repo, truth = generated
    kinds = {s["kind"] for s in truth["secrets"]}
    assert {"github-pat", "aws-access-key-id", "private-key"} <= kinds

    for secret in truth["secrets"]:
        value = secret["value"].encode()
        assert secret["fingerprint"] == hashlib.sha256(value).hexdigest()
        commit = git(repo, "cat-file", "commit", secret["commit"])
        if secret["location"] == "commit-message":
            assert value in commit
            continue
        assert value in git(repo, "cat-file", "blob", secret["blob"])
        listed = git(repo, "ls-tree", secret["commit"], "--", secret["path"])
        assert secret["blob"] in listed.decode()


def test_deleted_branch_secret_is_unreachable(generated):
    """The deleted branch's commit is in the object store but off every ref."""
    repo, truth = generated
    hidden = [s for s in truth["secrets"] if not s["reachable"]]
    assert hidden

    reachable = set(git(repo, "rev-list", "--all").decode().split())
    for secret in hidden:
        assert secret["commit"] not in reachable
