"""Build the demonstration data set in ``data/`` (see docs/data-format.md for the contract).

Run from anywhere as::

    .venv/bin/python scripts/make_demo_data.py

What is real and what is not
----------------------------
Real (and cited in the files): the fifteen percentages published in the Social Work Health
Check 2022 report and its covering letter, the 2022 fieldwork dates, the number of focus
groups and participants, the 2020/21 year label, the themes of the 2021 and 2022
recommendations and the count of progressions to Senior Social Worker.
Everything else -- respondent records, the 2020 and 2021 surveys, teams, quotes, word lists
and the wording of recommendations and actions -- is synthetic, written for the demonstration.

Determinism
-----------
Every random choice comes from a numpy Generator seeded from ``SEED`` plus a fixed key for the
purpose (year, question, ...), so adding a question does not reshuffle the others, and running
the script twice gives byte-identical files (the XLSX zip is re-packed with fixed timestamps).

The answers to each question are built from exact counts (how many strongly agree, agree, ...)
chosen so the rounded percentage is what we want, and only then dealt out over respondents.
That is how the 2022 records are guaranteed to reproduce the published figures; the script
re-reads the written export at the end and stops with an error if any of them does not.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED = 20221012  # the date of the 2022 covering letter; any fixed number would do

YEARS = (2020, 2021, 2022)

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

SRC_REPORT_2022 = "Social Work Health Check 2022 report, Gloucestershire County Council (October 2022)"
SRC_LETTER_2022 = (
    "Covering letter to colleagues with the Social Work Health Check 2022, Gloucestershire County Council (12 October 2022)"
)
SRC_LETTER_2021 = (
    "Covering letter with the 2020/21 Annual Children's Social Work Health Check Survey Report "
    "and infographic, Gloucestershire County Council (14 April 2021)"
)

# --------------------------------------------------------------------------------------------
# Themes and questions
# --------------------------------------------------------------------------------------------

# Each theme opens its chapter with a paragraph of its own (written for this project).
THEMES = {
    "improvement": {
        "title": "Improvement",
        "intro": (
            "This chapter looks at how well staff understand the service's improvement priorities and "
            "their own part in them, how the service shares what it is trying to achieve, and whether "
            "practitioners receive the regular, reflective supervision that good practice depends on."
        ),
        "highlights": [
            {
                "heading": "Supervision and the role of advanced practitioners",
                "statements": ["IMP02", "IMP05"],
                "text": (
                    "Advanced practitioners and senior social workers support supervision and reflective "
                    "discussion in teams; the breakdown by role further down shows how their views differ "
                    "from other colleagues'."
                ),
            }
        ],
    },
    "wellbeing": {
        "title": "Health and wellbeing",
        "intro": (
            "Social work asks a great deal of the people who do it. This chapter reports how staff rate "
            "their workload, their personal safety and the support they receive for their own health "
            "and wellbeing."
        ),
    },
    "practice": {
        "title": "Practice and partnership",
        "intro": (
            "This chapter covers the quality of everyday practice with children and families: recording "
            "and planning, hearing children's views, managing risk together, and working with partners "
            "such as child protection chairs and independent reviewing officers."
        ),
    },
    "cpd": {
        "title": "Continuing professional development",
        "intro": (
            "This chapter reports how staff see their opportunities to learn and develop: the time and "
            "opportunity for continuing professional development (CPD), induction for new colleagues, and "
            "the programme for newly qualified social workers in their assessed and supported year in "
            "employment (ASYE)."
        ),
    },
    "edi": {
        "title": "Equality, diversity and inclusion",
        "intro": (
            "This chapter looks at equality, diversity and inclusion (EDI) in two senses: how confident "
            "staff are that their assessments and plans respect children's and families' identities, and "
            "whether teams talk openly about EDI."
        ),
    },
    "systemic": {
        "title": "Systemic practice",
        "intro": (
            "Systemic practice is the service's chosen way of working with families: seeing a child's "
            "difficulties in the context of their relationships. This chapter reports how well staff "
            "understand it and how far the training is changing their work."
        ),
    },
}

ALL = YEARS
FROM_2021 = (2021, 2022)


@dataclass(frozen=True)
class Question:
    """One question of the bank, with what the demonstration needs to simulate it.

    ``wording`` maps each year asked to the wording used that year. ``targets`` gives the
    percentage positive to build for each year (published figures for 2022 where they exist).
    ``eligible`` names the respondent flag that decides who can answer (the rest choose
    "Not applicable"); ``dont_know`` is the share of eligible staff answering "Don't know".
    """

    code: str
    theme: str
    short: str
    wording: dict
    targets: dict
    comparable_from: int | None = None
    eligible: str | None = None
    dont_know: float = 0.03
    # An outcome statement (bank `outcome: true`): its answers follow the theme in DRIVEN_BY,
    # so the report's drivers section has something real to find in the synthetic records.
    outcome: bool = False


def same(text: str, years=ALL) -> dict:
    """The same wording in each of ``years``."""
    return {year: text for year in years}


# Percentages published for 2022 (whole service). They are the only survey results that are
# real; everything else in TARGETS is invented, chosen so that some changes between years are
# clearly significant and others are not.
PUBLISHED_2022 = {
    "IMP01": 82,
    "IMP02": 69,
    "IMP03": 80,
    "IMP04": 88,
    "WEL01": 67,
    "PRA01": 74,
    "PRA02": 69,
    "PRA03": 55,
    "PRA04": 50,
    "PRA05": 70,
    "PRA06": 72,
    "PRA07": 32,
    "PRA08": 55,
    "EDI01": 69,
    "EDI02": 74,
}

# Where each published figure appears. The Families Count figure is only in the letter; the
# supervision and EDI-discussion figures are in both the report and the letter.
PUBLISHED_SOURCE = {code: SRC_REPORT_2022 for code in PUBLISHED_2022}
PUBLISHED_SOURCE["IMP04"] = SRC_LETTER_2022
PUBLISHED_SOURCE["IMP02"] = f"{SRC_REPORT_2022}; also {SRC_LETTER_2022}"
PUBLISHED_SOURCE["EDI02"] = f"{SRC_REPORT_2022}; also {SRC_LETTER_2022}"

# Questions asked in 2020 whose results survive only as published percentages (synthetic):
# they are in the bank for 2020 but not in the 2020 export.
PUBLISHED_ONLY_2020 = {"CPD03": 66, "CPD04": 61}

QUESTIONS = [
    # ---- improvement ---------------------------------------------------------------------
    Question(
        "IMP01",
        "improvement",
        "Understand the improvement priorities and my role",
        same("I understand the continuing improvement priorities for Children's Services and my role in them."),
        {2020: 68, 2021: 79, 2022: 82},
    ),
    Question(
        # Reworded in 2022 to ask about reflective supervision, not just regular supervision,
        # so 2022 must not be compared with the earlier years.
        "IMP02",
        "improvement",
        "Regular and reflective supervision",
        {
            2020: "I receive regular supervision from my manager.",
            2021: "I receive regular supervision from my manager.",
            2022: "I receive supervision that is both regular and reflective.",
        },
        {2020: 78, 2021: 84, 2022: 69},
        comparable_from=2022,
    ),
    Question(
        "IMP03",
        "improvement",
        "Practice quality and manager oversight are top priorities",
        same("The quality of assessments, plans and visits, and of manager oversight, are the top practice priorities."),
        {2020: 70, 2021: 76, 2022: 80},
    ),
    Question(
        # Families Count briefings started in 2021 (synthetic), so the question starts then.
        "IMP04",
        "improvement",
        "Families Count is enjoyable and useful",
        same("I enjoy Families Count and it gives me useful information about our priorities.", FROM_2021),
        {2021: 81, 2022: 88},
        dont_know=0.06,
    ),
    Question(
        "IMP05",
        "improvement",
        "Advanced Practitioners help practice in my team",
        same("Advanced Practitioners help to develop practice and learning in my team.", FROM_2021),
        {2021: 64, 2022: 58},
        eligible="has_ap",
        dont_know=0.05,
    ),
    # ---- wellbeing -----------------------------------------------------------------------
    Question(
        "WEL01",
        "wellbeing",
        "Personal safety risks discussed and assessed",
        same("Risks to my personal safety are discussed and risk assessments completed, so arrangements are clear."),
        {2020: 62, 2021: 71, 2022: 67},
    ),
    Question(
        "WEL02",
        "wellbeing",
        "My workload is manageable",
        same("My workload is manageable."),
        {2020: 48, 2021: 44, 2022: 36},
        dont_know=0.01,
    ),
    Question(
        "WEL03",
        "wellbeing",
        "My manager supports my wellbeing",
        same("My manager supports my health and wellbeing."),
        {2020: 80, 2021: 82, 2022: 78},
        dont_know=0.01,
    ),
    Question(
        # The 2020 export came from a tool that wrote a curly apostrophe (and Windows-1252),
        # so the 2020 wording differs from later years in that character only.
        "WEL04",
        "wellbeing",
        "Know where to get help with my wellbeing",
        {
            2020: "I know where to get help if I\u2019m worried about my wellbeing.",
            2021: "I know where to get help if I'm worried about my wellbeing.",
            2022: "I know where to get help if I'm worried about my wellbeing.",
        },
        {2020: 79, 2021: 84, 2022: 83},
        dont_know=0.02,
    ),
    # ---- practice ------------------------------------------------------------------------
    Question(
        "PRA01",
        "practice",
        "Service values create a positive culture",
        same("The values of Children's Services help to create a positive culture for staff."),
        {2020: 58, 2021: 63, 2022: 74},
    ),
    Question(
        "PRA02",
        "practice",
        "Understand, use and evidence the Essentials principles",
        same(
            "I understand, use and evidence the Essentials principles in my practice with children and their families.", FROM_2021
        ),
        {2021: 60, 2022: 69},
    ),
    Question(
        "PRA03",
        "practice",
        "Achieve and evidence positive change",
        same("I can achieve positive change for the children and young people I work with, and show the evidence for it."),
        {2020: 52, 2021: 58, 2022: 55},
    ),
    Question(
        "PRA04",
        "practice",
        "Supported in my team on risk and decisions",
        same("In my team I feel supported in assessing and managing risk and in making decisions."),
        {2020: 57, 2021: 61, 2022: 50},
        dont_know=0.02,
    ),
    Question(
        "PRA05",
        "practice",
        "My recording, assessments and plans are improving",
        same("The quality of my case recording, assessments and planning is improving."),
        {2020: 59, 2021: 68, 2022: 70},
    ),
    Question(
        "PRA06",
        "practice",
        "Children consulted and helped to take part",
        same("Children and young people are consulted and supported to take part in their assessments, plans and reviews."),
        {2020: 66, 2021: 70, 2022: 72},
    ),
    Question(
        "PRA07",
        "practice",
        "Better communication with CP chairs and IROs",
        same(
            "My team has developed more effective communication with child protection "
            "chairs and IROs, supporting better practice.",
            FROM_2021,
        ),
        {2021: 41, 2022: 32},
        dont_know=0.09,
    ),
    Question(
        "PRA08",
        "practice",
        "Able to contribute to CP conferences and reviews",
        same("I am able to contribute effectively to child protection conferences and child in care reviews."),
        {2020: 64, 2021: 60, 2022: 55},
        eligible="attends_reviews",
    ),
    # ---- cpd (in the style of the national employer-standards health check) -------------
    Question(
        "CPD01",
        "cpd",
        "Satisfied with CPD opportunities",
        same("I am satisfied with the continuing professional development (CPD) opportunities available to me."),
        {2020: 71, 2021: 74, 2022: 72},
        dont_know=0.02,
    ),
    Question(
        # 2020 asked only about time; from 2021 the statement adds opportunity, which is a
        # different question, so 2020 is not compared with later years.
        "CPD02",
        "cpd",
        "Time and opportunity for CPD",
        {
            2020: "I have enough time for CPD.",
            2021: "I have the time and the opportunity to undertake CPD.",
            2022: "I have the time and the opportunity to undertake CPD.",
        },
        {2020: 55, 2021: 58, 2022: 49},
        comparable_from=2021,
        dont_know=0.02,
    ),
    Question(
        "CPD03",
        "cpd",
        "My induction was effective",
        same("If I joined the service in the last two years: my induction was effective."),
        {2020: PUBLISHED_ONLY_2020["CPD03"], 2021: 70, 2022: 73},
        eligible="recent_joiner",
        dont_know=0.02,
    ),
    Question(
        "CPD04",
        "cpd",
        "ASYE programme was effective",
        same("If I completed my ASYE in the last three years: the programme helped me to grow as a practitioner."),
        {2020: PUBLISHED_ONLY_2020["CPD04"], 2021: 63, 2022: 71},
        eligible="recent_asye",
        dont_know=0.02,
    ),
    # ---- edi -----------------------------------------------------------------------------
    Question(
        "EDI01",
        "edi",
        "Confident my assessments and plans support diversity",
        same("I am confident completing assessments and plans that support diversity and promote inclusion."),
        {2020: 60, 2021: 65, 2022: 69},
    ),
    Question(
        "EDI02",
        "edi",
        "EDI discussion encouraged in my team",
        same("Discussion of equality, diversity and inclusion is encouraged in my team and supports better practice."),
        {2020: 59, 2021: 66, 2022: 74},
    ),
    Question(
        "EDI03",
        "edi",
        "Able to raise discrimination in supervision",
        same("I feel able to raise experiences of discrimination or racism in supervision.", FROM_2021),
        {2021: 52, 2022: 57},
        dont_know=0.06,
    ),
    # ---- systemic (the programme's first cohort trained in 2021) -------------------------
    Question(
        "SYS01",
        "systemic",
        "Understand systemic practice principles",
        same("I understand the principles of systemic practice.", FROM_2021),
        {2021: 48, 2022: 66},
        dont_know=0.08,
    ),
    Question(
        "SYS02",
        "systemic",
        "Systemic practice training helps my work",
        same("The systemic practice training I have attended helps me in my work with children and families.", FROM_2021),
        {2021: 55, 2022: 61},
        eligible="systemic_trained",
        dont_know=0.04,
    ),
    Question(
        "SYS03",
        "systemic",
        "Confident using systemic ideas in conferences and reviews",
        same("I am confident using systemic ideas in child protection conferences and child in care reviews.", (2022,)),
        {2022: 38},
        eligible="attends_reviews",
        dont_know=0.08,
    ),
]
# Synthetic, asked in 2022 only and last in the list, so that no other question's answers (each
# drawn from its own random stream, by position) change: whether staff mean to stay. Its answers
# are dealt by how positive each person's health and wellbeing answers were, plus their general
# disposition and noise, so wellbeing is the planted driver the drivers section should find.
QUESTIONS.append(
    Question(
        "OUT01",
        "wellbeing",
        "Intend to stay for the next two years",
        {2022: "I intend to stay working for this service for at least the next two years."},
        {2022: 61},
        dont_know=0.06,
        outcome=True,
    )
)
DRIVEN_BY = "wellbeing"

BANK = {q.code: q for q in QUESTIONS}


def in_export(q: Question, year: int) -> bool:
    """Whether the question has respondent data in that year's export."""
    return year in q.wording and not (year == 2020 and q.code in PUBLISHED_ONLY_2020)


# --------------------------------------------------------------------------------------------
# Organisation: teams, localities, roles
# --------------------------------------------------------------------------------------------

ROLES = [
    "Social worker",
    "Senior social worker",
    "Advanced practitioner",
    "Team manager",
    "Family support worker",
    "Newly qualified (ASYE)",
]

# Respondents per team and year. A few teams are deliberately small (fewer than 10) so that
# suppression is visible in the breakdowns; the safeguarding teams are large.
TEAM_SIZES = {
    #                        2020 2021 2022
    "Safeguarding North": (62, 66, 75),
    "Safeguarding South": (66, 70, 80),
    "Children in Care": (50, 55, 58),
    "Early Help Stroud": (28, 30, 34),
    "Early Help Forest": (6, 7, 8),
    "Fostering": (24, 26, 28),
    "Disabled Children": (20, 22, 24),
    "Leaving Care": (25, 28, 30),
    "MASH": (10, 11, 9),
    "Court and Legal": (5, 5, 6),
}

# Share of each role in each team (order of ROLES). Early Help and Leaving Care are mostly
# family support workers and personal advisers; ASYEs sit in the case-holding teams.
TEAM_ROLES = {
    "Safeguarding North": (0.45, 0.20, 0.03, 0.08, 0.04, 0.20),
    "Safeguarding South": (0.45, 0.20, 0.03, 0.08, 0.04, 0.20),
    "Children in Care": (0.45, 0.22, 0.04, 0.09, 0.08, 0.12),
    "Early Help Stroud": (0.10, 0.05, 0.00, 0.10, 0.75, 0.00),
    "Early Help Forest": (0.10, 0.05, 0.00, 0.15, 0.70, 0.00),
    "Fostering": (0.55, 0.25, 0.00, 0.12, 0.08, 0.00),
    "Disabled Children": (0.40, 0.20, 0.00, 0.10, 0.20, 0.10),
    "Leaving Care": (0.30, 0.15, 0.00, 0.10, 0.40, 0.05),
    "MASH": (0.40, 0.30, 0.10, 0.20, 0.00, 0.00),
    "Court and Legal": (0.00, 0.50, 0.30, 0.20, 0.00, 0.00),
}

# Where each team's staff are based. County-wide services have no district.
TEAM_LOCALITIES = {
    "Safeguarding North": {"Cheltenham": 0.68, "Tewkesbury": 0.25, "Cotswolds": 0.07},
    "Safeguarding South": {"Gloucester": 0.55, "Stroud": 0.25, "Forest of Dean": 0.20},
    "Children in Care": {
        "Gloucester": 0.35,
        "Cheltenham": 0.25,
        "Stroud": 0.15,
        "Forest of Dean": 0.10,
        "Tewkesbury": 0.10,
        "Cotswolds": 0.05,
    },
    "Early Help Stroud": {"Stroud": 1.0},
    "Early Help Forest": {"Forest of Dean": 1.0},
    "Fostering": {"County-wide": 1.0},
    "Disabled Children": {"County-wide": 1.0},
    "Leaving Care": {"Gloucester": 0.5, "Cheltenham": 0.5},
    "MASH": {"County-wide": 1.0},
    "Court and Legal": {"County-wide": 1.0},
}

# Teams with Advanced Practitioners: elsewhere the AP question is "not applicable".
TEAMS_WITH_AP = {"Safeguarding North", "Safeguarding South", "Children in Care", "MASH", "Court and Legal"}

# How much more (or less) positive a team or role tends to be on a theme, on the scale of the
# respondent's latent score (sd about 1.3). This gives the breakdowns believable differences
# without touching the whole-service totals, which are fixed beforehand.
TEAM_EFFECT = {
    "Safeguarding North": {"wellbeing": -0.3},
    "Safeguarding South": {"wellbeing": -0.4, "practice": -0.2, "systemic": 0.3},
    "Children in Care": {"edi": 0.2},
    "Early Help Stroud": {"wellbeing": -0.5, "practice": -0.2},
    "Early Help Forest": {"wellbeing": -0.6, "systemic": 0.3},
    "Fostering": {"cpd": -0.6, "improvement": -0.3},
    "Disabled Children": {"cpd": -0.5},
    "Leaving Care": {"practice": 0.2},
    "MASH": {"practice": 0.4, "improvement": 0.3},
    "Court and Legal": {"practice": 0.3},
}
ROLE_EFFECT = {
    "Social worker": {"wellbeing": -0.1},
    "Senior social worker": {},
    "Advanced practitioner": {"practice": 0.3, "systemic": 0.4},
    "Team manager": {"improvement": 0.5, "cpd": 0.2, "wellbeing": 0.2},
    "Family support worker": {"practice": -0.2, "cpd": -0.2},
    "Newly qualified (ASYE)": {"cpd": 0.5, "wellbeing": 0.2},
}

# Workforce in scope, for response rates. 2022 follows from "about 80 people, about 12%";
# 2020 and 2021 are synthetic.
WORKFORCE = {2020: 610, 2021: 640, 2022: 660}

FIELDWORK = {
    2020: (dt.date(2020, 11, 9), dt.date(2020, 12, 11)),  # synthetic
    2021: (dt.date(2021, 6, 7), dt.date(2021, 7, 9)),  # synthetic
    2022: (dt.date(2022, 5, 4), dt.date(2022, 6, 10)),  # real: 2022 report
}
FOCUS_GROUPS = {
    2020: {"held": 14, "participants": 70, "first": dt.date(2020, 12, 1), "last": dt.date(2021, 2, 26)},  # synthetic
    2021: {"held": 18, "participants": 95, "first": dt.date(2021, 7, 1), "last": dt.date(2021, 9, 30)},  # synthetic
    # Real: 24 groups, about 80 people, "May to July 2022"; the day is not published, so the
    # first and last days of those months are used.
    2022: {"held": 24, "participants": 80, "first": dt.date(2022, 5, 1), "last": dt.date(2022, 7, 31)},
}

EXPORT_NAME = {
    2020: "SWHC 2020-21 response counts.csv",
    2021: "Health Check 2021 export.xlsx",
    2022: "CSC Health Check 2022 - all responses.csv",
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def rng_for(*key: int | str) -> np.random.Generator:
    """A Generator seeded from SEED and a key, so each purpose has its own stable stream."""
    words = [SEED] + [int(hashlib.sha256(str(k).encode()).hexdigest()[:8], 16) for k in key]
    return np.random.default_rng(words)


def apportion(total: int, weights) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    # ties go to the earlier entry, so the result never depends on float noise in sorting
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[: total - base.sum()]:
        base[i] += 1
    return base.tolist()


def rounds_safely_to(k: int, n: int, target: int) -> bool:
    """True when k/n is within 0.45 points of ``target``.

    Any rounding rule (half up, half even) then gives ``target``, and so does the package's
    reconciliation, which allows a difference of up to half a point.
    """
    return n > 0 and abs(100 * k / n - target) < 0.45


# --------------------------------------------------------------------------------------------
# Respondents
# --------------------------------------------------------------------------------------------


def make_respondents(year: int) -> pd.DataFrame:
    """One row per (synthetic) respondent: team, locality, role, eligibility flags, latent score.

    Team and role counts are fixed by apportionment, so the small groups are small on purpose
    and stay the same size whatever the seed.
    """
    rng = rng_for("respondents", year)
    col = YEARS.index(year)
    rows = []
    for team, sizes in TEAM_SIZES.items():
        size = sizes[col]
        roles = [r for r, n in zip(ROLES, apportion(size, TEAM_ROLES[team]), strict=True) for _ in range(n)]
        places = TEAM_LOCALITIES[team]
        locs = [p for p, n in zip(places, apportion(size, list(places.values())), strict=True) for _ in range(n)]
        locs = list(rng.permutation(locs))
        rows += [{"Team": team, "Role": r, "Locality": loc} for r, loc in zip(roles, locs, strict=True)]
    df = pd.DataFrame(rows)

    # Who the conditional questions apply to.
    recent = {
        "Newly qualified (ASYE)": 1.0,
        "Social worker": 0.35,
        "Family support worker": 0.30,
        "Senior social worker": 0.15,
        "Advanced practitioner": 0.10,
        "Team manager": 0.15,
    }
    asye = {"Newly qualified (ASYE)": 1.0, "Social worker": 0.30, "Senior social worker": 0.05}
    u = rng.random((len(df), 3))
    df["recent_joiner"] = u[:, 0] < df["Role"].map(recent).fillna(0).to_numpy()
    df["recent_asye"] = u[:, 1] < df["Role"].map(asye).fillna(0).to_numpy()
    # Systemic training began with Gloucester-based safeguarding teams in 2021 and widened in
    # 2022; leaders and APs were among the first to attend.
    p_trained = (
        {2020: 0.0, 2021: 0.25, 2022: 0.45}[year]
        + np.where(df["Role"].isin(["Advanced practitioner", "Team manager"]), 0.2, 0.0)
        + np.where(df["Team"].eq("Safeguarding South"), 0.2, 0.0)
    )
    df["systemic_trained"] = u[:, 2] < p_trained
    fsw = df["Role"].eq("Family support worker")
    df["attends_reviews"] = ~fsw | (rng.random(len(df)) < 0.3)
    df["has_ap"] = df["Team"].isin(TEAMS_WITH_AP)

    # A general disposition, shared across questions, so that answers correlate as they do in
    # real surveys.
    df["latent"] = rng.normal(0.0, 1.0, len(df))
    return df


def response_plan(n_eligible: int, target: int, dont_know: float, blank: float, exact: bool) -> dict:
    """Exact counts of each canonical response among eligible respondents.

    The valid base is what is left after "don't know" and blanks; the positive count is the
    nearest whole number to ``target`` per cent of it. When ``exact`` is set (published
    figures) the split is checked to round to ``target`` under any rounding rule, moving one
    person at a time from the valid base to the blanks until it does.
    """
    n_dk = round(dont_know * n_eligible)
    n_blank = round(blank * n_eligible)
    while True:
        n_valid = n_eligible - n_dk - n_blank
        n_pos = round(target * n_valid / 100)
        if not exact or rounds_safely_to(n_pos, n_valid, target):
            break
        n_blank += 1
    # More positive questions draw more "strongly" answers; weaker ones more strong dissent.
    sa_share = min(max(0.30 + 0.15 * (target - 50) / 50, 0.15), 0.45)
    sd_share = min(max(0.12 + 0.10 * (50 - target) / 50, 0.08), 0.25)
    sa, ag = apportion(n_pos, [sa_share, 1 - sa_share])
    ne, di, sd = apportion(n_valid - n_pos, [0.45, 0.55 - sd_share, sd_share])
    return {
        "strongly_agree": sa,
        "agree": ag,
        "neutral": ne,
        "disagree": di,
        "strongly_disagree": sd,
        "dont_know": n_dk,
        "blank": n_blank,
    }


VALID_ORDER = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]


def answer_question(people: pd.DataFrame, q: Question, year: int, position: int, driver=None) -> list[str]:
    """Canonical answer codes for every respondent to one question in one year.

    Ineligible staff answer "not applicable". Among the eligible, blanks and "don't know" fall
    at random; the valid answers are dealt from most to least positive down the respondents
    ranked by a score (disposition + team and role effects + noise), which keeps the totals
    exactly as planned while giving teams and roles different profiles.
    """
    rng = rng_for("answers", year, q.code)
    n = len(people)
    answers = np.array(["not_applicable"] * n, dtype=object)
    eligible = np.ones(n, bool) if q.eligible is None else people[q.eligible].to_numpy()
    idx = np.flatnonzero(eligible)
    # Skipped questions become more common further into the survey.
    plan = response_plan(
        len(idx), q.targets[year], q.dont_know, 0.01 + 0.0015 * position, exact=(year == 2022 and q.code in PUBLISHED_2022)
    )
    idx = rng.permutation(idx)
    answers[idx[: plan["blank"]]] = "blank"
    answers[idx[plan["blank"] : plan["blank"] + plan["dont_know"]]] = "dont_know"
    valid = idx[plan["blank"] + plan["dont_know"] :]

    effect = (
        people["Team"].map(lambda t: TEAM_EFFECT[t].get(q.theme, 0.0))
        + people["Role"].map(lambda r: ROLE_EFFECT[r].get(q.theme, 0.0))
    ).to_numpy()
    score = 0.8 * people["latent"].to_numpy() + effect + rng.normal(0.0, 1.0, n)
    if driver is not None:  # an outcome: mostly how positive the person's driving theme was
        score = 0.3 * people["latent"].to_numpy() + 1.2 * driver + rng.normal(0.0, 0.8, n)
    ranked = valid[np.argsort(-score[valid], kind="stable")]
    dealt = [code for code in VALID_ORDER for _ in range(plan[code])]
    answers[ranked] = dealt
    return answers.tolist()


def completion_times(year: int, n: int) -> list[dt.datetime]:
    """Sorted submission times inside the fieldwork window, weekdays, office-ish hours.

    Most people answer in the first days or after the mid-point and final reminders.
    """
    rng = rng_for("completed", year)
    start, end = FIELDWORK[year]
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    k = np.arange(len(days))
    weight = 1 + 3 * np.exp(-k / 3)
    weight[len(days) // 2] += 3  # reminder e-mail
    weight[-2:] += 2.5  # "closes this week" reminder
    chosen = rng.choice(len(days), size=n, p=weight / weight.sum())
    seconds = rng.integers(8 * 3600, 18 * 3600 + 1800, size=n)
    times = [dt.datetime.combine(days[d], dt.time()) + dt.timedelta(seconds=int(s)) for d, s in zip(chosen, seconds, strict=True)]
    return sorted(times)


def simulate_year(year: int) -> pd.DataFrame:
    """Respondent-level canonical answers for every question with data in ``year``."""
    people = make_respondents(year)
    asked = [q for q in QUESTIONS if in_export(q, year)]
    for position, q in enumerate(asked):
        driver = driver_score(people, year) if q.outcome else None
        people[q.code] = answer_question(people, q, year, position, driver)
    return people


def driver_score(people: pd.DataFrame, year: int) -> np.ndarray:
    """Each person's mean answer (strongly disagree 0 ... strongly agree 4) to the DRIVEN_BY
    theme's statements, standardised; the theme's mean for those who answered none."""
    points = {"strongly_agree": 4, "agree": 3, "neutral": 2, "disagree": 1, "strongly_disagree": 0}
    codes = [q.code for q in QUESTIONS if q.theme == DRIVEN_BY and not q.outcome and in_export(q, year)]
    mean = people[codes].apply(lambda col: col.map(points)).astype(float).mean(axis=1)
    mean = mean.fillna(mean.mean())
    return ((mean - mean.mean()) / mean.std()).to_numpy()


# --------------------------------------------------------------------------------------------
# Exported labels
# --------------------------------------------------------------------------------------------

# How each survey tool spelled the answers. The 2022 council-wide tool was untidy (different
# cases, trailing spaces, two names for the middle option); 2021 a little; 2020's counts
# export used a "tend to" scale. Every spelling is in the contract's accepted list. "N/A" and
# "NA" are avoided on purpose: pandas reads them as missing unless keep_default_na=False.
LABELS = {
    2020: {
        "strongly_agree": {"Strongly agree": 1},
        "agree": {"Tend to agree": 1},
        "neutral": {"Neither agree nor disagree": 1},
        "disagree": {"Tend to disagree": 1},
        "strongly_disagree": {"Strongly disagree": 1},
        "dont_know": {"Don't know": 1},
    },
    2021: {
        "strongly_agree": {"Strongly agree": 0.85, "Strongly Agree": 0.15},
        "agree": {"Agree": 1},
        "neutral": {"Neither agree nor disagree": 0.8, "Neutral": 0.2},
        "disagree": {"Disagree": 1},
        "strongly_disagree": {"Strongly disagree": 1},
        "dont_know": {"Don't know": 0.8, "Not sure": 0.2},
        "not_applicable": {"Not applicable": 1},
    },
    2022: {
        "strongly_agree": {"Strongly Agree": 0.6, "Strongly agree": 0.25, "strongly agree ": 0.15},
        "agree": {"Agree": 0.9, " agree": 0.04, "Tend to agree": 0.06},
        "neutral": {"Neutral": 0.5, "Neither agree nor disagree": 0.4, "Neither agree or disagree": 0.1},
        "disagree": {"Disagree": 0.9, "Tend to disagree": 0.1},
        "strongly_disagree": {"Strongly Disagree": 0.7, "Strongly disagree": 0.2, "strongly  disagree": 0.1},
        "dont_know": {"Don't know": 0.7, "Dont know": 0.1, "Don't know / not sure": 0.2},
        "not_applicable": {"Not applicable": 0.85, "not applicable ": 0.15},
    },
}

# The contract's table (docs/data-format.md), used to check what was written.
ACCEPTED = {
    "strongly agree": "strongly_agree",
    "agree": "agree",
    "tend to agree": "agree",
    "neither agree nor disagree": "neutral",
    "neutral": "neutral",
    "neither agree or disagree": "neutral",
    "disagree": "disagree",
    "tend to disagree": "disagree",
    "strongly disagree": "strongly_disagree",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "don't know / not sure": "dont_know",
    "not sure": "dont_know",
    "not applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "": "blank",
}


def normalise(label) -> str:
    """Canonical code of an exported label, exactly as the contract describes."""
    text = "" if label is None or (isinstance(label, float) and math.isnan(label)) else str(label)
    key = re.sub(r"\s+", " ", text.strip().lower())
    if key not in ACCEPTED:
        raise ValueError(f"label {label!r} is not in the contract's list")
    return ACCEPTED[key]


def render_labels(codes: list[str], year: int, salt: str) -> list[str]:
    """Exported spellings for canonical codes (blank -> empty string)."""
    rng = rng_for("labels", year, salt)
    out = []
    for code in codes:
        if code == "blank":
            out.append("")
            continue
        options = LABELS[year][code]
        names = list(options)
        p = np.array(list(options.values()), dtype=float)
        out.append(names[rng.choice(len(names), p=p / p.sum())])
    return out


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


class Folded(str):
    """A string to be written as a folded YAML block, for readable long text."""


class Dumper(yaml.SafeDumper):
    """Safe YAML: indented lists, folded blocks only where asked, other strings on one line.

    PyYAML would otherwise wrap long plain and quoted strings over several lines, which is
    valid but hard to read and to search for (question wordings in particular).
    """

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def write_plain(self, text, split=True):
        super().write_plain(text, split=False)

    def write_single_quoted(self, text, split=True):
        super().write_single_quoted(text, split=False)

    def write_double_quoted(self, text, split=True):
        super().write_double_quoted(text, split=False)


Dumper.add_representer(Folded, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style=">"))


# Paragraph-like fields written as folded blocks; everything else stays on one line.
FOLDED_KEYS = {"demonstration_notice", "context", "synthetic", "recommendation", "intro", "text"}


def fold_paragraphs(obj):
    """Mark the values of FOLDED_KEYS as folded blocks, at any depth."""
    if isinstance(obj, dict):
        return {k: Folded(v) if k in FOLDED_KEYS and isinstance(v, str) else fold_paragraphs(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [fold_paragraphs(v) for v in obj]
    return obj


def write_yaml(path: Path, data: dict, header: str) -> None:
    """YAML with a comment header, keys in the given order, UTF-8, LF line ends.

    The file is read back and compared with ``data``, so formatting can never change content.
    """
    body = yaml.dump(
        fold_paragraphs(data), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=92, default_flow_style=False
    )
    text = f"# {header}\n{body}"
    if yaml.safe_load(text) != data:
        fail(f"{path.name} does not read back as written")
    path.write_text(text, encoding="utf-8", newline="\n")


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8", line_end: str = "\n") -> None:
    """A CSV with a fixed encoding and line ending (exports use CRLF like Windows tools)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=line_end)
        writer.writerow(header)
        writer.writerows(rows)


FIXED_ZIP_TIME = (2021, 7, 12, 9, 0, 0)


def write_xlsx_deterministic(wb: openpyxl.Workbook, path: Path, stamp: dt.datetime) -> None:
    """Save a workbook so that the bytes do not depend on when the script runs.

    openpyxl stamps the save time into docProps/core.xml and the zip entries; both are
    replaced with fixed values.
    """
    raw = io.BytesIO()
    wb.save(raw)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------------------------
# Year exports
# --------------------------------------------------------------------------------------------


def respondent_export(year: int, people: pd.DataFrame) -> tuple[list[str], list[list]]:
    """Heading row and data rows of a respondents-level export, sorted by submission time."""
    rng = rng_for("export", year)
    asked = [q for q in QUESTIONS if in_export(q, year)]
    n = len(people)
    # Rows arrive in submission order; people were built team by team, so shuffle first.
    order = rng.permutation(n)
    people = people.iloc[order].reset_index(drop=True)
    times = completion_times(year, n)
    # IDs come from the council-wide survey, so CSC respondents' IDs have gaps between them.
    ids = (1_000_000 * (year - 2000) + 4100 + np.cumsum(rng.integers(1, 40, n))).tolist()
    browsers = {
        2021: ["Edge 91.0", "Chrome 91.0", "Safari 14.1", "Internet Explorer 11.0"],
        2022: ["Edge 101.0", "Chrome 101.0", "Safari 15.4", "Chrome Mobile 101.0"],
    }
    browser = [browsers[year][i] for i in rng.choice(4, size=n, p=[0.55, 0.25, 0.12, 0.08])]

    labels = {q.code: render_labels(people[q.code].tolist(), year, q.code) for q in asked}
    header = ["Response ID", "Completed", "Browser", "Team", "Locality", "Role"]
    header += [q.wording[year] for q in asked]
    rows = []
    for i in range(n):
        row = [ids[i], times[i], browser[i], people.at[i, "Team"], people.at[i, "Locality"], people.at[i, "Role"]]
        rows.append(row + [labels[q.code][i] for q in asked])
    return header, rows


def write_2022_export(people: pd.DataFrame, folder: Path) -> int:
    """UTF-8 CSV with a byte-order mark and CRLF, as the council-wide survey tool writes."""
    header, rows = respondent_export(2022, people)
    for row in rows:
        row[1] = row[1].strftime("%Y-%m-%d %H:%M:%S")
    write_csv(folder / EXPORT_NAME[2022], header, rows, encoding="utf-8-sig", line_end="\r\n")
    return len(rows)


def write_2021_export(people: pd.DataFrame, folder: Path) -> int:
    """XLSX: responses on the first sheet, a note on a second sheet; blank answers are empty."""
    header, rows = respondent_export(2021, people)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(header)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    for cell in ws["B"][1:]:
        cell.number_format = "dd/mm/yyyy hh:mm"
    notes = wb.create_sheet("Notes")
    notes["A1"] = (
        "Export of the Children's Social Care health check survey, 2021. Synthetic demonstration data: no real person's answers."
    )
    stamp = dt.datetime(2021, 7, 12, 9, 0, 0)
    wb.properties.creator = "Survey tool export"
    wb.properties.created = stamp
    write_xlsx_deterministic(wb, folder / EXPORT_NAME[2021], stamp)
    return len(rows)


def write_2020_export(people: pd.DataFrame, folder: Path) -> int:
    """Counts per (question wording, response) in Windows-1252 with CRLF.

    Blank answers are not counted by the tool, so they do not appear; "Don't know" does.
    """
    asked = [q for q in QUESTIONS if in_export(q, 2020)]
    order = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "dont_know"]
    rows = []
    for q in asked:
        counts = people[q.code].value_counts()
        for code in order:
            label = next(iter(LABELS[2020][code]))
            rows.append([2020, q.wording[2020], label, int(counts.get(code, 0))])
    write_csv(
        folder / EXPORT_NAME[2020], ["Survey year", "Question", "Response", "Count"], rows, encoding="cp1252", line_end="\r\n"
    )
    return len(people)


# --------------------------------------------------------------------------------------------
# Text files: settings, bank, survey.yml, quotes, words, recommendations, README
# --------------------------------------------------------------------------------------------

DEMO_NOTICE = (
    "Demonstration data. The percentages published for 2022 and the published facts about the "
    "health checks (fieldwork dates, focus groups, recommendation themes) are real and cited; "
    "everything else, including the respondent records, the 2020 and 2021 results, teams, "
    "quotes, word lists and the wording of recommendations and actions, is synthetic and was "
    "written for this demonstration."
)

CONTEXT = {
    2020: (
        "Published as the 2020/21 health check in April 2021, this was the first health check "
        "carried out during the COVID-19 pandemic. Staff answered an online survey and joined "
        "virtual focus groups while working largely from home through repeated lockdowns. The "
        "service was also preparing for Ofsted, with a focused visit during the year and a full "
        "inspection expected to follow."
    ),
    2021: (
        "The 2021 health check took place in the second year of the pandemic. Most meetings, "
        "and many contacts with families, were still virtual, and teams were working out which "
        "parts of remote practice to keep. The service was preparing for a full Ofsted "
        "inspection, the first systemic practice cohort had started training, and Families Count "
        "had begun."
    ),
    2022: (
        "This was the first health check since Ofsted's full inspection in February 2022, which "
        "judged children's services as requires improvement to be good, replacing the "
        "inadequate judgement the service had carried since 2017. For the first time the questions for children's social "
        "care were part of the council-wide staff survey, and most focus groups met in person. "
        "Staff spoke about rising referrals, stretched teams, partnership thresholds and the pull "
        "between process and time with families, as well as growing interest in systemic "
        "practice."
    ),
}

SYNTHETIC = {
    2020: (
        "All survey results are synthetic, including the response counts and the two "
        "published-only percentages (induction and ASYE). The fieldwork and focus-group dates, "
        "the number of focus groups and participants and the workforce size are invented for "
        "the demonstration; only the year label 2020/21 and the survey-plus-focus-group method "
        "come from the source."
    ),
    2021: (
        "All survey results and respondent records are synthetic, as are the fieldwork and "
        "focus-group dates, the focus-group numbers, the workforce size, the quotes and the "
        "word list. That Families Count and the systemic practice training began this year is "
        "assumed for the demonstration (their questions start in 2021). The four "
        "recommendations follow the themes in the 2022 covering letter, summarised afresh."
    ),
    2022: (
        "The respondent records and export file are synthetic. They are built so that the 15 "
        "published percentages are reproduced exactly when rounded; results for every other "
        "question, and all team, locality and role breakdowns, are invented. The workforce of "
        "660 is inferred from about 80 focus-group participants being about 12% of staff; the "
        "focus-group first and last days are the month bounds, as only the months were "
        "published. Quotes and the word list are written for the demonstration. The statement about intending "
        "to stay is synthetic too, its answers simulated to follow health and wellbeing, so that the drivers section "
        "has a known pattern to find."
    ),
}

SOURCES = {
    2020: [SRC_LETTER_2021],
    2021: [
        f"{SRC_REPORT_2022} (the values statement rose from 2021 to 2022)",
        f"{SRC_LETTER_2022} (the four 2021 recommendations)",
    ],
    2022: [SRC_REPORT_2022, SRC_LETTER_2022],
}


def write_settings() -> None:
    """data/settings.yml"""
    write_yaml(
        DATA / "settings.yml",
        {
            "organisation": "Gloucestershire County Council",
            "service": "Children's Social Care",
            "report_title": "Social Work Health Check",
            "suppression_threshold": 10,
            "reconciliation": "warn",
            "demonstration_notice": DEMO_NOTICE,
            "org_id": DEMO_ORG_ID,
            "region": DEMO_REGION,
            "spreadsheets": {"contact": "Workforce development team (a synthetic contact for the demonstration)"},
            # the LGA-style score out of 100 beside the percentages, in the default bands
            "measures": {"show": ["percent", "score"]},
        },
        "Report-wide settings. Generated by scripts/make_demo_data.py; see data/README.md.",
    )


def write_question_bank() -> None:
    """data/question_bank.yml"""
    questions = {}
    for q in QUESTIONS:
        entry = {"theme": q.theme, "short": q.short, "wording": dict(q.wording)}
        if q.comparable_from:
            entry["comparable_from"] = q.comparable_from
        if q.outcome:
            entry["outcome"] = True
        questions[q.code] = entry
    write_yaml(
        DATA / "question_bank.yml",
        {"themes": THEMES, "questions": questions},
        "Question bank for the demonstration. Statements are written for this project; generated by scripts/make_demo_data.py.",
    )


# Small teams shown together inside a named parent group in the breakdowns (survey.yml
# `small_groups`): MASH and Court and Legal are both county-wide, so their parent nests in the
# County-wide locality. Only a team under the threshold in a year is merged (MASH has 11 in 2021).
SMALL_GROUPS = {"team": {"MASH": "Other county-wide teams", "Court and Legal": "Other county-wide teams"}}
# The PDF's cover: the covering letter of the 2022 report is dated 12 October 2022 (SOURCES);
# the owner is a synthetic post, as the report's own owner was not published.
PUBLICATION = {2022: {"date": dt.date(2022, 10, 12), "owner": "Principal Social Worker, Children's Social Care (synthetic)"}}


def write_survey_yml(year: int, folder: Path) -> None:
    """data/<year>/survey.yml"""
    asked = [q for q in QUESTIONS if in_export(q, year)]
    if year == 2020:
        columns = {"completed": "Survey year", "question": "Question", "response": "Response", "count": "Count"}
        ignore = []
    else:
        columns = {
            "respondent_id": "Response ID",
            "completed": "Completed",
            "team": "Team",
            "locality": "Locality",
            "role": "Role",
        }
        ignore = ["Browser"]
    start, end = FIELDWORK[year]
    write_yaml(
        folder / "survey.yml",
        {
            "year": year,
            "level": "counts" if year == 2020 else "respondents",
            "export": EXPORT_NAME[year],
            "columns": columns,
            "ignore": ignore,
            "questions": {q.wording[year]: q.code for q in asked},
            "fieldwork": {"survey_open": start, "survey_close": end},
            "workforce": WORKFORCE[year],
            "focus_groups": dict(FOCUS_GROUPS[year]),
            "context": CONTEXT[year],
            "synthetic": SYNTHETIC[year],
            "sources": SOURCES[year],
            **({} if year == 2020 else {"small_groups": SMALL_GROUPS}),
            **({"publication": PUBLICATION[year]} if year in PUBLICATION else {}),
        },
        f"Health check {year}. Generated by scripts/make_demo_data.py; see data/README.md.",
    )


def write_published(year: int, folder: Path) -> None:
    """data/<year>/published.csv"""
    if year == 2022:
        rows = [[code, pct, PUBLISHED_SOURCE[code]] for code, pct in PUBLISHED_2022.items()]
    elif year == 2020:
        note = "Synthetic: demonstrates a published-only figure (no response counts for this question in the 2020 export)"
        rows = [[code, pct, note] for code, pct in PUBLISHED_ONLY_2020.items()]
    else:
        return
    write_csv(folder / "published.csv", ["question_id", "pct_positive", "source"], rows)


# Quotes written for the demonstration. They echo the kinds of things said in focus groups but
# are not taken from any source document.
QUOTES = {
    2021: [
        (
            "improvement",
            "You can tell things are getting better, even with all of us working from kitchen tables.",
            "Team manager, safeguarding",
        ),
        (
            "improvement",
            "The improvement messages reach us, but it is hard to ask a question on a webinar with two hundred people.",
            "Social worker, children in care",
        ),
        (
            "wellbeing",
            "I miss talking things through in the office after a hard visit. A video call is not the same.",
            "Social worker, children in care",
        ),
        (
            "wellbeing",
            "My manager checks in with us every morning and that routine has kept me going.",
            "Family support worker, early help",
        ),
        (
            "wellbeing",
            "Home is now the office, so switching off at the end of the day takes real effort.",
            "Senior social worker, disabled children",
        ),
        (
            "practice",
            "Some teenagers talk more freely on video, but you cannot see a home properly through a screen.",
            "Social worker, safeguarding",
        ),
        ("practice", "Online conferences run to time, but parents can look lost in them.", "Senior social worker, safeguarding"),
        (
            "cpd",
            "Online training is easier to fit in, but I learn less without the chat afterwards.",
            "Social worker, leaving care",
        ),
        (
            "cpd",
            "My first year has been mostly remote. I have learned a lot but feel less connected to the team.",
            "Newly qualified social worker (ASYE)",
        ),
        (
            "edi",
            "This year's conversations about racism made me reread my own assessments.",
            "Senior social worker, children in care",
        ),
        ("edi", "We need more confidence to name discrimination when we see it.", "Team manager, early help"),
        (
            "systemic",
            "I am curious about systemic practice but not yet sure what it will ask of me.",
            "Social worker, safeguarding",
        ),
        ("systemic", "The first cohort came back full of ideas and the rest of us want to catch up.", "Advanced practitioner"),
    ],
    2022: [
        (
            "improvement",
            "I know what the priorities are. What I want is the time to show them in my work with families.",
            "Social worker, safeguarding",
        ),
        (
            "improvement",
            "The briefings are useful, but our team plan should say what they mean for us.",
            "Senior social worker, children in care",
        ),
        ("improvement", "Supervision notes now start with the child rather than the deadline.", "Advanced practitioner"),
        (
            "wellbeing",
            "After a difficult visit, a two-minute call from my manager makes all the difference.",
            "Family support worker, early help",
        ),
        (
            "wellbeing",
            "Evening visits on my own still worry me. We need a clear plan for who knows where I am.",
            "Family support worker, early help",
        ),
        (
            "wellbeing",
            "I would like wellbeing to be a standing item in supervision, not something we reach if there is time.",
            "Social worker, disabled children",
        ),
        ("practice", "Some cases come back to us before anyone has tried anything different.", "Team manager, safeguarding"),
        (
            "practice",
            "When a family has had three social workers in a year, the first job is earning their trust again.",
            "Social worker, children in care",
        ),
        ("practice", "Audit feedback has started to feel like help rather than judgement.", "Senior social worker, leaving care"),
        ("cpd", "The Academy courses are good. Finding a clear day to go is the hard part.", "Social worker, safeguarding"),
        (
            "cpd",
            "My ASYE group is the one place I can ask basic questions without worrying.",
            "Newly qualified social worker (ASYE)",
        ),
        ("cpd", "We need training that fits fostering work, not only the general offer.", "Social worker, fostering"),
        (
            "edi",
            "We talk about difference more openly now, but it can still feel like a box to tick.",
            "Senior social worker, safeguarding",
        ),
        (
            "edi",
            "I want a safe way to say in supervision when a family has been racist towards me.",
            "Social worker, safeguarding",
        ),
        (
            "systemic",
            "Asking each person what they think is going on changes the whole conversation.",
            "Social worker, safeguarding",
        ),
        ("systemic", "The course is worth it, but it sits on top of a full caseload.", "Senior social worker, children in care"),
        (
            "systemic",
            "Drawing a genogram together on the first visit showed me who really matters to the child.",
            "Advanced practitioner",
        ),
        (
            "wellbeing",
            "The new duty rota helps, but on a heavy week there is still no slack at all.",
            "Social worker",
            "survey comment",
        ),
        (
            "cpd",
            "Protected learning time would make the difference; at the moment it is the first thing to go.",
            "Senior social worker",
            "survey comment",
        ),
    ],
}

# Focus-group word lists (synthetic counts). 2021 leans on the hopeful words the 2022 report
# recalls from the 2021 word cloud; 2022 on change, pace and pressure.
WORDS = {
    2021: {
        "improving": 41,
        "virtual": 33,
        "motivated": 29,
        "supported": 27,
        "progressing": 25,
        "adapting": 24,
        "remote": 22,
        "stable": 21,
        "supervision": 20,
        "heard": 19,
        "achieving": 18,
        "wellbeing": 18,
        "teamwork": 17,
        "isolated": 16,
        "tired": 15,
        "flexible": 15,
        "relationships": 14,
        "caseloads": 14,
        "learning": 13,
        "busy": 13,
        "hopeful": 12,
        "committed": 12,
        "inspection": 12,
        "Essentials": 11,
        "workload": 11,
        "resilient": 10,
        "trust": 10,
        "reflection": 9,
        "partners": 9,
        "proud": 9,
        "screens": 8,
        "systemic": 8,
        "connected": 7,
        "anxious": 7,
        "valued": 7,
        "families": 6,
        "recording": 6,
        "juggling": 5,
        "curious": 5,
        "Academy": 5,
    },
    2022: {
        "pressure": 36,
        "change": 33,
        "supervision": 30,
        "relationships": 28,
        "workload": 27,
        "pace": 25,
        "uncertainty": 23,
        "improving": 22,
        "thresholds": 21,
        "caseloads": 20,
        "partners": 19,
        "referrals": 18,
        "reflection": 17,
        "systemic": 17,
        "trust": 16,
        "wellbeing": 16,
        "supported": 15,
        "process": 15,
        "stretched": 14,
        "valued": 13,
        "teamwork": 13,
        "turnover": 12,
        "learning": 12,
        "proud": 11,
        "tired": 11,
        "autonomy": 10,
        "collaboration": 10,
        "hopeful": 9,
        "recording": 9,
        "Essentials": 9,
        "committed": 8,
        "frustrated": 8,
        "agency": 8,
        "rewarding": 7,
        "challenging": 7,
        "resilient": 6,
        "curious": 6,
        "isolated": 5,
        "bureaucracy": 5,
        "kindness": 4,
    },
}

# Recommendations and actions, summarised in this project's own words.
RECS_2020 = [
    {
        "id": "R2020-1",
        "theme": "wellbeing",
        "recommendation": "Give teams regular, protected time to talk about the emotional impact "
        "of working remotely through the pandemic.",
        "actions": [
            "Weekly virtual team check-ins set up in every team",
            "Managers briefed on spotting isolation and stress in remote workers",
        ],
        "status": "complete",
    },
    {
        "id": "R2020-2",
        "theme": "improvement",
        "recommendation": "Explain the improvement plan in terms of what it means for day-to-day practice in each team.",
        "actions": [
            "Improvement priorities added as a standing item in team meetings",
            "Short practice guides produced for each improvement priority",
        ],
        "status": "in progress",
    },
    {
        "id": "R2020-3",
        "theme": "cpd",
        "recommendation": "Make online learning easier to reach and to fit around casework.",
        "actions": ["Academy sessions recorded and made available to watch later", "Learning calendar published a term ahead"],
        "status": "complete",
    },
]

RECS_2021 = [
    {
        "id": "R2021-1",
        "theme": "practice",
        "recommendation": "Use what was learned nationally and locally during the pandemic to "
        "shape practice after lockdown, with the experience of front-line staff "
        "informing the expectations set for practice.",
    },
    {
        "id": "R2021-2",
        "theme": "wellbeing",
        "recommendation": "Support teams to keep virtual work safe, risk-informed and inclusive, "
        "with guidance and oversight, resources for staff wellbeing and regular "
        "space to reflect on risks, outcomes and how well virtual plans work.",
    },
    {
        "id": "R2021-3",
        "theme": "improvement",
        "recommendation": "Check how far service-wide changes and messages reach teams and "
        "partners, and how they are shared, understood and kept going.",
    },
    {
        "id": "R2021-4",
        "theme": "cpd",
        "recommendation": "Be more open about role responsibilities and routes for progression, "
        "tied to the post-qualifying standards, with fewer and clearer "
        "communications that managers translate for their teams.",
    },
]
RECS_2021_PLANNED = {
    "R2021-1": [
        "Agree which virtual ways of working to keep once restrictions ease",
        "Collect and share examples of good practice from the pandemic",
    ],
    "R2021-2": [
        "Produce guidance for managers on wellbeing conversations",
        "Review when virtual contact is and is not appropriate",
    ],
    "R2021-3": ["Hold whole-staff briefings with senior leaders", "Ask teams how service messages reach them"],
    "R2021-4": [
        "Publish a career progression framework for social work roles",
        "Link appraisals to the post-qualifying standards",
    ],
}
RECS_2021_DONE = {
    "R2021-1": (
        [
            "More work in person where that helps children and families",
            "Hybrid working facilities in every office, with agile working kept under review",
            "Contribution to a regional toolkit on virtual working",
            "Direct work kits for teams, 'learning lunches', and a quality assurance "
            "framework revised around appreciative inquiry",
        ],
        "complete",
    ),
    "R2021-2": (
        [
            "Virtual contact kept only where it adds value; child protection conferences back in person",
            "A wellbeing conversations toolkit for managers, mental health e-learning and an emotional wellbeing support package",
            "Systemic practice adopted as the practice model, now in its second year of training",
        ],
        "complete",
    ),
    "R2021-3": (
        [
            "Families Count kept, as most staff find it useful (88% positive in 2022)",
            "Whole-staff webinars and senior leader visits to district offices",
            "Weekly sessions with the director in the Social Work Academy",
            "Plans to improve induction and development for experienced staff",
        ],
        "in progress",
    ),
    "R2021-4": (
        [
            "A career progression framework that now includes the Senior Social Worker and Advanced Practitioner roles",
            "19 colleagues progressed to Senior Social Worker in 2021-22",
            "Appraisals not yet reaching everyone; Academy programme still to be made known to all",
        ],
        "in progress",
    ),
}

RECS_2022 = [
    {
        "id": "R2022-1",
        "theme": "practice",
        "recommendation": "Give social workers and social care staff more chances to discuss "
        "thresholds and barriers to partnership working with colleagues in the "
        "service and partner agencies, building shared views of risk, roles and "
        "responsibilities.",
        "planned_actions": [
            "Review the levels-of-intervention guidance with the safeguarding "
            "partnership, with practitioners and managers contributing",
            "Shared learning events through the partnership and the Academy",
        ],
        "owner": "Head of Safeguarding and Partnerships (synthetic)",
        "due": "March 2023",
        "measure": "Agreement that staff are supported on risk and decisions back to its 2021 level, "
        "and better communication with chairs and reviewing officers agreed by at least half of staff, in the 2023 health check",
        "statements": ["PRA04", "PRA07"],
    },
    {
        "id": "R2022-2",
        "theme": "systemic",
        "recommendation": "Build on growing familiarity with systemic practice, and help key "
        "practitioners to model it in child protection conferences, child in care "
        "reviews, assessments and plans.",
        "planned_actions": [
            "More introductory sessions on systemic practice and the training",
            "Guidance for managers supporting staff on the programme",
            "Lunchtime learning with examples from participating teams",
            "Sessional clinical support for systemic practice, and a systemic leadership programme for senior leaders",
        ],
        "owner": "Principal Social Worker (synthetic)",
        "due": "September 2023",
        "measure": "Three in four staff confident using systemic ideas in conferences and reviews by the 2024 health check",
        "statements": ["SYS01", "SYS03"],
    },
    {
        "id": "R2022-3",
        "theme": "improvement",
        "recommendation": "Confirm what good supervision looks like, how it is recorded and how "
        "reflection is used to support and develop social workers.",
        "planned_actions": [
            "A revised supervision policy, with clearer expectations for recording and updated practice standards",
            "Supervision skills sessions to launch the new policy",
        ],
        "owner": "Assistant Director, Quality and Practice (synthetic)",
        "due": "January 2023",
        "measure": "Case supervision recorded on time for nine in ten children, and agreement that supervision is "
        "regular and reflective higher in the 2023 health check",
        "statements": ["IMP02"],
    },
    {
        "id": "R2022-4",
        "theme": "wellbeing",
        "recommendation": "Pay the same attention to recognising and supporting emotional health "
        "in social care, linked to work on equality, diversity and inclusion.",
        "planned_actions": [
            "Corporate health and wellbeing group to review the wellbeing offer",
            "Review the equality, diversity and inclusion module of the Essentials programme with staff",
            "Check recruitment and ASYE assessment for fairness to applicants from diverse backgrounds",
        ],
        "owner": "Head of Workforce Development (synthetic)",
        "due": "June 2023",
        "measure": "Agreement that staff can raise discrimination in supervision, and that managers support their "
        "wellbeing, higher in the 2023 health check",
        "statements": ["WEL03", "EDI03"],
    },
    {
        "id": "R2022-5",
        "theme": "practice",
        "recommendation": "Look at how staff can better evidence improved outcomes, including "
        "more delegated authority over budgets and decisions, to reduce "
        "unnecessary bureaucracy.",
        "planned_actions": [
            "Review levels of delegated authority, so that decisions sit nearer to the child and accountability is kept"
        ],
        "owner": "Director of Children's Social Care (synthetic)",
        "due": "December 2023",
        "measure": "A revised scheme of delegation in place, and more staff saying they can achieve and evidence positive change",
        "statements": ["PRA03"],
    },
]


def write_recommendations(year: int, folder: Path) -> None:
    """data/<year>/recommendations.yml (2021 and 2022)."""
    if year == 2021:
        previous = RECS_2020
        current = [dict(r, planned_actions=RECS_2021_PLANNED[r["id"]]) for r in RECS_2021]
    elif year == 2022:
        previous = [dict(r, actions=RECS_2021_DONE[r["id"]][0], status=RECS_2021_DONE[r["id"]][1]) for r in RECS_2021]
        current = RECS_2022
    else:
        return
    write_yaml(
        folder / "recommendations.yml",
        {"previous": previous, "current": current},
        f"Recommendations {year}: written for the demonstration; themes from "
        f"{SRC_LETTER_2022 if year == 2022 else 'the 2022 covering letter'}.",
    )


def write_quotes_and_words(year: int, folder: Path) -> None:
    """data/<year>/quotes.csv and words.csv (2021 and 2022)."""
    if year not in QUOTES:
        return
    # A quote is from a focus group unless it says it came from a survey comment.
    write_csv(
        folder / "quotes.csv",
        ["theme", "quote", "speaker", "illustrative", "source"],
        [[q[0], q[1], q[2], "yes", q[3] if len(q) > 3 else "focus group"] for q in QUOTES[year]],
    )
    write_csv(folder / "words.csv", ["word", "count", "source"], [[w, c, "focus group"] for w, c in WORDS[year].items()])


SYNTHETIC_INDICATOR = "Synthetic, written for the demonstration"
SRC_ADVISER_2020 = "Improvement adviser's highlight report on children's services, July to December 2020"
# Context indicators. 2020's are real and cited (the adviser's report on July to December 2020);
# 2021's are synthetic; 2022's are synthetic but for the progressions to Senior Social Worker,
# which the 2022 covering letter gives.
INDICATORS = {
    2020: [
        ("agency", "Agency social workers (December)", 88, "staff", SRC_ADVISER_2020),
        ("vacancies", "Vacant social work posts (December)", 22, "posts", SRC_ADVISER_2020),
        ("caseload", "Social workers holding 22 children or fewer", 93, "%", SRC_ADVISER_2020),
        ("audit_good", "Audited practice rated good or outstanding (October)", 30, "%", SRC_ADVISER_2020),
        ("audit_inadequate", "Audited practice rated inadequate (October)", 8, "%", SRC_ADVISER_2020),
        ("supervision", "Case supervision recorded on time (October)", 85, "%", SRC_ADVISER_2020),
    ],
    2021: [
        ("agency", "Agency social workers (December)", 71, "staff", SYNTHETIC_INDICATOR),
        ("vacancies", "Vacant social work posts (December)", 26, "posts", SYNTHETIC_INDICATOR),
        ("caseload", "Social workers holding 22 children or fewer", 91, "%", SYNTHETIC_INDICATOR),
        ("audit_good", "Audited practice rated good or outstanding (October)", 38, "%", SYNTHETIC_INDICATOR),
        ("audit_inadequate", "Audited practice rated inadequate (October)", 6, "%", SYNTHETIC_INDICATOR),
        ("asye", "Newly qualified social workers in their assessed year", 34, "staff", SYNTHETIC_INDICATOR),
    ],
    2022: [
        ("agency", "Agency social workers (December)", 64, "staff", SYNTHETIC_INDICATOR),
        ("vacancies", "Vacant social work posts (December)", 31, "posts", SYNTHETIC_INDICATOR),
        ("caseload", "Social workers holding 22 children or fewer", 88, "%", SYNTHETIC_INDICATOR),
        ("audit_good", "Audited practice rated good or outstanding (October)", 44, "%", SYNTHETIC_INDICATOR),
        ("audit_inadequate", "Audited practice rated inadequate (October)", 5, "%", SYNTHETIC_INDICATOR),
        ("asye", "Newly qualified social workers in their assessed year", 41, "staff", SYNTHETIC_INDICATOR),
        ("progressions", "Progressions to Senior Social Worker in the year", 19, "staff", SRC_LETTER_2022),
    ],
}


def write_indicators(year: int, folder: Path) -> None:
    """data/<year>/indicators.csv: workforce and practice figures shown beside the survey."""
    write_csv(folder / "indicators.csv", ["code", "label", "value", "unit", "source"], [list(row) for row in INDICATORS[year]])


# --------------------------------------------------------------------------------------------
# The year's narrative: written for the demonstration (never sentences from the source
# documents), every number a reference resolved from the data when the book is built.
# --------------------------------------------------------------------------------------------

NARRATIVE_HEAD = "% illustrative: written for the demonstration, not taken from any report; every number is a reference.\n\n"
NARRATIVE_2022 = {
    "foreword": """## Foreword

This is the third health check in which colleagues have told us, in numbers and in their own words, what it is like to practise social work here. I want to thank everyone who answered the survey or came to a focus group, at a time when caseloads were rising.

The report does not hide what is hard. Workload and time for learning are where we have most to do, and this report says so before it says anything else. Where we have a plan, it names who leads it and when we will know whether it worked; where we do not yet have one, the conclusions say that too.

*Director of Children's Social Care (a synthetic foreword, written for the demonstration)*
""",
    "acknowledgements": """## Acknowledgements

Thank you to every member of staff who took part, to the practitioners who facilitated the focus groups and wrote up what was said without naming anyone, to the Social Work Academy for organising the sessions, and to the performance team who prepared the figures.

*Synthetic acknowledgements, written for the demonstration.*
""",
    "summary": """## What we take from this

Staff are clearer than before about where the service is heading, and the culture is becoming more open about practice and identity. The pressure of the work is growing at the same time, and it shows first in workload and in the time left for learning. The service's response has to protect both, not only add new initiatives.
""",
    "introduction": """## Who this report is for

It is written for staff first, and for the leaders and partners who act on what staff say.

## What was different this year

Most focus groups met in person for the first time since the pandemic, which colleagues said made it easier to speak openly. The supervision statement was reworded to ask about reflection as well as regularity, so it starts a new series and is not compared with earlier years.
""",
    "conclusions": """## What the findings tell us

Across the themes, staff describe a service that is clearer about its direction and more open in how it talks about practice and identity, while the pressure of work grows. The highest theme score is for improvement ({theme-score}`improvement`) and the lowest for systemic practice ({theme-score}`systemic`), where the work is newest.

## Next steps

The recommendations below will be shared with every team, and progress on each will be reported in next year's health check.
""",
    "improvement": """## What the findings show

Staff continue to know where the service is heading: {pct}`IMP01` understand the improvement priorities and their part in them ({change}`IMP01`), and {pct}`IMP03` see the quality of practice and manager oversight as the top priorities. Families Count is now well established, with {pct}`IMP04` finding it enjoyable and useful, {change}`IMP04`.

Supervision was asked about in new words this year, as regular *and* reflective, so it is {change}`IMP02`: {pct}`IMP02` agree. In the focus groups colleagues described supervision that starts with the child, but also sessions squeezed by the demands of the week.

## What this means

Keep the priorities visible in each team's plan, and protect reflective time in supervision as caseloads rise.
""",
    "wellbeing": """## What the findings show

Workload stands out. {pct}`WEL02` say their workload is manageable, {change}`WEL02`, the lowest figure of the theme. Colleagues spoke of rising referrals and stretched teams, and of managers who still make time to check in after a difficult visit: {pct}`WEL03` say their manager supports their wellbeing.

Most staff know where to turn for help ({pct}`WEL04`). Agreement that personal safety risks are discussed and assessed is {pct}`WEL01`, {change}`WEL01`.

## What this means

Duty and allocation arrangements need reviewing with teams, and lone-visit plans should be checked so that someone always knows where a colleague is.
""",
    "practice": """## What the findings show

The culture is moving in the right direction: {pct}`PRA01` say the service's values create a positive culture for staff, {change}`PRA01`, and {pct}`PRA02` say they use and evidence the Essentials principles ({change}`PRA02`).

Two results ask for attention. Support in the team for managing risk and making decisions is at {pct}`PRA04`, {change}`PRA04`. Only {pct}`PRA07` feel communication with child protection chairs and independent reviewing officers has improved, {change}`PRA07`. Focus groups linked both to pressure at the front door and to partners' thresholds.

## What this means

Work with chairs and reviewing officers on how views are shared before and after meetings, and make risk discussion a routine part of team meetings.
""",
    "cpd": """## What the findings show

Satisfaction with the learning on offer holds at {pct}`CPD01`, but finding the time to take it up has become harder: {pct}`CPD02`, {change}`CPD02`. Colleagues who joined recently rate their induction well ({pct}`CPD03` of {n}`CPD03` who answered), and {pct}`CPD04` of those in or recently through their assessed year say the programme helped them grow.

## What this means

Protected learning time has to be real time: the service will look at how training days are covered so that they are not the first thing to go in a busy week.
""",
    "edi": """## What the findings show

Conversations about equality, diversity and inclusion are more open: {pct}`EDI02` say they are encouraged in their team, {change}`EDI02`. Confidence that assessments and plans support diversity stands at {pct}`EDI01`. Being able to raise experiences of discrimination or racism in supervision remains lower, at {pct}`EDI03`.

## What this means

Supervision needs an expected, safe place for staff to raise discrimination they meet, including from the families they work with, with clear support afterwards.
""",
    "systemic": """## What the findings show

Systemic practice is becoming part of everyday language: {pct}`SYS01` understand its principles, {change}`SYS01`. Among those who have attended the training, {pct}`SYS02` say it helps their work with children and families. Using systemic ideas in child protection conferences and reviews is newer ground: {pct}`SYS03` feel confident doing so ({change}`SYS03`).

## What this means

The training should continue, with practice support that carries systemic ideas into formal meetings as well as home visits.
""",
}
NARRATIVE_2021 = {
    "summary": """## Key findings

- {fact}`respondents` staff answered the survey, {fact}`response-rate` of the workforce, and about {fact}`participants` took part in {fact}`focus-groups` focus groups, all held online.
- Understanding of the improvement priorities rose to {pct}`IMP01`, {change}`IMP01`.
- More staff feel personal safety risks are discussed and assessed: {pct}`WEL01`, {change}`WEL01`.
- Workload remains the hardest area: {pct}`WEL02` say it is manageable.

## What has changed

Most statements moved little against the last survey. The clearest improvements were in the improvement priorities, personal safety and the quality of recording and planning ({change}`PRA05`).

## What happens next

The recommendations set out how the service will respond; next year's report will say what was done.
""",
    "introduction": """## About this report

This health check was carried out while most staff were still working from home. The survey asked the same questions as before wherever possible, so that change can be followed, and added statements on Families Count, advanced practitioners and systemic practice.

## Who took part

{fact}`respondents` staff answered, {fact}`response-rate` of the {fact}`workforce` in scope. The focus groups, {fact}`focus-groups` in all, met online.
""",
    "conclusions": """## What the findings tell us

Staff describe a service that has kept going and kept improving through a very unusual year. The improvement theme scores highest ({theme-score}`improvement`); systemic practice, newly introduced, scores lowest ({theme-score}`systemic`).

## Next steps

Each recommendation below has an owner, and the next health check will report on every one.
""",
    "improvement": """## What the findings show

Understanding of the improvement priorities rose to {pct}`IMP01` ({change}`IMP01`), and {pct}`IMP02` say they receive regular supervision. Families Count, asked about for the first time, was found useful by {pct}`IMP04`.

## What this means

Keep sharing the priorities in ways that reach teams working remotely, and make sure supervision stays regular as offices reopen.
""",
    "wellbeing": """## What the findings show

Personal safety arrangements are clearer for more staff: {pct}`WEL01`, {change}`WEL01`. Managers' support for wellbeing is valued ({pct}`WEL03`). Workload is still the weakest point at {pct}`WEL02`, and colleagues described the difficulty of switching off when home is also the office.

## What this means

Wellbeing conversations should be part of supervision, and teams need agreed ways to end the working day.
""",
    "practice": """## What the findings show

More staff see their recording, assessments and plans improving: {pct}`PRA05`, {change}`PRA05`. Views of the culture ({pct}`PRA01`) and of support on risk and decisions ({pct}`PRA04`) moved little. Communication with child protection chairs and reviewing officers was asked about for the first time, and only {pct}`PRA07` agreed it had improved.

## What this means

Build on the progress in recording, and start work with chairs and reviewing officers on communication.
""",
    "cpd": """## What the findings show

Satisfaction with professional development is {pct}`CPD01`, but only {pct}`CPD02` feel they have the time and opportunity to take it up. New colleagues' induction was rated effective by {pct}`CPD03` of the {n}`CPD03` who joined recently.

## What this means

Learning offered online needs protected time around it, not only a place in the calendar.
""",
    "edi": """## What the findings show

{pct}`EDI01` are confident their assessments and plans support diversity, and {pct}`EDI02` say discussion of equality, diversity and inclusion is encouraged in their team. Fewer feel able to raise discrimination in supervision ({pct}`EDI03`).

## What this means

Equality, diversity and inclusion need a regular place in team discussion and in supervision.
""",
    "systemic": """## What the findings show

Systemic practice is new to most staff: {pct}`SYS01` understand its principles so far. Of the {n}`SYS02` who had attended the training, {pct}`SYS02` said it helps their work.

## What this means

Roll the training out to every team, with time to practise what it teaches.
""",
}

NARRATIVE = {2021: NARRATIVE_2021, 2022: NARRATIVE_2022}
NARRATIVE_FIXED = ("summary", "introduction", "conclusions", "foreword", "acknowledgements")


def write_narrative(year: int, folder: Path) -> None:
    """data/<year>/narrative/: summary, introduction, conclusions and one file per theme."""
    if year not in NARRATIVE:
        return
    for name, text in NARRATIVE[year].items():
        path = folder / "narrative" / (f"{name}.md" if name in NARRATIVE_FIXED else f"themes/{name}.md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NARRATIVE_HEAD + text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------
# Other organisations (synthetic): no national figures of this council's survey exist, so the
# demonstration invents a national picture around its own figures, to show the comparisons.
# --------------------------------------------------------------------------------------------

DEMO_ORG_ID = "DEMO"
DEMO_REGION = "South West"
REGIONS = [
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
]  # fmt: skip
OTHER_ORGANISATIONS = {2021: 143, 2022: 146}
BENCHMARK_SOURCE = "synthetic, written for the demonstration (no national figures of this survey exist)"


def other_organisations(year: int, ours: dict) -> pd.DataFrame:
    """Every organisation's all-staff figures: ours (from the written export) and invented others."""
    rng = rng_for("organisations", year)
    respondents = max(valid for (_, valid) in ours.values())
    rows = [(DEMO_ORG_ID, "Gloucestershire County Council", DEMO_REGION, code, k, n) for code, (k, n) in ours.items()]
    for i in range(OTHER_ORGANISATIONS[year]):
        org, region = f"ORG{i + 1:03d}", REGIONS[i % len(REGIONS)]
        size = int(np.clip(rng.lognormal(5.2, 0.7), 12, 1200))
        effect = rng.normal(0.0, 0.3)  # how positive this organisation's staff are, on the logit scale
        for code, (k, n) in ours.items():
            share = n / respondents  # statements that apply to some staff only have smaller bases
            asked = max(1, int(round(size * share * rng.uniform(0.9, 1.05))))
            centre = math.log(max(k, 0.5) / max(n - k, 0.5)) - 0.05
            p = 1 / (1 + math.exp(-(centre + effect + rng.normal(0.0, 0.15))))
            rows.append((org, f"Synthetic organisation {i + 1:03d}", region, code, int(rng.binomial(asked, p)), asked))
    return pd.DataFrame(rows, columns=["org_id", "name", "region", "question_id", "n_positive", "n_valid"])


def pooled_benchmarks(orgs: pd.DataFrame) -> pd.DataFrame:
    """England's and each region's figures, pooled over the organisations' shown figures (10 or more)."""
    shown = orgs[orgs["n_valid"] >= 10]
    parts = [shown.assign(scope="national", name="England")]
    parts += [shown.assign(scope="region", name=shown["region"])]
    pooled = pd.concat(parts).groupby(["question_id", "scope", "name"], sort=True)[["n_positive", "n_valid"]].sum()
    pooled = pooled.reset_index()
    pooled["pct_positive"] = (100 * pooled["n_positive"] / pooled["n_valid"]).round(1)
    pooled["source"] = BENCHMARK_SOURCE
    order = {"national": 0, "region": 1}
    pooled = pooled.sort_values(["question_id", "scope", "name"], key=lambda c: c.map(order) if c.name == "scope" else c)
    return pooled[["question_id", "scope", "name", "pct_positive", "n_valid", "source"]]


def write_benchmarks(results: dict) -> None:
    """data/<year>/organisations.csv and benchmarks.csv for 2021 and 2022 (synthetic, labelled so)."""
    for year in OTHER_ORGANISATIONS:
        # No benchmark for the synthetic outcome statement (and the others' draws stay as they were).
        ours = {code: kn for (y, code), kn in sorted(results.items()) if y == year and not BANK[code].outcome}
        orgs = other_organisations(year, ours)
        folder = DATA / str(year)
        write_csv(folder / "organisations.csv", list(orgs.columns), orgs.values.tolist())
        bench = pooled_benchmarks(orgs)
        write_csv(folder / "benchmarks.csv", list(bench.columns), bench.values.tolist())


README = """# Demonstration data

Everything in this folder is written by `scripts/make_demo_data.py`, which gives identical files
on every run. A few things are real and cited in the files: the fifteen percentages published
in the Social Work Health Check 2022 report (Gloucestershire County Council, October 2022) and
its covering letter of 12 October 2022 (for example 82% understanding the improvement
priorities, 88% finding Families Count useful), the 2022 survey dates (4 May to 10 June 2022),
the 24 focus groups with about 80 staff (about 12% of the workforce), the 2020/21 year label
from the covering letter of 14 April 2021, the themes of the 2021 and 2022 recommendations and
the 19 colleagues who progressed to Senior Social Worker in 2021-22, and the 2020 context
indicators (agency staff, vacancies, caseloads, audit grades and supervision, from the
improvement adviser's highlight report for July to December 2020). Everything else is
synthetic and written for the demonstration: every respondent record and count (the 2022
records are built to reproduce the published percentages when rounded), all 2020 and 2021
results, dates and focus-group numbers, the 2020 published-only figures, the teams, localities
and roles, the question wording, the theme introductions, the quotes (marked illustrative), the
word lists, the 2021 and 2022 context indicators (their source says so), the narrative in
`<year>/narrative/` (marked illustrative; every number in it is a reference to the data) and
the wording of the recommendations and actions. Each year's `survey.yml` says what is synthetic
and lists its sources.
"""


# --------------------------------------------------------------------------------------------
# Checks on what was written
# --------------------------------------------------------------------------------------------


def fail(message: str) -> None:
    """Stop loudly: the demonstration data must never be quietly wrong."""
    raise SystemExit(f"make_demo_data: CHECK FAILED: {message}")


def read_export(year: int) -> pd.DataFrame:
    """Read a year's export back the way the package should (all text, no NA guessing)."""
    path = DATA / str(year) / EXPORT_NAME[year]
    if year == 2022:
        if not path.read_bytes().startswith(b"\xef\xbb\xbf"):
            fail("2022 export has no byte-order mark")
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if year == 2021:
        return pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    raw = path.read_bytes()
    if "\u2019".encode("cp1252") not in raw:
        fail("2020 export lacks the Windows-1252 curly apostrophe")
    return pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)


def pct_table_from_exports() -> dict:
    """{(year, code): (n_positive, n_valid)} computed from the written files."""
    out = {}
    for year in YEARS:
        survey = yaml.safe_load((DATA / str(year) / "survey.yml").read_text(encoding="utf-8"))
        df = read_export(year)
        if year == 2020:
            df["code"] = df["Response"].map(normalise)
            df["Count"] = df["Count"].astype(int)
            if set(df["Survey year"]) != {"2020"}:
                fail("2020 export has a survey year other than 2020")
            for heading, code in survey["questions"].items():
                sub = df[df["Question"] == heading]
                if sub.empty:
                    fail(f"2020 heading not in export: {heading!r}")
                by = sub.groupby("code")["Count"].sum()
                pos = by.get("strongly_agree", 0) + by.get("agree", 0)
                valid = sum(by.get(c, 0) for c in VALID_ORDER)
                out[(year, code)] = (int(pos), int(valid))
            continue
        expected = set(survey["questions"]) | set(survey["ignore"]) | set(survey["columns"].values())
        if set(df.columns) != expected:
            fail(f"{year} headings differ from survey.yml: {set(df.columns) ^ expected}")
        if df["Response ID"].duplicated().any():
            fail(f"{year} has duplicate response IDs")
        done = pd.to_datetime(df["Completed"])
        start, end = FIELDWORK[year]
        if done.min().date() < start or done.max().date() > end:
            fail(f"{year} completion times fall outside fieldwork")
        for heading, code in survey["questions"].items():
            codes = df[heading].map(normalise)
            pos = int(codes.isin(["strongly_agree", "agree"]).sum())
            valid = int(codes.isin(VALID_ORDER).sum())
            out[(year, code)] = (pos, valid)
        # the bank wording for the year must be the exported heading
        for heading, code in survey["questions"].items():
            if BANK[code].wording[year] != heading:
                fail(f"{year} heading for {code} differs from the bank")
    return out


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (for the summary only)."""
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(k1 / n1 - k2 / n2) / se / math.sqrt(2)) if se else 1.0


def comparable(q: Question, y1: int, y2: int) -> bool:
    """Both years on the same side of the question's wording break."""
    return not (q.comparable_from and y1 < q.comparable_from <= y2)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main() -> None:
    import argparse

    global DATA
    parser = argparse.ArgumentParser(description="Write the seeded demonstration data.")
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write (default: data/ in the repository)")
    DATA = parser.parse_args().out.resolve()
    DATA.mkdir(parents=True, exist_ok=True)
    write_settings()
    write_question_bank()
    (DATA / "README.md").write_text(README, encoding="utf-8", newline="\n")

    respondents = {}
    people_by_year = {}
    for year in YEARS:
        folder = DATA / str(year)
        folder.mkdir(exist_ok=True)
        people = simulate_year(year)
        people_by_year[year] = people
        writer = {2020: write_2020_export, 2021: write_2021_export, 2022: write_2022_export}[year]
        respondents[year] = writer(people, folder)
        write_survey_yml(year, folder)
        write_published(year, folder)
        write_quotes_and_words(year, folder)
        write_recommendations(year, folder)
        write_indicators(year, folder)
        write_narrative(year, folder)

    # ---- checks on the written files ---------------------------------------------------
    results = pct_table_from_exports()
    write_benchmarks(results)
    print("Reproduced 2022 published percentages (from the written export):")
    for code, target in PUBLISHED_2022.items():
        pos, valid = results[(2022, code)]
        exact = 100 * pos / valid
        flag = "ok" if rounds_safely_to(pos, valid, target) else "MISMATCH"
        print(f"  {code}  {pos:3d}/{valid:3d} = {exact:6.2f}%  -> {round(exact):3d}  (published {target})  {flag}")
        if flag != "ok":
            fail(f"2022 {code} gives {exact:.2f}%, published {target}%")
    published = pd.read_csv(DATA / "2022" / "published.csv")
    if dict(zip(published["question_id"], published["pct_positive"], strict=True)) != PUBLISHED_2022:
        fail("2022 published.csv does not hold the published figures")

    # ---- summary -----------------------------------------------------------------------
    print("\nFiles written:")
    for path in sorted(DATA.rglob("*")):
        if path.is_file():
            print(f"  {path.relative_to(DATA.parent)}  ({path.stat().st_size} bytes)")
    print("\nRespondents per year:")
    for year in YEARS:
        level = "counts export" if year == 2020 else "respondent rows"
        print(f"  {year}: {respondents[year]} ({level}; workforce {WORKFORCE[year]})")
    print("\nSmall groups in 2022 (fewer than 10 respondents, suppressed in breakdowns):")
    p22 = people_by_year[2022]
    for col in ("Team", "Locality", "Role"):
        sizes = p22[col].value_counts()
        small = {k: int(v) for k, v in sizes.items() if v < 10}
        print(f"  {col}: {small or 'none'}  (largest: {sizes.idxmax()} {sizes.max()})")
    print("\nWording breaks (comparable_from):")
    for q in QUESTIONS:
        if q.comparable_from:
            print(f"  {q.code} from {q.comparable_from}: {q.short}")
    print("Asked only in some years:")
    for q in QUESTIONS:
        if set(q.wording) != set(YEARS):
            print(f"  {q.code}: {sorted(q.wording)}  {q.short}")
    print("Published-only figures (no respondent data):")
    for code, pct in PUBLISHED_ONLY_2020.items():
        print(f"  2020 {code}: {pct}%  {BANK[code].short}")
    print("\nChanges 2021 -> 2022 (comparable questions; pooled z-test):")
    for q in QUESTIONS:
        if (2021, q.code) in results and (2022, q.code) in results and comparable(q, 2021, 2022):
            k1, n1 = results[(2021, q.code)]
            k2, n2 = results[(2022, q.code)]
            p = two_proportion_p(k1, n1, k2, n2)
            print(f"  {q.code}  {100 * k1 / n1:5.1f} -> {100 * k2 / n2:5.1f}  p={p:.3f}{'  significant' if p < 0.05 else ''}")


if __name__ == "__main__":
    main()
