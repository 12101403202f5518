"""Provenance: where history put each matched object, and who still has it.

Stage 5 of the pipeline.  From the commit and tag objects the walker
streamed, build the commit graph; find which refs and reflog entries reach
each commit; walk the trees of every commit (memoised by tree id, so a tree
repeated a million times costs one visit) to learn the paths of the objects
that matched, and the commits that introduced them.
"""

from __future__ import annotations

import collections
import logging
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import attrs
import pygit2
import regex

log = logging.getLogger(__name__)

#: Root trees whose flattened contents stay in memory (least recent dropped).
_RECENT_ROOTS = 4096
#: Nesting of trees the path walk follows before giving up on a root tree.
_TREE_DEPTH_LIMIT = 20_000
#: Sample paths kept per blob and tree; the total is still counted.
PATH_SAMPLE = 20

_TREE_ENTRY = regex.compile(rb"([0-7]{5,6}) ([^\0]*)\0(.{20})", regex.S)
_NO_CONTENT: dict[bytes, tuple[list[bytes], int]] = {}


@attrs.frozen(slots=True)
class Signature:
    """An author, committer or tagger line of a commit or tag object."""

    name: str
    email: str
    time: int
    offset: str

    @property
    def iso(self) -> str:
        """Return the time as ISO 8601 with the signer's own UTC offset."""
        sign = -1 if self.offset.startswith("-") else 1
        try:
            minutes = int(self.offset[1:3]) * 60 + int(self.offset[3:5])
            tz = timezone(sign * timedelta(minutes=minutes))
        except ValueError:
            tz = timezone.utc
        return datetime.fromtimestamp(self.time, tz).isoformat()


def parse_signature(line: bytes) -> Signature:
    """Parse `Name <email> 1700000000 +0000` leniently."""
    head, _, rest = line.rpartition(b">")
    name, _, email = head.partition(b"<")
    parts = rest.split()
    try:
        when = int(parts[0]) if parts else 0
    except ValueError:
        when = 0
    offset = parts[1].decode("ascii", "replace") if len(parts) > 1 else "+0000"
    return Signature(
        name.strip().decode("utf-8", "replace"),
        email.decode("utf-8", "replace"),
        when,
        offset,
    )


@attrs.frozen(slots=True)
class CommitInfo:
    """What provenance needs of one commit object."""

    tree: bytes
    parents: tuple[bytes, ...]
    author: bytes
    committer: bytes
    subject: str
    signed: bool


def parse_commit(data: bytes) -> CommitInfo | None:
    """Parse a raw commit object; None when it has no tree line."""
    header, _, message = data.partition(b"\n\n")
    tree = b""
    parents: list[bytes] = []
    author = committer = b""
    signed = False
    for line in header.split(b"\n"):
        if line.startswith(b"tree "):
            tree = _hex_to_raw(line[5:])
        elif line.startswith(b"parent "):
            parents.append(_hex_to_raw(line[7:]))
        elif line.startswith(b"author "):
            author = line[7:]
        elif line.startswith(b"committer "):
            committer = line[10:]
        elif line.startswith(b"gpgsig"):
            signed = True
    if not tree:
        return None
    subject = message.split(b"\n", 1)[0].decode("utf-8", "replace")
    return CommitInfo(tree, tuple(parents), author, committer, subject, signed)


@attrs.frozen(slots=True)
class TagInfo:
    """What provenance needs of one annotated tag object."""

    target: bytes
    target_type: str
    name: str
    signed: bool


def parse_tag(data: bytes) -> TagInfo | None:
    """Parse a raw tag object; None when it has no object line."""
    header, _, message = data.partition(b"\n\n")
    target, kind, name = b"", "", ""
    for line in header.split(b"\n"):
        if line.startswith(b"object "):
            target = _hex_to_raw(line[7:])
        elif line.startswith(b"type "):
            kind = line[5:].decode("ascii", "replace")
        elif line.startswith(b"tag "):
            name = line[4:].decode("utf-8", "replace")
    if not target:
        return None
    signed = (
        b"-----BEGIN PGP SIGNATURE-----" in message
        or b"-----BEGIN SSH SIGNATURE" in message
    )
    return TagInfo(target, kind, name, signed)


def _hex_to_raw(text: bytes) -> bytes:
    try:
        return bytes.fromhex(text[:40].decode("ascii"))
    except ValueError:
        return b""


@attrs.define
class RefTable:
    """Every ref and reflog entry, as labels with the object each names."""

    labels: list[str] = attrs.field(factory=list)
    targets: list[bytes] = attrs.field(factory=list)
    is_reflog: list[bool] = attrs.field(factory=list)
    head: bytes | None = None
    cache: dict[int, tuple[list[str], list[str], int]] = attrs.field(factory=dict)


def read_refs(repo: pygit2.Repository, tags: dict[bytes, TagInfo]) -> RefTable:
    """List refs (peeled through annotated tags) and their reflog entries."""
    table = RefTable()
    names = list(repo.listall_references())
    for name in names:
        try:
            target = repo.references[name].resolve().target
        except (KeyError, pygit2.GitError, ValueError):
            log.warning("ref %s cannot be resolved; it is left out", name)
            continue
        raw = _peel(target.raw if hasattr(target, "raw") else b"", tags)
        table.labels.append(name)
        table.targets.append(raw)
        table.is_reflog.append(False)
    for name in ["HEAD", *names]:
        try:
            entries = list(repo.references[name].log())
        except (KeyError, pygit2.GitError, ValueError):
            continue
        for i, entry in enumerate(entries):
            for oid in (entry.oid_new, entry.oid_old):
                if oid is not None and oid.raw != b"\0" * 20:
                    table.labels.append(f"{name}@{{{i}}}")
                    table.targets.append(_peel(oid.raw, tags))
                    table.is_reflog.append(True)
                    break
    if not repo.head_is_unborn:
        try:
            target = repo.head.target
            if isinstance(target, pygit2.Oid):
                table.head = _peel(target.raw, tags)
        except (pygit2.GitError, AttributeError):
            table.head = None
    return table


def _peel(raw: bytes, tags: dict[bytes, TagInfo]) -> bytes:
    seen = 0
    while raw in tags and seen < 64:
        raw = tags[raw].target
        seen += 1
    return raw


def reach_masks(commits: dict[bytes, CommitInfo], refs: RefTable) -> dict[bytes, int]:
    """Return, per commit, a bit mask of the ref labels whose history holds it.

    Bit i stands for `refs.labels[i]`.  Commits no label reaches get 0.
    Children pass their mask to their parents in topological order, so the
    cost is one visit per commit and per parent edge.
    """
    masks = dict.fromkeys(commits, 0)
    for bit, target in enumerate(refs.targets):
        if target in masks:
            masks[target] |= 1 << bit
    pending = dict.fromkeys(commits, 0)
    for info in commits.values():
        for parent in info.parents:
            if parent in pending:
                pending[parent] += 1
    ready = [c for c, n in pending.items() if n == 0]
    while ready:
        commit = ready.pop()
        mask = masks[commit]
        for parent in commits[commit].parents:
            if parent in pending:
                masks[parent] |= mask
                pending[parent] -= 1
                if pending[parent] == 0:
                    ready.append(parent)
    return masks


@attrs.define
class TreeIndex:
    """Paths of interesting objects inside trees, memoised by tree id.

    `contents(tree)` maps each interesting blob id under the tree to
    (sample of paths, number of paths).  Along the way it records blobs and
    trees that trees name but the object database lacks, and submodule
    entries (gitlinks) by their full path from a root tree.
    """

    repo: pygit2.Repository
    interesting: set[bytes]
    known: set[bytes]
    memo: dict[bytes, dict[bytes, tuple[list[bytes], int]]] = attrs.field(factory=dict)
    missing: dict[bytes, bytes] = attrs.field(factory=dict)
    gitlinks: dict[bytes, bytes] = attrs.field(factory=dict)
    links_below: dict[bytes, dict[bytes, bytes]] = attrs.field(factory=dict)
    trees_read: int = 0
    too_deep: set[bytes] = attrs.field(factory=set)
    roots: collections.OrderedDict[bytes, dict[bytes, tuple[list[bytes], int]]] = (
        attrs.field(factory=collections.OrderedDict)
    )
    #: (name, subtree id) -> that subtree's contents with `name/` prefixed;
    #: entries are shared, never mutated (`_add_paths` makes new ones).
    prefixed: dict[tuple[bytes, bytes], dict[bytes, tuple[list[bytes], int]]] = (
        attrs.field(factory=dict)
    )

    def contents(self, tree: bytes) -> dict[bytes, tuple[list[bytes], int]]:
        """Return the interesting blobs below root `tree` with their paths."""
        recent = self.roots.get(tree)
        if recent is not None:
            self.roots.move_to_end(tree)
            return recent
        # Trees nest as deep as paths do; a history can be built with
        # thousands of levels.  Pure-Python frames are cheap on 3.11+, so
        # allow deep recursion here rather than fail on such a history.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _TREE_DEPTH_LIMIT))
        try:
            found = self._contents(tree)
        except RecursionError:
            # LIMITATION: a tree deeper than _TREE_DEPTH_LIMIT levels is
            # reported as unreadable; its blobs were still matched by the
            # walker, only their paths are unknown.
            self.too_deep.add(tree)
            found = _NO_CONTENT
        finally:
            sys.setrecursionlimit(limit)
        # Gitlinks are memoised relative to each tree; only from a root
        # tree is their path the one a checkout would show.
        for path, oid in self.links_below.get(tree, {}).items():
            self.gitlinks.setdefault(path, oid)
        # Root trees are many (one per commit) and their flattened contents
        # the largest: keep only the recent ones.  Commits come in pack
        # order, newest first, so a parent is usually looked up soon after.
        if self.memo.get(tree) is found and found is not _NO_CONTENT:
            del self.memo[tree]
            self.roots[tree] = found
            if len(self.roots) > _RECENT_ROOTS:
                self.roots.popitem(last=False)
        return found

    def _contents(self, tree: bytes) -> dict[bytes, tuple[list[bytes], int]]:
        found = self.memo.get(tree)
        if found is not None:
            return found
        try:
            _, raw = self.repo.odb.read(pygit2.Oid(raw=tree))
        except (KeyError, pygit2.GitError, ValueError):
            self.missing.setdefault(tree, b"")
            self.memo[tree] = _NO_CONTENT
            return _NO_CONTENT
        self.trees_read += 1
        result: dict[bytes, tuple[list[bytes], int]] = {}
        links: dict[bytes, bytes] = {}
        # Locals: this loop runs once per entry of every distinct tree.
        memo, known, interesting = self.memo, self.known, self.interesting
        links_below, missing = self.links_below, self.missing
        for mode, name, oid in _TREE_ENTRY.findall(raw):
            if mode == b"40000" or mode == b"040000":
                below = memo.get(oid)
                if below is None:
                    below = self._contents(oid)
                    if oid in missing and not missing[oid]:
                        missing[oid] = name
                if below:
                    # The same subtree under the same name recurs in thousands
                    # of parent trees: prefix its paths once and share them.
                    key = (name, oid)
                    prefixed = self.prefixed.get(key)
                    if prefixed is None:
                        prefixed = {
                            blob: ([name + b"/" + p for p in paths], count)
                            for blob, (paths, count) in below.items()
                        }
                        self.prefixed[key] = prefixed
                    for blob, entry in prefixed.items():
                        if blob in result:
                            _add_paths(result, blob, entry[0], entry[1])
                        else:
                            result[blob] = entry
                if links_below and oid in links_below:
                    for path, link in links_below[oid].items():
                        if len(links) < PATH_SAMPLE:
                            links.setdefault(name + b"/" + path, link)
            elif mode == b"160000":
                # LIMITATION: past PATH_SAMPLE gitlinks under one tree the
                # rest go unnamed (a gitlink bomb must not cost memory);
                # the submodule warning then lists only the first ones.
                if len(links) < PATH_SAMPLE:
                    links.setdefault(name, oid)
            elif oid in interesting:
                _add_paths(result, oid, [name], 1)
            elif oid not in known:
                # A blob the database lacks travels up like an interesting
                # one, so the warning can name its full path and commit.
                missing.setdefault(oid, name)
                _add_paths(result, oid, [name], 1)
        if links:
            self.links_below[tree] = links
        self.memo[tree] = result or _NO_CONTENT
        return self.memo[tree]


def _add_paths(
    result: dict[bytes, tuple[list[bytes], int]],
    blob: bytes,
    paths: list[bytes],
    count: int,
) -> None:
    old, total = result.get(blob, ([], 0))
    room = PATH_SAMPLE - len(old)
    result[blob] = (old + paths[:room] if room > 0 else old, total + count)


@attrs.frozen(slots=True)
class Introduction:
    """A commit whose tree holds a blob at paths none of its parents had."""

    commit: bytes
    paths: tuple[bytes, ...]
    #: How many paths the blob has in this commit's tree (the sample is
    #: capped; a git bomb's count is in the millions).
    count: int = 0


def find_introductions(
    commits: dict[bytes, CommitInfo], trees: TreeIndex
) -> dict[bytes, list[Introduction]]:
    """Return, per interesting blob, the commits that introduced it.

    A merge whose tree holds content in none of its parents introduces it,
    which is how a secret typed while resolving a conflict is attributed.
    """
    result: dict[bytes, list[Introduction]] = {}
    for commit, info in commits.items():
        here = trees.contents(info.tree)
        if not here:
            continue
        parent_trees = [
            trees.contents(commits[p].tree) if p in commits else _NO_CONTENT
            for p in info.parents
        ]
        for blob, entry in here.items():
            # Shared entries: a parent holding the very same entry object
            # has the same paths, the common case of an unchanged file.
            if any(contents.get(blob) is entry for contents in parent_trees):
                continue
            paths, count = entry
            before: set[bytes] = set()
            for contents in parent_trees:
                before.update(contents.get(blob, ((), 0))[0])
            new = tuple(p for p in paths if p not in before)
            if new:
                result.setdefault(blob, []).append(Introduction(commit, new, count))
    return result


#: Namespaces a responder acts on; refs elsewhere (a host's pull-request
#: refs, say) can number thousands and are listed only up to a sample.
PRIMARY_REFS = (
    "HEAD",
    "refs/heads/",
    "refs/tags/",
    "refs/remotes/",
    "refs/stash",
    "refs/notes/",
)
OTHER_REF_SAMPLE = 10


def labels_of(mask: int, refs: RefTable) -> tuple[list[str], list[str], int]:
    """Split a reach mask into (ref labels, reflog labels, refs left out).

    Refs outside `PRIMARY_REFS` are kept up to `OTHER_REF_SAMPLE` and the
    rest counted.  Results are cached per mask: commits of one history
    share a handful of masks.
    """
    cached = refs.cache.get(mask)
    if cached is not None:
        return cached
    names: list[str] = []
    logs: list[str] = []
    others = 0
    rest = mask
    while rest:
        low = rest & -rest
        bit = low.bit_length() - 1
        rest ^= low
        label = refs.labels[bit]
        if refs.is_reflog[bit]:
            logs.append(label)
        elif label.startswith(PRIMARY_REFS):
            names.append(label)
        elif others < OTHER_REF_SAMPLE:
            names.append(label)
            others += 1
        else:
            others += 1
    result = (names, logs, max(0, others - OTHER_REF_SAMPLE))
    refs.cache[mask] = result
    return result


def all_object_ids(raw_oids: Iterable[bytes]) -> set[bytes]:
    """Return a set of raw object ids, for membership tests."""
    return set(raw_oids)
