"""Text is data: one book built from a council whose every text is hostile, and every output
checked for it.

Every string an analyst types or a survey tool exports (organisation, service, report title,
context, team, locality and role names, statement wording and short labels, theme titles and
intros, highlights, quotes, speakers, words, recommendations, actions, indicators) holds
markup, script, a `javascript:` link, MyST or a spreadsheet formula. The book must show each
as the text it is: escaped in the HTML of the website and of the auditors' notebook pages
(no live `<script>`, no `on...=` attribute, no `javascript:` link anywhere), as text in the
SVG charts, neutralised in every CSV and XLSX cell (and no XLSX cell a formula), and present
as text in the PDF.
"""

from __future__ import annotations

import csv
import html
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.support.hostile_council import STATEMENTS, write_council

# Each hostile string carries a marker (XSS-...) so that a live copy of it can be recognised.
HOSTILE = {
    "organisation": '<script>alert("XSS-org")</script> Council',
    "service": '<img src=x onerror=alert("XSS-svc")> Service',
    "report_title": "Health Check <b>XSS-title</b> {{ XSS-subst }}",
    "notice": "<script>XSS-notice</script> synthetic",
    "context": '<script>alert("XSS-context")</script> see [this](javascript:alert("XSS-ctx-link"))',
    "teams": ['=HYPERLINK("http://evil.example/XSS-team","x")', '<b onmouseover=alert("XSS-team2")>South</b>'],
    "localities": ["=cmd|' /C calc'!A0", "@SUM(1) XSS-loc"],
    "roles": ["+1+1", "-2+3"],
    "theme_titles": {"practice": '<script>alert("XSS-theme")</script> Practice', "wellbeing": "Wellbeing <i>XSS-theme2</i>"},
    "theme_intros": {
        "practice": 'Intro <img src=x onerror=alert("XSS-intro")> and {pct}`PR01` # not a heading',
        "wellbeing": "Intro [click](javascript:alert('XSS-intro2')) ```code```",
    },
    "highlight": '<svg onload=alert("XSS-highlight")>',
    "shorts": {"PR01": "=1+2 <i>XSS-short</i>", "WB01": '<script>alert("XSS-short2")</script>'},
    "wordings": {"WB02": 'My manager <script>alert("XSS-wording")</script> supports me.'},
    "quotes": [
        ("practice", "<script>alert('XSS-quote')</script> said it", '=HYPERLINK("http://evil.example/XSS-speaker")'),
        ("wellbeing", "[link](javascript:alert('XSS-quote2')) and <img src=x onerror=alert(1)>", "Team manager"),
    ],
    "words": [("=XSS+word", 12), ("<b>XSS-word2</b>", 9), ("support", 7)],
    "recommendation": "<a href=\"javascript:alert('XSS-rec')\">click</a> [x](javascript:alert('XSS-rec-md'))",
    "action": "@SUM(1) <script>XSS-action</script>",
    "indicators": [("agency", '<script>alert("XSS-ind")</script>', "12", "staff", '=HYPERLINK("http://evil.example/XSS-src")')],
}


def _strings() -> list[str]:
    """Every hostile text a reader sees (an indicator's code and value are not shown as such)."""
    out = []
    for key, value in HOSTILE.items():
        if key == "indicators":
            out += [label for _, label, _, _, _ in value] + [source for *_, source in value]
        elif isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            out += list(value.values())
        else:
            for item in value:
                out += [item] if isinstance(item, str) else [v for v in item if isinstance(v, str)]
    return out


# Strings the printed report must show (those of the website's text that a reader sees in print).
IN_PDF = [
    HOSTILE["organisation"],
    HOSTILE["report_title"],
    HOSTILE["context"],
    HOSTILE["theme_titles"]["practice"],
    HOSTILE["theme_intros"]["practice"],
    HOSTILE["quotes"][0][1],
    HOSTILE["recommendation"],
    HOSTILE["action"],
    HOSTILE["indicators"][0][1],
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _flat(text: str) -> str:
    """Text with no white space at all: a chart or a PDF table cell wraps long text anywhere."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The hostile council's 2022 book, built with the real chapters (validation gives warnings only)."""
    from healthcheck.pipeline.stages import build_book

    work = tmp_path_factory.mktemp("injection")
    data = write_council(work / "data", HOSTILE)
    result = build_book(2022, data_dir=data, build_root=work / "build", force=True, progress=False)
    return result.out_dir


class _Page(HTMLParser):
    """Everything of a page that could run, and its text as a reader (or a screen reader) gets it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.live: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and ("XSS" in value or "alert(" in value):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in ("alt", "title", "aria-label", "content"):
                self.text.append(value)

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "XSS" in data:
            self.live.append(f"<script>{data[:80]}")
        else:
            self.text.append(data)


def _pages(folder: Path) -> dict[Path, _Page]:
    pages = {}
    for path in sorted(folder.rglob("*.html")):
        if "_static" in path.parts:
            continue
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path] = parser
    return pages


@pytest.mark.parametrize("part", ["html", "notebooks"])
def test_no_live_script_handler_or_javascript_link(book, part):
    pages = _pages(book / part)
    assert pages, f"no pages in {part}/"
    live = {str(p.relative_to(book)): page.live for p, page in pages.items() if page.live}
    assert not live, f"hostile text became live markup: {live}"


def test_every_hostile_text_is_shown_as_text_on_the_website(book):
    text = _squash(" ".join(t for page in _pages(book / "html").values() for t in page.text))
    missing = [s for s in _strings() if _squash(s) not in text]
    assert not missing, f"not shown as written anywhere on the website: {missing}"


def _svg_texts(path: Path) -> tuple[str, list[str]]:
    """(all text and comments of an SVG, anything live in it). matplotlib draws text as paths
    and keeps the text in a comment beside them."""
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True))
    root = ElementTree.fromstring(path.read_bytes(), parser=parser)
    texts, live = [], []
    for element in root.iter():
        if element.tag is ElementTree.Comment:  # matplotlib escapes &, < and > in its comments
            texts.append(html.unescape(element.text or ""))
            continue
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("script", "foreignObject"):
            live.append(tag)
        texts.append(element.text or "")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on") or (local == "href" and value.strip().lower().startswith("javascript:")):
                live.append(f"{tag} {local}={value!r}")
    return " ".join(texts).replace("\\$", "$"), live


def test_svg_charts_hold_the_text_as_text(book):
    svgs = sorted((book / "html").rglob("*.svg"))
    svgs = [p for p in svgs if "_static" not in p.parts]
    assert svgs
    drawn, live = "", []
    for path in svgs:
        texts, found = _svg_texts(path)
        drawn += " " + texts
        live += [f"{path.name}: {f}" for f in found]
    assert not live, live
    # A chart's label breaks a word too long for its line inside the word, with a hyphen at the
    # break (wrap_to): '=HYPERLINK("htt-' / 'p://evil.example/-' / ...; the dot plots' group names
    # are drawn that way. Read back, such a hyphen and its line break are taken out; every other
    # character must be there as written (so drawn literally, never as mathtext or markup).
    everything, unbroken = _flat(drawn), _flat(re.sub(r"-\s+", "", drawn))
    # (The word cloud is a picture of the words, with its data beside it; its words are checked
    # on the website and in the CSV.) The organisation is in no chart since the summary's A4
    # infographic (whose subtitle named it) gave way to HTML tiles: it is checked on the pages below.
    charted = [HOSTILE["shorts"]["PR01"], HOSTILE["shorts"]["WB01"], HOSTILE["teams"][0], HOSTILE["localities"][1],
               HOSTILE["theme_titles"]["practice"]]  # fmt: skip
    missing = [s for s in charted if _flat(s) not in everything and _flat(s) not in unbroken]
    assert not missing, f"not drawn as text in any chart: {missing}"
    # Wherever the organisation is drawn now, it is the HTML pages, as escaped text, never markup.
    organisation = HOSTILE["organisation"]
    pages = [p for p in sorted((book / "html").rglob("*.html")) if "_static" not in p.parts]
    raw = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    escaped = r"&lt;script&gt;alert\((?:\"|&quot;|&#34;|&#x22;)XSS-org(?:\"|&quot;|&#34;|&#x22;)\)&lt;/script&gt;\s+Council"
    assert re.search(escaped, raw), "the organisation should be on the pages, escaped"
    assert organisation.split(" ")[0] not in raw, "the organisation's <script> reached a page unescaped"


def _dangerous(cell: str) -> bool:
    stripped = cell.lstrip(" ")
    starts = stripped.startswith(_FORMULA_START) or cell.startswith(_FORMULA_START)
    return starts and not _PLAIN_NUMBER.fullmatch(stripped)


def test_every_csv_cell_is_spreadsheet_safe(book):
    files = sorted((book / "html").rglob("*.csv"))
    assert files
    unsafe = []
    cells = []
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                cells += row
                unsafe += [f"{path.name}: {cell!r}" for cell in row if _dangerous(cell)]
    assert not unsafe, unsafe
    joined = _squash(" ".join(cells))
    assert _squash("'" + HOSTILE["teams"][0]) in joined, "the formula team name should be in the data, neutralised"


def test_every_xlsx_cell_is_text_or_number_never_a_formula(book):
    files = sorted((book / "html").rglob("*.xlsx"))
    assert files, "no workbook in the downloads"
    unsafe = []
    for path in files:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and (b"<f>" in archive.read(name) or b"<f " in archive.read(name)):
                    unsafe.append(f"{path.name}:{name}: a formula element")
        book_ = openpyxl.load_workbook(path)
        for sheet in book_.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        unsafe.append(f"{path.name}!{sheet.title}!{cell.coordinate}: formula {cell.value!r}")
                    elif isinstance(cell.value, str) and _dangerous(cell.value):
                        unsafe.append(f"{path.name}!{sheet.title}!{cell.coordinate}: {cell.value!r}")
    assert not unsafe, unsafe


def test_the_pdf_shows_the_text_as_written(book):
    pdfs = sorted((book / "pdf").glob("*.pdf"))
    assert pdfs
    # -raw keeps each table cell's lines together (-layout interleaves the columns of a table)
    raw = subprocess.run(["pdftotext", "-raw", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    text = _flat(raw)
    missing = [s for s in IN_PDF if _flat(s) not in text]
    assert not missing, f"not in the PDF as written: {missing}"


def test_statements_kept_their_codes(book):
    """The hostile wording still maps to its code (nothing half-read)."""
    figures = (book / "html" / "downloads").glob("*.csv")
    assert any("WB02" in p.read_text(encoding="utf-8-sig") for p in figures)
    assert set(STATEMENTS) == {"PR01", "PR02", "WB01", "WB02"}
