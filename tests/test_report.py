"""A scan's `Report` survives JSON both revealed and redacted."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.errors import ReportFormatError
from gitsweep.gitbuild import GitBuilder
from gitsweep.report import Report, write_private


@pytest.fixture
def report(builder: GitBuilder, rng: random.Random) -> Report:
    """A report with blob, commit-message and skipped-blob content."""
    builder.write("a.env", f"TOKEN={fakes.github_token(rng)}\n")
    builder.write("big.bin", b"\0" * 5000)
    builder.commit("add env", "-m", f"also {fakes.github_token(rng)}")
    builder.git("tag", "-a", "v1", "-m", "release")
    report = gitsweep.scan(builder.path, max_blob_size=4096)
    assert len(report.findings) == 2 and report.stats.skipped == 1
    return report


def test_revealed_round_trip_is_equal(report: Report) -> None:
    """Every field, finding, occurrence and warning comes back the same."""
    again = Report.from_json(report.to_json(reveal=True))
    assert again == report
    assert (again.status, again.exit_code, again.complete) == (
        report.status,
        report.exit_code,
        report.complete,
    )


def test_redacted_round_trip_keeps_the_redaction(report: Report) -> None:
    """A redacted report reloads as redacted and is not redacted twice."""
    text = report.to_json()
    again = Report.from_json(text)
    assert all(f.redacted for f in again.findings)
    assert all(f.secret not in text for f in report.findings)
    assert again.to_json() == text
    assert [f.fingerprint for f in again.findings] == [
        f.fingerprint for f in report.findings
    ]


def test_load_from_a_private_file(report: Report, tmp_path: Path) -> None:
    """`write_private` makes a 0600 file that `Report.load` reads back."""
    path = tmp_path / "report.json"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, report.to_json(reveal=True))
    assert path.stat().st_mode & 0o777 == 0o600
    assert Report.load(path) == report


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": 999}),
        json.dumps({"format": 1, "findings": []}),
    ],
)
def test_broken_reports_raise_report_format_error(text: str) -> None:
    """Not JSON, another layout version, or missing keys: a clear error."""
    with pytest.raises(ReportFormatError):
        Report.from_json(text)
