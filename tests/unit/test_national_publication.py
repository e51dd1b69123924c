"""DIR/national.yml: the national summary's date of publication and owner, for its PDF's cover
(the batch reads it before it starts, like the list of organisations)."""

from __future__ import annotations

import datetime as dt

import pytest

from healthcheck.errors import DataError
from healthcheck.pipeline.batch.files import read_national


def test_the_date_and_owner_are_read(tmp_path):
    (tmp_path / "national.yml").write_text("publication:\n  date: 2024-11-04\n  owner: Analysis team\n", encoding="utf-8")
    facts = read_national(tmp_path)
    assert facts.publication.date == dt.date(2024, 11, 4) and facts.publication.owner == "Analysis team"


def test_no_file_gives_no_date_or_owner(tmp_path):
    facts = read_national(tmp_path)
    assert facts.publication.date is None and facts.publication.owner == ""


def test_a_misspelt_key_or_a_bad_date_is_named(tmp_path):
    (tmp_path / "national.yml").write_text("publication:\n  date: soon\n  ownr: Analysis team\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_national(tmp_path)
    text = caught.value.report()
    assert "national.yml" in text and "date" in text and "ownr" in text
