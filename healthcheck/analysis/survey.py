"""Loading the whole survey: every year up to the report's, validated, as one counts table.

This is what chapters and commands call. A year is only loaded when `validate` finds no
errors in it; otherwise `DataError` carries the full report.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from healthcheck import paths
from healthcheck.analysis import stats
from healthcheck.analysis.breakdowns import protected_breakdowns
from healthcheck.analysis.rounding import round_half_up
from healthcheck.data import counts
from healthcheck.data.cells import joint_cells
from healthcheck.data.config import QuestionBank, Settings, YearMeta, load_bank, load_settings, survey_years
from healthcheck.data.files import (
    BENCHMARKS_FILE,
    INDICATORS_FILE,
    NARRATIVE_DIR,
    ORGANISATIONS_FILE,
    QUOTES_FILE,
    RECOMMENDATIONS_FILE,
    WORDS_FILE,
)
from healthcheck.data.validate import check_year
from healthcheck.errors import BuildError, DataError, Problem, errors_in


@dataclass
class YearData:
    """One year's facts and counts."""

    year: int
    meta: YearMeta
    counts: pd.DataFrame
    published: pd.DataFrame
    n_respondents: int | None  # None for a year known only from published figures without bases
    warnings: list[Problem] = field(default_factory=list)
    # The joint team x locality x role cells (respondent-level exports only): the disclosure
    # control of the year's breakdowns works on these.
    cells: pd.DataFrame | None = None

    @property
    def response_rate(self) -> float | None:
        """Respondents as a percentage of the workforce in scope, when both are known."""
        if not self.meta.workforce or not self.n_respondents:
            return None
        return 100 * self.n_respondents / self.meta.workforce

    @property
    def published_only(self) -> bool:
        """True when the year has no export, only published percentages."""
        return not self.meta.export


def load_year(data_dir: Path, year: int) -> YearData:
    """Validate and load one year; raises DataError listing every problem when it has errors."""
    checked = check_year(data_dir, year)
    if checked.errors:
        raise DataError(checked.problems)
    meta, frame = checked.meta, checked.frame
    published = counts.read_published(data_dir / str(year) / "published.csv", year)
    if not meta.export:
        # Known only from published figures: the largest published base is the best estimate.
        bases = published["n_valid"].dropna()
        n_respondents = int(bases.max()) if len(bases) else None
        table = counts.tidy_counts(pd.DataFrame(columns=counts.COUNT_COLUMNS).astype({"n": "int64"}))
        return YearData(year, meta, table, published, n_respondents, checked.warnings)
    if meta.level == "respondents":
        table = counts.respondents_to_counts(frame, year, meta.questions, meta.breakdown_columns)
        cells = joint_cells(frame, year, meta.questions, meta.breakdown_columns)
        return YearData(year, meta, table, published, len(frame), checked.warnings, cells)
    else:
        table = counts.summary_to_counts(frame, year, meta.columns, meta.questions)
        # A summary has no people, only answers: the largest question total is the best estimate.
        per_question = table.groupby("question_id")["n"].sum()
        n_respondents = int(per_question.max()) if len(per_question) else 0
    return YearData(year, meta, table, published, n_respondents, checked.warnings)


@dataclass
class Survey:
    """All years up to the report's year, with the settings and the question bank."""

    data_dir: Path
    settings: Settings
    bank: QuestionBank
    years: dict[int, YearData]
    _figures: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)
    _breakdowns: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)
    # The disclosure audit of the report year's tables (cells suppressed and hidden, smallest
    # ranges) that the build passed with the survey it saved for its chapters (`save_preloaded`),
    # for the provenance appendix to state; None for a survey loaded from the data folder.
    disclosure: dict | None = None
    # The data folder's files as they were when this survey was loaded (see `_fingerprint`).
    source_fingerprint: tuple = field(default=(), repr=False)

    @property
    def year_list(self) -> list[int]:
        return sorted(self.years)

    @functools.cached_property
    def counts(self) -> pd.DataFrame:
        return pd.concat([y.counts for y in self.years.values()], ignore_index=True)

    @functools.cached_property
    def published(self) -> pd.DataFrame:
        return pd.concat([y.published for y in self.years.values()], ignore_index=True)

    @functools.cached_property
    def questions(self) -> pd.DataFrame:
        return self.bank.table()

    @property
    def threshold(self) -> int:
        return self.settings.suppression_threshold

    def figures(self, year: int) -> pd.DataFrame:
        """The figures table for `year` (one row per question asked), compared with earlier years."""
        if year not in self._figures:
            self._figures[year] = stats.figures_table(self.counts, self.published, self.questions, year, threshold=self.threshold)
        return self._figures[year]

    def breakdowns(self, year: int) -> pd.DataFrame:
        """Every breakdown cell of `year` (team, locality, role), protected as linked tables.

        Computed once: the protection solves linear programmes, and every theme chapter reads it.
        """
        if year not in self._breakdowns:
            data = self.years[year]
            self._breakdowns[year] = protected_breakdowns(
                data.cells,
                self.questions,
                year,
                list(data.meta.breakdown_columns),
                threshold=self.threshold,
                caution=self.settings.caution_threshold,
                small_groups=data.meta.small_groups,
            )
        return self._breakdowns[year]

    def source_files(self) -> list[Path]:
        """The input files this survey was loaded from (settings, bank, each year's metadata, export, published figures)."""
        files = [self.data_dir / "settings.yml", self.data_dir / "question_bank.yml"]
        for year, data in sorted(self.years.items()):
            folder = self.data_dir / str(year)
            files += [folder / "survey.yml", folder / "published.csv"]
            if data.meta.export:
                files.append(folder / data.meta.export)
        return [f for f in files if f.is_file()]

    def reconciliation(self, year: int) -> pd.DataFrame:
        """Computed against published percentages, for the year's questions that have both.

        Columns: question_id, short, published, computed, matches (True when both round to
        the same whole number, halves up, the rule used for display).
        """
        published = self.years[year].published
        figs = self.figures(year)
        figs = figs[figs["basis"] == stats.BASIS_COUNTS].set_index("question_id")
        rows = [
            {
                "question_id": p.question_id,
                "short": figs.at[p.question_id, "short"],
                "published": float(p.pct_positive),
                "computed": float(figs.at[p.question_id, "pct_positive"]),
            }
            for p in published.itertuples()
            if p.question_id in figs.index and pd.notna(figs.at[p.question_id, "pct_positive"])
        ]
        table = pd.DataFrame(rows, columns=["question_id", "short", "published", "computed"])
        table["matches"] = [
            round_half_up(c) == round_half_up(p) for c, p in zip(table["computed"], table["published"], strict=True)
        ]
        return table

    def figures_csv(self, year: int) -> str:
        """The public figures table as CSV text: exactly the documented columns, unrounded."""
        table = self.figures(year)[list(stats.FIGURE_COLUMNS)]
        return table.to_csv(index=False, lineterminator="\n")


def load_survey(data_dir: str | Path | None = None, year: int | None = None, preloaded: str | Path | None = None) -> Survey:
    """Load every year in the data folder up to `year` (default: the latest).

    `preloaded` names the survey a build has already validated and loaded, saved with its
    disclosure audit (`save_preloaded`); chapters pass it so that they neither re-read nor
    re-validate the exports. A BuildError says why when it cannot be used: missing, of another
    folder or year, or saved before a file of the data folder changed. Only without it is the
    survey loaded (and validated) from the data folder.
    """
    folder = paths.data_dir(data_dir)
    if preloaded:
        return _read_preloaded(Path(preloaded), folder, year)
    return _load_survey_cached(folder, year, _fingerprint(folder))


#: The layout of the file `save_preloaded` writes; a file of another layout is refused.
PRELOADED_FORMAT = 1


def save_preloaded(survey: Survey, path: Path, *, disclosure: dict | None) -> None:
    """Write a loaded survey for chapters to pick up, with every year's figures and the report
    year's protected breakdowns already computed, and ``disclosure``: the audit of the report
    year's tables that the provenance appendix states (what ``audit_tables(...).as_dict()``
    gives). The survey object itself is written as loaded; the audit travels beside it."""
    for year in survey.year_list:
        survey.figures(year)
    survey.breakdowns(survey.year_list[-1])
    record = {
        "format": PRELOADED_FORMAT,
        "data_dir": str(survey.data_dir),
        "year": survey.year_list[-1],
        "fingerprint": survey.source_fingerprint,
        "disclosure": disclosure,
        "survey": survey,
    }
    with open(path, "wb") as fh:
        pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _read_preloaded(path: Path, folder: Path, year: int | None) -> Survey:
    """The survey `save_preloaded` wrote at ``path``, checked against what the chapter asks for."""
    what = f"The survey the build saved for its chapters ({path})"
    try:
        with open(path, "rb") as fh:
            record = pickle.load(fh)
    except FileNotFoundError:
        raise BuildError(f"{what} does not exist: run the chapter through `healthcheck build`, or without survey_file") from None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise BuildError(f"{what} cannot be read ({type(exc).__name__}: {exc}): build again") from None
    if not isinstance(record, dict) or record.get("format") != PRELOADED_FORMAT:
        raise BuildError(f"{what} was written by another version of healthcheck: build again")
    if record["data_dir"] != str(folder):
        raise BuildError(f"{what} is of the data folder {record['data_dir']}, but the chapter reads {folder}")
    if year is not None and int(year) != record["year"]:
        raise BuildError(f"{what} is of {record['year']}, but the chapter is of {year}")
    if record["fingerprint"] != _fingerprint(folder):
        raise BuildError(f"{what} is out of date: files of {folder} changed after the build loaded them. Build again.")
    return dataclasses.replace(record["survey"], disclosure=record["disclosure"])


# Files of a year that the loaded survey does not depend on: editing one (a narrative, say,
# in the live preview) must not make the survey load and validate again.
_NOT_SURVEY = {QUOTES_FILE, WORDS_FILE, INDICATORS_FILE, RECOMMENDATIONS_FILE, BENCHMARKS_FILE, ORGANISATIONS_FILE}


def _fingerprint(folder: Path) -> tuple:
    # Cache per process but reload when any input file the survey reads changes (size or time).
    if not folder.is_dir():
        return ()
    files = (p for p in folder.rglob("*") if p.is_file() and NARRATIVE_DIR not in p.relative_to(folder).parts)
    return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.name not in _NOT_SURVEY))


@functools.lru_cache(maxsize=4)
def _load_survey_cached(folder: Path, year: int | None, _fingerprint: tuple) -> Survey:
    problems: list[Problem] = []
    settings = bank = None
    try:
        settings = load_settings(folder)
    except DataError as exc:
        problems += exc.problems
    try:
        bank = load_bank(folder)
    except DataError as exc:
        problems += exc.problems
    available = survey_years(folder)
    if not available:
        problems.append(Problem(str(folder), None, None, None, "a folder per survey year (such as 2022/) holding a survey.yml"))
    if year is None and available:
        year = available[-1]
    if available and year not in available:
        problems.append(
            Problem(
                str(folder), None, None, str(year), f"a year with data; the years present are {', '.join(map(str, available))}"
            )
        )
    years: dict[int, YearData] = {}
    for y in (y for y in available if year is not None and y <= year):
        try:
            years[y] = load_year(folder, y)
        except DataError as exc:
            problems += exc.problems
    if errors_in(problems):
        raise DataError(problems)
    return Survey(folder, settings, bank, years, source_fingerprint=_fingerprint)
