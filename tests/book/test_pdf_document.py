"""The demonstration book's PDF as a designed document, read as a reader's tools read it: the text
of each page (pdftotext), the bookmarks (pypdf) and page images (pdftoppm).

Cover with the publication facts from the data, a contents page whose numbers are right, each
bookmark once, no heading last on its page, no near-empty page, the annex after the report and
numbered apart, a size and a page-count limit.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from healthcheck.pipeline.book import annex_documents, load_toc
from healthcheck.pipeline.pdf.printing import cover_publication

MAX_BYTES = 3_000_000
# The aim is about 35 pages before the annex; 40 is what it takes now (47 before the
# print tables, quotes and trends were set closer). Every chart prints at one scale, its 11 pt
# text at 7.55 pt, just over the least allowed (tests/book/test_chart_print_scale_pdf.py); the breakdowns
# by group are compact dot strips; print headings are a size smaller; tables print in 8.5 pt,
# set close; quotes two to a row; the trend small multiples up to four panels a row (two themes
# a page). Most of what is left is the breakdown charts (three a theme, some too tall for two
# to share a page) and the tables. This is the length reached: lower it as it shrinks.
REPORT_PAGES_LIMIT = 40
INKED_MIN = 0.04  # share of a page's pixels that are not white, below which a page is "near-empty"
FOOTER = re.compile(r"^Page \d+ of \d+$")


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf(demo_book) -> Path:
    return demo_book.pdf_path


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The text of each page, in layout order, footer included."""
    n = len(PdfReader(str(pdf)).pages)
    out = []
    for number in range(1, n + 1):
        command = ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"]
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        out.append(run.stdout)
    return out


@pytest.fixture(scope="module")
def outline(pdf) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, page from 1), in order."""
    reader = PdfReader(str(pdf))
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def _contents(pages) -> list[tuple[str, int]]:
    """The contents page's lines: (title, page number)."""
    assert _norm(pages[1]).startswith("Contents"), pages[1][:200]
    lines = []
    for line in pages[1].splitlines():
        match = re.match(r"^\s*(.+?)\s*\.*\s+(\d+)\s*$", line)
        if match and not FOOTER.match(line.strip()):
            lines.append((_norm(match.group(1)), int(match.group(2))))
    return lines


def test_cover_carries_organisation_title_year_date_and_owner(pages, demo_data):
    settings = yaml.safe_load((demo_data / "settings.yml").read_text(encoding="utf-8"))
    meta = yaml.safe_load((demo_data / "2022" / "survey.yml").read_text(encoding="utf-8"))
    from healthcheck.data.config import Publication

    facts = cover_publication(Publication(**meta["publication"]))
    assert facts["published"] and facts["owner"]
    cover = _norm(pages[0])
    published = f"Published {facts['published']}"
    for expected in (settings["organisation"], settings["report_title"], "2022", published, facts["owner"]):
        assert _norm(expected) in cover, (expected, cover[:400])


def test_contents_page_numbers_are_where_the_chapters_are(pages, outline):
    contents = _contents(pages)
    assert len(contents) >= 8, contents
    numbers = [number for _, number in contents]
    assert numbers == sorted(numbers) and numbers[0] > 2, numbers
    titles: dict[str, int] = {}
    for _, title, page in outline:  # a chapter's title before any later heading of the same words
        titles.setdefault(_norm(title), page)
    for title, number in contents:
        plain = re.sub(r"^A\d+\s+", "", title)
        heading = next((t for t in titles if t == plain or t.endswith(plain)), None)
        assert heading, f"contents line {title!r} matches no bookmark"
        assert titles[heading] == number, f"{title!r}: the contents says page {number}, the bookmark page {titles[heading]}"
        assert plain in _norm(pages[number - 1]), f"{title!r} is not on page {number}"


def test_every_bookmark_once_and_as_its_heading(pages, outline):
    assert len(outline) > 40
    for _, title, page in outline:
        text = _norm(title)
        half = len(text) // 2
        assert not (len(text) % 2 == 0 and text[:half] == text[half:]), f"doubled bookmark: {title!r}"
        assert text in _norm(pages[page - 1]), f"bookmark {title!r} is not on its page {page}"


def test_no_heading_is_the_last_thing_on_its_page(pages, outline):
    stranded = []
    for _, title, page in outline:
        body = [line for line in pages[page - 1].splitlines() if line.strip() and not FOOTER.match(line.strip())]
        text = _norm(" ".join(body))
        at = text.rfind(_norm(title))
        after = text[at + len(_norm(title)) :].strip()
        if at >= 0 and len(after) < 40:  # a heading with (almost) nothing after it on the page
            stranded.append((title, page))
    assert not stranded, f"headings left at the foot of a page: {stranded}"


def test_no_near_empty_page(pdf, pages, tmp_path):
    """No page under 4% inked, but the last page of the report (the annex starts a page of its
    own) and of the annex, which end where their text ends; those hold more than a footer."""
    subprocess.run(["pdftoppm", "-r", "20", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    annex_start = min(n for t, n in _contents(pages) if re.match(r"^A\d+\s", t))
    ends = {annex_start - 1, len(pages)}
    empty = []
    for number, image in enumerate(sorted(tmp_path.glob("p-*.png")), start=1):
        pixels = Image.open(image).convert("L").tobytes()
        inked = sum(1 for value in pixels if value < 235) / len(pixels)
        if inked < (0.005 if number in ends else INKED_MIN):
            empty.append((number, round(inked * 100, 1)))
    assert not empty, f"near-empty pages (page, % inked): {empty}"


def test_annex_after_the_report_and_numbered_apart(pages, outline):
    contents = _contents(pages)
    annex = [(t, n) for t, n in contents if re.match(r"^A\d+\s", t)]
    report = [(t, n) for t, n in contents if not re.match(r"^A\d+\s", t)]
    toc_annex = annex_documents(load_toc(Path(__file__).resolve().parents[2] / "_toc.yml"))
    assert len(annex) == len(toc_annex) >= 1, annex
    assert [t.split()[0] for t, _ in annex] == [f"A{i + 1}" for i in range(len(annex))]
    assert min(n for _, n in annex) > max(n for _, n in report)
    first_annex_page = min(n for _, n in annex)
    assert _norm(pages[first_annex_page - 1]).startswith("Annex A1:"), pages[first_annex_page - 1][:100]
    assert "Annex: technical detail" in _norm(pages[1])


def test_size_and_report_length(pdf, pages):
    assert pdf.stat().st_size < MAX_BYTES
    annex_start = min(n for t, n in _contents(pages) if re.match(r"^A\d+\s", t))
    assert annex_start - 1 <= REPORT_PAGES_LIMIT, f"the report before the annex is {annex_start - 1} pages"


def test_every_web_page_links_to_the_pdf(demo_book):
    html = demo_book.html_index.parent
    pdf = demo_book.pdf_path
    for page in sorted((html / "chapters").glob("*.html")):
        links = re.findall(r'<a href="([^"]+)" type="application/pdf"', page.read_text(encoding="utf-8"))
        assert links, f"{page.name} has no link to the PDF"
        for link in links:
            assert (page.parent / link).resolve() == pdf.resolve(), (page.name, link)
