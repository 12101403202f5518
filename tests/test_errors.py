"""Errors survive the trip to and from a worker process."""

from __future__ import annotations

import pickle

import pytest

from gitsweep.errors import NotARepositoryError, RuleError, UnsupportedRepositoryError


@pytest.mark.parametrize(
    "error",
    [
        NotARepositoryError("/no/such/repo"),
        RuleError("rules.toml", "my-rule", "pattern does not compile"),
        RuleError("rules.toml", None, "not valid TOML"),
        UnsupportedRepositoryError("sha256 object format"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_pickle_round_trip_keeps_message_and_fields(error: Exception) -> None:
    """A worker's error arrives with the same type, message and fields."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back) == vars(error)
