"""Rules: load, check and compile the rule data files.

Stage 1 of the pipeline.  A rule file is TOML with a `[[rules]]` array; the
built-in files live in `gitsweep/data/rules/`.  Loading checks what a broken
rule would otherwise turn into a silent miss or a hang: a pattern that does
not compile or has no `secret` group, a duplicate id, a pattern that
backtracks without bound, examples that the pattern contradicts.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import regex

from .errors import RuleError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SEVERITIES = ("critical", "high", "medium", "low")
KINDS = ("keyword", "assigned")
CHARSETS = ("base64", "hex", "any")

#: Seconds one pattern may spend on one adversarial probe at load time.
_PROBE_TIMEOUT = 0.5
#: Bytes before a candidate that a pattern may need (names left of a value).
DEFAULT_BACK = 256
#: Bytes after a candidate that a pattern may need.
DEFAULT_WINDOW = 512


@attrs.frozen(slots=True)
class Revocation:
    """How to revoke or rotate one kind of credential, in our own words."""

    how: str = ""
    url: str = ""
    identity: str = ""
    audit: str = ""
    replace_with: str = ""


@attrs.frozen(slots=True)
class Rule:
    """One detection rule, as read from a rule file.

    `kind` says where candidates come from: `keyword` rules start from the
    keyword automaton, `assigned` rules from high-entropy tokens whose left
    context the pattern then checks.  `pattern` is a `regex` pattern over
    bytes with a named group `secret`.
    """

    id: str
    name: str
    provider: str
    severity: str
    pattern: str
    keywords: tuple[str, ...] = ()
    kind: str = "keyword"
    min_entropy: float = 0.0
    validator: str | None = None
    binary: bool = True
    back: int = DEFAULT_BACK
    window: int = DEFAULT_WINDOW
    token_min_length: int = 16
    keyword_tail: int = 0
    token_max_length: int = 0
    priority: int = 0
    #: Byte strings of which a window must hold at least one before the
    #: regex runs (a URL password needs an `@`): a C-speed `find` saves a
    #: regex run on most windows.
    requires: tuple[bytes, ...] = ()
    token_charset: str = "any"
    reference: str = ""
    tags: tuple[str, ...] = ()
    revocation: Revocation = Revocation()
    positives: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    source: str = ""

    @property
    def compiled(self) -> Any:
        """Return the compiled bytes pattern (cached by `regex`)."""
        return _compile(self.pattern)


def _compile(pattern: str) -> Any:
    return regex.compile(pattern.encode("utf-8"))


@attrs.frozen(slots=True)
class RuleSet:
    """An ordered collection of rules with a stable content hash."""

    rules: tuple[Rule, ...]
    digest: str

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rules)

    def by_id(self, rule_id: str) -> Rule:
        """Return the rule with `rule_id`; KeyError names the known ids."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r}; see `gitsweep rules list`")

    def without(self, disabled: Iterable[str]) -> RuleSet:
        """Return this set minus the rules whose ids are in `disabled`."""
        disabled = set(disabled)
        unknown = disabled - {r.id for r in self.rules}
        if unknown:
            raise RuleError(
                "--disable",
                None,
                f"unknown rule id(s) {sorted(unknown)}; see `gitsweep rules list`",
            )
        kept = tuple(r for r in self.rules if r.id not in disabled)
        return RuleSet(kept, _digest_rules(kept))


def builtin_rule_files() -> list[Path]:
    """Return the paths of the built-in rule files, sorted by name."""
    folder = resources.files("gitsweep") / "data" / "rules"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def load_rules(
    extra_files: Sequence[str | Path] = (),
    disabled: Iterable[str] = (),
    builtin: bool = True,
) -> RuleSet:
    """Load the built-in rules and `extra_files`, minus `disabled` ids.

    Raises `RuleError` naming the file, the rule id and the reason for any
    rule that cannot be used; a user file is checked as strictly as ours.
    """
    files = list(builtin_rule_files()) if builtin else []
    files += [Path(f) for f in extra_files]
    disabled = list(disabled)
    key = (_file_stamps(files), builtin, len(extra_files), tuple(sorted(disabled)))
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    ruleset = _load_files(files, builtin, extra_files)
    ruleset = ruleset.without(disabled) if disabled else ruleset
    if len(_LOADED) >= 8:
        _LOADED.clear()
    _LOADED[key] = ruleset
    return ruleset


#: Rule sets already loaded in this process, by file stamps and options:
#: a scan loads the rules in the caller and again in every shard.
_LOADED: dict[tuple[object, ...], RuleSet] = {}


def _file_stamps(files: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps: list[tuple[str, int, int]] = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            # Let the loader raise its own clear error for a missing file.
            return ((str(path), -1, -1),) + tuple(stamps)
        stamps.append((str(path.resolve()), st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def _load_files(
    files: list[Path], builtin: bool, extra_files: Sequence[str | Path]
) -> RuleSet:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        user = path not in files[: len(files) - len(extra_files)] or not builtin
        for rule in read_rule_file(path, check_examples=user):
            if rule.id in seen:
                raise RuleError(
                    str(path),
                    rule.id,
                    f"duplicate id (already defined in {seen[rule.id]}); "
                    "rename it or disable the other with --disable",
                )
            seen[rule.id] = str(path)
            rules.append(rule)
    return RuleSet(tuple(rules), _digest_rules(rules))


def read_rule_file(path: str | Path, check_examples: bool = True) -> list[Rule]:
    """Parse one rule file and check each rule; see `load_rules`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError(str(path), None, "file not found; check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(str(path), None, f"not valid TOML: {exc}") from None
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RuleError(str(path), None, "no [[rules]] table; see docs/rules.md")
    return [
        build_rule(entry, str(path), check_examples=check_examples) for entry in entries
    ]


def build_rule(entry: dict[str, Any], source: str, check_examples: bool = True) -> Rule:
    """Turn one `[[rules]]` table into a checked `Rule`.

    With `check_examples` (user rule files) the pattern is also probed for
    runaway backtracking and the positive examples must match.
    """
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not regex.fullmatch(
        r"[a-z0-9][a-z0-9.-]*", rule_id
    ):
        raise RuleError(source, str(rule_id), "id must be lowercase words joined by -")

    def fail(reason: str) -> RuleError:
        return RuleError(source, rule_id, reason)

    for key in ("name", "provider", "severity", "pattern"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise fail(f"missing or empty {key!r}")
    if entry["severity"] not in SEVERITIES:
        raise fail(f"severity must be one of {SEVERITIES}")
    kind = entry.get("kind", "keyword")
    if kind not in KINDS:
        raise fail(f"kind must be one of {KINDS}")
    keywords = tuple(entry.get("keywords", ()))
    if kind == "keyword" and not keywords:
        raise fail("a keyword rule needs at least one keyword (3 bytes or more)")
    # An assigned rule's keywords are the names that must precede its token;
    # without any, every text blob gets the token pass (slower).
    if any(not isinstance(k, str) or len(k.encode()) < 3 for k in keywords):
        raise fail("keywords must be strings of 3 bytes or more")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)}; see docs/rules.md")
    validator = entry.get("validator")
    if validator is not None and validator not in _validator_names():
        raise fail(f"validator must be one of {sorted(_validator_names())}")
    for key, top in (("back", 65536), ("window", 65536), ("token_min_length", 4096)):
        value = entry.get(key, 0)
        if not isinstance(value, int) or not 0 <= value <= top:
            raise fail(f"{key} must be an integer from 0 to {top}")
    charset = entry.get("token_charset", "any")
    if charset not in CHARSETS:
        raise fail(f"token_charset must be one of {CHARSETS}")

    pattern = entry["pattern"]
    try:
        compiled = _compile(pattern)
    except regex.error as exc:
        raise fail(f"pattern does not compile: {exc}") from None
    if "secret" not in compiled.groupindex:
        raise fail("pattern needs a named group (?P<secret>...)")
    examples = entry.get("examples", {})
    # Built-in rules are probed by the test suite instead of at every start:
    # the probe is most of the rule set's load time (a pre-commit hook pays
    # it on every commit).
    if check_examples:
        _probe_backtracking(compiled, keywords, fail, examples.get("positive", ()))

    revocation = entry.get("revocation", {})
    try:
        rule = Rule(
            id=rule_id,
            name=entry["name"],
            provider=entry["provider"],
            severity=entry["severity"],
            pattern=pattern,
            keywords=tuple(k.lower() for k in keywords),
            kind=kind,
            min_entropy=float(entry.get("min_entropy", 0.0)),
            validator=entry.get("validator"),
            binary=bool(entry.get("binary", kind == "keyword")),
            back=int(entry.get("back", DEFAULT_BACK)),
            window=int(entry.get("window", DEFAULT_WINDOW)),
            token_min_length=int(entry.get("token_min_length", 16)),
            keyword_tail=int(entry.get("keyword_tail", 0)),
            token_max_length=int(entry.get("token_max_length", 0)),
            priority=int(entry.get("priority", 0)),
            requires=tuple(s.encode("utf-8") for s in entry.get("requires", ())),
            token_charset=charset,
            reference=entry.get("reference", ""),
            tags=tuple(entry.get("tags", ())),
            revocation=Revocation(**revocation),
            positives=tuple(examples.get("positive", ())),
            negatives=tuple(examples.get("negative", ())),
            source=source,
        )
    except TypeError as exc:
        raise fail(f"unexpected field: {exc}") from None
    if check_examples:
        check_rule_examples(rule, fail)
    return rule


#: Fields a `[[rules]]` table may have; anything else is a typo.
_FIELDS = frozenset(
    [
        "id",
        "name",
        "provider",
        "severity",
        "pattern",
        "keywords",
        "kind",
        "min_entropy",
        "validator",
        "binary",
        "back",
        "window",
        "token_min_length",
        "keyword_tail",
        "token_max_length",
        "priority",
        "requires",
        "token_charset",
        "reference",
        "tags",
        "revocation",
        "examples",
    ]
)


def _validator_names() -> frozenset[str]:
    from .validators import VALIDATORS

    return frozenset(VALIDATORS)


def _probe_backtracking(
    compiled: Any, keywords: Sequence[str], fail: Any, positives: Sequence[str] = ()
) -> None:
    """Reject a pattern that takes too long on short adversarial inputs.

    A static proof of linear time is not possible for `regex` patterns; we
    run each on inputs that make nested quantifiers explode and time out.
    """
    probes = [b"a" * 4096, b"A1" * 2048, b"=" * 4096, b" " * 4096, b"-" * 4096]
    probes += [k.encode() * 512 + b"!" for k in keywords[:3]]
    # The rule's own shape, repeated without its ending, catches nested
    # repeats that plain runs of one character do not.
    probes += [p.encode()[:-1] * max(1, 4096 // max(1, len(p))) for p in positives[:2]]
    for probe in probes:
        try:
            compiled.search(probe, timeout=_PROBE_TIMEOUT)
        except TimeoutError:
            raise fail(
                "pattern backtracks catastrophically (took over "
                f"{_PROBE_TIMEOUT} s on a 4 KiB probe); bound its repeats"
            ) from None


def check_rule_examples(rule: Rule, fail: Any) -> None:
    """Raise when an example contradicts the rule's pattern."""
    if len(rule.positives) < 2 or len(rule.negatives) < 2:
        raise fail("needs at least two positive and two negative examples")
    for n, text in enumerate(rule.positives, 1):
        found = rule.compiled.search(text.encode("utf-8"))
        if not found or not found.group("secret"):
            raise fail(f"positive example #{n} does not match the pattern")


def _digest_rules(rules: Iterable[Rule]) -> str:
    h = hashlib.sha256()
    for rule in rules:
        h.update(repr(attrs.astuple(rule, recurse=True)[:17]).encode())
    return h.hexdigest()[:16]
