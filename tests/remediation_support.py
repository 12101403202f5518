"""Helpers shared by the remediation tests: build, plan, compare trees."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from gitsweep import fakes, scan
from gitsweep.gitbuild import GitBuilder
from gitsweep.plan import RewritePlan, plan


def git(path: str | Path, *args: str) -> str:
    """Run git in `path` and return stdout (errors fail the test)."""
    done = subprocess.run(["git", *args], cwd=path, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8", "surrogateescape")


def files_at(repo: str | Path, rev: str) -> dict[str, str]:
    """Return {path: blob id} of every file in the tree of `rev`."""
    out = git(repo, "ls-tree", "-r", "-z", rev)
    files = {}
    for entry in filter(None, out.split("\0")):
        meta, path = entry.split("\t", 1)
        files[path] = meta.split()[2]
    return files


def refs_of(repo: str | Path, prefixes: tuple[str, ...] = ("refs/",)) -> list[str]:
    """Return the ref names of a repository under `prefixes`."""
    names = git(repo, "for-each-ref", "--format=%(refname)").split()
    return [n for n in names if n.startswith(prefixes)]


def assert_untouched(source: Path, mirror: Path, planned: RewritePlan) -> None:
    """Assert every file that held no secret is byte-identical after rewrite."""
    touched = {b.oid for i in planned.active_items for b in i.blobs}
    purged = set(planned.purge_paths)
    for ref in refs_of(mirror, ("refs/heads/", "refs/tags/")):
        before, after = files_at(source, ref), files_at(mirror, ref)
        for path, blob in before.items():
            if blob in touched or path in purged:
                continue
            assert after.get(path) == blob, f"{ref}:{path} changed"


def scan_plan(path: Path, **policy):  # type: ignore[no-untyped-def]
    """Scan `path` and plan every finding with `policy`."""
    report = scan(path, jobs=1)
    return report, plan(report, **policy)


def build_leaky(b: GitBuilder, rng: random.Random) -> dict[str, str]:
    """Build a history with every kind of leak the rewrite must handle."""
    token = fakes.github_token(rng)
    stripe = fakes.stripe_live_key(rng)
    hook = fakes.slack_webhook(rng)
    npm = fakes.npm_token(rng)
    b.write("README.md", "# app\n")
    b.write("src/util.py", "def f():\n    return 1\n")
    b.commit("initial")
    b.write("deploy.sh", f"#!/bin/sh\nexport GITHUB_TOKEN={token}\n./release\n")
    b.write(".env", f"STRIPE_KEY={stripe}\nDEBUG=0\n")
    b.commit("add deploy script and env")
    b.git("tag", "v0.1")
    b.git("rm", "-q", ".env")
    b.commit("drop env")
    b.commit("wire notifications", "-m", f"hook: {hook}")
    b.git("checkout", "-q", "-b", "feature")
    b.write("ci/config.yml", f"registry: npm\ntoken: {token}\n")
    b.write("pkg/notes.txt", f"publish with {npm}\n")
    b.commit("feature work")
    b.git("checkout", "-q", "main")
    b.write("docs/guide.md", "guide\n")
    b.commit("docs")
    b.clock += 3600
    b.git("merge", "-q", "--no-ff", "feature", "-m", "merge feature")
    b.git("tag", "-a", "v1.0", "-m", "release 1.0")
    b.git("notes", "add", "-m", "reviewed by ops", "HEAD")
    b.write("deploy.sh", f"#!/bin/sh\nexport STRIPE={stripe}\n")
    b.git("stash", "push", "-q", "-m", "wip one")
    b.write("README.md", "# app\nmore words\n")
    b.git("stash", "push", "-q", "-m", "wip two")
    return {"token": token, "stripe": stripe, "hook": hook, "npm": npm}


def ssh_signing(b: GitBuilder, tmp_path: Path) -> Path:
    """Configure SSH commit signing with a throwaway key; skip without ssh-keygen."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "signing_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    public = (tmp_path / "signing_key.pub").read_text().split()[:2]
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"dev1@example.test {' '.join(public)}\n")
    b.git("config", "gpg.format", "ssh")
    b.git("config", "user.signingkey", str(key))
    b.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    return allowed
