"""Revocation checklist: what to revoke first, how, and what to audit.

Beside `plan`, and before any rewrite: a leaked credential stays usable
until its provider revokes it, whatever happens to the history.  The
checklist has one entry per finding, ordered by risk (severity of the kind
of credential, whether a published branch or tag reaches it, how many days
it has been exposed), each with the provider's way to revoke or rotate it
taken from the rule's `revocation` fields, the identity to look up, the
window to audit and the replacement.  No entry holds a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import attrs

from .findings import Finding, redact
from .report import Report
from .rules import Rule, RuleSet, load_rules

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
#: Ref prefixes a remote publishes.
PUBLISHED = ("refs/heads/", "refs/tags/", "refs/remotes/")


@attrs.frozen(slots=True)
class ChecklistEntry:
    """One credential to revoke, with everything a responder needs to act."""

    rank: int
    fingerprint: str
    rule: str
    name: str
    provider: str
    severity: str
    identity: str
    first_seen: str | None
    exposure_days: int | None
    published: bool
    refs: tuple[str, ...]
    at_head: bool
    how: str
    url: str
    audit: str
    replace_with: str
    has_guidance: bool = True


@attrs.frozen(slots=True)
class Checklist:
    """Revocation entries of one report, riskiest first."""

    repository: str
    generated_at: str
    entries: tuple[ChecklistEntry, ...]
    #: False when the scan behind the checklist did not read every object
    #: (a shallow clone, missing objects...): credentials may be missing.
    complete: bool = True
    coverage: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """Return 1 with entries, 3 when empty but incomplete, else 0."""
        if self.entries:
            return 1
        return 0 if self.complete else 3

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"tool": "gitsweep-checklist", **attrs.asdict(self, recurse=True)}

    def to_json(self, indent: int | None = 2) -> str:
        """Return the checklist as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_markdown(self) -> str:
        """Return the checklist as Markdown with one task per credential."""
        return render_markdown(self)


def checklist(
    report: Report,
    *,
    rules: RuleSet | None = None,
    rule_files: Iterable[str | os.PathLike[str]] = (),
    now: datetime | None = None,
) -> Checklist:
    """Build the revocation checklist of `report`, riskiest credential first."""
    ruleset = (
        rules if rules is not None else load_rules([os.fspath(r) for r in rule_files])
    )
    now = now or datetime.now(timezone.utc)
    raw = [_entry(f, _rule(ruleset, f.rule), report, now) for f in report.findings]
    raw.sort(key=_risk_key)
    entries = tuple(attrs.evolve(e, rank=n) for n, e in enumerate(raw, 1))
    return Checklist(
        repository=report.repository,
        generated_at=now.isoformat(timespec="seconds"),
        entries=entries,
        complete=report.complete,
        coverage=tuple(w.message for w in report.warnings if w.reduces_coverage),
    )


def _rule(ruleset: RuleSet, rule_id: str) -> Rule | None:
    try:
        return ruleset.by_id(rule_id)
    except KeyError:
        return None


def _risk_key(entry: ChecklistEntry) -> tuple[int, int, int, str]:
    return (
        -SEVERITY_RANK.get(entry.severity, 0),
        -int(entry.published),
        -(entry.exposure_days or 0),
        entry.fingerprint,
    )


def _entry(
    finding: Finding, rule: Rule | None, report: Report, now: datetime
) -> ChecklistEntry:
    first = finding.first_date
    days = None
    if first:
        started = datetime.fromisoformat(first)
        days = max(0, (now - started).days)
    refs = finding.refs
    guide = rule.revocation if rule is not None else None
    has_guidance = bool(guide and guide.how and guide.url)
    audit = (guide.audit if guide else "") or "the provider's access logs"
    if first:
        audit = f"{audit} (from {first[:10]}, the first commit that held it, until revocation)"
    return ChecklistEntry(
        rank=0,
        fingerprint=finding.fingerprint,
        rule=finding.rule,
        name=finding.name,
        provider=finding.provider,
        severity=finding.severity,
        identity=identity_of(finding, report, guide.identity if guide else ""),
        first_seen=first,
        exposure_days=days,
        published=any(r.startswith(PUBLISHED) for r in refs),
        refs=refs,
        at_head=finding.at_head,
        how=(guide.how if has_guidance and guide else "")
        or f"no revocation guidance for rule {finding.rule}: follow "
        f"{finding.provider}'s documentation to revoke or rotate it",
        url=guide.url if guide else "",
        audit=audit,
        replace_with=(guide.replace_with if guide else "")
        or "short-lived credentials issued at run time, kept in a secrets manager",
        has_guidance=has_guidance,
    )


def identity_of(finding: Finding, report: Report, hint: str = "") -> str:
    """Return what to look the credential up by, never the whole secret.

    An AWS access key id is an identifier, not a secret, so it is shown in
    full; an AWS secret key is named by the key id found next to it.
    Everything else is named by its redacted form and fingerprint.
    """
    short = f"fingerprint {finding.fingerprint[:16]}"
    if finding.rule == "aws-access-key-id" and not finding.redacted:
        return f"AWS access key id {finding.secret}"
    if finding.rule == "aws-secret-access-key":
        blobs = {o.object for o in finding.occurrences}
        for other in report.findings:
            if other.rule == "aws-access-key-id" and blobs & {
                o.object for o in other.occurrences
            }:
                return f"secret of AWS access key id {other.secret} ({short})"
    shown = finding.secret if finding.redacted else redact(finding.secret)
    tail = f"; look up by {hint}" if hint else ""
    return f"{shown} ({short}){tail}"


def render_markdown(listing: Checklist) -> str:
    """Return the checklist as Markdown: a task list, riskiest first."""
    lines = [
        f"# Revocation checklist for {listing.repository}",
        "",
        (
            "Revoke or rotate these before rewriting history: a rewrite does not "
            "make a leaked credential safe."
        ),
        "",
    ]
    if not listing.complete:
        lines += [
            "**Coverage is incomplete: credentials in what the scan could not read "
            "are not on this list.**",
            "",
            *[f"- {reason}" for reason in listing.coverage],
            "",
        ]
    if not listing.entries:
        lines.append(
            "Nothing to revoke: the report has no findings."
            if listing.complete
            else "Nothing to revoke in what was scanned."
        )
    for e in listing.entries:
        exposure = (
            f"{e.exposure_days} day(s) since {e.first_seen[:10]}"
            if e.first_seen and e.exposure_days is not None
            else "unknown (no commit holds it)"
        )
        reach = "published ref" if e.published else "no published ref"
        lines += [
            f"## {e.rank}. [ ] {e.provider}: {e.name} ({e.severity}, {reach})",
            "",
            f"- identity: {e.identity}",
            f"- exposed: {exposure}{'; still at HEAD' if e.at_head else ''}",
            f"- refs: {', '.join(e.refs) or 'none (reflog or unreachable only)'}",
            f"- revoke: {e.how}" + (f" <{e.url}>" if e.url else ""),
            f"- audit: {e.audit}",
            f"- replace with: {e.replace_with}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"
