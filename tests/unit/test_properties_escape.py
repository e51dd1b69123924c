"""Property-based tests (Hypothesis) of escaping, wherever text from the data folder lands.

For arbitrary Unicode text: escaped HTML parses back to exactly that text and creates no
element or attribute (`escape.html_text`, `escape.html_attr`, `tables.html_table`); MyST text
renders as the literal text in every way myst-nb may read Markdown (`escape.myst_text`,
`mystrender.escape`); matplotlib draws the text itself, never mathtext (`escape.mpl_text`);
and no spreadsheet cell can start a formula (`escape.spreadsheet_cell`, `exports.write_csv`).
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
import warnings
from html.parser import HTMLParser

import matplotlib
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from healthcheck import escape
from healthcheck.data.narrative import render as mystrender
from healthcheck.data.narrative.myst import BOOK_EXTENSIONS
from healthcheck.present import exports, tables

pytestmark = pytest.mark.unit

# No deadline and no too_slow health check: the machine is shared, and a slow example is not a wrong one.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # each example draws a figure

# Hostile text: anything Unicode has, with the characters markup is made of made likely.
MARKUP = list("<>&\"'`$\\*_[](){}#|%=+-@!:~^.\t\r\n") + [
    "{{",
    "}}",
    "</p>",
    "&amp;",
    "&#60;",
    "$$",
    "```",
    ":::",
    "\u2028",
    "\x00",
]
hostile = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(MARKUP)), max_size=12).map("".join)
# Text without control characters: what a drawn label or an attribute may sensibly hold.
printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


# --------------------------------------------------------------------------- HTML


class Events(HTMLParser):
    """Every element, attribute and piece of text an HTML parser finds: `tags` (no text),
    `text` (the text alone) and `order` (both, as they come)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.order = [], [], []

    def _tag(self, kind, name, attrs):
        self.tags.append((kind, name, attrs))
        self.order.append((kind, name, attrs))

    def handle_starttag(self, tag, attrs):
        self._tag("start", tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag("empty", tag, attrs)

    def handle_endtag(self, tag):
        self._tag("end", tag, None)

    def handle_data(self, data):
        self.text.append(data)
        self.order.append(("text", data, None))

    def handle_comment(self, data):
        self._tag("comment", data, None)

    def handle_decl(self, decl):
        self._tag("decl", decl, None)

    def handle_pi(self, data):
        self._tag("pi", data, None)

    def unknown_decl(self, data):
        self._tag("unknown", data, None)


def parse(markup: str) -> Events:
    parser = Events()
    parser.feed(markup)
    parser.close()
    return parser


def elements(markup: str) -> list[tuple[str, dict, str]]:
    """(name, attributes, all the text inside) of every element, in document order, exactly as
    the standard library's HTML parser reads it (BeautifulSoup turns a tab alone into a space)."""
    found, open_ = [], []
    for kind, value, attrs in parse(markup).order:
        if kind in ("start", "empty"):
            found.append([value, dict(attrs), ""])
            if kind == "start":
                open_.append(len(found) - 1)
        elif kind == "end":
            while open_ and found[open_.pop()][0] != value:
                pass
        elif kind == "text":
            for i in open_:
                found[i][2] += value
    return [tuple(e) for e in found]


def texts_of(markup: str, name: str) -> list[str]:
    """The text of every `name` element, in order."""
    return [text for tag, _, text in elements(markup) if tag == name]


@FAST
@given(hostile)
@example("<script>alert(1)</script>")
@example("</p><p onclick=x>")
@example("&lt; is already escaped &amp; stays")
@example("<!-- a comment -->")
def test_html_text_parses_back_to_the_text_and_creates_no_element(text):
    events = parse(f"<p>{escape.html_text(text)}</p>")
    assert events.tags == [("start", "p", []), ("end", "p", None)]
    assert "".join(events.text) == text


@FAST
@given(hostile)
@example('" onmouseover="alert(1)')
@example("' autofocus x='")
def test_html_attr_parses_back_to_the_value_in_either_quotes(text):
    for quote in ('"', "'"):
        events = parse(f"<p title={quote}{escape.html_attr(text)}{quote}>x</p>")
        assert events.tags == [("start", "p", [("title", text)]), ("end", "p", None)]
        assert "".join(events.text) == "x"


def test_html_text_of_nothing_is_empty():
    assert escape.html_text(None) == escape.html_text(float("nan")) == ""


cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@FAST
@given(
    st.lists(cell_text, min_size=2, max_size=4, unique=True),
    st.lists(st.lists(cell_text, min_size=4, max_size=4), max_size=3),
    hostile,
    st.booleans(),
)
@example(["<b>Team</b>", '" data-x="1'], [["</td><td>", "&amp;"]], "<caption>", True)
def test_an_html_table_shows_every_heading_cell_and_caption_as_its_text(columns, rows, caption, stack):
    frame = pd.DataFrame([row[: len(columns)] for row in rows], columns=columns, dtype=object)
    css = "hc-table " + tables.STACK_CLASS if stack else "hc-table"
    markup = tables.html_table(frame, caption, css_class=css)
    found = elements(markup)
    assert {tag for tag, _, _ in found} <= {"div", "table", "caption", "thead", "tbody", "tr", "th", "td"}
    assert found[0][0] == "div" and found[0][1]["aria-label"] == caption
    assert texts_of(markup, "caption") == [caption]
    cells = [(tag, attrs, text) for tag, attrs, text in found if tag in ("th", "td")]
    assert [text for _, _, text in cells[: len(columns)]] == columns
    expected = [(i, value) for row in frame.itertuples(index=False) for i, value in enumerate(row)]
    assert [text for _, _, text in cells[len(columns) :]] == [value for _, value in expected]
    for (tag, attrs, _), (i, _) in zip(cells[len(columns) :], expected, strict=True):
        if i == 0:
            assert (tag, attrs) == ("th", {"scope": "row"})
        else:
            assert (tag, attrs) == ("td", {"data-label": columns[i]} if stack else {})


# --------------------------------------------------------------------------- MyST

# How myst-nb may read a Markdown output (commonmark, gfm, myst), the book's extensions, and
# every other extension that gives punctuation a meaning, in case the book enables it later.
EXTRA = [
    "amsmath",
    "attrs_inline",
    "deflist",
    "dollarmath",
    "fieldlist",
    "html_admonition",
    "html_image",
    "linkify",
    "strikethrough",
]
READERS = {
    "commonmark": create_md_parser(MdParserConfig(commonmark_only=True), RendererHTML),
    "gfm": create_md_parser(MdParserConfig(gfm_only=True), RendererHTML),
    "book": create_md_parser(MdParserConfig(enable_extensions=BOOK_EXTENSIONS), RendererHTML),
    "every extension": create_md_parser(MdParserConfig(enable_extensions=[*BOOK_EXTENSIONS, *EXTRA]), RendererHTML),
}
LINE_BREAKS = re.compile(r"\r\n?|[\n\u2028\u2029\x85\x0b\x0c]")


def documented_myst(text: str, joiner: str = " ") -> str:
    """What myst_text's docstring says the reader sees: tabs as spaces, each line's leading and
    trailing spaces dropped, empty lines dropped, lines joined (a NUL is shown as U+FFFD, as
    every Markdown reader shows it)."""
    lines = [line.strip(" ") for line in LINE_BREAKS.split(text.replace("\t", " ").replace("\x00", "\ufffd"))]
    return joiner.join(line for line in lines if line)


def visible(markup: str) -> tuple[set[str], str]:
    """(element names, text) of rendered HTML."""
    events = parse(markup)
    return {tag for kind, tag, _ in events.tags if kind == "start"}, "".join(events.text)


@FAST
@given(hostile)
@example("# Heading")
@example("1. not a list")
@example("{{ substitution }} and {role}`x` and $x$ and $$y$$")
@example("% a comment line")
@example("    four spaces would be code")
@example("www.example.com and https://example.com")
@example("| a | b |\n| - | - |")
@example("::: note\nfenced\n:::")
@example("line one\n\nline two\r\nline three")
@example("[link](javascript:alert(1)) <b>bold</b> &amp; \\*")
def test_myst_text_renders_as_the_literal_text_in_every_reader(text):
    escaped = escape.myst_text(text)
    assert "\n" not in escaped  # it stays inside the paragraph or table cell it is put in
    expected = documented_myst(text)
    for name, reader in READERS.items():
        tags, shown = visible(reader.render(escaped))
        assert tags <= {"p"}, (name, tags)
        # A paragraph's outer white space is not part of its text in Markdown.
        assert shown.strip() == expected.strip(), name


@FAST
@given(hostile)
@example("a\n\nb\nc")
def test_myst_text_with_breaks_keeps_each_line_in_one_paragraph(text):
    escaped = escape.myst_text(text, newlines="break")
    expected = documented_myst(text, "\n")
    for name, reader in READERS.items():
        tags, shown = visible(reader.render(escaped))
        assert tags <= {"p", "br"}, (name, tags)
        assert shown.strip() == expected.strip(), name


@FAST
@given(hostile)
@example("a | b")
@example("\\|")
def test_myst_text_stays_in_its_table_cell(text):
    escaped = escape.myst_text(text)
    page = f"| heading | other |\n| --- | --- |\n| {escaped} | next |\n"
    for name in ("gfm", "book", "every extension"):
        cells = texts_of(READERS[name].render(page), "td")
        assert cells[1:] == ["next"], (name, cells)
        assert cells[0].strip() == documented_myst(text).strip(), name


def shown_by_reference(text: str) -> str:
    """What mystrender.escape's docstring promises to show: control characters as spaces,
    invisible formatting characters gone, white space runs as one space."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())


# Where a resolved reference may stand in a narrative's line: (before, after, the element whose
# text holds it). The value must read as itself whatever is just before or after it.
CONTEXTS = [
    ("", "", "p"),
    ("<", ">", "p"),
    ("2022", " staff", "p"),
    ("In ", ".", "p"),
    ("**", "**", "strong"),
    ("# ", "", "h1"),
    ("> ", "", "blockquote"),
    ("- ", "", "li"),
    ("| a | ", " |", "td"),
]


@FAST
@given(hostile)
@example("2022. was a year")
@example("\ufffe at the start")  # found by this test: Markdown read its reference as U+FFFD
@example("\ufdd0\U0010ffff")
@example("\ufeff=1+1")
@example("\\")
@example("*")
def test_a_narrative_reference_shows_its_value_whatever_surrounds_it(text):
    want = shown_by_reference(text)
    if not want:
        with pytest.raises(ValueError):
            mystrender.escape(text)
        return
    value = mystrender.escape(text)
    for before, after, element in CONTEXTS:
        page = f"{before}{value}{after}\n"
        if element == "td":
            page = "| x | y |\n| - | - |\n" + page
        for name, reader in READERS.items():
            if element == "td" and name == "commonmark":
                continue  # CommonMark has no tables
            rendered = reader.render(page)
            found = texts_of(rendered, element)
            assert found, (name, before, after, rendered)
            shown = found[-1]
            literal = {"<": "<", "2022": "2022", "In ": "In "}.get(before, "")
            tail = {">": ">", " staff": " staff", ".": "."}.get(after, "")
            assert shown.strip() == f"{literal}{want}{tail}".strip(), (name, before, after)


# --------------------------------------------------------------------------- matplotlib


def drawn_text(label: str) -> str:
    """The text matplotlib writes into an SVG for `label` (fonts left as text)."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "x"}), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # glyphs the font lacks: drawn as boxes, still the text
        fig = plt.figure(figsize=(1, 1))
        try:
            fig.text(0, 0, label)
            out = io.StringIO()
            fig.savefig(out, format="svg")
        finally:
            plt.close(fig)
    found = re.findall(r"<text[^>]*>(.*?)</text>", out.getvalue(), re.S)
    assert len(found) <= 1, found  # an empty label draws nothing
    return html.unescape(found[0]) if found else ""


@SLOW
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=25))
@example("$x^2$")
@example("a price of $5 and $10")
@example("\\$ and $")
@example("$\\frac{$")  # invalid mathtext would raise when drawn
@example("_private")
def test_matplotlib_draws_the_text_itself_never_mathtext(text):
    label = escape.mpl_text(text)
    expected = ("\u200b" + text) if text.startswith("_") else text
    assert drawn_text(label) == expected


@SLOW
@given(printable)
@example("_nolegend_")
@example("_child0")
def test_every_label_reaches_the_legend(text):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        ax.plot([0, 1], [0, 1], label=escape.mpl_text(text))
        _, labels = ax.get_legend_handles_labels()
    finally:
        plt.close(fig)
    assert labels == [escape.mpl_text(text)]


# --------------------------------------------------------------------------- spreadsheets

# The docstring's list: a formula starts with =, +, -, @, a tab, a carriage return or a line
# feed (after any leading spaces), or one of their full-width forms.
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
formula_like = st.builds(
    lambda a, b, c: a + b + c, st.sampled_from(["", " ", "  "]), st.sampled_from(FORMULA), st.text(max_size=10)
)


def can_be_formula(cell: str) -> bool:
    stripped = cell.lstrip(" ")
    if PLAIN_NUMBER.fullmatch(stripped):
        return False  # a plain signed number is read as that number, which does no harm
    return cell.startswith(FORMULA) or stripped.startswith(FORMULA)


@FAST
@given(st.one_of(st.text(), formula_like))
@example('=HYPERLINK("http://x","click")')
@example("  @SUM(A1)")
@example("-2")
@example("+1.5e3")
@example("\uff1d1+1")
@example("\t=1")
def test_no_spreadsheet_cell_can_start_a_formula(text):
    cell = escape.spreadsheet_cell(text)
    assert isinstance(cell, str)
    assert not can_be_formula(cell), repr(cell)
    # What the spreadsheet shows (the leading apostrophe is not shown) is the text itself.
    assert cell == text or cell == "'" + text
    if PLAIN_NUMBER.fullmatch(text.lstrip(" ")):
        assert cell == text


@FAST
@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_numbers_stay_numbers_in_a_spreadsheet(value):
    assert escape.spreadsheet_cell(value) is value


@FAST
@given(
    st.lists(st.one_of(st.text(max_size=8), formula_like), min_size=1, max_size=3, unique=True),
    st.lists(st.lists(st.one_of(st.text(max_size=8), formula_like), min_size=3, max_size=3), min_size=1, max_size=4),
)
@example(["=1+1", "name"], [["-@x", "+cmd|' /C calc'!A0", "ok"]])
def test_a_csv_download_reads_back_as_its_text_and_no_cell_is_a_formula(tmp_path_factory, columns, rows):
    frame = pd.DataFrame([row[: len(columns)] for row in rows], columns=columns, dtype=object)
    path = tmp_path_factory.mktemp("csv") / "figures.csv"
    exports.write_csv(frame, path)
    first = path.read_bytes()
    exports.write_csv(frame, path)
    assert path.read_bytes() == first  # the same data, the same bytes
    records = list(csv.reader(io.StringIO(first.decode("utf-8"), newline="")))
    assert len(records) == len(frame) + 1
    given_cells = [list(map(str, columns)), *([str(v) for v in row] for row in frame.itertuples(index=False))]
    for record, original in zip(records, given_cells, strict=True):
        assert len(record) == len(original)
        for cell, text in zip(record, original, strict=True):
            assert not can_be_formula(cell), repr(cell)
            # Line breaks are written as "\n" (a bare carriage return would end a row).
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            assert cell == text or cell == "'" + text


WORKBOOK = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # each example writes an XLSX and an ODS workbook


def as_shown(text: str) -> str:
    """A text cell as the workbook writers document it: line breaks as "\\n", control characters
    that XML cannot hold left out (a leading apostrophe, when added, is not shown)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


@WORKBOOK
@given(
    st.one_of(st.text(max_size=10), formula_like), st.lists(st.one_of(st.text(max_size=10), formula_like), min_size=1, max_size=3)
)
@example("=cmd|' /C calc'!A0", ["@SUM(1)", "+1+1", "-2", "\t=1"])
@example("\x08", [""])  # found by this test: a control character in a sheet name made the XLSX unreadable
def test_no_workbook_cell_is_a_formula_and_every_text_reads_back(tmp_path_factory, organisation, groups):
    import zipfile

    import openpyxl

    from healthcheck.present.workbook import Cover, Sheet, write_workbooks

    cover = Cover("Health check: all figure data", organisation, 2023, "Staff survey", "data@example.org", "1 May 2023")
    table = pd.DataFrame({"Group": groups, "Agree (%)": list(range(len(groups)))})
    sheet = Sheet(exports.sheet_title(organisation or "x", set()), "A table", "t.csv", table)
    xlsx, ods = write_workbooks(cover, [sheet], 10, tmp_path_factory.mktemp("book") / "figures")

    book = openpyxl.load_workbook(xlsx)
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not can_be_formula(cell.value), (ws.title, cell.value)
    with zipfile.ZipFile(ods) as archive:
        assert b"table:formula" not in archive.read("content.xml")

    cover_rows = [row[0].value for row in book["Cover"].iter_rows()]
    if as_shown(organisation):
        written = cover_rows[cover_rows.index("Organisation") + 1]
        assert written in (as_shown(organisation), "'" + as_shown(organisation))
    cells = [row[0].value for row in book[sheet.name].iter_rows()]
    for group in groups:
        assert as_shown(group) in cells or "'" + as_shown(group) in cells or (not as_shown(group) and None in cells)


@FAST
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
@example(["History", "'quoted'", "a" * 40, "A" * 40])
@example(["\x08", "[1]:*?/\\"])
@example([" 'x' ", "a" * 30 + "'b", "'"])  # found by this test: apostrophes left at either end
def test_sheet_names_are_valid_and_unique(names):
    used: set[str] = set()
    titles = [exports.sheet_title(name, used) for name in names]
    for title in titles:
        assert 1 <= len(title) <= 31
        assert not re.search(r"[\[\]:*?/\\\x00-\x1f\ufffe\uffff]", title), repr(title)
        assert not title.startswith("'") and not title.endswith("'")
        assert title.lower() != "history"  # Excel reserves it
    assert len({t.lower() for t in titles}) == len(titles)
