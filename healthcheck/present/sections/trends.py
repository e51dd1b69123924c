"""Changes over time: every theme and statement across the years held, as small multiples."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import round_columns, round_half_up
from healthcheck.escape import html_text
from healthcheck.present import charts
from healthcheck.present.charts import findings
from healthcheck.present.charts.style import NARROW_IN


def all_years_figures(ch) -> pd.DataFrame:
    """The figures of every year up to this one, stacked."""
    return pd.concat([ch.survey.figures(y) for y in ch.survey.year_list if y <= ch.year], ignore_index=True)


def glue(ch) -> None:
    years = [y for y in ch.survey.year_list if y <= ch.year]
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    ch.glue_md(
        "trends_intro",
        f"This chapter follows every theme and statement across the {len(years)} survey years held, {span}, "
        "one small chart for each. Points with error bars have known bases and 95% confidence intervals; hollow points "
        "are figures known only as published percentages. Where a statement's wording changed, its new wording is a "
        "separate dashed line, not compared with the old.",
    )


def theme_score_series(ch) -> pd.DataFrame:
    """Each theme's score across the years on the ONE set of statements its change is told on
    (``stats.theme_score_series``), so this chart steps exactly as the summary's tiles say."""
    by_year = {y: ch.survey.figures(y) for y in ch.survey.year_list if y <= ch.year}
    return stats.theme_score_series(by_year, ch.year)


def theme_trend_figure(ch) -> None:
    """One panel per theme: its score on its comparable statements, year by year."""
    scores = theme_score_series(ch)
    titles = {code: spec.title for code, spec in ch.bank.themes.items()}
    if scores.empty:
        display(
            HTML("<p>No theme has statements asked in comparable words in an earlier year, so no theme score is followed.</p>")
        )
        return
    k = scores.groupby("theme")["n_questions"].first()
    label = scores["theme"].map(lambda t: f"{titles.get(t, t)} ({k[t]} statement{'' if k[t] == 1 else 's'})")
    series = scores.assign(label=label, pct_positive=scores["score"])[["year", "label", "pct_positive"]]
    title = findings.theme_title(stats.theme_changes(ch.figures), titles)
    measure = "theme score: the average % agreeing of the statements compared in every year shown"
    data = (
        scores.assign(Theme=scores["theme"].map(titles))
        .rename(columns={"year": "Year", "score": "Theme score (%)", "n_questions": "Statements compared"})[
            ["Theme", "Year", "Theme score (%)", "Statements compared"]
        ]
        .pipe(round_columns, 1)
    )
    fig = charts.trend_panels(series, title=title, measure=measure)
    narrow = charts.trend_panels(series, title=title, measure=measure, width=NARROW_IN)
    ch.show_figure(
        fig,
        "theme-trends",
        "Theme scores by year, each on the statements asked in comparable words in every year shown "
        "(the same statements as the theme's change in the summary).",
        fig.alt_text,
        data,
        narrow=narrow,
    )


def statement_trends(ch) -> None:
    """One figure per theme, a panel per statement across the years."""
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
        finding = findings.change_title(ch.theme_figures(theme), title, ch.year, first_year=ch.prev_year is None)
        fig = charts.trend_panels(series, title=finding)
        narrow = charts.trend_panels(series, title=finding, width=NARROW_IN)
        data = trend_table(rows, ch.bank)
        display(HTML(f"<h3>{html_text(title)}</h3>"))
        ch.show_figure(
            fig,
            f"{theme}-trend",
            f"{title}: percent agreeing with each statement by year.",
            fig.alt_text,
            data,
            narrow=narrow,
        )


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
