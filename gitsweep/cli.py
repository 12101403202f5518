"""The `gitsweep` command line: parse arguments, run, print, exit.

The only module that prints, installs log handlers or picks exit codes:
0 no findings and complete coverage, 1 findings, 2 error, 3 no findings but
some of the history could not be scanned.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import GitsweepError

log = logging.getLogger(__name__)

#: Modules that add subcommands through `register(subparsers)`.
_COMMAND_MODULES = ("rules_cli", "remediation_cli", "everyday_cli", "many_cli")


def byte_size(text: str) -> int:
    """Parse a size such as 50M, 2G, 512k or a plain number of bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    clean = text.strip().lower().rstrip("ib")
    try:
        if clean and clean[-1] in units:
            return int(float(clean[:-1]) * units[clean[-1]])
        return int(clean)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: give bytes or a number with k, M or G (50M)"
        ) from None


def add_scan_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every scanning subcommand shares."""
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="an extra rule file (TOML); may be repeated",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="RULE",
        help="a rule id to turn off; may be repeated",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help="worker processes (default: all cores)",
    )
    parser.add_argument(
        "--max-blob-size",
        type=byte_size,
        default=50 << 20,
        metavar="SIZE",
        help="skip (and list) blobs over SIZE (default 50M)",
    )
    parser.add_argument(
        "--min-confidence",
        choices=("high", "medium", "low"),
        default="medium",
        help="hide findings below this (default medium)",
    )
    parser.add_argument(
        "--regex-timeout",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time one rule may spend on one window (default 1)",
    )
    parser.add_argument(
        "--verify-objects",
        action="store_true",
        help="re-hash every object read (about 3x slower reads)",
    )


def _scan_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    # Only `scan` has the cache options; other commands read everything.
    cache = None if getattr(args, "no_cache", True) else (args.cache_dir or True)
    return {
        "rules": args.rules,
        "disable": args.disable,
        "jobs": args.jobs,
        "max_blob_size": args.max_blob_size,
        "min_confidence": args.min_confidence,
        "regex_timeout": args.regex_timeout,
        "verify_objects": args.verify_objects,
        "cache": cache,
    }


def _progress_bar(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(unit=" objects", file=sys.stderr, mininterval=0.5, leave=False)
    state = {"bytes": 0}

    def update(objects: int, nbytes: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(max(0, objects - bar.n))
        state["bytes"] = nbytes
        bar.set_postfix_str(f"{nbytes / 1e6:.0f} MB", refresh=False)

    return bar, update


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it to `output` with mode 0600."""
    if output:
        from .report import write_private

        try:
            write_private(output, text)
        except OSError as exc:
            raise GitsweepError(
                f"cannot write {output}: {exc.strerror or exc}; give --output a "
                "file path in a folder that exists and that you can write"
            ) from None
    else:
        sys.stdout.write(text)


#: Output formats inferred from an --output file name when -f is not given.
_FORMAT_BY_SUFFIX = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".sarif": "sarif",
    ".md": "markdown",
}


def output_format(fmt: str | None, output: str | None) -> str:
    """Return the format asked for, else the one the output file's name says."""
    if fmt:
        return fmt
    if output:
        return _FORMAT_BY_SUFFIX.get(os.path.splitext(output)[1].lower(), "table")
    return "table"


def render(report, fmt: str, reveal: bool, ruleset=None) -> str:  # type: ignore[no-untyped-def]
    """Return the report in one of the CLI's formats."""
    from .render import render_jsonl, render_markdown, render_table
    from .sarif import render_sarif

    if fmt == "json":
        return report.to_json(reveal) + "\n"
    if fmt == "jsonl":
        return render_jsonl(report, reveal)
    if fmt == "sarif":
        return render_sarif(report, ruleset, reveal) + "\n"
    if fmt == "markdown":
        return render_markdown(report, reveal)
    return render_table(report, reveal)


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan a repository and print or write the report."""
    import attrs

    from .baseline import (
        apply_baseline,
        baseline_from_findings,
        load_baseline,
        write_baseline,
    )
    from .config import resolve_config
    from .rules import load_rules
    from .scan import scan

    settings = resolve_config(
        False if args.no_config else (args.config or True),
        _work_tree(args.path),
    )
    baseline = None
    if args.update_baseline and not args.baseline:
        raise GitsweepError("--update-baseline needs --baseline FILE to write to")
    if args.baseline and not args.update_baseline:
        baseline = load_baseline(args.baseline)
    bar, update = _progress_bar(args)
    try:
        report = scan(
            args.path,
            progress=update,
            since=args.since,
            baseline=baseline,
            config=settings,
            **_scan_kwargs(args),
        )
    finally:
        if bar is not None:
            bar.close()
    if args.update_baseline:
        known = baseline_from_findings(report.findings, report.ruleset)
        write_baseline(args.baseline, known)
        report = apply_baseline(report, attrs.evolve(known, path=args.baseline))
        sys.stderr.write(
            f"baseline of {len(known)} finding(s) written to {args.baseline}\n"
        )
    ruleset = load_rules(
        [*args.rules, *settings.rule_files], [*args.disable, *settings.disabled]
    )
    fmt = output_format(args.format, args.output)
    emit(render(report, fmt, args.reveal, ruleset), args.output)
    if args.output and not args.quiet:
        sys.stderr.write(
            f"{report.status}; report written to {args.output} (mode 0600)\n"
        )
    return report.exit_code


def _work_tree(path: str) -> str | None:
    from .walker import open_repository

    return open_repository(path).workdir


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo repository, scan it and print what a responder needs."""
    from .demo import build_demo_repository
    from .render import render_table
    from .scan import scan

    folder = args.keep or tempfile.mkdtemp(prefix="gitsweep-demo-")
    if args.keep and os.path.exists(folder) and os.listdir(folder):
        raise GitsweepError(
            f"{folder} is not empty; give --keep an empty or new folder"
        )
    build_demo_repository(folder)
    print(f"Built a demo repository with a leak history in {folder}\n")
    report = scan(folder, jobs=1)
    print(render_table(report))
    try:
        remediation = importlib.import_module(".remediation_cli", __package__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.remediation_cli":
            raise
    else:
        remediation.print_demo_remediation(report)
    if not args.keep:
        print(f"(the demo repository stays in {folder}; delete it when done)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="gitsweep",
        description="Find leaked credentials in the whole history of a git "
        "repository, trace them, plan their removal and revocation.",
    )
    parser.add_argument(
        "--version", action="version", version=f"gitsweep {__version__}"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (-v) or every object (-vv) to stderr",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks on errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    scan_p = sub.add_parser("scan", help="scan every object of a repository")
    scan_p.add_argument(
        "path", nargs="?", default=".", help="repository (default: here)"
    )
    scan_p.add_argument(
        "--format",
        "-f",
        default=None,
        choices=("table", "json", "jsonl", "sarif", "markdown"),
        help="output format (default: from the --output file name, else table)",
    )
    scan_p.add_argument("--output", "-o", metavar="FILE", help="write here (mode 0600)")
    scan_p.add_argument(
        "--reveal", action="store_true", help="show secrets in full (default: redacted)"
    )
    scan_p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_scan_options(scan_p)
    scan_p.add_argument(
        "--no-cache",
        action="store_true",
        help="read every object, even those an earlier scan "
        "with the same rules found clean",
    )
    scan_p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the scan cache lives (default "
        "$GITSWEEP_CACHE_DIR or ~/.cache/gitsweep); it holds "
        "object ids only, never secrets",
    )
    scan_p.add_argument(
        "--since",
        metavar="RANGE",
        help="scan only what a range adds: A..B, or BASE for BASE..HEAD",
    )
    scan_p.add_argument(
        "--baseline",
        metavar="FILE",
        help="leave out the known findings this baseline lists",
    )
    scan_p.add_argument(
        "--update-baseline",
        action="store_true",
        help="write every finding of this scan to the --baseline FILE",
    )
    scan_p.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE instead of the work tree's "
        ".gitsweep.toml or pyproject.toml",
    )
    scan_p.add_argument(
        "--no-config", action="store_true", help="ignore the work tree's configuration"
    )
    scan_p.set_defaults(func=cmd_scan)

    demo_p = sub.add_parser(
        "demo", help="build a demo repository with leaks and scan it"
    )
    demo_p.add_argument(
        "--keep", metavar="DIR", help="build the demo here (empty folder)"
    )
    demo_p.set_defaults(func=cmd_demo)

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.ERROR, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="gitsweep: %(levelname)s: %(message)s")
    try:
        return int(args.func(args))
    except GitsweepError as exc:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"gitsweep: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("gitsweep: interrupted\n")
        return 2
    except BrokenPipeError:
        # The reader went away (`gitsweep rules list | head`): not an error
        # of ours.  Point stdout at devnull so the interpreter's final flush
        # does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI must end in one line
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(
            f"gitsweep: error: {type(exc).__name__}: {exc} (rerun with --debug "
            "for the traceback, and report it)\n"
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
