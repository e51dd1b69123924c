"""Tests of healthcheck.stats against hand-worked examples and independent implementations
(statsmodels, scipy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact, norm
from scipy.stats.contingency import expected_freq
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from healthcheck.analysis import stats
from healthcheck.data import codes

# --------------------------------------------------------------------------- helpers


def make_counts(cells):
    """cells: iterable of (year, question_id, group_type, group, {response: n})."""
    rows = [
        {"year": y, "question_id": q, "group_type": gt, "group": g, "response": r, "n": n}
        for y, q, gt, g, responses in cells
        for r, n in responses.items()
    ]
    return pd.DataFrame(rows, columns=["year", "question_id", "group_type", "group", "response", "n"])


def all_staff(year, qid, positive, other, **extra):
    """An all-staff cell with `positive` agree and `other` disagree answers."""
    return (year, qid, "all", "All staff", {"agree": positive, "disagree": other, **extra})


def make_questions(rows):
    """rows: iterable of (question_id, year, theme, series)."""
    return pd.DataFrame(
        [
            {"question_id": q, "year": y, "theme": t, "short": f"short {q}", "wording": f"{q} {y}", "series": s}
            for q, y, t, s in rows
        ]
    )


def make_published(rows=()):
    return pd.DataFrame(
        [{"year": y, "question_id": q, "pct_positive": p, "source": "report"} for y, q, p in rows],
        columns=["year", "question_id", "pct_positive", "source"],
    )


def row_of(frame, qid):
    sel = frame.loc[frame["question_id"] == qid]
    assert len(sel) == 1
    return sel.iloc[0]


def isna(value):
    return value is pd.NA or (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------- constants


def test_response_constants():
    assert codes.VALID == ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")
    assert codes.POSITIVE == ("strongly_agree", "agree")
    assert codes.RESPONSES == codes.VALID + ("dont_know", "not_applicable", "prefer_not_to_say", "blank")
    assert stats.FIGURE_COLUMNS == [
        "year", "question_id", "theme", "n_valid", "n_positive", "pct_positive", "ci_low",
        "ci_high", "prev_year", "prev_pct_positive", "change_pts", "p_value", "change_flag",
        "suppressed",
    ]  # fmt: skip


# --------------------------------------------------------------------------- percent positive


def test_percent_positive_ignores_dont_know_not_applicable_blank():
    counts = make_counts(
        [
            (
                2022, "Q1", "all", "All staff",
                {"strongly_agree": 3, "agree": 5, "neutral": 2, "disagree": 1,
                 "strongly_disagree": 1, "dont_know": 4, "not_applicable": 2, "blank": 7},
            ),
            (2022, "Q1", "team", "Alpha", {"agree": 1, "neutral": 3, "blank": 9}),
            (2022, "Q2", "all", "All staff", {"dont_know": 6, "blank": 1}),
        ]
    )  # fmt: skip
    out = stats.percent_positive(counts)
    assert len(out) == 3
    q1 = out.loc[(out["question_id"] == "Q1") & (out["group_type"] == "all")].iloc[0]
    assert (q1["n_valid"], q1["n_positive"], q1["n_invalid"]) == (12, 8, 13)
    assert q1["pct_positive"] == pytest.approx(100 * 8 / 12)
    low, high = proportion_confint(8, 12, alpha=0.05, method="wilson")
    assert q1["ci_low"] == pytest.approx(100 * low)
    assert q1["ci_high"] == pytest.approx(100 * high)

    alpha_team = out.loc[out["group"] == "Alpha"].iloc[0]
    assert (alpha_team["n_valid"], alpha_team["n_positive"], alpha_team["n_invalid"]) == (4, 1, 9)
    assert alpha_team["pct_positive"] == pytest.approx(25.0)

    q2 = row_of(out, "Q2")
    assert (q2["n_valid"], q2["n_positive"], q2["n_invalid"]) == (0, 0, 7)
    assert math.isnan(q2["pct_positive"]) and math.isnan(q2["ci_low"]) and math.isnan(q2["ci_high"])


def test_percent_positive_rejects_unknown_codes():
    counts = make_counts([(2022, "Q1", "all", "All staff", {"agree": 3, "Agree": 1})])
    with pytest.raises(ValueError):
        stats.percent_positive(counts)


# --------------------------------------------------------------------------- Wilson


def test_wilson_matches_statsmodels_over_many_k_n():
    k = np.concatenate([np.arange(n + 1) for n in range(1, 81)])
    n = np.concatenate([np.full(n + 1, n) for n in range(1, 81)])
    low, high = stats.wilson_interval(k, n)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-10, atol=1e-12)
    assert np.all((low >= 0) & (high <= 1) & (low <= k / n) & (k / n <= high))

    # large n, Series input, another confidence level
    k2 = pd.Series([0, 1, 250, 999, 1000])
    n2 = pd.Series([1000] * 5)
    low, high = stats.wilson_interval(k2, n2, z=norm.ppf(0.95))
    ref_low, ref_high = proportion_confint(k2, n2, alpha=0.10, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-10, atol=1e-12)


def test_wilson_empty_sample_is_nan():
    low, high = stats.wilson_interval(np.array([0, 3]), np.array([0, 5]))
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert not math.isnan(low[1])
    low, high = stats.wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


# --------------------------------------------------------------------------- tests of change


def uses_fisher(k1, n1, k2, n2):
    return expected_freq(np.array([[k1, n1 - k1], [k2, n2 - k2]])).min() < 5


def test_z_test_matches_statsmodels_pooled_two_sided():
    cases = [(40, 100, 70, 100), (300, 660, 320, 640), (55, 80, 50, 90), (10, 30, 12, 30), (50, 100, 50, 100)]
    for k1, n1, k2, n2 in cases:
        assert not uses_fisher(k1, n1, k2, n2)
        p, test = stats.compare_proportions(k1, n1, k2, n2)
        assert test == "z-test"
        _, ref = proportions_ztest(np.array([k1, k2]), np.array([n1, n2]), alternative="two-sided")
        assert p == pytest.approx(ref, rel=1e-9)


def test_fisher_when_an_expected_count_is_under_5():
    cases = [(1, 12, 6, 11), (0, 20, 4, 20), (19, 20, 12, 20), (3, 9, 8, 10), (5, 5, 5, 5)]
    for k1, n1, k2, n2 in cases:
        assert uses_fisher(k1, n1, k2, n2)
        p, test = stats.compare_proportions(k1, n1, k2, n2)
        assert test == "Fisher"
        ref = fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="two-sided").pvalue
        assert p == pytest.approx(ref, rel=1e-9)


def test_choice_of_test_over_random_tables():
    rng = np.random.default_rng(20240601)
    chosen = set()
    for _ in range(300):
        n1, n2 = rng.integers(1, 120, size=2)
        k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
        p, test = stats.compare_proportions(k1, n1, k2, n2)
        if uses_fisher(k1, n1, k2, n2):
            assert test == "Fisher"
            ref = fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
        else:
            assert test == "z-test"
            ref = proportions_ztest(np.array([k1, k2]), np.array([n1, n2]))[1]
        assert p == pytest.approx(ref, rel=1e-9, abs=1e-300)
        chosen.add(test)
    assert chosen == {"Fisher", "z-test"}


def test_compare_proportions_empty_sample():
    p, test = stats.compare_proportions(0, 0, 3, 10)
    assert math.isnan(p) and test == ""


# --------------------------------------------------------------------------- figures


def test_change_flags():
    counts = make_counts(
        [
            all_staff(2021, "UP", 40, 60), all_staff(2022, "UP", 70, 30),
            all_staff(2021, "DOWN", 70, 30), all_staff(2022, "DOWN", 40, 60),
            all_staff(2021, "SAME", 50, 50), all_staff(2022, "SAME", 52, 48),
            all_staff(2021, "SMALL", 1, 9), all_staff(2022, "SMALL", 8, 2),
        ]
    )  # fmt: skip
    questions = make_questions([(q, y, "improvement", 1) for q in ("UP", "DOWN", "SAME", "SMALL") for y in (2021, 2022)])
    fig = stats.figures_table(counts, make_published(), questions, 2022)
    assert list(fig.columns) == stats.ALL_FIGURE_COLUMNS
    assert list(fig["question_id"]) == ["DOWN", "SAME", "SMALL", "UP"]
    expected = {
        "UP": ("increase", 40, 70, 30.0),
        "DOWN": ("decrease", 70, 40, -30.0),
        "SAME": ("no significant change", 50, 52, 2.0),
    }
    for qid, (flag, k_before, k_after, change) in expected.items():
        r = row_of(fig, qid)
        assert r["change_flag"] == flag
        assert r["test"] == "z-test"
        assert r["prev_year"] == 2021
        assert r["prev_pct_positive"] == pytest.approx(k_before)
        assert r["change_pts"] == pytest.approx(change)
        ref = proportions_ztest(np.array([k_before, k_after]), np.array([100, 100]))[1]
        assert r["p_value"] == pytest.approx(ref)
    small = row_of(fig, "SMALL")
    assert small["test"] == "Fisher"
    assert small["p_value"] == pytest.approx(fisher_exact([[1, 9], [8, 2]]).pvalue)
    assert small["change_flag"] == ("increase" if small["p_value"] < 0.05 else "no significant change")

    strict = stats.figures_table(counts, make_published(), questions, 2022, alpha=1e-12)
    assert set(strict["change_flag"]) == {"no significant change"}


def test_no_comparison_across_a_wording_break():
    counts = make_counts([all_staff(2021, "Q1", 40, 60), all_staff(2022, "Q1", 70, 30)])
    questions = make_questions([("Q1", 2021, "practice", 1), ("Q1", 2022, "practice", 2)])
    r = row_of(stats.figures_table(counts, make_published(), questions, 2022), "Q1")
    assert r["pct_positive"] == pytest.approx(70.0)
    assert isna(r["prev_year"]) and isna(r["prev_pct_positive"]) and isna(r["change_pts"])
    assert isna(r["p_value"]) and r["change_flag"] == "" and r["test"] == ""


def test_comparison_reaches_back_to_latest_comparable_year():
    counts = make_counts(
        [
            # GAP: not asked in 2020 (counts for 2020 exist but the bank says it was not asked)
            all_staff(2019, "GAP", 30, 70), all_staff(2020, "GAP", 90, 10), all_staff(2021, "GAP", 60, 40),
            # BREAK: 2019 is before the wording break, 2020 and 2021 after it
            all_staff(2019, "BREAK", 10, 90), all_staff(2020, "BREAK", 45, 55), all_staff(2021, "BREAK", 50, 50),
            # SUPP: 2020 suppressed (5 valid answers), so 2019 is the latest shown comparable figure
            all_staff(2019, "SUPP", 20, 20), all_staff(2020, "SUPP", 4, 1), all_staff(2021, "SUPP", 30, 10),
        ]
    )  # fmt: skip
    questions = make_questions(
        [
            ("GAP", 2019, "cpd", 1), ("GAP", 2021, "cpd", 1),
            ("BREAK", 2019, "cpd", 1), ("BREAK", 2020, "cpd", 2), ("BREAK", 2021, "cpd", 2),
            ("SUPP", 2019, "cpd", 1), ("SUPP", 2020, "cpd", 1), ("SUPP", 2021, "cpd", 1),
        ]
    )  # fmt: skip
    fig = stats.figures_table(counts, make_published(), questions, 2021)
    gap = row_of(fig, "GAP")
    assert gap["prev_year"] == 2019 and gap["prev_pct_positive"] == pytest.approx(30.0)
    assert gap["change_pts"] == pytest.approx(30.0) and gap["change_flag"] == "increase"
    brk = row_of(fig, "BREAK")
    assert brk["prev_year"] == 2020 and brk["prev_pct_positive"] == pytest.approx(45.0)
    assert brk["change_flag"] == "no significant change"
    supp = row_of(fig, "SUPP")
    assert supp["prev_year"] == 2019 and supp["prev_pct_positive"] == pytest.approx(50.0)
    assert supp["change_pts"] == pytest.approx(25.0)
    assert supp["p_value"] == pytest.approx(proportions_ztest(np.array([20, 30]), np.array([40, 40]))[1])


def test_published_only_figures_are_shown_and_never_tested():
    counts = make_counts(
        [
            all_staff(2021, "Q1", 60, 40),
            all_staff(2020, "Q2", 30, 70),
            all_staff(2021, "Q3", 55, 45),
        ]
    )
    published = make_published(
        [
            (2020, "Q1", 42.0),  # published only: 2021 compares with it but does not test
            (2021, "Q2", 61.0),  # published only in the later year
            (2021, "Q3", 54.0),  # counts exist: counts win
        ]
    )
    questions = make_questions(
        [("Q1", 2020, "edi", 1), ("Q1", 2021, "edi", 1), ("Q2", 2020, "edi", 1), ("Q2", 2021, "edi", 1),
         ("Q3", 2021, "edi", 1)]
    )  # fmt: skip
    fig2020 = stats.figures_table(counts, published, questions, 2020)
    q1 = row_of(fig2020, "Q1")
    assert q1["basis"] == "published" and q1["pct_positive"] == pytest.approx(42.0)
    assert isna(q1["n_valid"]) and isna(q1["n_positive"]) and isna(q1["ci_low"]) and isna(q1["ci_high"])
    assert not q1["suppressed"] and q1["test"] == "" and q1["change_flag"] == ""

    fig2021 = stats.figures_table(counts, published, questions, 2021)
    q1 = row_of(fig2021, "Q1")
    assert q1["basis"] == "counts" and q1["prev_year"] == 2020
    assert q1["change_pts"] == pytest.approx(60.0 - 42.0)
    assert isna(q1["p_value"]) and q1["test"] == "" and q1["change_flag"] == ""
    q2 = row_of(fig2021, "Q2")
    assert q2["basis"] == "published" and q2["prev_year"] == 2020
    assert q2["change_pts"] == pytest.approx(61.0 - 30.0)
    assert isna(q2["p_value"]) and q2["test"] == "" and q2["change_flag"] == ""
    q3 = row_of(fig2021, "Q3")
    assert q3["basis"] == "counts" and q3["pct_positive"] == pytest.approx(55.0) and q3["n_valid"] == 100


def test_suppression_under_threshold_and_threshold_parameter():
    counts = make_counts(
        [
            all_staff(2021, "Q1", 30, 30),
            all_staff(2022, "Q1", 5, 2, dont_know=20),  # 7 valid answers
            all_staff(2022, "Q2", 6, 4),  # exactly 10
        ]
    )
    questions = make_questions([("Q1", 2021, "wellbeing", 1), ("Q1", 2022, "wellbeing", 1), ("Q2", 2022, "wellbeing", 1)])
    fig = stats.figures_table(counts, make_published(), questions, 2022, threshold=10)
    q1 = row_of(fig, "Q1")
    assert q1["suppressed"] and q1["basis"] == "counts"
    assert q1["n_valid"] == 7
    for col in ("n_positive", "pct_positive", "ci_low", "ci_high", "change_pts", "p_value"):
        assert isna(q1[col]), col
    assert q1["change_flag"] == "" and q1["test"] == ""
    assert q1["prev_year"] == 2021  # the earlier published figure is still given
    q2 = row_of(fig, "Q2")
    assert not q2["suppressed"] and q2["pct_positive"] == pytest.approx(60.0)

    shown = stats.figures_table(counts, make_published(), questions, 2022, threshold=5)
    q1 = row_of(shown, "Q1")
    assert not q1["suppressed"]
    assert q1["n_positive"] == 5 and q1["pct_positive"] == pytest.approx(500 / 7)
    assert q1["test"] == "Fisher" and q1["change_flag"] != ""

    assert str(fig["n_valid"].dtype) == "Int64"
    assert str(fig["n_positive"].dtype) == "Int64"
    assert str(fig["prev_year"].dtype) == "Int64"


def test_question_asked_without_any_data_is_suppressed():
    questions = make_questions([("Q1", 2022, "cpd", 1)])
    fig = stats.figures_table(make_counts([]), make_published(), questions, 2022)
    r = row_of(fig, "Q1")
    assert r["suppressed"] and r["n_valid"] == 0 and isna(r["pct_positive"])


# --------------------------------------------------------------------------- themes


def test_theme_scores_mean_and_count_in_bank_order():
    counts = make_counts(
        [
            all_staff(2022, "A1", 60, 40),
            all_staff(2022, "A2", 30, 70),
            all_staff(2022, "A3", 3, 3),  # suppressed: left out of the mean
            all_staff(2022, "B1", 80, 20),
            all_staff(2021, "B1", 70, 30),
        ]
    )
    # the bank lists theme "wellbeing" before "cpd": that order is kept
    questions = make_questions(
        [("B1", 2021, "wellbeing", 1), ("B1", 2022, "wellbeing", 1), ("A1", 2022, "cpd", 1),
         ("A2", 2022, "cpd", 1), ("A3", 2022, "cpd", 1), ("A4", 2021, "cpd", 1)]
    )  # fmt: skip
    fig = stats.figures_table(counts, make_published([(2021, "A4", 50.0)]), questions, 2022)
    assert list(fig["question_id"]) == ["B1", "A1", "A2", "A3"]
    scores = stats.theme_scores(fig)
    assert list(scores["theme"]) == ["wellbeing", "cpd"]
    cpd = scores.loc[scores["theme"] == "cpd"].iloc[0]
    assert cpd["score"] == pytest.approx((60 + 30) / 2) and cpd["n_questions"] == 2
    wb = scores.loc[scores["theme"] == "wellbeing"].iloc[0]
    assert wb["score"] == pytest.approx(80.0) and wb["n_questions"] == 1

    trend = stats.theme_trend(counts, make_published([(2021, "A4", 50.0)]), questions, [2021, 2022])
    assert list(zip(trend["year"], trend["theme"], strict=True)) == [
        (2021, "wellbeing"), (2021, "cpd"), (2022, "wellbeing"), (2022, "cpd")
    ]  # fmt: skip
    cpd2021 = trend.loc[(trend["year"] == 2021) & (trend["theme"] == "cpd")].iloc[0]
    assert cpd2021["score"] == pytest.approx(50.0) and cpd2021["n_questions"] == 1

    low_threshold = stats.theme_trend(counts, make_published(), questions, [2022], threshold=5)
    cpd = low_threshold.loc[low_threshold["theme"] == "cpd"].iloc[0]
    assert cpd["score"] == pytest.approx((60 + 30 + 50) / 3) and cpd["n_questions"] == 3


def test_a_statement_without_a_published_figure_in_a_published_only_year_is_not_published():
    counts = make_counts([all_staff(2022, "Q1", 8, 4), all_staff(2022, "Q2", 2, 1)])
    published = make_published([(2021, "Q1", 70.0)])
    questions = make_questions([("Q1", 2021, "edi", 1), ("Q2", 2021, "edi", 1), ("Q1", 2022, "edi", 1), ("Q2", 2022, "edi", 1)])
    early = stats.figures_table(counts, published, questions, 2021)
    assert row_of(early, "Q1")["basis"] == stats.BASIS_PUBLISHED
    q2 = row_of(early, "Q2")
    assert q2["basis"] == stats.BASIS_NOT_PUBLISHED and q2["suppressed"]
    q2 = row_of(stats.figures_table(counts, published, questions, 2022), "Q2")
    assert q2["basis"] == stats.BASIS_COUNTS and q2["suppressed"]  # answered, by too few
