"""Breakdowns as readers get them: protected together, hidden cells without figures, small bases marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthcheck.analysis import disclosure
from healthcheck.analysis.breakdowns import BREAKDOWN_COLUMNS, REASON_SECONDARY, protected_breakdowns
from healthcheck.analysis.survey import load_survey
from healthcheck.present.sections.theme import breakdown_table


@pytest.fixture(scope="module")
def demo():
    survey = load_survey(None, 2022)
    return survey, survey.breakdowns(2022)


def test_every_cell_of_the_year_with_the_documented_columns(demo):
    survey, table = demo
    assert list(table.columns) == BREAKDOWN_COLUMNS
    groups = {gt: set(table.loc[table.group_type == gt, "group"]) for gt in ("team", "locality", "role")}
    exported = set(survey.years[2022].meta.questions.values())
    # every group appears for every question asked in the export, so a missing row gives nothing away
    for question_id, rows in table.groupby("question_id"):
        assert {gt: set(r.group) for gt, r in rows.groupby("group_type")} == groups, question_id
    assert set(table.question_id) == exported


def test_hidden_cells_carry_no_figure_and_say_why(demo):
    survey, table = demo
    hidden = table[table.suppressed]
    assert hidden[["n_valid", "n_positive"]].isna().all().all() and hidden.pct_positive.isna().all()
    assert set(hidden.reason) == {f"fewer than {survey.threshold} responses", REASON_SECONDARY}
    shown = table[~table.suppressed]
    assert (shown.n_valid >= survey.threshold).all() and (shown.reason == "").all()


def test_small_bases_are_marked_for_caution(demo):
    survey, table = demo
    caution = survey.settings.caution_threshold
    shown = table[~table.suppressed]
    assert shown.caution.any()  # the demonstration has groups just above the threshold
    assert (shown.caution == (shown.n_valid < caution)).all()
    part = table[(table.group_type == "team") & (table.theme == "wellbeing")]
    rows = breakdown_table(part, "team")
    assert list(rows.columns) == ["Code", "Statement", "Team", "% agreeing", "Valid responses", "Note"]
    assert (rows.Note[part.caution.to_numpy()] == "caution: a small base").all()
    assert (rows["% agreeing"][part.suppressed.to_numpy()] == "").all()


def test_the_protection_holds_against_the_lp_attack_on_the_demo(demo):
    survey, table = demo
    cells = survey.years[2022].cells
    protected = disclosure.protect(cells, ["team", "locality", "role"], threshold=survey.threshold)
    published = disclosure.publication(protected)
    ranges = disclosure.feasible_ranges(published, disclosure.structure_of(cells), threshold=survey.threshold)
    primary = ranges[ranges.status == disclosure.PRIMARY]
    assert len(primary) and (primary.min_width >= disclosure.DEFAULT_PROTECTION - 1e-6).all()


def test_a_question_that_cannot_be_protected_shows_no_breakdown():
    # two teams, one of 3 and one of 9: whatever is hidden, all staff minus nothing leaves them
    rows = []
    for team, n in (("A", 3), ("B", 9)):
        rows.append({"year": 2023, "question_id": "Q1", "team": team, "locality": "", "role": "", "n_valid": n, "n_positive": 1})
    cells = pd.DataFrame(rows)
    questions = pd.DataFrame(
        {"question_id": ["Q1"], "year": [2023], "theme": ["t"], "short": ["q"], "wording": ["w"], "series": [0]}
    )
    table = protected_breakdowns(cells, questions, 2023, ["team"], threshold=10, caution=20)
    assert table.suppressed.all() and len(table) == 2
    assert np.isnan(table.pct_positive.astype(float)).all()
