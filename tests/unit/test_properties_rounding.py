"""Property-based tests (Hypothesis) of the one rounding rule and the number formats built on it.

The contracts are the docstrings of `healthcheck.analysis.rounding` and assumptions A9 and A17
(docs/developer/assumptions.md): whole numbers, halves away from zero; a printed change is the
difference of the printed percentages; a fall is written with a true minus (U+2212), and zero
never carries a sign. No sum rule is documented (percentages of a complete answer set are each
rounded on their own, so they may add up to 99 or 101), so none is tested.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from healthcheck.analysis import disclosure, rounding
from healthcheck.analysis.rounding import MINUS
from healthcheck.present import change, sentences

pytestmark = pytest.mark.unit

# No deadline and no too_slow health check: the machine is shared, and a slow example is not a wrong one.
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
percent = st.floats(min_value=0, max_value=100, allow_nan=False)
halves = st.integers(min_value=-400_000, max_value=400_000).map(lambda k: k / 2)


@FAST
@given(finite)
@example(0.1 + 0.2)
@example(82.5)
@example(-2.5)
@example(-0.0)
def test_round_half_up_is_the_nearest_whole_number(x):
    r = rounding.round_half_up(x)
    assert isinstance(r, int)
    # The decimal text is rounded: within half a unit of the value as printed (repr).
    assert abs(Fraction(repr(x)) - r) <= Fraction(1, 2)


@FAST
@given(halves)
@example(82.5)
@example(-2.5)
@example(0.5)
@example(-0.5)
def test_halves_go_away_from_zero(x):
    r = rounding.round_half_up(x)
    expected = math.floor(abs(x) + 0.5) * (1 if x >= 0 else -1)
    assert r == expected
    if x != int(x):  # an exact half: the larger magnitude
        assert abs(r) == abs(int(x)) + 1


@FAST
@given(finite)
def test_round_half_up_is_symmetric_about_zero(x):
    assert rounding.round_half_up(-x) == -rounding.round_half_up(x)


@FAST
@given(finite, finite)
def test_round_half_up_is_monotonic(x, y):
    lo, hi = sorted((x, y))
    assert rounding.round_half_up(lo) <= rounding.round_half_up(hi)


@FAST
@given(finite, st.integers(min_value=0, max_value=3))
@example(82.45, 1)
@example(2.675, 2)
def test_round_to_is_within_half_a_step_and_idempotent(x, digits):
    r = rounding.round_to(x, digits)
    step = Fraction(1, 10**digits)
    assert abs(Fraction(repr(x)) - Fraction(repr(r))) <= step / 2
    assert rounding.round_to(r, digits) == r
    assert rounding.round_to(float("nan"), digits) != rounding.round_to(float("nan"), digits)  # NaN stays NaN


@FAST
@given(st.integers(min_value=1, max_value=100_000), st.integers(min_value=0, max_value=100_000))
@example(8, 1)  # 1 of 8 is 12.5%: 13%
@example(200, 1)  # 0.5%: 1%
def test_a_percentage_from_counts_prints_as_the_exact_rule_gives(n, k):
    # The figure a chapter prints (format_pct of stats' float percentage) and the one the
    # disclosure audit reasons about (exact integer arithmetic) must be the same number, or the
    # audit would protect a different figure from the one published.
    k = k % (n + 1)
    shown = rounding.format_pct(100.0 * k / n)
    exact = int(disclosure.percent_half_up(k, n))
    assert shown == f"{exact}%"
    lo, hi = disclosure.n_positive_interval(exact, n)
    assert lo <= k <= hi


def _number(text: str) -> int:
    """The signed whole number at the start of a printed change, read as a reader would."""
    match = re.match(rf"([+{MINUS}]?)(\d+)", text)
    assert match, text
    sign = -1 if match.group(1) == MINUS else 1
    return sign * int(match.group(2))


@FAST
@given(percent, percent)
@example(65.4, 55.6)  # the docstring's example: 65% and 56% print +9, not the exact +10
@example(82.5, 82.4)
@example(0.5, 0.4)
def test_the_printed_change_is_the_difference_of_the_printed_percentages(current, previous):
    shown_now = int(rounding.format_pct(current).rstrip("%"))
    shown_then = int(rounding.format_pct(previous).rstrip("%"))
    assert rounding.shown_change(current, previous) == shown_now - shown_then
    assert rounding.shown_change(previous, current) == -rounding.shown_change(current, previous)
    text = rounding.format_change(current, previous)
    assert _number(text) == shown_now - shown_then
    # The exact change is off the printed one by less than one point either way.
    assert abs(rounding.shown_change(current, previous) - (current - previous)) < 1 + 1e-9


@FAST
@given(finite)
@example(-0.4)
@example(-0.5)
@example(-0.0)
@example(0.49999999999999994)
def test_changes_print_with_a_true_minus_and_no_negative_zero(x):
    v = rounding.signed_points(x)
    for text in (rounding.format_pts(x), rounding.points_in_words(x), rounding.signed(v)):
        assert "-" not in text, text  # the hyphen-minus reads as a dash, and a spreadsheet takes it for a formula
        assert not re.search(rf"[+{MINUS}]0\b", text), text  # zero never has a sign
        if v < 0:
            assert text.startswith(MINUS), text
        elif v > 0:
            assert text.startswith("+"), text
    assert _number(rounding.format_pts(x)) == v
    words = rounding.points_in_words(x)
    if v == 0:
        assert words == "no change"
    else:
        assert _number(words) == v
    # Singular only for one point.
    assert rounding.format_pts(x).endswith(" pt" if abs(v) == 1 else " pts")


@FAST
@given(finite)
@example(-0.4)
@example(2.5)
def test_every_wording_of_a_change_rounds_the_same_way(x):
    v = rounding.signed_points(x)
    phrase = sentences.points_phrase(x)
    gap = sentences.gap_phrase(x)
    line = change.one_line(change.theme_state(x, 2021))
    if v == 0:
        assert phrase == "no change" and gap == "level" and "no change" in line
        return
    size = abs(v)
    unit = "point" if size == 1 else "points"
    assert phrase == f"{'up' if v > 0 else 'down'} {size} {unit}"
    assert gap == f"{size} {unit} {'above' if v > 0 else 'below'}"
    assert f"{'up' if v > 0 else 'down'} {size} {unit} since 2021" in line


@FAST
@given(st.floats(min_value=-0.5, max_value=0.5, allow_nan=False, exclude_min=True, exclude_max=True))
def test_a_percentage_near_zero_prints_as_plain_zero(x):
    assert rounding.format_pct(x) == "0%"
    assert rounding.format_pts(x) == "0 pts"
