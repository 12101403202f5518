"""Notebook helpers: a `Report` as pandas frames and matplotlib plots.

Beside `render`, for people investigating in Jupyter.  `findings_frame`
has one row per finding with its exposure (first introduced, removed from
HEAD's branch or not, days exposed, published refs); `occurrences_frame`
one row per occurrence.  `plot_exposure` draws one bar per secret over
time, `plot_findings_by` counts findings per provider or author.

pandas and matplotlib are optional: install them with
`pip install 'gitsweep[notebook]'`.  Secrets are redacted unless asked.
"""

from __future__ import annotations

import importlib
import logging
import os
from datetime import datetime, timezone
from typing import Any

import attrs
import pygit2

from . import walker
from .errors import GitsweepError, NotARepositoryError
from .findings import SOURCE_BLOB, Finding, redact
from .report import Report

log = logging.getLogger(__name__)

#: Ref prefixes a remote serves to whoever clones it.
PUBLISHED_PREFIXES = ("refs/heads/", "refs/tags/", "refs/remotes/")
#: Commits of HEAD's first-parent line searched for a secret's removal.
REMOVAL_SEARCH_LIMIT = 20_000


class MissingExtraError(GitsweepError, ImportError):
    """An optional dependency of `gitsweep.notebook` is not installed."""

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(
            f"gitsweep.notebook (gitsweep/notebook.py) needs {module}, which is "
            "not installed; install the notebook extra with "
            "pip install 'gitsweep[notebook]'"
        )


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module.split(".")[0]) from None


@attrs.frozen(slots=True)
class Exposure:
    """How long one secret has been exposed, and where it is published.

    `removed` is when a commit of HEAD's first-parent line took it out of
    the tree, or None while HEAD holds it, or when it never was on that
    line (a deleted branch, a commit message: it stays in the commit).
    """

    fingerprint: str
    first: datetime | None
    removed: datetime | None
    end: datetime | None
    published_refs: tuple[str, ...]

    @property
    def days(self) -> float | None:
        """Return the days from first introduction to removal or now."""
        if self.first is None or self.end is None:
            return None
        return (self.end - self.first).total_seconds() / 86400


def published_refs(finding: Finding) -> tuple[str, ...]:
    """Return the branches, tags and remote refs that hold a finding."""
    return tuple(r for r in finding.refs if r.startswith(PUBLISHED_PREFIXES))


def exposures(
    report: Report, *, now: datetime | None = None, repository: str | None = None
) -> dict[str, Exposure]:
    """Return the exposure of each finding, keyed by fingerprint.

    Removal dates are read from the repository (`repository`, or the one
    the report names) when it is there; without it, every bar runs to now.
    """
    now = now or datetime.now(timezone.utc)
    chain = _first_parent_line(repository or report.repository)
    result = {}
    for finding in report.findings:
        first = _parse_date(finding.first_date)
        removed = None if finding.at_head else _removal_date(finding, chain)
        end = (removed or now) if first is not None else None
        result[finding.fingerprint] = Exposure(
            finding.fingerprint, first, removed, end, published_refs(finding)
        )
    return result


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except ValueError:
        return None


def _first_parent_line(path: str) -> list[pygit2.Commit]:
    """Return HEAD's first-parent commits, newest first (empty without one)."""
    try:
        repo = walker.open_repository(path)
    except NotARepositoryError:
        log.info("repository %s not found; exposure bars run to now", path)
        return []
    if repo.head_is_unborn:
        return []
    commit = repo.head.peel(pygit2.Commit)
    line: list[pygit2.Commit] = []
    current: pygit2.Commit | None = commit
    while current is not None and len(line) < REMOVAL_SEARCH_LIMIT:
        line.append(current)
        current = current.parents[0] if current.parents else None
    return line


def _removal_date(finding: Finding, line: list[pygit2.Commit]) -> datetime | None:
    """Return when HEAD's line last dropped the finding's blob, if it held it."""
    # LIMITATION: only HEAD's first-parent line is searched, so a secret
    # removed on a side branch that was merged gets that merge's date, and
    # one never on that line has no removal date (its bar runs to now).
    places = {
        (path, o.object)
        for o in finding.occurrences
        if o.source == SOURCE_BLOB
        for path in o.paths
    }
    if not places:
        return None
    newer = None
    for commit in line:
        if any(_holds(commit.tree, path, oid) for path, oid in places):
            if newer is None:
                return None
            return datetime.fromtimestamp(newer.author.time, timezone.utc)
        newer = commit
    return None


def _holds(tree: pygit2.Tree, path: str, oid: str) -> bool:
    try:
        return str(tree[path].id) == oid
    except (KeyError, ValueError):
        return False


def findings_frame(
    report: Report,
    *,
    reveal: bool = False,
    now: datetime | None = None,
    repository: str | None = None,
) -> Any:
    """Return a pandas DataFrame with one row per finding.

    Columns: rule, name, provider, severity, confidence, secret (redacted
    unless `reveal`), fingerprint, first_introduced, removed, exposure_days,
    published, published_refs, at_head, reachable, occurrences, paths,
    author, commit.  Times are UTC pandas timestamps.
    """
    pd = _require("pandas")
    spans = exposures(report, now=now, repository=repository)
    rows = []
    for f in report.findings:
        span = spans[f.fingerprint]
        first = f.occurrences[0] if f.occurrences else None
        rows.append(
            {
                "rule": f.rule,
                "name": f.name,
                "provider": f.provider,
                "severity": f.severity,
                "confidence": f.confidence,
                "secret": f.secret if reveal or f.redacted else redact(f.secret),
                "fingerprint": f.fingerprint,
                "first_introduced": span.first,
                "removed": span.removed,
                "exposure_days": span.days,
                "published": bool(span.published_refs),
                "published_refs": ", ".join(span.published_refs),
                "at_head": f.at_head,
                "reachable": f.reachable,
                "occurrences": len(f.occurrences),
                "paths": ", ".join(sorted({p for o in f.occurrences for p in o.paths})),
                "author": first.author if first else None,
                "commit": first.commit if first else None,
            }
        )
    frame = pd.DataFrame(rows, columns=_FINDING_COLUMNS)
    for column in ("first_introduced", "removed"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


_FINDING_COLUMNS = [
    "rule",
    "name",
    "provider",
    "severity",
    "confidence",
    "secret",
    "fingerprint",
    "first_introduced",
    "removed",
    "exposure_days",
    "published",
    "published_refs",
    "at_head",
    "reachable",
    "occurrences",
    "paths",
    "author",
    "commit",
]

_OCCURRENCE_COLUMNS = [
    "fingerprint",
    "rule",
    "provider",
    "source",
    "object",
    "path",
    "line",
    "column",
    "field",
    "commit",
    "commit_subject",
    "author",
    "author_email",
    "date",
    "refs",
    "reflogs",
    "reachable",
    "at_head",
    "stashed",
    "signed",
]


def occurrences_frame(report: Report) -> Any:
    """Return a pandas DataFrame with one row per occurrence of each finding.

    Secrets are not in it: join on `fingerprint` with `findings_frame`.
    `date` is the author date of the introducing commit, in UTC.
    """
    pd = _require("pandas")
    rows = []
    for f in report.findings:
        for o in f.occurrences:
            row = {k: getattr(o, k) for k in _OCCURRENCE_COLUMNS[3:]}
            row.update(fingerprint=f.fingerprint, rule=f.rule, provider=f.provider)
            row["refs"] = ", ".join(o.refs)
            row["reflogs"] = ", ".join(o.reflogs)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=_OCCURRENCE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    return frame


def plot_exposure(
    report: Report,
    *,
    ax: Any = None,
    now: datetime | None = None,
    repository: str | None = None,
) -> Any:
    """Draw one bar per secret from first introduction to removal or now.

    Red bars are secrets a published ref (branch, tag, remote branch)
    holds, with a triangle at the bar's end and the refs named; grey bars
    are held only by reflogs, stashes or nothing.  Returns the Axes.
    """
    plt = _require("matplotlib.pyplot")
    mdates = _require("matplotlib.dates")
    frame = findings_frame(report, now=now, repository=repository)
    frame = frame.dropna(subset=["first_introduced"])
    if ax is None:
        _fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * max(len(frame), 1)))
    now = now or datetime.now(timezone.utc)
    bars = []
    for row in frame.itertuples(index=False):
        start = mdates.date2num(row.first_introduced.to_pydatetime())
        removed = row.removed.to_pydatetime() if not _is_missing(row.removed) else None
        bars.append((start, mdates.date2num(removed or now)))
    # A secret removed within the hour still gets a visible sliver.
    span = max((b for _, b in bars), default=1.0) - min(
        (a for a, _ in bars), default=0.0
    )
    for y, (row, (start, stop)) in enumerate(zip(frame.itertuples(index=False), bars)):
        color = "tab:red" if row.published else "tab:gray"
        ax.barh(y, max(stop - start, span / 150), left=start, height=0.6, color=color)
        if row.published:
            ax.plot(stop, y, marker=">", color="black", markersize=7)
            ax.annotate(
                row.published_refs,
                (stop, y),
                xytext=(6, -3),
                textcoords="offset points",
                fontsize=8,
            )
    if bars:
        left, right = ax.get_xlim()
        ax.set_xlim(left, right + (right - left) * 0.3)  # room for ref names
    ax.set_yticks(range(len(frame)))
    ax.set_yticklabels([f"{r} {s}" for r, s in zip(frame["rule"], frame["secret"])])
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.set_xlabel("first introduced → removed from HEAD's branch, or now")
    ax.set_title("Exposure of each secret (red: a published ref holds it)")
    ax.figure.autofmt_xdate()
    return ax


def _is_missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def plot_findings_by(report: Report, by: str = "provider", *, ax: Any = None) -> Any:
    """Draw a bar chart of findings per `provider`, `author` or `rule`."""
    if by not in ("provider", "author", "rule"):
        raise ValueError(f"by must be provider, author or rule, not {by!r}")
    plt = _require("matplotlib.pyplot")
    frame = findings_frame(report)
    counts = frame[by].fillna("(unknown)").value_counts().sort_index()
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 1.2 + 0.4 * max(len(counts), 1)))
    ax.barh(list(counts.index), list(counts.values), color="tab:blue")
    ax.invert_yaxis()
    ax.set_xlabel("findings")
    ax.set_title(f"Findings per {by}")
    return ax


def save_png(ax: Any, path: str | os.PathLike[str]) -> None:
    """Write the figure of `ax` to a PNG file."""
    ax.figure.savefig(os.fspath(path), format="png", dpi=100, bbox_inches="tight")
