"""The pipeline-tier tests of tests/unit/test_demo_data.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pandas as pd

from healthcheck import paths
from healthcheck.analysis.survey import load_survey
from tests.conftest import tree_hashes


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


def test_demo_data_script_is_deterministic(tmp_path):
    """Re-running the generator reproduces the committed files byte for byte."""
    before = tree_hashes(paths.ROOT / "data")
    subprocess.run(
        [sys.executable, str(paths.ROOT / "scripts" / "make_demo_data.py"), "--out", str(tmp_path / "data")],
        check=True,
        capture_output=True,
    )
    assert tree_hashes(tmp_path / "data") == before
