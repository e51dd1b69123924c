"""Changes over time: every theme and statement across the years held."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, display

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import round_columns, round_half_up
from healthcheck.present import charts, sentences
from healthcheck.present.sentences import pct


def all_years_figures(ch) -> pd.DataFrame:
    """The figures of every year up to this one, stacked."""
    return pd.concat([ch.survey.figures(y) for y in ch.survey.year_list], ignore_index=True)


def glue(ch) -> None:
    years = ch.survey.year_list
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    ch.glue_md(
        "trends_intro",
        f"This chapter follows every theme and statement across the {len(years)} survey years held, {span}. "
        "Points with error bars have known bases and 95% confidence intervals; hollow points are figures known only "
        "as published percentages. A dotted line marks a change of wording, across which a statement is not compared.",
    )


def theme_trend_figure(ch) -> None:
    scores = stats.theme_trend(
        ch.survey.counts, ch.survey.published, ch.survey.questions, ch.survey.year_list, threshold=ch.threshold
    )
    scores = scores[scores["n_questions"] > 0]
    titles = {code: spec.title for code, spec in ch.bank.themes.items()}
    series = scores.assign(label=scores["theme"].map(titles), pct_positive=scores["score"])
    latest = series[series["year"] == ch.year].sort_values("pct_positive")
    title = None
    if len(latest) > 1:
        low, high = latest.iloc[0], latest.iloc[-1]
        title = (
            f"In {ch.year} theme scores ranged from {pct(low.pct_positive)} ({low.label}) "
            f"to {pct(high.pct_positive)} ({high.label})"
        )
    fig = charts.trend(series[["year", "label", "pct_positive"]], title=title, measure="theme score (average % agreeing)")
    data = series.rename(columns={"year": "Year", "label": "Theme", "score": "Theme score (%)", "n_questions": "Statements"})[
        ["Theme", "Year", "Theme score (%)", "Statements"]
    ].pipe(round_columns, 1)
    ch.show_figure(fig, "theme-trends", "Theme scores by year.", fig.alt_text, data)


def statement_trends(ch) -> None:
    """One trend chart per theme, every statement across the years."""
    figs = all_years_figures(ch)
    figs = figs[~figs["suppressed"].astype(bool)]
    questions = ch.survey.questions
    for theme, spec in ch.bank.themes.items():
        title = spec.title
        rows = figs[figs["theme"] == theme].merge(
            questions[["question_id", "year", "series"]], on=["question_id", "year"], how="left"
        )
        if rows.empty:
            continue
        series = rows.assign(label=rows["short"])[["year", "label", "pct_positive", "ci_low", "ci_high", "basis", "series"]]
        fig = charts.trend(series, title=f"{title}: {sentences.significant_changes(ch, theme)}")
        data = trend_table(rows, ch.bank)
        display(HTML(f"<h3>{html.escape(title)}</h3>"))
        ch.show_figure(fig, f"{theme}-trend", f"{title}: percent agreeing with each statement by year.", fig.alt_text, data)


def trend_table(rows: pd.DataFrame, bank) -> pd.DataFrame:
    """The data beside a theme's trend chart (and its CSV): one row per statement and year.

    A statement reworded within the years shown (``comparable_from`` in the bank) is two
    series, each under its own label -- "Regular supervision (2020-2021 wording)" and
    "Regular supervision (2022 wording)" -- and the first row of the new wording says, in
    ``Note`` (a column only when some row has one), that it was reworded and is not compared
    with the years before: the table and the download never read as one series across the
    break.
    """
    rows = rows.copy()
    rows["Statement"], rows["Note"] = rows["short"], ""
    for qid, part in rows.groupby("question_id", sort=False):
        question = bank.questions.get(qid)
        series = part["year"].map(question.series) if question is not None else pd.Series(0, index=part.index)
        if series.nunique() < 2:
            continue
        for number, years in part["year"].groupby(series):
            asked = sorted(y for y in question.wording if question.series(y) == number)
            span = str(asked[0]) if len(asked) == 1 else f"{asked[0]}\u2013{asked[-1]}"
            rows.loc[years.index, "Statement"] = f"{question.short} ({span} wording)"
            if number > series.min():
                # short: the note sits in a narrow column; each year's words are in the methods appendix
                rows.loc[years.idxmin(), "Note"] = f"Reworded in {asked[0]}: not compared with earlier years"
    data = rows.assign(
        ci=rows.apply(lambda r: "" if pd.isna(r.ci_low) else f"{round_half_up(r.ci_low)} to {round_half_up(r.ci_high)}", axis=1),
        basis=rows["basis"].map({"counts": "survey counts", "published": "published figure"}),
    ).rename(
        columns={
            "question_id": "Code",
            "year": "Year",
            "pct_positive": "% agreeing",
            "ci": "95% interval",
            "basis": "Source",
            "n_valid": "Valid responses",
        }
    )
    columns = ["Code", "Statement", "Year", "% agreeing", "95% interval", "Valid responses", "Source"]
    columns += ["Note"] if (rows["Note"] != "").any() else []  # a column of blanks says nothing
    return data.sort_values(["Code", "Statement", "Year"], kind="stable")[columns].reset_index(drop=True).pipe(round_columns, 1)
