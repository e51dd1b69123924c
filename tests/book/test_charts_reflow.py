"""Charts that fit a phone, checked in the built demonstration book, the second council's and the
national summary (tests/support/books.py): every chart of the report's own kinds carries a
narrow drawing no wider than a phone, and at 320 and 390 CSS pixels Chromium shows every chart
whole -- no sideways scrolling, and its text no smaller than the body's small print would allow
for (11 pt drawn at no less than 85% of its size)."""

from __future__ import annotations

import base64
import re

import pytest

from healthcheck.audit.formats import read_page
from healthcheck.present.page import svg_size_px as _svg_size_px
from tests.support import second_council
from tests.support.books import KINDS, pages
from tests.support.national_batch import TWO_THEMES

#: The report's chart kinds, the introduction's word cloud(s) and words-that-rose-and-fell chart included.
NARROW_KINDS = re.compile(
    r"-(responses|trend|trends|by-team|by-locality|by-role|word-cloud|word-cloud-previous-\d{4}|word-changes)$"
)
#: The national summary's two kinds: each theme's statements across organisations, and its regions.
NATIONAL_KINDS = re.compile(r"-(statements|regions)-")
#: The fewest such charts each book has: the demonstration's 6 themes x (answers + breakdowns) +
#: trends; the second council's themes x (answers + breakdowns); the national summary's themes x 2.
FEWEST = {"demo": 20, "second council": 2 * len(second_council.THEMES), "national": 2 * len(TWO_THEMES)}
#: The pages whose charts Chromium measures: the demonstration's four kinds of chapter (its other
#: pages repeat them), every chapter of the smaller books (some have none: the second council has
#: no words for a word cloud, the national summary's first page is words and tables).
MEASURED = {
    "demo": [
        "chapters/introduction.html",
        "chapters/theme-wellbeing.html",
        "chapters/theme-practice.html",
        "chapters/trends.html",
    ],
    "second council": pages("second council"),
    "national": pages("national"),
}


@pytest.fixture(scope="module", params=KINDS)
def book(request, books):
    return books(request.param)


def test_every_chart_has_a_narrow_drawing_no_wider_than_a_phone(book):
    kinds = NATIONAL_KINDS if book.kind == "national" else NARROW_KINDS
    seen = 0
    for name in pages(book.kind):
        path = book.html_dir / name
        for figure in read_page(path).figures:
            if not kinds.search(figure["id"]):
                continue
            seen += 1
            assert len(figure["sources"]) == 1, f"{path.name}#{figure['id']}: no narrow drawing"
            svg = base64.b64decode(figure["sources"][0].split(",", 1)[1])
            width, _ = _svg_size_px(svg)
            assert width <= 400, f"{path.name}#{figure['id']}: narrow drawing {width}px wide"
            assert figure["alt"], f"{path.name}#{figure['id']}: no alt text"
    assert seen >= FEWEST[book.kind], seen


@pytest.mark.parametrize("width", [320, 390])
def test_charts_fit_a_phone_without_sideways_scrolling(book, width):
    from playwright.sync_api import sync_playwright

    from healthcheck.pipeline.pdf.printing import CHROMIUM_ARGS, find_chromium
    from tests.support.site_checks import served

    problems, measured = [], 0
    with served(book.html_dir) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
        tab = context.new_page()
        for page in MEASURED[book.kind]:
            tab.goto(site + page)
            found = tab.evaluate(
                """() => Array.from(document.querySelectorAll('figure.hc-figure picture')).map(p => {
                    const img = p.querySelector('img');
                    const box = p.closest('.hc-figure-scroll') || p.parentElement;
                    const natural = img.naturalWidth;
                    return {id: p.closest('figure').id, shown: img.getBoundingClientRect().width,
                            natural: natural, overflow: box.scrollWidth - box.clientWidth,
                            right: img.getBoundingClientRect().right, viewport: document.documentElement.clientWidth};
                })"""
            )
            assert found or book.kind != "demo", page  # each of the demonstration's four has charts
            measured += len(found)
            for f in found:
                where = f"{page}#{f['id']} at {width}px"
                if f["overflow"] > 1 or f["right"] > f["viewport"] + 1:
                    problems.append(f"{where}: scrolls sideways or runs off the screen ({f})")
                if f["natural"] > 400:
                    problems.append(f"{where}: the wide drawing was chosen ({f['natural']}px)")
                elif f["shown"] < 0.85 * f["natural"]:
                    problems.append(f"{where}: shrunk to {f['shown']:.0f} of {f['natural']}px: its text too small")
        browser.close()
    assert measured >= (FEWEST[book.kind] if book.kind != "demo" else 4), measured  # every chart of a small book
    assert problems == []
