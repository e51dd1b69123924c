"""A wide chart (the drawing the PDF prints) is never taller than prints whole at the one print
scale, however many statements it has: its rows close up instead, so every chart's text prints at
the same size (tests/book/test_chart_print_scale_pdf.py). Found on the national summary of the
tests' batch, whose two themes hold 19 statements each: its charts printed at 6.4 and 6.9 pt."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from healthcheck.pipeline.pdf import page as pdfpage
from healthcheck.present.charts import style
from healthcheck.present.national.charts import distribution_chart


def _stats(n: int) -> pd.DataFrame:
    rows = [
        {"statement": f"Statement number {i} about work", "england": 60.0 + i, "n_shown": 3,
         "lo": 40.0, "q1": 50.0, "median": 60.0, "q3": 70.0, "hi": 80.0 + i / 2}
        for i in range(n)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_tallest_chart_fits_the_pdfs_chart_room_at_the_print_scale():
    printed_in = style.TALLEST_IN * pdfpage.CHART_PRINT_PT / pdfpage.CHART_TEXT_PT
    assert printed_in <= pdfpage.CHART_ROOM_MM / 25.4
    assert pdfpage.CHART_TEXT_PT == style.TEXT_SIZE


def test_a_wide_chart_of_many_statements_is_no_taller_than_the_tallest_and_keeps_its_text():
    few = distribution_chart(_stats(4), "People", 2024, 10)
    many = distribution_chart(_stats(19), "People", 2024, 10)
    narrow = distribution_chart(_stats(19), "People", 2024, 10, width=style.NARROW_IN)
    try:
        assert many.get_size_inches()[1] <= style.TALLEST_IN + 1e-9
        assert few.get_size_inches()[1] < style.TALLEST_IN  # a short chart is as it was drawn
        # a phone's drawing scrolls down: it keeps the room its labels above each row need
        assert narrow.get_size_inches()[1] > style.TALLEST_IN
        sizes = {t.get_fontsize() for t in many.findobj(plt.Text) if t.get_text()}
        assert min(sizes) >= style.TEXT_SIZE
    finally:
        for fig in (few, many, narrow):
            plt.close(fig)


def test_a_chart_that_places_its_panels_itself_keeps_the_body_it_measured():
    """Small multiples lay their panels out in inches from the body they asked for
    (style.panel_axes): shortening it would push the last row off the figure."""
    fig = style.new_figure(style.WIDE_IN, 14.0, "A title", "A subtitle", placed=True)
    try:
        assert fig.body_in[1] == 14.0 and fig.get_size_inches()[1] > style.TALLEST_IN
    finally:
        plt.close(fig)
