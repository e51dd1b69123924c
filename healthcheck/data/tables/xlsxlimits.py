"""A workbook's parts checked before openpyxl builds anything from them.

An .xlsx file is a zip archive of XML parts. A few hundred kilobytes can expand to a part of
gigabytes, or to one cell of hundreds of millions of characters, which openpyxl would build
in memory until the process dies without a word (a "zip bomb"). `check_parts` streams each
part through the decompressor, a few megabytes at a time, and refuses, before openpyxl
starts: a part larger than `MAX_PART_BYTES`, a workbook larger than `MAX_TOTAL_BYTES` once
expanded, and any run of text between two XML tags longer than `MAX_TEXT_RUN` (Excel itself
allows 32,767 characters in a cell). On the way it notes the cells that hold a formula but
no value saved with it (a workbook written by a program, never opened in Excel): read as
they are, they would be blanks, and a statement's base would shrink without a word.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from xml.etree import ElementTree

from healthcheck.data.tables.base import ReadError

MAX_PART_BYTES = 1_500_000_000
MAX_TOTAL_BYTES = 3_000_000_000
MAX_TEXT_RUN = 1_000_000  # 32,767 characters written as entities (up to 10 bytes each) is about 330 KB
EXCEL_CELL_LIMIT = 32_767
_CHUNK = 1 << 22
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?c\s[^>]*$")
_REF = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_STRING_TYPE = re.compile(rb'\st="(?:str|s|inlineStr)"')
SAVE_AGAIN = "open it in Excel and save it again (Excel saves each formula's value with it)"


def check_parts(raw: bytes) -> dict[str, list[str]]:
    """Refuse a workbook that expands beyond the limits; return the formula cells with no saved
    value, by worksheet part name ('xl/worksheets/sheet1.xml' -> ['B2', 'C7']).

    Raises ReadError (with what to do) for a part or a workbook too large once expanded, or a
    cell's text longer than Excel allows. A damaged archive is left for openpyxl to report.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    formulas: dict[str, list[str]] = {}
    with archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > MAX_TOTAL_BYTES:
            raise _too_large(f"the workbook expands to {declared:,} bytes once unpacked")
        total = 0
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise _too_large(f"its part {info.filename} expands to {info.file_size:,} bytes")
            if not info.filename.endswith(".xml"):
                continue
            try:
                total, cells = _scan(archive, info, total)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
                return formulas  # damaged or encrypted: openpyxl says so in its own way
            if cells:
                formulas[info.filename] = cells
    return formulas


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int) -> tuple[int, list[str]]:
    """Stream one part: sizes and text runs checked, formula cells without a value collected."""
    run = 0  # length of the text run (no "<") still open at the end of the last chunk
    size = 0
    cells: list[str] = []
    seen: set[str] = set()
    carry = b""
    sheet = info.filename.startswith("xl/worksheets/")
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            total += len(chunk)
            if size > MAX_PART_BYTES:  # the declared size can lie
                raise _too_large(f"its part {info.filename} expands to more than {MAX_PART_BYTES:,} bytes")
            if total > MAX_TOTAL_BYTES:
                raise _too_large(f"the workbook expands to more than {MAX_TOTAL_BYTES:,} bytes once unpacked")
            first = chunk.find(b"<")
            if first < 0:
                run += len(chunk)
            elif run + first >= MAX_TEXT_RUN or _long_run(chunk):
                run = MAX_TEXT_RUN
            else:
                run = len(chunk) - chunk.rfind(b"<") - 1
            if run >= MAX_TEXT_RUN:
                raise ReadError(
                    f"the workbook holds a text of more than {MAX_TEXT_RUN:,} characters in one place (in its part "
                    f"{info.filename}), and Excel allows {EXCEL_CELL_LIMIT:,} in a cell: this is not a survey export "
                    "(it may be a file built to exhaust the memory). Export the survey again from the survey tool",
                    found="an oversized cell",
                    expected=f"cells of at most {EXCEL_CELL_LIMIT:,} characters",
                )
            if sheet and (b"<f" in chunk or b":f" in chunk or b"<f" in carry[-64:] + chunk[:64]):
                data = carry + chunk
                for ref in _formula_cells(data):
                    if ref not in seen:
                        seen.add(ref)
                        cells.append(ref)
            carry = (carry + chunk[-65536:])[-65536:] if sheet else carry
    return total, cells


def _long_run(chunk: bytes) -> bool:
    """Whether `chunk` holds MAX_TEXT_RUN bytes in a row without a "<". A run that long covers
    a whole window of half its length aligned at a multiple of that half, so one search per
    window (which stops at the first "<", within a few bytes in ordinary XML) finds it."""
    half = MAX_TEXT_RUN // 2
    for start in range(0, len(chunk), half):
        if chunk.find(b"<", start, start + half) < 0 and start + half <= len(chunk):
            before = chunk.rfind(b"<", 0, start) + 1
            after = chunk.find(b"<", start + half)
            if (len(chunk) if after < 0 else after) - before >= MAX_TEXT_RUN:
                return True
    return False


def _formula_cells(data: bytes) -> list[str]:
    """References of the cells in `data` with a formula and no value saved with it."""
    found = []
    for match in _FORMULA.finditer(data):
        start = max(data.rfind(b"<c ", 0, match.start()), data.rfind(b":c ", 0, match.start()))
        close = _CELL_END.search(data, match.end())
        end = close.start() if close else -1
        if start < 0 or end < 0:
            continue  # cut by the chunk's edge: the next chunk holds it whole
        opening = data[start : data.find(b">", start) + 1]
        ref = _REF.search(opening)
        value = _VALUE.search(data, match.end(), end)
        empty_string = value is not None and not value.group(1) and _STRING_TYPE.search(opening)
        if ref and (value is None or not value.group(1).strip()) and not empty_string:
            found.append(ref.group(1).decode())
    return found


def _too_large(what: str) -> ReadError:
    return ReadError(
        f"the workbook is too large to read safely: {what}, and a survey export is far smaller. It may be damaged, "
        "or built to exhaust the memory: export the survey again, or save it from Excel as CSV UTF-8",
        found="a workbook too large once unpacked",
        expected=f"parts of at most {MAX_PART_BYTES:,} bytes",
    )


def sheet_parts(raw: bytes) -> dict[str, str]:
    """Each worksheet's title -> its part name in the archive ('Sheet1' -> 'xl/worksheets/sheet1.xml')."""
    rels_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = [archive.getinfo(name) for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
            if any(info.file_size > 50_000_000 for info in parts):
                return {}
            book, rels = (ElementTree.fromstring(archive.read(info)) for info in parts)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, zlib.error):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out = {}
    for element in book.iter():
        if element.tag.endswith("}sheet") and element.get(rels_ns) in targets:
            target = targets[element.get(rels_ns)]
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[element.get("name", "")] = part
    return out


def refuse_formulas(title: str, cells: list[str]) -> None:
    """Raise the ReadError for formula cells without values on the sheet being read."""
    shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
    raise ReadError(
        f"sheet '{title}' has {len(cells)} cell(s) holding a formula with no value saved with it ({shown}): read as "
        f"they are, they would count as blank answers. The workbook was written by a program, not saved by Excel: {SAVE_AGAIN}",
        column=cells[0],
        found=f"formula without a value in {cells[0]}",
        expected="values (a formula's result saved with it)",
    )
