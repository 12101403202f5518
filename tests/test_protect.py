"""`gitsweep protect`: the staged-blob and commit-message gate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitsweep import fakes
from gitsweep.baseline import Baseline, BaselineEntry
from gitsweep.cli import main
from gitsweep.findings import fingerprint
from gitsweep.gitbuild import GitBuilder
from gitsweep.protect import protect, read_message

CHECKOUT = Path(__file__).resolve().parents[1]


def _placeholder() -> str:
    return "ghp_" + "x" * 36


def test_staged_secret_is_reported_without_its_value(builder, rng, capsys):
    """A staged token stops the commit; the report names the file, not the key."""
    builder.write("README.md", "hello\n")
    builder.commit("initial")
    token = fakes.github_token(rng)
    builder.write("deploy.sh", f"#!/bin/sh\nexport GITHUB_TOKEN={token}\n")
    builder.git("add", "deploy.sh")

    code = main(["protect", "--staged", "--repo", str(builder.path)])

    out = capsys.readouterr().out
    assert code == 1
    assert "deploy.sh:2:" in out and "github-classic-pat" in out
    assert token not in out


def test_first_commit_of_a_repository_is_checked(builder, rng):
    """With no HEAD yet, every staged blob is new."""
    builder.write("a.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.git("add", "a.py")
    result = protect(builder.path)
    assert [f.path for f in result.findings] == ["a.py"]


def test_unstaged_and_committed_content_is_not_checked(builder, rng):
    """Only what the index adds against HEAD is read."""
    builder.write("old.py", f"T = '{fakes.github_token(rng)}'\n")
    builder.commit("an old leak, a matter for gitsweep scan")
    builder.write("new.py", f"T = '{fakes.github_token(rng)}'\n")  # not staged
    builder.write("ok.py", "x = 1\n")
    builder.git("add", "ok.py")
    result = protect(builder.path)
    assert result.findings == () and result.blobs == 1 and result.exit_code == 0


def test_editing_a_file_that_already_holds_a_secret_passes(builder, rng):
    """A secret HEAD already has is not blamed on the next edit or rename."""
    token = fakes.github_token(rng)
    builder.write("conf.py", f"T = '{token}'\n")
    builder.commit("old leak")
    builder.write("conf.py", f"T = '{token}'\nDEBUG = True\n")
    builder.git("add", "conf.py")
    assert protect(builder.path).findings == ()

    builder.git("mv", "conf.py", "settings.py")
    assert protect(builder.path).findings == ()

    fresh = fakes.github_token(rng)
    builder.write("settings.py", f"T = '{token}'\nU = '{fresh}'\n")
    builder.git("add", "settings.py")
    found = protect(builder.path).findings
    assert [f.fingerprint for f in found] == [fingerprint(fresh.encode())]


def test_inline_marker_allows_a_deliberate_fake(builder, rng):
    """`gitsweep:allow` on the line of the match lets it through."""
    builder.write("t.py", "x = 1\n")
    builder.commit("initial")
    token = fakes.github_token(rng)
    builder.write("test_t.py", f"T = '{token}'  # gitsweep:allow fake for a test\n")
    builder.git("add", "test_t.py")
    assert protect(builder.path).findings == ()


def test_configured_path_and_baseline_are_honoured(builder, rng):
    """The work tree's allowlist and a baseline apply to staged blobs."""
    builder.write(".gitsweep.toml", 'allowlist_paths = ["fixtures/"]\n')
    builder.commit("config")
    builder.write("fixtures/key.txt", fakes.github_token(rng) + "\n")
    known = fakes.github_token(rng)
    builder.write("app.py", f"T = '{known}'\n")
    builder.git("add", "-A")

    result = protect(builder.path)
    assert [f.path for f in result.findings] == ["app.py"]

    entry = BaselineEntry("github-classic-pat", fingerprint(known.encode()))
    assert protect(builder.path, baseline=Baseline(frozenset({entry}))).findings == ()


def test_commit_message_is_checked_by_line(tmp_path, builder, rng, capsys):
    """A token pasted in the message is found; comment lines are ignored."""
    builder.write("a", "a\n")
    builder.commit("initial")
    message = tmp_path / "COMMIT_EDITMSG"
    token = fakes.github_token(rng)
    message.write_text(f"Fix deploy\n\n# {fakes.github_token(rng)}\nuse {token}\n")

    code = main(
        ["protect", "--message-file", str(message), "--repo", str(builder.path)]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert "commit message, line 4" in out and out.count("github-classic-pat") == 1
    assert read_message(message).split(b"\n")[2] == b""


def test_oversize_staged_blob_is_never_called_clean(builder, capsys):
    """A blob over the cap is reported as unchecked, with exit code 3."""
    builder.write("a", "a\n")
    builder.commit("initial")
    builder.write("big.bin", b"\0" * 4096)
    builder.git("add", "big.bin")
    code = main(
        ["protect", "--staged", "--max-blob-size", "1k", "--repo", str(builder.path)]
    )
    assert code == 3
    assert "big.bin" in capsys.readouterr().out


def test_protect_needs_something_to_check(builder, capsys):
    """Without --staged or --message-file the command says what to give."""
    assert main(["protect", "--repo", str(builder.path)]) == 2
    assert "--staged" in capsys.readouterr().err


def _local_hooks_config() -> str:
    """Return a pre-commit config running this checkout's hooks offline.

    The hooks come from the shipped manifest, with `language: system`, so
    pre-commit runs the installed `gitsweep` instead of building an
    environment from the network.
    """
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))
    lines = ["repos:", "- repo: local", "  hooks:"]
    for hook in hooks:
        lines += [
            f"  - id: {hook['id']}",
            f"    name: {hook['name']}",
            f"    entry: {hook['entry']}",
            "    language: system",
            f"    pass_filenames: {str(hook['pass_filenames']).lower()}",
            f"    stages: [{', '.join(hook['stages'])}]",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_pre_commit_hook_refuses_a_fake_key_and_accepts_a_placeholder(tmp_path, rng):
    """Installed with pre-commit, the hook stops a staged key and nothing else."""
    repo = GitBuilder(tmp_path / "scratch")
    repo.write(".pre-commit-config.yaml", _local_hooks_config())
    repo.commit("add hooks", "--no-verify")
    env = {
        **repo.env(),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=repo.path, env=env, capture_output=True, text=True, check=False
        )

    installed = run(
        sys.executable,
        "-m",
        "pre_commit",
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "commit-msg",
    )
    assert installed.returncode == 0, installed.stderr

    token = fakes.github_token(rng)
    repo.write("deploy.sh", f"export GITHUB_TOKEN={token}\n")
    run("git", "add", "deploy.sh")
    refused = run("git", "commit", "-m", "add deploy script")
    assert refused.returncode != 0
    assert "deploy.sh:1:" in refused.stdout + refused.stderr
    assert token not in refused.stdout + refused.stderr

    repo.write("deploy.sh", f"export GITHUB_TOKEN={_placeholder()}\n")
    run("git", "add", "deploy.sh")
    accepted = run("git", "commit", "-m", "add deploy script")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    repo.write("notes.txt", "notes\n")
    run("git", "add", "notes.txt")
    pasted = run("git", "commit", "-m", f"notes; token was {fakes.github_token(rng)}")
    assert pasted.returncode != 0
    assert "commit message, line 1" in pasted.stdout + pasted.stderr
