"""Charts for the report: every figure, its plotted data and its alt text.

This module only draws. It takes the internal tables described in docs/data-format.md
(``counts``, ``questions``, ``figures`` and the tables derived from them) and never
computes statistics itself beyond turning counts into the percentages it plots.

House style lives in one place (the constants below and :func:`apply_house_style`):
the government Analysis Function palette, DejaVu Sans (ships with matplotlib), a headline
title stating the finding, a subtitle with the measure and base, and never colour alone to
carry meaning (hatching, markers, labels and text do the work too).

Every figure function returns a :class:`matplotlib.figure.Figure` with an ``alt_text``
attribute; the ``*_data`` companions return the tidy table of what is plotted, and the
``alt_text_*`` helpers compose the alt text from that table. :func:`save_figure` writes
SVG or PNG (or PDF) deterministically and closes the figure.
"""

from __future__ import annotations

import math
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter  # noqa: E402
from matplotlib.transforms import ScaledTranslation, blended_transform_factory  # noqa: E402

from healthcheck.io import RESPONSE_LABELS

__all__ = [
    "DARK_BLUE",
    "TURQUOISE",
    "DARK_PINK",
    "ORANGE",
    "DARK_GREY",
    "LIGHT_PURPLE",
    "PALETTE",
    "PAIR",
    "LIKERT_ORDER",
    "LIKERT_LABELS",
    "FONT_FAMILY",
    "FONT_PATH",
    "HOUSE_RC",
    "apply_house_style",
    "save_figure",
    "likert_data",
    "likert",
    "alt_text_likert",
    "trend_data",
    "trend",
    "alt_text_trend",
    "change_table",
    "breakdown_data",
    "breakdown_heatmap",
    "alt_text_breakdown",
    "word_cloud",
    "word_cloud_alt",
    "headline_infographic",
    "alt_text_infographic",
]

# --------------------------------------------------------------------------------------
# House style
# --------------------------------------------------------------------------------------

#: Analysis Function categorical palette (https://analysisfunction.civilservice.gov.uk/).
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
PALETTE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)
#: Two-colour pair for two series.
PAIR = (DARK_BLUE, ORANGE)

TEXT_BLACK = "#0B0C0C"
NEUTRAL_GREY = "#D6D6D6"
SUPPRESSED_FACE = "#EFEFEF"
SUPPRESSED_HATCH = "#B1B4B6"
GRID_GREY = "#E1E1E1"

FONT_FAMILY = "DejaVu Sans"
#: A font file that ships with matplotlib, so no system font is ever needed.
FONT_PATH = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"

TITLE_SIZE = 16
SUBTITLE_SIZE = 11.5
BODY_SIZE = 11
SMALL_SIZE = 10

SVG_HASHSALT = "healthcheck"
_SAVE_METADATA = {
    "svg": {"Date": None},
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}

HOUSE_RC: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": BODY_SIZE,
    "text.color": TEXT_BLACK,
    "axes.titlesize": BODY_SIZE,
    "axes.labelsize": BODY_SIZE,
    "axes.labelcolor": DARK_GREY,
    "axes.edgecolor": DARK_GREY,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
    "xtick.labelsize": BODY_SIZE,
    "ytick.labelsize": BODY_SIZE,
    "xtick.color": DARK_GREY,
    "ytick.color": DARK_GREY,
    "legend.fontsize": SMALL_SIZE + 0.5,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "hatch.linewidth": 1.0,
    "image.interpolation": "bilinear",
}

#: Response codes from most negative to most positive, and how they are shown.
LIKERT_ORDER = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
LIKERT_LABELS = {code: RESPONSE_LABELS[code] for code in LIKERT_ORDER}


def _mix(colour: str, amount: float, toward: str = "#FFFFFF") -> str:
    """`colour` moved `amount` (0-1) of the way toward `toward`, as hex."""
    a, b = np.array(to_rgb(colour)), np.array(to_rgb(toward))
    r, g, bl = (a + (b - a) * amount) * 255
    return f"#{round(r):02X}{round(g):02X}{round(bl):02X}"


LIKERT_COLOURS = {
    "strongly_disagree": DARK_PINK,
    "disagree": _mix(DARK_PINK, 0.6),
    "neutral": NEUTRAL_GREY,
    "agree": _mix(DARK_BLUE, 0.6),
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
    "strongly_disagree": _mix(DARK_PINK, 0.45),
    "disagree": DARK_PINK,
    "neutral": NEUTRAL_GREY,
    "agree": LIKERT_COLOURS["agree"],
    "strongly_agree": DARK_BLUE,
}

_GROUP_WORDS = {
    "team": ("team", "teams"),
    "locality": ("locality", "localities"),
    "role": ("role", "roles"),
    "all": ("group", "groups"),
}


def apply_house_style() -> None:
    """Set the house style globally (e.g. at the top of a notebook).

    The figure functions do not need this: they draw inside ``plt.rc_context(HOUSE_RC)``.
    """
    matplotlib.rcParams.update(HOUSE_RC)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 200) -> Path:
    """Write `fig` deterministically and close it; return the path written.

    The format follows the suffix: ``.svg`` (also when there is no suffix), ``.png`` or
    ``.pdf``. No dates or software versions are written, SVG ids are salted with a fixed
    salt, so the same figure gives the same bytes every time.
    """
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".svg")
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _SAVE_METADATA:
        raise ValueError(f"save_figure writes .svg, .png or .pdf, not {path.suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(HOUSE_RC):
        fig.savefig(path, format=fmt, dpi=dpi, metadata=dict(_SAVE_METADATA[fmt]))
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def round_half_up(x: float) -> int:
    return int(Decimal(repr(float(x))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_pct(x: float) -> str:
    """82.4 -> '82%' (halves round up, as in published statistics)."""
    return f"{round_half_up(x)}%"


def format_pts(x: float) -> str:
    """Change in percentage points: '+7 pts', '-3 pts', '0 pts'."""
    v = round_half_up(x) if x >= 0 else -round_half_up(-x)
    return f"{v:+d} pts" if v else "0 pts"


def _blank(x: object) -> bool:
    if x is None:
        return True
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(x, str) and not x.strip()


def _truthy(x: object) -> bool:
    if _blank(x):
        return False
    if isinstance(x, str):
        return x.strip().lower() in {"true", "yes", "1", "y"}
    return bool(x)


def _wrap(text: str | None, width: int) -> list[str]:
    if not text:
        return []
    lines: list[str] = []
    for para in str(text).split("\n"):
        lines.extend(textwrap.wrap(para, width=max(width, 8)) or [""])
    return lines


def _chars_per_line(width_in: float, size: float) -> int:
    """Roughly how many DejaVu Sans characters of `size` points fit in `width_in` inches."""
    return int(width_in * 72 / (size * 0.58))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _luminance(colour: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_colour_on(colour: str) -> str:
    """Black or white text, whichever contrasts more with `colour`."""
    lum = _luminance(colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / (_luminance(TEXT_BLACK) + 0.05)
    return "white" if on_white > on_black else TEXT_BLACK


_PAD_IN = 0.2


def _new_figure(
    width: float,
    body_height: float,
    title: str | None,
    subtitle: str | None,
    footnote: str | None = None,
) -> Figure:
    """A figure with a left-aligned headline title, subtitle and footnote around a body.

    The figure height is the body plus whatever the wrapped texts need, and constrained
    layout is confined to the body so nothing overlaps the texts.
    """
    t = _wrap(title, _chars_per_line(width - 2 * _PAD_IN, TITLE_SIZE))
    s = _wrap(subtitle, _chars_per_line(width - 2 * _PAD_IN, SUBTITLE_SIZE))
    f = _wrap(footnote, _chars_per_line(width - 2 * _PAD_IN, SMALL_SIZE))
    title_h = len(t) * TITLE_SIZE * 1.25 / 72
    sub_h = len(s) * SUBTITLE_SIZE * 1.35 / 72
    header = _PAD_IN + title_h + (0.1 + sub_h if s else 0.0) + 0.12
    footer = (0.15 + len(f) * SMALL_SIZE * 1.35 / 72 + _PAD_IN) if f else 0.12
    height = body_height + header + footer
    fig = plt.figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(rect=(0.0, footer / height, 1.0, body_height / height), w_pad=0.08, h_pad=0.06)
    x0 = _PAD_IN / width
    if t:
        fig.text(
            x0,
            1 - _PAD_IN / height,
            "\n".join(t),
            ha="left",
            va="top",
            fontsize=TITLE_SIZE,
            fontweight="bold",
            color=TEXT_BLACK,
            linespacing=1.15,
        )
    if s:
        fig.text(
            x0,
            1 - (_PAD_IN + title_h + 0.1) / height,
            "\n".join(s),
            ha="left",
            va="top",
            fontsize=SUBTITLE_SIZE,
            color=DARK_GREY,
            linespacing=1.3,
        )
    if f:
        fig.text(
            x0,
            _PAD_IN / height,
            "\n".join(f),
            ha="left",
            va="bottom",
            fontsize=SMALL_SIZE,
            color=DARK_GREY,
            linespacing=1.3,
        )
    return fig


def _message_axes(ax: plt.Axes, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=BODY_SIZE, color=DARK_GREY)


def _finish(fig: Figure, alt: str) -> Figure:
    """Attach the alt text and settle the layout while the house style is active."""
    fig.alt_text = alt  # type: ignore[attr-defined]
    fig.draw_without_rendering()
    return fig


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
        pct = n / n_valid * 100 if shown else np.full(len(LIKERT_ORDER), np.nan)
        row.update(dict(zip(LIKERT_ORDER, pct, strict=True)))
        row["pct_positive"] = pct[3] + pct[4]
        row["pct_negative"] = pct[0] + pct[1]
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
        parts.append(f"{_plural(len(grp), 'statement')} not shown ({note})")
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
        f"Diverging bar chart of the responses to {_plural(k, 'statement')} on "
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
        if k == 0:
            title = f"{theme_title}: not enough responses to show, {year}"
        elif k == 1:
            title = f"{format_pct(shown.loc[0, 'pct_positive'])} agree: {shown.loc[0, 'statement']}"
        else:
            hi, lo = shown["pct_positive"].iloc[0], shown["pct_positive"].iloc[-1]
            title = f"{theme_title}: agreement ranges from {format_pct(lo)} to {format_pct(hi)} across {k} statements"
    if subtitle is None:
        if k:
            nmin, nmax = int(shown["n_valid"].min()), int(shown["n_valid"].max())
            base = f"{nmin} valid responses" if nmin == nmax else f"{nmin}-{nmax} valid responses per statement"
        else:
            base = "no statement with enough valid responses"
        subtitle = f"% of valid responses, bars centred on the middle of the neutral segment; {year}, base: {base}"
        note = _left_out_note(data)
        if note:
            subtitle += f". {note}"

    body = 1.3 + 0.62 * max(k, 1)
    with plt.rc_context(HOUSE_RC):
        fig = _new_figure(width, body, title, subtitle)
        ax = fig.add_subplot()
        if k == 0:
            _message_axes(ax, f"No statement had {threshold} or more valid responses.")
            return _finish(fig, alt_text_likert(data, theme_title, year))

        height = 0.66
        reach = 0.0
        for i, row in shown.iterrows():
            y = k - 1 - i
            pcts = [float(row[c]) for c in LIKERT_ORDER]
            left = -(pcts[0] + pcts[1] + pcts[2] / 2)
            reach = max(reach, -left, left + sum(pcts))
            for code, w in zip(LIKERT_ORDER, pcts, strict=True):
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
                if w >= 8:
                    face = LIKERT_COLOURS[code]
                    ax.text(
                        left + w / 2,
                        y,
                        format_pct(w),
                        ha="center",
                        va="center",
                        fontsize=SMALL_SIZE,
                        color=_text_colour_on(face),
                        zorder=4,
                        bbox={"boxstyle": "square,pad=0.12", "facecolor": face, "edgecolor": "none"},
                    )
                left += w

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

        trans = blended_transform_factory(ax.transAxes, ax.transData)
        for i, n in enumerate(shown["n_valid"]):
            ax.text(1.01, k - 1 - i, f"n={int(n)}", transform=trans, ha="left", va="center", fontsize=SMALL_SIZE, color=DARK_GREY)

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
        return _finish(fig, alt_text_likert(data, theme_title, year))


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


def _breaks(rows: pd.DataFrame) -> list[tuple[int, int]]:
    """(year before, year after) pairs where the series number changes."""
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
        for _, after in _breaks(rows):
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
        span = (f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}") if years else ""
        subtitle = f"{measure}; {span}"
        if has_ci:
            subtitle += ", with 95% confidence intervals"
        if has_pub:
            subtitle += ". Hollow markers: published figure (no response counts)"

    colours = PAIR if len(labels) <= 2 else PALETTE
    annotate = len(labels) <= 2
    with plt.rc_context(HOUSE_RC):
        fig = _new_figure(width, height, title, subtitle)
        ax = fig.add_subplot()
        if df.empty:
            _message_axes(ax, "No data.")
            return _finish(fig, alt_text_trend(df, measure))

        break_x: dict[float, set[str]] = {}
        handles: list[Line2D] = []
        for i, label in enumerate(labels):
            rows = df[df["label"] == label].reset_index(drop=True)
            colour = colours[i % len(colours)]
            marker = _MARKERS[i % len(_MARKERS)]
            # separate line segments for each comparable run
            run_id = (rows["series"] != rows["series"].shift()).cumsum()
            for _, seg in rows.groupby(run_id, sort=True):
                seg = seg.dropna(subset=["pct_positive"])
                (line,) = ax.plot(seg["year"], seg["pct_positive"], color=colour, linewidth=2.4, solid_capstyle="round", zorder=2)
                line.set_gid(f"trend-line:{label}:{seg['series'].iloc[0] if len(seg) else ''}")
            for before, after in _breaks(rows):
                break_x.setdefault((before + after) / 2, set()).add(label)
            ci = rows.dropna(subset=["ci_low", "ci_high", "pct_positive"])
            if len(ci):
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
            if annotate:
                below = i == 1
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
            handles.append(
                Line2D([], [], color=colour, marker=marker, markersize=8, linewidth=2.4, label=textwrap.fill(str(label), 40))
            )

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
        if break_x:
            handles.append(Line2D([], [], color=DARK_GREY, linestyle=":", linewidth=1.6, label="wording changed"))

        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.grid(axis="y", color=GRID_GREY, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=SMALL_SIZE + 0.5)
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            ncol=len(handles) if len(handles) <= 2 else 2,
            fontsize=SMALL_SIZE,
            handlelength=2.2,
            columnspacing=2.0,
        )
        return _finish(fig, alt_text_trend(df, measure))


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


# --------------------------------------------------------------------------------------
# 3. Change table (a DataFrame, not an image)
# --------------------------------------------------------------------------------------

SIGNIFICANCE_WORDS = {
    "increase": "\u25b2 Increase (significant)",
    "decrease": "\u25bc Decrease (significant)",
    "no significant change": "\u25cf No significant change",
}
NOT_COMPARED = "\u2013"


def _wording_changed(qid: str, year: int, questions: pd.DataFrame | None) -> bool:
    """True when `qid` was asked before `year` but only in another series."""
    if questions is None or questions.empty:
        return False
    q = questions[questions["question_id"] == qid]
    now = q[q["year"] == year]["series"]
    before = q[q["year"] < year]
    if now.empty or before.empty:
        return False
    return not (before["series"] == now.iloc[0]).any()


def change_table(
    figures: pd.DataFrame,
    questions: pd.DataFrame | None = None,
    *,
    threshold: int = 10,
) -> pd.DataFrame:
    """A display table of this year's figures against last year's.

    Columns: ``Statement``, ``This year`` ("82% (n=312)"), ``Last year`` ("75% (2021)"),
    ``Change`` ("+7 pts", only when compared) and ``Significance`` in words with a symbol:
    "▲ Increase (significant)", "▼ Decrease (significant)", "● No significant change", or
    "– Not compared: wording changed" / "– Not compared: published figure" /
    "– Fewer than 10 responses" / "– Not compared: fewer than 10 responses in <year>" /
    "– Not compared: first year asked". Pass `questions` so a wording change can be told
    apart from a first year. Rows keep the order of `figures`.
    """
    out = []
    for _, r in figures.iterrows():
        statement = r.get("short")
        if _blank(statement):
            statement = r.get("question_id", "")
        n_valid = r.get("n_valid")
        suppressed = _truthy(r.get("suppressed")) or (
            not _blank(n_valid) and int(n_valid) < threshold and r.get("basis") != "published"
        )
        published = str(r.get("basis", "counts")) == "published"
        pct = r.get("pct_positive")
        prev_pct, prev_year = r.get("prev_pct_positive"), r.get("prev_year")
        flag = r.get("change_flag")
        flag = "" if _blank(flag) else str(flag).strip().lower()

        if suppressed:
            this_year = f"Not shown (n<{threshold})"
        elif _blank(pct):
            this_year = NOT_COMPARED
        elif published:
            this_year = f"{format_pct(pct)} (published)"
        else:
            this_year = f"{format_pct(pct)} (n={int(n_valid)})" if not _blank(n_valid) else format_pct(pct)

        last_year = NOT_COMPARED
        if not _blank(prev_pct) and not _blank(prev_year):
            last_year = f"{format_pct(prev_pct)} ({int(prev_year)})"

        change = NOT_COMPARED
        if suppressed:
            sig = f"{NOT_COMPARED} Fewer than {threshold} responses"
        elif published:
            sig = f"{NOT_COMPARED} Not compared: published figure"
        elif flag in SIGNIFICANCE_WORDS:
            sig = SIGNIFICANCE_WORDS[flag]
            diff = r.get("change_pts")
            if _blank(diff) and not _blank(pct) and not _blank(prev_pct):
                diff = float(pct) - float(prev_pct)
            if not _blank(diff):
                change = format_pts(float(diff))
        elif _wording_changed(str(r.get("question_id")), int(r.get("year", 0) or 0), questions):
            sig = f"{NOT_COMPARED} Not compared: wording changed"
            last_year = NOT_COMPARED
        elif not _blank(prev_year) and _blank(prev_pct):
            sig = f"{NOT_COMPARED} Not compared: fewer than {threshold} responses in {int(prev_year)}"
        elif not _blank(prev_year):
            # a previous figure exists but was not tested: it was a published figure
            sig = f"{NOT_COMPARED} Not compared: published figure"
        else:
            sig = f"{NOT_COMPARED} Not compared: first year asked"
        out.append(
            {"Statement": statement, "This year": this_year, "Last year": last_year, "Change": change, "Significance": sig}
        )
    return pd.DataFrame(out, columns=["Statement", "This year", "Last year", "Change", "Significance"])


# --------------------------------------------------------------------------------------
# 4. Breakdown heat map
# --------------------------------------------------------------------------------------

_HEAT_CMAP = LinearSegmentedColormap.from_list("healthcheck_blue", [_mix(DARK_BLUE, 0.92), _mix(DARK_BLUE, 0.45), DARK_BLUE])


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
) -> pd.DataFrame:
    """The grid :func:`breakdown_heatmap` draws, one row per (question, group).

    Columns ``question_id, statement, group, n_valid, pct_positive, suppressed, display``.
    Questions and groups keep their order of first appearance. A cell that is suppressed,
    has fewer than `threshold` valid responses or is missing altogether gets
    ``suppressed=True``, ``pct_positive`` NaN and ``display`` "<10" -- never 0.
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
            n = None if r is None or _blank(r.n_valid) else int(r.n_valid)
            pct = None if r is None else r.pct_positive
            supp = r is None or _truthy(getattr(r, "suppressed", False)) or n is None or n < threshold or _blank(pct)
            # A cell hidden only so that a small group cannot be worked out by subtraction
            # (secondary suppression) has enough responses: say "hidden", not "<10".
            secondary = supp and r is not None and "secondary" in str(getattr(r, "reason", "") or "")
            rows.append(
                {
                    "question_id": qid,
                    "statement": shorts.get(qid, qid),
                    "group": g,
                    "n_valid": n if n is not None else 0,
                    "pct_positive": np.nan if supp else float(pct),
                    "suppressed": bool(supp),
                    "display": ("hidden" if secondary else f"<{threshold}") if supp else format_pct(float(pct)),
                }
            )
    cols = ["question_id", "statement", "group", "n_valid", "pct_positive", "suppressed", "display"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_valid"] = out["n_valid"].astype(int)
    return out


def alt_text_breakdown(data: pd.DataFrame, group_type: str, year: int | None = None, *, threshold: int = 10) -> str:
    """Alt text for :func:`breakdown_heatmap` from its :func:`breakdown_data` table."""
    one, many = _GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    nq, ng = data["question_id"].nunique(), data["group"].nunique()
    when = f", {year}" if year is not None else ""
    text = (
        f"Heat map of % agreeing or strongly agreeing for {_plural(nq, 'statement')} by {one} ({_plural(ng, one, many)}){when}."
    )
    shown = data[~data["suppressed"]]
    if not shown.empty:
        order = shown.sort_values(["pct_positive", "question_id", "group"], ascending=[False, True, True], kind="mergesort")
        hi, lo = order.iloc[0], order.iloc[-1]
        text += (
            f" Highest: {hi['statement']}, {hi['group']} {format_pct(hi['pct_positive'])}; "
            f"lowest: {lo['statement']}, {lo['group']} {format_pct(lo['pct_positive'])}."
        )
    hidden = int(data["suppressed"].sum())
    if hidden:
        text += f" {_plural(hidden, 'cell')} not shown because fewer than {threshold} responses."
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
    wrap: int = 34,
) -> Figure:
    """A grid of statements by groups with the % positive in every cell (groups are the rows
    when there are more of them than statements, so the chart stays readable).

    Input columns: ``question_id, group, n_valid, pct_positive, suppressed, reason`` (and
    optionally ``group_type``/``year`` to filter on). Suppressed cells are light grey,
    hatched, with the text "<10" and a legend entry "fewer than 10 responses": never blank,
    never 0. Cell patches have gid ``cell:<question_id>:<group>``.
    """
    data = breakdown_data(breakdown_df, questions, group_type, year=year, threshold=threshold)
    one, many = _GROUP_WORDS.get(group_type, (group_type, group_type + "s"))
    qids = list(pd.unique(data["question_id"]))
    groups = list(pd.unique(data["group"]))
    nq, ng = len(qids), len(groups)
    shown = data[~data["suppressed"]]

    if title is None:
        if shown.empty:
            title = f"Too few responses to show any {one} separately"
        else:
            title = (
                f"Agreement by {one} ranges from {format_pct(shown['pct_positive'].min())} "
                f"to {format_pct(shown['pct_positive'].max())}"
            )
    if subtitle is None:
        when = f"{year}, " if year is not None else ""
        subtitle = (
            f"% agreeing or strongly agreeing, by {one}; {when}base: valid responses "
            f"in each {one}. Darker cells show higher agreement."
        )

    # Many groups (a dozen teams) would make a chart too wide to read once shrunk to the page:
    # then groups become the rows and statements the columns.
    transpose = ng > max(nq, 6)
    statement = {q: str(data.loc[data["question_id"] == q, "statement"].iloc[0]) for q in qids}
    if transpose:
        row_keys, col_keys = groups, qids
        row_labels = [textwrap.fill(str(g), 24) for g in groups]
        col_labels = [textwrap.fill(statement[q], 16) for q in qids]
        header = 0.22 * max(len(label.split("\n")) for label in col_labels)
    else:
        row_keys, col_keys = qids, groups
        row_labels = [textwrap.fill(statement[q], wrap) for q in qids]
        col_labels = [textwrap.fill(str(g), 14) for g in groups]
        header = 0.0
    nr, nc = len(row_keys), len(col_keys)
    cell_w = 1.15
    width = max(7.5, (2.6 if transpose else 3.4) + cell_w * max(nc, 1))
    body = 1.4 + header + 0.56 * max(nr, 1)
    with plt.rc_context(HOUSE_RC):
        fig = _new_figure(width, body, title, subtitle)
        ax = fig.add_subplot()
        if data.empty:
            _message_axes(ax, "No data.")
            return _finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold))
        for r in data.itertuples(index=False):
            row, col = (r.group, r.question_id) if transpose else (r.question_id, r.group)
            x, y = col_keys.index(col), row_keys.index(row)
            if r.suppressed:
                face, text, colour = SUPPRESSED_FACE, r.display, TEXT_BLACK
                patch = Rectangle(
                    (x, y), 1, 1, facecolor=face, edgecolor="white", linewidth=2, hatch="///", hatchcolor=SUPPRESSED_HATCH
                )
            else:
                face = matplotlib.colors.to_hex(_HEAT_CMAP(r.pct_positive / 100))
                text, colour = r.display, _text_colour_on(face)
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
                bbox=({"boxstyle": "square,pad=0.15", "facecolor": face, "edgecolor": "none"} if r.suppressed else None),
            )
        ax.set_xlim(0, nc)
        ax.set_ylim(nr, 0)
        ax.set_xticks([i + 0.5 for i in range(nc)], col_labels)
        ax.set_yticks([i + 0.5 for i in range(nr)], row_labels)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, labelsize=SMALL_SIZE + 0.5, labelcolor=TEXT_BLACK)
        for s in ax.spines.values():
            s.set_visible(False)
        if data["suppressed"].any():
            labels = [f"<{threshold}: fewer than {threshold} responses, not shown"]
            if (data["display"] == "hidden").any():
                labels.append("hidden: not shown so that a small group cannot be worked out")
            ax.legend(
                handles=[
                    Patch(
                        facecolor=SUPPRESSED_FACE,
                        hatch="///",
                        hatchcolor=SUPPRESSED_HATCH,
                        edgecolor=SUPPRESSED_HATCH,
                        label=label,
                    )
                    for label in labels
                ],
                loc="upper left",
                bbox_to_anchor=(0, -0.02),
                fontsize=SMALL_SIZE,
                handlelength=2.2,
                handleheight=1.4,
            )
        return _finish(fig, alt_text_breakdown(data, group_type, year, threshold=threshold))


# --------------------------------------------------------------------------------------
# 5. Word cloud
# --------------------------------------------------------------------------------------

#: Word colours: the palette colours that read well as text on white.
WORD_COLOURS = (DARK_BLUE, DARK_PINK, TURQUOISE, DARK_GREY, ORANGE)


def _word_frequencies(words_df: pd.DataFrame) -> dict[str, int]:
    """word -> total count, most frequent first (ties alphabetical), counts > 0 only."""
    if words_df is None or words_df.empty:
        return {}
    df = words_df[["word", "count"]].dropna()
    df = df.assign(word=df["word"].astype(str).str.strip(), count=pd.to_numeric(df["count"], errors="coerce"))
    df = df[(df["word"] != "") & (df["count"] > 0)]
    agg = df.groupby("word", as_index=False)["count"].sum()
    agg = agg.sort_values(["count", "word"], ascending=[False, True], kind="mergesort")
    return {w: int(c) for w, c in zip(agg["word"], agg["count"], strict=True)}


def word_cloud_alt(words_df: pd.DataFrame, top: int = 10) -> str:
    """Alt text listing the `top` most frequent words, most frequent first, with counts."""
    freqs = _word_frequencies(words_df)
    if not freqs:
        return "Word cloud: no words were recorded."
    items = list(freqs.items())[:top]
    listed = ", ".join(f"{w} ({c})" for w, c in items)
    lead = f"the {len(items)} most frequent" if len(freqs) > len(items) else f"all {_plural(len(items), 'word')}"
    return (
        f"Word cloud of {_plural(len(freqs), 'word')} from focus-group notes, larger "
        f"words mentioned more often. In order, {lead}: {listed}."
    )


def word_cloud(
    words_df: pd.DataFrame,
    seed: int = 2022,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    max_words: int = 80,
    width: float = 10.0,
) -> Figure:
    """A word cloud of ``word,count``, deterministic for a given `seed`.

    Drawn by the ``wordcloud`` package with ``random_state=seed``, DejaVu Sans from
    matplotlib's own data, horizontal words on white and colours given by frequency rank
    (so the colouring is deterministic too).
    """
    from wordcloud import WordCloud

    freqs = _word_frequencies(words_df)
    items = list(freqs)[:max_words]
    if title is None:
        if items:
            first = items[:3]
            joined = first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]
            title = f"Most frequent words in focus-group notes: {joined}"
        else:
            title = "No words recorded in focus-group notes"
    if subtitle is None:
        subtitle = f"Larger words were mentioned more often; {_plural(len(freqs), 'word')}, {sum(freqs.values())} mentions in all"

    colour_of = {w: WORD_COLOURS[i % len(WORD_COLOURS)] for i, w in enumerate(items)}

    def color_func(word: str, **_: object) -> str:
        return colour_of.get(word, DARK_GREY)

    px_w, px_h = 1600, 800
    with plt.rc_context(HOUSE_RC):
        fig = _new_figure(width, width * px_h / px_w, title, subtitle)
        ax = fig.add_subplot()
        if not items:
            _message_axes(ax, "No words recorded.")
            return _finish(fig, word_cloud_alt(words_df))
        wc = WordCloud(
            font_path=str(FONT_PATH),
            width=px_w,
            height=px_h,
            margin=8,
            background_color="white",
            mode="RGB",
            random_state=seed,
            color_func=color_func,
            prefer_horizontal=1.0,
            max_words=max_words,
            relative_scaling=0.5,
            min_font_size=18,
            normalize_plurals=False,
            collocations=False,
        )
        wc.generate_from_frequencies({w: freqs[w] for w in items})
        ax.imshow(wc.to_array(), interpolation="bilinear")
        ax.set_axis_off()
        return _finish(fig, word_cloud_alt(words_df))


# --------------------------------------------------------------------------------------
# 6. Headline infographic (A4 portrait)
# --------------------------------------------------------------------------------------

A4_PORTRAIT = (8.27, 11.69)
_SYMBOLS = "\u25b2\u25bc\u25cf\u2013\u2191\u2193\u2192 "


def alt_text_infographic(theme_rows: pd.DataFrame, title: str) -> str:
    """Alt text for :func:`headline_infographic`: each theme's figure and change in words."""
    parts = [f"{title.rstrip('.')}. Summary of {_plural(len(theme_rows), 'theme')}."]
    for _, r in theme_rows.iterrows():
        pct = r.get("headline_pct")
        fig_text = "no figure shown" if _blank(pct) else f"{format_pct(pct)} {r.get('headline_label', '')}"
        change = "" if _blank(r.get("change_text")) else str(r["change_text"]).lstrip(_SYMBOLS)
        parts.append(f"{r['theme_title']}: {fig_text.strip()}" + (f"; {change}" if change else "") + ".")
    return " ".join(parts)


def headline_infographic(
    theme_rows: pd.DataFrame,
    title: str,
    subtitle: str = "",
    *,
    footnote: str | None = None,
    ncols: int | None = None,
) -> Figure:
    """A one-page A4 portrait summary: one tile per theme.

    Each tile has the theme name, the headline figure in big text ("82%", or "–" when
    NaN), a description (``headline_label``) and the change since last year as text with
    its arrow symbol (``change_text``, e.g. "▲ +5 pts since 2021, significant").
    Input columns: ``theme_title, headline_pct, headline_label, change_text``.
    """
    W, H = A4_PORTRAIT
    n = len(theme_rows)
    ncols = ncols or (2 if n <= 6 else 3)
    nrows = max(1, math.ceil(n / ncols))
    margin, gap = 0.55, 0.22

    with plt.rc_context(HOUSE_RC):
        fig = plt.figure(figsize=(W, H))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_axis_off()

        y = H - margin
        t_lines = _wrap(title, _chars_per_line(W - 2 * margin, 20))
        ax.text(
            margin, y, "\n".join(t_lines), ha="left", va="top", fontsize=20, fontweight="bold", color=TEXT_BLACK, linespacing=1.15
        )
        y -= len(t_lines) * 20 * 1.2 / 72 + 0.12
        s_lines = _wrap(subtitle, _chars_per_line(W - 2 * margin, 12))
        if s_lines:
            ax.text(margin, y, "\n".join(s_lines), ha="left", va="top", fontsize=12, color=DARK_GREY, linespacing=1.3)
            y -= len(s_lines) * 12 * 1.35 / 72
        top = y - 0.3

        f_lines = _wrap(footnote, _chars_per_line(W - 2 * margin, SMALL_SIZE))
        bottom = margin + (len(f_lines) * SMALL_SIZE * 1.35 / 72 + 0.2 if f_lines else 0)
        if f_lines:
            ax.text(
                margin, margin, "\n".join(f_lines), ha="left", va="bottom", fontsize=SMALL_SIZE, color=DARK_GREY, linespacing=1.3
            )

        tile_w = (W - 2 * margin - (ncols - 1) * gap) / ncols
        tile_h = min(3.0, (top - bottom - (nrows - 1) * gap) / nrows)
        pad, band = 0.2, 0.09
        inner = tile_w - 2 * pad

        def lines_h(n_lines: int, size: float, spacing: float) -> float:
            return n_lines * size * spacing * 1.2 / 72 if n_lines else 0.0

        def layout(scale: float) -> dict[str, object]:
            """Font sizes and wrapped texts at `scale`, and the height they need."""
            sizes = {"name": max(14 * scale, 11.0), "big": max(46 * scale, 28.0), "text": max(11.5 * scale, 9.5)}
            tiles = []
            for _, r in theme_rows.iterrows():
                pct = r.get("headline_pct")
                tiles.append(
                    {
                        "name": _wrap(str(r["theme_title"]), _chars_per_line(inner, sizes["name"])),
                        "big": NOT_COMPARED if _blank(pct) else format_pct(pct),
                        "label": _wrap(str(r.get("headline_label", "") or ""), _chars_per_line(inner, sizes["text"])),
                        "change": _wrap(str(r.get("change_text", "") or ""), _chars_per_line(inner, sizes["text"])),
                    }
                )
            n_name = max((len(t["name"]) for t in tiles), default=1)
            n_label = max((len(t["label"]) for t in tiles), default=0)
            n_change = max((len(t["change"]) for t in tiles), default=0)
            name_h = lines_h(n_name, sizes["name"], 1.15) + 0.12
            big_h = sizes["big"] * 1.2 / 72 + 0.08
            need = (
                band
                + 2 * pad
                + name_h
                + big_h
                + lines_h(n_label, sizes["text"], 1.25)
                + 0.1
                + lines_h(n_change, sizes["text"], 1.25)
            )
            return {"sizes": sizes, "tiles": tiles, "name_h": name_h, "big_h": big_h, "need": need}

        fit = layout(min(1.0, tile_w / 3.4))
        scale = min(1.0, tile_w / 3.4)
        while fit["need"] > tile_h and scale > 0.55:
            scale -= 0.05
            fit = layout(scale)
        sizes = fit["sizes"]

        for i, t in enumerate(fit["tiles"]):
            row, col = divmod(i, ncols)
            x0 = margin + col * (tile_w + gap)
            y1 = top - row * (tile_h + gap)
            ax.add_patch(
                Rectangle(
                    (x0, y1 - tile_h), tile_w, tile_h, facecolor="#F3F2F1", edgecolor="#B1B4B6", linewidth=0.8, gid=f"tile:{i}"
                )
            )
            ax.add_patch(Rectangle((x0, y1 - band), tile_w, band, facecolor=PALETTE[i % len(PALETTE)], edgecolor="none"))
            yy = y1 - band - pad
            ax.text(
                x0 + pad,
                yy,
                "\n".join(t["name"]),
                ha="left",
                va="top",
                fontsize=sizes["name"],
                fontweight="bold",
                color=TEXT_BLACK,
                linespacing=1.15,
            )
            yy -= fit["name_h"]
            ax.text(x0 + pad, yy, t["big"], ha="left", va="top", fontsize=sizes["big"], fontweight="bold", color=DARK_BLUE)
            yy -= fit["big_h"]
            if t["label"]:
                ax.text(
                    x0 + pad,
                    yy,
                    "\n".join(t["label"]),
                    ha="left",
                    va="top",
                    fontsize=sizes["text"],
                    color=TEXT_BLACK,
                    linespacing=1.25,
                )
            if t["change"]:
                ax.text(
                    x0 + pad,
                    y1 - tile_h + pad,
                    "\n".join(t["change"]),
                    ha="left",
                    va="bottom",
                    fontsize=sizes["text"],
                    fontweight="bold",
                    color=DARK_GREY,
                    linespacing=1.25,
                )
        if not f_lines:
            # Fewer themes than fill a page: end the figure below the last row of tiles.
            low = top - nrows * tile_h - (nrows - 1) * gap - margin
            if low > 0:
                fig.set_size_inches(W, H - low)
                ax.set_ylim(low, H)
        return _finish(fig, alt_text_infographic(theme_rows, title))
