"""A private key's secret is its armoured block, BEGIN line to END line."""

from __future__ import annotations

import random

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.findings import fingerprint
from gitsweep.gitbuild import GitBuilder


@pytest.mark.parametrize("make", [fakes.openssh_private_key, fakes.ec_private_key])
def test_key_fingerprint_is_the_block_without_the_newline(
    builder: GitBuilder, make
) -> None:
    """The fingerprint is the SHA-256 of BEGIN...END, whatever follows the
    block, so the same key in two files (one with a final newline, one
    without) is one finding."""
    key = make(random.Random(11)).strip()
    builder.write("deploy/id_key", key + "\n")
    builder.write("backup/id_key", key)
    builder.commit("add keys")

    report = gitsweep.scan(builder.path)

    (finding,) = report.findings
    assert finding.secret == key
    assert finding.fingerprint == fingerprint(key.encode())
    assert sorted(o.path for o in finding.occurrences) == ["backup/id_key", "deploy/id_key"]
