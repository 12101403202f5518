"""Run the command line as `python -m gitsweep`."""

import sys

from .cli import main

sys.exit(main())
