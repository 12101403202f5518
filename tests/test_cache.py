"""Incremental scans: the cache of clean object ids, and parallel scans."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import gitsweep
from gitsweep import fakes
from gitsweep.demo import build_demo_repository
from gitsweep.gitbuild import GitBuilder

_TIMING = {"seconds", "walk_seconds", "provenance_seconds", "jobs", "objects",
           "blobs", "trees", "commits", "tags", "bytes", "cached", "candidates"}


def _comparable(report: gitsweep.Report) -> dict:
    data = report.to_dict(reveal=True)
    data.pop("scanned_at")
    data["stats"] = {k: v for k, v in data["stats"].items() if k not in _TIMING}
    return data


def _history(builder: GitBuilder, rng: random.Random) -> None:
    for i in range(12):
        builder.write(f"src/module_{i}.py", f"def f{i}():\n    return {i}\n" * (i + 3))
        builder.commit(f"add module {i}")
    builder.write("config/prod.env", f"GITHUB_TOKEN={fakes.github_token(rng)}\n")
    builder.commit("add prod env")


def test_warm_rescan_equals_cold_scan(builder: GitBuilder, rng, tmp_path: Path) -> None:
    """A second scan with the cache reads far fewer objects and reports the
    same findings, warnings and status as the first."""
    _history(builder, rng)
    cache = tmp_path / "cache"

    cold = gitsweep.scan(builder.path, cache=cache)
    warm = gitsweep.scan(builder.path, cache=cache)

    assert cold.findings and _comparable(warm) == _comparable(cold)
    assert warm.stats.cached > 0 and warm.stats.objects < cold.stats.objects
    assert warm.stats.cached + warm.stats.objects == cold.stats.objects


def test_rescan_after_new_commits_reads_only_new_objects(
    builder: GitBuilder, rng, tmp_path: Path
) -> None:
    """After new commits the warm scan finds the new secret and reads only
    the new objects plus commits and the blobs that matched before."""
    _history(builder, rng)
    cache = tmp_path / "cache"
    first = gitsweep.scan(builder.path, cache=cache)
    new_token = fakes.github_token(rng)
    builder.write("deploy.sh", f"export GITHUB_TOKEN={new_token}\n")
    builder.commit("add deploy script")

    warm = gitsweep.scan(builder.path, cache=cache)
    cold = gitsweep.scan(builder.path)

    assert new_token in {f.secret for f in warm.findings}
    assert _comparable(warm) == _comparable(cold)
    # Read again: every commit (one new), the new blob and the blob that
    # matched before; trees are typed from pack headers, not read.
    assert warm.stats.objects - warm.stats.trees <= first.stats.commits + 1 + 2


def test_cache_holds_ids_only_and_is_private(builder: GitBuilder, rng, tmp_path: Path) -> None:
    """The cache file never holds a secret and is readable by its owner only."""
    _history(builder, rng)
    cache = tmp_path / "cache"
    report = gitsweep.scan(builder.path, cache=cache)

    (path,) = list(cache.iterdir())
    data = path.read_bytes()
    assert len(data) % 20 == 0 and data
    for finding in report.findings:
        assert finding.secret.encode() not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_other_rules_start_a_fresh_cache(builder: GitBuilder, rng, tmp_path: Path) -> None:
    """Disabling a rule changes the rule set digest, so nothing is skipped."""
    _history(builder, rng)
    cache = tmp_path / "cache"
    gitsweep.scan(builder.path, cache=cache)

    other = gitsweep.scan(builder.path, cache=cache, disable=["jwt"])

    assert other.stats.cached == 0
    assert len(os.listdir(cache)) == 2


def test_damaged_cache_is_ignored(builder: GitBuilder, rng, tmp_path: Path) -> None:
    """A truncated cache file costs a full read, never a wrong report."""
    _history(builder, rng)
    cache = tmp_path / "cache"
    cold = gitsweep.scan(builder.path, cache=cache)
    (path,) = list(cache.iterdir())
    path.write_bytes(path.read_bytes()[:-7])

    again = gitsweep.scan(builder.path, cache=cache)

    assert again.stats.cached == 0
    assert _comparable(again) == _comparable(cold)


def test_parallel_scan_equals_single_process(tmp_path: Path) -> None:
    """Two worker processes give exactly the single-process report."""
    build_demo_repository(tmp_path / "demo")

    single = gitsweep.scan(tmp_path / "demo", jobs=1)
    parallel = gitsweep.scan(tmp_path / "demo", jobs=2)

    assert parallel.stats.jobs == 2
    assert _comparable(parallel) == _comparable(single)
