"""Baselines: known findings left out, new ones still reported."""

from __future__ import annotations

import json

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.baseline import BaselineError, load_baseline
from gitsweep.cli import main


def _leak(builder, rng, rel: str) -> str:
    token = fakes.github_token(rng)
    builder.write(rel, f"TOKEN = '{token}'\n")
    builder.commit(f"add {rel}")
    return token


def test_round_trip_reports_only_the_new_secret(builder, rng, tmp_path, capsys):
    """Scan, write a baseline, rescan: nothing new; add a secret: only it."""
    _leak(builder, rng, "a.py")
    _leak(builder, rng, "b.py")
    baseline = tmp_path / "baseline.json"
    repo = str(builder.path)

    assert main(["scan", repo, "--baseline", str(baseline), "--update-baseline"]) == 0
    assert main(["scan", repo, "--baseline", str(baseline)]) == 0
    assert "2 known finding(s)" in capsys.readouterr().out

    _leak(builder, rng, "c.py")
    code = main(["scan", repo, "--baseline", str(baseline), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["occurrences"][0]["path"] for f in data["findings"]] == ["c.py"]


def test_baseline_holds_no_secret_line_or_commit(builder, rng, tmp_path):
    """Entries are rule and fingerprint only, so they survive history churn."""
    token = _leak(builder, rng, "a.py")
    report = gitsweep.scan(builder.path)
    baseline = tmp_path / "b.json"
    main(["scan", str(builder.path), "--baseline", str(baseline), "--update-baseline"])

    text = baseline.read_text()
    occ = report.findings[0].occurrences[0]
    assert token not in text and occ.commit not in text and occ.object not in text
    assert json.loads(text)["entries"] == [
        {"rule": "github-classic-pat", "fingerprint": report.findings[0].fingerprint}
    ]

    # Moving the secret to another file and line keeps it known.
    builder.git("rm", "-q", "a.py")
    builder.write("src/settings.py", f"# moved\n\nTOKEN = '{token}'\n")
    builder.commit("move it")
    assert gitsweep.scan(builder.path, baseline=baseline).findings == ()


def test_baseline_is_written_deterministically(builder, rng, tmp_path):
    """Two writes of the same findings give the same bytes, sorted entries."""
    for rel in ("z.py", "a.py", "m.py"):
        _leak(builder, rng, rel)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    for path in (first, second):
        main(["scan", str(builder.path), "--baseline", str(path), "--update-baseline"])
    assert first.read_bytes() == second.read_bytes()
    entries = json.loads(first.read_text())["entries"]
    assert entries == sorted(entries, key=lambda e: (e["rule"], e["fingerprint"]))


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "file not found"),
        ("{not json", "not valid JSON"),
        ('{"tool": "other"}', "not a gitsweep baseline"),
        ('{"tool": "gitsweep", "baseline_format": 99, "entries": []}', "format 99"),
        ('{"tool": "gitsweep", "baseline_format": 1, "entries": [{}]}', "lacks"),
    ],
)
def test_bad_baseline_names_the_file_and_the_fix(
    tmp_path, builder, content, says, capsys
):
    """A missing or corrupt baseline stops the scan with the way out."""
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError, match=says) as caught:
        load_baseline(path)
    assert str(path) in str(caught.value) and "--update-baseline" in str(caught.value)

    builder.write("a", "a\n")
    builder.commit("initial")
    assert main(["scan", str(builder.path), "--baseline", str(path)]) == 2
    assert str(path) in capsys.readouterr().err


def test_baseline_from_another_rule_set_still_applies_with_a_note(
    builder, rng, tmp_path
):
    """A rule set change keeps entries valid but says to review and refresh."""
    _leak(builder, rng, "a.py")
    path = tmp_path / "b.json"
    main(["scan", str(builder.path), "--baseline", str(path), "--update-baseline"])
    data = json.loads(path.read_text())
    data["ruleset"] = "0000000000000000"
    path.write_text(json.dumps(data))

    report = gitsweep.scan(builder.path, baseline=path)
    assert report.findings == ()
    note = [w for w in report.warnings if w.kind == "baseline-ruleset"]
    assert note and str(path) in note[0].message
    assert "--update-baseline" in note[0].message
    assert report.exit_code == 0


def test_update_baseline_needs_a_file(builder, capsys):
    """--update-baseline alone says which option it needs."""
    builder.write("a", "a\n")
    builder.commit("initial")
    assert main(["scan", str(builder.path), "--update-baseline"]) == 2
    assert "--baseline FILE" in capsys.readouterr().err
