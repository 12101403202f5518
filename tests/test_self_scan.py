"""gitsweep's own history holds nothing outside its committed allowlist."""

from __future__ import annotations

from pathlib import Path

import pytest

import gitsweep

ROOT = Path(__file__).resolve().parents[1]


def test_own_repository_reports_nothing() -> None:
    """Fake tokens live only in the allowlisted rule examples; tests build
    theirs at run time.  A literal token committed anywhere else fails here."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    report = gitsweep.scan(ROOT, jobs=1)
    leaked = [
        (f.rule, o.path, o.line, (o.commit or "")[:12])
        for f in report.findings
        for o in f.occurrences
    ]
    assert leaked == []
