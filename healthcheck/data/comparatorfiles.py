"""A year's benchmark files: national and regional figures, and every organisation's figures.

`<year>/benchmarks.csv`: question_id, scope (national or region), name, pct_positive, n_valid
(empty when unknown), and an optional source. `<year>/organisations.csv` (optional):
org_id, name, region, question_id, n_positive, n_valid -- every organisation's all-staff
figures, for ranks. A national batch writes both for each organisation into its build folder
and points the build there; a single council keeps them in its year folder.

Both are read as every other table is (`inputs.read_clean`): invisible and bidirectional
control characters are removed, with a warning in `BenchmarkFiles.warnings`, and a file that
cannot be read is one Problem with `read_table`'s sentence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from healthcheck.data.files import BENCHMARKS_FILE, ORGANISATIONS_FILE
from healthcheck.data.inputs import read_clean
from healthcheck.errors import DataError, Problem, display_path, errors_in

SCOPES = ("national", "region")
BENCHMARK_COLUMNS = ["question_id", "scope", "name", "pct_positive", "n_valid"]
ORGANISATION_COLUMNS = ["org_id", "name", "region", "question_id", "n_positive", "n_valid"]


@dataclass
class BenchmarkFiles:
    """What a year knows about other organisations (either part may be missing)."""

    benchmarks: pd.DataFrame | None = None
    organisations: pd.DataFrame | None = None
    source: str = ""  # where the benchmark figures come from (or that they are synthetic)
    warnings: list[Problem] = field(default_factory=list)  # characters removed from the files' text

    @property
    def empty(self) -> bool:
        return self.benchmarks is None and self.organisations is None


def read_benchmark_files(folder: Path, data_dir: Path | None = None) -> BenchmarkFiles:
    """The benchmark files of a folder, checked; DataError naming file, row and column."""
    folder = Path(folder)
    # A year's own benchmark files lie in the data folder, which is then their boundary; the
    # national batch writes each organisation's to a folder of its own, outside every data
    # folder, and that folder is the boundary instead. The test is on the names as given (not
    # links resolved), so a year folder linked out of the data folder is still refused.
    inside = data_dir is not None and Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(data_dir))
    shown_root = data_dir if inside else folder
    problems: list[Problem] = []
    files = BenchmarkFiles()
    path = folder / BENCHMARKS_FILE
    if path.exists():
        frame = _table(path, shown_root, BENCHMARK_COLUMNS, problems)
        if frame is not None:
            problems += _check_rows(frame, path, shown_root, numbers=["pct_positive"], optional_numbers=["n_valid"])
            bad_scope = frame.index[~frame["scope"].isin(SCOPES)]
            shown = display_path(path, shown_root)
            problems += [Problem(shown, int(r), "scope", frame.at[r, "scope"], "national or region") for r in bad_scope]
            files.source = "; ".join(dict.fromkeys(s for s in frame.get("source", pd.Series(dtype=str)) if s.strip()))
            files.benchmarks = _typed(frame, ["pct_positive", "n_valid"])
    path = folder / ORGANISATIONS_FILE
    if path.exists():
        frame = _table(path, shown_root, ORGANISATION_COLUMNS, problems)
        if frame is not None:
            problems += _check_rows(frame, path, shown_root, numbers=["n_positive", "n_valid"], optional_numbers=[])
            files.organisations = _typed(frame, ["n_positive", "n_valid"])
    if errors_in(problems):
        raise DataError(problems)
    files.warnings = problems
    return files


def _table(path: Path, root: Path, columns: list[str], problems: list[Problem]) -> pd.DataFrame | None:
    shown = display_path(path, root)
    try:
        table = read_clean(path, root)
    except DataError as exc:  # one Problem naming the file, in read_table's words
        problems += exc.problems
        return None
    problems += table.warnings
    frame = table.frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems += [Problem(shown, 1, c, None, "this column") for c in missing]
        return None
    return frame.apply(lambda s: s.str.strip())


def _check_rows(frame, path, root, numbers: list[str], optional_numbers: list[str]) -> list[Problem]:
    shown = display_path(path, root)
    problems = []
    for column in numbers + optional_numbers:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & ~((frame[column] == "") & (column in optional_numbers))
        bad |= values < 0
        problems += [Problem(shown, int(r), column, frame.at[r, column], "a number, 0 or more") for r in frame.index[bad]]
    return problems


def _typed(frame: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in numeric:
        out[column] = pd.to_numeric(out[column], errors="coerce")
    return out.reset_index(drop=True)
