"""Reading a CSV export: its encoding, its separator, and every way a row can go wrong.

The file is parsed with pyarrow, which is several times faster than pandas' own `read_csv`;
the slower, exact csv-module parse only runs to explain a problem once one has been seen.
Every failure is a `ReadError` naming the row (as Excel numbers it) and what to do.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from healthcheck.data.inputfile import has_utf8_sequence
from healthcheck.data.tables.base import ReadError, TableRead, check_two_row_heading, column_letter, finish

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_SAMPLE_BYTES = 1 << 16
_MAX_SAMPLE_BYTES = 1 << 24
SAVE_AS_CSV = "open it in Excel and save it again with 'Save As' and the type 'CSV UTF-8 (Comma delimited)'"


def read_csv(raw: bytes, header_row: int, headings=None) -> TableRead:
    """The CSV file's table; `headings` (see `read.read_table`'s `tool`) reads a survey tool's heading rows."""
    data, encoding, notes, bad = _decode(raw)
    # The sample holds the heading and the rows below it whole, however long the headings are
    # (an export of many long question texts can have a heading row of hundreds of kilobytes).
    size = max(_SAMPLE_BYTES, min(_record_offset(data, header_row + 21), _MAX_SAMPLE_BYTES))
    sample = bytes(data[:size]).decode("utf-8", "replace")
    truncated = len(data) > size
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
    last = header_row  # the last heading row: the answers start below it
    if headings is not None:  # a survey tool's export: its heading rows become one heading per column
        count, heading = headings(records[header_row - 1 : header_row + 3])
        last = header_row + count - 1
    if bad is not None:
        _raise_bad_byte(data, bad, encoding, delimiter, skip, header_row, heading)
    if not any(heading):
        raise ReadError(
            f"row {header_row}, the heading row, is empty", row=header_row, found="an empty row", expected="the column headings"
        )
    if len(records) > header_row and headings is None:
        check_two_row_heading(heading, records[header_row], header_row)
    start = _record_offset(data, skip + last)
    try:
        table, invalid = _parse_body(memoryview(data)[start:], delimiter, len(heading))
    except pa.ArrowInvalid as exc:  # explained by the exact parse below, or reported as it is
        _explain_bad_rows(data, delimiter, skip, last, len(heading))
        raise ReadError(f"the file is not a well-formed CSV file ({exc})", found="malformed CSV") from None
    if invalid or data.count(b'"', start) % 2 == 1:  # an odd count: a quoted cell may never end
        _explain_bad_rows(data, delimiter, skip, last, len(heading))
    frame = table.to_pandas()
    frame.columns = range(len(heading))
    frame.index = pd.RangeIndex(last + 1, last + 1 + len(frame), name="row")
    frame, more = finish(frame, heading)
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
    # Mostly UTF-8 with a stray byte, or a genuine Windows file? A file that starts with
    # UTF-8's byte-order mark has said it is UTF-8; a Windows-1252 file almost never contains a
    # valid multi-byte UTF-8 sequence, a UTF-8 file with non-ASCII text does. Either way the
    # stray byte is refused by row and column rather than the whole file quietly re-read.
    if encoding == "utf-8-sig" or has_utf8_sequence(raw):
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

    # Only line breaks make a body empty: a row of tabs and spaces is a row of cells (a
    # tab-separated row of blanks and a space is still a row, and is read as one).
    if not bytes(body[:_SAMPLE_BYTES]).strip(b"\r\n") and not bytes(body).strip(b"\r\n"):
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
                where = f"row {row}, column {column_letter(position)}" + (f" ('{column}')" if column else "")
                if encoding == "cp1252":  # no valid UTF-8 anywhere, and not Windows-1252 either
                    what = "which is neither UTF-8 nor Windows-1252 text"
                else:
                    guess = bytes([byte]).decode("cp1252", "replace")
                    rest = (
                        "the file starts with UTF-8's byte-order mark"
                        if encoding == "utf-8-sig"
                        else "the rest of the file is UTF-8"
                    )
                    what = f"which is not UTF-8 text ({rest}; in Windows-1252 it would be {guess!r})"
                raise ReadError(
                    f"{where} contains the byte {byte:02X}, {what}. The cell reads {shown!r}. Retype that cell in "
                    f"Excel, then {SAVE_AS_CSV.replace('open it in Excel and ', '')}",
                    row=row,
                    column=column or column_letter(position),
                    found=shown,
                    expected="UTF-8 text",
                )
    raise ReadError(
        f"the file contains the byte {byte:02X}, which is not UTF-8 text: " + SAVE_AS_CSV,
        found=f"byte {byte:02X}",
        expected="UTF-8 text",
    )
