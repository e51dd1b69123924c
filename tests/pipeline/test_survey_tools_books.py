"""Every survey tool's export, end to end through built books, following only the analyst's guide.

Two councils start from empty folders with the documented commands (`new-year`, `import`,
`build`) and the edits the guide asks for (confirming the team column import proposes, and a
numeric scale's direction). The first has seven years, each exported by another tool or format
(SurveyMonkey CSV and XLSX, Qualtrics, Microsoft Forms, Google Forms, SmartSurvey CSV and XLSX),
and its last year's book reads them all. The second has three years from two tools (Qualtrics
with a four-point scale and "Prefer not to say", then SurveyMonkey), each year built.
Every export is synthetic (tests/support/survey_tool_exports.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.support import survey_tool_exports as tools
from tests.support.analyst import Analyst


def _start_council(work: Path, first_year: int) -> Analyst:
    analyst = Analyst(work)
    analyst.run("new-year", first_year)
    (analyst.data / "settings.yml").write_text(tools.settings_text(), encoding="utf-8")
    (analyst.data / "question_bank.yml").write_text(tools.bank_text(range(2018, 2025)), encoding="utf-8")
    return analyst


def _import_year(analyst: Analyst, year: int, writer, name: str, first: int):
    """new-year (after the first), import the export as downloaded, then the guide's edits."""
    if year != first:
        analyst.run("new-year", year)
    export = analyst.work / "downloads" / name
    export.parent.mkdir(exist_ok=True)
    writer(export, year)
    imported = analyst.run("import", "--year", year, export)
    survey = analyst.data / str(year) / "survey.yml"
    asks = f'  # PLEASE CONFIRM columns.team: perhaps "{tools.TEAM_QUESTION}"' in survey.read_text(encoding="utf-8")
    # The first year asks; later years take the heading last year's survey.yml gave the team.
    assert asks == (year == first), imported.stdout
    analyst.confirm_team(year, tools.TEAM_QUESTION)
    # Google Forms' linear scale runs 1 (Strongly disagree) to 5 (Strongly agree): the guide says to say so.
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text.replace("scale: numeric-5-agree-first", "scale: numeric-5-disagree-first"), encoding="utf-8")
    analyst.run("validate", "--year", year)
    return imported


@pytest.fixture(scope="module")
def seven_tools(tmp_path_factory):
    work = tmp_path_factory.mktemp("eastbrook")
    analyst = _start_council(work, 2018)
    imported = {}
    for year, (_, name, writer) in sorted(tools.EXPORTS.items()):
        imported[year] = _import_year(analyst, year, writer, name, 2018).stdout
    analyst.run("build", "--year", 2024, "--build-dir", work / "build")
    return work / "build" / "2024", imported


@pytest.fixture(scope="module")
def two_tools(tmp_path_factory):
    work = tmp_path_factory.mktemp("westbrook")
    analyst = _start_council(work, 2022)
    data, run = analyst.data, analyst.run
    years = {
        2022: ("Staff+Survey_May 2022_10.15.csv", tools.write_qualtrics_csv),
        2023: ("Staff survey 2023.csv", tools.write_surveymonkey_csv),
        2024: ("Staff survey 2024.xlsx", tools.write_surveymonkey_xlsx),
    }
    imported, books = {}, {}
    for year, (name, writer) in years.items():
        imported[year] = _import_year(analyst, year, writer, name, 2022).stdout
        run("build", "--year", year, "--build-dir", work / "build")
        books[year] = work / "build" / str(year)
    return books, imported, data


def _pages(book: Path) -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in sorted((book / "html").rglob("*.html")))


def test_each_tool_was_recognised_and_every_statement_matched(seven_tools):
    _, imported = seven_tools
    for year, (tool, _, _) in tools.EXPORTS.items():
        assert f"(tool: {tool})" in imported[year]
        assert f"Matched ({len(tools.STATEMENTS)})" in imported[year]
        assert "NEW STATEMENTS" not in imported[year] and "REWORDED" not in imported[year]


def test_the_last_years_book_reads_every_tools_export(seven_tools):
    book, _ = seven_tools
    manifest = (book / "manifest.json").read_text(encoding="utf-8")
    for year, (_, name, _) in tools.EXPORTS.items():
        assert json.dumps(f"{year}/{name}", ensure_ascii=False) in manifest
    trend = pd.read_csv(book / "html" / "downloads" / "2024-pay-trend.csv")
    counted = trend[trend["Source"] == "survey counts"]
    assert sorted(set(counted["Year"])) == sorted(tools.EXPORTS)
    assert (counted["Valid responses"] > 0).all()
    # Google Forms' numbers, declared 1 = Strongly disagree: 4 and 5 are the agreeing answers
    raw = pd.read_csv(book.parent.parent / "downloads" / tools.EXPORTS[2022][1], dtype=str, keep_default_na=False)
    answers = raw[tools.STATEMENTS["PAY01"][2]]
    valid = answers[answers != ""]
    expected = round(100 * valid.isin(["4", "5"]).sum() / len(valid), 1)
    row = counted[(counted["Year"] == 2022) & (counted["Code"] == "PAY01")].iloc[0]
    assert row["% agreeing"] == expected and row["Valid responses"] == len(valid)


def test_no_unused_copy_of_an_export_is_left_in_a_years_folder(two_tools):
    _, _, data = two_tools
    for year in (2022, 2023, 2024):
        exports = [p.name for p in (data / str(year)).iterdir() if p.suffix in (".csv", ".xlsx")]
        assert len([n for n in exports if n.startswith("Staff")]) == 1, exports


def test_a_four_point_scale_and_prefer_not_to_say_reach_the_methods_appendix(two_tools):
    books, imported, _ = two_tools
    assert "Answer scale: agree-4" in imported[2022] and "PLEASE CONFIRM: no middle answer" in imported[2022]
    assert "non-answers (left out of every base" in imported[2022] and "Prefer not to say" in imported[2022]
    appendix = (books[2022] / "html" / "chapters" / "methods.html").read_text(encoding="utf-8")
    row = re.search(r"Answers &#x27;Prefer not to say&#x27; \(left out of the base\)</th><td>(\d+)</td>", appendix)
    assert row is not None and int(row.group(1)) > 0
    # SurveyMonkey years carry no "Prefer not to say": their table is as it always was
    later = (books[2023] / "html" / "chapters" / "methods.html").read_text(encoding="utf-8")
    assert "Answers &#x27;Don&#x27;t know&#x27; (left out of the base)" in later and "Prefer not to say" not in later


def test_three_years_of_two_tools_are_each_built(two_tools):
    books, imported, _ = two_tools
    assert "(tool: qualtrics)" in imported[2022] and "(tool: surveymonkey)" in imported[2023]
    for year, book in books.items():
        assert (book / "html" / "index.html").is_file() and list((book / "pdf").glob("*.pdf")), year
