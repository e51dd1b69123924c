"""Errors and data problems, as the analyst sees them.

Every mistake a user can make (in the data folder, the command line or the environment)
becomes a `HealthcheckError` with a plain message; the command line prints it and exits 1,
never with a traceback. Data problems are `Problem`s: file, row, column, what was found and
what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Files whose problems are placed by line (a text file), not by spreadsheet row; in YAML the
#: "column" is a key.
YAML_SUFFIXES = (".yml", ".yaml")
LINE_SUFFIXES = (*YAML_SUFFIXES, ".md")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file.

    `row` is the spreadsheet row number as the analyst sees it in Excel (the heading row is
    row 1, the first data row is row 2), or the line number in a text file (YAML, or a
    narrative's Markdown); None when the problem is about the file as a whole. `message`, when given, is a whole sentence that
    already says where and what (a file that cannot be read at all); it is printed after the
    file name instead of "found ...; expected ...", which stay as the short forms.
    """

    file: str
    row: int | None
    column: str | None
    found: str | None
    expected: str
    severity: str = "error"
    message: str | None = None

    def __str__(self) -> str:
        where = self.file
        yaml_file = self.file.endswith(YAML_SUFFIXES)
        by_line = self.file.endswith(LINE_SUFFIXES)
        if self.message:  # a table's message names its row and column itself; a text file's line is added
            line = f", line {self.row}" if by_line and self.row is not None else ""
            return f"{self.severity.upper()} {where}{line}: {self.message}"
        if self.row is not None:
            where += f", {'line' if by_line else 'row'} {self.row}"
        if self.column:
            # In a YAML file the "column" is a key such as fieldwork.survey_open.
            where += f", {'key' if yaml_file else 'column'} '{self.column}'"
        found = "" if self.found is None else f": found {self.found!r}"
        return f"{self.severity.upper()} {where}{found}; expected {self.expected}"


def errors_in(problems) -> list[Problem]:
    """The problems that stop a build, in their order."""
    return [p for p in problems if p.severity == "error"]


def warnings_in(problems) -> list[Problem]:
    """The problems that are only warnings, in their order."""
    return [p for p in problems if p.severity != "error"]


class HoldsProblems:
    """A mixin for a result that keeps every problem found in `self.problems` and splits them
    the one way the package does: errors stop the build, everything else is a warning."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.problems)


class HealthcheckError(Exception):
    """The one base class of the errors a user can cause or fix; the CLI prints the message alone."""


class DataError(HealthcheckError):
    """Raised when input data has errors; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_sort_key)
        errors = errors_in(self.problems)
        super().__init__(f"{len(errors)} error(s) in the input data")

    def report(self) -> str:
        """The problems as a plain-text report, one per line."""
        return format_report(self.problems)


def _sort_key(p: Problem):
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.severity, p.expected, p.message or "")


#: More rows than this failing the same way, in one column, are reported as one summary line.
FLOOD = 3


def format_report(problems: list[Problem], full: bool = False) -> str:
    """Errors first, then warnings, each block sorted by file and row, with a count line.

    Unless `full`, the rows of one file and column that fail the same way are summarised in one
    line (how many, the first rows and values), so a mapping mistake reads as one message.
    """
    errors = sorted(errors_in(problems), key=_sort_key)
    warnings = sorted(warnings_in(problems), key=_sort_key)
    lines = []
    for block in (errors, warnings):
        lines += [str(p) for p in block] if full else _summarised(block)
    lines.append(f"{len(errors)} error(s), {len(warnings)} warning(s).")
    if not full and len(lines) - 1 < len(errors) + len(warnings):
        lines.append("Repeated problems are summarised; add --all to list every row.")
    return "\n".join(lines)


def _summarised(problems: list[Problem]) -> list[str]:
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        key = (p.file, p.column, p.expected, p.severity) if p.row is not None else (id(p),)
        groups.setdefault(key, []).append(p)
    lines = []
    for group in groups.values():
        if len(group) <= FLOOD:
            lines += [str(p) for p in group]
            continue
        first = group[0]
        rows = ", ".join(str(p.row) for p in group[:5])
        values = ", ".join(dict.fromkeys(repr(p.found) for p in group if p.found is not None))
        shown = values if len(values) < 120 else values[:117] + "..."
        kind = "key" if first.file.endswith(YAML_SUFFIXES) else "column"
        unit = "lines" if first.file.endswith(LINE_SUFFIXES) else "rows"
        where = f"{first.file}, {kind} '{first.column}'" if first.column else first.file
        lines.append(
            f"{first.severity.upper()} {where}: {len(group)} {unit} "
            f"({unit} {rows}{', ...' if len(group) > 5 else ''}) found {shown}; expected {first.expected}"
        )
    return lines


def display_path(path: Path, data_dir: Path) -> str:
    """A path as the analyst can find it: relative to the current folder when it lies inside it,
    else in full, so a message names the data folder actually used (`--data-dir` or not)."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def data_dir_option(data_dir: Path) -> str:
    """ " --data-dir FOLDER", to add to a command the analyst is told to run next, so that it uses
    the same data folder; "" when `data_dir` is the default one (data/, or $HEALTHCHECK_DATA_DIR)."""
    from healthcheck import paths

    if Path(data_dir).resolve() == paths.data_dir().resolve():
        return ""
    shown = display_path(data_dir, data_dir)
    return f" --data-dir {shown}" if re.fullmatch(r"[\w@%+=:,./\\-]+", shown) else f' --data-dir "{shown}"'


def environment_message(exc: OSError) -> str:
    """A plain sentence for an operating-system error (a file that cannot be read or written,
    a full disk), naming the file and what to check; never a traceback."""
    where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, PermissionError):
        advice = "check that your account may read (and, for the build folder, write) it, and that no other program has it open"
    elif isinstance(exc, FileNotFoundError):
        advice = "check the name and that it is where the command looks for it"
    elif isinstance(exc, IsADirectoryError):
        advice = "a file was expected here, not a folder"
    elif getattr(exc, "errno", None) == 28:  # ENOSPC
        advice = "the disk is full: free some space and run the command again"
    else:
        advice = "check the file or folder, then run the command again"
    return f"Cannot use{where}: {reason}. To fix: {advice}."


class BuildError(HealthcheckError):
    """The build could not be completed; the message says which step failed and why."""


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by SIGTERM (handled like Ctrl-C: staging removed, old build kept)."""


class ChapterFailed(BuildError):
    """A cell of a chapter notebook raised an error.

    ``cell_index`` counts the cells of the chapter's own notebook from 0 (as nbformat and
    papermill do), not counting the parameters cell that papermill injects.
    """

    def __init__(self, chapter, cell_index, cell_source, ename, evalue, partial_notebook_path, traceback=""):
        self.chapter = chapter
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.ename = ename
        self.evalue = evalue
        self.partial_notebook_path = Path(partial_notebook_path) if partial_notebook_path else None
        self.traceback = traceback
        super().__init__(chapter, cell_index, cell_source, ename, evalue, partial_notebook_path)

    def __str__(self):
        text = (
            f"Chapter {self.chapter} failed at cell {self.cell_index}:\n"
            f"{self.cell_source.rstrip()}\n"
            f"Error: {self.ename}: {self.evalue}"
        )
        if self.partial_notebook_path:
            text += f"\nThe partly executed notebook is kept at {self.partial_notebook_path}"
        return text


class YearStartError(HealthcheckError):
    """`new-year` or `import` refused, with a plain message; nothing was written."""
