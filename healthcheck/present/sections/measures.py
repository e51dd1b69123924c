"""The score out of 100 and its band, per statement and theme, where settings.yml asks for it
(``measures: show: [percent, score]``); see :mod:`healthcheck.analysis.measures`."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.analysis import measures
from healthcheck.analysis.rounding import round_half_up, round_to
from healthcheck.escape import html_text
from healthcheck.present import change as changes
from healthcheck.present.charts.style import NOT_COMPARED
from healthcheck.present.tables import html_table


def _one(value: float) -> str:
    return f"{round_to(value, 1):.1f}"


def score_table(scores: pd.DataFrame, questions: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The scores as the report and its download show them: one row per statement."""
    short = questions.drop_duplicates("question_id").set_index("question_id")["short"]
    rows = []
    for r in scores.itertuples(index=False):
        shown = pd.notna(r.score)
        # The book's one vocabulary of change (present/change): the same shape and words as
        # the percentages' tables, so a symbol means one thing whatever it sits beside.
        if r.change_flag:
            significance = changes.label(changes.state_of_flag(r.change_flag))
        elif not shown:
            significance = changes.label(changes.NOT_TESTED, changes.TOO_FEW if r.suppressed else "no answer counts")
        else:
            significance = changes.label(changes.NOT_TESTED, "no earlier score")
        change = ""
        if pd.notna(r.change):
            change = _one(r.change)
            change = change if change.startswith("-") else f"+{change}"
        rows.append(
            {
                "Code": r.question_id,
                "Statement": short.get(r.question_id, r.question_id),
                "Score (out of 100)": _one(r.score) if shown else "",
                "95% interval": f"{round_half_up(r.ci_low)} to {round_half_up(r.ci_high)}" if shown else "",
                "Band": r.band if shown else "",
                "Valid responses": "" if pd.isna(r.n_valid) else str(int(r.n_valid)),
                "Earlier score": _one(r.prev_score) if pd.notna(r.change) else "",
                "Earlier year": str(int(r.prev_year)) if pd.notna(r.change) else "",
                "Change (points)": change,
                "Significance": significance,
                "Note": "" if shown else f"fewer than {threshold} responses" if r.suppressed else "no answer counts this year",
            }
        )
    return pd.DataFrame(rows)


def scores(ch, theme: str) -> None:
    """The theme's score out of 100 and band, and each statement's, with the change since the
    last score tested (Welch's t-test); nothing when settings.yml does not ask for scores."""
    setting = ch.settings.measures
    if not setting.score:
        return
    if ch.survey.years[ch.year].published_only:
        display(HTML(f"<p>No scores out of 100 can be given for {ch.year}: only published percentages are held.</p>"))
        return
    every = measures.statement_scores(ch.survey.counts, ch.survey.questions, ch.year, setting.bands, ch.threshold)
    mine = every[every["theme"] == theme]
    if mine.empty:
        return
    title = ch.theme_title(theme)
    theme_score = measures.theme_scores(mine, setting.bands)
    if not theme_score.empty:
        t = theme_score.iloc[0]
        n = int(t["statements"])
        display(
            HTML(
                f"<p>As a score out of 100 (each answer scored from 0 for strongly disagree to 100 for strongly agree), "
                f"this theme scores <strong>{_one(t['score'])}</strong>, in the band "
                f"<strong>{html_text(str(t['band']))}</strong>: the mean of its {n} statement{'s' if n != 1 else ''} "
                "with a score this year.</p>"
            )
        )
    table = score_table(mine, ch.survey.questions, ch.threshold)
    ch.download_csv(table, f"{theme}-scores")
    # the bands in the caption, which names the theme: the same sentence in every theme chapter
    # would be the kind of repetition a reader skims past
    caption = (
        f"{title}: score out of 100 and band of each statement, {ch.year} "
        f"(bands: {band_ranges(setting.bands)}. How scores are worked out: methods appendix)"
    )
    display(HTML(html_table(screen_table(table), caption, css_class="hc-table hc-table-stack")))


def band_ranges(bands) -> str:
    """The bands as ranges a reader can place a score in: 'good, 70 or more; moderate, 55 to
    under 70; clear steps to improve, under 55' (never 'from 0', which reads as a setting)."""
    ordered = sorted(bands, key=lambda b: -b.from_score)
    parts, above = [], None
    for b in ordered:
        if above is None:
            reach = f"{b.from_score:g} or more"
        elif b.from_score <= 0:
            reach = f"under {above:g}"
        else:
            reach = f"{b.from_score:g} to under {above:g}"
        parts.append(f"{b.label}, {reach}")
        above = b.from_score
    return "; ".join(parts)


def screen_table(table: pd.DataFrame) -> pd.DataFrame:
    """The download's table narrowed for the page: the earlier score with its year in one
    column, and no code or note column unless a note is needed."""
    shown = table.assign(
        **{
            "Earlier score": [
                f"{s} ({y})" if s else "–" for s, y in zip(table["Earlier score"], table["Earlier year"], strict=True)
            ],
            # a true minus sign on the page, as every other change shows; the download keeps "-"
            "Change (points)": [c.replace("-", "\u2212") if c else NOT_COMPARED for c in table["Change (points)"]],
        }
    )
    drop = ["Code", "Earlier year", "Valid responses"] + ([] if shown["Note"].str.len().gt(0).any() else ["Note"])
    return shown.drop(columns=drop).rename(columns={"Score (out of 100)": "Score out of 100"})
