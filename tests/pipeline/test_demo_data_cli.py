"""The shipped demonstration data through the command line and the generator (pipeline tier)."""

import importlib.util
import shutil
import subprocess
import sys
from io import StringIO

import pandas as pd
import pytest
import yaml

from healthcheck import paths
from healthcheck.analysis.rounding import round_half_up
from healthcheck.analysis.survey import load_survey
from healthcheck.data import codes
from healthcheck.data.config import load_year_meta
from tests.conftest import tree_hashes

# The 2022 published percentages (report of October 2022 and its covering letter), as issued.
PUBLISHED_2022 = {
    "IMP01": 82, "IMP02": 69, "IMP03": 80, "IMP04": 88, "WEL01": 67, "PRA01": 74, "PRA02": 69, "PRA03": 55,
    "PRA04": 50, "PRA05": 70, "PRA06": 72, "PRA07": 32, "PRA08": 55, "EDI01": 69, "EDI02": 74,
}  # fmt: skip


def test_every_shipped_year_validates():
    result = subprocess.run([sys.executable, "-m", "healthcheck", "validate"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Data for 2020, 2021, 2022 is valid.")
    assert "ERROR" not in result.stdout + result.stderr


def test_figures_command_writes_exactly_the_documented_columns_without_touching_data():
    before = tree_hashes(paths.ROOT / "data")
    result = subprocess.run(
        [sys.executable, "-m", "healthcheck", "figures", "--year", "2022", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    table = pd.read_csv(StringIO(result.stdout))
    assert list(table.columns) == [
        "year", "question_id", "theme", "n_valid", "n_positive", "pct_positive", "ci_low", "ci_high", "prev_year",
        "prev_pct_positive", "change_pts", "p_value", "change_flag", "suppressed",
    ]  # fmt: skip
    assert len(table) == len(load_survey(year=2022).bank.asked_in(2022))
    assert table.pct_positive.between(0, 100).all()
    # unrounded: at least one percentage has decimals
    assert (table.pct_positive % 1 != 0).any()
    assert tree_hashes(paths.ROOT / "data") == before


def load_generator():
    """scripts/make_demo_data.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_demo_data", paths.ROOT / "scripts" / "make_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def simulated_files(generator, data_dir) -> set[str]:
    """What the generator may write: each simulated year's export (named by its survey.yml) and
    the invented other organisations' files; every other data file is hand-written."""
    exports = {f"{year}/{load_year_meta(data_dir, year).export}" for year in generator.YEARS}
    others = {f"{year}/{name}" for year in generator.OTHER_ORGANISATIONS for name in ("organisations.csv", "benchmarks.csv")}
    return exports | others


def test_demo_data_script_is_deterministic(tmp_path):
    """Re-running the generator reproduces the committed exports byte for byte, writes nothing
    but the simulated files, and leaves the hand-written data as it was."""
    generator = load_generator()
    data = paths.ROOT / "data"
    before = tree_hashes(data)
    script = paths.ROOT / "scripts" / "make_demo_data.py"
    # from another folder, with the default --data: the repository's data folder
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "out")], check=True, capture_output=True, cwd=tmp_path)
    written = tree_hashes(tmp_path / "out")
    assert set(written) == simulated_files(generator, data)
    assert written == {name: before[name] for name in written}
    assert tree_hashes(data) == before


def test_demo_generator_takes_statements_and_published_figures_from_the_data_files(tmp_path, capsys):
    """The statements' wording and the published percentages are read from the hand-written
    files: change them there and the simulated export follows."""
    generator = load_generator()
    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    old, new = "My workload is manageable.", "My workload is manageable most weeks."
    for name in ("question_bank.yml", "2022/survey.yml"):
        text = (data / name).read_text(encoding="utf-8")
        assert text.count(old) >= 1
        (data / name).write_text(text.replace(f"2022: {old}", f"2022: {new}").replace(f"{old}: WEL02", f"{new}: WEL02"), "utf-8")
    published = pd.read_csv(data / "2022" / "published.csv")
    published.loc[published.question_id == "IMP01", "pct_positive"] = 76
    published.to_csv(data / "2022" / "published.csv", index=False)

    assert generator.main(["--data", str(data), "--out", str(tmp_path / "out")]) == 0
    meta = load_year_meta(data, 2022)
    export = pd.read_csv(tmp_path / "out" / "2022" / meta.export, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert new in export.columns and old not in export.columns
    answers = export[next(h for h, code in meta.questions.items() if code == "IMP01")].map(codes.normalise_label)
    assert round_half_up(100 * answers.isin(codes.POSITIVE).sum() / answers.isin(codes.VALID).sum()) == 76
    assert "(published 76)  ok" in capsys.readouterr().out


def test_demo_generator_refuses_a_statement_it_has_no_simulation_for(tmp_path):
    generator = load_generator()
    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    bank = yaml.safe_load((data / "question_bank.yml").read_text(encoding="utf-8"))
    bank["questions"]["NEW01"] = {"theme": "wellbeing", "short": "A new statement", "wording": {2022: "A new statement."}}
    (data / "question_bank.yml").write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True), "utf-8")
    survey = (data / "2022" / "survey.yml").read_text(encoding="utf-8")
    (data / "2022" / "survey.yml").write_text(survey.replace("fieldwork:", "  A new statement.: NEW01\nfieldwork:", 1), "utf-8")

    with pytest.raises(SystemExit, match="NEW01.*no simulation parameters"):
        generator.main(["--data", str(data), "--out", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()
