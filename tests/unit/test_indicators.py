"""Workforce indicators across the years: every year held, the source of each figure, a download."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from IPython.display import HTML

from healthcheck import paths
from healthcheck.present.chapter import Chapter
from healthcheck.present.sections import indicators


@pytest.fixture
def demo(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", folder)
    return folder


def shown_html(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(indicators, "display", lambda obj: shown.append(obj.data if isinstance(obj, HTML) else str(obj)))
    return shown


def test_every_year_held_with_each_figures_source(demo, tmp_path, monkeypatch):
    files = {y: pd.read_csv(demo / str(y) / "indicators.csv", dtype=str) for y in (2020, 2021, 2022)}
    ch = Chapter(2022, demo, tmp_path / "downloads")
    shown = shown_html(monkeypatch)
    indicators.context_indicators(ch)
    table = "".join(shown)
    assert "Context indicators, 2020 to 2022" in table
    for year in ("2020", "2021", "2022"):
        assert f'<th scope="col">{year}</th>' in table
    history = pd.read_csv(tmp_path / "downloads" / "2022-indicators.csv", dtype=str)
    assert sorted(set(history["Year"])) == ["2020", "2021", "2022"]
    assert len(history) == sum(len(f) for f in files.values())
    for year, frame in files.items():  # every figure of every year, with its own source
        mine = history[history["Year"] == str(year)].set_index("Code")
        for r in frame.itertuples(index=False):
            assert (mine.at[r.code, "Value"], mine.at[r.code, "Source"]) == (r.value, r.source)
    # supervision was recorded only in 2020: kept, "not recorded" later, and its source named
    assert "Case supervision recorded on time (October)" in table and "not recorded this year" in table
    # agency staff: 88 in 2020, 71 in 2021, 64 in 2022, two sources with their years; each
    # source's words listed once under the table, however many indicators it gave
    sources = re.findall(r"<li>\[(\d+)\] (.*?)</li>", table)
    number = {text: n for n, text in sources}
    adviser = next(n for text, n in number.items() if text.startswith("Improvement adviser"))
    synthetic = number["Synthetic, written for the demonstration"]
    assert f"2020: [{adviser}]; 2021 and 2022: [{synthetic}]" in table
    assert len(number) == len(sources) and all(table.count(text) == 1 for text in number)
    assert "down 7 staff" in table


def test_an_earlier_year_shows_only_the_years_up_to_it(demo, monkeypatch):
    ch = Chapter(2021, demo)
    shown = shown_html(monkeypatch)
    indicators.context_indicators(ch)
    table = "".join(shown)
    assert "Context indicators, 2020 to 2021" in table and '<th scope="col">2022</th>' not in table
    assert "Progressions to Senior Social Worker" not in table  # a 2022 indicator


def test_no_indicators_says_so(demo, monkeypatch):
    for year in (2020, 2021, 2022):
        (demo / str(year) / "indicators.csv").unlink()
    ch = Chapter(2022, demo)
    shown = shown_html(monkeypatch)
    indicators.context_indicators(ch)
    assert shown == ["<p>No context indicators are recorded for 2022 or earlier years.</p>"]
