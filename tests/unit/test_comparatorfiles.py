"""Tests of healthcheck.data.comparatorfiles: the benchmark files read like every other table."""

from __future__ import annotations

import pytest

from healthcheck.data.comparatorfiles import read_benchmark_files
from healthcheck.data.inputs import INVISIBLE
from healthcheck.data.tables.read import ReadError, read_table
from healthcheck.errors import DataError, display_path

HEADER = "question_id,scope,name,pct_positive,n_valid,source\n"


def test_plain_files_are_read_and_typed(tmp_path):
    (tmp_path / "benchmarks.csv").write_text(HEADER + "Q01,national,England,71.5,1200,survey 2023\n", encoding="utf-8")
    files = read_benchmark_files(tmp_path)
    assert files.benchmarks.loc[0, "pct_positive"] == 71.5 and files.benchmarks.loc[0, "n_valid"] == 1200
    assert files.organisations is None and files.source == "survey 2023" and files.warnings == []


def test_invisible_characters_are_removed_with_a_warning(tmp_path):
    # A zero-width space inside a name and a right-to-left override before a region's name:
    # shown as they are, "England" would not equal "England", and the region would read backwards.
    text = HEADER + "Q01,national,Eng\u200bland,71.5,1200,\nQ01,region,\u202eNorth West,70,300,\n"
    (tmp_path / "benchmarks.csv").write_text(text, encoding="utf-8")
    files = read_benchmark_files(tmp_path, tmp_path)
    assert files.benchmarks["name"].tolist() == ["England", "North West"]
    shown = display_path(tmp_path / "benchmarks.csv", tmp_path)
    assert [(p.file, p.row, p.column, p.severity, p.expected) for p in files.warnings] == [
        (shown, 2, "name", "warning", INVISIBLE),
        (shown, 3, "name", "warning", INVISIBLE),
    ]
    assert "U+200B" in files.warnings[0].found and "U+202E" in files.warnings[1].found


def test_an_unreadable_file_is_one_sentence_like_any_other_table(tmp_path):
    # A workbook saved with a .csv name: read_table explains it in one sentence.
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" * 20)
    with pytest.raises(ReadError) as read_failure:
        read_table(path)
    with pytest.raises(DataError) as refused:
        read_benchmark_files(tmp_path, tmp_path)
    [problem] = refused.value.problems
    assert problem.message == read_failure.value.message and "rename it to end in .xlsx" in problem.message
    assert str(problem) == f"ERROR {display_path(path, tmp_path)}: {read_failure.value.message}"


def test_warnings_are_kept_with_the_errors_when_a_file_is_refused(tmp_path):
    (tmp_path / "benchmarks.csv").write_text(HEADER + "Q01,nation\u200bal,England,71.5,1200,\n", encoding="utf-8")
    (tmp_path / "organisations.csv").write_text("org_id,name\nA,Council A\n", encoding="utf-8")
    with pytest.raises(DataError) as refused:
        read_benchmark_files(tmp_path, tmp_path)
    kinds = sorted((p.severity, p.column) for p in refused.value.problems)
    assert ("warning", "scope") in kinds and ("error", "region") in kinds and ("error", "scope") not in kinds


def test_a_batchs_own_benchmark_folder_outside_the_data_folder_is_read(tmp_path):
    # The national batch writes each organisation's benchmark files to a folder of its own,
    # outside the organisation's data folder: the build named that folder, so it is trusted.
    data_dir, batch = tmp_path / "council", tmp_path / "batch" / "council" / "2022"
    data_dir.mkdir()
    batch.mkdir(parents=True)
    (batch / "benchmarks.csv").write_text(HEADER + "Q01,national,England,71.5,1200,batch\n", encoding="utf-8")
    assert read_benchmark_files(batch, data_dir).benchmarks.loc[0, "name"] == "England"


def test_a_year_folder_linked_out_of_the_data_folder_is_still_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "benchmarks.csv").write_text(HEADER + "Q01,national,England,71.5,1200,secret\n", encoding="utf-8")
    data_dir = tmp_path / "council"
    data_dir.mkdir()
    (data_dir / "2022").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DataError) as caught:
        read_benchmark_files(data_dir / "2022", data_dir)
    assert "out of the data folder" in " ".join(p.message or p.expected or "" for p in caught.value.problems)
