"""The analyst's narrative files: a safe subset of MyST, references resolved, typed-% check.

A narrative file (`data/<year>/narrative/*.md`) is prose with references such as
{pct}`IMP01` in place of numbers. `parse` reads it with the markdown-it parser the book
uses (plus maths, so that it can be refused), `check` lists what is outside the safe subset
or refers to nothing, and `render` swaps each reference for its escaped value and drops the
`%` comments, for a chapter to display as Markdown. Two last guards run on the filled-in
text: it must read as the file did, and as plain prose in each way myst-nb may read it.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote

from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from healthcheck.data.files import NARRATIVE_DIR
from healthcheck.errors import DataError, Problem, display_path
from healthcheck.escape import myst_text

STATEMENT, THEME, FACT = "statements", "themes", "facts"
ROLES = dict.fromkeys(["pct", "n", "ci", "change", "national", "region"], STATEMENT) | {"theme-score": THEME, "fact": FACT}
FACTS = ("respondents", "response-rate", "workforce", "focus-groups", "participants", "year", "previous-year")
KINDS = ("summary", "introduction", "theme", "conclusions")
# The extensions _config.yml enables (keep the two in step), and maths, so that it is refused.
_BOOK_EXTENSIONS = ["colon_fence", "substitution"]
# The safe subset, as markdown-it tokens (closing tokens are not listed; they follow their opening).
_ALLOWED = frozenset(
    "paragraph_open heading_open inline bullet_list_open ordered_list_open list_item_open blockquote_open hr table_open"
    " thead_open tbody_open tr_open th_open td_open myst_line_comment text softbreak hardbreak em_open strong_open"
    " link_open myst_role".split()
)
_ATTRS = {"link_open": {"href", "title"}, "ordered_list_open": {"start"}, "th_open": {"style"}, "td_open": {"style"}}
_ATTRS["myst_line_comment"] = {"class"}
# What the analyst is told for each construct outside the subset ("expected ...").
_NOT_ALLOWED = {
    key: message
    for keys, message in [
        ("fence", "no code blocks (``` fences): the narrative is prose; numbers come from references"),
        ("code_block", "no code: lines indented by four or more spaces are shown as code, so remove the indentation"),
        ("code_inline", "no text between backticks; a reference is written like {pct}`IMP01`, nothing between } and `"),
        ("html_block html_inline", "no HTML; write plain Markdown (use % for a note to yourself)"),
        ("image", "no images; the charts come from the data"),
        ("front_matter", "no front matter (the --- block at the top of the file)"),
        ("substitution_inline substitution_block", "no {{ }} substitutions; use a reference such as {fact}`respondents`"),
        ("myst_target", "no (name)= targets: they would clash with the book's own labels"),
        ("myst_block_break", "no +++ block breaks; use --- for a dividing line"),
        ("footnote_ref footnote_block_open", "no footnotes; put the point in the text"),
        ("math_inline math_inline_double math_block math_block_label amsmath", "no maths; write \\$ for a dollar sign"),
    ]
    for key in keys.split()
}
_GROUPING = frozenset(
    "paragraph_open paragraph_close bullet_list_open bullet_list_close ordered_list_open ordered_list_close list_item_open"
    " list_item_close blockquote_open blockquote_close myst_line_comment inline".split()
)
_H1 = "a heading starting ## (the chapter title is the page's only # heading)"
_DIRECTIVE = "no directives ({name}): only prose, lists, tables, links and references"
_UNCLOSED = re.compile(r"\{[\w+:-]+\}`")  # what is left of a reference whose backticks do not pair
_YEAR = re.compile(r"\d{4}")
_TODO = re.compile(r"\bTODO\b")
_PERCENT = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """One reference as typed: {role}`content`, on a 1-based line of the file."""

    role: str
    content: str
    line: int
    text: str

    @property
    def target(self) -> str:
        """The code or name referred to (IMP01, wellbeing, respondents)."""
        return self.content.split()[0] if self.content.split() else ""

    @property
    def year(self) -> int | None:
        """The year asked for ({pct}`IMP01 2021`), or None for the report's own year."""
        words = self.content.split()
        return int(words[1]) if len(words) == 2 and _YEAR.fullmatch(words[1]) else None


@dataclass(frozen=True)
class Narrative:
    """A parsed narrative file: its text (line endings normalised), tokens and references."""

    file: str
    text: str
    tokens: tuple[Token, ...]
    references: tuple[Reference, ...]


class Status(NamedTuple):
    state: str  # "missing", "unfinished" or "finished"
    missing: tuple[str, ...]  # what is left to write, for the analyst


# ------------------------------------------------------------------------------- parsing


class _LineState(StateInline):
    """Records on every inline token the line (within the block) where it starts."""

    def __init__(self, src, md, env, out_tokens):
        super().__init__(src, md, env, out_tokens)
        self._breaks = [i for i, ch in enumerate(src) if ch == "\n"]

    def _line(self) -> list[int]:
        line = bisect.bisect_left(self._breaks, self.pos)
        return [line, line + 1]

    def pushPending(self) -> Token:
        token = super().pushPending()
        token.map = self._line()
        return token

    def push(self, ttype, tag, nesting) -> Token:
        token = super().push(ttype, tag, nesting)  # pending text is flushed through pushPending
        token.map = self._line()
        return token


def _parser():
    md = create_md_parser(MdParserConfig(enable_extensions=[*_BOOK_EXTENSIONS, "dollarmath", "amsmath"]), RendererHTML)
    # See every link, whatever its address, so that check() can refuse it with its line.
    md.validateLink = lambda url: True
    inline = md.inline

    def parse_inline(src, md, env, tokens):
        state = _LineState(src, md, env, tokens)
        inline.tokenize(state)
        for rule in inline.ruler2.getRules(""):
            rule(state)
        return state.tokens

    inline.parse = parse_inline
    role_rule = next(r.fn for r in inline.ruler.__rules__ if r.name == "myst_role")

    def role_with_source(state, silent):  # keeps the reference exactly as typed
        start = state.pos
        if not role_rule(state, silent):
            return False
        if not silent:
            line_start = state.src.rfind("\n", 0, start) + 1
            state.tokens[-1].meta.update(raw=state.src[start : state.pos], col=start - line_start)
        return True

    inline.ruler.at("myst_role", role_with_source)
    return md


_MD = _parser()
# How myst-nb may read a Markdown output (nb_render_markdown_format): commonmark, gfm or myst.
_READERS = [
    create_md_parser(config, RendererHTML)
    for config in (
        MdParserConfig(commonmark_only=True),
        MdParserConfig(gfm_only=True),
        MdParserConfig(enable_extensions=_BOOK_EXTENSIONS),
    )
]
for _reader in _READERS:
    _reader.validateLink = lambda url: True


def parse(text: str | None, file: str) -> Narrative:
    """Parse a narrative file's text; `file` is the name used in messages (an empty text is a missing file)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    tokens = _MD.parse(text)
    lines, references = text.split("\n"), []
    for token in tokens:
        # A paragraph drops leading lines of Unicode spaces (U+2028, no-break): start at its text.
        first = token.content.split("\n")[0] if token.type == "inline" and token.map else ""
        while first and token.map[0] + 1 < token.map[1] and first not in lines[token.map[0]]:
            token.map = [token.map[0] + 1, token.map[1]]
        for child in token.children or []:
            # Inline lines count from the block's first line; make them lines of the file.
            rel = child.map[0] if child.map else 0
            child.map = [token.map[0] + rel, token.map[0] + rel + 1]
            if child.type == "myst_role" and child.meta["name"] in ROLES:
                raw = child.meta["raw"]
                content = raw[raw.index("`") :].strip("`").strip()
                references.append(Reference(child.meta["name"], content, child.map[0] + 1, raw))
    return Narrative(file, text, tuple(tokens), tuple(references))


def _walk(narrative: Narrative) -> Iterable[tuple[Token, int]]:
    """Every token, inline ones included, with its 1-based line."""
    line = 1
    for token in narrative.tokens:
        line = token.map[0] + 1 if token.map else line
        yield token, line
        yield from ((child, child.map[0] + 1) for child in token.children or [])


# ------------------------------------------------------------------------------- checking


def known_targets(statements, themes, years, facts=FACTS, national=None, region=None) -> dict[str, tuple]:
    """What references may name; `national`/`region` default to every statement."""
    national, region = (statements if names is None else names for names in (national, region))
    known = {STATEMENT: statements, THEME: themes, FACT: facts, "years": years, "national": national, "region": region}
    return {kind: tuple(names) for kind, names in known.items()}


def check(narrative: Narrative, known: Mapping[str, Iterable]) -> list[Problem]:
    """Everything outside the safe subset, and every reference to nothing, as Problems with lines.

    `known` maps "statements", "themes", "facts", "years" (and optionally "national" and
    "region") to the names references may use; `known_targets` builds it.
    """
    problems = _safety(narrative)
    if not any(p.severity == "error" for p in problems):
        try:  # trial fills show a reference that would run into the markup around it
            for value in ("0", "up 3 points, no change"):
                problems += _filled_problems(narrative, _fill(narrative, lambda ref, value=value: value))
        except DataError as error:
            problems += error.problems
        problems = list(dict.fromkeys(problems))
    return problems + [p for ref in narrative.references if (p := _reference_problem(narrative, ref, known))]


def _problem(narrative: Narrative, line: int, expected: str, found: str | None = None, severity="error") -> Problem:
    if found is None:
        lines = narrative.text.split("\n")
        found = lines[line - 1].strip()[:80] if 0 < line <= len(lines) else None
    return Problem(narrative.file, line, None, found, expected, severity)


def _safety(narrative: Narrative) -> list[Problem]:
    problems = []
    for token, line in _walk(narrative):
        if token.nesting == -1:
            continue
        message = _token_problem(token)
        if message:
            problems.append(_problem(narrative, line, message))
        elif token.type == "heading_open" and token.tag == "h1":
            problems.append(_problem(narrative, line, _H1, severity="warning"))
    return list(dict.fromkeys(problems))  # one report per construct and line


def _token_problem(token: Token) -> str | None:
    if token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
        return _DIRECTIVE.format(name=token.info.split()[0])
    if token.type == "colon_fence":
        return "no ::: blocks: only prose, lists, tables, links and references"
    if token.type not in _ALLOWED:
        return _NOT_ALLOWED.get(token.type, f"only prose, lists, tables, links and references (not {token.type})")
    if set(token.attrs) - _ATTRS.get(token.type, set()) or token.meta.get("insecure_attrs"):
        return "no {...} attribute syntax"
    if token.type == "text" and "`" in token.content:  # a backtick can pair up with a reference's
        if _UNCLOSED.search(token.content):
            return "a reference with its closing backtick, like {pct}`IMP01`"
        return "no backticks except in references such as {pct}`IMP01`"
    if token.type == "link_open":
        return _link_problem(str(token.attrs.get("href", "")))
    if token.type == "myst_role":
        if "\n" in token.meta["raw"]:
            return "a reference on one line (it is split across two)"
        if token.meta["name"] not in ROLES:
            return _roles_hint(token.meta["name"])
    return None


def _roles_hint(typed: str) -> str:
    close = difflib.get_close_matches(typed.lower(), list(ROLES), n=2, cutoff=0.6)
    if close:
        return f"a reference role ({{{typed}}} is not one): did you mean " + " or ".join(f"{{{c}}}" for c in close) + "?"
    return f"a reference role ({{{typed}}} is not one): " + ", ".join(f"{{{r}}}" for r in ROLES)


def _link_problem(href: str) -> str | None:
    """Links may go to web pages (http, https), email (mailto), this page (#...) or another chapter."""
    url = href
    for _ in range(3):  # undo entity and %-encoding (up to three layers) before judging
        url = html.unescape(unquote(url))
    url = "".join(ch for ch in url if ch.isprintable() and not ch.isspace()).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", url)
    if scheme:
        if scheme.group(1) in ("http", "https", "mailto"):
            return None
        return f"a link to a web page (https://...) or an email address (mailto:...), not '{scheme.group(1)}:'"
    if url.startswith("#"):
        return None
    path = url.split("#")[0].split("?")[0].replace("\\", "/")
    if path.startswith("/") or ".." in path.split("/"):
        return "a link to a web page (https://...) or to a chapter beside this one (for example methods.md)"
    if PurePosixPath(path).suffix not in ("", ".md", ".ipynb", ".html", ".htm"):
        return "no links to files: a linked file would be copied into the published report"
    return None


def _reference_problem(narrative: Narrative, ref: Reference, known: Mapping[str, Iterable]) -> Problem | None:
    kind = ref.role if ref.role in ("national", "region") and ref.role in known else ROLES[ref.role]
    words = ref.content.split()
    if not words or len(words) > 2 or (len(words) == 2 and not _YEAR.fullmatch(words[1])):
        example = f"{{{ref.role}}}`{ {THEME: 'wellbeing', FACT: 'respondents'}.get(ROLES[ref.role], 'IMP01') }`"
        expected = f"a reference like {example} or {example[:-1]} 2021` (a code, then perhaps a four-digit year)"
        return _problem(narrative, ref.line, expected, ref.text)
    choices = [str(c) for c in known.get(kind, ())]
    if ref.target not in choices:
        what = {STATEMENT: "a statement code", THEME: "a theme code", FACT: "a fact"}.get(kind, "a statement code")
        if kind in ("national", "region"):
            what = f"a statement with a {kind} benchmark"
        return _problem(narrative, ref.line, f"{what}: {_closest(ref.target, choices)}", ref.text)
    years = [str(y) for y in known.get("years", ())]
    if ref.year is not None and years and str(ref.year) not in years:
        return _problem(narrative, ref.line, f"a survey year in the data: {', '.join(years)}", ref.text)
    return None


def _closest(typed: str, choices: list[str]) -> str:
    """The valid choices nearest to what was typed (ignoring case), or the first few when none is near."""
    by_lower = {c.lower(): c for c in choices}
    close = [by_lower[c] for c in difflib.get_close_matches(typed.lower(), list(by_lower), n=3, cutoff=0.5)]
    if close:
        return "closest to what was typed: " + ", ".join(close)
    if not choices:
        return "there are none this year"
    more = f" and {len(choices) - 8} more" if len(choices) > 8 else ""
    return "one of " + ", ".join(choices[:8]) + more


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
    return value if value.startswith(("\\", "&#92;")) else f"&#{ord(value[0])};{value[1:]}"


def render(narrative: Narrative, resolve: Callable[[Reference], str]) -> str:
    """The narrative as Markdown: each reference replaced by its escaped value, comments removed.

    Raises DataError when the file has anything outside the safe subset (see `check`), or
    when a value would change how the text around it reads.
    """
    errors = [p for p in _safety(narrative) if p.severity == "error"]
    if errors:
        raise DataError(errors)
    text = _fill(narrative, resolve)
    if problems := _filled_problems(narrative, text):
        raise DataError(problems)
    return text.strip("\n") + "\n"


def _fill(narrative: Narrative, resolve: Callable[[Reference], str]) -> str:
    """The file's text with references replaced and comment lines blanked, line for line."""
    lines = narrative.text.split("\n")
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for index, column, raw, ref in _placed_references(narrative, lines):
        try:
            value = escape(resolve(ref))
        except ValueError:
            raise DataError([_problem(narrative, ref.line, "a reference that gives a value", ref.text)]) from None
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
                if item.type == "myst_role" or _token_problem(item):
                    expected = "plain prose: the book's Markdown reader would take this line as HTML, code or other markup"
                    return _problem(narrative, line, expected)
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
            return _problem(narrative, (new or old)[1], expected)
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
                raise DataError([_problem(narrative, ref.line, "a reference on one line", ref.text)])
            yield index, column, raw, ref


# ------------------------------------------------------------------------------- typed numbers


def typed_percentages(narrative: Narrative) -> list[tuple[int, float]]:
    """Percentages typed in the prose ("82%", "82 per cent", "82 percent"), with their lines; not in references or comments."""
    found = []
    for token in narrative.tokens:
        if token.type != "inline":
            continue
        text, starts, lines = "", [], []
        for child in token.children or []:
            piece = {"text": child.content, "softbreak": "\n", "hardbreak": "\n", "myst_role": "\0"}.get(child.type, "")
            starts.append(len(text))
            lines.append(child.map[0] + 1)
            text += piece
        for match in _PERCENT.finditer(text):
            line = lines[bisect.bisect_right(starts, match.start()) - 1]
            found.append((line, float(match.group(1))))
    return found


def nearest_figures(value: float, figures: Mapping[str, float] | Iterable[float], k: int = 3) -> list[tuple[str, float]]:
    """The k figures closest to `value`, as (label, figure); plain numbers are labelled by themselves."""
    items = figures.items() if isinstance(figures, Mapping) else ((f"{f:g}%", f) for f in figures)
    return sorted(((str(label), float(f)) for label, f in items), key=lambda item: (abs(item[1] - value), item[0]))[:k]


def percentage_warnings(narrative: Narrative, figures: Mapping[str, float]) -> list[Problem]:
    """A warning for each typed percentage that is none of the chapter's figures as displayed."""
    problems = []
    for line, value in typed_percentages(narrative):
        decimals = len(f"{value:g}".partition(".")[2])
        if any(abs(float(f) - value) <= 0.5 * 10**-decimals for f in figures.values()):
            continue
        near = ", ".join(f"{label} = {f:.1f}%" for label, f in nearest_figures(value, figures))
        expected = f"a reference instead of a typed figure; no figure in this chapter is {value:g}% (nearest: {near or 'none'})"
        problems.append(_problem(narrative, line, expected, f"{value:g}%", severity="warning"))
    return problems


# ------------------------------------------------------------------------------- status and templates


def status(narrative: Narrative) -> Status:
    """'missing' (nothing written), 'unfinished' (prompts with no prose, or a TODO) or 'finished'."""
    if not narrative.text.strip():
        return Status("missing", (f"{narrative.file} has not been written",))
    todo = [f"line {n}: a TODO marker" for n, text in enumerate(narrative.text.split("\n"), 1) if _TODO.search(text)]
    sections: list[list] = [["the start of the file", 1, False, False]]  # heading, line, prose?, prompts?
    in_heading = False
    for token, line in _walk(narrative):
        if token.type == "heading_open":
            sections.append([None, line, False, False])
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and in_heading:
            sections[-1][0] = f"'{token.content.strip()}'"
        elif token.type == "inline" and token.content.strip():
            sections[-1][2] = True
        elif token.type == "myst_line_comment":
            sections[-1][3] = True
    # The notes before the first heading explain the file; only a section's prompts ask for text.
    unfilled = [
        f"line {n}: {name} has prompts but no text yet" for name, n, prose, prompt in sections[1:] if prompt and not prose
    ]
    if not any(prose for _, _, prose, _ in sections):
        unfilled.insert(0, f"{narrative.file} has headings and prompts but no text of its own yet")
    missing = tuple(unfilled + todo)
    return Status("unfinished" if missing else "finished", missing)


# {q}, {t} and {y}: a statement code, a theme code and last year, from the council's own bank.
_REFERENCE_HELP = [
    "Lines starting with % are notes for you: readers never see them. Write your own words",
    "under each heading; a section is finished when it has text of its own. Never type a",
    "number: write a reference and the build puts in this year's figure, for example",
    "  {{pct}}`{q}` of staff agreed ({{n}}`{q}` responses; 95% interval {{ci}}`{q}`).",
    "  Agreement was {{change}}`{q}`. Last year it was {{pct}}`{q} {y}`.",
    "  The theme score was {{theme-score}}`{t}`; {{fact}}`respondents` staff took part",
    "  ({{fact}}`response-rate`). Benchmarks: {{national}}`{q}`, {{region}}`{q}`.",
    "Facts: " + ", ".join(FACTS) + ".",
]
# kind | heading | what to write there
_SECTIONS = """
summary | Key findings | Three to five points a busy reader should take away, each with its reference.
summary | What has changed | What rose or fell significantly since the last survey, using {change}`...`.
summary | What happens next | In a sentence or two, what the service will do in response.
introduction | About this report | Why the health check is done and who it is for.
introduction | Who took part | How many staff answered and the response rate, with {fact}`...` references.
theme | What the findings show | Your reading of this theme's results: what stands out and why it matters.
theme | What this means | What the service will do, or what needs looking at further.
conclusions | What the findings tell us | The main messages across the themes, with references.
conclusions | Next steps | What will happen next and when staff will hear about it.
"""


def template(kind: str, *, title: str, prompts: Iterable[str] = (), example=("Q01", "your-theme", 2023)) -> str:
    """A new year's narrative file: headings and % prompts, never earlier years' words.

    `title` names what the file is about (a theme's title, "Summary"); `prompts` are extra
    lines for the notes, such as the statement codes and labels the analyst can refer to;
    `example` is (statement code, theme code, an earlier year) for the reference examples,
    taken from the council's own bank so the help speaks its language.
    """
    if kind not in KINDS:
        raise ValueError(f"a narrative kind is one of {', '.join(KINDS)}, not {kind!r}")

    def note(text) -> str:  # one comment line, whatever the prompt holds
        return "% " + " ".join(str(text).split()) if str(text).strip() else "%"

    q, t, y = example
    lines = [note(f"{title}: the {kind} narrative."), *(note(h.format(q=q, t=t, y=y)) for h in _REFERENCE_HELP)]
    extra = [note(p) for p in prompts]
    if extra:
        lines += ["%", note("References you can use here:"), *extra]
    for row in _SECTIONS.strip().splitlines():
        section, heading, prompt = row.split(" | ")
        lines += ["", f"## {heading}", "", note(prompt)] if section == kind else []
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- a year's files

#: The fixed chapters that take narrative; each theme chapter takes `themes/<code>.md`.
FIXED_KINDS = ("summary", "introduction", "conclusions")


@dataclass(frozen=True)
class Part:
    """One narrative file of a year: which chapter it belongs to and where it lives."""

    kind: str  # summary, introduction, theme or conclusions
    theme: str | None
    path: Path

    @property
    def label(self) -> str:
        """The file as the analyst names it, relative to the year's folder."""
        return self.path.relative_to(self.path.parents[2 if self.theme else 1]).as_posix()


def parts(data_dir: Path, year: int, themes) -> list[Part]:
    """Every narrative file the year's book reads, present or not, in book order."""
    folder = Path(data_dir) / str(year) / NARRATIVE_DIR
    fixed = {kind: Part(kind, None, folder / f"{kind}.md") for kind in FIXED_KINDS}
    return (
        [fixed["summary"], fixed["introduction"]]
        + [Part("theme", code, folder / "themes" / f"{code}.md") for code in themes]
        + [fixed["conclusions"]]
    )


def part(data_dir: Path, year: int, kind: str, theme: str | None = None) -> Part:
    """The narrative file of one chapter."""
    return next(p for p in parts(data_dir, year, [theme] if theme else []) if p.kind == kind and p.theme == theme)


def read(p: Part, data_dir: Path) -> Narrative:
    """The parsed file (empty when it does not exist), named as the analyst sees it in messages."""
    text = p.path.read_text(encoding="utf-8") if p.path.is_file() else ""
    return parse(text, display_path(p.path, data_dir))


def unfinished(data_dir: Path, year: int, themes) -> list[str]:
    """What is missing or unfinished in the year's narrative, one line per thing, for `--final`."""
    lines = []
    for p in parts(data_dir, year, themes):
        state = status(read(p, data_dir))
        if state.state == "missing":
            lines.append(f"{p.label}: not written yet")
        elif state.state == "unfinished":
            lines += [f"{p.label}: {what}" for what in state.missing]
    return lines
