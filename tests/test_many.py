"""Sweeps over many repositories: `scan_many`, `MultiReport`, checkpoints, CLI.

These run on a local process or thread pool; tests/test_dask.py runs the
same sweep on a Dask cluster.
"""

from __future__ import annotations

import json
import random
import stat
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from gitsweep import MultiReport, fakes, scan, scan_many
from gitsweep.cli import main
from gitsweep.gitbuild import GitBuilder
from gitsweep.many import (
    Checkpoint,
    iter_scan_many,
    render_checklist_markdown,
    render_summary,
    scan_repository,
    write_sarif_files,
)

#: Fields that differ between two scans of the same history.
VOLATILE_STATS = ("seconds", "walk_seconds", "provenance_seconds", "jobs")


def comparable(report_dict: dict[str, Any]) -> dict[str, Any]:
    """Return a report's dict without timing, timestamp and job count."""
    out = dict(report_dict, scanned_at=None)
    out["stats"] = {
        k: v for k, v in report_dict["stats"].items() if k not in VOLATILE_STATS
    }
    return out


def build_repository(
    path: Path, seed: int, shared: str | None = None, packed: bool = True
) -> GitBuilder:
    """Build a small history with one leaked token of its own (+ `shared`)."""
    rng = random.Random(seed)
    repo = GitBuilder(path)
    repo.write("README.md", f"service {seed}\n")
    repo.commit("start")
    repo.write("config/settings.env", f"GITHUB_TOKEN={fakes.github_token(rng)}\n")
    repo.commit("add settings")
    if shared is not None:
        repo.write("deploy/ci.env", f"CI_TOKEN={shared}\n")
        repo.commit("add ci token")
    repo.write("config/settings.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n")
    repo.commit("read the token from the environment")
    if packed:
        repo.git("repack", "-adq")
    return repo


@pytest.fixture
def shared_token() -> str:
    """One token leaked in several repositories."""
    return fakes.github_token(random.Random(99))


@pytest.fixture
def fleet(tmp_path: Path, shared_token: str) -> list[Path]:
    """Three repositories, all holding `shared_token`; the last left loose."""
    paths = []
    for n in range(3):
        path = tmp_path / f"svc{n}"
        build_repository(path, seed=n, shared=shared_token, packed=n < 2)
        paths.append(path)
    return paths


class CountingExecutor(Executor):
    """A thread pool that counts submissions and the most tasks out at once."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.lock = threading.Lock()
        self.submitted = 0
        self.out = 0
        self.most_out = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.submitted += 1
            self.out += 1
            self.most_out = max(self.most_out, self.out)
        future: Future[Any] = self.pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self.lock:
            self.out -= 1

    def shutdown(self, wait: bool = True, **kwargs: Any) -> None:
        self.pool.shutdown(wait=wait)


def test_sweep_reports_match_single_scans(fleet: list[Path]) -> None:
    """Each repository's report in a sweep equals a plain `scan` of it."""
    multi = scan_many(fleet, jobs=2)

    assert [Path(r.path) for r in multi.repositories] == fleet
    for path, entry in zip(fleet, multi.repositories):
        assert entry.report is not None
        alone = scan(path, jobs=1)
        assert comparable(entry.report.to_dict()) == comparable(alone.to_dict())
    assert multi.finding_count == 6
    assert multi.exit_code == 1


def test_shared_key_is_one_checklist_item_with_three_places(
    fleet: list[Path], shared_token: str
) -> None:
    """A key leaked in three repositories is one item naming all three."""
    multi = scan_many(fleet, jobs=1)
    items = multi.checklist()

    shared = [i for i in items if len(i.places) > 1]
    assert len(items) == 4
    assert len(shared) == 1
    assert sorted(p.repository for p in shared[0].places) == sorted(map(str, fleet))
    assert all(p.path == "deploy/ci.env" for p in shared[0].places)
    assert [i.rank for i in items] == [1, 2, 3, 4]
    assert shared[0].how and shared[0].published
    assert shared_token not in shared[0].identity
    text = render_checklist_markdown(items)
    assert text.count("  - [ ] ") == 6
    assert shared_token not in text


def test_failed_repository_is_reported_and_the_rest_scanned(
    fleet: list[Path], tmp_path: Path
) -> None:
    """A path that is not a repository fails alone; the summary says why."""
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    multi = scan_many([fleet[0], plain, fleet[1]], jobs=2)

    assert [r.report is not None for r in multi.repositories] == [True, False, True]
    failed = multi.repositories[1]
    assert failed.failure is not None
    assert failed.failure.kind == "not-a-repository"
    assert not multi.complete
    assert "1 could not be scanned" in multi.status
    summary = render_summary(multi)
    assert "not-a-repo" in summary and "FAILED" in summary
    assert "is not a git repository" in summary


def test_corrupt_pack_is_incomplete_in_the_summary(
    fleet: list[Path], tmp_path: Path
) -> None:
    """A repository with a damaged packfile shows as incomplete, not clean."""
    broken = tmp_path / "broken"
    build_repository(broken, seed=7)
    pack = next((broken / ".git" / "objects" / "pack").glob("*.pack"))
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    for i in range(200, len(data) - 100, 37):
        data[i] ^= 0x5A
    pack.write_bytes(bytes(data))

    multi = scan_many([broken, fleet[0]], jobs=1)

    entry = multi.repositories[0]
    assert entry.report is not None and not entry.report.complete
    assert multi.repositories[1].report is not None
    assert "incomplete" in render_summary(multi).splitlines()[1]
    assert not multi.complete


def test_summary_has_a_row_per_repository_and_a_column_per_provider(
    fleet: list[Path],
) -> None:
    """The summary table counts findings by repository and provider."""
    multi = scan_many(fleet, jobs=1)
    lines = render_summary(multi).splitlines()

    assert lines[0].split()[:3] == ["REPOSITORY", "STATUS", "FINDINGS"]
    assert "GitHub" in lines[0]
    assert [line.split()[0] for line in lines[1:5]] == ["svc0", "svc1", "svc2", "(all)"]
    assert lines[4].split()[1:] == ["6", "6"]
    assert lines[-1] == f"status: {multi.status}"


def test_checkpoint_resumes_without_rescanning(
    fleet: list[Path], tmp_path: Path, shared_token: str
) -> None:
    """A second sweep with the same checkpoint scans nothing again."""
    checkpoint = tmp_path / "sweep.jsonl"
    first = scan_many(fleet[:2], CountingExecutor(), checkpoint=checkpoint)

    assert stat.S_IMODE(checkpoint.stat().st_mode) == 0o600
    assert len(checkpoint.read_text().splitlines()) == 2
    assert shared_token not in checkpoint.read_text()

    counter = CountingExecutor()
    second = scan_many(fleet, counter, checkpoint=checkpoint)
    assert counter.submitted == 1
    assert [r.resumed for r in second.repositories] == [True, True, False]
    for old, new in zip(first.repositories, second.repositories):
        assert old.report is not None and new.report is not None
        assert comparable(old.report.to_dict()) == comparable(new.report.to_dict())
    assert len(second.checklist()) == 4


def test_checkpoint_written_with_other_options_is_not_reused(
    fleet: list[Path], tmp_path: Path
) -> None:
    """Changing the options rescans; a line cut short by a crash is skipped."""
    checkpoint = tmp_path / "sweep.jsonl"
    scan_many(fleet[:1], CountingExecutor(), checkpoint=checkpoint)
    with open(checkpoint, "a", encoding="utf-8") as handle:
        handle.write('{"format": 1, "repository": "/cut/sho')

    counter = CountingExecutor()
    scan_many(fleet[:1], counter, checkpoint=checkpoint, min_confidence="high")
    assert counter.submitted == 1

    counter = CountingExecutor()
    scan_many(fleet[:1], counter, checkpoint=checkpoint, min_confidence="medium")
    assert counter.submitted == 0


def test_checkpoint_ignores_a_default_named_explicitly(
    fleet: list[Path], tmp_path: Path
) -> None:
    """Passing an option at its default value keeps the checkpoint valid."""
    checkpoint = tmp_path / "sweep.jsonl"
    scan_many(fleet[:1], CountingExecutor(), checkpoint=checkpoint)
    counter = CountingExecutor()
    scan_many(fleet[:1], counter, checkpoint=checkpoint, regex_timeout=1.0)
    assert counter.submitted == 0
    assert Checkpoint(checkpoint, "other-key").load() == {}


def test_no_more_than_max_pending_tasks_are_out(tmp_path: Path) -> None:
    """Results stream back: the client never has more tasks out than asked."""
    paths = [tmp_path / f"r{n}" for n in range(5)]
    for n, path in enumerate(paths):
        build_repository(path, seed=n)
    counter = CountingExecutor()
    seen = [item.path for item in iter_scan_many(paths, counter, max_pending=2)]

    assert counter.submitted == 5
    assert counter.most_out <= 2
    assert sorted(seen) == sorted(map(str, paths))


def test_unknown_option_is_refused(fleet: list[Path]) -> None:
    """An option `scan_many` does not pass on is an error, not ignored."""
    with pytest.raises(TypeError, match="reveal"):
        scan_many(fleet, reveal=True)


def test_multi_report_json_round_trip(fleet: list[Path], tmp_path: Path) -> None:
    """A sweep report read back from JSON gives the same JSON."""
    plain = tmp_path / "plain"
    plain.mkdir()
    multi = scan_many([*fleet, plain], jobs=2)
    text = multi.to_json()

    again = MultiReport.from_json(text)
    assert again.to_json() == text
    assert again.failures[0].path == str(plain)
    assert len(json.loads(text)["checklist"]) == 4


def test_sarif_file_per_repository(fleet: list[Path], tmp_path: Path) -> None:
    """Each scanned repository gets its own SARIF file, mode 0600."""
    multi = scan_many(fleet, jobs=1)
    written = write_sarif_files(multi, tmp_path / "sarif")

    assert len(written) == 3
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        doc = json.loads(path.read_text())
        assert len(doc["runs"][0]["results"]) == 2


def test_cli_scan_many_writes_json_and_exits_one(
    fleet: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitsweep scan-many LIST --format json` writes the sweep, exit 1."""
    listing = tmp_path / "repos.txt"
    listing.write_text("# the services\n" + "\n".join(p.name for p in fleet) + "\n\n")
    out = tmp_path / "sweep.json"
    code = main(
        ["scan-many", str(listing), "--jobs", "1", "--format", "json", "-o", str(out)]
    )

    assert code == 1
    multi = MultiReport.from_json(out.read_text())
    assert [Path(r.path) for r in multi.repositories] == fleet
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_cli_scan_many_table_and_sarif_folder(
    fleet: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table shows the summary and checklist; sarif fills a folder."""
    listing = tmp_path / "repos.txt"
    listing.write_text("\n".join(str(p) for p in fleet) + "\n")
    assert main(["scan-many", str(listing), "--jobs", "1"]) == 1
    shown = capsys.readouterr().out
    assert "REPOSITORY" in shown and "Revocation checklist" in shown

    folder = tmp_path / "sarif"
    code = main(
        ["scan-many", str(listing), "-j", "1", "--format", "sarif", "-o", str(folder)]
    )
    assert code == 1
    assert len(list(folder.glob("*.sarif"))) == 3


def test_cli_sarif_needs_an_output_folder(
    fleet: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SARIF per repository without --output is refused with the fix."""
    listing = tmp_path / "repos.txt"
    listing.write_text(str(fleet[0]) + "\n")
    assert main(["scan-many", str(listing), "--format", "sarif"]) == 2
    assert "--output" in capsys.readouterr().err


def crash_first_attempt(path: str, options: dict[str, Any]) -> Any:
    """Kill the local worker process the first time `path` is scanned."""
    import os

    marker = f"{path}.crashed"
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return scan_repository(path, options)
    os.close(fd)
    os._exit(1)


def test_local_worker_crash_is_retried_on_a_fresh_pool(
    fleet: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local worker process that dies breaks the pool; the sweep goes on."""
    import gitsweep.many

    monkeypatch.setattr(gitsweep.many, "scan_repository", crash_first_attempt)
    multi = scan_many(fleet, jobs=2)

    assert all(Path(f"{p}.crashed").exists() for p in fleet)
    assert not multi.failures
    assert multi.finding_count == 6


def test_rescan_with_cache_reads_less_and_finds_the_same(
    fleet: list[Path], tmp_path: Path
) -> None:
    """A sweep with a scan cache skips clean objects on the next sweep."""
    cache = tmp_path / "cache"
    first = scan_many(fleet, jobs=1, cache=cache)
    second = scan_many(fleet, jobs=1, cache=cache)

    assert all(r.stats.cached == 0 for r in first.reports)
    assert all(r.stats.cached > 0 for r in second.reports)
    for old, new in zip(first.reports, second.reports):
        assert old.to_dict()["findings"] == new.to_dict()["findings"]
        assert old.warnings == new.warnings


def test_cache_option_keeps_the_checkpoint_valid(
    fleet: list[Path], tmp_path: Path
) -> None:
    """Turning the scan cache on does not make a checkpoint stale."""
    checkpoint = tmp_path / "sweep.jsonl"
    scan_many(fleet[:1], CountingExecutor(), checkpoint=checkpoint)
    counter = CountingExecutor()
    scan_many(fleet[:1], counter, checkpoint=checkpoint, cache=tmp_path / "cache")
    assert counter.submitted == 0
