"""Survey tools' exports as they are downloaded: one small description per tool.

Each `Tool` says how its export is laid out: how many heading rows it has, which headings
mark it, which columns it adds about the response (ids, collectors, dates, devices, people),
and how its heading rows become one heading per column. `recognise` tells the tool from the
first rows of a file; the readers (`read.read_table(..., tool=...)`) call `headings_for` to
get the number of heading rows and the headings, so `import`, `validate` and the build all
read an export the same way, as survey.yml's `tool` says.

The layouts follow each tool's own description of its export (see `docs/analyst-guide.md`):

* SurveyMonkey (CSV and XLSX, "All responses data", expanded): two heading rows. Row 1 holds
  the question over its first column (the cells to its right are empty, or the same text in
  a workbook with merged cells); row 2 holds "Response" or "Open-Ended Response" under a
  question of one column, each statement of a matrix, each option of a multiple choice, and
  "Other (please specify)". Respondent ID, Collector ID, Start Date, End Date, IP Address,
  Email Address, First Name, Last Name and Custom Data columns come first.
* Qualtrics (CSV): three heading rows: the export tags (StartDate, ResponseId, Q1, Q2_1), the
  question text ("Question - Statement" for a matrix item), and the ImportId JSON row.
* Microsoft Forms (XLSX): one heading row: ID, Start time, Completion time, Email, Name (and
  Last modified time in newer forms), then one column per question.
* Google Forms (CSV): one heading row: Timestamp (and Email Address when collected), then the
  question text; a grid's rows are "Question [Row]". It has no respondent id: the row is one.
* SmartSurvey (CSV and XLSX, raw data): UserNo, Name, Email, IP Address, Unique ID, Started,
  Ended, Tracking Link and Custom Value first; a matrix's statements on a second heading row
  when the export has one (row 2 empty under UserNo).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", str(text).lower()).split())


@dataclass(frozen=True)
class Tool:
    """How one survey tool lays out its export."""

    key: str  # as written in survey.yml's `tool`
    name: str  # as shown to the analyst
    heading_rows: int  # rows of headings above the answers (the first is survey.yml's header_row)
    marks: tuple[str, ...]  # headings of the first heading row that, all present, mark the tool
    technical: tuple[str, ...] = ()  # columns about the response, never statements or groups
    has_id: bool = True  # False: the export has no respondent id column; each row is one response
    neutral: str = "Neither agree nor disagree"  # the tool's default middle label
    combine: Callable[[list[list[str]]], list[str]] = field(default=lambda rows: list(rows[0]), repr=False)

    def is_technical(self, heading: str) -> bool:
        """Whether a heading is one the tool adds about the response (ids, dates, people, devices)."""
        norm = _norm(heading)
        return any(norm == _norm(t) or (t.endswith("*") and norm.startswith(_norm(t[:-1]))) for t in self.technical)


def _pad(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    return [[str(c).strip() for c in r] + [""] * (width - len(r)) for r in rows]


def _unique(headings: list[str], fallback: list[str]) -> list[str]:
    """Headings made unique: a repeated heading gets its fallback form (question - option)."""
    counts = Counter(headings)
    return [fallback[i] if h and counts[h] > 1 else h for i, h in enumerate(headings)]


_SM_WHOLE = {"response", "open ended response"}


def _surveymonkey(rows: list[list[str]]) -> list[str]:
    """Row 1 question (carried over the columns it spans), row 2 sub-heading -> one heading."""
    top, sub = _pad(rows[:2]) if len(rows) > 1 else (_pad(rows)[0], [])
    sub = sub or [""] * len(top)
    question, spans, owner = "", Counter(), []
    for i, cell in enumerate(top):
        # A workbook with merged cells repeats nothing; one with the text repeated is the same question.
        if cell and not (cell == question and sub[i] and _norm(sub[i]) not in _SM_WHOLE):
            question = cell
        owner.append(question)
        spans[question] += 1
    out, fallback = [], []
    for i, (cell, below) in enumerate(zip(top, sub, strict=True)):
        q = owner[i]
        if not below:
            heading = cell or q
        elif _norm(below) in _SM_WHOLE:
            heading = q
        elif _norm(below).startswith("other please specify") or spans[q] == 1:
            heading = f"{q} - {below}" if q else below
        else:
            heading = below  # a matrix's statement (or an option of a multiple choice)
        out.append(heading)
        fallback.append(f"{q} - {below}" if q and below else heading)
    return _unique(out, fallback)


def _qualtrics(rows: list[list[str]]) -> list[str]:
    """Row 2's question text; a matrix item's shared "Question - " prefix is left out."""
    tags, text = (_pad(rows[:2]) + [[], []])[:2]
    text = text or tags
    stems: dict[str, list[int]] = {}
    for i, tag in enumerate(tags):
        match = re.fullmatch(r"(.+?)_\d+", tag)
        if match:
            stems.setdefault(match.group(1), []).append(i)
    out = [t or tags[i] for i, t in enumerate(text)]
    for columns in stems.values():
        if len(columns) < 2:
            continue
        texts = [text[i] for i in columns]
        prefix = texts[0]
        for t in texts[1:]:
            while not t.startswith(prefix):
                prefix = prefix[:-1]
        cut = prefix.rfind(" - ")
        if cut > 0:
            for i in columns:
                out[i] = text[i][cut + 3 :].strip() or text[i]
    return _unique(out, [t or tags[i] for i, t in enumerate(text)])


_GRID = re.compile(r"(?s)(.*\S)\s*\[(.+)\]\s*")


def _google(rows: list[list[str]]) -> list[str]:
    """One heading row; a grid's "Question [Row]" columns become their rows' text."""
    heading = _pad(rows[:1])[0]
    parts = [_GRID.fullmatch(h) for h in heading]
    per_question = Counter(m.group(1) for m in parts if m)
    out = [m.group(2).strip() if m and per_question[m.group(1)] > 1 else h for h, m in zip(heading, parts, strict=True)]
    return _unique(out, heading)


_NUMBERED = re.compile(r"\s*(?:Q\s*)?\d+[.):]\s+")


def _smartsurvey(rows: list[list[str]]) -> list[str]:
    """Question numbers ("1. ") left out; a second heading row's statements as a matrix's headings."""
    if len(rows) > 1:
        out = _surveymonkey(rows[:2])
    else:
        out = _pad(rows[:1])[0]
    return [_NUMBERED.sub("", h, count=1) if _NUMBERED.match(h) else h for h in out]


SURVEYMONKEY = Tool(
    "surveymonkey",
    "SurveyMonkey",
    2,
    ("Respondent ID", "Collector ID"),
    technical=(
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
        "Last Name", "Custom Data*",
    ),
    combine=_surveymonkey,
)  # fmt: skip
QUALTRICS = Tool(
    "qualtrics",
    "Qualtrics",
    3,
    ("ResponseId",),
    technical=(
        "Start Date", "End Date", "Response Type", "Status", "IP Address", "Progress", "Duration (in seconds)",
        "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
        "Recipient Email", "External Data Reference", "External Reference", "Location Latitude",
        "Location Longitude", "Distribution Channel", "User Language",
    ),
    combine=_qualtrics,
)  # fmt: skip
MICROSOFT_FORMS = Tool(
    "microsoft-forms",
    "Microsoft Forms",
    1,
    ("ID", "Start time", "Completion time"),
    technical=("ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Total points", "Quiz feedback"),
    neutral="Neutral",
)
GOOGLE_FORMS = Tool(
    "google-forms",
    "Google Forms",
    1,
    ("Timestamp",),
    technical=("Timestamp", "Email Address", "Email", "Score"),
    has_id=False,
    combine=_google,
)
SMARTSURVEY = Tool(
    "smartsurvey",
    "SmartSurvey",
    1,
    ("UserNo", "Started", "Ended"),
    technical=("UserNo", "UserID", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended", "Tracking Link",
               "Custom Value", "Custom Variable*"),
    combine=_smartsurvey,
)  # fmt: skip
OTHER = Tool("other", "a table with one heading row (no survey tool recognised)", 1, ())

TOOLS = {t.key: t for t in (SURVEYMONKEY, QUALTRICS, MICROSOFT_FORMS, GOOGLE_FORMS, SMARTSURVEY, OTHER)}


def tool_named(key: str | None) -> Tool:
    """The tool of a survey.yml `tool` value (OTHER for none); KeyError for an unknown key."""
    return TOOLS[key or "other"]


def _has(row: list[str], names: tuple[str, ...]) -> bool:
    present = {_norm(c) for c in row}
    return all(_norm(n) in present for n in names)


def recognise(rows: list[list[str]]) -> Tool:
    """The tool whose export this is, from its first rows (the heading row first); OTHER when none."""
    rows = _pad(rows[:4]) if rows else [[]]
    first = rows[0]
    third = rows[2] if len(rows) > 2 else []
    import_ids = sum(1 for c in third if c.startswith("{") and "importid" in c.lower())
    if _has(first, QUALTRICS.marks) or (third and import_ids >= max(1, len([c for c in third if c]) // 2)):
        return QUALTRICS
    for tool in (SURVEYMONKEY, MICROSOFT_FORMS, SMARTSURVEY):
        if _has(first, tool.marks):
            return tool
    second = rows[1] if len(rows) > 1 else []
    if _has(first, ("Respondent ID",)) and any(_norm(c) in _SM_WHOLE for c in second):
        return SURVEYMONKEY  # an export without the collector column: row 2's "Response" marks it
    if first and _norm(first[0]) == "timestamp":
        return GOOGLE_FORMS
    return OTHER


def heading_rows(tool: Tool, rows: list[list[str]]) -> int:
    """How many heading rows this file has: the tool's, or for SmartSurvey 2 when row 2 is a
    row of sub-headings (empty under UserNo, where every answer row has a number)."""
    if tool is SMARTSURVEY and len(rows) > 1:
        first, second = _pad(rows[:2])
        user = next((i for i, c in enumerate(first) if _norm(c) == "userno"), None)
        if user is not None and not second[user] and any(second[user + 1 :]):
            return 2
    return tool.heading_rows


def describe(tool: Tool, rows: int) -> str:
    """In words: which tool, and where its headings are."""
    if tool is OTHER:
        return "no survey tool recognised: read as a table with one heading row"
    lines = {1: "one heading row", 2: "two heading rows", 3: "three heading rows"}.get(rows, f"{rows} heading rows")
    return f"{tool.name} export ({lines}, read as downloaded)"


def import_id(cell: str) -> str | None:
    """The ImportId of a Qualtrics third-row cell ('{"ImportId":"QID3_1"}'), or None."""
    try:
        value = json.loads(cell)
    except (ValueError, TypeError):
        return None
    return value.get("ImportId") if isinstance(value, dict) else None
