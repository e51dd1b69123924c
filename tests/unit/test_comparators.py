"""Tests of healthcheck.analysis.comparators against hand-worked figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from healthcheck.analysis import comparators as bm
from healthcheck.analysis import ranks as rk
from healthcheck.analysis.stats import compare_proportions

COLUMNS = ["org_id", "region", "question_id", "n_positive", "n_valid"]


def org_figures(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


# Three organisations, two regions; A's Q2 has 9 valid answers (under the threshold of 10).
SMALL = org_figures(
    [
        ("A", "North", "Q1", 30, 50),
        ("A", "North", "Q2", 8, 9),
        ("B", "North", "Q1", 10, 40),
        ("B", "North", "Q2", 20, 25),
        ("C", "South", "Q1", 45, 60),
        ("C", "South", "Q2", 12, 20),
    ]
)


def row(frame, **where):
    mask = np.ones(len(frame), bool)
    for key, value in where.items():
        mask &= (frame[key] == value).to_numpy()
    assert mask.sum() == 1, where
    return frame.loc[mask].iloc[0]


# --------------------------------------------------------------------------- benchmark figures


def test_benchmark_figures_pooled_and_median_by_hand():
    out = bm.benchmark_figures(SMALL)
    assert list(out.columns) == bm.BENCHMARK_COLUMNS
    assert list(zip(out["question_id"], out["scope"], out["name"], strict=True)) == [
        ("Q1", "national", "England"),
        ("Q1", "region", "North"),
        ("Q1", "region", "South"),
        ("Q2", "national", "England"),
        ("Q2", "region", "North"),
        ("Q2", "region", "South"),
    ]
    # Q1 England: (30 + 10 + 45) / (50 + 40 + 60); organisations at 60%, 25%, 75%.
    r = row(out, question_id="Q1", name="England")
    assert (r.n_valid, r.n_positive, r.n_organisations) == (150, 85, 3)
    assert r.pct_positive == pytest.approx(100 * 85 / 150)
    assert r.org_median_pct == pytest.approx(60.0)
    # Q2 England: A (9 valid answers) is left out of the pool: (20 + 12) / (25 + 20).
    r = row(out, question_id="Q2", name="England")
    assert (r.n_valid, r.n_positive, r.n_organisations) == (45, 32, 2)
    assert r.pct_positive == pytest.approx(100 * 32 / 45)
    assert r.org_median_pct == pytest.approx(70.0)  # median of 80% and 60%
    r = row(out, question_id="Q1", name="North")
    assert (r.n_valid, r.n_positive) == (90, 40)
    assert r.org_median_pct == pytest.approx(42.5)
    r = row(out, question_id="Q2", name="North")
    assert (r.n_valid, r.n_positive, r.n_organisations) == (25, 20, 1)
    assert not out["suppressed"].any()


def test_benchmark_suppression_and_threshold():
    figs = pd.concat([SMALL, org_figures([("D", "East", "Q1", 3, 7), ("D", "East", "Q2", 2, 4)])])
    out = bm.benchmark_figures(figs)
    east = out.loc[out["name"] == "East"]
    assert east["suppressed"].all()
    assert east["pct_positive"].isna().all() and east["n_positive"].isna().all()
    assert east["org_median_pct"].isna().all()
    assert (east["n_valid"] == 0).all() and (east["n_organisations"] == 0).all()
    # A lower threshold lets A's 9 answers and D's 7 into the pools.
    low = bm.benchmark_figures(figs, threshold=5)
    r = row(low, question_id="Q2", name="England")
    assert (r.n_valid, r.n_positive, r.n_organisations) == (54, 40, 3)
    assert row(low, question_id="Q1", name="East").pct_positive == pytest.approx(100 * 3 / 7)


@pytest.mark.parametrize(
    "bad",
    [
        org_figures([("A", "North", "Q1", 11, 10)]),
        org_figures([("A", "North", "Q1", 1, 10), ("A", "North", "Q1", 2, 10)]),
        org_figures([("A", "North", "Q1", 1, 10), ("A", "South", "Q2", 2, 10)]),
        pd.DataFrame({"org_id": ["A"], "question_id": ["Q1"]}),
    ],
)
def test_bad_organisation_figures_are_refused(bad):
    with pytest.raises(ValueError):
        bm.benchmark_figures(bad)


# --------------------------------------------------------------------------- comparisons


def published(frame):
    """What a year's benchmarks.csv holds: no n_positive column."""
    return frame.loc[:, ["question_id", "scope", "name", "pct_positive", "n_valid"]]


def test_compare_with_every_organisations_counts_tests_against_the_others():
    out = bm.compare_with_benchmarks(None, bm.benchmark_figures(SMALL), "A", SMALL)
    assert list(out.columns) == bm.COMPARISON_COLUMNS
    assert list(zip(out["question_id"], out["scope"], strict=True)) == [
        ("Q1", "national"),
        ("Q1", "region"),
        ("Q2", "national"),
        ("Q2", "region"),
    ]
    r = row(out, question_id="Q1", scope="national")
    assert r.pct_positive == pytest.approx(60.0)
    assert r.diff_pts == pytest.approx(60.0 - 100 * 85 / 150)
    assert r.basis == "others"
    # the others nationally: B and C, 55 of 100
    p_value, test = compare_proportions(30, 50, 55, 100)
    assert r.p_value == pytest.approx(p_value) and r.test == test
    r = row(out, question_id="Q1", scope="region")
    assert r["name"] == "North"
    assert r.p_value == pytest.approx(compare_proportions(30, 50, 10, 40)[0])  # B only
    assert r.result == "higher"  # 60% against 25%
    # A's Q2 is suppressed (9 valid answers): no difference, no test
    r = row(out, question_id="Q2", scope="national")
    assert r.result == "suppressed" and math.isnan(r.diff_pts) and math.isnan(r.p_value)
    # Beside another region, nobody is taken out of its pool.
    south = bm.compare_with_benchmarks(None, bm.benchmark_figures(SMALL), "A", SMALL, region="South")
    r = row(south, question_id="Q1", scope="region")
    assert r["name"] == "South" and r.p_value == pytest.approx(compare_proportions(30, 50, 45, 60)[0])


def test_compare_all_organisations_is_each_organisation_in_one_pass():
    figs = pd.concat([SMALL, org_figures([("D", "South", "Q1", 7, 12), ("D", "South", "Q2", 3, 8)])])
    bench = bm.benchmark_figures(figs)
    everyone = bm.compare_all_organisations(figs)
    assert list(everyone.columns) == ["org_id", *bm.COMPARISON_COLUMNS]
    for org_id in "ABCD":
        one = bm.compare_with_benchmarks(None, bench, org_id, figs)
        mine = everyone.loc[everyone["org_id"] == org_id].drop(columns="org_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one)


def test_compare_with_published_benchmark_takes_us_out_of_the_pool():
    ours = org_figures([("C", "South", "Q1", 45, 60)])
    bench = published(bm.benchmark_figures(SMALL))
    out = bm.compare_with_benchmarks(ours, bench, region="South")
    r = row(out, question_id="Q1", scope="national")
    assert r.basis == "published minus us"
    # England 85/150; minus C's 45/60 leaves 40/90 (85 rebuilt from 56.67% of 150).
    assert r.p_value == pytest.approx(compare_proportions(45, 60, 40, 90)[0])
    assert r.result == "higher"
    # The region is C alone: nobody is left to compare with.
    r = row(out, question_id="Q1", scope="region")
    assert r.diff_pts == pytest.approx(0.0)
    assert (r.result, r.basis) == ("not tested", "")
    # A benchmark that does not include us is tested as it is.
    out = bm.compare_with_benchmarks(ours, bench, region="South", benchmark_includes_us=False)
    r = row(out, question_id="Q1", scope="national")
    assert r.basis == "published"
    assert r.p_value == pytest.approx(compare_proportions(45, 60, 85, 150)[0])


def test_compare_without_a_base_is_not_tested_and_missing_statements_say_so():
    bench = pd.DataFrame(
        {
            "question_id": ["Q1", "Q1"],
            "scope": ["national", "region"],
            "name": ["England", "North"],
            "pct_positive": [70.0, 40.0],
            "n_valid": [np.nan, 900],
        }
    )
    ours = pd.DataFrame({"question_id": ["Q1", "Q3"], "n_positive": [30, 5], "n_valid": [50, 20]})
    out = bm.compare_with_benchmarks(ours, bench)
    r = row(out, question_id="Q1", scope="national")
    assert r.diff_pts == pytest.approx(-10.0)
    assert (r.result, r.test, r.basis) == ("not tested", "", "")
    assert math.isnan(r.p_value)
    r = row(out, question_id="Q1", scope="region")  # the one region in the file is ours
    assert r["name"] == "North" and r.result in ("higher", "no significant difference")
    assert r.p_value == pytest.approx(compare_proportions(30, 50, 360 - 30, 900 - 50)[0])
    for scope in ("national", "region"):
        r = row(out, question_id="Q3", scope=scope)
        assert r.result == "not in benchmark"
        assert math.isnan(r.diff_pts) and pd.isna(r.benchmark_pct)
    # Only a percentage of our own: the difference, never a test.
    out = bm.compare_with_benchmarks(pd.DataFrame({"question_id": ["Q1"], "pct_positive": [75.0]}), bench)
    r = row(out, question_id="Q1", scope="region")
    assert r.diff_pts == pytest.approx(35.0) and r.result == "not tested"


def test_compare_reports_a_suppressed_benchmark_and_needs_our_region():
    figs = pd.concat([SMALL, org_figures([("D", "East", "Q1", 3, 7), ("D", "East", "Q2", 2, 4)])])
    bench = bm.benchmark_figures(figs)
    ours = pd.DataFrame({"question_id": ["Q1"], "n_positive": [6], "n_valid": [12]})
    out = bm.compare_with_benchmarks(ours, bench, region="East")
    assert row(out, scope="region").result == "benchmark suppressed"
    assert row(out, scope="national").result == "no significant difference"
    with pytest.raises(ValueError, match="regions"):
        bm.compare_with_benchmarks(ours, bench)


# --------------------------------------------------------------------------- ranks


def grid(orgs, questions=("Q1", "Q2", "Q3", "Q4")):
    """orgs: {org_id: (region, positive, valid)} with the same counts on every statement."""
    return org_figures([(o, reg, q, k, n) for o, (reg, k, n) in orgs.items() for q in questions])


def test_a_clearly_best_organisation_ranks_first_with_a_narrow_interval():
    orgs = {f"O{i}": ("R1" if i % 2 else "R2", 250 + 5 * i, 500) for i in range(10)}
    orgs["BEST"] = ("R1", 475, 500)
    out = rk.ranks(grid(orgs), "BEST", "national", n_boot=500, seed=1)
    assert (out["rank"], out["rank_low"], out["rank_high"]) == (1, 1, 1)
    assert out["n_organisations"] == 11 and out["score"] == pytest.approx(95.0)
    region = rk.ranks(grid(orgs), "BEST", "region", n_boot=500, seed=1)
    assert region["name"] == "R1" and region["n_organisations"] == 6 and region["rank"] == 1


def test_equal_organisations_get_wide_intervals():
    orgs = {f"O{i}": ("R1", 50, 100) for i in range(10)}
    table = rk.rank_table(grid(orgs), "national", n_boot=1000, seed=0)
    assert (table["rank"] == 1).all()  # equal scores share the better rank
    assert (table["rank_low"] <= 2).all() and (table["rank_high"] >= 9).all()


def test_ranks_are_deterministic_and_match_the_table():
    rng = np.random.default_rng(5)
    orgs = {f"O{i:02d}": (f"R{i % 3}", int(rng.integers(20, 80)), 100) for i in range(30)}
    figs = grid(orgs)
    first = rk.rank_table(figs, "region", n_boot=300, seed=42)
    shuffled = figs.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(first, rk.rank_table(shuffled, "region", n_boot=300, seed=42))
    one = rk.ranks(shuffled, "O07", "region", n_boot=300, seed=42)
    assert one == rk.ranks(figs, "O07", "region", n_boot=300, seed=42)
    r = row(first, org_id="O07")
    assert (one["rank"], one["rank_low"], one["rank_high"]) == (r["rank"], r["rank_low"], r["rank_high"])
    assert one["rank_low"] <= one["rank"] <= one["rank_high"]


def test_a_suppressed_statement_stays_out_of_its_own_score():
    figs = org_figures(
        [
            ("X", "R", "Q1", 80, 100), ("X", "R", "Q2", 40, 100),
            ("Y", "R", "Q1", 60, 100), ("Y", "R", "Q2", 20, 100),
            ("Z", "R", "Q1", 70, 100), ("Z", "R", "Q2", 1, 5),  # Z's Q2 is suppressed
            ("X", "R", "Q9", 50, 100),  # asked by X only: never ranked on
        ]
    )  # fmt: skip
    table = rk.rank_table(figs, "national", n_boot=200)
    assert (table["n_shared"] == 2).all()
    z = row(table, org_id="Z")
    assert z["n_statements"] == 1
    # Z: its Q1 gap from the organisations' mean (70 - 70), plus the mean level of Q1 and Q2
    # ((80 + 60 + 70) / 3 and (40 + 20) / 2).
    assert z["score"] == pytest.approx(0.0 + (70.0 + 30.0) / 2)
    assert row(table, org_id="X")["score"] == pytest.approx(60.0)  # plain mean when all are shown
    assert list(table["org_id"]) == ["X", "Z", "Y"]


def test_an_organisation_with_nothing_shown_is_not_ranked():
    figs = grid({"A": ("R", 30, 50), "B": ("R", 20, 50), "TINY": ("R", 3, 6)})
    out = rk.ranks(figs, "TINY", n_boot=100)
    assert out["rank"] is None and out["rank_low"] is None and out["n_organisations"] == 2
    assert rk.ranks(figs, "A", n_boot=100)["rank"] == 1
    with pytest.raises(ValueError):
        rk.ranks(figs, "NOBODY")
