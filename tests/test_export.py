"""Exports for git-filter-repo, BFG and GitLab: safe files, right flags."""

from __future__ import annotations

import re
from pathlib import Path

from remediation_support import build_leaky, scan_plan

from gitsweep import fakes
from gitsweep.export import (
    export_bfg,
    export_filter_repo,
    export_gitlab,
    expression,
)
from gitsweep.findings import redact
from gitsweep.plan import secrets_from_report


def _mode(path: str) -> str:
    return oct(Path(path).stat().st_mode & 0o777)


def test_expression_matches_the_secret_and_reveals_only_the_redacted_ends(rng):
    """A long secret becomes a regex that matches it but does not spell it."""
    secret = fakes.github_token(rng).encode()
    line, spelled = expression(secret, b"***X***")
    assert not spelled and line.startswith(b"regex:")
    pattern = line[6:].rsplit(b"==>", 1)[0]
    assert re.fullmatch(pattern, secret)
    assert secret not in line and secret[4:-4] not in line
    shown = redact(secret.decode())
    assert shown.split("…")[0].encode() in line.replace(b"\\x5f", b"_")


def test_short_secret_is_written_literally_and_flagged(rng):
    """A short secret would make a loose pattern, so it is spelled out."""
    line, spelled = expression(b"hunter2pass", b"***X***")
    assert spelled and line == b"literal:hunter2pass==>***X***"


def test_filter_repo_export_writes_private_files_and_flags(builder, rng, tmp_path):
    """Every file is 0600, and the command names each input file."""
    secrets = build_leaky(builder, rng)
    report, planned = scan_plan(builder.path)
    result = export_filter_repo(planned, secrets_from_report(report), tmp_path / "out")
    assert all(_mode(f) == "0o600" for f in result.files)
    for flag in (
        "--replace-text",
        "--replace-message",
        "--invert-paths",
        "--paths-from-file",
    ):
        assert flag in result.command
    text = "".join(Path(f).read_text() for f in result.files)
    for value in secrets.values():
        assert value not in text
    assert not result.holds_secrets


def test_bfg_export_sets_flags_for_head_size_and_warns_on_names(builder, rng, tmp_path):
    """BFG needs --no-blob-protection at HEAD and a raised size threshold."""
    token = fakes.github_token(rng)
    big = ("x" * 80 + "\n") * 14000 + f"token={token}\n"
    builder.write("big.txt", big)
    builder.write(".env", f"T={fakes.github_token(rng)}\n")
    builder.commit("add", "-m", f"hook {fakes.slack_webhook(rng)}")
    report, planned = scan_plan(builder.path)
    result = export_bfg(planned, secrets_from_report(report), tmp_path / "bfg")
    assert "--no-blob-protection" in result.command
    assert "--filter-content-size-threshold" in result.command
    assert "--delete-files .env" in result.command
    assert any("names, not paths" in w for w in result.warnings)
    assert any("does not edit commit" in w for w in result.warnings)


def test_binary_blob_goes_to_strip_list_and_gitlab_list(builder, rng, tmp_path):
    """A binary copy is stripped by id; GitLab gets every secret-holding blob."""
    key = fakes.sendgrid_key(rng)
    builder.write("app/config.py", f'KEY = "{key}"\n')
    builder.write("assets/c.bin", b"CFG\0\1" + key.encode() + b"\0")
    builder.commit("add")
    report, planned = scan_plan(builder.path)
    result = export_filter_repo(planned, secrets_from_report(report), tmp_path / "fr")
    assert "--strip-blobs-with-ids" in result.command
    ids = Path(tmp_path / "fr" / "strip-blob-ids.txt").read_text().split()
    binary = builder.git("rev-parse", "HEAD:assets/c.bin")
    assert ids == [binary]
    gitlab = export_gitlab(planned, tmp_path / "gl")
    listed = Path(gitlab.files[0]).read_text().split()
    assert binary in listed and builder.git("rev-parse", "HEAD:app/config.py") in listed
    assert _mode(gitlab.files[0]) == "0o600"
