"""Pathological blobs are scanned in bounded time by the built-in rules."""

from __future__ import annotations

import base64
import os
import time

import pytest

from gitsweep.matcher import Matcher
from gitsweep.rules import load_rules

#: Generous wall-clock bound per blob on a loaded 2-core machine.
BOUND_SECONDS = 20.0


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    m = Matcher(load_rules())
    m.match(b"warm up the kernels: ghp_ AKIA password=")
    return m


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: b"a" * n, id="one-char"),
        pytest.param(lambda n: b"A" * n, id="one-upper-char"),
        pytest.param(lambda n: b"=" * n, id="padding"),
        pytest.param(
            lambda n: (b'var a="x",b=function(){return 1};' * n)[:n], id="minified-line"
        ),
        pytest.param(
            lambda n: base64.b64encode(os.urandom(n * 3 // 4)), id="random-base64"
        ),
        pytest.param(
            lambda n: (b"-----BEGIN RSA PRIVATE KEY-----\n" * n)[:n], id="key-headers"
        ),
    ],
)
def test_pathological_blob_is_bounded(matcher: Matcher, make) -> None:  # type: ignore[no-untyped-def]
    """16 MiB of adversarial bytes scan well within the bound, finding nothing."""
    data = make(16 << 20)
    started = time.perf_counter()
    matches = matcher.match(data)
    assert time.perf_counter() - started < BOUND_SECONDS
    assert len(matches) < 10
