"""Configuration: read `[tool.gitsweep]` or `.gitsweep.toml` of a work tree.

Beside the pipeline, feeding it.  A repository's own settings travel with
its work tree: extra rule files, rules to turn off, and an allowlist of
paths (globs), values (regexes) and fingerprints that `allowlist` applies
to a report.  `.gitsweep.toml` wins over `pyproject.toml` when both exist.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import attrs
import regex

from .errors import GitsweepError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

log = logging.getLogger(__name__)

#: File names searched in a work tree, first found wins.
CONFIG_FILES = (".gitsweep.toml", "pyproject.toml")

#: Keys a configuration may hold, with the type each takes.
_KEYS = {
    "rules": "a list of rule file paths, relative to the configuration file",
    "disable": "a list of rule ids",
    "allowlist_paths": "a list of path globs (a trailing / allows a folder)",
    "allowlist_values": "a list of regular expressions matched on the secret",
    "allowlist_fingerprints": "a list of SHA-256 fingerprints (64 hex digits)",
}

_FINGERPRINT = regex.compile(r"[0-9a-f]{64}")


class ConfigError(GitsweepError, ValueError):
    """A configuration file cannot be used; the message names it and the fix."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@attrs.frozen(slots=True)
class Config:
    """Settings of one repository; empty when it has no configuration.

    `rule_files` are absolute paths; `source` is the file read, or None.
    """

    rule_files: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    allowlist_paths: tuple[str, ...] = ()
    allowlist_values: tuple[str, ...] = ()
    allowlist_fingerprints: tuple[str, ...] = ()
    source: str | None = None

    @property
    def is_empty(self) -> bool:
        """Return whether nothing in this configuration changes a scan."""
        return not (
            self.rule_files
            or self.disabled
            or self.allowlist_paths
            or self.allowlist_values
            or self.allowlist_fingerprints
        )


def find_config(work_tree: str | os.PathLike[str] | None) -> Path | None:
    """Return the configuration file of a work tree, or None.

    A `pyproject.toml` counts only when it has a `[tool.gitsweep]` table.
    """
    if work_tree is None:
        return None
    folder = Path(work_tree)
    dedicated = folder / CONFIG_FILES[0]
    if dedicated.is_file():
        return dedicated
    pyproject = folder / CONFIG_FILES[1]
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            # Not ours to judge unless it claims a gitsweep table.
            text = pyproject.read_text(encoding="utf-8", errors="replace")
            return pyproject if "[tool.gitsweep]" in text else None
        if "gitsweep" in data.get("tool", {}):
            return pyproject
    return None


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and check one configuration file.

    In `pyproject.toml` the settings sit under `[tool.gitsweep]`; in any
    other file at the top level (or under `[tool.gitsweep]` as well).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file not found; check the --config path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot be read ({exc}); fix its encoding") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            path, f"not valid TOML ({exc}); fix the syntax at that line"
        ) from None
    table = data.get("tool", {}).get("gitsweep")
    if table is None:
        if path.name == "pyproject.toml":
            return Config(source=str(path))
        table = data
    if not isinstance(table, dict):
        raise ConfigError(path, "[tool.gitsweep] must be a table of settings")
    return _build_config(path, table)


def load_work_tree_config(work_tree: str | os.PathLike[str] | None) -> Config:
    """Return the configuration found in `work_tree`, or an empty one."""
    found = find_config(work_tree)
    if found is None:
        return Config()
    config = load_config(found)
    log.info("configuration read from %s", found)
    return config


def resolve_config(
    config: Config | str | os.PathLike[str] | bool | None,
    work_tree: str | os.PathLike[str] | None,
) -> Config:
    """Turn `scan`'s `config` argument into a `Config`.

    True looks in the work tree; False or None means no configuration; a
    path is read as a configuration file; a `Config` is used as it is.
    """
    if isinstance(config, Config):
        return config
    if config is True:
        return load_work_tree_config(work_tree)
    if config is False or config is None:
        return Config()
    return load_config(config)


def _build_config(path: Path, table: dict[str, Any]) -> Config:
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(
            path,
            f"unknown setting(s) {unknown}; the settings are "
            f"{', '.join(sorted(_KEYS))} (see docs/cli.md#configuration)",
        )
    lists = {key: _string_list(path, table, key) for key in _KEYS}

    for pattern in lists["allowlist_values"]:
        try:
            regex.compile(pattern)
        except regex.error as exc:
            raise ConfigError(
                path,
                f"allowlist_values entry {pattern!r} is not a valid regular "
                f"expression ({exc}); escape it or fix it",
            ) from None
    for fp in lists["allowlist_fingerprints"]:
        if not _FINGERPRINT.fullmatch(fp):
            raise ConfigError(
                path,
                f"allowlist_fingerprints entry {fp!r} is not a SHA-256 "
                "fingerprint; copy the 64 lowercase hex digits from "
                "`gitsweep scan --format json` (field fingerprint)",
            )

    base = path.resolve().parent
    rule_files = []
    for name in lists["rules"]:
        rule_path = Path(name) if os.path.isabs(name) else base / name
        if not rule_path.is_file():
            raise ConfigError(
                path,
                f"rule file {name!r} not found (looked at {rule_path}); "
                "fix the path, relative to the configuration file",
            )
        rule_files.append(str(rule_path))
    return Config(
        rule_files=tuple(rule_files),
        disabled=lists["disable"],
        allowlist_paths=lists["allowlist_paths"],
        allowlist_values=lists["allowlist_values"],
        allowlist_fingerprints=lists["allowlist_fingerprints"],
        source=str(path),
    )


def _string_list(path: Path, table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            path, f"{key} must be {_KEYS[key]}, written as a TOML list of strings"
        )
    return tuple(value)
