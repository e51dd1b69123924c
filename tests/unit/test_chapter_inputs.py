"""Explicit chapter inputs: the one declaration of the chapters' parameters against every
notebook's parameters cell, the build's check of it, and the survey a build hands its chapters
(its disclosure audit passed beside it, a mismatched file an error)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from healthcheck import paths
from healthcheck.analysis.survey import load_survey, save_preloaded
from healthcheck.errors import BuildError
from healthcheck.pipeline import parameters as C
from healthcheck.pipeline.execute import chapters

pytestmark = pytest.mark.unit

COUNCIL_NOTEBOOKS = sorted(paths.CHAPTERS_DIR.glob("*.ipynb"))
NATIONAL_NOTEBOOKS = sorted((paths.CHAPTERS_DIR / "national").glob("*.ipynb"))


def test_there_are_notebooks_to_check():
    assert len(COUNCIL_NOTEBOOKS) >= 7 and len(NATIONAL_NOTEBOOKS) >= 3


@pytest.mark.parametrize(
    ("notebook", "book"),
    [(nb, C.COUNCIL_PARAMETERS) for nb in COUNCIL_NOTEBOOKS] + [(nb, C.NATIONAL_PARAMETERS) for nb in NATIONAL_NOTEBOOKS],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_every_notebook_declares_exactly_the_declared_parameters(notebook: Path, book):
    declared = C.declared_parameters(notebook.stem, book)
    found = papermill.inspect_notebook(str(notebook))
    assert list(found) == [p.name for p in declared], f"{notebook.name}: its parameters cell is not the declaration"
    for p in declared:
        default = ast.literal_eval(found[p.name]["default"])
        assert default == p.default, f"{notebook.name}: `{p.name}` defaults to {default!r}, declared {p.default!r}"
        assert isinstance(default, p.types) or default is None, f"{notebook.name}: `{p.name}` is not a {p.types}"
    C.check_parameters_cell(notebook, declared, notebook.stem)  # the build's own check agrees


def test_only_the_theme_notebook_takes_a_theme():
    assert "theme" in [p.name for p in C.declared_parameters("theme")]
    assert "theme" not in [p.name for p in C.declared_parameters("introduction")]
    assert "theme" not in [p.name for p in C.declared_parameters("theme", C.NATIONAL_PARAMETERS)]


def _notebook(folder: Path, name: str, parameters: str) -> Path:
    cell = new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_markdown_cell("# A chapter")])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


GOOD = "year = 2022\ndata_dir = None\ndownloads_dir = None\nreads_file = None\nsurvey_file = None\nbenchmark_dir = None\n"


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        (GOOD.replace("survey_file = None\n", ""), "`survey_file`"),  # missing: the chapter would ignore it
        (GOOD + "colour = None\n", "`colour`"),  # a parameter the build never sets
        (GOOD.replace("year = 2022", 'year = "2022"'), "`year`"),  # the wrong type
    ],
)
def test_a_notebook_that_disagrees_stops_the_build_naming_notebook_and_parameter(tmp_path, cell, named):
    (tmp_path / "chapters").mkdir()
    source = _notebook(tmp_path / "chapters", "summary", cell)
    with pytest.raises(BuildError) as err:
        chapters.chapters_from_docs(["chapters/summary"], tmp_path / "chapters")
    message = str(err.value)
    assert "summary" in message and str(source) in message and named in message
    assert "Traceback" not in message


def test_a_notebook_that_agrees_passes(tmp_path):
    (tmp_path / "chapters").mkdir()
    _notebook(tmp_path / "chapters", "summary", GOOD)
    (chapter,) = chapters.chapters_from_docs(["chapters/summary"], tmp_path / "chapters")
    assert chapter.declared == C.COUNCIL_PARAMETERS and chapter.parameters_index == 0


def test_what_papermill_passes_is_checked_against_the_declaration():
    values = {"year": 2022, "data_dir": None, "downloads_dir": "d", "reads_file": "r", "survey_file": "s"}
    # the optional benchmark folder is left to the notebook's default when the build has none
    assert C.papermill_parameters(C.COUNCIL_PARAMETERS, {**values, "benchmark_dir": None}, "x") == values
    assert C.papermill_parameters(C.COUNCIL_PARAMETERS, {**values, "benchmark_dir": "b"}, "x")["benchmark_dir"] == "b"
    with pytest.raises(BuildError, match="national_dir"):
        C.papermill_parameters(C.COUNCIL_PARAMETERS, {**values, "national_dir": "n"}, "x")
    with pytest.raises(BuildError, match="`reads_file`"):
        C.papermill_parameters(C.COUNCIL_PARAMETERS, {k: v for k, v in values.items() if k != "reads_file"}, "x")
    with pytest.raises(BuildError, match="`year`"):
        C.papermill_parameters(C.COUNCIL_PARAMETERS, {**values, "year": "2022"}, "x")


def test_the_build_passes_each_chapter_exactly_its_declaration(tmp_path):
    (tmp_path / "chapters").mkdir()
    _notebook(tmp_path / "chapters", "theme", GOOD.replace("year = 2022\n", 'year = 2022\ntheme = "wellbeing"\n'))
    (chapter,) = chapters.chapters_from_docs(["chapters/theme-pay"], tmp_path / "chapters")
    run = chapters.ChapterRun(tmp_path / "stage", 2022, None, [2022], "0", tmp_path / "survey.pickle")
    jobs, reused = chapters._plan([chapter], run)
    assert not reused
    assert set(jobs[0]["parameters"]) == {p.name for p in chapter.declared} - {"benchmark_dir"}
    assert jobs[0]["parameters"]["theme"] == "pay"


def test_a_data_folder_named_by_the_environment_reaches_chapters_as_a_parameter(tmp_path, monkeypatch):
    monkeypatch.setenv("HEALTHCHECK_DATA_DIR", str(tmp_path / "elsewhere"))
    run = chapters.ChapterRun(tmp_path / "stage", 2022, None, [2022], "0", tmp_path / "survey.pickle")
    assert run.data_dir == str((tmp_path / "elsewhere").resolve())
    monkeypatch.delenv("HEALTHCHECK_DATA_DIR")
    assert chapters.ChapterRun(tmp_path / "stage", 2022, None, [2022], "0", tmp_path / "survey.pickle").data_dir is None


# ----------------------------------------------------------------------------- the survey's file

AUDIT = {"cells_suppressed": 3, "cells_hidden": 4, "protection": 2}


def test_the_disclosure_audit_travels_beside_the_survey_not_on_it(data_dir, tmp_path):
    survey = load_survey(data_dir, 2022)
    path = tmp_path / "survey.pickle"
    save_preloaded(survey, path, disclosure=AUDIT)
    assert survey.disclosure is None  # the build's own survey is not changed
    with open(path, "rb") as fh:
        record = pickle.load(fh)
    assert record["survey"].disclosure is None and record["disclosure"] == AUDIT
    loaded = load_survey(data_dir, 2022, preloaded=path)
    assert loaded.disclosure == AUDIT
    assert loaded.year_list == survey.year_list and loaded.figures(2022).equals(survey.figures(2022))


def test_a_survey_file_of_another_folder_or_year_is_an_error(data_dir, tmp_path):
    path = tmp_path / "survey.pickle"
    save_preloaded(load_survey(data_dir, 2022), path, disclosure=AUDIT)
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(BuildError, match="is of the data folder"):
        load_survey(other, 2022, preloaded=path)
    with pytest.raises(BuildError, match="is of 2022, but the chapter is of 2021"):
        load_survey(data_dir, 2021, preloaded=path)


def test_a_survey_file_older_than_the_data_is_an_error_not_a_silent_reload(data_dir, tmp_path):
    path = tmp_path / "survey.pickle"
    save_preloaded(load_survey(data_dir, 2022), path, disclosure=AUDIT)
    export = data_dir / "2022" / "export.csv"
    export.write_bytes(export.read_bytes() + b"\n")
    with pytest.raises(BuildError, match="out of date"):
        load_survey(data_dir, 2022, preloaded=path)


def test_a_missing_or_foreign_survey_file_is_an_error(data_dir, tmp_path):
    with pytest.raises(BuildError, match="does not exist"):
        load_survey(data_dir, 2022, preloaded=tmp_path / "absent.pickle")
    old = tmp_path / "old.pickle"
    old.write_bytes(pickle.dumps(load_survey(data_dir, 2022)))  # the layout before the audit moved beside it
    with pytest.raises(BuildError, match="another version"):
        load_survey(data_dir, 2022, preloaded=old)


def test_the_national_book_checks_its_chapters_against_its_own_declaration():
    from healthcheck.pipeline import book
    from healthcheck.pipeline.batch import nationalbook

    docs = book.documents(book.load_toc(nationalbook.TOC_PATH), nationalbook.TOC_PATH)
    found = chapters.chapters_from_docs(docs, nationalbook.CHAPTERS_DIR, C.NATIONAL_PARAMETERS)
    assert found and all(ch.declared == C.NATIONAL_PARAMETERS for ch in found)
    with pytest.raises(BuildError, match="national_dir"):  # the council's declaration does not fit them
        chapters.chapters_from_docs(docs, nationalbook.CHAPTERS_DIR)
