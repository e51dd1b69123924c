"""CSV downloads: spreadsheet-safe and byte-for-byte deterministic (the workbooks: test_workbook.py)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from healthcheck.present import exports
from healthcheck.present.exports import write_csv

INJECTIONS = ['=HYPERLINK("http://evil.example","Click")', "+1+1", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1", " =1+1"]
# What a spreadsheet shows for each: an apostrophe first (and a carriage return as a line feed).
NEUTRALISED = ["'" + text.replace("\r", "\n") for text in INJECTIONS]


def hostile_frame() -> pd.DataFrame:
    n = len(INJECTIONS) + 2
    return pd.DataFrame(
        {
            "team": INJECTIONS + ["Safeguarding, North", None],
            "role": ["Social worker"] * (n - 1) + ["=cmd|' /C calc'!A0"],
            "n_valid": np.arange(n) + 10,
            "pct_positive": [82.5, -3.0] + [50.0] * (n - 3) + [np.nan],
            "change": ["-2", "+1"] + [""] * (n - 2),
            "=SUM(A1)": ["x"] * n,
        }
    )


def test_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    path = write_csv(hostile_frame(), tmp_path / "2022-teams.csv")
    data = path.read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == ["team", "role", "n_valid", "pct_positive", "change", "'=SUM(A1)"]
    assert [row[0] for row in rows[1:]] == NEUTRALISED + ["Safeguarding, North", ""]
    assert rows[-1][1] == "'=cmd|' /C calc'!A0"
    assert [row[2] for row in rows[1:3]] == ["10", "11"] and rows[2][3] == "-3.0" and rows[-1][3] == ""
    assert [row[4] for row in rows[1:3]] == ["-2", "+1"]  # plain signed numbers are harmless
    for row in rows:  # nothing a spreadsheet would take for a formula, except plain numbers
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\n")) or _is_number(cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_csv_is_deterministic_and_bom_optional(tmp_path):
    first = write_csv(hostile_frame(), tmp_path / "a.csv").read_bytes()
    assert write_csv(hostile_frame(), tmp_path / "a.csv").read_bytes() == first
    assert write_csv(hostile_frame(), tmp_path / "b.csv", excel_bom=True).read_bytes() == b"\xef\xbb\xbf" + first
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*.tmp"))


def test_safe_frame_leaves_the_original_alone():
    frame = hostile_frame()
    before = frame.copy()
    exports.safe_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
