"""Tests for healthcheck.charts: geometry, wording, determinism and alt text."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from healthcheck.analysis.rounding import format_pct
from healthcheck.present import charts

# ----------------------------------------------------------------------------- fixtures

# question_id -> (short label, counts in LIKERT_ORDER)
LIKERT_COUNTS = {
    "IMP01": ("Understand the improvement priorities and my role", (5, 10, 20, 150, 127)),
    "IMP02": ("Families Count has made a difference", (40, 60, 50, 100, 50)),
    "IMP03": ("Senior leaders are visible", (10, 20, 30, 120, 120)),
    "IMP04": ("Too few answered", (1, 1, 2, 2, 1)),
}


@pytest.fixture
def questions() -> pd.DataFrame:
    rows = []
    for year in (2021, 2022):
        for qid, (short, _) in LIKERT_COUNTS.items():
            rows.append({"question_id": qid, "year": year, "theme": "improvement", "short": short, "wording": short, "series": 1})
    rows.append(
        {"question_id": "WB01", "year": 2022, "theme": "wellbeing", "short": "Wellbeing", "wording": "Wellbeing", "series": 1}
    )
    return pd.DataFrame(rows)


@pytest.fixture
def counts() -> pd.DataFrame:
    rows = []
    for qid, (_, ns) in LIKERT_COUNTS.items():
        for code, n in zip(charts.LIKERT_ORDER, ns, strict=True):
            rows.append({"year": 2022, "question_id": qid, "group_type": "all", "group": "All staff", "response": code, "n": n})
        # not part of the base
        rows.append(
            {"year": 2022, "question_id": qid, "group_type": "all", "group": "All staff", "response": "dont_know", "n": 9}
        )
        # another breakdown and another year must be ignored
        rows.append({"year": 2022, "question_id": qid, "group_type": "team", "group": "Team A", "response": "agree", "n": 1000})
        rows.append(
            {
                "year": 2021,
                "question_id": qid,
                "group_type": "all",
                "group": "All staff",
                "response": "strongly_disagree",
                "n": 1000,
            }
        )
    rows.append({"year": 2022, "question_id": "WB01", "group_type": "all", "group": "All staff", "response": "agree", "n": 50})
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _segments(fig) -> dict[str, dict[str, Rectangle]]:
    out: dict[str, dict[str, Rectangle]] = {}
    for patch in fig.axes[0].patches:
        gid = patch.get_gid() or ""
        if gid.startswith("likert:"):
            _, qid, code = gid.split(":")
            out.setdefault(qid, {})[code] = patch
    return out


# ----------------------------------------------------------------------------- likert


def test_likert_segments_sum_to_100_and_start_with_agreement_at_zero(counts, questions):
    fig = charts.likert(counts, questions, 2022, "improvement", theme_title="Improvement")
    segs = _segments(fig)
    assert set(segs) == {"IMP01", "IMP02", "IMP03"}
    order = charts.LIKERT_ORDER[::-1]  # strongly agree first: the agreeing share is read from 0
    for qid, by_code in segs.items():
        assert list(by_code) == list(order)
        widths = [by_code[c].get_width() for c in order]
        assert sum(widths) == pytest.approx(100.0, abs=0.3)
        # expected widths from the fabricated counts (dont_know left out of the base), to the
        # one decimal the data table prints
        ns = np.array(LIKERT_COUNTS[qid][1][::-1], dtype=float)
        assert widths == pytest.approx(list(np.round(ns / ns.sum() * 100, 1)), abs=0.051)
        # contiguous, left to right in order, from 0
        assert by_code[order[0]].get_x() == 0
        for a, b in zip(order, order[1:], strict=False):
            assert by_code[a].get_x() + by_code[a].get_width() == pytest.approx(by_code[b].get_x())
        # one bar per statement: every segment at the same height
        assert len({round(p.get_y(), 9) for p in by_code.values()}) == 1


def test_likert_sorted_by_percent_positive_lowest_at_top(counts, questions):
    fig = charts.likert(counts, questions, 2022, "improvement")
    segs = _segments(fig)
    y = {qid: by_code["agree"].get_y() for qid, by_code in segs.items()}
    # % positive: IMP01 88.8, IMP03 80.0, IMP02 50.0; the axis runs downwards (the concern first)
    assert y["IMP02"] < y["IMP03"] < y["IMP01"]
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"89%", "80%", "50%"} <= texts  # the agreeing share labelled beside each bar


def test_likert_leaves_out_small_n_with_note(counts, questions):
    fig = charts.likert(counts, questions, 2022, "improvement")
    assert "IMP04" not in _segments(fig)
    texts = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "1 statement not shown (fewer than 10 valid responses)" in texts
    data = charts.likert_data(counts, questions, 2022, "improvement")
    row = data.set_index("question_id").loc["IMP04"]
    assert not row["shown"]
    assert math.isnan(row["agree"]) and math.isnan(row["pct_positive"])
    assert list(data["question_id"]) == ["IMP01", "IMP03", "IMP02", "IMP04"]


def test_likert_legend_and_hatching(counts, questions):
    fig = charts.likert(counts, questions, 2022, "improvement")
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [charts.LIKERT_LABELS[c] for c in charts.LIKERT_ORDER[::-1]]
    by_code = _segments(fig)["IMP01"]
    assert by_code["strongly_disagree"].get_hatch()
    assert by_code["disagree"].get_hatch()
    assert not by_code["agree"].get_hatch()


def test_likert_alt_text_has_key_numbers(counts, questions):
    fig = charts.likert(counts, questions, 2022, "improvement", theme_title="Improvement")
    alt = fig.alt_text
    assert "3 statements on Improvement, 2022" in alt
    assert "Understand the improvement priorities and my role (89% agree" in alt
    assert "Families Count has made a difference (50% agree" in alt
    assert ".png" not in alt and ".svg" not in alt


@pytest.mark.parametrize(
    ("response_counts", "column"),
    [
        # 2 + 23 of 40 is exactly 62.5%, but 2/40*100 + 23/40*100 in floats is 62.4999...
        ((0, 0, 15, 2, 23), "pct_positive"),
        ((2, 23, 15, 0, 0), "pct_negative"),
    ],
)
def test_likert_agreement_is_computed_from_counts_and_rounds_half_up(response_counts, column):
    pct = np.array(response_counts, dtype=float) / 40 * 100
    float_sum = pct[3] + pct[4] if column == "pct_positive" else pct[0] + pct[1]
    assert format_pct(float_sum) == "62%"  # why the sum of the two percentages is not used
    questions = pd.DataFrame([{"question_id": "Q1", "year": 2022, "theme": "t", "short": "A statement", "series": 1}])
    counts = pd.DataFrame(
        [
            {"year": 2022, "question_id": "Q1", "group_type": "all", "group": "All staff", "response": code, "n": n}
            for code, n in zip(charts.LIKERT_ORDER, response_counts, strict=True)
        ]
    )
    row = charts.likert_data(counts, questions, 2022, "t").iloc[0]
    assert row["n_valid"] == 40
    assert row[column] == 100 * 25 / 40 == 62.5
    assert format_pct(row[column]) == "63%"
    other = "pct_negative" if column == "pct_positive" else "pct_positive"
    assert row[other] == 0.0


# ----------------------------------------------------------------------------- saving


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_save_figure_is_byte_identical(counts, questions, tmp_path, suffix):
    paths = []
    for i in range(2):
        fig = charts.likert(counts, questions, 2022, "improvement")
        paths.append(charts.save_figure(fig, tmp_path / f"chart{i}{suffix}"))
        assert not plt.fignum_exists(fig.number)  # closed
    a, b = (p.read_bytes() for p in paths)
    assert len(a) > 1000
    assert a == b


def test_save_figure_default_svg_without_date(counts, questions, tmp_path):
    path = charts.save_figure(charts.likert(counts, questions, 2022, "improvement"), tmp_path / "chart")
    assert path.suffix == ".svg"
    text = path.read_text()
    assert "<svg" in text and "<dc:date>" not in text
    with pytest.raises(ValueError):
        charts.save_figure(plt.figure(), tmp_path / "chart.jpg")


# ----------------------------------------------------------------------------- word cloud

WORDS = pd.DataFrame(
    {
        "word": [
            "support",
            "workload",
            "team",
            "supervision",
            "families",
            "training",
            "manager",
            "caseload",
            "time",
            "listened",
            "valued",
            "pressure",
            "Team",
        ],
        "count": [42, 38, 35, 30, 28, 25, 22, 20, 18, 15, 14, 13, 0],
    }
)


def test_word_cloud_is_deterministic(tmp_path):
    out = [charts.save_figure(charts.word_cloud(WORDS, seed=7), tmp_path / f"w{i}.png") for i in range(2)]
    other = charts.save_figure(charts.word_cloud(WORDS, seed=8), tmp_path / "w_other.png")
    assert out[0].read_bytes() == out[1].read_bytes()
    assert out[0].read_bytes() != other.read_bytes()


def test_word_cloud_alt_lists_top_words_in_order():
    alt = charts.word_cloud_alt(WORDS, top=3)
    assert "support (42), workload (38), team (35)" in alt
    assert "supervision" not in alt
    assert "Team" not in alt  # zero counts dropped
    full = charts.word_cloud_alt(WORDS, top=20)
    positions = [full.index(w + " (") for w in WORDS["word"][:12]]
    assert positions == sorted(positions)


# ----------------------------------------------------------------------------- heat map


@pytest.fixture
def breakdown() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "question_id": ["IMP01"] * 3 + ["IMP02"] * 3,
            "group": ["Team A", "Team B", "Team C"] * 2,
            "n_valid": [40, 6, 25, 38, 30, 0],
            "pct_positive": [82.4, 0.0, 60.0, 55.5, 47.0, np.nan],
            "suppressed": [False, True, False, False, False, True],
            "reason": ["", "fewer than 10", "", "", "", "fewer than 10"],
        }
    )


def test_heatmap_shows_suppressed_cells_as_less_than_10(breakdown, questions):
    fig = charts.breakdown_heatmap(breakdown, questions, "team", year=2022)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("<10") == 2
    assert "0%" not in texts and "nan%" not in texts
    assert "82%" in texts and "56%" in texts  # 55.5 rounds half up
    assert len(texts) == 6  # never blank
    cells = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("cell:")}
    assert cells["cell:IMP01:Team B"].get_hatch()
    assert not cells["cell:IMP01:Team A"].get_hatch()
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "fewer than 10 responses" in legend
    assert "2 cells not shown" in fig.alt_text


def test_breakdown_data_never_reports_zero_for_suppressed(breakdown, questions):
    data = charts.breakdown_data(breakdown, questions, "team", year=2022)
    supp = data[data["suppressed"]]
    assert len(supp) == 2
    assert supp["pct_positive"].isna().all()
    assert (supp["display"] == "<10").all()


# ----------------------------------------------------------------------------- change table


def _fig_row(qid, **kw):
    row = {
        "year": 2022,
        "question_id": qid,
        "theme": "improvement",
        "short": f"Statement {qid}",
        "n_valid": 312,
        "n_positive": 256,
        "pct_positive": 82.05,
        "ci_low": 77.4,
        "ci_high": 85.9,
        "prev_year": 2021,
        "prev_pct_positive": 75.0,
        "change_pts": 7.05,
        "p_value": 0.01,
        "change_flag": "increase",
        "suppressed": False,
        "basis": "counts",
        "test": "z-test",
    }
    row.update(kw)
    return row


def test_change_table_wording_for_each_flag():
    figures = pd.DataFrame(
        [
            _fig_row("A"),
            _fig_row("B", change_pts=-6.2, prev_pct_positive=88.25, change_flag="decrease"),
            _fig_row("C", change_pts=1.0, change_flag="no significant change"),
            _fig_row("D", prev_year=np.nan, prev_pct_positive=np.nan, change_pts=np.nan, change_flag=""),
            _fig_row("E", basis="published", n_valid=np.nan, change_flag="", change_pts=np.nan),
            _fig_row("F", n_valid=7, suppressed=True, pct_positive=np.nan, change_flag=""),
            _fig_row("G", prev_year=np.nan, prev_pct_positive=np.nan, change_pts=np.nan, change_flag=np.nan),
        ]
    )
    questions = pd.DataFrame(
        [
            {"question_id": "D", "year": 2021, "series": 1},
            {"question_id": "D", "year": 2022, "series": 2},
            {"question_id": "G", "year": 2022, "series": 1},
        ]
    )
    table = charts.change_table(figures, questions).set_index("Statement")
    assert list(table.columns) == ["This year", "Last year", "Change", "Significance"]
    sig = table["Significance"]
    assert sig["Statement A"] == "▲ Increase (significant)"
    assert sig["Statement B"] == "▼ Decrease (significant)"
    assert sig["Statement C"] == "● No significant change"
    assert sig["Statement D"] == "– Not compared: wording changed"
    assert sig["Statement E"] == "– Not compared: published figure"
    assert sig["Statement F"] == "– Fewer than 10 responses"
    assert sig["Statement G"] == "– Not compared: first year asked"
    assert table.loc["Statement A", "This year"] == "82% (n=312)"
    assert table.loc["Statement A", "Last year"] == "75% (2021)"
    assert table.loc["Statement A", "Change"] == "+7 pts"
    assert table.loc["Statement B", "Change"] == "\u22126 pts"  # a true minus sign
    assert table.loc["Statement E", "This year"] == "82% (published)"
    assert table.loc["Statement F", "This year"] == "Not shown (n<10)"
    for s in "DEFG":
        assert table.loc[f"Statement {s}", "Change"] == "–"
    # a suppressed figure never shows a percentage
    assert "%" not in table.loc["Statement F", "This year"]


# ----------------------------------------------------------------------------- trend


@pytest.fixture
def series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2019, 2020, 2021, 2022],
            "label": "Understand the priorities",
            "pct_positive": [68.0, 70.0, 75.2, 82.4],
            "ci_low": [np.nan, np.nan, 70.1, 78.0],
            "ci_high": [np.nan, np.nan, 80.0, 86.5],
            "basis": ["published", "published", "counts", "counts"],
            "series": [1, 1, 1, 2],
        }
    )


def test_trend_published_points_are_hollow_and_series_split(series):
    fig = charts.trend(series)
    ax = fig.axes[0]
    lines = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    pub = lines["trend-points:Understand the priorities:published"]
    assert pub.get_markerfacecolor() == "none"
    assert list(pub.get_xdata()) == [2019, 2020]
    counted = lines["trend-points:Understand the priorities:counts"]
    assert counted.get_markerfacecolor() != "none"
    assert list(counted.get_xdata()) == [2021, 2022]
    segments = [ln for gid, ln in lines.items() if gid.startswith("trend-line:")]
    assert len(segments) == 2
    assert sorted(len(s.get_xdata()) for s in segments) == [1, 3]
    breaks = [ln for ln in ax.get_lines() if ln.get_gid() == "wording-changed"]
    assert len(breaks) == 1 and list(breaks[0].get_xdata()) == [2021.5, 2021.5]
    assert breaks[0].get_linestyle() == ":"
    assert "wording changed" in [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "published figure" in legend and "wording changed" in legend
    assert "2019 68% (published figure)" in fig.alt_text
    assert "wording changed in 2022" in fig.alt_text
    # error bars only where an interval exists
    ci = [c for c in ax.collections if (c.get_gid() or "").startswith("trend-ci:")]
    assert len(ci) == 1 and len(ci[0].get_segments()) == 2


def test_trend_theme_scores_without_interval(series):
    scores = series.drop(columns=["ci_low", "ci_high", "basis", "series"])
    fig = charts.trend(scores, title="Improvement score rises")
    ax = fig.axes[0]
    assert not [c for c in ax.collections if (c.get_gid() or "").startswith("trend-ci:")]
    assert not [ln for ln in ax.get_lines() if ln.get_gid() == "wording-changed"]
    segments = [ln for ln in ax.get_lines() if (ln.get_gid() or "").startswith("trend-line:")]
    assert len(segments) == 1
    assert "Improvement score rises" in " ".join(t.get_text() for t in fig.texts)


# ----------------------------------------------------------------------------- infographic


def test_headline_infographic_tiles():
    rows = pd.DataFrame(
        {
            "theme_title": ["Improvement", "Health and wellbeing", "Systemic practice"],
            "headline_pct": [82.4, np.nan, 61.0],
            "headline_label": ["understand the priorities", "not shown", "use systemic ideas"],
            "change_text": ["▲ +5 pts since 2021, significant", "– fewer than 10 responses", "● no significant change"],
        }
    )
    fig = charts.headline_infographic(rows, "Health Check 2022 at a glance", "% agreeing")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "82%" in texts and "61%" in texts and "–" in texts
    assert "▲ +5 pts since 2021, significant" in texts
    assert len([p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("tile:")]) == 3
    w, h = fig.get_size_inches()
    # A4 wide; no taller than A4, and cut below the last row of tiles when they do not fill it
    assert round(w, 2) == charts.A4_PORTRAIT[0] and h < charts.A4_PORTRAIT[1]
    assert "Improvement: 82% understand the priorities" in fig.alt_text
    assert "▲" not in fig.alt_text


def test_secondary_suppressed_cells_say_hidden_not_fewer_than_ten():
    import pandas as pd

    from healthcheck.present import charts

    table = pd.DataFrame(
        {
            "question_id": ["Q1", "Q1", "Q1"],
            "group": ["Small", "Medium", "Large"],
            "n_valid": [None, None, 40],
            "pct_positive": [None, None, 70.0],
            "suppressed": [True, True, False],
            "reason": ["fewer than 10 responses", "secondary suppression", ""],
        }
    )
    questions = pd.DataFrame(
        {"question_id": ["Q1"], "year": [2022], "theme": ["t"], "short": ["A statement"], "wording": ["w"], "series": [0]}
    )
    data = charts.breakdown_data(table, questions, "team", year=2022).set_index("group")
    assert data.at["Small", "display"] == "<10"
    assert data.at["Medium", "display"] == "hidden"
    assert data.at["Large", "display"] == "70%"
