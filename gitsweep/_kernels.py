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

# The flags live here once: cached on disk, no GIL, no bounds checks (every
# index is derived from the arrays' own shapes).
_jit = njit(cache=True, nogil=True, boundscheck=False)
_jit_inline = njit(cache=True, nogil=True, boundscheck=False, inline="always")


@_jit
def _scan_keywords(
    data, start, fold, filter3, filter4, bucket_first, bucket_count,
    bucket_ids, kw_first, kw_length, kw_bytes, kw_word, kw_tail, tail_class,
    found_end, found_kw,
):  # fmt: skip
    """Find every case-insensitive keyword occurrence in `data`.

    A rolling word holds the last 4 lower-cased bytes; at each byte j its
    multiplicative hashes are looked up in two filters: the 4-byte hash for
    keywords of 4 bytes or more starting at j - 3, the 3-byte hash for
    3-byte keywords starting at j - 2.  No data flows from one position's
    check to the next, which runs several times faster than an Aho-Corasick
    automaton stepping byte by byte (benchmarks/kernels.py).  The few
    positions that pass are checked against the keywords of their bucket,
    then against the keyword's tail rule.

    data: uint8[n], read-only allowed.  start: the byte j to begin with (0,
    or what an earlier call returned).  fold: uint8[256] lower-cases ASCII
    letters.  filter3, filter4: uint8[65536], 1 where `_hash3`/`_hash4` of
    a keyword's first 3 or 4 bytes lands.  bucket_first, bucket_count:
    int32[131072] index bucket_ids: int32[m], the keywords of each hash
    (3-byte hashes first, then 4-byte hashes at 65536 + h).  kw_first,
    kw_length: int32[k] locate each keyword in kw_bytes: uint8[t],
    lower-cased and concatenated.  kw_word: uint32[k], each keyword's first
    4 bytes (3 for 3-byte keywords) as a big-endian word, compared with the
    rolling word before any byte loop.  kw_tail: int32[k], how many bytes with
    tail_class: uint8[256] set must follow the keyword for a hit (0: none),
    which keeps a short prefix such as `pat` from firing on every `path`.
    found_end: int64[cap], found_kw: int32[cap], written: the byte offset
    just past each hit (end-exclusive) and its keyword index, not sorted.

    Returns (hits written, byte to resume from); the second is n when the
    whole input was read.
    """
    n = data.shape[0]
    cap = found_end.shape[0]
    hits = 0
    word = np.uint32(0)
    for k in range(max(0, start - 3), start):
        word = ((word << np.uint32(8)) | np.uint32(fold[data[k]])) & _MASK32
    for j in range(start, n):
        word = ((word << np.uint32(8)) | np.uint32(fold[data[j]])) & _MASK32
        h4 = _hash4(word)
        h3 = _hash3(word)
        # Bitwise, not `and`/`or`: a branch per byte halves the speed.
        if (filter4[h4] | filter3[h3]) == 0:
            continue
        pass4 = filter4[h4] != 0 and j >= 3
        pass3 = filter3[h3] != 0 and j >= 2
        need = (bucket_count[65536 + h4] if pass4 else 0) + (
            bucket_count[h3] if pass3 else 0
        )
        if hits + need > cap:
            # No room for the worst case at this byte: stop before it so
            # the caller drains the outputs and resumes exactly here.
            return hits, j
        if pass4:
            first = bucket_first[65536 + h4]
            for x in range(first, first + bucket_count[65536 + h4]):
                kw = bucket_ids[x]
                # One integer compare rules out a bucket-mate that only
                # shares the hash; most verifications end here.
                if kw_word[kw] != word:
                    continue
                if _is_keyword_at(data, j - 3, kw, fold, kw_first, kw_length,
                                  kw_bytes, kw_tail, tail_class):  # fmt: skip
                    found_end[hits] = j - 3 + kw_length[kw]
                    found_kw[hits] = kw
                    hits += 1
        if pass3:
            first = bucket_first[h3]
            for x in range(first, first + bucket_count[h3]):
                kw = bucket_ids[x]
                if kw_word[kw] != word & np.uint32(0xFFFFFF):
                    continue
                if _is_keyword_at(data, j - 2, kw, fold, kw_first, kw_length,
                                  kw_bytes, kw_tail, tail_class):  # fmt: skip
                    found_end[hits] = j - 2 + kw_length[kw]
                    found_kw[hits] = kw
                    hits += 1
    return hits, n


_MASK32 = np.uint32(0xFFFFFFFF)


@_jit_inline
def _hash4(word):
    """Hash a word of 4 lower-cased bytes (uint32) into 16 bits (int64)."""
    return np.int64(((word * np.uint32(2654435761)) & _MASK32) >> np.uint32(16))


@_jit_inline
def _hash3(word):
    """Hash the low 3 bytes of a word (uint32) into 16 bits (int64)."""
    low = word & np.uint32(0xFFFFFF)
    return np.int64(((low * np.uint32(2246822519)) & _MASK32) >> np.uint32(16))


@_jit_inline
def _is_keyword_at(
    data, i, kw, fold, kw_first, kw_length, kw_bytes, kw_tail, tail_class
):  # fmt: skip
    """Return whether keyword `kw` and its required tail start at data[i]."""
    n = data.shape[0]
    length = kw_length[kw]
    tail = kw_tail[kw]
    if i + length + tail > n:
        return False
    base = kw_first[kw]
    for j in range(length):
        if fold[data[i + j]] != kw_bytes[base + j]:
            return False
    for j in range(i + length, i + length + tail):
        if tail_class[data[j]] == 0:
            return False
    return True


@_jit
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
        kind = token_class[data[i]]
        if kind == 0:
            i += 1
            continue
        run_start = i
        # OR of the classes seen: 1 means every byte was a hex digit.
        seen = kind
        i += 1
        while i < n:
            kind = token_class[data[i]]
            if kind == 0:
                break
            seen |= kind
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
        found_hex[hits] = 1 if seen == 1 else 0
        hits += 1
    return hits, n


@_jit
def _pack_entry_types(pack, offsets, types):
    """Read the object type of every entry of one packfile from its header.

    pack: uint8[size], the packfile (a read-only memory map is fine).
    offsets: int64[n], the entries' offsets in ascending order.
    types: int8[n], written: 1 commit, 2 tree, 3 blob, 4 tag, or -1 when
    unknown.  An offset delta takes its base's type (bases come earlier in
    a pack); a delta against an object id (REF_DELTA, thin packs) or a
    damaged header gives -1, and the caller then reads the object to learn.
    """
    n = offsets.shape[0]
    size = pack.shape[0]
    for k in range(n):
        at = offsets[k]
        types[k] = -1
        if at < 0 or at >= size:
            continue
        c = pack[at]
        kind = (c >> 4) & 7
        at += 1
        while c & 0x80 and at < size:
            c = pack[at]
            at += 1
        if 1 <= kind <= 4:
            types[k] = kind
        elif kind == 6 and at < size:
            c = pack[at]
            at += 1
            distance = np.int64(c & 0x7F)
            while c & 0x80 and at < size:
                c = pack[at]
                at += 1
                distance = ((distance + 1) << 7) | (c & 0x7F)
            base = offsets[k] - distance
            j = np.searchsorted(offsets[:k], base)
            if j < k and offsets[j] == base:
                types[k] = types[j]
