"""Tests of scripts/make_national_data.py: reproducible bytes, the layout the batch reads, sizes."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_national_data.py"
YEARS = (2023, 2024)
RESPONDENTS = 900
LABELS = {
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
    "Don't know",
    "Not applicable",
    "",
}


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("make_national_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(script, out: Path, organisations: int = 5, respondents: int = RESPONDENTS) -> Path:
    args = [
        "--organisations",
        str(organisations),
        "--respondents",
        str(respondents),
        "--seed",
        "7",
        "--out",
        str(out),
        "--years",
        *map(str, YEARS),
    ]
    assert script.main(args) == 0
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_export(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def national(script, tmp_path_factory):
    return run(script, tmp_path_factory.mktemp("national") / "set")


def test_same_arguments_give_identical_bytes(script, national, tmp_path):
    again = files(run(script, tmp_path / "again"))
    first = files(national)
    assert sorted(again) == sorted(first)
    assert all(again[name] == first[name] for name in first)


def test_layout(national):
    with open(national / "organisations.csv", encoding="utf-8", newline="") as fh:
        orgs = list(csv.DictReader(fh))
    assert [list(o) for o in orgs] == [["org_id", "name", "region"]] * 5
    assert len({o["org_id"] for o in orgs}) == 5 and len({o["name"] for o in orgs}) == 5
    for org in orgs:
        folder = national / org["org_id"]
        settings = yaml.safe_load((folder / "settings.yml").read_text(encoding="utf-8"))
        assert (settings["org_id"], settings["region"], settings["organisation"]) == (org["org_id"], org["region"], org["name"])
        assert "synthetic" in settings["demonstration_notice"].lower()
        bank = yaml.safe_load((folder / "question_bank.yml").read_text(encoding="utf-8"))
        assert all(set(theme) == {"title", "intro"} for theme in bank["themes"].values())
        assert {q["theme"] for q in bank["questions"].values()} <= set(bank["themes"])
        for year in YEARS:
            meta = yaml.safe_load((folder / str(year) / "survey.yml").read_text(encoding="utf-8"))
            assert meta["year"] == year and meta["level"] == "respondents" and meta["synthetic"]
            rows = read_export(folder / str(year) / meta["export"])
            heads = list(meta["columns"].values()) + list(meta["questions"])
            assert rows and list(rows[0]) == heads
            assert {bank["questions"][code]["wording"][year] for code in meta["questions"].values()} == set(meta["questions"])
            assert {row[h] for row in rows for h in meta["questions"]} <= LABELS
            assert all(row["Completed"].startswith(str(year)) for row in rows)


def test_sizes_add_up_and_some_organisations_are_small(national):
    for year in YEARS:
        sizes = [len(read_export(p)) for p in sorted(national.glob(f"*/{year}/*.csv"))]
        assert len(sizes) == 5
        assert sum(sizes) == RESPONDENTS
        assert min(sizes) < 10


def test_change_since_last_year_exists(national):
    bank = yaml.safe_load((national / "ORG001" / "question_bank.yml").read_text(encoding="utf-8"))
    both = [q for q in bank["questions"].values() if set(q["wording"]) == set(YEARS) and "comparable_from" not in q]
    assert len(both) >= 25
    assert any(q.get("comparable_from") == YEARS[-1] for q in bank["questions"].values())


def test_every_region_is_used(script, tmp_path):
    out = run(script, tmp_path / "regions", organisations=20, respondents=2000)
    with open(out / "organisations.csv", encoding="utf-8", newline="") as fh:
        regions = {o["region"] for o in csv.DictReader(fh)}
    assert len(regions) == 9 and "Yorkshire and the Humber" in regions


def test_statements_come_from_the_hand_written_file(script, national):
    """Each organisation's bank is national_statements.yml's content: the same themes and
    wording, the reworded statement not comparable with the first year, the added one asked last."""
    content = yaml.safe_load(script.STATEMENTS_FILE.read_text(encoding="utf-8"))
    bank = yaml.safe_load((national / "ORG002" / "question_bank.yml").read_text(encoding="utf-8"))
    assert bank["themes"] == content["themes"]
    assert list(bank["questions"]) == list(content["questions"])
    for code, q in content["questions"].items():
        written = bank["questions"][code]
        assert (written["theme"], written["short"]) == (q["theme"], q["short"])
        if q.get("added"):
            assert written["wording"] == {YEARS[-1]: q["wording"]}
        elif q.get("reworded"):
            assert written["wording"] == {YEARS[0]: q["wording"], YEARS[-1]: q["reworded"]}
            assert written["comparable_from"] == YEARS[-1]
        else:
            assert written["wording"] == dict.fromkeys(YEARS, q["wording"])


def test_a_statement_without_simulation_parameters_is_refused(script, tmp_path):
    content = yaml.safe_load(script.STATEMENTS_FILE.read_text(encoding="utf-8"))
    content["questions"]["NEW01"] = {"theme": "workload", "short": "New", "wording": "A new statement."}
    path = tmp_path / "national_statements.yml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    with pytest.raises(SystemExit, match="NEW01"):
        script.load_statements(path)


def test_the_national_summary_has_a_date_and_owner_for_its_cover(national):
    """DIR/national.yml, read as the batch reads it: a demonstration batch's national cover
    names its date of publication and owner like a council's."""
    from healthcheck.pipeline.batch.files import read_national

    facts = read_national(national).publication
    assert facts.date is not None and facts.date.year == max(YEARS) and facts.date.month >= 9
    assert facts.owner and "synthetic" in facts.owner
