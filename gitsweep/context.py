"""Context scoring: decide how sure a confirmed match is.

Called twice.  The matcher calls `score_match` on each match with the bytes
around it: stand-ins (placeholders, masked or filler values, documented
example keys) are dropped, and generic rules, whose patterns only say "a
secret-like name is assigned a value", are weighed by the value's entropy,
its shape (hash, UUID, base64 of text, a code reference) and the name on
its left.  After provenance, scan calls `adjust_for_paths` with the paths a
blob had: a match seen only in tests, fixtures, docs, lock files, vendored
or minified code is lowered.

Confidence is one of high, medium, low; the default report shows medium and
up.  Every lowering or drop carries a short reason; no reason ever quotes
the secret.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable

import regex

from .rules import Rule
from .validators import is_printable_text

CONFIDENCES = ("high", "medium", "low")

# Stand-ins people write where a secret would go.  Matched against the
# secret only, case-insensitively; each is rare inside random text.
_PLACEHOLDER = regex.compile(
    rb"(?i)(?:example|placeholder|changeme|change[_-]me|replace|your|dummy|"
    rb"sample|redacted|insert|xxxx|not[_-]?a[_-]?real|\*{3}|\.\.\.|\xe2\x80\xa6|"
    rb"<[^>\n]{0,60}>|\$\{[^}\n]{0,80}\}|\{\{[^}\n]{0,80}\}\}|%\([a-z_]{1,40}\)s|"
    rb"^\$[A-Za-z_]{2,}$)"
)

# SHA-256 of values that vendors print in their public documentation
# (AWS's example key pair, the Azurite storage emulator key, the jwt.io
# sample token, Stripe's and Mailgun's reference keys, GitHub's REST
# example).  They look real but grant nothing.  Kept as digests so that
# this module does not itself look like a leak to a scanner.
_DOCUMENTED_EXAMPLES = frozenset(
    {
        "1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3",
        "78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598",
        "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059",
        "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
        "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
        "f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397",
        "9c846fdf0fa8955c377d0301542ee20ecd4585c5f359aa0a4cf15d44424f573d",
        "bc3ae723f57c6b9e3fd80b699fcc420f6074b0b1718039669d22631d508ac0a7",
    }
)

# Documented account names that mark an emulator or a docs sample.
_EXAMPLE_CONTEXT = regex.compile(rb"(?i)devstoreaccount1|UseDevelopmentStorage")

# Prefixes that a provider rule owns: a generic rule leaves such a value
# to that rule, which knows its exact length and checksum.
_PROVIDER_PREFIX = regex.compile(
    rb"(?:gh[pousr]_|github_pat_|glpat-|gl[a-z]{1,5}-|xox[abeoprs]-|[sr]k_(?:live|test)_|"
    rb"sk-|key-|SG\.|AKIA|ASIA|AIza|GOCSPX-|hf_|npm_|pypi-|dckr_|HRKU-|do[opr]_v1_|"
    rb"shp(?:at|ca|pa|ss)_|NRA[KI]-|dapi|PMAK-|ntn_|secret_|hv[sb]\.|ATATT|EAA|eyJ|"
    rb"AAAA|whsec_|sq0|rubygems_|oy2|AKCp|figd_|lin_|sbp_|pul-|dp\.|AGE-)"
)

# Names that hold a digest or an identifier rather than a credential.
_HASH_NAME = regex.compile(
    rb"(?i)(?:sha|md5|hash|digest|checksum|etag|commit|integrity|fingerprint|"
    rb"trace|span|uuid|guid|nonce|salt|_id\b|Id\b|revision)"
)
_HEX = regex.compile(rb"[0-9a-fA-F]+")
_UUID = regex.compile(
    rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_BASE64 = regex.compile(rb"[A-Za-z0-9+/]{16,}={0,2}")
_WORDY = regex.compile(rb"[A-Za-z]{2,}(?:[._-][A-Za-z]{2,}){1,8}")
_CODE_REF = regex.compile(
    rb"(?i)^(?:os\.|process\.env|env\.|self\.|this\.|config\.|settings\.|"
    rb"secrets\.|vars\.|getenv|request\.|params\.)"
)
_SECRET_NAME = regex.compile(
    rb"(?i)(?:secret|passw(?:or)?d|pwd|token|api[_.-]?key|apikey|access[_.-]?key|"
    rb"private[_.-]?key|auth|credential|client[_.-]?secret)"
)

# Passwords people leave in sample URLs and local defaults.
_WEAK_PASSWORDS = frozenset(
    b"password pass passwd pwd secret root admin test testing changeme default "
    b"postgres mysql mongo redis guest user username example 1234 12345 123456 "
    b"qwerty letmein dev development local localhost token".split()
)

#: Entropy (bits per character) below which a generic value is dropped.
GENERIC_MIN_ENTROPY = 3.0
#: Entropy below which a generic value is reported only as low.
GENERIC_MEDIUM_ENTROPY = 3.5


def shannon_entropy(data: bytes) -> float:
    """Return the Shannon entropy of `data` in bits per byte."""
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())


def is_documented_example(secret: bytes) -> bool:
    """Return whether `secret` is a key a vendor published as an example."""
    return hashlib.sha256(secret).hexdigest() in _DOCUMENTED_EXAMPLES


def is_filler(secret: bytes) -> bool:
    """Return whether one character makes up most of the value (zeros,
    repeated letters): a shape-right stand-in, not a key.
    """
    if len(secret) < 8:
        return len(set(secret)) <= 2
    most = Counter(secret).most_common(1)[0][1]
    return most / len(secret) > 0.4 or len(set(secret)) <= 3


def is_sequential(secret: bytes) -> bool:
    """Return whether the value is typed by hand from runs like `abcdef`,
    `123456` or `aBc1dEf2...` (sample keys in docs, test fixtures).

    A run is a stretch where each character (case folded) is the next one
    in the alphabet or digits.  Random keys almost never hold a run of six
    or several runs of three.
    """
    text = secret.lower()
    runs: list[int] = []
    length = 1
    for prev, cur in itertools.pairwise(text):
        if cur == prev + 1 and (chr(cur).isalnum() and chr(prev).isalnum()):
            length += 1
            continue
        runs.append(length)
        length = 1
    runs.append(length)
    long_runs = [r for r in runs if r >= 3]
    # Short runs happen by chance in long random text (a PEM body has
    # about one per 1000 characters), so their count scales with length.
    return (
        max(runs) >= 6
        or len(long_runs) >= max(4, len(text) // 10)
        or sum(r >= 4 for r in runs) >= max(2, len(text) // 200)
    )


def find_stand_in(secret: bytes, window: bytes = b"") -> str | None:
    """Return why `secret` is a stand-in rather than a credential, or None."""
    if _PLACEHOLDER.search(secret):
        return "placeholder or masked value"
    if is_documented_example(secret):
        return "documented example key"
    if window and _EXAMPLE_CONTEXT.search(window):
        return "storage emulator or docs sample account"
    if is_filler(secret):
        return "filler of repeated characters"
    if is_sequential(secret):
        return "sequential characters typed by hand"
    return None


def score_match(
    rule: Rule, secret: bytes, window: bytes
) -> tuple[str | None, tuple[str, ...]]:
    """Return (confidence or None to drop, reasons) for one match.

    `secret` is the bytes of the rule's `secret` group; `window` the bytes
    the pattern was searched in (the name on the left is inside it).
    """
    if "private-key" in rule.tags:
        # A key body is long base64: words like `your` turn up in it by
        # chance, and a placeholder body never matches a key pattern.
        if is_documented_example(secret):
            return None, ("documented example key",)
        return _score_assigned(rule, secret, window)
    stand_in = find_stand_in(secret, window)
    if stand_in:
        return None, (stand_in,)
    if "url" in rule.tags:
        return _score_url_password(secret, window)
    if "generic" in rule.tags:
        return _score_generic(rule, secret, window)
    return _score_assigned(rule, secret, window)


def _score_assigned(
    rule: Rule, secret: bytes, window: bytes
) -> tuple[str | None, tuple[str, ...]]:
    """Score a provider rule: its format already says what the value is."""
    reasons: list[str] = []
    if rule.kind == "assigned":
        if rule.token_charset == "base64" and _HEX.fullmatch(secret):
            return "low", ("hex only where the format is mixed-case base64",)
        reasons.append("provider name on the left")
    # LIMITATION: an AWS key id and its secret stay two findings; the pair
    # only shows here as a reason, because a match is one contiguous span.
    if rule.id == "aws-secret-access-key" and regex.search(
        rb"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])", window
    ):
        reasons.append("paired with an access key id nearby")
    if rule.validator:
        reasons.append(f"structure check {rule.validator} passed")
    return "high", tuple(reasons)


def _score_generic(
    rule: Rule, secret: bytes, window: bytes
) -> tuple[str | None, tuple[str, ...]]:
    """Score a generic rule from the value's shape and the name before it."""
    if _PROVIDER_PREFIX.match(secret):
        return None, ("provider prefix; left to that provider's rule",)
    if _CODE_REF.match(secret):
        return None, ("a reference in code, not a value",)
    if _WORDY.fullmatch(secret):
        return None, ("words or an identifier, not a random value",)
    if _BASE64.fullmatch(secret) and len(secret) % 4 == 0:
        decoded = _try_b64(secret)
        if decoded is not None and is_printable_text(decoded):
            return None, ("base64 of plain text",)

    entropy = shannon_entropy(secret)
    floor = max(GENERIC_MIN_ENTROPY, rule.min_entropy)
    if entropy < floor:
        return None, (f"entropy {entropy:.1f} below {floor:.1f} bits/char",)

    left = _left_of(secret, window)
    reasons = ["secret-like name on the left"] if _SECRET_NAME.search(left) else []
    if _HEX.fullmatch(secret) and len(secret) in (32, 40, 56, 64, 96, 128):
        if _HASH_NAME.search(left[-48:]):
            return None, ("a digest or identifier (hash-length hex, named so)",)
        return "low", (*reasons, "hash-length hex")
    if _UUID.fullmatch(secret):
        return "low", (*reasons, "a UUID, usually an identifier")
    if entropy < GENERIC_MEDIUM_ENTROPY:
        return "low", (*reasons, f"modest entropy {entropy:.1f} bits/char")
    return "medium", (*reasons, f"entropy {entropy:.1f} bits/char")


def _score_url_password(
    secret: bytes, window: bytes
) -> tuple[str | None, tuple[str, ...]]:
    """Score the password of `scheme://user:password@host`."""
    if secret.lower() in _WEAK_PASSWORDS or len(secret) < 6:
        return None, ("default or sample password",)
    user = regex.search(rb"//([^\s:/@]{1,64}):" + regex.escape(secret) + rb"@", window)
    if user and user.group(1) == secret:
        return None, ("password equals the user name",)
    if shannon_entropy(secret) < 2.5:
        return "low", ("short or repetitive password",)
    return "high", ("password in a connection URL",)


def _left_of(secret: bytes, window: bytes) -> bytes:
    at = window.find(secret)
    return window[max(0, at - 80) : at] if at >= 0 else window[:80]


def _try_b64(secret: bytes) -> bytes | None:
    import base64
    import binascii

    try:
        return base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        return None


# Path shapes where credentials are usually fake or not ours to revoke.
_TEST_PATH = regex.compile(
    r"(?i)(?:^|/)(?:tests?|specs?|__tests__|testdata|test_data|fixtures?|"
    r"__fixtures__|mocks?|__mocks__)/|(?:^|/)test_[^/]*$|_test\.[a-z]+$|"
    r"\.(?:spec|test)\.[a-z]+$"
)
_DOC_PATH = regex.compile(
    r"(?i)(?:^|/)(?:docs?|documentation|examples?|samples?)/|"
    r"\.(?:md|rst|adoc|example|sample|template|dist|tmpl)$"
)
_NOISE_PATH = regex.compile(
    r"(?i)(?:^|/)(?:vendor|third_party|node_modules|bower_components|"
    r"site-packages)/|(?:^|/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|"
    r"poetry\.lock|Pipfile\.lock|Cargo\.lock|go\.sum|composer\.lock|"
    r"Gemfile\.lock|[^/]*\.lock)$|\.min\.(?:js|css)$|\.map$|\.bundle\.js$"
)


def classify_path(path: str | bytes) -> str | None:
    """Return `tests`, `docs`, `generated` or None for an ordinary path."""
    if isinstance(path, bytes):
        path = path.decode("utf-8", "surrogateescape")
    if _NOISE_PATH.search(path):
        return "generated"
    if _TEST_PATH.search(path):
        return "tests"
    if _DOC_PATH.search(path):
        return "docs"
    return None


def lower(confidence: str, steps: int = 1) -> str:
    """Return `confidence` lowered by `steps` levels (not below low)."""
    at = CONFIDENCES.index(confidence) + steps
    return CONFIDENCES[min(at, len(CONFIDENCES) - 1)]


def adjust_for_paths(
    rule: Rule, confidence: str, reasons: tuple[str, ...], paths: Iterable[str]
) -> tuple[str, tuple[str, ...]]:
    """Return the confidence after looking at the paths a blob had.

    Only when every path is a test, docs or generated location does the
    confidence drop: one ordinary path is enough to keep it.  Generated
    files (lock files, vendored and minified code) are full of hashes and
    third-party literals, so a generic match there falls to low.
    """
    kinds = {classify_path(p) for p in paths}
    if not kinds or None in kinds:
        return confidence, reasons
    label = "/".join(sorted(k for k in kinds if k))
    if "generated" in kinds and ("generic" in rule.tags or rule.kind == "assigned"):
        return "low", (*reasons, f"only in {label} files")
    return lower(confidence), (*reasons, f"only in {label} files")
