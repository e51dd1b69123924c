"""Lines across years with intervals, wording breaks and published points."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.present.charts.style import (
    DARK_GREY,
    GRID_GREY,
    HOUSE_RC,
    PAIR,
    PALETTE,
    SMALL_SIZE,
    TEXT_BLACK,
    finish,
    message_axes,
    new_figure,
)

# --------------------------------------------------------------------------------------
# 2. Trend: lines across years with intervals, wording breaks and published points
# --------------------------------------------------------------------------------------

_MARKERS = ("o", "s", "^", "D", "v", "P")


def trend_data(series: pd.DataFrame) -> pd.DataFrame:
    """The tidy table :func:`trend` plots.

    Columns ``year, label, pct_positive, ci_low, ci_high, basis, series``; missing optional
    columns are filled (no interval, basis ``counts``, series 1). Sorted by label (in order
    of first appearance) then year.
    """
    df = series.copy()
    for col, default in (("ci_low", np.nan), ("ci_high", np.nan), ("basis", "counts"), ("series", 1)):
        if col not in df.columns:
            df[col] = default
    df["basis"] = df["basis"].fillna("counts").astype(str)
    df["series"] = df["series"].fillna(1)
    df["year"] = df["year"].astype(int)
    for col in ("pct_positive", "ci_low", "ci_high"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    order = {lab: i for i, lab in enumerate(pd.unique(df["label"]))}
    df["_o"] = df["label"].map(order)
    df = df.sort_values(["_o", "year"], kind="mergesort").drop(columns="_o")
    cols = ["year", "label", "pct_positive", "ci_low", "ci_high", "basis", "series"]
    return df[cols].reset_index(drop=True)


def wording_breaks(rows: pd.DataFrame) -> list[tuple[int, int]]:
    """One label's (year before, year after) pairs where the series number changes."""
    out = []
    prev = None
    for year, ser in zip(rows["year"], rows["series"], strict=True):
        if prev is not None and ser != prev[1]:
            out.append((prev[0], int(year)))
        prev = (int(year), ser)
    return out


def alt_text_trend(series: pd.DataFrame, measure: str = "% agreeing or strongly agreeing") -> str:
    """Alt text for :func:`trend`: every point, which are published, and wording breaks."""
    df = trend_data(series)
    if df.empty:
        return f"Line chart of {measure}: no data."
    years = sorted(df["year"].unique())
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
    parts = [f"Line chart of {measure} by year, {span}."]
    for label, rows in df.groupby("label", sort=False):
        pts = []
        for _, r in rows.iterrows():
            p = "not available" if pd.isna(r["pct_positive"]) else format_pct(r["pct_positive"])
            extra = " (published figure)" if r["basis"] == "published" else ""
            pts.append(f"{r['year']} {p}{extra}")
        sentence = f"{label}: " + ", ".join(pts) + "."
        for _, after in wording_breaks(rows):
            sentence += f" The wording changed in {after}, so {after} onwards is not compared with earlier years."
        parts.append(sentence)
    return " ".join(parts)


def trend(
    series: pd.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    measure: str = "% agreeing or strongly agreeing",
    width: float = 9.0,
    height: float = 4.6,
) -> Figure:
    """Lines of % positive across years, one per ``label``.

    Input columns: ``year, label, pct_positive`` and optionally ``ci_low, ci_high`` (95%
    interval; none -> no error bars, e.g. theme scores), ``basis`` (``counts`` or
    ``published``) and ``series``. Where ``series`` changes the line is broken into separate
    segments (gid ``trend-line:<label>:<series>``) with a dotted vertical line labelled
    "wording changed". Published points have hollow markers (gid
    ``trend-points:<label>:published``) and a "published figure" legend entry.
    """
    df = trend_data(series)
    labels = list(pd.unique(df["label"]))
    years = sorted(int(y) for y in df["year"].unique())
    has_ci = bool(df[["ci_low", "ci_high"]].notna().all(axis=1).any())
    has_pub = bool((df["basis"] == "published").any())

    if title is None:
        title = _trend_title(df)
    if subtitle is None:
        subtitle = trend_subtitle(years, measure, has_ci, has_pub)

    colours = PAIR if len(labels) <= 2 else PALETTE
    # With one or two lines every point can carry its value; more would crowd the chart.
    annotate = len(labels) <= 2
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, height, title, subtitle)
        ax = fig.add_subplot()
        if df.empty:
            message_axes(ax, "No data.")
            return finish(fig, alt_text_trend(df, measure))

        # Wording changes by position, with the lines they apply to: a change shared is marked once.
        break_x: dict[float, set[str]] = {}
        handles: list[Line2D] = []
        for i, label in enumerate(labels):
            rows = df[df["label"] == label].reset_index(drop=True)
            for before, after in wording_breaks(rows):
                break_x.setdefault((before + after) / 2, set()).add(label)
            colour, marker = colours[i % len(colours)], _MARKERS[i % len(_MARKERS)]
            handles.append(_draw_series(ax, rows, label, colour, marker, annotate=annotate, below=i == 1))

        _mark_wording_changes(ax, break_x, labels)
        handles += _key_handles(has_pub, has_ci, bool(break_x))
        _style_axes(ax, years)
        _add_legend(ax, handles)
        return finish(fig, alt_text_trend(df, measure))


def trend_subtitle(years: list[int], measure: str, has_ci: bool, has_pub: bool) -> str:
    """The measure and span of years, and what the error bars and hollow markers mean."""
    span = (f"{years[0]}" if len(years) == 1 else f"{years[0]}\u2013{years[-1]}") if years else ""
    subtitle = f"{measure}; {span}"
    if has_ci:
        subtitle += ", with 95% confidence intervals"
    if has_pub:
        subtitle += ". Hollow markers: published figure (no response counts)"
    return subtitle


def _draw_series(
    ax: plt.Axes, rows: pd.DataFrame, label: str, colour: str, marker: str, *, annotate: bool, below: bool
) -> Line2D:
    """One label's line, intervals, points and (when `annotate`) values; return its legend entry."""
    _draw_line(ax, rows, label, colour)
    _draw_intervals(ax, rows, label, colour)
    _draw_points(ax, rows, label, colour, marker)
    if annotate:
        _label_points(ax, rows, below=below)
    return Line2D([], [], color=colour, marker=marker, markersize=8, linewidth=2.4, label=textwrap.fill(str(label), 40))


def _draw_line(ax: plt.Axes, rows: pd.DataFrame, label: str, colour: str) -> None:
    """One label's line, as a separate segment for each run of comparable years (same series)."""
    run_id = (rows["series"] != rows["series"].shift()).cumsum()
    for _, seg in rows.groupby(run_id, sort=True):
        seg = seg.dropna(subset=["pct_positive"])
        (line,) = ax.plot(seg["year"], seg["pct_positive"], color=colour, linewidth=2.4, solid_capstyle="round", zorder=2)
        line.set_gid(f"trend-line:{label}:{seg['series'].iloc[0] if len(seg) else ''}")


def _draw_intervals(ax: plt.Axes, rows: pd.DataFrame, label: str, colour: str) -> None:
    """Error bars of the 95% intervals, for the points that have one."""
    ci = rows.dropna(subset=["ci_low", "ci_high", "pct_positive"])
    if not len(ci):
        return
    eb = ax.errorbar(
        ci["year"],
        ci["pct_positive"],
        yerr=[ci["pct_positive"] - ci["ci_low"], ci["ci_high"] - ci["pct_positive"]],
        fmt="none",
        ecolor=colour,
        elinewidth=1.3,
        capsize=5,
        capthick=1.3,
        zorder=1,
    )
    for artist in eb.get_children():
        artist.set_gid(f"trend-ci:{label}")


def _draw_points(ax: plt.Axes, rows: pd.DataFrame, label: str, colour: str, marker: str) -> None:
    """The markers: filled where the figure comes from counts, hollow where it was only published."""
    for basis, filled in (("counts", True), ("published", False)):
        pts = rows[(rows["basis"] == basis) & rows["pct_positive"].notna()]
        if pts.empty:
            continue
        (mk,) = ax.plot(
            pts["year"],
            pts["pct_positive"],
            linestyle="none",
            marker=marker,
            markersize=9,
            markeredgewidth=2,
            markeredgecolor=colour,
            markerfacecolor=colour if filled else "none",
            zorder=4,
        )
        mk.set_gid(f"trend-points:{label}:{basis}")


def _label_points(ax: plt.Axes, rows: pd.DataFrame, *, below: bool) -> None:
    """Each point's value beside it; the second line's labels go below, so two lines do not collide."""
    for _, r in rows.dropna(subset=["pct_positive"]).iterrows():
        ax.annotate(
            format_pct(r["pct_positive"]),
            (r["year"], r["pct_positive"]),
            xytext=(9, -13 if below else 9),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=SMALL_SIZE,
            color=TEXT_BLACK,
            fontweight="bold",
            zorder=5,
        )


def _mark_wording_changes(ax: plt.Axes, break_x: dict[float, set[str]], labels: list) -> None:
    """A dotted line between the years where the wording changed, naming the lines it applies to
    when it is not all of them."""
    for x, labs in sorted(break_x.items()):
        ax.axvline(x, color=DARK_GREY, linestyle=":", linewidth=1.6, zorder=1, gid="wording-changed")
        text = "wording changed"
        if len(labels) > 1 and len(labs) < len(labels):
            text += "\n(" + ", ".join(sorted(map(str, labs))) + ")"
        ax.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=SMALL_SIZE,
            color=DARK_GREY,
        )


def _key_handles(has_pub: bool, has_ci: bool, has_break: bool) -> list[Line2D]:
    """Legend entries for the marks that are not lines: published points, intervals, wording changes."""
    handles = []
    if has_pub:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markeredgewidth=2,
                markeredgecolor=DARK_GREY,
                markerfacecolor="none",
                label="published figure",
            )
        )
    if has_ci:
        handles.append(
            Line2D([], [], color=DARK_GREY, marker="|", markersize=12, linestyle="none", label="95% confidence interval")
        )
    if has_break:
        handles.append(Line2D([], [], color=DARK_GREY, linestyle=":", linewidth=1.6, label="wording changed"))
    return handles


def _style_axes(ax: plt.Axes, years: list[int]) -> None:
    """One tick per year, and a fixed 0-100% scale so charts can be compared by eye."""
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=SMALL_SIZE + 0.5)


def _add_legend(ax: plt.Axes, handles: list[Line2D]) -> None:
    """The legend below the axes, in one row for two entries, else two columns."""
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(handles) if len(handles) <= 2 else 2,
        fontsize=SMALL_SIZE,
        handlelength=2.2,
        columnspacing=2.0,
    )


def _trend_title(df: pd.DataFrame) -> str:
    labels = list(pd.unique(df["label"]))
    if df.empty:
        return "No data"
    if len(labels) != 1:
        y = int(df["year"].max())
        return f"% positive by year to {y}"
    rows = df.dropna(subset=["pct_positive"])
    if rows.empty:
        return str(labels[0])
    last = rows.iloc[-1]
    head = f"{labels[0]}: {format_pct(last['pct_positive'])} in {last['year']}"
    same = rows[(rows["series"] == last["series"]) & (rows["year"] < last["year"])]
    if not same.empty:
        prev = same.iloc[-1]
        a, b = round_half_up(last["pct_positive"]), round_half_up(prev["pct_positive"])
        how = "up from" if a > b else "down from" if a < b else "the same as"
        head += f", {how} {b}% in {prev['year']}"
    return head
