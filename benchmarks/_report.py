"""Render benchmark results (the JSON `benchmarks.run` writes) as Markdown.

    python -m benchmarks._report docs/benchmarks.md A.json [B.json ...]

merges several result files, so that a repository measured in one session
and another measured later appear in one document; each repository keeps
the machine description of the run that measured it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MARK_START = "<!-- kernels:start -->"
MARK_END = "<!-- kernels:end -->"
COLUMNS = ("tool", "wall s", "CPU s", "peak RSS MB", "blob MB/s", "findings",
           "planted found", "x floor")  # fmt: skip


def _row(result: dict) -> list[str]:
    s = result["summary"]
    planted = s.get("planted_found")
    flag = " (!)" if s.get("errors") else ""
    run = f" [{result['run']}]" if "run" in result else ""
    return [
        result["tool"] + flag + run,
        f"{s['wall_s']:.2f}",
        f"{s['cpu_s']:.2f}",
        f"{s['peak_rss_bytes'] / 2**20:.0f}",
        f"{s['mb_per_s']:.0f}" if s["mb_per_s"] else "",
        "" if s["findings"] is None else str(s["findings"]),
        f"{planted[0]}/{planted[1]}" if planted else "",
        f"{s['ratio_to_floor']:.2f}",
    ]


def _table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _title(repo: dict) -> str:
    return (
        f"{repo['name']} ({repo['blob_bytes'] / 1e6:,.0f} MB of blobs, "
        f"{repo['blobs']:,} blobs)"
    )


def render_table(results: dict) -> str:
    """Return one Markdown table per repository."""
    parts = []
    for repo in results["repositories"]:
        rows = [_row(r) for r in repo["results"]]
        parts.append(f"### {_title(repo)}\n\n{_table(COLUMNS, rows)}\n")
    return "\n".join(parts)


def render_scaling(repos: list[dict]) -> str:
    """Return time and memory per blob byte across synthetic sizes."""
    header = ("tool", "repository", "blob MB", "wall s", "s per GB",
              "peak RSS MB", "RSS MB per GB of blobs")  # fmt: skip
    rows = []
    synthetic = sorted(
        (r for r in repos if r.get("synthetic")), key=lambda r: r["blob_bytes"]
    )
    tools = [res["tool"] for res in synthetic[0]["results"]] if synthetic else []
    for tool in tools:
        for repo in synthetic:
            for res in repo["results"]:
                if res["tool"] != tool:
                    continue
                s, gb = res["summary"], repo["blob_bytes"] / 1e9
                rss = s["peak_rss_bytes"] / 2**20
                rows.append([tool, repo["name"], f"{gb * 1000:.0f}",
                             f"{s['wall_s']:.2f}", f"{s['wall_s'] / gb:.2f}",
                             f"{rss:.0f}", f"{rss / gb:.0f}"])  # fmt: skip
    return _table(header, rows) if rows else ""


NOTES = """\
How to read the numbers:

- *wall s* and *CPU s* (user + system of the command and all its child
  processes) are medians over the timed rounds, after the untimed warm-up
  runs of every tool that the runs table states (they warm the page cache
  and the numba and kingfisher rule caches; with 0, earlier runs had).
- *peak RSS* is the larger of the biggest single process and the peak sum
  of proportional set size (PSS) over the process tree, sampled every
  200 ms (the sampling costs the driver CPU, so it is kept coarse).
- *blob MB/s* is the repository's blob bytes (every blob in the object
  store, reachable or not, 1 MB = 10^6 bytes) divided by the wall time.
- *x floor* is the wall time divided by that of
  `git cat-file --batch-all-objects --batch > /dev/null` in the same run.
  That command reads in object-id order, which jumps around the packfile
  and keeps re-inflating delta bases on repositories with deep delta
  chains; `git cat-file --unordered` reads in pack order, as gitsweep
  does, and is the tighter reference.
- *[name]* after a tool names the result file of the run that measured
  it, when several runs are merged; its *x floor* is against the floor of
  that same run.
- *(!)* marks a tool whose run failed or stopped early; its numbers do not
  describe a full scan.
- The real repositories are snapshots (promisor packs) that lack blobs of
  4 MiB and more; tools that walk commits and read trees (gitleaks'
  `git log -p`) can stop at the first missing blob while exiting 0.
- *findings* are not comparable across tools: gitleaks reports every
  occurrence it sees in `git log -p` diffs of reachable commits, kingfisher
  deduplicates by secret, gitsweep counts distinct secrets per rule.
  *planted found* (synthetic repositories only) counts planted secrets
  whose value or SHA-256 fingerprint appears in the tool's report; one
  planted secret sits only on a deleted branch, which ref-walking scanners
  cannot see.
- Peers run from their real binaries under `unshare --net` with
  `kingfisher scan REPO --no-validate --no-update-check -j 2 --git-history
  full --format json` (and `--turbo`), and `gitleaks git REPO
  --report-format json`.
"""


def _render_runs(runs: list) -> str:
    if len(runs) < 2:
        return ""
    rows = [
        [name, m["date"], str(rounds), str(warmup),
         m.get("gitsweep checkout", ""),
         m.get("load average (1, 5, 15 min) at start", "")]
        for name, m, (rounds, warmup) in runs
    ]  # fmt: skip
    header = ("run", "started", "rounds", "warm-up runs", "gitsweep commit",
              "load average at start")  # fmt: skip
    table = _table(header, rows)
    return f"## Runs merged here\n\n{table}\n"


def render_markdown(results: dict) -> str:
    """Return the whole benchmarks document."""
    machine = results["machine"]
    described = "\n".join(f"| {k} | {v} |" for k, v in machine.items())
    tools = "\n".join(f"| {k} | {v or '-'} |" for k, v in results["tools"].items())
    parts = [
        "# Benchmarks\n",
        (
            "Generated by `python -m benchmarks.run` (see `benchmarks/README.md`);"
            " do not edit by hand.\n"
        ),
        f"## Machine\n\n| | |\n|---|---|\n{described}\n",
        _render_runs(results.get("runs", [])),
        f"## Tools\n\n| tool | version |\n|---|---|\n{tools}\n",
        "## Whole-history scans\n",
        render_table(results),
    ]
    scaling = render_scaling(results["repositories"])
    if scaling:
        parts += ["## Scaling (synthetic repositories)\n", scaling + "\n"]
    parts += ["## Notes\n", NOTES]
    return "\n".join(parts)


def splice(document: str, section: str) -> str:
    """Return `document` with its kernels section replaced by `section`."""
    if MARK_START in document and MARK_END in document:
        head, _, rest = document.partition(MARK_START)
        _, _, tail = rest.partition(MARK_END)
        return head + section.rstrip("\n") + tail
    return document.rstrip("\n") + "\n\n" + section


def kernels_section(document: str) -> str:
    """Return the kernels section of `document`, or an empty string."""
    if MARK_START not in document or MARK_END not in document:
        return ""
    inside = document.partition(MARK_START)[2].partition(MARK_END)[0]
    return MARK_START + inside + MARK_END + "\n"


def write_markdown(path: Path, results: dict) -> None:
    """Write the document to `path`, keeping its kernels section if any."""
    old = path.read_text() if path.exists() else ""
    section = kernels_section(old)
    text = render_markdown(results)
    path.write_text(splice(text, section) if section else text)


def merge(files: list[Path]) -> dict:
    """Return one result set from several, later files overriding earlier."""
    merged: dict = {"repositories": [], "tools": {}}
    by_name: dict[str, dict] = {}
    for file in files:
        data = json.loads(file.read_text())
        merged["machine"] = data["machine"]
        repos = data["repositories"]
        counts = (data["rounds"], repos[0].get("warmup", "?") if repos else "?")
        merged.setdefault("runs", []).append((file.stem, data["machine"], counts))
        merged["rounds"] = data["rounds"]
        merged["tools"].update(data["tools"])
        for repo in data["repositories"]:
            for result in repo["results"]:
                result["run"] = file.stem
            old = by_name.setdefault(repo["name"], repo)
            if old is not repo:
                # Rows of both runs stay: each ratio is to its own run's floor.
                old["results"] += repo["results"]
    merged["repositories"] = list(by_name.values())
    return merged


if __name__ == "__main__":
    # python -m benchmarks._report OUT.md A.json [B.json ...]
    write_markdown(Path(sys.argv[1]), merge([Path(a) for a in sys.argv[2:]]))
