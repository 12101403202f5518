"""Make fake credentials in the formats of real providers, for planting.

Every value is drawn from a seeded `random.Random`, so a synthetic
repository plants the same secrets on every run. None of them is live: they
have the right shape (prefix, alphabet, length, checksum where the provider
defines one) so that scanners which check the shape accept them.
"""

from __future__ import annotations

import base64
import random
import string
import zlib
from collections.abc import Callable

import attrs

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
BASE32_UPPER = string.ascii_uppercase + "234567"
BASE64_CHARS = string.ascii_letters + string.digits + "+/"


@attrs.frozen
class FakeSecret:
    """One planted credential.

    `value` is the secret proper (what a finding's fingerprint is taken
    over); `line` is the text that carries it into a file, one line or,
    for a PEM block, several.
    """

    kind: str
    value: bytes
    line: bytes


def _draw(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _base62(n: int, width: int) -> str:
    digits = []
    while n:
        n, r = divmod(n, 62)
        digits.append(BASE62[r])
    return "".join(reversed(digits)).rjust(width, "0")


def make_github_pat(rng: random.Random) -> list[FakeSecret]:
    # Classic tokens end in a base62 CRC32 of the 30 random characters;
    # scanners that verify that checksum would drop a token without it.
    body = _draw(rng, BASE62, 30)
    token = f"ghp_{body}{_base62(zlib.crc32(body.encode()), 6)}"
    line = f'GITHUB_TOKEN = "{token}"'
    return [FakeSecret("github-pat", token.encode(), line.encode())]


def make_aws_keypair(rng: random.Random) -> list[FakeSecret]:
    key_id = "AKIA" + _draw(rng, BASE32_UPPER, 16)
    secret = _draw(rng, BASE64_CHARS, 40)
    return [
        FakeSecret("aws-access-key-id", key_id.encode(),
                   f"aws_access_key_id = {key_id}".encode()),
        FakeSecret("aws-secret-access-key", secret.encode(),
                   f"aws_secret_access_key = {secret}".encode()),
    ]  # fmt: skip


def make_slack_bot_token(rng: random.Random) -> list[FakeSecret]:
    digits = string.digits
    team, bot = _draw(rng, digits, 12), _draw(rng, digits, 13)
    tail = _draw(rng, string.ascii_letters + digits, 24)
    token = f"xoxb-{team}-{bot}-{tail}"
    line = f"SLACK_BOT_TOKEN={token}"
    return [FakeSecret("slack-bot-token", token.encode(), line.encode())]


def make_stripe_live_key(rng: random.Random) -> list[FakeSecret]:
    token = "sk_live_" + _draw(rng, string.ascii_letters + string.digits, 24)
    line = f'stripe.api_key = "{token}"'
    return [FakeSecret("stripe-live-secret-key", token.encode(), line.encode())]


def make_private_key(rng: random.Random) -> list[FakeSecret]:
    # Random bytes behind a DER sequence header: the block looks like an
    # RSA key to a format check without being one.
    der = b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00" + rng.randbytes(1180)
    text = base64.b64encode(der).decode()
    body = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    block = (
        f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    ).encode()
    return [FakeSecret("private-key", block, block)]


def make_postgres_url(rng: random.Random) -> list[FakeSecret]:
    password = _draw(rng, string.ascii_letters + string.digits, 20)
    url = f"postgresql://app_rw:{password}@db.example.internal:5432/orders"
    line = f'DATABASE_URL = "{url}"'
    return [FakeSecret("postgres-url-password", password.encode(), line.encode())]


# Kind name -> (maker, path a developer would plausibly put it in).
MAKERS: dict[str, tuple[Callable[[random.Random], list[FakeSecret]], str]] = {
    "github-pat": (make_github_pat, "ci/publish_settings.py"),
    "aws": (make_aws_keypair, "deploy/aws_credentials.ini"),
    "slack": (make_slack_bot_token, "ops/.env"),
    "stripe": (make_stripe_live_key, "billing/stripe_config.py"),
    "private-key": (make_private_key, "deploy/keys/id_rsa"),
    "postgres": (make_postgres_url, "app/settings_prod.py"),
}
