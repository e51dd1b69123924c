"""Breakdown heat map: percent agreeing by group, suppressed cells marked."""

from __future__ import annotations

import textwrap
from typing import NamedTuple

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.present.charts.style import (
    BODY_SIZE,
    DARK_BLUE,
    HOUSE_RC,
    SMALL_SIZE,
    SUPPRESSED_FACE,
    SUPPRESSED_HATCH,
    TEXT_BLACK,
    blank,
    finish,
    message_axes,
    mix,
    new_figure,
    plural,
    text_colour_on,
    truthy,
)

#: A group type in words, singular and plural.
GROUP_WORDS = {
    "team": ("team", "teams"),
    "locality": ("locality", "localities"),
    "role": ("role", "roles"),
    "all": ("group", "groups"),
}


# --------------------------------------------------------------------------------------
# 4. Breakdown heat map
# --------------------------------------------------------------------------------------

_HEAT_CMAP = LinearSegmentedColormap.from_list("healthcheck_blue", [mix(DARK_BLUE, 0.92), mix(DARK_BLUE, 0.45), DARK_BLUE])


def _short_labels(questions: pd.DataFrame, year: int | None) -> dict[str, str]:
    q = questions
    if year is not None and (q["year"] == year).any():
        q = q[q["year"] == year]
    q = q.sort_values("year", kind="mergesort").drop_duplicates("question_id", keep="last")
    return dict(zip(q["question_id"], q["short"], strict=True))


def breakdown_data(
    breakdown_df: pd.DataFrame,
    questions: pd.DataFrame,
    group_type: str,
    *,
    year: int | None = None,
    threshold: int = 10,
    caution: int = 0,
) -> pd.DataFrame:
    """The grid :func:`breakdown_heatmap` draws, one row per (question, group).

    Columns ``question_id, statement, group, n_valid, pct_positive, suppressed, hidden,
    caution, display``. Questions and groups keep their order of first appearance. A cell
    that is suppressed, has fewer than `threshold` valid responses or is missing altogether
    gets ``suppressed=True``, ``pct_positive`` NaN and ``display`` "<10" -- never 0; a cell
    withheld only to protect another (secondary) has ``hidden=True`` and ``display``
    "hidden". A shown cell on fewer than `caution` responses is marked with an asterisk.
    """
    df = breakdown_df
    if "group_type" in df.columns:
        df = df[df["group_type"] == group_type]
    if year is not None and "year" in df.columns:
        df = df[df["year"] == year]
    shorts = _short_labels(questions, year)
    qids = list(pd.unique(df["question_id"]))
    groups = list(pd.unique(df["group"]))
    by_cell = {(r.question_id, r.group): r for r in df.itertuples(index=False)}
    rows = []
    for qid in qids:
        for g in groups:
            r = by_cell.get((qid, g))
            n = None if r is None or blank(r.n_valid) else int(r.n_valid)
            pct = None if r is None else r.pct_positive
            supp = r is None or truthy(getattr(r, "suppressed", False)) or n is None or n < threshold or blank(pct)
            # A cell hidden only so that a small group cannot be worked out by subtraction
            # (secondary suppression) has enough responses: say "hidden", not "<10".
            reason = str(getattr(r, "reason", "") or "") if r is not None else ""
            secondary = supp and ("secondary" in reason or "hidden" in reason)
            careful = not supp and n is not None and n < caution
            rows.append(
                {
                    "question_id": qid,
                    "statement": shorts.get(qid, qid),
                    "group": g,
                    "n_valid": n if n is not None else 0,
                    "pct_positive": np.nan if supp else float(pct),
                    "suppressed": bool(supp),
                    "hidden": bool(secondary),
                    "caution": bool(careful),
                    "display": ("hidden" if secondary else f"<{threshold}")
                    if supp
                    else format_pct(float(pct)) + ("*" if careful else ""),
                }
            )
    cols = ["question_id", "statement", "group", "n_valid", "pct_positive", "suppressed", "hidden", "caution", "display"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_valid"] = out["n_valid"].astype(int)
    return out


def alt_text_breakdown(
    data: pd.DataFrame,
    group_type: str,
    year: int | None = None,
    *,
    threshold: int = 10,
    caution: int = 0,
    kind: str = "Heat map",
) -> str:
    """Alt text for :func:`breakdown_heatmap` from its :func:`breakdown_data` table."""
    one, many = GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    nq, ng = data["question_id"].nunique(), data["group"].nunique()
    when = f", {year}" if year is not None else ""
    text = f"{kind} of % agreeing or strongly agreeing for {plural(nq, 'statement')} by {one} ({plural(ng, one, many)}){when}."
    shown = data[~data["suppressed"]]
    if not shown.empty:
        order = shown.sort_values(["pct_positive", "question_id", "group"], ascending=[False, True, True], kind="mergesort")
        hi, lo = order.iloc[0], order.iloc[-1]
        text += (
            f" Highest: {hi['statement']}, {hi['group']} {format_pct(hi['pct_positive'])}; "
            f"lowest: {lo['statement']}, {lo['group']} {format_pct(lo['pct_positive'])}."
        )
    small = int((data["suppressed"] & ~data["hidden"]).sum())
    hidden = int(data["hidden"].sum())
    if small:
        text += f" {plural(small, 'cell')} not shown because fewer than {threshold} responses."
    if hidden:
        text += f" {plural(hidden, 'cell')} hidden so that a small group cannot be worked out."
    careful = int(data["caution"].sum())
    if careful:
        text += f" {plural(careful, 'cell')} marked * rest on fewer than {caution} responses: read them with caution."
    return text


def breakdown_heatmap(
    breakdown_df: pd.DataFrame,
    questions: pd.DataFrame,
    group_type: str,
    *,
    year: int | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    threshold: int = 10,
    caution: int = 0,
    wrap: int = 34,
) -> Figure:
    """A grid of statements by groups with the % positive in every cell (groups are the rows
    when there are more of them than statements, so the chart stays readable).

    Input columns: ``question_id, group, n_valid, pct_positive, suppressed, reason`` (and
    optionally ``group_type``/``year`` to filter on). Suppressed cells are light grey,
    hatched, with the text "<10" and a legend entry "fewer than 10 responses": never blank,
    never 0. Cell patches have gid ``cell:<question_id>:<group>``.
    """
    data = breakdown_data(breakdown_df, questions, group_type, year=year, threshold=threshold, caution=caution)
    one, _ = GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    if title is None:
        title = _heatmap_title(data, one)
    if subtitle is None:
        when = f"{year}, " if year is not None else ""
        subtitle = (
            f"% agreeing or strongly agreeing, by {one}; {when}base: valid responses "
            f"in each {one}. Darker cells show higher agreement."
        )

    grid = _grid(data, wrap)
    nr, nc = len(grid.rows), len(grid.cols)
    cell_w = 1.15
    width = max(7.5, (2.6 if grid.transpose else 3.4) + cell_w * max(nc, 1))
    body = 1.4 + grid.header + 0.56 * max(nr, 1)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle)
        ax = fig.add_subplot()
        if data.empty:
            message_axes(ax, "No data.")
            return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution))
        for r in data.itertuples(index=False):
            _draw_cell(ax, r, grid)
        _style_axes(ax, grid)
        _add_legend(ax, data, threshold, caution)
        return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution))


def _heatmap_title(data: pd.DataFrame, one: str) -> str:
    """The finding: the lowest figure shown (never a range)."""
    shown = data[~data["suppressed"]]
    if shown.empty:
        return f"Too few responses to show any {one} separately"
    low = shown.sort_values(["pct_positive", "question_id", "group"], kind="mergesort").iloc[0]
    return f"Lowest agreement by {one}: {low['group']} on \u201c{low['statement']}\u201d, {format_pct(low['pct_positive'])}"


def heat_colour(pct: float) -> str:
    """A cell's colour from its figure AS PRINTED (the whole percentage), so the colour can be
    read back to the printed figure and no finer: 256 steps of the exact share would pin agreeing
    counts the printed figure leaves open."""
    return matplotlib.colors.to_hex(_HEAT_CMAP(round_half_up(pct) / 100))


class _Grid(NamedTuple):
    """How the cells are laid out: the keys and wrapped labels of the rows and columns."""

    transpose: bool  # True: groups are the rows, statements the columns
    rows: list
    cols: list
    row_labels: list[str]
    col_labels: list[str]
    header: float  # extra height (inches) for column labels over several lines


def _grid(data: pd.DataFrame, wrap: int) -> _Grid:
    """Statements as rows and groups as columns, or the other way round when there are many groups."""
    qids = list(pd.unique(data["question_id"]))
    groups = list(pd.unique(data["group"]))
    # Many groups (a dozen teams) would make a chart too wide to read once shrunk to the page:
    # then groups become the rows and statements the columns.
    transpose = len(groups) > max(len(qids), 6)
    statement = {q: str(data.loc[data["question_id"] == q, "statement"].iloc[0]) for q in qids}
    if transpose:
        col_labels = [textwrap.fill(statement[q], 16) for q in qids]
        header = 0.22 * max(len(label.split("\n")) for label in col_labels)
        return _Grid(True, groups, qids, [textwrap.fill(str(g), 24) for g in groups], col_labels, header)
    row_labels = [textwrap.fill(statement[q], wrap) for q in qids]
    return _Grid(False, qids, groups, row_labels, [textwrap.fill(str(g), 14) for g in groups], 0.0)


def _draw_cell(ax: plt.Axes, r, grid: _Grid) -> None:
    """One cell: shaded by % agreeing with the figure on it, or hatched grey with why it is not shown."""
    row, col = (r.group, r.question_id) if grid.transpose else (r.question_id, r.group)
    x, y = grid.cols.index(col), grid.rows.index(row)
    if r.suppressed:
        face, text, colour = SUPPRESSED_FACE, r.display, TEXT_BLACK
        patch = Rectangle((x, y), 1, 1, facecolor=face, edgecolor="white", linewidth=2, hatch="///", hatchcolor=SUPPRESSED_HATCH)
    else:
        face = heat_colour(r.pct_positive)
        text, colour = r.display, text_colour_on(face)
        patch = Rectangle((x, y), 1, 1, facecolor=face, edgecolor="white", linewidth=2)
    patch.set_gid(f"cell:{r.question_id}:{r.group}")
    ax.add_patch(patch)
    ax.text(
        x + 0.5,
        y + 0.5,
        text,
        ha="center",
        va="center",
        fontsize=BODY_SIZE,
        color=colour,
        fontweight="bold" if not r.suppressed else "normal",
        # A box behind the text of a hatched cell keeps it legible over the hatching.
        bbox=({"boxstyle": "square,pad=0.15", "facecolor": face, "edgecolor": "none"} if r.suppressed else None),
    )


def _style_axes(ax: plt.Axes, grid: _Grid) -> None:
    """Row labels at the left, column labels along the top, no spines or tick marks."""
    nr, nc = len(grid.rows), len(grid.cols)
    ax.set_xlim(0, nc)
    ax.set_ylim(nr, 0)
    ax.set_xticks([i + 0.5 for i in range(nc)], grid.col_labels)
    ax.set_yticks([i + 0.5 for i in range(nr)], grid.row_labels)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, labelsize=SMALL_SIZE + 0.5, labelcolor=TEXT_BLACK)
    for s in ax.spines.values():
        s.set_visible(False)


def _add_legend(ax: plt.Axes, data: pd.DataFrame, threshold: int, caution: int) -> None:
    """A key to the marks the chart uses: too few responses, hidden, and * for caution (none if unused)."""
    labels = []
    if (data["suppressed"] & ~data["hidden"]).any():
        labels.append(f"<{threshold}: fewer than {threshold} responses, not shown")
    if data["hidden"].any():
        labels.append("hidden: not shown so that a small group cannot be worked out")
    handles = [
        Patch(facecolor=SUPPRESSED_FACE, hatch="///", hatchcolor=SUPPRESSED_HATCH, edgecolor=SUPPRESSED_HATCH, label=label)
        for label in labels
    ]
    if data["caution"].any():
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"*: fewer than {caution} responses, read with caution"))
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.02),
            fontsize=SMALL_SIZE,
            handlelength=2.2,
            handleheight=1.4,
        )
