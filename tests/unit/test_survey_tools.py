"""Every survey tool's export as downloaded: recognised, read, imported and validated; answer
scales and non-answers as data; import asks instead of guessing; Excel serial dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from healthcheck.analysis.stats import percent_positive
from healthcheck.analysis.survey import load_year
from healthcheck.data import codes, scales
from healthcheck.data.config import YearMeta, load_year_meta
from healthcheck.data.tables import read, surveytools
from healthcheck.data.tables.dates import parse_dates
from healthcheck.data.validate import check_year
from healthcheck.errors import YearStartError
from healthcheck.scaffold import headings, importer, newyear
from tests.support import survey_tool_exports as tools

WORDINGS = [w for _, _, w in tools.STATEMENTS.values()]
# year -> the row of the first answer, as Excel numbers it (below the tool's heading rows)
FIRST_ANSWER_ROW = {2018: 3, 2019: 3, 2020: 4, 2021: 2, 2022: 2, 2023: 3, 2024: 2}


def _export(tmp_path: Path, year: int) -> Path:
    _, name, write = tools.EXPORTS[year]
    path = tmp_path / "downloads" / name
    path.parent.mkdir(exist_ok=True)
    write(path, year)
    return path


def _council(tmp_path: Path, year: int) -> Path:
    """A council's folder: the year started, settings and bank written, as the analyst's guide says."""
    data = tmp_path / "data"
    newyear.new_year(data, year, echo=lambda _: None)
    (data / "settings.yml").write_text(tools.settings_text(), encoding="utf-8")
    (data / "question_bank.yml").write_text(tools.bank_text(range(2018, 2025)), encoding="utf-8")
    return data


def _confirm_team(data: Path, year: int) -> None:
    """The analyst's one edit: confirming the team question import proposed."""
    survey = data / str(year) / "survey.yml"
    text = survey.read_text(encoding="utf-8")
    line = f'  # PLEASE CONFIRM columns.team: perhaps "{tools.TEAM_QUESTION}"'
    assert line in text
    survey.write_text(text.replace(line, f"  team: {tools.TEAM_QUESTION}"), encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("year", sorted(tools.EXPORTS))
def test_each_tools_export_is_recognised_and_read_as_downloaded(tmp_path, year):
    tool, _, _ = tools.EXPORTS[year]
    path = _export(tmp_path, year)
    table = read.read_table(path, tool="auto")
    assert table.tool == tool
    assert [h for h in table.frame.columns if h in WORDINGS] == WORDINGS  # each statement, by its own words
    assert tools.TEAM_QUESTION in table.frame.columns and tools.COMMENTS in table.frame.columns
    assert len(table.frame) == tools.ROWS and table.frame.index[0] == FIRST_ANSWER_ROW[year]
    # survey.yml records the tool: reading with it gives the same table
    again = read.read_table(path, tool=tool)
    pd.testing.assert_frame_equal(again.frame, table.frame)


def test_without_a_tool_a_two_row_heading_is_still_refused_as_before(tmp_path):
    path = _export(tmp_path, 2018)
    with pytest.raises(read.ReadError, match="two rows"):
        read.read_table(path)


def test_a_google_forms_grid_becomes_one_column_per_row():
    heading = ["Timestamp", "How far do you agree? [I feel valued.]", "How far do you agree? [I would stay.]", "Age [years]"]
    assert surveytools.GOOGLE_FORMS.combine([heading]) == ["Timestamp", "I feel valued.", "I would stay.", "Age [years]"]


def test_a_file_of_no_known_tool_is_read_with_one_heading_row():
    assert surveytools.recognise([["Respondent", "Team", "Q1"], ["1", "A", "Agree"]]) is surveytools.OTHER


@pytest.mark.parametrize("year", sorted(tools.EXPORTS))
def test_each_tools_export_imports_and_validates_with_only_the_team_to_confirm(tmp_path, year):
    tool, name, _ = tools.EXPORTS[year]
    data = _council(tmp_path, year)
    source = _export(tmp_path, year)
    before = source.read_bytes()
    report = importer.import_export(data, year, source)
    assert source.read_bytes() == before and (data / str(year) / name).read_bytes() == before
    assert report.tool == tool and surveytools.TOOLS[tool].name in report.text()
    assert report.mapping == {w: code for code, (_, _, w) in tools.STATEMENTS.items()}
    assert report.new_questions == [] and report.reworded == []
    # never a statement or a group: ids, collectors, dates, people, devices, comments, "Other" boxes
    assert report.role_candidates == {"team": [tools.TEAM_QUESTION]}
    assert tools.COMMENTS in report.ignored
    for heading in ("Collector ID", "IP Address", "Start Date", "Recorded Date", "Email", "UserNo", "Tracking Link"):
        assert heading not in report.mapping
        assert all(heading not in c for c in report.role_candidates.values())
    meta = load_year_meta(data, year)
    assert meta.tool == tool and meta.export == name
    _confirm_team(data, year)
    if tool == "google-forms":  # a linear scale of 1 to 5, with 5 Strongly agree: the analyst checks the codebook
        assert "has no respondent id" in report.text() and "NOT FOUND" not in report.text()
        assert report.scale.scale == "numeric-5-agree-first" and not report.scale.sure
        survey = data / str(year) / "survey.yml"
        survey.write_text(
            survey.read_text(encoding="utf-8").replace("scale: numeric-5-agree-first", "scale: numeric-5-disagree-first"),
            encoding="utf-8",
        )
    checked = check_year(data, year)
    assert not checked.errors, checked.problems
    counts = load_year(data, year).counts
    assert set(counts["question_id"]) == set(tools.STATEMENTS)
    assert set(counts.loc[counts["group_type"] == "team", "group"]) == set(tools.TEAMS)


def test_a_four_point_scale_with_prefer_not_to_say_counts_it_apart(tmp_path):
    year = 2020  # the Qualtrics export: four points, no neutral, and "Prefer not to say"
    data = _council(tmp_path, year)
    report = importer.import_export(data, year, _export(tmp_path, year))
    assert report.scale.scale == "agree-4" and not report.scale.sure  # a five-point scale nobody answered neutral?
    assert report.scale.non_answers == ["Prefer not to say"]
    assert "PLEASE CONFIRM scale:" in (data / str(year) / "survey.yml").read_text(encoding="utf-8")
    _confirm_team(data, year)
    counts = load_year(data, year).counts
    everyone = counts[counts["group_type"] == "all"]
    raw = read.read_table(_export(tmp_path, year), tool="qualtrics").frame
    declined = int((raw[WORDINGS] == "Prefer not to say").sum().sum())
    assert declined > 0 and int(everyone.loc[everyone["response"] == "prefer_not_to_say", "n"].sum()) == declined
    figures = percent_positive(everyone).set_index("question_id")
    sup01 = raw[WORDINGS[0]]
    assert figures.loc["SUP01", "n_valid"] == sup01.isin(tools.FOUR).sum()  # the non-answer is outside the base
    assert figures.loc["SUP01", "n_invalid"] == (~sup01.isin(tools.FOUR)).sum()


def test_a_declared_scale_refuses_a_label_it_does_not_have_by_file_row_and_column(tmp_path):
    year = 2018  # SurveyMonkey, five points: declared as four-point by mistake
    data = _council(tmp_path, year)
    importer.import_export(data, year, _export(tmp_path, year))
    _confirm_team(data, year)
    survey = data / str(year) / "survey.yml"
    survey.write_text(survey.read_text(encoding="utf-8").replace("scale: agree-5", "scale: agree-4"), encoding="utf-8")
    before = _snapshot(data)
    errors = check_year(data, year).errors
    assert errors and _snapshot(data) == before
    first = errors[0]
    assert first.file.endswith("Staff survey 2018.csv") and first.row >= 3 and first.column in WORDINGS
    assert first.found == "Neither agree nor disagree" and "declares" in first.expected


def test_an_unknown_scale_name_is_named_with_the_scales_ready_to_name(tmp_path):
    problems = scales.scale_of(YearMeta(year=2024, scale="agree-7"), "2024/survey.yml")[1]
    assert [(p.file, p.column, p.found) for p in problems] == [("2024/survey.yml", "scale", "agree-7")]
    assert "agree-4" in problems[0].expected and "numeric-5-agree-first" in problems[0].expected


def test_a_scale_written_out_and_unusual_non_answers():
    meta = YearMeta(
        year=2024,
        scale={"positive": ["Very satisfied", "Satisfied"], "neutral": ["Neither"], "negative": ["Dissatisfied"]},
        non_answers={"Rather not say": "prefer_not_to_say"},
    )
    scale, problems = scales.scale_of(meta, "survey.yml")
    assert not problems
    assert [scale.code(v) for v in ("very satisfied", "Satisfied", "Neither", "Dissatisfied", "Rather not say", "", "Agree")] == [
        "strongly_agree", "agree", "neutral", "disagree", "prefer_not_to_say", "blank", None,
    ]  # fmt: skip
    assert scales.non_answer_names(meta) == {"prefer_not_to_say": ["Rather not say"]}
    unusual = scales.scale_of(YearMeta(year=2024, non_answers=["Rather not say"]), "survey.yml")[1]
    assert unusual and "prefer_not_to_say" in unusual[0].expected


def test_no_declaration_accepts_exactly_the_labels_accepted_before():
    scale, problems = scales.scale_of(YearMeta(year=2022), "survey.yml")
    assert not problems and scale == scales.DEFAULT and not scale.declared
    assert scale.labels == codes.LABEL_VARIANTS
    frame = pd.DataFrame({"q": ["Tend to agree", "N/A"]})
    assert scales.translate(frame, ["q"], scale) is frame  # nothing rewritten: the demo counts as before


@pytest.mark.parametrize(
    ("values", "scale", "sure", "non_answers"),
    [
        (["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Don't know"], "agree-5", True, ["Don't know"]),
        (["Agree", "Neutral", "Strongly disagree"], "agree-5-neutral", True, []),
        (["Agree", "Disagree", "Strongly agree", "Prefer not to say"], "agree-4", False, ["Prefer not to say"]),
        (["Tend to agree", "Strongly disagree"], "tend-4", False, []),
        (["1", "2", "4"], "numeric-4-agree-first", False, []),
        (["Very good", "Poor"], None, False, []),
    ],
)
def test_import_proposes_the_scale_of_the_values_found_and_asks_when_unsure(values, scale, sure, non_answers):
    proposal = scales.propose(values)
    assert (proposal.scale, proposal.sure, proposal.non_answers) == (scale, sure, non_answers)


def test_excel_serial_dates_are_read_as_dates():
    parsed = parse_dates(pd.Series(["44354.35", "44354", "07/06/2021 08:24", "12", "3.5", "99999", ""]))
    assert parsed[0] == pd.Timestamp("2021-06-07 08:24:00")
    assert parsed[1] == pd.Timestamp("2021-06-07") and parsed[2] == pd.Timestamp("2021-06-07 08:24:00")
    assert parsed[3:].isna().all()  # a count, a code, a number past 2099 and a blank are not dates
    assert tools.excel_serial(dt.datetime(2021, 6, 7, 8, 24)) == 44354.35


def _second_year(tmp_path: Path, wording_2024: dict[str, str], ignore_2023: list[str] = ()) -> Path:
    """2023 imported from SurveyMonkey, then 2024 started: the bank holds 2023's wording only."""
    data = tmp_path / "data"
    newyear.new_year(data, 2023, echo=lambda _: None)
    (data / "settings.yml").write_text(tools.settings_text(), encoding="utf-8")
    (data / "question_bank.yml").write_text(tools.bank_text([2023]), encoding="utf-8")
    importer.import_export(data, 2023, _export(tmp_path, 2018).rename(tmp_path / "2023.csv"))
    _confirm_team(data, 2023)
    survey = data / "2023" / "survey.yml"
    text = survey.read_text(encoding="utf-8")
    for heading in ignore_2023:  # last year's analyst moved these to ignore
        code = load_year_meta(data, 2023).questions[heading]
        text = text.replace(f"  {heading}: {code}\n", "").replace("ignore:\n", f"ignore:\n  - {heading}\n")
    survey.write_text(text, encoding="utf-8")
    newyear.new_year(data, 2024, echo=lambda _: None)
    rows = tools.surveymonkey_rows(2024, seed=9)
    rows[1] = [wording_2024.get(cell, cell) for cell in rows[1]]
    pd.DataFrame(rows).to_csv(tmp_path / "2024.csv", index=False, header=False)
    return data


def test_a_reworded_statement_is_proposed_as_a_rewording_with_both_wordings(tmp_path):
    new = "Each week my workload is something I can manage."
    data = _second_year(tmp_path, {tools.STATEMENTS["PAY02"][2]: new})
    report = importer.import_export(data, 2024, tmp_path / "2024.csv")
    assert [(m.heading, m.code, m.bank_year) for m in report.reworded] == [(new, "PAY02", 2023)]
    assert report.new_questions == [] and report.mapping[new] == "PAY02"
    shown = report.text()
    assert "reworded from PAY02?" in shown and f"2023: {tools.STATEMENTS['PAY02'][2]}" in shown and f"2024: {new}" in shown
    assert "comparable_from: 2024" in shown
    text = (data / "2024" / "survey.yml").read_text(encoding="utf-8")
    assert "# PLEASE CONFIRM: reworded from PAY02?" in text and f"  {new}: PAY02" in text


def test_a_new_statement_gets_a_code_of_no_theme_and_prints_as_typed(tmp_path):
    new = "The £50 wellbeing allowance isn’t something I’ve claimed yet."
    data = _second_year(tmp_path, {tools.STATEMENTS["SUP03"][2]: new})
    # the bank asked SUP03 in 2023 with other words entirely: nothing close, so a new statement
    report = importer.import_export(data, 2024, tmp_path / "2024.csv")
    assert [(m.heading, m.code) for m in report.new_questions] == [(new, "NEW01")]
    shown = report.text()
    assert new in shown and "\\u00a3" not in shown and "\\u2019" not in shown
    assert "NEW01:" in shown and "PUT-A-THEME-CODE-HERE" in shown


def test_a_heading_ignored_last_year_stays_ignored(tmp_path):
    kept_out = tools.STATEMENTS["SUP03"][2]
    data = _second_year(tmp_path, {}, ignore_2023=[kept_out])
    assert kept_out in load_year_meta(data, 2023).ignore
    report = importer.import_export(data, 2024, tmp_path / "2024.csv")
    assert kept_out in report.ignored and kept_out not in report.mapping
    assert kept_out in load_year_meta(data, 2024).ignore


def test_an_export_with_no_statement_is_refused_and_nothing_changes(tmp_path):
    data = _council(tmp_path, 2024)
    source = tmp_path / "people.csv"
    source.write_text("Respondent ID,Collector ID,End Date,IP Address\n1,7,2024-05-01,192.0.2.1\n", encoding="utf-8")
    before = _snapshot(data)
    with pytest.raises(YearStartError, match="looks like a statement") as caught:
        importer.import_export(data, 2024, source)
    assert "people.csv" in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert _snapshot(data) == before


def test_importing_another_export_over_one_still_in_the_folder_is_refused(tmp_path):
    year = 2018
    data = _council(tmp_path, year)
    importer.import_export(data, year, _export(tmp_path, year))
    other = tmp_path / "Staff survey 2018 (again).csv"
    tools.write_surveymonkey_csv(other, year, seed=11)
    before = _snapshot(data)
    with pytest.raises(YearStartError, match="unused") as caught:
        importer.import_export(data, year, other, yes=True)
    assert "Staff survey 2018.csv" in str(caught.value) and "move" in str(caught.value)
    assert _snapshot(data) == before


def test_an_unknown_layout_split_over_two_heading_rows_is_still_explained_at_import(tmp_path):
    source = tmp_path / "merged.csv"
    source.write_text("Respondent,Team,Please rate,\n,,Statement one,Statement two\n1,A,Agree,Agree\n", encoding="utf-8")
    data = _council(tmp_path, 2024)
    before = _snapshot(data)
    with pytest.raises(YearStartError, match="two rows") as caught:
        importer.import_export(data, 2024, source)
    assert "merged.csv, row 1" in str(caught.value) and _snapshot(data) == before


def test_a_collector_id_or_a_statement_is_never_offered_as_a_group():
    frame = pd.DataFrame(
        {
            "Collector ID": ["405123456", "405123457"] * 10,
            "Locality": ["Agree", "Disagree", "Strongly agree", "Agree"] * 5,
            "Office": ["Northgate", "Southgate"] * 10,
        }
    )
    found, candidates = headings.find_roles(frame, {}, ("team", "locality", "role"))
    assert "locality" not in found
    assert all("Collector ID" not in c and "Locality" not in c for c in candidates.values())
    assert "Office" in candidates.get("locality", [])


def test_surveymonkey_is_recognised_by_its_second_row_when_the_collector_column_is_left_out():
    rows = [["Respondent ID", "End Date", "My team helps me."], ["", "", "Response"], ["1", "2024-05-01", "Agree"]]
    assert surveytools.recognise(rows) is surveytools.SURVEYMONKEY
    assert surveytools.SURVEYMONKEY.combine(rows[:2]) == ["Respondent ID", "End Date", "My team helps me."]


def test_a_scale_of_the_surveys_own_is_asked_for_then_written_out_and_kept_next_year(tmp_path):
    own = ["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"]
    data = _council(tmp_path, 2023)
    first = tmp_path / "2023.csv"
    pd.DataFrame(tools.surveymonkey_rows(2023, labels=own)).to_csv(first, index=False, header=False)
    report = importer.import_export(data, 2023, first)
    assert report.scale.scale is None and not report.scale.sure and set(report.scale.unknown) == set(own)
    assert "PLEASE CONFIRM" in report.text() and "scale: (positive, neutral, negative)" in report.text()
    _confirm_team(data, 2023)
    assert check_year(data, 2023).errors  # nothing declared yet: the labels are refused, by row and column
    survey = data / "2023" / "survey.yml"
    written = "scale:\n  positive: [Very satisfied, Satisfied]\n  negative: [Dissatisfied, Very dissatisfied]\n"
    text = survey.read_text(encoding="utf-8")
    assert "\nscale: null  # PLEASE CONFIRM scale:" in text
    survey.write_text(re.sub(r"(?m)^scale: null .*\n", written, text), encoding="utf-8")
    assert not check_year(data, 2023).errors
    newyear.new_year(data, 2024, echo=lambda _: None)
    second = tmp_path / "2024.csv"
    pd.DataFrame(tools.surveymonkey_rows(2024, seed=8, labels=own)).to_csv(second, index=False, header=False)
    report = importer.import_export(data, 2024, second)
    assert report.scale.sure and "survey.yml declares" in report.scale.why
    assert load_year_meta(data, 2024).scale.positive == ["Very satisfied", "Satisfied"]
    assert not check_year(data, 2024).errors


def test_importing_again_leaves_one_scale_question_not_two(tmp_path):
    year = 2020
    data = _council(tmp_path, year)
    source = _export(tmp_path, year)
    importer.import_export(data, year, source)
    survey = data / str(year) / "survey.yml"
    assert survey.read_text(encoding="utf-8").count("PLEASE CONFIRM scale:") == 1
    again = importer.import_export(data, year, source, yes=True)
    # survey.yml now declares agree-4 (as the analyst left it): kept, and the old question is gone with its line
    assert again.scale.sure and "survey.yml declares" in again.scale.why
    text = survey.read_text(encoding="utf-8")
    assert text.count("PLEASE CONFIRM scale:") == 0 and text.count("\nscale:") == 1
    assert load_year_meta(data, year).scale == "agree-4"
