"""Simulate a project's history as a sequence of git fast-import commits.

The model keeps, per branch, the files at its tip (path -> content) and
changes them commit by commit: edits, additions, deletions, renames,
feature branches that are merged back, and tags. It knows nothing about
secrets or packing; `synth` drives it and plants secrets through
`Branch.write`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import attrs

from benchmarks._content import (
    WORDS,
    LinePool,
    draw_line_count,
    edit_lines,
    make_binary,
    make_minified,
)

LANGUAGES = {"py": 30, "js": 20, "go": 14, "c": 14, "md": 8, "json": 6, "yaml": 5}
EXTENSIONS = {"py": "py", "js": "js", "go": "go", "c": "c", "md": "md",
              "json": "json", "yaml": "yml", "minjs": "min.js", "bin": "png"}  # fmt: skip
IDENTITIES = [
    ("Ada Lindqvist", "ada@example.com"),
    ("Bram Okafor", "bram@example.com"),
    ("Chen Wei", "chen.wei@example.com"),
    ("Dolores Ruiz", "dolores@example.org"),
    ("Emeka Nwosu", "emeka@example.org"),
    ("Farah Haddad", "farah@example.net"),
]
START_EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z


@attrs.frozen
class FileContent:
    """A file at some revision: text lines, or raw bytes for binaries."""

    language: str
    lines: tuple[bytes, ...] = ()
    raw: bytes | None = None

    def to_bytes(self) -> bytes:
        """Return the blob content."""
        if self.raw is not None:
            return self.raw
        return b"\n".join(self.lines) + b"\n"


@attrs.define
class Commit:
    """One commit to emit; `changes` are fast-import file commands."""

    ref: str
    mark: int
    parents: list[int]
    author: tuple[str, str]
    epoch: int
    message: bytes
    # ("M", path, bytes) | ("D", path) | ("R", old_path, new_path)
    changes: list[tuple] = attrs.Factory(list)


@attrs.define
class Branch:
    """The tip of one branch in the model."""

    ref: str
    tip: int
    files: dict[bytes, FileContent]
    # Paths changed since the branch forked, replayed into the merge.
    touched: set[bytes] = attrs.Factory(set)


class History:
    """Generate commits of a plausible project, deterministically."""

    def __init__(self, rng: random.Random, n_files: int):
        self.rng = rng
        self.pools = {lang: LinePool(rng, lang) for lang in LANGUAGES}
        self.next_mark = 1
        self.epoch = START_EPOCH
        self.n_commits = 0
        self.initial_files = n_files
        self.file_serial = 0

    # Only commits get marks: file contents are sent inline.
    def _mark(self) -> int:
        mark = self.next_mark
        self.next_mark += 1
        return mark

    def _when(self) -> int:
        self.epoch += self.rng.randint(60, 36 * 3600)
        return self.epoch

    def new_path(self, language: str) -> bytes:
        """Return a fresh path for a file of `language`."""
        self.file_serial += 1
        top = self.rng.choice(["src", "lib", "pkg", "internal", "tools", "docs"])
        area = self.rng.choice(WORDS[:48])
        stem = self.rng.choice(WORDS)
        ext = EXTENSIONS[language]
        return f"{top}/{area}/{stem}_{self.file_serial}.{ext}".encode()

    def new_file(self) -> tuple[bytes, FileContent]:
        """Return a path and content for a newly added file."""
        roll = self.rng.random()
        if roll < 0.02:
            content = FileContent("bin", raw=make_binary(self.rng))
        elif roll < 0.04:
            content = FileContent("minjs", tuple(make_minified(self.pools["js"])))
        else:
            lang = self.rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0]
            lines = self.pools[lang].draw(draw_line_count(self.rng))
            content = FileContent(lang, tuple(lines))
        return self.new_path(content.language), content

    def changed(self, content: FileContent) -> FileContent:
        """Return the next revision of a file."""
        if content.language == "bin":
            return FileContent("bin", raw=make_binary(self.rng))
        if content.language == "minjs":
            return FileContent("minjs", tuple(make_minified(self.pools["js"])))
        pool = self.pools[content.language]
        return FileContent(
            content.language, tuple(edit_lines(self.rng, list(content.lines), pool))
        )

    def root(self, ref: str) -> tuple[Branch, Commit]:
        """Return the first branch and its initial import commit."""
        commit = Commit(ref, self._mark(), [], IDENTITIES[0], self._when(),
                        b"Initial import\n")  # fmt: skip
        branch = Branch(ref, commit.mark, {})
        for _ in range(self.initial_files):
            path, content = self.new_file()
            self.write(branch, commit, path, content)
        return branch, commit

    def write(
        self, branch: Branch, commit: Commit, path: bytes, content: FileContent
    ) -> None:
        """Add or replace `path` in `commit` and in the branch model."""
        branch.files[path] = content
        branch.touched.add(path)
        commit.changes.append(("M", path, content.to_bytes()))

    def delete(self, branch: Branch, commit: Commit, path: bytes) -> None:
        """Remove `path` in `commit` and in the branch model."""
        del branch.files[path]
        branch.touched.add(path)
        commit.changes.append(("D", path))

    def start(self, branch: Branch, message: bytes | None = None) -> Commit:
        """Return an empty commit on top of `branch`, advancing its tip."""
        n = self.n_commits = self.n_commits + 1
        author = self.rng.choice(IDENTITIES)
        if message is None:
            verb = self.rng.choice(["Fix", "Add", "Refactor", "Update", "Tidy"])
            noun = self.rng.choice(self.pools["md"].lines).decode()[:50].strip()
            message = f"{verb} {noun or 'code'} (#{n})\n".encode()
        commit = Commit(branch.ref, self._mark(), [branch.tip], author,
                        self._when(), message)  # fmt: skip
        branch.tip = commit.mark
        return commit

    def churn(self, branch: Branch) -> Commit:
        """Return an ordinary commit: a few edits, sometimes add/remove/move."""
        commit = self.start(branch)
        paths = list(branch.files)
        for _ in range(self.rng.choices([1, 2, 3, 4, 6], [40, 30, 15, 10, 5])[0]):
            roll = self.rng.random()
            path = self.rng.choice(paths)
            if roll < 0.06 or len(paths) < 4:
                self.write(branch, commit, *self.new_file())
            elif roll < 0.09 and path in branch.files:
                self.delete(branch, commit, path)
            elif roll < 0.12 and path in branch.files:
                self.rename(branch, commit, path)
            elif path in branch.files:
                if branch.files[path].language == "bin" and roll < 0.9:
                    continue  # images change rarely
                self.write(branch, commit, path, self.changed(branch.files[path]))
        return commit

    def rename(self, branch: Branch, commit: Commit, old: bytes) -> None:
        """Move a file to a new path, as `git mv` would."""
        language = branch.files[old].language
        new = self.new_path(language)
        branch.files[new] = branch.files.pop(old)
        branch.touched.update((old, new))
        commit.changes.append(("R", old, new))

    def fork(self, branch: Branch, ref: str) -> Branch:
        """Return a new branch starting at the tip of `branch`."""
        return Branch(ref, branch.tip, dict(branch.files))

    def merge(self, into: Branch, feature: Branch) -> Commit:
        """Return a merge commit taking the feature's version of its files."""
        name = feature.ref.removeprefix("refs/heads/")
        commit = self.start(into, f"Merge branch '{name}'\n".encode())
        commit.parents.append(feature.tip)
        for path in sorted(feature.touched):
            if path in feature.files:
                self.write(into, commit, path, feature.files[path])
            elif path in into.files:
                self.delete(into, commit, path)
        return commit

    def commits_on(self, branch: Branch, n: int) -> Iterator[Commit]:
        """Yield `n` churn commits on `branch`."""
        for _ in range(n):
            yield self.churn(branch)
