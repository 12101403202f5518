"""Scans on a Dask cluster give exactly the reports of a local scan.

One `LocalCluster` of two worker processes serves the whole module.  Dask
retries a task whose worker died (up to `allowed-failures` times), which
the worker-kill tests rely on.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from gitsweep import fakes, scan, scan_many
from gitsweep.gitbuild import GitBuilder
from gitsweep.scan import ScanOptions, scan_shard

# Workers cannot import this test module: send its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

VOLATILE_STATS = ("seconds", "walk_seconds", "provenance_seconds", "jobs")


def comparable(report_dict: dict[str, Any]) -> dict[str, Any]:
    """Return a report's dict without timing, timestamp and job count."""
    out = dict(report_dict, scanned_at=None)
    out["stats"] = {
        k: v for k, v in report_dict["stats"].items() if k not in VOLATILE_STATS
    }
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a two-process local cluster, for the whole module."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 3}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture
def executor(client: Any) -> Executor:
    """The cluster's executor, once both workers are up."""
    client.wait_for_workers(2, timeout=60)
    return client.get_executor(pure=False)


def build_history(path: Path, seed: int, commits: int) -> GitBuilder:
    """Build a history with leaks spread over packed and loose objects.

    Half the commits are packed (with deltas), the rest stay loose; one
    token is only in a deleted branch, one in a tag message.
    """
    rng = random.Random(seed)
    repo = GitBuilder(path)
    for n in range(commits):
        body = "".join(f"line {n} {i} {rng.random():.6f}\n" for i in range(40))
        repo.write(f"src/module{n % 5}.py", body)
        if n % 4 == 1:
            repo.write(f"conf/env{n}.txt", f"TOKEN={fakes.github_token(rng)}\n")
        repo.commit(f"change {n}")
        if n == commits // 2:
            repo.git("repack", "-adq")
    repo.git("checkout", "-q", "-b", "wip")
    repo.write("wip.txt", f"token {fakes.github_token(rng)}\n")
    repo.commit("work in progress")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "wip")
    repo.git("tag", "-a", "v1", "-m", f"release\n\nuses {fakes.github_token(rng)}")
    return repo


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three small repositories that share one leaked token."""
    base = tmp_path_factory.mktemp("fleet")
    shared = fakes.github_token(random.Random(5))
    paths = []
    for n in range(3):
        repo = build_history(base / f"svc{n}", seed=n, commits=6)
        repo.write("deploy.env", f"SHARED={shared}\n")
        repo.commit("deploy settings")
        paths.append(base / f"svc{n}")
    return paths


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repository large enough to split into several shards."""
    path = tmp_path_factory.mktemp("big") / "monorepo"
    build_history(path, seed=42, commits=40)
    return path


def die_once(marker: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Kill this worker process the first time any task gets here.

    The marker file is created atomically, so exactly one task dies; Dask
    then runs it again on a live worker.
    """
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return fn(*args, **kwargs)
    os.close(fd)
    os._exit(1)


class KillOnceExecutor(Executor):
    """An executor that runs every task through `die_once`."""

    def __init__(self, inner: Executor, marker: Path) -> None:
        self.inner = inner
        self.marker = str(marker)

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self.inner.submit(die_once, self.marker, fn, *args, **kwargs)


def test_sharded_scan_on_dask_matches_local_scan(big: Path, executor: Executor) -> None:
    """A repository split into 4 shards on 2 workers reports as a local scan."""
    local = scan(big, jobs=1)
    remote = scan(big, executor=executor, jobs=4)

    assert remote.stats.jobs == 4
    assert len(local.findings) == 12
    assert comparable(remote.to_dict()) == comparable(local.to_dict())


def test_scan_many_on_dask_matches_local_scans(
    fleet: list[Path], executor: Executor
) -> None:
    """Each repository of a sweep on Dask reports as a local scan of it."""
    multi = scan_many(fleet, executor)

    assert not multi.failures
    for path, entry in zip(fleet, multi.repositories):
        assert entry.report is not None
        local = scan(path, jobs=1)
        assert comparable(entry.report.to_dict()) == comparable(local.to_dict())
    shared = [item for item in multi.checklist() if len(item.places) == 3]
    assert len(shared) == 1


def test_worker_killed_mid_scan_still_gives_the_whole_report(
    big: Path, executor: Executor, tmp_path: Path
) -> None:
    """A worker that dies in a shard has the shard rerun; nothing is lost."""
    marker = tmp_path / "killed"
    local = scan(big, jobs=1)
    remote = scan(big, executor=KillOnceExecutor(executor, marker), jobs=4)

    assert marker.exists()
    assert remote.complete
    assert comparable(remote.to_dict()) == comparable(local.to_dict())


def test_worker_killed_mid_sweep_loses_no_repository(
    fleet: list[Path], executor: Executor, tmp_path: Path
) -> None:
    """A worker that dies during a sweep has its repository scanned again."""
    marker = tmp_path / "killed"
    multi = scan_many(fleet, KillOnceExecutor(executor, marker))

    assert marker.exists()
    assert not multi.failures
    assert [len(r.findings) for r in multi.reports] == [
        len(scan(p, jobs=1).findings) for p in fleet
    ]


def test_failed_repository_on_dask_does_not_stop_the_sweep(
    fleet: list[Path], executor: Executor, tmp_path: Path
) -> None:
    """A path that is not a repository comes back as a failure, by value."""
    multi = scan_many([tmp_path, fleet[0]], executor)

    failed, scanned = multi.repositories
    assert failed.failure is not None and failed.failure.kind == "not-a-repository"
    assert scanned.report is not None and scanned.report.findings


RULE_FILE = """
[[rules]]
id = "acme-deploy-key"
name = "ACME deploy key"
provider = "ACME"
severity = "high"
keywords = ["acmekey_"]
pattern = '''(?P<secret>acmekey_[0-9a-f]{32})'''
examples.positive = ["key = acmekey_@A@", "acmekey_@B@"]
examples.negative = ["acmekey_short", "acmekey_@C@"]
"""


def test_relative_rule_file_works_on_workers_in_another_folder(
    big: Path, client: Any, executor: Executor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A rule file named relative to the client's folder reaches the workers.

    Workers resolve paths from their own working folder, which on a real
    cluster is not the client's.
    """
    rng = random.Random(8)
    rules = (
        RULE_FILE.replace("@A@", "0" * 32)
        .replace("@B@", "f" * 32)
        .replace("@C@", "".join(rng.choice("xyz") for _ in range(32)))
    )
    (tmp_path / "acme.toml").write_text(rules)
    repo = build_history(tmp_path / "repo", seed=3, commits=3)
    repo.write("deploy.txt", f"acmekey_{rng.getrandbits(128):032x}\n")
    repo.commit("deploy key")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = client.run(os.getcwd)
    client.run(os.chdir, str(elsewhere))
    monkeypatch.chdir(tmp_path)
    try:
        remote = scan(tmp_path / "repo", rules=["acme.toml"], executor=executor)
    finally:
        for address, folder in before.items():
            client.run(os.chdir, folder, workers=[address])

    local = scan(tmp_path / "repo", rules=["acme.toml"], jobs=1)
    assert any(f.rule == "acme-deploy-key" for f in remote.findings)
    assert comparable(remote.to_dict()) == comparable(local.to_dict())


def test_shard_refuses_rules_other_than_the_clients(big: Path) -> None:
    """A worker whose rules differ from the client's stops instead of
    silently scanning with other rules."""
    options = ScanOptions(ruleset_digest="0123456789abcdef")
    with pytest.raises(RuntimeError, match="same gitsweep version and rule files"):
        scan_shard(str(big / ".git"), 0, 10, options)


def test_cli_local_cluster_keeps_dask_logs_out(
    fleet: list[Path], tmp_path: Path
) -> None:
    """`scan-many --local-cluster` writes the sweep; Dask's chatter stays off.

    Dask sets its own loggers to INFO, which the CLI's root handler would
    print: a line per worker started and stopped around the status line.
    """
    import subprocess

    listing = tmp_path / "repos.txt"
    listing.write_text("\n".join(str(p) for p in fleet) + "\n")
    out = tmp_path / "sweep.json"
    done = subprocess.run(
        [sys.executable, "-m", "gitsweep", "scan-many", str(listing),
         "--local-cluster", "1", "--format", "json", "--output", str(out)],
        check=False, capture_output=True, text=True, timeout=240,
    )  # fmt: skip

    assert done.returncode == 1, done.stderr
    assert "Scheduler at" not in done.stderr
    assert "Nanny" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("3 repositories:")
    assert out.exists()
