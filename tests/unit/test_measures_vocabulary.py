"""The scores table speaks the book's one vocabulary of change (present/change)."""

import pandas as pd

from healthcheck.analysis import stats
from healthcheck.present import change
from healthcheck.present.sections.measures import score_table, screen_table


def _scores() -> pd.DataFrame:
    base = {"ci_low": 60.0, "ci_high": 70.0, "band": "moderate", "n_valid": 100, "suppressed": False}
    rows = [
        {"question_id": "Q1", "score": 65.0, "prev_score": 60.0, "prev_year": 2021, "change": 5.0, "change_flag": stats.INCREASE},
        {
            "question_id": "Q2",
            "score": 55.0,
            "prev_score": 60.0,
            "prev_year": 2021,
            "change": -5.0,
            "change_flag": stats.DECREASE,
        },
        {
            "question_id": "Q3",
            "score": 60.0,
            "prev_score": 59.0,
            "prev_year": 2021,
            "change": 1.0,
            "change_flag": stats.NO_CHANGE,
        },
        {"question_id": "Q4", "score": 60.0, "prev_score": None, "prev_year": None, "change": None, "change_flag": ""},
    ]
    frame = pd.DataFrame([base | r for r in rows])
    frame["prev_year"] = frame["prev_year"].astype("Int64")
    frame["n_valid"] = frame["n_valid"].astype("Int64")
    return frame


def test_each_state_has_the_words_and_shape_of_the_percentages_tables():
    questions = pd.DataFrame({"question_id": ["Q1", "Q2", "Q3", "Q4"], "short": ["A", "B", "C", "D"]})
    table = score_table(_scores(), questions, threshold=10)
    assert list(table["Significance"]) == [
        change.label(change.RISE),
        change.label(change.FALL),
        change.label(change.NO_CHANGE),
        change.label(change.NOT_TESTED, "no earlier score"),
    ]
    shown = screen_table(table)
    # the page shows a fall with a true minus sign; the download keeps a plain number
    assert list(shown["Change (points)"]) == ["+5.0", "\u22125.0", "+1.0", "\u2013"]
    assert table.loc[1, "Change (points)"] == "-5.0"
