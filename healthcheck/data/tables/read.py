"""Reading tables as survey tools write them: encoding, separator, sheet and heading row.

`read_table` gives every cell as the text the analyst would see in Excel, or raises one
`ReadError` that says in plain words what is wrong and where (row numbers as Excel shows
them: the heading row is `header_row`, usually 1). It reads the file's bytes and hands them
to the reader of its kind: `readcsv` (encodings, separators, malformed rows) or `readxlsx`
(sheets, Excel's number and date formats); what both share is in `readbase`. Here too:
numeric answer codes (`answer_codes`, `apply_codes`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from healthcheck.data.inputfile import InputError, read_input
from healthcheck.data.tables import surveytools
from healthcheck.data.tables.base import ReadError, TableRead, check_two_row_heading
from healthcheck.data.tables.csvfile import read_csv
from healthcheck.data.tables.xlsxfile import read_xlsx

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: No survey export comes near this (a million respondents by 60 questions is about 500 MB of
#: CSV); the limit keeps a wrong file from filling the memory before anything is said.
MAX_BYTES = 2_000_000_000


def read_table(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    header_row: int = 1,
    tool: str | None = None,
    root: Path | str | None = None,
) -> TableRead:
    """Read a CSV (.csv, .txt, .tsv) or Excel (.xlsx, .xlsm) export with every cell as text.

    `sheet` picks a workbook's sheet by name or by 1-based position (default: the first, which
    is refused when it looks like a cover or notes page); `header_row` is the row holding the
    headings (default 1). `tool` reads a survey tool's export as downloaded (its heading rows
    made one heading per column, `surveytools`): a tool's key, or "auto" to recognise it from
    the file (the tool taken is the result's `tool`); None reads one plain heading row. Raises
    ReadError with a plain message for anything that stops the file being read as one table.
    `root` is the data folder the file must lie in (links resolved; named pipes and devices
    refused: `inputfile.read_input`); None only for a file named on the command line, such as
    the export `import` copies in.
    """
    path = Path(path)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise ReadError(f"header_row must be a row number (1 or more), not {header_row!r}", found=repr(header_row))
    raw = _read_bytes(path, root)
    suffix = path.suffix.lower()
    taken: list[surveytools.Tool] = []
    headings = None if tool is None else _headings(tool, taken, header_row)
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise ReadError(f"`sheet: {sheet}` is set, but this is a CSV file, which has no sheets: remove `sheet`")
        result = read_csv(raw, header_row, headings)
        return replace(result, tool=taken[0].key) if taken else result
    if suffix in XLSX_SUFFIXES:
        result = read_xlsx(raw, sheet, header_row, headings)
        return replace(result, tool=taken[0].key) if taken else result
    if suffix in (".xls", ".xlsb", ".ods", ".numbers"):
        raise ReadError(
            f"this is a '{path.suffix}' spreadsheet, which cannot be read here: open it and save a copy "
            "as an Excel Workbook (.xlsx) or as CSV UTF-8",
            found=path.suffix,
            expected=".xlsx or .csv",
        )
    raise ReadError(
        f"the file name ends in '{path.suffix or '(nothing)'}'; expected a .csv or .xlsx export",
        found=path.suffix or "no extension",
        expected=".csv or .xlsx",
    )


def _headings(tool: str, taken: list, header_row: int):
    """The readers' heading function for a tool ("auto": recognised from the rows): given the
    first rows from the heading row, (number of heading rows, one heading per column)."""

    def headings(rows: list[list[str]]) -> tuple[int, list[str]]:
        chosen = surveytools.recognise(rows) if tool == "auto" else surveytools.tool_named(tool)
        taken.append(chosen)
        if chosen is surveytools.OTHER and len(rows) > 1:  # no tool's layout: refused as before
            check_two_row_heading([c.strip() for c in rows[0]], rows[1], header_row)
        count = surveytools.heading_rows(chosen, rows)
        if len(rows) < count:
            raise ReadError(
                f"this {chosen.name} export should have {count} heading rows, but the file has only {len(rows)} row(s)",
                found=f"{len(rows)} row(s)",
                expected=f"{count} heading rows, then the answers",
            )
        combined = chosen.combine(rows[:count])
        width = max(len(r) for r in rows[:count])
        return count, (combined + [""] * width)[:width]

    return headings


def _read_bytes(path: Path, root: Path | str | None) -> bytes:
    """The file's bytes, or a ReadError saying why it cannot be read."""
    if path.is_dir():
        raise ReadError(
            "this is a folder, not a file: survey.yml should name the export file inside it", found="a folder", expected="a file"
        )
    try:
        raw = read_input(path, root, max_bytes=MAX_BYTES)
    except InputError as exc:
        raise ReadError(exc.message, found=exc.found, expected=exc.expected) from None
    except IsADirectoryError:
        raise ReadError("this is a folder, not a file", found="a folder", expected="a file") from None
    except FileNotFoundError:
        raise ReadError(
            "the file does not exist: check its name in survey.yml and that it is in the year's folder",
            found="no such file",
            expected="the file to exist",
        ) from None
    except PermissionError:
        raise ReadError(
            "the file cannot be opened: permission denied. Check that it is not open in another "
            "program and that your account may read it",
            found="permission denied",
            expected="a file this account can read",
        ) from None
    except OSError as exc:
        raise ReadError(f"the file cannot be read ({exc.strerror or exc})", found=exc.strerror) from None
    if len(raw) <= 4096 and not raw.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise ReadError("the file is empty", found="an empty file", expected="a heading row and rows of answers")
    return raw


# ----------------------------------------------------------------------- answer codes

_CODE = re.compile(r"\s*[+-]?(\d{1,3})(?:\.0*)?\s*")


def answer_codes(series: pd.Series, *, max_distinct: int = 12) -> bool:
    """Whether a question column holds numeric answer codes (1 to 5, 0 to 10, 99, ...) rather
    than labels: every non-blank value a whole number of up to three digits, and no more
    than `max_distinct` different values (so an ID column is not mistaken for codes)."""
    values = [v for v in pd.unique(series.dropna().astype(str)) if v.strip()]
    return bool(values) and len(values) <= max_distinct and all(_CODE.fullmatch(v) for v in values)


def code_key(value) -> str:
    text = str(value).strip()
    match = _CODE.fullmatch(text)
    return str(int(match.group(1)) * (-1 if text.startswith("-") else 1)) if match else text


def apply_codes(frame: pd.DataFrame, columns, codes: dict) -> pd.DataFrame:
    """A copy of `frame` with numeric answer codes in `columns` replaced by their labels.

    `codes` maps code to label, with int or text keys ({1: "Strongly agree", "2": "Agree"});
    "1", " 1 " and "1.0" all match code 1. Blank cells and values with no code stay as they
    are, so validation reports them as unknown answers.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReadError(
            f"the codes are set for column(s) not in the export: {', '.join(map(repr, missing))}",
            column=missing[0],
            found="no such column",
            expected="a heading in the export",
        )
    lookup = {code_key(code): "" if label is None else str(label) for code, label in codes.items()}
    out = frame.copy()
    for column in columns:
        values = out[column]
        mapping = {u: lookup.get(code_key(u), u) if str(u).strip() else u for u in pd.unique(values.dropna())}
        out[column] = values.map(mapping).astype(values.dtype)
    return out
