"""Matcher: find confirmed matches of every rule in one object's bytes.

Stage 3 of the pipeline.  The numba kernels in `_kernels` turn a blob into
a short list of candidates (keyword hits, high-entropy tokens); the `regex`
module then confirms each candidate on a bounded window around it and
extracts the secret.  Only confirmed matches become `Match` objects.
"""

from __future__ import annotations

import bisect
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
#: Bytes before the end of a name keyword where an assigned rule's pattern
#: may begin (the rest of a name like `aws_secret_access_key`).
_NAME_LEAD = 48
#: `=` is left out so that `NAME=value` splits into a name and a token;
#: base64 padding after a token does not change where the token starts.
_TOKEN_EXTRA = b"+/_-"
#: Bytes past a token's end that an assigned rule's secret may reach (the
#: dotted parts of a Discord token, base64 padding).
_TOKEN_REACH = 64


@attrs.define
class MatchStats:
    """Counters the matcher keeps across objects."""

    candidates: int = 0
    windows: int = 0
    per_rule: Counter = attrs.field(factory=Counter)
    matches: int = 0
    dropped: Counter = attrs.field(factory=Counter)
    timeouts: list[tuple[str, str]] = attrs.field(factory=list)


#: Lower-cases ASCII letters, for the keyword kernel.
FOLD = np.arange(256, dtype=np.uint8)
FOLD[65:91] += 32
#: Bytes that may make up a keyword's tail: [A-Za-z0-9_-].
TAIL_CLASS = np.zeros(256, np.uint8)
for _b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-":
    TAIL_CLASS[_b] = 1


def build_keyword_tables(
    keywords: Sequence[bytes], tails: Sequence[int] | None = None
) -> tuple[np.ndarray, ...]:
    """Compile lower-case keywords into the tables of the keyword kernel.

    Returns (fold, filter3, filter4, bucket_first, bucket_count, bucket_ids,
    kw_first, kw_length, kw_bytes, kw_word, kw_tail, tail_class) in the order
    `_kernels._scan_keywords` takes them.  Keywords must be 3 bytes or more.
    """
    filter3 = np.zeros(65536, np.uint8)
    filter4 = np.zeros(65536, np.uint8)
    buckets: dict[int, list[int]] = {}
    for index, kw in enumerate(keywords):
        if len(kw) < 3:
            raise ValueError(f"keyword {kw!r} is shorter than 3 bytes")
        word = np.uint32(int.from_bytes(kw[:4].rjust(4, b"\0"), "big"))
        if len(kw) == 3:
            key = int(_kernels._hash3(word))
            filter3[key] = 1
        else:
            key = 65536 + int(_kernels._hash4(word))
            filter4[key - 65536] = 1
        buckets.setdefault(key, []).append(index)
    bucket_first = np.zeros(131072, np.int32)
    bucket_count = np.zeros(131072, np.int32)
    flat: list[int] = []
    for key, ids in sorted(buckets.items()):
        bucket_first[key] = len(flat)
        bucket_count[key] = len(ids)
        flat.extend(ids)
    kw_length = np.array([len(k) for k in keywords], np.int32)
    kw_first = np.concatenate([[0], np.cumsum(kw_length)[:-1]]).astype(np.int32)
    kw_bytes = np.frombuffer(b"".join(keywords), np.uint8).copy()
    kw_word = np.array(
        [int.from_bytes(k[:4] if len(k) > 3 else k[:3], "big") for k in keywords],
        np.uint32,
    )
    kw_tail = np.array(tails if tails is not None else [0] * len(keywords), np.int32)
    return (
        FOLD,
        filter3,
        filter4,
        bucket_first,
        bucket_count,
        np.array(flat or [0], np.int32),
        kw_first,
        kw_length,
        kw_bytes,
        kw_word,
        kw_tail,
        TAIL_CLASS,
    )


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
        # Compiled once here: `regex`'s own cache costs ~20 µs a lookup.
        self._patterns = [rule.compiled for rule in self.rules]
        self.regex_timeout = regex_timeout
        self.stats = MatchStats()

        keywords: list[bytes] = []
        self._keyword_rules: list[list[int]] = []
        index_of: dict[bytes, int] = {}
        for r_index, rule in enumerate(self.rules):
            for kw in rule.keywords:
                key = kw.encode("utf-8").lower()
                if key not in index_of:
                    index_of[key] = len(keywords)
                    keywords.append(key)
                    self._keyword_rules.append([])
                self._keyword_rules[index_of[key]].append(r_index)
        self._keywords = keywords
        if len(keywords) >= _CAPACITY:
            # The kernel needs room for every keyword of one position.
            raise ValueError(f"{len(keywords)} keywords; at most {_CAPACITY - 1}")
        tails = [
            max(self.rules[r].keyword_tail for r in self._keyword_rules[i])
            if all(self.rules[r].kind == "keyword" for r in self._keyword_rules[i])
            else 0
            for i in range(len(keywords))
        ]
        self._tables = build_keyword_tables(keywords or [b"\0\0\0"], tails or [0])
        self._assigned = [i for i, r in enumerate(self.rules) if r.kind == "assigned"]
        # Assigned rules without name keywords need the token pass on every
        # text blob; the others only where one of their names occurs.
        self._keywordless = [i for i in self._assigned if not self.rules[i].keywords]
        self._always_tokens = bool(self._keywordless)
        self._token_classes = build_token_classes()
        if self._assigned:
            self._token_min = min(
                self.rules[i].token_min_length for i in self._assigned
            )
            self._token_floor = min(self.rules[i].min_entropy for i in self._assigned)
        self._found_end = np.empty(_CAPACITY, np.int64)
        self._found_kw = np.empty(_CAPACITY, np.int32)
        self._tok_start = np.empty(_CAPACITY, np.int64)
        self._tok_end = np.empty(_CAPACITY, np.int64)
        self._tok_entropy = np.empty(_CAPACITY, np.float64)
        self._tok_hex = np.empty(_CAPACITY, np.uint8)

    def match(self, data: bytes, oid: str = "", source: str = "blob") -> list[Match]:
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

    def find_candidates(
        self, data: bytes, binary: bool
    ) -> dict[int, list[tuple[int, int]]]:
        """Return {rule index: windows (lo, hi) to confirm} for `data`.

        A keyword rule's window surrounds the end of a keyword hit.  An
        assigned rule's window runs from `back` bytes before a high-entropy
        token to just past it; when the rule names keywords, one of them
        must end within those `back` bytes, so the token pass runs only on
        blobs that mention a name.
        """
        arr = np.frombuffer(data, np.uint8)
        n = arr.shape[0]
        per_rule: dict[int, list[tuple[int, int]]] = {}
        names: dict[int, np.ndarray] = {}
        ends, kws = self._keyword_hits(arr)
        if len(ends):
            # Group hits by keyword with one sort, then hand each keyword's
            # hit offsets to its rules as arrays, not one by one.
            order = np.argsort(kws, kind="stable")
            ends, kws = ends[order], kws[order]
            cuts = np.flatnonzero(np.diff(kws)) + 1
            for group in np.split(np.arange(len(kws)), cuts):
                kw_ends = ends[group]
                for r_index in self._keyword_rules[int(kws[group[0]])]:
                    rule = self.rules[r_index]
                    if binary and not rule.binary:
                        continue
                    if rule.kind == "keyword":
                        lo = np.maximum(kw_ends - rule.back, 0).tolist()
                        hi = np.minimum(kw_ends + rule.window, n).tolist()
                        per_rule.setdefault(r_index, []).extend(zip(lo, hi))
                    elif r_index in names:
                        names[r_index] = np.concatenate([names[r_index], kw_ends])
                    else:
                        names[r_index] = kw_ends
        if self._assigned and not binary and (names or self._always_tokens):
            starts, tok_ends, entropy, hex_only = self._tokens(arr)
            if len(starts):
                self._assigned_windows(
                    starts, tok_ends, entropy, hex_only, names, per_rule, n
                )
        self.stats.candidates += sum(len(v) for v in per_rule.values())
        return per_rule

    def _assigned_windows(
        self,
        starts: np.ndarray,
        ends: np.ndarray,
        entropy: np.ndarray,
        hex_only: np.ndarray,
        names: dict[int, np.ndarray],
        per_rule: dict[int, list[tuple[int, int]]],
        n: int,
    ) -> None:
        """Turn tokens into assigned-rule windows, vectorised over tokens.

        With name keywords, a window starts a little before the nearest name
        that precedes the token rather than `back` bytes before it, which
        keeps the regex work per token to a few dozen bytes.
        """
        lengths = ends - starts
        for r_index in self._keywordless if not names else self._token_rules(names):
            rule = self.rules[r_index]
            keep = (lengths >= rule.token_min_length) & (entropy >= rule.min_entropy)
            if rule.token_max_length:
                keep &= lengths <= rule.token_max_length
            if rule.token_charset == "hex":
                keep &= hex_only == 1
            # Without names the pattern starts at the token itself.
            lo = starts - min(rule.back, _NAME_LEAD)
            if rule.keywords:
                hits = names.get(r_index)
                if hits is None:
                    continue
                # The nearest name ending before the token's end: `_` and
                # `=` are token bytes, so `DD_API_KEY=value` is one token
                # and its name ends inside it.
                hits = np.sort(hits)
                at = np.searchsorted(hits, ends, side="left")
                near = at > 0
                nearest = np.where(near, hits[np.maximum(at - 1, 0)], -(1 << 40))
                keep &= near & (nearest >= starts - rule.back)
                lo = nearest - _NAME_LEAD
            if keep.any():
                lo = np.maximum(np.maximum(lo, starts - rule.back)[keep], 0)
                hi = np.minimum(ends[keep] + _TOKEN_REACH, n)
                per_rule.setdefault(r_index, []).extend(zip(lo.tolist(), hi.tolist()))

    def _token_rules(self, names: dict[int, np.ndarray]) -> list[int]:
        """Return the assigned rules worth a token pass, in rule order."""
        return sorted({*self._keywordless, *names})

    def _keyword_hits(self, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (end offsets, keyword indices) of every keyword hit."""
        ends: list[np.ndarray] = []
        kws: list[np.ndarray] = []
        start, n = 0, arr.shape[0]
        while start < n:
            hits, start = _kernels._scan_keywords(  # type: ignore[call-arg]
                arr, start, *self._tables, self._found_end, self._found_kw
            )
            ends.append(self._found_end[:hits].copy())
            kws.append(self._found_kw[:hits].copy())
        if len(ends) == 1:
            return ends[0], kws[0]
        if not ends:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(ends), np.concatenate(kws)

    def _tokens(self, arr: np.ndarray) -> tuple[np.ndarray, ...]:
        """Return (starts, ends, entropy, hex_only) of the blob's tokens."""
        parts: list[tuple[np.ndarray, ...]] = []
        start, n = 0, arr.shape[0]
        while start < n:
            hits, start = _kernels._find_tokens(
                arr, start, self._token_classes, self._token_min, _MAX_TOKEN,
                self._token_floor, self._tok_start, self._tok_end,
                self._tok_entropy, self._tok_hex,
            )  # fmt: skip
            parts.append(
                (
                    self._tok_start[:hits].copy(),
                    self._tok_end[:hits].copy(),
                    self._tok_entropy[:hits].copy(),
                    self._tok_hex[:hits].copy(),
                )
            )
        if len(parts) == 1:
            return parts[0]
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0), np.zeros(0, np.uint8)
        return tuple(np.concatenate(column) for column in zip(*parts))

    def confirm(
        self,
        data: bytes,
        candidates: dict[int, list[tuple[int, int]]],
        oid: str,
        source: str,
        encoding: str | None,
    ) -> list[Match]:
        """Run each candidate rule's regex on merged windows; keep matches."""
        found: dict[tuple[int, int, int], tuple[Rule, int, int]] = {}
        for r_index, windows in candidates.items():
            rule = self.rules[r_index]
            merged = _merge_windows(windows)
            self.stats.per_rule[rule.id] += len(merged)
            required = rule.requires
            for lo, hi in merged:
                if required and all(data.find(r, lo, hi) < 0 for r in required):
                    continue
                self.stats.windows += 1
                try:
                    for m in self._patterns[r_index].finditer(
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
        spans = _drop_outranked(sorted(found.values(), key=_span_key))
        return self._build_matches(data, spans, oid, source, encoding)

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
                    rule_id=rule.id,
                    oid=oid,
                    source=source,
                    start=s,
                    end=e,
                    line=line,
                    column=s - line_start + 1,
                    end_line=end_line,
                    secret=secret,
                    encoding=encoding,
                    confidence=confidence,
                    reasons=reasons,
                )
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


def _has_hit_before(hits: list[int] | None, start: int, back: int) -> bool:
    """Return whether a sorted hit list has an end in [start - back, start]."""
    if not hits:
        return False
    at = bisect.bisect_right(hits, start)
    return at > 0 and hits[at - 1] >= start - back


def is_generic(rule: Rule) -> bool:
    """Return whether a rule is a catch-all that specific rules outrank."""
    return "generic" in rule.tags or rule.provider.lower() == "generic"


def rank(rule: Rule) -> int:
    """Return how strongly a rule claims bytes it shares with another rule.

    A rule's own `priority` decides, and generic rules sit below all the
    rest: a GitLab token used as a URL password belongs to the GitLab rule,
    not to the URL-password rule.
    """
    return rule.priority - (100 if is_generic(rule) else 0)


def _drop_outranked(
    spans: list[tuple[Rule, int, int]],
) -> list[tuple[Rule, int, int]]:
    """Drop matches whose bytes a higher-ranked rule's match overlaps.

    One secret is one finding: an AWS secret key must not come back as a
    generic high-entropy value, nor an npm token as a `.npmrc` entry.
    """
    ranks = [rank(rule) for rule, _, _ in spans]
    if len(set(ranks)) == 1:
        return spans
    # `spans` is sorted by start: each span meets only the ones that start
    # before it ends, so a forward sweep compares overlapping pairs only
    # (a blob with thousands of matches must not cost millions of tests).
    beaten = [False] * len(spans)
    for i, (_, s, e) in enumerate(spans):
        j = i + 1
        while j < len(spans) and spans[j][1] < e:
            if spans[j][2] > s:
                if ranks[j] > ranks[i]:
                    beaten[i] = True
                elif ranks[i] > ranks[j]:
                    beaten[j] = True
            j += 1
    return [span for span, lost in zip(spans, beaten) if not lost]


def _span_key(item: tuple[Rule, int, int]) -> tuple[int, int, str]:
    return item[1], item[2], item[0].id


def _merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping (lo, hi) byte windows into sorted disjoint ones."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged
