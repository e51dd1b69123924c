"""Write a seeded, synthetic national data set: many organisations, each with its own data folder.

Run from the repository root::

    .venv/bin/python scripts/make_national_data.py --organisations 150 --respondents 15000 \\
        --seed 1 --out /tmp/national [--years 2023 2024]

Layout (what the national batch reads)::

    DIR/organisations.csv            org_id,name,region
    DIR/README.md                    says that everything is synthetic
    DIR/national.yml                 the national summary's date of publication and owner
    DIR/<org_id>/settings.yml        with org_id, region and a demonstration notice
    DIR/<org_id>/question_bank.yml   the same national bank, themes with title and intro
    DIR/<org_id>/<year>/survey.yml   marked synthetic
    DIR/<org_id>/<year>/Health check <year> - responses.csv   one row per respondent

Everything is invented: organisations (names built from made-up syllables), regions'
membership, teams, statements, themes and answers. The themes and statements are hand-written
content, kept in ``national_statements.yml`` beside this script (written for this project in
the style of an employer-standards health check; edit them there); this script holds only the
simulation and writes the YAML files with the package's writer (``healthcheck.data.yaml.write``).

How answers are made: each respondent's answer to a statement is an ordinal cut of a latent
score = statement level + organisation effect (overall and per theme) + region effect (per
theme) + team effect + role effect + a personal disposition shared across statements +
noise. Statement levels and organisation effects drift between years, so that "change since
last year" exists. Some answer "Don't know" or leave a statement blank; statements for
supervisors and for staff in their first year are "Not applicable" to everyone else, so
their bases are small and are suppressed in smaller organisations. Each year has exactly
``--respondents`` respondents across the organisations: sizes follow a lognormal spread, and
about one organisation in twenty has 3-9 respondents, so whole-organisation suppression
happens too.

Determinism: every draw comes from a numpy Generator seeded from ``--seed`` and a key for its
purpose (organisations; a year and an organisation), files are written with fixed encodings,
line ends and key order, so the same arguments give byte-identical output.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from healthcheck.data.codes import RESPONSE_LABELS
from healthcheck.data.yaml.load import YamlError, load_yaml
from healthcheck.data.yaml.write import dump

REGIONS = {  # the nine English regions, weighted by roughly how many councils each has
    "North East": 12,
    "North West": 23,
    "Yorkshire and the Humber": 15,
    "East Midlands": 9,
    "West Midlands": 14,
    "East of England": 11,
    "London": 33,
    "South East": 19,
    "South West": 15,
}
ROLES = {
    "Social worker": 0.42,
    "Senior social worker": 0.16,
    "Advanced practitioner": 0.06,
    "Team manager": 0.09,
    "Occupational therapist": 0.08,
    "Social work assistant": 0.10,
    "Newly qualified (ASYE)": 0.09,
}
ROLE_EFFECT = {  # on the latent scale (total sd about 1.4), by theme
    "Social worker": {"workload": -0.15},
    "Team manager": {"leadership": 0.3, "workload": -0.1, "supervision": 0.1},
    "Newly qualified (ASYE)": {"development": 0.3, "wellbeing": 0.1},
    "Occupational therapist": {"practice": -0.1, "education": -0.3},
    "Social work assistant": {"development": -0.3, "education": -0.2},
}
SERVICES = [
    "Front door",
    "Assessment",
    "Child protection",
    "Children in care",
    "Care leavers",
    "Disabled children",
    "Fostering",
    "Adoption",
    "Youth justice",
    "Adult safeguarding",
    "Hospital discharge",
    "Learning disability",
    "Mental health",
    "Older people",
    "Reablement",
    "Occupational therapy",
    "Transitions",
    "Court",
    "Quality assurance",
    "Approved mental health professionals",
]
AREAS = ["", " North", " South", " East", " West", " Central"]
NAME_A = [
    "Alder",
    "Bracken",
    "Cinder",
    "Drift",
    "Ember",
    "Fallow",
    "Gorse",
    "Heron",
    "Ivy",
    "Juniper",
    "Kestrel",
    "Linden",
    "Marram",
    "Nettle",
    "Osier",
    "Plover",
    "Quill",
    "Rowan",
    "Sedge",
    "Teasel",
    "Umber",
    "Vetch",
    "Wren",
    "Yarrow",
    "Bramble",
    "Corran",
    "Dunnock",
    "Elder",
    "Fern",
    "Gannet",
    "Hazel",
    "Larch",
    "Merlin",
    "Oriel",
    "Pipit",
    "Reed",
    "Sorrel",
    "Thrift",
    "Whin",
    "Lapwing",
]
NAME_B = ["mere", "dale", "holt", "wick", "combe", "stead", "ford", "ham", "by", "ton", "worth", "shaw"]
ORG_TYPES = ["County Council", "City Council", "Borough Council", "Metropolitan Borough Council", "Council", "Children's Trust"]
ORG_TYPE_P = [0.25, 0.15, 0.2, 0.2, 0.15, 0.05]

# The themes and statements are hand-written content, in national_statements.yml beside this
# script; here only how each statement is simulated: the national % positive to aim for, the
# share answering "don't know", and who can answer (None: everyone; otherwise "supervisor" or
# "first_year", and the rest answer "Not applicable").
STATEMENTS_FILE = Path(__file__).with_name("national_statements.yml")
SIMULATION = {
    "LEA01": (70, 0.02, None),
    "LEA02": (78, 0.01, None),
    "LEA03": (52, 0.04, None),
    "LEA04": (63, 0.03, None),
    "WFP01": (41, 0.01, None),
    "WFP02": (33, 0.08, None),
    "WFP03": (58, 0.1, None),
    "WRL01": (38, 0.0, None),
    "WRL02": (62, 0.02, None),
    "WRL03": (57, 0.02, None),
    "WRL04": (40, 0.01, None),
    "WEL01": (80, 0.01, None),
    "WEL02": (71, 0.02, None),
    "WEL03": (47, 0.0, None),
    "WEL04": (60, 0.03, None),
    "SUP01": (72, 0.01, None),
    "SUP02": (64, 0.01, None),
    "SUP03": (68, 0.02, None),
    "SUP04": (61, 0.02, "supervisor"),
    "DEV01": (46, 0.01, None),
    "DEV02": (49, 0.04, None),
    "DEV03": (55, 0.03, None),
    "DEV04": (66, 0.03, "first_year"),
    "PRA01": (84, 0.01, None),
    "PRA02": (57, 0.05, None),
    "PRA03": (35, 0.01, None),
    "PRA04": (61, 0.03, None),
    "EDU01": (69, 0.15, None),
    "EDU02": (54, 0.03, None),
    "RET01": (58, 0.1, None),
    "RET02": (60, 0.05, None),
    "DIG01": (51, 0.03, None),
}


def load_statements(path: Path = STATEMENTS_FILE) -> dict:
    """national_statements.yml read safely (the package's YAML reader), each statement checked
    to have simulation parameters and a theme, so a mistake stops the script before it writes."""
    try:
        content = load_yaml(path, path.name)
    except YamlError as exc:
        raise SystemExit(f"{path.name}: {exc.message}") from None
    themes, questions = content.get("themes") or {}, content.get("questions") or {}
    if set(questions) != set(SIMULATION):
        raise SystemExit(f"{path.name}: the statements differ from SIMULATION's: {sorted(set(questions) ^ set(SIMULATION))}")
    wrong = sorted(code for code, q in questions.items() if q.get("theme") not in themes)
    if wrong:
        raise SystemExit(f"{path.name}: {wrong} name a theme that is not under `themes`")
    return content


CONTENT = load_statements()
ANSWER_CODES = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "dont_know", "not_applicable")
THEMES = CONTENT["themes"]  # code -> title and intro, in the file's order (which sets the draws)

# The answers as the survey tool writes them, in the order of the simulated codes: the
# package's own labels for the five agreement answers and two non-answers, then an empty cell.
LABELS = np.array([RESPONSE_LABELS[code] for code in ANSWER_CODES] + [""], dtype=object)
CUTS = np.array([1.3, 0.0, -0.6, -1.6], dtype=np.float32)  # strongly agree / agree / neutral / disagree
LATENT_SD = 1.4  # sd of the latent score over all staff, to turn a target % into a level
SMALL_SHARE = 0.05  # about one organisation in twenty is very small (3-9 respondents)
NOTICE = (
    "Synthetic national data for demonstrations and tests. The organisation, its region, staff, "
    "teams, statements and every answer were invented by scripts/make_national_data.py; "
    "no figure describes a real organisation."
)
SYNTHETIC = (
    "Everything in this year is synthetic: respondent records, teams, roles, dates and answers "
    "were generated by scripts/make_national_data.py."
)


def rng_for(seed: int, *key) -> np.random.Generator:
    """A Generator for one purpose, seeded from the seed and a stable hash of the key."""
    words = [int(hashlib.sha256(str(k).encode()).hexdigest()[:8], 16) for k in key]
    return np.random.default_rng([int(seed), *words])


def apportion(total: int, weights) -> np.ndarray:
    """Split ``total`` into whole numbers proportional to ``weights`` (largest remainder; ties to the first)."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), -(exact - base)))
    base[order[: total - int(base.sum())]] += 1
    return base


# --------------------------------------------------------------------------- the national plan


def statements_for(years: list[int]) -> list[dict]:
    """Every statement with its wording per year (and comparable_from where reworded)."""
    last = years[-1]
    out = []
    for code, q in CONTENT["questions"].items():
        if q.get("added") and len(years) < 2:
            continue
        pct, dk, who = SIMULATION[code]
        words = {y: q["wording"] for y in ([last] if q.get("added") else years)}
        entry = {"code": code, "theme": q["theme"], "short": q["short"], "pct": pct, "dk": dk, "who": who}
        if q.get("reworded") and len(years) > 1:
            words[last] = q["reworded"]
            entry["comparable_from"] = last
        out.append(entry | {"wording": words})
    return out


def plan_organisations(n_orgs: int, respondents: int, years: list[int], seed: int) -> pd.DataFrame:
    """One row per organisation: id, name, region, response rate and its size in each year."""
    rng = rng_for(seed, "organisations")
    width = max(3, len(str(n_orgs)))
    ids = [f"ORG{i:0{width}d}" for i in range(1, n_orgs + 1)]
    pairs = [a + b for a in NAME_A for b in NAME_B]
    stems = [pairs[i] for i in rng.permutation(len(pairs))]
    stems = [s if i < len(pairs) else f"{s} {i // len(pairs) + 1}" for i, s in enumerate(stems * (n_orgs // len(pairs) + 1))]
    names = np.array(list(REGIONS), dtype=object)
    if n_orgs >= len(REGIONS):  # every region has at least one organisation
        regions = np.repeat(names, apportion(n_orgs, list(REGIONS.values())))[rng.permutation(n_orgs)]
    else:
        regions = names[rng.choice(len(names), n_orgs, replace=False)]
    kinds = rng.choice(len(ORG_TYPES), size=n_orgs, p=ORG_TYPE_P)
    names = [
        f"London Borough of {s}" if r == "London" else f"{s} {ORG_TYPES[k]}"
        for s, r, k in zip(stems[:n_orgs], regions, kinds, strict=True)
    ]
    orgs = pd.DataFrame({"org_id": ids, "name": names, "region": regions})
    orgs["response_rate"] = rng.uniform(0.3, 0.85, n_orgs)
    small = np.zeros(n_orgs, bool)
    if n_orgs > 1:  # a lone organisation takes every respondent
        small[rng.choice(n_orgs, max(1, round(SMALL_SHARE * n_orgs)), replace=False)] = True
    weight = rng.lognormal(0.0, 1.0, n_orgs)
    for year in years:
        sizes = np.zeros(n_orgs, np.int64)
        sizes[small] = rng.integers(3, 10, small.sum())
        rest = respondents - int(sizes.sum()) - int((~small).sum())
        if rest < 0:
            raise SystemExit(f"--respondents {respondents} is too few for {n_orgs} organisations")
        sizes[~small] = 1 + apportion(rest, weight[~small] * rng.lognormal(0.0, 0.15, (~small).sum()))
        orgs[f"size_{year}"] = sizes
    return orgs


def national_effects(orgs: pd.DataFrame, statements: list[dict], years: list[int], seed: int) -> dict:
    """Statement levels per year, and organisation and region effects on the latent scale."""
    rng = rng_for(seed, "effects")
    themes = list(THEMES)
    level0 = np.array([LATENT_SD * statistics.NormalDist().inv_cdf(s["pct"] / 100) for s in statements])
    trend = rng.normal(0.0, 0.08, (len(years), len(statements))).cumsum(axis=0)
    trend[0] = 0.0
    region_theme = {r: rng.normal(0.0, 0.12) + rng.normal(0.0, 0.08, len(themes)) for r in REGIONS}
    n = len(orgs)
    org_theme = rng.normal(0.0, 0.3, (n, 1)) + rng.normal(0.0, 0.18, (n, len(themes)))
    org_drift = rng.normal(0.0, 0.1, (len(years), n, 1)).cumsum(axis=0)
    org_drift[0] = 0.0
    theme_index = np.array([themes.index(s["theme"]) for s in statements])
    return {
        "level": level0[None, :] + trend,
        "region_theme": region_theme,
        "org_theme": org_theme,
        "org_drift": org_drift,
        "theme_index": theme_index,
    }


# --------------------------------------------------------------------------- respondents


def simulate(org: pd.Series, index: int, year: int, years: list[int], statements: list[dict], effects: dict, seed: int) -> dict:
    """One organisation's respondents in one year: ids, times, teams, roles and answer codes.

    ``codes`` is (respondents x statements asked that year), indexes into LABELS.
    """
    team_rng = rng_for(seed, "teams", index)  # the same teams every year
    n_teams = int(np.clip(round(org[f"size_{years[0]}"] / 25), 1, 40))
    team_pool = [s + a for a in AREAS for s in SERVICES]
    teams = sorted(team_pool[i] for i in team_rng.choice(len(team_pool), n_teams, replace=False))
    team_weight = team_rng.lognormal(0.0, 0.6, n_teams)
    team_effect = team_rng.normal(0.0, 0.2, n_teams)

    rng = rng_for(seed, "answers", year, index)
    n = int(org[f"size_{year}"])
    y = years.index(year)
    asked = [j for j, s in enumerate(statements) if year in s["wording"]]
    team = rng.choice(n_teams, n, p=team_weight / team_weight.sum())
    role = rng.choice(len(ROLES), n, p=list(ROLES.values()))
    role_names = np.array(list(ROLES), dtype=object)[role]

    ti = effects["theme_index"][asked]
    role_fx = np.array([[ROLE_EFFECT.get(r, {}).get(t, 0.0) for t in THEMES] for r in ROLES])[role][:, ti]
    fixed = (
        effects["level"][y, asked]
        + effects["org_theme"][index, ti]
        + effects["org_drift"][y, index]
        + effects["region_theme"][org["region"]][ti]
    )
    latent = (
        fixed[None, :]
        + role_fx
        + team_effect[team][:, None]
        + 0.8 * rng.standard_normal((n, 1))
        + rng.standard_normal((n, len(asked)))
    )
    codes = (latent[:, :, None] <= CUTS).sum(axis=2).astype(np.uint8)  # 0 strongly agree .. 4

    supervisor = np.isin(role_names, ["Team manager", "Advanced practitioner"]) | (
        (role_names == "Senior social worker") & (rng.random(n) < 0.4)
    )
    eligible = {None: np.ones(n, bool), "supervisor": supervisor, "first_year": role_names == "Newly qualified (ASYE)"}
    u = rng.random((n, len(asked)))
    blank_rate = 0.004 + rng.uniform(0.0, 0.01) + 0.0004 * np.arange(len(asked))
    dk = np.array([statements[j]["dk"] for j in asked])
    codes[u < dk + blank_rate] = 5
    codes[u < blank_rate] = 7
    for col, j in enumerate(asked):
        codes[~eligible[statements[j]["who"]], col] = 6

    start, end = fieldwork(year)
    days = np.arange(start, end + dt.timedelta(1), dtype="datetime64[D]")
    days = days[np.is_busday(days)]  # weekdays only
    weight = 1.0 + 3.0 * np.exp(-np.arange(len(days)) / 4.0)
    weight[-3:] += 2.0  # the closing reminder
    stamp = days[rng.choice(len(days), n, p=weight / weight.sum())].astype("datetime64[s]")
    stamp = np.sort(stamp + rng.integers(8 * 3600, 18 * 3600 + 1800, n).astype("timedelta64[s]"))
    ids = 100_000 * (index + 1) + np.cumsum(rng.integers(1, 4, n))
    return {
        "ids": ids,
        "times": stamp,
        "team": np.array(teams, dtype=object)[team],
        "role": role_names,
        "codes": codes,
        "asked": asked,
    }


def fieldwork(year: int) -> tuple[dt.date, dt.date]:
    """The national survey window: early October to early December."""
    return dt.date(year, 10, 2), dt.date(year, 12, 8)


HEAD = ["Response ID", "Completed", "Team", "Role"]


def respondent_frame(sim: dict, statements: list[dict], year: int) -> pd.DataFrame:
    """The export as ``healthcheck.io.read_table`` would give it: every cell text, blanks ""."""
    times = np.char.replace(np.datetime_as_string(sim["times"], unit="s"), "T", " ")
    data = {"Response ID": sim["ids"].astype(str), "Completed": times, "Team": sim["team"], "Role": sim["role"]}
    for col, j in enumerate(sim["asked"]):
        data[statements[j]["wording"][year]] = LABELS[sim["codes"][:, col]]
    return pd.DataFrame(data, dtype="str")  # the dtype io.read_table gives


def export_bytes(sim: dict, statements: list[dict], year: int) -> bytes:
    """The CSV as the survey tool writes it: UTF-8 with a byte-order mark, CRLF, quoted only where needed."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(HEAD + [statements[j]["wording"][year] for j in sim["asked"]])
    times = np.char.replace(np.datetime_as_string(sim["times"], unit="s"), "T", " ").astype(object)
    # No generated cell holds a comma, quote or line break, so rows are joined directly (fast).
    cells = np.column_stack([sim["ids"].astype(str).astype(object), times, sim["team"], sim["role"], LABELS[sim["codes"]]])
    body = "\r\n".join(map(",".join, cells.tolist()))
    return ("\ufeff" + header.getvalue() + body + "\r\n").encode("utf-8")


def export_name(year: int) -> str:
    return f"Health check {year} - responses.csv"


# --------------------------------------------------------------------------- text files


def bank_text(statements: list[dict], header: str) -> str:
    """question_bank.yml in the new theme format (title and intro per theme)."""
    themes = {code: {"title": theme["title"], "intro": theme["intro"]} for code, theme in THEMES.items()}
    questions = {}
    for s in statements:
        questions[s["code"]] = {"theme": s["theme"], "short": s["short"], "wording": dict(s["wording"])}
        if "comparable_from" in s:
            questions[s["code"]]["comparable_from"] = s["comparable_from"]
    return header + dump({"themes": themes, "questions": questions})


def survey_text(year: int, statements: list[dict], header: str) -> str:
    """The part of <year>/survey.yml shared by every organisation (workforce is appended)."""
    start, end = fieldwork(year)
    return header + dump(
        {
            "year": year,
            "level": "respondents",
            "export": export_name(year),
            "columns": {"respondent_id": "Response ID", "completed": "Completed", "team": "Team", "role": "Role"},
            "ignore": [],
            "questions": {s["wording"][year]: s["code"] for s in statements if year in s["wording"]},
            "fieldwork": {"survey_open": start, "survey_close": end},
            "synthetic": SYNTHETIC,
            "sources": [],
        }
    )


def settings_text(org: pd.Series, header: str) -> str:
    return header + dump(
        {
            "organisation": str(org["name"]),
            "service": "Adults' and children's social work",
            "report_title": "Social Work Health Check",
            "suppression_threshold": 10,
            "reconciliation": "warn",
            "demonstration_notice": NOTICE,
            "org_id": str(org["org_id"]),
            "region": str(org["region"]),
        }
    )


def national_text(years: list[int], header: str) -> str:
    """DIR/national.yml: the national summary's cover facts (an invented owner, and a date in
    the autumn after the last year's fieldwork), so a demonstration batch's cover has both."""
    date = dt.date(max(years), 11, 4).isoformat()
    return header + dump({"publication": {"date": date, "owner": "National Workforce Analysis Team (synthetic)"}})


def write_bytes(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# --------------------------------------------------------------------------- main


def generate(n_orgs: int, respondents: int, seed: int, years: list[int]):
    """(orgs, statements, iterator of (org row, year, simulation)): the data without files."""
    years = sorted(years)
    statements = statements_for(years)
    orgs = plan_organisations(n_orgs, respondents, years, seed)
    effects = national_effects(orgs, statements, years, seed)

    def sims():
        for index, org in orgs.iterrows():
            for year in years:
                yield org, year, simulate(org, int(index), year, years, statements, effects, seed)

    return orgs, statements, sims()


def write(out: Path, n_orgs: int, respondents: int, seed: int, years: list[int]) -> pd.DataFrame:
    """Write the whole set under ``out``; returns the organisation plan (with sizes)."""
    years = sorted(years)
    orgs, statements, sims = generate(n_orgs, respondents, seed, years)
    args = f"--organisations {n_orgs} --respondents {respondents} --seed {seed} --years {' '.join(map(str, years))}"
    header = f"# SYNTHETIC national data: scripts/make_national_data.py {args}\n"
    bank = bank_text(statements, header)
    surveys = {year: survey_text(year, statements, header) for year in years}
    for text in [bank, *surveys.values()]:  # what is written must read back
        yaml.safe_load(text)
    write_bytes(out / "organisations.csv", orgs[["org_id", "name", "region"]].to_csv(index=False, lineterminator="\n"))
    readme = f"# Synthetic national data\n\n{NOTICE}\n\nWritten by `scripts/make_national_data.py {args}`.\n"
    write_bytes(out / "README.md", readme)
    write_bytes(out / "national.yml", national_text(years, header))
    for org, year, sim in sims:
        folder = out / org["org_id"]
        if year == years[0]:
            write_bytes(folder / "settings.yml", settings_text(org, header))
            write_bytes(folder / "question_bank.yml", bank)
        workforce = int(np.ceil(org[f"size_{year}"] / org["response_rate"]))
        write_bytes(folder / str(year) / "survey.yml", surveys[year] + f"workforce: {workforce}\n")
        write_bytes(folder / str(year) / export_name(year), export_bytes(sim, statements, year))
    return orgs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic national data set.")
    parser.add_argument("--organisations", type=int, required=True)
    parser.add_argument("--respondents", type=int, required=True, help="respondents per year, across organisations")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    args = parser.parse_args(argv)
    if args.organisations < 1 or len(set(args.years)) != len(args.years):
        parser.error("need at least one organisation and distinct years")
    orgs = write(args.out, args.organisations, args.respondents, args.seed, args.years)
    sizes = orgs[[c for c in orgs.columns if c.startswith("size_")]]
    print(f"Wrote {len(orgs)} organisations in {orgs['region'].nunique()} regions to {args.out}")
    for col in sizes.columns:
        s = sizes[col]
        print(
            f"  {col[5:]}: {s.sum()} respondents; sizes {s.min()}-{s.max()} (median {int(s.median())}); "
            f"{(s < 10).sum()} organisations under 10"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
