"""Tables and YAML values made safe at the door: read through `read.read_table`, every text
cleaned of invisible and bidirectional control characters, and personal data noticed.

This is where the data layer turns `read.ReadError`s into `Problem`s naming the file, and
where chapters read the year's free-text files: `read_quotes`, `read_words`,
`read_indicators` give DataFrames whose text is already cleaned (nothing to escape here:
escaping is for where the text lands, in `present`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from healthcheck.data.cleaning import clean_text, looks_like_person_name, personal_data
from healthcheck.data.files import INDICATORS_FILE, QUOTES_FILE, WORDS_FILE
from healthcheck.data.tables import read
from healthcheck.errors import DataError, Problem, display_path

#: The columns of the free-text files (the first ones are required; see docs/data-format.md).
QUOTE_COLUMNS = ["theme", "quote", "speaker", "illustrative", "source", "confirmed"]
WORD_COLUMNS = ["word", "count", "source"]
INDICATOR_COLUMNS = ["code", "label", "value", "unit", "source"]

INVISIBLE = (
    "no invisible or bidirectional control characters (removed: the report shows the text without them; "
    "retype the text to be sure it reads as intended)"
)


@dataclass(frozen=True)
class Table:
    """A table as the data layer uses it: `frame` with its text cleaned and its index the row
    numbers Excel shows; `warnings` about what was removed; `notes` on how it was read."""

    frame: pd.DataFrame
    warnings: list[Problem]
    notes: tuple[str, ...]
    sheet: str | None


def read_problem(exc: read.ReadError, shown: str) -> Problem:
    """A ReadError as a Problem of the file `shown` (its message already says where)."""
    return Problem(shown, exc.row, exc.column, exc.found, exc.expected, message=exc.message)


def read_clean(path: Path, data_dir: Path, *, sheet=None, header_row: int = 1, tool: str | None = None) -> Table:
    """Read a CSV or XLSX file with `read.read_table` and clean every heading and cell.

    Raises DataError (one Problem naming the file, with read_table's explanation) when the
    file cannot be read as a table.
    """
    shown = display_path(path, data_dir)
    if Path(path).is_dir():  # read_table's own words are about the export; this may be any table
        raise DataError([Problem(shown, None, None, "a folder", f"a file named {Path(path).name}, but this is a folder")])
    try:
        result = read.read_table(path, sheet=sheet, header_row=header_row, tool=tool, root=data_dir)
    except read.ReadError as exc:
        raise DataError([read_problem(exc, shown)]) from None
    frame, removed = clean_frame(result.frame, result.header_row)
    warnings = [Problem(shown, row, column, ", ".join(chars), INVISIBLE, "warning") for row, column, chars in removed]
    return Table(frame, warnings, result.notes, result.sheet)


def clean_frame(frame: pd.DataFrame, header_row: int = 1) -> tuple[pd.DataFrame, list[tuple[int, str, list[str]]]]:
    """A copy of `frame` with every heading and text cell passed through `clean_text`.

    Returns (frame, removed): removed lists (row, column, characters removed) per cell, the
    heading row for a heading. Each distinct value is cleaned once, so a large export costs
    little: almost every cell is plain ASCII and is skipped at once.
    """
    removed: list[tuple[int, str, list[str]]] = []
    names = []
    for column in frame.columns:
        name, chars = clean_text(column)
        if chars:
            removed.append((header_row, name, chars))
        names.append(name)
    names = _unique(names)
    out = None
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        changed = _cleaned_values(series)
        if not changed:
            continue
        if out is None:
            out = frame.copy()
        hits = series[series.isin(list(changed))]
        removed += [(row, names[position], changed[value][1]) for row, value in hits.items() if changed[value][1]]
        out.iloc[:, position] = series.map({value: text for value, (text, _) in changed.items()}).fillna(series)
    out = frame.copy() if out is None else out
    out.columns = names
    return out, sorted(removed, key=lambda item: (item[0], names.index(item[1])))


def _cleaned_values(series: pd.Series) -> dict[str, tuple[str, list[str]]]:
    """value -> (cleaned text, characters removed) for each distinct value that changes."""
    changed = {}
    for value in pd.unique(series.dropna()):
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):
            text, chars = clean_text(value)
            if text != value:
                changed[value] = (text, chars)
    return changed


def _unique(names: list[str]) -> list[str]:
    """Headings that became equal once cleaned get pandas' '.1' suffix, as duplicates do."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def clean_tree(value, key: str = "") -> tuple[object, list[tuple[str, list[str]]]]:
    """A YAML value (mappings, lists, scalars) with every string key and value cleaned.

    Returns (value, removed): removed lists (key path such as `questions.IMP01.short` or
    `current[2].recommendation`, characters removed).
    """
    removed: list[tuple[str, list[str]]] = []

    def walk(item, where: str):
        if isinstance(item, str):
            text, chars = clean_text(item)
            if chars:
                removed.append((where, chars))
            return text
        if isinstance(item, dict):
            out = {}
            for k, v in item.items():
                if isinstance(k, str):
                    k_clean, chars = clean_text(k)
                    if chars:
                        removed.append((f"{where}.{k_clean}".lstrip("."), chars))
                else:
                    k_clean = k
                out[k_clean] = walk(v, f"{where}.{k_clean}".lstrip("."))
            return out
        if isinstance(item, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(item, start=1)]
        return item

    return walk(value, key), removed


def tree_warnings(shown: str, removed: list[tuple[str, list[str]]]) -> list[Problem]:
    """`clean_tree`'s findings as warnings of the YAML file `shown`."""
    return [Problem(shown, None, key or None, ", ".join(chars), INVISIBLE, "warning") for key, chars in removed]


# ------------------------------------------------------------------ personal data


def _masked(item: str) -> str:
    """An e-mail address or telephone number shown just enough to find it, not to reuse it."""
    if "@" in item:
        local, _, domain = item.partition("@")
        return f"{local[:1]}...@{domain}"
    digits = re.sub(r"\D", "", item)
    return f"a number ending {digits[-3:]}"


def personal_data_warnings(shown: str, row: int | None, column: str, text: object) -> list[Problem]:
    """Warnings for e-mail addresses and telephone numbers in one published text field."""
    found = personal_data(text)
    if not found:
        return []
    kinds = sorted({"an e-mail address" if "@" in f else "a telephone number" for f in found})
    return [
        Problem(
            shown,
            row,
            column,
            ", ".join(_masked(f) for f in found),
            f"no personal data in published text ({' and '.join(kinds)} found): remove it, or replace it with a role "
            "or a team, since this text is published as written",
            "warning",
        )
    ]


def speaker_warning(shown: str, row: int | None, column: str, speaker: object) -> list[Problem]:
    """A warning when a quote's speaker field looks like a person's name rather than a role."""
    if not looks_like_person_name(speaker):
        return []
    return [
        Problem(
            shown,
            row,
            column,
            str(speaker),
            "a role or team as the speaker (such as 'Social worker, safeguarding'), never a person's name: "
            "quotes are published and must not identify anyone",
            "warning",
        )
    ]


# ------------------------------------------------------------------ for chapters


def _read_optional(path: Path, columns: list[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    table = read_clean(path, path.parent.parent)
    return table.frame.reset_index(drop=True)


def read_quotes(path: Path) -> pd.DataFrame:
    """A year's quotes.csv with its text cleaned (index 0, 1, ...); empty when there is no file.

    Raises DataError when the file cannot be read. `validate` has already reported any
    characters removed and any personal data, so this reads quietly.
    """
    return _read_optional(path, QUOTE_COLUMNS)


def read_words(path: Path) -> pd.DataFrame:
    """A year's words.csv with its text cleaned (index 0, 1, ...); empty when there is no file."""
    return _read_optional(path, WORD_COLUMNS)


def read_indicators(path: Path) -> pd.DataFrame:
    """A year's indicators.csv with its text cleaned (index 0, 1, ...); empty when there is no file."""
    return _read_optional(path, INDICATOR_COLUMNS)


#: The file names the readers above are for (so a chapter can look them up by name).
READERS = {QUOTES_FILE: read_quotes, WORDS_FILE: read_words, INDICATORS_FILE: read_indicators}
