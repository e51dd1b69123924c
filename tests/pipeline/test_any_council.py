"""Any council: a second council starts from an empty folder with the documented commands and
gets a whole book of its own, with nothing of the demonstration council in it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import pdf_text
from tests.support import second_council as council
from tests.unit.test_no_council_words import demonstration_words


@pytest.fixture(scope="module")
def second_book(second_council_book):
    """The analyst's path in docs/analyst-guide.md ("Starting for a new council"), step by step
    (tests/support/second_council.py), built once a session: the book tier's reflow and PDF
    checks read the same book (tests/conftest.py)."""
    return second_council_book


def test_import_took_only_sure_columns_and_every_statement(second_book):
    _, imported = second_book
    assert "respondent_id  'Respondent'" in imported.stdout
    assert "completed      'End time'" in imported.stdout
    assert "role           'Job role'" in imported.stdout
    assert f"Matched ({len(council.STATEMENTS)})" in imported.stdout


def test_every_theme_of_the_council_is_a_chapter_with_its_title(second_book):
    book, _ = second_book
    chapters = book / "html" / "chapters"
    assert sorted(p.name for p in chapters.glob("theme-*.html")) == sorted(f"theme-{c}.html" for c in council.THEMES)
    for code, (title, intro) in council.THEMES.items():
        page = (chapters / f"theme-{code}.html").read_text(encoding="utf-8")
        assert f"<title>{title} &#8212; {council.REPORT_TITLE} {council.SECOND_YEAR}" in page
        assert intro in page


def test_a_change_against_a_published_figure_with_its_base_is_tested(second_book):
    book, _ = second_book
    page = (book / "html" / "chapters" / "theme-caseloads.html").read_text(encoding="utf-8")
    table = page[page.index("healthcheck-change-table") :]
    row = re.search(r"Caseload is workable</th>(.*?)</tr>", table, re.DOTALL).group(1)
    assert f"58% ({council.FIRST_YEAR})" in row  # the published first-year figure
    assert "significant" in row.lower() and "Not compared" not in row


def test_nothing_of_the_demonstration_council_is_in_the_book(second_book):
    book, _ = second_book
    words = demonstration_words()
    texts = {p.relative_to(book).as_posix(): p.read_text(encoding="utf-8") for p in (book / "html").rglob("*.html")}
    texts["pdf"] = pdf_text(next((book / "pdf").glob("*.pdf")))
    found = [f"{name}: {w}" for name, text in texts.items() for w in words if w in text]
    assert not found, found
    assert council.ORGANISATION in texts["pdf"]


def test_zero_counts_make_no_sentence(second_book):
    book, _ = second_book
    pages = " ".join(p.read_text(encoding="utf-8") for p in (book / "html" / "chapters").glob("*.html"))
    for empty in ("0 focus groups", "0 recommendations", "about 0 ", "**0**"):
        assert empty not in pages


def test_every_page_of_the_second_councils_book_is_valid_html(second_book):
    from tests.support.site_checks import html_errors

    errors = html_errors(second_book[0] / "html")
    assert not errors, f"{len(errors)} error(s) from the Nu HTML Checker:\n" + "\n".join(errors[:40])


def test_the_second_councils_book_passes_axe_and_asks_for_nothing_outside(second_book):
    from tests.support.site_checks import axe_and_outside_requests

    html_dir = second_book[0] / "html"
    pages = sorted(p.relative_to(html_dir).as_posix() for p in (html_dir / "chapters").glob("*.html"))
    assert len(pages) >= len(council.THEMES) + 5  # the themes and the fixed chapters
    problems, outside = axe_and_outside_requests(html_dir, pages + ["search.html"])
    assert not problems, "axe-core found WCAG violations:\n" + "\n".join(problems)
    assert not outside, outside
