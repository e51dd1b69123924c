"""The unit-tier tests of tests/pipeline/test_national_findings.py (see tests/README.md for the tiers)."""

from __future__ import annotations

from healthcheck.present import change
from healthcheck.present.national import findings as nf
from tests.pipeline.test_national_findings import _rows


def test_best_and_worst_skip_suppressed_figures():
    england = _rows([("Q1", "England", 90, 100, True), ("Q2", "England", 70, 100, False), ("Q3", "England", 40, 100, False)])
    best, worst = nf.best_and_worst(england)
    assert best["question_id"] == "Q2" and worst["question_id"] == "Q3"
    best, worst = nf.best_and_worst(england[england["question_id"] != "Q3"])
    assert best["question_id"] == "Q2" and worst is None


def test_regional_gaps_are_tested_and_the_widest_first():
    regions = _rows(
        [
            ("Q1", "North", 80, 200, False),
            ("Q1", "South", 40, 200, False),  # 40 points on 200 each: significant
            ("Q2", "North", 6, 10, False),
            ("Q2", "South", 5, 10, False),  # 10 points on 10 each: not significant
            ("Q3", "North", 9, 10, False),
            ("Q3", "South", 1, 10, True),  # suppressed: never compared
        ],
        "region",
    )
    gaps = nf.regional_gaps(regions)
    assert list(gaps["question_id"]) == ["Q1", "Q2"]
    assert gaps.loc[0, "high_region"] == "North" and gaps.loc[0, "low_region"] == "South"
    assert list(gaps["significant"]) == [True, False]
    shorts = {"Q1": "Statement one", "Q2": "Statement two"}
    assert nf.regions_title(gaps, shorts, "Theme") == "North and South differ most on \u201cStatement one\u201d: 40% against 20%"
    assert nf.regions_title(gaps.iloc[1:], shorts, "Theme") == "No two regions differ significantly on theme"
    line = nf.gap_findings(gaps.iloc[1:], shorts)[0]
    assert "No significant difference between regions" in line and "Statement two" in line


def test_england_changes_give_each_of_the_four_states():
    now = _rows(
        [
            ("UP", "England", 300, 400, False),
            ("DOWN", "England", 100, 400, False),
            ("SAME", "England", 200, 400, False),
            ("NEW", "England", 200, 400, False),
            ("WORDS", "England", 200, 400, False),
            ("FEW", "England", 5, 8, True),
        ]
    )
    before = _rows(
        [
            ("UP", "England", 200, 400, False),
            ("DOWN", "England", 200, 400, False),
            ("SAME", "England", 204, 400, False),
            ("WORDS", "England", 100, 400, False),
            ("FEW", "England", 200, 400, False),
        ]
    ).assign(reworded=lambda f: f["question_id"] == "WORDS")
    out = nf.england_changes(now, before, 2023).set_index("question_id")
    assert out.loc["UP", "state"] == change.RISE and out.loc["UP", "change_pts"] == 25
    assert out.loc["DOWN", "state"] == change.FALL and out.loc["DOWN", "change_pts"] == -25
    assert out.loc["SAME", "state"] == change.NO_CHANGE
    assert (out.loc["NEW", "state"], out.loc["NEW", "reason"]) == (change.NOT_TESTED, change.NEW_STATEMENT)
    assert out.loc["WORDS", "reason"] == change.WORDING_CHANGED
    assert out.loc["FEW", "reason"] == change.TOO_FEW
    shorts = {q: f"about {q.lower()}" for q in out.index}
    lines = nf.change_findings(out.reset_index(), shorts, 2024, 2023)
    assert lines[0].startswith("\u25b2 **1 statement rose significantly in England since 2023** (of 3 tested)")
    assert "about up" in lines[0] and "about down" in lines[1] and lines[1].startswith("\u25bc")
    first = nf.england_changes(now, None, None)
    assert set(first["reason"]) == {change.FIRST_YEAR}
    assert "no change" in nf.change_findings(first, shorts, 2024, None)[0]
