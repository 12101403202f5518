"""Revision ranges: list only the objects a pull request adds.

Feeds the walker in place of `walker.list_objects`.  `gitsweep scan
--since REF` or `A..B` scans the objects reachable from B and not from A,
as `git rev-list --objects` lists them: commits, trees and blobs, each
once.  The list comes from git itself, which knows how to treat merges,
shallow boundaries and replaced objects the same way as the rest of git.
"""

from __future__ import annotations

import logging
import os
import subprocess

import attrs
import numpy as np
import pygit2

from .errors import GitsweepError
from .walker import ObjectList

log = logging.getLogger(__name__)


class RevisionRangeError(GitsweepError, ValueError):
    """A revision range names a ref or commit the repository does not have."""

    def __init__(self, spec: str, reason: str) -> None:
        self.spec = spec
        super().__init__(f"revision range {spec!r}: {reason}")


@attrs.frozen(slots=True)
class RevisionRange:
    """Objects reachable from `include` and not from `exclude`."""

    exclude: str
    include: str

    @property
    def spec(self) -> str:
        """Return the range as git writes it, `A..B`."""
        return f"{self.exclude}..{self.include}"


def parse_range(spec: str) -> RevisionRange:
    """Parse `A..B`, `A..` (up to HEAD) or a lone `REF` (REF..HEAD)."""
    if "..." in spec:
        raise RevisionRangeError(
            spec, "a symmetric range (A...B) is not supported; use A..B"
        )
    exclude, dots, include = spec.partition("..")
    if not dots:
        include = ""
    if not exclude.strip():
        raise RevisionRangeError(
            spec, "the base is empty; write BASE..HEAD or --since BASE"
        )
    return RevisionRange(exclude.strip(), include.strip() or "HEAD")


def list_range_objects(repo: pygit2.Repository, spec: str) -> ObjectList:
    """List the object ids a range adds, in `git rev-list` order.

    Raises `RevisionRangeError` naming the missing ref and how to fetch it.
    """
    revisions = parse_range(spec)
    for name in (revisions.exclude, revisions.include):
        _verify(repo, name, spec)
    output = _git(
        repo,
        [
            "rev-list",
            "--objects",
            "--no-object-names",
            revisions.include,
            "--not",
            revisions.exclude,
        ],
        spec,
    )
    # LIMITATION: git marks as uninteresting only the trees of the commits
    # at the range's edge, so a blob the base had long ago and the range
    # brings back is listed (and scanned) again: more work, never a miss.
    lines = [line for line in output.split(b"\n") if line]
    raw = b"".join(bytes.fromhex(line[:40].decode("ascii")) for line in lines)
    oids = np.frombuffer(raw, np.uint8).reshape(-1, 20).copy()
    log.info("range %s adds %d object(s)", revisions.spec, len(oids))
    # Spans of zero make the walker read each header first, as for loose
    # objects; a pull request's objects are few, so that costs little.
    return ObjectList(oids, np.zeros(len(oids), np.int64), [(0, revisions.spec)], [])


def _verify(repo: pygit2.Repository, name: str, spec: str) -> None:
    try:
        _git(repo, ["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], spec)
    except RevisionRangeError:
        raise RevisionRangeError(
            spec,
            f"{name!r} is not a commit of {repo.path}; fetch it first (in CI, "
            "`git fetch origin BRANCH`, or check out with fetch-depth: 0) or "
            "pass a commit id",
        ) from None


def _git(repo: pygit2.Repository, args: list[str], spec: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    done = subprocess.run(
        ["git", "--git-dir", repo.path, *args],
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionRangeError(spec, (reason or ["git rev-list failed"])[0])
    return done.stdout


def list_scan_objects(repo: pygit2.Repository, spec: str | None) -> ObjectList:
    """List what a scan walks: the range's objects, or every object."""
    from .walker import list_objects

    return list_range_objects(repo, spec) if spec else list_objects(repo)
