"""Revision ranges: `--since` scans only what a range adds."""

from __future__ import annotations

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.cli import main
from gitsweep.revrange import RevisionRangeError, parse_range


def test_range_reports_only_secrets_the_branch_adds(builder, rng):
    """A pull request's check sees its own leak, not the old one on main."""
    builder.write("old.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.commit("old leak on main")
    base = builder.git("rev-parse", "HEAD")
    builder.git("checkout", "-q", "-b", "feature")
    builder.write("app.py", "x = 1\n")
    builder.commit("feature work")
    builder.write("new.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.commit("feature leak")

    full = gitsweep.scan(builder.path)
    ranged = gitsweep.scan(builder.path, since=f"{base}..feature")

    assert len(full.findings) == 2
    assert [f.occurrences[0].path for f in ranged.findings] == ["new.py"]
    assert ranged.stats.commits == 2
    # Trees the branch shares with main are known, not missing.
    assert ranged.complete


def test_since_ref_means_ref_to_head(builder, rng):
    """--since main on a branch equals main..HEAD."""
    builder.write("a.py", "a = 1\n")
    builder.commit("initial")
    builder.git("checkout", "-q", "-b", "topic")
    builder.write("b.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.commit("leak")
    assert main(["scan", str(builder.path), "--since", "main", "-q"]) == 1
    assert main(["scan", str(builder.path), "--since", "topic", "-q"]) == 0


def test_secret_removed_inside_the_range_is_still_found(builder, rng):
    """A key added then deleted within the pull request is still reported."""
    builder.write("a.py", "a = 1\n")
    base = builder.commit("initial")
    builder.write("k.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.commit("oops")
    builder.git("rm", "-q", "k.py")
    builder.commit("remove it")
    report = gitsweep.scan(builder.path, since=base)
    assert len(report.findings) == 1
    assert not report.findings[0].at_head


def test_secret_in_a_commit_message_of_the_range(builder, rng):
    """Commit objects of the range are scanned too."""
    builder.write("a.py", "a = 1\n")
    base = builder.commit("initial")
    builder.write("b.py", "b = 1\n")
    builder.commit("wire it", "-m", f"token {fakes.github_token(rng)}")
    found = gitsweep.scan(builder.path, since=base).findings
    assert [f.occurrences[0].source for f in found] == ["commit"]


@pytest.mark.parametrize(
    ("spec", "exclude", "include"),
    [
        ("main", "main", "HEAD"),
        ("a..b", "a", "b"),
        ("origin/main..", "origin/main", "HEAD"),
    ],
)
def test_parse_range(spec, exclude, include):
    """A lone ref and an open range both end at HEAD."""
    parsed = parse_range(spec)
    assert (parsed.exclude, parsed.include) == (exclude, include)


def test_unknown_base_says_how_to_fetch_it(builder, capsys):
    """A base CI did not fetch gets a message with the fix, exit code 2."""
    builder.write("a", "a\n")
    builder.commit("initial")
    with pytest.raises(RevisionRangeError, match="fetch-depth: 0"):
        gitsweep.scan(builder.path, since="origin/main")
    assert main(["scan", str(builder.path), "--since", "nope..HEAD"]) == 2
    assert "'nope'" in capsys.readouterr().err


def test_symmetric_range_is_refused():
    """A...B has no clear meaning for a pull request check."""
    with pytest.raises(RevisionRangeError, match="A..B"):
        parse_range("a...b")
