"""Small tables of figures by group that several chart tests draw: one statement, a few groups.

Shared so that a test of the heat map, the dot strips and the attack on both read the same
cells, and a change to the table's columns is made once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def one_statement(short: str = "S", year: int = 2022) -> pd.DataFrame:
    """The question bank's rows for one statement, Q1, in `year`."""
    return pd.DataFrame({"question_id": ["Q1"], "year": year, "short": [short]})


def cells_both_printing_55() -> pd.DataFrame:
    """Two large groups whose figures (54.6 and 55.4) both print as 55%: a chart must not tell
    them apart by anything finer than the printed figure."""
    return pd.DataFrame(
        {
            "question_id": ["Q1", "Q1"],
            "group": ["A", "B"],
            "n_valid": [500, 500],
            "pct_positive": [54.6, 55.4],
            "suppressed": [False, False],
            "reason": ["", ""],
        }
    )


def three_groups_one_hidden(groups: list[str]) -> pd.DataFrame:
    """Three teams for Q1: the first two shown (83% of 40, 50% of 30), the third hidden as
    fewer than 10 responses. Used with group names that look like formulas or markup."""
    return pd.DataFrame(
        {
            "question_id": "Q1",
            "group_type": "team",
            "group": groups,
            "n_valid": [40, 30, pd.NA],
            "pct_positive": [82.5, 50.0, np.nan],
            "suppressed": [False, False, True],
            "reason": ["", "", "fewer than 10 responses"],
        }
    )
