"""The narrative format: a safe subset of MyST, with references in place of numbers.

A narrative file is prose with references such as {pct}`IMP01`. `parse` reads it with the
markdown-it parser the book uses (plus maths, so that it can be refused); `safety_problems`
lists what is outside the safe subset, `reference_problem` a reference to nothing, and
`percentage_warnings` a percentage typed instead of referred to. Filling the references in
(and `check`, which tries trial values) is `mystrender`'s; a year's files are `narrative`'s.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from healthcheck.data.inputfile import normalise
from healthcheck.errors import Problem

STATEMENT, THEME, FACT = "statements", "themes", "facts"
ROLES = dict.fromkeys(["pct", "n", "ci", "change", "national", "region"], STATEMENT) | {"theme-score": THEME, "fact": FACT}
FACTS = ("respondents", "response-rate", "workforce", "focus-groups", "participants", "year", "previous-year")
# The extensions _config.yml enables (keep the two in step), and maths, so that it is refused.
BOOK_EXTENSIONS = ["colon_fence", "substitution"]
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
_H1 = "a heading starting ## (the chapter title is the page's only # heading)"
_DIRECTIVE = "no directives ({name}): only prose, lists, tables, links and references"
_UNCLOSED = re.compile(r"\{[\w+:-]+\}`")  # what is left of a reference whose backticks do not pair
_YEAR = re.compile(r"\d{4}")
# A typed percentage; not the confidence level in "95% interval", "95% confidence" or "95% CI".
_PERCENT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)(?!\s*(?:interval|confidence|CI)\b)", re.IGNORECASE
)


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
    md = create_md_parser(MdParserConfig(enable_extensions=[*BOOK_EXTENSIONS, "dollarmath", "amsmath"]), RendererHTML)
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


# Before a note's "%": invisible format characters (zero-width space, byte-order mark, bidi
# marks) and Unicode spaces, which would hide the "%" from the parser and publish the note.
_INVISIBLE = "".join(chr(c) for c in range(0x80, 0x10000) if unicodedata.category(chr(c)) == "Cf")
_LINE_START = re.compile(f"^[\\s{re.escape(_INVISIBLE)}\u034f\u115f\u1160\u3164\uffa0]+", re.M)
# Percent signs that look like "%" (full-width, small, Arabic): a line starting with one is a note too.
_PERCENT_LOOKALIKES = "\uff05\ufe6a\u066a\u2052"


def normalise_text(text: str | None) -> str:
    """A narrative's text as it is parsed: one kind of line ending, NUL shown as U+FFFD, Unicode
    normalised (NFC, every Unicode space a plain space: `inputfile.normalise`), and nothing
    invisible before a line's first visible character, where a look-alike percent sign becomes
    "%". A private note then starts with "%" whatever the editor put before it."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    text = normalise(text)
    if text.isascii():
        return text

    def line_start(match: re.Match) -> str:
        return "".join(ch for ch in match.group() if ch in " \t\n")

    text = _LINE_START.sub(line_start, text)
    return re.sub(f"^([ \\t]*)[{_PERCENT_LOOKALIKES}]", r"\1%", text, flags=re.M)


# The Markdown parser takes time that grows with the square of the markup characters in one
# paragraph (each "[" may open a link it then looks for the end of): 97 KB of brackets took
# half a minute. Prose needs a handful per paragraph; more is refused before parsing.
MAX_MARKUP_PER_BLOCK = 200
_MARKUP = "[]<>*_`"


def heavy_markup(text: str) -> tuple[int, str, int] | None:
    """(line, character, count) of the first paragraph holding more than MAX_MARKUP_PER_BLOCK
    of one Markdown markup character ([ ] < > * _ `), or None. Checked before parsing, so a
    pathological file is refused at once instead of stalling validate and the preview."""
    line = 1
    for block in re.split(r"(\n[ \t]*\n)", text):
        if block.startswith("\n"):
            line += block.count("\n")
            continue
        if len(block) > MAX_MARKUP_PER_BLOCK:
            for char in _MARKUP:
                count = block.count(char)
                if count > MAX_MARKUP_PER_BLOCK:
                    return line, char, count
        line += block.count("\n")
    return None


def parse(text: str | None, file: str) -> Narrative:
    """Parse a narrative file's text; `file` is the name used in messages (an empty text is a missing file).

    The text is normalised first (`normalise_text`), so that a private note is recognised
    whatever invisible characters or Unicode spaces stand before its "%"."""
    text = normalise_text(text)
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


def walk(narrative: Narrative) -> Iterable[tuple[Token, int]]:
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


def line_problem(narrative: Narrative, line: int, expected: str, found: str | None = None, severity="error") -> Problem:
    """A Problem at a line of the file; `found` is the line's text unless given."""
    if found is None:
        lines = narrative.text.split("\n")
        found = lines[line - 1].strip()[:80] if 0 < line <= len(lines) else None
    return Problem(narrative.file, line, None, found, expected, severity)


def safety_problems(narrative: Narrative) -> list[Problem]:
    """Everything outside the safe subset (and a # heading, as a warning), once per construct and line."""
    problems = []
    for token, line in walk(narrative):
        if token.nesting == -1:
            continue
        message = token_problem(token)
        if message:
            problems.append(line_problem(narrative, line, message))
        elif token.type == "heading_open" and token.tag == "h1":
            problems.append(line_problem(narrative, line, _H1, severity="warning"))
    return list(dict.fromkeys(problems))  # one report per construct and line


def token_problem(token: Token) -> str | None:
    """What is wrong with one token, as "expected ..." words; None when it is in the safe subset."""
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


def reference_problem(narrative: Narrative, ref: Reference, known: Mapping[str, Iterable]) -> Problem | None:
    kind = ref.role if ref.role in ("national", "region") and ref.role in known else ROLES[ref.role]
    words = ref.content.split()
    if not words or len(words) > 2 or (len(words) == 2 and not _YEAR.fullmatch(words[1])):
        example = f"{{{ref.role}}}`{ {THEME: 'wellbeing', FACT: 'respondents'}.get(ROLES[ref.role], 'IMP01') }`"
        expected = f"a reference like {example} or {example[:-1]} 2021` (a code, then perhaps a four-digit year)"
        return line_problem(narrative, ref.line, expected, ref.text)
    choices = [str(c) for c in known.get(kind, ())]
    if ref.target not in choices:
        what = {STATEMENT: "a statement code", THEME: "a theme code", FACT: "a fact"}.get(kind, "a statement code")
        if kind in ("national", "region"):
            what = f"a statement with a {kind} benchmark"
        return line_problem(narrative, ref.line, f"{what}: {_closest(ref.target, choices)}", ref.text)
    years = [str(y) for y in known.get("years", ())]
    if ref.year is not None and years and str(ref.year) not in years:
        return line_problem(narrative, ref.line, f"a survey year in the data: {', '.join(years)}", ref.text)
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
        problems.append(line_problem(narrative, line, expected, f"{value:g}%", severity="warning"))
    return problems
