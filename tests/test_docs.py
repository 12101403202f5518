"""The docs' examples run as written, and the CLI reference matches the CLI."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from gitsweep.cli import build_parser

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: Pages whose ```python blocks are run, each page in one namespace.
RUNNABLE = ("quickstart.md", "incident.md", "api.md")
_FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [body for lang, body in _FENCE.findall(text) if lang == language]


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE)
def test_python_examples_run(page, tmp_path, monkeypatch):
    """Every Python block of the page runs, in order, without error."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = _blocks(page, "python")
    assert blocks, f"{page} has no Python example"
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{DOCS / page} (block {number})", "exec")
        exec(code, namespace)  # noqa: S102 - our own documentation


def test_yaml_examples_parse():
    """The CI workflow and the pre-commit snippet are valid YAML."""
    blocks = _blocks("ci.md", "yaml") + _blocks("cli.md", "yaml")
    for block in blocks:
        assert isinstance(yaml.safe_load(block), dict)
    workflow = yaml.safe_load(_blocks("ci.md", "yaml")[0])
    steps = workflow["jobs"]["gitsweep"]["steps"]
    assert any("upload-sarif" in step.get("uses", "") for step in steps)


def test_toml_examples_are_valid_configs(tmp_path):
    """The configuration example loads with no error."""
    from gitsweep.config import load_config

    (block,) = _blocks("cli.md", "toml")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "acme-rules.toml").write_text("")
    path = tmp_path / ".gitsweep.toml"
    path.write_text(block)
    config = load_config(path)
    assert config.allowlist_paths and config.allowlist_fingerprints


def _subcommand_options() -> dict[str, set[str]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {
        name: {s for a in p._actions for s in a.option_strings}
        for name, p in sub.choices.items()
    }


def test_cli_reference_lists_real_options():
    """Each option in a `gitsweep scan` or `protect` table exists."""
    options = _subcommand_options()
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in ("scan", "protect"):
        section = text.split(f"## gitsweep {command}", 1)[1].split("\n## ", 1)[0]
        mentioned = set(re.findall(r"`(--[a-z-]+)", section))
        assert mentioned, command
        assert mentioned <= options[command], mentioned - options[command]
    assert set(options["scan"]) >= {
        "--since",
        "--baseline",
        "--update-baseline",
        "--config",
    }


def test_every_subcommand_is_in_the_reference():
    """The command table lists every registered subcommand."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in _subcommand_options():
        assert f"`{name}`" in text, name


def test_glossary_defines_the_domain_words():
    """The words of the style guide each have an entry."""
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for word in (
        "blob",
        "object id",
        "packfile",
        "rule",
        "candidate",
        "match",
        "finding",
        "occurrence",
        "provenance",
        "rewrite plan",
        "revocation",
    ):
        assert re.search(rf"\*\*{word}\*\*", text, re.IGNORECASE), word


def test_links_between_pages_resolve():
    """Relative links in these docs point at files that exist."""
    for page in (
        "quickstart.md",
        "incident.md",
        "cli.md",
        "api.md",
        "ci.md",
        "glossary.md",
    ):
        text = (DOCS / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+\.md)", text):
            assert os.path.exists(DOCS / target), f"{page} links to {target}"
