"""Reading tables as survey tools write them: encoding, separator, sheet and heading row.

`read_table` gives every cell as the text the analyst would see in Excel, or raises one
`ReadError` that says in plain words what is wrong and where (row numbers as Excel shows
them: the heading row is `header_row`, usually 1). CSV files are parsed with pyarrow, which
is several times faster than pandas' own `read_csv`; the slower, exact csv-module parse only
runs to explain a problem once one has been seen.

Long because reading every shape a survey tool writes (CSV encodings and separators,
workbook sheets, heading rows, Excel's number and date formats) and explaining each failure
in words are one concern, and splitting it would scatter the rules an analyst's file meets.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_SAMPLE_BYTES = 1 << 16
SAVE_AS_CSV = "open it in Excel and save it again with 'Save As' and the type 'CSV UTF-8 (Comma delimited)'"


@dataclass(frozen=True)
class TableRead:
    """A table as read: `frame` has one column per heading and every cell as text ("" when
    empty); its index is each row's number as Excel shows it (named "row"). Entirely empty
    rows are left out (and mentioned in `notes`)."""

    frame: pd.DataFrame
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    notes: tuple[str, ...] = ()


class ReadError(Exception):
    """A table that cannot be read, in words for the analyst.

    `message` is the whole explanation; `row` (as Excel numbers it) and `column` (a heading,
    or a column letter) say where, when known; `found` and `expected` are the short forms for
    a `Problem(file, row, column, found, expected)`.
    """

    def __init__(self, message: str, row: int | None = None, column: str | None = None, *, found=None, expected=None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected or message


def read_table(path: Path | str, *, sheet: str | int | None = None, header_row: int = 1) -> TableRead:
    """Read a CSV (.csv, .txt, .tsv) or Excel (.xlsx, .xlsm) export with every cell as text.

    `sheet` picks a workbook's sheet by name or by 1-based position (default: the first, which
    is refused when it looks like a cover or notes page); `header_row` is the row holding the
    headings (default 1). Raises ReadError with a plain message for anything that stops the
    file being read as one table.
    """
    path = Path(path)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise ReadError(f"header_row must be a row number (1 or more), not {header_row!r}", found=repr(header_row))
    raw = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise ReadError(f"`sheet: {sheet}` is set, but this is a CSV file, which has no sheets: remove `sheet`")
        return _read_csv(raw, header_row)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(raw, sheet, header_row)
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


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or a ReadError saying why it cannot be read."""
    if path.is_dir():
        raise ReadError(
            "this is a folder, not a file: survey.yml should name the export file inside it", found="a folder", expected="a file"
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
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


# ---------------------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, header_row: int) -> TableRead:
    data, encoding, notes, bad = _decode(raw)
    sample = bytes(data[:_SAMPLE_BYTES]).decode("utf-8", "replace")
    truncated = len(data) > _SAMPLE_BYTES
    skip = 0
    sep_line = re.match(r"sep=(.)[ \t]*\r?\n", sample)
    if sep_line:  # Excel's own hint line; Excel hides it, so the heading is still row 1
        delimiter, skip = sep_line.group(1), 1
        notes.append(f"used the separator {delimiter!r} named on the file's first line (sep=)")
    else:
        delimiter = _detect_delimiter(sample, truncated, header_row)
    notes.append(f"cells separated by {_DELIMITERS.get(delimiter, repr(delimiter))}")
    records = _sample_records(sample, delimiter, truncated)[skip:]
    if len(records) < header_row:
        raise ReadError(
            f"the heading row is set to row {header_row}, but the file has only {len(records)} row(s)",
            found=f"{len(records)} row(s)",
        )
    heading = [cell.strip() for cell in records[header_row - 1]]
    if bad is not None:
        _raise_bad_byte(data, bad, encoding, delimiter, skip, header_row, heading)
    if not any(heading):
        raise ReadError(
            f"row {header_row}, the heading row, is empty", row=header_row, found="an empty row", expected="the column headings"
        )
    if len(records) > header_row:
        _check_two_row_heading(heading, records[header_row], header_row)
    start = _record_offset(data, skip + header_row)
    try:
        table, invalid = _parse_body(memoryview(data)[start:], delimiter, len(heading))
    except pa.ArrowInvalid as exc:  # explained by the exact parse below, or reported as it is
        _explain_bad_rows(data, delimiter, skip, header_row, len(heading))
        raise ReadError(f"the file is not a well-formed CSV file ({exc})", found="malformed CSV") from None
    if invalid or data.count(b'"', start) % 2 == 1:  # an odd count: a quoted cell may never end
        _explain_bad_rows(data, delimiter, skip, header_row, len(heading))
    frame = table.to_pandas()
    frame.columns = range(len(heading))
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    frame, more = _finish(frame, heading)
    return TableRead(frame, encoding, delimiter, None, header_row, tuple(notes + more))


def _decode(raw: bytes) -> tuple[bytes, str, list[str], int | None]:
    """(UTF-8 bytes, encoding, notes, offset of the first undecodable byte or None)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, encoding, notes = raw[3:], "utf-8-sig", ["read as UTF-8 (with a byte-order mark)"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _nul_pattern(raw):
        return _from_utf16(raw)
    elif b"\x00" in raw[:4096]:
        raise ReadError(
            "the file contains NUL bytes, so it is not a CSV text file" + _what_binary(raw),
            found="binary data",
            expected="CSV text",
        )
    else:
        encoding, notes = "utf-8", ["read as UTF-8"]
    if raw.isascii():
        return raw, encoding, notes, None
    try:
        raw.decode("utf-8")
        return raw, encoding, notes, None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Mostly UTF-8 with a stray byte, or a genuine Windows file? A Windows-1252 file almost
    # never contains a valid multi-byte UTF-8 sequence; a UTF-8 file with non-ASCII text does.
    text = raw.decode("utf-8", "surrogateescape")
    if re.search(r"[^\x00-\x7f\udc80-\udcff]", text):
        return raw, encoding, notes, first_bad
    try:
        return raw.decode("cp1252").encode("utf-8"), "cp1252", ["read as Windows-1252 (the file is not UTF-8)"], None
    except UnicodeDecodeError as exc:
        return raw, "cp1252", notes, exc.start


def _nul_pattern(raw: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    head = raw[:4096]
    half = max(1, len(head) // 2)
    return head[1::2].count(0) > 0.7 * half or head[0::2].count(0) > 0.7 * half


def _from_utf16(raw: bytes):
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-16-le" if raw[1::2].count(0) > raw[0::2].count(0) else "utf-16-be"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        raise ReadError(
            "the file looks like UTF-16 text but is damaged (or cut short): " + SAVE_AS_CSV,
            found="damaged UTF-16 text",
            expected="CSV text",
        ) from None
    return text.lstrip("\ufeff").encode("utf-8"), "utf-16", ["read as UTF-16 (Excel's 'Unicode text')"], None


def _what_binary(raw: bytes) -> str:
    if raw.startswith(b"PK\x03\x04"):
        return ": it is an Excel workbook (.xlsx) with a .csv name; rename it to end in .xlsx"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return ": it is an old-style Excel (.xls) workbook; " + SAVE_AS_CSV
    return ""


def _sample_records(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    """The first records of the file, parsed exactly (a partial last record is dropped)."""
    records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    return records[:-1] if truncated and len(records) > 1 else records


def _detect_delimiter(sample: str, truncated: bool, header_row: int) -> str:
    """Comma, semicolon or tab: the one that gives the heading row several cells and gives
    the following rows the same number of cells. Raises when two are equally plausible."""
    scores = {}
    for delimiter in _DELIMITERS:
        records = _sample_records(sample, delimiter, truncated)[header_row - 1 :]
        if not records or len(records[0]) < 2:
            continue
        rows = [r for r in records[1:] if r]  # blank lines say nothing about the separator
        share = sum(len(r) == len(records[0]) for r in rows) / len(rows) if rows else 1.0
        scores[delimiter] = (share, len(records[0]), bool(rows))
    if not scores:
        return ","  # a one-column table
    best = max(scores, key=lambda d: scores[d][:2])
    rivals = [d for d in scores if d != best and scores[d][0] >= scores[best][0] - 0.05]
    if not rivals or not scores[best][2] and not any(scores[d][1] == scores[best][1] for d in rivals):
        return best
    detail = "; ".join(
        f"with {_DELIMITERS[d]} the heading row has {scores[d][1]} cells and {scores[d][0]:.0%} of rows match it"
        for d in sorted(scores, key=lambda d: -scores[d][0])
    )
    raise ReadError(
        f"cannot tell which character separates the cells ({detail}): " + SAVE_AS_CSV,
        found="an unclear separator",
        expected="cells separated by commas, semicolons or tabs",
    )


_QUOTE_OR_NEWLINE = re.compile(rb'["\r\n]')


def _record_offset(data: bytes, count: int) -> int:
    """Byte offset just after the first `count` records (quoted line breaks respected)."""
    position, quoted = 0, False
    while count > 0:
        match = _QUOTE_OR_NEWLINE.search(data, position)
        if match is None:
            return len(data)
        position = match.end()
        char = match.group()
        if char == b'"':
            quoted = not quoted
        elif not quoted:
            if char == b"\r" and data[position : position + 1] == b"\n":
                position += 1
            count -= 1
    return position


def _parse_body(body, delimiter: str, width: int) -> tuple[pa.Table, list]:
    """The data rows as a pyarrow table of strings; rows of the wrong width are collected."""
    names = [f"c{i}" for i in range(width)]
    invalid: list = []

    def skip_invalid(row):
        invalid.append(row)
        return "skip"

    if not bytes(body[:_SAMPLE_BYTES]).strip() and not bytes(body).strip():
        return pa.table({name: pa.array([], pa.string()) for name in names}), invalid  # headings only
    table = pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=skip_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return table, invalid


def _explain_bad_rows(data: bytes, delimiter: str, skip: int, header_row: int, width: int) -> None:
    """Find, with the exact csv module, the first row of the wrong width and raise about it."""
    text = bytes(data).decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    bad: list[tuple[int, list[str]]] = []
    index = -1
    try:
        for index, record in enumerate(reader):
            row = index + 1 - skip
            if row > header_row and record and len(record) != width:
                bad.append((row, record))
    except csv.Error:
        row = index + 2 - skip
        raise ReadError(
            f'row {row} opens a quotation mark (") that is never closed, so everything after it '
            "would be read as one cell: is the file cut short?",
            row=row,
            found="an unclosed quotation mark",
            expected="every quoted cell to end",
        ) from None
    if not bad:
        return  # an odd quotation mark inside a cell, which pyarrow and Excel both accept
    row, record = bad[0]
    last_row = index + 1 - skip
    others = f" ({len(bad) - 1} more row(s) also have the wrong number of cells)" if len(bad) > 1 else ""
    found, expected = f"{len(record)} cells", f"{width} cells, one under each heading"
    if len(record) < width and row == last_row:
        message = f"row {row}, the last row, has {len(record)} cells but the heading row has {width}: is the file cut short?"
    elif len(record) < width:
        message = (
            f"row {row} has {len(record)} cells but the heading row has {width}: a cell may contain a line "
            "break without quotation marks around it"
        )
    elif not any(cell.strip() for cell in record[width:]):
        message = (
            f"row {row} has {len(record)} cells but the heading row has {width}; the extra cells are empty, "
            f"so the line probably ends with extra {_DELIMITERS.get(delimiter, 'separators')}"
        )
    else:
        message = (
            f"row {row} has {len(record)} cells but the heading row has {width}: a cell probably contains "
            f"a separator ({_DELIMITERS.get(delimiter, repr(delimiter))}) without quotation marks around it"
        )
    raise ReadError(message + others, row=row, found=found, expected=expected)


def _raise_bad_byte(data, first_bad, encoding, delimiter, skip, header_row, heading) -> None:
    """Raise about the first byte that is not text in the file's encoding, by row and column."""
    byte = data[first_bad]
    text = bytes(data).decode("cp1252" if encoding == "cp1252" else "utf-8", "surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for index, record in enumerate(reader):
        for position, cell in enumerate(record):
            if re.search("[\udc80-\udcff]", cell):
                row = index + 1 - skip
                column = heading[position] if position < len(heading) and row != header_row else None
                shown = re.sub("[\udc80-\udcff]", lambda m: f"[byte {ord(m.group()) - 0xDC00:02X}]", cell)[:80]
                where = f"row {row}, column {_letter(position)}" + (f" ('{column}')" if column else "")
                if encoding == "cp1252":  # no valid UTF-8 anywhere, and not Windows-1252 either
                    what = "which is neither UTF-8 nor Windows-1252 text"
                else:
                    guess = bytes([byte]).decode("cp1252", "replace")
                    what = f"which is not UTF-8 text (the rest of the file is UTF-8; in Windows-1252 it would be {guess!r})"
                raise ReadError(
                    f"{where} contains the byte {byte:02X}, {what}. The cell reads {shown!r}. Retype that cell in "
                    f"Excel, then {SAVE_AS_CSV.replace('open it in Excel and ', '')}",
                    row=row,
                    column=column or _letter(position),
                    found=shown,
                    expected="UTF-8 text",
                )
    raise ReadError(
        f"the file contains the byte {byte:02X}, which is not UTF-8 text: " + SAVE_AS_CSV,
        found=f"byte {byte:02X}",
        expected="UTF-8 text",
    )


# ------------------------------------------------------------------------- shared steps


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column letter Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _finish(frame: pd.DataFrame, heading: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Name the columns, drop empty unnamed columns and entirely empty rows, and say so."""
    notes = []
    empty = frame.eq("")
    unnamed = [i for i, name in enumerate(heading) if not name]
    dropped = [i for i in unnamed if empty.iloc[:, i].all()]
    if dropped:
        notes.append(
            f"left out {len(dropped)} column(s) with no heading and no values: " + ", ".join(_letter(i) for i in dropped)
        )
    keep = [i for i in range(len(heading)) if i not in dropped]
    blank_rows = empty.iloc[:, keep].all(axis=1) if keep else empty.all(axis=1)
    if blank_rows.any():
        rows = list(frame.index[blank_rows.to_numpy()])
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        notes.append(f"left out {len(rows)} empty row(s): {shown}")
        frame = frame.loc[~blank_rows.to_numpy()]
    frame = frame.iloc[:, keep]
    names, seen = [], {}
    for i in keep:
        name = heading[i] or f"(no heading, column {_letter(i)})"
        if name in seen:  # pandas' convention, so a mapping written for pandas still matches
            seen[name] += 1
            notes.append(f"the heading {name!r} appears more than once; column {_letter(i)} is named '{name}.{seen[name]}'")
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    frame.columns = names
    return frame, notes


_ANSWER_WORDS = re.compile(r"(strongly )?(agree|disagree)|neutral|neither.*|yes|no|n/?a|don.t know|not sure", re.I)


def _looks_like_value(cell: str) -> bool:
    """Whether a cell holds data (a number, date or an answer) rather than a heading."""
    cell = cell.strip()
    return bool(re.fullmatch(r"[\d\s.,:/%+-]+", cell) or _ANSWER_WORDS.fullmatch(cell))


def _check_two_row_heading(heading: list[str], below: list[str], header_row: int) -> None:
    """Refuse a heading that is the top half of two rows (merged cells above sub-headings)."""
    below = [cell.strip() for cell in below] + [""] * (len(heading) - len(below))
    gaps = [i for i, name in enumerate(heading) if not name and i < len(below) and below[i]]
    if not gaps or any(_looks_like_value(cell) for cell in below if cell):
        return
    listed = ", ".join(f"{_letter(i)} ('{below[i]}')" for i in gaps[:4]) + (", ..." if len(gaps) > 4 else "")
    if all(below[: len(heading)]):
        fix = f"if row {header_row + 1} holds every column's full heading, add `header_row: {header_row + 1}` to survey.yml"
    else:
        fix = (
            f"unmerge the heading cells in Excel, put each column's full heading in row {header_row}, delete row "
            f"{header_row + 1} and save a copy"
        )
    raise ReadError(
        f"the headings look like two rows (merged cells in row {header_row} above sub-headings in row "
        f"{header_row + 1}): column(s) {listed} have no heading in row {header_row} but do in row {header_row + 1}. "
        f"To fix: {fix}",
        row=header_row,
        found="a heading split over two rows",
        expected="one row of headings",
    )


# ---------------------------------------------------------------------------------- XLSX


def _read_xlsx(raw: bytes, sheet, header_row: int) -> TableRead:
    name, rows, notes = _workbook_rows(raw, sheet, header_row)
    heading = [cell.strip() for cell in rows[header_row - 1]]
    if header_row < len(rows):
        _check_two_row_heading(heading, rows[header_row], header_row)
    width = max(len(row) for row in rows)
    heading += [""] * (width - len(heading))
    body = [row + [""] * (width - len(row)) for row in rows[header_row:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=pd.StringDtype(na_value=float("nan")))
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    frame, more = _finish(frame, heading)
    return TableRead(frame, None, None, name, header_row, tuple(notes + more))


def _workbook_rows(raw: bytes, sheet, header_row: int) -> tuple[str, list[list[str]], list[str]]:
    """(sheet name, every row as text from row 1, notes) for the chosen sheet."""
    import openpyxl  # imported here: it is slow to import and only workbooks need it

    damaged = (
        "the workbook is damaged and cannot be opened: open it in Excel (which may offer to repair it) "
        "and save a copy as an Excel Workbook (.xlsx)"
    )
    if not raw.startswith(b"PK\x03\x04"):
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


# ----------------------------------------------------------------------- answer codes

_CODE = re.compile(r"\s*[+-]?(\d{1,3})(?:\.0*)?\s*")


def answer_codes(series: pd.Series, *, max_distinct: int = 12) -> bool:
    """Whether a question column holds numeric answer codes (1 to 5, 0 to 10, 99, ...) rather
    than labels: every non-blank value a whole number of up to three digits, and no more
    than `max_distinct` different values (so an ID column is not mistaken for codes)."""
    values = [v for v in pd.unique(series.dropna().astype(str)) if v.strip()]
    return bool(values) and len(values) <= max_distinct and all(_CODE.fullmatch(v) for v in values)


def _code_key(value) -> str:
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
    lookup = {_code_key(code): "" if label is None else str(label) for code, label in codes.items()}
    out = frame.copy()
    for column in columns:
        values = out[column]
        mapping = {u: lookup.get(_code_key(u), u) if str(u).strip() else u for u in pd.unique(values.dropna())}
        out[column] = values.map(mapping).astype(values.dtype)
    return out
