"""Trends as small multiples: one panel per statement (or theme), directly labelled.

Eight lines in one panel are spaghetti; one panel each, on one 0-100% scale, lets a reader
follow every statement. A wording change starts a new, dashed series in its panel.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from healthcheck.analysis.rounding import format_pct
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    GRID_GREY,
    HOUSE_RC,
    PAD_IN,
    TEXT_BLACK,
    TEXT_SIZE,
    WIDE_IN,
    finish,
    message_axes,
    new_figure,
    panel_axes,
    text_width_in,
    wrap_to,
)
from healthcheck.present.charts.trend import alt_text_trend, trend_data, trend_subtitle, wording_breaks


def trend_panels(
    series: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    measure: str = "% agreeing or strongly agreeing",
    width: float = WIDE_IN,
) -> Figure:
    """Small multiples: one panel per ``label`` (same input as :func:`trend`), each directly
    labelled with its first and last figure of each comparable run, on one 0-100% scale.

    A wording change starts a new series in the same panel, drawn dashed with hollow-centred
    square markers and labelled "new wording" at its start, so it is never joined to the old
    one. Drawn with seaborn's lineplot on a grid of axes (up to MAX_COLUMNS wide, 1 on a phone:
    `width` under 5 inches). Published points (no counts) are hollow. Lines have gid
    ``trend-line:<label>:<series>``.
    """
    df = trend_data(series)
    labels = list(pd.unique(df["label"]))
    years = sorted(int(y) for y in df["year"].unique())
    has_ci = bool(df[["ci_low", "ci_high"]].notna().all(axis=1).any())
    has_pub = bool((df["basis"] == "published").any())
    narrow = width < 5
    if subtitle is None:
        subtitle = trend_subtitle(years, measure, has_ci, has_pub)
        if any(wording_breaks(df[df["label"] == lab]) for lab in labels):
            subtitle += ". Dashed: new wording, not compared with the old"
    n = max(len(labels), 1)
    ncols = 1 if narrow else panel_columns(n)
    nrows = -(-n // ncols)
    # Side by side only the first column names the 0-100% scale, so the others need little
    # room at their left: more of the width goes to the panels.
    left, rest, right = 0.6, (0.6 if ncols == 1 else 0.15), 0.15
    axes_w = (width - 2 * PAD_IN - (left - rest)) / ncols - rest - right
    # a panel's title starts at its axes and may use the gap before the next panel
    heads = [wrap_to(str(lab), axes_w + (0.1 if ncols > 1 else 0.0), TEXT_SIZE, bold=True) for lab in labels]
    line = TEXT_SIZE * 1.3 / 72
    head_h = [max(len(h) for h in heads[r * ncols : (r + 1) * ncols]) * line + 0.15 for r in range(nrows)] if labels else [0]
    panel_h = 1.35 if narrow else 1.2
    body = sum(head_h) + nrows * (panel_h + 0.35)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, placed=True)
        if df.empty:
            message_axes(fig.add_subplot(), "No data.")
            return finish(fig, alt_text_trend(df, measure))
        axes = panel_axes(fig, head_h, ncols, len(labels), panel_h, left=left, left_rest=rest, right=right, below=0.35)
        short_years = year_labels_short(years, axes_w)
        for i, (ax, label) in enumerate(zip(axes, labels, strict=True)):
            rows = df[df["label"] == label].reset_index(drop=True)
            _panel(ax, rows, label, years, short_years)
            if ncols > 1:  # side by side the scales are shared: each labelled once, at the left and the foot
                ax.tick_params(labelleft=i % ncols == 0, labelbottom=i + ncols >= len(labels))
            ax.set_title("\n".join(heads[i]), loc="left", fontsize=TEXT_SIZE, fontweight="bold", color=TEXT_BLACK,
                         linespacing=1.15)  # fmt: skip
        return finish(fig, alt_text_trend(df, measure))


#: At most this many panels side by side on the wide drawing: at 8 inches four leave each
#: plot about 1.6 inches, room for three years' labels in full and each panel's title in
#: lines of two or three words.
MAX_COLUMNS = 4


def panel_columns(n: int) -> int:
    """How many panels a row of the wide drawing holds for `n` panels: as few rows as
    MAX_COLUMNS allows, the rows as even as they can be (five make three and two, not four
    and one)."""
    rows = -(-max(n, 1) // MAX_COLUMNS)
    return -(-max(n, 1) // rows)


def year_labels_short(years: list[int], axes_w: float) -> bool:
    """True when the years on a panel's axis `axes_w` inches wide would touch written in full
    ("2021"): they are then written with two digits ("21"), measured, not guessed."""
    if len(years) < 2:
        return False
    step = axes_w / (years[-1] - years[0] + 0.7)  # the axis runs 0.35 of a year past each end
    return text_width_in("2020", TEXT_SIZE) + 0.12 > step


def _panel(ax: plt.Axes, rows: pd.DataFrame, label: str, years: list[int], short_years: bool = False) -> None:
    """One statement's panel: each comparable run its own series (seaborn), values at its ends."""
    runs = rows.assign(run=(rows["series"] != rows["series"].shift()).cumsum())
    first_run = runs["run"].iloc[0]
    runs["wording"] = np.where(runs["run"] == first_run, "first", "new")
    shown = runs.dropna(subset=["pct_positive"])
    if len(shown):
        sns.lineplot(
            data=shown,
            x="year",
            y="pct_positive",
            units="run",
            estimator=None,
            style="wording",
            style_order=["first", "new"],
            dashes={"first": "", "new": (3, 2)},
            markers={"first": "o", "new": "s"},
            color=DARK_BLUE,
            linewidth=2.2,
            markersize=7,
            legend=False,
            ax=ax,
        )
        for line in ax.get_lines():
            line.set_gid(f"trend-line:{label}")
    ci = shown.dropna(subset=["ci_low", "ci_high"])
    if len(ci):
        ax.errorbar(ci["year"], ci["pct_positive"], yerr=[ci["pct_positive"] - ci["ci_low"], ci["ci_high"] - ci["pct_positive"]],
                    fmt="none", ecolor=DARK_BLUE, elinewidth=1.1, capsize=3, zorder=1, gid=f"trend-ci:{label}")  # fmt: skip
    pub = shown[shown["basis"] == "published"]
    if len(pub):
        ax.plot(pub["year"], pub["pct_positive"], linestyle="none", marker="o", markersize=7, markeredgewidth=2,
                markeredgecolor=DARK_BLUE, markerfacecolor="white", zorder=5)  # fmt: skip
    for _, run in shown.groupby("run", sort=True):
        ends = run.iloc[[0, -1]] if len(run) > 1 else run.iloc[[0]]
        # centred over its point: the axis runs on past the last year by half a label, and
        # a label pushed to the left of the last year met the one before it in a narrow panel
        for _, r in ends.iterrows():
            ax.annotate(format_pct(r["pct_positive"]), (r["year"], r["pct_positive"]), xytext=(0, 8),
                        textcoords="offset points", ha="center", va="bottom", fontsize=TEXT_SIZE,
                        fontweight="bold", color=TEXT_BLACK, zorder=6)  # fmt: skip
        if run["wording"].iloc[0] == "new":
            r = run.iloc[0]
            ax.annotate("new wording", (r["year"], r["pct_positive"]), xytext=(0, -10), textcoords="offset points",
                        ha="right" if r["year"] == years[-1] else "center", va="top", fontsize=TEXT_SIZE,
                        color=DARK_GREY)  # fmt: skip
    ax.set_xticks(years, [f"{y % 100:02d}" for y in years] if short_years else [str(y) for y in years])
    ax.set_xlim(years[0] - 0.35, years[-1] + 0.35)
    ax.set_ylim(0, 115)  # room above 100% for a figure's label
    ax.yaxis.set_major_locator(FixedLocator([0, 50, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=TEXT_SIZE, labelbottom=True)
