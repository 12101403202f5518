"""Time gitsweep against the read floor and its peers on whole repositories.

    python -m benchmarks.run REPO.git ... [--rounds 3] [--synthetic 5,50,200,1000]
        [--json results.json] [--markdown docs/benchmarks.md]

For each repository every installed tool runs once to warm caches (page
cache, numba's and kingfisher's compiled-rule caches), then `--rounds`
times, the tools alternating within each round so that a slow minute of a
shared machine hits all of them alike. The table reports medians over the
rounds; peak memory is the largest seen.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import _measure, _tools
from benchmarks._report import render_table, write_markdown
from benchmarks.synth import generate, truth_path

log = logging.getLogger("benchmarks.run")


def run_tool(tool: _tools.Tool, repo: str, workdir: str) -> dict:
    """Run `tool` on `repo` once; return its sample and finding count."""
    report = Path(workdir, "report.json")
    report.unlink(missing_ok=True)
    argv = tool.argv(repo, str(report))
    if tool.isolate:
        argv = _tools.isolated(argv)
    env = _tools.project_env(dict(os.environ))
    sample = _measure.measure(argv, env=env)
    result = {
        "wall_s": sample.wall_s,
        "cpu_s": sample.cpu_s,
        "user_s": sample.user_s,
        "sys_s": sample.sys_s,
        "peak_rss_bytes": sample.peak_rss_bytes,
        "returncode": sample.returncode,
        "findings": None,
    }
    try:
        result["findings"] = tool.count_findings(report)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result["error"] = f"no readable report ({exc.__class__.__name__})"
    if tool.failure_marker and tool.failure_marker in sample.stderr_tail:
        result["error"] = f"stopped early: {sample.stderr_tail[-300:]}"
        log.warning("%s on %s: %s", tool.name, repo, result["error"])
    if sample.returncode not in tool.ok_codes:
        result["error"] = f"exit {sample.returncode}: {sample.stderr_tail[-300:]}"
        log.warning("%s on %s: %s", tool.name, repo, result["error"])
    if report.exists() and truth_path(Path(repo)).exists():
        result["planted_found"] = count_planted(report, truth_path(Path(repo)))
    return result


def count_planted(report: Path, truth_file: Path) -> list[int]:
    """Return [found, planted]: planted secrets named in a tool's report.

    A tool-neutral check: a secret counts as found when its value (as
    JSON escapes it) or its SHA-256 fingerprint occurs in the report.
    """
    text = report.read_text(errors="replace")
    secrets = json.loads(truth_file.read_text())["secrets"]
    found = sum(
        1
        for s in secrets
        if json.dumps(s["value"])[1:-1] in text or s["fingerprint"] in text
    )
    return [found, len(secrets)]


def summarise(rounds: list[dict], blob_bytes: int) -> dict:
    """Return medians over rounds, the peak memory, and throughput."""
    wall = statistics.median(r["wall_s"] for r in rounds)
    return {
        "wall_s": wall,
        "cpu_s": statistics.median(r["cpu_s"] for r in rounds),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in rounds),
        "mb_per_s": blob_bytes / 1e6 / wall if wall else None,
        "findings": rounds[-1]["findings"],
        "planted_found": rounds[-1].get("planted_found"),
        "errors": sorted({r["error"] for r in rounds if "error" in r}),
    }


def bench_repository(
    repo: Path, tools: list[_tools.Tool], rounds: int, warmup: int
) -> dict:
    """Measure every tool on one repository."""
    blobs, blob_bytes = _measure.count_blobs(repo)
    log.info("%s: %d blobs, %.1f MB", repo, blobs, blob_bytes / 1e6)
    samples: dict[str, list[dict]] = {t.name: [] for t in tools}
    cold: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gitsweep-bench-") as workdir:
        for _ in range(warmup):
            for tool in tools:
                cold[tool.name] = run_tool(tool, str(repo), workdir)["wall_s"]
        for r in range(rounds):
            # Rotate the order so no tool always follows the same neighbour.
            for tool in tools[r % len(tools) :] + tools[: r % len(tools)]:
                result = run_tool(tool, str(repo), workdir)
                samples[tool.name].append(result)
                log.info("  round %d %-22s %7.2f s", r + 1, tool.name,
                         result["wall_s"])  # fmt: skip
    floor = statistics.median(s["wall_s"] for s in samples[tools[0].name])
    results = []
    for tool in tools:
        summary = summarise(samples[tool.name], blob_bytes)
        summary["ratio_to_floor"] = summary["wall_s"] / floor
        summary["first_run_s"] = cold.get(tool.name)
        results.append(
            {"tool": tool.name, "summary": summary, "rounds": samples[tool.name]}
        )
    return {
        "name": repo.name.removesuffix(".git"),
        "path": str(repo),
        "blobs": blobs,
        "blob_bytes": blob_bytes,
        "synthetic": truth_path(repo).exists(),
        "rounds": rounds,
        "warmup": warmup,
        "results": results,
    }


def ensure_synthetic(sizes: list[float], folder: Path) -> list[Path]:
    """Return synthetic repositories of `sizes` MB, generating missing ones."""
    repos = []
    for size in sizes:
        repo = folder / f"synth-{size:g}.git"
        if not truth_path(repo).exists():
            log.info("generating %s", repo)
            if repo.exists():
                raise FileExistsError(f"{repo} has no ground truth; remove it")
            generate(repo, size)
        repos.append(repo)
    return repos


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("repos", nargs="*", type=Path, help="git repositories")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed runs of each tool first (default 1)")  # fmt: skip
    parser.add_argument("--synthetic", default="",
                        help="comma-separated sizes in MB, e.g. 5,50,200,1000")  # fmt: skip
    parser.add_argument("--synthetic-dir", type=Path,
                        default=_tools.ROOT / "benchmarks" / "repos")  # fmt: skip
    parser.add_argument("--tools", default="",
                        help="comma-separated name parts, e.g. floor,gitsweep")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write all samples here")
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    tools = _tools.available_tools(names)
    if not tools or not tools[0].name.startswith("git cat-file"):
        tools.insert(0, _tools.floor())  # ratios need the floor
    if any(t.isolate for t in tools):
        _tools.check_isolation()

    sizes = [float(s) for s in args.synthetic.split(",") if s.strip()]
    repos = list(args.repos)
    if sizes:
        args.synthetic_dir.mkdir(parents=True, exist_ok=True)
        repos += ensure_synthetic(sizes, args.synthetic_dir)
    if not repos:
        log.error("no repositories: pass paths or --synthetic SIZES")
        return 2

    results: dict = {
        "machine": _measure.describe_machine(),
        "tools": {t.name: t.version for t in tools},
        "rounds": args.rounds,
        "repositories": [],
    }
    for repo in repos:
        results["repositories"].append(
            bench_repository(repo, tools, args.rounds, args.warmup)
        )
        # Written after every repository: a long run stopped halfway still
        # leaves the repositories it finished.
        if args.json:
            args.json.write_text(json.dumps(results, indent=1) + "\n")
        if args.markdown:
            write_markdown(args.markdown, results)
    print(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
