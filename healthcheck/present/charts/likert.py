"""Diverging stacked bars of the full response distribution of a theme's statements."""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter  # noqa: E402
from matplotlib.transforms import ScaledTranslation, blended_transform_factory  # noqa: E402

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.data.codes import RESPONSE_LABELS
from healthcheck.present.charts.style import (
    BODY_SIZE,
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    GRID_GREY,
    HOUSE_RC,
    NEUTRAL_GREY,
    SMALL_SIZE,
    TEXT_BLACK,
    finish,
    message_axes,
    mix,
    new_figure,
    plural,
    text_colour_on,
)

LIKERT_ORDER = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
LIKERT_LABELS = {code: RESPONSE_LABELS[code] for code in LIKERT_ORDER}

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
        f"Diverging bar chart of the responses to {plural(k, 'statement')} on "
        f"{theme_title}, {year}, from strongly disagree to strongly agree."
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
    wrap: int = 34,
    width: float = 10.5,
) -> Figure:
    """Diverging stacked horizontal bars of the full response distribution.

    One bar per statement of `theme` asked in `year` (all staff), as % of valid responses,
    centred on the middle of the neutral segment (x=0), highest % positive at the top,
    n at the right and a legend of the five categories in order. Negative segments are
    hatched. Statements with fewer than `threshold` valid responses are left out and
    counted in the subtitle. Each segment patch has gid ``likert:<question_id>:<code>``.
    """
    theme_title = theme_title or theme
    data = likert_data(counts, questions, year, theme, threshold=threshold)
    shown = data[data["shown"]].reset_index(drop=True)
    k = len(shown)

    if title is None:
        title = _likert_title(shown, theme_title, year)
    if subtitle is None:
        subtitle = _likert_subtitle(data, shown, year)

    body = 1.3 + 0.62 * max(k, 1)
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, title, subtitle)
        ax = fig.add_subplot()
        if k == 0:
            message_axes(ax, f"No statement had {threshold} or more valid responses.")
            return finish(fig, alt_text_likert(data, theme_title, year))

        reach = 0.0
        for i, row in shown.iterrows():
            reach = max(reach, _draw_bar(ax, k - 1 - i, row))
        _style_axes(ax, shown, reach, wrap)
        _label_bases(ax, shown)
        _add_legend(ax, fig)
        return finish(fig, alt_text_likert(data, theme_title, year))


def _likert_title(shown: pd.DataFrame, theme_title: str, year: int) -> str:
    """The finding: one statement's agreement, or the range of agreement across the statements shown."""
    k = len(shown)
    if k == 0:
        return f"{theme_title}: not enough responses to show, {year}"
    if k == 1:
        return f"{format_pct(shown.loc[0, 'pct_positive'])} agree: {shown.loc[0, 'statement']}"
    hi, lo = shown["pct_positive"].iloc[0], shown["pct_positive"].iloc[-1]
    return f"{theme_title}: agreement ranges from {format_pct(lo)} to {format_pct(hi)} across {k} statements"


def _likert_subtitle(data: pd.DataFrame, shown: pd.DataFrame, year: int) -> str:
    """The measure, year and base, and which statements were left out and why."""
    if len(shown):
        nmin, nmax = int(shown["n_valid"].min()), int(shown["n_valid"].max())
        base = f"{nmin} valid responses" if nmin == nmax else f"{nmin}-{nmax} valid responses per statement"
    else:
        base = "no statement with enough valid responses"
    subtitle = f"% of valid responses, bars centred on the middle of the neutral segment; {year}, base: {base}"
    note = _left_out_note(data)
    if note:
        subtitle += f". {note}"
    return subtitle


def _draw_bar(ax: plt.Axes, y: float, row: pd.Series) -> float:
    """One statement's five segments at height `y`, each labelled when wide enough to hold its
    figure; return how far the bar reaches from the centre line on either side."""
    pcts = [float(row[c]) for c in LIKERT_ORDER]
    # Centre on the middle of the neutral segment: disagreement runs left of 0, agreement right.
    left = -(pcts[0] + pcts[1] + pcts[2] / 2)
    reach = max(-left, left + sum(pcts))
    for code, w in zip(LIKERT_ORDER, pcts, strict=True):
        (patch,) = ax.barh(
            y,
            w,
            left=left,
            height=_BAR_HEIGHT,
            color=LIKERT_COLOURS[code],
            edgecolor="white",
            linewidth=0.8,
            hatch=LIKERT_HATCHES[code] or None,
            hatchcolor=LIKERT_HATCH_COLOURS[code],
        )
        patch.set_gid(f"likert:{row['question_id']}:{code}")
        if w >= 8:
            face = LIKERT_COLOURS[code]
            ax.text(
                left + w / 2,
                y,
                format_pct(w),
                ha="center",
                va="center",
                fontsize=SMALL_SIZE,
                color=text_colour_on(face),
                zorder=4,
                bbox={"boxstyle": "square,pad=0.12", "facecolor": face, "edgecolor": "none"},
            )
        left += w
    return reach


def _style_axes(ax: plt.Axes, shown: pd.DataFrame, reach: float, wrap: int) -> None:
    """A symmetric percentage scale just wide enough for the longest bar, and the statements as labels."""
    k = len(shown)
    lim = min(100.0, math.ceil((reach + 2) / 10) * 10)
    ax.set_xlim(-lim, lim)
    step = 25 if lim > 60 else 20 if lim > 40 else 10
    ticks = [t for t in range(-100, 101, step) if -lim <= t <= lim]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.axvline(0, color=DARK_GREY, linewidth=1.2, zorder=3)
    ax.set_ylim(-0.6, k - 0.4)
    ax.set_yticks(
        [k - 1 - i for i in range(k)],
        [textwrap.fill(str(s), wrap) for s in shown["statement"]],
    )
    ax.tick_params(axis="y", length=0, labelsize=BODY_SIZE, labelcolor=TEXT_BLACK)
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.set_xlabel("\u2190 % disagreeing          % agreeing \u2192", fontsize=SMALL_SIZE)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color=GRID_GREY, linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)


def _label_bases(ax: plt.Axes, shown: pd.DataFrame) -> None:
    """Each statement's number of valid responses, just right of the axes."""
    k = len(shown)
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for i, n in enumerate(shown["n_valid"]):
        ax.text(1.01, k - 1 - i, f"n={int(n)}", transform=trans, ha="left", va="center", fontsize=SMALL_SIZE, color=DARK_GREY)


def _add_legend(ax: plt.Axes, fig: Figure) -> None:
    """The five answers in order, in one row below the axis label (a fixed distance in inches,
    so it clears the label whatever the chart's height)."""
    handles = [
        Patch(
            facecolor=LIKERT_COLOURS[c],
            hatch=LIKERT_HATCHES[c] or None,
            hatchcolor=LIKERT_HATCH_COLOURS[c],
            edgecolor=DARK_GREY,
            linewidth=0.5,
            label=LIKERT_LABELS[c],
        )
        for c in LIKERT_ORDER
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + ScaledTranslation(0, -0.62, fig.dpi_scale_trans),
        ncol=5,
        handlelength=1.6,
        columnspacing=1.2,
        handletextpad=0.5,
        fontsize=SMALL_SIZE,
    )
