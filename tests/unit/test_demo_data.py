"""The shipped demonstration data: valid, and reproducing the published 2022 figures (in-process checks)."""

import pandas as pd

from healthcheck import paths
from healthcheck.analysis.rounding import round_half_up
from healthcheck.analysis.survey import load_survey

# The 2022 published percentages (report of October 2022 and its covering letter), as issued.
PUBLISHED_2022 = {
    "IMP01": 82, "IMP02": 69, "IMP03": 80, "IMP04": 88, "WEL01": 67, "PRA01": 74, "PRA02": 69, "PRA03": 55,
    "PRA04": 50, "PRA05": 70, "PRA06": 72, "PRA07": 32, "PRA08": 55, "EDI01": 69, "EDI02": 74,
}  # fmt: skip


def test_2022_respondent_records_reproduce_the_published_percentages():
    figures = load_survey(year=2022).figures(2022).set_index("question_id")
    # rounded as the report rounds (halves up), not as Python's round() does (halves to even)
    computed = {qid: round_half_up(float(figures.at[qid, "pct_positive"])) for qid in PUBLISHED_2022}
    assert computed == PUBLISHED_2022
    assert (figures.loc[list(PUBLISHED_2022), "basis"] == "counts").all()


def test_published_csv_holds_the_same_figures_with_a_source():
    published = pd.read_csv(paths.ROOT / "data" / "2022" / "published.csv")
    assert dict(zip(published.question_id, published.pct_positive.round().astype(int), strict=True)) == PUBLISHED_2022
    assert published.source.str.len().min() > 10


def test_demo_has_the_features_the_report_must_show():
    survey = load_survey(year=2022)
    assert survey.years[2020].meta.level == "counts"
    assert any(q.comparable_from for q in survey.bank.questions.values())
    counts = survey.counts
    assert (counts.response == "dont_know").any()
    teams = survey.breakdowns(2022)
    teams = teams[teams.group_type == "team"]
    assert teams.suppressed.any() and (~teams.suppressed).any()
    published_only = survey.figures(2020)
    assert (published_only.basis == "published").any()


def test_2022_reconciliation_shows_every_published_figure_matching():
    table = load_survey(year=2022).reconciliation(2022)
    assert set(table.question_id) == set(PUBLISHED_2022)
    assert table.matches.all()
