"""The one rounding rule of the report, and the number formats built on it.

Every percentage a reader sees -- in prose, tables, chart labels, alt text, CSV and XLSX -- is
rounded here: to a whole number, halves away from zero (82.5 -> 83, -2.5 -> -3), the rule the
methods appendix states. Unrounded values stay in the machine-readable figures table.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(x: float) -> int:
    """A whole number, halves away from zero; the decimal text of the float is rounded, so
    82.5 (exactly representable) and 0.1 + 0.2 behave as a reader expects."""
    return int(Decimal(repr(float(x))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def round_to(x: float, digits: int) -> float:
    """`x` rounded to `digits` decimals, halves away from zero (82.45 -> 82.5); NaN stays NaN."""
    if x != x:  # NaN
        return x
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def round_columns(frame, digits: int):
    """A copy of a DataFrame with every float column rounded by `round_to` (pandas rounds halves to even)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind == "f":
            out[column] = out[column].map(lambda v: round_to(v, digits))
    return out


def signed_points(change: float) -> int:
    """A change in percentage points as a whole number, halves away from zero."""
    return round_half_up(change)


def format_pct(x: float) -> str:
    """82.4 -> '82%'."""
    return f"{round_half_up(x)}%"


def format_pts(x: float) -> str:
    """Change in percentage points for tables: '+7 pts', '-1 pt', '0 pts'."""
    v = signed_points(x)
    return f"{signed(v)} pt{'s' if abs(v) != 1 else ''}" if v else "0 pts"


def points_in_words(change: float) -> str:
    """A change in points for prose: '+3 points', '-1 point', 'no change'."""
    v = signed_points(change)
    if v == 0:
        return "no change"
    return f"{signed(v)} point{'s' if abs(v) != 1 else ''}"


#: The minus sign (U+2212) of a printed fall: typographically a minus, the width of the plus,
#: never the hyphen that reads as a dash; a spreadsheet does not take it for a formula either.
MINUS = "\u2212"


def signed(v: int) -> str:
    """A whole number with its sign, a true minus for a fall: '+7', '\u22126', '0'."""
    return f"+{v}" if v > 0 else (f"{MINUS}{-v}" if v < 0 else "0")


def shown_change(current: float, previous: float) -> int:
    """The change in points a reader can check against the two percentages printed beside it:
    the difference of the percentages each rounded to a whole number (halves up), not the
    exact difference rounded. 65.4% and 55.6% print as 65% and 56%, so the change prints as
    +9, where the exact 9.8 would round to +10. The exact change stays in the figures table,
    and every test of significance uses the exact counts."""
    return round_half_up(current) - round_half_up(previous)


def format_change(current: float, previous: float) -> str:
    """:func:`shown_change` for tables: '+9 pts', '-1 pt', '0 pts'."""
    return format_pts(shown_change(current, previous))
