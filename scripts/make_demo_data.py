"""Simulate the demonstration's survey exports from the hand-written files in ``data/``.

Run from anywhere as::

    .venv/bin/python scripts/make_demo_data.py [--data data] [--out data]

What this script writes, and what it does not
---------------------------------------------
The demonstration's content is hand-written and committed as the data files themselves:
settings.yml, question_bank.yml (themes, statements, their wording per year), each year's
survey.yml (export name, column headings, fieldwork dates, context), published.csv (the real
2022 percentages with their sources), quotes.csv, words.csv, indicators.csv,
recommendations.yml and narrative/. Those files are the source of truth: edit them by hand.

This script only simulates what a survey tool and other organisations would have produced,
from those files and the simulation's own parameters below (team sizes, the invented
percentages to aim for, who can answer what):

- each year's export, named by its survey.yml: the 2020 response counts (Windows-1252, CRLF),
  the 2021 workbook and the 2022 respondent CSV (UTF-8 with a byte-order mark, CRLF);
- organisations.csv and benchmarks.csv for 2021 and 2022: invented other organisations around
  our own figures, and England's and the regions' figures pooled from them.

The answers to each statement are built from exact counts chosen so the rounded percentage is
what we want, and only then dealt out over respondents. A statement whose percentage is in
the year's published.csv gets that percentage exactly (the 2022 report's fifteen figures);
the script then reads the written exports back, independently of the package's reader, and
stops with an error if any of them does not round to its published figure.

Determinism: every random choice comes from a numpy Generator seeded from ``SEED`` plus a
fixed key for the purpose (year, statement, ...), so running the script again gives the
committed files byte for byte (tests/test_demo_data.py checks it). Changing a hand-written
file the simulation reads (a statement's wording, a heading, the fieldwork dates, a published
figure) changes the exports: run the script again and commit what it writes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import math
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from healthcheck.data import codes
from healthcheck.data.config import QuestionBank, YearMeta, load_bank, load_settings, load_year_meta, survey_years
from healthcheck.data.counts import read_published
from healthcheck.errors import DataError, HealthcheckError
from healthcheck.present.exports import fixed_zip, replace_file, write_csv

ROOT = Path(__file__).resolve().parents[1]
SEED = 20221012  # the date of the 2022 covering letter; any fixed number would do

# --------------------------------------------------------------------------------------------
# The simulation's parameters (not content: nothing here is shown in the report as written)
# --------------------------------------------------------------------------------------------

# The years simulated; each must have a survey.yml naming its export.
YEARS = (2020, 2021, 2022)

# Per statement: the percentage positive to build in each year (invented: chosen so that some
# changes between years are clearly significant and others are not), who can answer (a
# respondent flag from `make_respondents`; None: everyone, the rest answer "Not applicable")
# and the share of those who answer "Don't know". A year whose percentage is in that year's
# published.csv takes it from there instead, exactly, so it is not repeated here.
SIMULATION = {
    "IMP01": ({2020: 68, 2021: 79}, None, 0.03),
    "IMP02": ({2020: 78, 2021: 84}, None, 0.03),
    "IMP03": ({2020: 70, 2021: 76}, None, 0.03),
    "IMP04": ({2021: 81}, None, 0.06),
    "IMP05": ({2021: 64, 2022: 58}, "has_ap", 0.05),
    "WEL01": ({2020: 62, 2021: 71}, None, 0.03),
    "WEL02": ({2020: 48, 2021: 44, 2022: 36}, None, 0.01),
    "WEL03": ({2020: 80, 2021: 82, 2022: 78}, None, 0.01),
    "WEL04": ({2020: 79, 2021: 84, 2022: 83}, None, 0.02),
    "PRA01": ({2020: 58, 2021: 63}, None, 0.03),
    "PRA02": ({2021: 60}, None, 0.03),
    "PRA03": ({2020: 52, 2021: 58}, None, 0.03),
    "PRA04": ({2020: 57, 2021: 61}, None, 0.02),
    "PRA05": ({2020: 59, 2021: 68}, None, 0.03),
    "PRA06": ({2020: 66, 2021: 70}, None, 0.03),
    "PRA07": ({2021: 41}, None, 0.09),
    "PRA08": ({2020: 64, 2021: 60}, "attends_reviews", 0.03),
    "CPD01": ({2020: 71, 2021: 74, 2022: 72}, None, 0.02),
    "CPD02": ({2020: 55, 2021: 58, 2022: 49}, None, 0.02),
    # In the 2020 bank but not in the 2020 export: known for 2020 only from published.csv.
    "CPD03": ({2021: 70, 2022: 73}, "recent_joiner", 0.02),
    "CPD04": ({2021: 63, 2022: 71}, "recent_asye", 0.02),
    "EDI01": ({2020: 60, 2021: 65}, None, 0.03),
    "EDI02": ({2020: 59, 2021: 66}, None, 0.03),
    "EDI03": ({2021: 52, 2022: 57}, None, 0.06),
    "SYS01": ({2021: 48, 2022: 66}, None, 0.08),
    "SYS02": ({2021: 55, 2022: 61}, "systemic_trained", 0.04),
    "SYS03": ({2022: 38}, "attends_reviews", 0.08),
    # The bank's outcome statement (last in 2022's survey.yml, so that no other statement's
    # answers, drawn by position, change): its answers follow how positive each person's
    # DRIVEN_BY answers were, so the drivers section has a known pattern to find.
    "OUT01": ({2022: 61}, None, 0.06),
}
DRIVEN_BY = "wellbeing"

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

# Teams with Advanced Practitioners: elsewhere the AP statement is "not applicable".
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

# How each year's survey tool spelled the answers, with how often. The 2022 council-wide tool
# was untidy (different cases, spaces, two names for the middle option); 2021 a little;
# 2020's counts export used a "tend to" scale. Every spelling must be one the package accepts
# (`codes.LABEL_VARIANTS`; checked before anything is written). "N/A" and "NA" are avoided on
# purpose: pandas reads them as missing unless keep_default_na=False.
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

# The tool's own columns that survey.yml `ignore`s, and what the simulation fills them with.
BROWSERS = {
    2021: ["Edge 91.0", "Chrome 91.0", "Safari 14.1", "Internet Explorer 11.0"],
    2022: ["Edge 101.0", "Chrome 101.0", "Safari 15.4", "Chrome Mobile 101.0"],
}
BROWSER_COLUMN = "Browser"
# The 2021 workbook: a note on its second sheet, and the tool's name as its author.
WORKBOOK_NOTE = (
    "Export of the Children's Social Care health check survey, 2021. Synthetic demonstration data: no real person's answers."
)

# Other organisations (synthetic): no national figures of this council's survey exist, so the
# demonstration invents a national picture around its own figures, to show the comparisons.
REGIONS = [
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
]  # fmt: skip
OTHER_ORGANISATIONS = {2021: 143, 2022: 146}
BENCHMARK_SOURCE = "synthetic, written for the demonstration (no national figures of this survey exist)"


# --------------------------------------------------------------------------------------------
# What the simulation reads from the hand-written files
# --------------------------------------------------------------------------------------------


class Fail(SystemExit):
    """Stop loudly: the demonstration data must never be quietly wrong."""

    def __init__(self, message: str):
        super().__init__(f"make_demo_data: {message}")


class Content:
    """The hand-written data the simulation needs: the bank, each year's survey.yml, the
    published percentages and the organisation's id, name and region."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.settings = load_settings(data_dir)
        self.bank: QuestionBank = load_bank(data_dir)
        missing = [y for y in YEARS if y not in survey_years(data_dir)]
        if missing:
            raise Fail(f"no survey.yml for {missing} in {data_dir}: the simulation covers {list(YEARS)}")
        self.meta: dict[int, YearMeta] = {year: load_year_meta(data_dir, year) for year in YEARS}
        self.published: dict[int, dict[str, float]] = {}
        for year in YEARS:
            table = read_published(data_dir / str(year) / "published.csv", year)
            if table["pct_positive"].isna().any():
                raise Fail(f"{year}/published.csv has a percentage that is not a number: run `healthcheck validate`")
            self.published[year] = {
                str(q): int(p) if float(p).is_integer() else float(p)
                for q, p in zip(table["question_id"], table["pct_positive"], strict=True)
            }
        self._check()

    def asked(self, year: int) -> list[str]:
        """The statement codes in the year's export, in survey.yml's order (their position
        sets how often they are skipped)."""
        return list(self.meta[year].questions.values())

    def target(self, code: str, year: int) -> tuple[int, bool]:
        """The percentage positive to build, and whether it is a published figure that the
        records must reproduce exactly."""
        if code in self.published[year]:
            return self.published[year][code], True
        return SIMULATION[code][0][year], False

    def _check(self) -> None:
        """Everything the simulation needs is there, once, before anything is written."""
        for year in YEARS:
            meta = self.meta[year]
            if not meta.export or meta.fieldwork is None:
                raise Fail(f"{year}/survey.yml needs `export` and `fieldwork`: the simulation writes that export")
            for heading, code in meta.questions.items():
                if code not in self.bank.questions or self.bank.questions[code].wording.get(year) != heading:
                    raise Fail(f"{year}/survey.yml: {code} is not in question_bank.yml with the wording {heading!r}")
                if code not in SIMULATION:
                    raise Fail(f"{year}/survey.yml asks {code}, which has no simulation parameters: add it to SIMULATION")
                in_table = year in SIMULATION[code][0]
                if in_table == (code in self.published[year]):
                    where = "both in SIMULATION and in published.csv" if in_table else "in neither SIMULATION nor published.csv"
                    raise Fail(f"{year} {code}: the percentage to build is {where}")
            if meta.level == "respondents" and [c for c in meta.ignore if c != BROWSER_COLUMN]:
                raise Fail(f"{year}/survey.yml ignores columns the simulation cannot fill: {meta.ignore}")
        for year, spellings in LABELS.items():
            for code, labels in spellings.items():
                wrong = [label for label in labels if codes.normalise_label(label) != code]
                if wrong:
                    raise Fail(f"LABELS[{year}][{code!r}]: the package does not read {wrong} as {code}")


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

    # Who the conditional statements apply to.
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

    # A general disposition, shared across statements, so that answers correlate as they do in
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
    # More positive statements draw more "strongly" answers; weaker ones more strong dissent.
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


def answer_question(content: Content, people: pd.DataFrame, code: str, year: int, position: int, driver=None) -> list[str]:
    """Canonical answer codes for every respondent to one statement in one year.

    Ineligible staff answer "not applicable". Among the eligible, blanks and "don't know" fall
    at random; the valid answers are dealt from most to least positive down the respondents
    ranked by a score (disposition + team and role effects + noise), which keeps the totals
    exactly as planned while giving teams and roles different profiles.
    """
    _, eligible_flag, dont_know = SIMULATION[code]
    theme = content.bank.questions[code].theme
    target, exact = content.target(code, year)
    rng = rng_for("answers", year, code)
    n = len(people)
    answers = np.array(["not_applicable"] * n, dtype=object)
    eligible = np.ones(n, bool) if eligible_flag is None else people[eligible_flag].to_numpy()
    idx = np.flatnonzero(eligible)
    # Skipped statements become more common further into the survey.
    plan = response_plan(len(idx), target, dont_know, 0.01 + 0.0015 * position, exact=exact)
    idx = rng.permutation(idx)
    answers[idx[: plan["blank"]]] = "blank"
    answers[idx[plan["blank"] : plan["blank"] + plan["dont_know"]]] = "dont_know"
    valid = idx[plan["blank"] + plan["dont_know"] :]

    effect = (
        people["Team"].map(lambda t: TEAM_EFFECT[t].get(theme, 0.0))
        + people["Role"].map(lambda r: ROLE_EFFECT[r].get(theme, 0.0))
    ).to_numpy()
    score = 0.8 * people["latent"].to_numpy() + effect + rng.normal(0.0, 1.0, n)
    if driver is not None:  # an outcome: mostly how positive the person's driving theme was
        score = 0.3 * people["latent"].to_numpy() + 1.2 * driver + rng.normal(0.0, 0.8, n)
    ranked = valid[np.argsort(-score[valid], kind="stable")]
    dealt = [response for response in codes.VALID for _ in range(plan[response])]
    answers[ranked] = dealt
    return answers.tolist()


def completion_times(content: Content, year: int, n: int) -> list[dt.datetime]:
    """Sorted submission times inside survey.yml's fieldwork, weekdays, office-ish hours.

    Most people answer in the first days or after the mid-point and final reminders.
    """
    rng = rng_for("completed", year)
    fieldwork = content.meta[year].fieldwork
    start, end = fieldwork.survey_open, fieldwork.survey_close
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


def simulate_year(content: Content, year: int) -> pd.DataFrame:
    """Respondent-level canonical answers for every statement in the year's export."""
    people = make_respondents(year)
    for position, code in enumerate(content.asked(year)):
        driver = driver_score(content, people, year) if content.bank.questions[code].outcome else None
        people[code] = answer_question(content, people, code, year, position, driver)
    return people


def driver_score(content: Content, people: pd.DataFrame, year: int) -> np.ndarray:
    """Each person's mean answer (strongly disagree 0 ... strongly agree 4) to the DRIVEN_BY
    theme's statements, standardised; the theme's mean for those who answered none."""
    points = {"strongly_agree": 4, "agree": 3, "neutral": 2, "disagree": 1, "strongly_disagree": 0}
    bank = content.bank.questions
    driving = [c for c in content.asked(year) if bank[c].theme == DRIVEN_BY and not bank[c].outcome and c in people]
    mean = people[driving].apply(lambda col: col.map(points)).astype(float).mean(axis=1)
    mean = mean.fillna(mean.mean())
    return ((mean - mean.mean()) / mean.std()).to_numpy()


def render_labels(answers: list[str], year: int, salt: str) -> list[str]:
    """The tool's spellings for canonical codes (blank -> empty string)."""
    rng = rng_for("labels", year, salt)
    out = []
    for code in answers:
        if code == "blank":
            out.append("")
            continue
        options = LABELS[year][code]
        names = list(options)
        p = np.array(list(options.values()), dtype=float)
        out.append(names[rng.choice(len(names), p=p / p.sum())])
    return out


# --------------------------------------------------------------------------------------------
# The exports
# --------------------------------------------------------------------------------------------


def tool_csv(header: list[str], rows: list[list], encoding: str) -> bytes:
    """A CSV as the survey tools write it: CRLF line ends, in the tool's encoding.

    Not the package's `exports.write_csv`, on purpose: that one writes the book's downloads
    (UTF-8, LF, cells that could act as formulas neutralised), and these files imitate what
    other tools write (CRLF, Windows-1252), which the package's readers must cope with.
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def respondent_export(content: Content, year: int, people: pd.DataFrame) -> tuple[list[str], list[list]]:
    """Heading row and data rows of a respondents-level export, sorted by submission time,
    the headings as the year's survey.yml names them."""
    rng = rng_for("export", year)
    meta = content.meta[year]
    asked = content.asked(year)
    n = len(people)
    # Rows arrive in submission order; people were built team by team, so shuffle first.
    order = rng.permutation(n)
    people = people.iloc[order].reset_index(drop=True)
    times = completion_times(content, year, n)
    # IDs come from the council-wide survey, so CSC respondents' IDs have gaps between them.
    ids = (1_000_000 * (year - 2000) + 4100 + np.cumsum(rng.integers(1, 40, n))).tolist()
    browser = [BROWSERS[year][i] for i in rng.choice(4, size=n, p=[0.55, 0.25, 0.12, 0.08])]

    labels = {code: render_labels(people[code].tolist(), year, code) for code in asked}
    columns = meta.columns
    header = [columns.respondent_id, columns.completed, BROWSER_COLUMN, columns.team, columns.locality, columns.role]
    header += list(meta.questions)
    rows = []
    for i in range(n):
        row = [ids[i], times[i], browser[i], people.at[i, "Team"], people.at[i, "Locality"], people.at[i, "Role"]]
        rows.append(row + [labels[code][i] for code in asked])
    return header, rows


def write_respondent_csv(content: Content, year: int, people: pd.DataFrame, folder: Path) -> int:
    """UTF-8 CSV with a byte-order mark and CRLF, as the council-wide survey tool writes."""
    header, rows = respondent_export(content, year, people)
    for row in rows:
        row[1] = row[1].strftime("%Y-%m-%d %H:%M:%S")
    replace_file(folder / content.meta[year].export, tool_csv(header, rows, "utf-8-sig"))
    return len(rows)


def write_respondent_xlsx(content: Content, year: int, people: pd.DataFrame, folder: Path) -> int:
    """XLSX: responses on the first sheet, a note on a second sheet; blank answers are empty.

    Saved through the package's `exports.fixed_zip`, which fixes the zip's entry times and the
    workbook's created and modified dates, so the bytes do not depend on when this runs.
    """
    header, rows = respondent_export(content, year, people)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(header)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    for cell in ws["B"][1:]:
        cell.number_format = "dd/mm/yyyy hh:mm"
    notes = wb.create_sheet("Notes")
    notes["A1"] = WORKBOOK_NOTE
    wb.properties.creator = "Survey tool export"
    raw = io.BytesIO()
    wb.save(raw)
    replace_file(folder / content.meta[year].export, fixed_zip(raw.getvalue()))
    return len(rows)


def write_counts_csv(content: Content, year: int, people: pd.DataFrame, folder: Path) -> int:
    """Counts per (statement wording, response) in Windows-1252 with CRLF.

    Blank answers are not counted by the tool, so they do not appear; "Don't know" does.
    """
    meta = content.meta[year]
    order = [*codes.VALID, "dont_know"]
    rows = []
    for heading, code in meta.questions.items():
        counts = people[code].value_counts()
        for response in order:
            label = next(iter(LABELS[year][response]))
            rows.append([year, heading, label, int(counts.get(response, 0))])
    columns = meta.columns
    header = [columns.completed, columns.question, columns.response, columns.count]
    replace_file(folder / meta.export, tool_csv(header, rows, "cp1252"))
    return len(people)


# The 2020 tool wrote counts, 2021's a workbook and 2022's council-wide tool a CSV of rows.
WRITERS = {2020: write_counts_csv, 2021: write_respondent_xlsx, 2022: write_respondent_csv}


# --------------------------------------------------------------------------------------------
# Other organisations
# --------------------------------------------------------------------------------------------


def other_organisations(content: Content, year: int, ours: dict) -> pd.DataFrame:
    """Every organisation's all-staff figures: ours (from the written export) and invented others."""
    rng = rng_for("organisations", year)
    settings = content.settings
    respondents = max(valid for (_, valid) in ours.values())
    rows = [(settings.org_id, settings.organisation, settings.region, code, k, n) for code, (k, n) in ours.items()]
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


def write_benchmarks(content: Content, results: dict, out: Path) -> None:
    """<year>/organisations.csv and benchmarks.csv for 2021 and 2022 (synthetic, labelled so)."""
    for year in OTHER_ORGANISATIONS:
        # No benchmark for the outcome statement (and the others' draws stay as they were).
        bank = content.bank.questions
        ours = {code: kn for (y, code), kn in sorted(results.items()) if y == year and not bank[code].outcome}
        orgs = other_organisations(content, year, ours)
        write_csv(orgs, out / str(year) / "organisations.csv")
        write_csv(pooled_benchmarks(orgs), out / str(year) / "benchmarks.csv")


# --------------------------------------------------------------------------------------------
# The independent check: the written exports read back with pandas, not the package's reader
# --------------------------------------------------------------------------------------------


def read_export(content: Content, year: int, out: Path) -> pd.DataFrame:
    """Read a year's export back as plain text cells (no NA guessing)."""
    path = out / str(year) / content.meta[year].export
    if year == 2022:
        if not path.read_bytes().startswith(b"\xef\xbb\xbf"):
            raise Fail("2022 export has no byte-order mark")
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if year == 2021:
        return pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    return pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)


def code_of(label: str) -> str:
    """The canonical code of a written label (the package's accepted spellings)."""
    code = codes.normalise_label(label)
    if code is None:
        raise Fail(f"the exports hold the label {label!r}, which the package does not accept")
    return code


def pct_table_from_exports(content: Content, out: Path) -> dict:
    """{(year, code): (n_positive, n_valid)} counted from the written files."""
    result = {}
    for year in YEARS:
        meta = content.meta[year]
        df = read_export(content, year, out)
        if meta.level == "counts":
            columns = meta.columns
            df["code"] = df[columns.response].map(code_of)
            df["n"] = df[columns.count].astype(int)
            if set(df[columns.completed]) != {str(year)}:
                raise Fail(f"{year} export has a survey year other than {year}")
            for heading, code in meta.questions.items():
                by = df[df[columns.question] == heading].groupby("code")["n"].sum()
                if by.empty:
                    raise Fail(f"{year} heading not in export: {heading!r}")
                result[(year, code)] = (
                    int(sum(by.get(c, 0) for c in codes.POSITIVE)),
                    int(sum(by.get(c, 0) for c in codes.VALID)),
                )
            continue
        expected = set(meta.questions) | set(meta.ignore) | {v for v in meta.columns.model_dump().values() if v}
        if set(df.columns) != expected:
            raise Fail(f"{year} headings differ from survey.yml: {set(df.columns) ^ expected}")
        if df[meta.columns.respondent_id].duplicated().any():
            raise Fail(f"{year} has duplicate response IDs")
        done = pd.to_datetime(df[meta.columns.completed])
        if done.min().date() < meta.fieldwork.survey_open or done.max().date() > meta.fieldwork.survey_close:
            raise Fail(f"{year} completion times fall outside fieldwork")
        for heading, code in meta.questions.items():
            answers = df[heading].map(code_of)
            result[(year, code)] = (int(answers.isin(codes.POSITIVE).sum()), int(answers.isin(codes.VALID).sum()))
    return result


def check_published(content: Content, results: dict) -> None:
    """Every published figure of a year with records rounds, from the written export, to what
    was published (within 0.45 points, so under any rounding rule)."""
    for year in YEARS:
        for code, target in content.published[year].items():
            if (year, code) not in results:
                continue  # known only as a published figure (2020's CPD03 and CPD04)
            pos, valid = results[(year, code)]
            exact = 100 * pos / valid
            ok = rounds_safely_to(pos, valid, target)
            print(f"  {year} {code}  {pos:3d}/{valid:3d} = {exact:6.2f}%  (published {target})  {'ok' if ok else 'MISMATCH'}")
            if not ok:
                raise Fail(f"CHECK FAILED: {year} {code} gives {exact:.2f}%, published {target}%")


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (for the summary only)."""
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(k1 / n1 - k2 / n2) / se / math.sqrt(2)) if se else 1.0


def comparable(content: Content, code: str, y1: int, y2: int) -> bool:
    """No wording break of the statement between the two years."""
    return not any(y1 < b <= y2 for b in content.bank.questions[code].comparable_from)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def generate(data_dir: Path, out: Path) -> list[Path]:
    """Simulate and write every export and the other organisations' files under ``out``,
    from the hand-written files in ``data_dir``; check them; return the files written."""
    content = Content(data_dir)
    written = []
    people_by_year = {}
    respondents = {}
    for year in YEARS:
        people = simulate_year(content, year)
        people_by_year[year] = people
        respondents[year] = WRITERS[year](content, year, people, out / str(year))
        written.append(out / str(year) / content.meta[year].export)
    results = pct_table_from_exports(content, out)
    write_benchmarks(content, results, out)
    written += [out / str(year) / name for year in OTHER_ORGANISATIONS for name in ("organisations.csv", "benchmarks.csv")]

    print("Published percentages reproduced (from the written exports):")
    check_published(content, results)
    print("\nFiles written:")
    for path in written:
        print(f"  {path}  ({path.stat().st_size} bytes)")
    print("\nRespondents per year:")
    for year in YEARS:
        level = "counts export" if content.meta[year].level == "counts" else "respondent rows"
        print(f"  {year}: {respondents[year]} ({level}; workforce {content.meta[year].workforce})")
    print("\nSmall groups in 2022 (fewer than 10 respondents, suppressed in breakdowns):")
    p22 = people_by_year[2022]
    for col in ("Team", "Locality", "Role"):
        sizes = p22[col].value_counts()
        small = {k: int(v) for k, v in sizes.items() if v < 10}
        print(f"  {col}: {small or 'none'}  (largest: {sizes.idxmax()} {sizes.max()})")
    print("\nChanges 2021 -> 2022 (comparable statements; pooled z-test):")
    for code in content.asked(2022):
        if (2021, code) in results and comparable(content, code, 2021, 2022):
            k1, n1 = results[(2021, code)]
            k2, n2 = results[(2022, code)]
            p = two_proportion_p(k1, n1, k2, n2)
            print(f"  {code}  {100 * k1 / n1:5.1f} -> {100 * k2 / n2:5.1f}  p={p:.3f}{'  significant' if p < 0.05 else ''}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulate the demonstration's exports from the hand-written data files.")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the hand-written data folder to read (default: data/)")
    parser.add_argument("--out", type=Path, help="folder to write the simulated files into (default: the --data folder)")
    args = parser.parse_args(argv)
    data_dir = args.data.resolve()
    out = (args.out or args.data).resolve()
    try:
        generate(data_dir, out)
    except HealthcheckError as exc:  # a hand-written file the simulation reads is wrong
        print(exc.report() if isinstance(exc, DataError) else str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
