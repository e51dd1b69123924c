"""Breakdown dot plots: each group's % agreeing against the service, with its 95% interval.

Where a heat map shows a grid of colours, a sorted dot plot shows how far each group is from
the whole service and how sure that is. Every position is a published figure (whole
percentages; intervals worked out from them), so the chart says no more than its table.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, round_half_up
from healthcheck.present.charts import findings
from healthcheck.present.charts.heatmap import GROUP_WORDS, alt_text_breakdown, breakdown_data
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    HOUSE_RC,
    ORANGE,
    PAD_IN,
    TEXT_BLACK,
    TEXT_SIZE,
    WIDE_IN,
    blank,
    finish,
    message_axes,
    mix,
    new_figure,
    panel_axes,
    wrap_to,
)

#: The faint band behind every other row, and the average's line (dark enough on white: 3:1
#: for a graphical object).
GRID_BAND = "#F3F2F1"
ORANGE_DARK = mix(ORANGE, 0.35, "#000000")


# --------------------------------------------------------------------------------------
# 5. Breakdown dot plot: each group against the service, with its interval
# --------------------------------------------------------------------------------------


def published_interval(pct: float, n: int) -> tuple[int, int]:
    """The 95% Wilson interval, in whole percent, worked out from the figure AS PUBLISHED (the
    whole percentage and the number of valid responses the table prints). It is a function of
    printed numbers only, so drawing it tells a reader nothing the table does not: an interval
    from the exact count would pin that count where the rounded percentage leaves it open."""
    whole = round_half_up(pct)
    lo, hi = stats.wilson_interval(whole / 100 * n, n)
    return round_half_up(100 * lo), round_half_up(100 * hi)


def dots_data(
    breakdown_df: pd.DataFrame,
    questions: pd.DataFrame,
    group_type: str,
    average: dict[str, float],
    *,
    year: int | None = None,
    threshold: int = 10,
    caution: int = 0,
) -> pd.DataFrame:
    """The table :func:`breakdown_dots` draws: :func:`breakdown_data` with ``pct`` (the shown
    figure as published: a whole number, NaN when not shown), its interval ``lo``/``hi``
    (:func:`published_interval`) and the service ``average`` of the statement (whole %)."""
    data = breakdown_data(breakdown_df, questions, group_type, year=year, threshold=threshold, caution=caution)
    pct, lo, hi = [], [], []
    for r in data.itertuples(index=False):
        if r.suppressed:
            pct.append(np.nan), lo.append(np.nan), hi.append(np.nan)
            continue
        a, b = published_interval(r.pct_positive, r.n_valid)
        pct.append(float(round_half_up(r.pct_positive))), lo.append(float(a)), hi.append(float(b))
    avg = data["question_id"].map(
        lambda q: float(round_half_up(average[q])) if q in average and not blank(average[q]) else np.nan
    )
    return data.assign(pct=pct, lo=lo, hi=hi, average=avg)


def breakdown_dots(
    breakdown_df: pd.DataFrame,
    questions: pd.DataFrame,
    group_type: str,
    average: dict[str, float],
    *,
    year: int | None = None,
    title: str | None = None,
    threshold: int = 10,
    caution: int = 0,
    width: float = WIDE_IN,
    average_name: str = "service",
) -> Figure:
    """Sorted dot plots, one panel per statement: each group's % agreeing (a dot, drawn with
    seaborn) with its 95% interval (a line), against the service average (a dashed line).

    Groups are sorted highest first; a group not shown is listed under the others with the
    reason ("<10": fewer than `threshold` responses; "hidden": withheld so a small group cannot
    be worked out) -- stated, never drawn. Every position is a published figure (whole
    percentages; intervals by :func:`published_interval`). Each group's row is a band with gid
    ``cell:<question_id>:<group>`` holding its figure's text, as the audit reads it. Two
    panels a row, one on a phone (`width` under 5 inches). `average_name`: what the average
    is ("service"; "England" in the national summary).
    """
    data = dots_data(breakdown_df, questions, group_type, average, year=year, threshold=threshold, caution=caution)
    one, _ = GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    if title is None:
        title = findings.breakdown_title(data, one)
    subtitle = _dots_subtitle(one, year, average_name)
    footnote = _dots_footnote(data, threshold, caution)
    qids, groups = list(pd.unique(data["question_id"])), list(pd.unique(data["group"]))
    ncols, label_w, rest, labels, row_h, heads, head_h = _layout(data, qids, groups, width)
    body = sum(head_h) + len(head_h) * (len(groups) * row_h + 0.45)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, footnote, placed=True)
        if data.empty:
            message_axes(fig.add_subplot(), "No data.")
            return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))
        axes = panel_axes(
            fig, head_h, ncols, len(qids), len(groups) * row_h, left=label_w + 0.1, right=0.2, below=0.45, left_rest=rest
        )
        shared = None if ncols == 1 else _shared_order(data)
        for i, (ax, qid) in enumerate(zip(axes, qids, strict=True)):
            _dot_panel(ax, data[data["question_id"] == qid], labels, average_name, shared, i % ncols == 0)
            ax.tick_params(labelbottom=ncols == 1 or i + ncols >= len(qids))  # the shared scale once, at the foot
            back = label_w + 0.1 if i % ncols == 0 else rest
            ax.annotate("\n".join(heads[qid]), (0, 1), xycoords="axes fraction", xytext=(-back * 72, 18),
                        textcoords="offset points", ha="left", va="bottom", fontsize=TEXT_SIZE, fontweight="bold",
                        color=TEXT_BLACK, linespacing=1.15)  # fmt: skip
        return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))


def _layout(data: pd.DataFrame, qids: list, groups: list, width: float):
    """Columns (three a row side by side, only the first naming the groups; one on a phone,
    two for four statements), the names' width and each column's left room, the wrapped
    names, a row's height, the wrapped statements and the room above each row of panels."""
    n = max(len(qids), 1)
    ncols = 1 if width < 5 else 2 if n == 4 else min(3, n)
    label_w = min(1.5, (width - 2 * PAD_IN) * 0.4)
    rest = label_w + 0.1 if ncols == 1 else 0.15
    panel_w = (width - 2 * PAD_IN - (label_w + 0.1 - rest)) / ncols
    labels = {g: wrap_to(str(g), label_w - 0.1, TEXT_SIZE) for g in groups}
    line = TEXT_SIZE * 1.3 / 72
    row_h = max(0.3, max((len(v) for v in labels.values()), default=1) * line + 0.06)
    names = {q: str(data.loc[data["question_id"] == q, "statement"].iloc[0]) for q in qids}
    # a title runs from the groups' names (first column) or the panel's edge to the panel's right
    room = [panel_w - 0.3 + (label_w + 0.1 - rest if i % ncols == 0 else 0.0) for i in range(len(qids))]
    heads = {q: wrap_to(names[q], room[i], TEXT_SIZE, bold=True) for i, q in enumerate(qids)}
    nrows = -(-n // ncols)
    head_h = [max(len(heads[q]) for q in qids[r * ncols : (r + 1) * ncols]) * line + 0.4 for r in range(nrows)] if qids else [0]
    return ncols, label_w, rest, labels, row_h, heads, head_h


def _dots_subtitle(one: str, year: int | None, average_name: str) -> str:
    when = f", {year}" if year is not None else ""
    average = "the whole service" if average_name == "service" else average_name
    # short: every glyph of a chart is a path in the PDF, and the caption says the rest
    return f"% agreeing by {one}{when}, with 95% intervals; dashed line: {average}"


def _dots_footnote(data: pd.DataFrame, threshold: int, caution: int) -> str:
    parts = []
    if (data["suppressed"] & ~data["hidden"]).any():
        parts.append(f"<{threshold}: fewer than {threshold} responses")
    if data["hidden"].any():
        parts.append("hidden: withheld to protect a small group")
    if data["caution"].any():
        parts.append(f"*: under {caution} responses, read with caution")
    return "; ".join(parts) + ("." if parts else "")


def _shared_order(data: pd.DataFrame) -> list:
    """Groups by their average published figure over the statements, highest first; groups never
    shown last, in their order of appearance. Side by side, panels share this order so only the
    first column names the groups: once a row, not in every panel (the PDF's size was mostly
    those repeated names, drawn as glyph paths). On a phone each panel is sorted on its own."""
    mean = data.groupby("group", sort=False)["pct"].mean()
    ranked = pd.DataFrame({"group": mean.index, "mean": mean.to_numpy(), "first": range(len(mean))})
    ranked = ranked.sort_values(["mean", "first"], ascending=[False, True], na_position="last", kind="mergesort")
    return list(ranked["group"])


def _dot_panel(
    ax: plt.Axes, part: pd.DataFrame, labels: dict[str, list[str]], average_name: str, shared: list | None, named: bool
) -> None:
    """One statement: groups in the `shared` order, else shown groups sorted highest first and
    then the groups not shown; the groups' names when `named`."""
    if shared is None:
        shown = part[~part["suppressed"]].sort_values(["pct", "group"], ascending=[False, True], kind="mergesort")
        order = pd.concat([shown, part[part["suppressed"]]], ignore_index=True)
    else:
        order = part.set_index("group").reindex(shared).reset_index()
    order = order.assign(y=np.arange(len(order), dtype=float))
    n = len(order)
    for r in order.itertuples(index=False):
        if int(r.y) % 2 == 0:  # a faint band behind every other row, to read across
            ax.add_patch(Rectangle((0, r.y - 0.5), 100, 1, facecolor=GRID_BAND, edgecolor="none", zorder=0))
        # the row's own shape, unfilled, holding its figure's text: the audit reads the cell from it,
        # and its colour says nothing
        cell = Rectangle((0, r.y - 0.5), 100, 1, facecolor="none", edgecolor="none", zorder=0)
        cell.set_gid(f"cell:{r.question_id}:{r.group}")
        ax.add_patch(cell)
        if r.suppressed:
            ax.text(2, r.y, r.display, ha="left", va="center", fontsize=TEXT_SIZE, color=DARK_GREY, zorder=3)
            continue
        ax.plot([r.lo, r.hi], [r.y, r.y], color=DARK_BLUE, linewidth=1.6, solid_capstyle="butt", zorder=2)
        right = r.hi + 2.5
        ax.text(right if right < 86 else r.lo - 2.5, r.y, r.display, ha="left" if right < 86 else "right", va="center",
                fontsize=TEXT_SIZE, color=TEXT_BLACK, fontweight="bold", zorder=3)  # fmt: skip
    dots = order[~order["suppressed"]]
    if len(dots):
        ax.scatter(dots["pct"], dots["y"], color=DARK_BLUE, s=50, edgecolors="white", linewidths=0.8, zorder=4)
    avg = part["average"].dropna()
    if len(avg):
        a = float(avg.iloc[0])
        ax.axvline(a, color=ORANGE_DARK, linestyle=(0, (4, 2)), linewidth=1.6, zorder=1)
        ax.annotate(f"{average_name} {format_pct(a)}", (a, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=TEXT_SIZE, color=TEXT_BLACK)  # fmt: skip
    ax.set_xlim(0, 100)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(order["y"], ["\n".join(labels[g]) if named else "" for g in order["group"]])
    ax.set_xticks([0, 50, 100], ["0", "50", "100%"])  # side by side, "100%0%" ran together
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", length=0, labelsize=TEXT_SIZE, labelcolor=TEXT_BLACK)
    ax.tick_params(axis="x", labelsize=TEXT_SIZE)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
