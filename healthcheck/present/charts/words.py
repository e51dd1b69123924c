"""The word cloud of what colleagues said, with its alt text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.present.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    FONT_PATH,
    HOUSE_RC,
    ORANGE,
    TURQUOISE,
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
    (so the colouring is deterministic too).
    """
    freqs = _word_frequencies(words_df)
    items = list(freqs)[:max_words]
    if title is None:
        title = _cloud_title(items)
    if subtitle is None:
        subtitle = f"Larger words were mentioned more often; {plural(len(freqs), 'word')}, {sum(freqs.values())} mentions in all"

    with plt.rc_context(HOUSE_RC):
        fig = new_figure(width, width * _PX_H / _PX_W, title, subtitle)
        ax = fig.add_subplot()
        if not items:
            message_axes(ax, "No words recorded.")
            return finish(fig, word_cloud_alt(words_df))
        ax.imshow(_cloud_image(freqs, items, seed, max_words), interpolation="bilinear")
        ax.set_axis_off()
        return finish(fig, word_cloud_alt(words_df))


def _cloud_title(items: list[str]) -> str:
    """The finding: the three most frequent words."""
    if not items:
        return "No words recorded in focus-group notes"
    first = items[:3]
    joined = first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]
    return f"Most frequent words in focus-group notes: {joined}"


def _cloud_image(freqs: dict[str, int], items: list[str], seed: int, max_words: int) -> np.ndarray:
    """The cloud of `items` (the words shown) as an RGB array, coloured by frequency rank."""
    # Imported only when a cloud is drawn: no other chart needs the package.
    from wordcloud import WordCloud

    colour_of = {w: WORD_COLOURS[i % len(WORD_COLOURS)] for i, w in enumerate(items)}

    def color_func(word: str, **_: object) -> str:
        return colour_of.get(word, DARK_GREY)

    wc = WordCloud(
        font_path=str(FONT_PATH),
        width=_PX_W,
        height=_PX_H,
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
    return wc.to_array()
