"""Validators: offline structure checks of a candidate secret.

Called by the matcher for rules that name a `validator`, after the pattern
has confirmed a candidate.  Each function takes the secret bytes exactly as
matched and returns True when the structure the format documents holds
(checksum, decodable header, plausible key body), False when it does not.
A False means "this is not a real credential of that format": the matcher
drops the match.  No validator touches the network.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable

_BASE62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE32 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

#: Prefixes of AWS access key ids (long-term, temporary, and other kinds).
AWS_KEY_ID_PREFIXES = (
    b"AKIA",
    b"ASIA",
    b"ABIA",
    b"ACCA",
    b"AGPA",
    b"AIDA",
    b"AROA",
    b"AIPA",
    b"ANPA",
    b"ANVA",
    b"APKA",
)
#: Base64 of the macaroon location field PyPI writes first (`pypi.org` and
#: `test.pypi.org`); every upload token starts with one of them.
PYPI_MACAROON_HEADS = (b"pypi-AgEIcHlwaS5vcmc", b"pypi-AgENdGVzdC5weXBpLm9yZw")
#: Smallest DER body (bytes) a real private key of each armour can have.
_PEM_MIN_BODY = 48


def _base62(value: int, width: int) -> bytes:
    out = bytearray()
    while value:
        value, digit = divmod(value, 62)
        out.append(_BASE62[digit])
    return bytes(reversed(out)).rjust(width, b"0")


def _b64decode(text: bytes, urlsafe: bool = False) -> bytes | None:
    """Return the decoded bytes, or None when `text` is not base64."""
    text = text.strip()
    if urlsafe:
        text = text.replace(b"-", b"+").replace(b"_", b"/")
    text += b"=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def is_printable_text(data: bytes, share: float = 0.95) -> bool:
    """Return whether `data` is mostly printable ASCII (words, not a key)."""
    if not data:
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data)
    return printable / len(data) >= share


def is_github_checksum_valid(secret: bytes) -> bool:
    """Return whether a `ghp_`-style token's last 6 chars are its CRC32.

    GitHub's token formats (and npm's, which copied them) end in the
    base62 CRC32 of the 30 random characters after the prefix.
    """
    _prefix, _, rest = secret.partition(b"_")
    if len(rest) < 7:
        return False
    body, check = rest[:-6], rest[-6:]
    return _base62(zlib.crc32(body), 6) == check


def is_npm_checksum_valid(secret: bytes) -> bool:
    """Return whether an `npm_` token carries a valid CRC32 checksum."""
    return secret.startswith(b"npm_") and is_github_checksum_valid(secret)


def is_aws_key_id_valid(secret: bytes) -> bool:
    """Return whether an AWS access key id has a known prefix and charset.

    The 16 characters after the prefix are base32 (A-Z, 2-7); a value with
    0, 1, 8 or 9 there was typed by hand.
    """
    if len(secret) != 20:
        return False
    if not secret.startswith(AWS_KEY_ID_PREFIXES + (b"A3T",)):
        return False
    return all(b in _BASE32 for b in secret[4:])


def is_jwt_valid(secret: bytes) -> bool:
    """Return whether header and payload decode to JSON objects and the
    header names a signing algorithm other than `none`.
    """
    parts = secret.split(b".")
    if len(parts) != 3 or not parts[2]:
        return False
    decoded = [_b64decode(p, urlsafe=True) for p in parts[:2]]
    if None in decoded:
        return False
    try:
        header, payload = (json.loads(d) for d in decoded)  # type: ignore[arg-type]
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    alg = header.get("alg")
    return isinstance(alg, str) and alg.lower() != "none"


def _pem_body(secret: bytes) -> tuple[bytes, bool]:
    """Return the base64 body lines of a PEM block and whether it had
    RFC 1421 headers (`Proc-Type:`...), accepting literal `\\n` escapes.
    """
    text = secret.replace(b"\\r", b"").replace(b"\\n", b"\n").replace(b"\r", b"")
    lines = [line.strip() for line in text.split(b"\n")]
    body: list[bytes] = []
    headers = False
    for line in lines:
        if not line or line.startswith(b"-----"):
            continue
        if b":" in line:
            headers = True
            continue
        if line.startswith(b"=") and len(line) == 5:
            continue  # OpenPGP CRC-24 line
        body.append(line)
    return b"".join(body), headers


def is_pem_body_valid(secret: bytes) -> bool:
    """Return whether a PEM block's body is base64 of a plausible key.

    Plausible: it decodes, is at least `_PEM_MIN_BODY` bytes, and an
    unencrypted DER key starts with an ASN.1 SEQUENCE (0x30) while an
    OpenSSH key starts with its magic string.
    """
    body, encrypted = _pem_body(secret)
    raw = _b64decode(body)
    if raw is None or len(raw) < _PEM_MIN_BODY:
        return False
    if b"OPENSSH" in secret[:40]:
        return raw.startswith(b"openssh-key-v1\0")
    if encrypted or b"PGP" in secret[:40]:
        return True
    return raw[0] == 0x30


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def is_pgp_armor_valid(secret: bytes) -> bool:
    """Return whether an OpenPGP armoured block decodes and, when it has
    a `=XXXX` line, whether that CRC-24 matches the body.
    """
    text = secret.replace(b"\\n", b"\n").replace(b"\r", b"")
    check = None
    for line in text.split(b"\n"):
        line = line.strip()
        if line.startswith(b"=") and len(line) == 5:
            check = _b64decode(line[1:])
    body, _ = _pem_body(secret)
    raw = _b64decode(body)
    if raw is None or len(raw) < _PEM_MIN_BODY:
        return False
    return check is None or _crc24(raw).to_bytes(3, "big") == check


def is_pypi_macaroon_valid(secret: bytes) -> bool:
    """Return whether a PyPI token starts with a macaroon header and its
    body decodes as base64url of a plausible length.
    """
    if not secret.startswith(PYPI_MACAROON_HEADS):
        return False
    raw = _b64decode(secret[5:], urlsafe=True)
    return raw is not None and len(raw) >= 60


def is_azure_storage_key_valid(secret: bytes) -> bool:
    """Return whether the value is base64 of 64 random-looking bytes."""
    raw = _b64decode(secret)
    return raw is not None and len(raw) == 64 and not is_printable_text(raw, 0.8)


def is_docker_auth_valid(secret: bytes) -> bool:
    """Return whether a docker `auth` value is base64 of `user:password`
    with a password that is not a stand-in.
    """
    raw = _b64decode(secret)
    if raw is None or b":" not in raw or not is_printable_text(raw, 1.0):
        return False
    user, _, password = raw.partition(b":")
    weak = {b"password", b"pass", b"secret", b"changeme", b"token", b"example"}
    return bool(user) and len(password) >= 4 and password.lower() not in weak


def is_discord_bot_token_valid(secret: bytes) -> bool:
    """Return whether the first segment is base64 of a numeric user id."""
    first = secret.split(b".", 1)[0]
    raw = _b64decode(first, urlsafe=True)
    return raw is not None and raw.isdigit() and 15 <= len(raw) <= 20


def is_uuid4(secret: bytes) -> bool:
    """Return whether the value is a random (version 4) UUID."""
    parts = secret.lower().split(b"-")
    if [len(p) for p in parts] != [8, 4, 4, 4, 12]:
        return False
    if any(b not in b"0123456789abcdef" for p in parts for b in p):
        return False
    return parts[2][:1] == b"4" and parts[3][:1] in b"89ab"


def is_base64_of_random(secret: bytes) -> bool:
    """Return whether a base64 value decodes to bytes that are not text."""
    raw = _b64decode(secret)
    return raw is not None and len(raw) >= 16 and not is_printable_text(raw, 0.8)


VALIDATORS: dict[str, Callable[[bytes], bool]] = {
    "github-checksum": is_github_checksum_valid,
    "npm-checksum": is_npm_checksum_valid,
    "aws-key-id": is_aws_key_id_valid,
    "jwt": is_jwt_valid,
    "pem-body": is_pem_body_valid,
    "pgp-armor": is_pgp_armor_valid,
    "pypi-macaroon": is_pypi_macaroon_valid,
    "azure-storage-key": is_azure_storage_key_valid,
    "docker-auth": is_docker_auth_valid,
    "discord-bot-token": is_discord_bot_token_valid,
    "uuid4": is_uuid4,
    "base64-random": is_base64_of_random,
}
