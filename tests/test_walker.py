"""The blob walker on real repositories, healthy and damaged.

Reading order (pack offset, not object id), each object once however many
times it is stored, unreachable objects, hash verification off by default,
and every kind of bad input the issue lists: a truncated pack, a blob that
cannot be inflated, not a repository, an empty one, a non-UTF-8 path, a
blob over the size cap, a partial clone.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import zlib
from pathlib import Path

import pygit2
import pytest

import gitsweep
from gitsweep import fakes, walker
from gitsweep.errors import NotARepositoryError
from gitsweep.gitbuild import GitBuilder


def grow(builder: GitBuilder, rng: random.Random, commits: int = 12) -> list[str]:
    """Commit a few files that change a little each time; return the tokens."""
    tokens = []
    for i in range(commits):
        tokens.append(fakes.github_token(rng))
        body = "".join(f"line {j} of module {i}\n" for j in range(50))
        builder.write(f"src/mod{i % 4}.py", body + f"TOKEN = '{tokens[-1]}'\n")
        builder.commit(f"change {i}")
    return tokens


def all_object_ids(builder: GitBuilder) -> list[str]:
    """Return every object id git itself lists, each once."""
    out = builder.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    return out.split()


def listed(objects: walker.ObjectList) -> list[str]:
    return [bytes(row).hex() for row in objects.oids]


def test_packed_objects_are_read_in_pack_order(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Objects of a pack come by increasing offset, which is not id order."""
    grow(builder, rng)
    builder.git("repack", "-a", "-d", "-q")
    (idx,) = (builder.path / ".git" / "objects" / "pack").glob("*.idx")
    entries = [
        line.split()[:2] for line in subprocess.run(
            ["git", "show-index"], stdin=idx.open("rb"), capture_output=True, text=True, check=True
        ).stdout.splitlines()
    ]  # fmt: skip
    by_offset = [oid for _, oid in sorted(entries, key=lambda e: int(e[0]))]

    got = listed(walker.list_objects(pygit2.Repository(str(builder.path))))

    assert got == by_offset
    assert got != sorted(got)


def test_each_object_once_when_packed_twice_and_loose(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Two packs and loose copies of the same objects: each id listed once."""
    tokens = grow(builder, rng)
    builder.git("repack", "-a", "-q")  # no -d: the loose copies stay
    objects = builder.git("rev-list", "--objects", "HEAD~3").encode() + b"\n"
    builder.git("pack-objects", "-q", ".git/objects/pack/pack", input=objects)
    packs = list((builder.path / ".git" / "objects" / "pack").glob("*.pack"))
    loose = [p for p in (builder.path / ".git" / "objects").glob("??/*")]
    assert len(packs) == 2 and loose

    got = listed(walker.list_objects(pygit2.Repository(str(builder.path))))
    report = gitsweep.scan(builder.path)

    assert sorted(got) == sorted(all_object_ids(builder))
    assert len(got) == len(set(got))
    assert report.stats.objects == len(got)
    assert sorted(f.secret for f in report.findings) == sorted(tokens)
    assert all(len(f.occurrences) == 1 for f in report.findings)


def test_unreachable_blob_is_found(builder: GitBuilder, rng: random.Random) -> None:
    """A blob no tree names is scanned; it has no path, commit or ref."""
    token = fakes.github_token(rng)
    builder.write("README.md", "# app\n")
    builder.commit("initial")
    oid = builder.git(
        "hash-object", "-w", "--stdin", input=f"leftover {token}\n".encode()
    )

    report = gitsweep.scan(builder.path)

    (finding,) = report.findings
    (occ,) = finding.occurrences
    assert (occ.object, occ.path, occ.commit, occ.refs) == (oid, None, None, ())
    assert not occ.reachable and report.complete


def _lie_about(builder: GitBuilder, oid: str, content: bytes) -> None:
    """Store `content` in the loose file of another blob id."""
    path = builder.path / ".git" / "objects" / oid[:2] / oid[2:]
    path.chmod(0o644)
    path.write_bytes(zlib.compress(b"blob %d\0" % len(content) + content))


def test_hash_verification_is_off_by_default(
    builder: GitBuilder, rng: random.Random
) -> None:
    """An object whose content does not hash to its id is read by default,
    and reported unreadable with `verify_objects=True`.
    """
    token = fakes.github_token(rng)
    builder.write("notes.txt", "nothing here\n")
    builder.commit("notes")
    oid = builder.git("rev-parse", "HEAD:notes.txt")
    _lie_about(builder, oid, f"token {token}\n".encode())

    fast = gitsweep.scan(builder.path)
    strict = gitsweep.scan(builder.path, verify_objects=True)

    assert [f.secret for f in fast.findings] == [token]
    assert fast.findings[0].occurrences[0].object == oid
    assert strict.findings == ()
    (warning,) = [w for w in strict.warnings if w.kind == "unreadable-object"]
    assert warning.object == oid and strict.exit_code == 3
    assert gitsweep.scan(builder.path).findings  # the default is back to off


def test_blob_that_cannot_be_inflated(builder: GitBuilder, rng: random.Random) -> None:
    """Garbage in one loose file: a warning naming it, the rest still found."""
    token = fakes.github_token(rng)
    builder.write("a.txt", "first\n")
    builder.write("b.env", f"TOKEN={token}\n")
    builder.commit("two files")
    oid = builder.git("rev-parse", "HEAD:a.txt")
    path = builder.path / ".git" / "objects" / oid[:2] / oid[2:]
    path.chmod(0o644)
    path.write_bytes(b"this is not zlib data at all")

    report = gitsweep.scan(builder.path)

    assert [f.secret for f in report.findings] == [token]
    (warning,) = [w for w in report.warnings if w.object == oid]
    assert warning.kind == "unreadable-object" and oid in warning.message
    assert not report.complete and report.exit_code == 1


def test_truncated_pack(builder: GitBuilder, rng: random.Random) -> None:
    """A pack cut in half: the scan ends, lists what it could not read."""
    grow(builder, rng)
    builder.git("repack", "-a", "-d", "-q")
    (pack,) = (builder.path / ".git" / "objects" / "pack").glob("*.pack")
    pack.chmod(0o644)
    os.truncate(pack, pack.stat().st_size // 2)

    report = gitsweep.scan(builder.path)

    unreadable = [w for w in report.warnings if w.kind.startswith("unreadable")]
    assert unreadable and not report.complete
    assert report.exit_code in (1, 3)
    assert report.stats.objects + len(unreadable) >= len(
        listed(walker.list_objects(pygit2.Repository(str(builder.path))))
    )


def test_truncated_pack_index(builder: GitBuilder, rng: random.Random) -> None:
    """A cut index is one `unreadable-pack` warning naming the file."""
    grow(builder, rng, commits=3)
    builder.git("repack", "-a", "-d", "-q")
    (idx,) = (builder.path / ".git" / "objects" / "pack").glob("*.idx")
    idx.chmod(0o644)
    os.truncate(idx, 1100)

    report = gitsweep.scan(builder.path)

    (warning,) = [w for w in report.warnings if w.kind == "unreadable-pack"]
    assert idx.name in warning.message
    assert report.exit_code == 3 and "incomplete" in report.status


def test_not_a_repository(tmp_path: Path) -> None:
    """A plain folder and a missing path raise an error naming the path."""
    plain = tmp_path / "plain"
    plain.mkdir()
    for path in (plain, tmp_path / "absent"):
        with pytest.raises(NotARepositoryError, match=str(path)):
            gitsweep.scan(path)


def test_empty_repository(builder: GitBuilder) -> None:
    """No commits, no objects: a clean, complete scan with no HEAD."""
    report = gitsweep.scan(builder.path)
    assert (report.findings, report.head, report.stats.objects) == ((), None, 0)
    assert report.complete and report.exit_code == 0


def test_path_inside_a_work_tree_and_bare_repository(
    builder: GitBuilder, rng: random.Random, tmp_path: Path
) -> None:
    """A sub-folder of a work tree and a bare clone scan the same."""
    token = fakes.github_token(rng)
    builder.write("deep/dir/x.env", f"T={token}\n")
    builder.commit("add")
    bare = tmp_path / "bare.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(builder.path), str(bare)], check=True
    )

    for path in (builder.path / "deep" / "dir", bare):
        (finding,) = gitsweep.scan(path).findings
        assert finding.occurrences[0].path == "deep/dir/x.env"


def test_non_utf8_path(builder: GitBuilder, rng: random.Random) -> None:
    """A Latin-1 file name is shown escaped and survives JSON."""
    token = fakes.github_token(rng)
    name = b"caf\xe9.env"
    (builder.path / os.fsdecode(name)).write_bytes(f"TOKEN={token}\n".encode())
    builder.commit("latin-1 name")

    report = gitsweep.scan(builder.path)

    (finding,) = report.findings
    assert finding.occurrences[0].path == "caf\\xe9.env"
    data = json.loads(report.to_json())
    assert data["findings"][0]["occurrences"][0]["path"] == "caf\\xe9.env"


@pytest.mark.parametrize("packed", [False, True], ids=["loose", "packed"])
def test_blob_over_the_cap_is_skipped_unread(
    builder: GitBuilder, rng: random.Random, packed: bool
) -> None:
    """A 2 MiB blob under a 1 MiB cap is skipped, counted and named; the
    same path as a 2 GiB blob under the 50 MiB default, without writing it.
    """
    token = fakes.github_token(rng)
    big = b"\0" * (2 << 20) + f"\nTOKEN={token}\n".encode()
    builder.write("data/dump.bin", big)
    builder.write("small.env", f"TOKEN={fakes.github_token(rng)}\n")
    builder.commit("add dump")
    oid = builder.git("rev-parse", "HEAD:data/dump.bin")
    if packed:
        builder.git("repack", "-a", "-d", "-q")

    report = gitsweep.scan(builder.path, max_blob_size=1 << 20)

    assert (
        token not in [f.secret for f in report.findings] and len(report.findings) == 1
    )
    assert (report.stats.skipped, report.stats.skipped_bytes) == (1, len(big))
    (warning,) = [w for w in report.warnings if w.kind == "oversize-blob"]
    assert warning.object == oid and str(len(big)) in warning.message
    assert not report.complete
    assert token in [f.secret for f in gitsweep.scan(builder.path).findings]


def test_partial_clone_lists_missing_blobs(tmp_path: Path, rng: random.Random) -> None:
    """A blobless clone is scanned offline; each absent blob is a warning."""
    source = GitBuilder(tmp_path / "source")
    source.git("config", "uploadpack.allowFilter", "true")
    source.write("a.env", f"TOKEN={fakes.github_token(rng)}\n")
    source.commit("add a")
    source.write("b.txt", "hello\n")
    source.commit("add b")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            f"file://{source.path}",
            str(clone),
        ],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(clone), "remote", "set-url", "origin", "file:///nonexistent"],
        check=True,
    )

    report = gitsweep.scan(clone)

    missing = {w.path for w in report.warnings if w.kind == "missing-object"}
    assert missing == {"a.env", "b.txt"}
    assert all(
        "partial clone" in w.message
        for w in report.warnings
        if w.kind == "missing-object"
    )
    assert report.findings == () and report.exit_code == 3
