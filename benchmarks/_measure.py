"""Measure one command: wall time, CPU time and peak memory of its tree.

Used by `benchmarks.run`. CPU time comes from `wait4`, which reports the
user and system time of the command and every descendant it waited for.
Peak memory is the larger of two readings: the largest single process
(`ru_maxrss` as GNU time reports it), and the peak of the summed
proportional set size (PSS) of the whole process tree, sampled every 200 ms,
which counts the workers of a multi-process scan without counting their
shared mappings twice. GNU time matters: a child forked straight from this
Python process inherits its high-water RSS, so its own `ru_maxrss` would
never read below the benchmark driver's size.
"""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import attrs

SAMPLE_INTERVAL_S = 0.2
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


@attrs.frozen
class Sample:
    """Resources one command used. Times in seconds, memory in bytes."""

    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_bytes: int
    returncode: int
    stderr_tail: str

    @property
    def cpu_s(self) -> float:
        """Return user plus system time."""
        return self.user_s + self.sys_s


def _children(pid: int) -> list[int]:
    # Reading each task's children file is far cheaper than scanning all
    # of /proc, which would steal CPU from the command being measured.
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue  # the thread ended while we looked
        found.extend(int(child) for child in text.split())
    return found


def _tree_pss_bytes(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(_children(pid))
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


class _TreeSampler(threading.Thread):
    """Poll the PSS of a process tree until told to stop; keep the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_INTERVAL_S):
            self.peak = max(self.peak, _tree_pss_bytes(self.pid))


def measure(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdout_path: str = os.devnull,
) -> Sample:
    """Run `argv` to completion and return what it cost.

    Standard output goes to `stdout_path` (default: discarded); the last
    lines of standard error are kept for error messages.
    """
    with (
        open(stdout_path, "wb") as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        if GNU_TIME:
            argv = [GNU_TIME, "--format=%M", f"--output={rss.name}", *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-2000:].decode(errors="backslashreplace")
        maxrss_kb = usage.ru_maxrss
        if GNU_TIME:
            maxrss_kb = int(rss.read().strip().splitlines()[-1])
    return Sample(
        wall_s=wall,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        peak_rss_bytes=max(maxrss_kb * 1024, sampler.peak),
        returncode=proc.returncode,
        stderr_tail=tail,
    )


def count_blobs(repo: str | os.PathLike[str]) -> tuple[int, int]:
    """Return (number of blobs, total blob bytes) in the whole object store.

    Unreachable objects count too: the scans being measured read them.
    """
    out = subprocess.run(
        ["git", "-C", os.fspath(repo), "cat-file", "--batch-all-objects",
         "--batch-check=%(objecttype) %(objectsize)"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    count = size = 0
    for line in out.splitlines():
        kind, _, n = line.partition(b" ")
        if kind == b"blob":
            count += 1
            size += int(n)
    return count, size


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine() -> dict[str, str]:
    """Return what a reader needs to compare numbers across machines."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    git = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    )
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 2**20:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git": git.stdout.strip().removeprefix("git version "),
        "pygit2": _version("pygit2"),
        "libgit2": _libgit2_version(),
        "numba": _version("numba"),
        "numpy": _version("numpy"),
        "regex": _version("regex"),
        "gitsweep checkout": _checkout_state(),
        # Other work on a shared machine skews every number; say how much.
        "load average (1, 5, 15 min) at start": ", ".join(
            f"{x:.2f}" for x in os.getloadavg()
        ),
    }


def _libgit2_version() -> str:
    try:
        import pygit2
    except ImportError:
        return "not installed"
    return str(pygit2.LIBGIT2_VERSION)


def _checkout_state() -> str:
    # gitsweep runs from this work tree; name the commit and whether the
    # tree had uncommitted changes under gitsweep/ when the run started.
    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "gitsweep"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return f"{head}{' + uncommitted changes' if dirty else ''}"
