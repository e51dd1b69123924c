"""Breakdown heat map: percent agreeing by group, suppressed cells marked."""

from __future__ import annotations

import textwrap
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.present.charts import findings
from healthcheck.present.charts.style import (
    BODY_SIZE,
    DARK_BLUE,
    DARK_GREY,
    HOUSE_RC,
    ORANGE,
    PAD_IN,
    SMALL_SIZE,
    SUPPRESSED_FACE,
    SUPPRESSED_HATCH,
    TEXT_BLACK,
    TEXT_SIZE,
    WIDE_IN,
    blank,
    finish,
    message_axes,
    mix,
    new_figure,
    panel_axes,
    plural,
    text_colour_on,
    truthy,
    wrap_to,
)

_GROUP_WORDS = {
    "team": ("team", "teams"),
    "locality": ("locality", "localities"),
    "role": ("role", "roles"),
    "all": ("group", "groups"),
}


# --------------------------------------------------------------------------------------
# 4. Breakdown heat map
# --------------------------------------------------------------------------------------

#: The faint band behind every other row of a dot plot, and the service average's line (dark
#: enough on white: 3:1 for a graphical object).
GRID_BAND = "#F3F2F1"
ORANGE_DARK = mix(ORANGE, 0.35, "#000000")

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
    one, many = _GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
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
    one, _ = _GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
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
) -> Figure:
    """Sorted dot plots, one panel per statement: each group's % agreeing (a dot, drawn with
    seaborn) with its 95% interval (a line), against the service average (a dashed line).

    Groups are sorted highest first; a group not shown is listed under the others with the
    reason ("<10": fewer than `threshold` responses; "hidden": withheld so a small group cannot
    be worked out) -- stated, never drawn. Every position is a published figure (whole
    percentages; intervals by :func:`published_interval`). Each group's row is a band with gid
    ``cell:<question_id>:<group>`` holding its figure's text, as the audit reads it. Two
    panels a row, one on a phone (`width` under 5 inches).
    """
    data = dots_data(breakdown_df, questions, group_type, average, year=year, threshold=threshold, caution=caution)
    one, _ = _GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    narrow = width < 5
    if title is None:
        title = findings.breakdown_title(data, one)
    when = f"{year}; " if year is not None else ""
    subtitle = (
        f"% agreeing or strongly agreeing by {one}, {when}dots with 95% intervals (from the published figures); "
        "dashed line: the whole service"
    )
    footnote = _dots_footnote(data, threshold, caution)
    qids = list(pd.unique(data["question_id"]))
    ncols = 1 if narrow else min(2, max(len(qids), 1))
    nrows = -(-max(len(qids), 1) // ncols)
    panel_w = (width - 2 * PAD_IN) / ncols
    label_w = min(1.5, panel_w * 0.4)
    groups = list(pd.unique(data["group"]))
    labels = {g: wrap_to(str(g), label_w - 0.1, TEXT_SIZE) for g in groups}
    line = TEXT_SIZE * 1.3 / 72
    row_h = max(0.3, max((len(v) for v in labels.values()), default=1) * line + 0.06)
    # the title starts at the axes, right of the groups' names
    names = {q: str(data.loc[data["question_id"] == q, "statement"].iloc[0]) for q in qids}
    heads = {q: wrap_to(names[q], panel_w - 0.3, TEXT_SIZE, bold=True) for q in qids}
    head_h = [max(len(heads[q]) for q in qids[r * ncols : (r + 1) * ncols]) * line + 0.4 for r in range(nrows)] if qids else [0]
    body = sum(head_h) + nrows * (len(groups) * row_h + 0.45)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, footnote, placed=True)
        if data.empty:
            message_axes(fig.add_subplot(), "No data.")
            return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))
        axes = panel_axes(fig, head_h, ncols, len(qids), len(groups) * row_h, left=label_w + 0.1, right=0.2, below=0.45)
        for ax, qid in zip(axes, qids, strict=True):
            _dot_panel(ax, data[data["question_id"] == qid], labels)
            # the statement over the whole panel, from the groups' names: on a phone the plot
            # itself is too narrow to hold it
            ax.annotate("\n".join(heads[qid]), (0, 1), xycoords="axes fraction", xytext=(-(label_w + 0.1) * 72, 18),
                        textcoords="offset points", ha="left", va="bottom", fontsize=TEXT_SIZE, fontweight="bold",
                        color=TEXT_BLACK, linespacing=1.15)  # fmt: skip
        return finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold, caution=caution, kind="Dot plot"))


def _dots_footnote(data: pd.DataFrame, threshold: int, caution: int) -> str:
    parts = []
    if (data["suppressed"] & ~data["hidden"]).any():
        parts.append(f"<{threshold}: fewer than {threshold} responses, not shown")
    if data["hidden"].any():
        parts.append("hidden: not shown so that a small group cannot be worked out")
    if data["caution"].any():
        parts.append(f"*: fewer than {caution} responses, read with caution")
    return "; ".join(parts) + ("." if parts else "")


def _dot_panel(ax: plt.Axes, part: pd.DataFrame, labels: dict[str, list[str]]) -> None:
    """One statement: shown groups sorted highest first, then the groups not shown, by name order."""
    shown = part[~part["suppressed"]].sort_values(["pct", "group"], ascending=[False, True], kind="mergesort")
    rest = part[part["suppressed"]]
    order = pd.concat([shown, rest], ignore_index=True).assign(y=lambda d: np.arange(len(d), dtype=float))
    n = len(order)
    for r in order.itertuples(index=False):
        band = Rectangle((0, r.y - 0.5), 100, 1, facecolor=GRID_BAND if int(r.y) % 2 == 0 else "white", edgecolor="none",
                         zorder=0)  # fmt: skip
        band.set_gid(f"cell:{r.question_id}:{r.group}")
        ax.add_patch(band)
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
        ax.annotate(f"service {format_pct(a)}", (a, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=TEXT_SIZE, color=TEXT_BLACK)  # fmt: skip
    ax.set_xlim(0, 100)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(order["y"], ["\n".join(labels[g]) for g in order["group"]])
    ax.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", length=0, labelsize=TEXT_SIZE, labelcolor=TEXT_BLACK)
    ax.tick_params(axis="x", labelsize=TEXT_SIZE)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
