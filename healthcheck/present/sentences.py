"""Numbers in words, the same everywhere: percentages, changes and whether a change is real.

Chapters and narrative references both take their phrases from here, so "up 3 points since
2021, not a significant change" reads the same in a table, a sentence and the analyst's text.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, points_in_words, shown_change, signed_points
from healthcheck.escape import myst_text


def pct(value: float) -> str:
    """A percentage for display: a whole number, halves rounded up."""
    return format_pct(value)


def pts(change: float) -> str:
    """A change in percentage points, signed; "no change" when it rounds to zero."""
    return points_in_words(change)


def change_in_words(row) -> str:
    """A statement's change since its last comparable figure, for prose.

    `row` is a figures-table row: "up 3 points since 2021, not a significant change",
    "down 8 points since 2021, a significant fall", "up 7 points since 2020 (a published
    figure without a base, so not tested)", or "not compared with an earlier year".
    """
    if pd.isna(row["prev_year"]) or pd.isna(row["change_pts"]):
        return "not compared with an earlier year"
    moved = shown_change(row["pct_positive"], row["prev_pct_positive"])  # agrees with the printed percentages
    since = f"since {int(row['prev_year'])}"
    size = f"{abs(moved)} point{'s' if abs(moved) != 1 else ''}"
    head = f"{'up' if moved > 0 else 'down'} {size} {since}" if moved else f"unchanged {since}"
    flag = row["change_flag"]
    if flag == stats.INCREASE:
        return f"{head}, a significant rise"
    if flag == stats.DECREASE:
        return f"{head}, a significant fall"
    if flag == stats.NO_CHANGE:
        return f"{head}, not a significant change"
    return f"{head} (a published figure without a base, so not tested)"


def question_sentence(ch, row) -> str:
    """One statement's result in words: the figure, its base and interval, and the change."""
    quoted = f"\u201c{myst_text(ch.wording(row.question_id))}\u201d"
    if row.suppressed:
        return f"{quoted}: fewer than {ch.threshold} valid responses in {ch.year}, so no figure is shown."
    if row.basis == stats.BASIS_PUBLISHED and pd.isna(row.n_valid):
        text = f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} (a published figure; base not known)."
    else:
        source = ", as published" if row.basis == stats.BASIS_PUBLISHED else ""
        text = (
            f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} "
            f"({row.n_valid} valid responses{source}; 95% confidence interval {pct(row.ci_low)} to {pct(row.ci_high)})."
        )
    return f"{text} {change_sentence(ch, row)}"


def change_sentence(ch, row) -> str:
    """Whether the change since the last comparable year is real, within chance, or not tested."""
    if pd.isna(row.prev_year):
        q = ch.bank.questions[row.question_id]
        earlier = [y for y in q.wording if y < ch.year]
        if earlier and any(earlier[-1] < b <= ch.year for b in q.comparable_from):
            return "It is not compared with earlier years because the wording changed."
        if earlier:
            return "There is no earlier figure to compare it with."
        return f"It was first asked in {ch.year}."
    change = pts(shown_change(row.pct_positive, row.prev_pct_positive))  # agrees with the printed percentages
    prev = int(row.prev_year)
    if row.change_flag == stats.INCREASE:
        return f"That is {change} on {prev} ({pct(row.prev_pct_positive)}), a statistically significant increase."
    if row.change_flag == stats.DECREASE:
        return f"That is {change} on {prev} ({pct(row.prev_pct_positive)}), a statistically significant decrease."
    if row.change_flag == stats.NO_CHANGE:
        return f"In {prev} it was {pct(row.prev_pct_positive)}: the difference ({change}) is within what chance could produce."
    return f"In {prev} it was {pct(row.prev_pct_positive)} ({change}; a published figure without a base, so not tested)."


def theme_sentence(ch, theme: str) -> str:
    """The theme score in words, with an honest change: only statements asked in both years count."""
    changes = stats.theme_changes(ch.figures).set_index("theme")
    if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
        return f"No statement of this theme had enough responses in {ch.year} to report."
    row = changes.loc[theme]
    n = int(row["n_questions"])
    text = (
        f"Across the {n} survey statement{'s' if n != 1 else ''} of this theme, an average of **{pct(row['score'])}** "
        "of staff agreed or strongly agreed (the theme score)."
    )
    if row["n_compared"]:
        text += " " + theme_change_sentence(ch, row)
    figs = ch.theme_figures(theme)
    flags = figs["change_flag"].fillna("")
    ups, downs = int((flags == stats.INCREASE).sum()), int((flags == stats.DECREASE).sum())
    same = int((flags == stats.NO_CHANGE).sum())
    if ups + downs + same:
        parts = []
        if ups:
            parts.append(f"{ups} rose significantly")
        if downs:
            parts.append(f"{downs} fell significantly")
        if same:
            parts.append(f"{same} showed no significant change")
        text += f" Of the statements tested against an earlier year, {', '.join(parts)}."
    return text


def theme_change_sentence(ch, row) -> str:
    """The change of a theme's score, said with what was compared (never tested)."""
    years = " and ".join(str(y) for y in row["prev_years"])
    n = int(row["n_compared"])
    moved = signed_points(row["change_pts"])
    size = f"{abs(moved)} point{'s' if abs(moved) != 1 else ''}"
    if n == 1:
        how = f"rose {size}" if moved > 0 else f"fell {size}" if moved < 0 else "did not change"
        return f"The one statement asked in comparable words in {years} and {ch.year} {how}."
    how = f"rose {size}" if moved > 0 else f"fell {size}" if moved < 0 else "did not change"
    return (
        f"On the {n} statements asked in comparable words in {years} and {ch.year}, the average {how} "
        "(a change of a theme score is not tested for significance)."
    )


def significant_changes(ch, theme: str, say_since: bool = True) -> str:
    """What changed significantly in the theme, saying how many statements were tested and against when."""
    figs = ch.theme_figures(theme)
    tested = figs[figs["change_flag"].fillna("") != ""]
    if ch.prev_year is None:
        return f"{ch.year} is the first year"
    if tested.empty:
        return "no statement could be tested against an earlier year"
    years = "/".join(str(int(y)) for y in sorted(tested["prev_year"].dropna().unique()))
    ups = int((tested["change_flag"] == stats.INCREASE).sum())
    downs = int((tested["change_flag"] == stats.DECREASE).sum())
    n = len(tested)
    against = f" against {years}" if say_since else ""
    of = "the one statement tested" if n == 1 else f"the {n} statements tested"
    if not ups and not downs:
        if n == 1:
            return f"the one statement tested{against} did not change significantly"
        return f"none of the {n} statements tested{against} changed significantly"
    moved = " and ".join(text for count, text in ((ups, f"{ups} rose"), (downs, f"{downs} fell")) if count)
    return f"of {of}{against}, {moved} significantly"
