"""Reading an Excel workbook (.xlsx, .xlsm): the sheet, the heading row, and cells as Excel shows them.

The first sheet is refused when it looks like a cover or notes page; numbers and dates are
written in each cell's own number format, so a value reads as it does in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings

import pandas as pd

from healthcheck.data.tables.base import ReadError, TableRead, check_two_row_heading, finish
from healthcheck.data.tables.xlsxlimits import check_parts, refuse_formulas, sheet_parts


def read_xlsx(raw: bytes, sheet, header_row: int, headings=None) -> TableRead:
    """The workbook sheet's table; `headings` (see `read.read_table`'s `tool`) reads a survey tool's heading rows."""
    name, rows, notes = _workbook_rows(raw, sheet, header_row)
    heading = [cell.strip() for cell in rows[header_row - 1]]
    last = header_row  # the last heading row: the answers start below it
    if headings is not None:  # a survey tool's export: its heading rows become one heading per column
        count, heading = headings(rows[header_row - 1 : header_row + 3])
        last = header_row + count - 1
    elif header_row < len(rows):
        check_two_row_heading(heading, rows[header_row], header_row)
    width = max(len(row) for row in rows)
    heading += [""] * (width - len(heading))
    body = [row + [""] * (width - len(row)) for row in rows[last:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=pd.StringDtype(na_value=float("nan")))
    frame.index = pd.RangeIndex(last + 1, last + 1 + len(frame), name="row")
    frame, more = finish(frame, heading)
    return TableRead(frame, None, None, name, header_row, tuple(notes + more))


def _workbook_rows(raw: bytes, sheet, header_row: int) -> tuple[str, list[list[str]], list[str]]:
    """(sheet name, every row as text from row 1, notes) for the chosen sheet."""
    import openpyxl  # imported here: it is slow to import and only workbooks need it

    damaged = (
        "the workbook is damaged and cannot be opened: open it in Excel (which may offer to repair it) "
        "and save a copy as an Excel Workbook (.xlsx)"
    )
    formulas = {}
    if raw.startswith(b"PK\x03\x04"):
        formulas = check_parts(raw)  # sizes first, before openpyxl builds anything
    else:
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            damaged = (
                "this is a password-protected workbook or an old-style .xls file renamed .xlsx: remove the "
                "password, or save a copy as an Excel Workbook (.xlsx)"
            )
        elif b"\x00" not in raw[:4096]:
            damaged = "this is a text file with an .xlsx name, probably a CSV file: rename it to end in .csv"
        raise ReadError(damaged, found="not an Excel workbook", expected="an Excel workbook (.xlsx)")
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it ignores
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                worksheet, notes = _choose_sheet(book, sheet, header_row)
                unsaved = formulas.get(sheet_parts(raw).get(worksheet.title, ""), []) if formulas else []
                if unsaved:
                    refuse_formulas(worksheet.title, unsaved)
                rows = _sheet_rows(worksheet)
            finally:
                book.close()
    except ReadError:
        raise
    except Exception:  # zipfile, XML and openpyxl errors all mean a damaged workbook
        raise ReadError(damaged, found="a damaged workbook", expected="an Excel workbook (.xlsx)") from None
    if len(rows) < header_row:
        raise ReadError(
            f"sheet '{worksheet.title}' has only {len(rows)} row(s); the heading row is set to row {header_row}",
            found=f"{len(rows)} row(s)",
        )
    return worksheet.title, rows, notes


def _probe(worksheet, count: int) -> list[list[str]]:
    """The first `count` rows of a sheet as text, without reading the rest."""
    return [_trimmed(row) for row in worksheet.iter_rows(max_row=count)]


def _trimmed(cells) -> list[str]:
    row = [_cell_text(getattr(c, "value", None), getattr(c, "number_format", None)) for c in cells]
    while row and not row[-1].strip():
        row.pop()
    return row


def _sheet_rows(worksheet) -> list[list[str]]:
    worksheet.reset_dimensions()  # a wrong stored size would otherwise pad or cut rows
    return [_trimmed(row) for row in worksheet.iter_rows()]


_COVER_NAME = re.compile(r"cover|notes?|read ?me|about|info(rmation)?|contents|instructions|introduction|front", re.I)


def _choose_sheet(book, sheet, header_row: int):
    """The worksheet to read, refusing a first sheet that looks like a cover or notes page."""
    sheets = book.worksheets
    listed = ", ".join(f"'{ws.title}'" for ws in sheets)
    if sheet is not None:
        by_name = [ws for ws in sheets if ws.title == str(sheet)]
        position = int(sheet) if str(sheet).isdigit() else 0
        if by_name:
            chosen = by_name[0]
        elif 1 <= position <= len(sheets):
            chosen = sheets[position - 1]
        else:
            raise ReadError(
                f"the workbook has no sheet {sheet!r}; its sheets are {listed}",
                found=repr(sheet),
                expected=f"one of {listed} (or a position 1 to {len(sheets)})",
            )
    else:
        chosen = sheets[0]
    probe = _probe(chosen, header_row + 29)
    filled = _filled(probe, header_row)
    if sheet is None and len(sheets) > 1 and (filled <= 1 or _COVER_NAME.fullmatch(chosen.title.strip())):
        others = [(ws, _filled(_probe(ws, header_row), header_row)) for ws in sheets[1:]]
        wider = [ws for ws, n in others if n > max(1, filled)]
        if wider:
            first = repr(probe[header_row - 1][0]) if filled == 1 else "nothing"
            raise ReadError(
                f"the first sheet, '{chosen.title}', does not look like the table of answers (row {header_row} holds "
                f"{first}). The workbook's sheets are {listed}. Say which sheet holds the answers in survey.yml, "
                f"for example `sheet: {wider[0].title}`",
                column=None,
                found=f"sheet '{chosen.title}'",
                expected="the sheet with the table of answers",
            )
    if filled <= 1:
        _refuse_heading_row(chosen.title, probe, header_row)
    position = sheets.index(chosen) + 1
    return chosen, [f"read sheet '{chosen.title}' (sheet {position} of {len(sheets)}: {listed})"]


def _filled(rows: list[list[str]], header_row: int) -> int:
    return sum(1 for cell in rows[header_row - 1] if cell.strip()) if len(rows) >= header_row else 0


def _refuse_heading_row(title: str, probe: list[list[str]], header_row: int) -> None:
    """Row `header_row` holds at most one cell: say so, and where the headings seem to be."""
    widest = max((sum(1 for c in row if c.strip()) for row in probe), default=0)
    if widest <= 1:
        if widest == 0:
            raise ReadError(f"sheet '{title}' is empty", found="an empty sheet", expected="a table of answers")
        return  # a one-column table
    candidates = [i + 1 for i, row in enumerate(probe) if sum(1 for c in row if c.strip()) >= max(2, widest / 2)]
    raise ReadError(
        f"row {header_row} of sheet '{title}' is not a row of headings (it has at most one filled cell); the headings "
        f"seem to be in row {candidates[0]}: add `header_row: {candidates[0]}` to survey.yml",
        row=header_row,
        found="one filled cell or none",
        expected="the column headings",
    )


_MONTHS = "January February March April May June July August September October November December".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|.', re.I)


def _cell_text(value, number_format: str | None) -> str:
    """A cell's value as Excel shows it: numbers and dates in the cell's number format."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.time)):
        return _date_text(value, number_format or "General")
    if isinstance(value, (int, float)):
        return _number_text(value, number_format or "General")
    return str(value)


def _number_text(value: float, number_format: str) -> str:
    section = re.sub(r"\[[^\]]*\]|[_*].", "", number_format.split(";")[0])  # colours, locales, padding
    section = re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) or m.group(2) or "", section)  # literal text
    digits = re.search(r"[0#?][0#?,]*(?:\.([0#?]+))?", section)
    if section.strip().lower() in ("general", "@", "") or not digits or "E" in section.upper():
        if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
            return str(int(value))
        return f"{value:.15g}"
    decimals = len(digits.group(1) or "")
    shown = abs(value) * 100 if "%" in section else abs(value)
    number = f"{shown:,.{decimals}f}" if "," in digits.group(0) else f"{shown:.{decimals}f}"
    sign = "-" if value < 0 and float(number.replace(",", "")) != 0 else ""
    return sign + section[: digits.start()] + number + section[digits.end() :]


def _date_text(value, number_format: str) -> str:
    """A date or time in the cell's format (English names); ISO 8601 for 'General'."""
    tokens = _DATE_TOKEN.findall(number_format.split(";")[0])
    if not any(t.lower()[0] in "ydhs" or t.lower() in ("m", "mm", "mmm", "mmmm") for t in tokens if t):
        if isinstance(value, dt.datetime):  # midnight is a plain date
            return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
        return value.isoformat()
    date = value if isinstance(value, dt.date) else dt.date(1899, 12, 31)
    time = value.time() if isinstance(value, dt.datetime) else value if isinstance(value, dt.time) else dt.time()
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    hour = (time.hour % 12 or 12) if twelve else time.hour
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        minute = low in ("m", "mm") and (
            any(t.lower() in ("h", "hh") for t in tokens[max(0, i - 2) : i])
            or any(t.lower() in ("s", "ss") for t in tokens[i + 1 : i + 3])
        )
        parts = {
            "yyyy": f"{date.year:04d}",
            "yy": f"{date.year % 100:02d}",
            "mmmm": _MONTHS[date.month - 1],
            "mmm": _MONTHS[date.month - 1][:3],
            "mm": f"{time.minute:02d}" if minute else f"{date.month:02d}",
            "m": str(time.minute) if minute else str(date.month),
            "dddd": _DAYS[date.weekday()],
            "ddd": _DAYS[date.weekday()][:3],
            "dd": f"{date.day:02d}",
            "d": str(date.day),
            "hh": f"{hour:02d}",
            "h": str(hour),
            "ss": f"{time.second:02d}",
            "s": str(time.second),
            "am/pm": "AM" if time.hour < 12 else "PM",
            "a/p": "A" if time.hour < 12 else "P",
        }
        if low in parts:
            out.append(parts[low])
        elif not token.startswith("["):
            out.append(token.strip('"').lstrip("\\"))
    return "".join(out)
