"""The all-figure workbook, in OpenDocument (ODS) and Excel (XLSX), laid out as the Analysis
Function's "releasing statistics in spreadsheets" guidance asks (the layout gptables writes):

* a cover sheet (title, organisation, year, source, contact, date published, about the data);
* a contents sheet whose table links to every other sheet;
* a notes sheet explaining the symbols ``[c]`` (confidential) and ``[x]`` (not available);
* one table per sheet, the sheet named after what it holds, its title in cell A1, a line
  saying what the sheet holds, then the table (an Excel table in the XLSX).

Every table is one of the year's figure-data CSVs, typed cell by cell (:func:`typed_table`):
figures written in the CSV as text ("73%", "72% (n=333)", "+3 pts", "66 to 76") become
numbers, a column per figure; an empty figure becomes ``[c]`` where the row says it was
withheld and ``[x]`` otherwise. Nothing is recomputed, so the workbooks cannot disagree with
the CSVs. Both files are written with fixed dates and zip entry times: the same CSVs give the
same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from healthcheck.present.exports import FIXED_TIME, fixed_zip, replace_file, safe_value, sheet_title
from healthcheck.present.workbook_ods import ods_bytes

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
#: A row whose note says this withheld its figures (primary or secondary suppression); a cell
#: "Not shown (n<10)" withholds only its own figure.
_WITHHELD = ("fewer than", "hidden so that")
_DASHES = ("", "–", "—", "-")

# One rule per shape of figure a CSV column can hold: (pattern, the columns it becomes).
# A column is typed by the first rule that every one of its non-empty cells matches.
_NUMBER = r"[+-]?\d+(?:\.\d+)?"
_RULES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(rf"({_NUMBER})"), ("",)),
    (re.compile(r"(\d{1,3})%"), (" (%)",)),
    (re.compile(r"(\d{1,3})% \(n=(\d+)\)"), (" (%)", " (valid responses)")),
    (re.compile(r"(\d{1,3})% \((\d{4})\)"), (" (%)", " (year)")),
    # a change in points is signed with a true minus (U+2212) for a fall, or a hyphen
    (re.compile(r"'?([+\u2212-]?\d+) pts?"), (" (points)",)),
    (re.compile(r"'?([+\u2212-]?\d+) pts?, (.+)"), (" (points)", " (test)")),
    (re.compile(rf"({_NUMBER}) to ({_NUMBER})"), (" lower", " upper")),
]
# Words in a column that are written as they are (never a number): a test result, a note.
_TEXT_PARTS = {" (test)"}


@dataclass(frozen=True)
class Cover:
    """What the cover sheet says."""

    title: str
    organisation: str
    year: int
    source: str
    contact: str
    published: str
    about: str = ""


@dataclass(frozen=True)
class Sheet:
    """One table sheet: its name, title, the CSV it comes from and the typed table."""

    name: str
    title: str
    csv: str
    table: pd.DataFrame


def notes(threshold: int | None) -> pd.DataFrame:
    """The notes sheet's table: what the symbols and the measures mean. `threshold`: the
    reporting threshold of valid responses (None: a book, like the national summary, without one)."""
    base = f"fewer than {threshold} valid responses" if threshold else "too few valid responses"
    return pd.DataFrame(
        {
            "Note number": ["[note 1]", "[note 2]", "[note 3]", "[note 4]"],
            "Note text": [
                f"{CONFIDENTIAL} confidential: the figure is withheld because it rests on {base}, or because it would "
                "let a withheld figure be worked out from the others.",
                f"{NOT_AVAILABLE} not available: there is no such figure (for example no count of responses behind a "
                "published percentage, or no earlier year to compare with).",
                "Percentages are of valid responses; answers such as don't know and not applicable are not valid "
                "responses. Whole percentages are rounded half up.",
                "Each table is also published as a CSV file named on the contents sheet; the CSV writes the same figures "
                "as text in the form the report shows them.",
            ],
        }
    )


def typed_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A figure-data CSV (every cell text, as read with ``dtype=str``) with its figures as numbers.

    Each column is typed by the first rule (``_RULES``) all its non-empty cells match: a column
    of "72% (n=333)" becomes "<heading> (%)" and "<heading> (valid responses)", both numbers.
    An empty or dashed figure is ``[c]`` when its row says the figure was withheld, else ``[x]``.
    Columns that match no rule stay text, as written.
    """
    text = frame.fillna("").astype(str)
    withheld = text.apply(lambda row: any(str(v).startswith(_WITHHELD) for v in row), axis=1)
    out: dict[str, list] = {}
    for heading in text.columns:
        # the CSV's protective apostrophe before a leading sign ("'-0.11 to 0.11") is not part of a figure
        cells = [re.sub(r"^'(?=[+-]\d)", "", v.strip()) for v in text[heading]]
        filled = [v for v in cells if v not in _DASHES and not v.startswith("Not shown")]
        rule = next((r for r in _RULES if filled and all(r[0].fullmatch(v) for v in filled)), None)
        if rule is None:
            out[heading] = list(text[heading])
            continue
        pattern, parts = rule
        names = [_heading(heading, part) for part in parts]
        columns: list[list] = [[] for _ in parts]
        for cell, hidden in zip(cells, withheld, strict=True):
            match = pattern.fullmatch(cell)
            for i, part in enumerate(parts):
                if match is None:
                    columns[i].append(CONFIDENTIAL if hidden or cell.startswith("Not shown") else NOT_AVAILABLE)
                elif part in _TEXT_PARTS:
                    columns[i].append(match.group(i + 1))
                else:
                    columns[i].append(_number(match.group(i + 1)))
        out.update(zip(names, columns, strict=True))
    return pd.DataFrame(out, columns=list(out))


def _heading(heading: str, part: str) -> str:
    if part == " (%)" and "%" in heading:
        return heading  # "% agreeing" already says what it holds
    return f"{heading}{part}"


def _number(text: str) -> int | float:
    text = text.replace("\u2212", "-")  # the printed minus sign, as Python reads it
    value = float(text)
    return int(value) if re.fullmatch(r"[+-]?\d+", text) else value


_KINDS = [
    (re.compile(r"(.+)-by-(team|locality|role)"), "{theme}: agreement with each statement by {2}"),
    (re.compile(r"(.+)-responses"), "{theme}: answers to each statement"),
    (re.compile(r"(.+)-trend"), "{theme}: agreement with each statement in each year"),
    (re.compile(r"(.+)-change"), "{theme}: change since the last year"),
    (re.compile(r"(.+)-scores"), "{theme}: score out of 100 and band of each statement"),
    (re.compile(r"(.+)-benchmarks"), "{theme}: agreement compared with England and the region"),
    (re.compile(r"headlines"), "Theme scores and their change"),
    (re.compile(r"drivers"), "What goes with the outcome statements: correlations and regression, all staff"),
    (re.compile(r"indicators"), "Workforce and service indicators in each year held, with their sources"),
    (re.compile(r"theme-trends"), "Theme scores in each year"),
    (re.compile(r"word-cloud-previous-(\d{4})"), "Words used most often in {1}"),
    (re.compile(r"word-cloud"), "Words used most often this year"),
]


def describe(stem: str, themes: dict[str, str]) -> str:
    """A table's title from its CSV's name ("cpd-by-team") and the bank's theme titles."""
    for pattern, title in _KINDS:
        match = pattern.fullmatch(stem)
        if match:
            groups = match.groups()
            theme = themes.get(groups[0], groups[0]) if groups else ""
            return title.format(None, *groups, theme=theme)
    return stem.replace("-", " ").capitalize()


def sheets_from_csvs(downloads: Path, year: int, themes: dict[str, str] | None = None) -> list[Sheet]:
    """Every figure-data CSV of ``year`` in ``downloads`` as a typed table sheet, in file order."""
    themes = themes or {}
    used = {"cover", "contents", "notes"}
    out = []
    for path in sorted(Path(downloads).glob(f"{year}-*.csv")):
        stem = path.stem[len(f"{year}-") :]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        name = sheet_title(stem.replace("-", "_"), used)
        out.append(Sheet(name, f"{describe(stem, themes)}, {year}", path.name, typed_table(frame)))
    return out


def contents(sheets: list[Sheet]) -> pd.DataFrame:
    """The contents sheet's table: each sheet, its title and its CSV."""
    return pd.DataFrame(
        {
            "Sheet name": [s.name for s in sheets],
            "Table description": [s.title for s in sheets],
            "CSV file": [s.csv for s in sheets],
        }
    )


def _cover_rows(cover: Cover) -> list[str]:
    rows = [cover.title]
    for heading, text in (
        ("Organisation", cover.organisation),
        ("Year", str(cover.year)),
        ("Source", cover.source),
        ("Contact", cover.contact or "No contact is given for this publication."),
        ("Date published", cover.published),
        ("About these tables", cover.about),
    ):
        if text:
            rows += [heading, text]
    return rows


_INTRO = "This worksheet contains one table. Symbols used in it are explained on the notes worksheet."


def write_workbooks(cover: Cover, sheets: list[Sheet], threshold: int | None, stem: Path) -> tuple[Path, Path]:
    """Write ``<stem>.xlsx`` and ``<stem>.ods``: cover, contents, notes, then one sheet per table."""
    tables = [
        (
            "Contents",
            "Table of contents",
            "This worksheet contains one table. Each sheet name links to its sheet.",
            contents(sheets),
            True,
        ),
        ("Notes", "Notes", "This worksheet contains one table.", notes(threshold), False),
    ] + [(s.name, s.title, _INTRO, s.table, False) for s in sheets]
    xlsx = replace_file(stem.with_suffix(".xlsx"), _xlsx_bytes(_cover_rows(cover), tables))
    ods = replace_file(stem.with_suffix(".ods"), ods_bytes(_cover_rows(cover), tables, _cell_value, _width))
    return xlsx, ods


def _cell_value(value):
    """A cell's value made safe for a spreadsheet; numbers stay numbers."""
    value = safe_value(value)
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value)
    return value


def _width(frame: pd.DataFrame, i: int) -> int:
    longest = max([len(str(frame.columns[i]))] + [len(str(v)) for v in frame.iloc[:, i]])
    return max(10, min(60, longest + 2))


# --------------------------------------------------------------------------- XLSX


def _xlsx_bytes(cover_rows: list[str], tables: list) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableStyleInfo

    book = Workbook()
    ws = book.active
    ws.title = "Cover"
    for r, text in enumerate(cover_rows, start=1):
        cell = ws.cell(r, 1, _cell_value(text))
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.style = "Headline 1"
        elif r % 2 == 0:
            cell.font = Font(bold=True, size=12)
    ws.column_dimensions["A"].width = 100
    for n, (name, title, intro, frame, links) in enumerate(tables, start=1):
        ws = book.create_sheet(name)
        ws.cell(1, 1, _cell_value(title)).style = "Headline 1"
        ws.cell(2, 1, intro)
        header = 3
        for c, heading in enumerate(frame.columns, start=1):
            cell = ws.cell(header, c, _cell_value(str(heading)))
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[_letter(c)].width = _width(frame, c - 1)
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=header + 1):
            for c, value in enumerate(row, start=1):
                value = _cell_value(value)
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                if links and c == 1:
                    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{value}'!A1", display=value)
                    cell.style = "Hyperlink"
        if len(frame) and len(frame.columns):
            ref = f"A{header}:{_letter(len(frame.columns))}{header + len(frame)}"
            table = Table(displayName=f"table_{n}", ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
            ws.add_table(table)
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.creator = None
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue())


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
