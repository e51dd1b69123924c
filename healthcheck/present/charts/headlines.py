"""The headline infographic: one tile per theme with its score and change."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.escape import html_attr, html_text
from healthcheck.present import change as vocabulary
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    HOUSE_RC,
    NOT_COMPARED,
    PALETTE,
    SMALL_SIZE,
    TEXT_BLACK,
    blank,
    chars_per_line,
    finish,
    plural,
    wrap,
)

# --------------------------------------------------------------------------------------
# 6. Headline infographic (A4 portrait)
# --------------------------------------------------------------------------------------

A4_PORTRAIT = (8.27, 11.69)
_SYMBOLS = "\u25b2\u25bc\u25cf\u2013\u2191\u2193\u2192 "
#: Page margin and gap between tiles; padding inside a tile and the coloured band at its top (inches).
_MARGIN, _GAP = 0.55, 0.22
_PAD, _BAND = 0.2, 0.09


def alt_text_infographic(theme_rows: pd.DataFrame, title: str) -> str:
    """Alt text for :func:`headline_infographic`: each theme's figure and change in words."""
    parts = [f"{title.rstrip('.')}. Summary of {plural(len(theme_rows), 'theme')}."]
    for _, r in theme_rows.iterrows():
        pct = r.get("headline_pct")
        fig_text = "no figure shown" if blank(pct) else f"{format_pct(pct)} {r.get('headline_label', '')}"
        change = "" if blank(r.get("change_text")) else str(r["change_text"]).lstrip(_SYMBOLS)
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

    with plt.rc_context(HOUSE_RC):
        # One axes over the whole page, in inches, so everything is placed by measurement.
        fig = plt.figure(figsize=(W, H))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_axis_off()

        top = _draw_heading(ax, title, subtitle) - 0.3
        f_lines = _draw_footnote(ax, footnote)
        bottom = _MARGIN + (len(f_lines) * SMALL_SIZE * 1.35 / 72 + 0.2 if f_lines else 0)

        tile_w = (W - 2 * _MARGIN - (ncols - 1) * _GAP) / ncols
        tile_h = min(3.0, (top - bottom - (nrows - 1) * _GAP) / nrows)
        fit = _fit_tiles(theme_rows, tile_w, tile_h)
        for i, tile in enumerate(fit["tiles"]):
            row, col = divmod(i, ncols)
            x0 = _MARGIN + col * (tile_w + _GAP)
            y1 = top - row * (tile_h + _GAP)
            _draw_tile(ax, i, tile, fit, (x0, y1, tile_w, tile_h))
        if not f_lines:
            # Fewer themes than fill a page: end the figure below the last row of tiles.
            low = top - nrows * tile_h - (nrows - 1) * _GAP - _MARGIN
            if low > 0:
                fig.set_size_inches(W, H - low)
                ax.set_ylim(low, H)
        return finish(fig, alt_text_infographic(theme_rows, title))


def _draw_heading(ax: plt.Axes, title: str, subtitle: str) -> float:
    """The page title and subtitle at the top left; return the height (inches) where they end."""
    W, H = A4_PORTRAIT
    y = H - _MARGIN
    t_lines = wrap(title, chars_per_line(W - 2 * _MARGIN, 20))
    ax.text(
        _MARGIN, y, "\n".join(t_lines), ha="left", va="top", fontsize=20, fontweight="bold", color=TEXT_BLACK, linespacing=1.15
    )
    y -= len(t_lines) * 20 * 1.2 / 72 + 0.12
    s_lines = wrap(subtitle, chars_per_line(W - 2 * _MARGIN, 12))
    if s_lines:
        ax.text(_MARGIN, y, "\n".join(s_lines), ha="left", va="top", fontsize=12, color=DARK_GREY, linespacing=1.3)
        y -= len(s_lines) * 12 * 1.35 / 72
    return y


def _draw_footnote(ax: plt.Axes, footnote: str | None) -> list[str]:
    """The footnote at the bottom left, if any; return its wrapped lines."""
    W, _ = A4_PORTRAIT
    f_lines = wrap(footnote, chars_per_line(W - 2 * _MARGIN, SMALL_SIZE))
    if f_lines:
        ax.text(
            _MARGIN, _MARGIN, "\n".join(f_lines), ha="left", va="bottom", fontsize=SMALL_SIZE, color=DARK_GREY, linespacing=1.3
        )
    return f_lines


def _lines_h(n_lines: int, size: float, spacing: float) -> float:
    """The height (inches) of `n_lines` of text of `size` points."""
    return n_lines * size * spacing * 1.2 / 72 if n_lines else 0.0


def _tile_layout(theme_rows: pd.DataFrame, inner: float, scale: float) -> dict[str, object]:
    """Font sizes and wrapped texts at `scale`, and the height they need."""
    sizes = {"name": max(14 * scale, 11.0), "big": max(46 * scale, 28.0), "text": max(11.5 * scale, 9.5)}
    tiles = []
    for _, r in theme_rows.iterrows():
        pct = r.get("headline_pct")
        tiles.append(
            {
                "name": wrap(str(r["theme_title"]), chars_per_line(inner, sizes["name"])),
                "big": NOT_COMPARED if blank(pct) else format_pct(pct),
                "label": wrap(str(r.get("headline_label", "") or ""), chars_per_line(inner, sizes["text"])),
                "change": wrap(str(r.get("change_text", "") or ""), chars_per_line(inner, sizes["text"])),
            }
        )
    # Every tile is laid out alike, so the tallest texts decide the height needed.
    n_name = max((len(t["name"]) for t in tiles), default=1)
    n_label = max((len(t["label"]) for t in tiles), default=0)
    n_change = max((len(t["change"]) for t in tiles), default=0)
    name_h = _lines_h(n_name, sizes["name"], 1.15) + 0.12
    big_h = sizes["big"] * 1.2 / 72 + 0.08
    need = (
        _BAND + 2 * _PAD + name_h + big_h + _lines_h(n_label, sizes["text"], 1.25) + 0.1 + _lines_h(n_change, sizes["text"], 1.25)
    )
    return {"sizes": sizes, "tiles": tiles, "name_h": name_h, "big_h": big_h, "need": need}


def _fit_tiles(theme_rows: pd.DataFrame, tile_w: float, tile_h: float) -> dict[str, object]:
    """The tile layout at the largest scale (for the tile's width) whose texts fit its height,
    shrinking step by step down to a floor that stays legible."""
    inner = tile_w - 2 * _PAD
    fit = _tile_layout(theme_rows, inner, min(1.0, tile_w / 3.4))
    scale = min(1.0, tile_w / 3.4)
    while fit["need"] > tile_h and scale > 0.55:
        scale -= 0.05
        fit = _tile_layout(theme_rows, inner, scale)
    return fit


def _draw_tile(ax: plt.Axes, i: int, tile: dict, fit: dict, box: tuple[float, float, float, float]) -> None:
    """Tile `i`: a coloured band, the theme name, its big figure and label, and the change at the bottom.

    `box` is (left, top, width, height) in inches.
    """
    x0, y1, tile_w, tile_h = box
    sizes = fit["sizes"]
    ax.add_patch(
        Rectangle((x0, y1 - tile_h), tile_w, tile_h, facecolor="#F3F2F1", edgecolor="#B1B4B6", linewidth=0.8, gid=f"tile:{i}")
    )
    ax.add_patch(Rectangle((x0, y1 - _BAND), tile_w, _BAND, facecolor=PALETTE[i % len(PALETTE)], edgecolor="none"))
    yy = y1 - _BAND - _PAD
    ax.text(
        x0 + _PAD,
        yy,
        "\n".join(tile["name"]),
        ha="left",
        va="top",
        fontsize=sizes["name"],
        fontweight="bold",
        color=TEXT_BLACK,
        linespacing=1.15,
    )
    yy -= fit["name_h"]
    ax.text(x0 + _PAD, yy, tile["big"], ha="left", va="top", fontsize=sizes["big"], fontweight="bold", color=DARK_BLUE)
    yy -= fit["big_h"]
    if tile["label"]:
        ax.text(
            x0 + _PAD,
            yy,
            "\n".join(tile["label"]),
            ha="left",
            va="top",
            fontsize=sizes["text"],
            color=TEXT_BLACK,
            linespacing=1.25,
        )
    if tile["change"]:
        # The change sits at the foot of the tile, so changes line up across a row.
        ax.text(
            x0 + _PAD,
            y1 - tile_h + _PAD,
            "\n".join(tile["change"]),
            ha="left",
            va="bottom",
            fontsize=sizes["text"],
            fontweight="bold",
            color=DARK_GREY,
            linespacing=1.25,
        )


# --------------------------------------------------------------------------------------
# Themes at a glance as HTML tiles (the page's version: reflows to one column on a phone)
# --------------------------------------------------------------------------------------

_STATE_COUNT_WORDS = {
    "significant rise": ("significant rise", "significant rises"),
    "significant fall": ("significant fall", "significant falls"),
    "no significant change": ("no significant change", "no significant change"),
    "not tested": ("not tested", "not tested"),
}


def headline_tiles(theme_rows: pd.DataFrame) -> str:
    """One tile per theme as an HTML list (text, not an image, so it reflows and is read aloud).

    Input columns: ``theme, theme_title, headline_pct, headline_label, change_text`` and one
    count column per change state (``significant rise``, ``significant fall``, ``no
    significant change``, ``not tested``); optional ``change_pts`` and ``n_compared``. Each
    state is shown with its shape and its word, never by colour alone; every data string is
    escaped. The tile carries its figures in ``data-*`` attributes for tests and tools.
    """
    items = []
    for _, r in theme_rows.iterrows():
        pct = r.get("headline_pct")
        big = NOT_COMPARED if blank(pct) else format_pct(pct)
        counts = []
        for state in vocabulary.STATES:
            n = int(r.get(state, 0) or 0)
            if n:
                word = _STATE_COUNT_WORDS[state][0 if n == 1 else 1]
                counts.append(f'<li data-state="{html_attr(state)}">{vocabulary.SHAPES[state]} {n} {html_text(word)}</li>')
        moved = r.get("change_pts")
        attrs = f' data-theme="{html_attr(str(r.get("theme", "")))}" data-score="{"" if blank(pct) else round_half_up(pct)}"'
        if not blank(moved) and int(r.get("n_compared", 0) or 0):
            attrs += f' data-change-pts="{round_half_up(moved)}" data-compared="{int(r["n_compared"])}"'
        items.append(
            f'<li class="hc-tile"{attrs}>'
            f'<p class="hc-tile-title">{html_text(str(r["theme_title"]))}</p>'
            f'<p class="hc-tile-score"><span class="hc-tile-big">{big}</span> {html_text(str(r.get("headline_label", "")))}</p>'
            f'<p class="hc-tile-change">{html_text(str(r.get("change_text", "") or ""))}</p>'
            + (f'<ul class="hc-tile-states" aria-label="Statements">{"".join(counts)}</ul>' if counts else "")
            + "</li>"
        )
    return f'<ul class="hc-tiles">{"".join(items)}</ul>'
