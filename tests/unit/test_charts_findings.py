"""Charts that say what they show: finding titles by written rules, never cut off, the labelled
agreement equal to the text's, narrow drawings for phones, and no chart finer than its table."""

from __future__ import annotations

import inspect
import re
from functools import cache

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from healthcheck.analysis import stats
from healthcheck.analysis.survey import load_survey
from healthcheck.audit.formats import Page, svg_cells, svg_from
from healthcheck.present import charts
from healthcheck.present.charts import findings
from healthcheck.present.charts.dots import published_interval
from healthcheck.present.charts.heatmap import heat_colour
from healthcheck.present.charts.style import HOUSE_RC, NARROW_IN, WIDE_IN
from healthcheck.present.page import picture
from healthcheck.present.page import svg_bytes as _svg_bytes
from healthcheck.present.page import svg_size_px as _svg_size_px
from healthcheck.present.sentences import pct
from tests.support.chart_tables import cells_both_printing_55, one_statement, three_groups_one_hidden

#: A title that states a range instead of a finding.
RANGE = re.compile(r"ranges? from|between \d+% and \d+%|\d+% to \d+% across", re.IGNORECASE)


@cache
def demo():
    return load_survey(None, 2022)


def _theme_figures(sv, theme):
    figs = sv.figures(2022)
    return figs[figs["theme"] == theme]


# The tests below read the same few drawings (a theme's bars, trend and dots, wide and narrow):
# each is drawn once and shared. Drawing only reads the survey, and a test that looks at a figure
# (its texts, patches, SVG) does not change what the next test reads. The figure is closed at
# once (pyplot forgets it; it can still be drawn and saved), so no figure is left open.


def _drawn(make):
    """`make` drawn once per set of arguments, closed in pyplot, and shared."""

    signature = inspect.signature(make)

    @cache
    def draw(arguments):
        fig = make(**dict(arguments))
        matplotlib.pyplot.close(fig)
        return fig

    def drawn(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()  # _likert("x") and _likert("x", WIDE_IN) are one drawing
        return draw(tuple(bound.arguments.items()))

    return drawn


@_drawn
def _likert(theme, width=WIDE_IN, title=None):
    sv = demo()
    return charts.likert(
        sv.counts, sv.questions, 2022, theme, theme_title=sv.bank.theme_title(theme), figures=_theme_figures(sv, theme),
        width=width, title=title,
    )  # fmt: skip


@_drawn
def _dots(theme, group_type, width=WIDE_IN):
    sv = demo()
    table = sv.breakdowns(2022)
    part = table[(table["theme"] == theme) & (table["group_type"] == group_type)]
    figs = _theme_figures(sv, theme)
    average = dict(zip(figs["question_id"], figs["pct_positive"], strict=True))
    return charts.breakdown_dots(
        part, sv.questions, group_type, average, year=2022, threshold=sv.threshold, caution=20, width=width
    )


@_drawn
def _trend(theme, width=WIDE_IN):
    sv = demo()
    rows = pd.concat([sv.figures(y) for y in sv.year_list], ignore_index=True)
    rows = rows[(rows["theme"] == theme) & ~rows["suppressed"].astype(bool)]
    rows = rows.merge(sv.questions[["question_id", "year", "series"]], on=["question_id", "year"], how="left")
    series = rows.assign(label=rows["short"])[["year", "label", "pct_positive", "ci_low", "ci_high", "basis", "series"]]
    title = findings.change_title(_theme_figures(sv, theme), sv.bank.theme_title(theme), 2022)
    return charts.trend_panels(series, title=title, width=width)


def _clipped_texts(fig) -> list[str]:
    """Every visible text drawn partly outside the figure (a title cut off, a label off the edge)."""
    with matplotlib.pyplot.rc_context(HOUSE_RC):
        canvas = FigureCanvasAgg(fig)  # a shared drawing is closed in pyplot: give it the Agg canvas again
        canvas.draw()
        renderer = canvas.get_renderer()
        box = fig.bbox
        out = []
        for text in fig.findobj(matplotlib.text.Text):
            if not text.get_visible() or not text.get_text().strip():
                continue
            ext = text.get_window_extent(renderer)
            if ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1 or ext.y0 < box.y0 - 1 or ext.y1 > box.y1 + 1:
                out.append(text.get_text())
    matplotlib.pyplot.close(fig)
    return out


# ----------------------------------------------------------------------------- the rules


def test_agreement_title_names_the_lowest_statement_and_its_significant_change():
    shown = pd.DataFrame(
        {"question_id": ["A1", "A2", "A3"], "statement": ["High", "Low", "Mid"], "pct_positive": [80.0, 35.6, 60.0]}
    )
    figs = pd.DataFrame(
        {"question_id": ["A2"], "change_flag": [stats.DECREASE], "prev_pct_positive": [44.4], "prev_year": [2021]}
    )
    title = findings.agreement_title(shown, "Wellbeing", 2022, figs)
    assert "\u201cLow\u201d, 36%" in title
    assert "a significant fall from 44% in 2021" in title
    assert not RANGE.search(title)


def test_change_title_is_the_largest_significant_change():
    figs = pd.DataFrame(
        {
            "short": ["Small rise", "Big fall", "Untested", "Flat"],
            "pct_positive": [60.0, 36.0, 50.0, 70.0],
            "prev_pct_positive": [55.0, 44.0, np.nan, 71.0],
            "prev_year": [2021, 2021, np.nan, 2021],
            "change_pts": [5.0, -8.0, np.nan, -1.0],
            "change_flag": [stats.INCREASE, stats.DECREASE, None, stats.NO_CHANGE],
        }
    )
    title = findings.change_title(figs, "Wellbeing", 2022)
    assert title.startswith("\u201cBig fall\u201d fell significantly, from 44% in 2021 to 36%")
    assert "1 more significant change" in title
    flat = figs.assign(change_flag=[stats.NO_CHANGE, stats.NO_CHANGE, None, stats.NO_CHANGE])
    assert findings.change_title(flat, "Wellbeing", 2022) == "Wellbeing: no statement changed significantly since 2021"


def test_theme_title_is_the_theme_that_moved_most_on_its_comparable_statements():
    changes = pd.DataFrame(
        {
            "theme": ["a", "b", "c"],
            "n_compared": [4, 3, 0],
            "change_pts": [1.2, -3.4, np.nan],
            "compared_score": [61.2, 50.2, np.nan],
            "prev_score": [60.0, 53.6, np.nan],
            "prev_years": [[2021], [2021], []],
        }
    )
    title = findings.theme_title(changes, {"a": "Alpha", "b": "Beta"})
    assert title == "Beta moved most: from 54% in 2021 to 50%, on its 3 comparable statements"
    still = changes.assign(change_pts=[0.2, -0.4, np.nan])
    assert findings.theme_title(still, {}) == "No theme score moved by a whole point since 2021"


def test_breakdown_title_needs_an_interval_clear_of_the_average():
    data = pd.DataFrame(
        {
            "statement": ["S", "S", "S"],
            "group": ["Near", "Far", "Hidden"],
            "pct": [60.0, 42.0, np.nan],
            "lo": [50.0, 30.0, np.nan],
            "hi": [70.0, 55.0, np.nan],
            "average": [67.0, 67.0, 67.0],
        }
    )
    assert findings.breakdown_title(data, "team") == "Far is below the service on \u201cS\u201d: 42% against 67%"
    overlapping = data.assign(hi=[70.0, 68.0, np.nan])
    assert findings.breakdown_title(overlapping, "team") == "No team differs clearly from the service average on any statement"


# ----------------------------------------------------------------------------- the demo's charts


@pytest.mark.parametrize("theme", ["wellbeing", "practice", "improvement"])
def test_demo_chart_titles_are_findings_not_ranges(theme):
    for fig in (_likert(theme), _trend(theme), _dots(theme, "team")):
        title = fig.texts[0].get_text().replace("\n", " ")
        matplotlib.pyplot.close(fig)
        assert title and not RANGE.search(title), title


@pytest.mark.parametrize("width", [WIDE_IN, NARROW_IN])
def test_no_chart_text_is_cut_off_even_with_a_long_title(width):
    long_title = "A very long finding title " * 8 + "Supercalifragilisticexpialidociousnessandsomemore"
    figs = [_likert("practice", width, title=long_title), _trend("practice", width), _dots("wellbeing", "team", width)]
    for fig in figs:
        assert _clipped_texts(fig) == []


@pytest.mark.parametrize("theme", ["wellbeing", "practice", "cpd", "edi", "improvement", "systemic"])
def test_the_labelled_agreement_is_the_percentage_the_text_uses(theme):
    sv = demo()
    figs = _theme_figures(sv, theme).set_index("question_id")
    fig = _likert(theme)
    labels = {
        t.get_gid().split(":", 1)[1]: t.get_text()
        for t in fig.findobj(matplotlib.text.Text)
        if (t.get_gid() or "").startswith("likert-agree:")
    }
    matplotlib.pyplot.close(fig)
    assert labels
    for qid, label in labels.items():
        assert label == pct(figs.loc[qid, "pct_positive"])


def test_agreement_bars_start_at_zero_so_the_axis_does_not_overstate():
    fig = _likert("wellbeing")
    ax = fig.axes[0]
    patches = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    for gid, patch in patches.items():
        if gid.endswith(":strongly_agree"):
            assert patch.get_x() == 0
            agree = patches[gid.replace("strongly_agree", "agree")]
            # the agreeing share ends where the axis reads the % agreeing (to the table's one decimal)
            end = agree.get_x() + agree.get_width()
            qid = gid.split(":")[1]
            value = _theme_figures(demo(), "wellbeing").set_index("question_id").loc[qid, "pct_positive"]
            assert abs(end - value) <= 0.11
    assert ax.get_xlim() == (0.0, 100.0)
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize(
    "make", [lambda w: _likert("practice", w), lambda w: _trend("practice", w), lambda w: _dots("wellbeing", "team", w)]
)
def test_the_narrow_drawing_fits_a_phone(make):
    width_px, _ = _svg_size_px(_svg_bytes(make(NARROW_IN)))
    assert width_px <= 400
    wide_px, _ = _svg_size_px(_svg_bytes(make(WIDE_IN)))
    assert wide_px > 600


def test_a_picture_gives_phones_the_narrow_drawing_and_the_audit_reads_both():
    wide, narrow = (_svg_bytes(_dots("wellbeing", "team", w)) for w in (WIDE_IN, NARROW_IN))
    block = f'<figure class="hc-figure" id="fig-x-by-team">{picture(wide, "alt <text>", narrow)}</figure>'
    assert '<source media="screen and (max-width: 600px)"' in block
    page = Page()
    page.feed(block)
    figure = page.figures[0]
    assert figure["alt"] == "alt <text>"
    assert len(figure["sources"]) == 1
    cells_wide, _ = svg_cells(svg_from(figure["src"]))
    cells_narrow, _ = svg_cells(svg_from(figure["sources"][0]))
    assert sorted(cells_wide) == sorted(cells_narrow) and cells_wide


# ----------------------------------------------------------------------------- no finer than the table


def test_heat_colours_encode_the_printed_whole_percentage_only():
    # 54.6 and 55.4 both print as 55%: their colours must be the same, or the colour tells more
    assert heat_colour(54.6) == heat_colour(55.4) == heat_colour(55.0)
    assert heat_colour(55.5) != heat_colour(55.4)  # 56% is another printed figure
    cells = cells_both_printing_55()
    questions = one_statement()
    svg = _svg_bytes(charts.breakdown_heatmap(cells, questions, "team", year=2022)).decode()
    fills = re.findall(r'<g id="cell:Q1:[AB]">\s*<path[^>]*style="fill: (#[0-9a-f]{6})', svg)
    assert len(fills) == 2 and fills[0] == fills[1]


def test_dot_positions_and_intervals_come_from_the_printed_figures():
    assert published_interval(54.6, 300) == published_interval(55.4, 300)
    cells = pd.DataFrame(
        {
            "question_id": ["Q1", "Q1", "Q1"],
            "group": ["A", "B", "C"],
            "n_valid": [300, 300, 4],
            "pct_positive": [54.6, 55.4, np.nan],
            "suppressed": [False, False, True],
            "reason": ["", "", "fewer than 10"],
        }
    )
    questions = pd.DataFrame({"year": [2022], "question_id": ["Q1"], "short": ["S"]})
    data = charts.dots_data(cells, questions, "team", {"Q1": 60.26}, year=2022)
    shown = data.dropna(subset=["pct"])
    assert list(shown["pct"]) == [55.0, 55.0]
    assert shown["lo"].nunique() == 1 and shown["hi"].nunique() == 1
    assert data["average"].iloc[0] == 60.0
    fig = charts.breakdown_dots(cells, questions, "team", {"Q1": 60.26}, year=2022)
    dots = [c for c in fig.axes[0].collections if len(c.get_offsets())]
    xs = sorted(float(x) for c in dots for x, _ in c.get_offsets())
    matplotlib.pyplot.close(fig)
    assert xs == [55.0, 55.0]
    # the group not shown is stated in the chart, never drawn as a dot
    svg = _svg_bytes(charts.breakdown_dots(cells, questions, "team", {"Q1": 60.26}, year=2022))
    assert ("Q1", "C", "<10") in svg_cells(svg)[0]


def test_hostile_group_names_read_back_the_same_from_a_dot_plot():
    # as the heat map's attack (test_attack): names that look like formulas or markup are drawn
    # as text and read back by the audit exactly
    groups = ['=HYPERLINK("http://evil.example/XSS-team","x")', "<b onmouseover=alert(1)>Team</b>", "@SUM(1)"]
    table = three_groups_one_hidden(groups)
    questions = one_statement("Statement one")
    for width in (WIDE_IN, NARROW_IN):
        svg = _svg_bytes(charts.breakdown_dots(table, questions, "team", {"Q1": 70.0}, year=2022, caution=20, width=width))
        cells, _ = svg_cells(svg)
        assert {(q, g): text for q, g, text in cells} == {
            ("Q1", groups[0]): "83%",
            ("Q1", groups[1]): "50%",
            ("Q1", groups[2]): "<10",
        }


def test_the_audit_finds_a_heat_map_whose_colours_say_more_than_its_figures(tmp_path):
    from healthcheck.audit.published import read_site

    cells = cells_both_printing_55()
    questions = one_statement()
    svg = _svg_bytes(charts.breakdown_heatmap(cells, questions, "team", year=2022)).decode()
    downloads = tmp_path / "html" / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "2022-t-by-team.svg").write_text(svg, encoding="utf-8")
    assert not [f for f in read_site(tmp_path, 2022).findings if "colour" in f]
    # as the charts were drawn before: each cell shaded by its exact share, finer than its 55%
    fill = heat_colour(55.0).lower()
    finer = re.sub(r'(<g id="cell:Q1:B">\s*<path[^>]*?style="fill: )' + fill, r"\g<1>#123456", svg, count=1)
    assert finer != svg
    (downloads / "2022-t-by-team.svg").write_text(finer, encoding="utf-8")
    found = [f for f in read_site(tmp_path, 2022).findings if "colour" in f]
    assert len(found) == 1 and "printed 55%" in found[0]
