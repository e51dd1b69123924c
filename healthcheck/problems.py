"""Data problems as the analyst sees them: file, row, column, what was found, what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file.

    `row` is the spreadsheet row number as the analyst sees it in Excel (the heading row is
    row 1, the first data row is row 2); None when the problem is about the file as a whole.
    """

    file: str
    row: int | None
    column: str | None
    found: str | None
    expected: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        found = "" if self.found is None else f": found {self.found!r}"
        return f"{self.severity.upper()} {where}{found}; expected {self.expected}"


class DataError(Exception):
    """Raised when input data has errors; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_sort_key)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the input data")

    def report(self) -> str:
        """The problems as a plain-text report, one per line."""
        return format_report(self.problems)


def _sort_key(p: Problem):
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.severity, p.expected)


def format_report(problems: list[Problem]) -> str:
    """Errors first, then warnings, each block sorted by file and row, with a count line."""
    errors = sorted((p for p in problems if p.severity == "error"), key=_sort_key)
    warnings = sorted((p for p in problems if p.severity != "error"), key=_sort_key)
    lines = [str(p) for p in errors + warnings]
    lines.append(f"{len(errors)} error(s), {len(warnings)} warning(s).")
    return "\n".join(lines)


def display_path(path: Path, data_dir: Path) -> str:
    """A path as the analyst would recognise it: relative to the data folder's parent when possible."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(data_dir.resolve().parent))
    except ValueError:
        return str(path)
