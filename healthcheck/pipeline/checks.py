"""Every check of a year's data, in one place: `validate`, `build` and `preview` all call
:func:`check_year`, so the same data give the same problems whichever command reads them.

Two kinds of check, run in this order:

1. **The inputs** (`data.validate`), for every year the report reads (earlier years feed its
   trends): each file, row and column, the year's facts, the narrative's markup and references.
   These run as the survey loads (`analysis.survey.load_survey`); on any error nothing else runs.
2. **What only the loaded survey can find**: published figures the data do not reproduce
   (an error when settings.yml says ``reconciliation: fail``), statements with too few
   responses to show, typed percentages in the narrative that match no figure, quotes
   attributed to a group under the threshold, and narrative still to write (an error for a
   final build, ``--final``).

Every finding is a `Problem` (file, row or line, column or key, what was found, what was
expected); an error refuses the build, a warning is reported and the build goes on. The
disclosure audit of the tables is not a check (it finds no problem, it measures what the book
states), so the build stage computes it after these checks (`stages.validate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from healthcheck import paths
from healthcheck.analysis.breakdowns import attribution_problems, group_sizes
from healthcheck.data.config import survey_years
from healthcheck.data.files import NARRATIVE_DIR, PUBLISHED_FILE, QUOTES_FILE
from healthcheck.data.inputs import read_clean
from healthcheck.data.narrative import files as md
from healthcheck.errors import BuildError, DataError, HoldsProblems, Problem, display_path, errors_in, format_report


@dataclass
class CheckResult(HoldsProblems):
    """What :func:`check_year` found: every problem (errors and warnings, each once), how each
    export was read (`notes`, for `validate` to print), and the loaded survey the build goes on
    with (None when an input has errors)."""

    year: int
    final: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    survey: object | None = None

    @property
    def ok(self) -> bool:
        """True when nothing stops the build (warnings may remain)."""
        return not self.errors

    def refuse(self) -> None:
        """Raise :class:`ChecksFailed` with every problem when any is an error."""
        if self.errors:
            raise ChecksFailed(self.problems, self.final)


class ChecksFailed(DataError, BuildError):
    """The checks found errors, so nothing is built. A `DataError` (it carries the problems) and
    a `BuildError` (the build refused), so a caller that catches either still does; its text is
    the whole report, with what to do next."""

    def __init__(self, problems: list[Problem], final: bool = False):
        super().__init__(problems)
        self.final = final

    def report(self) -> str:
        """The problems, errors first, and (when a final build found narrative to write) how to go on."""
        text = format_report(self.problems)
        if self.final and any(p.file.endswith(".md") and p.expected == _FINAL for p in errors_in(self.problems)):
            text += "\nWrite them (or build without --final for a draft, marked as such on its pages)."
        return text

    def __str__(self) -> str:
        return self.report()


def check_year(data_dir, year: int, final: bool = False, notes: bool = False) -> CheckResult:
    """Every check of the book of `year` (its inputs and those of every earlier year it reads).

    final: narrative still to write is an error (a final build) rather than a warning (a draft).
    notes: also say how each export was read (sheet, encoding, separator), as `validate` prints;
    this reads the exports once more. Never raises for a data mistake: the problems are in the
    result, and ``result.refuse()`` raises them.
    """
    from healthcheck.analysis.survey import load_survey
    from healthcheck.data import validate

    data_dir, year = paths.data_dir(data_dir), int(year)
    result = CheckResult(year, final)
    if notes:
        result.notes = [n for y in survey_years(data_dir) if y <= year for n in validate.check_year(data_dir, y).notes]
    try:
        survey = load_survey(data_dir, year)
    except DataError as exc:
        result.problems = _once(exc.problems)
        return result
    found = [p for y in survey.year_list for p in survey.years[y].warnings]
    try:  # a narrative file saved since the survey loaded (the preview) is read again here
        found += reconciliation_problems(survey, year)
        found += suppressed_problems(survey, year)
        found += _narrative_problems(survey, year)
        found += quote_attribution_problems(survey, year)
        found += draft_problems(data_dir, year, survey.bank.themes, final)
    except DataError as exc:
        found += exc.problems
    result.problems = _once(found)
    result.survey = survey if result.ok else None
    return result


def _once(problems: list[Problem]) -> list[Problem]:
    # The same file (settings, bank) is checked for each year the survey loads: report it once.
    return list(dict.fromkeys(problems))


def reconciliation_problems(survey, year: int) -> list[Problem]:
    """Published figures (published.csv) that the data do not reproduce when both are rounded
    to whole numbers: warnings, or errors when settings.yml says ``reconciliation: fail``."""
    table = survey.reconciliation(year)
    fail = survey.settings.reconciliation == "fail"
    shown = display_path(survey.data_dir / str(year) / PUBLISHED_FILE, survey.data_dir)
    advice = (
        "settings.yml says reconciliation: fail, so the build stops: check the export and this figure "
        "(or set reconciliation: warn to build anyway)"
        if fail
        else "check the export and this figure (settings.yml's reconciliation: fail would stop the build)"
    )
    severity = "error" if fail else "warning"
    return [
        Problem(
            shown,
            None,
            "pct_positive",
            f"{r.published:g}",
            advice,
            severity,
            f"{year} {r.question_id} ({r.short}): computed {r.computed:.1f}% but {r.published:g}% was published; {advice}",
        )
        for r in table[~table["matches"]].itertuples()
    ]


def suppressed_problems(survey, year: int) -> list[Problem]:
    """Statements of the year shown without a figure (warnings): too few valid responses, or,
    in a year known only from published figures, none was published."""
    data = survey.years[year]
    figures = survey.figures(year)
    if data.published_only:
        source, why = PUBLISHED_FILE, "no figure was published for it"
    else:
        source, why = data.meta.export, f"fewer than {survey.threshold} valid responses, so no figure is shown"
    shown = display_path(survey.data_dir / str(year) / source, survey.data_dir)
    expected = "nothing to do unless the count is wrong: the book shows the statement without a figure"
    return [
        Problem(shown, None, None, None, expected, "warning", f"{year} {r.question_id} ({r.short}): {why}")
        for r in figures[figures["suppressed"].astype(bool)].itertuples()
    ]


def _narrative_problems(survey, year: int) -> list[Problem]:
    # Imported here: present sits above the data and analysis layers this module otherwise needs.
    from healthcheck.present import references

    return references.problems(survey, year)


def quote_attribution_problems(survey, year: int) -> list[Problem]:
    """Quotes whose speaker names a group under the threshold (warnings: the chapters generalise them)."""
    path = survey.data_dir / str(year) / QUOTES_FILE
    if not path.is_file():
        return []
    quotes = read_clean(path, survey.data_dir).frame  # cleaned as the chapters read it; index = Excel rows
    sizes = group_sizes(survey.counts, year)
    return attribution_problems(quotes, sizes, survey.threshold, display_path(path, survey.data_dir))


#: What a final build expects of each narrative file (also how the refusal is recognised).
_FINAL = "a finished narrative for a final build (--final)"
_LINE = re.compile(r"line (\d+): (.*)")


def draft_problems(data_dir: Path, year: int, themes, final: bool) -> list[Problem]:
    """Narrative missing or unfinished (prompts without text, a TODO marker), one problem for
    each thing left to write, at its line: warnings for a draft, errors for a final build."""
    severity = "error" if final else "warning"
    expected = _FINAL if final else "a finished narrative (until then the pages are marked as a draft)"
    problems = []
    every = md.parts(data_dir, year, themes)
    read = {part: md.read(part, data_dir) for part in every}
    if not any(narrative.text.strip() for narrative in read.values()):
        # A year without a word of narrative (an earlier year, known for its figures): one problem, not one a file.
        folder = display_path(Path(data_dir) / str(year) / NARRATIVE_DIR, data_dir)
        names = ", ".join(part.label for part in every)
        said = f"no narrative is written for {year} yet ({names}); expected {expected}"
        return [Problem(folder, None, None, None, expected, severity, said)]
    for part in every:
        shown = display_path(part.path, data_dir)
        state = md.status(read[part])
        if state.state == "missing":
            problems.append(Problem(shown, None, None, None, expected, severity, f"not written yet; expected {expected}"))
            continue
        for what in state.missing if state.state == "unfinished" else ():
            line = _LINE.fullmatch(what)
            row, said = (int(line[1]), line[2]) if line else (None, what)
            problems.append(Problem(shown, row, None, None, expected, severity, f"{said}; expected {expected}"))
    return problems
