"""Findings: confirmed matches grouped by secret, each with its occurrences.

Stage 4 of the pipeline.  The matcher yields one `Match` per confirmed hit
inside one object; `group_matches` folds them into one `Finding` per distinct
secret of a rule (keyed by the SHA-256 fingerprint of the secret), and the
provenance stage later fills each `Occurrence` with paths, commits and refs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import attrs

#: Sources an occurrence can come from.
SOURCE_BLOB = "blob"
SOURCE_COMMIT = "commit"
SOURCE_TAG = "tag"


def fingerprint(secret: bytes) -> str:
    """Return the hex SHA-256 of the exact secret bytes."""
    return hashlib.sha256(secret).hexdigest()


def redact(secret: str, keep: int = 4) -> str:
    """Return `secret` cut to a short prefix and suffix, safe to print.

    Short secrets keep less so that at most a third of them shows.
    """
    keep = min(keep, len(secret) // 6)
    if keep <= 0:
        return "*" * min(len(secret), 8) or "*"
    return f"{secret[:keep]}…{secret[-keep:]}"


@attrs.frozen(slots=True)
class Match:
    """One confirmed hit of one rule inside one object.

    `start` and `end` are byte offsets (0-based, end-exclusive) into the
    content the matcher saw: the raw object, or its UTF-8 text when the
    object was decoded from UTF-16 (`encoding` says so).  `line` is 1-based,
    `column` is the 1-based byte offset within that line.
    """

    rule_id: str
    oid: str
    source: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    # The repr must not show a secret: reprs end up in logs, tracebacks and
    # the text/plain output Jupyter stores in a notebook.
    secret: bytes = attrs.field(
        repr=lambda s: repr(redact(s.decode("utf-8", "replace")))
    )
    field: str | None = None
    encoding: str | None = None
    confidence: str = "high"
    reasons: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class Occurrence:
    """One place a secret sits: an object, and where history put it.

    The provenance fields (`path`, `commit`, `refs`...) are filled by the
    provenance stage; for an object no commit reaches they stay empty and
    `reachable` is false.
    """

    object: str
    source: str
    line: int
    column: int
    end_line: int
    field: str | None = None
    encoding: str | None = None
    path: str | None = None
    paths: tuple[str, ...] = ()
    path_count: int = 0
    commit: str | None = None
    commit_subject: str | None = None
    commits: tuple[str, ...] = ()
    author: str | None = None
    author_email: str | None = None
    date: str | None = None
    commit_date: str | None = None
    refs: tuple[str, ...] = ()
    other_refs: int = 0
    reflogs: tuple[str, ...] = ()
    reachable: bool = False
    at_head: bool = False
    stashed: bool = False
    signed: bool = False


@attrs.frozen(slots=True)
class Finding:
    """One distinct secret of one rule, with every place it occurs."""

    rule: str
    name: str
    provider: str
    severity: str
    fingerprint: str
    secret: str = attrs.field(repr=lambda s: repr(redact(s)))
    occurrences: tuple[Occurrence, ...] = ()
    confidence: str = "high"
    reasons: tuple[str, ...] = ()
    redacted: bool = False

    @property
    def first_date(self) -> str | None:
        """Return the earliest author date of an introducing commit."""
        dates = [o.date for o in self.occurrences if o.date]
        return min(dates) if dates else None

    @property
    def at_head(self) -> bool:
        """Return whether HEAD's tree still holds the secret."""
        return any(o.at_head for o in self.occurrences)

    @property
    def reachable(self) -> bool:
        """Return whether any ref or reflog still reaches the secret."""
        return any(o.reachable for o in self.occurrences)

    @property
    def refs(self) -> tuple[str, ...]:
        """Return every ref whose history holds the secret, sorted."""
        return tuple(sorted({r for o in self.occurrences for r in o.refs}))

    def secret_bytes(self) -> bytes:
        """Return the secret as the bytes that were matched."""
        return self.secret.encode("utf-8", "surrogateescape")


def group_matches(matches: Iterable[Match]) -> dict[tuple[str, str], list[Match]]:
    """Group matches by (rule id, fingerprint), keeping input order."""
    groups: dict[tuple[str, str], list[Match]] = {}
    for match in matches:
        key = (match.rule_id, fingerprint(match.secret))
        groups.setdefault(key, []).append(match)
    return groups
