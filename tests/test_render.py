"""What a person sees of a report: the terminal table and the HTML table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import gitsweep
from gitsweep.demo import build_demo_repository
from gitsweep.render import render_html, render_markdown, render_table


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> gitsweep.Report:
    folder = tmp_path_factory.mktemp("demo")
    build_demo_repository(folder)
    return gitsweep.scan(folder)


def test_html_shows_exposure_refs_and_no_secret(demo: gitsweep.Report) -> None:
    """The notebook table has exposure in days, published refs, at HEAD,
    and redacted secrets only."""
    page = render_html(demo)
    for column in ("first introduced", "exposure (days)", "published refs", "at HEAD"):
        assert f"<th>{column}</th>" in page
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", page)
    assert len(rows) == len(demo.findings)
    assert "refs/tags/v1.0" in page
    for finding in demo.findings:
        assert finding.secret not in page


@pytest.mark.parametrize("render", [render_table, render_markdown, render_html])
def test_every_view_redacts_unless_revealed(demo: gitsweep.Report, render) -> None:
    """Secrets appear only when the caller asks to reveal them."""
    hidden = render(demo)
    shown = render(demo, reveal=True)
    for finding in demo.findings:
        assert finding.secret not in hidden
        assert finding.secret in shown


def test_table_summary_agrees_with_findings(demo: gitsweep.Report) -> None:
    """The status line counts what the table lists."""
    text = render_table(demo)
    assert f"status: {len(demo.findings)} findings" in text
    assert text.count("\n") >= len(demo.findings) + 3
    assert Path(demo.repository).exists()
