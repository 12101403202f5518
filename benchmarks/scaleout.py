"""Scale-out: the same repositories on 1 and 2 Dask workers vs a local scan.

    python -m benchmarks.scaleout [--repos 6] [--size 5] [--rounds 3]
        [--folder DIR] [--json results.json]

Generates `--repos` synthetic repositories of `--size` MB of blobs each
(or reuses them in `--folder`), then times, alternating within each round:

- `local`: `gitsweep.scan(path, jobs=1)` on each repository in turn, in
  this process (the plain local scan);
- `sweep`: `gitsweep.scan_many(paths, executor)` on a `LocalCluster` of
  1 and of 2 worker processes (one thread each);
- `shards`: `gitsweep.scan(largest, executor=..., jobs=workers)` of the
  largest repository alone, split into pack ranges.

Clusters are started and warmed (imports, numba's cache) before timing;
their start-up time is reported apart.  The local scans run in a warm
process of their own, away from the clusters' schedulers.  Speed-up is local time over
cluster time; overhead is the worker-seconds spent beyond the local time
(workers x wall - local), which counts task shipping, result pickling and
idle workers at the end of the run.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.synth import generate

log = logging.getLogger("benchmarks.scaleout")


def make_repositories(folder: Path, count: int, size_mb: float) -> list[Path]:
    """Return `count` synthetic repositories in `folder`, generating missing ones."""
    paths = []
    for n in range(count):
        path = folder / f"scaleout-{size_mb:g}mb-{n}.git"
        if not path.exists():
            log.info("generating %s", path)
            generate(path, size_mb, seed=1000 + n)
        paths.append(path)
    return paths


def scan_local(paths: list[Path]) -> tuple[float, list[int], int]:
    """Scan `paths` one after the other here; return (seconds, findings, bytes)."""
    from gitsweep import scan

    began = time.perf_counter()
    reports = [scan(p, jobs=1) for p in paths]
    seconds = time.perf_counter() - began
    return (
        seconds,
        [len(r.findings) for r in reports],
        sum(r.stats.bytes for r in reports),
    )


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Return (wall seconds, result) of one call."""
    began = time.perf_counter()
    result = run()
    return time.perf_counter() - began, result


def start_cluster(workers: int) -> tuple[Any, Any, float]:
    """Start and warm a local cluster; return (cluster, client, seconds)."""
    from dask.distributed import Client, LocalCluster

    began = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = Client(cluster)
    client.wait_for_workers(workers)
    return cluster, client, time.perf_counter() - began


def warm(client: Any, path: Path) -> None:
    """Import gitsweep and load the numba kernels on every worker."""
    from gitsweep import scan

    client.run(lambda: scan(str(path), jobs=1) and None)


def main(argv: list[str] | None = None) -> int:
    """Run the scale-out benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout")
    parser.add_argument("--repos", type=int, default=6)
    parser.add_argument("--size", type=float, default=5.0, help="MB of blobs each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="keep the repositories here")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("distributed").setLevel(logging.ERROR)

    from gitsweep import scan, scan_many

    folder = args.folder or Path(tempfile.mkdtemp(prefix="gitsweep-scaleout-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = make_repositories(folder, args.repos, args.size)
    largest = max(paths, key=lambda p: sum(f.stat().st_size for f in p.rglob("*")))
    # The local scans run in a process of their own: the clusters'
    # schedulers live in this one and would compete with them for the GIL.
    local = ProcessPoolExecutor(max_workers=1)
    local.submit(scan_local, [paths[0]]).result()  # imports, numba's cache

    clusters = {w: start_cluster(w) for w in (1, 2)}
    for _cluster, client, _ in clusters.values():
        warm(client, paths[0])

    samples: dict[str, list[float]] = {}
    findings: dict[str, set[int]] = {}

    def record(label: str, seconds: float, count: int) -> None:
        samples.setdefault(label, []).append(seconds)
        findings.setdefault(label, set()).add(count)

    try:
        for round_no in range(args.rounds):
            log.info("round %d of %d", round_no + 1, args.rounds)
            seconds, counts, blob_bytes = local.submit(scan_local, paths).result()
            record("sweep local", seconds, sum(counts))
            seconds, counts, _ = local.submit(scan_local, [largest]).result()
            record("shards local", seconds, counts[0])
            for workers, (_cluster, client, _) in clusters.items():
                executor = client.get_executor(pure=False)
                seconds, multi = timed(partial(scan_many, paths, executor))
                record(f"sweep {workers}", seconds, multi.finding_count)
                shard_run = partial(
                    scan, largest, executor=executor, jobs=max(2, workers)
                )
                seconds, report = timed(shard_run)
                record(f"shards {workers}", seconds, len(report.findings))
    finally:
        local.shutdown()
        for cluster, client, _ in clusters.values():
            client.close()
            cluster.close()

    rows = build_rows(samples, findings, {w: c[2] for w, c in clusters.items()})
    blob_mb = blob_bytes / 1e6
    print(render(rows, args, blob_mb, largest.name))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "samples": samples}, indent=1))
    return 0 if all(len(v) == 1 for v in findings.values()) else 1


def build_rows(
    samples: dict[str, list[float]],
    findings: dict[str, set[int]],
    startup: dict[int, float],
) -> list[dict[str, Any]]:
    """Return one row per run: medians, speed-up and overhead vs local."""
    rows = []
    for job in ("sweep", "shards"):
        local = statistics.median(samples[f"{job} local"])
        for workers in (None, 1, 2):
            label = f"{job} {workers or 'local'}"
            wall = statistics.median(samples[label])
            spent = wall * (workers or 1)
            rows.append(
                {
                    "job": job,
                    "workers": workers or "local",
                    "wall_s": round(wall, 2),
                    "speedup": round(local / wall, 2),
                    "overhead_s": round(spent - local, 2) if workers else 0.0,
                    "overhead_pct": round(100 * (spent - local) / local, 1)
                    if workers
                    else 0.0,
                    "startup_s": round(startup[workers], 1) if workers else None,
                    "findings": sorted(findings[label]),
                }
            )
    return rows


def render(
    rows: list[dict[str, Any]], args: argparse.Namespace, mb: float, big: str
) -> str:
    """Return the rows as a Markdown table with a heading line."""
    out = [
        (
            f"{args.repos} repositories x {args.size:g} MB ({mb:.0f} MB of blobs), "
            f"shards of {big}; median of {args.rounds} round(s)"
        ),
        "",
        (
            "| job | workers | wall s | speed-up | overhead s | overhead % "
            "| cluster start s | findings |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        start = "-" if r["startup_s"] is None else f"{r['startup_s']:.1f}"
        out.append(
            f"| {r['job']} | {r['workers']} | {r['wall_s']:.2f} | {r['speedup']:.2f} "
            f"| {r['overhead_s']:+.2f} | {r['overhead_pct']:+.1f} | {start} "
            f"| {'/'.join(map(str, r['findings']))} |"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
