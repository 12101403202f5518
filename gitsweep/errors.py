"""Exceptions of gitsweep: one small hierarchy, each message ends with the fix.

Library code raises these; only the CLI turns them into one printed line and
an exit code.  No message ever holds a secret value.
"""

from __future__ import annotations


class GitsweepError(Exception):
    """Base class of every error gitsweep raises on purpose."""


class NotARepositoryError(GitsweepError, ValueError):
    """The path given is not a git repository nor inside one."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path!s} is not a git repository (nor inside one): "
            "pass the path of a repository, bare or with a work tree"
        )


class UnsupportedRepositoryError(GitsweepError, ValueError):
    """A repository in a form gitsweep cannot read (SHA-256 object ids)."""


class RuleError(GitsweepError, ValueError):
    """A rule file or one of its rules cannot be used."""

    def __init__(self, source: str, rule_id: str | None, reason: str) -> None:
        self.source = source
        self.rule_id = rule_id
        self.reason = reason
        where = f"{source}: rule {rule_id!r}" if rule_id else source
        super().__init__(f"{where}: {reason}")


class ReportFormatError(GitsweepError, ValueError):
    """A report, plan or baseline file cannot be loaded."""


class PlanError(GitsweepError, ValueError):
    """A rewrite plan cannot be carried out as written."""


class RewriteError(GitsweepError, RuntimeError):
    """A history rewrite failed or could not be verified."""
