"""CSV and XLSX downloads: spreadsheet-safe and byte-for-byte deterministic."""

from __future__ import annotations

import csv
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from healthcheck.present import exports
from healthcheck.present.exports import write_csv, write_workbook

pytestmark = pytest.mark.unit

INJECTIONS = ['=HYPERLINK("http://evil.example","Click")', "+1+1", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1", " =1+1"]
# What a spreadsheet shows for each: an apostrophe first (and a carriage return as a line feed).
NEUTRALISED = ["'" + text.replace("\r", "\n") for text in INJECTIONS]


def hostile_frame() -> pd.DataFrame:
    n = len(INJECTIONS) + 2
    return pd.DataFrame(
        {
            "team": INJECTIONS + ["Safeguarding, North", None],
            "role": ["Social worker"] * (n - 1) + ["=cmd|' /C calc'!A0"],
            "n_valid": np.arange(n) + 10,
            "pct_positive": [82.5, -3.0] + [50.0] * (n - 3) + [np.nan],
            "change": ["-2", "+1"] + [""] * (n - 2),
            "=SUM(A1)": ["x"] * n,
        }
    )


def test_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    path = write_csv(hostile_frame(), tmp_path / "2022-teams.csv")
    data = path.read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == ["team", "role", "n_valid", "pct_positive", "change", "'=SUM(A1)"]
    assert [row[0] for row in rows[1:]] == NEUTRALISED + ["Safeguarding, North", ""]
    assert rows[-1][1] == "'=cmd|' /C calc'!A0"
    assert [row[2] for row in rows[1:3]] == ["10", "11"] and rows[2][3] == "-3.0" and rows[-1][3] == ""
    assert [row[4] for row in rows[1:3]] == ["-2", "+1"]  # plain signed numbers are harmless
    for row in rows:  # nothing a spreadsheet would take for a formula, except plain numbers
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\n")) or _is_number(cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_csv_is_deterministic_and_bom_optional(tmp_path):
    first = write_csv(hostile_frame(), tmp_path / "a.csv").read_bytes()
    assert write_csv(hostile_frame(), tmp_path / "a.csv").read_bytes() == first
    assert write_csv(hostile_frame(), tmp_path / "b.csv", excel_bom=True).read_bytes() == b"\xef\xbb\xbf" + first
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*.tmp"))


def test_workbook_stores_text_as_text_and_numbers_as_numbers(tmp_path):
    path = write_workbook({"Teams": hostile_frame(), "Contents": pd.DataFrame({"Sheet": ["Teams"]})}, tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Teams", "Contents"]
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    sheet = book["Teams"]
    assert [sheet.cell(r, 1).value for r in range(2, 2 + len(INJECTIONS))] == NEUTRALISED
    assert sheet["F1"].value == "'=SUM(A1)"
    assert (sheet["C2"].value, sheet["C2"].data_type) == (10, "n")
    assert (sheet["D3"].value, sheet["D3"].data_type) == (-3, "n")
    assert sheet.cell(sheet.max_row, 4).value is None  # NaN is an empty cell
    assert (sheet["E2"].value, sheet["E2"].data_type) == ("-2", "s")  # text stays text


def test_workbook_is_deterministic(tmp_path, monkeypatch):
    sheets = {"Teams": hostile_frame()}
    first = write_workbook(sheets, tmp_path / "w.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "w.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified
    # A different clock when saving must not change a byte: openpyxl stamps the save time.
    import datetime as dt

    import openpyxl.writer.excel as excel_writer

    class LaterClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 7, 9, 12, 34, 56, tzinfo=tz)

    monkeypatch.setattr(excel_writer.datetime, "datetime", LaterClock)
    assert write_workbook(sheets, tmp_path / "w.xlsx").read_bytes() == first


def test_sheet_names_are_made_valid(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    names = {"Theme: wellbeing/2022 [draft]?": frame, "x" * 40: frame, "X" * 40: frame, "": frame, "History": frame}
    book = openpyxl.load_workbook(write_workbook(names, tmp_path / "w.xlsx"))
    assert book.sheetnames[0] == "Theme_ wellbeing_2022 _draft__"
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({name.lower() for name in book.sheetnames}) == 5 and "History" not in book.sheetnames


def test_control_characters_cannot_break_the_workbook(tmp_path):
    frame = pd.DataFrame({"quote": ["bell\x07 and vertical tab\x0b"]})
    book = openpyxl.load_workbook(write_workbook({"Q": frame}, tmp_path / "w.xlsx"))
    assert book["Q"]["A2"].value == "bell and vertical tab"


def test_safe_frame_leaves_the_original_alone():
    frame = hostile_frame()
    before = frame.copy()
    exports.safe_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
