"""Render a `Report` for people: a terminal table, Markdown and HTML.

The last stage, beside `report` (JSON) and `sarif`.  Secrets are redacted
unless the caller asks to reveal them.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from .findings import Finding, redact
from .report import Report


def _secret(finding: Finding, reveal: bool) -> str:
    if reveal or finding.redacted:
        return finding.secret
    return redact(finding.secret)


def _where(finding: Finding) -> str:
    occ = finding.occurrences[0]
    if occ.source == "blob":
        place = f"{occ.path or '(no path: unreachable blob)'}:{occ.line}"
    else:
        place = f"{occ.source} {occ.object[:12]} {occ.field or ''}".rstrip()
        if occ.field == "message":
            place += f" line {occ.line}"
    more = len(finding.occurrences) - 1
    return place + (f" (+{more} more)" if more else "")


def _exposure(finding: Finding) -> str:
    if finding.at_head:
        return "at HEAD"
    if finding.refs:
        return "in history"
    if any(o.reflogs for o in finding.occurrences):
        return "reflog only"
    return "unreachable"


def render_table(report: Report, reveal: bool = False, width: int = 100) -> str:
    """Return the report as a plain-text table with a summary line."""
    lines = [f"gitsweep {report.version}: {report.repository}"]
    if report.findings:
        header = ("RULE", "SECRET", "WHERE", "COMMIT", "DATE", "EXPOSURE")
        rows = []
        for f in report.findings:
            occ = f.occurrences[0]
            rows.append(
                (
                    f.rule,
                    _secret(f, reveal),
                    _where(f),
                    (occ.commit or "-")[:12],
                    (f.first_date or "-")[:10],
                    _exposure(f),
                )
            )
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        widths[2] = min(widths[2], 48)
        for row in [header, *rows]:
            cells = [
                c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(row, widths)
            ]
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    s = report.stats
    lines.append("")
    lines.append(
        f"{s.objects} objects ({s.blobs} blobs, {s.bytes / 1e6:.1f} MB, {s.commits} "
        f"commits, {s.tags} tags) in {s.seconds:.2f} s"
        + (
            f"; {s.hidden_findings} low-confidence finding(s) hidden"
            if s.hidden_findings
            else ""
        )
    )
    for w in report.warnings:
        lines.append(f"warning [{w.kind}]: {w.message}")
    lines.append(f"status: {report.status}")
    return "\n".join(lines) + "\n"


def render_markdown(report: Report, reveal: bool = False) -> str:
    """Return the report as a Markdown section with one row per finding."""
    out = [
        f"# gitsweep report: `{report.repository}`",
        "",
        f"**Status:** {report.status}",
        "",
    ]
    if report.findings:
        out += [
            "| rule | provider | secret | where | commit | first seen | exposure |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in report.findings:
            occ = f.occurrences[0]
            out.append(
                f"| {f.rule} | {f.provider} | `{_secret(f, reveal)}` | {_where(f)} | "
                f"{(occ.commit or '-')[:12]} | {(f.first_date or '-')[:10]} | {_exposure(f)} |"
            )
    if report.warnings:
        out += ["", "## Warnings", ""] + [
            f"- **{w.kind}**: {w.message}" for w in report.warnings
        ]
    return "\n".join(out) + "\n"


def exposure_days(finding: Finding, now: datetime | None = None) -> int | None:
    """Return whole days from the first introducing commit until `now`."""
    first = finding.first_date
    if not first:
        return None
    now = now or datetime.now(timezone.utc)
    return max(0, (now - datetime.fromisoformat(first)).days)


def published_refs(finding: Finding) -> tuple[str, ...]:
    """Return the branches and tags whose history holds the secret."""
    return tuple(r for r in finding.refs if r.startswith(("refs/heads/", "refs/tags/")))


def render_html(report: Report, reveal: bool = False) -> str:
    """Return the report as an HTML table (what Jupyter shows)."""
    esc = html.escape
    columns = (
        "rule",
        "provider",
        "confidence",
        "secret",
        "where",
        "first introduced",
        "exposure (days)",
        "published refs",
        "at HEAD",
    )
    rows = []
    for f in report.findings:
        occ = f.occurrences[0]
        days = exposure_days(f)
        published = published_refs(f)
        cells = (
            f.rule,
            f.provider,
            f.confidence,
            _secret(f, reveal),
            _where(f),
            f"{(f.first_date or '-')[:10]} {(occ.commit or '')[:12]}".strip(),
            "-" if days is None else str(days),
            ", ".join(published) or _exposure(f),
            "yes" if f.at_head else "no",
        )
        rows.append(
            "<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>"
        )
    head = "".join(f"<th>{esc(h)}</th>" for h in columns)
    warnings = "".join(
        f"<li>{esc(w.kind)}: {esc(w.message)}</li>" for w in report.warnings
    )
    return (
        f"<div><p><b>gitsweep</b> {esc(report.repository)}: {esc(report.status)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (f"<ul>{warnings}</ul>" if warnings else "")
        + "</div>"
    )


def render_jsonl(report: Report, reveal: bool = False) -> str:
    """Return one JSON object per finding, one per line."""
    import json

    data = report.to_dict(reveal)
    return "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in data["findings"])
