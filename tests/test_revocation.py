"""Revocation checklist: risk order, guidance, identities, no secrets."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from remediation_support import build_leaky

from gitsweep import checklist, fakes, scan
from gitsweep.rules import load_rules

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def test_entries_are_ordered_by_severity_publication_and_age(builder, rng):
    """Critical before high; published before reflog-only; older first."""
    build_leaky(builder, rng)
    listing = checklist(scan(builder.path, jobs=1), now=NOW)
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1}
    keys = [
        (-ranks[e.severity], -e.published, -(e.exposure_days or 0))
        for e in listing.entries
    ]
    assert keys == sorted(keys)
    assert [e.rank for e in listing.entries] == list(range(1, len(keys) + 1))


def test_reflog_only_secret_ranks_below_a_published_one(builder, rng):
    """Of two critical tokens, the one a branch reaches comes first."""
    builder.write("a.txt", f"t {fakes.github_token(rng)}\n")
    builder.commit("on main")
    builder.git("checkout", "-q", "-b", "tmp")
    builder.write("b.txt", f"t {fakes.github_token(rng)}\n")
    builder.commit("on tmp")
    builder.git("checkout", "-q", "main")
    builder.git("branch", "-q", "-D", "tmp")
    entries = checklist(scan(builder.path, jobs=1), now=NOW).entries
    assert [e.published for e in entries] == [True, False]


def test_aws_entries_name_the_key_id_and_cloudtrail_window(builder, rng):
    """The AWS secret key is named by its key id; the audit starts at first commit."""
    key_id, secret = fakes.aws_key_pair(rng)
    builder.write(
        "cfg.ini", f"aws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    )
    builder.commit("aws")
    listing = checklist(scan(builder.path, jobs=1), now=NOW)
    by_rule = {e.rule: e for e in listing.entries}
    assert key_id in by_rule["aws-secret-access-key"].identity
    assert "CloudTrail" in by_rule["aws-access-key-id"].audit
    assert "2023-11-1" in by_rule["aws-access-key-id"].audit
    assert secret not in listing.to_json() and secret not in listing.to_markdown()


def test_markdown_and_json_hold_no_secret(builder, rng):
    """Neither form of the checklist spells out a secret."""
    secrets = build_leaky(builder, rng)
    listing = checklist(scan(builder.path, jobs=1), now=NOW)
    data = json.loads(listing.to_json())
    assert data["tool"] == "gitsweep-checklist" and data["entries"]
    md = listing.to_markdown()
    assert "[ ]" in md and "revoke:" in md
    for value in secrets.values():
        assert value not in md and value not in listing.to_json()


@pytest.mark.parametrize("rule", list(load_rules()), ids=lambda r: r.id)
def test_every_rule_has_revocation_guidance(rule):
    """Each rule says how to revoke, where, what to look up, audit, replace with."""
    guide = rule.revocation
    missing = [
        k
        for k in ("how", "url", "identity", "audit", "replace_with")
        if not getattr(guide, k)
    ]
    assert not missing, f"rule {rule.id} lacks revocation {missing}"
