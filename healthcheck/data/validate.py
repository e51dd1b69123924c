"""Checking a year's inputs before anything is computed from them.

Every problem is collected, not just the first, and each names the file, the spreadsheet row
(or YAML line), the column or key, the value found and what was expected. The export's own
checks are in `exportcheck`; here are the cross-checks between files, the year's facts, and
the optional free-text files (with warnings for invisible characters and personal data).
Nothing here writes to any file.

No command calls this alone: `pipeline.checks.check_year`, which `validate`, `build` and
`preview` all call, runs it for every year the book reads (as the survey loads) and adds the
checks that need the loaded survey, so each command reports the same problems.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from healthcheck.data import counts, extras
from healthcheck.data.comparatorfiles import read_benchmark_files
from healthcheck.data.config import (
    BANK_FILE,
    EXPORT_PLACEHOLDER,
    ORGANISATION_PLACEHOLDER,
    SETTINGS_FILE,
    QuestionBank,
    YearMeta,
    load_bank,
    load_settings,
    load_year_meta,
    survey_years,
)
from healthcheck.data.files import (
    BENCHMARKS_FILE,
    INDICATORS_FILE,
    ORGANISATIONS_FILE,
    PUBLISHED_FILE,
    QUOTES_FILE,
    RECOMMENDATIONS_FILE,
    WORDS_FILE,
)
from healthcheck.data.inputfile import boundary_problem
from healthcheck.data.tables import exportcheck
from healthcheck.errors import DataError, HoldsProblems, Problem, display_path

_survey_file = exportcheck.survey_file


@dataclass
class CheckedYear(HoldsProblems):
    """What `check_year` read, with the problems it found. `frame` is the export as text (its
    index the rows as Excel numbers them); `notes` say how it was read (sheet, encoding, ...)."""

    year: int
    problems: list[Problem] = field(default_factory=list)
    meta: YearMeta | None = None
    bank: QuestionBank | None = None
    frame: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def check_year(data_dir: Path, year: int) -> CheckedYear:
    """Check everything the report reads for `year`; never raises for a data mistake."""
    checked = CheckedYear(year)
    problems = checked.problems
    try:
        settings = load_settings(data_dir, problems)
        if settings.organisation.strip() == ORGANISATION_PLACEHOLDER:
            shown = display_path(data_dir / SETTINGS_FILE, data_dir)
            problems.append(Problem(shown, None, "organisation", settings.organisation, "your organisation's name"))
    except DataError as exc:
        problems += exc.problems
    try:
        checked.bank = load_bank(data_dir, problems)
        problems += _check_themes_have_questions(checked.bank, data_dir)
        problems += _check_breaks(checked.bank, data_dir)
    except DataError as exc:
        problems += exc.problems
    try:
        checked.meta = load_year_meta(data_dir, year, problems)
    except DataError as exc:
        problems += exc.problems
        return checked

    meta, year_dir = checked.meta, data_dir / str(year)
    problems += _check_facts(meta, data_dir, year)
    if meta.export == EXPORT_PLACEHOLDER:
        problems.append(
            Problem(
                _survey_file(data_dir, year),
                None,
                "export",
                meta.export,
                f'the export\'s file name: run  python -m healthcheck import --year {year} "path/to/the export.csv"'
                "  (or delete `export:` for a year known only from published.csv)",
            )
        )
        return checked
    files = [year_dir / name for name in (PUBLISHED_FILE, QUOTES_FILE, WORDS_FILE, INDICATORS_FILE, RECOMMENDATIONS_FILE)]
    problems += [p for path in files for p in usable(path, data_dir)]
    if not meta.export:
        problems += _check_published_only(year_dir, data_dir, year)
        if meta.questions:  # a mapping with no export to map: the `export` line was probably lost
            expected = "the export's file name: survey.yml maps headings under 'questions' but names no export"
            problems.append(Problem(_survey_file(data_dir, year), None, "export", meta.export, expected))
    else:
        path, refused = exportcheck.export_path(meta, data_dir, year)
        problems += refused
        if path is not None:
            export = exportcheck.read_export(path, meta, data_dir, year)
            problems += export.problems + _check_small_groups(meta, export.frame, data_dir, year)
            checked.notes += export.notes
            checked.frame = export.frame
    if checked.bank is not None:
        problems += check_narrative(data_dir, year, checked.bank)
        if meta.export:
            problems += _check_mapping(meta, checked.bank, data_dir, year)
        problems += _check_published(year_dir / PUBLISHED_FILE, checked.bank, data_dir)
        problems += extras.check_extras(year_dir, checked.bank, data_dir)
    problems += _check_benchmarks(year_dir, data_dir)
    return checked


def _check_benchmarks(year_dir: Path, data_dir: Path) -> list[Problem]:
    """The year's benchmark files (optional), read as the chapters read them: errors, or warnings
    for characters removed from their text."""
    paths = [year_dir / name for name in (BENCHMARKS_FILE, ORGANISATIONS_FILE)]
    refused = [p for path in paths for p in usable(path, data_dir)]
    if refused:
        return refused
    try:
        return read_benchmark_files(year_dir, data_dir).warnings
    except DataError as exc:
        return exc.problems


def usable(path: Path, data_dir: Path) -> list[Problem]:
    """An input file that is a folder, a link leading out of the data folder, or a special file
    (named pipe, device) is refused by name (absent files are fine: the year's free-text files
    are optional)."""
    shown = display_path(path, data_dir)
    if path.is_dir():
        return [
            Problem(
                shown,
                None,
                None,
                "a folder",
                f"a file named {path.name}, but this is a folder: move it away or put the file there",
            )
        ]
    refused = boundary_problem(path, data_dir) if os.path.lexists(path) else None
    if refused:
        found, _, expected = refused.partition(": ")
        return [Problem(shown, None, None, found, expected or "an ordinary file inside the data folder")]
    return []


def check_narrative(data_dir: Path, year: int, bank: QuestionBank) -> list[Problem]:
    """The year's narrative files: only the safe subset of MyST, and references to real things.

    (Typed percentages are checked against the computed figures once the survey is loaded:
    `present.references.problems`.)
    """
    from healthcheck.data.narrative import files as md

    statements = [qid for qid, q in bank.questions.items() if any(y <= year for y in q.wording)]
    years = [y for y in survey_years(data_dir) if y <= year]
    known = md.known_targets(statements, list(bank.themes), years)
    problems = []
    for part in md.parts(data_dir, year, bank.themes):
        try:  # a folder, a link out of the data folder, a pipe, an unreadable encoding: refused by name
            narrative = md.read(part, data_dir)
        except DataError as exc:
            problems += exc.problems
            continue
        if narrative.text:
            problems += md.check(narrative, known)
    return problems


def _check_themes_have_questions(bank: QuestionBank, data_dir: Path) -> list[Problem]:
    shown = display_path(data_dir / BANK_FILE, data_dir)
    return [
        Problem(shown, None, f"themes.{code}", None, f"at least one question with `theme: {code}` (or remove the theme)")
        for code in bank.themes
        if not bank.theme_questions(code)
    ]


def _check_mapping(meta: YearMeta, bank: QuestionBank, data_dir: Path, year: int) -> list[Problem]:
    problems, survey = [], _survey_file(data_dir, year)
    seen: dict[str, str] = {}
    for heading, qid in meta.questions.items():
        key = f"questions.{heading[:60]}"
        if qid not in bank.questions:
            problems.append(Problem(survey, None, key, qid, "a question code from question_bank.yml"))
        elif year not in bank.questions[qid].wording:
            problems.append(
                Problem(survey, None, key, qid, f"a question asked in {year} (question_bank.yml has no {year} wording for {qid})")
            )
        if qid in seen:
            problems.append(Problem(survey, None, key, qid, f"each question code once (also mapped from '{seen[qid][:60]}')"))
        seen.setdefault(qid, heading)
    published = counts.read_published(data_dir / str(year) / "published.csv", year)
    for qid in bank.asked_in(year):
        # A question known only from a published percentage is expected to have no column.
        if qid not in seen and qid not in set(published["question_id"]):
            problems.append(
                Problem(
                    survey,
                    None,
                    "questions",
                    None,
                    f"a heading mapped to {qid} ({bank.questions[qid].short}), asked in {year} by the bank",
                    "warning",
                )
            )
    return problems


def _check_small_groups(meta: YearMeta, frame, data_dir: Path, year: int) -> list[Problem]:
    """survey.yml's `small_groups`: each group type has a column, a parent is a new name (not
    a group of the export, nor itself a small group), and a listed group not in the export is
    a warning (a slip, or a team that has gone)."""
    problems, survey = [], _survey_file(data_dir, year)
    for group_type, parents in meta.small_groups.items() if frame is not None else ():
        heading = meta.breakdown_columns.get(group_type)
        if heading is None or heading not in frame.columns:
            expected = f"a group type with a column in the export (columns.{group_type} in survey.yml)"
            problems.append(Problem(survey, None, f"small_groups.{group_type}", group_type, expected))
            continue
        present = set(frame[heading].dropna().astype(str).str.strip())
        for group, parent in parents.items():
            key = f"small_groups.{group_type}.{str(group)[:60]}"
            if str(parent).strip() in present:
                expected = f"a parent name that is not already a {group_type} of the export (it would read as that one's)"
                problems.append(Problem(survey, None, key, parent, expected))
            elif str(parent).strip() in {str(g).strip() for g in parents}:
                problems.append(Problem(survey, None, key, parent, "a parent group that is not itself a small group"))
            if str(group).strip() not in present:
                expected = f"a {group_type} of the {year} export (no respondent gave it; is it misspelt?)"
                problems.append(Problem(survey, None, key, group, expected, "warning"))
        members: dict[str, list[str]] = {}
        for group, parent in parents.items():
            members.setdefault(str(parent).strip(), []).append(str(group))
        for parent, groups in members.items():
            if len(groups) == 1:
                # Alone, a small group's parent holds only its own few answers, so it stays hidden too.
                expected = (
                    f"a parent that holds two or more small groups: {parent!r} holds only {groups[0]!r}, so it is as small"
                    f" and stays hidden; add the other small {group_type}s it belongs with, or remove it"
                )
                problems.append(Problem(survey, None, f"small_groups.{group_type}.{groups[0][:60]}", parent, expected, "warning"))
    return problems


def _check_breaks(bank: QuestionBank, data_dir: Path) -> list[Problem]:
    """A `comparable_from` year after the latest year in the data folder is a slip (a break
    in comparability is declared when the new wording is asked, not in advance)."""
    years = survey_years(data_dir)
    if not years:
        return []
    shown = display_path(data_dir / BANK_FILE, data_dir)
    return [
        Problem(
            shown,
            None,
            f"questions.{qid}.comparable_from",
            str(brk),
            f"a year up to {years[-1]}, the latest year in the data folder: a wording break is declared in the year the "
            "new wording is first asked (is it a typing slip?)",
        )
        for qid, q in bank.questions.items()
        for brk in q.comparable_from
        if brk > years[-1]
    ]


def _check_facts(meta: YearMeta, data_dir: Path, year: int) -> list[Problem]:
    """The year's facts against each other: dates in order, participants within the workforce,
    and (warnings) dates outside the survey year or the next (a year such as 2020/21):
    new-year carries last year's dates over for the analyst to replace."""
    survey = _survey_file(data_dir, year)
    dates = {}
    problems = []
    if meta.fieldwork:
        opened, closed = meta.fieldwork.survey_open, meta.fieldwork.survey_close
        dates |= {"fieldwork.survey_open": opened, "fieldwork.survey_close": closed}
        if closed < opened:
            problems.append(
                Problem(survey, None, "fieldwork.survey_close", str(closed),
                        f"a date on or after survey_open ({opened}): the survey cannot close before it opens "
                        "(are the two dates swapped?)")
            )  # fmt: skip
    groups = meta.focus_groups
    if groups:
        dates |= {"focus_groups.first": groups.first, "focus_groups.last": groups.last}
        if groups.first and groups.last and groups.last < groups.first:
            problems.append(
                Problem(survey, None, "focus_groups.last", str(groups.last),
                        f"a date on or after focus_groups.first ({groups.first}) (are the two dates swapped?)")
            )  # fmt: skip
        if meta.workforce and groups.participants > meta.workforce:
            problems.append(
                Problem(survey, None, "focus_groups.participants", str(groups.participants),
                        f"at most the workforce in scope ({meta.workforce}, under 'workforce'): more participants than "
                        "staff is a typing slip in one of the two")
            )  # fmt: skip
    problems += [
        Problem(survey, None, key, str(value), f"a date in {year} or {year + 1} (is it last year's?)", "warning")
        for key, value in dates.items()
        if value is not None and value.year not in (year, year + 1)
    ]
    return problems


def _check_published_only(year_dir: Path, data_dir: Path, year: int) -> list[Problem]:
    """A year without an export must have published figures to show."""
    if (year_dir / PUBLISHED_FILE).exists():
        return []
    return [
        Problem(
            _survey_file(data_dir, year),
            None,
            "export",
            None,
            "the export's file name under 'export', or a published.csv with the year's published percentages",
        )
    ]


def _check_published(path: Path, bank: QuestionBank, data_dir: Path) -> list[Problem]:
    frame, problems = extras.read_optional(path, data_dir)
    if frame is None:
        return problems
    shown = display_path(path, data_dir)
    missing = [c for c in ("question_id", "pct_positive", "source") if c not in frame.columns]
    if missing:
        return problems + [Problem(shown, 1, c, None, "this column") for c in missing]
    schema = pa.DataFrameSchema(
        {
            "question_id": pa.Column(
                str, pa.Check(lambda s: s.str.strip().isin(bank.questions), error="a question code from question_bank.yml")
            ),
            "pct_positive": pa.Column(
                str, pa.Check(lambda s: pd.to_numeric(s, errors="coerce").between(0, 100), error="a percentage from 0 to 100")
            ),
            "n": pa.Column(
                str,
                pa.Check(
                    lambda s: (s.str.strip() == "") | s.str.strip().str.fullmatch(r"[1-9]\d{0,8}"),
                    error="the figure's base: a whole number of valid responses, or empty when unknown",
                ),
                required=False,
            ),
        },
        strict=False,
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += exportcheck.failures_to_problems(err.failure_cases, shown, frame)
    return problems
