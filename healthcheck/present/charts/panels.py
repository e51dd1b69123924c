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
    one. Drawn with seaborn's lineplot on a grid of axes (3 columns wide, 1 on a phone: `width`
    under 5 inches). Published points (no counts) are hollow. Lines have gid
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
    ncols = 1 if narrow else min(3, n)
    nrows = -(-n // ncols)
    panel_w = (width - 2 * PAD_IN) / ncols
    # a panel's title starts at its axes, right of the 0-100% labels
    heads = [wrap_to(str(lab), panel_w - 0.75, TEXT_SIZE, bold=True) for lab in labels]
    line = TEXT_SIZE * 1.3 / 72
    head_h = [max(len(h) for h in heads[r * ncols : (r + 1) * ncols]) * line + 0.15 for r in range(nrows)] if labels else [0]
    panel_h = 1.35 if narrow else 1.5
    body = sum(head_h) + nrows * (panel_h + 0.35)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, placed=True)
        if df.empty:
            message_axes(fig.add_subplot(), "No data.")
            return finish(fig, alt_text_trend(df, measure))
        axes = panel_axes(fig, head_h, ncols, len(labels), panel_h, left=0.6, right=0.15, below=0.35)
        for i, (ax, label) in enumerate(zip(axes, labels, strict=True)):
            rows = df[df["label"] == label].reset_index(drop=True)
            _panel(ax, rows, label, years)
            if ncols > 1:  # side by side the scales are shared: each labelled once, at the left and the foot
                ax.tick_params(labelleft=i % ncols == 0, labelbottom=i + ncols >= len(labels))
            ax.set_title("\n".join(heads[i]), loc="left", fontsize=TEXT_SIZE, fontweight="bold", color=TEXT_BLACK,
                         linespacing=1.15)  # fmt: skip
        return finish(fig, alt_text_trend(df, measure))


def _panel(ax: plt.Axes, rows: pd.DataFrame, label: str, years: list[int]) -> None:
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
        for pos, (_, r) in enumerate(ends.iterrows()):
            last = pos == len(ends) - 1 and len(ends) > 1
            ax.annotate(format_pct(r["pct_positive"]), (r["year"], r["pct_positive"]), xytext=(0, 8),
                        textcoords="offset points", ha="right" if last and r["year"] == years[-1] else "center",
                        va="bottom", fontsize=TEXT_SIZE, fontweight="bold", color=TEXT_BLACK, zorder=6)  # fmt: skip
        if run["wording"].iloc[0] == "new":
            r = run.iloc[0]
            ax.annotate("new wording", (r["year"], r["pct_positive"]), xytext=(0, -10), textcoords="offset points",
                        ha="right" if r["year"] == years[-1] else "center", va="top", fontsize=TEXT_SIZE,
                        color=DARK_GREY)  # fmt: skip
    ax.set_xticks(years, [str(y) for y in years] if len(years) <= 4 else [f"{y % 100:02d}" for y in years])
    ax.set_xlim(years[0] - 0.35, years[-1] + 0.35)
    ax.set_ylim(0, 112)
    ax.yaxis.set_major_locator(FixedLocator([0, 50, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=TEXT_SIZE, labelbottom=True)
