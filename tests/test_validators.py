"""Offline structure checks: each accepts its format and refuses near misses."""

from __future__ import annotations

import base64
import json
import random
import zlib

import pytest

from gitsweep import validators as v

RNG = random.Random(7)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def random_text(n: int, alphabet: str = B62) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def with_checksum(prefix: str) -> bytes:
    body = random_text(30)
    return f"{prefix}_{body}".encode() + v._base62(zlib.crc32(body.encode()), 6)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(header: dict, payload: dict, signature: bytes = b"s" * 32) -> bytes:
    parts = [json.dumps(header).encode(), json.dumps(payload).encode(), signature]
    return ".".join(b64u(p) for p in parts).encode()


def pem(label: str, body: bytes) -> bytes:
    text = base64.b64encode(body).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    block = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
    return block.encode()


DER = bytes([0x30, 0x82, 0x02, 0x5C]) + bytes(RNG.randrange(256) for _ in range(600))


@pytest.mark.parametrize(
    ("name", "secret", "valid"),
    [
        ("github-checksum", with_checksum("ghp"), True),
        ("github-checksum", b"ghp_" + random_text(36).encode(), False),
        ("npm-checksum", with_checksum("npm"), True),
        ("npm-checksum", with_checksum("ghp"), False),
        (
            "aws-key-id",
            b"AKIA" + random_text(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").encode(),
            True,
        ),
        ("aws-key-id", b"AKIA0123456789ABCDEF", False),
        ("aws-key-id", b"AXXA" + b"B" * 16, False),
        ("jwt", jwt({"alg": "HS256"}, {"sub": "svc"}), True),
        ("jwt", jwt({"alg": "none"}, {"sub": "svc"}), False),
        ("jwt", b"eyJub3QganNvbg.eyJ4IjoxfQ.c2ln", False),
        ("pem-body", pem("RSA PRIVATE KEY", DER), True),
        ("pem-body", pem("RSA PRIVATE KEY", DER).replace(b"\n", b"\\n"), True),
        ("pem-body", pem("RSA PRIVATE KEY", b"short"), False),
        ("pem-body", pem("RSA PRIVATE KEY", b"\x01" + DER[1:]), False),
        ("pem-body", pem("OPENSSH PRIVATE KEY", b"openssh-key-v1\0" + DER), True),
        ("pem-body", pem("OPENSSH PRIVATE KEY", DER), False),
        ("pypi-macaroon", b"pypi-AgEIcHlwaS5vcmc" + random_text(120).encode(), True),
        ("pypi-macaroon", b"pypi-AgEIcHlwaS5vcmc", False),
        (
            "azure-storage-key",
            base64.b64encode(bytes(range(200, 256)) + b"\x00" * 8),
            True,
        ),
        (
            "azure-storage-key",
            base64.b64encode(b"plain English text, not a key!! " * 2),
            False,
        ),
        ("docker-auth", base64.b64encode(b"ci-bot:" + random_text(16).encode()), True),
        ("docker-auth", base64.b64encode(b"username:password"), False),
        (
            "discord-bot-token",
            b64u(b"187826203596249412").encode()
            + b".abcdef."
            + random_text(38).encode(),
            True,
        ),
        (
            "discord-bot-token",
            b64u(b"not-a-user-id!").encode() + b".abcdef." + random_text(38).encode(),
            False,
        ),
        ("uuid4", b"ee63f8b9-d9f2-4e45-bd26-109d5b5ba792", True),
        ("uuid4", b"12345678-1234-5678-1234-567812345678", False),
    ],
)
def test_validator(name: str, secret: bytes, valid: bool) -> None:
    """Each validator accepts its documented structure and nothing near it."""
    assert v.VALIDATORS[name](secret) is valid


def test_pgp_armor_crc24() -> None:
    """An armoured block passes only with the CRC-24 of its own body."""
    raw = bytes(RNG.randrange(256) for _ in range(120))
    crc = base64.b64encode(v._crc24(raw).to_bytes(3, "big")).decode()
    body = base64.b64encode(raw).decode()
    block = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}\n={crc}\n-----END PGP PRIVATE KEY BLOCK-----"
    assert v.is_pgp_armor_valid(block.encode())
    assert not v.is_pgp_armor_valid(block.replace(f"={crc}", "=AAAA").encode())
