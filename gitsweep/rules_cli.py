"""`gitsweep rules`: list the rules and test a rule file's examples.

Registered by `cli.build_parser` through `register(subparsers)`:

* `gitsweep rules list [--format table|json] [--rules FILE]... [--disable ID]...`
  prints every loaded rule (id, provider, severity, kind, validator).
* `gitsweep rules test FILE` loads FILE as strictly as `--rules` does, then
  runs each rule's examples through the real matcher: every positive must
  be reported (confidence medium or up) and no negative may be.  Exit code
  0 when all pass, 1 when an example fails, 2 when the file is rejected.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .rules import Rule, RuleSet, load_rules, read_rule_file

#: Confidences the default report shows; an example counts as reported
#: only at these levels.
REPORTED = ("high", "medium")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `rules list` and `rules test` to the main parser."""
    rules_p = subparsers.add_parser("rules", help="list rules or test a rule file")
    rules_sub = rules_p.add_subparsers(dest="rules_command", required=True)

    list_p = rules_sub.add_parser("list", help="print the loaded rules")
    list_p.add_argument("--format", choices=("table", "json"), default="table")
    list_p.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="an extra rule file (TOML); may be repeated",
    )
    list_p.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="RULE",
        help="a rule id to leave out; may be repeated",
    )
    list_p.set_defaults(func=rules_list_command)

    test_p = rules_sub.add_parser("test", help="run a rule file's examples")
    test_p.add_argument("file", metavar="FILE", help="the rule file (TOML)")
    test_p.set_defaults(func=rules_test_command)  # fmt: skip


def rules_list_command(args: argparse.Namespace) -> int:
    """Print the loaded rules as a table or JSON; return 0.

    Reads `args.format` ("table" or "json"), and optionally `args.rules`
    (extra rule files) and `args.disable` (ids to leave out).
    """
    ruleset = load_rules(getattr(args, "rules", ()), getattr(args, "disable", ()))
    if getattr(args, "format", "table") == "json":
        sys.stdout.write(json.dumps([_rule_summary(r) for r in ruleset], indent=1))
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(render_rule_table(ruleset))
    return 0


def rules_test_command(args: argparse.Namespace) -> int:
    """Run the examples of the rule file `args.file`; 0 when all pass.

    A rule the loader rejects (bad pattern, duplicate id, catastrophic
    backtracking, a positive its pattern misses) raises `RuleError`, which
    the main CLI prints with the file, the rule id and the reason.
    """
    rules = read_rule_file(args.file, check_examples=True)
    _check_unique(rules, args.file)
    failures = test_rule_examples(rules)
    for rule in rules:
        bad = failures.get(rule.id, [])
        mark = "ok  " if not bad else "FAIL"
        count = len(rule.positives) + len(rule.negatives)
        sys.stdout.write(f"{mark} {rule.id} ({count} examples)\n")
        for line in bad:
            sys.stdout.write(f"       {line}\n")
    total = sum(len(v) for v in failures.values())
    sys.stdout.write(f"{len(rules)} rules, {total} failing example(s) in {args.file}\n")
    return 1 if total else 0


def test_rule_examples(rules: Sequence[Rule]) -> dict[str, list[str]]:
    """Return {rule id: failure descriptions} for examples that misbehave.

    Each rule is matched alone, so a negative only fails when its own rule
    reports it.  Descriptions name the example by number, never its text.
    """
    from .matcher import Matcher

    failures: dict[str, list[str]] = {}
    for rule in rules:
        matcher = Matcher(RuleSet((rule,), rule.id))
        for n, text in enumerate(rule.positives, 1):
            if not _is_reported(matcher, text):
                failures.setdefault(rule.id, []).append(
                    f"positive #{n} is not reported (dropped by its validator, "
                    "entropy floor or context scoring)"
                )
        for n, text in enumerate(rule.negatives, 1):
            if _is_reported(matcher, text):
                failures.setdefault(rule.id, []).append(f"negative #{n} is reported")
    return failures


def _is_reported(matcher: object, text: str) -> bool:
    matches = matcher.match(text.encode("utf-8"))  # type: ignore[attr-defined]
    return any(m.confidence in REPORTED for m in matches)


def _check_unique(rules: Sequence[Rule], source: str) -> None:
    from .errors import RuleError

    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(source, rule.id, "duplicate id within the file")
        seen.add(rule.id)


def _rule_summary(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.name,
        "provider": rule.provider,
        "severity": rule.severity,
        "kind": rule.kind,
        "validator": rule.validator,
        "keywords": list(rule.keywords),
        "tags": list(rule.tags),
        "reference": rule.reference,
        "source": rule.source,
    }


def render_rule_table(ruleset: RuleSet) -> str:
    """Return the rules as an aligned text table, one rule a line."""
    rows = [("ID", "PROVIDER", "SEVERITY", "KIND", "VALIDATOR")]
    rows += [
        (r.id, r.provider, r.severity, r.kind, r.validator or "-") for r in ruleset
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        for row in rows
    ]
    lines.append(f"{len(ruleset)} rules")
    return "\n".join(lines) + "\n"
