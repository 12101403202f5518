"""Run every repro script of the shared corpus and check the scan against it.

Each script in `../shared/corpus/repros` builds its repository in
`tmp_path` at test time (nothing of the corpus is copied into this
project); `expected.json` says what a correct full-history scan reports.
A finding matches when rule, secret, path, line and introducing commit all
agree.  Where the corpus names a rule we have not written, the test is an
expected failure naming that rule, never a silent pass.
"""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

import gitsweep
from gitsweep.findings import Finding, Occurrence
from gitsweep.report import Report
from gitsweep.rules import load_rules

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

#: The corpus has one `private-key` rule; ours are split by armour, under
#: the type names of the corpus's own formats.jsonl.
RULE_ALIASES = {
    "private-key": {
        "openssh-private-key",
        "ec-private-key",
        "rsa-private-key",
        "pkcs8-private-key",
        "dsa-private-key",
    },
    "private-key-encrypted": {
        "encrypted-private-key",
        "pem-private-key-encrypted-legacy",
        "ssh2-encrypted-private-key",
    },
}


def _cases() -> list[Any]:
    if not (CORPUS / "expected.json").is_file():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))
        ]
    data = json.loads((CORPUS / "expected.json").read_text())
    return [pytest.param(case, id=case["id"]) for case in data["repros"]]


@lru_cache(maxsize=1)
def _rule_ids() -> frozenset[str]:
    return frozenset(r.id for r in load_rules())


def _accepted(expected_rule: str) -> set[str]:
    return RULE_ALIASES.get(expected_rule, {expected_rule})


def _build(case: dict[str, Any], target: Path) -> None:
    done = subprocess.run(
        ["bash", str(CORPUS / case["script"]), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"repro build failed: {done.stderr[-500:]}"


def _same_secret(finding: Finding, expected: str) -> bool:
    """Equal, or the finding's natural extent holds it (a PEM block, a URL)."""
    return finding.secret == expected or expected in finding.secret


def _find(report: Report, want: dict[str, Any]) -> list[tuple[Finding, Occurrence]]:
    """Return the (finding, occurrence) pairs that agree with `want`."""
    out = []
    for f in report.findings:
        if f.rule not in _accepted(want["rule"]) or not _same_secret(f, want["secret"]):
            continue
        for o in f.occurrences:
            if want.get("path") is not None and o.path != want["path"]:
                continue
            if want.get("path") is None and o.source == "blob":
                continue
            if want.get("line") is not None and o.line != want["line"]:
                continue
            if o.commit != want["commit"] and want["commit"] not in o.commits:
                continue
            out.append((f, o))
    return out


def _overlaps(report: Report) -> list[str]:
    """Name the rules that report one secret in one object twice."""
    seen: dict[tuple[str, str], set[str]] = {}
    for f in report.findings:
        for o in f.occurrences:
            seen.setdefault((f.secret, o.object), set()).add(f.rule)
    return sorted(" and ".join(sorted(r)) for r in seen.values() if len(r) > 1)


def _check_status(case: dict[str, Any], report: Report, repo: Path) -> None:
    """Check what the scan must say besides its findings."""
    kinds = {w.kind for w in report.warnings}
    rid = case["id"]
    if rid.startswith("02-"):
        assert report.shallow and "shallow" in kinds
        assert not report.complete and report.exit_code == 3
    if rid.startswith("04-"):
        missing = (repo / ".git" / "MISSING_OBJECT").read_text().strip()
        (w,) = [w for w in report.warnings if w.kind == "missing-object"]
        assert w.object == missing and w.path == "docs/intro.md"
        assert not report.complete and "incomplete" in report.status
    if rid.startswith("13-"):
        assert report.stats.skipped == 0
    if rid.startswith("27-"):
        (w,) = [w for w in report.warnings if w.kind == "submodule"]
        assert w.path == "vendor/lib" and not report.complete
    if rid.startswith("34-"):
        assert report.stats.lfs_pointers == 2 and "lfs-pointer" in kinds
    if not report.findings:
        assert report.exit_code == (0 if report.complete else 3)
        assert "no findings" in report.status
    else:
        assert report.exit_code == 1 and "finding" in report.status


def _check_details(
    want: dict[str, Any], pairs: list[tuple[Finding, Occurrence]]
) -> None:
    """Check what a corpus entry adds beyond place: HEAD, refs, encoding."""
    occ = pairs[0][1]
    if want.get("still_in_head"):
        assert any(o.at_head for _, o in pairs)
    if "encoding" in want:
        assert occ.encoding and occ.encoding.startswith(
            want["encoding"].split(",")[0][:8]
        )
    ref = want.get("ref", "")
    if ref.startswith("refs/heads/"):
        assert ref in occ.refs
    elif "reflog" in ref:
        assert occ.refs == () and not occ.reachable
        assert {r.split(" ")[0] for r in ref.split(" / ")} & set(occ.reflogs)
    if want.get("end_line"):
        assert occ.end_line == want["end_line"]
    if isinstance(want.get("occurrences"), str) and "paths" in want["occurrences"]:
        assert occ.path_count == 1_000_000


@pytest.mark.parametrize("case", _cases())
def test_corpus_repro(case: dict[str, Any], tmp_path: Path) -> None:
    """The scan of each corpus repository reports what expected.json says."""
    repo = tmp_path / "repo"
    _build(case, repo)

    report = gitsweep.scan(repo)

    expected = case["expected"]
    missing_rules = set()
    for want in expected["findings"]:
        if not _accepted(want["rule"]) & _rule_ids():
            missing_rules.add(want["rule"])
            continue
        pairs = _find(report, want)
        if want.get("required", True) and not want.get("repository"):
            assert pairs, (
                f"not reported: {want['rule']} at {want.get('path')}:{want.get('line')}"
            )
        if pairs:
            _check_details(want, pairs)
    _check_status(case, report, repo)
    if missing_rules:
        pytest.xfail(f"rule(s) not written yet: {', '.join(sorted(missing_rules))}")

    distinct = {
        (f.rule, f.secret, o.object) for f in report.findings for o in f.occurrences
    }
    low, high = expected["count"]
    if len(distinct) > high and _overlaps(report):
        pytest.xfail(
            f"one secret reported by two rules: {'; '.join(_overlaps(report))}"
        )
    assert low <= len(distinct) <= high, sorted((r, o) for r, _, o in distinct)
