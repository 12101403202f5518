"""Generate a synthetic git repository with planted fake secrets.

    python -m benchmarks.synth DEST.git --size 50

writes a bare repository of about 50 MB of blob bytes (1 MB = 10**6
bytes) and, beside it, `DEST.truth.json`: every planted secret with its
SHA-256 fingerprint, path, blob and introducing commit. The history is
streamed into `git fast-import`, packed with `git repack -adf` (deltas
recomputed), and its last commits are left as loose objects, so a scanner
meets both storage forms. Same size and seed give the same commit ids.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

from benchmarks._fakesecrets import MAKERS, FakeSecret
from benchmarks._history import Branch, Commit, FileContent, History

log = logging.getLogger(__name__)

GENERATOR_VERSION = 1
DEFAULT_SEED = 1_234_567
DELETED_BRANCH = "refs/heads/wip/deploy-keys"
# Fixed identity, dates and no user or system config: git commands that
# write objects must not depend on who runs the generator, or when.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Synth Generator",
    "GIT_AUTHOR_EMAIL": "synth@example.com",
    "GIT_COMMITTER_NAME": "Synth Generator",
    "GIT_COMMITTER_EMAIL": "synth@example.com",
    "GIT_AUTHOR_DATE": "2020-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2020-01-01T00:00:00+0000",
    "TZ": "UTC",
    "LC_ALL": "C",
}


def run_git(repo: Path, *args: str, stdin: IO[bytes] | None = None) -> str:
    """Run a git command in `repo` with the fixed environment."""
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, **GIT_ENV},
        stdin=stdin,
        check=True,
        capture_output=True,
    )
    return result.stdout.decode()


def blob_oid(content: bytes) -> str:
    """Return the object id git gives a blob with `content`."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class FastImport:
    """A running `git fast-import` that commits are streamed into."""

    def __init__(self, repo: Path, marks: Path, resume: bool = False):
        args = [
            "fast-import",
            "--quiet",
            "--date-format=raw",
            f"--export-marks={marks}",
        ]
        if resume:
            args.append(f"--import-marks={marks}")
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), *args],
            stdin=subprocess.PIPE,
            env={**os.environ, **GIT_ENV},
        )
        assert self.proc.stdin is not None
        self.out = self.proc.stdin

    def _data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def send_commit(self, commit: Commit) -> None:
        """Write one commit command, with its file contents inline."""
        name, email = commit.author
        ident = f"{name} <{email}> {commit.epoch} +0000\n".encode()
        out = self.out
        out.write(b"commit %s\nmark :%d\n" % (commit.ref.encode(), commit.mark))
        out.write(b"author " + ident + b"committer " + ident)
        self._data(commit.message)
        for i, parent in enumerate(commit.parents):
            out.write(b"%s :%d\n" % (b"from" if i == 0 else b"merge", parent))
        for change in commit.changes:
            if change[0] == "M":
                out.write(b"M 100644 inline %s\n" % change[1])
                self._data(change[2])
            elif change[0] == "D":
                out.write(b"D %s\n" % change[1])
            else:
                out.write(b"R %s %s\n" % (change[1], change[2]))
        out.write(b"\n")

    def send_tag(self, name: str, mark: int, epoch: int) -> None:
        """Write an annotated tag pointing at commit `mark`."""
        self.out.write(b"tag %s\nfrom :%d\n" % (name.encode(), mark))
        self.out.write(b"tagger Release Bot <release@example.com> %d +0000\n" % epoch)
        self._data(f"Release {name}\n".encode())

    def close(self) -> None:
        """Finish the import and wait for git to write its packfile."""
        self.out.close()
        if self.proc.wait() != 0:
            raise RuntimeError(f"git fast-import exited with {self.proc.returncode}")


class Truth:
    """The ground truth: planted secrets and every blob that carries one."""

    def __init__(self) -> None:
        self.secrets: list[dict] = []
        # path -> indexes into `secrets` whose value may be in that file
        self.tainted: dict[bytes, set[int]] = {}

    def add(self, secret: FakeSecret, ref: str, location: str) -> int:
        """Record a planted secret and return its index."""
        self.secrets.append({
            "kind": secret.kind,
            "fingerprint": hashlib.sha256(secret.value).hexdigest(),
            "value": secret.value.decode(),
            "location": location,
            "ref": ref,
            "reachable": ref != DELETED_BRANCH,
            "commit": None,
            "path": None,
            "blob": None,
            "removed_in": None,
            "occurrences": [],
        })  # fmt: skip
        return len(self.secrets) - 1

    def observe(self, commit: Commit) -> None:
        """Note where `commit` writes, moves or drops a tainted file."""
        for change in commit.changes:
            path = change[1]
            if change[0] == "R" and path in self.tainted:
                self.tainted[change[2]] = set(self.tainted[path])
            if change[0] != "M" or path not in self.tainted:
                continue
            for index in sorted(self.tainted[path]):
                secret = self.secrets[index]
                if secret["value"].encode() in change[2]:
                    where = {"commit": commit.mark, "path": path.decode(),
                             "blob": blob_oid(change[2])}  # fmt: skip
                    secret["occurrences"].append(where)

    def resolve(self, marks: dict[int, str]) -> None:
        """Replace commit marks by commit ids and fill the first occurrence."""
        for secret in self.secrets:
            for where in secret["occurrences"]:
                where["commit"] = marks[where["commit"]]
            if isinstance(secret["commit"], int):
                secret["commit"] = marks[secret["commit"]]
            if isinstance(secret["removed_in"], int):
                secret["removed_in"] = marks[secret["removed_in"]]
            if secret["occurrences"]:
                first = secret["occurrences"][0]
                secret.update(commit=first["commit"], path=first["path"],
                              blob=first["blob"])  # fmt: skip


class Generator:
    """Drive `History`, plant secrets on schedule, and build the repository."""

    def __init__(self, dest: Path, size_mb: float, seed: int):
        self.dest = dest
        self.target = int(size_mb * 1_000_000)
        self.rng = random.Random(seed)
        self.secret_rng = random.Random(seed + 1)
        n_files = max(40, min(4000, int(60 * size_mb**0.55)))
        self.history = History(self.rng, n_files)
        self.truth = Truth()
        self.written = 0
        self.removals: list[tuple[int, int, bytes]] = []  # (due, secret, path)
        self.features: list[tuple[Branch, int]] = []

    def emit(self, commit: Commit) -> None:
        """Send a commit to fast-import and account for its bytes."""
        if len(commit.parents) < 2:
            self.written += sum(len(c[2]) for c in commit.changes if c[0] == "M")
        self.truth.observe(commit)
        self.importer.send_commit(commit)

    def build(self) -> dict:
        """Generate the whole repository; return the ground truth."""
        run_git(self.dest, "init", "--bare", "-q", "--initial-branch=main")
        with tempfile.TemporaryDirectory() as tmp:
            self.marks = Path(tmp, "marks")
            self.importer = FastImport(self.dest, self.marks)
            main, root = self.history.root("refs/heads/main")
            self.emit(root)
            self.grow(main)
            self.importer.close()
            self.explode_new_packs(tmp)
            marks = self.read_marks()
        self.truth.resolve(marks)
        return {
            "generator": {
                "version": GENERATOR_VERSION,
                "target_blob_bytes": self.target,
            },
            "repository": str(self.dest.resolve()),
            "head": run_git(self.dest, "rev-parse", "HEAD").strip(),
            "commits": self.history.n_commits + 1,
            "secrets": self.truth.secrets,
        }

    def grow(self, main: Branch) -> None:
        """Add commits until the target number of blob bytes is written."""
        schedule = plant_schedule(self.target)
        loose_phase = False
        loose_commits = 0
        while self.written < self.target or loose_commits < 3:
            progress = self.written / self.target
            while schedule and schedule[0][0] <= progress:
                _, kind, style = schedule.pop(0)
                self.plant(main, kind, style)
            self.step(main)
            self.remove_due(main)
            loose_commits += loose_phase
            if self.history.n_commits % 400 == 0:
                tag = f"v0.{self.history.n_commits // 400}"
                self.importer.send_tag(tag, main.tip, self.history.epoch)
            # The last 1% of history stays out of the main packfile.
            if not loose_phase and self.written >= 0.99 * self.target:
                self.pack_and_resume()
                loose_phase = True
        for feature, _ in self.features[::2]:
            self.emit(self.history.merge(main, feature))

    def step(self, main: Branch) -> None:
        """Add one commit: on main, or on an open feature branch."""
        rng = self.rng
        if len(self.features) < 2 and rng.random() < 0.03:
            ref = f"refs/heads/feature/{rng.choice(['auth', 'cache', 'ui', 'api'])}"
            ref += f"-{self.history.n_commits}"
            fork = self.history.fork(main, ref)
            self.features.append((fork, rng.randint(2, 12)))
        if not self.features or rng.random() < 0.6:
            self.emit(self.history.churn(main))
            return
        i = rng.randrange(len(self.features))
        feature, left = self.features[i]
        self.emit(self.history.churn(feature))
        if left > 1:
            self.features[i] = (feature, left - 1)
            return
        del self.features[i]
        # Most features are merged; the rest stay as unmerged branches.
        if rng.random() < 0.85:
            self.emit(self.history.merge(main, feature))

    def plant(self, main: Branch, kind: str, style: str) -> None:
        """Plant one secret of `kind`, in the way `style` names."""
        maker, base_path = MAKERS[kind]
        secrets = maker(self.secret_rng)
        if style == "message":
            secret = secrets[0]
            text = f"Fix release upload\n\nTemporary: {secret.line.decode()}\n"
            commit = self.history.start(main, text.encode())
            index = self.truth.add(secret, main.ref, "commit-message")
            self.truth.secrets[index]["commit"] = commit.mark
            self.emit(commit)
            return
        branch = main
        if style == "deleted-branch":
            branch = self.history.fork(main, DELETED_BRANCH)
        commit = self.history.start(branch, b"Add deployment settings\n")
        path = numbered_path(base_path, len(self.truth.secrets))
        lines = [s.line for s in secrets]
        if kind != "private-key":
            pool = self.history.pools["yaml"]
            lines = pool.draw(8) + lines + pool.draw(8)
        due = self.history.n_commits + self.rng.randint(3, 40)
        for secret in secrets:
            index = self.truth.add(secret, branch.ref, "blob")
            self.truth.tainted.setdefault(path, set()).add(index)
            if style == "removed-later":
                self.removals.append((due, index, path))
        content = FileContent(
            "yaml", tuple(b for line in lines for b in line.split(b"\n"))
        )
        self.history.write(branch, commit, path, content)
        self.emit(commit)

    def remove_due(self, main: Branch) -> None:
        """Delete planted files whose removal commit is due."""
        due = [r for r in self.removals if r[0] <= self.history.n_commits]
        self.removals = [r for r in self.removals if r[0] > self.history.n_commits]
        for path in sorted({r[2] for r in due}):
            if path not in main.files:
                continue
            commit = self.history.start(main, b"Remove credentials from repository\n")
            self.history.delete(main, commit, path)
            self.emit(commit)
            for _, index, p in due:
                if p == path:
                    self.truth.secrets[index]["removed_in"] = commit.mark

    def pack_and_resume(self) -> None:
        """Close the import, repack with fresh deltas, drop the doomed ref."""
        self.importer.close()
        run_git(
            self.dest, "repack", "-a", "-d", "-f", "-q", "--window=10", "--depth=50"
        )
        run_git(self.dest, "pack-refs", "--all")
        # Deleted after packing, so its objects stay in the packfile but no
        # ref reaches them: history scanners that walk refs cannot see it.
        if any(s["ref"] == DELETED_BRANCH for s in self.truth.secrets):
            run_git(self.dest, "update-ref", "-d", DELETED_BRANCH)
        self.packed = set(self.dest.joinpath("objects/pack").glob("*.pack"))
        self.importer = FastImport(self.dest, self.marks, resume=True)

    def explode_new_packs(self, tmp: str) -> None:
        """Turn the packs written after the repack into loose objects."""
        for pack in sorted(set(self.dest.joinpath("objects/pack").glob("*.pack"))):
            if pack in self.packed:
                continue
            moved = Path(tmp, pack.name)
            shutil.move(pack, moved)
            pack.with_suffix(".idx").unlink()
            with moved.open("rb") as stream:
                run_git(self.dest, "unpack-objects", "-q", stdin=stream)

    def read_marks(self) -> dict[int, str]:
        marks = {}
        for line in self.marks.read_text().splitlines():
            mark, oid = line.split()
            marks[int(mark[1:])] = oid
        return marks


def plant_schedule(target: int) -> list[tuple[float, str, str]]:
    """Return (history fraction, kind, style) for each planting, in order.

    Every kind is planted at least once; larger repositories get more
    rounds. Styles cover a secret still at HEAD, one removed a few commits
    later, one only in a commit message and one only on a deleted branch.
    """
    rounds = max(1, int(math.sqrt(target / 1e6) / 2))
    plan = []
    for r in range(rounds):
        for k, kind in enumerate(MAKERS):
            style = "kept" if (k + r) % 2 else "removed-later"
            plan.append((kind, style))
    plan.insert(len(plan) // 3, ("github-pat", "message"))
    plan.insert(len(plan) // 2, ("aws", "deleted-branch"))
    # Spread plantings over the first 95%, before the loose phase starts.
    return [(0.95 * (i + 0.5) / len(plan), k, s) for i, (k, s) in enumerate(plan)]


def numbered_path(base: str, n: int) -> bytes:
    """Return `base` with a planting number before its extension."""
    folder, _, name = base.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not stem:  # a dotfile such as .env keeps its name in a new folder
        return f"{folder}/site{n}/{name}".encode()
    return f"{folder}/{stem}_{n}{dot}{ext}".encode()


def truth_path(dest: Path) -> Path:
    """Return where the ground truth of `dest` goes: beside it, outside."""
    name = dest.name.removesuffix(".git")
    return dest.with_name(f"{name}.truth.json")


def generate(dest: Path, size_mb: float, seed: int = DEFAULT_SEED) -> Path:
    """Build a repository at `dest`; return the ground-truth file path."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; remove it or pick another path")
    dest.mkdir(parents=True, exist_ok=True)
    truth = Generator(dest, size_mb, seed).build()
    truth["generator"].update(size_mb=size_mb, seed=seed)
    out = truth_path(dest)
    out.write_text(json.dumps(truth, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("dest", type=Path, help="new bare repository directory")
    parser.add_argument("--size", type=float, default=5.0,
                        help="blob bytes to write, in MB (default 5)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace dest")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.force and args.dest.exists():
        shutil.rmtree(args.dest)
    out = generate(args.dest, args.size, args.seed)
    log.info("wrote %s and %s", args.dest, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
