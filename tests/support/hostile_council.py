"""A small council of our own making, for the hostile-input corpus and the injection test.

Two years (2021 and 2022) of one-row-per-respondent CSV exports with team, locality and role,
two themes of two statements each, a published figure, quotes, words, indicators and
recommendations: every kind of input file, small enough that a copy costs nothing. Every
file is written as text, exactly, so a case can change one line or one byte of it.

`texts` replaces the council's words (organisation, team names, quotes, ...) so the same
folder can be filled with hostile strings for tests/pipeline/test_injection.py.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

YEARS = (2021, 2022)
STATEMENTS = {  # code -> (theme, short label, wording)
    "PR01": ("practice", "Clear priorities", "I understand the service's practice priorities."),
    "PR02": ("practice", "Reflective supervision", "I receive supervision that is regular and reflective."),
    "WB01": ("wellbeing", "Manageable workload", "My workload is manageable."),
    "WB02": ("wellbeing", "Wellbeing support", "My manager supports my wellbeing."),
}
LABELS = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know", ""]
WEIGHTS = [20, 40, 12, 12, 6, 5, 5]
ROWS = {2021: 50, 2022: 60}

PLAIN = {
    "organisation": "Hostile Test Council",
    "service": "Children's Social Care",
    "report_title": "Staff Health Check",
    "notice": "Synthetic test data: a council made up for the test suite.",
    "context": "A quiet year for the test council.",
    "teams": ["North Team", "South Team"],
    "localities": ["Upton", "Downton"],
    "roles": ["Social worker", "Team manager"],
    "theme_titles": {"practice": "Practice", "wellbeing": "Health and wellbeing"},
    "theme_intros": {"practice": "How staff see practice.", "wellbeing": "How staff see their wellbeing."},
    "highlight": "Supervision",
    "shorts": {},  # code -> short label, replacing STATEMENTS' where given
    "wordings": {},  # code -> wording (both years), replacing STATEMENTS' where given
    "quotes": [
        ("practice", "Supervision helps me think.", "Social worker, north"),
        ("wellbeing", "Workload is heavy.", "Team manager"),
    ],
    "words": [("workload", 12), ("supervision", 9), ("support", 7)],
    "recommendation": "Protect time for reflective supervision.",
    "action": "Supervision audit every quarter",
    "indicators": [("agency", "Agency social workers", "12", "staff", "Workforce return (synthetic)")],
}


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wording(code: str, texts: dict) -> str:
    return texts["wordings"].get(code, STATEMENTS[code][2])


def export_rows(year: int, texts: dict = PLAIN) -> list[list[str]]:
    """The year's export: heading row, then one row per respondent (seeded, so always the same)."""
    rng = random.Random(year)
    head = ["Response ID", "Completed", "Team", "Locality", "Role", *(wording(c, texts) for c in STATEMENTS)]
    rows = [head]
    for i in range(ROWS[year]):
        answers = rng.choices(LABELS, weights=WEIGHTS, k=len(STATEMENTS))
        rows.append(
            [
                f"R{year}{i + 1:03d}",
                f"{year}-05-{i % 28 + 1:02d} 10:{i % 60:02d}",
                texts["teams"][i % 2],
                texts["localities"][(i // 2) % 2],
                texts["roles"][(i // 4) % 2],
                *answers,
            ]
        )
    return rows


def settings_text(texts: dict = PLAIN) -> str:
    return (
        f"organisation: {_q(texts['organisation'])}\n"
        f"service: {_q(texts['service'])}\n"
        f"report_title: {_q(texts['report_title'])}\n"
        "suppression_threshold: 10\n"
        "caution_threshold: 20\n"
        "reconciliation: warn\n"
        f"demonstration_notice: {_q(texts['notice'])}\n"
    )


def bank_text(texts: dict = PLAIN) -> str:
    lines = ["themes:"]
    for code in ("practice", "wellbeing"):
        lines += [f"  {code}:", f"    title: {_q(texts['theme_titles'][code])}", f"    intro: {_q(texts['theme_intros'][code])}"]
        if code == "practice":
            lines += [
                "    highlights:",
                f"      - heading: {_q(texts['highlight'])}",
                "        statements: [PR02]",
                f"        text: {_q(texts['theme_intros'][code])}",
            ]
    lines.append("questions:")
    for code, (theme, short, _) in STATEMENTS.items():
        lines += [f"  {code}:", f"    theme: {theme}", f"    short: {_q(texts['shorts'].get(code, short))}", "    wording:"]
        lines += [f"      {year}: {_q(wording(code, texts))}" for year in YEARS]
        if code == "PR02":
            lines.append("    comparable_from: 2022")
    return "\n".join(lines) + "\n"


def survey_text(year: int, texts: dict = PLAIN) -> str:
    questions = "\n".join(f"  {_q(wording(c, texts))}: {c}" for c in STATEMENTS)
    return (
        f"year: {year}\n"
        "level: respondents\n"
        "export: export.csv\n"
        "columns:\n"
        "  respondent_id: Response ID\n"
        "  completed: Completed\n"
        "  team: Team\n"
        "  locality: Locality\n"
        "  role: Role\n"
        "ignore: []\n"
        f"questions:\n{questions}\n"
        "fieldwork:\n"
        f"  survey_open: {year}-05-01\n"
        f"  survey_close: {year}-06-10\n"
        f"workforce: {ROWS[year] + 40}\n"
        "focus_groups:\n"
        "  held: 4\n"
        "  participants: 20\n"
        f"  first: {year}-05-02\n"
        f"  last: {year}-06-30\n"
        f"context: {_q(texts['context'])}\n"
        'synthetic: "Everything in this council is synthetic."\n'
        "sources: []\n"
    )


def recommendations_text(texts: dict = PLAIN) -> str:
    return (
        "previous:\n"
        "  - id: R2021-1\n"
        "    theme: practice\n"
        f"    recommendation: {_q(texts['recommendation'])}\n"
        f"    actions: [{_q(texts['action'])}]\n"
        "    status: in progress\n"
        "current:\n"
        "  - id: R2022-1\n"
        "    theme: wellbeing\n"
        f"    recommendation: {_q(texts['recommendation'])}\n"
        f"    planned_actions: [{_q(texts['action'])}]\n"
    )


def write_council(folder: Path, texts: dict | None = None) -> Path:
    """Write the whole council into `folder` (created); return it."""
    texts = {**PLAIN, **(texts or {})}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.yml").write_text(settings_text(texts), encoding="utf-8")
    (folder / "question_bank.yml").write_text(bank_text(texts), encoding="utf-8")
    for year in YEARS:
        year_dir = folder / str(year)
        year_dir.mkdir(exist_ok=True)
        (year_dir / "survey.yml").write_text(survey_text(year, texts), encoding="utf-8")
        (year_dir / "export.csv").write_text(_csv(export_rows(year, texts)), encoding="utf-8")
        quotes = [["theme", "quote", "speaker", "illustrative", "source"]]
        quotes += [[theme, quote, speaker, "yes", "focus group"] for theme, quote, speaker in texts["quotes"]]
        (year_dir / "quotes.csv").write_text(_csv(quotes), encoding="utf-8")
        words = [["word", "count", "source"]] + [[w, str(n), "focus group"] for w, n in texts["words"]]
        (year_dir / "words.csv").write_text(_csv(words), encoding="utf-8")
    latest = folder / "2022"
    (latest / "published.csv").write_text(
        _csv([["question_id", "pct_positive", "n", "source"], ["WB01", "55", "", "Staff survey 2022 summary"]])
    )
    indicators = [["code", "label", "value", "unit", "source"]] + [list(row) for row in texts["indicators"]]
    (latest / "indicators.csv").write_text(_csv(indicators), encoding="utf-8")
    (latest / "recommendations.yml").write_text(recommendations_text(texts), encoding="utf-8")
    return folder
