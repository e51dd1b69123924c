"""The unit-tier tests of tests/pipeline/test_references.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis.survey import load_survey
from healthcheck.present.sentences import pct
from tests.pipeline import test_references as references
from tests.pipeline.test_references import _resolve

demo = references.demo  # the fixture: a copy of the shipped data folder


def test_every_kind_of_reference_resolves_to_the_computed_figure():
    survey = load_survey(None, 2022)
    wel02 = survey.figures(2022).set_index("question_id").loc["WEL02"]
    data = survey.years[2022]
    assert _resolve(survey, "{pct}`WEL02`") == pct(wel02.pct_positive)
    assert _resolve(survey, "{n}`WEL02`") == str(int(wel02.n_valid))
    assert _resolve(survey, "{ci}`WEL02`") == f"{pct(wel02.ci_low)} to {pct(wel02.ci_high)}"
    assert _resolve(survey, "{change}`WEL02`").startswith(f"down {round(abs(wel02.change_pts))} points since 2021, a significant")
    assert _resolve(survey, "{change}`IMP02`") == "not compared with an earlier year"  # wording changed in 2022
    assert _resolve(survey, "{pct}`WEL02 2021`") == pct(survey.figures(2021).set_index("question_id").at["WEL02", "pct_positive"])
    assert _resolve(survey, "{fact}`respondents`") == str(data.n_respondents)
    assert _resolve(survey, "{fact}`response-rate`") == pct(data.response_rate)
    assert _resolve(survey, "{fact}`focus-groups`") == str(data.meta.focus_groups.held)
    assert _resolve(survey, "{theme-score}`wellbeing`").endswith("%")


def test_changing_one_answer_in_the_export_changes_the_narratives_number(demo):
    survey = load_survey(demo, 2022)
    before = _resolve(survey, "{n}`WEL02`")
    export = demo / "2022" / survey.years[2022].meta.export
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    column = next(h for h, code in survey.years[2022].meta.questions.items() if code == "WEL02")
    blank = frame.index[frame[column] == ""][0]
    frame.loc[blank, column] = "Agree"  # one more valid answer
    frame.to_csv(export, index=False, encoding="utf-8-sig")
    assert _resolve(load_survey(demo, 2022), "{n}`WEL02`") == str(int(before) + 1)
