"""Plain typography in the figures a reader sees: a fall carries a true minus sign, never a
hyphen; one point is singular; the workbook still reads the signed figure as a number."""

from __future__ import annotations

import pandas as pd
import pytest

from healthcheck.analysis.rounding import MINUS, format_change, format_pts, points_in_words, signed
from healthcheck.present.sections.indicators import change_in_words as indicator_change
from healthcheck.present.workbook import typed_table


def test_a_fall_has_a_true_minus_and_a_rise_a_plus():
    assert format_pts(-4.2) == f"{MINUS}4 pts" and format_pts(1.4) == "+1 pt" and format_pts(0.2) == "0 pts"
    assert format_change(56.0, 65.0) == f"{MINUS}9 pts"
    assert points_in_words(-1.2) == f"{MINUS}1 point" and points_in_words(3) == "+3 points"
    assert signed(0) == "0" and "-" not in format_pts(-12)


def test_the_workbook_reads_a_minus_as_a_negative_number():
    typed = typed_table(pd.DataFrame({"Change": [f"{MINUS}2 pts", "+3 pts", "\u2013"]}))
    assert list(typed["Change (points)"])[:2] == [-2, 3]


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [("5", "6", "down 1 point"), ("8", "6", "up 2 points"), ("6.3", "6", "up 0.3 points"), ("6", "6", "no change")],
)
def test_an_indicator_moves_by_one_point_singular(now, before, expected):
    assert indicator_change({2022: now, 2021: before}, "%", 2022, 2021) == expected


def test_bands_read_as_ranges_not_settings():
    from healthcheck.data.config import Band
    from healthcheck.present.sections.measures import band_ranges

    bands = [Band.model_validate({"label": name, "from": f}) for name, f in (("moderate", 55), ("good", 70), ("steps", 0))]
    assert band_ranges(bands) == "good, 70 or more; moderate, 55 to under 70; steps, under 55"


def test_a_span_of_years_takes_an_en_dash():
    from healthcheck.present.charts.trend import trend_subtitle

    subtitle = trend_subtitle([2020, 2021, 2022], "% agreeing", True, False)
    assert "2020\u20132022" in subtitle and "2020-2022" not in subtitle
