"""Remediation as a first-time responder meets it: shallow clones, typos
in overrides, and the push commands printed after a rewrite."""

from __future__ import annotations

import random
import shlex
import subprocess
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.errors import PlanError
from gitsweep.gitbuild import GitBuilder


@pytest.fixture
def leaky(builder: GitBuilder, rng: random.Random) -> GitBuilder:
    builder.write("README.md", "# app\n")
    builder.commit("initial")
    builder.write("deploy.sh", f"export GITHUB_TOKEN={fakes.github_token(rng)}\n")
    builder.commit("add deploy script")
    builder.git("rm", "-q", "deploy.sh")
    builder.commit("remove deploy script")
    builder.write("notes.md", "notes\n")
    builder.commit("wire hooks", "-m", f"hook: {fakes.slack_webhook(rng)}")
    return builder


def _shallow(source: GitBuilder, tmp_path: Path) -> Path:
    dest = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{source.path}", str(dest)],
        check=True,
    )
    return dest


def test_plan_refuses_a_shallow_clone(leaky: GitBuilder, tmp_path: Path) -> None:
    """A shallow clone gets a clear error before anything is planned."""
    report = gitsweep.scan(_shallow(leaky, tmp_path))
    with pytest.raises(PlanError, match="shallow clone.*--unshallow"):
        gitsweep.plan(report)


def test_checklist_of_a_shallow_clone_is_not_called_clean(
    leaky: GitBuilder, tmp_path: Path
) -> None:
    """An empty checklist of a partial scan says coverage is incomplete."""
    leaky.write("clean.txt", "nothing here\n")
    leaky.commit("clean tip")
    report = gitsweep.scan(_shallow(leaky, tmp_path))
    assert not report.findings and not report.complete

    listing = gitsweep.checklist(report)

    assert not listing.complete and listing.exit_code == 3
    text = listing.to_markdown()
    assert "Coverage is incomplete" in text and "--unshallow" in text
    assert "Nothing to revoke in what was scanned." in text and text.endswith("\n")


def test_override_matching_nothing_is_warned(leaky: GitBuilder) -> None:
    """A typo in an override shows up as a warning in the plan."""
    report = gitsweep.scan(leaky.path)
    planned = gitsweep.plan(report, by_rule={"github-clasic-pat": "skip"})
    assert any("rule:github-clasic-pat" in w for w in planned.warnings)


def test_head_warning_only_when_head_holds_a_secret(leaky: GitBuilder) -> None:
    """When only HEAD's message is scrubbed, the plan does not claim its
    files hold a secret."""
    planned = gitsweep.plan(gitsweep.scan(leaky.path))
    assert not any("HEAD itself changes" in w for w in planned.warnings)
    assert any("HEAD gets a new commit id" in w for w in planned.warnings)


def test_push_step_targets_the_host_not_the_mirror_origin(
    leaky: GitBuilder, tmp_path: Path
) -> None:
    """The printed push goes to the scanned repository's origin URL, names
    branches and tags, and does not combine refspecs with a mirror remote."""
    host = tmp_path / "host.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(leaky.path), str(host)], check=True
    )
    leaky.git("remote", "add", "origin", str(host))
    report = gitsweep.scan(leaky.path)

    result = gitsweep.rewrite(gitsweep.plan(report), tmp_path / "mirror.git")

    (push,) = [s for s in result.next_steps if "push --force" in s]
    assert str(host) in push and "refs/heads/*:refs/heads/*" in push
    assert "--mirror" not in push
    command = shlex.split(push.split("`")[1])
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # The host keeps the old objects until it collects garbage (the next
    # step asks for that), but no ref of the host reaches a secret now.
    assert not any(f.reachable for f in gitsweep.scan(host).findings)
