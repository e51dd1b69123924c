"""The code hash (what a reused chapter run and an "up to date" book are keyed on) covers the
package's assets, not only its modules: an edited print style sheet or figure template must
rebuild the book, never keep the last PDF."""

from __future__ import annotations

import shutil

import pytest

from healthcheck import environment, paths

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("asset", ["print.css", "figure.html", "print-prepare.js"])
def test_editing_an_asset_changes_the_code_hash(tmp_path, monkeypatch, asset):
    root = tmp_path / "repo"
    shutil.copytree(paths.ROOT / "healthcheck", root / "healthcheck", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(paths.ROOT / "requirements.txt", root / "requirements.txt")
    monkeypatch.setattr(paths, "ROOT", root)
    before = environment.code_and_environment_hash()
    assert environment.code_and_environment_hash() == before  # the same files, the same hash

    path = root / "healthcheck" / "assets" / asset
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert environment.code_and_environment_hash() != before
