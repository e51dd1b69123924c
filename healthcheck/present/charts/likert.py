"""Diverging stacked bars of the full response distribution of a theme's statements."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up, round_to  # noqa: F401
from healthcheck.data.codes import RESPONSE_LABELS
from healthcheck.present.charts import findings
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    GRID_GREY,
    HOUSE_RC,
    NEUTRAL_GREY,
    PAD_IN,
    TEXT_BLACK,
    TEXT_SIZE,
    WIDE_IN,
    finish,
    message_axes,
    mix,
    new_figure,
    plural,
    wrap_to,
)

LIKERT_ORDER = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
LIKERT_LABELS = {code: RESPONSE_LABELS[code] for code in LIKERT_ORDER}
#: The order the bars are stacked in, from 0: the agreeing share is read from the axis.
AGREE_FIRST = LIKERT_ORDER[::-1]

LIKERT_COLOURS = {
    "strongly_disagree": DARK_PINK,
    "disagree": mix(DARK_PINK, 0.6),
    "neutral": NEUTRAL_GREY,
    "agree": mix(DARK_BLUE, 0.6),
    "strongly_agree": DARK_BLUE,
}
#: Hatching marks the negative side, so the chart does not rely on colour.
LIKERT_HATCHES = {
    "strongly_disagree": "xx",
    "disagree": "///",
    "neutral": "",
    "agree": "",
    "strongly_agree": "",
}
LIKERT_HATCH_COLOURS = {
    "strongly_disagree": mix(DARK_PINK, 0.45),
    "disagree": DARK_PINK,
    "neutral": NEUTRAL_GREY,
    "agree": LIKERT_COLOURS["agree"],
    "strongly_agree": DARK_BLUE,
}
#: The thickness of a bar, in units of the gap between statements.
_BAR_HEIGHT = 0.66

# --------------------------------------------------------------------------------------
# 1. Likert: diverging stacked bars of the full response distribution
# --------------------------------------------------------------------------------------


def likert_data(
    counts: pd.DataFrame,
    questions: pd.DataFrame,
    year: int,
    theme: str,
    *,
    threshold: int = 10,
) -> pd.DataFrame:
    """The response distribution of a theme's statements in `year` (all staff).

    One row per statement asked that year, shown statements first, sorted by
    ``pct_positive`` (highest first, then question_id). Columns: ``question_id``,
    ``statement`` (the short label), ``n_valid``, the five ``LIKERT_ORDER`` columns as % of
    valid responses, ``pct_positive``, ``pct_negative``, ``shown`` and ``note``.
    Percentages are NaN (never 0) for statements not shown: fewer than `threshold` valid
    responses, or no response-level counts (a published figure only).
    """
    q = questions[(questions["year"] == year) & (questions["theme"] == theme)]
    q = q.drop_duplicates("question_id")[["question_id", "short"]]
    c = counts[(counts["year"] == year) & (counts["group_type"] == "all") & (counts["question_id"].isin(q["question_id"]))]
    has_counts = set(c["question_id"])
    c = c[c["response"].isin(LIKERT_ORDER)]
    wide = (
        c.pivot_table(index="question_id", columns="response", values="n", aggfunc="sum")
        .reindex(index=list(q["question_id"]), columns=list(LIKERT_ORDER))
        .fillna(0)
    )
    rows = []
    for qid, short in zip(q["question_id"], q["short"], strict=True):
        n = wide.loc[qid].to_numpy(dtype=float)
        n_valid = int(n.sum())
        row: dict[str, object] = {"question_id": qid, "statement": short, "n_valid": n_valid}
        if qid not in has_counts:
            shown, note = False, "published figure only: no response counts"
        elif n_valid < threshold:
            shown, note = False, f"fewer than {threshold} valid responses"
        else:
            shown, note = True, ""
        pct = 100.0 * n / n_valid if shown else np.full(len(LIKERT_ORDER), np.nan)
        row.update(dict(zip(LIKERT_ORDER, pct, strict=True)))
        # From the counts, not by adding two float percentages: 2/40*100 + 23/40*100 is
        # 62.4999..., which would round down where the exact 62.5 rounds half up.
        row["pct_positive"] = 100.0 * (n[3] + n[4]) / n_valid if shown else np.nan
        row["pct_negative"] = 100.0 * (n[0] + n[1]) / n_valid if shown else np.nan
        row["shown"] = shown
        row["note"] = note
        rows.append(row)
    cols = ["question_id", "statement", "n_valid", *LIKERT_ORDER, "pct_positive", "pct_negative", "shown", "note"]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_order"] = np.where(out["shown"], 0, 1)
    out = out.sort_values(
        ["_order", "pct_positive", "question_id"],
        ascending=[True, False, True],
        na_position="last",
        kind="mergesort",
    ).drop(columns="_order")
    return out.reset_index(drop=True)


def _left_out_note(data: pd.DataFrame) -> str:
    hidden = data[~data["shown"]]
    if hidden.empty:
        return ""
    parts = []
    for note, grp in hidden.groupby("note", sort=True):
        parts.append(f"{plural(len(grp), 'statement')} not shown ({note})")
    return "; ".join(parts) + "."


def alt_text_likert(data: pd.DataFrame, theme_title: str, year: int) -> str:
    """Alt text for :func:`likert` from its :func:`likert_data` table."""
    shown = data[data["shown"]]
    k = len(shown)
    if k == 0:
        return (
            f"Chart of responses on {theme_title}, {year}: no statement had enough responses to show. {_left_out_note(data)}"
        ).strip()
    text = (
        f"Stacked bar chart of the responses to {plural(k, 'statement')} on "
        f"{theme_title}, {year}, from strongly agree to strongly disagree, with the % agreeing beside each bar."
    )
    top = shown.iloc[0]
    if k == 1:
        text += (
            f" {top['statement']}: {format_pct(top['pct_positive'])} agree, "
            f"{format_pct(top['pct_negative'])} disagree (n={top['n_valid']})."
        )
    else:
        low = shown.iloc[-1]
        text += (
            f" Highest agreement: {top['statement']} ({format_pct(top['pct_positive'])} agree, "
            f"n={top['n_valid']}); lowest: {low['statement']} "
            f"({format_pct(low['pct_positive'])} agree, n={low['n_valid']})."
        )
    note = _left_out_note(data)
    return f"{text} {note}".strip()


def likert(
    counts: pd.DataFrame,
    questions: pd.DataFrame,
    year: int,
    theme: str,
    *,
    theme_title: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    threshold: int = 10,
    figures: pd.DataFrame | None = None,
    width: float = WIDE_IN,
) -> Figure:
    """100% stacked horizontal bars of the full response distribution, agreement first.

    One bar per statement of `theme` asked in `year` (all staff), as % of valid responses:
    strongly agree and agree from 0 at the left, then neutral, disagree and strongly disagree
    to 100 at the right. So the agreeing share is read from 0 on an honest axis, and it is the
    number labelled beside each bar -- the % agreeing the text quotes (whole numbers, halves
    up). Segment edges sit at the shares as the data table prints them (one decimal), so the
    chart says no more than its table. Negative segments are hatched (never colour alone).
    Lowest agreement at the top. `width` below 5 inches gives the phone layout: each
    statement above its bar. `figures` (the year's figures) lets the title name a change.
    Each segment patch has gid ``likert:<question_id>:<code>``; the label's text is
    ``<n>%`` with gid ``likert-agree:<question_id>``.
    """
    theme_title = theme_title or theme
    data = likert_data(counts, questions, year, theme, threshold=threshold)
    shown = data[data["shown"]].sort_values(["pct_positive", "question_id"], kind="mergesort").reset_index(drop=True)
    k = len(shown)
    narrow = width < 5

    if title is None:
        title = findings.agreement_title(shown, theme_title, year, figures)
    if subtitle is None:
        subtitle = _likert_subtitle(data, shown, year)

    label_w = 0.0 if narrow else 2.7
    bar_w = width - 2 * PAD_IN - label_w - 0.75
    rows = [wrap_to(str(s), (width - 2 * PAD_IN - 0.1) if narrow else label_w - 0.15, TEXT_SIZE) for s in shown["statement"]]
    line = TEXT_SIZE * 1.3 / 72
    bar_h = 0.3
    heights = [(len(r) * line + 0.05 + bar_h + 0.22) if narrow else max(len(r) * line, bar_h) + 0.24 for r in rows]
    legend_h = (5 if narrow else 2) * line * 1.15 + 0.3
    body = sum(heights) + legend_h + 0.35 if k else 1.0
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle, placed=True)
        ax = fig.add_axes((0, 0, 1, 1))
        if k == 0:
            message_axes(ax, f"No statement had {threshold} or more valid responses.")
            return finish(fig, alt_text_likert(data, theme_title, year))
        _place(fig, ax, width, body, label_w, bar_w, legend_h)
        total = sum(heights)
        ax.set_ylim(total, 0)
        ax.set_xlim(0, 100)
        _draw_rows(ax, shown, rows, heights, label_w / bar_w * 100, narrow)
        _style_axes(ax, total, narrow)
        _add_legend(ax, fig, narrow)
        return finish(fig, alt_text_likert(data, theme_title, year))


def _draw_rows(ax: plt.Axes, shown: pd.DataFrame, rows: list, heights: list, label_x: float, narrow: bool) -> None:
    """Each statement's label (above its bar on a phone, left of it otherwise) and bar."""
    line, bar_h, y = TEXT_SIZE * 1.3 / 72, 0.3, 0.0
    for (_, row), lines, h in zip(shown.iterrows(), rows, heights, strict=True):
        if narrow:
            ax.text(0, y, "\n".join(lines), ha="left", va="top", fontsize=TEXT_SIZE, color=TEXT_BLACK, linespacing=1.2)
            centre = y + len(lines) * line + 0.05 + bar_h / 2
        else:
            centre = y + (h - 0.24) / 2 + 0.12
            ax.text(-label_x, centre, "\n".join(lines), ha="left", va="center", fontsize=TEXT_SIZE, color=TEXT_BLACK,
                    linespacing=1.2)  # fmt: skip
        _draw_bar(ax, centre, bar_h, row)
        y += h


def _place(fig: Figure, ax: plt.Axes, width: float, body: float, label_w: float, bar_w: float, legend_h: float) -> None:
    """The bars' axes in inches: after the labels (wide) and above the legend and the axis."""
    height = fig.get_figheight()
    header = height - body - 0.12
    bottom = 0.12 + legend_h + 0.35
    ax.set_position(
        (
            (PAD_IN + label_w) / width,
            bottom / height,
            bar_w / width,
            (height - header - bottom) / height,
        )
    )


def _likert_subtitle(data: pd.DataFrame, shown: pd.DataFrame, year: int) -> str:
    """The measure, year and base, and which statements were left out and why."""
    if len(shown):
        nmin, nmax = int(shown["n_valid"].min()), int(shown["n_valid"].max())
        base = f"{nmin} valid responses" if nmin == nmax else f"{nmin}\u2013{nmax} valid responses per statement"
    else:
        base = "no statement with enough valid responses"
    subtitle = f"% of valid responses, {year}; the number beside each bar is the % agreeing. Base: {base}"
    note = _left_out_note(data)
    if note:
        subtitle += f". {note}"
    return subtitle


def _draw_bar(ax: plt.Axes, y: float, height: float, row: pd.Series) -> None:
    """One statement's five segments, agreement first from 0, each at its share as the table
    prints it (one decimal); the % agreeing in bold just past the bar's end."""
    left = 0.0
    for code in AGREE_FIRST:
        w = round_to(float(row[code]), 1)
        (patch,) = ax.barh(
            y,
            w,
            left=left,
            height=height,
            color=LIKERT_COLOURS[code],
            edgecolor="white",
            linewidth=0.8,
            hatch=LIKERT_HATCHES[code] or None,
            hatchcolor=LIKERT_HATCH_COLOURS[code],
        )
        patch.set_gid(f"likert:{row['question_id']}:{code}")
        left += w
    ax.text(
        101.5,
        y,
        format_pct(row["pct_positive"]),
        ha="left",
        va="center",
        fontsize=TEXT_SIZE,
        fontweight="bold",
        color=DARK_BLUE,
        gid=f"likert-agree:{row['question_id']}",
    )


def _style_axes(ax: plt.Axes, total: float, narrow: bool) -> None:
    """A 0-100% scale of all valid responses under the bars; no spines but the scale's; the
    figures' column headed "agree" beside the bars (not on a phone, see below)."""
    ax.xaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.tick_params(axis="x", labelsize=TEXT_SIZE)
    ax.set_yticks([])
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color=GRID_GREY, linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    if not narrow:
        # On a phone the first statement is written across the top, so the head stood alone
        # above it, a lone "agree"; the subtitle says what the figures are.
        ax.text(101.5, 0, "agree", ha="left", va="bottom", fontsize=TEXT_SIZE, color=DARK_GREY)


def _add_legend(ax: plt.Axes, fig: Figure, narrow: bool) -> None:
    """The five answers in the bars' order, below the scale."""
    handles = [
        Patch(
            facecolor=LIKERT_COLOURS[c],
            hatch=LIKERT_HATCHES[c] or None,
            hatchcolor=LIKERT_HATCH_COLOURS[c],
            edgecolor=DARK_GREY,
            linewidth=0.5,
            label=LIKERT_LABELS[c],
        )
        for c in AGREE_FIRST
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        # from the figure's left margin, under the labels too: the five answers need the width
        bbox_to_anchor=(PAD_IN / fig.get_figwidth(), 0.0),
        bbox_transform=blended_transform_factory(fig.transFigure, ax.transAxes)
        + ScaledTranslation(0, -0.35, fig.dpi_scale_trans),
        ncol=1 if narrow else 3,
        handlelength=1.4,
        columnspacing=1.0,
        handletextpad=0.4,
        borderaxespad=0.0,
        fontsize=TEXT_SIZE,
    )
