"""Fake credentials in real formats, made at run time.

The demo, the tests and the benchmarks plant these in repositories.  They
are random and were never issued by anyone; building them here, instead of
writing literals, keeps gitsweep's own history free of token-shaped text.
"""

from __future__ import annotations

import base64
import random
import string
import zlib

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_AWS_BODY = string.ascii_uppercase + "234567"
_B64 = string.ascii_letters + string.digits + "+/"


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _base62(value: int, width: int) -> str:
    out = ""
    while value:
        value, digit = divmod(value, 62)
        out = _BASE62[digit] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random, prefix: str = "ghp") -> str:
    """Return a GitHub token (`ghp_`, `gho_`, `ghs_`...) with a valid CRC32."""
    body = _pick(rng, _BASE62, 30)
    return f"{prefix}_{body}{_base62(zlib.crc32(body.encode()), 6)}"


def aws_key_pair(rng: random.Random) -> tuple[str, str]:
    """Return (access key id, secret access key)."""
    return "AKIA" + _pick(rng, _AWS_BODY, 16), _pick(rng, _B64, 40)


def stripe_live_key(rng: random.Random) -> str:
    """Return a Stripe live secret key."""
    return "sk_" + "live_" + _pick(rng, string.ascii_letters + string.digits, 99)


def slack_webhook(rng: random.Random) -> str:
    """Return a Slack incoming-webhook URL."""
    team = "T" + _pick(rng, string.ascii_uppercase + string.digits, 10)
    hook = "B" + _pick(rng, string.ascii_uppercase + string.digits, 10)
    secret = _pick(rng, string.ascii_letters + string.digits, 24)
    return f"https://hooks.slack.com/services/{team}/{hook}/{secret}"


def slack_bot_token(rng: random.Random) -> str:
    """Return a Slack bot token."""
    digits = string.digits
    return (
        "xox"
        + f"b-{_pick(rng, digits, 12)}-{_pick(rng, digits, 13)}-"
        + _pick(rng, string.ascii_letters + string.digits, 24)
    )


def postgres_url(rng: random.Random) -> str:
    """Return a PostgreSQL URL with a password."""
    password = _pick(rng, string.ascii_letters + string.digits, 20)
    return f"postgres://app:{password}@db.internal.example:5432/orders"


def sendgrid_key(rng: random.Random) -> str:
    """Return a SendGrid API key."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "SG." + _pick(rng, alphabet, 22) + "." + _pick(rng, alphabet, 43)


def gitlab_pat(rng: random.Random) -> str:
    """Return a GitLab personal access token (`glpat-` and 20 characters)."""
    return "glpat" + "-" + _pick(rng, _BASE62 + "_-", 20)


def huggingface_token(rng: random.Random) -> str:
    """Return a Hugging Face user access token."""
    return "hf" + "_" + _pick(rng, string.ascii_letters, 34)


def openai_project_key(rng: random.Random) -> str:
    """Return an OpenAI project key with the `T3BlbkFJ` marker in its middle."""
    alphabet = _BASE62 + "_-"
    marker = "T3Blbk" + "FJ"
    head = "sk-" + "proj-" + _pick(rng, alphabet, 74)
    return head + marker + _pick(rng, alphabet, 74)


def npm_token(rng: random.Random) -> str:
    """Return an npm access token with a valid CRC32, like GitHub's."""
    return github_token(rng, prefix="npm")


def assigned_secret(rng: random.Random, length: int = 40) -> str:
    """Return a random base62 value, as a generic API key or password."""
    return _pick(rng, _BASE62, length)


def _armour(label: str, body: bytes, headers: str = "", width: int = 64) -> str:
    text = base64.b64encode(body).decode("ascii")
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    head = f"-----BEGIN {label}-----\n" + (headers + "\n" if headers else "")
    return head + "\n".join(lines) + f"\n-----END {label}-----"


def openssh_private_key(rng: random.Random) -> str:
    """Return an OpenSSH private key block (no trailing newline)."""
    body = b"openssh-key-v1\0" + rng.randbytes(220)
    return _armour("OPENSSH PRIVATE KEY", body, width=70)


def ec_private_key(rng: random.Random) -> str:
    """Return a PEM EC private key whose body is a DER SEQUENCE."""
    der = b"\x30\x77\x02\x01\x01\x04\x20" + rng.randbytes(114)
    return _armour("EC PRIVATE KEY", der)


def encrypted_ec_private_key(rng: random.Random) -> str:
    """Return a passphrase-protected PEM EC private key (RFC 1421 headers)."""
    iv = rng.randbytes(16).hex().upper()
    headers = f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{iv}\n"
    return _armour("EC PRIVATE KEY", rng.randbytes(128), headers)
