"""The change table: this year against the last comparable year, in words and symbols (a DataFrame, not an image)."""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis.rounding import format_change, format_pct, format_pts, round_half_up  # noqa: F401
from healthcheck.present.charts.style import (
    NOT_COMPARED,
    blank,
    truthy,
)

# --------------------------------------------------------------------------------------
# 3. Change table (a DataFrame, not an image)
# --------------------------------------------------------------------------------------

SIGNIFICANCE_WORDS = {
    "increase": "\u25b2 Increase (significant)",
    "decrease": "\u25bc Decrease (significant)",
    "no significant change": "\u25cf No significant change",
}
WORDING_CHANGED = f"{NOT_COMPARED} Not compared: wording changed"


def _wording_changed(qid: str, year: int, questions: pd.DataFrame | None) -> bool:
    """True when `qid` was asked before `year` but only in another series."""
    if questions is None or questions.empty:
        return False
    q = questions[questions["question_id"] == qid]
    now = q[q["year"] == year]["series"]
    before = q[q["year"] < year]
    if now.empty or before.empty:
        return False
    return not (before["series"] == now.iloc[0]).any()


def change_table(
    figures: pd.DataFrame,
    questions: pd.DataFrame | None = None,
    *,
    threshold: int = 10,
) -> pd.DataFrame:
    """A display table of this year's figures against last year's.

    Columns: ``Statement``, ``This year`` ("82% (n=312)"), ``Last year`` ("75% (2021)"),
    ``Change`` ("+7 pts", only when compared) and ``Significance`` in words with a symbol:
    "▲ Increase (significant)", "▼ Decrease (significant)", "● No significant change", or
    "– Not compared: wording changed" / "– Not compared: published figure" /
    "– Fewer than 10 responses" / "– Not compared: fewer than 10 responses in <year>" /
    "– Not compared: first year asked". Pass `questions` so a wording change can be told
    apart from a first year. Rows keep the order of `figures`.
    """
    out = [_change_row(r, questions, threshold) for _, r in figures.iterrows()]
    return pd.DataFrame(out, columns=["Statement", "This year", "Last year", "Change", "Significance"])


def _change_row(r: pd.Series, questions: pd.DataFrame | None, threshold: int) -> dict[str, object]:
    """One statement's row of the change table."""
    statement = r.get("short")
    if blank(statement):
        statement = r.get("question_id", "")
    n_valid = r.get("n_valid")
    suppressed = truthy(r.get("suppressed")) or (
        not blank(n_valid) and int(n_valid) < threshold and r.get("basis") != "published"
    )
    published = str(r.get("basis", "counts")) == "published"
    pct = r.get("pct_positive")
    prev_pct, prev_year = r.get("prev_pct_positive"), r.get("prev_year")

    if r.get("basis") == "not published":
        this_year = "Not published"
    elif suppressed:
        this_year = f"Not shown (n<{threshold})"
    elif blank(pct):
        this_year = NOT_COMPARED
    elif published:
        this_year = f"{format_pct(pct)} (published)"
    else:
        this_year = f"{format_pct(pct)} (n={int(n_valid)})" if not blank(n_valid) else format_pct(pct)

    last_year = NOT_COMPARED
    if not blank(prev_pct) and not blank(prev_year):
        last_year = f"{format_pct(prev_pct)} ({int(prev_year)})"

    sig, change = _significance(r, questions, suppressed=suppressed, published=published, threshold=threshold)
    if sig == WORDING_CHANGED:
        # Last year's figure answered another wording: showing it would invite a comparison.
        last_year = NOT_COMPARED
    return {"Statement": statement, "This year": this_year, "Last year": last_year, "Change": change, "Significance": sig}


def _significance(
    r: pd.Series, questions: pd.DataFrame | None, *, suppressed: bool, published: bool, threshold: int
) -> tuple[str, str]:
    """The Significance text of a row, and its Change in points (a dash unless it was tested)."""
    pct, prev_pct, prev_year = r.get("pct_positive"), r.get("prev_pct_positive"), r.get("prev_year")
    flag = r.get("change_flag")
    flag = "" if blank(flag) else str(flag).strip().lower()
    change = NOT_COMPARED
    if suppressed:
        sig = f"{NOT_COMPARED} Fewer than {threshold} responses"
    elif published:
        sig = f"{NOT_COMPARED} Not compared: published figure"
    elif flag in SIGNIFICANCE_WORDS:
        sig = SIGNIFICANCE_WORDS[flag]
        diff = r.get("change_pts")
        if not blank(pct) and not blank(prev_pct):  # the change a reader gets from the two printed percentages
            change = format_change(float(pct), float(prev_pct))
        elif not blank(diff):
            change = format_pts(float(diff))
    elif _wording_changed(str(r.get("question_id")), int(r.get("year", 0) or 0), questions):
        sig = WORDING_CHANGED
    elif not blank(prev_year) and blank(prev_pct):
        sig = f"{NOT_COMPARED} Not compared: fewer than {threshold} responses in {int(prev_year)}"
    elif not blank(prev_year):
        # a previous figure exists but was not tested: it was a published figure
        sig = f"{NOT_COMPARED} Not compared: published figure"
    else:
        sig = f"{NOT_COMPARED} Not compared: first year asked"
    return sig, change
