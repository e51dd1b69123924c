"""Every command answers a data mistake with exit status 1 and a plain message, never a traceback,
and changes no input file."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from healthcheck import paths
from tests.conftest import run_cli, tree_hashes


@pytest.fixture
def broken_data(tmp_path):
    """The demo data with a misspelt answer in the 2022 export."""
    data = shutil.copytree(paths.ROOT / "data", tmp_path / "data")
    export = data / "2022" / yaml.safe_load((data / "2022" / "survey.yml").read_text(encoding="utf-8"))["export"]
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    question = frame.columns[-1]
    frame.loc[3, question] = "Agre"
    frame.to_csv(export, index=False, encoding="utf-8-sig")
    return data


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "--year", "2022"],
        ["figures", "--year", "2022"],
        ["build", "--year", "2022"],
        ["verify", "--year", "2022"],
    ],
)
def test_a_data_mistake_is_a_message_not_a_traceback(command, broken_data, tmp_path):
    before = tree_hashes(broken_data)
    args = [*command, "--data-dir", str(broken_data)]
    if command[0] == "build":
        args += ["--build-dir", str(tmp_path / "build")]
    if command[0] == "verify":
        manifest = tmp_path / "manifest.json"
        manifest.write_text("{}", encoding="utf-8")
        args += ["--manifest", str(manifest)]
    result = subprocess.run([sys.executable, "-m", "healthcheck", *args], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "'Agre'" in result.stderr and "row" in result.stderr
    assert tree_hashes(broken_data) == before
    if command[0] == "build":
        assert not (tmp_path / "build" / "2022").exists()


def test_import_of_a_file_that_is_not_a_table(tmp_path):
    data = shutil.copytree(paths.ROOT / "data", tmp_path / "data")
    assert (
        subprocess.run(
            [sys.executable, "-m", "healthcheck", "new-year", "2023", "--data-dir", str(data)], capture_output=True
        ).returncode
        == 0
    )
    bogus = tmp_path / "export.pdf"
    bogus.write_bytes(b"%PDF-1.4 not a table")
    result = subprocess.run(
        [sys.executable, "-m", "healthcheck", "import", "--year", "2023", str(bogus), "--data-dir", str(data)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr and result.stderr.strip()


def test_a_year_that_does_not_exist(tmp_path):
    result = subprocess.run([sys.executable, "-m", "healthcheck", "figures", "--year", "1999"], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "1999" in result.stderr


@pytest.mark.parametrize("command", ["build", "verify"])
def test_an_empty_data_folder_says_what_is_missing(command, tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "healthcheck", command, "--data-dir", str(empty)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "survey.yml" in result.stderr and "1 error(s)" in result.stderr


def test_build_passes_the_data_folder_as_given(monkeypatch):
    """With no --data-dir the build records None, so manifests do not depend on where the repository is."""
    from healthcheck import cli
    from healthcheck.pipeline import stages

    seen = {}

    def fake_build(year, **kwargs):
        seen.update(kwargs, year=year)
        raise KeyboardInterrupt  # stop here: only the arguments matter

    monkeypatch.setattr(stages, "build_book", fake_build)
    assert cli.main(["build", "--year", "2022"]) == 130
    assert seen["data_dir"] is None and seen["year"] == 2022


def test_validate_warns_about_a_quote_from_a_small_group_as_the_build_does(demo_data):
    """The 2022 demonstration quotes two advanced practitioners, a role of fewer than 10 staff."""
    result = run_cli("validate", "--year", "2022", "--data-dir", demo_data)
    assert result.returncode == 0, result.stderr
    assert "quotes.csv, row 4, column 'speaker': found 'Advanced practitioner'" in result.stdout
    assert "write yes under 'confirmed' to keep it" in result.stdout
