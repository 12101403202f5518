"""Validators: offline structure checks of a candidate secret.

Called by the matcher for rules that name a `validator`.  Each function
takes the secret bytes and returns True when the structure holds (checksum,
decodable header...), False when it does not.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

_BASE62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(value: int, width: int) -> bytes:
    out = bytearray()
    while value:
        value, digit = divmod(value, 62)
        out.append(_BASE62[digit])
    return bytes(reversed(out)).rjust(width, b"0")


def is_github_checksum_valid(secret: bytes) -> bool:
    """Return whether a `ghp_`-style token's last 6 chars are its CRC32.

    GitHub's new token formats end in the base62 CRC32 of the random part.
    """
    prefix, _, rest = secret.partition(b"_")
    if len(rest) < 7:
        return False
    body, check = rest[:-6], rest[-6:]
    return _base62(zlib.crc32(body), 6) == check


VALIDATORS: dict[str, Callable[[bytes], bool]] = {
    "github-checksum": is_github_checksum_valid,
}
