"""How a problem names its place: a row of a table, a line of a text file (YAML or Markdown)."""

from __future__ import annotations

from healthcheck import paths
from healthcheck.errors import Problem, data_dir_option, format_report


def test_a_table_problem_names_its_row_and_column():
    problem = Problem("2022/export.csv", 7, "Team", "Nort", "a team of settings.yml")
    assert str(problem) == "ERROR 2022/export.csv, row 7, column 'Team': found 'Nort'; expected a team of settings.yml"


def test_a_yaml_problem_names_its_line_and_key():
    problem = Problem("2022/survey.yml", 3, "fieldwork.survey_open", "x", "a date")
    assert str(problem) == "ERROR 2022/survey.yml, line 3, key 'fieldwork.survey_open': found 'x'; expected a date"


def test_a_narrative_problem_names_its_line_not_a_row():
    problem = Problem("2022/narrative/summary.md", 7, None, "{pct}`X`", "a statement code", severity="warning")
    assert str(problem) == "WARNING 2022/narrative/summary.md, line 7: found '{pct}`X`'; expected a statement code"
    told = Problem("2022/narrative/summary.md", 7, None, None, "", message="the file is not UTF-8 text")
    assert str(told) == "ERROR 2022/narrative/summary.md, line 7: the file is not UTF-8 text"
    table = Problem("2022/export.csv", 7, None, None, "", message="row 7 has 3 cells")
    assert str(table) == "ERROR 2022/export.csv: row 7 has 3 cells"  # a table's message names its row itself


def test_a_repeated_narrative_problem_is_summarised_by_lines():
    problems = [Problem("2022/narrative/summary.md", n, None, "x", "a reference") for n in (3, 5, 8, 9)]
    lines = format_report(problems).splitlines()
    assert lines[0] == "ERROR 2022/narrative/summary.md: 4 lines (lines 3, 5, 8, 9) found 'x'; expected a reference"
    rows = [Problem("e.csv", n, "Team", "x", "a team") for n in (2, 3, 4, 5)]
    assert (
        format_report(rows).splitlines()[0] == "ERROR e.csv, column 'Team': 4 rows (rows 2, 3, 4, 5) found 'x'; expected a team"
    )


def test_the_data_folder_option_for_the_next_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEALTHCHECK_DATA_DIR", raising=False)
    assert data_dir_option(paths.ROOT / "data") == ""
    assert data_dir_option(tmp_path / "council") == " --data-dir council"
    assert data_dir_option(tmp_path / "my data") == ' --data-dir "my data"'
    assert data_dir_option(tmp_path.parent / "elsewhere") == f" --data-dir {tmp_path.parent / 'elsewhere'}"
    monkeypatch.setenv("HEALTHCHECK_DATA_DIR", str(tmp_path / "council"))
    assert data_dir_option(tmp_path / "council") == ""
    assert data_dir_option(paths.ROOT / "data") == f" --data-dir {paths.ROOT / 'data'}"
