"""The one vocabulary for change: four states, each with a word and a shape.

Every place that shows a change -- summary tiles, change tables, charts, sentences and the
downloadable CSVs -- takes its words and shapes from here, so a reader learns one language:

========================  =====  =====================================================
state                     shape  meaning
========================  =====  =====================================================
significant rise          ▲      tested against the last comparable year, p < 0.05, up
significant fall          ▼      tested, p < 0.05, down
no significant change     ●      tested, the difference is within what chance produces
not tested                ○      not tested, always with the reason why
========================  =====  =====================================================

The shapes differ in form (up, down, filled, hollow) so that colour is never needed to tell
them apart. ▲ and ▼ mean a *significant* change and nothing else: an untested difference (a
theme's average, a published figure) is said in words ("up 3 points") with the hollow ○.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import shown_change, signed_points

#: The four states.
RISE = "significant rise"
FALL = "significant fall"
NO_CHANGE = "no significant change"
NOT_TESTED = "not tested"
STATES = (RISE, FALL, NO_CHANGE, NOT_TESTED)

#: One shape per state; never colour alone.
SHAPES = {RISE: "\u25b2", FALL: "\u25bc", NO_CHANGE: "\u25cf", NOT_TESTED: "\u25cb"}

#: Why a change was not tested.
NEW_STATEMENT = "new statement"
WORDING_CHANGED = "wording changed"
PUBLISHED_ONLY = "published figure only"
TOO_FEW = "too few responses"
FIRST_YEAR = "first year of the survey"
THEME_AVERAGE = "an average of statements"
REASONS = (NEW_STATEMENT, WORDING_CHANGED, PUBLISHED_ONLY, TOO_FEW, FIRST_YEAR, THEME_AVERAGE)

#: stats' change_flag -> state.
_FLAG_STATE = {stats.INCREASE: RISE, stats.DECREASE: FALL, stats.NO_CHANGE: NO_CHANGE}


@dataclass(frozen=True)
class Change:
    """A change and its state: ``points`` and ``prev_year`` are None when there is no earlier
    comparable figure; ``reason`` is set exactly when the state is :data:`NOT_TESTED`."""

    state: str
    reason: str | None = None
    points: float | None = None
    prev_year: int | None = None

    @property
    def shape(self) -> str:
        """The state's shape."""
        return SHAPES[self.state]

    @property
    def label(self) -> str:
        """Shape and word, with the reason when not tested: "○ not tested: wording changed"."""
        return label(self.state, self.reason)


def _blank(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def label(state: str, reason: str | None = None) -> str:
    """The shape and the word of `state` (and the reason, for not tested)."""
    if state not in SHAPES:
        raise ValueError(f"unknown change state {state!r}; expected one of {STATES}")
    text = f"{SHAPES[state]} {state}"
    return f"{text}: {reason}" if state == NOT_TESTED and reason else text


def state_of_flag(flag: str) -> str:
    """The state of a tested change from its analysis flag (stats.INCREASE, DECREASE or
    NO_CHANGE, as analysis.measures also sets them)."""
    return _FLAG_STATE[flag]


def _earlier_asked(question_id: str, year: int, questions: pd.DataFrame | None) -> tuple[bool, bool]:
    """(asked in an earlier year at all, asked earlier in the same wording series)."""
    if questions is None or questions.empty:
        return False, False
    q = questions.loc[questions["question_id"] == question_id]
    now = q.loc[q["year"] == year, "series"]
    before = q.loc[q["year"] < year]
    if before.empty:
        return False, False
    same = bool(now.size) and bool((before["series"] == now.iloc[0]).any())
    return True, same


def state_of(row, questions: pd.DataFrame | None = None, *, first_year: bool = False) -> Change:
    """A statement's change state from its figures-table row (:func:`stats.figures_table`).

    `questions` (the survey's questions table: ``year, question_id, series``) tells a wording
    change from a new statement; without it a statement with no earlier figure is taken as
    new. `first_year` is True in the survey's first year, where nothing can be compared.
    """
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    flag = get("change_flag")
    flag = "" if _blank(flag) else str(flag)
    points = None if _blank(get("change_pts")) else float(get("change_pts"))
    now, before = get("pct_positive"), get("prev_pct_positive")
    if points is not None and not _blank(now) and not _blank(before):
        # The change a reader can check against the two rounded percentages printed beside it
        # (rounding.shown_change); the test of significance used the exact counts.
        points = float(shown_change(float(now), float(before)))
    prev_year = None if _blank(get("prev_year")) else int(get("prev_year"))
    if flag in _FLAG_STATE:
        return Change(_FLAG_STATE[flag], None, points, prev_year)
    basis = get("basis")
    suppressed = not _blank(get("suppressed")) and bool(get("suppressed"))
    if basis == stats.BASIS_NOT_PUBLISHED:
        reason = PUBLISHED_ONLY
    elif suppressed:
        reason = TOO_FEW
    elif basis == stats.BASIS_PUBLISHED or prev_year is not None:
        # A figure with an earlier one but no test: one of them is a published percentage without its base.
        reason = PUBLISHED_ONLY
    elif first_year:
        reason = FIRST_YEAR
    else:
        year = get("year")
        asked, same = _earlier_asked(str(get("question_id")), int(year) if not _blank(year) else 0, questions)
        if not asked:
            reason = NEW_STATEMENT
        elif not same:
            reason = WORDING_CHANGED
        else:
            # Asked before in the same words, but no earlier figure was shown.
            reason = TOO_FEW
    return Change(NOT_TESTED, reason, points, prev_year)


def theme_state(points: float | None, prev_year: int | None = None) -> Change:
    """A theme's change: an average of statements, which is never tested (see stats.theme_changes)."""
    pts = None if _blank(points) else float(points)
    return Change(NOT_TESTED, THEME_AVERAGE, pts, prev_year)


def _points(points: float) -> str:
    moved = signed_points(points)
    if not moved:
        return "no change"
    size = abs(moved)
    return f"{'up' if moved > 0 else 'down'} {size} point{'' if size == 1 else 's'}"


def one_line(change: Change) -> str:
    """The change in one line: "▲ significant rise, up 5 points since 2021";
    "○ not tested (wording changed)"; "○ not tested (published figure only), down 2 points since 2020"."""
    head = SHAPES[change.state] + " " + change.state
    if change.state == NOT_TESTED and change.reason:
        head += f" ({change.reason})"
    if change.points is None or (isinstance(change.points, float) and math.isnan(change.points)):
        return head
    since = f" since {change.prev_year}" if change.prev_year is not None else ""
    return f"{head}, {_points(change.points)}{since}"
