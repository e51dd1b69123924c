"""The demonstration book's workbooks, end to end: both published, every table sheet a CSV of
the book, the figures the same as the CSV's row by row, and the new sections on their pages."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd

_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers(cells) -> list[float]:
    out = []
    for v in cells:
        if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
            out.append(abs(float(v)))
        elif isinstance(v, str):
            out += [abs(float(n)) for n in _NUMBERS.findall(re.sub(r"n<\d+", "", v).replace("'", ""))]
    return out


def test_both_workbooks_carry_every_csv_of_the_book(demo_book):
    downloads = demo_book.out_dir / "html" / "downloads"
    csvs = sorted(p.name for p in downloads.glob("2022-*.csv"))
    assert {"2022-indicators.csv", "2022-drivers.csv", "2022-wellbeing-scores.csv"} <= set(csvs)
    ods = pd.read_excel(downloads / "2022-all-figure-data.ods", engine="odf", sheet_name=None, header=None, dtype=object)
    book = openpyxl.load_workbook(downloads / "2022-all-figure-data.xlsx")
    xlsx = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    assert list(ods)[:3] == list(xlsx)[:3] == ["Cover", "Contents", "Notes"]
    assert list(ods) == list(xlsx)
    contents = {r[0]: r[2] for r in xlsx["Contents"][3:]}
    assert sorted(contents.values()) == csvs
    for name, csv_name in contents.items():
        csv = pd.read_csv(downloads / csv_name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        rows = xlsx[name][3:]
        ods_rows = [list(r) for r in ods[name].itertuples(index=False)][3:]
        assert len(rows) == len(ods_rows) == len(csv), name
        for csv_row, row, ods_row in zip(csv.itertuples(index=False), rows, ods_rows, strict=True):
            assert _numbers(row) == _numbers(csv_row) == _numbers(ods_row), (name, csv_row)


def test_the_new_sections_are_on_their_pages(demo_book):
    html = demo_book.out_dir / "html" / "chapters"
    assert "goes most closely with" in (html / "trends.html").read_text(encoding="utf-8")
    assert "this theme scores" in (html / "theme-wellbeing.html").read_text(encoding="utf-8")
    assert "Context indicators, 2020 to 2022" in (html / "introduction.html").read_text(encoding="utf-8")
    methods = (html / "methods.html").read_text(encoding="utf-8")
    assert "Welch" in methods and "Spearman" in methods and "2022-all-figure-data.ods" in methods
