"""Many repositories: sweep an organisation's repositories on one executor.

Orchestration, beside `scan`.  `scan_many` sends one task per repository to
any `concurrent.futures` executor (a local process pool by default, or a
Dask client's `get_executor()`), takes each report back as soon as it is
done, appends it to a checkpoint file and lets the task go, so neither the
client nor the cluster holds more than a window of results.  A repository
that fails is recorded with the reason and the sweep goes on.  The
`MultiReport` joins the reports: one summary, one revocation checklist in
which a key leaked in several repositories is a single item.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from . import __version__
from .errors import GitsweepError, NotARepositoryError, ReportFormatError
from .findings import Finding
from .report import Report, write_private
from .rules import RuleSet, load_rules

log = logging.getLogger(__name__)

#: Version of the JSON layout of `MultiReport.to_dict` and of checkpoints.
MULTI_FORMAT = 1

#: Options of `scan` that `scan_many` passes on to every repository.
SCAN_OPTIONS = frozenset(
    {
        "rules",
        "disable",
        "max_blob_size",
        "min_confidence",
        "verify_objects",
        "regex_timeout",
        "cache",
    }
)

#: progress(repositories done, repositories in all, blob bytes scanned).
SweepProgress = Callable[[int, int, int], None]


@attrs.frozen(slots=True)
class RepositoryFailure:
    """Why one repository of a sweep has no report.

    `kind` is `not-a-repository`, `error` (gitsweep refused or failed with
    the reason in `message`) or `worker-lost` (the process scanning it died
    more often than the executor retries).
    """

    kind: str
    message: str


@attrs.frozen(slots=True)
class RepositoryScan:
    """One repository of a sweep: the path as listed, and its outcome.

    Exactly one of `report` and `failure` is set.  `resumed` says the
    report was read back from the checkpoint instead of scanned again.
    """

    path: str
    report: Report | None = None
    failure: RepositoryFailure | None = None
    resumed: bool = False

    @property
    def name(self) -> str:
        """Return a short label: the folder name without `.git`."""
        tail = Path(self.path.rstrip("/")).name
        return tail[:-4] if tail.endswith(".git") and len(tail) > 4 else tail


@attrs.frozen(slots=True)
class Place:
    """Where a credential of the combined checklist sits in one repository.

    `commit` and `path` are those of its earliest occurrence there.
    """

    repository: str
    commit: str | None
    path: str | None
    first_seen: str | None
    exposure_days: int | None
    published: bool
    refs: tuple[str, ...]
    at_head: bool


@attrs.frozen(slots=True)
class SweepItem:
    """One credential to revoke, with every repository that holds it.

    Built from the per-repository entries of `gitsweep.checklist`, joined
    by fingerprint: the same key leaked in three repositories is one item
    with three places.  Guidance and identity come from the riskiest
    entry, the audit window from the earliest.  No item holds a secret.
    """

    rank: int
    fingerprint: str
    rule: str
    name: str
    provider: str
    severity: str
    identity: str
    how: str
    url: str
    audit: str
    replace_with: str
    places: tuple[Place, ...]

    @property
    def first_seen(self) -> str | None:
        """Return the earliest date any repository got the credential."""
        dates = [p.first_seen for p in self.places if p.first_seen]
        return min(dates) if dates else None

    @property
    def published(self) -> bool:
        """Return whether a published ref of any repository reaches it."""
        return any(p.published for p in self.places)


@attrs.frozen(slots=True)
class MultiReport:
    """The reports of a sweep over many repositories, in the listed order."""

    repositories: tuple[RepositoryScan, ...]
    version: str = __version__
    scanned_at: str = ""

    @property
    def reports(self) -> tuple[Report, ...]:
        """Return the reports of the repositories that were scanned."""
        return tuple(r.report for r in self.repositories if r.report is not None)

    @property
    def failures(self) -> tuple[RepositoryScan, ...]:
        """Return the repositories that could not be scanned."""
        return tuple(r for r in self.repositories if r.failure is not None)

    @property
    def finding_count(self) -> int:
        """Return the number of findings over every repository."""
        return sum(len(r.findings) for r in self.reports)

    @property
    def complete(self) -> bool:
        """Return whether every repository was scanned completely."""
        return not self.failures and all(r.complete for r in self.reports)

    @property
    def exit_code(self) -> int:
        """Return the CLI exit code: 1 findings, 3 incomplete, 0 clean."""
        if self.finding_count:
            return 1
        return 0 if self.complete else 3

    @property
    def status(self) -> str:
        """Return a one-line summary that never calls a partial sweep clean."""
        n, repos = self.finding_count, len(self.repositories)
        failed = len(self.failures)
        held = sum(1 for r in self.reports if r.findings)
        text = f"{repos} repositor{'ies' if repos != 1 else 'y'}: "
        if n:
            text += f"{n} finding{'s' if n != 1 else ''} in {held}"
        else:
            text += "no findings"
        if failed:
            text += f"; {failed} could not be scanned, see the summary"
        elif not self.complete:
            text += "; coverage incomplete, see each report's warnings"
        return text

    def checklist(self, ruleset: RuleSet | None = None) -> list[SweepItem]:
        """Return the credentials to revoke over the sweep, riskiest first.

        `ruleset` gives the revocation guidance (None: the built-in rules).
        """
        return build_sweep_checklist(self, ruleset)

    def to_dict(
        self, reveal: bool = False, ruleset: RuleSet | None = None
    ) -> dict[str, Any]:
        """Return a JSON-ready dict; secrets redacted unless `reveal`.

        The combined checklist is included, with guidance from `ruleset`
        (None: the built-in rules).
        """
        entries = []
        for r in self.repositories:
            entries.append(
                {
                    "path": r.path,
                    "resumed": r.resumed,
                    "failure": attrs.asdict(r.failure) if r.failure else None,
                    "report": r.report.to_dict(reveal) if r.report else None,
                }
            )
        return {
            "format": MULTI_FORMAT,
            "tool": "gitsweep",
            "kind": "sweep",
            "version": self.version,
            "scanned_at": self.scanned_at,
            "status": self.status,
            "complete": self.complete,
            "repositories": entries,
            "checklist": [_item_dict(item) for item in self.checklist(ruleset)],
        }

    def to_json(
        self,
        reveal: bool = False,
        indent: int | None = 2,
        ruleset: RuleSet | None = None,
    ) -> str:
        """Return the sweep as JSON text; see `to_dict`."""
        data = self.to_dict(reveal, ruleset)
        return json.dumps(data, indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MultiReport:
        """Rebuild a sweep from `to_dict` output (the checklist is derived)."""
        if data.get("format") != MULTI_FORMAT or data.get("kind") != "sweep":
            raise ReportFormatError(
                "not a gitsweep sweep report (format "
                f"{data.get('format')!r}, kind {data.get('kind')!r}); write one "
                "with `gitsweep scan-many LIST_FILE --format json`"
            )
        try:
            entries = tuple(
                RepositoryScan(
                    path=e["path"],
                    report=Report.from_dict(e["report"]) if e["report"] else None,
                    failure=RepositoryFailure(**e["failure"]) if e["failure"] else None,
                    resumed=bool(e.get("resumed", False)),
                )
                for e in data["repositories"]
            )
        except (KeyError, TypeError) as exc:
            raise ReportFormatError(f"sweep report is damaged ({exc})") from None
        return cls(entries, data.get("version", ""), data.get("scanned_at", ""))

    @classmethod
    def from_json(cls, text: str) -> MultiReport:
        """Rebuild a sweep from `to_json` output."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"sweep report is not valid JSON: {exc}") from None


# --- Running the sweep ---------------------------------------------------


def scan_many(
    paths: Iterable[str | os.PathLike[str]],
    executor: Executor | None = None,
    *,
    jobs: int | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    max_pending: int = 32,
    progress: SweepProgress | None = None,
    **options: Any,
) -> MultiReport:
    """Scan every repository of `paths` and return one `MultiReport`.

    Each repository is one task on `executor` (None: a local pool of
    `jobs` processes; None jobs: all cores), scanned as `gitsweep.scan`
    would with `options` (rules, disable, max_blob_size, min_confidence,
    verify_objects, regex_timeout, cache; a cache folder is resolved on
    the worker, so each worker machine keeps its own).  At most `max_pending` tasks are out
    at once.  With `checkpoint`, each finished report is appended to that
    JSON Lines file (mode 0600, secrets redacted) and repositories already
    in it are not scanned again.
    """
    listed = _unique_paths(paths)
    results = {
        item.path: item
        for item in iter_scan_many(
            listed,
            executor,
            jobs=jobs,
            checkpoint=checkpoint,
            max_pending=max_pending,
            progress=progress,
            **options,
        )
    }
    ordered = tuple(results[p] for p in listed if p in results)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return MultiReport(ordered, __version__, stamp)


def iter_scan_many(
    paths: Iterable[str | os.PathLike[str]],
    executor: Executor | None = None,
    *,
    jobs: int | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    max_pending: int = 32,
    progress: SweepProgress | None = None,
    **options: Any,
) -> Iterator[RepositoryScan]:
    """Yield a `RepositoryScan` per repository as each one finishes.

    The streaming form of `scan_many`, for callers that write each report
    away instead of keeping them all; same arguments.
    """
    unknown = set(options) - SCAN_OPTIONS
    if unknown:
        raise TypeError(
            f"scan_many() got unknown option(s) {', '.join(sorted(unknown))}; "
            f"it passes on only {', '.join(sorted(SCAN_OPTIONS))}"
        )
    if "rules" in options:
        # Absolute, because a worker resolves paths from its own folder.
        options["rules"] = tuple(os.path.abspath(r) for r in options["rules"])
    listed = _unique_paths(paths)
    key = options_key(options)
    store = Checkpoint(checkpoint, key) if checkpoint is not None else None
    done = store.load() if store is not None else {}

    total, finished, scanned_bytes = len(listed), 0, 0
    todo = []
    for path in listed:
        report = done.get(path)
        if report is None:
            todo.append(path)
            continue
        finished += 1
        scanned_bytes += report.stats.bytes
        if progress is not None:
            progress(finished, total, scanned_bytes)
        yield RepositoryScan(path, report=report, resumed=True)
    if done:
        log.info("checkpoint: %d of %d repositories already scanned", finished, total)

    for item in _run_tasks(todo, executor, jobs, max(1, max_pending), options):
        if store is not None and item.report is not None:
            store.record(item.path, item.report)
        finished += 1
        if item.report is not None:
            scanned_bytes += item.report.stats.bytes
        else:
            assert item.failure is not None
            log.warning("%s was not scanned: %s", item.path, item.failure.message)
        if progress is not None:
            progress(finished, total, scanned_bytes)
        yield item


def _unique_paths(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the paths made absolute, each once, in the order given."""
    seen: dict[str, None] = {}
    for p in paths:
        seen.setdefault(os.path.abspath(os.fspath(p)), None)
    return list(seen)


def scan_repository(path: str, options: dict[str, Any]) -> Report | RepositoryFailure:
    """Scan one repository in a worker; return its report or why it failed.

    Failures come back as values, not exceptions: gitsweep's exceptions
    carry more than a message and do not all survive pickling, and a value
    tells a failed repository apart from a failed worker.
    """
    from .scan import scan

    # LIMITATION: a repository is one task, scanned by one worker process;
    # a huge repository in a sweep takes as long as a local scan of it.
    # Nesting shards inside a task would need the worker to submit tasks of
    # its own.  Scan such a repository with `scan(path, executor=...)`.
    try:
        return scan(path, jobs=1, **options)
    except NotARepositoryError as exc:
        return RepositoryFailure("not-a-repository", str(exc))
    except GitsweepError as exc:
        return RepositoryFailure("error", str(exc))
    except Exception as exc:  # one repository must not stop a sweep
        log.debug("scan of %s failed", path, exc_info=True)
        return RepositoryFailure("error", f"{type(exc).__name__}: {exc}")


def _run_tasks(
    paths: list[str],
    executor: Executor | None,
    jobs: int | None,
    max_pending: int,
    options: dict[str, Any],
) -> Iterator[RepositoryScan]:
    """Submit `paths` a window at a time; yield each result as it lands.

    On Dask the scheduler reruns the tasks of a dead worker.  A local pool
    cannot: one dead process breaks it and fails every task in flight, so
    those repositories become suspects, rerun alone on a fresh pool; a
    repository whose process dies twice while alone is reported lost.
    """
    if not paths:
        return
    own = executor is None
    workers = min(len(paths), jobs or os.cpu_count() or 1)
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    queue = list(reversed(paths))
    suspects: list[str] = []
    crashes: dict[str, int] = {}
    pending: dict[Future[Any], tuple[str, bool]] = {}
    try:
        while queue or suspects or pending:
            if own and _is_broken(pool) and not pending:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers)
            if suspects and not pending:
                path = suspects.pop(0)
                pending[pool.submit(scan_repository, path, options)] = (path, True)
            while not suspects and queue and len(pending) < max_pending:
                if own and _is_broken(pool):
                    break
                path = queue.pop()
                pending[pool.submit(scan_repository, path, options)] = (path, False)
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                path, alone = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    if not own:
                        raise
                    crashes[path] = crashes.get(path, 0) + int(alone)
                    if crashes[path] < 2:
                        suspects.append(path)
                        continue
                    outcome = _lost(path, "its worker process died twice")
                except Exception as exc:  # noqa: BLE001 - a Dask KilledWorker
                    outcome = _lost(path, f"{type(exc).__name__}: {exc}")
                if isinstance(outcome, Report):
                    yield RepositoryScan(path, report=outcome)
                else:
                    yield RepositoryScan(path, failure=outcome)
    finally:
        for future in pending:
            future.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _is_broken(pool: Executor) -> bool:
    return bool(getattr(pool, "_broken", False))


def _lost(path: str, reason: str) -> RepositoryFailure:
    return RepositoryFailure(
        "worker-lost",
        f"the worker scanning {path} was lost ({reason}); check the workers' "
        "memory limit and logs, then run the sweep again with --checkpoint",
    )


def options_key(options: dict[str, Any]) -> str:
    """Return a digest of what decides a scan's result: options and rules.

    Rule files are read here, in the client, so a broken rule stops the
    sweep before any task is sent.
    """
    # LIMITATION: a repository's own configuration file (.gitsweep.toml in
    # its work tree) is read by the worker and is not in this key; after
    # editing one, delete the checkpoint or that repository's line.
    from .scan import scan

    ruleset = load_rules(options.get("rules", ()), options.get("disable", ()))
    # Fill in the defaults so that naming a default changes nothing; the
    # rules count through their digest, not their file names.
    described = {
        name: param.default
        for name, param in inspect.signature(scan).parameters.items()
        if name in SCAN_OPTIONS
    }
    described.update(options)
    # The scan cache changes what is read again, never what is found.
    for name in ("rules", "cache"):
        described.pop(name, None)
    text = json.dumps([__version__, ruleset.digest, described], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- Checkpoint -----------------------------------------------------------


class Checkpoint:
    """A JSON Lines file of finished repositories, so a sweep can resume.

    One line per repository: its absolute path, the options key and its
    report with secrets redacted.  Lines written under other options are
    ignored (those repositories are scanned again); a line cut short by a
    crash is skipped.  The file is created with mode 0600.
    """

    def __init__(self, path: str | os.PathLike[str], key: str) -> None:
        self.path = os.fspath(path)
        self.key = key

    def load(self) -> dict[str, Report]:
        """Return the reports recorded under this key, by repository path."""
        try:
            lines = Path(self.path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return {}
        found: dict[str, Report] = {}
        stale = 0
        if lines:
            for number, line in enumerate(lines, 1):
                try:
                    entry = json.loads(line)
                    if entry.get("options") != self.key:
                        stale += 1
                        continue
                    found[entry["repository"]] = Report.from_dict(entry["report"])
                except (json.JSONDecodeError, KeyError, ReportFormatError):
                    log.warning(
                        "%s line %d is not a checkpoint entry (cut short by a "
                        "crash?); that repository will be scanned again",
                        self.path,
                        number,
                    )
        if stale:
            log.warning(
                "%s: %d entr%s written with other options or rules; those "
                "repositories will be scanned again",
                self.path,
                stale,
                "ies were" if stale != 1 else "y was",
            )
        return found

    def record(self, path: str, report: Report) -> None:
        """Append one finished repository, flushed to disk."""
        # LIMITATION: reports are stored redacted, so a resumed repository
        # has only the redacted secret and its fingerprint; `--reveal` shows
        # it redacted.  Keeping secrets out of a long-lived file is worth it.
        line = json.dumps(
            {
                "format": MULTI_FORMAT,
                "repository": path,
                "options": self.key,
                "report": report.to_dict(reveal=False),
            },
            ensure_ascii=False,
        )
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        size = os.fstat(fd).st_size
        # A crash may have cut the last line short: end it, or this entry
        # would be glued to it and lost too.
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = "\n" + line
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


# --- Combined revocation checklist ---------------------------------------


def build_sweep_checklist(
    multi: MultiReport, ruleset: RuleSet | None = None
) -> list[SweepItem]:
    """Join the checklists of every repository into one item per credential.

    Items are ordered by risk as `gitsweep.checklist` orders entries:
    severity, then whether a published ref reaches the credential in any
    repository, then the longest exposure, then the most repositories.
    """
    from .revocation import SEVERITY_RANK, ChecklistEntry, checklist

    rules = ruleset if ruleset is not None else load_rules()
    now = datetime.now(timezone.utc)
    grouped: dict[str, list[tuple[ChecklistEntry, Place]]] = {}
    for scanned in multi.repositories:
        if scanned.report is None:
            continue
        firsts = {f.fingerprint: _first_occurrence(f) for f in scanned.report.findings}
        for entry in checklist(scanned.report, rules=rules, now=now).entries:
            held = grouped.setdefault(entry.fingerprint, [])
            if any(place.repository == scanned.path for _, place in held):
                continue  # two rules matched the same key in one repository
            commit, path = firsts.get(entry.fingerprint, (None, None))
            place = Place(
                repository=scanned.path,
                commit=commit,
                path=path,
                first_seen=entry.first_seen,
                exposure_days=entry.exposure_days,
                published=entry.published,
                refs=entry.refs,
                at_head=entry.at_head,
            )
            held.append((entry, place))

    items = []
    for fp, held in grouped.items():
        lead = held[0][0]
        for entry, _ in held:
            if SEVERITY_RANK.get(entry.severity, 0) > SEVERITY_RANK.get(
                lead.severity, 0
            ):
                lead = entry
        earliest = min(held, key=lambda pair: pair[0].first_seen or "9999")[0]
        items.append(
            SweepItem(
                rank=0,
                fingerprint=fp,
                rule=lead.rule,
                name=lead.name,
                provider=lead.provider,
                severity=lead.severity,
                identity=lead.identity,
                how=lead.how,
                url=lead.url,
                audit=earliest.audit,
                replace_with=lead.replace_with,
                places=tuple(place for _, place in held),
            )
        )
    items.sort(
        key=lambda i: (
            -SEVERITY_RANK.get(i.severity, 0),
            not i.published,
            -max((p.exposure_days or 0) for p in i.places),
            -len(i.places),
            i.fingerprint,
        )
    )
    return [attrs.evolve(item, rank=n) for n, item in enumerate(items, 1)]


def _first_occurrence(finding: Finding) -> tuple[str | None, str | None]:
    """Return (commit, path) of the finding's earliest occurrence."""
    first = min(finding.occurrences, key=lambda o: (o.date or "9999", o.object, o.line))
    return first.commit, first.path


def _item_dict(item: SweepItem) -> dict[str, Any]:
    data = attrs.asdict(item, recurse=True)
    data["first_seen"] = item.first_seen
    data["published"] = item.published
    return data


# --- Rendering ------------------------------------------------------------


def render_summary(multi: MultiReport) -> str:
    """Return a table of findings by repository (rows) and provider (columns).

    Failed repositories show the reason instead of counts; a status line
    ends the table.
    """
    providers = sorted({f.provider for r in multi.reports for f in r.findings})
    header = ["REPOSITORY", "STATUS", "FINDINGS", *providers]
    rows, notes = [], []
    for entry in multi.repositories:
        if entry.report is None:
            assert entry.failure is not None
            rows.append([entry.name, "FAILED", "-", *("-" for _ in providers)])
            notes.append(f"{entry.name} ({entry.path}): {entry.failure.message}")
            continue
        report = entry.report
        counts = {p: 0 for p in providers}
        for f in report.findings:
            counts[f.provider] += 1
        state = "incomplete" if not report.complete else "scanned"
        if entry.resumed:
            state += " (checkpoint)"
        cells = [str(counts[p]) if counts[p] else "-" for p in providers]
        rows.append([entry.name, state, str(len(report.findings)), *cells])
    totals = [
        str(sum(1 for r in multi.reports for f in r.findings if f.provider == p))
        for p in providers
    ]
    rows.append(["(all)", "", str(multi.finding_count), *totals])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
        for row in [header, *rows]
    ]
    lines += [""] + [f"failed: {n}" for n in notes]
    lines.append(f"status: {multi.status}")
    return "\n".join(lines) + "\n"


def render_checklist_markdown(items: Sequence[SweepItem]) -> str:
    """Return the combined checklist as Markdown: one task per place."""
    intro = (
        "Revoke or rotate each credential once, then clean every repository "
        "that holds it: a rewrite does not make a leaked credential safe."
    )
    out = ["# Revocation checklist", "", intro, ""]
    if not items:
        out.append("Nothing to revoke: no repository has a finding.")
    for item in items:
        reach = "published ref" if item.published else "no published ref"
        held = len(item.places)
        title = f"{item.provider}: {item.name} ({item.severity}, {reach})"
        out += [
            f"## {item.rank}. [ ] {title}",
            "",
            f"- identity: {item.identity}",
            f"- revoke: {item.how}" + (f" <{item.url}>" if item.url else ""),
            f"- audit: {item.audit}",
            f"- replace with: {item.replace_with}",
            f"- held by {held} repositor{'ies' if held != 1 else 'y'}:",
        ]
        for p in item.places:
            refs = ", ".join(p.refs[:3]) or "no ref"
            if len(p.refs) > 3:
                refs += f" and {len(p.refs) - 3} more refs"
            head = "; still at HEAD" if p.at_head else ""
            out.append(
                f"  - [ ] {p.repository}: {p.path or '(no path)'} (commit "
                f"{(p.commit or '-')[:12]}, {(p.first_seen or '-')[:10]}; {refs}{head})"
            )
        out.append("")
    return "\n".join(out)


def write_sarif_files(
    multi: MultiReport,
    folder: str | os.PathLike[str],
    ruleset: RuleSet | None = None,
    reveal: bool = False,
) -> list[Path]:
    """Write one SARIF file per scanned repository into `folder` (mode 0600).

    Files are named after the repository folder plus a short hash of its
    path, so two repositories called `api` do not overwrite each other.
    """
    from .sarif import render_sarif

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in multi.repositories:
        if entry.report is None:
            continue
        tag = hashlib.sha256(entry.path.encode()).hexdigest()[:8]
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", entry.name) or "repository"
        out = target / f"{safe}-{tag}.sarif"
        write_private(out, render_sarif(entry.report, ruleset, reveal) + "\n")
        written.append(out)
    return written
