"""The book-tier tests of tests/unit/test_chart_print_scale.py (see tests/README.md for the tiers)."""

from __future__ import annotations

from healthcheck.pipeline import pdfpage
from tests.unit.test_chart_print_scale import MIN_PRINTED_PT, figure_scales


def test_every_chart_prints_its_text_at_a_readable_size(demo_book):
    """Chart text at 7.5 pt or more on paper. A chart drawn so tall that it could not fit a
    page's chart room even at 7.5 pt (a breakdown of many statements by many teams) cannot be
    helped by the print: it must fill that room (the most the print can give it), and such
    charts are listed, so that the chart, not the print, is fixed."""
    scales = figure_scales(demo_book.pdf_path)
    # the demo has charts in every theme chapter: all of them are measured
    assert len(scales) >= 30, scales
    room_pt = pdfpage.CHART_ROOM_MM / 25.4 * 72
    small, unfitted, too_tall = [], [], []
    for page, scale, drawn_h in scales:
        printed_pt = pdfpage.CHART_TEXT_PT * scale
        if drawn_h * MIN_PRINTED_PT / pdfpage.CHART_TEXT_PT > room_pt:
            too_tall.append((page, round(drawn_h / 72, 1)))
            if drawn_h * scale < 0.97 * room_pt:
                unfitted.append((page, round(drawn_h * scale / 72 * 25.4)))
        elif printed_pt < MIN_PRINTED_PT:
            small.append((page, round(printed_pt, 2)))
    assert not small, f"charts whose text prints under {MIN_PRINTED_PT} pt (page, pt): {small}"
    assert not unfitted, f"charts too tall for a page not given the page's room (page, mm): {unfitted}"
    print(f"charts too tall to print at {MIN_PRINTED_PT} pt (page, inches drawn): {too_tall}")
