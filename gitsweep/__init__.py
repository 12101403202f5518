"""gitsweep: find leaked credentials in every object of a git history,
trace where they came from, plan their removal and their revocation.

The pipeline, one module per stage: `rules` → `walker` → `_kernels` /
`matcher` → `findings` → `provenance` → `report`; `scan` runs it.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .findings import Finding, Match, Occurrence  # noqa: E402
from .report import Report, ScanStats, ScanWarning  # noqa: E402
from .scan import scan  # noqa: E402
from .plan import RewritePlan, plan  # noqa: E402
from .rewrite import rewrite  # noqa: E402
from .revocation import Checklist, checklist  # noqa: E402
from .many import MultiReport, scan_many  # noqa: E402
from .baseline import Baseline, load_baseline  # noqa: E402
from .config import Config, load_config  # noqa: E402
from .protect import protect  # noqa: E402

__all__ = [
    "Checklist",
    "RewritePlan",
    "checklist",
    "plan",
    "rewrite",
    "Finding",
    "Match",
    "MultiReport",
    "Occurrence",
    "Report",
    "ScanStats",
    "ScanWarning",
    "__version__",
    "scan",
    "scan_many",
    "Baseline",
    "Config",
    "load_baseline",
    "load_config",
    "protect",
]
