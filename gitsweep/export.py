"""Export a rewrite plan to the tools responders already trust.

Beside `rewrite`: instead of gitsweep's own rewrite, a responder can run
git-filter-repo, the BFG Repo-Cleaner or GitLab's "remove blobs" with the
same plan.  Every file is written with mode 0600 through `write_private`.

An expressions file has to name what to replace.  Where a secret is long
enough, gitsweep writes a `regex:` line that spells out only the redacted
prefix and suffix and says "N characters of these kinds" in between: it
matches the secret, yet reading the file reveals no more than a redacted
report.  Short secrets would make such a pattern match unrelated text, so
they are written as literals, and the file is then as sensitive as the
repository itself; `ExportResult.holds_secrets` says when that happened.
"""

from __future__ import annotations

import os
import shlex
import string
from collections.abc import Mapping
from pathlib import Path

import attrs

from .plan import (
    ACTION_PURGE,
    ACTION_REPLACE,
    ACTION_STRIP,
    RewritePlan,
    replacements,
)
from .report import write_private

#: Secrets shorter than this are exported as literals (see module doc).
MIN_REDACTED_LENGTH = 20
#: Characters kept at each end in a redacted pattern, as `redact` shows.
KEEP = 4
#: BFG edits only blobs below this size unless told otherwise (bytes).
BFG_SIZE_THRESHOLD = 1 << 20
TOOLS = ("filter-repo", "bfg", "gitlab")
#: Bytes that mean themselves in a regex, in or out of a class.
_PLAIN = string.ascii_letters + string.digits + "_"


@attrs.frozen(slots=True)
class ExportResult:
    """Files written for one tool, the command to run, and caveats."""

    tool: str
    files: tuple[str, ...]
    command: str
    warnings: tuple[str, ...] = ()
    holds_secrets: bool = False


def _class_of(chars: bytes) -> bytes:
    """Return a regex character class accepting every byte kind in `chars`."""
    parts = []
    present = set(chars)
    for lo, hi in ((b"A", b"Z"), (b"a", b"z"), (b"0", b"9")):
        if any(lo[0] <= c <= hi[0] for c in present):
            parts.append(lo + b"-" + hi)
            present -= set(range(lo[0], hi[0] + 1))
    for c in sorted(present):
        if chr(c) in _PLAIN:
            parts.append(bytes([c]))
        else:
            parts.append(b"\\x%02x" % c)
    return b"[" + b"".join(parts) + b"]"


def _escape(data: bytes) -> bytes:
    return b"".join(bytes([c]) if chr(c) in _PLAIN else b"\\x%02x" % c for c in data)


def expression(secret: bytes, marker: bytes) -> tuple[bytes, bool]:
    """Return (one expressions-file line, whether it spells the secret).

    The line works for git-filter-repo (`--replace-text`,
    `--replace-message`) and for the BFG (`--replace-text`).
    """
    # LIMITATION: the pattern also matches a token with the same ends,
    # length and alphabet; that near twin is replaced as well.
    if len(secret) >= MIN_REDACTED_LENGTH and b"==>" not in secret:
        # Keep exactly what `redact` shows of the secret, no more.
        keep = min(KEEP, len(secret) // 6)
        head, middle, tail = secret[:keep], secret[keep:-keep], secret[-keep:]
        pattern = _escape(head) + _class_of(middle) + b"{%d}" % len(middle)
        return b"regex:" + pattern + _escape(tail) + b"==>" + marker, False
    try:
        secret.decode("utf-8")
    except UnicodeDecodeError:
        return b"regex:" + _escape(secret) + b"==>" + marker, True
    return b"literal:" + secret + b"==>" + marker, True


def write_expressions(
    plan: RewritePlan, secrets: Mapping[str, bytes], path: Path
) -> bool:
    """Write the expressions file (mode 0600); return whether it holds secrets."""
    lines, spelled = [], False
    for secret, marker in replacements(plan, secrets):
        line, literal = expression(secret, marker)
        spelled |= literal
        lines.append(line)
    write_private(path, (b"\n".join(lines) + b"\n").decode("utf-8"))
    return spelled


def export_filter_repo(
    plan: RewritePlan, secrets: Mapping[str, bytes], folder: str | os.PathLike[str]
) -> ExportResult:
    """Write git-filter-repo inputs and the command that uses them."""
    out = _folder(folder)
    files, args = [], ["git", "filter-repo"]
    spelled = False
    if plan.active_items:
        expr = out / "replace-text.txt"
        spelled = write_expressions(plan, secrets, expr)
        files.append(str(expr))
        args += ["--replace-text", str(expr), "--replace-message", str(expr)]
    stripped = plan.blobs_with(ACTION_STRIP)
    if stripped:
        ids = out / "strip-blob-ids.txt"
        write_private(ids, "".join(f"{oid}\n" for oid in stripped))
        files.append(str(ids))
        args += ["--strip-blobs-with-ids", str(ids)]
    if plan.purge_paths:
        paths = out / "purge-paths.txt"
        write_private(paths, "".join(f"literal:{p}\n" for p in plan.purge_paths))
        files.append(str(paths))
        args += ["--invert-paths", "--paths-from-file", str(paths)]
    warnings = [
        (
            "run it in a fresh `git clone --mirror` of the repository (filter-repo "
            "refuses anything else without --force)"
        ),
        (
            "filter-repo leaves blobs with a NUL in the first 8 KiB alone; the plan "
            "strips such blobs by id instead"
        ),
        "--invert-paths --paths-from-file also removes a folder of the same name",
    ]
    if spelled:
        warnings.append(_spelled_warning(expr))
    command = shlex.join(args)
    script = out / "filter-repo.sh"
    write_private(script, _script(command, plan))
    files.append(str(script))
    return ExportResult("filter-repo", tuple(files), command, tuple(warnings), spelled)


def export_bfg(
    plan: RewritePlan, secrets: Mapping[str, bytes], folder: str | os.PathLike[str]
) -> ExportResult:
    """Write BFG Repo-Cleaner inputs and the command, with its pitfalls."""
    out = _folder(folder)
    files, args = [], ["java", "-jar", "bfg.jar"]
    warnings: list[str] = []
    spelled = False
    if plan.active_items:
        expr = out / "replace-text.txt"
        spelled = write_expressions(plan, secrets, expr)
        files.append(str(expr))
        args += ["--replace-text", str(expr)]
    stripped = plan.blobs_with(ACTION_STRIP)
    if stripped:
        ids = out / "strip-blob-ids.txt"
        write_private(ids, "".join(f"{oid}\n" for oid in stripped))
        files.append(str(ids))
        args += ["--strip-blobs-with-ids", str(ids)]
    names = sorted({p.rsplit("/", 1)[-1] for p in plan.purge_paths})
    if names:
        glob = names[0] if len(names) == 1 else "{" + ",".join(names) + "}"
        args += ["--delete-files", glob]
        warnings.append(
            "--delete-files matches file names, not paths: every file named "
            f"{', '.join(names)} in any folder is deleted"
        )
    sizes = [
        b.size for i in plan.active_items for b in i.blobs if b.action == ACTION_REPLACE
    ]
    if sizes and max(sizes) >= BFG_SIZE_THRESHOLD:
        args += ["--filter-content-size-threshold", str(max(sizes) + 1)]
        warnings.append(
            "a blob to edit is over BFG's 1 MiB default; the threshold is raised"
        )
    if plan.impact.head_changes:
        args.append("--no-blob-protection")
        warnings.append(
            "the secret is at HEAD: BFG protects HEAD's files by default, so "
            "--no-blob-protection is set (or commit a clean HEAD first and drop it)"
        )
    if plan.impact.messages_rewritten:
        warnings.append(
            "BFG does not edit commit or tag messages: "
            f"{plan.impact.messages_rewritten} message(s) keep the secret; use "
            "the git-filter-repo export or gitsweep rewrite for those"
        )
    if spelled:
        warnings.append(_spelled_warning(expr))
    args.append("repo.git")
    return ExportResult("bfg", tuple(files), shlex.join(args), tuple(warnings), spelled)


def export_gitlab(plan: RewritePlan, folder: str | os.PathLike[str]) -> ExportResult:
    """Write the blob id list GitLab's "remove blobs" takes (one per line)."""
    out = _folder(folder)
    blobs = sorted(
        {b.oid for i in plan.active_items for b in i.blobs if b.action != "skip"}
    )
    target = out / "gitlab-blob-ids.txt"
    write_private(target, "".join(f"{oid}\n" for oid in blobs))
    warnings = (
        (
            "GitLab removes whole blobs, it does not edit them: every listed "
            "version of a file disappears (the plan's replacements become removals)"
        ),
        (
            "messages are not touched by blob removal; rewrite them with "
            "git-filter-repo or gitsweep rewrite"
        ),
        (
            "only blobs that held a secret are listed, not other versions of a "
            f"purged path ({len(plan.blobs_with(ACTION_PURGE))} such blob(s))"
        ),
    )
    return ExportResult(
        "gitlab",
        (str(target),),
        "Settings > Repository > Repository maintenance > Remove blobs",
        warnings,
    )


def export(
    plan: RewritePlan,
    tool: str,
    folder: str | os.PathLike[str],
    secrets: Mapping[str, bytes],
) -> ExportResult:
    """Export `plan` for `tool` (one of `TOOLS`) into `folder`."""
    if tool == "filter-repo":
        return export_filter_repo(plan, secrets, folder)
    if tool == "bfg":
        return export_bfg(plan, secrets, folder)
    if tool == "gitlab":
        return export_gitlab(plan, folder)
    raise ValueError(f"unknown export tool {tool!r}; use one of {', '.join(TOOLS)}")


def _folder(folder: str | os.PathLike[str]) -> Path:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _spelled_warning(path: Path) -> str:
    return (
        f"{path} holds at least one short secret verbatim: it is as sensitive "
        "as the repository; keep it 0600 and delete it after the rewrite"
    )


def _script(command: str, plan: RewritePlan) -> str:
    return (
        "#!/bin/sh\n"
        "# Run inside a fresh mirror: git clone --mirror SOURCE work.git && cd work.git\n"
        f"# Plan for {plan.repository}: {len(plan.active_items)} finding(s).\n"
        "set -e\n"
        f"{command}\n"
    )
