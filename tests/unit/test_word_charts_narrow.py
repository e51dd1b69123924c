"""The introduction's word charts have a phone drawing: NARROW_IN wide, in the one chart text
size, with a cloud of fewer, larger words so that none is a speck on a 390-pixel screen."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from healthcheck.present.charts.style import NARROW_IN, TEXT_SIZE, WIDE_IN
from healthcheck.present.charts.words import NARROW_MAX_WORDS, word_changes, word_changes_data, word_cloud


def _words(n: int, offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"word": [f"word{i:02d}" for i in range(n)], "count": [n - i + offset for i in range(n)]})


def test_the_narrow_cloud_is_phone_wide_and_shows_fewer_words():
    words = _words(60)
    wide, narrow = (word_cloud(words, seed=1, width=w) for w in (WIDE_IN, NARROW_IN))
    assert narrow.get_figwidth() == pytest.approx(NARROW_IN)
    assert wide.get_figwidth() == pytest.approx(WIDE_IN)
    # taller than wide on a phone: the cloud's own image is portrait
    image = narrow.axes[0].images[0].get_array()
    assert image.shape[0] > image.shape[1]
    # its subtitle says that only the most frequent words are drawn
    texts = " ".join(t.get_text() for t in narrow.texts)
    drawn = re.search(r"the (\d+) most frequent shown", texts)  # only the words it could draw large enough
    assert drawn and 5 <= int(drawn.group(1)) <= NARROW_MAX_WORDS
    assert "most frequent shown" not in " ".join(t.get_text() for t in wide.texts)


def test_the_narrow_word_changes_chart_is_phone_wide_in_the_one_text_size():
    data = word_changes_data(_words(12, offset=5), _words(12))
    narrow = word_changes(data, 2022, 2021, width=NARROW_IN)
    assert narrow.get_figwidth() == pytest.approx(NARROW_IN)
    counts = [t for t in narrow.axes[0].texts if "\u2192" in t.get_text()]
    assert len(counts) == len(data)
    assert {t.get_fontsize() for t in counts} == {TEXT_SIZE}
    # every count label stays inside the axis (it is not cut off at the chart's edge)
    narrow.canvas.draw()
    renderer = narrow.canvas.get_renderer()
    box = narrow.axes[0].get_window_extent(renderer)
    for t in counts:
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, t.get_text()
