"""Matcher: find confirmed matches of every rule in one object's bytes.

Stage 3 of the pipeline.  The numba kernels in `_kernels` turn a blob into
a short list of candidates (keyword hits, high-entropy tokens); the `regex`
module then confirms each candidate on a bounded window around it and
extracts the secret.  Only confirmed matches become `Match` objects.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

import attrs
import numpy as np

from . import _kernels, context
from .findings import Match
from .rules import Rule, RuleSet
from .validators import VALIDATORS

log = logging.getLogger(__name__)

#: Seconds one regex may spend on one window before it is abandoned.
DEFAULT_REGEX_TIMEOUT = 1.0
#: Capacity of the kernels' output arrays; they resume when it fills.
_CAPACITY = 4096
#: Tokens longer than this are data (base64 images, minified bundles).
_MAX_TOKEN = 1024
#: git's own test for binary content: a NUL in the first 8000 bytes.
_BINARY_PROBE = 8000

_HEX = b"0123456789abcdefABCDEF"
_TOKEN_EXTRA = b"+/=_-"


@attrs.define
class MatchStats:
    """Counters the matcher keeps across objects."""

    candidates: int = 0
    windows: int = 0
    matches: int = 0
    dropped: Counter = attrs.field(factory=Counter)
    timeouts: list[tuple[str, str]] = attrs.field(factory=list)


def build_keyword_automaton(keywords: Sequence[bytes]) -> tuple[np.ndarray, ...]:
    """Compile case-insensitive keywords into the DFA tables of the kernel.

    Returns (byte_class, delta, out_first, out_count, out_ids) as described
    in `_kernels._scan_keywords`.  Keywords must be lower-case.
    """
    alphabet = sorted({b for kw in keywords for b in kw})
    byte_class = np.zeros(256, np.int32)
    for column, b in enumerate(alphabet, start=1):
        byte_class[b] = column
        if 97 <= b <= 122:
            byte_class[b - 32] = column
    classes = len(alphabet) + 1

    # Trie, then breadth-first failure links folded into a full DFA.
    goto: list[dict[int, int]] = [{}]
    outputs: list[list[int]] = [[]]
    for index, kw in enumerate(keywords):
        state = 0
        for b in kw:
            column = int(byte_class[b])
            if column not in goto[state]:
                goto.append({})
                outputs.append([])
                goto[state][column] = len(goto) - 1
            state = goto[state][column]
        outputs[state].append(index)
    delta = np.zeros((len(goto), classes), np.int32)
    fail = [0] * len(goto)
    queue = []
    for column, child in goto[0].items():
        delta[0, column] = child
        queue.append(child)
    while queue:
        state = queue.pop(0)
        outputs[state] = outputs[state] + outputs[fail[state]]
        for column in range(classes):
            child = goto[state].get(column)
            if child is None:
                delta[state, column] = delta[fail[state], column]
            else:
                fail[child] = int(delta[fail[state], column])
                delta[state, column] = child
                queue.append(child)

    out_first = np.zeros(len(goto), np.int32)
    out_count = np.zeros(len(goto), np.int32)
    flat: list[int] = []
    for state, ids in enumerate(outputs):
        out_first[state] = len(flat)
        out_count[state] = len(ids)
        flat.extend(ids)
    out_ids = np.array(flat or [0], np.int32)
    return byte_class, delta, out_first, out_count, out_ids


def build_token_classes() -> np.ndarray:
    """Return the uint8[256] token table of `_kernels._find_tokens`."""
    table = np.zeros(256, np.uint8)
    for b in range(256):
        ch = bytes([b])
        if ch.isalnum() and b < 128 or b in _TOKEN_EXTRA:
            table[b] = 1 if b in _HEX else 2
    return table


def shannon_entropy(data: bytes) -> float:
    """Return the Shannon entropy of `data` in bits per byte."""
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())


def is_binary(data: bytes) -> bool:
    """Return whether git would call `data` binary (a NUL early on)."""
    return b"\0" in data[:_BINARY_PROBE]


def decode_utf16(data: bytes) -> tuple[bytes, str] | None:
    """Return (UTF-8 text, encoding) when `data` looks like UTF-16 text.

    A byte-order mark decides; without one, text whose odd or even bytes
    are mostly NUL is taken as little- or big-endian UTF-16.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
        body = data[2:]
        label = encoding.upper().replace("UTF-16-", "UTF-16") + "+BOM"
    else:
        probe = data[:4096]
        if len(probe) < 8:
            return None
        even_nul = probe[0::2].count(0) / len(probe[0::2])
        odd_nul = probe[1::2].count(0) / len(probe[1::2])
        if odd_nul > 0.4 and even_nul < 0.05:
            encoding, label = "utf-16-le", "UTF-16LE"
        elif even_nul > 0.4 and odd_nul < 0.05:
            encoding, label = "utf-16-be", "UTF-16BE"
        else:
            return None
        body = data
    text = body[: len(body) - len(body) % 2].decode(encoding, "replace")
    return text.encode("utf-8", "surrogateescape"), label


class Matcher:
    """Confirm every rule of a rule set against raw object bytes."""

    def __init__(
        self, ruleset: RuleSet, regex_timeout: float = DEFAULT_REGEX_TIMEOUT
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(ruleset)
        self.regex_timeout = regex_timeout
        self.stats = MatchStats()

        keywords: list[bytes] = []
        self._keyword_rules: list[list[int]] = []
        index_of: dict[bytes, int] = {}
        for r_index, rule in enumerate(self.rules):
            if rule.kind != "keyword":
                continue
            for kw in rule.keywords:
                key = kw.encode("utf-8").lower()
                if key not in index_of:
                    index_of[key] = len(keywords)
                    keywords.append(key)
                    self._keyword_rules.append([])
                self._keyword_rules[index_of[key]].append(r_index)
        self._keywords = keywords
        self._tables = build_keyword_automaton(keywords or [b"\0\0\0"])
        self._assigned = [i for i, r in enumerate(self.rules) if r.kind == "assigned"]
        self._token_classes = build_token_classes()
        if self._assigned:
            self._token_min = min(self.rules[i].token_min_length for i in self._assigned)
        self._found_end = np.empty(_CAPACITY, np.int64)
        self._found_kw = np.empty(_CAPACITY, np.int32)
        self._tok_start = np.empty(_CAPACITY, np.int64)
        self._tok_end = np.empty(_CAPACITY, np.int64)
        self._tok_entropy = np.empty(_CAPACITY, np.float64)
        self._tok_hex = np.empty(_CAPACITY, np.uint8)

    def match(
        self, data: bytes, oid: str = "", source: str = "blob"
    ) -> list[Match]:
        """Return the confirmed matches in one object's content.

        Binary content (a NUL early on) is matched only by rules marked
        `binary`; UTF-16 text is decoded first and offsets refer to the
        UTF-8 text.
        """
        encoding = None
        binary = is_binary(data)
        if binary:
            decoded = decode_utf16(data)
            if decoded is not None:
                data, encoding = decoded
                binary = False
        candidates = self.find_candidates(data, binary)
        if not candidates:
            return []
        return self.confirm(data, candidates, oid, source, encoding)

    def find_candidates(self, data: bytes, binary: bool) -> dict[int, list[int]]:
        """Return {rule index: sorted candidate byte offsets} for `data`."""
        arr = np.frombuffer(data, np.uint8)
        per_rule: dict[int, list[int]] = {}
        for end, kw in self._keyword_hits(arr):
            for r_index in self._keyword_rules[kw]:
                if binary and not self.rules[r_index].binary:
                    continue
                per_rule.setdefault(r_index, []).append(end)
        if self._assigned and not binary:
            for start, length, entropy, hex_only in self._tokens(arr):
                for r_index in self._assigned:
                    rule = self.rules[r_index]
                    if length < rule.token_min_length:
                        continue
                    if rule.token_charset == "hex" and not hex_only:
                        continue
                    if entropy < rule.min_entropy:
                        continue
                    per_rule.setdefault(r_index, []).append(start)
        self.stats.candidates += sum(len(v) for v in per_rule.values())
        return per_rule

    def _keyword_hits(self, arr: np.ndarray):  # type: ignore[no-untyped-def]
        byte_class, delta, out_first, out_count, out_ids = self._tables
        start, state = 0, 0
        n = arr.shape[0]
        while start < n:
            hits, start, state = _kernels._scan_keywords(
                arr, start, state, byte_class, delta, out_first, out_count,
                out_ids, self._found_end, self._found_kw,
            )  # fmt: skip
            yield from zip(
                self._found_end[:hits].tolist(), self._found_kw[:hits].tolist()
            )

    def _tokens(self, arr: np.ndarray):  # type: ignore[no-untyped-def]
        floor = min(self.rules[i].min_entropy for i in self._assigned)
        start, n = 0, arr.shape[0]
        while start < n:
            hits, start = _kernels._find_tokens(
                arr, start, self._token_classes, self._token_min, _MAX_TOKEN,
                floor, self._tok_start, self._tok_end, self._tok_entropy,
                self._tok_hex,
            )  # fmt: skip
            yield from zip(
                self._tok_start[:hits].tolist(),
                (self._tok_end[:hits] - self._tok_start[:hits]).tolist(),
                self._tok_entropy[:hits].tolist(),
                self._tok_hex[:hits].tolist(),
            )

    def confirm(
        self,
        data: bytes,
        candidates: dict[int, list[int]],
        oid: str,
        source: str,
        encoding: str | None,
    ) -> list[Match]:
        """Run each candidate rule's regex on merged windows; keep matches."""
        found: dict[tuple[int, int, int], tuple[Rule, int, int]] = {}
        n = len(data)
        for r_index, offsets in candidates.items():
            rule = self.rules[r_index]
            for lo, hi in _merge_windows(sorted(offsets), rule.back, rule.window, n):
                self.stats.windows += 1
                try:
                    for m in rule.compiled.finditer(
                        data, lo, hi, timeout=self.regex_timeout
                    ):
                        s, e = m.span("secret")
                        if s >= 0 and e > s:
                            found[(r_index, s, e)] = (rule, s, e)
                except TimeoutError:
                    self.stats.timeouts.append((rule.id, oid))
                    log.warning(
                        "rule %s timed out on object %s at bytes %d-%d; "
                        "the window was skipped", rule.id, oid, lo, hi,
                    )  # fmt: skip
        if not found:
            return []
        return self._build_matches(data, sorted(found.values(), key=_span_key),
                                   oid, source, encoding)

    def _build_matches(
        self,
        data: bytes,
        spans: list[tuple[Rule, int, int]],
        oid: str,
        source: str,
        encoding: str | None,
    ) -> list[Match]:
        newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
        matches = []
        for rule, s, e in spans:
            secret = data[s:e]
            verdict = self._judge(rule, secret, data, s, e)
            if verdict is None:
                continue
            confidence, reasons = verdict
            line = int(np.searchsorted(newlines, s)) + 1
            line_start = int(newlines[line - 2]) + 1 if line > 1 else 0
            end_line = int(np.searchsorted(newlines, e - 1)) + 1
            matches.append(
                Match(
                    rule_id=rule.id, oid=oid, source=source, start=s, end=e,
                    line=line, column=s - line_start + 1, end_line=end_line,
                    secret=secret, encoding=encoding, confidence=confidence,
                    reasons=reasons,
                )  # fmt: skip
            )
        self.stats.matches += len(matches)
        return matches

    def _judge(
        self, rule: Rule, secret: bytes, data: bytes, s: int, e: int
    ) -> tuple[str, tuple[str, ...]] | None:
        if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
            self.stats.dropped["entropy"] += 1
            return None
        if rule.validator:
            check = VALIDATORS.get(rule.validator)
            if check is not None and not check(secret):
                self.stats.dropped["validator"] += 1
                return None
        window = data[max(0, s - rule.back) : e + 64]
        confidence, reasons = context.score_match(rule, secret, window)
        if confidence is None:
            self.stats.dropped[reasons[0] if reasons else "context"] += 1
            return None
        return confidence, reasons


def _span_key(item: tuple[Rule, int, int]) -> tuple[int, int, str]:
    return item[1], item[2], item[0].id


def _merge_windows(
    offsets: list[int], back: int, forward: int, n: int
) -> list[tuple[int, int]]:
    """Merge overlapping [offset - back, offset + forward) windows."""
    windows: list[tuple[int, int]] = []
    for offset in offsets:
        lo, hi = max(0, offset - back), min(n, offset + forward)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows
