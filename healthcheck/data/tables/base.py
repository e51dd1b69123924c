"""What the two table readers share: the table as read, the error, and the last steps.

`TableRead` and `ReadError` are what `read.read_table` gives or raises, whichever reader ran;
`check_two_row_heading` refuses a heading split over two rows and `finish` names the columns
and drops what is empty, for a CSV file (`readcsv`) and a workbook (`readxlsx`) alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class TableRead:
    """A table as read: `frame` has one column per heading and every cell as text ("" when
    empty); its index is each row's number as Excel shows it (named "row"). Entirely empty
    rows are left out (and mentioned in `notes`). With a tool's layout the answers start below
    its heading rows, and the index still numbers rows as Excel does."""

    frame: pd.DataFrame
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    notes: tuple[str, ...] = ()
    tool: str | None = None  # the survey tool whose layout was read (`surveytools`), when asked for


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


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column letter Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_ranges(indexes: list[int], most: int = 8) -> str:
    """Column indexes as Excel's letters in runs, at most `most` runs shown: 'C, E to XFD'.

    One stray cell far to the right leaves thousands of empty columns; listed one by one they
    would fill pages of the report."""
    runs: list[list[int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    shown = [column_letter(a) if a == b else f"{column_letter(a)} to {column_letter(b)}" for a, b in runs[:most]]
    more = f" and {len(runs) - most} more run(s)" if len(runs) > most else ""
    return ", ".join(shown) + more


def finish(frame: pd.DataFrame, heading: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Name the columns, drop empty unnamed columns and entirely empty rows, and say so."""
    notes = []
    # One array operation, not one per column: a stray cell far to the right of a sheet gives
    # thousands of empty unnamed columns, and a pandas operation per column took seconds.
    empty = frame.to_numpy(dtype=object) == ""
    column_empty = empty.all(axis=0)
    unnamed = [i for i, name in enumerate(heading) if not name]
    dropped = [i for i in unnamed if column_empty[i]]
    if dropped:
        notes.append(f"left out {len(dropped)} column(s) with no heading and no values: " + column_ranges(dropped))
    left_out = set(dropped)
    keep = [i for i in range(len(heading)) if i not in left_out]
    blank_rows = empty[:, keep].all(axis=1) if keep else empty.all(axis=1)
    if blank_rows.any():
        rows = list(frame.index[blank_rows])
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        notes.append(f"left out {len(rows)} empty row(s): {shown}")
        frame = frame.loc[~blank_rows]
    frame = frame.iloc[:, keep]
    names, seen = [], {}
    for i in keep:
        name = heading[i] or f"(no heading, column {column_letter(i)})"
        if name in seen:  # pandas' convention, so a mapping written for pandas still matches
            seen[name] += 1
            notes.append(f"the heading {name!r} appears more than once; column {column_letter(i)} is named '{name}.{seen[name]}'")
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


def check_two_row_heading(heading: list[str], below: list[str], header_row: int) -> None:
    """Refuse a heading that is the top half of two rows (merged cells above sub-headings)."""
    below = [cell.strip() for cell in below] + [""] * (len(heading) - len(below))
    gaps = [i for i, name in enumerate(heading) if not name and i < len(below) and below[i]]
    if not gaps or any(_looks_like_value(cell) for cell in below if cell):
        return
    listed = ", ".join(f"{column_letter(i)} ('{below[i]}')" for i in gaps[:4]) + (", ..." if len(gaps) > 4 else "")
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
