"""A synthetic council whose breakdowns leaked under the old suppression, for the attack tests.

Teams nest in localities, every fourth or fifth person manages, a few are students, and two
West staff gave no team. In the report year (2023) North is Alpha (20) and Bravo (4), and
South is Charlie (11), Delta (25) and Echo (6): the old method, each table on its own, hid
Bravo and Echo (both small, both with agreeing and other answers) and showed North, Alpha,
South, Charlie and Delta, so North - Alpha gave Bravo exactly. 2022 has the same layout with
other sizes, so the book has two years of group figures. A team name with "&" and a
statement with an apostrophe check that every output escapes and reads back the same text.

SUP03 is for staff in their first year in practice only (everyone else answers "Not
applicable"), as some real statements are: eleven newly qualified staff in Alpha, Charlie,
Delta and Foxtrot answer it, so the other teams and roles have no valid answers to it at all.
Counted as hidden cells, those empty groups could not be protected (the newly qualified role,
labelled "hidden", is at least 10 of the 11, which leaves the other roles at most 1), and the
national batch's audit refused books of that shape.
Everything is synthetic.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import yaml

REPORT_YEAR, FIRST_YEAR = 2023, 2022
THEMES = {
    "support": {"title": "Support and supervision", "intro": "How staff are supported by their managers."},
    "workload": {"title": "Workload and wellbeing", "intro": "Whether the work is manageable."},
}
# code -> (theme, short label, wording)
STATEMENTS = {
    "SUP01": ("support", "Regular supervision", "I get regular, reflective supervision."),
    "SUP02": ("support", "Manager listens", "My manager listens to what I say."),
    "WRK01": ("workload", "Manageable workload", "My workload is manageable."),
    "WRK02": ("workload", "Know where to get help", "I know where to get help when I'm struggling."),
}
# team -> (locality, staff in 2022, staff in 2023, how likely to agree)
TEAMS = {
    "Alpha": ("North", 18, 20, 0.7),
    "Bravo & Co": ("North", 5, 4, 0.5),
    "Charlie": ("South", 12, 11, 0.55),
    "Delta": ("South", 22, 25, 0.65),
    "Echo": ("South", 7, 6, 0.5),
    "Foxtrot": ("West", 14, 15, 0.6),
    "Golf": ("West", 10, 12, 0.75),
    "": ("West", 2, 2, 0.5),  # gave no team
}
SMALL_TEAMS = ("Bravo & Co", "Echo")
# A statement only staff in their first year answer: code -> (theme, short label, wording).
FIRST_YEAR_ONLY = {
    "SUP03": ("support", "First-year caseload protected", "If you are in your first year: my caseload is kept lighter."),
}
# Who is in their first year: team -> positions in the team's list of staff (the same in both years).
NEWLY_QUALIFIED = {"Alpha": (1, 6, 11), "Charlie": (1, 6), "Delta": (1, 6, 11, 16), "Foxtrot": (1, 6)}
LABELS = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree", "Don't know"]


def _answers(rng: random.Random, agree: float, n: int) -> list[str]:
    """n answers with about `agree` of them agreeing; never all the same, so that a small
    team always has agreeing and other answers (the old method then hid no more than it)."""
    labels = []
    for i in range(n):
        if i == 0:
            labels.append("Agree")
        elif i == 1:
            labels.append("Disagree")
        else:
            weights = [agree / 2, agree / 2, (1 - agree) / 2, (1 - agree) / 3, (1 - agree) / 6, 0.03]
            labels.append(rng.choices(LABELS, weights)[0])
    return labels


def _role(team: str, i: int) -> str:
    if i % 5 == 0:
        return "Team manager"
    if team == "Delta" and i in (3, 8, 13):
        return "Student"
    return "Newly qualified" if i in NEWLY_QUALIFIED.get(team, ()) else "Social worker"


def export_rows(year: int, seed: int = 11) -> list[dict]:
    """The year's respondent export: one row per person."""
    rng = random.Random(seed + year)
    first_year = random.Random(seed + year + 1)  # its own stream: the other answers stay as they were
    rows = []
    for team, (locality, *sizes, agree) in TEAMS.items():
        size = sizes[0] if year == FIRST_YEAR else sizes[1]
        answers = {code: _answers(rng, agree, size) for code in STATEMENTS}
        for code in FIRST_YEAR_ONLY:
            drawn = [first_year.choices(LABELS[:5], [3, 3, 1, 2, 1])[0] for _ in range(size)]
            answers[code] = [a if _role(team, i) == "Newly qualified" else "Not applicable" for i, a in enumerate(drawn)]
        for i in range(size):
            role = _role(team, i)
            row = {
                "Response ID": f"{team[:1] or 'X'}{year}{i:03d}",
                "Completed": f"{year}-05-{1 + i % 28:02d} 10:00",
                "Team": team,
                "Locality": locality,
                "Role": role,
            }
            row.update({wording: answers[code][i] for code, (_, _, wording) in (STATEMENTS | FIRST_YEAR_ONLY).items()})
            rows.append(row)
    return rows


def write_data(folder: Path) -> Path:
    """The data folder: settings.yml, question_bank.yml (themes format) and 2022/ and 2023/."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"organisation": "Nested Test Council", "report_title": "Staff Survey", "suppression_threshold": 10}
    (folder / "settings.yml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    bank = {
        "themes": THEMES,
        "questions": {
            code: {"theme": theme, "short": short, "wording": {FIRST_YEAR: wording, REPORT_YEAR: wording}}
            for code, (theme, short, wording) in (STATEMENTS | FIRST_YEAR_ONLY).items()
        },
    }
    (folder / "question_bank.yml").write_text(yaml.safe_dump(bank, sort_keys=False), encoding="utf-8")
    for year in (FIRST_YEAR, REPORT_YEAR):
        year_dir = folder / str(year)
        year_dir.mkdir(exist_ok=True)
        pd.DataFrame(export_rows(year)).to_csv(year_dir / "export.csv", index=False, encoding="utf-8-sig")
        meta = {
            "year": year,
            "level": "respondents",
            "export": "export.csv",
            "columns": {
                "respondent_id": "Response ID",
                "completed": "Completed",
                "team": "Team",
                "locality": "Locality",
                "role": "Role",
            },
            "questions": {wording: code for code, (_, _, wording) in (STATEMENTS | FIRST_YEAR_ONLY).items()},
            "workforce": 120,
        }
        (year_dir / "survey.yml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return folder
