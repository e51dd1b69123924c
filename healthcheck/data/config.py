"""The YAML files that describe the report: settings, the question bank, and each year's survey.yml.

Each is validated on load with pydantic; any mistake becomes a `Problem` naming the file and
the key, so a misspelt setting is reported instead of silently ignored. Here are the models
and their cross-checks; reading a file into a model, and pydantic's errors put in words, are
`yamlmodel`'s.

Long because it is the one schema of every YAML input (settings with its measures and
spreadsheets, the bank, a year's survey.yml with its tool, scale, groups and publication,
recommendations): one place to read what a council may write, and the cross-checks between
keys need the models side by side.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from healthcheck.data.files import BANK_FILE, RECOMMENDATIONS_FILE, SETTINGS_FILE, YEAR_FILE
from healthcheck.data.inputs import clean_tree, tree_warnings
from healthcheck.data.yaml.model import key_problems, parse_model, read_yaml
from healthcheck.errors import DataError, Problem, display_path

#: Where quotes and words come from: the `source` column of quotes.csv and words.csv (blank: focus group).
VOICE_SOURCES = ("focus group", "survey comment")

#: Placeholders `new-year` writes for the analyst to replace; validation refuses them.
EXPORT_PLACEHOLDER = "PUT-THE-EXPORT-FILE-NAME-HERE.csv"
ORGANISATION_PLACEHOLDER = "PUT-YOUR-ORGANISATION-NAME-HERE"

#: The smallest suppression threshold allowed without a written override.
MIN_THRESHOLD = 10


class _Strict(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Spreadsheets(_Strict):
    """What the downloadable workbooks' cover sheet says beyond the title page (settings.yml,
    `spreadsheets:`)."""

    # Who answers questions about the figures (a team's mailbox, not a person's private address).
    contact: str = ""
    # Where the figures come from; empty: "<report title> staff survey, <organisation>, <year>".
    source: str = ""


class Band(_Strict):
    """One band of the score out of 100: its label and the lowest score it takes."""

    label: str = Field(min_length=1)
    from_score: float = Field(alias="from", ge=0, le=100)


#: LGA-style bands: the three band names the LGA's health check reports use. The LGA's own
#: cut-offs are not published with its reports; these follow its wording (a mean at "agree"
#: or above is good) and a council can set the national report's, or its own, in settings.yml.
DEFAULT_BANDS = (
    Band(label="good", **{"from": 70}),
    Band(label="moderate", **{"from": 55}),
    Band(label="clear steps to improve", **{"from": 0}),
)


class Measures(_Strict):
    """Which measures the report shows (settings.yml, `measures:`): the percentage agreeing
    always; with `score`, also a mean score out of 100 per statement and theme, in bands."""

    show: list[Literal["percent", "score"]] = ["percent"]
    bands: list[Band] = Field(default=list(DEFAULT_BANDS), min_length=1)

    @model_validator(mode="after")
    def _bands(self):
        cuts = [b.from_score for b in self.bands]
        if len(set(cuts)) != len(cuts):
            raise ValueError("two bands start at the same score: give each band its own `from`")
        if min(cuts) != 0:
            raise ValueError("the lowest band must start `from: 0`, so that every score has a band")
        if "percent" not in self.show:
            raise ValueError("`show` must include percent (the report's main measure); add score beside it")
        return self

    @property
    def score(self) -> bool:
        """Whether the score out of 100 is shown."""
        return "score" in self.show


class Settings(_Strict):
    """Report-wide settings from data/settings.yml."""

    organisation: str
    service: str = "Children's Social Care"
    report_title: str = "Social Work Health Check"
    suppression_threshold: int = Field(10, ge=1)
    # A threshold below 10 is allowed only with the reason written here; the report prints it.
    threshold_override: str = ""
    # Figures from at least the threshold but fewer than this many responses carry a caution mark.
    caution_threshold: int = Field(20, ge=1)
    reconciliation: Literal["warn", "fail"] = "warn"
    demonstration_notice: str = ""
    # This organisation's id and region in benchmark files (optional).
    org_id: str = ""
    region: str = ""
    spreadsheets: Spreadsheets = Spreadsheets()
    measures: Measures = Measures()

    @model_validator(mode="after")
    def _thresholds(self):
        if self.suppression_threshold < MIN_THRESHOLD and not self.threshold_override.strip():
            raise ValueError(
                f"suppression_threshold {self.suppression_threshold} is below {MIN_THRESHOLD}: use {MIN_THRESHOLD} or more, "
                "or write the reason for a lower threshold under threshold_override (the report will print it)"
            )
        if self.caution_threshold < self.suppression_threshold:
            raise ValueError("caution_threshold must be at least the suppression_threshold")
        return self


class Question(_Strict):
    """One question code in the bank."""

    theme: str
    short: str
    wording: dict[int, str]
    # Years in which the wording changed enough that earlier years must not be compared.
    comparable_from: list[int] = []
    # An outcome (such as an intention to stay): the drivers section shows what goes with it.
    outcome: bool = False

    @field_validator("comparable_from", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        if value is None:
            return []
        return [value] if isinstance(value, int) else value

    def series(self, year: int) -> int:
        """Which comparable run of this question `year` belongs to (0 before any wording break)."""
        return sum(1 for b in self.comparable_from if b <= year)


THEME_CODE = r"^[a-z][a-z0-9_-]{0,39}$"  # used in file and page names, so letters, digits, - and _
# Question codes name figure files and appear in narrative references ({pct}`IMP01`): a letter,
# then letters, digits, '.', '-' or '_' (so a code can never read as a formula or markup).
QUESTION_CODE = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"
MAX_THEMES = 15


class Highlight(_Strict):
    """Statements of a theme that get a heading and a sentence of their own."""

    heading: str = Field(min_length=1)
    statements: list[str] = Field(min_length=1)
    text: str = ""


class Theme(_Strict):
    """One theme: its chapter's title, opening paragraph and highlighted statements."""

    title: str = Field(min_length=1)
    intro: str = ""
    highlights: list[Highlight] = []


class QuestionBank(_Strict):
    """Every theme and question code: theme, short label and wording per year.

    The order of `themes` is the order of the theme chapters. A theme may be written as its
    title alone (`workload: Workload and time`) or in full (title, intro, highlights).
    """

    themes: dict[str, Theme] = Field(min_length=1, max_length=MAX_THEMES)
    questions: dict[str, Question]

    @field_validator("themes", mode="before")
    @classmethod
    def _title_alone(cls, value):
        if isinstance(value, dict):
            return {code: {"title": spec} if isinstance(spec, str) else spec for code, spec in value.items()}
        return value

    def theme_title(self, theme: str) -> str:
        """The title of a theme (its chapter heading)."""
        return self.themes[theme].title

    def theme_questions(self, theme: str) -> list[str]:
        """The question codes of a theme, in bank order."""
        return [qid for qid, q in self.questions.items() if q.theme == theme]

    def table(self) -> pd.DataFrame:
        """The `questions` table: one row per (question, year asked), in theme order."""
        theme_order = {t: i for i, t in enumerate(self.themes)}
        rows = [
            {
                "question_id": qid,
                "year": year,
                "theme": q.theme,
                "short": q.short,
                "wording": text,
                "series": q.series(year),
            }
            for qid, q in self.questions.items()
            for year, text in q.wording.items()
        ]
        df = pd.DataFrame(rows, columns=["question_id", "year", "theme", "short", "wording", "series"])
        df["_order"] = df["theme"].map(theme_order)
        df = df.sort_values(["_order", "question_id", "year"], kind="stable").drop(columns="_order")
        return df.reset_index(drop=True).astype({"year": "int64", "series": "int64"})

    def asked_in(self, year: int) -> list[str]:
        """Question codes with a wording for `year`."""
        return [qid for qid, q in self.questions.items() if year in q.wording]


class Columns(_Strict):
    """The roles of the export's non-question headings."""

    respondent_id: str | None = None
    completed: str | None = None
    team: str | None = None
    locality: str | None = None
    role: str | None = None
    question: str | None = None
    response: str | None = None
    count: str | None = None


class Fieldwork(_Strict):
    survey_open: dt.date
    survey_close: dt.date


class FocusGroups(_Strict):
    held: int = Field(ge=0)
    participants: int = Field(ge=0)
    first: dt.date | None = None
    last: dt.date | None = None


# --- survey tools and answer scales (issue 23: survey.yml's `tool`, `scale`, `non_answers`) ---

#: survey.yml's `tool`: whose export layout the export has (`surveytools`).
SurveyTool = Literal["surveymonkey", "qualtrics", "microsoft-forms", "google-forms", "smartsurvey", "other"]
NonAnswerKind = Literal["dont_know", "not_applicable", "prefer_not_to_say"]


class ScaleLabels(_Strict):
    """An answer scale written out: its labels in the order the scale runs, most positive first."""

    positive: list[str] = Field(min_length=1, max_length=3)
    neutral: list[str] = Field([], max_length=1)
    negative: list[str] = Field(min_length=1, max_length=3)


class ToolAndScale(_Strict):
    """The keys of survey.yml that say how the export's layout and answers are read."""

    # The survey tool whose export this is, as `import` recognised it (its heading rows).
    tool: SurveyTool | None = None
    # The answer scale: a name (`scales.NAMED`, e.g. agree-4) or its labels written out.
    scale: str | ScaleLabels | None = None
    # Labels that are not answers: left out of the base, counted apart by name.
    non_answers: list[str] | dict[str, NonAnswerKind] = []


class Publication(_Strict):
    """Who publishes a year's report and when (survey.yml `publication`), printed on the PDF's cover."""

    date: dt.date | None = None
    # the person or post that owns the report and answers for it
    owner: str = ""


class YearMeta(ToolAndScale):
    """A year's survey.yml: the facts of the year and how to read its export."""

    year: int
    # How the export is laid out: one row per respondent, or one row per question and answer
    # with a count. `import` sets it from the export's shape. No export at all: the year is
    # known only from published.csv.
    level: Literal["respondents", "counts"] = "respondents"
    export: str | None = None
    columns: Columns = Columns()
    ignore: list[str] = []
    questions: dict[str, str] = {}
    fieldwork: Fieldwork | None = None
    workforce: int | None = Field(None, ge=1)
    focus_groups: FocusGroups | None = None
    context: str = ""
    synthetic: str = ""
    sources: list[str] = []
    # How to read the export: the workbook's sheet (name, or position from 1) and the row
    # holding the headings; `codes` maps numeric answer codes to labels (1: Strongly agree).
    sheet: str | int | None = None
    header_row: int = Field(1, ge=1, le=1000)
    codes: dict[int | str, str | None] = {}
    # Group names that look alike (case, spacing, look-alike letters): spelling -> the name to
    # count it as; a spelling mapped to itself is kept apart on purpose (`lookalike`).
    group_names: dict[str, str] = {}
    # Small groups shown inside a named parent group, per group type: {team: {"Edge of
    # Care": "Other teams in the north"}}. A listed group with fewer valid answers than the
    # suppression threshold to every statement is published only inside its parent
    # (data-format.md, "Small groups shown together").
    small_groups: dict[Literal["team", "locality", "role"], dict[str, str]] = {}

    @field_validator("small_groups")
    @classmethod
    def _parents_named(cls, value):
        for group_type, parents in value.items():
            for group, parent in parents.items():
                if not str(group).strip() or not str(parent).strip():
                    raise ValueError(f"{group_type}: each small group and its parent group need a name")
                if str(group).strip() == str(parent).strip():
                    raise ValueError(f"{group_type}: '{group}' cannot be its own parent group")
        return value

    publication: Publication = Publication()

    @property
    def breakdown_columns(self) -> dict[str, str]:
        """group_type -> export heading, for the breakdown columns this year has."""
        cols = {"team": self.columns.team, "locality": self.columns.locality, "role": self.columns.role}
        return {k: v for k, v in cols.items() if v}


class Recommendation(_Strict):
    """One item of recommendations.yml (`previous` items have actions and a status; `current`
    items have planned actions)."""

    id: str | int = ""
    theme: str | None = None
    recommendation: str = Field(min_length=1)
    actions: list[str] = []
    planned_actions: list[str] = []
    status: Literal["complete", "in progress", "not started"] | None = None
    # Who answers for it, by when, how success will be known and the statements (question
    # codes) it responds to: optional, so that earlier years' files still read.
    owner: str = ""
    due: str = ""
    measure: str = ""
    statements: list[str] = []


def load_settings(data_dir: Path, warnings: list[Problem] | None = None) -> Settings:
    """Read and check data/settings.yml (characters removed from its text are added to `warnings`)."""
    return parse_model(Settings, data_dir / SETTINGS_FILE, data_dir, warnings)


def load_bank(data_dir: Path, warnings: list[Problem] | None = None) -> QuestionBank:
    """Read and check data/question_bank.yml, including that every theme is declared."""
    path = data_dir / BANK_FILE
    bank = parse_model(QuestionBank, path, data_dir, warnings)
    shown = display_path(path, data_dir)
    themes = ", ".join(bank.themes)
    problems = [
        Problem(shown, None, f"questions.{qid}.theme", q.theme, f"one of the themes: {themes}")
        for qid, q in bank.questions.items()
        if q.theme not in bank.themes
    ]
    problems += [
        Problem(shown, None, f"themes.{code}", code, "a theme code of lower-case letters, digits, '-' or '_' (it names files)")
        for code in bank.themes
        if not re.fullmatch(THEME_CODE, code)
    ]
    problems += [
        Problem(shown, None, f"questions.{qid[:40]}", qid,
                "a question code of a letter then letters, digits, '.', '-' or '_', such as WEL01 (it names files)")
        for qid in bank.questions
        if not re.fullmatch(QUESTION_CODE, str(qid))
    ]  # fmt: skip
    for code, theme in bank.themes.items():
        for number, highlight in enumerate(theme.highlights, start=1):
            problems += [
                Problem(shown, None, f"themes.{code}.highlights[{number}].statements", qid, "a question code of the bank")
                for qid in highlight.statements
                if qid not in bank.questions
            ]
    if problems:
        raise DataError(problems)
    return bank


def load_year_meta(data_dir: Path, year: int, warnings: list[Problem] | None = None) -> YearMeta:
    """Read and check data/<year>/survey.yml, including that it describes that year."""
    path = data_dir / str(year) / YEAR_FILE
    meta = parse_model(YearMeta, path, data_dir, warnings)
    if meta.year != year:
        raise DataError([Problem(display_path(path, data_dir), None, "year", str(meta.year), f"{year}, the folder's year")])
    return meta


def load_recommendations(data_dir: Path, year: int, warnings: list[Problem] | None = None) -> dict:
    """Read <year>/recommendations.yml: a mapping with `previous` and `current` lists ({} when absent).

    Its text is cleaned of invisible characters (said in `warnings`, when given).
    """
    path = data_dir / str(year) / RECOMMENDATIONS_FILE
    if not path.exists():
        return {}
    raw = read_yaml(path, data_dir) or {}
    shown = display_path(path, data_dir)
    if not isinstance(raw, dict):
        raise DataError([Problem(shown, None, None, type(raw).__name__, "a mapping with the keys 'previous' and 'current'")])
    raw, removed = clean_tree(raw)
    if warnings is not None:
        warnings += tree_warnings(shown, removed)
    problems = [
        Problem(shown, None, key, type(value).__name__, "no such key (is it misspelt?): only 'previous' and 'current'")
        for key, value in raw.items()
        if key not in ("previous", "current")
    ]
    for part in ("previous", "current"):
        items = raw.get(part)
        if items is not None and not isinstance(items, list):
            problems.append(Problem(shown, None, part, type(items).__name__, "a list of recommendations"))
            continue
        for number, item in enumerate(items or [], start=1):
            try:
                Recommendation.model_validate(item)
            except ValidationError as exc:
                problems += key_problems(shown, [{**err, "loc": (f"{part}[{number}]", *err["loc"])} for err in exc.errors()])
    if problems:
        raise DataError(problems)
    return raw


def survey_years(data_dir: Path) -> list[int]:
    """The years with a folder and a survey.yml in the data folder, oldest first."""
    if not data_dir.is_dir():
        return []
    # exists(), not is_file(): a folder named survey.yml is then reported as such, not as a missing year
    return sorted(int(p.name) for p in data_dir.iterdir() if p.is_dir() and p.name.isdigit() and (p / YEAR_FILE).exists())
