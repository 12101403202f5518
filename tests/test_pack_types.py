"""Object types read from pack entry headers agree with git's own."""

from __future__ import annotations

import subprocess

from gitsweep import walker
from gitsweep.gitbuild import GitBuilder

_KINDS = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}


def test_types_from_pack_headers_match_git(builder: GitBuilder) -> None:
    """Every packed entry, deltas included, gets git's type; loose ones -1."""
    for i in range(30):
        builder.write("src/app.py", "line\n" * (200 + i))
        builder.write(f"docs/page{i % 5}.md", f"# page {i}\n" * 50)
        builder.commit(f"change {i}")
    builder.git("tag", "-a", "v1", "-m", "release")
    builder.git("gc", "-q", "--aggressive")
    builder.write("late.txt", "loose object\n")
    builder.commit("after gc")

    objects = walker.list_objects(walker.open_repository(builder.path))
    listing = builder.git(
        "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"
    )
    truth = dict(line.split() for line in listing.splitlines())

    assert objects.types is not None
    packed = [i for i, (_, label) in enumerate(objects.sources) if not label.startswith("loose")]
    assert packed, "gc wrote no pack"
    loose_from = next(start for start, label in objects.sources if label.startswith("loose"))
    for i in range(len(objects)):
        oid = objects.oids[i].tobytes().hex()
        if i < loose_from:
            assert objects.types[i] == _KINDS[truth[oid]], oid
        else:
            assert objects.types[i] == -1
