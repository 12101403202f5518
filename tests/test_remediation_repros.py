"""The corpus's rewrite cases, rebuilt with fake secrets made at run time.

Each test reads its case from the shared corpus's expected.json (paths,
subjects and what the plan must cover) and builds the same kind of
repository with `gitsweep.fakes`, never with the corpus's own tokens.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import corpus_path
from remediation_support import git, scan_plan, ssh_signing

from gitsweep import fakes, rewrite, scan
from gitsweep.export import export_bfg, export_filter_repo
from gitsweep.plan import ACTION_STRIP, secrets_from_report


def _case(case_id: str) -> dict:  # type: ignore[type-arg]
    data = json.loads((corpus_path() / "expected.json").read_text())
    return next(r for r in data["repros"] if r["id"] == case_id)["expected"]


def _all_text(repo: Path) -> bytes:
    """Return the content of every object reachable from any ref."""
    listed = git(repo, "rev-list", "--objects", "--all").split()
    oids = [o for o in listed if len(o) == 40]
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="\n".join(oids).encode(),
        capture_output=True,
        check=True,
    )
    return done.stdout


def test_14_secret_still_at_head_changes_head(builder, rng, tmp_path):
    """The plan says HEAD must change, BFG gets --no-blob-protection, and it goes."""
    case = _case("14-protected-head")
    finding = case["findings"][0]
    key = fakes.stripe_live_key(rng)
    builder.write(
        finding["path"],
        f"db.host=db.internal.example.test\nstripe.secret.key={key}\ndb.pool=10\n",
    )
    builder.commit(finding["commit_subject"])
    builder.write("README.md", "# billing\n")
    builder.commit("docs")
    builder.write("src/Main.java", "class Main {}\n")
    builder.commit("add main")

    report, planned = scan_plan(builder.path)
    assert len(report.findings) in range(case["count"][0], case["count"][1] + 1)
    item = planned.items[0]
    assert item.rule == finding["rule"] and item.at_head == finding["still_in_head"]
    assert planned.impact.head_changes
    assert any("HEAD itself changes" in w for w in planned.warnings)
    bfg = export_bfg(planned, secrets_from_report(report), tmp_path / "bfg")
    assert "--no-blob-protection" in bfg.command

    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    assert key.encode() not in _all_text(dest)
    assert "***REMOVED:" in git(dest, "show", f"main:{finding['path']}")


def test_16_binary_copy_is_stripped_not_left_behind(builder, rng, tmp_path):
    """The NUL-holding copy is stripped by id; no object keeps the key afterwards."""
    case = _case("16-binary-blob-survives-replace-text")
    text, binary = case["findings"]
    key = fakes.sendgrid_key(rng)
    builder.write(text["path"], f'SENDGRID_API_KEY = "{key}"\n')
    builder.commit(text["commit_subject"])
    builder.write(
        binary["path"], b"CFG\0\1\0\0sendgrid_api_key=" + key.encode() + b"\n\0\0"
    )
    builder.commit(binary["commit_subject"])
    builder.write(
        text["path"], 'import os\nSENDGRID_API_KEY = os.environ["SENDGRID_API_KEY"]\n'
    )
    builder.commit("read key from env")

    report, planned = scan_plan(builder.path)
    occurrences = [o for f in report.findings for o in f.occurrences]
    assert len({o.object for o in occurrences}) == case["count"][1]
    stripped = [b for i in planned.items for b in i.blobs if b.action == ACTION_STRIP]
    assert [b.paths for b in stripped] == [(binary["path"],)]

    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    assert key.encode() not in _all_text(dest)
    assert binary["path"] not in git(dest, "ls-tree", "-r", "--name-only", "main")

    if shutil.which("git-filter-repo"):
        theirs = tmp_path / "theirs.git"
        git(
            tmp_path,
            "clone",
            "-q",
            "--mirror",
            "--no-local",
            str(builder.path),
            str(theirs),
        )
        exported = export_filter_repo(
            planned, secrets_from_report(report), tmp_path / "x"
        )
        git(theirs, "filter-repo", "--force", "--quiet", *exported.command.split()[2:])
        assert key.encode() not in _all_text(theirs)


def test_17_signed_commits_and_tags_impact_is_reported(builder, rng, tmp_path):
    """The plan lists the commits and tag that lose signatures and the tag kept."""
    case = _case("17-signed-commits-and-tags")
    finding = case["findings"][0]
    sentence = case["rewrite"]
    lost = re.search(
        r"list (\d+) signed commits that lose their signature \(([^)]*)\)", sentence
    )
    tag = re.search(r"the signed tag (\S+)", sentence)
    kept = re.search(r"and (\S+?)/'([^']+)' as unchanged", sentence)
    assert lost and tag and kept, f"expected.json changed its wording: {sentence}"
    lost_subjects = re.findall(r"'([^']+)'", lost.group(2))

    allowed = ssh_signing(builder, tmp_path)
    builder.write("README.md", "# cli\n")
    initial = builder.commit(kept.group(2), "-S")
    builder.git("tag", "-a", kept.group(1), "-m", "first tag (unsigned)")
    builder.write(
        finding["path"], f"//registry.npmjs.org/:_authToken={fakes.npm_token(rng)}\n"
    )
    builder.commit(lost_subjects[0], "-S")
    builder.git("rm", "-q", finding["path"])
    builder.commit(lost_subjects[1], "-S")
    builder.write("CHANGELOG.md", "- 1.0\n")
    builder.commit(lost_subjects[2], "-S")
    builder.git("tag", "-s", tag.group(1), "-m", "release 1.0")

    report, planned = scan_plan(builder.path)
    # The scan may name the same secret under two rules (npm and .npmrc);
    # the count is the scanner's business, the impact is this test's.
    assert finding["rule"] in [f.rule for f in report.findings]
    signed = planned.impact.signed_lost
    assert sorted(s.name for s in signed if s.kind == "commit") == sorted(lost_subjects)
    assert len([s for s in signed if s.kind == "commit"]) == int(lost.group(1))
    assert [s.name for s in signed if s.kind == "tag"] == [f"refs/tags/{tag.group(1)}"]
    assert f"refs/tags/{kept.group(1)}" in planned.impact.unchanged_tags

    dest = tmp_path / "clean.git"
    rewrite(planned, dest)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    verify = ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}"]
    ok = subprocess.run(
        [*verify, "verify-commit", initial],
        cwd=dest,
        env=env,
        capture_output=True,
        check=False,
    )
    assert ok.returncode == 0
    assert git(dest, "rev-parse", kept.group(1)) == git(
        builder.path, "rev-parse", kept.group(1)
    )
    new_tag = git(dest, "cat-file", "tag", tag.group(1))
    assert "SIGNATURE" not in new_tag and "release 1.0" in new_tag
    assert not scan(dest, jobs=1).findings
