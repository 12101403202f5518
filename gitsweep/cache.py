"""Scan cache: object ids a rule set already found clean, per repository.

Used by `scan` so that a rescan after new commits reads and matches only
new objects.  The cache holds object ids only (blobs without any match, and
trees), never a secret or a match: an object that matched is read and
matched again on every scan.  A cache belongs to one repository path, one
gitsweep version, one rule set digest and one size cap; any change of those
starts a fresh file.  Files are written owner-only in an owner-only folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: Format of the cache files; bump to ignore older files.
CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """Return `$GITSWEEP_CACHE_DIR`, else `$XDG_CACHE_HOME/gitsweep`."""
    explicit = os.environ.get("GITSWEEP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "gitsweep"


def cache_file(
    folder: str | os.PathLike[str],
    repo_path: str,
    ruleset_digest: str,
    max_blob_size: int,
    version: str,
) -> Path:
    """Return the cache file for this repository and these scan settings."""
    repo_key = hashlib.sha256(os.path.realpath(repo_path).encode()).hexdigest()[:16]
    settings = f"{CACHE_FORMAT}:{version}:{ruleset_digest}:{max_blob_size}"
    key = hashlib.sha256(settings.encode()).hexdigest()[:16]
    return Path(folder) / f"{repo_key}-{key}.oids"


def load_clean(path: str | os.PathLike[str] | None) -> np.ndarray:
    """Return the sorted clean object ids of a cache file, as `S20` values.

    A missing or damaged file is an empty cache: the scan then reads
    everything, which is slower but never wrong.
    """
    if path is None:
        return np.zeros(0, "S20")
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return np.zeros(0, "S20")
    if len(raw) % 20:
        log.warning("scan cache %s is damaged; it is ignored and rewritten", path)
        return np.zeros(0, "S20")
    return np.frombuffer(raw, "S20")


def cached_mask(oids: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Return bool[n]: which rows of `oids` (uint8[n, 20]) are in `clean`."""
    if not len(clean) or not len(oids):
        return np.zeros(len(oids), bool)
    keys = np.ascontiguousarray(oids).view("S20").ravel()
    at = np.searchsorted(clean, keys)
    at[at == len(clean)] = 0
    return clean[at] == keys


def save_clean(path: str | os.PathLike[str], old: np.ndarray, new: bytes) -> int:
    """Write the union of `old` and `new` (raw ids joined) to `path`.

    Returns the number of ids written.  The write goes to a temporary file
    in the same folder, then replaces the cache, so a crash leaves the old
    cache or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fresh = np.frombuffer(new, "S20") if new else np.zeros(0, "S20")
    merged = np.unique(np.concatenate([old.astype("S20"), fresh]))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".oids")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(merged.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(merged)
