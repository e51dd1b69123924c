"""A theme compared on one statement: its "average" is that statement's change, which was
tested, so the tile says the test's result rather than "an average, not tested" beside its own
count of one significant change (found on another council's book)."""

from healthcheck.present import change
from healthcheck.present.chapter import Chapter
from healthcheck.present.sections import summary


def test_a_theme_compared_on_one_statement_says_that_statements_result(data_dir):
    # conftest's data_dir: each theme has one statement asked in both years in the same words
    # (IMP02 was reworded, so improvement is compared on IMP01 alone)
    rows = summary.headline_rows(Chapter(2022, data_dir=data_dir)).set_index("theme")
    states = summary.statement_states(Chapter(2022, data_dir=data_dir)).set_index("question_id")
    for theme, statement in (("improvement", "IMP01"), ("wellbeing", "WEL01")):
        row, own = rows.loc[theme], states.loc[statement, "change"]
        assert row["n_compared"] == 1
        assert own.state != change.NOT_TESTED  # the statement was tested
        assert row["change"] == own
        assert row["change_text"].startswith(own.shape), row["change_text"]
        assert "on the one statement asked in both years" in row["change_text"]
        assert row["change_text"].endswith(f"; {own.state})") and "not tested" not in row["change_text"]


def test_a_theme_compared_on_several_statements_is_still_an_untested_average():
    rows = summary.headline_rows(Chapter(2022))
    several = rows[rows["n_compared"] > 1]
    assert len(several)  # the demonstration has such themes
    for _, row in several.iterrows():
        assert row["change"].state == change.NOT_TESTED and row["change"].reason == change.THEME_AVERAGE
        assert row["change_text"].startswith(change.SHAPES[change.NOT_TESTED])
        assert row["change_text"].endswith("; an average, not tested)")
