"""Numbers in words, the same everywhere: percentages, changes and whether a change is real.

Chapters and narrative references both take their phrases from here, so "up 3 points since
2021, not a significant change" reads the same in a table, a sentence and the analyst's text.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, points_in_words, signed_points
from healthcheck.escape import myst_text
from healthcheck.present import change


def pct(value: float) -> str:
    """A percentage for display: a whole number, halves rounded up."""
    return format_pct(value)


def pts(change: float) -> str:
    """A change in percentage points, signed; "no change" when it rounds to zero."""
    return points_in_words(change)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 statement', '3 statements' (`many` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def points_phrase(change: float) -> str:
    """A change in words: 'up 7 points', 'down 1 point', 'no change' (rounded as everywhere)."""
    moved = signed_points(change)
    if not moved:
        return "no change"
    return f"{'up' if moved > 0 else 'down'} {plural(abs(moved), 'point')}"


def gap_phrase(diff: float) -> str:
    """A difference from a benchmark in words: '7 points above', '1 point below', 'level'."""
    moved = signed_points(diff)
    if not moved:
        return "level"
    return f"{plural(abs(moved), 'point')} {'above' if moved > 0 else 'below'}"


def change_in_words(row, questions=None) -> str:
    """A statement's change since its last comparable figure, for prose, in the words of
    :mod:`healthcheck.present.change`.

    `row` is a figures-table row: "up 3 points since 2021, no significant change",
    "down 8 points since 2021, a significant fall", "up 7 points since 2020, not tested
    (published figure only)", or "not compared with an earlier year".
    """
    state = change.state_of(row, questions)
    if state.points is None or state.prev_year is None:
        return "not compared with an earlier year"
    head = f"{points_phrase(state.points)} since {state.prev_year}"
    if state.state in (change.RISE, change.FALL):
        return f"{head}, a {state.state}"
    if state.state == change.NO_CHANGE:
        return f"{head}, {state.state}"
    return f"{head}, {state.state} ({state.reason})"


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
    """Whether the change since the last comparable year is real, within chance, or not tested (and why)."""
    state = change.state_of(row, ch.survey.questions, first_year=ch.prev_year is None)
    if state.prev_year is None:
        why = {
            change.WORDING_CHANGED: "It is not compared with earlier years because the wording changed.",
            change.NEW_STATEMENT: f"It was first asked in {ch.year}.",
            change.FIRST_YEAR: f"It was first asked in {ch.year}.",
        }
        return why.get(state.reason, "There is no earlier figure to compare it with.")
    prev, before = state.prev_year, pct(row.prev_pct_positive)
    moved = points_phrase(state.points)
    if state.state in (change.RISE, change.FALL):
        return f"That is {moved} on {prev} ({before}), a {state.state}."
    if state.state == change.NO_CHANGE:
        return f"In {prev} it was {before}: {moved}, {state.state}."
    return f"In {prev} it was {before} ({moved}; {state.state}: {state.reason})."


def _quoted(row) -> str:
    return f"\u201c{myst_text(row['short'])}\u201d"


def theme_sentence(ch, theme: str) -> str:
    """The theme's opening, led by its finding (chosen by rule), then its score and honest change.

    The lead is the largest significant fall, else the largest significant rise, else the
    highest and lowest statements; other significant changes are then named, each once.
    """
    changes = stats.theme_changes(ch.figures).set_index("theme")
    if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
        return f"No statement of this theme had enough responses in {ch.year} to report."
    row = changes.loc[theme]
    figs = ch.theme_figures(theme)
    figs = figs[~figs["suppressed"].astype(bool) & figs["pct_positive"].notna()]
    flags = figs["change_flag"].fillna("")
    falls = figs[flags == stats.DECREASE].sort_values("change_pts", kind="stable")
    rises = figs[flags == stats.INCREASE].sort_values("change_pts", ascending=False, kind="stable")
    ordered = figs.sort_values("pct_positive", ascending=False, kind="stable")
    parts = []
    if len(falls):
        r = falls.iloc[0]
        parts.append(
            f"The largest significant fall here is {_quoted(r)}: **{pct(r['pct_positive'])}** agreed, "
            f"{points_phrase(r['change_pts'])} since {int(r['prev_year'])}."
        )
    elif len(rises):
        r = rises.iloc[0]
        parts.append(
            f"{_quoted(r)} rose significantly to **{pct(r['pct_positive'])}**, "
            f"{points_phrase(r['change_pts'])} since {int(r['prev_year'])}."
        )
    elif len(ordered) > 1:
        hi, lo = ordered.iloc[0], ordered.iloc[-1]
        parts.append(
            f"Agreement is highest with {_quoted(hi)} (**{pct(hi['pct_positive'])}**) "
            f"and lowest with {_quoted(lo)} (**{pct(lo['pct_positive'])}**)."
        )
    n = int(row["n_questions"])
    title = myst_text(ch.theme_title(theme))
    parts.append(f"The theme score of {title}, the average across its {plural(n, 'statement')}, is **{pct(row['score'])}**.")
    if row["n_compared"]:
        parts.append(theme_change_sentence(ch, row))
    lead = falls.index[0] if len(falls) else rises.index[0] if len(rises) else None
    others = [("rose", r) for i, r in rises.iterrows() if i != lead] + [("fell", r) for i, r in falls.iterrows() if i != lead]
    if others:
        named = "; ".join(
            f"{_quoted(r)} {verb} to {pct(r['pct_positive'])} ({points_phrase(r['change_pts'])})" for verb, r in others
        )
        parts.append(f"Also significant: {named}.")
    return " ".join(parts)


def theme_change_sentence(ch, row) -> str:
    """The change of a theme's score, said with what was compared (an average: never tested)."""
    years = " and ".join(str(y) for y in row["prev_years"])
    n = int(row["n_compared"])
    moved = points_phrase(row["change_pts"])
    on = "the one statement" if n == 1 else f"the {n} statements"
    return (
        f"On {on} asked in the same words in {years} and {ch.year}, the average "
        f"{'did not change' if moved == 'no change' else 'moved ' + moved} "
        f"({pct(row['prev_score'])} to {pct(row['compared_score'])}; an average of statements, not tested)."
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
