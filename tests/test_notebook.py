"""The investigation notebook and the notebook helpers."""

from __future__ import annotations

import base64
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes, notebook
from gitsweep.demo import build_demo_repository

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "investigate.ipynb"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _demo_secrets() -> list[str]:
    """Return the demo's secret values, made as the demo makes them."""
    rng = random.Random(7)
    _key_id, key_secret = fakes.aws_key_pair(rng)
    return [
        key_secret,
        fakes.stripe_live_key(rng),
        fakes.slack_webhook(rng),
        fakes.github_token(rng),
    ]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    build_demo_repository(folder)
    return gitsweep.scan(folder)


@pytest.mark.slow
def test_notebook_runs_with_a_real_kernel(tmp_path):
    """The notebook runs green; its tables, plots and checklist are there."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(
        str(o.get("text", "")) + "".join(str(v) for v in o.get("data", {}).values())
        for o in outputs
    )
    assert "stripe-live-secret-key" in text and "refs/heads/main" in text
    assert "Rewrite plan" in text and "Revocation checklist" in text
    pngs = [
        base64.b64decode(o.data["image/png"])
        for o in outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(pngs) >= 2 and all(p.startswith(PNG_MAGIC) for p in pngs)
    for secret in _demo_secrets():
        assert secret not in text


def test_findings_frame_measures_exposure(demo_report):
    """Removal from HEAD's branch ends a bar; a secret at HEAD runs to now."""
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    frame = notebook.findings_frame(demo_report, now=now).set_index("rule")

    stripe = frame.loc["stripe-live-secret-key"]
    assert stripe["removed"] is not None and stripe["exposure_days"] == pytest.approx(
        1 / 24
    )
    assert stripe["published"] and "refs/tags/v1.0" in stripe["published_refs"]

    aws = frame.loc["aws-secret-access-key"]
    assert aws["at_head"] and aws["removed"] != aws["removed"]  # NaT
    assert aws["exposure_days"] == pytest.approx(
        (now - aws["first_introduced"].to_pydatetime()).total_seconds() / 86400
    )

    deleted_branch = frame.loc["github-classic-pat"]
    assert not deleted_branch["published"] and not deleted_branch["reachable"]
    for secret in _demo_secrets():
        assert secret not in frame.to_string()


def test_occurrences_frame_has_one_row_per_occurrence(demo_report):
    """Rows join findings on fingerprint and carry no secret."""
    frame = notebook.occurrences_frame(demo_report)
    assert len(frame) == sum(len(f.occurrences) for f in demo_report.findings)
    assert "secret" not in frame.columns
    webhook = frame[frame["rule"] == "slack-webhook-url"].iloc[0]
    assert webhook["source"] == "commit" and webhook["field"] == "message"


def test_plots_render_to_png(demo_report, tmp_path):
    """Both plots save as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    for name, ax in [
        ("exposure", notebook.plot_exposure(demo_report)),
        ("provider", notebook.plot_findings_by(demo_report, "provider")),
        ("author", notebook.plot_findings_by(demo_report, "author")),
    ]:
        path = tmp_path / f"{name}.png"
        notebook.save_png(ax, path)
        assert path.read_bytes().startswith(PNG_MAGIC)
    assert len(notebook.plot_exposure(demo_report).patches) == len(demo_report.findings)


def test_missing_extra_names_the_install_command(demo_report, monkeypatch):
    """Without pandas the helpers say which extra to install."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'gitsweep\[notebook\]'"):
        notebook.findings_frame(demo_report)


def test_report_without_a_repository_runs_bars_to_now(demo_report, tmp_path):
    """A report loaded away from its repository still gets a timeline."""
    import attrs

    moved = attrs.evolve(demo_report, repository=str(tmp_path / "gone"))
    frame = notebook.findings_frame(moved)
    assert frame["removed"].isna().all()
    assert (frame["exposure_days"] > 0).all()


def test_plain_repr_of_a_report_holds_no_secret(demo_report):
    """What Jupyter stores as text/plain for a report must be redacted."""
    shown = repr(demo_report)
    assert not any(secret in shown for secret in _demo_secrets())
