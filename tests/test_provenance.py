"""Provenance on one history that hides secrets everywhere git can.

One repository, built with real git, holds fake secrets in a file added
and later deleted, a renamed file, a branch deleted with its reflog
expired, a commit message, a stash, an annotated tag message, and in both
packed and loose objects, each beside a placeholder that must not be
reported.  The scan must place each secret exactly: introducing commit,
path, line, refs and reachability.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.findings import Occurrence
from gitsweep.gitbuild import GitBuilder
from gitsweep.report import Report

#: Stand-ins people write next to real values; none is a finding.
PLACEHOLDERS = [
    "GITHUB_TOKEN_EXAMPLE=ghp_" + "x" * 36,
    "AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7" + "EXAMPLE'",
    "STRIPE_SECRET_KEY=sk_live_...",
    "api_key = 'your-api-key-here'",
    "password = changeme",
]


class History:
    """The built repository and what the test planted where."""

    def __init__(self, builder: GitBuilder, rng: random.Random) -> None:
        self.repo = builder
        self.secret = {name: fakes.github_token(rng) for name in "ABCEFG"}
        self.secret["D"] = fakes.slack_webhook(rng)
        self.commit: dict[str, str] = {}
        self.build()

    def build(self) -> None:
        """Plant one secret per place; see the module docstring."""
        repo, s, c = self.repo, self.secret, self.commit
        repo.write("README.md", "# orders\n" + "\n".join(PLACEHOLDERS) + "\n")
        repo.commit("initial")

        repo.write(".env", f"{PLACEHOLDERS[0]}\nGITHUB_TOKEN={s['A']}\n")
        c["A"] = repo.commit("add env")
        repo.git("rm", "-q", ".env")
        c["A-removed"] = repo.commit("remove env")

        repo.write(
            "config/settings.py",
            f"{PLACEHOLDERS[1]}\n{PLACEHOLDERS[3]}\ntoken = '{s['B']}'\n",
        )
        c["B"] = repo.commit("add settings")
        repo.git("mv", "config/settings.py", "config/prod.py")
        c["B-renamed"] = repo.commit("rename settings for production")
        repo.git("repack", "-a", "-d", "-q")

        repo.git("checkout", "-q", "-b", "experiment")
        repo.write(
            "deploy.sh", f"#!/bin/sh\nexport GITHUB_TOKEN={s['C']}\n{PLACEHOLDERS[2]}\n"
        )
        c["C"] = repo.commit("try deploy script")
        repo.git("checkout", "-q", "main")
        repo.git("branch", "-q", "-D", "experiment")
        repo.git("reflog", "expire", "--expire-unreachable=now", "--all")

        repo.write("notify.py", "def notify(msg):\n    return msg\n")
        c["D"] = repo.commit(
            "wire notifications", "-m", f"Hook for now:\n{s['D']}\n{PLACEHOLDERS[4]}"
        )

        repo.write("app.py", f"{PLACEHOLDERS[3]}\nGITHUB_TOKEN = '{s['G']}'\n")
        c["G"] = repo.commit("add app")

        repo.write("app.py", f"{PLACEHOLDERS[3]}\nGITHUB_TOKEN = '{s['E']}'\n")
        repo.clock += 3600
        repo.git("stash", "push", "-q", "-m", "wip: real token")
        c["E"] = repo.git("rev-parse", "refs/stash")

        repo.clock += 3600
        repo.git(
            "tag",
            "-a",
            "v1.0",
            "-m",
            f"release\n\ntoken used: {s['F']}\n{PLACEHOLDERS[0]}",
        )
        c["F"] = repo.git("rev-parse", "refs/tags/v1.0")

    def date(self, name: str) -> str:
        """Return the author date git shows for the commit of `name`."""
        return self.repo.git("log", "-1", "--format=%aI", self.commit[name])

    def is_loose(self, oid: str) -> bool:
        """Return whether the object sits in a loose file."""
        return (self.repo.path / ".git" / "objects" / oid[:2] / oid[2:]).is_file()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Build the history once for the module."""
    return History(
        GitBuilder(tmp_path_factory.mktemp("provenance") / "repo"), random.Random(99)
    )


@pytest.fixture(scope="module")
def report(history: History) -> Report:
    """Scan the history once for the module."""
    return gitsweep.scan(history.repo.path)


def occurrence(report: Report, secret: str) -> Occurrence:
    """Return the single occurrence of `secret`."""
    (finding,) = [f for f in report.findings if f.secret == secret]
    (occ,) = finding.occurrences
    return occ


def test_exactly_the_planted_secrets_are_found(
    history: History, report: Report
) -> None:
    """Every planted value once; no placeholder, doc key or masked value."""
    assert sorted(f.secret for f in report.findings) == sorted(history.secret.values())
    assert report.complete and report.exit_code == 1


def test_file_added_then_deleted(history: History, report: Report) -> None:
    """Commit, path, line and column of the add; in main's history only."""
    occ = occurrence(report, history.secret["A"])
    assert (occ.source, occ.commit, occ.path, occ.line, occ.column) == (
        "blob",
        history.commit["A"],
        ".env",
        2,
        len("GITHUB_TOKEN=") + 1,
    )
    assert occ.commit_subject == "add env" and occ.date == history.date("A")
    assert (occ.author, occ.author_email) == ("Dev One", "dev1@example.test")
    # The stash and the tag were made on top of main, so they hold it too.
    assert occ.refs == ("refs/heads/main", "refs/stash", "refs/tags/v1.0")
    assert occ.reachable and not occ.at_head and not occ.stashed


def test_renamed_file_keeps_its_first_path_and_lists_both(
    history: History, report: Report
) -> None:
    """A rename introduces no new secret: the first commit and path stand."""
    occ = occurrence(report, history.secret["B"])
    assert (occ.commit, occ.path, occ.line) == (
        history.commit["B"],
        "config/settings.py",
        3,
    )
    assert set(occ.paths) == {"config/settings.py", "config/prod.py"}
    assert occ.at_head and occ.reachable


def test_deleted_branch_is_unreachable(history: History, report: Report) -> None:
    """A branch deleted with its reflog expired: found, but nothing reaches it."""
    occ = occurrence(report, history.secret["C"])
    assert (occ.commit, occ.path, occ.line) == (history.commit["C"], "deploy.sh", 2)
    assert occ.commit_subject == "try deploy script"
    assert occ.refs == () and occ.reflogs == ()
    assert not occ.reachable and not occ.at_head


def test_commit_message(history: History, report: Report) -> None:
    """A webhook on the message's fourth line (subject, blank, body)."""
    occ = occurrence(report, history.secret["D"])
    assert (occ.source, occ.field, occ.line, occ.path) == ("commit", "message", 4, None)
    assert occ.object == occ.commit == history.commit["D"]
    assert "refs/heads/main" in occ.refs and occ.date == history.date("D")


def test_stash(history: History, report: Report) -> None:
    """A secret only in the stash names refs/stash and is marked stashed."""
    occ = occurrence(report, history.secret["E"])
    assert (occ.commit, occ.path, occ.line) == (history.commit["E"], "app.py", 2)
    assert occ.refs == ("refs/stash",) and occ.stashed and occ.reachable
    assert not occ.at_head


def test_annotated_tag_message(history: History, report: Report) -> None:
    """A token in a tag's message is found in the tag object."""
    occ = occurrence(report, history.secret["F"])
    assert (occ.source, occ.object, occ.field) == (
        "tag",
        history.commit["F"],
        "message",
    )
    assert occ.line == 3
    assert "refs/tags/v1.0" in occ.refs and occ.reachable


def test_packed_and_loose_objects(history: History, report: Report) -> None:
    """The repack put A's blob in a pack; G's blob is loose; both found."""
    packed = occurrence(report, history.secret["A"]).object
    loose = occurrence(report, history.secret["G"]).object
    assert not history.is_loose(packed) and history.is_loose(loose)
    occ = occurrence(report, history.secret["G"])
    assert (occ.commit, occ.path, occ.line) == (history.commit["G"], "app.py", 2)
    assert occ.at_head and "refs/heads/main" in occ.refs and not occ.stashed


def test_same_result_with_two_workers(history: History, report: Report) -> None:
    """Splitting the walk over processes changes nothing a user sees."""
    again = gitsweep.scan(history.repo.path, jobs=2)
    assert (
        again.to_dict(reveal=True)["findings"]
        == report.to_dict(reveal=True)["findings"]
    )


def test_scan_writes_nothing_into_the_repository(history: History) -> None:
    """A scan leaves every file of .git as it was."""
    git_dir = history.repo.path / ".git"

    def snapshot() -> dict[Path, tuple[int, int]]:
        return {
            p: (p.stat().st_size, p.stat().st_mtime_ns)
            for p in git_dir.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    gitsweep.scan(history.repo.path)
    assert snapshot() == before
