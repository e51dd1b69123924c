"""Small exports of each survey tool, laid out as each tool documents its download.

Nothing here is a real response: every answer is drawn from a seeded random generator. The
layouts follow the tools' own descriptions of their exports (see `healthcheck.surveytools`
and docs/analyst-guide.md): SurveyMonkey's two heading rows, Qualtrics' three, Microsoft
Forms' ID/Start time/Completion time/Email/Name, Google Forms' Timestamp, SmartSurvey's
UserNo/Started/Ended. A council of our own ("Eastbrook", synthetic) asks six statements.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

from tests.support import analyst

ORGANISATION = "Eastbrook Council (synthetic)"
THEMES = {"support": "Support at work", "pay": "Pay and workload"}
# code -> (theme, short label, wording): one wording with a curly apostrophe and a pound sign,
# so labels are checked to print as typed.
STATEMENTS = {
    "SUP01": ("support", "Manager supports me", "My manager supports me when work is hard."),
    "SUP02": ("support", "Supervision is regular", "I receive supervision that is regular and useful."),
    "SUP03": ("support", "Team pulls together", "My team pulls together when it is busy."),
    "PAY01": ("pay", "Paid fairly", "I\u2019m paid fairly (in \u00a3) for the work I do."),
    "PAY02": ("pay", "Workload manageable", "My workload is manageable most weeks."),
    "PAY03": ("pay", "Time for training", "I have enough time for training and reading."),
}
TEAMS = ["North Team", "South Team"]
TEAM_QUESTION = "Which team do you work in?"
MATRIX = "How far do you agree with each statement?"
COMMENTS = "Anything else you would like to tell us?"
REMARKS = [
    "The new rota has made a real difference to how the week feels.",
    "Supervision gets cancelled when the duty desk is short of people.",
    "More joint visits with experienced colleagues would help newer staff.",
    "The office move has made it harder to talk things through with colleagues.",
    "Training days are good but the backlog afterwards is hard to clear.",
    "It would help to have clearer guidance on which forms are still needed.",
    "Our manager is approachable and listens to ideas from the team.",
    "Agency cover comes and goes, which makes handovers difficult for families.",
]
FIVE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
FIVE_NEUTRAL = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree"]
FOUR = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
ROWS = 30


def _answers(rng: random.Random, labels: list[str], extra: list[str] = ()) -> list[str]:
    weights = [30, 40, 15, 10, 5][: len(labels)]
    return [rng.choices([*labels, *extra, ""], weights=[*weights, *([3] * len(extra)), 2])[0] for _ in STATEMENTS]


def _when(year: int, i: int) -> dt.datetime:
    return dt.datetime(year, 5, 2 + i % 20, 9 + i % 8, (7 * i) % 60, (13 * i) % 60)


def _comment(i: int) -> str:
    return "" if i % 3 == 0 else f"{REMARKS[i % len(REMARKS)]} ({i})"


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _write_xlsx(path: Path, rows: list[list], merges: list[tuple[int, int, int]] = ()) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for row, first, last in merges:  # merged heading cells, as SurveyMonkey's workbook has them
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    book.save(path)


def surveymonkey_rows(year: int, seed: int = 1, labels: list[str] = FIVE, extra: list[str] = ()) -> list[list]:
    """SurveyMonkey's "All responses data" (expanded): question on row 1, "Response", a matrix's
    statements, "Other (please specify)" and "Open-Ended Response" on row 2."""
    rng = random.Random(seed)
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1"]  # fmt: skip
    wordings = [w for _, _, w in STATEMENTS.values()]
    top = [*meta, TEAM_QUESTION, "", MATRIX, *[""] * (len(wordings) - 1), COMMENTS]
    sub = [*[""] * len(meta), "Response", "Other (please specify)", *wordings, "Open-Ended Response"]
    rows = [top, sub]
    for i in range(ROWS):
        start = _when(year, i)
        rows.append(
            [str(11422790000 + 37 * i), "405123456" if i % 2 else "405123457", start.strftime("%m/%d/%Y %I:%M:%S %p"),
             (start + dt.timedelta(minutes=9)).strftime("%m/%d/%Y %I:%M:%S %p"), f"192.0.2.{i + 1}", "", "", "", "",
             TEAMS[i % 2], "", *_answers(rng, labels, extra), _comment(i)]
        )  # fmt: skip
    return rows


def write_surveymonkey_csv(path: Path, year: int, **kw) -> None:
    _write_csv(path, surveymonkey_rows(year, **kw))


def write_surveymonkey_xlsx(path: Path, year: int, **kw) -> None:
    rows = surveymonkey_rows(year, **kw)
    first = rows[0].index(MATRIX) + 1
    _write_xlsx(path, rows, merges=[(1, first, first + len(STATEMENTS) - 1), (1, first - 2, first - 1)])


def write_qualtrics_csv(path: Path, year: int, seed: int = 2, labels: list[str] = FOUR, extra=("Prefer not to say",)) -> None:
    """Qualtrics' CSV: export tags, question text ("Question - Statement"), ImportId JSON rows."""
    rng = random.Random(seed)
    fixed = [
        ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/London"}),
        ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/London"}),
        ("Status", "Response Type", {"ImportId": "status"}),
        ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
        ("Progress", "Progress", {"ImportId": "progress"}),
        ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
        ("Finished", "Finished", {"ImportId": "finished"}),
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/London"}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
        ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
        ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
    ]
    tags = [t for t, _, _ in fixed] + ["Q1"] + [f"Q2_{n}" for n in range(1, len(STATEMENTS) + 1)] + ["Q3"]
    texts = [x for _, x, _ in fixed] + [TEAM_QUESTION] + [f"{MATRIX} - {w}" for _, _, w in STATEMENTS.values()] + [COMMENTS]
    ids = [json.dumps(i, separators=(",", ":")) for _, _, i in fixed] + ['{"ImportId":"QID1"}']
    ids += [f'{{"ImportId":"QID2_{n}"}}' for n in range(1, len(STATEMENTS) + 1)] + ['{"ImportId":"QID3_TEXT"}']
    rows = [tags, texts, ids]
    for i in range(ROWS):
        start = _when(year, i)
        end = start + dt.timedelta(minutes=8)
        rows.append(
            [start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"), "IP Address", f"198.51.100.{i + 1}",
             "100", "480", "True", end.strftime("%Y-%m-%d %H:%M:%S"), f"R_{i:03d}aBcDeFgHiJkLm", "", "anonymous", "EN",
             TEAMS[i % 2], *_answers(rng, labels, list(extra)), _comment(i)]
        )  # fmt: skip
    _write_csv(path, rows)


def excel_serial(when: dt.datetime) -> float:
    """The Excel serial number of a date and time (days since 30 December 1899)."""
    return round((when - dt.datetime(1899, 12, 30)).total_seconds() / 86400, 6)


def write_microsoft_forms_xlsx(path: Path, year: int, seed: int = 3, labels: list[str] = FIVE_NEUTRAL) -> None:
    """Microsoft Forms' workbook: ID, Start time, Completion time, Email, Name, then one column per
    question (a Likert question's statements each a column). The times here are Excel serial
    numbers in General format (44354.35), as a workbook re-saved by another program has them."""
    rng = random.Random(seed)
    head = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", TEAM_QUESTION]
    head += [w for _, _, w in STATEMENTS.values()] + [COMMENTS]
    rows: list[list] = [head]
    for i in range(ROWS):
        start = _when(year, i)
        rows.append(
            [i + 1, excel_serial(start), excel_serial(start + dt.timedelta(minutes=6)), "anonymous", "", None, TEAMS[i % 2],
             *_answers(rng, labels), _comment(i)]
        )  # fmt: skip
    _write_xlsx(path, rows)


def write_google_forms_csv(path: Path, year: int, seed: int = 4) -> None:
    """Google Forms' CSV: Timestamp, then the question text; each statement a linear scale of
    1 (Strongly disagree) to 5 (Strongly agree), so the answers are numbers."""
    rng = random.Random(seed)
    rows = [["Timestamp", TEAM_QUESTION, *[w for _, _, w in STATEMENTS.values()], COMMENTS]]
    for i in range(ROWS):
        answers = [rng.choices(["5", "4", "3", "2", "1", ""], weights=[30, 40, 15, 10, 5, 2])[0] for _ in STATEMENTS]
        rows.append([_when(year, i).strftime("%d/%m/%Y %H:%M:%S"), TEAMS[i % 2], *answers, _comment(i)])
    _write_csv(path, rows)


def smartsurvey_rows(year: int, seed: int = 5, matrix: bool = True) -> list[list]:
    """SmartSurvey's raw data: UserNo, Name, Email, IP Address, Unique ID, Started, Ended, Tracking
    Link, Custom Value, then numbered questions; a matrix's statements on a second heading row."""
    rng = random.Random(seed)
    meta = ["UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended", "Tracking Link", "Custom Value"]
    wordings = [w for _, _, w in STATEMENTS.values()]
    if matrix:
        rows = [
            [*meta, f"1. {TEAM_QUESTION}", f"2. {MATRIX}", *[""] * (len(wordings) - 1), f"3. {COMMENTS}"],
            [*[""] * len(meta), "", *wordings, ""],
        ]
    else:
        rows = [[*meta, f"1. {TEAM_QUESTION}", *[f"{n}. {w}" for n, w in enumerate(wordings, start=2)],
                 f"{len(wordings) + 2}. {COMMENTS}"]]  # fmt: skip
    for i in range(ROWS):
        start = _when(year, i)
        rows.append(
            [str(3000 + i), "", "", f"203.0.113.{i + 1}", "", start.strftime("%d/%m/%Y %H:%M:%S"),
             (start + dt.timedelta(minutes=7)).strftime("%d/%m/%Y %H:%M:%S"), "Staff link", "", TEAMS[i % 2],
             *_answers(rng, FIVE, ["Don't know"]), _comment(i)]
        )  # fmt: skip
    return rows


def write_smartsurvey_csv(path: Path, year: int, **kw) -> None:
    _write_csv(path, smartsurvey_rows(year, **kw))


def write_smartsurvey_xlsx(path: Path, year: int, **kw) -> None:
    _write_xlsx(path, smartsurvey_rows(year, matrix=False, **kw))


# year -> (tool, file name, writer): one export of every tool, a year each.
EXPORTS = {
    2018: ("surveymonkey", "Staff survey 2018.csv", write_surveymonkey_csv),
    2019: ("surveymonkey", "Staff survey 2019.xlsx", write_surveymonkey_xlsx),
    2020: ("qualtrics", "Staff+Survey_May 2020_10.15.csv", write_qualtrics_csv),
    2021: ("microsoft-forms", "Staff survey(1-30).xlsx", write_microsoft_forms_xlsx),
    2022: ("google-forms", "Staff survey (Responses) - Form responses 1.csv", write_google_forms_csv),
    2023: ("smartsurvey", "SmartSurvey raw data 2023.csv", write_smartsurvey_csv),
    2024: ("smartsurvey", "SmartSurvey raw data 2024.xlsx", write_smartsurvey_xlsx),
}


def bank_text(years) -> str:
    """question_bank.yml as the analyst writes it: themes and statements, the wording each year."""
    years = list(years)
    return analyst.bank_text({code: (title, None) for code, title in THEMES.items()}, STATEMENTS, lambda _: years)


def settings_text() -> str:
    return (
        f"organisation: {ORGANISATION}\n"
        "service: Adult Social Care\n"
        "suppression_threshold: 10\n"
        'demonstration_notice: "Synthetic test data: a council made up for the survey-tool tests."\n'
    )
