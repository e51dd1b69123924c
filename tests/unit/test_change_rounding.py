"""Changes a reader can check: a change in points printed beside two rounded percentages is
their difference ("+9 pts" beside 65% and 56%, never "+10 pts"), while the figures table keeps
the exact change. Hypothesis is not installed here, so the property is checked exhaustively
over every pair of counts with small bases."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from healthcheck.analysis import stats
from healthcheck.analysis.disclosure import percent_half_up
from healthcheck.analysis.rounding import format_change, format_pct, format_pts, points_in_words, shown_change
from healthcheck.present import sentences
from healthcheck.present.charts import change_table

MAX_BASE = 24
FRACTIONS = sorted({(k, n) for n in range(1, MAX_BASE + 1) for k in range(n + 1)})


def printed(pct_text: str) -> int:
    return int(pct_text.rstrip("%"))


def test_every_printed_percentage_of_a_count_is_the_exact_rounding():
    """100 k / n as a float rounds (halves up) to what exact integer arithmetic gives, for
    every count up to bases of 400: the percentages the changes are made from are right."""
    for n in range(1, 401):
        k = np.arange(n + 1)
        exact = percent_half_up(k, np.full(n + 1, n))
        assert [printed(format_pct(100 * int(a) / n)) for a in k] == exact.tolist(), n


def test_for_any_two_counts_the_printed_change_is_the_difference_of_the_printed_percentages():
    pairs = 0
    for (k1, n1), (k2, n2) in itertools.product(FRACTIONS, repeat=2):
        now, before = 100 * k1 / n1, 100 * k2 / n2
        difference = printed(format_pct(now)) - printed(format_pct(before))
        assert format_change(now, before) == format_pts(difference), (k1, n1, k2, n2)
        assert points_in_words(shown_change(now, before)) == points_in_words(difference)
        pairs += 1
    assert pairs == len(FRACTIONS) ** 2 > 40_000


def test_the_exact_change_rounded_would_disagree_somewhere():
    """The case the rule is for exists: rounding the exact change gives another number."""
    assert format_pts(65.4 - 55.6) == "+10 pts"
    assert format_change(65.4, 55.6) == "+9 pts"
    disagree = [
        (a, b) for (a, b) in itertools.product(FRACTIONS[:400], repeat=2)
        if format_pts(100 * a[0] / a[1] - 100 * b[0] / b[1]) != format_change(100 * a[0] / a[1], 100 * b[0] / b[1])
    ]  # fmt: skip
    assert disagree


def figures_row(pct: float, prev: float, flag: str) -> pd.Series:
    return pd.Series(
        {
            "question_id": "Q1", "short": "Workload", "year": 2022, "basis": "counts", "suppressed": False,
            "n_valid": 300, "pct_positive": pct, "prev_year": 2021, "prev_pct_positive": prev,
            "change_pts": pct - prev, "change_flag": flag,
        }
    )  # fmt: skip


def test_the_change_table_and_its_download_agree_with_their_percentages():
    row = figures_row(65.4, 55.6, stats.INCREASE)
    table = change_table(pd.DataFrame([row]))
    assert table.loc[0, "This year"].startswith("65%") and table.loc[0, "Last year"].startswith("56%")
    assert table.loc[0, "Change"] == "+9 pts"


@pytest.mark.parametrize(
    "pct, prev, flag, words",
    [
        (65.4, 55.6, stats.INCREASE, "up 9 points since 2021, a significant rise"),
        (55.6, 65.4, stats.DECREASE, "down 9 points since 2021, a significant fall"),
        (50.5, 49.4, stats.NO_CHANGE, "up 2 points since 2021, no significant change"),
    ],
)
def test_sentences_give_the_change_of_the_printed_percentages(pct, prev, flag, words):
    assert sentences.change_in_words(figures_row(pct, prev, flag)) == words
