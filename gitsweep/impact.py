"""Impact of a rewrite plan on the commit graph.

Part of the remediation stage, beside `plan`: read the commit graph that
refs and stash entries reach, and count the commits, refs and signatures a
plan's rewrite changes.  `rewrite` reuses the graph reader and ref peeling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import pygit2

from . import walker
from .plan import ACTION_PURGE, ACTION_SKIP, Impact, PlanItem, SignedObject


@attrs.define
class History:
    """The commit graph reachable from refs (and stash reflog entries).

    Commit ids are raw 20-byte ids.  `order` lists commits parents first.
    """

    parents: dict[bytes, tuple[bytes, ...]] = attrs.field(factory=dict)
    signed: set[bytes] = attrs.field(factory=set)
    subjects: dict[bytes, str] = attrs.field(factory=dict)
    order: list[bytes] = attrs.field(factory=list)
    refs: dict[str, bytes] = attrs.field(factory=dict)
    stash: list[bytes] = attrs.field(factory=list)


def read_refs(repo: pygit2.Repository) -> dict[str, bytes]:
    """Return every direct ref as name -> raw object id (not peeled)."""
    refs = {}
    for name in repo.listall_references():
        ref = repo.references[name]
        if ref.type == pygit2.enums.ReferenceType.SYMBOLIC:
            continue
        target = ref.target
        assert isinstance(target, pygit2.Oid)
        refs[name] = target.raw
    return refs


def peel(repo: pygit2.Repository, raw: bytes) -> tuple[bytes, int]:
    """Return (raw id, type) of the object reached through tag objects."""
    kind, data = repo.odb.read(pygit2.Oid(raw=raw))
    hops = 0
    while kind == walker.OBJ_TAG and hops < 64:
        raw = bytes.fromhex(data[7:47].decode("ascii"))
        kind, data = repo.odb.read(pygit2.Oid(raw=raw))
        hops += 1
    return raw, kind


def stash_entries(repo: pygit2.Repository) -> list[bytes]:
    """Return the stash reflog's commits, oldest first."""
    try:
        entries = list(repo.references["refs/stash"].log())
    except (KeyError, pygit2.GitError, ValueError):
        return []
    return [e.oid_new.raw for e in reversed(entries)]


def read_history(repo: pygit2.Repository) -> History:
    """Read every commit reachable from refs and stash entries, parents first."""
    history = History(refs=read_refs(repo), stash=stash_entries(repo))
    starts = []
    for raw in [*history.refs.values(), *history.stash]:
        target, kind = peel(repo, raw)
        if kind == walker.OBJ_COMMIT:
            starts.append(target)
    odb = repo.odb
    state: dict[bytes, int] = {}
    for start in starts:
        stack = [start]
        while stack:
            commit = stack[-1]
            if state.get(commit) == 2:
                stack.pop()
                continue
            if commit not in history.parents:
                _kind, data = odb.read(pygit2.Oid(raw=commit))
                _parse_into(history, commit, data)
            if state.get(commit) != 1:
                state[commit] = 1
                stack.extend(p for p in history.parents[commit] if state.get(p) is None)
                continue
            state[commit] = 2
            history.order.append(commit)
            stack.pop()
    return history


def _parse_into(history: History, commit: bytes, data: bytes) -> None:
    header, _, message = data.partition(b"\n\n")
    parents = []
    for line in header.split(b"\n"):
        if line.startswith(b"parent "):
            parents.append(bytes.fromhex(line[7:47].decode("ascii")))
        elif line.startswith(b"gpgsig"):
            history.signed.add(commit)
    history.parents[commit] = tuple(parents)
    history.subjects[commit] = message.split(b"\n", 1)[0].decode("utf-8", "replace")


def measure_impact(
    repo: pygit2.Repository,
    items: Iterable[PlanItem],
    introducers: set[bytes] | None = None,
) -> Impact:
    """Count the commits, refs and signatures a plan's rewrite changes.

    Seeds are the commits whose trees hold a planned blob or purged path
    and the commits whose message changes; every descendant of a seed is
    rewritten too, because its parent id changes.  `introducers`, the
    commits the scan found introducing the planned blobs, saves walking
    every tree: each commit that holds a blob descends from one of them.
    """
    items = [i for i in items if i.action != ACTION_SKIP]
    history = read_history(repo)
    blobs = {
        bytes.fromhex(b.oid) for i in items for b in i.blobs if b.action != ACTION_SKIP
    }
    paths = {
        p for i in items for b in i.blobs if b.action == ACTION_PURGE for p in b.paths
    }
    messages = {bytes.fromhex(m.oid) for i in items for m in i.messages}
    seeds = {c for c in history.order if c in messages}
    if introducers is not None:
        seeds |= introducers & set(history.parents)
        seeds |= _commits_holding(repo, history, set(), paths)
    else:
        seeds |= _commits_holding(repo, history, blobs, paths)

    affected: set[bytes] = set()
    for commit in history.order:
        if commit in seeds or any(p in affected for p in history.parents[commit]):
            affected.add(commit)

    refs, signed, unchanged = [], [], []
    for name, raw in sorted(history.refs.items()):
        target, _kind = peel(repo, raw)
        tag_changes = raw in messages
        if target in affected or tag_changes:
            refs.append(name)
            if raw != target and _is_signed_tag(repo, raw):
                signed.append(SignedObject(raw.hex(), "tag", name))
        elif name.startswith("refs/tags/"):
            unchanged.append(name)
    for commit in history.order:
        if commit in affected and commit in history.signed:
            signed.append(
                SignedObject(commit.hex(), "commit", history.subjects[commit])
            )
    head = None if repo.head_is_unborn else repo.head.peel(pygit2.Commit).id.raw
    return Impact(
        commits=len(history.order),
        commits_rewritten=len(affected),
        blobs_rewritten=len(blobs),
        blob_bytes=sum(
            b.size for i in items for b in i.blobs if b.action != ACTION_SKIP
        ),
        messages_rewritten=len(messages),
        refs=tuple(refs),
        head_changes=head is not None and peel(repo, head)[0] in affected,
        stash_entries=sum(1 for s in history.stash if s in affected),
        notes_refs=tuple(r for r in refs if r.startswith("refs/notes/")),
        signed_lost=tuple(signed),
        unchanged_tags=tuple(unchanged),
    )


def _commits_holding(
    repo: pygit2.Repository, history: History, blobs: set[bytes], paths: set[str]
) -> set[bytes]:
    """Return the commits whose trees hold any of `blobs` or `paths`."""
    if not blobs and not paths:
        return set()
    memo: dict[bytes, bool] = {}
    wanted = [p.encode("utf-8", "surrogateescape") for p in paths]

    def holds(tree: Any) -> bool:
        key = tree.id.raw
        if key not in memo:
            memo[key] = any(
                e.id.raw in blobs or (e.type_str == "tree" and holds(repo[e.id]))
                for e in tree
            )
        return memo[key]

    found = set()
    for commit in history.order:
        tree = repo[pygit2.Oid(raw=commit)].tree
        if (blobs and holds(tree)) or any(_has_path(tree, p) for p in wanted):
            found.add(commit)
    return found


def _has_path(tree: pygit2.Tree, path: bytes) -> bool:
    try:
        tree[path.decode("utf-8", "surrogateescape")]
    except KeyError:
        return False
    return True


def _is_signed_tag(repo: pygit2.Repository, raw: bytes) -> bool:
    _kind, data = repo.odb.read(pygit2.Oid(raw=raw))
    return (
        b"-----BEGIN PGP SIGNATURE-----" in data or b"-----BEGIN SSH SIGNATURE" in data
    )
