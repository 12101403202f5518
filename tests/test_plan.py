"""Rewrite plans: actions per blob, overrides, impact, JSON, dry run."""

from __future__ import annotations

import json

import pytest
from remediation_support import build_leaky, scan_plan

from gitsweep import RewritePlan, fakes, scan
from gitsweep.cli import main
from gitsweep.errors import PlanError, ReportFormatError
from gitsweep.plan import (
    ACTION_PURGE,
    ACTION_REPLACE,
    ACTION_SCRUB,
    ACTION_SKIP,
    ACTION_STRIP,
    plan,
    render_dry_run,
    render_plan,
    resolve_secrets,
    secrets_from_report,
)


def _item(planned, rule):  # type: ignore[no-untyped-def]
    return next(i for i in planned.items if i.rule == rule)


def test_default_actions_follow_the_kind_of_file(builder, rng):
    """A literal in code is replaced, a .env is purged, a message is scrubbed."""
    build_leaky(builder, rng)
    _report, planned = scan_plan(builder.path)
    assert _item(planned, "github-classic-pat").action == ACTION_REPLACE
    assert _item(planned, "slack-webhook-url").action == ACTION_SCRUB
    stripe = _item(planned, "stripe-live-secret-key")
    env = [b for b in stripe.blobs if ".env" in b.paths]
    assert env and env[0].action == ACTION_PURGE
    assert ".env" in planned.purge_paths


def test_purge_lists_every_path_of_a_renamed_credential_file(builder, rng):
    """A key file renamed later is purged under both names."""
    builder.write("keys/prod.env", f"TOKEN={fakes.github_token(rng)}\n")
    builder.commit("add env")
    builder.git("mv", "keys/prod.env", "keys/.env")
    builder.commit("rename")
    _report, planned = scan_plan(builder.path)
    assert set(planned.purge_paths) == {"keys/prod.env", "keys/.env"}


def test_binary_and_utf16_blobs_are_stripped_with_a_reason(builder, rng):
    """Text replacement cannot reach these, so the plan strips them and says so."""
    token = fakes.github_token(rng)
    builder.write("cache.bin", b"BIN\0\1" + token.encode() + b"\0\0")
    builder.write(
        "win.txt",
        "\ufeffTOKEN=" + fakes.github_token(rng) + "\r\n",
    )
    (builder.path / "win.txt").write_bytes(
        ("TOKEN=" + fakes.github_token(rng) + "\r\n").encode("utf-16")
    )
    builder.commit("add files")
    _report, planned = scan_plan(builder.path)
    stripped = [b for i in planned.items for b in i.blobs if b.action == ACTION_STRIP]
    assert {p for b in stripped for p in b.paths} == {"cache.bin", "win.txt"}
    assert all("text replacement would miss" in b.reason for b in stripped)
    assert any("binary or UTF-16" in w for w in planned.warnings)


def test_overrides_win_finding_over_path_over_rule(builder, rng):
    """Per-finding, per-path and per-rule overrides apply in that order."""
    build_leaky(builder, rng)
    report = scan(builder.path, jobs=1)
    token = next(f for f in report.findings if f.rule == "github-classic-pat")
    planned = plan(
        report,
        by_rule={"github-classic-pat": ACTION_PURGE},
        by_path={"ci/*": ACTION_STRIP},
    )
    actions = {
        p: b.action for b in _item(planned, "github-classic-pat").blobs for p in b.paths
    }
    assert actions["ci/config.yml"] == ACTION_PURGE  # rule covers the finding
    planned = plan(report, by_path={"ci/*": ACTION_STRIP})
    actions = {
        p: b.action for b in _item(planned, "github-classic-pat").blobs for p in b.paths
    }
    assert actions == {"deploy.sh": ACTION_REPLACE, "ci/config.yml": ACTION_STRIP}
    planned = plan(report, by_finding={token.fingerprint[:12]: ACTION_SKIP})
    assert _item(planned, "github-classic-pat").action == ACTION_SKIP
    with pytest.raises(PlanError, match="action must be one of"):
        plan(report, by_rule={"x": "delete"})


def test_impact_counts_refs_stash_notes_and_head(builder, rng):
    """The plan lists the refs that move, stash entries and whether HEAD changes."""
    build_leaky(builder, rng)
    _report, planned = scan_plan(builder.path)
    impact = planned.impact
    assert {
        "refs/heads/main",
        "refs/heads/feature",
        "refs/tags/v0.1",
        "refs/tags/v1.0",
        "refs/stash",
    } <= set(impact.refs)
    assert impact.head_changes and impact.stash_entries == 2
    assert 0 < impact.commits_rewritten <= impact.commits
    text = render_plan(planned)
    assert "HEAD changes: yes" in text and "refs/stash" in text


def test_head_policy_purge_removes_every_version(builder, rng):
    """head='purge' purges a file still at HEAD instead of editing it."""
    builder.write("settings.py", f"TOKEN = '{fakes.github_token(rng)}'\n")
    builder.commit("settings")
    report = scan(builder.path, jobs=1)
    assert plan(report).items[0].action == ACTION_REPLACE
    assert plan(report, head="purge").items[0].action == ACTION_PURGE


def test_plan_round_trips_through_json_without_secrets(builder, rng):
    """A plan survives JSON unchanged and its text holds no secret."""
    secrets = build_leaky(builder, rng)
    _report, planned = scan_plan(builder.path)
    text = planned.to_json()
    assert RewritePlan.from_json(text) == planned
    for value in secrets.values():
        assert value not in text
    edited = json.loads(text)
    edited["items"][0]["blobs"][0]["action"] = "delete"
    with pytest.raises(PlanError, match="use one of"):
        RewritePlan.from_dict(edited)
    with pytest.raises(ReportFormatError):
        RewritePlan.from_json('{"format": 1}')


def test_secrets_are_found_again_from_the_repository(builder, rng):
    """resolve_secrets finds the same secrets the scan held, by fingerprint."""
    build_leaky(builder, rng)
    report, planned = scan_plan(builder.path)
    assert resolve_secrets(planned) == secrets_from_report(report)


def test_dry_run_shows_the_change_with_the_secret_redacted(builder, rng):
    """The dry-run diff shows the marker and never the secret."""
    secrets = build_leaky(builder, rng)
    report, planned = scan_plan(builder.path)
    text = render_dry_run(planned, secrets_from_report(report))
    assert "+export GITHUB_TOKEN=***REMOVED:github-classic-pat***" in text
    assert "purge path .env" in text
    for value in secrets.values():
        assert value not in text


def test_cli_plan_refuses_a_redacted_report(builder, rng, tmp_path, capsys):
    """`gitsweep plan --report` needs a report written with --reveal."""
    builder.write("a.txt", f"t {fakes.github_token(rng)}\n")
    builder.commit("a")
    report_file = tmp_path / "report.json"
    main(
        [
            "scan",
            str(builder.path),
            "-q",
            "-f",
            "json",
            "-o",
            str(report_file),
            "-j",
            "1",
        ]
    )
    code = main(["plan", str(builder.path), "--report", str(report_file)])
    assert code == 2
    assert "redacted" in capsys.readouterr().err


def test_cli_plan_writes_json_that_rewrite_accepts(builder, rng, tmp_path, capsys):
    """plan -f json -o FILE then rewrite FILE --mirror DEST works end to end."""
    builder.write("a.txt", f"t {fakes.github_token(rng)}\n")
    builder.commit("a")
    plan_file = tmp_path / "plan.json"
    assert (
        main(
            [
                "plan",
                str(builder.path),
                "-q",
                "-f",
                "json",
                "-o",
                str(plan_file),
                "-j",
                "1",
            ]
        )
        == 1
    )
    assert oct(plan_file.stat().st_mode & 0o777) == "0o600"
    assert main(["rewrite", str(plan_file), "--mirror", str(tmp_path / "m.git")]) == 0
    out = capsys.readouterr().out
    assert "verified" in out and "Force-push" in out
