"""Micro-benchmarks of the numba kernels against simpler ways to match.

    python -m benchmarks.kernels [--mb 8] [--json OUT] [--markdown docs/benchmarks.md]

Each kernel of `gitsweep._kernels` runs on four kinds of input, made here
deterministically: source text, minified JavaScript, random base64 and
random binary. The keyword kernel, given the keywords of the built-in
rules, is compared with a pure-Python loop (the shape of the reference
the tests use), `regex` with one case-insensitive alternation, and, when
installed, pyahocorasick and hyperscan. The token kernel is compared with a
`re` scan plus entropy in Python. All run on one thread; the figure is
megabytes of input per second per core (1 MB = 10**6 bytes), best of
`--repeat` runs after a warm-up that also compiles the kernels.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks._content import LinePool, draw_line_count, make_minified
from benchmarks._report import MARK_END, MARK_START, splice
from gitsweep import _kernels
from gitsweep.errors import RuleError
from gitsweep.matcher import build_keyword_tables, build_token_classes
from gitsweep.rules import load_rules

CAPACITY = 4096
# Pure-Python engines run on a slice only: a full pass would take minutes.
SLICES = {"pure-Python loop": 64 * 1024, "re + Python entropy": 512 * 1024}
TOKEN_MIN, TOKEN_MAX, TOKEN_ENTROPY = 16, 1024, 3.0


def make_inputs(size: int, seed: int = 7) -> dict[str, bytes]:
    """Return `size` bytes of each kind of input."""
    rng = random.Random(seed)
    pools = [LinePool(rng, lang) for lang in ("py", "js", "go", "c")]
    parts: list[bytes] = []
    total = 0
    while total < size:
        lines = rng.choice(pools).draw(draw_line_count(rng))
        parts.append(b"\n".join(lines) + b"\n")
        total += len(parts[-1])
    source = b"".join(parts)[:size]
    minified = b""
    while len(minified) < size:
        minified += make_minified(pools[1])[0] + b"\n"
    b64 = base64.encodebytes(rng.randbytes(size * 3 // 4 + 3))[:size]
    return {
        "source text": source,
        "minified JS": minified[:size],
        "random base64": b64,
        "binary": rng.randbytes(size),
    }


# Used only when the built-in rules do not load (the table says so).
FALLBACK_KEYWORDS = (
    b"ghp_ gho_ ghs_ github_pat_ glpat- akia asia xoxb- xoxp- xapp- sk_live_ "
    b"rk_live_ -----begin aiza ya29. npm_ pypi- hooks.slack.com sg. "
    b"password passwd secret token api_key apikey access_key private_key "
    b"client_secret auth bearer credential postgres:// mysql:// mongodb"
).split()


def rule_keywords() -> tuple[list[bytes], str]:
    """Return the distinct lower-cased keywords of the built-in rules.

    The second item names where they came from.
    """
    try:
        rules = load_rules()
    except RuleError as exc:
        print(f"built-in rules did not load ({exc}); using a fixed keyword "
              "list", file=sys.stderr)  # fmt: skip
        return list(FALLBACK_KEYWORDS), "a fixed list (the rules did not load)"
    seen = dict.fromkeys(k.encode().lower() for r in rules for k in r.keywords)
    return list(seen), "the built-in rules"


def keyword_engines(keywords: list[bytes]) -> dict[str, Callable[[bytes], int]]:
    """Return name -> function counting keyword hits in a buffer."""
    tables = build_keyword_tables(keywords)
    found_end = np.empty(CAPACITY, np.int64)
    found_kw = np.empty(CAPACITY, np.int32)

    def numba_kernel(data: bytes) -> int:
        arr = np.frombuffer(data, np.uint8)
        total, start, n = 0, 0, len(data)
        while start < n - 1:
            hits, start = _kernels._scan_keywords(
                arr, start, *tables, found_end, found_kw
            )
            total += hits
        return total

    def python_loop(data: bytes) -> int:
        lowered = data.lower()
        return sum(
            1
            for i in range(len(lowered))
            for kw in keywords
            if lowered.startswith(kw, i)
        )

    import regex

    alternation = regex.compile(
        b"(?=(" + b"|".join(regex.escape(k) for k in keywords) + b"))", regex.I
    )
    engines = {
        "gitsweep numba kernel": numba_kernel,
        "pure-Python loop": python_loop,
        "regex alternation": lambda d: sum(1 for _ in alternation.finditer(d)),
    }
    engines.update(_optional_keyword_engines(keywords))
    return engines


def _optional_keyword_engines(keywords: list[bytes]) -> dict[str, Callable]:
    engines: dict[str, Callable] = {}
    try:
        import ahocorasick
    except ImportError:
        pass
    else:
        automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for kw in keywords:
            automaton.add_word(kw.decode("latin-1"))
        automaton.make_automaton()
        # pyahocorasick matches str; latin-1 maps bytes 1:1, lowered first
        # because the automaton is case-sensitive.
        engines["pyahocorasick"] = lambda d: sum(
            1 for _ in automaton.iter(d.lower().decode("latin-1"))
        )
    try:
        import hyperscan
    except ImportError:
        return engines
    db = hyperscan.Database()
    db.compile(
        expressions=[re.escape(k.decode()).encode() for k in keywords],
        ids=list(range(len(keywords))),
        flags=[hyperscan.HS_FLAG_CASELESS] * len(keywords),
    )

    def hyperscan_scan(data: bytes) -> int:
        count = [0]

        def on_match(*_: object) -> None:
            count[0] += 1

        db.scan(data, match_event_handler=on_match)
        return count[0]

    engines["hyperscan"] = hyperscan_scan
    return engines


def token_engines() -> dict[str, Callable[[bytes], int]]:
    """Return name -> function counting high-entropy tokens in a buffer."""
    classes = build_token_classes()
    out = (np.empty(CAPACITY, np.int64), np.empty(CAPACITY, np.int64),
           np.empty(CAPACITY, np.float64), np.empty(CAPACITY, np.uint8))  # fmt: skip

    def numba_kernel(data: bytes) -> int:
        arr = np.frombuffer(data, np.uint8)
        total, start, n = 0, 0, len(data)
        while start < n:
            hits, start = _kernels._find_tokens(
                arr, start, classes, TOKEN_MIN, TOKEN_MAX, TOKEN_ENTROPY, *out
            )
            total += hits
        return total

    runs = re.compile(rb"[A-Za-z0-9+/=_-]+")

    def python_re(data: bytes) -> int:
        total = 0
        for m in runs.finditer(data):
            token = m.group()
            if not TOKEN_MIN <= len(token) <= TOKEN_MAX:
                continue
            n = len(token)
            entropy = -sum(c / n * math.log2(c / n) for c in Counter(token).values())
            total += entropy >= TOKEN_ENTROPY
        return total

    return {"gitsweep numba kernel": numba_kernel, "re + Python entropy": python_re}


def time_engine(fn: Callable[[bytes], int], data: bytes, repeat: int) -> dict:
    """Return the best throughput of `fn` over `repeat` runs on `data`."""
    fn(data[:4096])  # compile or warm
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        hits = fn(data)
        best = min(best, time.perf_counter() - start)
    return {"bytes": len(data), "seconds": best, "mb_per_s": len(data) / 1e6 / best,
            "hits": hits}  # fmt: skip


def run(size: int, repeat: int) -> dict:
    """Benchmark every engine on every input; return the results."""
    inputs = make_inputs(size)
    keywords, origin = rule_keywords()
    suites = {"keywords": keyword_engines(keywords), "tokens": token_engines()}
    results: dict = {"keywords": len(keywords), "keyword_origin": origin,
                     "input_bytes": size, "rows": []}  # fmt: skip
    for kernel, engines in suites.items():
        for engine, fn in engines.items():
            for kind, data in inputs.items():
                sample = data[: SLICES.get(engine, size)]
                row = time_engine(fn, sample, 1 if engine in SLICES else repeat)
                row.update(kernel=kernel, engine=engine, input=kind)
                results["rows"].append(row)
                print(f"{kernel:9} {engine:24} {kind:14} "
                      f"{row['mb_per_s']:9.1f} MB/s", file=sys.stderr)  # fmt: skip
    return results


def _speed(mb_per_s: float) -> str:
    return f"{mb_per_s:.3f}" if mb_per_s < 1 else f"{mb_per_s:,.0f}"


def render(results: dict) -> str:
    """Return the Markdown section: one row per engine, one column per input."""
    kinds = list(dict.fromkeys(r["input"] for r in results["rows"]))
    lines = [
        MARK_START,
        "## Kernel micro-benchmarks\n",
        (
            "Generated by `python -m benchmarks.kernels`: MB/s per core on "
            f"{results['input_bytes'] / 1e6:g} MB of each input "
            f"({results['keywords']} keywords from {results['keyword_origin']}; the "
            "pure-Python loop on the first 64 KiB, `re` + Python entropy on "
            "512 KiB).\n"
        ),
        "| kernel | engine | " + " | ".join(kinds) + " |",
        "|---|---|" + "---:|" * len(kinds),
    ]
    engines = dict.fromkeys((r["kernel"], r["engine"]) for r in results["rows"])
    for kernel, engine in engines:
        cells = {r["input"]: r for r in results["rows"]
                 if (r["kernel"], r["engine"]) == (kernel, engine)}  # fmt: skip
        speeds = [_speed(cells[k]["mb_per_s"]) for k in kinds]
        lines.append(f"| {kernel} | {engine} | " + " | ".join(speeds) + " |")
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kernels",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--mb", type=float, default=8.0, help="MB per input")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path,
                        help="replace the kernels section of this file")  # fmt: skip
    args = parser.parse_args(argv)
    results = run(int(args.mb * 1e6), args.repeat)
    section = render(results)
    print(section)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.markdown:
        old = args.markdown.read_text() if args.markdown.exists() else ""
        args.markdown.write_text(splice(old, section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
