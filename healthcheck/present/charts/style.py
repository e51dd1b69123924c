"""The house style of every chart: palette, fonts, deterministic files, and the small drawing helpers.

The government Analysis Function palette, DejaVu Sans (ships with matplotlib), a headline title
stating the finding, a subtitle with the measure and base, and never colour alone to carry
meaning. Every figure function returns a Figure with an ``alt_text`` attribute;
:func:`save_figure` writes SVG, PNG or PDF deterministically and closes the figure.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401

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

#: ONE text size for every chart's labels, numbers, legends and subtitles; the bold title a
#: little larger. Every chart is drawn at one of two widths (WIDE_IN for desktop and print,
#: NARROW_IN for phones), so the same points become the same size on the page: in print every
#: chart is scaled so that 11 pt prints at pipeline/pdf/page.py's CHART_PRINT_PT; the narrow chart
#: shows 11 pt as about 14 CSS pixels on a 390-pixel phone, the body's small print.
TEXT_SIZE = 11
TITLE_SIZE = 13
SUBTITLE_SIZE = TEXT_SIZE
BODY_SIZE = TEXT_SIZE
SMALL_SIZE = TEXT_SIZE

#: The two widths every chart is drawn at, in inches (1 inch = 96 CSS pixels).
WIDE_IN = 8.0
NARROW_IN = 3.3

#: The tallest a chart printed from its wide drawing may be, in inches, so that it prints whole at
#: the one print scale: the PDF draws 11 pt chart text at 7.55 pt and gives a chart at most 215 mm
#: of a page (pipeline/pdf/page.py's CHART_PRINT_PT and CHART_ROOM_MM; 215 mm / (7.55 / 11) is
#: 12.33 in). A taller wide drawing (a theme of many statements) has its body shortened to fit
#: rather than printing every chart of its page smaller (tests/unit/test_chart_tallest.py).
TALLEST_IN = 12.0

#: Shown where a figure or comparison is not given (an en dash).
NOT_COMPARED = "\u2013"

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
    # Text from the data folder is drawn as written: "$" never starts maths.
    "text.parse_math": False,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "hatch.linewidth": 1.0,
    "image.interpolation": "bilinear",
}


#: Response codes from most negative to most positive, and how they are shown.
def mix(colour: str, amount: float, toward: str = "#FFFFFF") -> str:
    """`colour` moved `amount` (0-1) of the way toward `toward`, as hex."""
    a, b = np.array(to_rgb(colour)), np.array(to_rgb(toward))
    r, g, bl = (a + (b - a) * amount) * 255
    return f"#{round(r):02X}{round(g):02X}{round(bl):02X}"


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


def blank(x: object) -> bool:
    if x is None:
        return True
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(x, str) and not x.strip()


def truthy(x: object) -> bool:
    if blank(x):
        return False
    if isinstance(x, str):
        return x.strip().lower() in {"true", "yes", "1", "y"}
    return bool(x)


def text_width_in(text: str, size: float, *, bold: bool = False) -> float:
    """How wide `text` is drawn in the house font at `size` points, in inches (measured, not guessed)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")
    width, _, _ = text_to_path.get_text_width_height_descent(str(text), prop, ismath=False)
    return width / 72


def wrap_to(text: str | None, width_in: float, size: float, *, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines each at most `width_in` inches wide when drawn at
    `size` points (a single word longer than the line is broken inside it), so no line is cut off."""
    if not text:
        return []
    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if text_width_in(trial, size, bold=bold) <= width_in:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word
            while text_width_in(line, size, bold=bold) > width_in and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_width_in(line[:cut] + "-", size, bold=bold) > width_in:
                    cut -= 1
                lines.append(line[:cut] + "-")
                line = line[cut:]
        lines.append(line)
    return lines


def wrap(text: str | None, width: int) -> list[str]:
    if not text:
        return []
    lines: list[str] = []
    for para in str(text).split("\n"):
        lines.extend(textwrap.wrap(para, width=max(width, 8)) or [""])
    return lines


def chars_per_line(width_in: float, size: float) -> int:
    """Roughly how many DejaVu Sans characters of `size` points fit in `width_in` inches."""
    return int(width_in * 72 / (size * 0.58))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def luminance(colour: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(colour: str) -> str:
    """Black or white text, whichever contrasts more with `colour`."""
    lum = luminance(colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / (luminance(TEXT_BLACK) + 0.05)
    return "white" if on_white > on_black else TEXT_BLACK


PAD_IN = 0.2


def new_figure(
    width: float,
    body_height: float,
    title: str | None,
    subtitle: str | None,
    footnote: str | None = None,
    *,
    placed: bool = False,
) -> Figure:
    """A figure with a left-aligned headline title, subtitle and footnote around a body.

    The figure height is the body plus whatever the wrapped texts need (a wide drawing laid out
    by constrained layout at most TALLEST_IN, its body shortened to fit), and constrained layout is confined to the body so
    nothing overlaps the texts. `placed`: the chart places
    its axes itself (:func:`panel_axes`), so no layout engine runs -- saving then draws the
    figure once instead of twice.
    """
    room = width - 2 * PAD_IN
    t = wrap_to(title, room, TITLE_SIZE, bold=True)
    s = wrap_to(subtitle, room, SUBTITLE_SIZE)
    f = wrap_to(footnote, room, SMALL_SIZE)
    title_h = len(t) * TITLE_SIZE * 1.25 / 72
    sub_h = len(s) * SUBTITLE_SIZE * 1.35 / 72
    header = PAD_IN + title_h + (0.1 + sub_h if s else 0.0) + 0.12
    footer = (0.15 + len(f) * SMALL_SIZE * 1.35 / 72 + PAD_IN) if f else 0.12
    height = body_height + header + footer
    if width > NARROW_IN and height > TALLEST_IN and not placed:
        # rows closer together (their text keeps its size), never below 60% of the body asked for;
        # a phone's narrow drawing may be as tall as it needs: the page scrolls down. A chart
        # that places its panels itself measured its body in inches, so keeps it.
        body_height = max(0.6 * body_height, body_height - (height - TALLEST_IN))
        height = body_height + header + footer
    fig = plt.figure(figsize=(width, height), layout=None if placed else "constrained")
    fig.body_in = (footer, body_height)  # type: ignore[attr-defined]  # where the body is, for panel_axes
    if not placed:
        fig.get_layout_engine().set(rect=(0.0, footer / height, 1.0, body_height / height), w_pad=0.08, h_pad=0.06)
    x0 = PAD_IN / width
    texts = (
        (t, 1 - PAD_IN / height, "top", {"fontsize": TITLE_SIZE, "fontweight": "bold", "color": TEXT_BLACK, "linespacing": 1.15}),
        (s, 1 - (PAD_IN + title_h + 0.1) / height, "top", {"fontsize": SUBTITLE_SIZE, "color": DARK_GREY, "linespacing": 1.3}),
        (f, PAD_IN / height, "bottom", {"fontsize": SMALL_SIZE, "color": DARK_GREY, "linespacing": 1.3}),
    )
    for lines, y, va, style in texts:
        if lines:
            fig.text(x0, y, "\n".join(lines), ha="left", va=va, **style)
    return fig


def panel_axes(
    fig: Figure,
    rows: list[float],
    ncols: int,
    n: int,
    panel_h: float,
    *,
    left: float,
    right: float = 0.12,
    below: float = 0.35,
    left_rest: float | None = None,
) -> list[plt.Axes]:
    """`n` panels in a grid of `ncols` columns, placed by hand in the figure's body (no layout
    engine: constrained layout was most of a small-multiples chart's drawing time). `rows`:
    the room above each row of panels for its titles, in inches; `panel_h`: each panel's plot
    height; `left`/`right`: room inside a column for tick labels (`left_rest`: the left room
    of the columns after the first, when only the first names the rows); `below`: room under
    each panel for its axis. Returns the axes in reading order."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    bottom, body = fig.body_in  # type: ignore[attr-defined]
    rest = left if left_rest is None else left_rest
    col_w = (width - 2 * PAD_IN - (left - rest)) / ncols
    axes = []
    top = bottom + body
    for r, head in enumerate(rows):
        top -= head
        for c in range(ncols):
            if r * ncols + c >= n:
                break
            x0 = PAD_IN + left + c * col_w  # the first column is wider by left - rest
            axes.append(fig.add_axes((x0 / width, (top - panel_h) / height, (col_w - rest - right) / width, panel_h / height)))
        top -= panel_h + below
    return axes


def message_axes(ax: plt.Axes, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=BODY_SIZE, color=DARK_GREY)


def finish(fig: Figure, alt: str) -> Figure:
    """Attach the alt text. The layout is worked out once, when the figure is saved
    (:func:`save_figure`, inside the house style): a draw is most of a chart's cost."""
    fig.alt_text = alt  # type: ignore[attr-defined]
    return fig
