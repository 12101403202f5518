"""Blob walker: stream every object of a repository's object database.

Stage 2 of the pipeline.  Objects are listed from the pack indexes (sorted
by pack offset, so libgit2's delta-base cache stays warm) and from the loose
object folders, each object id once, reachable or not.  Reading is done by
libgit2 through pygit2 with strict hash verification off: the pack and index
checksums already guard against corruption, and re-hashing every inflated
object triples read time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import attrs
import numpy as np
import pygit2

from . import _kernels
from .errors import NotARepositoryError, UnsupportedRepositoryError

log = logging.getLogger(__name__)

OBJ_COMMIT = 1
OBJ_TREE = 2
OBJ_BLOB = 3
OBJ_TAG = 4

#: zlib cannot shrink data more than about 1032 to 1; a packed entry whose
#: compressed span is below cap / 1032 cannot inflate past the cap.
_ZLIB_MAX_RATIO = 1032


@attrs.frozen(slots=True)
class ReadProblem:
    """An object that is listed but could not be read, and why."""

    oid: str
    reason: str
    where: str


@attrs.define
class ObjectList:
    """Object ids in reading order, with the span each takes in its pack.

    `oids` is uint8[n, 20]; `spans` is int64[n], the compressed bytes of
    each packed entry (0 for loose objects); `sources` names the packfile
    or "loose" for each contiguous run as (first index, label).
    """

    oids: np.ndarray
    spans: np.ndarray
    sources: list[tuple[int, str]]
    problems: list[ReadProblem]
    #: int8[n]: the type read from each pack entry's header (1 commit,
    #: 2 tree, 3 blob, 4 tag), -1 when unknown (loose objects, REF_DELTA).
    types: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.oids.shape[0])


def open_repository(path: str | os.PathLike[str]) -> pygit2.Repository:
    """Open the repository at or above `path`, bare or with a work tree."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise NotARepositoryError(path, missing=True)
    found = pygit2.discover_repository(path)
    if found is None:
        raise NotARepositoryError(path)
    try:
        return pygit2.Repository(found)
    except pygit2.GitError as exc:
        if _object_format(found) not in ("", "sha1"):
            raise UnsupportedRepositoryError(
                f"{path} uses the {_object_format(found)} object format, which "
                "libgit2 (and so gitsweep) cannot read yet; nothing was scanned. "
                "Use a scanner that reads through git itself for this repository"
            ) from exc
        raise NotARepositoryError(path) from exc


def _object_format(git_dir: str) -> str:
    """Return `extensions.objectformat` of a git folder ('' when unset)."""
    try:
        text = Path(git_dir, "config").read_text(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() == "objectformat":
            return value.strip().lower()
    return ""


@contextlib.contextmanager
def object_cache_off() -> Iterator[None]:
    """Turn libgit2's object cache off for a block (process-wide).

    libgit2 has no call to read the setting, so the cache is switched back
    on afterwards, its default.
    """
    pygit2.option(pygit2.enums.Option.ENABLE_CACHING, False)
    try:
        yield
    finally:
        pygit2.option(pygit2.enums.Option.ENABLE_CACHING, True)


def set_hash_verification(enabled: bool) -> None:
    """Turn libgit2's re-hash of every object read on or off (process-wide)."""
    pygit2.option(pygit2.enums.Option.ENABLE_STRICT_HASH_VERIFICATION, enabled)


def object_directories(repo: pygit2.Repository) -> list[Path]:
    """Return the repository's objects folder and its alternates, in order."""
    first = Path(repo.path) / "objects"
    folders, queue = [], [first]
    while queue:
        folder = queue.pop(0).resolve()
        if folder in folders or not folder.is_dir():
            continue
        folders.append(folder)
        alternates = folder / "info" / "alternates"
        if alternates.is_file():
            for line in alternates.read_text(errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    queue.append(
                        (folder / line) if not os.path.isabs(line) else Path(line)
                    )
    return folders


def read_pack_index(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (oids uint8[n, 20], offsets int64[n]) of a pack index file.

    Reads version 2 indexes and the headerless version 1.  Raises ValueError
    with the reason when the file is not a pack index.
    """
    data = np.fromfile(path, np.uint8)
    raw = data.tobytes()
    if raw[:4] == b"\xfftOc":
        version = struct.unpack(">I", raw[4:8])[0]
        if version != 2:
            raise ValueError(f"pack index version {version} is not supported")
        fanout = np.frombuffer(raw, ">u4", 256, 8)
        n = int(fanout[-1])
        base = 8 + 1024
        need = base + n * 28 + 40
        if len(raw) < need:
            raise ValueError("pack index is truncated")
        oids = data[base : base + 20 * n].reshape(n, 20)
        off_at = base + 24 * n
        offsets = np.frombuffer(raw, ">u4", n, off_at).astype(np.int64)
        large = offsets & 0x80000000 != 0
        if large.any():
            table = np.frombuffer(raw, ">u8", int(large.sum()), off_at + 4 * n)
            offsets[large] = table[offsets[large] & 0x7FFFFFFF].astype(np.int64)
        return oids, offsets
    fanout = np.frombuffer(raw, ">u4", 256, 0)
    n = int(fanout[-1])
    if len(raw) < 1024 + 24 * n + 40:
        raise ValueError("not a pack index, or truncated")
    entries = data[1024 : 1024 + 24 * n].reshape(n, 24)
    offsets = np.frombuffer(entries[:, :4].tobytes(), ">u4").astype(np.int64)
    return entries[:, 4:].copy(), offsets


def list_objects(repo: pygit2.Repository) -> ObjectList:
    """List every object id of the repository in reading order, once each.

    Packs come first, each in pack-offset order; loose objects after.  An
    object stored twice (in two packs, or packed and loose) is listed at its
    first place.  Unreadable indexes become `problems`, not exceptions.
    """
    chunks: list[np.ndarray] = []
    spans: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    sources: list[tuple[int, str]] = []
    problems: list[ReadProblem] = []
    count = 0
    for folder in object_directories(repo):
        pack_dir = folder / "pack"
        for idx in sorted(pack_dir.glob("*.idx")) if pack_dir.is_dir() else []:
            pack = idx.with_suffix(".pack")
            try:
                oids, offsets = read_pack_index(idx)
                pack_size = pack.stat().st_size
            except (OSError, ValueError) as exc:
                problems.append(
                    ReadProblem("", f"cannot read {idx.name}: {exc}", str(idx))
                )
                continue
            order = np.argsort(offsets, kind="stable")
            ordered = offsets[order]
            ends = np.append(ordered[1:], pack_size - 20)
            chunks.append(oids[order])
            spans.append(np.maximum(ends - ordered, 0))
            kinds.append(_entry_types(pack, ordered))
            sources.append((count, str(pack)))
            count += len(order)
        loose = _list_loose(folder)
        if len(loose):
            chunks.append(loose)
            spans.append(np.zeros(len(loose), np.int64))
            kinds.append(np.full(len(loose), -1, np.int8))
            sources.append((count, f"loose:{folder}"))
            count += len(loose)
    if not chunks:
        return ObjectList(
            np.zeros((0, 20), np.uint8), np.zeros(0, np.int64), [], problems
        )
    all_oids = np.ascontiguousarray(np.concatenate(chunks))
    all_spans = np.concatenate(spans)
    all_types = np.concatenate(kinds)
    # Keep each object id at its first place only.
    keys = all_oids.view("V20").ravel()
    _, first = np.unique(keys, return_index=True)
    if len(first) != len(keys):
        keep = np.sort(first)
        all_oids, all_spans = all_oids[keep], all_spans[keep]
        all_types = all_types[keep]
        sources = _remap_sources(sources, keep)
    return ObjectList(all_oids, all_spans, sources, problems, all_types)


def _entry_types(pack: Path, ordered_offsets: np.ndarray) -> np.ndarray:
    """Return the types of a pack's entries (-1 where the header can't say)."""
    types = np.full(len(ordered_offsets), -1, np.int8)
    try:
        data = np.memmap(pack, np.uint8, mode="r")
    except (OSError, ValueError):
        return types
    _kernels._pack_entry_types(data, np.ascontiguousarray(ordered_offsets), types)
    del data
    return types


def _remap_sources(
    sources: list[tuple[int, str]], keep: np.ndarray
) -> list[tuple[int, str]]:
    return [(int(np.searchsorted(keep, start)), label) for start, label in sources]


def _list_loose(folder: Path) -> np.ndarray:
    names = []
    for sub in sorted(folder.glob("[0-9a-f][0-9a-f]")):
        if not sub.is_dir():
            continue
        for entry in sorted(os.listdir(sub)):
            if len(entry) == 38:
                try:
                    names.append(bytes.fromhex(sub.name + entry))
                except ValueError:
                    continue
    if not names:
        return np.zeros((0, 20), np.uint8)
    return np.frombuffer(b"".join(names), np.uint8).reshape(-1, 20)


def walk_objects(
    repo: pygit2.Repository,
    objects: ObjectList,
    max_blob_size: int,
    start: int = 0,
    stop: int | None = None,
    problems: list[ReadProblem] | None = None,
    skipped: list[tuple[str, int]] | None = None,
    known_clean: np.ndarray | None = None,
) -> Iterator[tuple[bytes, int, bytes]]:
    """Yield (raw object id, type, content) for objects[start:stop].

    Blobs over `max_blob_size` bytes are not read into memory; they go to
    `skipped` as (hex id, size).  Objects that fail to read go to `problems`
    with the reason, and the walk goes on.  Rows where `known_clean` (bool,
    one per object in [start, stop)) is true are not read at all.
    """
    odb = repo.odb
    problems = problems if problems is not None else []
    skipped = skipped if skipped is not None else []
    stop = len(objects) if stop is None else stop
    oids = objects.oids
    spans = objects.spans
    header_above = max_blob_size // _ZLIB_MAX_RATIO
    # Checked once: formatting a log call per object would cost more than
    # reading small objects does.
    debug = log.isEnabledFor(logging.DEBUG)
    for i in range(start, stop):
        if known_clean is not None and known_clean[i - start]:
            continue
        raw_oid = oids[i].tobytes()
        oid = pygit2.Oid(raw=raw_oid)
        try:
            if spans[i] == 0 or spans[i] > header_above:
                kind, size = odb.read_header(oid)
                if kind == OBJ_BLOB and size > max_blob_size:
                    skipped.append((raw_oid.hex(), size))
                    continue
            kind, data = odb.read(oid)
        except (KeyError, pygit2.GitError, ValueError, MemoryError) as exc:
            problems.append(ReadProblem(raw_oid.hex(), _reason(exc), "object database"))
            log.warning("object %s could not be read: %s", raw_oid.hex(), _reason(exc))
            continue
        if kind == OBJ_BLOB and len(data) > max_blob_size:
            skipped.append((raw_oid.hex(), len(data)))
            continue
        if debug:
            log.debug("object %s type %d, %d bytes", raw_oid.hex(), kind, len(data))
        yield raw_oid, int(kind), data


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
