"""`gitsweep scan` and `gitsweep demo` as a user runs them.

Formats, redaction, the 0600 output file, and the exit codes: 0 clean and
complete, 1 findings, 2 error, 3 clean but incomplete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import subprocess
import tempfile
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.cli import main
from gitsweep.gitbuild import GitBuilder


@pytest.fixture
def leaky(builder: GitBuilder, rng: random.Random) -> tuple[Path, str]:
    """A repository with one token in a file, added then deleted."""
    token = fakes.github_token(rng)
    builder.write("README.md", "# app\n")
    builder.commit("initial")
    builder.write("deploy/env.sh", f"export GITHUB_TOKEN={token}\n")
    builder.commit("add deploy env")
    builder.git("rm", "-q", "deploy/env.sh")
    builder.commit("remove deploy env")
    return builder.path, token


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    code = main(["scan", "--quiet", "--jobs", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_is_redacted_by_default(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The table names rule, path and commit but never the whole secret."""
    path, token = leaky
    code, out, err = run(capsys, str(path))
    assert code == 1
    assert "github-classic-pat" in out and "deploy/env.sh" in out
    assert token not in out + err and token[:4] in out
    assert "status: 1 finding" in out


def test_reveal_shows_the_secret(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--reveal` prints the secret in full, in every format."""
    path, token = leaky
    for fmt in ("table", "json", "jsonl", "sarif"):
        code, out, _ = run(capsys, str(path), "--format", fmt, "--reveal")
        assert code == 1 and token in out, fmt


def test_json_has_the_documented_fields(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings, occurrences and stats carry the keys the issue lists."""
    path, token = leaky
    code, out, _ = run(capsys, str(path), "--format", "json", "--reveal")
    data = json.loads(out)
    (finding,) = data["findings"]
    assert {
        "rule",
        "provider",
        "fingerprint",
        "secret",
        "occurrences",
    } <= finding.keys()
    assert finding["fingerprint"] == hashlib.sha256(token.encode()).hexdigest()
    (occ,) = finding["occurrences"]
    keys = {"object", "source", "path", "line", "commit", "author", "date", "refs"}
    assert keys | {"reachable", "at_head"} <= occ.keys()
    assert (occ["path"], occ["line"], occ["at_head"]) == ("deploy/env.sh", 1, False)
    assert {"objects", "blobs", "bytes", "skipped", "seconds"} <= data["stats"].keys()
    assert (code, data["complete"]) == (1, True)


def test_json_is_redacted_by_default(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `--reveal` no format holds the secret."""
    path, token = leaky
    for fmt in ("json", "jsonl", "sarif", "markdown"):
        _, out, _ = run(capsys, str(path), "--format", fmt)
        assert token not in out, fmt


def test_jsonl_is_one_finding_per_line(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = leaky
    _, out, _ = run(capsys, str(path), "--format", "jsonl")
    lines = out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["rule"] == "github-classic-pat"


def test_sarif_is_2_1_0_with_required_fields(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Version, schema, driver, rules, and results with a file location."""
    path, _ = leaky
    code, out, _ = run(capsys, str(path), "--format", "sarif")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    (run_,) = doc["runs"]
    driver = run_["tool"]["driver"]
    assert (
        driver["name"] == "gitsweep"
        and driver["rules"][0]["id"] == "github-classic-pat"
    )
    (result,) = run_["results"]
    assert result["ruleId"] == "github-classic-pat" and result["message"]["text"]
    assert result["ruleIndex"] == 0 and result["level"] in ("error", "warning", "note")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "deploy/env.sh"
    assert location["region"]["startLine"] == 1
    assert result["partialFingerprints"]
    assert code == 1


def test_output_file_is_private(
    leaky: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--output` writes mode 0600, even over an existing readable file."""
    path, token = leaky
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    target.write_text("{}")
    target.chmod(0o644)
    code, out, _err = run(
        capsys, str(path), "--format", "json", "--reveal", "--output", str(target)
    )
    assert code == 1 and out == ""
    assert target.stat().st_mode & 0o777 == 0o600
    assert json.loads(target.read_text())["findings"][0]["secret"] == token


def test_exit_0_when_clean_and_complete(
    builder: GitBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    builder.write("README.md", "# nothing to see\n")
    builder.commit("initial")
    code, out, _ = run(capsys, str(builder.path))
    assert code == 0 and "every object was scanned" in out


def test_exit_2_when_not_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line on stderr naming the path, no traceback."""
    code, out, err = run(capsys, str(tmp_path))
    assert code == 2 and out == ""
    assert (
        str(tmp_path) in err and "Traceback" not in err and len(err.splitlines()) == 1
    )


def test_exit_3_when_shallow(
    leaky: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shallow clone without findings is never reported clean."""
    path, _token = leaky
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{path}", str(clone)], check=True
    )
    code, out, _ = run(capsys, str(clone))
    assert code == 3 and "coverage is incomplete" in out and "shallow" in out


def test_logs_never_hold_a_secret(
    leaky: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Even at DEBUG, no log record holds the token."""
    path, token = leaky
    with caplog.at_level(logging.DEBUG, logger="gitsweep"):
        gitsweep.scan(path)
    assert caplog.records and token not in caplog.text


def test_demo_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitsweep demo` builds its repository, scans it and shows findings."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = main(["demo"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "github-classic-pat" in out and "status:" in out
    assert "Traceback" not in err


def test_demo_keep_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").write_text("mine")
    assert main(["demo", "--keep", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_sarif_gives_every_result_a_location(
    builder: GitBuilder, rng: random.Random, capsys: pytest.CaptureFixture[str]
) -> None:
    """A secret in a commit message still has a location, as GitHub requires."""
    builder.write("app.py", "print('hi')\n")
    builder.commit("wire hooks", "-m", f"token {fakes.github_token(rng)}")
    builder.git(
        "hash-object", "-w", "--stdin", input=f"{fakes.github_token(rng)}\n".encode()
    )

    code, out, _ = run(capsys, str(builder.path), "--format", "sarif")

    results = json.loads(out)["runs"][0]["results"]
    assert code == 1 and len(results) == 2
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri and result["properties"]["object"]
