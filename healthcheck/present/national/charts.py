"""The national summary's own chart (statements across organisations), and the narrow version
of its regions' heat map.

The chart follows the house style (present/charts/style.py): a headline title that states the
finding, a subtitle with the measure, shapes as well as colours to tell the marks apart, and
alt text that gives every number drawn. It is shown in the figure block every page uses
(present/page.py).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from healthcheck.analysis.rounding import format_pct
from healthcheck.escape import mpl_text
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    GRID_GREY,
    HOUSE_RC,
    NARROW_IN,
    SMALL_SIZE,
    TEXT_BLACK,
    TURQUOISE,
    WIDE_IN,
    finish,
    mix,
    new_figure,
)

BOX_FACE = mix(TURQUOISE, 0.6)


# ----------------------------------------------------------------------------- the chart


def _title(stats: pd.DataFrame, theme_title: str) -> str:
    """The finding: where organisations differ most (the widest middle half), else the theme."""
    spread = stats[stats["n_shown"] >= 2]
    if spread.empty:
        return theme_title
    widest = spread.loc[(spread["q3"] - spread["q1"]).idxmax()]
    return f"Organisations differ most on \u201c{widest['statement']}\u201d"


def distribution_alt(stats: pd.DataFrame, theme_title: str, year: int, threshold: int) -> str:
    """Alt text: every statement's England figure and the organisations' range and median."""
    parts = [
        f"Chart of how organisations' % agreeing or strongly agreeing varies on each statement about "
        f"{theme_title}, {year}, with England's figure."
    ]
    for r in stats.itertuples():
        england = "not shown" if pd.isna(r.england) else format_pct(r.england)
        if r.n_shown:
            spread = (
                f"{r.n_shown} organisation{'s' if r.n_shown != 1 else ''} from {format_pct(r.lo)} to "
                f"{format_pct(r.hi)}, median {format_pct(r.median)}"
            )
        else:
            spread = f"no organisation had {threshold} or more valid responses"
        parts.append(f"{r.statement}: England {england}; {spread}.")
    return " ".join(parts)


def distribution_chart(stats: pd.DataFrame, theme_title: str, year: int, threshold: int, width: float = WIDE_IN) -> Figure:
    """One row per statement: the range of the organisations' figures (a line), their middle half
    (a box), the median organisation (a bar) and England's pooled figure (a diamond).

    `stats`: columns ``statement, england, n_shown, lo, q1, median, q3, hi`` (percentages
    0-100, NaN when not shown), in the order to draw.
    """
    n, narrow = len(stats), width < 5
    # on a phone each statement stands above its row, across the whole width
    labels = [textwrap.fill(mpl_text(s), 36 if narrow else 30) for s in stats["statement"]]
    gap = 1.0 + (0.45 * max(lab.count("\n") + 1 for lab in labels) if narrow and labels else 0.0)
    body = 1.1 + 0.62 * max(n, 1) * gap + (1.0 if narrow else 0.0)
    subtitle = f"{theme_title}, {year}: % agreeing or strongly agreeing, organisations and England"
    footnote = (
        f"An organisation with fewer than {threshold} valid responses to a statement is not shown "
        "and not counted in England's figure."
    )
    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, body, _title(stats, theme_title), subtitle, footnote)
        ax = fig.add_subplot()
        for i, r in enumerate(stats.itertuples()):
            y = i * gap
            if narrow:
                ax.text(0, y - 0.36, labels[i], ha="left", va="bottom", fontsize=SMALL_SIZE, color=TEXT_BLACK)
            if r.n_shown:
                ax.plot([r.lo, r.hi], [y, y], color=DARK_GREY, linewidth=1.5, solid_capstyle="butt", zorder=1)
                for end in (r.lo, r.hi):
                    ax.plot([end, end], [y - 0.12, y + 0.12], color=DARK_GREY, linewidth=1.5, zorder=1)
                box = Rectangle((r.q1, y - 0.22), max(r.q3 - r.q1, 0.4), 0.44, facecolor=BOX_FACE, edgecolor=TURQUOISE, zorder=2)
                ax.add_patch(box)
                ax.plot([r.median, r.median], [y - 0.22, y + 0.22], color=TEXT_BLACK, linewidth=2.5, zorder=3)
            else:
                ax.text(0 if narrow else 50, y, f"no organisation with {threshold}{chr(10) if narrow else ' '}or more responses",
                        ha="left" if narrow else "center", va="center", fontsize=SMALL_SIZE, color=DARK_GREY)  # fmt: skip
            if not pd.isna(r.england):
                ax.plot(r.england, y, marker="D", markersize=9, color=DARK_BLUE, markeredgecolor="white", zorder=4)
                right = max(r.england, r.hi if r.n_shown else r.england)
                ax.text(min(right + 2, 97), y, format_pct(r.england), va="center", ha="left", fontsize=SMALL_SIZE,
                        color=DARK_BLUE, fontweight="bold")  # fmt: skip
        ax.set_xlim(0, 100)
        ax.set_ylim((n - 1) * gap + 0.5, -0.5 - (gap - 1.0))
        ax.set_yticks(np.arange(n) * gap, [] if narrow else labels)
        step = 50 if narrow else 20
        ax.set_xticks(range(0, 101, step), [f"{v}%" for v in range(0, 101, step)])
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID_GREY, linewidth=0.8)
        ax.set_axisbelow(True)
        handles = [
            Line2D([0], [0], color=DARK_GREY, linewidth=1.5, label="lowest to highest organisation"),
            Patch(facecolor=BOX_FACE, edgecolor=TURQUOISE, label="middle half of organisations"),
            Line2D([0], [0], color=TEXT_BLACK, linewidth=2.5, label="median organisation"),
            Line2D([0], [0], marker="D", color="none", markerfacecolor=DARK_BLUE, markersize=9, label="England"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.08), ncol=2 if width >= 5 else 1, fontsize=SMALL_SIZE)
        return finish(fig, distribution_alt(stats, theme_title, year, threshold))


def regions_narrow(
    heatmap: Figure, cells: pd.DataFrame, questions: pd.DataFrame, england: pd.DataFrame, year: int, threshold: int
):
    """The regions' heat map for a phone: a list of small dot plots, one per statement, each
    region against England's figure (`england`: the national rows, ``question_id,
    pct_positive, suppressed``), under the heat map's own finding as its title."""
    from healthcheck.present.charts import breakdown_dots

    shown = england[~england["suppressed"].astype(bool)]
    average = dict(zip(shown["question_id"], shown["pct_positive"], strict=True))
    title = heatmap.texts[0].get_text().replace("\n", " ")
    return breakdown_dots(cells, questions, "region", average, year=year, threshold=threshold, title=title,
                          width=NARROW_IN, average_name="England")  # fmt: skip
