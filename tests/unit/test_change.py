"""The one vocabulary for change (healthcheck.present.change) and the one theme change
(stats.theme_changes / stats.theme_score_series) that every place shows."""

from __future__ import annotations

import pandas as pd
import pytest

from healthcheck.analysis import stats
from healthcheck.present import change


def make_counts(cells):
    rows = [
        {"year": y, "question_id": q, "group_type": "all", "group": "All staff", "response": r, "n": n}
        for y, q, agree, other in cells
        for r, n in (("agree", agree), ("disagree", other))
    ]
    return pd.DataFrame(rows)


def make_questions(rows):
    return pd.DataFrame(
        [{"question_id": q, "year": y, "theme": t, "short": q, "wording": f"{q} {s}", "series": s} for q, y, t, s in rows]
    )


NO_PUBLISHED = pd.DataFrame(columns=["year", "question_id", "pct_positive", "source"])


def test_four_states_have_distinct_words_and_shapes():
    assert len(set(change.SHAPES.values())) == 4 and set(change.SHAPES) == set(change.STATES)
    assert change.label(change.RISE) == "\u25b2 significant rise"
    assert change.label(change.NOT_TESTED, change.WORDING_CHANGED) == "\u25cb not tested: wording changed"
    with pytest.raises(ValueError):
        change.label("up a bit")


def _figures():
    questions = make_questions(
        [
            ("UP", 2021, "t", 1), ("UP", 2022, "t", 1),
            ("DOWN", 2021, "t", 1), ("DOWN", 2022, "t", 1),
            ("SAME", 2021, "t", 1), ("SAME", 2022, "t", 1),
            ("NEW", 2022, "t", 1),
            ("WORD", 2021, "t", 1), ("WORD", 2022, "t", 2),
            ("FEW", 2021, "t", 1), ("FEW", 2022, "t", 1),
        ]
    )  # fmt: skip
    counts = make_counts(
        [
            (2021, "UP", 40, 60), (2022, "UP", 80, 20),
            (2021, "DOWN", 80, 20), (2022, "DOWN", 40, 60),
            (2021, "SAME", 50, 50), (2022, "SAME", 52, 48),
            (2022, "NEW", 30, 70),
            (2021, "WORD", 30, 70), (2022, "WORD", 60, 40),
            (2021, "FEW", 3, 3), (2022, "FEW", 60, 40),
        ]
    )  # fmt: skip
    return questions, counts


def test_state_of_each_row_and_reason():
    questions, counts = _figures()
    figs = stats.figures_table(counts, NO_PUBLISHED, questions, 2022).set_index("question_id", drop=False)
    states = {q: change.state_of(figs.loc[q], questions) for q in figs.index}
    assert states["UP"].state == change.RISE and states["UP"].prev_year == 2021
    assert states["DOWN"].state == change.FALL
    assert states["SAME"].state == change.NO_CHANGE
    assert (states["NEW"].state, states["NEW"].reason) == (change.NOT_TESTED, change.NEW_STATEMENT)
    assert states["WORD"].reason == change.WORDING_CHANGED
    assert states["FEW"].reason == change.TOO_FEW
    # A suppressed figure this year and a published one are not tested, each with its reason.
    assert change.state_of({"suppressed": True, "change_flag": ""}).reason == change.TOO_FEW
    assert change.state_of({"basis": "published", "change_flag": "", "suppressed": False}).reason == change.PUBLISHED_ONLY
    assert change.one_line(states["UP"]) == "\u25b2 significant rise, up 40 points since 2021"
    assert change.one_line(states["WORD"]) == "\u25cb not tested (wording changed)"
    assert change.one_line(change.Change(change.NOT_TESTED, change.PUBLISHED_ONLY, -1.0, 2020)).endswith(
        "down 1 point since 2020"
    )


def test_theme_series_steps_by_the_theme_change_on_the_same_statements():
    questions = make_questions(
        [
            ("A", 2020, "t", 1), ("A", 2021, "t", 1), ("A", 2022, "t", 1),
            ("B", 2021, "t", 1), ("B", 2022, "t", 1),
            ("C", 2022, "t", 1),
            ("D", 2020, "t", 1), ("D", 2021, "t", 1), ("D", 2022, "t", 2),
        ]
    )  # fmt: skip
    counts = make_counts(
        [
            (2020, "A", 50, 50), (2021, "A", 60, 40), (2022, "A", 70, 30),
            (2021, "B", 20, 80), (2022, "B", 30, 70),
            (2022, "C", 90, 10),
            (2020, "D", 90, 10), (2021, "D", 95, 5), (2022, "D", 10, 90),
        ]
    )  # fmt: skip
    by_year = {y: stats.figures_table(counts, NO_PUBLISHED, questions, y) for y in (2020, 2021, 2022)}
    row = stats.theme_changes(by_year[2022]).iloc[0]
    # C is new and D changed wording: only A and B count.
    assert row.compared_ids == ["A", "B"] and row.n_compared == 2 and row.n_questions == 4
    assert row.change_pts == pytest.approx(10.0) and row.compared_score == pytest.approx(50.0)
    series = stats.theme_score_series(by_year, 2022)
    # B was not asked in 2020, so 2020 has no point on this set of statements.
    assert list(series["year"]) == [2021, 2022] and set(series["n_questions"]) == {2}
    step = series["score"].iloc[-1] - series["score"].iloc[-2]
    assert step == pytest.approx(row.change_pts)


def test_on_the_demonstration_each_themes_series_ends_with_the_change_the_summary_states():
    from healthcheck.analysis.survey import load_survey

    survey = load_survey(None, 2022)
    by_year = {y: survey.figures(y) for y in survey.year_list}
    changes = stats.theme_changes(by_year[2022]).set_index("theme")
    series = stats.theme_score_series(by_year, 2022)
    checked = 0
    for theme, rows in series.groupby("theme"):
        row = changes.loc[theme]
        assert set(rows["n_questions"]) == {row.n_compared}
        assert rows["score"].iloc[-1] == pytest.approx(row.compared_score)
        if len(row.prev_years) == 1 and len(rows) > 1:
            assert rows["year"].iloc[-2] == row.prev_years[0]
            assert rows["score"].iloc[-1] - rows["score"].iloc[-2] == pytest.approx(row.change_pts)
            checked += 1
    assert checked >= 4
