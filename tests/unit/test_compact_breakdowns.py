"""Breakdown charts compact enough to share a printed page, and the agreement chart's phone
drawing without a column head standing alone.

The team, locality and role dot strips of a theme were 12-24 inches tall (one panel per
statement, three a row); printed at one scale (pipeline.pdfpage.CHART_PRINT_PT) they took one
to three pages a theme. Now the statements stand side by side, up to five a row.
"""

from __future__ import annotations

from functools import cache

import matplotlib
import pytest

from healthcheck.analysis.survey import load_survey
from healthcheck.audit.formats import svg_cells
from healthcheck.pipeline.pdf import page as pdfpage
from healthcheck.present import charts
from healthcheck.present.charts.style import NARROW_IN, WIDE_IN
from healthcheck.present.page import svg_bytes as _svg_bytes

pytestmark = pytest.mark.unit

#: The printed room a chart may take (pdfpage.CHART_ROOM_MM), in inches.
ROOM_IN = pdfpage.CHART_ROOM_MM / 25.4


@cache
def demo():
    return load_survey(None, 2022)


def _dots(theme: str, group_type: str, width: float):
    sv = demo()
    table = sv.breakdowns(2022)
    part = table[(table["theme"] == theme) & (table["group_type"] == group_type)]
    figs = sv.figures(2022)
    figs = figs[figs["theme"] == theme]
    average = dict(zip(figs["question_id"], figs["pct_positive"], strict=True))
    fig = charts.breakdown_dots(
        part, sv.questions, group_type, average, year=2022, threshold=sv.threshold, caution=20, width=width
    )
    return fig, part


@pytest.mark.parametrize("theme", ["practice", "improvement", "edi"])
def test_a_themes_three_breakdowns_fit_about_a_page_in_print(theme):
    """Printed at the one chart scale, each breakdown chart leaves a fifth of a page for its caption and more, and
    a theme's team, locality and role charts together at most 1.3 pages' chart room for five
    statements or fewer (two pages or more before), 2.1 for eight (three before)."""
    scale = pdfpage.CHART_PRINT_PT / pdfpage.CHART_TEXT_PT
    heights = []
    for group_type in ("team", "locality", "role"):
        fig, part = _dots(theme, group_type, WIDE_IN)
        heights.append(fig.get_figheight() * scale)
        matplotlib.pyplot.close(fig)
        assert fig.get_figheight() * scale < ROOM_IN * 0.8, (group_type, fig.get_figheight())  # was up to 2x
    statements = demo().breakdowns(2022).query("theme == @theme")["question_id"].nunique()
    assert sum(heights) <= ROOM_IN * (2.1 if statements > 5 else 1.3), heights


def test_every_panel_lists_the_groups_in_one_order_and_each_cell_holds_its_figure():
    for width in (WIDE_IN, NARROW_IN):
        fig, part = _dots("practice", "team", width)
        orders = [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes]
        named = [o for o in orders if any(o)]
        assert named and all(o == named[0] for o in named), orders
        svg = _svg_bytes(fig)
        cells, _ = svg_cells(svg)
        # every (statement, group) of the table once, with its text
        assert sorted((q, g) for q, g, _ in cells) == sorted(zip(part["question_id"], part["group"], strict=True))


def test_the_phone_agreement_chart_has_no_lone_column_head():
    sv = demo()
    figs = sv.figures(2022)
    texts = {}
    for width in (WIDE_IN, NARROW_IN):
        fig = charts.likert(
            sv.counts, sv.questions, 2022, "wellbeing", theme_title="Health and wellbeing",
            figures=figs[figs["theme"] == "wellbeing"], width=width,
        )  # fmt: skip
        texts[width] = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        matplotlib.pyplot.close(fig)
    assert "agree" in texts[WIDE_IN]  # the column of figures is headed beside the bars
    assert "agree" not in texts[NARROW_IN]  # on a phone the subtitle says what they are
