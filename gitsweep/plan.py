"""Rewrite plan: decide how each finding leaves the history, before any rewrite.

Stage 7 of the pipeline, after the `report`.  `plan(report)` gives every
finding an action for each blob that holds it (replace the literal, purge
every path the blob had, or strip the blob where text replacement cannot
reach the secret) and scrubs the commit and tag messages that hold it.  It
then measures the impact on the commit graph: commits and refs that move,
signatures that are lost, whether HEAD changes.

A plan never stores a secret.  It names findings by fingerprint and lists
the object ids that hold them; `resolve_secrets` reads those objects again
and keeps the matches whose fingerprint is planned.  So a plan file can be
reviewed, edited and re-loaded like any other document.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import pygit2

from . import __version__, walker
from .errors import PlanError, ReportFormatError
from .findings import SOURCE_BLOB, Finding, fingerprint, redact
from .report import Report

log = logging.getLogger(__name__)

#: Version of the JSON layout written by `RewritePlan.to_dict`.
PLAN_FORMAT = 1

ACTION_REPLACE = "replace-literal"
ACTION_PURGE = "purge-path"
ACTION_STRIP = "strip-blob"
ACTION_SCRUB = "scrub-message"
ACTION_SKIP = "skip"
#: Actions a reviewer may give a blob through an override.
BLOB_ACTIONS = (ACTION_REPLACE, ACTION_PURGE, ACTION_STRIP, ACTION_SKIP)

#: The text that takes a replaced secret's place; `{rule}` is the rule id.
DEFAULT_MARKER = "***REMOVED:{rule}***"

#: git-filter-repo leaves a blob alone when a NUL sits in its first 8 KiB.
BINARY_PROBE = 8192

#: File names (globs on the last path component) whose whole content is a
#: credential: the file is purged rather than edited.
CREDENTIAL_FILES = (
    ".env",
    ".env.*",
    "*.env",
    "credentials",
    "credentials.json",
    "*credentials*.json",
    "service-account*.json",
    "kubeconfig",
    "*.kubeconfig",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".dockercfg",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.ppk",
)
#: Full paths (globs) that are credential files wherever they sit.
CREDENTIAL_PATHS = ("*/.kube/config", ".kube/config", "*/.docker/config.json")


@attrs.frozen(slots=True)
class BlobChange:
    """One blob that holds a planned secret, and what happens to it.

    `paths` are every path the blob had in any commit; for `purge-path` all
    of them leave the whole history, every version.  `reason` says why the
    action was chosen, in words a reviewer can check.
    """

    oid: str
    action: str
    paths: tuple[str, ...] = ()
    size: int = 0
    binary: bool = False
    encoding: str | None = None
    at_head: bool = False
    reason: str = ""


@attrs.frozen(slots=True)
class MessageChange:
    """One commit or tag object whose message holds a planned secret."""

    oid: str
    source: str
    field: str | None = None
    subject: str | None = None


@attrs.frozen(slots=True)
class PlanItem:
    """What the plan does about one finding (one secret of one rule)."""

    fingerprint: str
    rule: str
    name: str
    provider: str
    severity: str
    redacted: str
    marker: str
    action: str
    blobs: tuple[BlobChange, ...] = ()
    messages: tuple[MessageChange, ...] = ()
    at_head: bool = False
    notes: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class SignedObject:
    """A signed commit or tag whose signature the rewrite will drop."""

    oid: str
    kind: str
    name: str


@attrs.frozen(slots=True)
class Impact:
    """How much of the history the plan changes, counted before rewriting."""

    commits: int = 0
    commits_rewritten: int = 0
    blobs_rewritten: int = 0
    blob_bytes: int = 0
    messages_rewritten: int = 0
    refs: tuple[str, ...] = ()
    head_changes: bool = False
    stash_entries: int = 0
    notes_refs: tuple[str, ...] = ()
    signed_lost: tuple[SignedObject, ...] = ()
    unchanged_tags: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class RewritePlan:
    """A reviewed, editable list of changes to make to a repository's history.

    Round-trips through JSON (`to_json`, `from_json`, `load`).  It holds
    fingerprints and redacted forms, never a secret.
    """

    repository: str
    items: tuple[PlanItem, ...]
    impact: Impact = Impact()
    head: str | None = None
    rule_files: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    ruleset: str = ""
    version: str = __version__
    created_at: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def purge_paths(self) -> tuple[str, ...]:
        """Return every path to purge from all history, sorted."""
        return tuple(
            sorted(
                {
                    p
                    for item in self.items
                    for b in item.blobs
                    if b.action == ACTION_PURGE
                    for p in b.paths
                }
            )
        )

    def blobs_with(self, action: str) -> tuple[str, ...]:
        """Return the object ids of the planned blobs with `action`, sorted."""
        return tuple(
            sorted({b.oid for i in self.items for b in i.blobs if b.action == action})
        )

    @property
    def active_items(self) -> tuple[PlanItem, ...]:
        """Return the items that change anything (not skipped)."""
        return tuple(i for i in self.items if i.action != ACTION_SKIP)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = attrs.asdict(self, recurse=True)
        return {"format": PLAN_FORMAT, "tool": "gitsweep-plan", **data}

    def to_json(self, indent: int | None = 2) -> str:
        """Return the plan as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RewritePlan:
        """Rebuild a plan from `to_dict` output (edited or not)."""
        if data.get("format") != PLAN_FORMAT or data.get("tool") != "gitsweep-plan":
            raise ReportFormatError(
                "not a gitsweep rewrite plan (format or tool field wrong); write "
                "one with `gitsweep plan PATH --format json --output FILE`"
            )
        try:
            items = tuple(_item_from(i) for i in data["items"])
            impact = dict(data.get("impact") or {})
            impact["signed_lost"] = tuple(
                SignedObject(**s) for s in impact.get("signed_lost", ())
            )
            for key in ("refs", "notes_refs", "unchanged_tags"):
                impact[key] = tuple(impact.get(key, ()))
            return cls(
                repository=data["repository"],
                items=items,
                impact=Impact(**impact),
                head=data.get("head"),
                rule_files=tuple(data.get("rule_files", ())),
                disabled=tuple(data.get("disabled", ())),
                ruleset=data.get("ruleset", ""),
                version=data.get("version", ""),
                created_at=data.get("created_at", ""),
                warnings=tuple(data.get("warnings", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ReportFormatError(f"rewrite plan is malformed: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> RewritePlan:
        """Rebuild a plan from `to_json` output."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"rewrite plan is not valid JSON: {exc}") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RewritePlan:
        """Read a plan file written by `gitsweep plan --format json`."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ReportFormatError(f"cannot read plan {path}: {exc}") from None
        return cls.from_json(text)


def _item_from(data: Mapping[str, Any]) -> PlanItem:
    blobs = tuple(
        BlobChange(**{**b, "paths": tuple(b.get("paths", ()))})
        for b in data.get("blobs", ())
    )
    messages = tuple(MessageChange(**m) for m in data.get("messages", ()))
    action = data["action"]
    for change in blobs:
        if change.action not in BLOB_ACTIONS:
            raise PlanError(
                f"blob {change.oid} has action {change.action!r}; use one of "
                f"{', '.join(BLOB_ACTIONS)}"
            )
    if action not in (*BLOB_ACTIONS, ACTION_SCRUB):
        raise PlanError(f"finding {data['fingerprint'][:12]} has action {action!r}")
    return PlanItem(
        **{
            **data,
            "blobs": blobs,
            "messages": messages,
            "notes": tuple(data.get("notes", ())),
        }
    )


# ---------------------------------------------------------------------------
# Choosing actions


def is_credential_file(path: str) -> bool:
    """Return whether the file at `path` is, as a whole, a credential."""
    name = path.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatchcase(name, g) for g in CREDENTIAL_FILES):
        return True
    return any(fnmatch.fnmatchcase(path, g) for g in CREDENTIAL_PATHS)


@attrs.frozen(slots=True)
class Policy:
    """How `plan` chooses actions; overrides win finding > path > rule.

    `by_finding` keys are fingerprints or prefixes of 8 or more hex digits;
    `by_path` keys are globs on the full path; `head` is None (decide by
    file kind), "replace" (keep the file at HEAD, literal replaced) or
    "purge" (every version goes).
    """

    by_finding: Mapping[str, str] = attrs.field(factory=dict)
    by_rule: Mapping[str, str] = attrs.field(factory=dict)
    by_path: Mapping[str, str] = attrs.field(factory=dict)
    head: str | None = None
    marker: str = DEFAULT_MARKER

    def __attrs_post_init__(self) -> None:
        for table in (self.by_finding, self.by_rule, self.by_path):
            for key, action in table.items():
                if action not in BLOB_ACTIONS:
                    raise PlanError(
                        f"override {key!r} -> {action!r}: the action must be one "
                        f"of {', '.join(BLOB_ACTIONS)}"
                    )
        if self.head not in (None, "replace", "purge"):
            raise PlanError("head must be 'replace' or 'purge' (or None)")

    def finding_action(self, finding: Finding) -> str | None:
        """Return the reviewer's action for the whole finding, if any."""
        for key, action in self.by_finding.items():
            if len(key) >= 8 and finding.fingerprint.startswith(key.lower()):
                return action
        return self.by_rule.get(finding.rule)

    def path_action(self, paths: Iterable[str]) -> str | None:
        """Return the reviewer's action for the first path a glob matches."""
        for path in paths:
            for glob, action in self.by_path.items():
                if fnmatch.fnmatchcase(path, glob):
                    return action
        return None


def _unused_overrides(policy: Policy, report: Report) -> list[str]:
    """Warn about overrides that match no finding: a typo in an incident."""
    rules = {f.rule for f in report.findings}
    prints = [f.fingerprint for f in report.findings]
    paths = {p for f in report.findings for o in f.occurrences for p in o.paths}
    unused = [f"rule:{r}" for r in policy.by_rule if r not in rules]
    unused += [
        f"finding:{k}"
        for k in policy.by_finding
        if not any(fp.startswith(k) for fp in prints)
    ]
    unused += [
        f"path:{g}"
        for g in policy.by_path
        if not any(fnmatch.fnmatchcase(p, g) for p in paths)
    ]
    return [f"override {u} matches no finding of this report; check it" for u in unused]


def plan(
    report: Report,
    *,
    by_finding: Mapping[str, str] | None = None,
    by_rule: Mapping[str, str] | None = None,
    by_path: Mapping[str, str] | None = None,
    head: str | None = None,
    marker: str = DEFAULT_MARKER,
    rule_files: Iterable[str | os.PathLike[str]] = (),
    disabled: Iterable[str] = (),
) -> RewritePlan:
    """Build the rewrite plan for every finding of `report`.

    Reads the blobs that hold secrets (to tell binary and UTF-16 content
    from text) and the commit graph (to measure the impact) from the
    repository the report names.  `rule_files` and `disabled` must be the
    ones of the scan: the rewrite uses them to find the secrets again.
    """
    policy = Policy(
        by_finding=dict(by_finding or {}),
        by_rule=dict(by_rule or {}),
        by_path=dict(by_path or {}),
        head=head,
        marker=marker,
    )
    repo = walker.open_repository(report.repository)
    if repo.is_shallow:
        raise PlanError(
            f"{report.repository} is a shallow clone: commits before its boundary "
            "are not here, so no plan can cover them; run `git fetch --unshallow` "
            "(or clone in full), scan again and plan"
        )
    warnings: list[str] = []
    warnings += _unused_overrides(policy, report)
    if not report.complete:
        warnings.append(
            "the scan behind this plan did not cover every object (see its "
            "warnings); secrets in unscanned objects are not planned"
        )
    items = tuple(_plan_item(repo, f, policy) for f in report.findings)
    introducers = {
        bytes.fromhex(c)
        for f in report.findings
        for o in f.occurrences
        if o.source == SOURCE_BLOB
        for c in o.commits
    }
    # Imported here: `impact` builds on this module's value classes.
    from .impact import measure_impact

    impact = measure_impact(repo, items, introducers)
    warnings.extend(_plan_warnings(items, impact))
    return RewritePlan(
        repository=report.repository,
        items=items,
        impact=impact,
        head=report.head,
        rule_files=tuple(os.fspath(r) for r in rule_files),
        disabled=tuple(disabled),
        ruleset=report.ruleset,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        warnings=tuple(warnings),
    )


def _plan_item(repo: pygit2.Repository, finding: Finding, policy: Policy) -> PlanItem:
    chosen = policy.finding_action(finding)
    blobs: list[BlobChange] = []
    messages: list[MessageChange] = []
    notes: list[str] = []
    seen: set[str] = set()
    for occ in finding.occurrences:
        if occ.object in seen:
            continue
        seen.add(occ.object)
        if occ.source != SOURCE_BLOB:
            messages.append(
                MessageChange(occ.object, occ.source, occ.field, occ.commit_subject)
            )
            # LIMITATION: header fields (author, tagger...) are not
            # rewritten; only messages are, so verification then fails.
            if occ.field not in (None, "message"):
                notes.append(
                    f"{occ.source} {occ.object[:12]} holds the secret in its "
                    f"{occ.field} header: only the message is scrubbed"
                )
            continue
        blobs.append(_blob_change(repo, finding, occ, chosen, policy))
    if occ_paths_truncated(finding):
        notes.append(
            "a blob had more paths than the scan sampled; purge by blob id "
            "(strip-blob) is safer than purge by path here"
        )
    actions = {b.action for b in blobs}
    if chosen == ACTION_SKIP or (blobs and actions == {ACTION_SKIP} and not messages):
        action = ACTION_SKIP
    elif not blobs:
        action = ACTION_SCRUB
    else:
        action = (
            min(actions - {ACTION_SKIP}) if actions - {ACTION_SKIP} else ACTION_SKIP
        )
    return PlanItem(
        fingerprint=finding.fingerprint,
        rule=finding.rule,
        name=finding.name,
        provider=finding.provider,
        severity=finding.severity,
        redacted=finding.secret if finding.redacted else redact(finding.secret),
        marker=policy.marker.format(rule=finding.rule),
        action=action,
        blobs=tuple(blobs),
        messages=tuple(messages),
        at_head=finding.at_head,
        notes=tuple(notes),
    )


def occ_paths_truncated(finding: Finding) -> bool:
    """Return whether a blob occurrence had more paths than were listed."""
    return any(o.path_count > len(o.paths) for o in finding.occurrences)


def _blob_change(repo, finding, occ, chosen, policy) -> BlobChange:  # type: ignore[no-untyped-def]
    paths = occ.paths or ((occ.path,) if occ.path else ())
    size, binary = _blob_facts(repo, occ.object)
    override = policy.path_action(paths)
    credential = any(is_credential_file(p) for p in paths)
    if chosen is not None:
        action, reason = chosen, "override for this finding or rule"
    elif override is not None:
        action, reason = override, "override for this path"
    elif occ.at_head and policy.head == "replace":
        action, reason = ACTION_REPLACE, "at HEAD: keep the file, replace the literal"
    elif occ.at_head and policy.head == "purge":
        action, reason = ACTION_PURGE, "at HEAD: purge every version, as asked"
    elif credential:
        action, reason = ACTION_PURGE, "the whole file is a credential"
    else:
        action, reason = ACTION_REPLACE, "the secret is one literal in a text file"
    if action == ACTION_REPLACE and (binary or occ.encoding):
        what = f"{occ.encoding} text" if occ.encoding else "binary content"
        action = ACTION_STRIP
        reason = (
            f"{what}: a text replacement would miss the secret, so the blob "
            "is removed from every tree that holds it"
        )
    return BlobChange(
        oid=occ.object,
        action=action,
        paths=tuple(paths),
        size=size,
        binary=binary,
        encoding=occ.encoding,
        at_head=occ.at_head,
        reason=reason,
    )


def _blob_facts(repo: pygit2.Repository, oid: str) -> tuple[int, bool]:
    """Return (size in bytes, binary?) of a blob; binary as filter-repo sees it."""
    try:
        _kind, data = repo.odb.read(pygit2.Oid(hex=oid))
    except (KeyError, ValueError, pygit2.GitError):
        raise PlanError(
            f"blob {oid} of the report is missing from {repo.path}; "
            "scan the repository again before planning"
        ) from None
    return len(data), b"\0" in data[:BINARY_PROBE]


def _plan_warnings(items: tuple[PlanItem, ...], impact: Impact) -> list[str]:
    out = []
    if impact.head_changes and any(i.at_head for i in items):
        out.append(
            "HEAD itself changes: its tree holds a planned secret, so the tip "
            "commit's content changes too (BFG would protect it by default)"
        )
    elif impact.head_changes:
        # Only the tip's id moves (a scrubbed message, rewritten parents):
        # its files stay as they are.
        out.append(
            "HEAD gets a new commit id (its message or an ancestor is rewritten); "
            "its files do not change"
        )
    stripped = [b for i in items for b in i.blobs if b.action == ACTION_STRIP]
    if stripped:
        out.append(
            f"{len(stripped)} blob(s) hold a secret in binary or UTF-16 content; "
            "they are removed (strip-blob), not edited"
        )
    if impact.signed_lost:
        out.append(
            f"{len(impact.signed_lost)} signed commit(s) or tag(s) lose their "
            "signature; re-sign them after the rewrite if you need signatures"
        )
    return out


# ---------------------------------------------------------------------------
# Finding the secrets again, and the dry run


def secrets_from_report(report: Report) -> dict[str, bytes]:
    """Return fingerprint -> secret bytes for a report that holds secrets."""
    return {f.fingerprint: f.secret_bytes() for f in report.findings if not f.redacted}


def resolve_secrets(
    plan: RewritePlan, repository: str | os.PathLike[str] | None = None
) -> dict[str, bytes]:
    """Find each planned secret again in the objects the plan names.

    Matches every listed blob and message with the plan's rules and keeps
    the secrets whose fingerprint the plan names.  Raises `PlanError` when
    an object is missing or a planned secret is not found in any of them.
    """
    from .matcher import Matcher
    from .rules import load_rules

    repo = walker.open_repository(repository or plan.repository)
    matcher = Matcher(load_rules(plan.rule_files, plan.disabled))
    found: dict[str, bytes] = {}
    for item in plan.active_items:
        objects = [(b.oid, SOURCE_BLOB) for b in item.blobs]
        objects += [(m.oid, m.source) for m in item.messages]
        for oid, source in objects:
            data = read_object(repo, oid)
            for match in matcher.match(data, oid, source):
                if fingerprint(match.secret) == item.fingerprint:
                    found[item.fingerprint] = match.secret
                    break
            if item.fingerprint in found:
                break
        if item.fingerprint not in found:
            raise PlanError(
                f"the secret of finding {item.fingerprint[:12]} ({item.rule}) is "
                "not in any object the plan lists; the rules or the repository "
                "changed since planning: scan and plan again"
            )
    return found


def read_object(repo: pygit2.Repository, oid: str) -> bytes:
    """Return an object's content, or raise `PlanError` naming it."""
    try:
        return repo.odb.read(pygit2.Oid(hex=oid))[1]
    except (KeyError, ValueError, pygit2.GitError):
        raise PlanError(
            f"object {oid} named by the plan is missing from {repo.path}; "
            "the plan was made for another repository or the object was pruned"
        ) from None


def replace_all(data: bytes, replacements: list[tuple[bytes, bytes]]) -> bytes:
    """Return `data` with every secret replaced, longest secret first."""
    for secret, marker in replacements:
        if secret in data:
            data = data.replace(secret, marker)
    return data


def replacements(
    plan: RewritePlan, secrets: Mapping[str, bytes]
) -> list[tuple[bytes, bytes]]:
    """Return (secret, marker) pairs of the active items, longest first."""
    pairs = {
        secrets[i.fingerprint]: i.marker.encode("utf-8")
        for i in plan.active_items
        if i.fingerprint in secrets
    }
    return sorted(pairs.items(), key=lambda p: (-len(p[0]), p[0]))


def render_dry_run(
    plan: RewritePlan,
    secrets: Mapping[str, bytes],
    repository: str | os.PathLike[str] | None = None,
) -> str:
    """Return a unified diff of every change, with each secret redacted.

    Replaced blobs show their changed lines; purged and stripped blobs and
    scrubbed messages get one line each.  No secret appears in the text.
    """
    repo = walker.open_repository(repository or plan.repository)
    pairs = replacements(plan, secrets)
    shown = [
        (s, redact(s.decode("utf-8", "surrogateescape")).encode()) for s, _ in pairs
    ]
    out: list[str] = []
    diffed: set[str] = set()
    for item in plan.active_items:
        out.append(f"# {item.rule} {item.redacted} ({item.fingerprint[:12]})\n")
        for blob in item.blobs:
            label = blob.paths[0] if blob.paths else blob.oid
            if blob.action == ACTION_REPLACE and blob.oid in diffed:
                out.append(f"(blob {blob.oid[:12]} at {label}: diff shown above)\n")
            elif blob.action == ACTION_REPLACE:
                diffed.add(blob.oid)
                data = read_object(repo, blob.oid)
                old = replace_all(data, shown).decode("utf-8", "replace")
                new = replace_all(data, pairs).decode("utf-8", "replace")
                out.extend(
                    difflib.unified_diff(
                        old.splitlines(True),
                        new.splitlines(True),
                        f"a/{label} ({blob.oid[:12]})",
                        f"b/{label}",
                        n=1,
                    )
                )
            elif blob.action == ACTION_PURGE:
                for path in blob.paths:
                    out.append(f"purge path {path} (every version, all history)\n")
            elif blob.action == ACTION_STRIP:
                out.append(
                    f"strip blob {blob.oid} at {', '.join(blob.paths)} "
                    f"({blob.size} bytes): {blob.reason}\n"
                )
        for message in item.messages:
            out.append(
                f"scrub the message of {message.source} {message.oid[:12]} "
                f"({message.subject or ''!s})\n"
            )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def render_plan(plan: RewritePlan) -> str:
    """Return a Markdown summary of the plan for a reviewer."""
    imp = plan.impact
    lines = [
        f"# Rewrite plan for {plan.repository}",
        "",
        (
            f"{len(plan.active_items)} finding(s) to remove, "
            f"{len(plan.items) - len(plan.active_items)} skipped."
        ),
        "",
        "| finding | rule | action | blobs | messages | at HEAD |",
        "|---|---|---|---|---|---|",
    ]
    for item in plan.items:
        lines.append(
            f"| `{item.redacted}` {item.fingerprint[:12]} | {item.rule} | "
            f"{item.action} | {len(item.blobs)} | {len(item.messages)} | "
            f"{'yes' if item.at_head else 'no'} |"
        )
    lines += ["", "## What changes", ""]
    lines.append(f"- blobs to rewrite: {len(plan.blobs_with(ACTION_REPLACE))}")
    lines.append(
        f"- blobs to strip (binary or UTF-16): {len(plan.blobs_with(ACTION_STRIP))}"
    )
    for blob in (b for i in plan.items for b in i.blobs if b.action == ACTION_STRIP):
        lines.append(f"  - {blob.oid} at {', '.join(blob.paths)}: {blob.reason}")
    lines.append(f"- paths to purge from all history: {len(plan.purge_paths)}")
    lines.extend(f"  - `{p}`" for p in plan.purge_paths)
    lines.append(f"- messages to scrub: {imp.messages_rewritten}")
    lines.append(
        f"- commits rewritten: {imp.commits_rewritten} of {imp.commits} "
        f"(blob bytes to rewrite: {imp.blob_bytes})"
    )
    lines.append(f"- refs that move: {len(imp.refs)}")
    lines.extend(f"  - {r}" for r in imp.refs)
    lines.append(f"- HEAD changes: {'yes' if imp.head_changes else 'no'}")
    if imp.stash_entries:
        lines.append(f"- stash entries rewritten: {imp.stash_entries}")
    if imp.signed_lost:
        lines.append(f"- signatures lost: {len(imp.signed_lost)}")
        lines.extend(f"  - {s.kind} {s.oid[:12]} {s.name}" for s in imp.signed_lost)
    if imp.unchanged_tags:
        lines.append(f"- tags left as they are: {', '.join(imp.unchanged_tags)}")
    notes = [n for i in plan.items for n in i.notes]
    if plan.warnings or notes:
        lines += ["", "## Warnings", ""]
        lines.extend(f"- {w}" for w in (*plan.warnings, *notes))
    return "\n".join(lines) + "\n"
