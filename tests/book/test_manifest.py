"""Auditors: the manifest records a build; verify rebuilds and names what differs and why."""

import json
import shutil
import subprocess
import sys

import pandas as pd

from healthcheck import paths
from healthcheck.audit import manifest
from healthcheck.data.config import load_bank
from healthcheck.hashing import sha256
from tests.conftest import tree_hashes


def _verify(*args):
    return subprocess.run(
        [sys.executable, "-m", "healthcheck", "verify", "--year", "2022", *args], capture_output=True, text=True
    )


def test_manifest_records_inputs_code_environment_parameters_outputs_and_numbers(demo_book):
    recorded = manifest.read_manifest(demo_book.out_dir / "manifest.json")
    assert set(recorded["inputs"]) >= {"settings.yml", "question_bank.yml", "2022/survey.yml", "2022/published.csv"}
    assert recorded["inputs"]["settings.yml"] == sha256(paths.ROOT / "data" / "settings.yml")
    assert len(recorded["code"]["commit"]) == 40 and isinstance(recorded["code"]["dirty"], bool)
    assert recorded["environment"]["packages"]["pandas"] == pd.__version__
    # one chapter per fixed notebook, and the theme notebook once per theme of the bank
    fixed = {p.stem for p in (paths.ROOT / "chapters").glob("*.ipynb")} - {"theme"}
    themes = {f"theme-{code}" for code in load_bank(paths.ROOT / "data").themes}
    assert set(recorded["chapters"]) == fixed | themes
    assert recorded["chapters"]["theme-wellbeing"]["theme"] == "wellbeing"
    assert all(p["year"] == 2022 for p in recorded["chapters"].values())
    svgs = [k for k in recorded["outputs"] if k.endswith(".svg")]
    assert len(svgs) >= 20 and "pdf text" in recorded["outputs"]
    assert any(k.endswith(".xlsx") for k in recorded["outputs"])
    assert round(recorded["headline_numbers"]["pct_positive.IMP01"]) == 82


def test_a_rebuild_matches_byte_for_byte_and_a_different_package_version_is_reported(demo_book, demo_data, tmp_path):
    """Two builds of the same inputs give identical hashes for every figure, table and number."""
    published = tree_hashes(demo_book.out_dir)
    recorded = json.loads((demo_book.out_dir / "manifest.json").read_text(encoding="utf-8"))
    recorded["environment"]["packages"]["pandas"] = "0.0.1"
    edited = tmp_path / "manifest.json"
    edited.write_text(json.dumps(recorded), encoding="utf-8")

    result = _verify("--data-dir", str(demo_data), "--manifest", str(edited))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "matches" in result.stdout
    assert f"package version differs: pandas 0.0.1 in the manifest, {pd.__version__} now" in result.stdout
    assert tree_hashes(demo_book.out_dir) == published  # verify never touches the published build


def test_changing_one_cell_of_one_input_fails_and_names_the_file_and_figures(demo_book, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    survey = data / "2022" / "survey.yml"
    import yaml

    meta = yaml.safe_load(survey.read_text(encoding="utf-8"))
    export = data / "2022" / meta["export"]
    heading = next(h for h, q in meta["questions"].items() if q == "IMP01")
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = frame.index[frame[heading].str.strip().str.lower() == "agree"][0]
    frame.loc[row, heading] = "Strongly disagree"
    frame.to_csv(export, index=False, encoding="utf-8-sig")

    result = _verify("--data-dir", str(data), "--manifest", str(demo_book.out_dir / "manifest.json"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"input file changed: 2022/{meta['export']}" in result.stderr
    assert "html/downloads/2022-improvement-responses.csv differs" in result.stderr
    assert "headline_numbers: pct_positive.IMP01" in result.stderr
