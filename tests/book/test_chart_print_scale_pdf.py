"""The book-tier tests of tests/unit/test_chart_print_scale.py (see tests/README.md for the tiers),
on the demonstration book, the second council's and the national summary (tests/support/books.py)."""

from __future__ import annotations

import pytest

from healthcheck.pipeline.pdf import page as pdfpage
from tests.support import second_council
from tests.support.books import KINDS
from tests.support.national_batch import TWO_THEMES
from tests.unit.test_chart_print_scale import MIN_PRINTED_PT, figure_scales

#: The fewest charts each PDF prints, so that a check which finds none fails: the demonstration
#: has charts in every theme chapter; the second council's themes each have their answers and
#: breakdowns; the national summary's themes each have their statements and regions.
FEWEST = {"demo": 30, "second council": 2 * len(second_council.THEMES), "national": 2 * len(TWO_THEMES)}


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_prints_its_text_at_a_readable_size(books, kind):
    """Chart text at 7.5 pt or more on paper, every chart. (A chart too tall for a page's chart
    room at 7.5 pt was once allowed to print smaller; the breakdown dot plots that needed it
    are now compact, so none may.)"""
    scales = figure_scales(books(kind).pdf_path)
    assert len(scales) >= FEWEST[kind], scales  # every chart of the book is measured
    small = [(page, round(pdfpage.CHART_TEXT_PT * scale, 2)) for page, scale, _ in scales]
    small = [(page, pt) for page, pt in small if pt < MIN_PRINTED_PT]
    assert not small, f"{kind}: charts whose text prints under {MIN_PRINTED_PT} pt (page, pt): {small}"
    # one scale for every chart: its text at CHART_PRINT_PT, whatever its size
    printed = [pdfpage.CHART_TEXT_PT * scale for _, scale, _ in scales]
    assert all(abs(pt - pdfpage.CHART_PRINT_PT) < 0.02 for pt in printed), sorted(set(round(pt, 3) for pt in printed))
    print(f"{kind}: chart text prints at {min(printed):.3f}-{max(printed):.3f} pt")
