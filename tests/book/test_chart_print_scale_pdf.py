"""The book-tier tests of tests/unit/test_chart_print_scale.py (see tests/README.md for the tiers)."""

from __future__ import annotations

from healthcheck.pipeline.pdf import page as pdfpage
from tests.unit.test_chart_print_scale import MIN_PRINTED_PT, figure_scales


def test_every_chart_prints_its_text_at_a_readable_size(demo_book):
    """Chart text at 7.5 pt or more on paper, every chart. (A chart too tall for a page's chart
    room at 7.5 pt was once allowed to print smaller; the breakdown dot plots that needed it
    are now compact, so none may.)"""
    scales = figure_scales(demo_book.pdf_path)
    # the demo has charts in every theme chapter: all of them are measured
    assert len(scales) >= 30, scales
    small = [(page, round(pdfpage.CHART_TEXT_PT * scale, 2)) for page, scale, _ in scales]
    small = [(page, pt) for page, pt in small if pt < MIN_PRINTED_PT]
    assert not small, f"charts whose text prints under {MIN_PRINTED_PT} pt (page, pt): {small}"
    # one scale for every chart: its text at CHART_PRINT_PT, whatever its size
    printed = [pdfpage.CHART_TEXT_PT * scale for _, scale, _ in scales]
    assert all(abs(pt - pdfpage.CHART_PRINT_PT) < 0.02 for pt in printed), sorted(set(round(pt, 3) for pt in printed))
    print(f"chart text prints at {min(printed):.3f}-{max(printed):.3f} pt")
