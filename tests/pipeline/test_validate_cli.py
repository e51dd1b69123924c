"""The pipeline-tier tests of tests/unit/test_validate.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import tree_hashes
from tests.unit.test_validate import _edit_export


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "healthcheck", *args], capture_output=True, text=True)


def test_cli_validate_clean_and_broken_without_traceback_or_changes(data_dir):
    ok = _cli("validate", "--year", "2022", "--data-dir", str(data_dir))
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout

    _edit_export(data_dir, 2022, lambda f: f.assign(**{"I understand the priorities": "Agree strongly"}))
    before = tree_hashes(data_dir)
    bad = _cli("validate", "--year", "2022", "--data-dir", str(data_dir))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    # 40 rows fail the same way: one summary line names the column, the count and the first rows
    assert "column 'I understand the priorities': 40 rows (rows 2, 3, 4, 5, 6, ...) found 'Agree strongly'" in bad.stderr
    assert "row 7," not in bad.stderr
    every = _cli("validate", "--year", "2022", "--data-dir", str(data_dir), "--all")
    assert "row 41, column 'I understand the priorities': found 'Agree strongly'" in every.stderr
    assert tree_hashes(data_dir) == before


def test_cli_figures_on_bad_data_is_a_plain_error(data_dir):
    (data_dir / "2022" / "export.csv").write_text("", encoding="utf-8")
    result = _cli("figures", "--year", "2022", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "empty" in result.stderr
