"""Rewrite: carry out a rewrite plan on a mirror clone, then prove it worked.

Stage 8 of the pipeline, after `plan`.  `rewrite(plan, mirror=DEST)` clones
the repository into a temporary folder beside DEST, rewrites every commit
parents first (blobs and trees memoised by object id, so an unchanged
subtree costs one visit), moves every ref, expires reflogs and prunes, then
rescans the result.  Only a verified mirror is renamed to DEST; the source
repository is never written.  With `in_place=True` the verified objects and
refs are fetched back into the source after a `git bundle` backup.

Objects are edited as raw bytes: authors, committers, dates, encodings,
extra headers and merge structure stay exactly as they were; only a
rewritten commit or tag loses its signature, which no longer matches.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs
import pygit2

from . import walker
from .errors import PlanError, RewriteError
from .impact import History, peel, read_refs
from .plan import (
    ACTION_REPLACE,
    ACTION_STRIP,
    RewritePlan,
    replace_all,
    replacements,
    resolve_secrets,
)

log = logging.getLogger(__name__)

_TREE_MODE = b"40000"
_GITLINK_MODE = b"160000"
_SIGNATURE_HEADERS = (b"gpgsig", b"gpgsig-sha256", b"mergetag")
_TAG_SIGNATURES = (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----")
_ZERO = "0" * 40

#: Secrets shorter than this (bytes) are not byte-searched by `verify_rewrite`.
MIN_SEARCH_LENGTH = 16

#: progress(phase, done, total)
Progress = Callable[[str, int, int], None]


@attrs.frozen(slots=True)
class RefChange:
    """One ref the rewrite moved: its name, old and new object ids (hex)."""

    name: str
    old: str
    new: str


@attrs.frozen(slots=True)
class RewriteResult:
    """What a rewrite did, counted before and after, and what is left to do."""

    destination: str
    in_place: bool
    commits: int
    commits_rewritten: int
    blobs_rewritten: int
    blobs_removed: int
    trees_rewritten: int
    tags_rewritten: int
    refs: tuple[RefChange, ...]
    objects_before: int
    objects_after: int
    commit_map: str
    backup: str | None = None
    verified: bool = False
    seconds: Mapping[str, float] = attrs.field(factory=dict)
    next_steps: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Preflight: every check runs before anything is written


def _git(cwd: str | os.PathLike[str], *args: str) -> str:
    """Run git in `cwd`; raise `RewriteError` with its stderr on failure."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        raise RewriteError(
            f"git {' '.join(args)} failed in {cwd}: "
            f"{done.stderr.decode('utf-8', 'replace').strip()}"
        )
    return done.stdout.decode("utf-8", "replace")


def check_source(repo: pygit2.Repository) -> None:
    """Refuse a repository whose history a rewrite would get wrong."""
    gitdir = Path(repo.path)
    if repo.is_shallow:
        raise RewriteError(
            f"{gitdir} is a shallow clone: commits before the boundary are "
            "missing, so their secrets cannot be removed; run `git fetch "
            "--unshallow` (or clone in full) and plan again"
        )
    replace = [r for r in repo.listall_references() if r.startswith("refs/replace/")]
    if replace:
        raise RewriteError(
            f"{gitdir} has replace refs ({', '.join(replace[:3])}): they make "
            "git show a history other than the stored one; run `git replace -d` "
            "on them or bake them in with git-filter-repo first"
        )
    if (gitdir / "info" / "grafts").exists():
        raise RewriteError(
            f"{gitdir / 'info' / 'grafts'} exists: grafts make git show a "
            "history other than the stored one; convert them with "
            "`git replace --convert-graft-file` and bake them in first"
        )


def check_plan_objects(repo: pygit2.Repository, plan: RewritePlan) -> None:
    """Raise `PlanError` when the plan names an object the repository lacks."""
    for item in plan.active_items:
        for oid in [b.oid for b in item.blobs] + [m.oid for m in item.messages]:
            try:
                present = pygit2.Oid(hex=oid) in repo.odb
            except ValueError:
                present = False
            if not present:
                raise PlanError(
                    f"object {oid} named by the plan (finding "
                    f"{item.fingerprint[:12]}) is missing from {repo.path}; "
                    "plan again from a fresh scan of this repository"
                )


def _check_destination(dest: Path) -> None:
    if dest.exists() or dest.is_symlink():
        raise RewriteError(
            f"{dest} exists; give --mirror a new path (the rewrite never "
            "overwrites a folder)"
        )
    if not dest.parent.is_dir():
        raise RewriteError(f"{dest.parent} is not a folder; create it first")


def _check_clean_worktree(repo: pygit2.Repository) -> None:
    if repo.is_bare:
        return
    status = _git(repo.workdir, "status", "--porcelain", "--untracked-files=no")
    if status.strip():
        raise RewriteError(
            f"{repo.workdir} has uncommitted changes; commit or stash them, or "
            "rewrite a mirror with --mirror DEST instead of --in-place"
        )


# ---------------------------------------------------------------------------
# The rewrite engine


@attrs.define
class Engine:
    """Rewrite blobs, trees, commits and tags of one repository's database.

    Maps are keyed by raw object id.  A tree's result depends on where it
    sits only when a purged path runs through it, so the tree memo keys
    on (tree id, path) there and on (tree id, None) everywhere else.
    """

    repo: pygit2.Repository
    pairs: list[tuple[bytes, bytes]]
    replace: set[bytes]
    strip: set[bytes]
    purge: set[bytes]
    blobs: dict[bytes, bytes | None] = attrs.field(factory=dict)
    trees: dict[tuple[bytes, bytes | None], bytes | None] = attrs.field(factory=dict)
    commits: dict[bytes, bytes] = attrs.field(factory=dict)
    tags: dict[bytes, bytes] = attrs.field(factory=dict)
    routes: set[bytes] = attrs.field(factory=set)
    trees_written: int = 0
    blobs_written: int = 0

    def __attrs_post_init__(self) -> None:
        for path in self.purge:
            parts = path.split(b"/")
            for i in range(len(parts)):
                self.routes.add(b"/".join(parts[:i]))

    def blob(self, oid: bytes) -> bytes | None:
        """Return the new id of a blob, or None when it leaves the trees."""
        if oid in self.strip:
            return None
        # LIMITATION: only the blobs the plan lists are edited; an unmatched
        # copy elsewhere is left for the verification to catch (it fails).
        if oid not in self.replace:
            return oid
        if oid not in self.blobs:
            data = self.repo.odb.read(pygit2.Oid(raw=oid))[1]
            new = replace_all(data, self.pairs)
            if new == data:
                self.blobs[oid] = oid
            else:
                self.blobs[oid] = self.repo.odb.write(walker.OBJ_BLOB, new).raw
                self.blobs_written += 1
        return self.blobs[oid]

    def tree(self, oid: bytes, prefix: bytes = b"") -> bytes | None:
        """Return the new id of a tree at `prefix`; None if it became empty."""
        key = (oid, prefix if prefix in self.routes else None)
        if key in self.trees:
            return self.trees[key]
        data = self.repo.odb.read(pygit2.Oid(raw=oid))[1]
        out, changed, pos = [], False, 0
        while pos < len(data):
            space = data.index(b" ", pos)
            nul = data.index(b"\0", space)
            mode, name = data[pos:space], data[space + 1 : nul]
            entry = data[nul + 1 : nul + 21]
            pos = nul + 21
            path = prefix + b"/" + name if prefix else name
            if key[1] is not None and path in self.purge:
                changed = True
                continue
            if mode == _TREE_MODE:
                new = self.tree(entry, path)
            elif mode == _GITLINK_MODE:
                new = entry
            else:
                new = self.blob(entry)
            if new is None:
                changed = True
                continue
            changed |= new != entry
            out.append(mode + b" " + name + b"\0" + new)
        result: bytes | None = oid
        if changed:
            if not out and prefix:
                result = None
            else:
                result = self.repo.odb.write(walker.OBJ_TREE, b"".join(out)).raw
                self.trees_written += 1
        self.trees[key] = result
        return result

    def commit(self, oid: bytes) -> bytes:
        """Rewrite one commit whose parents are already rewritten."""
        data = self.repo.odb.read(pygit2.Oid(raw=oid))[1]
        header, sep, message = data.partition(b"\n\n")
        lines, changed = [], False
        for line in _header_fields(header):
            if line.startswith(b"tree "):
                old = bytes.fromhex(line[5:45].decode("ascii"))
                new = self.tree(old) or _empty_tree(self.repo)
                changed |= new != old
                line = b"tree " + new.hex().encode()
            elif line.startswith(b"parent "):
                old = bytes.fromhex(line[7:47].decode("ascii"))
                new = self.commits.get(old, old)
                changed |= new != old
                line = b"parent " + new.hex().encode()
            lines.append(line)
        new_message = replace_all(message, self.pairs)
        if not changed and new_message == message:
            self.commits[oid] = oid
            return oid
        # The signature covered the old content; a stale one would only
        # fail verification, so it goes (and a mergetag names old ids).
        lines = [ln for ln in lines if ln.split(b" ", 1)[0] not in _SIGNATURE_HEADERS]
        raw = b"\n".join(lines) + sep + new_message
        new_oid = self.repo.odb.write(walker.OBJ_COMMIT, raw).raw
        self.commits[oid] = new_oid
        return new_oid

    def tag(self, oid: bytes) -> bytes:
        """Rewrite an annotated tag: new target, scrubbed message, no signature."""
        if oid in self.tags:
            return self.tags[oid]
        data = self.repo.odb.read(pygit2.Oid(raw=oid))[1]
        header, sep, message = data.partition(b"\n\n")
        lines = []
        target = new_target = b""
        for line in _header_fields(header):
            if line.startswith(b"object "):
                target = bytes.fromhex(line[7:47].decode("ascii"))
                new_target = self.object(target) or target
                line = b"object " + new_target.hex().encode()
            lines.append(line)
        new_message = replace_all(message, self.pairs)
        if new_target == target and new_message == message:
            self.tags[oid] = oid
            return oid
        for marker in _TAG_SIGNATURES:
            cut = new_message.find(marker)
            if cut >= 0:
                new_message = new_message[:cut]
        lines = [ln for ln in lines if ln.split(b" ", 1)[0] not in _SIGNATURE_HEADERS]
        raw = b"\n".join(lines) + sep + new_message
        self.tags[oid] = self.repo.odb.write(walker.OBJ_TAG, raw).raw
        return self.tags[oid]

    def object(self, oid: bytes) -> bytes | None:
        """Return the new id of any object a ref or tag names."""
        kind = self.repo.odb.read_header(pygit2.Oid(raw=oid))[0]
        if kind == walker.OBJ_COMMIT:
            return self.commits.get(oid, oid)
        if kind == walker.OBJ_TAG:
            return self.tag(oid)
        if kind == walker.OBJ_TREE:
            return self.tree(oid)
        return self.blob(oid)

    def notes_tree(self, oid: bytes) -> bytes:
        """Re-key a notes tree: notes of rewritten commits follow them."""
        tree = self.repo[pygit2.Oid(raw=oid)]
        flat: dict[str, tuple[int, pygit2.Oid]] = {}
        others: list[tuple[str, int, pygit2.Oid]] = []
        _flatten_notes(self.repo, tree, "", flat, others)
        renamed = False
        builder = self.repo.TreeBuilder()
        for name, (mode, entry) in flat.items():
            new = self.commits.get(bytes.fromhex(name))
            if new is not None and new.hex() != name:
                name, renamed = new.hex(), True
            builder.insert(name, entry, mode)
        if not renamed:
            return oid
        for name, mode, entry in others:
            builder.insert(name, entry, mode)
        return builder.write().raw


def _flatten_notes(repo, tree, prefix, flat, others) -> None:  # type: ignore[no-untyped-def]
    for entry in tree:
        name = prefix + entry.name
        if entry.type_str == "tree" and len(entry.name) == 2:
            _flatten_notes(repo, repo[entry.id], name, flat, others)
        elif len(name) == 40 and all(c in "0123456789abcdef" for c in name):
            flat[name] = (entry.filemode, entry.id)
        elif not prefix:
            # LIMITATION: only top-level non-note entries survive re-keying.
            others.append((entry.name, entry.filemode, entry.id))


def _header_fields(header: bytes) -> list[bytes]:
    """Split a commit or tag header into fields, continuation lines joined."""
    fields: list[bytes] = []
    for line in header.split(b"\n"):
        if line.startswith(b" ") and fields:
            fields[-1] += b"\n" + line
        else:
            fields.append(line)
    return fields


def _empty_tree(repo: pygit2.Repository) -> bytes:
    return repo.odb.write(walker.OBJ_TREE, b"").raw


# ---------------------------------------------------------------------------
# Orchestration


def rewrite(
    plan: RewritePlan,
    mirror: str | os.PathLike[str] | None = None,
    *,
    in_place: bool = False,
    source: str | os.PathLike[str] | None = None,
    secrets: Mapping[str, bytes] | None = None,
    verify: bool = True,
    progress: Progress | None = None,
) -> RewriteResult:
    """Carry out `plan` on a new mirror at `mirror`, or in place.

    `source` defaults to the plan's repository.  `secrets` (fingerprint to
    bytes) saves finding the secrets again when a fresh report is at hand.
    Every refusal (shallow clone, replace refs, grafts, an existing
    destination, a dirty work tree, objects the plan names but the
    repository lacks) is raised before anything is written.
    """
    if (mirror is None) == (not in_place):
        raise RewriteError("give either a mirror destination or in_place=True")
    began = time.perf_counter()
    repo = walker.open_repository(source or plan.repository)
    check_source(repo)
    check_plan_objects(repo, plan)
    if in_place:
        _check_clean_worktree(repo)
        dest = Path(repo.path).resolve()
        parent = dest
    else:
        dest = Path(os.fspath(mirror)).resolve()  # type: ignore[arg-type]
        _check_destination(dest)
        parent = dest.parent
    if secrets is None:
        secrets = resolve_secrets(plan, repo.path)
    missing = [
        i.fingerprint[:12] for i in plan.active_items if i.fingerprint not in secrets
    ]
    if missing:
        raise PlanError(f"no secret given for finding(s) {', '.join(missing)}")
    stash_log = _read_stash_log(Path(repo.path))

    seconds: dict[str, float] = {}
    backup = None
    if in_place:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = str(Path(repo.path) / f"gitsweep-backup-{stamp}.bundle")
        _git(repo.path, "bundle", "create", "-q", backup, "--all")
        os.chmod(backup, 0o600)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.gitsweep-", dir=parent))
    try:
        _git(parent, "clone", "-q", "--mirror", "--no-hardlinks", repo.path, str(tmp))
        seconds["clone"] = round(time.perf_counter() - began, 3)
        result = _rewrite_mirror(plan, tmp, secrets, stash_log, progress, seconds)
        if verify:
            mark = time.perf_counter()
            verify_rewrite(tmp, plan, secrets)
            seconds["verify"] = round(time.perf_counter() - mark, 3)
        if in_place:
            _apply_in_place(repo, tmp, stash_log is not None)
            shutil.rmtree(tmp)
            final = Path(repo.path)
        else:
            os.rename(tmp, dest)
            final = dest
    except BaseException:
        # Half-written or unverified objects must not outlive the failure.
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds["total"] = round(time.perf_counter() - began, 3)
    result = attrs.evolve(
        result,
        destination=str(final),
        in_place=in_place,
        commit_map=str(final / "gitsweep" / "commit-map")
        if not in_place
        else str(Path(repo.path) / "gitsweep" / "commit-map"),
        backup=backup,
        verified=verify,
        seconds=seconds,
    )
    return attrs.evolve(result, next_steps=tuple(next_steps(plan, result)))


def _rewrite_mirror(
    plan: RewritePlan,
    path: Path,
    secrets: Mapping[str, bytes],
    stash_log: list[bytes] | None,
    progress: Progress | None,
    seconds: dict[str, float],
) -> RewriteResult:
    """Rewrite the mirror at `path`; return the counts (no verification)."""
    began = time.perf_counter()
    repo = pygit2.Repository(str(path))
    objects_before = len(walker.list_objects(repo))
    engine = Engine(
        repo,
        pairs=replacements(plan, secrets),
        replace=set(map(bytes.fromhex, plan.blobs_with(ACTION_REPLACE))),
        strip=set(map(bytes.fromhex, plan.blobs_with(ACTION_STRIP))),
        purge={p.encode("utf-8", "surrogateescape") for p in plan.purge_paths},
    )
    refs = read_refs(repo)
    stash = [bytes.fromhex(line[41:81].decode()) for line in stash_log or ()]
    notes = {n: r for n, r in refs.items() if n.startswith("refs/notes/")}
    main = {n: r for n, r in refs.items() if n not in notes}
    order = _commit_order(repo, [*main.values(), *stash])
    for done, commit in enumerate(order, 1):
        engine.commit(commit)
        if progress is not None and (done % 1000 == 0 or done == len(order)):
            progress("commits", done, len(order))
    for commit in _commit_order(repo, list(notes.values())):
        _rewrite_notes_commit(engine, commit)
    seconds["commits"] = round(time.perf_counter() - began, 3)

    changes = []
    for name, raw in sorted(refs.items()):
        new = engine.object(raw)
        if new is None:
            raise RewriteError(f"ref {name} names a stripped blob; delete it and retry")
        if new != raw:
            repo.references.create(name, pygit2.Oid(raw=new), force=True)
            changes.append(RefChange(name, raw.hex(), new.hex()))
    _write_maps(path, engine, changes)

    # Old objects stay reachable through reflogs until those expire.
    _git(path, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
    if stash_log:
        _write_stash_log(path, stash_log, engine.commits)
    _git(path, "gc", "-q", "--prune=now")
    seconds["gc"] = round(time.perf_counter() - began - seconds["commits"], 3)
    rewritten = sum(1 for old, new in engine.commits.items() if old != new)
    return RewriteResult(
        destination=str(path),
        in_place=False,
        commits=len(engine.commits),
        commits_rewritten=rewritten,
        blobs_rewritten=engine.blobs_written,
        blobs_removed=len(engine.strip),
        trees_rewritten=engine.trees_written,
        tags_rewritten=sum(1 for old, new in engine.tags.items() if old != new),
        refs=tuple(changes),
        objects_before=objects_before,
        objects_after=len(walker.list_objects(pygit2.Repository(str(path)))),
        commit_map="",
    )


def _rewrite_notes_commit(engine: Engine, commit: bytes) -> None:
    """Rewrite a commit of a notes ref and re-key its tree."""
    engine.commit(commit)
    new = engine.commits[commit]
    repo = engine.repo
    obj = repo[pygit2.Oid(raw=new)]
    assert isinstance(obj, pygit2.Commit)
    tree = engine.notes_tree(obj.tree_id.raw)
    if tree == obj.tree_id.raw:
        return
    data = repo.odb.read(pygit2.Oid(raw=new))[1]
    header, sep, message = data.partition(b"\n\n")
    fields = [
        b"tree " + tree.hex().encode() if f.startswith(b"tree ") else f
        for f in _header_fields(header)
        if f.split(b" ", 1)[0] not in _SIGNATURE_HEADERS
    ]
    engine.commits[commit] = repo.odb.write(
        walker.OBJ_COMMIT, b"\n".join(fields) + sep + message
    ).raw


def _commit_order(repo: pygit2.Repository, starts: list[bytes]) -> list[bytes]:
    """Return the commits reachable from `starts`, parents first."""
    history = History()
    odb = repo.odb
    state: dict[bytes, int] = {}
    for raw in starts:
        start, kind = peel(repo, raw)
        if kind != walker.OBJ_COMMIT:
            continue
        stack = [start]
        while stack:
            commit = stack[-1]
            seen = state.get(commit)
            if seen == 2:
                stack.pop()
            elif seen == 1:
                state[commit] = 2
                history.order.append(commit)
                stack.pop()
            else:
                state[commit] = 1
                header = odb.read(pygit2.Oid(raw=commit))[1].split(b"\n\n", 1)[0]
                for line in header.split(b"\n"):
                    if line.startswith(b"parent "):
                        parent = bytes.fromhex(line[7:47].decode("ascii"))
                        if parent not in state:
                            stack.append(parent)
    return history.order


def _read_stash_log(gitdir: Path) -> list[bytes] | None:
    """Return the lines of the stash reflog, oldest first, or None."""
    path = gitdir / "logs" / "refs" / "stash"
    if not path.is_file():
        return None
    return [line for line in path.read_bytes().splitlines() if len(line) > 82]


def _write_stash_log(
    path: Path, lines: list[bytes], commits: Mapping[bytes, bytes]
) -> None:
    """Write the stash reflog with every entry pointing at its new commit."""
    out, last = [], _ZERO.encode()
    for line in lines:
        new = commits.get(bytes.fromhex(line[41:81].decode()))
        if new is None:
            continue
        out.append(last + b" " + new.hex().encode() + line[81:])
        last = new.hex().encode()
    target = path / "logs" / "refs" / "stash"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join(out) + b"\n")


def _write_maps(path: Path, engine: Engine, changes: list[RefChange]) -> None:
    """Write commit-map and ref-map files, like git-filter-repo's."""
    folder = path / "gitsweep"
    folder.mkdir(exist_ok=True)
    with open(folder / "commit-map", "w", encoding="ascii") as handle:
        handle.write(f"{'old':<40} new\n")
        handle.writelines(
            f"{old.hex()} {new.hex()}\n" for old, new in engine.commits.items()
        )
    with open(folder / "ref-map", "w", encoding="utf-8") as handle:
        handle.write(f"{'old':<40} {'new':<40} ref\n")
        handle.writelines(
            f"{change.old} {change.new} {change.name}\n" for change in changes
        )


def _apply_in_place(repo: pygit2.Repository, tmp: Path, has_stash: bool) -> None:
    """Fetch the verified refs back into the source and drop its old objects."""
    gitdir = Path(repo.path)
    _git(
        gitdir,
        "fetch",
        "-q",
        "--update-head-ok",
        "--no-tags",
        str(tmp),
        "+refs/*:refs/*",
    )
    if not repo.is_bare:
        _git(repo.workdir, "reset", "-q", "--hard")
    _git(
        gitdir, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all"
    )
    if has_stash and (tmp / "logs" / "refs" / "stash").is_file():
        target = gitdir / "logs" / "refs" / "stash"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "logs" / "refs" / "stash", target)
    shutil.copytree(tmp / "gitsweep", gitdir / "gitsweep", dirs_exist_ok=True)
    _git(gitdir, "gc", "-q", "--prune=now")


# ---------------------------------------------------------------------------
# Verification and next steps


def verify_rewrite(
    path: str | os.PathLike[str], plan: RewritePlan, secrets: Mapping[str, bytes]
) -> None:
    """Rescan `path` and raise `RewriteError` if any planned secret is left.

    Two checks: a gitsweep scan with the plan's rules (by fingerprint), and
    a byte search of every object for each secret as UTF-8 and UTF-16, which
    also catches copies the rules would not match.
    """
    from .scan import scan

    planned = {i.fingerprint for i in plan.active_items}
    report = scan(path, rules=plan.rule_files, disable=plan.disabled, jobs=1)
    left = sorted(
        {f.fingerprint[:12] for f in report.findings if f.fingerprint in planned}
    )
    repo = walker.open_repository(path)
    needles = []
    for item in plan.active_items:
        secret = secrets[item.fingerprint]
        # A short secret ("tiger") also occurs as an ordinary word; for it
        # the scan by fingerprint is the check, not the byte search.
        if len(secret) < MIN_SEARCH_LENGTH:
            continue
        text = secret.decode("utf-8", "surrogateescape")
        for form in (secret, _utf16(text, "utf-16-le"), _utf16(text, "utf-16-be")):
            if form:
                needles.append((item.fingerprint[:12], form))
    objects = walker.list_objects(repo)
    holders: dict[str, str] = {}
    for raw, _kind, data in walker.walk_objects(repo, objects, 1 << 62):
        for short, form in needles:
            if form in data:
                holders.setdefault(short, raw.hex())
    if left or holders:
        where = ", ".join(f"{fp} in {oid[:12]}" for fp, oid in sorted(holders.items()))
        raise RewriteError(
            f"verification failed: planned secret(s) still present in {path} "
            f"(scan: {', '.join(left) or 'none'}; byte search: {where or 'none'}); "
            "nothing was renamed or pushed. Extend the plan (strip-blob or "
            "purge-path for those objects) and rewrite again"
        )
    log.info("verified %s: no planned secret is left", path)


def _utf16(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return b""


def _origin_url(repository: str) -> str | None:
    """Return the URL of the scanned repository's `origin`, if it has one."""
    try:
        repo = pygit2.Repository(repository)
        url = repo.remotes["origin"].url
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return url or None


def next_steps(plan: RewritePlan, result: RewriteResult) -> list[str]:
    """Return what only a human can do after this rewrite, in order."""
    steps = [
        (
            "Revoke or rotate every credential first (`gitsweep checklist`): the "
            "secrets were public for as long as the history was, and a rewrite "
            "does not take them back from clones, forks, caches or logs."
        ),
    ]
    names = [c.name for c in result.refs if not c.name.startswith("refs/stash")]
    if names:
        # The mirror was cloned from the local repository, so its `origin`
        # is that folder, configured for mirroring: push to the hosting
        # service's URL instead, branches and tags only.
        url = _origin_url(plan.repository) or "<the hosting service's URL>"
        steps.append(
            f"Force-push the {len(names)} rewritten ref(s) from the mirror to the "
            f"hosting service: `git -C {result.destination} push --force {url} "
            "'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'`. Lift branch "
            "protection for the push; branches that exist only on the host "
            "(not in this clone) are not rewritten: scan a full mirror of the "
            "host to cover them."
        )
    if any(c.name.startswith("refs/tags/") for c in result.refs):
        steps.append(
            "Tags moved: the push above replaces them; re-sign any that must "
            "stay signed, and tell whoever fetched them to delete and re-fetch."
        )
    if plan.impact.signed_lost:
        steps.append(
            f"{len(plan.impact.signed_lost)} signed commit(s)/tag(s) lost their "
            "signature; re-sign them if your policy requires signatures."
        )
    steps += [
        (
            "Ask the hosting service to purge cached views and pull/merge-request "
            "refs (refs/pull/*, refs/merge-requests/*) that still hold the old "
            "commits; GitHub and GitLab support both do this on request."
        ),
        (
            "Tell every collaborator to re-clone (not pull): an old clone pushed "
            "again brings the secrets back. Old forks keep them too."
        ),
        (
            f"Keep the commit map ({result.commit_map}) to translate old commit ids "
            "in issues and CI logs; delete the mirror when you are done."
        ),
    ]
    if result.backup:
        steps.append(
            f"The backup bundle {result.backup} still holds the secrets; keep it "
            "0600 and delete it once the rewrite is confirmed."
        )
    return steps


def render_result(result: RewriteResult) -> str:
    """Return a human summary of a rewrite with its next steps."""
    lines = [
        (
            f"rewrote {result.commits_rewritten} of {result.commits} commits, "
            f"{result.blobs_rewritten} blob(s) edited, {result.blobs_removed} stripped, "
            f"{result.trees_rewritten} tree(s), {result.tags_rewritten} tag(s)"
        ),
        (
            f"moved {len(result.refs)} ref(s); objects {result.objects_before} before, "
            f"{result.objects_after} after gc"
        ),
        (
            f"{'verified: no planned secret is left' if result.verified else 'NOT verified'}"
            f" in {result.destination}"
        ),
        f"commit map: {result.commit_map}",
    ]
    if result.backup:
        lines.append(f"backup bundle (mode 0600): {result.backup}")
    timing = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
    lines += [f"time: {timing}", "", "Next steps (only a human can do these):"]
    lines += [f"{n}. {s}" for n, s in enumerate(result.next_steps, 1)]
    return "\n".join(lines) + "\n"
