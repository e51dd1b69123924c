"""The all-figure workbooks (ODS and XLSX): the Analysis Function's layout, figures stored as
numbers with [c] and [x], the same figures as the CSVs, the same bytes every time, and read
by the disclosure audit as the CSVs are."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from healthcheck.audit.published import read_outputs
from healthcheck.present.exports import sheet_title, write_csv
from healthcheck.present.workbook import Cover, sheets_from_csvs, typed_table, write_workbooks

YEAR = 2023
COVER = Cover("Health check 2023: all figure data", "Anytown Council", YEAR, "Staff survey", "data@anytown.example", "1 May 2023")
FILES = {
    "wellbeing-by-team": pd.DataFrame(
        {
            "Code": ["WB01", "WB01", "WB01", "WB01"],
            "Statement": ["I feel valued", "I feel valued", "I feel valued", "I feel valued"],
            "Team": ["North", '=HYPERLINK("x")', "South", "West"],
            "% agreeing": ["73%", "", "", "61%"],
            "Valid responses": ["56", "", "", "23"],
            "Note": ["", "fewer than 10 responses", "hidden so that a small group cannot be worked out", "caution: a small base"],
        }
    ),
    "wellbeing-change": pd.DataFrame(
        {
            "Statement": ["I feel valued", "I am listened to 22 times"],
            "This year": ["72% (n=333)", "Not shown (n<10)"],
            "Last year": ["74% (2021)", "–"],
            "Change": ["-2 pts", "–"],
            "Significance": ["● No significant change", "– Not compared: first year asked"],
        }
    ),
    "wellbeing-trend": pd.DataFrame(
        {
            "Code": ["WB01", "WB01"],
            "Statement": ["I feel valued", "I feel valued"],
            "Year": ["2022", "2023"],
            "% agreeing": ["66.0", "71.2"],
            "95% interval": ["", "66 to 76"],
            "Valid responses": ["", "281"],
            "Source": ["published figure", "survey counts"],
        }
    ),
    "wellbeing-benchmarks": pd.DataFrame(
        {
            "Code": ["WB01"],
            "Statement": ["I feel valued"],
            "Us": ["72%"],
            "England": ["71%"],
            "Difference from England": ["+1 pt, no significant difference"],
        }
    ),
}


def write_downloads(folder: Path) -> Path:
    downloads = folder / "html" / "downloads"
    for stem, frame in FILES.items():
        write_csv(frame, downloads / f"{YEAR}-{stem}.csv")
    return downloads


def write_books(downloads: Path) -> tuple[Path, Path]:
    sheets = sheets_from_csvs(downloads, YEAR, {"wellbeing": "Health and wellbeing"})
    return write_workbooks(COVER, sheets, 10, downloads / f"{YEAR}-all-figure-data")


def read_back(xlsx: Path, ods: Path) -> list[dict[str, list[list]]]:
    """Both workbooks as {sheet: rows}, by readers other than the writer."""
    book = openpyxl.load_workbook(xlsx)
    from_xlsx = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    frames = pd.read_excel(ods, engine="odf", sheet_name=None, header=None, dtype=object)
    from_ods = {
        name: [[None if isinstance(v, float) and v != v else v for v in row] for row in frame.itertuples(index=False)]
        for name, frame in frames.items()
    }
    return [from_xlsx, from_ods]


def test_layout_cover_contents_notes_then_one_table_per_sheet(tmp_path):
    xlsx, ods = write_books(write_downloads(tmp_path))
    for sheets in read_back(xlsx, ods):
        names = list(sheets)
        assert names[:3] == ["Cover", "Contents", "Notes"]
        assert names[3:] == ["wellbeing_benchmarks", "wellbeing_by_team", "wellbeing_change", "wellbeing_trend"]
        cover = [r[0] for r in sheets["Cover"]]
        assert cover[0] == COVER.title
        for label, value in (("Organisation", "Anytown Council"), ("Year", "2023"), ("Source", "Staff survey"),
                             ("Contact", "data@anytown.example"), ("Date published", "1 May 2023")):  # fmt: skip
            assert cover[cover.index(label) + 1] == value
        contents = sheets["Contents"]
        assert contents[0][0] == "Table of contents" and contents[2][:3] == ["Sheet name", "Table description", "CSV file"]
        assert [r[0] for r in contents[3:]] == names[3:]
        assert contents[4][1] == f"Health and wellbeing: agreement with each statement by team, {YEAR}"
        assert contents[4][2] == f"{YEAR}-wellbeing-by-team.csv"
        notes = " ".join(str(r[1]) for r in sheets["Notes"][3:])
        assert "[c] confidential" in notes and "[x] not available" in notes and "fewer than 10" in notes
        for name in names[3:]:
            rows = sheets[name]
            assert rows[0][0].endswith(f", {YEAR}") and all(v is None for v in rows[0][1:])  # title in A1 alone
            assert all(v is None for v in rows[1][1:])  # then a line in column A
            assert rows[2][0] in ("Code", "Statement")  # the table starts below


def test_the_contents_links_to_each_sheet(tmp_path):
    xlsx, ods = write_books(write_downloads(tmp_path))
    sheet = openpyxl.load_workbook(xlsx)["Contents"]
    assert sheet["A5"].hyperlink.location == "'wellbeing_by_team'!A1"
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    assert 'xlink:href="#wellbeing_by_team"' in content
    assert openpyxl.load_workbook(xlsx)["wellbeing_by_team"].tables  # marked up as a table


def test_figures_are_numbers_and_empty_figures_are_symbols(tmp_path):
    xlsx, ods = write_books(write_downloads(tmp_path))
    for sheets in read_back(xlsx, ods):
        team = sheets["wellbeing_by_team"]
        assert team[2] == ["Code", "Statement", "Team", "% agreeing", "Valid responses", "Note"]
        assert team[3][3:5] == [73, 56] and all(isinstance(v, int | float) for v in team[3][3:5])
        assert team[4][3:5] == ["[c]", "[c]"] and team[5][3:5] == ["[c]", "[c]"]  # fewer than 10; hidden
        assert team[4][2] == '\'=HYPERLINK("x")'  # text that looks like a formula stays inert text
        change = sheets["wellbeing_change"]
        assert change[2][:6] == ["Statement", "This year (%)", "This year (valid responses)", "Last year (%)",
                                 "Last year (year)", "Change (points)"]  # fmt: skip
        assert change[3][1:6] == [72, 333, 74, 2021, -2]
        assert change[4][1:6] == ["[c]", "[c]", "[x]", "[x]", "[x]"]
        trend = sheets["wellbeing_trend"]
        assert trend[2][4:6] == ["95% interval lower", "95% interval upper"]
        assert trend[3][3:7] == [66, "[x]", "[x]", "[x]"] and trend[4][3:7] == [71.2, 66, 76, 281]
        bench = sheets["wellbeing_benchmarks"]
        assert bench[3][2:] == [72, 71, 1, "no significant difference"]
    xlsx_book = openpyxl.load_workbook(xlsx)
    assert [c.coordinate for ws in xlsx_book for row in ws.iter_rows() for c in row if c.data_type == "f"] == []


_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers(cells) -> list[float]:
    """Every number in a row, in order: numeric cells, and the numbers written in text cells
    (a withheld figure's "n<10" is the threshold, not a figure)."""
    out = []
    for v in cells:
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.append(float(v))
        elif isinstance(v, str):
            out += [float(n) for n in _NUMBERS.findall(re.sub(r"n<\d+", "", v).replace("'", ""))]
    return out


@pytest.mark.parametrize("reader", ["xlsx", "ods"])
def test_every_table_carries_the_csvs_figures_row_by_row(tmp_path, reader):
    downloads = write_downloads(tmp_path)
    books = dict(zip(["xlsx", "ods"], read_back(*write_books(downloads)), strict=True))
    sheets = books[reader]
    contents = {r[0]: r[2] for r in sheets["Contents"][3:]}
    assert len(contents) == len(FILES)
    for name, csv_name in contents.items():
        csv = pd.read_csv(downloads / csv_name, dtype=str, keep_default_na=False)
        rows = sheets[name][3:]
        assert len(rows) == len(csv)
        for csv_row, row in zip(csv.itertuples(index=False), rows, strict=True):
            # the signs of "-2 pts" and "–" differ only in the CSV's dashes, so compare magnitudes
            assert [abs(n) for n in _numbers(row)] == [abs(n) for n in _numbers(csv_row)], (name, csv_row, row)


def test_typed_table_keeps_text_columns_and_empty_notes():
    frame = pd.DataFrame({"Word": ["22 children", "pressure"], "Times mentioned": ["3", "12"], "Note": ["", "x"]})
    typed = typed_table(frame)
    assert list(typed["Word"]) == ["22 children", "pressure"] and list(typed["Times mentioned"]) == [3, 12]
    assert list(typed["Note"]) == ["", "x"]


def test_same_csvs_same_bytes_whatever_the_clock(tmp_path, monkeypatch):
    downloads = write_downloads(tmp_path)
    first = [p.read_bytes() for p in write_books(downloads)]
    import datetime as dt

    import openpyxl.writer.excel as excel_writer

    class LaterClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 7, 9, 12, 34, 56, tzinfo=tz)

    monkeypatch.setattr(excel_writer.datetime, "datetime", LaterClock)
    assert [p.read_bytes() for p in write_books(downloads)] == first
    with zipfile.ZipFile(downloads / f"{YEAR}-all-figure-data.ods") as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_sheet_names_are_made_valid():
    used: set[str] = set()
    names = [sheet_title(n, used) for n in ("Theme: wellbeing/2022 [draft]?", "x" * 40, "X" * 40, "", "History")]
    assert names[0] == "Theme_ wellbeing_2022 _draft__"
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 5 and "History" not in names


def test_the_audit_reads_both_workbooks_as_it_reads_the_csvs(tmp_path):
    downloads = write_downloads(tmp_path)
    write_books(downloads)
    out = read_outputs(tmp_path, YEAR)
    assert out.findings == []
    obs = out.observations
    columns = ["question_id", "group_type", "group", "status", "pct", "n_valid", "n_positive_lo", "n_positive_hi"]

    def of(source):
        return obs[obs["source"] == source][columns].astype(str).sort_values(columns).reset_index(drop=True)

    assert len(of("csv")) == 6  # four team cells (two withheld), the all-staff figure in the trend and the change
    pd.testing.assert_frame_equal(of("xlsx"), of("csv"))
    pd.testing.assert_frame_equal(of("ods"), of("csv"))
    assert set(of("xlsx")["status"]) == {"shown", "primary", "secondary"}


def test_a_machine_path_inside_the_ods_is_found_by_the_leak_check(tmp_path):
    from healthcheck.audit.leaks import leaks

    downloads = tmp_path / "html" / "downloads"
    write_csv(pd.DataFrame({"Word": ["/home/analyst/secret"], "Times mentioned": ["3"]}), downloads / f"{YEAR}-word-cloud.csv")
    write_books(downloads)
    (downloads / f"{YEAR}-word-cloud.csv").unlink()
    (downloads / f"{YEAR}-all-figure-data.xlsx").unlink()
    assert any("all-figure-data.ods" in finding and "/home/analyst" in finding for finding in leaks(tmp_path))


def test_a_book_without_a_threshold_gets_workbooks_too(tmp_path):
    """The national summary has no reporting threshold of its own in its settings."""
    downloads = write_downloads(tmp_path)
    sheets = sheets_from_csvs(downloads, YEAR)
    xlsx, _ = write_workbooks(COVER, sheets, None, downloads / f"{YEAR}-all-figure-data")
    notes = [r[1] for r in openpyxl.load_workbook(xlsx)["Notes"].iter_rows(min_row=4, values_only=True)]
    assert "too few valid responses" in notes[0]
