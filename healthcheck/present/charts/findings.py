"""Chart titles that state the finding, chosen by written rules from the data -- never a range.

A reader who sees only a chart's title should learn the one thing the chart shows. Each kind
of chart has its rule, applied in order until one gives a finding:

Agreement (the answers to a theme's statements, :func:`agreement_title`)
    1. One statement shown: its agreeing share ("36% agree: My workload is manageable").
    2. Otherwise the lowest statement -- the concern a reader most needs -- with its agreeing
       share, and its significant change when it has one ("..., a significant fall from 44%").

Statements over time (:func:`change_title`)
    1. The largest significant change (by points; the first in the bank's order on a tie),
       from the earlier figure to this year's, and how many other statements changed
       significantly.
    2. Otherwise: no statement changed significantly, naming the year compared with.
    3. Otherwise (nothing could be tested): say so.

Theme scores over time (:func:`theme_title`)
    1. The theme that moved most on its comparable statements (the set its change is told
       on, ``stats.theme_changes``), up or down, with the number of statements -- when it
       moved by at least one whole point.
       Its two scores are given as the chart labels them (not a difference in points, which
       can differ by one from the difference of the rounded scores).
    2. Otherwise: no theme moved by a whole point.

Breakdowns (:func:`breakdown_title`)
    1. The group furthest below the service average on a statement whose 95% interval lies
       wholly below that average.
    2. Otherwise the group furthest above it whose interval lies wholly above.
    3. Otherwise: no group differs clearly from the service average.

Every percentage in a title is the one the tables and the text print (a whole number, halves
up), so the title can be checked against them.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, round_half_up

_MOVES = {stats.INCREASE: "rose", stats.DECREASE: "fell"}


def _q(text) -> str:
    """A statement as quoted in a title."""
    return f"\u201c{text}\u201d"


def agreement_title(shown: pd.DataFrame, theme_title: str, year: int, figures: pd.DataFrame | None = None) -> str:
    """The agreement chart's finding. `shown`: the chart's statements (``question_id,
    statement, pct_positive``); `figures`: the year's figures of the theme (for its change)."""
    if shown.empty:
        return f"{theme_title}: too few responses to show any statement, {year}"
    if len(shown) == 1:
        row = shown.iloc[0]
        return f"{format_pct(row['pct_positive'])} agree: {row['statement']}"
    low = shown.sort_values(["pct_positive", "question_id"], kind="mergesort").iloc[0]
    title = f"Lowest agreement on {theme_title.lower()}: {_q(low['statement'])}, {format_pct(low['pct_positive'])}"
    if figures is not None and "question_id" in figures.columns:
        mine = figures[figures["question_id"] == low["question_id"]]
        if len(mine) and mine["change_flag"].iloc[0] in _MOVES:
            r = mine.iloc[0]
            word = "rise" if r["change_flag"] == stats.INCREASE else "fall"
            title += f", a significant {word} from {format_pct(r['prev_pct_positive'])} in {int(r['prev_year'])}"
    return title


def change_title(figures: pd.DataFrame, theme_title: str, year: int, first_year: bool = False) -> str:
    """The statements-over-time finding, from the year's figures of one theme (the figures
    table: ``short, pct_positive, prev_pct_positive, prev_year, change_pts, change_flag``)."""
    if first_year:
        return f"{theme_title}: {year} is the first year, so nothing is compared yet"
    flags = figures["change_flag"].fillna("").astype(str)
    tested = figures[flags != ""]
    if tested.empty:
        return f"{theme_title}: no statement could be compared with an earlier year"
    moved = tested[tested["change_flag"].isin(list(_MOVES))]
    since = "/".join(str(int(y)) for y in sorted(tested["prev_year"].dropna().unique()))
    if moved.empty:
        return f"{theme_title}: no statement changed significantly since {since}"
    order = moved.assign(_size=moved["change_pts"].abs()).sort_values("_size", ascending=False, kind="mergesort")
    top = order.iloc[0]
    title = (
        f"{_q(top['short'])} {_MOVES[top['change_flag']]} significantly, from "
        f"{format_pct(top['prev_pct_positive'])} in {int(top['prev_year'])} to {format_pct(top['pct_positive'])}"
    )
    others = len(moved) - 1
    if others:
        title += f"; {others} more significant change{'' if others == 1 else 's'} on {theme_title.lower()}"
    return title


def theme_title(changes: pd.DataFrame, titles: dict[str, str]) -> str:
    """The theme-scores finding, from ``stats.theme_changes`` of the report year."""
    compared = changes[changes["n_compared"] > 0].copy()
    if compared.empty:
        return "No theme has statements that can be compared with an earlier year"
    compared["_whole"] = compared["change_pts"].map(round_half_up)
    compared["_size"] = compared["_whole"].abs()
    top = compared.sort_values("_size", ascending=False, kind="mergesort").iloc[0]
    years = "/".join(str(y) for y in top["prev_years"])
    if top["_size"] < 1:
        return f"No theme score moved by a whole point since {years}"
    k = int(top["n_compared"])
    # the two scores as the chart labels them, not a difference in points: 11.6 points between
    # 51.6% and 63.2% would read "12" beside the printed 52% and 63%
    return (
        f"{titles.get(top['theme'], top['theme'])} moved most: from {format_pct(top['prev_score'])} in {years} "
        f"to {format_pct(top['compared_score'])}, on its {k} comparable statement{'' if k == 1 else 's'}"
    )


def _against(r) -> str:
    return f"{format_pct(r['pct'])} against {format_pct(r['average'])}"


def breakdown_title(data: pd.DataFrame, one: str) -> str:
    """The breakdown's finding from the dot plot's table (``statement, group, pct, lo, hi,
    average``; rows not shown have NaN ``pct``), every figure as published."""
    shown = data.dropna(subset=["pct"])
    if shown.empty:
        return f"Too few responses to show any {one} separately"
    below = shown[shown["hi"] < shown["average"]]
    if len(below):
        r = below.assign(_gap=below["average"] - below["pct"]).sort_values("_gap", ascending=False, kind="mergesort").iloc[0]
        return f"{r['group']} is below the service on {_q(r['statement'])}: {_against(r)}"
    above = shown[shown["lo"] > shown["average"]]
    if len(above):
        r = above.assign(_gap=above["pct"] - above["average"]).sort_values("_gap", ascending=False, kind="mergesort").iloc[0]
        return f"{r['group']} is above the service on {_q(r['statement'])}: {_against(r)}"
    return f"No {one} differs clearly from the service average on any statement"
