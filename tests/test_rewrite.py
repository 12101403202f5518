"""The native rewrite: every ref moves, every secret goes, nothing else changes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from remediation_support import (
    assert_untouched,
    build_leaky,
    files_at,
    git,
    refs_of,
    scan_plan,
    ssh_signing,
)

from gitsweep import fakes, rewrite, scan
from gitsweep.errors import PlanError, RewriteError
from gitsweep.export import export_filter_repo
from gitsweep.plan import secrets_from_report


@pytest.fixture
def leaky(builder, rng):  # type: ignore[no-untyped-def]
    secrets = build_leaky(builder, rng)
    report, planned = scan_plan(builder.path)
    return builder, secrets, report, planned


def test_rewrite_removes_every_planned_secret_and_keeps_other_files(leaky, tmp_path):
    """After the rewrite no planned secret is found and other files are identical."""
    b, secrets, _report, planned = leaky
    dest = tmp_path / "clean.git"
    result = rewrite(planned, dest)

    assert result.verified and dest.is_dir()
    after = scan(dest, jobs=1)
    planned_fps = {i.fingerprint for i in planned.active_items}
    assert not planned_fps & {f.fingerprint for f in after.findings}
    assert_untouched(b.path, dest, planned)
    everything = git(dest, "log", "--all", "-p", "--format=%B")
    for value in secrets.values():
        assert value not in everything
    assert "***REMOVED:github-classic-pat***" in git(dest, "show", "main:deploy.sh")
    assert "***REMOVED:slack-webhook-url***" in git(dest, "log", "--format=%B", "main")


def test_rewrite_replaces_in_blobs_on_two_branches_and_purges_a_path(leaky, tmp_path):
    """The token is replaced on main and on feature; .env is gone from every commit."""
    b, _secrets, _report, planned = leaky
    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    deploy = git(dest, "show", "main:deploy.sh")
    assert "***REMOVED:github-classic-pat***" in deploy
    ci = git(dest, "show", "feature:ci/config.yml")
    assert "***REMOVED:github-classic-pat***" in ci
    assert ".env" in files_at(b.path, "v0.1")
    for ref in refs_of(dest, ("refs/heads/", "refs/tags/")):
        assert ".env" not in files_at(dest, ref)


def test_rewrite_keeps_metadata_merges_and_tags(leaky, tmp_path):
    """Authors, dates, merge parents and tag objects survive; tags move."""
    b, _secrets, _report, planned = leaky
    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    fmt = "--format=%an|%ae|%ad|%cn|%ce|%cd|%s|%P"
    old = git(b.path, "log", "--branches", "--date=raw", fmt).splitlines()
    new = git(dest, "log", "--branches", "--date=raw", fmt).splitlines()
    assert [o.rsplit("|", 1)[0] for o in old] == [n.rsplit("|", 1)[0] for n in new]
    merges = git(dest, "log", "--merges", "--format=%P", "main").split()
    assert len(merges) == 2
    old_tag = git(b.path, "cat-file", "tag", "v1.0").split("\n", 1)[1]
    new_tag = git(dest, "cat-file", "tag", "v1.0").split("\n", 1)[1]
    assert old_tag == new_tag  # type, name, tagger and message unchanged
    assert git(dest, "cat-file", "-t", "v0.1").strip() == "commit"
    assert git(dest, "rev-parse", "v0.1") != git(b.path, "rev-parse", "v0.1")


def test_rewrite_moves_stash_entries_and_notes(leaky, tmp_path):
    """Both stash entries survive rewritten, and the note follows its commit."""
    b, secrets, _report, planned = leaky
    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    entries = git(dest, "log", "-g", "--format=%H %gs", "refs/stash").splitlines()
    assert len(entries) == 2
    assert [e.split(" ", 1)[1] for e in entries] == [
        e.split(" ", 1)[1]
        for e in git(b.path, "log", "-g", "--format=%H %gs", "refs/stash").splitlines()
    ]
    stashed = git(dest, "show", "stash@{1}:deploy.sh")
    assert secrets["stripe"] not in stashed and "***REMOVED" in stashed
    assert git(dest, "notes", "show", "main").strip() == "reviewed by ops"


def test_rewrite_writes_a_commit_map(leaky, tmp_path):
    """commit-map lists old and new id of every commit, like filter-repo's."""
    b, _secrets, _report, planned = leaky
    dest = tmp_path / "clean.git"
    result = rewrite(planned, dest)
    lines = Path(result.commit_map).read_text().splitlines()
    assert lines[0].split() == ["old", "new"]
    pairs = dict(line.split() for line in lines[1:])
    old_main = git(b.path, "rev-parse", "main").strip()
    assert pairs[old_main] == git(dest, "rev-parse", "main").strip()
    assert result.objects_after > 0 and result.commits_rewritten > 0
    assert any("revoke" in s.lower() for s in result.next_steps[:1])
    assert any("force-push" in s.lower() for s in result.next_steps)


def test_signed_commits_lose_signatures_only_when_rewritten(builder, rng, tmp_path):
    """An untouched signed commit keeps its valid signature; rewritten ones drop it."""
    allowed = ssh_signing(builder, tmp_path)
    builder.write("README.md", "# signed\n")
    first = builder.commit("initial", "-S")
    builder.write("app.cfg", f"token = {fakes.github_token(rng)}\n")
    builder.commit("add config", "-S")
    _report, planned = scan_plan(builder.path)
    lost = {s.name for s in planned.impact.signed_lost}
    assert lost == {"add config"}

    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    check = ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit"]
    assert (
        subprocess.run(
            [*check, first], cwd=dest, env=env, capture_output=True, check=False
        ).returncode
        == 0
    )
    head = git(dest, "rev-parse", "main").strip()
    assert "gpgsig" not in git(dest, "cat-file", "commit", head)


def test_non_utf8_message_is_kept_byte_for_byte(builder, rng, tmp_path):
    """A Latin-1 message with an encoding header survives unchanged."""
    builder.write("a.txt", "x\n")
    builder.git(
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "-a",
        "--allow-empty",
        "-F",
        "-",
        input="caf\xe9 menu\n".encode("latin-1"),
    )
    builder.write("b.txt", f"key {fakes.github_token(rng)}\n")
    builder.commit("add b")
    _report, planned = scan_plan(builder.path)
    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    raw = subprocess.run(
        ["git", "cat-file", "commit", "main~1"],
        cwd=dest,
        capture_output=True,
        check=True,
    ).stdout
    assert b"encoding ISO-8859-1" in raw and "caf\xe9".encode("latin-1") in raw


def test_refuses_existing_destination_and_writes_nothing(leaky, tmp_path):
    """An existing destination is refused and left exactly as it was."""
    _b, _s, _r, planned = leaky
    dest = tmp_path / "exists"
    dest.mkdir()
    with pytest.raises(RewriteError, match="exists"):
        rewrite(planned, dest)
    assert list(dest.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if "gitsweep-" in p.name]


def test_refuses_replace_refs_grafts_and_shallow_clones(leaky, tmp_path):
    """Replace refs, grafts and shallow clones are refused before any write."""
    b, _s, _r, planned = leaky
    head = git(b.path, "rev-parse", "main").strip()
    parent = git(b.path, "rev-parse", "main~1").strip()
    git(b.path, "replace", head, parent)
    with pytest.raises(RewriteError, match="replace refs"):
        rewrite(planned, tmp_path / "a")
    git(b.path, "replace", "-d", head)
    graft = b.path / ".git" / "info" / "grafts"
    graft.write_text(f"{head}\n")
    with pytest.raises(RewriteError, match="grafts"):
        rewrite(planned, tmp_path / "b")
    graft.unlink()
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{b.path}", str(shallow))
    with pytest.raises(RewriteError, match="shallow"):
        rewrite(planned, tmp_path / "c", source=shallow)
    assert not any((tmp_path / n).exists() for n in "abc")


def test_refuses_a_plan_naming_missing_objects(builder, rng, tmp_path):
    """A plan made for another repository fails before anything is written."""
    builder.write("a.txt", f"t {fakes.github_token(rng)}\n")
    builder.commit("a")
    _report, planned = scan_plan(builder.path)
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    git(
        other,
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    with pytest.raises(PlanError, match="missing"):
        rewrite(planned, tmp_path / "dest", source=other)
    assert not (tmp_path / "dest").exists()


def test_failed_verification_leaves_no_mirror(builder, rng, tmp_path):
    """A secret the plan skips but a reviewer marked wrongly fails loudly."""
    token = fakes.github_token(rng)
    builder.write("a.txt", f"t {token}\n")
    builder.commit("a")
    report, planned = scan_plan(builder.path)
    # The copy in a second, unplanned blob is not rewritten: verify must catch it.
    builder.write("b.txt", f"copy {token}\n")
    builder.commit("b")
    with pytest.raises(RewriteError, match="verification failed"):
        rewrite(planned, tmp_path / "dest", secrets=secrets_from_report(report))
    assert not (tmp_path / "dest").exists()


def test_in_place_refuses_dirty_tree_then_backs_up_and_rewrites(builder, rng, tmp_path):
    """--in-place needs a clean work tree, writes a bundle, then rewrites the repo."""
    token = fakes.github_token(rng)
    builder.write("a.txt", f"t {token}\n")
    builder.commit("a")
    _report, planned = scan_plan(builder.path)
    builder.write("a.txt", "dirty\n")
    with pytest.raises(RewriteError, match="uncommitted"):
        rewrite(planned, in_place=True)
    builder.git("checkout", "-q", "--", "a.txt")
    result = rewrite(planned, in_place=True)
    assert result.backup and Path(result.backup).is_file()
    assert oct(Path(result.backup).stat().st_mode & 0o777) == "0o600"
    assert token not in (builder.path / "a.txt").read_text()
    assert not scan(builder.path, jobs=1).findings


def test_differential_against_git_filter_repo(leaky, tmp_path):
    """gitsweep and git-filter-repo with the exported plan give the same trees."""
    if shutil.which("git-filter-repo") is None:
        pytest.skip("git-filter-repo is not installed")
    b, _secrets, report, planned = leaky
    ours = tmp_path / "ours.git"
    rewrite(planned, ours)

    theirs = tmp_path / "theirs.git"
    git(tmp_path, "clone", "-q", "--mirror", "--no-local", str(b.path), str(theirs))
    exported = export_filter_repo(
        planned, secrets_from_report(report), tmp_path / "exp"
    )
    args = exported.command.split()[2:]
    git(theirs, "filter-repo", "--force", "--quiet", *args)
    names = refs_of(ours, ("refs/heads/", "refs/tags/"))
    assert names == refs_of(theirs, ("refs/heads/", "refs/tags/"))
    for ref in names:
        assert git(ours, "rev-parse", f"{ref}^{{tree}}") == git(
            theirs, "rev-parse", f"{ref}^{{tree}}"
        ), ref


def test_short_secret_also_used_as_a_word_does_not_fail_verification(builder, tmp_path):
    """A short password that also occurs as a plain word elsewhere is not a leak.

    Only the blob the scan matched is edited; the byte search skips secrets
    under MIN_SEARCH_LENGTH, so the ordinary word does not fail the rewrite.
    """
    # Built at run time so gitsweep's own history holds no URL with a password.
    word = "Tiger" + "7pass"
    builder.write("settings.py", f'URL = "postgres://app:{word}@db.internal:5432/x"\n')
    builder.write("notes.txt", f"the {word} word appears here too\n")
    builder.commit("settings")
    _report, planned = scan_plan(builder.path)
    assert [i.rule for i in planned.active_items] == ["postgres-url-password"]
    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    assert "Tiger7pass" not in git(dest, "show", "main:settings.py")
    assert "Tiger7pass" in git(dest, "show", "main:notes.txt")
