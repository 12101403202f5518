"""Subcommands `gitsweep plan`, `gitsweep rewrite` and `gitsweep checklist`.

Registered by `cli.build_parser` through `register(subparsers)`.  Like
`cli`, this module prints and picks exit codes; the work is done by
`plan`, `export`, `rewrite` and `revocation`.
"""

from __future__ import annotations

import argparse
import sys

from .errors import GitsweepError, PlanError
from .report import Report


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the remediation subcommands to the `gitsweep` parser."""
    from .cli import add_scan_options
    from .export import TOOLS

    p = subparsers.add_parser(
        "plan", help="plan the removal of every finding from the history"
    )
    p.add_argument("path", nargs="?", default=".", help="repository (default: here)")
    p.add_argument(
        "--report",
        metavar="FILE",
        help="use a report written with --reveal instead of rescanning",
    )
    p.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (mode 0600)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="also print the diff of every change, secrets redacted",
    )
    p.add_argument(
        "--head",
        choices=("replace", "purge"),
        help="for secrets at HEAD: keep the file or purge every version",
    )
    p.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="KEY=ACTION",
        help="rule:ID=, path:GLOB= or finding:FINGERPRINT= an action "
        "(replace-literal, purge-path, strip-blob, skip); may be repeated",
    )
    p.add_argument(
        "--export",
        choices=TOOLS,
        action="append",
        default=[],
        help="also write inputs for this tool; may be repeated",
    )
    p.add_argument(
        "--export-dir",
        metavar="DIR",
        default="gitsweep-export",
        help="folder for exported files (mode 0600 each)",
    )
    p.add_argument("--quiet", "-q", action="store_true")
    add_scan_options(p)
    p.set_defaults(func=cmd_plan)

    r = subparsers.add_parser(
        "rewrite", help="carry out a plan on a mirror clone and verify it"
    )
    r.add_argument("plan", help="plan file from `gitsweep plan --format json`")
    where = r.add_mutually_exclusive_group(required=True)
    where.add_argument("--mirror", metavar="DEST", help="new mirror clone to create")
    where.add_argument(
        "--in-place",
        action="store_true",
        help="rewrite the repository itself (bundle backup first)",
    )
    r.add_argument("--source", metavar="PATH", help="repository (default: the plan's)")
    r.set_defaults(func=cmd_rewrite)

    c = subparsers.add_parser(
        "checklist", help="list the credentials to revoke, riskiest first"
    )
    c.add_argument("path", nargs="?", default=".", help="repository (default: here)")
    c.add_argument("--report", metavar="FILE", help="use this report, do not rescan")
    c.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")
    c.add_argument("--output", "-o", metavar="FILE", help="write here (mode 0600)")
    c.add_argument("--quiet", "-q", action="store_true")
    add_scan_options(c)
    c.set_defaults(func=cmd_checklist)


def _report(args: argparse.Namespace, need_secrets: bool) -> Report:
    from .cli import _scan_kwargs
    from .scan import scan

    if args.report:
        report = Report.load(args.report)
        if need_secrets and any(f.redacted for f in report.findings):
            raise PlanError(
                f"{args.report} holds redacted secrets, and a plan needs them; "
                "run `gitsweep plan PATH` (it rescans), or write the report with "
                "`gitsweep scan --format json --reveal --output FILE`"
            )
        return report
    return scan(args.path, **_scan_kwargs(args))


def _overrides(items: list[str]) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {"finding": {}, "rule": {}, "path": {}}
    for item in items:
        key, sep, action = item.rpartition("=")
        kind, colon, name = key.partition(":")
        if not sep or not colon or kind not in tables:
            raise PlanError(
                f"--override {item!r}: write rule:ID=ACTION, path:GLOB=ACTION "
                "or finding:FINGERPRINT=ACTION"
            )
        tables[kind][name] = action
    return tables


def cmd_plan(args: argparse.Namespace) -> int:
    """Scan (or load a revealed report), plan, print, and export."""
    from .cli import emit
    from .export import export
    from .plan import plan, render_dry_run, render_plan, secrets_from_report

    report = _report(args, need_secrets=True)
    tables = _overrides(args.override)
    result = plan(
        report,
        by_finding=tables["finding"],
        by_rule=tables["rule"],
        by_path=tables["path"],
        head=args.head,
        rule_files=args.rules,
        disabled=args.disable,
    )
    text = result.to_json() + "\n" if args.format == "json" else render_plan(result)
    emit(text, args.output)
    secrets = secrets_from_report(report)
    if args.dry_run:
        sys.stdout.write("\n" + render_dry_run(result, secrets))
    for tool in args.export:
        done = export(result, tool, args.export_dir, secrets)
        sys.stderr.write(f"{tool}: wrote {', '.join(done.files)} (mode 0600)\n")
        sys.stderr.write(f"  run: {done.command}\n")
        for warning in done.warnings:
            sys.stderr.write(f"  note: {warning}\n")
    if args.output and not args.quiet:
        sys.stderr.write(f"plan written to {args.output} (mode 0600)\n")
    return 1 if result.active_items else 0


def cmd_rewrite(args: argparse.Namespace) -> int:
    """Carry out a plan file and print the result and the next steps."""
    from .plan import RewritePlan
    from .rewrite import render_result, rewrite

    loaded = RewritePlan.load(args.plan)
    result = rewrite(
        loaded,
        args.mirror,
        in_place=args.in_place,
        source=args.source,
        progress=_progress,
    )
    sys.stdout.write(render_result(result))
    return 0


def _progress(phase: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{phase}: {done}/{total}")
        if done == total:
            sys.stderr.write("\n")


def cmd_checklist(args: argparse.Namespace) -> int:
    """Print the revocation checklist of a scan or a report."""
    from .cli import emit
    from .revocation import checklist

    report = _report(args, need_secrets=False)
    listing = checklist(report, rule_files=args.rules)
    text = listing.to_json() + "\n" if args.format == "json" else listing.to_markdown()
    emit(text, args.output)
    return listing.exit_code


def print_demo_remediation(report: Report) -> None:
    """Print the plan summary and the revocation checklist for the demo."""
    from .plan import plan, render_plan
    from .revocation import checklist

    out = sys.stdout
    try:
        result = plan(report)
    except GitsweepError as exc:
        out.write(f"(no rewrite plan: {exc})\n")
        return
    out.write("\n" + render_plan(result) + "\n")
    out.write(checklist(report).to_markdown() + "\n")
    out.write(
        "Next: `gitsweep plan PATH --format json --output plan.json`, review it, "
        "then `gitsweep rewrite plan.json --mirror DEST`.\n"
    )
