"""A second council, of our own making, for the "any council" tests.

Nothing here resembles the demonstration: its own four themes and twelve statements (in the
style of the national employer standards), a first year known only from two published
percentages with their bases, and a second year exported as XLSX with other metadata headings,
Title Case answers, "Don't Know", "N/A" and blanks. Everything is synthetic.

The analyst's own edits (the bank's themes, settings, the year's facts) are the texts below;
the tests write them where the documented commands ask the analyst to.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd

from tests.support import analyst
from tests.support.analyst import Analyst

ORGANISATION = "Borough of Northmere"
SERVICE = "Family Help and Safeguarding"
REPORT_TITLE = "Staff Voice Check"

THEMES = {
    "standards": ("Working to the standards", "How staff see the service's commitment to the employer standards."),
    "caseloads": ("Caseloads and time", "Whether caseloads leave time for direct work with families."),
    "learning": ("Learning at work", "Time, budget and support for continuing professional development."),
    "belonging": ("Belonging and voice", "Whether staff feel heard, valued and likely to stay."),
}

# code -> (theme, short label, wording)
STATEMENTS = {
    "ES01": ("standards", "Standards are known", "I know what the employer standards promise me."),
    "ES02": ("standards", "Leaders act on feedback", "Senior leaders act on what practitioners tell them."),
    "ES03": ("standards", "Clear routes to raise concerns", "I know how to raise a concern about practice safely."),
    "CL01": ("caseloads", "Caseload is workable", "The number of families I hold lets me do good work."),
    "CL02": ("caseloads", "Time for direct work", "I spend enough of my week face to face with children."),
    "CL03": ("caseloads", "Cover when absent", "My work is covered fairly when colleagues are away."),
    "LD01": ("learning", "Protected learning days", "I get my protected learning days each year."),
    "LD02": ("learning", "Learning budget", "There is money for the training I need."),
    "LD03": ("learning", "Reflective space", "Group reflection is part of my normal month."),
    "BV01": ("belonging", "Feel valued", "I feel valued by the organisation."),
    "BV02": ("belonging", "Would recommend", "I would recommend this service as a place to work."),
    "BV03": ("belonging", "Plan to stay", "I expect to be working here in two years' time."),
}

FIRST_YEAR, SECOND_YEAR = 2023, 2024
# The second year's `publication` (survey.yml), as the analyst fills it in: the PDF's cover prints it.
PUBLISHED_ON, OWNER = "2024-09-16", "Principal Social Worker, Family Help and Safeguarding"
# The first year survives only as two published percentages with their bases.
PUBLISHED_FIRST = {"CL01": (58, 88), "BV02": (77, 88)}

LABELS = ["Strongly Agree", "Agree", "Neither Agree Nor Disagree", "Disagree", "Strongly Disagree", "Don't Know", "N/A", ""]
WEIGHTS = [18, 40, 14, 14, 6, 3, 3, 2]
SERVICE_AREAS = ["Front Door", "Family Safeguarding", "Corporate Parenting", "Young Adults"]
ROLES = ["Social Worker", "Senior Practitioner", "Team Manager", "Family Worker"]


def write_export(path: Path, rows: int = 61, seed: int = 7) -> None:
    """The second year's XLSX download: other metadata headings, Title Case answers and blanks."""
    rng = random.Random(seed)
    records = []
    for i in range(rows):
        record = {
            "Respondent": f"N{1000 + i}",
            "Start time": f"{SECOND_YEAR}-03-{1 + i % 27:02d} 09:{i % 60:02d}",
            "End time": f"{SECOND_YEAR}-03-{1 + i % 27:02d} 10:{i % 60:02d}",
            "Service area": SERVICE_AREAS[i % len(SERVICE_AREAS)],
            "Job role": ROLES[(i // 3) % len(ROLES)],
        }
        for code, (_, _, wording) in STATEMENTS.items():
            # CL01 rises against the published first year, so a tested change appears
            weights = [30, 45, 10, 8, 3, 2, 1, 1] if code == "CL01" else WEIGHTS
            record[wording] = rng.choices(LABELS, weights=weights)[0]
        records.append(record)
    pd.DataFrame(records).to_excel(path, index=False, sheet_name="Responses")


def bank_text() -> str:
    """question_bank.yml as the analyst writes it: their themes, and the statements `import` printed."""
    return analyst.bank_text(
        THEMES, STATEMENTS, lambda code: [SECOND_YEAR] if code not in PUBLISHED_FIRST else [FIRST_YEAR, SECOND_YEAR]
    )


def settings_text() -> str:
    """settings.yml after the analyst filled in the skeleton."""
    return (
        f"organisation: {ORGANISATION}\n"
        f"service: {SERVICE}\n"
        f"report_title: {REPORT_TITLE}\n"
        "suppression_threshold: 10\n"
        "reconciliation: warn\n"
        'demonstration_notice: "Synthetic test data: a council made up for the test suite."\n'
    )


def published_text() -> str:
    """The first year's published.csv: two percentages with their bases."""
    rows = ["question_id,pct_positive,n,source"]
    rows += [f"{code},{pct},{n},Staff Voice Check {FIRST_YEAR} summary (synthetic)" for code, (pct, n) in PUBLISHED_FIRST.items()]
    return "\n".join(rows) + "\n"


def build_as_the_guide_says(work: Path):
    """The analyst's path in docs/analyst-guide.md ("Starting for a new council"), step by step,
    in `work`: returns the second year's book folder and what `import` printed. About 40 s on two
    cores; tests/conftest.py builds it once a session (`second_council_book`)."""
    helper = Analyst(work)
    data, run = helper.data, helper.run
    run("new-year", FIRST_YEAR)
    # The analyst fills in the skeletons: settings, their own themes and statements.
    (data / "settings.yml").write_text(settings_text(), encoding="utf-8")
    (data / "question_bank.yml").write_text(bank_text(), encoding="utf-8")
    # The first year is known only from published figures: published.csv, and no export.
    (data / str(FIRST_YEAR) / "published.csv").write_text(published_text(), encoding="utf-8")
    survey = data / str(FIRST_YEAR) / "survey.yml"
    survey.write_text(re.sub(r"(?m)^export: .*\n", "", survey.read_text(encoding="utf-8")), encoding="utf-8")
    run("validate", "--year", FIRST_YEAR)

    run("new-year", SECOND_YEAR)
    export = work / "downloads" / "Staff survey results.xlsx"
    export.parent.mkdir()
    write_export(export)
    imported = run("import", "--year", SECOND_YEAR, export)
    # The import asks rather than guesses: the team is the analyst's to confirm.
    assert "team           PLEASE CONFIRM: perhaps 'Service area'" in imported.stdout
    helper.confirm_team(SECOND_YEAR, "Service area")
    # The date of publication and the report's owner, as the skeleton asks.
    survey = data / str(SECOND_YEAR) / "survey.yml"
    # the whole block, however the skeleton writes it ("publication:" then its indented keys)
    text = re.sub(r"(?m)^publication:.*\n(?:[ \t]+.*\n)*", "", survey.read_text(encoding="utf-8"))
    publication = f"publication:\n  date: {PUBLISHED_ON}\n  owner: {OWNER}\n"
    survey.write_text(text + publication, encoding="utf-8")
    run("validate")
    run("build", "--year", SECOND_YEAR, "--build-dir", work / "build")
    return work / "build" / str(SECOND_YEAR), imported
