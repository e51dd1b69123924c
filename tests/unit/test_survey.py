"""Loading the survey as a whole: years up to the report's, figures, and reconciliation."""

import pytest

from healthcheck.analysis.survey import load_survey
from healthcheck.errors import DataError


def test_loads_every_year_up_to_the_report_year(data_dir):
    assert load_survey(data_dir, 2021).year_list == [2021]
    assert load_survey(data_dir).year_list == [2021, 2022]


def test_comparison_skips_a_wording_break(data_dir):
    figures = load_survey(data_dir, 2022).figures(2022).set_index("question_id")
    assert figures.at["IMP01", "prev_year"] == 2021
    assert figures.at["IMP02", "prev_year"] is None or str(figures.at["IMP02", "prev_year"]) == "<NA>"


def test_reconciliation_flags_a_published_figure_that_differs(data_dir):
    # IMP01 in 2022 is 30 agree of 40 valid = 75%.
    (data_dir / "2022" / "published.csv").write_text(
        "question_id,pct_positive,source\nIMP01,75,report\nWEL01,90,report\n", encoding="utf-8"
    )
    table = load_survey(data_dir, 2022).reconciliation(2022).set_index("question_id")
    assert bool(table.at["IMP01", "matches"]) is True
    assert bool(table.at["WEL01", "matches"]) is False


def test_an_error_in_an_earlier_year_stops_the_load(data_dir):
    (data_dir / "2021" / "export.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_survey(data_dir, 2022)
    assert any("2021" in p.file for p in caught.value.problems)


def test_asking_for_a_year_without_data_is_a_data_error(data_dir):
    with pytest.raises(DataError) as raised:
        load_survey(data_dir, 2030)
    [problem] = raised.value.problems
    assert problem.found == "2030" and "the years present are 2021, 2022" in problem.expected
