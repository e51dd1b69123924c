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
    text_width_in,
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
    """Sorted dot strips, one narrow panel per statement side by side: each group's % agreeing
    (a dot) with its 95% interval (a line) and its figure
    in a column of its own, against the service average (a dashed line, its figure under the
    statement).

    Up to five statements a row, so a theme's breakdown is one or two rows of panels a few
    lines tall, not a page or more (dot plots 12-24 inches tall printed at 4-7 pt); one
    statement a row on a phone (`width` under 5 inches). Groups are in one order for every
    panel, highest average first; a group not shown is stated in its row with the reason
    ("<10": fewer than `threshold` responses; "hidden": withheld so a small group cannot be
    worked out), never drawn. Every position is a published figure (whole percentages;
    intervals by :func:`published_interval`). Each group's row is a band with gid
    ``cell:<question_id>:<group>`` holding its figure's text, as the audit reads it.
    `average_name`: what the average is ("service"; "England" in the national summary).
    """
    data = dots_data(breakdown_df, questions, group_type, average, year=year, threshold=threshold, caution=caution)
    one, _ = GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    if title is None:
        title = findings.breakdown_title(data, one)
    subtitle = _dots_subtitle(one, year, average_name)
    footnote = _dots_footnote(data, threshold, caution)
    qids, groups = list(pd.unique(data["question_id"])), list(pd.unique(data["group"]))
    lay = _layout(data, qids, groups, width, average_name)
    # the scale's figures under the last row only: between rows, room for the ticks alone
    body = sum(lay.head_h) + len(lay.head_h) * len(groups) * lay.row_h + (len(lay.head_h) - 1) * lay.between + BELOW_IN
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, footnote, placed=True)
        if data.empty:
            message_axes(fig.add_subplot(), "No data.")
            return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))
        axes = panel_axes(
            fig, lay.head_h, lay.ncols, len(qids), len(groups) * lay.row_h, left=lay.label_w + GAP_IN,
            right=0.0, below=lay.between, left_rest=GAP_IN,
        )  # fmt: skip
        order = _shared_order(data)
        for i, (ax, qid) in enumerate(zip(axes, qids, strict=True)):
            _dot_panel(ax, data[data["question_id"] == qid], lay, order, named=i % lay.ncols == 0)
            ax.tick_params(labelbottom=i + lay.ncols >= len(qids))  # the shared scale once, at the foot
            ax.annotate("\n".join(lay.heads[qid]), (0, 1), xycoords="axes fraction", xytext=(0, 4),
                        textcoords="offset points", ha="left", va="bottom", fontsize=TEXT_SIZE, color=TEXT_BLACK,
                        linespacing=1.15)  # fmt: skip
        return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))


#: Room between two panels, and under the last row of panels for its scale, in inches.
GAP_IN = 0.16
BELOW_IN = 0.3
#: Room under a row of panels with another row below it, in the wide drawing: its scale's
#: figures are printed once, under the last row, so only the ticks need room (with BELOW_IN
#: under every row, a theme of two rows could not share a printed page with another chart).
BETWEEN_WIDE_IN = 0.12
#: A row's least height in the wide drawing: a name of one line at TEXT_SIZE (about 0.18 in
#: from top to bottom) with a little air; 0.23 in made a team breakdown over half a page.
ROW_WIDE_IN = 0.2


class _Layout:
    """Where a dot-strip chart's parts go (see :func:`_layout`)."""

    def __init__(self, **parts) -> None:
        self.__dict__.update(parts)


def _layout(data: pd.DataFrame, qids: list, groups: list, width: float, average_name: str) -> _Layout:
    """Columns (up to five a row, balanced; one on a phone), the groups' names' width and their
    wrapped names, a row's height, each panel's strip and figure column (the strip ends at 100
    where the figures start: xmax is the axis' right end in its units), each statement's head
    (its wrapped short label in bold, then the average's figure) and the room above each row."""
    n = max(len(qids), 1)
    ncols = 1 if width < 5 else -(-n // -(-n // 5))
    line = TEXT_SIZE * 1.3 / 72
    room = width - 2 * PAD_IN
    widest = max((text_width_in(str(g), TEXT_SIZE) for g in groups), default=0.5)
    label_w = min(widest + 0.05, room * (0.4 if ncols == 1 else 0.27))
    labels = {g: wrap_to(str(g), label_w, TEXT_SIZE) for g in groups}
    most = max((len(v) for v in labels.values()), default=1)
    # the phone's drawing scrolls down, so keeps its roomier rows; the wide one is printed
    row_h = ROW_WIDE_IN if width >= 5 and most == 1 else max(0.23, most * line + 0.03)
    panel_w = (room - label_w - GAP_IN) / ncols - GAP_IN
    # the figures' column, which also says why a group is not shown ("hidden", "<10")
    hidden = data["suppressed"].astype(bool)
    texts = [(str(v), True) for v in data.loc[~hidden, "display"]] + [(str(v), False) for v in data.loc[hidden, "display"]]
    number_w = max(text_width_in(v, TEXT_SIZE, bold=bold) for v, bold in [*texts, ("100%", True)]) + 0.08
    strip_w = max(panel_w - number_w, 0.5)
    names = {q: str(data.loc[data["question_id"] == q, "statement"].iloc[0]) for q in qids}
    averages = {q: data.loc[data["question_id"] == q, "average"].dropna() for q in qids}
    heads = {}
    for q in qids:
        lines = [*wrap_to(names[q], panel_w + GAP_IN - 0.04, TEXT_SIZE, bold=True)]  # up to the next panel
        if len(averages[q]):
            lines.append(f"{average_name} {format_pct(float(averages[q].iloc[0]))}")
        heads[q] = lines
    nrows = -(-n // ncols)
    # a head's lines are set 1.15 apart (see breakdown_dots): in the wide drawing its room is
    # that pitch and the 4 points under it, not the 1.3 of a label's line (a fifth of an inch
    # of air a row); the phone's drawing keeps its room
    pitch = TEXT_SIZE * 1.15 / 72 + 0.005 if width >= 5 else line
    head_h = [max(len(heads[q]) for q in qids[r * ncols : (r + 1) * ncols]) * pitch + 0.1 for r in range(nrows)] if qids else [0]
    between = BETWEEN_WIDE_IN if width >= 5 else BELOW_IN
    return _Layout(ncols=ncols, label_w=label_w, labels=labels, row_h=row_h, heads=heads, head_h=head_h, between=between,
                   xmax=100 * panel_w / strip_w)  # fmt: skip


def _dots_subtitle(one: str, year: int | None, average_name: str) -> str:
    when = f", {year}" if year is not None else ""
    average = "the whole service" if average_name == "service" else average_name
    # short: every glyph of a chart is a path in the PDF, and the caption says the rest
    return f"% agreeing by {one}{when}, with 95% intervals; dashed line: {average}"


def _dots_footnote(data: pd.DataFrame, threshold: int, caution: int) -> str:
    # short enough for one line of a wide chart, all three parts (worded longer, it took two
    # lines, a breakdown's share of a printed page): the caption under it gives the counts
    parts = []
    if (data["suppressed"] & ~data["hidden"]).any():
        parts.append(f"<{threshold}: under {threshold} responses")
    if data["hidden"].any():
        parts.append("hidden: protects a small group")
    if data["caution"].any():
        parts.append(f"*: under {caution} responses, read with care")
    return "; ".join(parts) + ("." if parts else "")


def _shared_order(data: pd.DataFrame) -> list:
    """Groups by their average published figure over the statements, highest first; groups never
    shown last, in their order of appearance. Side by side, panels share this order so only the
    first column names the groups: once a row, not in every panel (the PDF's size was mostly
    those repeated names, drawn as glyph paths). On a phone too, so that a group keeps its
    place from one statement to the next."""
    mean = data.groupby("group", sort=False)["pct"].mean()
    ranked = pd.DataFrame({"group": mean.index, "mean": mean.to_numpy(), "first": range(len(mean))})
    ranked = ranked.sort_values(["mean", "first"], ascending=[False, True], na_position="last", kind="mergesort")
    return list(ranked["group"])


def _dot_panel(ax: plt.Axes, part: pd.DataFrame, lay: _Layout, shared: list, named: bool) -> None:
    """One statement: groups in the `shared` order, each a dot and its interval on a 0-100
    strip with its figure to the right (a group not shown says why there instead); the groups'
    names when `named`. The statement's head names the average; the dashed line marks it."""
    order = part.set_index("group").reindex(shared).reset_index()
    order = order.assign(y=np.arange(len(order), dtype=float))
    n = len(order)
    for r in order.itertuples(index=False):
        if int(r.y) % 2 == 0:  # a faint band behind every other row, to read across
            ax.add_patch(Rectangle((0, r.y - 0.5), lay.xmax, 1, facecolor=GRID_BAND, edgecolor="none", zorder=0))
        # the row's own shape, unfilled, holding its figure's text: the audit reads the cell from it,
        # and its colour says nothing
        cell = Rectangle((0, r.y - 0.5), lay.xmax, 1, facecolor="none", edgecolor="none", zorder=0)
        cell.set_gid(f"cell:{r.question_id}:{r.group}")
        ax.add_patch(cell)
        # every figure, or why there is none, in one column after the strip: in a narrow panel a
        # figure beside its interval ran into the next panel, and "hidden" crossed the dashed line
        ax.annotate(r.display, (100, r.y), xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=TEXT_SIZE, color=DARK_GREY if r.suppressed else TEXT_BLACK,
                    fontweight="normal" if r.suppressed else "bold", zorder=3)  # fmt: skip
        if not r.suppressed:
            ax.plot([r.lo, r.hi], [r.y, r.y], color=DARK_BLUE, linewidth=1.4, solid_capstyle="butt", zorder=2)
    dots = order[~order["suppressed"]]
    if len(dots):
        ax.scatter(dots["pct"], dots["y"], color=DARK_BLUE, s=30, edgecolors="white", linewidths=0.7, zorder=4)
    avg = part["average"].dropna()
    if len(avg):
        ax.axvline(float(avg.iloc[0]), color=ORANGE_DARK, linestyle=(0, (4, 2)), linewidth=1.4, zorder=1)
    ax.set_xlim(0, lay.xmax)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(order["y"], ["\n".join(lay.labels[g]) if named else "" for g in order["group"]])
    # a strip an inch wide has room for its ends' figures only (side by side, "100%0%" ran together)
    ax.set_xticks([0, 50, 100], ["0", "", "100%"])
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", length=0, labelsize=TEXT_SIZE, labelcolor=TEXT_BLACK)
    ax.tick_params(axis="x", labelsize=TEXT_SIZE)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
