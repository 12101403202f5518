"""The `gitsweep scan-many` subcommand: sweep a list of repositories.

Registered by `cli` through `register(subparsers)`.  Runs the sweep on a
local process pool, a Dask cluster started here (`--local-cluster N`) or an
existing one (`--scheduler ADDRESS`), and prints or writes the combined
report.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from .errors import GitsweepError

FORMATS = ("table", "json", "sarif", "checklist")


def register(subparsers: Any) -> None:
    """Add `scan-many` to the CLI."""
    from .cli import add_scan_options

    parser = subparsers.add_parser(
        "scan-many",
        help="scan many repositories, locally or on a Dask cluster",
        description="Scan every repository named in LIST_FILE (one path a line; "
        "# comments; relative paths are taken from the list file's folder) and "
        "print one combined report.  Dask workers must see the same paths.",
    )
    parser.add_argument(
        "list_file", metavar="LIST_FILE", help="repositories, one a line"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler (tcp://host:8786 or tls://...)",
    )
    where.add_argument(
        "--local-cluster",
        type=int,
        metavar="N",
        help="start a Dask cluster of N worker processes on this machine",
    )
    parser.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="record finished repositories here (mode 0600) and skip them on rerun",
    )
    parser.add_argument("--format", "-f", default="table", choices=FORMATS)
    parser.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="write here (mode 0600); a folder for --format sarif",
    )
    parser.add_argument(
        "--reveal", action="store_true", help="show secrets in full (default: redacted)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_scan_options(parser)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every object, even those an earlier scan found clean",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="scan cache folder as each worker sees it (default: "
        "$GITSWEEP_CACHE_DIR or ~/.cache/gitsweep on that worker)",
    )
    parser.set_defaults(func=cmd_scan_many)


def read_list_file(path: str) -> list[str]:
    """Return the repository paths of a list file, made absolute.

    Blank lines and lines starting with `#` are skipped; a relative path is
    taken from the list file's folder, so the list can travel with them.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise GitsweepError(
            f"cannot read the list file {path}: {exc.strerror}"
        ) from None
    base = Path(path).resolve().parent
    paths = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            paths.append(str(base / line) if not os.path.isabs(line) else line)
    if not paths:
        raise GitsweepError(f"{path} names no repository; write one path a line")
    return paths


@contextlib.contextmanager
def open_executor(args: argparse.Namespace) -> Iterator[Executor | None]:
    """Yield the executor the arguments ask for (None: a local pool)."""
    if args.scheduler is None and args.local_cluster is None:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GitsweepError(
            "--scheduler and --local-cluster need Dask: pip install 'gitsweep[dask]'"
        ) from None
    # Dask sets its loggers to INFO itself: a line per worker start and
    # stop would bury the report.  -vv lets them through.
    quiet = logging.INFO if getattr(args, "verbose", 0) >= 2 else logging.WARNING
    logging.getLogger("distributed").setLevel(quiet)
    with contextlib.ExitStack() as stack:
        if args.local_cluster is not None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=max(1, args.local_cluster),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(args.scheduler))
        # Not pure: the same path may hold another history on the next run.
        yield client.get_executor(pure=False)


def _progress(args: argparse.Namespace, total: int):  # type: ignore[no-untyped-def]
    if args.quiet or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar = tqdm(total=total, unit=" repo", file=sys.stderr, mininterval=0.5, leave=False)

    def update(done: int, _total: int, nbytes: int) -> None:
        bar.update(max(0, done - bar.n))
        bar.set_postfix_str(f"{nbytes / 1e6:,.0f} MB of blobs", refresh=False)

    return bar, update


def cmd_scan_many(args: argparse.Namespace) -> int:
    """Sweep the listed repositories and print or write the combined report."""
    from .cli import emit
    from .many import (
        render_checklist_markdown,
        render_summary,
        scan_many,
        write_sarif_files,
    )
    from .rules import load_rules

    if args.format == "sarif" and not args.output:
        raise GitsweepError(
            "--format sarif writes one file per repository: give a folder "
            "with --output DIR"
        )
    paths = read_list_file(args.list_file)
    options = {
        "rules": args.rules,
        "disable": args.disable,
        "max_blob_size": args.max_blob_size,
        "min_confidence": args.min_confidence,
        "regex_timeout": args.regex_timeout,
        "verify_objects": args.verify_objects,
        "cache": None if args.no_cache else (args.cache_dir or True),
    }
    bar, update = _progress(args, len(paths))
    try:
        with open_executor(args) as executor:
            multi = scan_many(
                paths,
                executor,
                jobs=args.jobs,
                checkpoint=args.checkpoint,
                progress=update,
                **options,
            )
    finally:
        if bar is not None:
            bar.close()

    ruleset = load_rules(args.rules, args.disable)
    target = f"{args.output} (mode 0600)"
    if args.format == "sarif":
        written = write_sarif_files(multi, args.output, ruleset, args.reveal)
        target = f"{len(written)} SARIF file(s) in {args.output}"
        text = ""
    elif args.format == "json":
        text = multi.to_json(args.reveal, ruleset=ruleset) + "\n"
    elif args.format == "checklist":
        text = render_checklist_markdown(multi.checklist(ruleset))
    else:
        text = render_summary(multi) + "\n"
        text += render_checklist_markdown(multi.checklist(ruleset))
    if text:
        emit(text, args.output)
    if args.output and not args.quiet:
        sys.stderr.write(f"{multi.status}; written to {target}\n")
    return multi.exit_code
