"""Dates in exports as they come: text in any usual format, or Excel serial numbers.

A workbook cell whose number format is General shows a date as its serial number (44354.35 is
7 June 2021, 08:24), and some tools export dates that way. `parse_dates` reads both; a bare
number is taken for a serial date only between 1 January 1960 and 31 December 2099 (21916 to
73415), so a count or a code is never read as a date.
"""

from __future__ import annotations

import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (its 1900 leap-year bug included)
_SERIAL = r"\d{5}(?:\.\d+)?"
SERIAL_RANGE = (21916, 73415)


def parse_dates(values: pd.Series) -> pd.Series:
    """Each value as a timestamp (NaT when it is not a date): text dates, day first when
    ambiguous, and Excel serial numbers."""
    text = values.astype(str).str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=True)
    serial = text.str.fullmatch(_SERIAL)
    if serial.any():
        days = pd.to_numeric(text.where(serial), errors="coerce")
        days = days.where((days >= SERIAL_RANGE[0]) & (days <= SERIAL_RANGE[1]))
        as_serial = EXCEL_EPOCH + pd.to_timedelta((days * 86400).round(), unit="s")  # to the second, as Excel shows it
        parsed = as_serial.where(days.notna(), parsed)
    return parsed
