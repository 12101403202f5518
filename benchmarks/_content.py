"""Make source-like file contents and edits for synthetic repositories.

Scan speed depends on what the bytes look like (line lengths, how often a
keyword prefix occurs, how much is high-entropy), so the generator writes
text that resembles code in a few languages, minified JavaScript, and some
binary files, rather than random letters. Lines are drawn mostly from a
per-language pool: edits then reuse lines the way real churn does, which
keeps `git repack` deltas realistic.
"""

from __future__ import annotations

import math
import random
import re

_WORD_TEXT = """
account action active adapter address agent alias amount archive args async
attempt backend batch buffer build bundle cache callback channel check child
client close code column commit config connect context count cursor data
debug decode default delete delta depth device digest dispatch domain driver
encode engine entry error event expire export factory field filter flag flush
format frame handle header height history hook index input item job key label
layer length limit line list load local lock logger lookup manager map match
merge message meta method mode model module name node notify number object
offset option order output owner packet page param parent parse path payload
peer pending pool port prefix queue range reader record region register
release remote render report request reset resolve resource response result
retry route row rule schema scope search segment select sender session shard
signal size slot source span stage state status store stream string style
table target task tenant text thread timeout token trace track update upload
user value version view window worker writer zone
"""
WORDS = _WORD_TEXT.split()

TEMPLATES: dict[str, list[str]] = {
    "py": [
        "def {w}_{w}(self, {w}, {w}=None):",
        "    {w} = self.{w}.{w}({w}, {n})",
        "        return {w}_{w}",
        "    if {w} is not None and {w} > {n}:",
        "class {W}{W}({W}):",
        "from {w}.{w} import {W}{W}",
        "import {w}",
        "    # {s}",
        '    """{s}."""',
        '        raise {W}Error(f"{s}: {{{w}!r}}")',
        "    for {w} in self.{w}s:",
        "            {w}[{w}] = {w}.get('{w}', {n})",
        "",
    ],
    "js": [
        "export function {w}{W}({w}, {w}) {{",
        "  const {w} = await {w}.{w}({w}, {n});",
        "  if (!{w} || {w}.{w} > {n}) return null;",
        "  // {s}",
        "  this.{w}{W} = {w} => {w}.{w}({w});",
        "}}",
        "import {{ {W}{W} }} from './{w}/{w}.js';",
        "    {w}: '{w}-{w}',",
        "",
    ],
    "go": [
        "func ({w} *{W}{W}) {W}({w} {w}.{W}) error {{",
        "\t{w}, err := {w}.{W}{W}(ctx, {n})",
        "\tif err != nil {{",
        '\t\treturn fmt.Errorf("{s}: %w", err)',
        "\t}}",
        "// {W}{W} {s}.",
        "\t{w}.{W} = append({w}.{W}, {w})",
        "",
    ],
    "c": [
        "static int {w}_{w}(struct {w} *{w}, size_t {w})",
        "{{",
        "\tif ({w}->{w} >= {n})",
        "\t\treturn -E{W};",
        "\t{w} = {w}_{w}({w}, {w}->{w} + {n});",
        "/* {s} */",
        "}}",
        '#include "{w}/{w}.h"',
        "",
    ],
    "md": [
        "## {W} {w}",
        "{S} {s} {s}.",
        "- `{w}_{w}`: {s}.",
        "    {w} --{w}={n} {w}",
        "",
    ],
    "json": [
        '  "{w}_{w}": {n},',
        '  "{w}": "{w}-{w}-{n}",',
        '    "{w}": [{n}, {n}, {n}],',
        '  "{w}": {{',
        "  }},",
    ],
    "yaml": [
        "{w}:",
        "  {w}_{w}: {n}",
        "  {w}: {w}-{w}",
        "  - name: {w}-{w}",
        "    {w}: ${{{{ {w}.{w} }}}}",
        "# {s}",
    ],
}

PLACEHOLDER = re.compile(r"\{[wWnsS]\}")


def fill_template(rng: random.Random, template: str) -> str:
    """Replace each placeholder of `template` with a drawn word or number."""

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)[1]
        if tag == "w":
            return rng.choice(WORDS)
        if tag == "W":
            return rng.choice(WORDS).capitalize()
        if tag == "n":
            return str(rng.randrange(1, 4096))
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        return sentence.capitalize() if tag == "S" else sentence

    # Templates escape literal braces for str.format style; undo that last.
    text = PLACEHOLDER.sub(replace, template)
    return text.replace("{{", "{").replace("}}", "}")


class LinePool:
    """A fixed set of lines of one language, from which files are drawn."""

    def __init__(self, rng: random.Random, language: str, size: int = 2048):
        templates = TEMPLATES[language]
        self.rng = rng
        self.language = language
        self.lines = [
            fill_template(rng, rng.choice(templates)).encode() for _ in range(size)
        ]

    def draw(self, n: int) -> list[bytes]:
        """Return `n` lines, mostly from the pool, a few freshly made."""
        lines = self.rng.choices(self.lines, k=n)
        # Fresh lines keep files from being pure permutations of the pool,
        # which would compress unrealistically well.
        for i in range(0, n, 16):
            template = self.rng.choice(TEMPLATES[self.language])
            lines[i] = fill_template(self.rng, template).encode()
        return lines


def draw_line_count(rng: random.Random, median: int = 110) -> int:
    """Return a log-normal line count: most files small, a few large."""
    return max(3, min(6000, int(rng.lognormvariate(math.log(median), 1.0))))


def make_minified(pool: LinePool) -> list[bytes]:
    """Return one very long line, like a bundled JavaScript file."""
    n = draw_line_count(pool.rng, median=400)
    parts = (line.strip() for line in pool.draw(n))
    return [b";".join(parts)]


def make_binary(rng: random.Random) -> bytes:
    """Return an image-like binary: a PNG signature and random bytes."""
    size = max(256, min(400_000, int(rng.lognormvariate(math.log(12_000), 1.0))))
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(size)


def edit_lines(rng: random.Random, lines: list[bytes], pool: LinePool) -> list[bytes]:
    """Return a copy of `lines` with one to three hunks changed.

    Each hunk deletes a few lines and inserts a few; a file that has grown
    well past its typical size loses more than it gains, so sizes stay
    stable over thousands of commits.
    """
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(out) + 1)
        delete = rng.randint(0, 6)
        insert = rng.randint(0, 6)
        if len(out) > 1500:
            delete += 8
        out[at : at + delete] = pool.draw(insert)
    return out or pool.draw(3)
