"""Report: the result of a scan, and its JSON form.

Stage 6 of the pipeline.  A `Report` holds the findings, the counters of
the walk and every warning about what could not be scanned.  It round-trips
through JSON; secrets are redacted in that JSON unless asked otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from .errors import ReportFormatError
from .findings import Finding, Occurrence, redact

#: Version of the JSON layout written by `Report.to_dict`.
REPORT_FORMAT = 1

#: Warning kinds that mean part of the history was not scanned.
COVERAGE_KINDS = frozenset(
    {
        "shallow",
        "missing-object",
        "unreadable-object",
        "unreadable-pack",
        "oversize-blob",
        "regex-timeout",
        "submodule",
        "partial-clone",
        "tree-too-deep",
    }
)


@attrs.frozen(slots=True)
class ScanWarning:
    """Something the scan could not do, where, and what to do about it."""

    kind: str
    message: str
    object: str | None = None
    path: str | None = None

    @property
    def reduces_coverage(self) -> bool:
        """Return whether this warning means some content went unscanned."""
        return self.kind in COVERAGE_KINDS


@attrs.frozen(slots=True)
class ScanStats:
    """Counters of one scan.  Bytes are blob bytes as stored, inflated."""

    objects: int = 0
    blobs: int = 0
    trees: int = 0
    commits: int = 0
    tags: int = 0
    bytes: int = 0
    skipped: int = 0
    skipped_bytes: int = 0
    lfs_pointers: int = 0
    #: Objects not read because the scan cache knew them clean.
    cached: int = 0
    candidates: int = 0
    matches: int = 0
    regex_timeouts: int = 0
    hidden_findings: int = 0
    seconds: float = 0.0
    walk_seconds: float = 0.0
    provenance_seconds: float = 0.0
    jobs: int = 1


@attrs.frozen(slots=True)
class Report:
    """Findings of a scan of one repository, with stats and warnings."""

    repository: str
    findings: tuple[Finding, ...]
    stats: ScanStats
    warnings: tuple[ScanWarning, ...] = ()
    shallow: bool = False
    ruleset: str = ""
    version: str = ""
    scanned_at: str = ""
    head: str | None = None

    @property
    def complete(self) -> bool:
        """Return whether every object of the history was scanned."""
        return not any(w.reduces_coverage for w in self.warnings)

    @property
    def exit_code(self) -> int:
        """Return the CLI exit code: 1 findings, 3 incomplete, 0 clean."""
        if self.findings:
            return 1
        return 0 if self.complete else 3

    @property
    def status(self) -> str:
        """Return a one-line summary that never calls a partial scan clean."""
        n = len(self.findings)
        if n:
            tail = "" if self.complete else "; coverage incomplete, see warnings"
            return f"{n} finding{'s' if n != 1 else ''}{tail}"
        if self.complete:
            return "no findings; every object was scanned"
        return "no findings in what was scanned, but coverage is incomplete"

    def to_dict(self, reveal: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dict; secrets redacted unless `reveal`."""
        findings = []
        for f in self.findings:
            item = attrs.asdict(f, recurse=True)
            if not reveal and not f.redacted:
                item["secret"] = redact(f.secret)
                item["redacted"] = True
            findings.append(item)
        return {
            "format": REPORT_FORMAT,
            "tool": "gitsweep",
            "version": self.version,
            "repository": self.repository,
            "scanned_at": self.scanned_at,
            "ruleset": self.ruleset,
            "head": self.head,
            "status": self.status,
            "complete": self.complete,
            "shallow": self.shallow,
            "stats": attrs.asdict(self.stats),
            "warnings": [attrs.asdict(w) for w in self.warnings],
            "findings": findings,
        }

    def to_json(self, reveal: bool = False, indent: int | None = 2) -> str:
        """Return the report as JSON text; see `to_dict`."""
        return json.dumps(self.to_dict(reveal), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from `to_dict` output."""
        try:
            if data.get("format") != REPORT_FORMAT:
                raise ReportFormatError(
                    f"report format {data.get('format')!r} is not {REPORT_FORMAT}; "
                    "rescan with this version of gitsweep"
                )
            findings = tuple(
                Finding(
                    **{
                        **f,
                        "occurrences": tuple(
                            Occurrence(**_tuples(o)) for o in f["occurrences"]
                        ),
                        "reasons": tuple(f.get("reasons", ())),
                    }
                )
                for f in data["findings"]
            )
            return cls(
                repository=data["repository"],
                findings=findings,
                stats=ScanStats(**data["stats"]),
                warnings=tuple(ScanWarning(**w) for w in data["warnings"]),
                shallow=data.get("shallow", False),
                ruleset=data.get("ruleset", ""),
                version=data.get("version", ""),
                scanned_at=data.get("scanned_at", ""),
                head=data.get("head"),
            )
        except (KeyError, TypeError) as exc:
            raise ReportFormatError(
                f"not a gitsweep report ({exc}); write one with "
                "`gitsweep scan --format json --output FILE`"
            ) from None

    @classmethod
    def from_json(cls, text: str) -> Report:
        """Rebuild a report from `to_json` output."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"report is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Report:
        """Read a report file written by `gitsweep scan --format json`."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ReportFormatError(f"cannot read report {path}: {exc}") from None
        return cls.from_json(text)

    def _repr_html_(self) -> str:
        from .render import render_html

        return render_html(self)


def _tuples(item: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}


def write_private(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` readable by its owner only (mode 0600).

    The file is created with that mode, so no other user can open it even
    for an instant; an existing file is narrowed to 0600 first.
    """
    path = os.fspath(path)
    if os.path.exists(path):
        os.chmod(path, 0o600)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
