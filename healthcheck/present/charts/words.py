"""The word cloud of what colleagues said, with its alt text."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.escape import mpl_text
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    FONT_PATH,
    HOUSE_RC,
    ORANGE,
    TEXT_SIZE,
    TURQUOISE,
    WIDE_IN,
    finish,
    message_axes,
    new_figure,
    plural,
)

# --------------------------------------------------------------------------------------
# 5. Word cloud
# --------------------------------------------------------------------------------------

#: Word colours: the palette colours that read well as text on white.
WORD_COLOURS = (DARK_BLUE, DARK_PINK, TURQUOISE, DARK_GREY, ORANGE)
#: The size of the cloud's image in pixels (it is drawn as a raster, then placed on the figure).
_PX_W, _PX_H = 1600, 800
#: The phone's cloud: taller than wide, and fewer, larger words, so that its smallest word is
#: still about the body's small print when the image is shown NARROW_IN wide on a phone.
_NARROW_PX_W, _NARROW_PX_H = 660, 760
NARROW_MAX_WORDS = 30
#: Charts narrower than this (inches) are the phone's drawing.
_NARROW_BELOW_IN = 5.0


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
    lead = f"the {len(items)} most frequent" if len(freqs) > len(items) else f"all {plural(len(items), 'word')}"
    return (
        f"Word cloud of {plural(len(freqs), 'word')} from focus-group notes, larger "
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
    (so the colouring is deterministic too). A `width` under 5 inches (``NARROW_IN``) draws
    the phone's version: a taller cloud of the :data:`NARROW_MAX_WORDS` most frequent words.
    """
    narrow = width < _NARROW_BELOW_IN
    px = (_NARROW_PX_W, _NARROW_PX_H) if narrow else (_PX_W, _PX_H)
    if narrow:
        max_words = min(max_words, NARROW_MAX_WORDS)
    freqs = _word_frequencies(words_df)
    items = list(freqs)[:max_words]
    if title is None:
        title = _cloud_title(items)
    # The cloud first: the package leaves out words that no longer fit at the smallest size,
    # and the subtitle says how many were drawn.
    image, drawn = _cloud_image(freqs, items, seed, max_words, px) if items else (None, 0)
    if subtitle is None:
        subtitle = f"Larger words were mentioned more often; {plural(len(freqs), 'word')}, {sum(freqs.values())} mentions in all"
        if len(freqs) > drawn and drawn:
            subtitle += f"; the {drawn} most frequent shown"

    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, width * px[1] / px[0], title, subtitle)
        ax = fig.add_subplot()
        if image is None:
            message_axes(ax, "No words recorded.")
            return finish(fig, word_cloud_alt(words_df))
        ax.imshow(image, interpolation="bilinear")
        ax.set_axis_off()
        return finish(fig, word_cloud_alt(words_df))


def _cloud_title(items: list[str]) -> str:
    """The finding: the three most frequent words."""
    if not items:
        return "No words recorded in focus-group notes"
    first = items[:3]
    joined = first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]
    return f"Most frequent words in focus-group notes: {joined}"


def _cloud_image(
    freqs: dict[str, int], items: list[str], seed: int, max_words: int, px: tuple[int, int] = (_PX_W, _PX_H)
) -> tuple[np.ndarray, int]:
    """The cloud of `items` as an RGB array, coloured by frequency rank, and how many words it drew."""
    # Imported only when a cloud is drawn: no other chart needs the package.
    from wordcloud import WordCloud

    colour_of = {w: WORD_COLOURS[i % len(WORD_COLOURS)] for i, w in enumerate(items)}

    def color_func(word: str, **_: object) -> str:
        return colour_of.get(word, DARK_GREY)

    wc = WordCloud(
        font_path=str(FONT_PATH),
        width=px[0],
        height=px[1],
        margin=8,
        background_color="white",
        mode="RGB",
        random_state=seed,
        color_func=color_func,
        prefer_horizontal=1.0,
        max_words=max_words,
        relative_scaling=0.5,
        # The smallest word at about 12 CSS px wherever the image is shown (it is scaled to about
        # half its pixels on screen, wide or narrow), never an unreadable speck.
        min_font_size=18 if px[0] > _NARROW_PX_W else 26,
        normalize_plurals=False,
        collocations=False,
    )
    wc.generate_from_frequencies({w: freqs[w] for w in items})
    return wc.to_array(), len(wc.layout_)


# --------------------------------------------------------------------------------------
# Words compared between years: which came up more and which less often
# --------------------------------------------------------------------------------------

#: Columns of :func:`word_changes_data`.
WORD_CHANGE_COLUMNS = ["word", "before", "now", "change", "direction"]


def word_changes_data(now: pd.DataFrame, before: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """The words whose counts rose and fell most between two years' word lists.

    `now` and `before` have ``word`` and ``count``; a word missing from one year counts 0
    there. Returns up to `top` words that came up more often (largest rise first) and up to
    `top` that came up less often (largest fall first), with ``before``, ``now``, ``change``
    (the difference in mentions) and ``direction`` ("more often" / "less often"). Ties are
    broken alphabetically, so the table is the same on every build.
    """
    a = _word_frequencies(before) if len(before) else {}
    b = _word_frequencies(now) if len(now) else {}
    rows = [{"word": w, "before": a.get(w, 0), "now": b.get(w, 0)} for w in sorted(set(a) | set(b))]
    frame = pd.DataFrame(rows, columns=["word", "before", "now"])
    frame["change"] = frame["now"] - frame["before"]
    up = frame[frame["change"] > 0].sort_values(["change", "word"], ascending=[False, True], kind="stable").head(top)
    down = frame[frame["change"] < 0].sort_values(["change", "word"], ascending=[True, True], kind="stable").head(top)
    out = pd.concat([up.assign(direction="more often"), down.assign(direction="less often")], ignore_index=True)
    return out.loc[:, WORD_CHANGE_COLUMNS]


def alt_text_word_changes(data: pd.DataFrame, year: int, prev_year: int) -> str:
    """Alt text for :func:`word_changes`: every word with its two counts."""
    if data.empty:
        return f"No word was counted in both {prev_year} and {year}."
    parts = [f"Bar chart of the change in how often words were used, {prev_year} to {year}."]
    for direction in ("more often", "less often"):
        rows = data[data["direction"] == direction]
        if len(rows):
            listed = ", ".join(f"{r.word} ({r.before} to {r.now})" for r in rows.itertuples())
            parts.append(f"Used {direction}: {listed}.")
    return " ".join(parts)


def word_changes(data: pd.DataFrame, year: int, prev_year: int, *, title: str | None = None, width: float = WIDE_IN) -> Figure:
    """Horizontal bars of the change in mentions per word (seaborn), rises above falls, each bar
    labelled with its two counts so the numbers are read, not guessed from lengths. `width`:
    ``WIDE_IN`` for screens and print, ``NARROW_IN`` for phones (the same bars, more room for
    the counts beside them)."""
    import seaborn as sns  # imported here: only the introduction draws this chart

    narrow = width < _NARROW_BELOW_IN
    with plt.rc_context(HOUSE_RC):
        n = max(len(data), 1)
        fig = new_figure(width, 0.3 * n + 0.6, title or f"Words used more and less often, {prev_year} to {year}",
                         f"Change in the number of mentions, {prev_year} to {year}")  # fmt: skip
        ax = fig.add_subplot(1, 1, 1)
        if data.empty:
            message_axes(ax, "No words to compare")
            return finish(fig, alt_text_word_changes(data, year, prev_year))
        frame = data.assign(label=data["word"].map(mpl_text))
        colours = {"more often": DARK_BLUE, "less often": ORANGE}
        sns.barplot(
            data=frame, y="label", x="change", hue="direction", palette=colours, dodge=False, legend=False, ax=ax, orient="h"
        )
        low, high = min(frame["change"].min(), 0), max(frame["change"].max(), 0)
        for i, r in enumerate(frame.itertuples()):
            # The counts beside each bar, on the side away from zero; on a phone a fall's counts
            # sit just right of zero instead, so they never run into the words on the left.
            rise = r.change > 0
            x = r.change + 0.4 if rise else (0.4 if narrow else r.change - 0.4)
            ax.text(
                x,
                i,
                f"{r.before} \u2192 {r.now}",
                va="center",
                ha="left" if rise or narrow else "right",
                fontsize=TEXT_SIZE,  # the one chart text size
                color=DARK_GREY,
            )
        if narrow:
            # The counts ("33 \u2192 0", about a third of a phone's axis) need room right of the
            # longest rise and of zero: the axis spans the bars plus that share.
            span = (high - low + 1) / 0.55
            ax.set_xlim(low - 0.05 * span, high + 0.4 * span)
        else:
            pad = max(abs(low), abs(high)) * 0.35 + 1
            ax.set_xlim(low - pad, high + pad)
        ax.axvline(0, color=DARK_GREY, linewidth=0.8)
        ax.set_xlabel("Change in mentions")
        ax.set_ylabel("")
        return finish(fig, alt_text_word_changes(data, year, prev_year))
