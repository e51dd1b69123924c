"""Attack: nothing machine-specific in what may be published (issue 25).

The executed notebooks, the auditors' notebook pages, ``manifest.json`` and ``build-info.json``
named the data folder by its absolute path; a publisher may upload them with the book. The
unit tests run the real export (papermill's metadata, nbconvert's page) on a notebook that
names machine folders, and show the audit catches such paths wherever the folders are; the
pipeline test builds a real book in a temporary folder and reads every file it wrote for that
folder's path.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import nbformat

from healthcheck import paths
from healthcheck.audit.leaks import record_leaks
from healthcheck.pipeline import notebooks, staging

TOY = Path(__file__).parents[1] / "support" / "fixtures" / "chapters_ok"


def _executed_notebook(book: Path, data: Path, build: Path) -> None:
    """A chapter as papermill leaves it: parameters in the metadata and an injected cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f'year = 2022\ndata_dir = "{data}"\nreads_file = "{build}/.staging-2022-ab/work/x/reads.txt"'),
        nbformat.v4.new_markdown_cell("# Summary"),
    ]
    nb.cells[0].metadata["tags"] = ["injected-parameters", "remove-cell"]
    nb.metadata["papermill"] = {
        "parameters": {"year": 2022, "data_dir": str(data)},
        "input_path": str(paths.CHAPTERS_DIR / "00_summary.ipynb"),
        "output_path": str(build / ".staging-2022-ab" / "book" / "chapters" / "summary.ipynb"),
    }
    (book / "chapters").mkdir(parents=True)
    nbformat.write(nb, book / "chapters" / "summary.ipynb")


def test_executed_notebooks_and_auditors_pages_name_no_machine_folder(tmp_path):
    data, build = tmp_path / "council-data", tmp_path / "build"
    out = build / ".staging-2022-ab" / "out"
    out.mkdir(parents=True)
    book = build / ".staging-2022-ab" / "book"
    _executed_notebook(book, data, build)
    chapter = types.SimpleNamespace(name="summary", docname="chapters/summary")
    notebooks.export_chapters([chapter], book, out)

    for path in [out / "executed" / "summary.ipynb", out / "notebooks" / "summary.html"]:
        text = path.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(paths.ROOT) not in text, f"{path.name} names a machine folder"
    executed = json.loads((out / "executed" / "summary.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"]["data_dir"] == "council-data"
    assert executed["metadata"]["papermill"]["input_path"] == "chapters/00_summary.ipynb"
    assert record_leaks(out, [build, data]) == []


def test_the_audit_finds_the_data_and_build_folders_wherever_they_are(tmp_path):
    """A folder outside the usual places (/data-disk is in no pattern) is found when named."""
    out = tmp_path / "out"
    (out / "executed").mkdir(parents=True)
    data, build = Path("/data-disk/councils/north/data"), Path("/data-disk/builds")
    (out / "manifest.json").write_text(json.dumps({"chapters": {"summary": {"data_dir": str(data)}}}), encoding="utf-8")
    (out / "build-info.json").write_text(json.dumps({"warnings": [f"see {build}/2022"]}), encoding="utf-8")
    (out / "executed" / "summary.ipynb").write_text(json.dumps({"cells": [], "source": str(data)}), encoding="utf-8")
    found = record_leaks(out, [data, build])
    assert any(f.startswith("manifest.json") for f in found), found
    assert any(f.startswith("build-info.json") for f in found), found
    assert any(f.startswith("executed/summary.ipynb") for f in found), found
    assert record_leaks(out, []) == [], "without the folders named, these paths match no pattern"


def test_a_folder_is_shown_relative_or_by_its_name():
    assert staging.shown_path(paths.ROOT / "data") == "data"
    assert staging.shown_path(Path("/srv/councils/north/data")) == "data"
    assert staging.shown_path(None) is None
