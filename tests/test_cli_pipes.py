"""The command line behaves when its reader goes away."""

from __future__ import annotations

import subprocess
import sys


def test_closed_pipe_is_not_an_error() -> None:
    """`gitsweep rules list | head` ends quietly, exit 0, no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitsweep", "rules", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Close our end before the command writes, as `head` does once it has
    # read enough: every write after that fails with EPIPE.
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"BrokenPipeError" not in err
    assert b"error" not in err.lower()
