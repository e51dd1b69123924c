"""`new-year` never carries last year's date of publication onto this year's cover.

The date of publication is a fact of one year: started from last year's survey.yml, the new
year keeps the owner and leaves the date empty (the cover then shows no date rather than a
wrong one); started from nothing, the skeleton has both keys to fill in, and they load.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from healthcheck.data.config import load_year_meta
from healthcheck.scaffold import newyear

pytestmark = pytest.mark.unit

DEMO = Path(__file__).resolve().parents[2] / "data"


def test_a_year_started_from_last_year_keeps_the_owner_and_not_the_date(tmp_path):
    data = shutil.copytree(DEMO, tmp_path / "data")
    last = load_year_meta(data, 2022).publication
    assert last.date == dt.date(2022, 10, 12) and last.owner  # the demo has both to carry

    newyear.new_year(data, 2023, echo=lambda _: None)

    text = (data / "2023" / "survey.yml").read_text(encoding="utf-8")
    assert "2022-10-12" not in text
    assert "publication" in text.split("# `python -m healthcheck import`")[0]  # named in the header to check
    started = load_year_meta(data, 2023).publication
    assert started.date is None and started.owner == last.owner


def test_a_first_year_skeleton_has_the_publication_keys_empty(tmp_path):
    data = tmp_path / "data"
    newyear.new_year(data, 2024, echo=lambda _: None)

    text = (data / "2024" / "survey.yml").read_text(encoding="utf-8")
    assert "publication:" in text and "date: null" in text
    started = load_year_meta(data, 2024).publication
    assert started.date is None and started.owner == ""
