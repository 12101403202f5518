"""`gitsweep protect`: the pre-commit and commit-msg gate on the command line.

Registered by `cli.build_parser`; prints the short report of `protect` and
returns its exit code: 0 nothing new, 1 a secret would be committed, 3 a
staged blob could not be checked, 2 an error.
"""

from __future__ import annotations

import argparse
import sys

from .errors import GitsweepError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `protect` subcommand."""
    from .cli import byte_size

    p = subparsers.add_parser(
        "protect",
        help="stop a commit that stages a secret (pre-commit hook)",
        description="Check only what the next commit adds: the blobs staged "
        "against HEAD and, with --message-file, its message.",
    )
    p.add_argument(
        "--staged",
        action="store_true",
        help="check the blobs staged in the index against HEAD",
    )
    p.add_argument(
        "--message-file",
        metavar="FILE",
        help="check this commit message file (the commit-msg hook's)",
    )
    p.add_argument(
        "--repo", default=".", metavar="PATH", help="the repository (default: here)"
    )
    p.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="an extra rule file (TOML); may be repeated",
    )
    p.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="RULE",
        help="a rule id to turn off; may be repeated",
    )
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help="leave out the known findings this baseline lists",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE instead of the work tree's",
    )
    p.add_argument(
        "--no-config", action="store_true", help="ignore the work tree's configuration"
    )
    p.add_argument(
        "--min-confidence",
        choices=("high", "medium", "low"),
        default="medium",
        help="ignore findings below this (default medium)",
    )
    p.add_argument(
        "--max-blob-size",
        type=byte_size,
        default=50 << 20,
        metavar="SIZE",
        help="leave unchecked (and say so) staged blobs over SIZE",
    )
    p.set_defaults(func=cmd_protect)


def cmd_protect(args: argparse.Namespace) -> int:
    """Check the staged blobs and/or the message; print what would leak."""
    from .baseline import load_baseline
    from .protect import protect, render_protect

    if not args.staged and not args.message_file:
        raise GitsweepError(
            "nothing to check: give --staged, --message-file FILE, or both"
        )
    result = protect(
        args.repo,
        staged=args.staged,
        message_file=args.message_file,
        rules=args.rules,
        disable=args.disable,
        config=False if args.no_config else (args.config or True),
        baseline=load_baseline(args.baseline) if args.baseline else None,
        min_confidence=args.min_confidence,
        max_blob_size=args.max_blob_size,
    )
    sys.stdout.write(render_protect(result))
    return result.exit_code
