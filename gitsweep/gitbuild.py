"""Build small git histories with the real `git`, reproducibly.

Used by `gitsweep demo`, the tests and the benchmarks.  Every command runs
with a private configuration, fixed identities and a clock that advances an
hour per commit, so the same script yields the same commit ids anywhere.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitBuilder:
    """A repository under construction at `path`, driven through `git`."""

    def __init__(self, path: str | os.PathLike[str], branch: str = "main") -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.clock = 1_700_000_000
        self.author = ("Dev One", "dev1@example.test")
        self.git("init", "-q", "-b", branch)

    def env(self) -> dict[str, str]:
        """Return the environment every git command of the builder sees."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        name, email = self.author
        date = f"@{self.clock} +0000"
        env.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_TERMINAL_PROMPT="0",
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email,
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
            LC_ALL="C",
        )
        return env

    def git(self, *args: str, input: bytes | None = None) -> str:
        """Run one git command in the repository and return its stdout."""
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env(),
            input=input,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace')}"
            )
        return done.stdout.decode("utf-8", "surrogateescape").strip()

    def write(self, rel: str, content: str | bytes) -> None:
        """Write a file of the work tree (parents created)."""
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)

    def commit(self, message: str, *extra: str) -> str:
        """Stage everything, commit with `message`, return the commit id."""
        self.clock += 3600
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, *extra)
        return self.git("rev-parse", "HEAD")
