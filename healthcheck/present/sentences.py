"""Numbers in words, the same everywhere: percentages, changes and whether a change is real.

Chapters and narrative references both take their phrases from here, so "up 3 points since
2021, not a significant change" reads the same in a table, a sentence and the analyst's text.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis.rounding import format_pct, points_in_words, signed_points

#: Values of the figures table's change_flag (see stats.figures_table).
INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no significant change"


def pct(value: float) -> str:
    """A percentage for display: a whole number, halves rounded up."""
    return format_pct(value)


def pts(change: float) -> str:
    """A change in percentage points, signed; "no change" when it rounds to zero."""
    return points_in_words(change)


def change_in_words(row) -> str:
    """A statement's change since its last comparable figure, for prose.

    `row` is a figures-table row: "up 3 points since 2021, not a significant change",
    "down 8 points since 2021, a significant fall", "up 7 points since 2020 (a published
    figure without a base, so not tested)", or "not compared with an earlier year".
    """
    if pd.isna(row["prev_year"]) or pd.isna(row["change_pts"]):
        return "not compared with an earlier year"
    moved = signed_points(row["change_pts"])
    since = f"since {int(row['prev_year'])}"
    size = f"{abs(moved)} point{'s' if abs(moved) != 1 else ''}"
    head = f"{'up' if moved > 0 else 'down'} {size} {since}" if moved else f"unchanged {since}"
    flag = row["change_flag"]
    if flag == INCREASE:
        return f"{head}, a significant rise"
    if flag == DECREASE:
        return f"{head}, a significant fall"
    if flag == NO_CHANGE:
        return f"{head}, not a significant change"
    return f"{head} (a published figure without a base, so not tested)"
