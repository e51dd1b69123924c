"""Writing the analyst's YAML files so they stay readable, and writing files safely.

`dump` writes YAML like the hand-written files (list items indented under their key, long
prose folded); `set_blocks` replaces the blocks of some top-level keys of a file's text and
leaves every other line, comments included. `create_file` never replaces a file;
`replace_file` replaces one in a single step, so an interruption leaves the old file whole.
`yaml_line` and `bank_block` are the lines printed for the analyst to add to question_bank.yml.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import yaml

_PROSE_KEYS = {"context", "synthetic", "recommendation"}


class _Folded(str):
    """A long paragraph, written in YAML's folded style (`>-`) like the hand-written files."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as in the hand-written files.
        return super().increase_indent(flow, False)


def _represent_folded(dumper, value):
    plain = "\n" in value or "  " in value or value != value.strip() or len(value) < 80
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=None if plain else ">")


_Dumper.add_representer(_Folded, _represent_folded)


def _fold_prose(value):
    """Mark long prose values (context, recommendation, ...) for the folded style, recursively."""
    if isinstance(value, dict):
        return {k: (_Folded(v) if k in _PROSE_KEYS and isinstance(v, str) else _fold_prose(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fold_prose(v) for v in value]
    return value


def dump(data) -> str:
    """YAML laid out like the hand-written files: keys in order, list items indented, long prose folded."""
    return yaml.dump(_fold_prose(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def indent_lines(text: str, prefix: str) -> list[str]:
    """The lines of `text`, each one that is not empty after `prefix`."""
    return [prefix + line if line else line for line in text.splitlines()]


def create_file(path: Path, text: str) -> None:
    """Write a new file; fails rather than replace one that appeared meanwhile."""
    with open(path, "x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def replace_file(path: Path, text: str) -> None:
    """Replace a file's text in one step, so that an interruption leaves the old file whole."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); the replaced file keeps the mode it had.
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def yaml_line(year: int, text: str, indent: int = 6) -> str:
    """The exact line to add under a question's `wording:` in question_bank.yml."""
    # A JSON string is a valid YAML double-quoted scalar: quotes, colons and # are all safe.
    return f"{' ' * indent}{year}: {json.dumps(text, ensure_ascii=False)}"


def bank_block(code: str, year: int, text: str) -> list[str]:
    """A question's lines to add to question_bank.yml: its code, `wording:` and the year's wording."""
    return [f"  {code}:", "    wording:", yaml_line(year, text)]


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """key -> (first line, end line) of each top-level key's block; comments before a key stay outside."""
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))]
    blocks = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > i + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        blocks[key] = (i, end)
    return blocks


def set_blocks(text: str, new: dict[str, str]) -> str:
    """Replace (or add, after the previous one) the blocks of some top-level keys, leaving every other line."""
    lines = text.splitlines()
    order = list(new)
    for n, key in enumerate(order):
        blocks = _blocks(lines)
        block = new[key].rstrip("\n").splitlines()
        if key in blocks:
            start, end = blocks[key]
            lines[start:end] = block
        else:
            after = [blocks[k][1] for k in reversed(["year", *order[:n]]) if k in blocks]
            at = after[0] if after else len(lines)
            lines[at:at] = block
    return "\n".join(lines) + "\n"


def header_length(text: str) -> int:
    """How many lines (comments and blank lines) come before the text's first key."""
    n = 0
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            n += 1
        else:
            break
    return n
