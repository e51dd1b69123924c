"""The trend small multiples' layout: how many panels a row, when years shorten, and that no
two labels of a panel touch at the width the PDF and the desktop show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from healthcheck.present import charts
from healthcheck.present.charts.panels import MAX_COLUMNS, panel_columns, year_labels_short
from healthcheck.present.charts.style import HOUSE_RC, NARROW_IN, WIDE_IN


def test_rows_are_as_few_and_as_even_as_the_columns_allow():
    assert [panel_columns(n) for n in range(1, 11)] == [1, 2, 3, 4, 3, 3, 4, 4, 3, 4]
    assert all(panel_columns(n) <= MAX_COLUMNS for n in range(1, 40))


def test_years_shorten_only_when_they_would_touch():
    assert not year_labels_short([2020, 2021, 2022], 1.6)
    assert year_labels_short(list(range(2015, 2023)), 1.6)
    assert not year_labels_short([2022], 0.5)


def _series(n_statements: int, years=(2020, 2021, 2022)) -> pd.DataFrame:
    rows = []
    for i in range(n_statements):
        for k, year in enumerate(years):
            if i % 2 and k == 0:  # first asked a year later: its two labels are a year apart
                continue
            # adjacent years with values close together: their labels are the likeliest to meet
            pct = 60.0 + (i % 3) * 10 + k * 2
            rows.append({"year": year, "label": f"Statement number {i} about something at work", "pct_positive": pct,
                         "ci_low": pct - 4, "ci_high": pct + 4, "basis": "counts", "series": 0})  # fmt: skip
    return pd.DataFrame(rows)


def _boxes(fig):
    with plt.rc_context(HOUSE_RC):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        return {ax: [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip()] for ax in fig.axes}


@pytest.mark.parametrize(("n", "width", "columns"), [(8, WIDE_IN, 4), (5, WIDE_IN, 3), (4, NARROW_IN, 1)])
def test_panels_a_row_and_no_two_labels_of_a_panel_touch(n, width, columns):
    fig = charts.trend_panels(_series(n), title="A finding", width=width)
    try:
        lefts = sorted({round(ax.get_position().x0, 3) for ax in fig.axes})
        assert len(lefts) == columns
        for ax, boxes in _boxes(fig).items():
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    assert not a.overlaps(b), f"labels of {ax.get_title()!r} touch"
            # every panel's labels inside the figure
            assert all(box.x1 <= fig.bbox.x1 + 1 and box.x0 >= -1 for box in boxes)
    finally:
        plt.close(fig)


def test_panel_titles_do_not_run_into_the_next_panel():
    fig = charts.trend_panels(_series(8), title="A finding", width=WIDE_IN)
    try:
        with plt.rc_context(HOUSE_RC):
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            renderer = canvas.get_renderer()
        row = sorted(fig.axes[:4], key=lambda ax: ax.get_position().x0)
        for left, right in zip(row, row[1:], strict=False):
            title = left.title.get_window_extent(renderer)
            assert title.x1 < right.get_window_extent(renderer).x0, left.get_title()
    finally:
        plt.close(fig)
