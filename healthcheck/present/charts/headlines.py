"""The headline infographic: one tile per theme with its score and change."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
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
    margin, gap = 0.55, 0.22

    with plt.rc_context(HOUSE_RC):
        fig = plt.figure(figsize=(W, H))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_axis_off()

        y = H - margin
        t_lines = wrap(title, chars_per_line(W - 2 * margin, 20))
        ax.text(
            margin, y, "\n".join(t_lines), ha="left", va="top", fontsize=20, fontweight="bold", color=TEXT_BLACK, linespacing=1.15
        )
        y -= len(t_lines) * 20 * 1.2 / 72 + 0.12
        s_lines = wrap(subtitle, chars_per_line(W - 2 * margin, 12))
        if s_lines:
            ax.text(margin, y, "\n".join(s_lines), ha="left", va="top", fontsize=12, color=DARK_GREY, linespacing=1.3)
            y -= len(s_lines) * 12 * 1.35 / 72
        top = y - 0.3

        f_lines = wrap(footnote, chars_per_line(W - 2 * margin, SMALL_SIZE))
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
                        "name": wrap(str(r["theme_title"]), chars_per_line(inner, sizes["name"])),
                        "big": NOT_COMPARED if blank(pct) else format_pct(pct),
                        "label": wrap(str(r.get("headline_label", "") or ""), chars_per_line(inner, sizes["text"])),
                        "change": wrap(str(r.get("change_text", "") or ""), chars_per_line(inner, sizes["text"])),
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
        return finish(fig, alt_text_infographic(theme_rows, title))
