"""Allowlist: drop matches and findings that a repository says are fine.

Two places in the pipeline.  Right after the matcher, `drop_marked` removes
matches whose line carries the inline marker `gitsweep:allow` (a deliberate
fake in a test, say).  After provenance, `apply_allowlist` removes the
occurrences at allowlisted paths and the findings whose value is allowed by
a regex or by its fingerprint, as configured in `config`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

import attrs
import regex

from .config import Config
from .findings import SOURCE_BLOB, Finding, Match
from .matcher import decode_utf16
from .report import Report, ScanWarning

#: The inline marker: on the line of a match, it allows that match.
ALLOW_MARKER = b"gitsweep:allow"


def has_marker(data: bytes, start: int, end: int) -> bool:
    """Return whether the lines spanning data[start:end] hold the marker.

    Offsets are bytes, 0-based, end-exclusive.
    """
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", max(end, start))
    if line_end < 0:
        line_end = len(data)
    return data.find(ALLOW_MARKER, line_start, line_end) >= 0


def drop_marked(data: bytes, matches: list[Match]) -> list[Match]:
    """Return `matches` minus those on a line with the inline marker.

    `data` is the object's content as given to the matcher; for UTF-16
    text the matcher's offsets refer to the decoded text, so it is decoded
    again here (only when such a match exists).
    """
    if not matches or ALLOW_MARKER not in data and not _any_utf16(matches):
        return matches
    texts: dict[str | None, bytes] = {None: data}
    kept = []
    for match in matches:
        if match.encoding not in texts:
            decoded = decode_utf16(data)
            texts[match.encoding] = decoded[0] if decoded else data
        if not has_marker(texts[match.encoding], match.start, match.end):
            kept.append(match)
    return kept


def _any_utf16(matches: Iterable[Match]) -> bool:
    return any(m.encoding for m in matches)


def is_allowed_path(path: str, patterns: Sequence[str]) -> bool:
    """Return whether `path` (slash-separated) matches an allowlist glob.

    Paths are relative to the top of the work tree.  A pattern ending in
    `/` allows everything below that folder; other patterns are shell globs
    on the whole path, where `*` also crosses `/` (`*/fixtures/*` allows a
    fixtures folder at any depth).
    """
    for pattern in patterns:
        if pattern.endswith("/"):
            if path.startswith(pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def is_allowed_value(finding: Finding, config: Config) -> bool:
    """Return whether a finding's secret is allowlisted by value or fingerprint."""
    if finding.fingerprint in config.allowlist_fingerprints:
        return True
    secret = finding.secret
    return any(regex.search(p, secret) for p in config.allowlist_values)


def filter_findings(
    findings: Iterable[Finding], config: Config
) -> tuple[list[Finding], int]:
    """Return (kept findings, number dropped) under `config`'s allowlist.

    An occurrence is dropped when it is a blob all of whose paths are
    allowlisted; a finding goes when no occurrence is left or its value is
    allowed.  Commit and tag messages have no path, so only values allow
    them.
    """
    kept: list[Finding] = []
    dropped = 0
    for finding in findings:
        if is_allowed_value(finding, config):
            dropped += 1
            continue
        occurrences = tuple(
            o
            for o in finding.occurrences
            if not (
                config.allowlist_paths
                and o.source == SOURCE_BLOB
                and o.paths
                and all(is_allowed_path(p, config.allowlist_paths) for p in o.paths)
            )
        )
        if not occurrences:
            dropped += 1
        elif len(occurrences) == len(finding.occurrences):
            kept.append(finding)
        else:
            kept.append(attrs.evolve(finding, occurrences=occurrences))
    return kept, dropped


def apply_allowlist(report: Report, config: Config) -> Report:
    """Return `report` without the findings `config` allows.

    A note says how many were left out and which file allowed them, so a
    clean report never hides that an allowlist was at work.
    """
    if config.is_empty:
        return report
    kept, dropped = filter_findings(report.findings, config)
    if not dropped:
        return report
    note = ScanWarning(
        "allowlisted",
        f"{dropped} finding(s) not reported: allowlisted by {config.source}",
        path=config.source,
    )
    return attrs.evolve(report, findings=tuple(kept), warnings=(*report.warnings, note))
