"""Each scanning case of the shared corpus, rebuilt here with our own fakes.

The corpus scripts in `../shared/corpus/repros` come from failures users
reported against other scanners.  Each test below builds the same kind of
repository with `GitBuilder` and values from `gitsweep.fakes`, scans it,
and checks what `expected.json` says a correct scan reports: how many
findings, which rule, path, line and introducing commit, and the status.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

import gitsweep
from gitsweep import fakes
from gitsweep.findings import Finding, Occurrence
from gitsweep.gitbuild import GitBuilder
from gitsweep.report import Report
from gitsweep.rules import load_rules


def need_rules(*rule_ids: str) -> None:
    """Mark the test as an expected failure while a rule is not written."""
    missing = sorted(set(rule_ids) - {r.id for r in load_rules()})
    if missing:
        pytest.xfail(f"rule(s) not written yet: {', '.join(missing)}")


def places(report: Report) -> list[tuple[Finding, Occurrence]]:
    """Return every (finding, occurrence) pair of the report."""
    return [(f, o) for f in report.findings for o in f.occurrences]


def locations(report: Report) -> set[tuple[str, str, str]]:
    """Return the distinct (rule, secret, object) triples: the corpus count."""
    return {(f.rule, f.secret, o.object) for f, o in places(report)}


def only(report: Report, secret: str, rule: str) -> list[Occurrence]:
    """Return the occurrences of `secret` under `rule`; fail if it is absent."""
    found = [f for f in report.findings if f.secret == secret and f.rule == rule]
    assert len(found) == 1, (
        f"{rule} finding missing: {[f.rule for f in report.findings]}"
    )
    return list(found[0].occurrences)


def test_merge_only_secret_is_attributed_to_the_merge(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A key typed while resolving a conflict belongs to the merge commit."""
    need_rules("aws-access-key-id", "aws-secret-access-key")
    key_id, key_secret = fakes.aws_key_pair(rng)
    builder.write("config.env", "REGION=eu-west-1\n")
    builder.commit("initial config")
    builder.git("checkout", "-q", "-b", "feature/region")
    builder.write("config.env", "REGION=eu-central-1\n")
    builder.commit("feature: move")
    builder.git("checkout", "-q", "main")
    builder.write("config.env", "REGION=us-east-1\n")
    builder.commit("main: move")
    with pytest.raises(RuntimeError):
        builder.git("merge", "-q", "--no-ff", "feature/region", "-m", "unused")
    builder.write(
        "config.env",
        f"REGION=eu-central-1\nAWS_ACCESS_KEY_ID={key_id}\n"
        f"AWS_SECRET_ACCESS_KEY={key_secret}\n",
    )
    merge = builder.commit("Merge branch 'feature/region'")
    assert len(builder.git("rev-list", "--parents", "-n1", merge).split()) == 3
    builder.write("config.env", "REGION=eu-central-1\n")
    builder.commit("move credentials to the vault")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 2
    for secret, rule, line in [
        (key_id, "aws-access-key-id", 2),
        (key_secret, "aws-secret-access-key", 3),
    ]:
        (occ,) = only(report, secret, rule)
        assert (occ.path, occ.line, occ.commit) == ("config.env", line, merge)
        assert occ.commit_subject == "Merge branch 'feature/region'"
        assert occ.refs == ("refs/heads/main",) and not occ.at_head
    assert report.complete and report.exit_code == 1


def test_shallow_clone_is_never_called_clean(
    tmp_path: Path, rng: random.Random
) -> None:
    """A depth-1 clone scans clean but says history is missing (exit 3)."""
    source = GitBuilder(tmp_path / "source")
    source.write("app.py", "print('hello')\n")
    source.commit("initial app")
    source.write(".env", f"GITHUB_TOKEN={fakes.github_token(rng)}\n")
    source.commit("add local env")
    source.git("rm", "-q", ".env")
    source.commit("remove env file")
    source.write("README.md", "# app\n")
    tip = source.commit("docs")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{source.path}", str(clone)],
        check=True,
    )

    report = gitsweep.scan(clone)

    assert report.findings == ()
    assert report.shallow and not report.complete
    (warning,) = [w for w in report.warnings if w.kind == "shallow"]
    assert warning.object == tip and tip[:12] in warning.message
    assert report.exit_code == 3
    assert "incomplete" in report.status and "clean" not in report.status


def test_missing_blob_is_listed_and_the_rest_still_found(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A blob deleted from the database is a warning, not a clean scan."""
    need_rules("aws-access-key-id", "aws-secret-access-key")
    key_id, key_secret = fakes.aws_key_pair(rng)
    token = fakes.github_token(rng)
    builder.write(
        "prod.env", f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={key_secret}\n"
    )
    env_commit = builder.commit("add prod env")
    builder.write("notes.txt", f"temporary token for the migration: {token}\n")
    notes_commit = builder.commit("add notes")
    builder.write("docs/intro.md", "Welcome to the project.\n")
    intro_commit = builder.commit("add intro")
    blob = builder.git("rev-parse", "HEAD:docs/intro.md")
    (builder.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 3
    assert [o.commit for o in only(report, key_id, "aws-access-key-id")] == [env_commit]
    assert [o.line for o in only(report, key_secret, "aws-secret-access-key")] == [2]
    (occ,) = only(report, token, "github-classic-pat")
    assert (occ.path, occ.line, occ.commit) == ("notes.txt", 1, notes_commit)
    (warning,) = [w for w in report.warnings if w.kind == "missing-object"]
    assert warning.object == blob and warning.path == "docs/intro.md"
    assert intro_commit[:12] in warning.message
    assert not report.complete and report.exit_code == 1
    assert "incomplete" in report.status


def _notebook(lines: list[str]) -> str:
    source = ",\n".join(
        '    "' + line.replace("\\", "\\\\").replace('"', '\\"') + '\\n"'
        for line in lines
    )
    return (
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n'
        '   "id": "5f3c1e2a",\n   "metadata": {},\n   "outputs": [],\n'
        '   "source": [\n' + source + "\n   ]\n  }\n ],\n"
        ' "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'
    )


def test_notebook_json_escaped_source_matches_its_python_twin(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Secrets inside `\\"...\\"` of a notebook are found on the raw line."""
    need_rules("generic-api-key", "openai-api-key")
    value = fakes.assigned_secret(rng)
    key = fakes.openai_project_key(rng)
    code = [
        "import openai",
        'user = "api.reports@example.test"',
        f'token = "{value}"',
        f'client = openai.OpenAI(api_key="{key}")',
    ]
    builder.write("notebooks/analysis.ipynb", _notebook(code))
    builder.write("scripts/report.py", "\n".join(code) + "\n")
    commit = builder.commit("add reporting notebook")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 4
    for secret, rule, nb_line, py_line in [
        (value, "generic-api-key", 12, 3),
        (key, "openai-api-key", 13, 4),
    ]:
        lines = {o.path: o.line for o in only(report, secret, rule)}
        assert lines == {
            "notebooks/analysis.ipynb": nb_line,
            "scripts/report.py": py_line,
        }
        assert {o.commit for o in only(report, secret, rule)} == {commit}


def test_blob_with_nul_bytes_is_scanned_as_bytes(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A token inside a SQLite-like file with NUL bytes is still a leak."""
    need_rules("sendgrid-api-key")
    token, key = fakes.github_token(rng), fakes.sendgrid_key(rng)
    builder.write(
        "fixtures/session.db",
        b"SQLite format 3\0\0\0\x10\0\n-- cached settings --\n"
        + f"github_token={token}\n".encode()
        + b"\0\0\0\0end\n",
    )
    fixture = builder.commit("add session fixture")
    builder.write("app/mail.py", f'SENDGRID_API_KEY = "{key}"\n')
    mailer = builder.commit("add mailer")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 2
    (occ,) = only(report, token, "github-classic-pat")
    assert (occ.path, occ.line, occ.commit) == ("fixtures/session.db", 3, fixture)
    (occ,) = only(report, key, "sendgrid-api-key")
    assert (occ.path, occ.line, occ.commit) == ("app/mail.py", 1, mailer)


def test_utf16_files_are_decoded_before_matching(
    builder: GitBuilder, rng: random.Random
) -> None:
    """UTF-16 LE with a BOM and BE without one report decoded-text lines."""
    need_rules("gitlab-pat", "aws-access-key-id", "huggingface-token")
    gitlab, hf = fakes.gitlab_pat(rng), fakes.huggingface_token(rng)
    key_id, key_secret = fakes.aws_key_pair(rng)
    bom = b"\xff\xfe"
    builder.write(
        "scripts/deploy.ps1",
        bom
        + f'# deployment settings\r\n$env:GITLAB_TOKEN = "{gitlab}"\r\nWrite-Host "ok"\r\n'.encode(
            "utf-16-le"
        ),
    )
    builder.write(
        "reg/deploy.reg",
        bom
        + (
            "Windows Registry Editor Version 5.00\r\n\r\n"
            "[HKEY_CURRENT_USER\\Software\\Acme\\Deploy]\r\n"
            f'"AccessKeyId"="{key_id}"\r\n"SecretAccessKey"="{key_secret}"\r\n'
        ).encode("utf-16-le"),
    )
    builder.write(
        "notes/token.txt", f"hf token for the eval job: {hf}\n".encode("utf-16-be")
    )
    commit = builder.commit("add windows deployment files")

    report = gitsweep.scan(builder.path)

    assert 3 <= len(locations(report)) <= 4
    for secret, rule, path, line, encoding in [
        (gitlab, "gitlab-pat", "scripts/deploy.ps1", 2, "UTF-16LE+BOM"),
        (key_id, "aws-access-key-id", "reg/deploy.reg", 4, "UTF-16LE+BOM"),
        (hf, "huggingface-token", "notes/token.txt", 1, "UTF-16BE"),
    ]:
        (occ,) = only(report, secret, rule)
        assert (occ.path, occ.line, occ.commit, occ.encoding) == (
            path,
            line,
            commit,
            encoding,
        )


def test_private_key_shapes(builder: GitBuilder, rng: random.Random) -> None:
    """A whole-file key without final newline, and a JSON-escaped one.

    The corpus names one `private-key` rule; ours are split by armour, as
    the corpus's formats.jsonl types are (openssh-private-key...).
    """
    need_rules("openssh-private-key", "ec-private-key")
    whole = fakes.openssh_private_key(rng)
    escaped = fakes.ec_private_key(rng).replace("\n", "\\n")
    encrypted = fakes.encrypted_ec_private_key(rng)
    builder.write("deploy/id_ed25519", whole)
    builder.write(
        "config/service-account.json",
        '{\n  "type": "service_account",\n'
        f'  "private_key": "{escaped}",\n'
        '  "client_email": "etl@acme-data.iam.gserviceaccount.example"\n}\n',
    )
    builder.write("deploy/legacy.key", encrypted + "\n")
    commit = builder.commit("add deploy keys")

    report = gitsweep.scan(builder.path)

    found = {o.path: (f, o) for f, o in places(report)}
    finding, occ = found["deploy/id_ed25519"]
    assert finding.rule == "openssh-private-key" and whole in finding.secret
    assert (occ.line, occ.end_line, occ.commit) == (1, whole.count("\n") + 1, commit)
    finding, occ = found["config/service-account.json"]
    assert finding.rule == "ec-private-key" and escaped in finding.secret
    assert (occ.line, occ.commit) == (3, commit)
    legacy = [
        (f.rule, o.line) for f, o in places(report) if o.path == "deploy/legacy.key"
    ]
    assert not legacy or any("encrypted" in rule for rule, _ in legacy)
    assert all(line == 1 for _, line in legacy)


def test_encrypted_pem_key_is_one_finding(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A passphrase-protected PEM key is reported once, as encrypted."""
    builder.write("deploy/legacy.key", fakes.encrypted_ec_private_key(rng) + "\n")
    builder.commit("add deploy keys")

    report = gitsweep.scan(builder.path)

    assert [f.rule for f in report.findings] == ["pem-private-key-encrypted-legacy"]


def test_commit_metadata_secrets(builder: GitBuilder, rng: random.Random) -> None:
    """A token as author e-mail and a webhook in a message body are found."""
    need_rules("huggingface-token", "slack-webhook-url")
    hf, hook = fakes.huggingface_token(rng), fakes.slack_webhook(rng)
    builder.write("app.py", "print('v1')\n")
    builder.commit("initial")
    builder.write("app.py", "print('v2')\n")
    bump = builder.commit(
        "bump version", f"--author=Dev One <{hf}@users.noreply.example.test>"
    )
    builder.write("app.py", "print('v3')\n")
    wire = builder.commit(
        "wire deploy notifications", "-m", f"Notifications go to {hook} for now."
    )

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 2
    (occ,) = only(report, hf, "huggingface-token")
    assert (occ.source, occ.field, occ.path, occ.commit) == (
        "commit",
        "author",
        None,
        bump,
    )
    assert occ.commit_subject == "bump version" and occ.refs == ("refs/heads/main",)
    (occ,) = only(report, hook, "slack-webhook-url")
    assert (occ.source, occ.field, occ.line, occ.path) == ("commit", "message", 3, None)
    assert occ.commit == wire and occ.object == wire
    assert all(o.source == "commit" for _, o in places(report))


def _big_log(token: str) -> str:
    lines = [
        f"2024-05-01T10:00:00Z INFO request id={i:06d} path=/api/v1/items status=200\n"
        for i in range(1, 40001)
    ]
    lines[20000] = (
        f"2024-05-01T10:33:20Z DEBUG git push https://oauth2:{token}@gitlab.example.test/a.git\n"
    )
    return "".join(lines)


@pytest.fixture
def big_log_repo(
    builder: GitBuilder, rng: random.Random
) -> tuple[GitBuilder, str, str, str]:
    """A 3 MB log blob holding a token on line 20001, added then removed."""
    token = fakes.gitlab_pat(rng)
    builder.write("README.md", "# app\n")
    builder.commit("initial")
    builder.write("logs/debug.log", _big_log(token))
    commit = builder.commit("add debug log")
    blob = builder.git("rev-parse", "HEAD:logs/debug.log")
    builder.git("rm", "-q", "logs/debug.log")
    builder.commit("remove debug log")
    return builder, token, commit, blob


def test_large_blob_under_the_default_cap_is_scanned(big_log_repo) -> None:  # type: ignore[no-untyped-def]
    """A 3 MB blob is well under the 50 MiB default and is scanned."""
    need_rules("gitlab-pat")
    builder, token, commit, blob = big_log_repo

    report = gitsweep.scan(builder.path)

    (occ,) = only(report, token, "gitlab-pat")
    assert (occ.path, occ.line, occ.commit, occ.object) == (
        "logs/debug.log",
        20001,
        commit,
        blob,
    )
    assert report.stats.skipped == 0 and report.complete


def test_token_in_a_url_is_one_finding(big_log_repo) -> None:  # type: ignore[no-untyped-def]
    """The corpus expects exactly one finding for the token in the push URL."""
    need_rules("gitlab-pat")
    builder, *_ = big_log_repo

    assert len(locations(gitsweep.scan(builder.path))) == 1


def test_blob_over_the_cap_is_skipped_and_named(big_log_repo) -> None:  # type: ignore[no-untyped-def]
    """Under a 1 MiB cap the log is skipped, listed, and the scan is not clean."""
    builder, _token, _commit, blob = big_log_repo
    size = int(builder.git("cat-file", "-s", blob))

    report = gitsweep.scan(builder.path, max_blob_size=1 << 20)

    assert report.findings == ()
    assert (report.stats.skipped, report.stats.skipped_bytes) == (1, size)
    (warning,) = [w for w in report.warnings if w.kind == "oversize-blob"]
    assert warning.object == blob and str(size) in warning.message
    assert report.exit_code == 3 and not report.complete


def test_secret_still_at_head(builder: GitBuilder, rng: random.Random) -> None:
    """A key in the tip's tree is marked at HEAD, on refs/heads/main."""
    need_rules("stripe-live-secret-key")
    key = fakes.stripe_live_key(rng)
    builder.write(
        "prod.properties",
        f"db.host=db.internal.example.test\nstripe.secret.key={key}\n",
    )
    commit = builder.commit("add production config")
    builder.write("README.md", "# billing\n")
    builder.commit("docs")

    report = gitsweep.scan(builder.path)

    (occ,) = only(report, key, "stripe-live-secret-key")
    assert (occ.path, occ.line, occ.commit) == ("prod.properties", 2, commit)
    assert (
        occ.at_head and report.findings[0].at_head and occ.refs == ("refs/heads/main",)
    )


def test_binary_copy_is_a_second_occurrence(
    builder: GitBuilder, rng: random.Random
) -> None:
    """The same key in a text file and a NUL-holding file: one finding, two places."""
    need_rules("sendgrid-api-key")
    key = fakes.sendgrid_key(rng)
    builder.write("app/config.py", f'SENDGRID_API_KEY = "{key}"\n')
    text_commit = builder.commit("add config")
    builder.write(
        "assets/config.bin",
        b"CFG\0\x01\0\0" + f"sendgrid_api_key={key}\n".encode() + b"\0\0",
    )
    bin_commit = builder.commit("add binary config cache")
    builder.write("app/config.py", "import os\n")
    builder.commit("read key from env")

    report = gitsweep.scan(builder.path)

    assert len(report.findings) == 1 and len(locations(report)) == 2
    by_path = {o.path: o for o in only(report, key, "sendgrid-api-key")}
    assert by_path["app/config.py"].commit == text_commit
    assert not by_path["app/config.py"].at_head
    assert (by_path["assets/config.bin"].commit, by_path["assets/config.bin"].line) == (
        bin_commit,
        1,
    )
    assert by_path["assets/config.bin"].at_head


def test_stash_and_reflog_only_secrets(builder: GitBuilder, rng: random.Random) -> None:
    """An older stash entry and an amended-away commit still leak."""
    need_rules("openai-api-key", "stripe-live-secret-key")
    key, stripe = fakes.openai_project_key(rng), fakes.stripe_live_key(rng)
    builder.write("app/config.py", 'OPENAI_MODEL = "gpt-4o-mini"\n')
    builder.commit("initial")
    builder.write(
        "app/config.py", f'OPENAI_MODEL = "gpt-4o-mini"\nOPENAI_API_KEY = "{key}"\n'
    )
    builder.clock += 3600
    builder.git("stash", "push", "-q", "-m", "wip: try real key")
    builder.write("app/config.py", 'OPENAI_MODEL = "gpt-4o"\n')
    builder.clock += 3600
    builder.git("stash", "push", "-q", "-m", "wip: model bump")
    builder.write(".env", f"STRIPE_SECRET_KEY={stripe}\n")
    amended = builder.commit("add env")
    builder.git("rm", "-q", "--cached", ".env")
    (builder.path / ".env").unlink()
    builder.write(".gitignore", ".env\n")
    builder.commit("ignore env", "--amend")
    stash_commit = builder.git("rev-parse", "stash@{1}")
    assert "add env" not in builder.git("log", "--all", "--format=%s")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 2
    (occ,) = only(report, key, "openai-api-key")
    assert (occ.path, occ.line, occ.commit) == ("app/config.py", 2, stash_commit)
    assert occ.commit_subject == "On main: wip: try real key"
    assert occ.refs == () and "refs/stash@{1}" in occ.reflogs and occ.stashed
    assert not occ.reachable
    (occ,) = only(report, stripe, "stripe-live-secret-key")
    assert (occ.path, occ.line, occ.commit) == (".env", 1, amended)
    assert occ.refs == () and {"HEAD@{1}", "refs/heads/main@{1}"} <= set(occ.reflogs)
    assert not occ.reachable and not occ.at_head


def test_hashes_digests_and_ids_are_not_findings(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Commit pins, SRI/npm integrity, go.sum, Cargo checksums, UUIDs: clean."""
    import base64
    import hashlib
    import uuid

    def b64(digest: bytes) -> str:
        return base64.b64encode(digest).decode()

    pin = rng.randbytes(20).hex()
    builder.write(
        "pyproject.toml",
        '[tool.poetry.dependencies]\npython = "^3.11"\n'
        f'lib = {{git = "https://github.com/example/lib.git", rev = "{pin}"}}\n',
    )
    builder.write(
        "package-lock.json",
        '{\n  "packages": {\n    "node_modules/left-pad": {\n'
        f'      "integrity": "sha512-{b64(hashlib.sha512(rng.randbytes(8)).digest())}"\n'
        "    }\n  }\n}\n",
    )
    builder.write(
        "public/index.html",
        '<script src="https://cdn.example.test/lib.js" integrity="sha384-'
        f'{b64(hashlib.sha384(rng.randbytes(8)).digest())}" crossorigin="anonymous"></script>\n',
    )
    builder.write(
        "src/payment.ts",
        f"export const checkout = {{\n  requestId: '{uuid.UUID(int=rng.getrandbits(128), version=4)}',\n"
        f"  tokenizationKeyId: '{uuid.UUID(int=rng.getrandbits(128), version=4)}',\n}};\n",
    )
    builder.write(
        "go.sum",
        f"github.com/pkg/errors v0.9.1 h1:{b64(hashlib.sha256(rng.randbytes(8)).digest())}\n",
    )
    builder.write(
        ".github/workflows/ci.yml",
        f"jobs:\n  build:\n    steps:\n      - uses: actions/checkout@{rng.randbytes(20).hex()} # v4\n",
    )
    builder.write("docs/RELEASE.md", f"- protocol: `{rng.randbytes(20).hex()}`\n")
    builder.write(
        "Cargo.lock",
        f'[[package]]\nname = "serde"\nchecksum = "{rng.randbytes(32).hex()}"\n',
    )
    builder.commit("add lockfiles and pins")

    report = gitsweep.scan(builder.path)

    assert report.findings == () and report.exit_code == 0


def test_keywords_without_values_are_not_findings(builder: GitBuilder) -> None:
    """File references, vault ids, prose and templated values: clean."""
    builder.write(
        "docker-compose.yml",
        "services:\n  db:\n    environment:\n"
        '      - "ROOT_PASSWORD_FILE=/run/secrets/db_password"\n',
    )
    builder.write(
        "Jenkinsfile",
        "def secrets = [[envVar: 'TF_VAR_APPROLESECRETID', vaultKey: 'inf-vsqt-01-secret-id']]\n"
        "withCredentials([string(credentialsId: 'slack-token', variable: 'SLACK_TOKEN')]) {}\n",
    )
    builder.write("docs/login.md", "Sign in with your username/password combination.\n")
    builder.write(
        "ci/pipeline.yml", "params:\n  password: ((production-cf-password))\n"
    )
    builder.write(
        "k8s/deploy.yaml", "secretKeyRef:\n  name: db-credentials\n  key: password\n"
    )
    builder.write(
        "app/settings.py",
        'password = os.environ["DB_PASSWORD"]\nSECRET_KEY = get_secret("django-secret-key")\n',
    )
    builder.write(
        ".env.example",
        "API_KEY=your-api-key-here\nDB_PASSWORD=changeme\n"
        "AWS_SECRET_ACCESS_KEY=<your-secret-access-key>\nSTRIPE_SECRET_KEY=sk_live_...\n",
    )
    builder.commit("add deployment configuration")

    report = gitsweep.scan(builder.path)

    assert report.findings == () and report.exit_code == 0


def test_secret_deleted_on_unmerged_branch(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A key added then removed on a live feature branch names that branch."""
    need_rules("sendgrid-api-key")
    key = fakes.sendgrid_key(rng)
    builder.write("README.md", "# mailer\n")
    builder.commit("initial")
    builder.git("checkout", "-q", "-b", "feature-A")
    builder.write(
        "src/mail.py",
        f'import sendgrid\nclient = sendgrid.SendGridAPIClient("{key}")\n',
    )
    added = builder.commit("add mailer")
    builder.write("src/mail.py", "import os, sendgrid\n")
    builder.commit("use env var for sendgrid")
    builder.git("checkout", "-q", "main")
    builder.write("CHANGELOG.md", "- docs\n")
    builder.commit("docs")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 1
    (occ,) = only(report, key, "sendgrid-api-key")
    assert (occ.path, occ.line, occ.commit) == ("src/mail.py", 2, added)
    assert occ.refs == ("refs/heads/feature-A",)
    assert occ.reachable and not occ.at_head


def test_submodule_is_reported_not_scanned(tmp_path: Path, rng: random.Random) -> None:
    """A gitlink is listed as not scanned; the superproject scans clean (3)."""
    lib = GitBuilder(tmp_path / "lib")
    lib.write(".env", f"SLACK_BOT_TOKEN={fakes.slack_bot_token(rng)}\n")
    lib.commit("lib: add env")
    lib.git("rm", "-q", ".env")
    lib.write("lib.py", "def f(): return 1\n")
    lib_tip = lib.commit("lib: remove env")
    repo = GitBuilder(tmp_path / "repo")
    repo.write("app.py", "import lib\n")
    repo.commit("initial")
    repo.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        f"file://{lib.path}",
        "vendor/lib",
    )
    repo.commit("add vendored lib as submodule")
    assert repo.git("ls-tree", "HEAD", "vendor/lib").startswith("160000")

    report = gitsweep.scan(repo.path)

    assert report.findings == ()
    (warning,) = [w for w in report.warnings if w.kind == "submodule"]
    assert (warning.path, warning.object) == ("vendor/lib", lib_tip)
    assert report.exit_code == 3 and "incomplete" in report.status


def test_git_bomb_is_one_finding_with_a_path_count(
    builder: GitBuilder, rng: random.Random
) -> None:
    """A blob at a million paths is one occurrence, counted, not expanded."""
    need_rules("aws-access-key-id")
    key_id, _ = fakes.aws_key_pair(rng)
    builder.write("README.md", "# normal branch\n")
    builder.commit("initial")
    blob = builder.git(
        "hash-object", "-w", "--stdin", input=f"aws_access_key_id = {key_id}\n".encode()
    )
    tree = builder.git(
        "mktree",
        input="".join(f"100644 blob {blob}\tf{i}\n" for i in range(10)).encode(),
    )
    for _level in range(5):
        tree = builder.git(
            "mktree",
            input="".join(f"040000 tree {tree}\td{i}\n" for i in range(10)).encode(),
        )
    bomb = builder.git("commit-tree", tree, "-m", "bomb")
    builder.git("update-ref", "refs/heads/bomb", bomb)

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 1
    (occ,) = only(report, key_id, "aws-access-key-id")
    assert (occ.path, occ.line, occ.commit, occ.object) == (
        "d0/d0/d0/d0/d0/f0",
        1,
        bomb,
        blob,
    )
    assert occ.path_count == 1_000_000 and len(occ.paths) <= 20
    assert occ.refs == ("refs/heads/bomb",)


def test_symlinks_are_scanned_as_their_target_strings(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Links to /dev/urandom or outside the repository are never opened."""
    token = fakes.github_token(rng)
    (builder.path / "config").mkdir()
    for name, target in [
        ("random", "/dev/urandom"),
        ("zero", "/dev/zero"),
        ("outside", "../../../../etc/hostname"),
    ]:
        (builder.path / "config" / name).symlink_to(target)
    builder.write("secrets/real.env", f"GITHUB_TOKEN={token}\n")
    commit = builder.commit("add config links")
    assert builder.git("ls-tree", "HEAD", "config/random").startswith("120000")

    report = gitsweep.scan(builder.path)

    assert len(locations(report)) == 1
    (occ,) = only(report, token, "github-classic-pat")
    assert (occ.path, occ.line, occ.commit) == ("secrets/real.env", 1, commit)
    assert report.complete and report.stats.blobs == 4


def test_lfs_pointers_are_recognised_not_flagged(
    builder: GitBuilder, rng: random.Random
) -> None:
    """Pointer files are counted with a note; their sha256 oids are no finding."""
    builder.write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
    for path, size in [
        ("models/weights.bin", 104857600),
        ("data/events.parquet", 7340032),
    ]:
        builder.write(
            path,
            "version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{rng.randbytes(32).hex()}\nsize {size}\n",
        )
    builder.commit("track model weights with lfs")

    report = gitsweep.scan(builder.path)

    assert report.findings == ()
    assert report.stats.lfs_pointers == 2
    (warning,) = [w for w in report.warnings if w.kind == "lfs-pointer"]
    assert "2 Git LFS pointer" in warning.message
    assert report.complete and report.exit_code == 0
