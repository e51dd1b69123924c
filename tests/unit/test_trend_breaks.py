"""Breaks a reader can check: the trend table and its CSV show a reworded statement as two
series, the break marked on the row where the new wording starts."""

from __future__ import annotations

import pandas as pd

from healthcheck.data.config import QuestionBank
from healthcheck.present.sections.trends import trend_table

BANK = QuestionBank.model_validate(
    {
        "themes": {"support": "Support"},
        "questions": {
            "SUP01": {
                "theme": "support",
                "short": "Regular supervision",
                "wording": {
                    2020: "I get supervision.",
                    2021: "I get supervision.",
                    2022: "I get regular, reflective supervision.",
                },
                "comparable_from": 2022,
            },
            "SUP02": {
                "theme": "support",
                "short": "Manager listens",
                "wording": {2020: "My manager listens.", 2021: "My manager listens.", 2022: "My manager listens."},
            },
        },
    }
)


def rows(years=(2020, 2021, 2022)) -> pd.DataFrame:
    out = []
    for qid in ("SUP01", "SUP02"):
        for i, year in enumerate(years):
            out.append(
                {"question_id": qid, "short": BANK.questions[qid].short, "year": year, "pct_positive": 60.04 + i,
                 "ci_low": 50.0, "ci_high": 70.0, "n_valid": 100 + i, "basis": "counts"}
            )  # fmt: skip
    return pd.DataFrame(out)


def test_a_reworded_statement_is_two_series_with_the_break_on_its_row():
    table = trend_table(rows(), BANK)
    sup01 = table[table["Code"] == "SUP01"].set_index("Year")
    assert sup01.loc[2020, "Statement"] == sup01.loc[2021, "Statement"] == "Regular supervision (2020\u20132021 wording)"
    assert sup01.loc[2022, "Statement"] == "Regular supervision (2022 wording)"
    assert sup01.loc[2022, "Note"] == "Reworded in 2022: not compared with earlier years"
    assert sup01.loc[2020, "Note"] == sup01.loc[2021, "Note"] == ""
    sup02 = table[table["Code"] == "SUP02"]
    assert set(sup02["Statement"]) == {"Manager listens"} and set(sup02["Note"]) == {""}
    # the CSV's columns start as the audit reads them, and the figures are kept
    assert list(table.columns[:3]) == ["Code", "Statement", "Year"]
    assert table["% agreeing"].tolist() == [60.0, 61.0, 62.0] * 2
    assert table["Valid responses"].tolist() == [100, 101, 102] * 2


def test_a_series_that_does_not_cross_its_break_is_one_series_without_a_note_column():
    table = trend_table(rows(years=(2020, 2021)), BANK)
    assert set(table.loc[table["Code"] == "SUP01", "Statement"]) == {"Regular supervision"}
    assert "Note" not in table.columns
