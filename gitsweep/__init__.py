"""gitsweep: find leaked credentials in every object of a git history,
trace where they came from, plan their removal and their revocation.

The pipeline, one module per stage: `rules` → `walker` → `_kernels` /
`matcher` → `findings` → `provenance` → `report`; `scan` runs it.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .baseline import Baseline, load_baseline
from .config import Config, load_config
from .findings import Finding, Match, Occurrence
from .many import MultiReport, scan_many
from .plan import RewritePlan, plan
from .protect import protect
from .report import Report, ScanStats, ScanWarning
from .revocation import Checklist, checklist
from .rewrite import rewrite
from .scan import scan

__all__ = [
    "Baseline",
    "Checklist",
    "Config",
    "Finding",
    "Match",
    "MultiReport",
    "Occurrence",
    "Report",
    "RewritePlan",
    "ScanStats",
    "ScanWarning",
    "__version__",
    "checklist",
    "load_baseline",
    "load_config",
    "plan",
    "protect",
    "rewrite",
    "scan",
    "scan_many",
]
