"""A narrative filled in: each reference replaced by its escaped value, and the last guards.

`render` gives the Markdown a chapter displays: references swapped for values that can only
read as text (`escape`), `%` comments dropped. Two guards run on the filled-in text: it must
read as the file did, and as plain prose in each way myst-nb may read it. `check` is here
too, because besides the format's own checks (`myst`) it fills in trial values to find a
reference that would run into the markup around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from itertools import zip_longest

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from healthcheck.data.narrative.myst import (
    BOOK_EXTENSIONS,
    ROLES,
    Narrative,
    Reference,
    line_problem,
    parse,
    reference_problem,
    safety_problems,
    token_problem,
)
from healthcheck.errors import DataError, Problem, errors_in
from healthcheck.escape import myst_text

_GROUPING = frozenset(
    "paragraph_open paragraph_close bullet_list_open bullet_list_close ordered_list_open ordered_list_close list_item_open"
    " list_item_close blockquote_open blockquote_close myst_line_comment inline".split()
)
# How myst-nb may read a Markdown output (nb_render_markdown_format): commonmark, gfm or myst.
_READERS = [
    create_md_parser(config, RendererHTML)
    for config in (
        MdParserConfig(commonmark_only=True),
        MdParserConfig(gfm_only=True),
        MdParserConfig(enable_extensions=BOOK_EXTENSIONS),
    )
]
for _reader in _READERS:
    _reader.validateLink = lambda url: True


def check(narrative: Narrative, known: Mapping[str, Iterable]) -> list[Problem]:
    """Everything outside the safe subset, and every reference to nothing, as Problems with lines.

    `known` maps "statements", "themes", "facts", "years" (and optionally "national" and
    "region") to the names references may use; `known_targets` builds it.
    """
    problems = safety_problems(narrative)
    if not errors_in(problems):
        try:  # trial fills show a reference that would run into the markup around it
            for value in ("0", "up 3 points, no change"):
                problems += _filled_problems(narrative, _fill(narrative, lambda ref, value=value: value))
        except DataError as error:
            problems += error.problems
        problems = list(dict.fromkeys(problems))
    return problems + [p for ref in narrative.references if (p := reference_problem(narrative, ref, known))]


# ------------------------------------------------------------------------------- rendering


def escape(text: str) -> str:
    """A resolved value as Markdown that can only display as that text, whatever surrounds it.

    escape.myst_text backslash-escapes every ASCII punctuation character and joins lines;
    control and invisible formatting characters go first. The first character is then written
    as a character reference, so nothing just before the value in the file (a "<", the start
    of a line before "2022.") can join it into markup.
    """
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(text))
    value = myst_text(" ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split()))
    if not value:
        raise ValueError("no text to show")
    # An escaped backslash before a table's "|" would still hide the pipe: write it as &#92;.
    value = re.sub(r"\\(.)", lambda m: "&#92;" if m.group(1) == "\\" else m.group(0), value)
    # A noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) is no markup, and Markdown reads its
    # reference as U+FFFD: it stays as it is.
    if value.startswith(("\\", "&#92;")) or _noncharacter(value[0]):
        return value
    return f"&#{ord(value[0])};{value[1:]}"


def _noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def render(narrative: Narrative, resolve: Callable[[Reference], str]) -> str:
    """The narrative as Markdown: each reference replaced by its escaped value, comments removed.

    Raises DataError when the file has anything outside the safe subset (see `check`), or
    when a value would change how the text around it reads.
    """
    errors = errors_in(safety_problems(narrative))
    if errors:
        raise DataError(errors)
    text = _fill(narrative, resolve)
    if problems := _filled_problems(narrative, text) or _published_notes(narrative, text):
        raise DataError(problems)
    return without_empty_sections(text).strip("\n") + "\n"


_HEADING = re.compile(r"^(#{1,6})\s")


def without_empty_sections(text: str) -> str:
    """The text without headings that have nothing under them once the notes are gone: a draft's
    template headings ("## What staff told us" over a % prompt) would show a reader an empty section."""
    lines = text.split("\n")
    keep = [True] * len(lines)
    next_level = 0  # level of the next kept heading below (0: the text's end, or prose)
    for i in range(len(lines) - 1, -1, -1):
        match = _HEADING.match(lines[i])
        if match is None:
            if lines[i].strip():
                next_level = 7  # prose below: the heading above it is not empty
            continue
        level = len(match.group(1))
        if next_level and next_level <= level or next_level == 0:
            keep[i] = False
            continue
        next_level = level
    return "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)


_NOTE_LINE = re.compile(r"^[\s>]*%", re.M)


def _published_notes(narrative: Narrative, text: str) -> list[Problem]:
    """The last guard for private notes: no line of what is published may start with "%" (a
    note the parser did not take as one, whatever the reason, is refused rather than shown)."""
    for match in _NOTE_LINE.finditer(text):
        line = text.count("\n", 0, match.end()) + 1
        expected = "a note on a line of its own, starting with % (this line would be published as it stands)"
        return [line_problem(narrative, line, expected)]
    return []


def _fill(narrative: Narrative, resolve: Callable[[Reference], str]) -> str:
    """The file's text with references replaced and comment lines blanked, line for line."""
    lines = narrative.text.split("\n")
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for index, column, raw, ref in _placed_references(narrative, lines):
        try:
            value = escape(resolve(ref))
        except ValueError:
            raise DataError([line_problem(narrative, ref.line, "a reference that gives a value", ref.text)]) from None
        edits.setdefault(index, []).append((column, column + len(raw), value))
    for index, spans in edits.items():
        for start, end, value in sorted(spans, reverse=True):
            lines[index] = lines[index][:start] + value + lines[index][end:]
    for token in narrative.tokens:
        if token.type == "myst_line_comment":  # a blank line ends a paragraph as the comment did
            for index in range(*token.map):
                lines[index] = lines[index][: lines[index].find("%")].rstrip()
    return "\n".join(lines)


def _shape(tokens: Iterable[Token], roles_are_text: bool = True) -> list[tuple[tuple, int]]:
    """What a page shows, with lines: a reference counts as the text it becomes, and how lists
    and quotes group the text is left out (a comment removed between two lists joins them)."""
    shape: list[tuple[tuple, int]] = []
    line = 1
    for token in tokens:
        for item in [token, *(token.children or [])]:
            line = item.map[0] + 1 if item.map else line
            if item.type in _GROUPING:
                continue
            text = item.type == "text" or (item.type == "myst_role" and roles_are_text)
            what = ("text",) if text else (item.type, item.tag, tuple(sorted(item.attrs.items())))
            if not (what == ("text",) and shape and shape[-1][0] == what):
                shape.append((what, line))
    return shape


def _filled_problems(narrative: Narrative, text: str) -> list[Problem]:
    """The last guards, on the filled-in text itself: it reads as the file did, and as plain
    prose whichever way myst-nb reads it (the readers differ: without tables, a table row
    can be an HTML block)."""
    problem = _changed_meaning(narrative, text) or _unsafe_reading(narrative, text)
    return [problem] if problem else []


def _unsafe_reading(narrative: Narrative, text: str) -> Problem | None:
    for reader in _READERS:
        line = 1
        for token in reader.parse(text):
            line = token.map[0] + 1 if token.map else line
            for item in [token, *(token.children or [])]:
                if item.nesting == -1 or item.type in ("text", "s_open"):
                    continue
                if item.type == "myst_role" or token_problem(item):
                    expected = "plain prose: the book's Markdown reader would take this line as HTML, code or other markup"
                    return line_problem(narrative, line, expected)
    return None


def _changed_meaning(narrative: Narrative, text: str) -> Problem | None:
    """A problem when the filled-in text does not read as the file did (a value next to a
    backtick, bracket or parenthesis making new markup), as a last guard after escaping."""
    before, after = _shape(narrative.tokens), _shape(parse(text, narrative.file).tokens, roles_are_text=False)
    for old, new in zip_longest(before, after):
        if old is None or new is None or old[0] != new[0]:
            expected = (
                "text that reads the same once references are filled in and % notes removed"
                " (keep a reference apart from the symbols around it, and a note on a line of its own)"
            )
            return line_problem(narrative, (new or old)[1], expected)
    return None


def _placed_references(narrative: Narrative, lines: list[str]):
    """(line index, column, raw text, Reference) of every reference, found exactly in the file's lines."""
    refs = iter(narrative.references)
    cursor: dict[int, int] = {}  # table cells share a line: search each from where the last ended
    for token in narrative.tokens:
        starts: dict[int, int] = {}
        for offset, part in enumerate(token.content.split("\n") if token.type == "inline" else []):
            index = token.map[0] + offset
            found = lines[index].find(part, cursor.get(index, 0)) if part else -1
            if found >= 0:
                starts[index] = found
                cursor[index] = found + len(part)
        for child in token.children or []:
            if child.type != "myst_role" or child.meta["name"] not in ROLES:
                continue
            ref, index, raw = next(refs), child.map[0], child.meta["raw"]
            column = starts.get(index, 0) + child.meta["col"]
            if not lines[index].startswith(raw, column):
                column = lines[index].find(raw, starts.get(index, 0))
            if column < 0:
                raise DataError([line_problem(narrative, ref.line, "a reference on one line", ref.text)])
            yield index, column, raw, ref
