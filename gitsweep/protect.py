"""Protect: stop a commit that would add a secret, before it exists.

The pre-commit gate.  Instead of walking the object database, it matches
only the blobs the index stages against HEAD (added, modified, renamed,
copied) and, when given, the message of the commit being made.  A secret
already in the HEAD version of the same file is not reported again: it is
old news for `gitsweep scan`, and blocking every edit of that file would
teach people to skip the hook.  The work tree's configuration, the inline
marker and a baseline apply as they do for a scan.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pygit2

from . import context, walker
from .allowlist import drop_marked, is_allowed_path, is_allowed_value
from .baseline import Baseline
from .config import Config, resolve_config
from .findings import SOURCE_BLOB, SOURCE_COMMIT, Finding, Match, fingerprint, redact
from .matcher import Matcher
from .rules import RuleSet, load_rules

log = logging.getLogger(__name__)

#: Git's mode of a submodule entry; its content lives in another repository.
_GITLINK = 0o160000
_RANK = {"high": 3, "medium": 2, "low": 1}


@attrs.frozen(slots=True)
class StagedFinding:
    """A secret about to be committed: where it is, never what it is.

    `path` is the staged file, or None for the commit message; `line` and
    `column` are 1-based; `redacted` is safe to print.
    """

    rule: str
    name: str
    path: str | None
    line: int
    column: int
    fingerprint: str
    redacted: str
    confidence: str


@attrs.frozen(slots=True)
class ProtectResult:
    """What `protect` found and what it could not check."""

    findings: tuple[StagedFinding, ...]
    blobs: int
    bytes: int
    warnings: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """Return 1 when a secret is staged, 3 when a blob went unchecked."""
        if self.findings:
            return 1
        return 3 if self.warnings else 0


def staged_blobs(
    repo: pygit2.Repository,
) -> Iterator[tuple[str, pygit2.Oid, pygit2.Oid | None]]:
    """Yield (path, staged blob id, HEAD blob id or None) for each staged change.

    Renames are detected, so a moved file is compared with its old content.
    Deletions and submodules are left out.
    """
    if repo.head_is_unborn:
        for entry in repo.index:
            if entry.mode != _GITLINK:
                yield entry.path, entry.id, None
        return
    head_tree = repo.head.peel(pygit2.Commit).tree
    diff = repo.index.diff_to_tree(head_tree)
    diff.find_similar()
    for delta in diff.deltas:
        new = delta.new_file
        if delta.status_char() == "D" or new.mode == _GITLINK:
            continue
        old = delta.old_file.id if delta.status_char() != "A" else None
        yield new.path, new.id, old


def read_message(path: str | os.PathLike[str]) -> bytes:
    """Return a commit message file as git will store it.

    Comment lines (`#`) become empty so that line numbers still match the
    file, and everything below git's scissors line is dropped.
    """
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    kept = []
    for line in lines:
        if line.startswith(b"# ------------------------ >8"):
            break
        kept.append(b"" if line.startswith(b"#") else line)
    return b"\n".join(kept)


def protect(
    path: str | os.PathLike[str] = ".",
    *,
    staged: bool = True,
    message_file: str | os.PathLike[str] | None = None,
    rules: Sequence[str | os.PathLike[str]] = (),
    disable: Sequence[str] = (),
    config: Config | str | os.PathLike[str] | bool | None = True,
    baseline: Baseline | None = None,
    min_confidence: str = "medium",
    max_blob_size: int = 50 * 1024 * 1024,
) -> ProtectResult:
    """Match the staged blobs and the commit message; return what is new.

    `config` works as in `gitsweep.scan`.  Only the staged content and the
    message are read: the cost grows with the commit, not the history.
    """
    # LIMITATION: every run loads and checks the whole rule set and numba's
    # cached kernels (which import scipy when it is installed); that start-up
    # cost, not the staged bytes, sets the time of a typical commit.
    repo = walker.open_repository(path)
    settings = resolve_config(config, repo.workdir)
    ruleset = load_rules(
        [*(os.fspath(r) for r in rules), *settings.rule_files],
        list(dict.fromkeys([*disable, *settings.disabled])),
    )
    matcher = Matcher(ruleset)
    found: list[StagedFinding] = []
    warnings: list[str] = []
    blobs = nbytes = 0

    if staged:
        for rel, new_id, old_id in staged_blobs(repo):
            data = _read_blob(repo, new_id, rel, max_blob_size, warnings)
            if data is None:
                continue
            blobs += 1
            nbytes += len(data)
            matches = drop_marked(data, matcher.match(data, str(new_id), SOURCE_BLOB))
            if matches and old_id is not None:
                matches = _drop_known(repo, matcher, old_id, matches, max_blob_size)
            found += _judge(matches, ruleset, rel, settings, baseline, min_confidence)

    if message_file is not None:
        text = read_message(message_file)
        matches = drop_marked(text, matcher.match(text, "", SOURCE_COMMIT))
        found += _judge(matches, ruleset, None, settings, baseline, min_confidence)

    log.info(
        "protect: %d staged blob(s), %d bytes, %d finding(s)", blobs, nbytes, len(found)
    )
    return ProtectResult(tuple(found), blobs, nbytes, tuple(warnings))


def _read_blob(
    repo: pygit2.Repository,
    oid: pygit2.Oid,
    rel: str,
    max_blob_size: int,
    warnings: list[str],
) -> bytes | None:
    try:
        _kind, size = repo.odb.read_header(oid)
        if size > max_blob_size:
            warnings.append(
                f"{rel}: staged blob of {size} bytes is over the size cap and was "
                "not checked; raise it with --max-blob-size"
            )
            return None
        return bytes(repo.odb.read(oid)[1])
    except (KeyError, pygit2.GitError, ValueError) as exc:
        warnings.append(
            f"{rel}: staged blob {oid} could not be read ({exc}); "
            "run `git fsck` and stage the file again"
        )
        return None


def _drop_known(
    repo: pygit2.Repository,
    matcher: Matcher,
    old_id: pygit2.Oid,
    matches: list[Match],
    max_blob_size: int,
) -> list[Match]:
    """Return the matches whose secret the HEAD version did not hold."""
    try:
        _kind, size = repo.odb.read_header(old_id)
        if size > max_blob_size:
            return matches
        old = bytes(repo.odb.read(old_id)[1])
    except (KeyError, pygit2.GitError, ValueError):
        return matches
    before = {(m.rule_id, m.secret) for m in matcher.match(old, str(old_id))}
    return [m for m in matches if (m.rule_id, m.secret) not in before]


def _judge(
    matches: list[Match],
    ruleset: RuleSet,
    rel: str | None,
    settings: Config,
    baseline: Baseline | None,
    min_confidence: str,
) -> list[StagedFinding]:
    if rel is not None and is_allowed_path(rel, settings.allowlist_paths):
        return []
    out = []
    for m in matches:
        rule = ruleset.by_id(m.rule_id)
        confidence = m.confidence
        if rel is not None:
            confidence, _ = context.adjust_for_paths(
                rule, m.confidence, m.reasons, (rel,)
            )
        if _RANK[confidence] < _RANK[min_confidence]:
            continue
        secret = m.secret.decode("utf-8", "surrogateescape")
        # A Finding without occurrences lets the allowlist and the baseline
        # judge a staged match exactly as they judge a scanned one.
        probe = Finding(
            rule=rule.id,
            name=rule.name,
            provider=rule.provider,
            severity=rule.severity,
            fingerprint=fingerprint(m.secret),
            secret=secret,
            occurrences=(),
        )
        if is_allowed_value(probe, settings) or (baseline and probe in baseline):
            continue
        out.append(
            StagedFinding(
                rule=rule.id,
                name=rule.name,
                path=rel,
                line=m.line,
                column=m.column,
                fingerprint=probe.fingerprint,
                redacted=redact(secret),
                confidence=confidence,
            )
        )
    return out


def render_protect(result: ProtectResult) -> str:
    """Return a short report for the person making the commit."""
    lines = []
    if result.findings:
        n = len(result.findings)
        lines.append(
            f"gitsweep: {n} secret{'s' if n != 1 else ''} in this commit; "
            "it was stopped."
        )
        for f in result.findings:
            where = (
                f"{f.path}:{f.line}:{f.column}"
                if f.path
                else (f"commit message, line {f.line}")
            )
            lines.append(f"  {where}  {f.rule}  {f.redacted}  ({f.name})")
        lines.append("")
        if any(f.path for f in result.findings):
            lines += [
                "Take the secret out of the staged file (read it from the",
                "environment or a secret store), then `git add` it again.",
            ]
        if any(f.path is None for f in result.findings):
            lines.append("Write the commit message again without the secret.")
        lines += [
            "If the key was ever real, revoke it: it may already sit in a",
            "stash, a backup or a chat.  A deliberate fake can stay with",
            "`gitsweep:allow` on its line.",
        ]
    for text in result.warnings:
        lines.append(f"gitsweep: warning: {text}")
    return "\n".join(lines) + ("\n" if lines else "")
