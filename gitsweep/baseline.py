"""Baseline: the findings a team already knows about, kept in a file.

After the report is built, `apply_baseline` drops the findings a baseline
lists, so a CI gate fails only on new secrets.  Entries are keyed by rule
id and SHA-256 fingerprint: never the secret, never a line number or a
commit id, which change whenever history does.  `write_baseline` sorts
the entries and writes no timestamp, so a baseline diffs cleanly.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from .errors import GitsweepError
from .findings import Finding
from .report import Report, ScanWarning

log = logging.getLogger(__name__)

#: Version of the baseline file layout.
BASELINE_FORMAT = 1


class BaselineError(GitsweepError, ValueError):
    """A baseline file cannot be used; the message names it and the fix."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        super().__init__(f"baseline {self.path}: {reason}")


def _fix(path: str | os.PathLike[str]) -> str:
    return f"write a new one with `gitsweep scan --baseline {path} --update-baseline`"


@attrs.frozen(slots=True)
class BaselineEntry:
    """One known finding: its rule and the fingerprint of its secret."""

    rule: str
    fingerprint: str


@attrs.frozen(slots=True)
class Baseline:
    """Known findings, the rule set that found them, and the file they came from."""

    entries: frozenset[BaselineEntry]
    ruleset: str = ""
    path: str | None = None

    def __contains__(self, finding: object) -> bool:
        if not isinstance(finding, Finding):
            return False
        return BaselineEntry(finding.rule, finding.fingerprint) in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def baseline_from_findings(findings: Iterable[Finding], ruleset: str = "") -> Baseline:
    """Return a baseline that lists each of `findings`."""
    entries = frozenset(BaselineEntry(f.rule, f.fingerprint) for f in findings)
    return Baseline(entries, ruleset)


def render_baseline(baseline: Baseline) -> str:
    """Return the baseline as JSON text: sorted, stable, no timestamps."""
    entries = sorted(baseline.entries, key=lambda e: (e.rule, e.fingerprint))
    data = {
        "tool": "gitsweep",
        "baseline_format": BASELINE_FORMAT,
        "ruleset": baseline.ruleset,
        "entries": [{"rule": e.rule, "fingerprint": e.fingerprint} for e in entries],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_baseline(path: str | os.PathLike[str], baseline: Baseline) -> None:
    """Write `baseline` to `path`, replacing the file atomically."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(render_baseline(baseline), encoding="utf-8")
    os.replace(temporary, path)
    log.info("baseline of %d finding(s) written to %s", len(baseline), path)


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; `BaselineError` says what is wrong and the fix."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(path, f"file not found; {_fix(path)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(path, f"cannot be read ({exc}); {_fix(path)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            path, f"not valid JSON ({exc}); restore it from git or {_fix(path)}"
        ) from None
    if not isinstance(data, dict) or data.get("tool") != "gitsweep":
        raise BaselineError(path, f"not a gitsweep baseline; {_fix(path)}")
    version = data.get("baseline_format")
    if version != BASELINE_FORMAT:
        raise BaselineError(
            path,
            f"baseline format {version!r} is not {BASELINE_FORMAT} (written by "
            f"another version of gitsweep); {_fix(path)}",
        )
    try:
        entries = frozenset(
            BaselineEntry(str(e["rule"]), str(e["fingerprint"]))
            for e in data["entries"]
        )
    except (KeyError, TypeError) as exc:
        raise BaselineError(
            path, f"an entry lacks {exc} or is not a table; {_fix(path)}"
        ) from None
    return Baseline(entries, str(data.get("ruleset", "")), os.fspath(path))


def apply_baseline(report: Report, baseline: Baseline) -> Report:
    """Return `report` without the findings `baseline` lists.

    A note says how many known findings were left out.  When the baseline
    was written with another rule set, its entries still apply (rule ids
    and fingerprints do not depend on the rule set), but a note says so and
    names the entries whose rule no longer exists.
    """
    kept = tuple(f for f in report.findings if f not in baseline)
    notes = []
    known = len(report.findings) - len(kept)
    where = baseline.path or "the baseline"
    if known:
        notes.append(
            ScanWarning(
                "baseline",
                f"{known} known finding(s) listed in {where} not reported",
                path=baseline.path,
            )
        )
    if baseline.ruleset and report.ruleset and baseline.ruleset != report.ruleset:
        notes.append(
            ScanWarning(
                "baseline-ruleset",
                f"{where} was written with rule set {baseline.ruleset}, this scan "
                f"used {report.ruleset}; its entries still apply, but findings of "
                "changed rules may show up again; review them, then run "
                f"`gitsweep scan --baseline {where} --update-baseline`",
                path=baseline.path,
            )
        )
    if not notes:
        return report
    return attrs.evolve(report, findings=kept, warnings=(*report.warnings, *notes))
