"""Reading exports as survey tools write them: encodings, separators, sheets, heading rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import openpyxl
import pandas as pd
import pytest

from healthcheck.data import inputfile
from healthcheck.data.tables.read import ReadError, TableRead, answer_codes, apply_codes, read_table

HEADINGS = ["Response ID", "Completed", "Team", "I don\u2019t feel safe, ever", "My workload is manageable"]
ROWS = [[str(i), "2022-05-10", "Safeguarding Team", "Agree", "Strongly disagree"] for i in range(1, 60)]


def csv_text(rows, delimiter=",", newline="\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def error_for(path, **options) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_table(path, **options)
    return info.value


# ------------------------------------------------------------------ encodings and separators


@pytest.mark.parametrize(
    "name, encoding, delimiter, expected_encoding",
    [
        ("plain.csv", "utf-8", ",", "utf-8"),
        ("bom.csv", "utf-8-sig", ",", "utf-8-sig"),
        ("windows.csv", "cp1252", ",", "cp1252"),
        ("unicode.txt", "utf-16", "\t", "utf-16"),  # Excel's "Unicode text": BOM, tabs
        ("nobom16.csv", "utf-16-le", ",", "utf-16"),  # UTF-16 recognised by its NUL bytes
        ("semicolons.csv", "utf-8", ";", "utf-8"),
        ("tabs.tsv", "utf-8", "\t", "utf-8"),
    ],
)
def test_encodings_and_separators_read_alike(tmp_path, name, encoding, delimiter, expected_encoding):
    path = write(tmp_path, name, csv_text([HEADINGS] + ROWS, delimiter), encoding)
    result = read_table(path)
    assert isinstance(result, TableRead)
    assert list(result.frame.columns) == HEADINGS
    assert result.frame.values.tolist() == ROWS
    assert (result.encoding, result.delimiter) == (expected_encoding, delimiter)
    assert result.notes  # says how it was read
    assert result.frame.index.tolist() == list(range(2, 61))  # Excel's row numbers


def test_stray_byte_is_reported_at_its_row_and_column(tmp_path):
    lines = csv_text([HEADINGS] + ROWS).encode("utf-8").split(b"\r\n")
    lines[39] = lines[39].replace(b"Safeguarding Team", b"Caf\xe9 Team")  # spreadsheet row 40
    error = error_for(write(tmp_path, "stray.csv", b"\r\n".join(lines)))
    assert (error.row, error.column) == (40, "Team")
    assert "E9" in error.message and "'é'" in error.message and "heading" not in error.message
    assert error.found == "Caf[byte E9] Team"


def test_genuine_windows_file_is_read_as_cp1252(tmp_path):
    rows = [HEADINGS] + [["1", "2022-05-10", "Équipe £ café", "Agree", "Agree"]]
    result = read_table(write(tmp_path, "win.csv", csv_text(rows), "cp1252"))
    assert result.encoding == "cp1252"
    assert result.frame.iloc[0, 2] == "Équipe £ café"
    assert any("Windows-1252" in note for note in result.notes)


def test_truncated_last_row_is_refused(tmp_path):
    text = csv_text([HEADINGS] + ROWS)
    error = error_for(write(tmp_path, "cut.csv", text[: text.rindex("Agree")]))
    assert error.row == 60
    assert "cut short" in error.message and "the heading row has 5" in error.message
    assert error.found == "4 cells"  # "59,2022-05-10,Safeguarding Team," and no more


def test_long_row_is_refused_with_its_row(tmp_path):
    rows = [HEADINGS] + ROWS[:20] + [ROWS[20] + ["North", "extra"]] + ROWS[21:]
    error = error_for(write(tmp_path, "long.csv", csv_text(rows)))
    assert error.row == 22
    assert "7 cells" in error.message and "separator" in error.message


def test_short_row_in_the_middle_counts_rows_as_excel_does(tmp_path):
    rows = [HEADINGS, ["1", "2022", "A", "line one\nline two", "Agree"]] + ROWS[:3] + [ROWS[3][:3]] + ROWS[4:]
    error = error_for(write(tmp_path, "short.csv", csv_text(rows)))
    assert error.row == 6  # the cell with a line break is one row in Excel


def test_unclosed_quotation_mark_is_refused(tmp_path):
    text = csv_text([HEADINGS] + ROWS) + '99,"never closed\r\n'
    error = error_for(write(tmp_path, "quote.csv", text))
    assert error.row == 61 and "never closed" in error.message


def test_unclear_separator_is_said(tmp_path):
    text = "a,b;c,d\r\n1,2;3,4\r\n5,6;7,8\r\n"
    error = error_for(write(tmp_path, "unclear.csv", text))
    assert "commas" in error.message and "semicolons" in error.message


def test_excel_sep_line_and_blank_rows(tmp_path):
    text = "sep=;\r\n" + csv_text([HEADINGS] + ROWS[:3], ";") + "\r\n;;;;\r\n" + csv_text(ROWS[3:5], ";")
    result = read_table(write(tmp_path, "sep.csv", text))
    assert result.delimiter == ";"
    assert result.frame.index.tolist() == [2, 3, 4, 7, 8]  # rows 5 and 6 are empty
    assert any("empty row" in note for note in result.notes)


def test_headings_only_gives_an_empty_table(tmp_path):
    result = read_table(write(tmp_path, "head.csv", csv_text([HEADINGS])))
    assert list(result.frame.columns) == HEADINGS and result.frame.empty


def test_csv_header_row_and_duplicate_and_empty_headings(tmp_path):
    text = 'Export title\r\n"Team",Q1,Team,\r\nA,Agree,B,\r\n'
    result = read_table(write(tmp_path, "title.csv", text), header_row=2)
    assert list(result.frame.columns) == ["Team", "Q1", "Team.1"]  # the empty column is left out
    assert result.frame.index.tolist() == [3]


def test_two_row_heading_in_csv_is_explained(tmp_path):
    rows = [["Response ID", "About you", "", "", "Q1"], ["", "Team", "Locality", "Role", ""], ["1", "A", "B", "C", "Agree"]]
    error = error_for(write(tmp_path, "two.csv", csv_text(rows)))
    assert error.row == 1 and "two rows" in error.message and "'Locality'" in error.message


# ----------------------------------------------------------------------------- workbooks


def workbook_with_cover(path):
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Cover"
    cover["A1"] = "CSC Health Check 2022: export"
    cover["A3"] = "Exported on 11 June 2022"
    data = book.create_sheet("Responses")
    data.append(["Response ID", "Completed", "Team", "Score", "Share"])
    for i in range(3):
        data.append([i + 1, dt.datetime(2022, 5, 10 + i, 14, 30), "=1+1 team", 3.0 + i / 2, 0.125])
        data.cell(i + 2, 2).number_format = "dd/mm/yyyy hh:mm"
        data.cell(i + 2, 4).number_format = "0.00"
        data.cell(i + 2, 5).number_format = "0.0%"
    data.cell(2, 3).data_type = "s"  # text that starts with "=", as a survey tool stores it
    book.create_sheet("Notes")["A1"] = "About this export"
    book.save(path)
    return path


def test_cover_sheet_is_named_and_a_sheet_suggested(tmp_path):
    error = error_for(workbook_with_cover(tmp_path / "export.xlsx"))
    assert "'Cover'" in error.message and "'Responses'" in error.message and "'Notes'" in error.message
    assert "sheet: Responses" in error.message


@pytest.mark.parametrize("sheet", ["Responses", 2])
def test_sheet_by_name_or_position_and_cells_as_shown(tmp_path, sheet):
    path = workbook_with_cover(tmp_path / "export.xlsx")
    error = error_for(path, sheet=sheet)  # formulas with no saved result would read as blanks: refused
    assert "(C3, C4)" in error.message and "save it again" in error.message
    book = openpyxl.load_workbook(path)
    for row in (3, 4):
        book["Responses"].cell(row, 3).value = None
    book.save(path)
    result = read_table(path, sheet=sheet)
    assert result.sheet == "Responses" and "Responses" in result.notes[0]
    assert result.frame.values.tolist()[:2] == [
        ["1", "10/05/2022 14:30", "=1+1 team", "3.00", "12.5%"],
        ["2", "11/05/2022 14:30", "", "3.50", "12.5%"],
    ]
    assert result.frame.index.tolist() == [2, 3, 4]


def test_missing_sheet_lists_the_sheets(tmp_path):
    error = error_for(workbook_with_cover(tmp_path / "export.xlsx"), sheet="Answers")
    assert "'Cover', 'Responses', 'Notes'" in error.message


def test_merged_two_row_heading_is_explained(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Response ID", "About you", None, None, "I feel safe"])
    sheet.append([None, "Team", "Locality", "Role", None])
    sheet.append([1, "North", "Gloucester", "Social worker", "Agree"])
    for cells in ("A1:A2", "B1:D1", "E1:E2"):
        sheet.merge_cells(cells)
    book.save(tmp_path / "merged.xlsx")
    error = error_for(tmp_path / "merged.xlsx")
    assert error.row == 1 and "two rows" in error.message and "unmerge" in error.message


def test_second_row_of_full_headings_suggests_header_row_2(tmp_path):
    rows = [["", "About you", "", "Questions"], ["Response ID", "Team", "Role", "I feel safe"], ["1", "A", "SW", "Agree"]]
    error = error_for(write(tmp_path, "two.csv", csv_text(rows)))
    assert "header_row: 2" in error.message
    assert list(read_table(tmp_path / "two.csv", header_row=2).frame.columns) == rows[1]


def test_title_rows_above_the_headings_suggest_header_row(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Health check export"])
    book.active.append([])
    book.active.append(["Response ID", "Team", "Q1"])
    book.active.append([1, "A", "Agree"])
    book.save(tmp_path / "title.xlsx")
    assert "header_row: 3" in error_for(tmp_path / "title.xlsx").message
    assert read_table(tmp_path / "title.xlsx", header_row=3).frame.to_dict("list") == {
        "Response ID": ["1"],
        "Team": ["A"],
        "Q1": ["Agree"],
    }


def test_damaged_and_misnamed_workbooks(tmp_path):
    assert "damaged" in error_for(write(tmp_path, "broken.xlsx", b"PK\x03\x04 not really a zip")).message
    assert "CSV" in error_for(write(tmp_path, "text.xlsx", csv_text([HEADINGS] + ROWS))).message
    assert "xlsx" in error_for(write(tmp_path, "book.csv", b"PK\x03\x04\x00\x00rest")).message


# ---------------------------------------------------------------------------------- files


def test_missing_file_folder_empty_and_unknown_extension(tmp_path):
    assert "does not exist" in error_for(tmp_path / "nope.csv").message
    (tmp_path / "folder.csv").mkdir()
    assert "folder" in error_for(tmp_path / "folder.csv").message
    assert "empty" in error_for(write(tmp_path, "empty.csv", "")).message
    assert "empty" in error_for(write(tmp_path, "bom-only.csv", b"\xef\xbb\xbf\r\n")).message
    assert ".json" in error_for(write(tmp_path, "export.json", "{}")).message
    assert "xlsx" in error_for(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0")).message


def test_unreadable_file(tmp_path):
    path = write(tmp_path, "locked.csv", csv_text([HEADINGS] + ROWS))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads any file, whatever its permissions
            pytest.skip("running as root, which can read a chmod 000 file (see the monkeypatched test below)")
        assert "permission denied" in error_for(path).message
    finally:
        path.chmod(0o644)


def test_permission_error_becomes_a_plain_message(tmp_path, monkeypatch):
    # The same path as a real chmod 000 file, tested even as root by making open() refuse.
    path = write(tmp_path, "locked.csv", csv_text([HEADINGS] + ROWS))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(inputfile.os, "open", refuse)  # where every input file is opened
    error = error_for(path)
    assert "permission denied" in error.message and error.found == "permission denied"


def test_bad_header_row_option(tmp_path):
    path = write(tmp_path, "ok.csv", csv_text([HEADINGS] + ROWS))
    assert "header_row" in error_for(path, header_row=0).message
    assert "sheets" in error_for(path, sheet="Responses").message


# ----------------------------------------------------------------------------- answer codes


def test_answer_codes_are_recognised():
    assert answer_codes(pd.Series(["1", "2", "5", "", " 3 ", "4.0"]))
    assert not answer_codes(pd.Series(["Agree", "Disagree", ""]))
    assert not answer_codes(pd.Series(["", ""]))
    assert not answer_codes(pd.Series([str(i) for i in range(1, 200)]))  # an ID column
    assert not answer_codes(pd.Series(["1", "2", "Agree"]))


def test_apply_codes_maps_codes_to_labels(tmp_path):
    rows = [HEADINGS[:2] + ["Q1", "Q2"]] + [["1", "2022", "1", "5"], ["2", "2022", "2.0", ""], ["3", "2022", "7", "3"]]
    frame = read_table(write(tmp_path, "codes.csv", csv_text(rows))).frame
    assert answer_codes(frame["Q1"]) and not answer_codes(frame["Completed"])  # 2022 is a year, not a code
    codes = {1: "Strongly agree", "2": "Agree", 3: "Neither agree nor disagree", 5: "Strongly disagree"}
    coded = apply_codes(frame, ["Q1", "Q2"], codes)
    assert coded["Q1"].tolist() == ["Strongly agree", "Agree", "7"]  # 7 has no label: left for validation
    assert coded["Q2"].tolist() == ["Strongly disagree", "", "Neither agree nor disagree"]
    assert coded["Response ID"].tolist() == ["1", "2", "3"] and frame["Q1"].tolist() == ["1", "2.0", "7"]
    with pytest.raises(ReadError) as info:
        apply_codes(frame, ["Q9"], codes)
    assert info.value.column == "Q9"
