"""Validation: every kind of data mistake is reported with file, row, column and what was expected."""

import pandas as pd
import yaml

from healthcheck.data.validate import check_year


def _edit_export(data_dir, year, edit):
    path = data_dir / str(year) / "export.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = edit(frame)
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def _edit_meta(data_dir, year, edit):
    path = data_dir / str(year) / "survey.yml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(meta)
    path.write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def _errors(data_dir, year=2022):
    return check_year(data_dir, year).errors


def test_clean_data_has_no_errors(data_dir):
    assert _errors(data_dir, 2021) == []
    assert _errors(data_dir, 2022) == []


def test_unknown_response_label_names_row_column_and_value(data_dir):
    def edit(frame):
        frame.loc[4, "My workload is manageable"] = "Agre"
        return frame

    _edit_export(data_dir, 2022, edit)
    [problem] = _errors(data_dir)
    assert problem.file.endswith("2022/export.csv")
    assert (problem.row, problem.column, problem.found) == (6, "My workload is manageable", "Agre")
    assert "response label" in problem.expected


def test_heading_with_no_mapping(data_dir):
    _edit_export(data_dir, 2022, lambda f: f.assign(**{"I feel valued": "Agree"}))
    [problem] = _errors(data_dir)
    assert (problem.row, problem.column) == (1, "I feel valued")
    assert "no mapping" in problem.expected


def test_duplicate_respondent_id_reports_the_repeat(data_dir):
    def edit(frame):
        frame.loc[9, "Response ID"] = frame.loc[2, "Response ID"]
        return frame

    _edit_export(data_dir, 2022, edit)
    [problem] = _errors(data_dir)
    assert (problem.row, problem.column, problem.found) == (11, "Response ID", "R0003")


def test_year_in_file_not_the_folders_year(data_dir):
    def edit(frame):
        frame.loc[0, "Completed"] = "2021-12-30 09:00"
        frame.loc[1, "Completed"] = "not a date"
        return frame

    _edit_export(data_dir, 2022, edit)
    problems = _errors(data_dir)
    assert [(p.row, p.column) for p in problems] == [(2, "Completed"), (3, "Completed")]
    assert all("2022" in p.expected for p in problems)


def test_empty_file(data_dir):
    (data_dir / "2022" / "export.csv").write_text("", encoding="utf-8")
    [problem] = _errors(data_dir)
    assert "empty" in problem.expected and problem.row is None


def test_mapping_to_a_code_not_in_the_bank(data_dir):
    _edit_meta(data_dir, 2022, lambda m: m["questions"].update({"My workload is manageable": "WEL99"}))
    problems = _errors(data_dir)
    assert any(p.found == "WEL99" and "question_bank.yml" in p.expected for p in problems)
    assert all(p.file.endswith("survey.yml") for p in problems)


def test_bank_question_without_a_column_is_a_warning(data_dir):
    _edit_export(data_dir, 2022, lambda f: f.drop(columns=["My workload is manageable"]))
    _edit_meta(data_dir, 2022, lambda m: m["questions"].pop("My workload is manageable"))
    checked = check_year(data_dir, 2022)
    assert checked.errors == []
    [warning] = checked.warnings
    assert "WEL01" in warning.expected


def test_misspelt_setting_is_an_error(data_dir):
    _edit_meta(data_dir, 2022, lambda m: m.update({"workfroce": 3}))
    [problem] = _errors(data_dir)
    assert problem.column == "workfroce" and "misspelt" in problem.expected


def test_every_problem_is_reported_at_once(data_dir):
    def edit(frame):
        frame.loc[0, "I understand the priorities"] = "Yes"
        frame.loc[3, "Response ID"] = "R0001"
        return frame.assign(Extra="x")

    _edit_export(data_dir, 2022, edit)
    kinds = {(p.row, p.column) for p in _errors(data_dir)}
    assert kinds == {(2, "I understand the priorities"), (5, "Response ID"), (1, "Extra")}


def test_windows_1252_export_validates(data_dir):
    path = data_dir / "2022" / "export.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame["I understand the priorities"] = frame["I understand the priorities"].replace("Agree", "Don\u2019t know")
    frame.to_csv(path, index=False, encoding="cp1252")
    assert _errors(data_dir) == []


# ------------------------------------------------------------------ read as survey.yml says


def test_rows_are_excel_rows_in_a_workbook_with_title_rows(data_dir):
    """header_row: 3 -- the first answer is row 4, as Excel shows it, and a NOTE names the sheet."""
    path = data_dir / "2022" / "export.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[2, "My workload is manageable"] = "Agre"
    with pd.ExcelWriter(data_dir / "2022" / "export.xlsx") as writer:
        frame.to_excel(writer, sheet_name="Answers", index=False, startrow=2)
    path.unlink()
    _edit_meta(data_dir, 2022, lambda m: m.update(export="export.xlsx", header_row=3))
    checked = check_year(data_dir, 2022)
    [problem] = checked.errors
    assert (problem.row, problem.column, problem.found) == (6, "My workload is manageable", "Agre")
    assert any("read sheet 'Answers'" in note for note in checked.notes)


def test_counts_level_codes_and_missing_wording(data_dir):
    """A counts export with numeric answer codes: one message, then read with `codes:`; a mapped
    wording with no rows is an error."""
    folder = data_dir / "2022"
    rows = [
        {"Question": q, "Response": str(code), "Count": "7", "Year": "2022"} for q in ("Q one", "Q two") for code in (1, 2, 4)
    ]
    pd.DataFrame(rows).to_csv(folder / "counts.csv", index=False)
    (folder / "export.csv").unlink()

    def edit(meta):
        meta.update(level="counts", export="counts.csv", questions={"Q one": "IMP01", "Q two": "WEL01", "Q three": "IMP02"})
        meta["columns"] = {"question": "Question", "response": "Response", "count": "Count", "completed": "Year"}

    _edit_meta(data_dir, 2022, edit)
    messages = [str(p) for p in _errors(data_dir)]
    assert len(messages) == 2, messages
    assert any("numeric codes (1, 2, 4)" in m for m in messages)
    assert any("rows for 'Q three'" in m for m in messages)
    _edit_meta(data_dir, 2022, lambda m: m.update(codes={1: "Strongly agree", 2: "Agree", 4: "Disagree"}))
    assert [p.column for p in _errors(data_dir)] == ["Question"]


def test_invisible_characters_are_removed_with_a_warning_everywhere(data_dir):
    _edit_export(data_dir, 2022, lambda f: f.assign(Team=f["Team"].str.replace("Team A", "Team\u202e A")))
    settings = data_dir / "settings.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Test Council", "Test\u200b Council"), encoding="utf-8")
    checked = check_year(data_dir, 2022)
    assert checked.errors == []
    warned = {(p.file.rsplit("/", 1)[-1], p.column) for p in checked.warnings}
    assert warned == {("export.csv", "Team"), ("settings.yml", "organisation")}
    assert not checked.frame["Team"].str.contains("\u202e").any()


def test_personal_data_in_quotes_words_and_recommendations_is_warned_about(data_dir):
    folder = data_dir / "2022"
    (folder / "quotes.csv").write_text(
        "theme,quote,speaker,illustrative\nimprovement,Mail me at sam.jones@example.org,Sam Jones,no\n", encoding="utf-8"
    )
    (folder / "words.csv").write_text("word,count\n07700 900123,3\n", encoding="utf-8")
    (folder / "recommendations.yml").write_text(
        "current:\n  - recommendation: Ring 01452 425000\n    planned_actions: [Write to x@example.org]\n", encoding="utf-8"
    )
    checked = check_year(data_dir, 2022)
    assert checked.errors == []
    where = sorted((p.file.rsplit("/", 1)[-1], p.row, p.column) for p in checked.warnings)
    assert where == [
        ("quotes.csv", 2, "quote"),
        ("quotes.csv", 2, "speaker"),
        ("recommendations.yml", None, "current[1].planned_actions[1]"),
        ("recommendations.yml", None, "current[1].recommendation"),
        ("words.csv", 2, "word"),
    ]
    shown = " ".join(str(p) for p in checked.warnings)
    assert "sam.jones@" not in shown and "900123" not in shown  # masked: enough to find it, not to reuse it
    # the report's appendix lists `expected` only: it never holds the personal data itself
    assert not any("@" in p.expected or "900123" in p.expected for p in checked.warnings)


def test_yaml_line_is_named_for_a_syntax_error(data_dir):
    path = data_dir / "2022" / "survey.yml"
    path.write_text(path.read_text(encoding="utf-8") + "context: a: b\n", encoding="utf-8")
    [problem] = _errors(data_dir)
    assert problem.row is not None and str(problem).startswith(f"ERROR {problem.file}, line {problem.row}: YAML syntax error")


def test_validate_checks_the_years_benchmark_files(data_dir):
    """A mistake in benchmarks.csv is named by validate (file, row, column), not found by a chapter mid-build."""
    (data_dir / "2022" / "benchmarks.csv").write_text(
        "question_id,scope,name,pct_positive,n_valid\nQ1,national,England,61.5,\nQ1,countrywide,England,50,\n", encoding="utf-8"
    )
    problems = [str(p) for p in check_year(data_dir, 2022).errors]
    assert any("benchmarks.csv, row 3, column 'scope'" in p and "national or region" in p for p in problems), problems
