"""Scan: run the pipeline on one repository and build its `Report`.

The orchestration stage.  `scan` lists the objects, splits them into shards
of contiguous pack ranges, runs `scan_shard` on each (in this process or in
an executor's workers), merges the shard results in shard order, then runs
provenance once over the whole commit graph.  `scan_shard` and
`merge_shards` are plain functions so that any `concurrent.futures`
executor can run them.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import attrs
import numpy as np
import pygit2

from . import __version__, context, revrange, walker
from .allowlist import apply_allowlist, drop_marked
from .baseline import Baseline, apply_baseline, load_baseline
from .cache import cache_file, cached_mask, default_cache_dir, load_clean, save_clean
from .config import Config, resolve_config
from .findings import (
    SOURCE_BLOB,
    SOURCE_COMMIT,
    SOURCE_TAG,
    Finding,
    Match,
    Occurrence,
    group_matches,
)
from .matcher import Matcher
from .provenance import (
    PATH_SAMPLE,
    CommitInfo,
    Introduction,
    RefTable,
    TagInfo,
    TreeIndex,
    find_introductions,
    labels_of,
    parse_commit,
    parse_signature,
    parse_tag,
    reach_masks,
    read_refs,
)
from .report import Report, ScanStats, ScanWarning
from .rules import RuleSet, load_rules

log = logging.getLogger(__name__)

DEFAULT_MAX_BLOB_SIZE = 50 * 1024 * 1024
CONFIDENCE_RANK = {"high": 3, "medium": 2, "low": 1}
_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"

#: progress(objects done, blob bytes done, objects to do in all).
Progress = Callable[[int, int, int], None]


@attrs.frozen(slots=True)
class ScanOptions:
    """Options of a scan, shared by every shard; picklable."""

    rule_files: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    max_blob_size: int = DEFAULT_MAX_BLOB_SIZE
    verify_objects: bool = False
    regex_timeout: float = 1.0
    min_confidence: str = "medium"
    #: Digest of the rule set the caller loaded; a shard refuses to run
    #: with other rules (a worker with another gitsweep or rule files).
    ruleset_digest: str = ""
    #: `A..B` or a base ref: walk only the objects that range adds.
    object_range: str | None = None
    #: Cache of object ids found clean before (see `gitsweep.cache`).
    cache_path: str | None = None


@attrs.define
class ShardResult:
    """What one shard of the walk found; merged by `merge_shards`."""

    start: int
    stop: int
    matches: list[Match] = attrs.field(factory=list)
    #: Raw ids (joined) of the blobs without a match and the trees read.
    clean: bytes = b""
    commits: dict[bytes, CommitInfo] = attrs.field(factory=dict)
    tags: dict[bytes, TagInfo] = attrs.field(factory=dict)
    problems: list[walker.ReadProblem] = attrs.field(factory=list)
    skipped: list[tuple[str, int]] = attrs.field(factory=list)
    lfs: list[str] = attrs.field(factory=list)
    timeouts: list[tuple[str, str]] = attrs.field(factory=list)
    counts: dict[str, int] = attrs.field(factory=dict)


def plan_shards(objects: walker.ObjectList, count: int) -> list[tuple[int, int]]:
    """Split the object list into `count` contiguous ranges of similar size.

    Sizes are the compressed pack spans (loose objects count one byte), so
    each shard reads a similar share of the packs and keeps its own delta
    bases warm.
    """
    n = len(objects)
    if n == 0:
        return [(0, 0)]
    count = max(1, min(count, n))
    weight = np.cumsum(np.maximum(objects.spans, 1))
    cuts = np.searchsorted(weight, weight[-1] * np.arange(1, count) / count)
    bounds = [0, *sorted({int(c) for c in cuts if 0 < c < n}), n]
    return list(itertools.pairwise(bounds))


def scan_shard(
    repo_path: str,
    start: int,
    stop: int,
    options: ScanOptions,
    expected_objects: int | None = None,
    progress: Progress | None = None,
) -> ShardResult:
    """Walk and match objects[start:stop] of the repository at `repo_path`."""
    repo = walker.open_repository(repo_path)
    walker.set_hash_verification(options.verify_objects)
    objects = revrange.list_scan_objects(repo, options.object_range)
    if expected_objects is not None and len(objects) != expected_objects:
        raise RuntimeError(
            f"{repo_path} changed during the scan ({expected_objects} objects "
            f"listed, {len(objects)} now); run the scan again"
        )
    ruleset = load_rules(options.rule_files, options.disabled)
    if options.ruleset_digest and ruleset.digest != options.ruleset_digest:
        raise RuntimeError(
            f"this worker loaded rule set {ruleset.digest} but the scan of "
            f"{repo_path} uses {options.ruleset_digest}; install the same "
            "gitsweep version and rule files on every worker"
        )
    matcher = Matcher(ruleset, options.regex_timeout)
    result = ShardResult(start, stop)
    counts = {"objects": 0, "blobs": 0, "trees": 0, "commits": 0, "tags": 0, "bytes": 0}
    skip = np.zeros(stop - start, bool)
    if options.cache_path is not None:
        skip = cached_mask(objects.oids[start:stop], load_clean(options.cache_path))
        counts["cached"] = int(skip.sum())
    if objects.types is not None and not options.verify_objects:
        # Trees hold no secrets we match (names and ids only); provenance
        # reads the ones it needs, so the walk need not inflate them too.
        trees = (objects.types[start:stop] == walker.OBJ_TREE) & ~skip
        counts["trees"] = counts["objects"] = int(trees.sum())
        skip |= trees
    clean: list[bytes] = []
    # Each object is read once: libgit2's object cache would only hold
    # memory (about 60 MB on a 200 MB synthetic history).
    with walker.object_cache_off():
        for raw_oid, kind, data in walker.walk_objects(
            repo, objects, options.max_blob_size, start, stop, result.problems,
            result.skipped, skip,
        ):  # fmt: skip
            counts["objects"] += 1
            if kind == walker.OBJ_BLOB:
                counts["blobs"] += 1
                counts["bytes"] += len(data)
                if data.startswith(_LFS_POINTER) and len(data) < 1024:
                    result.lfs.append(raw_oid.hex())
                    continue
                timeouts = len(matcher.stats.timeouts)
                found = matcher.match(data, raw_oid.hex(), SOURCE_BLOB)
                if not found and len(matcher.stats.timeouts) == timeouts:
                    clean.append(raw_oid)
                result.matches.extend(drop_marked(data, found))
            elif kind == walker.OBJ_TREE:
                counts["trees"] += 1
            elif kind == walker.OBJ_COMMIT:
                counts["commits"] += 1
                info = parse_commit(data)
                if info is not None:
                    result.commits[raw_oid] = info
                found = drop_marked(
                    data, matcher.match(data, raw_oid.hex(), SOURCE_COMMIT)
                )
                result.matches.extend(_locate_in_object(data, m) for m in found)
            elif kind == walker.OBJ_TAG:
                counts["tags"] += 1
                tag = parse_tag(data)
                if tag is not None:
                    result.tags[raw_oid] = tag
                found = drop_marked(
                    data, matcher.match(data, raw_oid.hex(), SOURCE_TAG)
                )
                result.matches.extend(_locate_in_object(data, m) for m in found)
            if progress is not None and counts["objects"] % 2048 == 0:
                progress(counts["objects"], counts["bytes"], stop - start)
    if progress is not None:
        progress(counts["objects"], counts["bytes"], stop - start)
    counts["candidates"] = matcher.stats.candidates
    result.clean = b"".join(clean)
    result.timeouts = matcher.stats.timeouts
    result.counts = counts
    return result


def _locate_in_object(data: bytes, match: Match) -> Match:
    """Say which header field or message line of a commit or tag holds a match.

    Lines of the message are counted from its first line, as `git log`
    shows it; a header match names its field (author, committer, tagger...).
    """
    split = data.find(b"\n\n")
    if split < 0 or match.start < split + 2:
        line_start = data.rfind(b"\n", 0, match.start) + 1
        field = data[line_start : data.find(b" ", line_start)].decode(
            "ascii", "replace"
        )
        return attrs.evolve(match, field=field or "header")
    header_lines = data.count(b"\n", 0, split + 2)
    return attrs.evolve(
        match,
        field="message",
        line=match.line - header_lines,
        end_line=match.end_line - header_lines,
    )


def merge_shards(results: Iterable[ShardResult]) -> ShardResult:
    """Merge shard results in shard order into one, deterministically."""
    ordered = sorted(results, key=lambda r: r.start)
    merged = ShardResult(
        ordered[0].start if ordered else 0, ordered[-1].stop if ordered else 0
    )
    for part in ordered:
        merged.matches.extend(part.matches)
        merged.clean += part.clean
        merged.commits.update(part.commits)
        merged.tags.update(part.tags)
        merged.problems.extend(part.problems)
        merged.skipped.extend(part.skipped)
        merged.lfs.extend(part.lfs)
        merged.timeouts.extend(part.timeouts)
        for key, value in part.counts.items():
            merged.counts[key] = merged.counts.get(key, 0) + value
    return merged


def scan(
    path: str | os.PathLike[str] = ".",
    *,
    rules: Sequence[str | os.PathLike[str]] = (),
    disable: Sequence[str] = (),
    max_blob_size: int = DEFAULT_MAX_BLOB_SIZE,
    jobs: int | None = 1,
    executor: Executor | None = None,
    min_confidence: str = "medium",
    verify_objects: bool = False,
    regex_timeout: float = 1.0,
    progress: Progress | None = None,
    since: str | None = None,
    baseline: Baseline | str | os.PathLike[str] | None = None,
    config: Config | str | os.PathLike[str] | bool | None = True,
    cache: bool | str | os.PathLike[str] | None = None,
) -> Report:
    """Scan every object of the repository at `path` and return a `Report`.

    `jobs` splits the walk over that many worker processes (None: all
    cores); `executor`, when given, runs the shards instead (a Dask client's
    `get_executor()` fits).  Findings below `min_confidence` are counted in
    `stats.hidden_findings` but not listed.  `since` (`A..B`, or a base
    ref for `BASE..HEAD`) walks only the objects that range adds.
    `baseline` (a file or a `Baseline`) leaves out known findings.
    `config` is True to read `.gitsweep.toml` or `[tool.gitsweep]` from the
    work tree, a file to read, a `Config`, or None for none.
    `cache` is True (the default cache folder), a folder, or None: with a
    cache, objects an earlier scan with the same rules found clean are not
    read again (see `gitsweep.cache`).
    """
    began = time.perf_counter()
    repo = walker.open_repository(path)
    repo_path = repo.path
    settings = resolve_config(config, repo.workdir)
    rules = [*rules, *settings.rule_files]
    disable = list(dict.fromkeys([*disable, *settings.disabled]))
    # Read the baseline first: a bad file should fail before a long walk.
    if baseline is not None and not isinstance(baseline, Baseline):
        baseline = load_baseline(baseline)
    options = ScanOptions(
        # Absolute, because a worker resolves paths from its own folder.
        rule_files=tuple(os.path.abspath(r) for r in rules),
        disabled=tuple(disable),
        max_blob_size=max_blob_size,
        verify_objects=verify_objects,
        regex_timeout=regex_timeout,
        min_confidence=min_confidence,
        object_range=since,
    )
    ruleset = load_rules(options.rule_files, options.disabled)
    options = attrs.evolve(options, ruleset_digest=ruleset.digest)
    if cache is not None and cache is not False:
        folder = default_cache_dir() if cache is True else cache
        path_of_cache = cache_file(
            folder, repo_path, ruleset.digest, max_blob_size, __version__
        )
        options = attrs.evolve(options, cache_path=str(path_of_cache))
    objects = walker.list_objects(repo)
    # A range walks fewer objects; provenance still sees all of them, so
    # a tree the range shares with its base is not taken for missing.
    walked_objects = revrange.list_range_objects(repo, since) if since else objects
    total = len(walked_objects)
    jobs = os.cpu_count() or 1 if jobs is None else max(1, jobs)
    shards = plan_shards(walked_objects, jobs if executor is None else max(jobs, 2))
    log.info("scanning %s: %d objects in %d shard(s)", repo_path, total, len(shards))

    if executor is None and len(shards) == 1:
        results = [scan_shard(repo_path, 0, total, options, total, progress)]
    else:
        results = _run_shards(repo_path, shards, options, total, executor, progress)
    merged = merge_shards(results)
    log.info(
        "walk: %d objects read (%d cached), %.1f MB of blobs, %d matches in %.2f s",
        merged.counts.get("objects", 0),
        merged.counts.get("cached", 0),
        merged.counts.get("bytes", 0) / 1e6,
        len(merged.matches),
        time.perf_counter() - began,
    )
    if options.cache_path is not None:
        save_clean(options.cache_path, load_clean(options.cache_path), merged.clean)
    walked = time.perf_counter()

    report = build_report(repo, objects, merged, ruleset, options)
    log.info(
        "provenance: %d commits, %d findings, %d warnings in %.2f s",
        len(merged.commits),
        len(report.findings),
        len(report.warnings),
        time.perf_counter() - walked,
    )
    stats = attrs.evolve(
        report.stats,
        seconds=round(time.perf_counter() - began, 3),
        walk_seconds=round(walked - began, 3),
        provenance_seconds=round(time.perf_counter() - walked, 3),
        jobs=len(shards),
    )
    report = apply_allowlist(attrs.evolve(report, stats=stats), settings)
    if baseline is not None:
        report = apply_baseline(report, baseline)
    return report


def _run_shards(
    repo_path: str,
    shards: list[tuple[int, int]],
    options: ScanOptions,
    total: int,
    executor: Executor | None,
    progress: Progress | None,
) -> list[ShardResult]:
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=len(shards))
    try:
        futures = [
            pool.submit(scan_shard, repo_path, a, b, options, total) for a, b in shards
        ]
        results = []
        done_objects = done_bytes = 0
        for future in futures:
            part = future.result()
            results.append(part)
            done_objects += part.counts.get("objects", 0)
            done_bytes += part.counts.get("bytes", 0)
            if progress is not None:
                progress(done_objects, done_bytes, total)
        return results
    finally:
        if own:
            pool.shutdown()


def build_report(
    repo: pygit2.Repository,
    objects: walker.ObjectList,
    merged: ShardResult,
    ruleset: RuleSet,
    options: ScanOptions,
) -> Report:
    """Run provenance over the merged shards and assemble the report."""
    flat = objects.oids.tobytes()
    known = {flat[i : i + 20] for i in range(0, len(flat), 20)}
    interesting = {
        bytes.fromhex(m.oid) for m in merged.matches if m.source == SOURCE_BLOB
    }
    trees = TreeIndex(repo, interesting, known)
    introductions = find_introductions(merged.commits, trees)
    refs = read_refs(repo, merged.tags)
    masks = reach_masks(merged.commits, refs)
    head_contents = {}
    head_commit = refs.head if refs.head in merged.commits else None
    if head_commit is not None:
        head_contents = trees.contents(merged.commits[head_commit].tree)
    all_paths = _all_paths(introductions)

    history = _History(merged, introductions, refs, masks, head_contents, all_paths)
    occurrences = [history.occurrence(match) for match in merged.matches]
    findings = _build_findings(merged.matches, occurrences, ruleset, options)
    shown = [
        f
        for f in findings
        if CONFIDENCE_RANK[f.confidence] >= CONFIDENCE_RANK[options.min_confidence]
    ]
    warnings = _warnings(repo, objects, merged, trees, introductions, all_paths)
    counts = merged.counts
    stats = ScanStats(
        objects=counts.get("objects", 0),
        blobs=counts.get("blobs", 0),
        trees=counts.get("trees", 0),
        commits=counts.get("commits", 0),
        tags=counts.get("tags", 0),
        bytes=counts.get("bytes", 0),
        skipped=len(merged.skipped),
        skipped_bytes=sum(size for _, size in merged.skipped),
        lfs_pointers=len(merged.lfs),
        cached=counts.get("cached", 0),
        candidates=counts.get("candidates", 0),
        matches=len(merged.matches),
        regex_timeouts=len(merged.timeouts),
        hidden_findings=len(findings) - len(shown),
    )
    return Report(
        repository=str(Path(repo.path).resolve()),
        findings=tuple(shown),
        stats=stats,
        warnings=tuple(warnings),
        shallow=repo.is_shallow,
        ruleset=ruleset.digest,
        version=__version__,
        scanned_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        head=head_commit.hex() if head_commit else None,
    )


def _all_paths(
    introductions: dict[bytes, list[Introduction]],
) -> dict[bytes, tuple[list[bytes], int]]:
    """Return every path each interesting blob had in any commit.

    A path a blob has in some commit is new in some commit (a root commit at
    least), so the introductions hold them all.  Each blob maps to (distinct
    sampled paths, path count); the count is the most paths one introducing
    commit gives the blob, so a git bomb reports its million paths without
    listing them.
    """
    paths: dict[bytes, tuple[list[bytes], int]] = {}
    for blob, intros in introductions.items():
        seen: list[bytes] = []
        most = 0
        for intro in intros:
            for p in intro.paths:
                if p not in seen and len(seen) < PATH_SAMPLE:
                    seen.append(p)
            most = max(most, intro.count)
        paths[blob] = (seen, max(most, len(seen)))
    return paths


def _decode_path(path: bytes) -> str:
    return path.decode("utf-8", "backslashreplace")


@attrs.define
class _History:
    """What provenance learned of the whole history, to place each match."""

    merged: ShardResult
    introductions: dict[bytes, list[Introduction]]
    refs: RefTable
    masks: dict[bytes, int]
    head_contents: dict[bytes, tuple[list[bytes], int]]
    all_paths: dict[bytes, tuple[list[bytes], int]]

    def occurrence(self, match: Match) -> Occurrence:
        """Return the occurrence of one match, with its provenance."""
        raw = bytes.fromhex(match.oid)
        intros: list[Introduction] = []
        paths: tuple[str, ...] = ()
        path_count, at_head = 0, False
        if match.source == SOURCE_BLOB:
            intros = self.introductions.get(raw, [])
            commit_ids = [i.commit for i in intros]
            sample, total = self.all_paths.get(raw, ([], 0))
            at_head_count = self.head_contents.get(raw, ((), 0))[1]
            path_count = max(len(sample), total, at_head_count)
            paths = tuple(_decode_path(p) for p in sample)
            at_head = raw in self.head_contents
        elif match.source == SOURCE_COMMIT:
            commit_ids = [raw] if raw in self.merged.commits else []
        else:
            commit_ids = []

        ordered = sorted(commit_ids, key=lambda c: _commit_time(self.merged.commits[c]))
        first = ordered[0] if ordered else None
        info = self.merged.commits.get(first) if first else None
        first_paths = next((i.paths for i in intros if i.commit == first), ())
        author = parse_signature(info.author) if info else None
        committer = parse_signature(info.committer) if info else None
        ref_names, reflogs, other_refs = self._reach(raw, match.source, ordered)
        return Occurrence(
            object=match.oid,
            source=match.source,
            line=match.line,
            column=match.column,
            end_line=match.end_line,
            field=match.field,
            encoding=match.encoding,
            path=_decode_path(first_paths[0])
            if first_paths
            else (paths[0] if paths else None),
            paths=paths,
            path_count=path_count,
            commit=first.hex() if first else None,
            commit_subject=info.subject if info else None,
            commits=tuple(c.hex() for c in ordered),
            author=author.name if author else None,
            author_email=author.email if author else None,
            date=author.iso if author else None,
            commit_date=committer.iso if committer else None,
            refs=tuple(ref_names),
            reflogs=tuple(reflogs),
            other_refs=other_refs,
            reachable=bool(ref_names),
            at_head=at_head,
            # Stashed: the stash holds it and no branch or tag does.
            stashed=any(r.startswith("refs/stash") for r in ref_names + reflogs)
            and all(r.startswith("refs/stash") for r in ref_names),
            signed=bool(info and info.signed),
        )

    def _reach(
        self, raw: bytes, source: str, commits: list[bytes]
    ) -> tuple[list[str], list[str], int]:
        """Return (refs, reflog entries, refs left out) that hold an object."""
        mask = 0
        for commit in commits:
            mask |= self.masks.get(commit, 0)
        if source == SOURCE_TAG:
            mask |= self._tag_mask(raw)
        ref_names, reflogs, other_refs = labels_of(mask, self.refs)
        if ref_names:
            # Reflog entries matter only where no ref holds the secret any more.
            reflogs = []
        return ref_names, reflogs, other_refs

    def _tag_mask(self, raw: bytes) -> int:
        """Return the mask of the refs that name a tag object (before peeling)."""
        tag = self.merged.tags.get(raw)
        if tag is None:
            return 0
        mask = 0
        for bit, label in enumerate(self.refs.labels):
            if not self.refs.is_reflog[bit] and label == f"refs/tags/{tag.name}":
                mask |= 1 << bit
        return mask


def _commit_time(info: CommitInfo) -> int:
    return parse_signature(info.author).time


def _build_findings(
    matches: list[Match],
    occurrences: list[Occurrence],
    ruleset: RuleSet,
    options: ScanOptions,
) -> list[Finding]:
    by_match = dict(zip(map(id, matches), occurrences))
    findings = []
    for (rule_id, fp), group in group_matches(matches).items():
        rule = ruleset.by_id(rule_id)
        occs = sorted(
            (by_match[id(m)] for m in group),
            key=lambda o: (o.date or "9999", o.object, o.line, o.column),
        )
        best = max(group, key=lambda m: CONFIDENCE_RANK[m.confidence])
        paths = tuple(p for o in occs for p in o.paths)
        confidence, reasons = context.adjust_for_paths(
            rule, best.confidence, best.reasons, paths
        )
        findings.append(
            Finding(
                rule=rule.id,
                name=rule.name,
                provider=rule.provider,
                severity=rule.severity,
                fingerprint=fp,
                secret=group[0].secret.decode("utf-8", "surrogateescape"),
                occurrences=tuple(occs),
                confidence=confidence,
                reasons=tuple(reasons),
            )
        )
    findings.sort(key=lambda f: (f.first_date or "9999", f.rule, f.fingerprint))
    return findings


def _warnings(
    repo, objects, merged, trees, introductions, all_paths
) -> list[ScanWarning]:  # type: ignore[no-untyped-def]
    out: list[ScanWarning] = []
    if repo.is_shallow:
        boundary = _read_lines(Path(repo.path) / "shallow")
        out.append(
            ScanWarning(
                "shallow",
                "the repository is a shallow clone: history before "
                f"{', '.join(b[:12] for b in boundary) or 'the boundary'} was never "
                "fetched and is not scanned; run `git fetch --unshallow` and scan again",
                object=boundary[0] if boundary else None,
            )
        )
    for problem in objects.problems + merged.problems:
        out.append(
            ScanWarning(
                "unreadable-object" if problem.oid else "unreadable-pack",
                f"{problem.where}: {problem.reason}; its content was not scanned. "
                "Run `git fsck --full` to see the damage, and re-fetch or restore it",
                object=problem.oid or None,
            )
        )
    promisor = any(Path(repo.path, "objects", "pack").glob("*.promisor"))
    for oid, name in sorted(trees.missing.items()):
        name = (all_paths.get(oid, ([name], 0))[0] or [name])[0]
        where = ""
        if oid in introductions:
            first = introductions[oid][0].commit
            info = merged.commits[first]
            where = f" in commit {first.hex()[:12]} ({info.subject!r})"
        out.append(
            ScanWarning(
                "missing-object",
                f"object {oid.hex()} ({_decode_path(name) or 'a tree'}){where} is named "
                "by a tree but "
                "absent from the object database, so it was not scanned; "
                + (
                    "this is a partial clone: run `git fetch --refetch` or clone without --filter"
                    if promisor
                    else "run `git fsck --full` and restore it from another clone"
                ),
                object=oid.hex(),
                path=_decode_path(name) or None,
            )
        )
    for tree in sorted(trees.too_deep):
        out.append(
            ScanWarning(
                "tree-too-deep",
                f"tree {tree.hex()} nests deeper than gitsweep follows; blobs "
                "below it were scanned but their paths and commits are unknown",
                object=tree.hex(),
            )
        )
    for oid, size in merged.skipped:
        out.append(
            ScanWarning(
                "oversize-blob",
                f"skipped: blob {oid} of {size} bytes is over the size cap; "
                "raise it with --max-blob-size to scan it",
                object=oid,
            )
        )
    for rule_id, oid in merged.timeouts:
        out.append(
            ScanWarning(
                "regex-timeout",
                f"rule {rule_id} timed out on object {oid}; part of it was not "
                "checked by that rule (raise --regex-timeout, or report the rule)",
                object=oid,
            )
        )
    for name, oid in sorted(trees.gitlinks.items()):
        out.append(
            ScanWarning(
                "submodule",
                f"submodule {_decode_path(name)} (commit {oid.hex()[:12]}) is a separate "
                "repository and was not scanned; scan its clone (or .git/modules/...) too",
                object=oid.hex(),
                path=_decode_path(name),
            )
        )
    if merged.lfs:
        out.append(
            ScanWarning(
                "lfs-pointer",
                f"{len(merged.lfs)} Git LFS pointer(s): the files they point to live "
                "outside git and were not scanned; scan a checkout with `git lfs pull` "
                "done if they may hold secrets",
            )
        )
    return out


def _read_lines(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except OSError:
        return []
