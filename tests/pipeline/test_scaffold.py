"""The year-start tools: `new-year` creates a year from the last one, `import` brings in the export.

Both run on a copy of the shipped demo data; neither may change a file it did not create, except
`import` rewriting the survey.yml that `new-year` started.
"""

import hashlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from healthcheck import paths
from healthcheck.data.config import YearMeta, load_bank, load_year_meta
from healthcheck.data.inputs import read_clean
from healthcheck.data.narrative import files as md
from healthcheck.scaffold import headings, importer, newyear
from tests.conftest import tree_hashes


def _table(path):
    """An export as a plain frame (every cell text), to change and write back as a test export."""
    return read_clean(path, path.parent).frame.reset_index(drop=True)


EXPORT_2022 = "CSC Health Check 2022 - all responses.csv"
DROP_A_WORD = ("I have the time and the opportunity to undertake CPD.", "I have the time and opportunity to undertake CPD.")
PUNCTUATION = (
    "I know where to get help if I'm worried about my wellbeing.",
    "I know where to get help if I\u2019m worried about my wellbeing",
)
NEW_FILES = ["survey.yml", "quotes.csv", "words.csv", "indicators.csv", "recommendations.yml"]
THEMES = ["improvement", "wellbeing", "practice", "cpd", "edi", "systemic"]
NARRATIVE_FILES = ["summary.md", "introduction.md", "conclusions.md"] + [f"themes/{t}.md" for t in THEMES]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "healthcheck", *map(str, args)], capture_output=True, text=True)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def demo(tmp_path):
    """A copy of the repository's data folder."""
    return shutil.copytree(paths.ROOT / "data", tmp_path / "data")


def _export_2023(demo, tmp_path, renames=None, name="Health Check 2023 export.csv"):
    """The 2022 export as if run again in 2023, with some headings reworded."""
    frame = _table(demo / "2022" / EXPORT_2022)
    frame["Completed"] = frame["Completed"].str.replace(r"^2022", "2023", regex=True)
    frame = frame.rename(columns=dict(renames if renames is not None else [DROP_A_WORD, PUNCTUATION]))
    path = tmp_path / "downloads" / name
    path.parent.mkdir(exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def test_new_year_creates_the_templates_and_never_overwrites(demo):
    result = _cli("new-year", 2023, "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    folder = demo / "2023"
    assert sorted(p.name for p in folder.iterdir()) == sorted(NEW_FILES + ["narrative"])
    written = sorted(p.relative_to(folder / "narrative").as_posix() for p in (folder / "narrative").rglob("*.md"))
    assert written == sorted(NARRATIVE_FILES)
    # headings and prompts only: never a sentence of last year's narrative
    for name in NARRATIVE_FILES:
        template = (folder / "narrative" / name).read_text(encoding="utf-8")
        last = (demo / "2022" / "narrative" / name).read_text(encoding="utf-8")
        prose = [line for line in last.splitlines() if len(line) > 40 and not line.startswith(("%", "#"))]
        assert prose and not any(line in template for line in prose), name
        assert md.status(md.parse(template, name)).state == "unfinished"

    text = (folder / "survey.yml").read_text(encoding="utf-8")
    assert text.startswith("# Health check 2023")
    assert "CHECK AND OVERWRITE" in text
    meta = YearMeta.model_validate(yaml.safe_load(text))
    last = load_year_meta(demo, 2022)
    assert meta.year == 2023 and meta.export == newyear.EXPORT_PLACEHOLDER
    for key in ("level", "columns", "ignore", "questions", "fieldwork", "workforce", "focus_groups", "context", "sources"):
        assert getattr(meta, key) == getattr(last, key), key

    # Once the placeholder is replaced the file loads exactly like any year's.
    (folder / "survey.yml").write_text(text.replace(newyear.EXPORT_PLACEHOLDER, "export.csv"), encoding="utf-8")
    assert load_year_meta(demo, 2023).export == "export.csv"
    (folder / "survey.yml").write_text(text, encoding="utf-8")

    assert (folder / "quotes.csv").read_text(encoding="utf-8") == "theme,quote,speaker,illustrative,source\n"
    assert (folder / "words.csv").read_text(encoding="utf-8") == "word,count,source\n"
    recs = yaml.safe_load((folder / "recommendations.yml").read_text(encoding="utf-8"))
    last_recs = yaml.safe_load((demo / "2022" / "recommendations.yml").read_text(encoding="utf-8"))["current"]
    assert recs["current"] == []
    assert [(r["id"], r["theme"], r["recommendation"]) for r in recs["previous"]] == [
        (r["id"], r["theme"], r["recommendation"]) for r in last_recs
    ]
    assert all(r["actions"] == [] and r["status"] == "not started" for r in recs["previous"])

    # The bank is listed, not edited.
    assert "SYS03" in result.stdout and '2023: "' in result.stdout
    assert _sha(demo / "question_bank.yml") == _sha(paths.ROOT / "data" / "question_bank.yml")

    before = tree_hashes(demo)
    again = _cli("new-year", 2023, "--data-dir", demo)
    assert again.returncode == 0, again.stderr
    assert tree_hashes(demo) == before
    assert again.stdout.count("Skipped") == len(NEW_FILES) + len(NARRATIVE_FILES)
    assert "Nothing to do" in again.stdout


def test_new_year_keeps_files_already_in_the_folder(demo):
    (demo / "2023").mkdir()
    (demo / "2023" / "quotes.csv").write_text("theme,quote,speaker,illustrative\nimprovement,Hello,Manager,no\n")
    before = _sha(demo / "2023" / "quotes.csv")
    assert newyear.new_year(demo, 2023, echo=lambda _: None) == [
        demo / "2023" / name for name in NEW_FILES if name != "quotes.csv"
    ] + [
        demo / "2023" / "narrative" / name
        for name in ["summary.md", "introduction.md"] + NARRATIVE_FILES[3:] + ["conclusions.md"]
    ]
    assert _sha(demo / "2023" / "quotes.csv") == before


def test_new_year_refuses_a_new_year_not_after_the_latest(demo):
    before = tree_hashes(demo)
    result = _cli("new-year", 2019, "--data-dir", demo)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Refusing to start 2019" in result.stderr and "the latest there is 2022" in result.stderr
    assert tree_hashes(demo) == before


@pytest.mark.parametrize("year", [2022, 2021])
def test_new_year_on_a_year_with_every_narrative_file_changes_nothing(demo, year):
    before = tree_hashes(demo)
    result = _cli("new-year", year, "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    assert "none of its narrative files is missing" in result.stdout and "nothing was created" in result.stdout
    assert "names its export" not in result.stdout + result.stderr
    assert tree_hashes(demo) == before


def test_new_year_on_a_year_already_imported_adds_only_its_missing_narrative(demo, tmp_path):
    assert _cli("new-year", 2023, "--data-dir", demo).returncode == 0
    assert _cli("import", "--year", 2023, _export_2023(demo, tmp_path), "--data-dir", demo).returncode == 0
    cpd = demo / "2023" / "narrative" / "themes" / "cpd.md"
    template = cpd.read_text(encoding="utf-8")
    cpd.unlink()
    summary = demo / "2023" / "narrative" / "summary.md"
    summary.write_text("## Key findings\n\nOur own words.\n", encoding="utf-8")
    before = tree_hashes(demo)
    result = _cli("new-year", 2023, "--data-dir", demo)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    created = [line for line in result.stdout.splitlines() if line.startswith("Created")]
    assert len(created) == 1 and created[0].endswith("2023/narrative/themes/cpd.md")
    assert "Skipped" not in result.stdout  # only the narrative files are looked at
    after = tree_hashes(demo)
    assert {k: v for k, v in after.items() if k != "2023/narrative/themes/cpd.md"} == before  # nothing else changed
    assert cpd.read_text(encoding="utf-8") == template
    assert summary.read_text(encoding="utf-8") == "## Key findings\n\nOur own words.\n"
    assert f"validate --year 2023 --data-dir {demo}" in result.stdout


def test_a_first_year_started_before_its_themes_gets_their_files_later(tmp_path):
    """A new council: new-year runs before the bank has themes; once the bank is written, new-year
    again adds the themes' narrative files (and only those), which build --final asks for."""
    from tests.support import second_council as council

    data = tmp_path / "data"
    first = _cli("new-year", 2023, "--data-dir", data)
    assert first.returncode == 0, first.stderr
    narrative = data / "2023" / "narrative"
    assert sorted(p.name for p in narrative.rglob("*.md")) == ["conclusions.md", "introduction.md", "summary.md"]
    # There is no year before the first: no example refers to one.
    for path in narrative.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "2022" not in text and "`Q01`" in text, path.name
    (data / "question_bank.yml").write_text(council.bank_text(), encoding="utf-8")
    survey = data / "2023" / "survey.yml"  # a year known from published figures: no export
    survey.write_text(re.sub(r"(?m)^export: .*\n", "", survey.read_text(encoding="utf-8")), encoding="utf-8")
    assert "narrative/themes/caseloads.md: not written yet" in md.unfinished(
        data, 2023, council.THEMES
    )  # what build --final says
    before = tree_hashes(data)

    again = _cli("new-year", 2023, "--data-dir", data)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    themes = sorted(p.name for p in (narrative / "themes").glob("*.md"))
    assert themes == sorted(f"{code}.md" for code in council.THEMES)
    assert {k: v for k, v in tree_hashes(data).items() if "/themes/" not in k} == before
    assert again.stdout.count("Created") == len(council.THEMES) and "names its export" not in again.stdout
    assert not [line for line in md.unfinished(data, 2023, council.THEMES) if line.endswith("not written yet")]
    # the themes' files speak the council's own codes, and still name no earlier year
    standards = (narrative / "themes" / "standards.md").read_text(encoding="utf-8")
    assert "{pct}`ES01`" in standards and "2022" not in standards

    third = _cli("new-year", 2023, "--data-dir", data)
    assert third.returncode == 0 and "none of its narrative files is missing" in third.stdout


def test_import_maps_every_question_and_the_year_validates(demo, tmp_path):
    assert _cli("new-year", 2023, "--data-dir", demo).returncode == 0
    source = _export_2023(demo, tmp_path)
    source_hash = _sha(source)

    result = _cli("import", "--year", 2023, source, "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    assert _sha(source) == source_hash
    copied = demo / "2023" / source.name
    assert copied.read_bytes() == source.read_bytes()

    meta = load_year_meta(demo, 2023)
    last = load_year_meta(demo, 2022)
    assert meta.export == source.name
    assert meta.columns == last.columns and meta.ignore == ["Browser"]
    expected = {dict([DROP_A_WORD, PUNCTUATION]).get(h, h): code for h, code in last.questions.items()}
    assert meta.questions == expected
    assert sorted(meta.questions.values()) == sorted(load_bank(demo).asked_in(2022))
    assert meta.fieldwork == last.fieldwork and meta.context == last.context  # other keys kept
    assert (demo / "2023" / "survey.yml").read_text(encoding="utf-8").startswith("# Health check 2023")

    # The report names the reworded headings and prints the bank lines to add; the bank is untouched.
    assert f"CPD02  {DROP_A_WORD[1]}" in result.stdout
    assert f'      2023: "{DROP_A_WORD[1]}"' in result.stdout
    assert f'      2023: "{PUNCTUATION[1]}"' in result.stdout
    assert _sha(demo / "question_bank.yml") == _sha(paths.ROOT / "data" / "question_bank.yml")
    assert "PLEASE CONFIRM" not in result.stdout and "NOT MATCHED" not in result.stdout

    # The analyst adds the 2023 wording to (this test's copy of) the bank; then the year is valid.
    bank_path = demo / "question_bank.yml"
    bank = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    for heading, code in meta.questions.items():
        bank["questions"][code]["wording"][2023] = heading
    bank_path.write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True), encoding="utf-8")
    check = _cli("validate", "--year", 2023, "--data-dir", demo)
    assert check.returncode == 0, check.stderr + check.stdout
    # The dates new-year carried over from 2022 are flagged until the analyst replaces them.
    assert "WARNING" in check.stdout and "fieldwork.survey_open" in check.stdout
    survey_path = demo / "2023" / "survey.yml"
    text = survey_path.read_text(encoding="utf-8")
    survey_path.write_text(text.replace("2022-0", "2023-0"), encoding="utf-8")
    check = _cli("validate", "--year", 2023, "--data-dir", demo)
    # Only the narrative, still the new year's templates, is left to write (validate makes the
    # build's checks, and the build marks those pages as drafts).
    others = [line for line in check.stdout.splitlines() if "WARNING" in line and "expected a finished narrative" not in line]
    assert check.returncode == 0 and not others, check.stdout
    assert "expected a finished narrative" in check.stdout

    # The whole cycle ends in a book for 2023 that compares with 2022.
    built = _cli("build", "--year", 2023, "--data-dir", demo, "--build-dir", tmp_path / "build")
    assert built.returncode == 0, built.stderr + built.stdout
    book = tmp_path / "build" / "2023"
    assert (book / "html" / "index.html").is_file() and list((book / "pdf").glob("*.pdf"))
    improvement = (book / "html" / "chapters" / "theme-improvement.html").read_text(encoding="utf-8")
    assert "(2022)" in improvement  # last year's figure in the change table
    figures = _cli("figures", "--year", 2023, "--data-dir", demo)
    imp01 = next(line for line in figures.stdout.splitlines() if line.startswith("2023,IMP01,"))
    assert ",2022," in imp01


def test_import_refuses_a_different_export_of_the_same_name(demo, tmp_path):
    assert _cli("new-year", 2023, "--data-dir", demo).returncode == 0
    source = _export_2023(demo, tmp_path)
    assert _cli("import", "--year", 2023, source, "--data-dir", demo).returncode == 0

    other = tmp_path / "elsewhere" / source.name
    other.parent.mkdir()
    other.write_bytes(source.read_bytes().replace(b"2023-05", b"2023-06", 1))
    before = tree_hashes(demo)
    result = _cli("import", "--year", 2023, other, "--data-dir", demo, "--yes")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "already exists and is a different file" in result.stderr
    assert tree_hashes(demo) == before


def test_import_rewrites_survey_yml_only_when_new_or_with_yes(demo, tmp_path):
    assert _cli("new-year", 2023, "--data-dir", demo).returncode == 0
    source = _export_2023(demo, tmp_path)
    assert _cli("import", "--year", 2023, source, "--data-dir", demo).returncode == 0

    before = tree_hashes(demo)
    again = _cli("import", "--year", 2023, source, "--data-dir", demo)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert "--yes" in again.stderr
    assert tree_hashes(demo) == before

    # The identical file is fine; --yes rewrites the mapping and nothing else changes.
    forced = _cli("import", "--year", 2023, source, "--data-dir", demo, "--yes")
    assert forced.returncode == 0, forced.stderr
    assert "already in place" in forced.stdout
    assert tree_hashes(demo) == before


def test_import_without_new_year_refuses(demo, tmp_path):
    source = _export_2023(demo, tmp_path)
    result = _cli("import", "--year", 2023, source, "--data-dir", demo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "new-year 2023" in result.stderr
    assert not (demo / "2023").exists()


def test_import_proposes_doubtful_matches_and_sorts_out_other_headings(demo, tmp_path):
    newyear.new_year(demo, 2023, echo=lambda _: None)
    supervision = "I receive supervision that is both regular and reflective."
    renames = [
        (supervision, "My supervision is regular, and it is reflective."),
        ("Response ID", "Respondent ID"),
    ]
    source = _export_2023(demo, tmp_path, renames)
    frame = _table(source)
    frame["Start time"] = ""
    # Issue 23: a comments box is never proposed as a statement. This one is empty, so only its
    # heading (a question, not a sentence to agree with) tells it apart: it is left out.
    comments = "Is there anything else you would like to tell us?"
    frame[comments] = ""
    # A statement on the agreement scale that no bank question matches: a new statement.
    celebrates = "My team takes time to celebrate good practice together."
    frame[celebrates] = frame["My workload is manageable."]
    frame.to_csv(source, index=False)

    report = importer.import_export(demo, 2023, source)
    assert [(m.heading, m.code) for m in report.confirm] == [("My supervision is regular, and it is reflective.", "IMP02")]
    assert 0.6 <= report.confirm[0].score < 0.85
    assert report.columns["respondent_id"].heading == "Respondent ID"
    assert report.unmatched == [celebrates]
    # No bank question matches it: it gets the next free code, NEW01, never another theme's
    # prefix (issue 23: the analyst chooses its theme when adding it to the bank).
    assert [(m.heading, m.code) for m in report.new_questions] == [(celebrates, "NEW01")]
    assert report.ignored == ["Browser", "Start time", comments]
    assert comments in report.free_text and comments not in report.mapping
    assert report.missing == []

    meta = load_year_meta(demo, 2023)
    assert meta.questions["My supervision is regular, and it is reflective."] == "IMP02"
    assert meta.columns.respondent_id == "Respondent ID"
    text = (demo / "2023" / "survey.yml").read_text(encoding="utf-8")
    assert "# PLEASE CONFIRM" in text and "# NEW STATEMENT: add NEW01" in text
    assert meta.questions[celebrates] == "NEW01" and comments in meta.ignore
    shown = report.text()
    assert f"{comments!r}  (free-text comments, not a statement" in shown
    assert "PLEASE CONFIRM (1)" in shown and "comparable_from: 2023" in shown
    assert '      2023: "My supervision is regular, and it is reflective."' in shown


def test_question_dropped_this_year_is_reported(demo, tmp_path):
    newyear.new_year(demo, 2023, echo=lambda _: None)
    source = _export_2023(demo, tmp_path)
    frame = _table(source).drop(columns=["My workload is manageable."])
    frame.to_csv(source, index=False)
    report = importer.import_export(demo, 2023, source)
    assert [code for code, _ in report.missing] == ["WEL02"]
    assert "no column in this export (1)" in report.text()


def test_xlsx_export_is_copied_byte_for_byte(demo, tmp_path):
    newyear.new_year(demo, 2023, echo=lambda _: None)
    source = tmp_path / "export.xlsx"
    shutil.copyfile(demo / "2021" / "Health Check 2021 export.xlsx", source)
    report = importer.import_export(demo, 2023, source)
    assert (demo / "2023" / "export.xlsx").read_bytes() == source.read_bytes()
    assert report.mapping["My workload is manageable."] == "WEL02"


def test_matching_ignores_case_spaces_punctuation_and_curly_quotes():
    assert headings.normalise_text("  I\u2019m  WORRIED, about (my) wellbeing? ") == "im worried about my wellbeing"
    assert headings.similarity("I'm worried.", "i\u2019m   worried") == 1.0
    assert headings.similarity("My workload is manageable.", "Teams") < 0.6


def test_two_similar_headings_cannot_claim_one_question(demo):
    bank = load_bank(demo)
    accepted, confirm, unmatched = headings.propose_mapping(
        ["My workload is manageable", "My workload is manageable!", "Browser"], bank, 2023
    )
    assert [(m.heading, m.code) for m in accepted] == [("My workload is manageable", "WEL02")]
    assert confirm == []
    assert unmatched == ["My workload is manageable!", "Browser"]


def test_counts_level_import_maps_wordings_and_ignores_other_headings(demo, tmp_path):
    """A summary export (one row per question and answer), as 2020's, for the year after it."""
    for later in ("2021", "2022"):
        shutil.rmtree(demo / later)
    assert _cli("new-year", 2021, "--data-dir", demo).returncode == 0
    last = load_year_meta(demo, 2020)
    frame = _table(demo / "2020" / last.export)
    frame[last.columns.completed] = "2021"
    frame["Notes"] = "exported by the survey tool"
    source = tmp_path / "counts 2021.csv"
    frame.to_csv(source, index=False)

    result = _cli("import", "--year", 2021, source, "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    meta = YearMeta.model_validate(yaml.safe_load((demo / "2021" / "survey.yml").read_text(encoding="utf-8")))
    assert meta.level == "counts" and "Notes" in meta.ignore
    assert "Notes" not in meta.questions
    # every code is the bank's, or a new statement the import printed for the analyst to add
    new = set(meta.questions.values()) - set(load_bank(demo).questions)
    assert all(f"  {code}:\n    theme: PUT-A-THEME-CODE-HERE" in result.stdout for code in new)
    assert len(meta.questions) >= len(last.questions) - 2  # reworded questions may need confirming


def test_new_year_with_a_broken_recommendations_file_is_a_message(demo):
    (demo / "2022" / "recommendations.yml").write_text("- just\n- a list\n", encoding="utf-8")
    for command in (["new-year", 2023], ["validate", "--year", 2022]):
        result = _cli(*command, "--data-dir", demo)
        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr and "recommendations.yml" in result.stderr, result.stderr
    assert not (demo / "2023").exists()


def test_new_year_where_a_file_has_the_years_name(demo):
    (demo / "2023").write_text("not a folder", encoding="utf-8")
    result = _cli("new-year", 2023, "--data-dir", demo)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "is a file" in result.stderr


def test_import_of_a_workbook_with_a_cover_sheet_says_which_sheet_and_then_reads_it(demo, tmp_path):
    """A cover sheet first: import names it and the sheet to set; with `sheet:` in survey.yml it imports."""
    import openpyxl

    newyear.new_year(demo, 2023, echo=lambda _: None)
    frame = _table(demo / "2022" / EXPORT_2022)
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Staff survey 2023: all responses"])
    answers = book.create_sheet("Answers")
    answers.append(list(frame.columns))
    for row in frame.head(40).itertuples(index=False):
        answers.append([v.replace("2022", "2023") if i == 1 else v for i, v in enumerate(row)])
    source = tmp_path / "Download.xlsx"
    book.save(source)
    before = tree_hashes(demo)
    with pytest.raises(newyear.YearStartError) as refused:
        importer.import_export(demo, 2023, source)
    assert (
        "'Cover'" in str(refused.value) and "sheet: Answers" in str(refused.value) and "Nothing was changed" in str(refused.value)
    )
    assert tree_hashes(demo) == before
    survey = demo / "2023" / "survey.yml"
    survey.write_text(survey.read_text(encoding="utf-8") + "sheet: Answers\n", encoding="utf-8")
    report = importer.import_export(demo, 2023, source)
    assert report.mapping["My workload is manageable."] == "WEL02"
    assert load_year_meta(demo, 2023).sheet == "Answers"  # kept by the rewrite


def test_next_steps_name_the_data_folder_given(tmp_path, monkeypatch):
    """The commands suggested after new-year and import carry --data-dir unless the folder is the default one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEALTHCHECK_DATA_DIR", raising=False)
    lines = []
    newyear.new_year(tmp_path / "my data", 2023, echo=lines.append)
    shown = "\n".join(lines)
    assert 'import --year 2023 "path/to/the export.csv" --data-dir "my data"' in shown
    assert 'validate --year 2023 --data-dir "my data"' in shown

    data = shutil.copytree(paths.ROOT / "data", tmp_path / "data")
    newyear.new_year(data, 2023, echo=lines.append)
    assert any(line.endswith("validate --year 2023 --data-dir data") for line in lines)
    report = importer.import_export(data, 2023, _export_2023(data, tmp_path))
    assert report.text().endswith("Next: python -m healthcheck validate --year 2023 --data-dir data")
    with pytest.raises(newyear.YearStartError, match="new-year 2024 --data-dir data"):
        importer.import_export(data, 2024, _export_2023(data, tmp_path))

    # The default folder ($HEALTHCHECK_DATA_DIR, else data/ in the repository) needs no option.
    monkeypatch.setenv("HEALTHCHECK_DATA_DIR", str(tmp_path / "default"))
    lines.clear()
    newyear.new_year(tmp_path / "default", 2023, echo=lines.append)
    assert any(line.endswith("validate --year 2023") for line in lines) and "--data-dir" not in "\n".join(lines)


def test_import_of_a_file_that_does_not_exist_says_so_first(demo, tmp_path):
    newyear.new_year(demo, 2023, echo=lambda _: None)
    importer.import_export(demo, 2023, _export_2023(demo, tmp_path))  # survey.yml now names an export
    before = tree_hashes(demo)
    missing = tmp_path / "nonexistent.xlsx"
    for yes in (False, True):
        with pytest.raises(newyear.YearStartError) as refused:
            importer.import_export(demo, 2023, missing, yes=yes)
        assert str(refused.value).startswith(f"There is no file {missing}") and "--yes" not in str(refused.value)
    result = _cli("import", "--year", 2023, missing, "--data-dir", demo)
    assert result.returncode == 1 and f"There is no file {missing}" in result.stderr and "--yes" not in result.stderr
    assert tree_hashes(demo) == before


def test_import_of_a_file_that_cannot_be_read_says_so_first(demo, tmp_path, monkeypatch):
    from healthcheck.scaffold import importer

    newyear.new_year(demo, 2023, echo=lambda _: None)
    importer.import_export(demo, 2023, _export_2023(demo, tmp_path))
    locked = _export_2023(demo, tmp_path, name="locked.csv")

    def refuse(path, *args, **kwargs):  # as the system does for a file this account may not read
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(importer, "open", refuse, raising=False)
    with pytest.raises(newyear.YearStartError, match="Permission denied") as refused:
        importer.import_export(demo, 2023, locked)
    assert "--yes" not in str(refused.value) and "locked.csv" in str(refused.value)
