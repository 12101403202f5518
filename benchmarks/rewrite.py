"""Time gitsweep's rewrite against git-filter-repo on one real repository.

Usage: python -m benchmarks.rewrite SOURCE.git WORKDIR

Copies SOURCE (read-only) into WORKDIR, plants fake secrets there (a config
file added to every root commit, so every commit of the history must be
rewritten; then a `.env`, a binary blob and a commit message at the tip),
scans and plans once, and times `gitsweep.rewrite` and `git filter-repo`
run with the exported plan, each on its own clone.  Prints one JSON line.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from gitsweep import fakes, plan, rewrite, scan
from gitsweep.export import export_filter_repo
from gitsweep.plan import secrets_from_report


def _git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=data, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def plant(work: Path, rng: random.Random) -> None:
    """Plant fake secrets: one file in every root commit, three at the tip."""
    key_id, key_secret = fakes.aws_key_pair(rng)
    settings = (
        "[deploy]\nregion = eu-west-1\n"
        f"aws_access_key_id = {key_id}\naws_secret_access_key = {key_secret}\n"
        f"github_token = {fakes.github_token(rng)}\n"
    ).encode()
    blob = _git(work, "hash-object", "-w", "--stdin", data=settings)
    callback = (
        "if not commit.parents:\n"
        "    commit.file_changes.append(FileChange(b'M', b'deploy/settings.ini', "
        f"b'{blob}', b'100644'))\n"
    )
    _git(work, "filter-repo", "--force", "--quiet", "--commit-callback", callback)
    _git(work, "checkout", "-q", "-f", "HEAD")
    env = work / ".env"
    env.write_text(f"STRIPE_KEY={fakes.stripe_live_key(rng)}\n")
    (work / "cache.bin").write_bytes(
        b"BIN\0\1" + fakes.sendgrid_key(rng).encode() + b"\0"
    )
    ident = ["-c", "user.name=Bench", "-c", "user.email=bench@example.test"]
    _git(work, "add", "-f", ".env", "cache.bin")
    _git(work, *ident, "commit", "-q", "-m", "add env and cache")
    _git(
        work,
        *ident,
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        f"notify via {fakes.slack_webhook(rng)}",
    )


def _peeled(repo: Path, ref: str) -> str:
    """Return the tree of a commit-ish ref, or the object a ref peels to."""
    kind = _git(repo, "cat-file", "-t", f"{ref}^{{}}")
    peel = f"{ref}^{{tree}}" if kind == "commit" else f"{ref}^{{}}"
    return _git(repo, "rev-parse", peel)


def planted(rng: random.Random) -> set[str]:
    """Return the secrets `plant` plants with a fresh `Random(42)`."""
    rng = random.Random(42)
    key_id, key_secret = fakes.aws_key_pair(rng)
    token = fakes.github_token(rng)
    stripe, sendgrid = fakes.stripe_live_key(rng), fakes.sendgrid_key(rng)
    return {key_id, key_secret, token, stripe, sendgrid, fakes.slack_webhook(rng)}


def main(source: str, workdir: str) -> None:
    """Run the benchmark and print its numbers as JSON."""
    root = Path(workdir)
    root.mkdir(parents=True, exist_ok=True)
    work = root / "planted"
    if not work.exists():
        _git(root, "clone", "-q", "--no-local", source, str(work))
        plant(work, random.Random(42))
    commits = int(_git(work, "rev-list", "--all", "--count"))

    began = time.perf_counter()
    report = scan(work, jobs=2)
    scanned = time.perf_counter() - began
    # The real history has findings of its own (test passwords); a
    # responder would skip those, and so does the benchmark.
    ours_only = planted(random.Random(42))
    others = {
        f.fingerprint: "skip" for f in report.findings if f.secret not in ours_only
    }
    planned = plan(report, by_finding=others)
    secrets = secrets_from_report(report)

    ours = root / f"ours-{int(time.time())}.git"
    began = time.perf_counter()
    result = rewrite(planned, ours, secrets=secrets)
    ours_total = time.perf_counter() - began

    theirs = root / f"theirs-{int(time.time())}.git"
    _git(root, "clone", "-q", "--mirror", "--no-local", str(work), str(theirs))
    exported = export_filter_repo(planned, secrets, root / "export")
    began = time.perf_counter()
    _git(theirs, "filter-repo", "--force", "--quiet", *exported.command.split()[2:])
    theirs_total = time.perf_counter() - began

    print(
        f"gitsweep {ours_total:.1f} s {dict(result.seconds)}; "
        f"filter-repo {theirs_total:.1f} s",
        flush=True,
    )
    refs = _git(ours, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags")
    same = all(_peeled(ours, ref) == _peeled(theirs, ref) for ref in refs.split())
    print(
        json.dumps(
            {
                "repository": source,
                "commits": commits,
                "findings": len(report.findings),
                "commits_rewritten": result.commits_rewritten,
                "scan_seconds": round(scanned, 1),
                "gitsweep_phases": dict(result.seconds),
                "gitsweep_total_seconds": round(ours_total, 1),
                "filter_repo_seconds": round(theirs_total, 1),
                "same_trees_every_ref": same,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
