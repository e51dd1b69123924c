"""The national batch the tests run: four synthetic organisations from
scripts/make_national_data.py, edited to hold every case, and `healthcheck batch` run on them.

One organisation so small that every figure is suppressed, in the same region as another (a
region's figures pooled from two, one of them hidden); one whose name and region hold markup;
and one whose export has two unknown answers (the batch records its failure and goes on). The
generator's national.yml gives the summary's date of publication and owner. To
keep it quick the question bank of every organisation is folded into two themes (eight chapters
a book instead of fifteen). tests/conftest.py runs it once a session (`national_batch`): the
batch's own tests (tests/pipeline/test_batch.py) and the book-tier checks of the national
summary book read the same run.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pandas as pd
import yaml

from healthcheck import cli, paths

YEAR = 2024
THRESHOLD = 10
# With --organisations 4 --respondents 320 --seed 11, ORG004 has 4 to 6 respondents a year (every
# figure suppressed); ORG001 (about 90) shares its region, ORG002 (about 75) carries the markup.
SMALL, SHARES_REGION, MARKUP, BROKEN = "ORG004", "ORG001", "ORG002", "ORG003"
VALID_IDS = (SHARES_REGION, MARKUP, SMALL)
MARKUP_NAME = 'Heron & <b>Sons</b> "Borough"'
MARKUP_REGION = 'Isles <of> & "Scilly"'
TWO_THEMES = {
    "people": {"title": "People and workload", "intro": "Leadership, staffing, workload, wellbeing and supervision."},
    "growth": {"title": "Practice and growth", "intro": "Development, practice, education and staying."},
}
PEOPLE = {"leadership", "workforce", "workload", "wellbeing", "supervision"}


def generator():
    """scripts/make_national_data.py as a module."""
    path = paths.ROOT / "scripts" / "make_national_data.py"
    spec = importlib.util.spec_from_file_location("make_national_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edit_yaml(path: Path, change) -> None:
    """Read a YAML file, let `change` edit the data, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def break_export(folder: Path) -> None:
    """Two answers the survey tool never writes ("Agreed"), in rows 3 and 5 as Excel numbers them."""
    path = folder / str(YEAR) / f"Health check {YEAR} - responses.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    for index in (2, 4):
        rows[index][4] = "Agreed"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def make_orgs(out: Path) -> Path:
    """The four organisations, edited as the module docstring says."""
    plan = generator().write(out, 4, 320, 11, [YEAR - 1, YEAR])
    sizes = plan.set_index("org_id")[[f"size_{YEAR - 1}", f"size_{YEAR}"]]
    assert (sizes.loc[SMALL] < THRESHOLD).all() and (sizes.drop(index=SMALL) >= 5 * THRESHOLD).all().all()
    listing = pd.read_csv(out / "organisations.csv", dtype=str)
    shared = listing.loc[listing["org_id"] == SHARES_REGION, "region"].iloc[0]
    listing.loc[listing["org_id"] == SMALL, "region"] = shared
    listing.loc[listing["org_id"] == MARKUP, "name"] = MARKUP_NAME
    listing.loc[listing["org_id"] == MARKUP, "region"] = MARKUP_REGION
    listing.to_csv(out / "organisations.csv", index=False, lineterminator="\n")
    for org in listing.itertuples():
        folder = out / org.org_id
        edit_yaml(folder / "settings.yml", lambda s, org=org: s.update(region=org.region))

        def two_themes(bank):
            bank["themes"] = TWO_THEMES
            for q in bank["questions"].values():
                q["theme"] = "people" if q["theme"] in PEOPLE else "growth"

        edit_yaml(folder / "question_bank.yml", two_themes)
    break_export(out / BROKEN)
    return out


def run_cli(orgs: Path, build: Path, *extra: str) -> int:
    """`healthcheck batch` as the analyst runs it, in this process (its exit status)."""
    return cli.main(["batch", "--orgs", str(orgs), "--year", str(YEAR), "--workers", "2", "--build-dir", str(build), *extra])
