"""Command-line behaviour a first-time user runs into."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest

from gitsweep import fakes
from gitsweep.cli import main
from gitsweep.gitbuild import GitBuilder


@pytest.fixture
def leaky(builder: GitBuilder, rng: random.Random) -> GitBuilder:
    builder.write("deploy.sh", f"export GITHUB_TOKEN={fakes.github_token(rng)}\n")
    builder.commit("add deploy script")
    return builder


def test_output_into_missing_folder_is_a_user_error(
    leaky: GitBuilder, tmp_path: Path, capsys
) -> None:
    """A bad --output path names the path and the fix, not a Python error."""
    code = main(
        ["scan", str(leaky.path), "-q", "-o", str(tmp_path / "nodir" / "r.json")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot write" in err and "nodir" in err
    assert "FileNotFoundError" not in err and "report it" not in err


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("r.json", lambda text: "findings" in json.loads(text)),
        ("r.sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
        ("r.md", lambda text: text.startswith("# gitsweep report")),
        ("r.txt", lambda text: "status:" in text),
    ],
)
def test_format_follows_the_output_suffix(
    leaky: GitBuilder, tmp_path: Path, name, check
) -> None:
    """Without -f, `-o report.json` writes JSON, `.sarif` SARIF, `.md` Markdown."""
    out = tmp_path / name
    assert main(["scan", str(leaky.path), "-q", "-o", str(out)]) == 1
    assert check(out.read_text())


def test_bad_size_says_what_a_size_is(leaky: GitBuilder, capsys) -> None:
    """`--max-blob-size 10Q` explains the accepted units."""
    with pytest.raises(SystemExit) as stop:
        main(["scan", str(leaky.path), "--max-blob-size", "10Q"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'10Q' is not a size" in err and "_size" not in err


def test_missing_path_is_called_missing(tmp_path: Path, capsys) -> None:
    """A path that does not exist is not called 'not a repository'."""
    assert main(["scan", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_verbose_logs_each_phase(leaky: GitBuilder, caplog) -> None:
    """`-v` logs the walk and provenance phases with counts and timings."""
    with caplog.at_level(logging.INFO, logger="gitsweep"):
        main(["-v", "scan", str(leaky.path), "-q", "--no-cache", "-j", "1"])
    text = caplog.text
    assert "walk:" in text and "provenance:" in text and " s" in text
