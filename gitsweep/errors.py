"""Exceptions of gitsweep: one small hierarchy, each message ends with the fix.

Library code raises these; only the CLI turns them into one printed line and
an exit code.  No message ever holds a secret value.
"""

from __future__ import annotations


class GitsweepError(Exception):
    """Base class of every error gitsweep raises on purpose."""

    _args: tuple[object, ...] | None = None

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Errors cross process boundaries (worker pools, Dask); rebuild them
        # from the constructor's own arguments, not from the message.
        if self._args is not None:
            return (type(self), self._args)
        return super().__reduce__()


class NotARepositoryError(GitsweepError, ValueError):
    """The path given is not a git repository nor inside one."""

    def __init__(self, path: str, missing: bool = False) -> None:
        self.path = path
        self.missing = missing
        self._args = (path, missing)
        what = (
            "does not exist" if missing else "is not a git repository (nor inside one)"
        )
        super().__init__(
            f"{path!s} {what}: pass the path of a repository, bare or with a work tree"
        )


class UnsupportedRepositoryError(GitsweepError, ValueError):
    """A repository in a form gitsweep cannot read (SHA-256 object ids)."""


class RuleError(GitsweepError, ValueError):
    """A rule file or one of its rules cannot be used."""

    def __init__(self, source: str, rule_id: str | None, reason: str) -> None:
        self.source = source
        self.rule_id = rule_id
        self.reason = reason
        self._args = (source, rule_id, reason)
        where = f"{source}: rule {rule_id!r}" if rule_id else source
        super().__init__(f"{where}: {reason}")


class ReportFormatError(GitsweepError, ValueError):
    """A report, plan or baseline file cannot be loaded."""


class PlanError(GitsweepError, ValueError):
    """A rewrite plan cannot be carried out as written."""


class RewriteError(GitsweepError, RuntimeError):
    """A history rewrite failed or could not be verified."""
