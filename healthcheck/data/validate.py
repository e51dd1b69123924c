"""Checking a year's inputs before anything is computed from them.

Every problem is collected, not just the first, and each names the file, the spreadsheet row,
the column, the value found and what was expected. Row-level checks of the export are a
pandera schema built from the year's survey.yml; the rest are cross-checks between files.
Nothing here writes to any file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from healthcheck.data import codes, counts
from healthcheck.data.config import (
    BANK_FILE,
    EXPORT_PLACEHOLDER,
    ORGANISATION_PLACEHOLDER,
    SETTINGS_FILE,
    VOICE_SOURCES,
    QuestionBank,
    YearMeta,
    load_bank,
    load_recommendations,
    load_settings,
    load_year_meta,
    survey_years,
)
from healthcheck.errors import DataError, Problem, display_path

FIRST_DATA_ROW = 2  # the heading is row 1 in Excel, so pandas index 0 is row 2


@dataclass
class CheckedYear:
    """What `check_year` read, with the problems it found. `frame` is the export as text."""

    year: int
    problems: list[Problem] = field(default_factory=list)
    meta: YearMeta | None = None
    bank: QuestionBank | None = None
    frame: pd.DataFrame | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def check_year(data_dir: Path, year: int) -> CheckedYear:
    """Check everything the report reads for `year`; never raises for a data mistake."""
    checked = CheckedYear(year)
    try:
        settings = load_settings(data_dir)
        if settings.organisation.strip() == ORGANISATION_PLACEHOLDER:
            shown = display_path(data_dir / SETTINGS_FILE, data_dir)
            checked.problems.append(Problem(shown, None, "organisation", settings.organisation, "your organisation's name"))
    except DataError as exc:
        checked.problems += exc.problems
    try:
        checked.bank = load_bank(data_dir)
        checked.problems += _check_themes_have_questions(checked.bank, data_dir)
    except DataError as exc:
        checked.problems += exc.problems
    try:
        checked.meta = load_year_meta(data_dir, year)
    except DataError as exc:
        checked.problems += exc.problems
        return checked

    meta, year_dir = checked.meta, data_dir / str(year)
    checked.problems += _check_dates(meta, data_dir, year)
    if meta.export == EXPORT_PLACEHOLDER:
        checked.problems.append(
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
    if not meta.export:
        checked.problems += _check_published_only(year_dir, data_dir, year)
        if checked.bank is not None:
            checked.problems += check_narrative(data_dir, year, checked.bank)
            checked.problems += _check_published(year_dir / "published.csv", checked.bank, data_dir)
            checked.problems += _check_extras(year_dir, checked.bank, data_dir)
        return checked
    export = year_dir / meta.export
    shown = display_path(export, data_dir)
    if not export.is_file():
        checked.problems.append(Problem(shown, None, None, None, "the export named under 'export' in survey.yml to exist"))
        return checked
    try:
        frame = counts.read_table(export)
    except ValueError as exc:
        checked.problems.append(Problem(shown, None, None, None, f"a readable table, but the file {exc}"))
        return checked
    if frame.empty:
        checked.problems.append(
            Problem(shown, None, None, None, "a heading row and at least one row of answers (the file is empty)")
        )
        return checked
    checked.frame = frame

    if meta.level == "respondents":
        checked.problems += _check_respondent_export(frame, meta, shown, data_dir, year)
    else:
        checked.problems += _check_counts_export(frame, meta, shown, year)
    if checked.bank is not None:
        checked.problems += check_narrative(data_dir, year, checked.bank)
        checked.problems += _check_mapping(meta, checked.bank, data_dir, year)
        checked.problems += _check_published(year_dir / "published.csv", checked.bank, data_dir)
        checked.problems += _check_extras(year_dir, checked.bank, data_dir)
    return checked


def check_narrative(data_dir: Path, year: int, bank: QuestionBank) -> list[Problem]:
    """The year's narrative files: only the safe subset of MyST, and references to real things.

    (Typed percentages are checked against the computed figures once the survey is loaded:
    `present.references.problems`.)
    """
    from healthcheck.data import narrative as md

    statements = [qid for qid, q in bank.questions.items() if any(y <= year for y in q.wording)]
    years = [y for y in survey_years(data_dir) if y <= year]
    known = md.known_targets(statements, list(bank.themes), years)
    problems = []
    for part in md.parts(data_dir, year, bank.themes):
        if part.path.exists() and not part.path.is_file():
            problems.append(Problem(display_path(part.path, data_dir), None, None, None, "a Markdown file, not a folder"))
        elif part.path.is_file():
            problems += md.check(md.read(part, data_dir), known)
    return problems


def _check_themes_have_questions(bank: QuestionBank, data_dir: Path) -> list[Problem]:
    shown = display_path(data_dir / BANK_FILE, data_dir)
    return [
        Problem(shown, None, f"themes.{code}", None, f"at least one question with `theme: {code}` (or remove the theme)")
        for code in bank.themes
        if not bank.theme_questions(code)
    ]


def _check_published_only(year_dir: Path, data_dir: Path, year: int) -> list[Problem]:
    """A year without an export must have published figures to show."""
    path = year_dir / "published.csv"
    if path.is_file():
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


def _survey_file(data_dir: Path, year: int) -> str:
    return display_path(data_dir / str(year) / "survey.yml", data_dir)


def _failures_to_problems(failures: pd.DataFrame, file: str, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    for row in failures.itertuples(index=False):
        if row.check == "column_in_dataframe":
            continue  # missing headings are reported by _check_headings with a better message
        index = row.index if pd.notna(row.index) else None
        if row.check == "field_uniqueness":
            # Report only the repeats, not the first use of an id.
            if index is None or not frame[row.column].duplicated(keep="first").iloc[int(index)]:
                continue
            expected = "a respondent id used only once (this one appears on an earlier row)"
        else:
            expected = str(row.check)
        problems.append(
            Problem(
                file, None if index is None else int(index) + FIRST_DATA_ROW, str(row.column), str(row.failure_case), expected
            )
        )
    return problems


def _known_label(series: pd.Series) -> pd.Series:
    # Normalise each distinct label once: exports repeat a handful of labels many times.
    known = {v: codes.normalise_label(v) is not None for v in pd.unique(series)}
    return series.map(known)


def _year_of(series: pd.Series) -> pd.Series:
    text = series.astype(str).str.strip()
    as_year = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}")), errors="coerce")
    as_date = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=True).dt.year
    return as_year.fillna(as_date)


def _check_headings(frame: pd.DataFrame, meta: YearMeta, file: str, roles: list[str]) -> list[Problem]:
    problems = []
    role_headings = {h for h in (getattr(meta.columns, r) for r in roles) if h}
    known = role_headings | set(meta.ignore) | set(meta.questions)
    for heading in frame.columns:
        if heading not in known:
            problems.append(
                Problem(
                    file,
                    1,
                    heading,
                    None,
                    "a heading listed under 'questions', 'columns' or 'ignore' in survey.yml (no mapping found)",
                )
            )
    for role in roles:
        heading = getattr(meta.columns, role)
        if heading and heading not in frame.columns:
            problems.append(Problem(file, 1, heading, None, f"a '{heading}' column (named as columns.{role} in survey.yml)"))
    return problems


def _check_respondent_export(frame: pd.DataFrame, meta: YearMeta, file: str, data_dir: Path, year: int) -> list[Problem]:
    problems = _check_headings(frame, meta, file, ["respondent_id", "completed", "team", "locality", "role"])
    if not meta.columns.respondent_id:
        problems.append(
            Problem(_survey_file(data_dir, year), None, "columns.respondent_id", None, "the heading of the respondent id column")
        )
    columns = {}
    if meta.columns.respondent_id in frame.columns:
        columns[meta.columns.respondent_id] = pa.Column(
            str, pa.Check(lambda s: s.str.strip() != "", error="a respondent id (the cell is empty)"), unique=True
        )
    if meta.columns.completed in frame.columns:
        columns[meta.columns.completed] = pa.Column(
            str, pa.Check(lambda s: _year_of(s) == year, error=f"a completion date in {year}, the folder's year")
        )
    expected_label = "a response label such as " + ", ".join(f"'{label}'" for label in codes.ACCEPTED_LABELS[:6]) + " (or empty)"
    for heading in meta.questions:
        if heading in frame.columns:
            columns[heading] = pa.Column(str, pa.Check(_known_label, error=expected_label))
    schema = pa.DataFrameSchema(columns, strict=False, coerce=False)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += _mapping_mistakes(_failures_to_problems(err.failure_cases, file, frame), meta, file, len(frame))
    return problems


def _mapping_mistakes(problems: list[Problem], meta: YearMeta, file: str, rows: int) -> list[Problem]:
    """When most rows of a role column (id, completion date) fail, the mapping is the likely
    mistake: say that once, instead of once per row."""
    for role in ("respondent_id", "completed"):
        heading = getattr(meta.columns, role)
        failing = [p for p in problems if p.column == heading and p.row is not None]
        if not heading or len(failing) < max(2, rows // 2):
            continue
        problems = [p for p in problems if p not in failing]
        problems.append(
            Problem(
                file,
                None,
                heading,
                f"{len(failing)} of {rows} rows failing, e.g. {failing[0].found!r}",
                f"{failing[0].expected}; so many rows fail that columns.{role} in survey.yml probably names the wrong"
                " column: check which heading holds it",
            )
        )
    return problems


def _check_counts_export(frame: pd.DataFrame, meta: YearMeta, file: str, year: int) -> list[Problem]:
    roles = ["question", "response", "count", "completed"]
    problems = []
    cols = meta.columns
    for role in roles:
        heading = getattr(cols, role)
        if not heading:
            problems.append(Problem(file, None, None, None, f"columns.{role} in survey.yml naming the export's {role} column"))
        elif heading not in frame.columns:
            problems.append(Problem(file, 1, heading, None, f"a '{heading}' column (named as columns.{role} in survey.yml)"))
    if problems:
        return problems
    extra = [h for h in frame.columns if h not in {getattr(cols, r) for r in roles} | set(meta.ignore)]
    problems += [
        Problem(file, 1, h, None, "a heading named under 'columns' or 'ignore' in survey.yml (no mapping found)") for h in extra
    ]
    wording = {w.strip() for w in meta.questions}
    schema = pa.DataFrameSchema(
        {
            cols.question: pa.Column(
                str,
                pa.Check(
                    lambda s: s.str.strip().isin(wording),
                    error="a question wording listed under 'questions' in survey.yml (no mapping found)",
                ),
            ),
            cols.response: pa.Column(str, pa.Check(_known_label, error="a known response label")),
            cols.count: pa.Column(
                str, pa.Check(lambda s: s.str.strip().str.fullmatch(r"\d+"), error="a whole number of responses, 0 or more")
            ),
            cols.completed: pa.Column(
                str, pa.Check(lambda s: _year_of(s) == year, error=f"the survey year {year}, the folder's year")
            ),
        },
        strict=False,
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += _failures_to_problems(err.failure_cases, file, frame)
    key = pd.DataFrame({"q": frame[cols.question].str.strip(), "r": frame[cols.response].map(codes.normalise_label)})
    for index in key.index[key.duplicated(keep="first") & key["r"].notna()]:
        problems.append(
            Problem(
                file,
                int(index) + FIRST_DATA_ROW,
                cols.response,
                frame.at[index, cols.response],
                "each response option once per question (this one is repeated)",
            )
        )
    return problems


def _check_dates(meta: YearMeta, data_dir: Path, year: int) -> list[Problem]:
    """Warn about fieldwork or focus-group dates outside the survey year (or the next, for a
    year such as 2020/21): new-year carries last year's dates over for the analyst to replace."""
    dates = {}
    if meta.fieldwork:
        dates |= {"fieldwork.survey_open": meta.fieldwork.survey_open, "fieldwork.survey_close": meta.fieldwork.survey_close}
    if meta.focus_groups:
        dates |= {"focus_groups.first": meta.focus_groups.first, "focus_groups.last": meta.focus_groups.last}
    return [
        Problem(
            _survey_file(data_dir, year), None, key, str(value), f"a date in {year} or {year + 1} (is it last year's?)", "warning"
        )
        for key, value in dates.items()
        if value is not None and value.year not in (year, year + 1)
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


def _check_published(path: Path, bank: QuestionBank, data_dir: Path) -> list[Problem]:
    if not path.is_file():
        return []
    shown = display_path(path, data_dir)
    try:
        frame = counts.read_table(path)
    except ValueError as exc:
        return [Problem(shown, None, None, None, f"a readable table, but the file {exc}")]
    missing = [c for c in ("question_id", "pct_positive", "source") if c not in frame.columns]
    if missing:
        return [Problem(shown, 1, c, None, "this column") for c in missing]
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
                    lambda s: (s.str.strip() == "") | s.str.strip().str.fullmatch(r"[1-9]\d*"),
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
        return _failures_to_problems(err.failure_cases, shown, frame)
    return []


def _check_extras(year_dir: Path, bank: QuestionBank, data_dir: Path) -> list[Problem]:
    """Light checks of the optional narrative files: the right columns and known themes."""
    problems = []
    expected = {
        "quotes.csv": ["theme", "quote", "speaker", "illustrative"],
        "words.csv": ["word", "count"],
        "indicators.csv": ["code", "label", "value", "unit", "source"],
    }
    for name, columns in expected.items():
        path = year_dir / name
        if not path.is_file():
            continue
        shown = display_path(path, data_dir)
        try:
            frame = counts.read_table(path)
        except ValueError as exc:
            problems.append(Problem(shown, None, None, None, f"a readable table, but the file {exc}"))
            continue
        problems += [Problem(shown, 1, c, None, "this column") for c in columns if c not in frame.columns]
        if "theme" in frame.columns:
            for index, theme in frame["theme"].items():
                if theme.strip() not in bank.themes:
                    problems.append(
                        Problem(
                            shown, int(index) + FIRST_DATA_ROW, "theme", theme, f"one of the themes: {', '.join(bank.themes)}"
                        )
                    )
        if "count" in frame.columns:
            for index, value in frame["count"].items():
                if not value.strip().isdigit():
                    problems.append(Problem(shown, int(index) + FIRST_DATA_ROW, "count", value, "a whole number"))
        if "source" in frame.columns and name != "indicators.csv":
            allowed = " or ".join(f"'{s}'" for s in VOICE_SOURCES)
            for index, value in frame["source"].items():
                if value.strip().lower() not in ("", *VOICE_SOURCES):
                    problems.append(
                        Problem(shown, int(index) + FIRST_DATA_ROW, "source", value, f"{allowed} (or empty for a focus group)")
                    )
        if name == "indicators.csv" and "value" in frame.columns:
            for index, value in frame["value"].items():
                if pd.isna(pd.to_numeric(value.strip(), errors="coerce")):
                    problems.append(Problem(shown, int(index) + FIRST_DATA_ROW, "value", value, "a number"))
            if "code" in frame.columns:
                for index in frame.index[frame["code"].str.strip().duplicated()]:
                    problems.append(
                        Problem(shown, int(index) + FIRST_DATA_ROW, "code", frame.at[index, "code"], "each indicator code once")
                    )
    path = year_dir / "recommendations.yml"
    if path.is_file():
        try:
            raw = load_recommendations(data_dir, int(year_dir.name))
        except DataError as exc:
            return problems + exc.problems
        shown = display_path(path, data_dir)
        for part in ("previous", "current"):
            for number, item in enumerate(raw.get(part) or [], start=1):
                if not isinstance(item, dict) or not item.get("recommendation"):
                    problems.append(
                        Problem(shown, None, f"{part}[{number}]", None, "a recommendation with a 'recommendation' text")
                    )
                elif item.get("theme") and item["theme"] not in bank.themes:
                    problems.append(
                        Problem(
                            shown, None, f"{part}[{number}].theme", item["theme"], f"one of the themes: {', '.join(bank.themes)}"
                        )
                    )
    return problems
