"""SARIF 2.1.0 output, as GitHub code scanning loads it.

One result per occurrence.  Occurrences without a path (a commit or tag
message, a blob no tree names) are located at `.git`, since GitHub code
scanning refuses results without a location; the object id is in their
properties.  Secrets are redacted unless asked otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from .findings import redact
from .report import Report
from .rules import RuleSet

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def render_sarif(
    report: Report, ruleset: RuleSet | None = None, reveal: bool = False
) -> str:
    """Return the report as SARIF 2.1.0 JSON text."""
    rule_ids = sorted({f.rule for f in report.findings})
    by_id = {r.id: r for r in ruleset} if ruleset is not None else {}
    rules_meta: list[dict[str, Any]] = []
    for rid in rule_ids:
        finding = next(f for f in report.findings if f.rule == rid)
        rule = by_id.get(rid)
        meta: dict[str, Any] = {
            "id": rid,
            "name": "".join(p.capitalize() for p in rid.split("-")),
            "shortDescription": {"text": finding.name},
            "fullDescription": {
                "text": f"{finding.name} ({finding.provider}) committed to git history"
            },
            "defaultConfiguration": {"level": _LEVEL.get(finding.severity, "warning")},
            "properties": {
                "tags": ["security", "secret", finding.provider],
                "security-severity": _SCORE.get(finding.severity, "5.5"),
            },
        }
        if rule is not None and rule.reference:
            meta["helpUri"] = rule.reference
        if rule is not None and rule.revocation.how:
            meta["help"] = {"text": rule.revocation.how}
        rules_meta.append(meta)

    results = []
    for f in report.findings:
        shown = f.secret if (reveal or f.redacted) else redact(f.secret)
        for occ in f.occurrences:
            result: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": _LEVEL.get(f.severity, "warning"),
                "message": {
                    "text": f"{f.name} ({shown}) in {occ.source} {occ.object[:12]}"
                    + (
                        f", introduced by commit {occ.commit[:12]}"
                        if occ.commit
                        else ""
                    )
                },
                "partialFingerprints": {"secretFingerprint/v1": f.fingerprint},
                "properties": {
                    "object": occ.object,
                    "commit": occ.commit,
                    "refs": list(occ.refs),
                    "reachable": occ.reachable,
                    "atHead": occ.at_head,
                    "confidence": f.confidence,
                },
            }
            if occ.path:
                result["locations"] = [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": occ.path},
                            "region": {
                                "startLine": max(occ.line, 1),
                                "endLine": max(occ.end_line, occ.line, 1),
                                "startColumn": max(occ.column, 1),
                            },
                        }
                    }
                ]
            else:
                # GitHub code scanning rejects a whole upload when one result
                # has no location; a commit or tag message, or a blob no
                # tree names, points at the repository's git folder instead.
                result["locations"] = [
                    {"physicalLocation": {"artifactLocation": {"uri": ".git"}}}
                ]
            results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gitsweep",
                        "version": report.version,
                        "informationUri": "https://pypi.org/project/gitsweep/",
                        "rules": rules_meta,
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": w.message}}
                            for w in report.warnings
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
