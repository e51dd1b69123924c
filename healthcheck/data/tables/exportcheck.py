"""The survey tool's export: found, read as survey.yml says, and checked row by row.

Reading goes through `inputs.read_clean` (so `read.read_table`: encoding, separator, sheet,
heading row); numeric answer codes are turned into labels when survey.yml's `codes` says how,
and reported once when it does not. Row-level checks are a pandera schema built from the
year's survey.yml. Row numbers are Excel's: `read_table` gives them as the frame's index.

Long because the export's checks are one sequence (tool and heading rows, look-alike group
names, the declared scale, answer codes, then the row schema), each step feeding the next its
frame and its problems; split, each part would need the others' intermediate results.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from healthcheck.data import codes, inputs, lookalike, scales
from healthcheck.data.config import YearMeta
from healthcheck.data.files import inside
from healthcheck.data.tables import read, surveytools
from healthcheck.data.tables.dates import parse_dates
from healthcheck.errors import DataError, Problem, display_path

EMPTY_EXPORT = "a heading row and at least one row of answers (the file is empty)"
EXPORT_EXTENSIONS = (*read.CSV_SUFFIXES, *read.XLSX_SUFFIXES)


@dataclass
class Export:
    """The export as read: `frame` (None when it could not be read), its problems and notes."""

    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def survey_file(data_dir: Path, year: int) -> str:
    return display_path(data_dir / str(year) / "survey.yml", data_dir)


def export_path(meta: YearMeta, data_dir: Path, year: int) -> tuple[Path | None, list[Problem]]:
    """Where the export is, or why survey.yml's `export` cannot be used: it must name a file
    inside the year's folder (no absolute path, no '..', no link leading out of the folder)."""
    year_dir = data_dir / str(year)
    name = Path(meta.export)
    if (
        not (name.is_absolute() or ".." in name.parts)
        and (year_dir / name).is_symlink()
        and not inside(year_dir / name, year_dir)
    ):
        return None, [
            Problem(
                display_path(year_dir / name, data_dir),
                None,
                None,
                "a link to a file outside the year's folder",
                "the export file itself in the year's folder (a link leading out of it is not read): copy the file in",
            )
        ]
    if name.is_absolute() or ".." in name.parts or not inside(year_dir / name, year_dir):
        return None, [
            Problem(
                survey_file(data_dir, year),
                None,
                "export",
                meta.export,
                f"the name of a file inside the {year} folder: an export outside the year's folder is not read "
                f'(copy it in with  python -m healthcheck import --year {year} "path/to/the export")',
            )
        ]
    path = year_dir / name
    shown = display_path(path, data_dir)
    if path.is_dir():
        return None, [
            Problem(shown, None, None, "a folder", "the export file named under 'export' in survey.yml, but this is a folder")
        ]
    if not path.exists():
        same = same_name(year_dir, name)
        if same is not None:  # spelt in another Unicode form on disk (a Mac's NFD, a copy from Windows)
            return same, []
        there = sorted(p.name for p in year_dir.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_EXTENSIONS)
        there = [n for n in there if n not in ("published.csv", "quotes.csv", "words.csv", "indicators.csv")]
        hint = f" (the folder holds {', '.join(map(repr, there))})" if there else ""
        return None, [Problem(shown, None, None, None, f"the export named under 'export' in survey.yml to exist{hint}")]
    return path, []


def same_name(folder: Path, name: Path) -> Path | None:
    """The file of `folder` whose name is `name` in another Unicode normal form (the same letters
    stored another way: macOS writes 'é' as 'e' and an accent), or None. Only the file's own
    name is compared, in the folder where it should be."""
    wanted = unicodedata.normalize("NFC", name.as_posix())
    parent = (folder / name).parent
    if not parent.is_dir() or not inside(parent, folder):
        return None
    matches = [p for p in parent.iterdir() if unicodedata.normalize("NFC", (p.relative_to(folder)).as_posix()) == wanted]
    return matches[0] if len(matches) == 1 and matches[0].is_file() else None


def read_export(path: Path, meta: YearMeta, data_dir: Path, year: int) -> Export:
    """Read the export as survey.yml says (sheet, header_row), apply `codes`, and check it."""
    shown = display_path(path, data_dir)
    out = Export()
    try:
        table = inputs.read_clean(path, data_dir, sheet=meta.sheet, header_row=meta.header_row, tool=meta.tool)
    except DataError as exc:
        [problem] = exc.problems
        if problem.found == "an empty file":  # the message the analyst's guide lists
            problem = Problem(shown, None, None, None, EMPTY_EXPORT)
        out.problems.append(problem)
        return out
    out.notes = [f"{shown}: {note}" for note in table.notes if not _usual(note)]
    out.problems += table.warnings
    frame = table.frame
    if frame.empty:
        out.problems.append(Problem(shown, None, None, None, EMPTY_EXPORT))
        return out
    groups = meta.breakdown_columns
    frame = lookalike.apply_names(frame, list(groups.values()), meta.group_names)
    out.problems += lookalike.problems(frame, groups, shown, meta.group_names)
    answer_columns = _answer_columns(frame, meta)
    scale, problems = scales.scale_of(meta, survey_file(data_dir, year))
    out.problems += problems
    frame, coded, problems = answer_codes(frame, answer_columns, meta, shown, data_dir, year, scale)
    out.problems += problems
    if meta.level == "respondents":
        out.problems += check_respondent_export(frame, meta, shown, data_dir, year, skip=coded, scale=scale)
    else:
        out.problems += check_counts_export(frame, meta, shown, year, skip=coded, scale=scale)
    # Declared labels are counted as their canonical ones ("Tend to agree" as "Agree").
    out.frame = scales.translate(frame, answer_columns, scale)
    return out


def _usual(note: str) -> bool:
    """Notes not worth printing: a plain UTF-8, comma-separated file."""
    return note in ("read as UTF-8", "read as UTF-8 (with a byte-order mark)", "cells separated by commas")


def _answer_columns(frame: pd.DataFrame, meta: YearMeta) -> list[str]:
    if meta.level == "counts":
        return [meta.columns.response] if meta.columns.response in frame.columns else []
    return [h for h in meta.questions if h in frame.columns]


def answer_codes(frame, columns, meta: YearMeta, shown: str, data_dir: Path, year: int, scale=scales.DEFAULT):
    """(frame, columns holding unmapped codes, problems): codes turned into labels with
    survey.yml's `codes` (or a numeric scale's), or, without them, one error for every column of numbers."""
    survey = survey_file(data_dir, year)
    mapping = meta.codes or scale.codes
    if mapping:
        problems = [
            Problem(
                survey,
                None,
                f"codes.{code}",
                label,
                "an answer label such as " + ", ".join(f"'{x}'" for x in codes.ACCEPTED_LABELS[:5]) + " (or empty)"
                if not scale.name
                else scale.expected(),
            )
            for code, label in mapping.items()
            if label not in (None, "") and scale.code(label) is None
        ]
        # With a wrong label in the mapping, every cell it reaches would fail too: say it once.
        return read.apply_codes(frame, columns, mapping), set(columns) if problems else set(), problems
    coded = [c for c in columns if read.answer_codes(frame[c])]
    if not coded:
        return frame, set(), []
    found = sorted({read.code_key(v) for c in coded for v in pd.unique(frame[c]) if str(v).strip()}, key=_number)
    named = ", ".join(repr(c[:50]) for c in coded[:3]) + (f" and {len(coded) - 3} more" if len(coded) > 3 else "")
    example = "\n".join(f"    {i}: {label}" for i, label in enumerate(_EXAMPLE, start=1))
    message = (
        f"{len(coded)} answer column(s) ({named}) hold numeric codes ({', '.join(found[:12])}) where answer labels "
        f"such as 'Strongly agree' were expected: the survey tool exported codes, not labels. Export the answers "
        f"again as labels (text), or say in {survey} what each code means, for example\n  codes:\n{example}\n"
        "(check the survey tool's codebook: some tools number from Strongly disagree, and a code such as 99 for "
        "'no answer' can be mapped to an empty label: `99: \"\"`)"
    )
    problem = Problem(shown, None, None, f"codes {', '.join(found[:12])}", "answer labels, or a `codes:` mapping in survey.yml",
                      message=message)  # fmt: skip
    return frame, set(coded), [problem]


_EXAMPLE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]


def _number(text: str):
    return (0, int(text)) if text.lstrip("-").isdigit() else (1, text)


def failures_to_problems(failures: pd.DataFrame, file: str, frame: pd.DataFrame) -> list[Problem]:
    """pandera's failure cases as Problems; the frame's index is already Excel's row number."""
    problems = []
    for row in failures.itertuples(index=False):
        if row.check == "column_in_dataframe":
            continue  # missing headings are reported by _check_headings with a better message
        index = int(row.index) if pd.notna(row.index) else None
        if row.check == "field_uniqueness":
            # Report only the repeats, not the first use of an id.
            if index is None or not frame[row.column].duplicated(keep="first").loc[index]:
                continue
            expected = "a respondent id used only once (this one appears on an earlier row)"
        else:
            expected = str(row.check)
        problems.append(Problem(file, index, str(row.column), str(row.failure_case), expected))
    return problems


def _known_label(series: pd.Series, scale=scales.DEFAULT) -> pd.Series:
    # Normalise each distinct label once: exports repeat a handful of labels many times.
    known = {v: scale.code(v) is not None for v in pd.unique(series)}
    return series.map(known)


def _year_of(series: pd.Series) -> pd.Series:
    text = series.astype(str).str.strip()
    as_year = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}")), errors="coerce")
    as_date = parse_dates(text).dt.year  # Excel serial dates (44354.35) too
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
    for heading, qid in meta.questions.items():
        if heading not in frame.columns:
            problems.append(
                Problem(
                    file,
                    1,
                    heading[:80],
                    None,
                    f"a column with this heading, mapped to {qid} under 'questions' in survey.yml: the export has no such "
                    "column (was the heading changed in the survey tool, or is this another year's export?)",
                )
            )
    return problems


def _blank_columns(frame: pd.DataFrame, meta: YearMeta, file: str) -> list[Problem]:
    """A mapped question column with no answer at all: probably the wrong column, or a
    question the tool left out; its figures would be empty."""
    return [
        Problem(
            file,
            None,
            heading,
            "every cell empty",
            f"answers to {qid} in this column (all {len(frame)} rows are empty): is it the right column, "
            "or was the question left out of the export?",
            "warning",
        )
        for heading, qid in meta.questions.items()
        if heading in frame.columns and not any(str(v).strip() for v in pd.unique(frame[heading].dropna()))
    ]


def check_respondent_export(
    frame: pd.DataFrame, meta: YearMeta, file: str, data_dir: Path, year: int, skip=frozenset(), scale=scales.DEFAULT
) -> list[Problem]:
    """Headings, ids, completion dates and answer labels of a one-row-per-respondent export.

    Columns in `skip` hold numeric codes already reported once; their cells are not checked.
    """
    problems = _check_headings(frame, meta, file, ["respondent_id", "completed", "team", "locality", "role"])
    # Google Forms exports no respondent id: each row is one response, numbered as Excel shows it.
    if not meta.columns.respondent_id and surveytools.tool_named(meta.tool).has_id:
        problems.append(
            Problem(survey_file(data_dir, year), None, "columns.respondent_id", None, "the heading of the respondent id column")
        )
    problems += _blank_columns(frame, meta, file)
    columns = {}
    if meta.columns.respondent_id in frame.columns:
        columns[meta.columns.respondent_id] = pa.Column(
            str, pa.Check(lambda s: s.str.strip() != "", error="a respondent id (the cell is empty)"), unique=True
        )
    if meta.columns.completed in frame.columns:
        columns[meta.columns.completed] = pa.Column(
            str, pa.Check(lambda s: _year_of(s) == year, error=f"a completion date in {year}, the folder's year")
        )
    expected_label = scale.expected()
    for heading in meta.questions:
        if heading in frame.columns and heading not in skip:
            columns[heading] = pa.Column(str, pa.Check(lambda s: _known_label(s, scale), error=expected_label))
    schema = pa.DataFrameSchema(columns, strict=False, coerce=False)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += _mapping_mistakes(failures_to_problems(err.failure_cases, file, frame), meta, file, len(frame))
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


def check_counts_export(
    frame: pd.DataFrame, meta: YearMeta, file: str, year: int, skip=frozenset(), scale=scales.DEFAULT
) -> list[Problem]:
    """Headings, wordings, answer labels, counts and years of a counts-per-answer export."""
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
    checks = {
        cols.question: pa.Column(
            str,
            pa.Check(
                lambda s: s.str.strip().isin(wording),
                error="a question wording listed under 'questions' in survey.yml (no mapping found)",
            ),
        ),
        cols.count: pa.Column(
            str, pa.Check(lambda s: s.str.strip().str.fullmatch(r"\d+"), error="a whole number of responses, 0 or more")
        ),
        cols.completed: pa.Column(
            str, pa.Check(lambda s: _year_of(s) == year, error=f"the survey year {year}, the folder's year")
        ),
    }
    if cols.response not in skip:
        checks[cols.response] = pa.Column(
            str,
            pa.Check(lambda s: _known_label(s, scale), error=scale.expected() if scale.declared else "a known response label"),
        )
    try:
        pa.DataFrameSchema(checks, strict=False).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += failures_to_problems(err.failure_cases, file, frame)
    return problems + _counts_rows(frame, meta, file, scale)


def _counts_rows(frame: pd.DataFrame, meta: YearMeta, file: str, scale=scales.DEFAULT) -> list[Problem]:
    """A counts export has rows for every mapped wording, and each answer once per question."""
    cols = meta.columns
    present = set(frame[cols.question].str.strip())
    problems = [
        Problem(
            file,
            None,
            cols.question,
            None,
            f"rows for '{w[:60]}' (mapped to {qid} under 'questions' in survey.yml): the export has none "
            "(was the wording changed in the survey tool?)",
        )
        for w, qid in meta.questions.items()
        if w.strip() not in present
    ]
    key = pd.DataFrame({"q": frame[cols.question].str.strip(), "r": frame[cols.response].map(scale.code)})
    problems += [
        Problem(file, int(index), cols.response, frame.at[index, cols.response],
                "each response option once per question (this one is repeated)")
        for index in key.index[key.duplicated(keep="first") & key["r"].notna()]
    ]  # fmt: skip
    return problems
