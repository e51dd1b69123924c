"""The files of a national batch: the list of organisations it reads, and what it writes besides the books.

Read: `DIR/organisations.csv` (org_id, name, region), one row per organisation, whose data
folder is `DIR/<org_id>/`; and, when there, `DIR/national.yml`, the national summary's own
facts (`publication`: its date and owner, printed on its PDF's cover, as a council's survey.yml).

Written (into the build folder only; an organisation's data folder is never touched):

    <build>/<org_id>/benchmarks/benchmarks.csv      the report year: England and the organisation's region
    <build>/<org_id>/benchmarks/organisations.csv   the report year: every included organisation's figures
    <build>/<org_id>/benchmarks/<year>/...          the same for the organisation's previous survey year
    <build>/national/input/<year>/...               the national summary book's inputs (present/national.py)

`organisations.csv` gives a statement an organisation's own report suppresses as 0 of 0 (see
`batchtasks.all_staff`): the same for pools, ranks and comparisons, and no hidden count leaves
its report through the files every other build reads. `benchmarks.csv` leaves out a suppressed
benchmark (the format cannot mark one), which the report shows as "not in the benchmark".

Every file is written only when its bytes change, and the bytes depend only on the figures
(organisations sorted, fixed columns, floats written exactly), so a rerun with unchanged
figures leaves every file as it was and `build_book` finds nothing to rebuild.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from healthcheck.analysis import comparators as bm
from healthcheck.data.config import Publication
from healthcheck.data.files import BENCHMARKS_FILE, ORGANISATIONS_FILE
from healthcheck.data.inputs import read_clean
from healthcheck.data.yaml.model import parse_model
from healthcheck.errors import DataError, Problem, display_path

ORGANISATIONS_LIST = "organisations.csv"
NATIONAL_FILE = "national.yml"
LIST_COLUMNS = ["org_id", "name", "region"]
#: An org_id names folders of the build: letters, digits, "_", "-" and "." (not first), at most 64.
ORG_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
NATIONAL = "national"  # <build>/national/ holds the national summary book
BENCHMARK_FOLDER = "benchmarks"
#: No organisation figure from fewer valid responses enters a pool or the national summary.
THRESHOLD = 10


# ----------------------------------------------------------------------------- the list


def read_organisations(orgs_dir: Path) -> pd.DataFrame:
    """DIR/organisations.csv, checked: DataError naming every bad row (the batch cannot start)."""
    path = Path(orgs_dir) / ORGANISATIONS_LIST
    shown = display_path(path, Path(orgs_dir))
    if not path.is_file():
        raise DataError([Problem(shown, None, None, None, "the list of organisations: a CSV file with org_id,name,region")])
    frame = read_clean(path, Path(orgs_dir)).frame  # DataError in read_table's words when unreadable
    missing = [c for c in LIST_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError([Problem(shown, 1, c, None, "this column") for c in missing])
    frame = frame[LIST_COLUMNS].apply(lambda s: s.str.strip())
    problems = []
    seen: set[str] = set()
    for row, org_id, name, region in frame.itertuples(name=None):
        if not ORG_ID.fullmatch(org_id) or org_id.lower() == NATIONAL:
            expected = "an id of letters, digits, _ - or . (it names a folder), and not 'national'"
            problems.append(Problem(shown, int(row), "org_id", org_id, expected))
        elif org_id in seen:
            problems.append(Problem(shown, int(row), "org_id", org_id, "each organisation once"))
        seen.add(org_id)
        problems += [
            Problem(shown, int(row), col, "", "a value") for col, value in (("name", name), ("region", region)) if not value
        ]
    if not len(frame):
        problems.append(Problem(shown, None, None, None, "at least one organisation"))
    if problems:
        raise DataError(problems)
    return frame.reset_index(drop=True)


class NationalFacts(BaseModel):
    """DIR/national.yml: what the national summary says of itself (a misspelt key is an error)."""

    model_config = ConfigDict(extra="forbid")
    # the summary's date of publication and who owns it, as a council's survey.yml `publication`
    publication: Publication = Publication()


def read_national(orgs_dir: Path) -> NationalFacts:
    """DIR/national.yml when there (DataError naming the key of any mistake), else no facts."""
    path = Path(orgs_dir) / NATIONAL_FILE
    return parse_model(NationalFacts, path, Path(orgs_dir)) if path.is_file() else NationalFacts()


# ----------------------------------------------------------------------------- benchmarks


def organisation_figures(validated: list[dict], year: int) -> pd.DataFrame:
    """Every valid organisation's all-staff figures of `year`: org_id, name, region, question_id,
    n_positive, n_valid (the input of analysis.benchmarks), sorted by org_id and statement."""
    frames = []
    for org in validated:
        figs = org["figures"].get(year)
        if figs is not None and len(figs):
            frames.append(figs.assign(org_id=org["org_id"], name=org["name"], region=org["region"]))
    if not frames:
        return pd.DataFrame(columns=["org_id", "name", "region", "question_id", "n_positive", "n_valid"])
    out = pd.concat(frames, ignore_index=True)
    out = out.loc[:, ["org_id", "name", "region", "question_id", "n_positive", "n_valid"]]
    return out.sort_values(["org_id", "question_id"], kind="stable").reset_index(drop=True)


def year_pools(validated: list[dict], years: set[int]) -> dict[int, dict]:
    """For each year: the organisation figures and benchmark_figures over them."""
    pools = {}
    for year in sorted(years):
        figs = organisation_figures(validated, year)
        if len(figs):
            pools[year] = {"figures": figs, "benchmarks": bm.benchmark_figures(figs, threshold=THRESHOLD)}
    return pools


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes that depend only on the values: "\\n" line ends, floats written exactly (repr)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def benchmark_files(pool: dict, region: str, n_orgs_note: str) -> dict[str, bytes]:
    """The two files of one year for an organisation of `region`, as `data/benchmarkfiles.py` reads them.

    benchmarks.csv holds England and the organisation's own region; a suppressed benchmark is
    left out (the format has no way to say "suppressed", and an empty percentage is an error),
    so the report says "not in the benchmark" for it.
    """
    b = pool["benchmarks"]
    keep = ~b["suppressed"] & ((b["scope"] == bm.NATIONAL) | (b["name"] == region))
    rows = b.loc[keep, ["question_id", "scope", "name", "pct_positive", "n_valid"]].copy()
    rows["n_valid"] = rows["n_valid"].astype("int64")
    rows["source"] = n_orgs_note
    orgs = pool["figures"].copy()
    for col in ("n_positive", "n_valid"):
        orgs[col] = orgs[col].astype("int64")
    return {BENCHMARKS_FILE: _csv(rows), ORGANISATIONS_FILE: _csv(orgs)}


def organisation_benchmarks(org: dict, year: int, pools: dict[int, dict]) -> dict[str, bytes]:
    """Every benchmark file of one organisation's folder: the report year at the top, and its
    previous survey year (when the batch has figures of that year for it) in a subfolder."""
    files = {}
    for y, prefix in ((year, ""), (org.get("prev_year"), f"{org.get('prev_year')}/")):
        pool = pools.get(y)
        if y is None or pool is None or org["org_id"] not in set(pool["figures"]["org_id"]):
            continue
        note = f"pooled over the {pool['figures']['org_id'].nunique()} organisations of the {y} national batch"
        files |= {prefix + name: data for name, data in benchmark_files(pool, org["region"], note).items()}
    return files


def sync_folder(folder: Path, files: dict[str, bytes]) -> bool:
    """Make `folder` hold exactly `files` (relative path -> bytes), rewriting only what differs.

    Returns whether anything changed. Files the batch no longer writes are removed, so the
    folder (which the build fingerprints) never keeps a stale year.
    """
    folder = Path(folder)
    changed = False
    for rel, data in files.items():
        path = folder / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        changed = True
    if folder.is_dir():
        wanted = {folder / rel for rel in files}
        for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
            if path.is_file() and path not in wanted:
                path.unlink()
                changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


# ----------------------------------------------------------------------------- the national book's inputs


def national_inputs(
    validated: list[dict],
    in_batch: int,
    year: int,
    pool: dict,
    previous: tuple[int, dict] | None = None,
    national: NationalFacts | None = None,
) -> dict[str, bytes]:
    """The files present/national.py reads (see its docstring), from the report year's pool;
    `previous`: (year, pool) of the latest earlier year, whose England and regional figures the
    summary compares with (previous.csv, with the statements reworded since then); `national`:
    DIR/national.yml, whose publication date and owner go to facts.json for the cover."""
    orgs = sorted(validated, key=lambda o: o["org_id"])
    organisations = pd.DataFrame(
        [{"org_id": o["org_id"], "name": o["name"], "region": o["region"], "respondents": o["respondents"]} for o in orgs],
        columns=["org_id", "name", "region", "respondents"],
    )
    figures = pool["figures"].loc[:, ["org_id", "question_id", "n_positive", "n_valid"]]
    benchmarks = pool["benchmarks"].copy()
    benchmarks["n_positive"] = benchmarks["n_positive"].astype("Int64")
    titles = Counter(o["report_title"] for o in orgs)
    facts = {
        "year": year,
        "report_title": sorted(titles.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if titles else "Social Work Health Check",
        "in_batch": in_batch,
        "included": len(orgs),
        "threshold": THRESHOLD,
        "notices": sorted({o["notice"] for o in orgs if o["notice"]}),
    }
    publication = (national or NationalFacts()).publication
    facts["publication"] = {"date": publication.date.isoformat() if publication.date else None, "owner": publication.owner}
    files = {}
    if previous is not None:
        prev_year, prev_pool = previous
        facts["prev_year"] = int(prev_year)
        before = prev_pool["benchmarks"].copy()
        before["n_positive"] = before["n_positive"].astype("Int64")
        reworded = {q for o in orgs if o.get("prev_year") == prev_year for q in o.get("reworded", [])}
        files["previous.csv"] = _csv(before.assign(reworded=before["question_id"].isin(reworded)))
    return files | {
        "facts.json": (json.dumps(facts, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"),
        "organisations.csv": _csv(organisations),
        "figures.csv": _csv(figures),
        "benchmarks.csv": _csv(benchmarks),
        "questions.csv": _csv(question_list(orgs, year)),
    }


def question_list(orgs: list[dict], year: int) -> pd.DataFrame:
    """Every statement asked in `year`, labelled from the first organisation (by org_id) that has it,
    in the order of that organisation's question bank (themes first)."""
    frames = [o["questions"] for o in orgs if o.get("questions") is not None]
    if not frames:
        return pd.DataFrame(columns=["question_id", "theme", "theme_title", "short"])
    out = pd.concat(frames, ignore_index=True).drop_duplicates("question_id", keep="first")
    return out.loc[:, ["question_id", "theme", "theme_title", "short"]].reset_index(drop=True)
