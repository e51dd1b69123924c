"""The optional free-text files of a year, checked: quotes.csv, words.csv, indicators.csv and
recommendations.yml.

Errors for what would break the report (a missing column, an unknown theme, a number that is
not one); warnings for personal data in published text (e-mail addresses, telephone numbers,
a speaker that looks like a person's name) and for invisible characters removed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthcheck.data import inputs
from healthcheck.data.config import VOICE_SOURCES, QuestionBank, load_recommendations
from healthcheck.data.files import INDICATORS_FILE, QUOTES_FILE, RECOMMENDATIONS_FILE, WORDS_FILE, inside
from healthcheck.errors import DataError, Problem, display_path


def read_optional(path: Path, data_dir: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """An optional table of the year: (frame or None, problems); None with no problem when absent."""
    if not path.is_file() or not inside(path, data_dir):  # a folder or a link out: refused by validate.usable
        return None, []
    try:
        table = inputs.read_clean(path, data_dir)
    except DataError as exc:
        return None, exc.problems
    return table.frame, table.warnings


_EXTRA_COLUMNS = {
    QUOTES_FILE: ["theme", "quote", "speaker", "illustrative"],
    WORDS_FILE: ["word", "count"],
    INDICATORS_FILE: ["code", "label", "value", "unit", "source"],
}
# The published free text of each file, checked for personal data.
_FREE_TEXT = {QUOTES_FILE: ["quote", "speaker"], WORDS_FILE: ["word"]}


def check_extras(year_dir: Path, bank: QuestionBank, data_dir: Path) -> list[Problem]:
    """The optional free-text files: the right columns, known themes and sources, numbers
    where numbers belong, and warnings for personal data."""
    problems = []
    for name, columns in _EXTRA_COLUMNS.items():
        path = year_dir / name
        frame, found = read_optional(path, data_dir)
        problems += found
        if frame is None:
            continue
        shown = display_path(path, data_dir)
        problems += [Problem(shown, 1, c, None, "this column") for c in columns if c not in frame.columns]
        problems += _extra_cells(frame, name, shown, bank)
        for column in _FREE_TEXT.get(name, []):
            if column in frame.columns:
                for row, value in frame[column].items():
                    problems += inputs.personal_data_warnings(shown, row, column, value)
                    if column == "speaker":
                        problems += inputs.speaker_warning(shown, row, column, value)
    return problems + _check_recommendations(year_dir, bank, data_dir)


def _extra_cells(frame: pd.DataFrame, name: str, shown: str, bank: QuestionBank) -> list[Problem]:
    """Cell checks of quotes.csv, words.csv and indicators.csv (rows as Excel numbers them)."""
    problems = []
    themes = ", ".join(bank.themes)
    if "theme" in frame.columns:
        problems += [
            Problem(shown, row, "theme", theme, f"one of the themes: {themes}")
            for row, theme in frame["theme"].items()
            if theme.strip() not in bank.themes
        ]
    if "count" in frame.columns:
        problems += [
            Problem(shown, row, "count", value, "a whole number")
            for row, value in frame["count"].items()
            if not value.strip().isdigit()
        ]
    if "source" in frame.columns and name != INDICATORS_FILE:
        allowed = " or ".join(f"'{s}'" for s in VOICE_SOURCES)
        problems += [
            Problem(shown, row, "source", value, f"{allowed} (or empty for a focus group)")
            for row, value in frame["source"].items()
            if value.strip().lower() not in ("", *VOICE_SOURCES)
        ]
    if name == INDICATORS_FILE and "value" in frame.columns:
        problems += [
            Problem(shown, row, "value", value, "a number")
            for row, value in frame["value"].items()
            if pd.isna(pd.to_numeric(value.strip(), errors="coerce"))
        ]
        if "code" in frame.columns:
            problems += [
                Problem(shown, row, "code", frame.at[row, "code"], "each indicator code once")
                for row in frame.index[frame["code"].str.strip().duplicated()]
            ]
    return problems


def _check_recommendations(year_dir: Path, bank: QuestionBank, data_dir: Path) -> list[Problem]:
    """recommendations.yml: each item a recommendation with a known theme (its shape is checked by
    `load_recommendations`); personal data warned about."""
    path = year_dir / RECOMMENDATIONS_FILE
    if not path.is_file() or not inside(path, data_dir):
        return []
    problems: list[Problem] = []
    try:
        raw = load_recommendations(data_dir, int(year_dir.name), problems)
    except DataError as exc:
        return exc.problems
    shown = display_path(path, data_dir)
    for part in ("previous", "current"):
        for number, item in enumerate(raw.get(part) or [], start=1):
            key = f"{part}[{number}]"
            if item.get("theme") and item["theme"] not in bank.themes:
                problems.append(
                    Problem(shown, None, f"{key}.theme", item["theme"], f"one of the themes: {', '.join(bank.themes)}")
                )
            problems += inputs.personal_data_warnings(shown, None, f"{key}.recommendation", item["recommendation"])
            for index, code in enumerate(item.get("statements") or [], start=1):
                if str(code) not in bank.questions:
                    problems.append(
                        Problem(shown, None, f"{key}.statements[{index}]", str(code), "a statement code of the question bank")
                    )
            for field_name in ("actions", "planned_actions"):
                for index, action in enumerate(item.get(field_name) or [], start=1):
                    problems += inputs.personal_data_warnings(shown, None, f"{key}.{field_name}[{index}]", action)
    return problems
