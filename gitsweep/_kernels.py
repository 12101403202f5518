"""Numba kernels: the byte-level passes of the matcher.

Stage 3 of the pipeline, called by `matcher` on every blob.  Arrays in,
arrays out: the caller preallocates the outputs and the kernels return how
many slots they filled.  When an output fills up a kernel stops and returns
where to resume, so no blob can make it allocate without bound.  Rule tables
are arguments, never globals, because numba freezes globals into its cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_FLAGS = dict(cache=True, nogil=True, boundscheck=False)


@njit(**_FLAGS)
def _scan_keywords(
    data, start, state, byte_class, delta, out_first, out_count, out_ids,
    found_end, found_kw,
):  # fmt: skip
    """Run a case-folding Aho-Corasick DFA over `data[start:]`.

    data: uint8[n], read-only allowed.  byte_class: int32[256] maps each byte
    (upper- and lower-case letters alike) to a column of `delta`.
    delta: int32[states, classes], the full transition table (no failure
    links left at run time).  out_first, out_count: int32[states], a slice of
    out_ids: int32[m] listing the keywords that end in each state.
    found_end, found_kw: int64[cap] and int32[cap], written: the byte offset
    just past each keyword hit and its keyword index.

    Returns (hits written, offset to resume from, DFA state to resume with).
    The resume offset is n when the whole input was read.
    """
    n = data.shape[0]
    cap = found_end.shape[0]
    hits = 0
    i = start
    while i < n:
        previous = state
        state = delta[state, byte_class[data[i]]]
        i += 1
        count = out_count[state]
        if count:
            if hits + count > cap:
                # Not enough room: hand back the state before this byte so
                # the caller drains the outputs and resumes exactly here.
                return hits, i - 1, previous
            first = out_first[state]
            for k in range(count):
                found_end[hits] = i
                found_kw[hits] = out_ids[first + k]
                hits += 1
    return hits, n, state



@njit(**_FLAGS)
def _find_tokens(
    data, start, token_class, min_length, max_length, min_entropy,
    found_start, found_end, found_entropy, found_hex,
):  # fmt: skip
    """Find runs of token bytes and their Shannon entropy in bits per byte.

    data: uint8[n].  token_class: uint8[256], 0 for bytes that end a token,
    1 for token bytes that are hex digits (0-9, a-f, A-F), 2 for other token
    bytes.  Runs shorter than `min_length` or longer than `max_length` are
    passed over; a run is kept when its entropy is at least `min_entropy`.
    found_start, found_end: int64[cap]; found_entropy: float64[cap];
    found_hex: uint8[cap], 1 when the run is hex only; all written.

    Returns (tokens written, offset to resume from).
    """
    n = data.shape[0]
    cap = found_start.shape[0]
    counts = np.zeros(256, np.int64)
    hits = 0
    i = start
    while i < n:
        if token_class[data[i]] == 0:
            i += 1
            continue
        run_start = i
        hex_only = 1
        while i < n and token_class[data[i]] != 0:
            if token_class[data[i]] == 2:
                hex_only = 0
            i += 1
        length = i - run_start
        if length < min_length or length > max_length:
            continue
        for j in range(run_start, i):
            counts[data[j]] += 1
        entropy = 0.0
        for j in range(run_start, i):
            c = counts[data[j]]
            if c:
                # Each distinct byte adds its term once, then is cleared so
                # the histogram is clean for the next run.
                p = c / length
                entropy -= p * np.log2(p)
                counts[data[j]] = 0
        if entropy < min_entropy:
            continue
        if hits == cap:
            return hits, run_start
        found_start[hits] = run_start
        found_end[hits] = i
        found_entropy[hits] = entropy
        found_hex[hits] = hex_only
        hits += 1
    return hits, n
