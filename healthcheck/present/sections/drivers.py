"""What goes with the outcome statements (drivers), for all staff, from the year's respondent
records; see :mod:`healthcheck.analysis.drivers` for the method."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.analysis import drivers
from healthcheck.analysis.rounding import round_to
from healthcheck.escape import html_text
from healthcheck.present.tables import html_table

TOP_STATEMENTS = 5


def _r(value: float) -> str:
    return "" if pd.isna(value) else f"{round_to(value, 2):.2f}"


def _interval(low: float, high: float) -> str:
    return "" if pd.isna(low) else f"{_r(low)} to {_r(high)}"


def outcomes_of(ch) -> list[str]:
    """The bank's outcome statements asked in the chapter's year."""
    return [qid for qid, q in ch.bank.questions.items() if q.outcome and ch.year in q.wording]


def _points(ch) -> pd.DataFrame:
    """Every respondent's points per statement this year (read again from the export: the
    survey keeps counts, not people). Nothing from it is shown but correlations of all staff."""
    from healthcheck.data.validate import check_year

    checked = check_year(ch.survey.data_dir, ch.year)
    return drivers.respondent_points(checked.frame, checked.meta.questions)


def download_table(corr: pd.DataFrame, reg: pd.DataFrame, ch) -> pd.DataFrame:
    """Every correlation and regression coefficient, as the download gives them."""
    short = {qid: q.short for qid, q in ch.bank.questions.items()}
    rows = [
        {
            "Outcome": short.get(r.outcome, r.outcome),
            "Kind": r.kind,
            "Theme or statement": ch.theme_title(r.item) if r.kind == "theme" else short.get(r.item, r.item),
            "Spearman correlation": _r(r.rho),
            "95% interval": _interval(r.ci_low, r.ci_high),
            "Respondents": str(r.n),
        }
        for r in corr.itertuples(index=False)
    ]
    rows += [
        {
            "Outcome": short.get(r.outcome, r.outcome),
            "Kind": "theme, others held equal (standardised regression)",
            "Theme or statement": ch.theme_title(r.theme),
            "Spearman correlation": _r(r.beta),
            "95% interval": _interval(r.ci_low, r.ci_high),
            "Respondents": str(r.n),
        }
        for r in reg.itertuples(index=False)
    ]
    return pd.DataFrame(rows).rename(columns={"Spearman correlation": "Correlation or coefficient"})


def drivers_section(ch) -> None:
    """For each outcome statement: the themes in order of how closely they go with it (with
    the regression's view, others held equal) and the statements that go with it most."""
    outcomes = outcomes_of(ch)
    if not outcomes:
        display(HTML("<p>No statement is marked as an outcome in the question bank, so no drivers are shown.</p>"))
        return
    if ch.meta.level != "respondents":
        display(HTML(f"<p>Drivers need one record per respondent; the {ch.year} data are counts, so none are shown.</p>"))
        return
    points = _points(ch)
    asked = ch.survey.questions[ch.survey.questions["year"] == ch.year]
    themes = {qid: theme for qid, theme in zip(asked["question_id"], asked["theme"], strict=True) if qid in points}
    outcomes = [o for o in outcomes if o in points]
    corr = drivers.correlations(points, themes, outcomes)
    reg = drivers.regression(points, themes, outcomes)
    link = ch.download_csv(download_table(corr, reg, ch), "drivers", "Download every correlation (CSV)") if ch.downloads else ""
    display(
        HTML(
            "<p>These figures show which parts of working life go together with the outcome statements, among all "
            f"staff who answered in {ch.year}. They are associations in one year's answers: they do not show that "
            "one causes the other, and they are never worked out for a single team, locality or role. "
            "A correlation runs from \u22121 to 1; 0 means no association. The method is in the methods appendix.</p>"
        )
    )
    for outcome in outcomes:
        _one_outcome(ch, outcome, corr[corr["outcome"] == outcome], reg[reg["outcome"] == outcome])
    if link:
        display(HTML(link))


def _one_outcome(ch, outcome: str, corr: pd.DataFrame, reg: pd.DataFrame) -> None:
    name = ch.bank.questions[outcome].short
    themes = corr[(corr["kind"] == "theme") & corr["rho"].notna()]
    if themes.empty:
        display(HTML(f"<p>Too few staff answered “{html_text(name)}” for drivers to be worked out.</p>"))
        return
    top = themes.iloc[0]
    display(
        HTML(
            f"<p>Of the themes, <strong>{html_text(ch.theme_title(top['item']))}</strong> goes most closely with "
            f"“{html_text(name)}” (correlation {_r(top['rho'])}, 95% interval {_interval(top['ci_low'], top['ci_high'])}, "
            f"{int(top['n'])} staff).</p>"
        )
    )
    beta = reg.set_index("theme")
    rows = []
    for r in themes.itertuples(index=False):
        held = beta.loc[r.item] if r.item in beta.index else None
        rows.append(
            {
                "Theme": ch.theme_title(r.item),
                "Correlation": _r(r.rho),
                "95% interval": _interval(r.ci_low, r.ci_high),
                "With the other themes held equal": "" if held is None else _r(held["beta"]),
                "Its 95% interval": "" if held is None else _interval(held["ci_low"], held["ci_high"]),
                "Staff": str(r.n),
            }
        )
    caption = f"Themes that go with “{name}”, all staff, {ch.year}"
    display(HTML(html_table(pd.DataFrame(rows), caption, css_class="hc-table hc-table-stack")))
    statements = corr[(corr["kind"] == "statement") & corr["rho"].notna()].head(TOP_STATEMENTS)
    short = {qid: q.short for qid, q in ch.bank.questions.items()}
    table = pd.DataFrame(
        {
            "Statement": [short.get(q, q) for q in statements["item"]],
            "Theme": [ch.theme_title(t) for t in statements["theme"]],
            "Correlation": [_r(v) for v in statements["rho"]],
            "95% interval": [_interval(a, b) for a, b in zip(statements["ci_low"], statements["ci_high"], strict=True)],
            "Staff": [str(n) for n in statements["n"]],
        }
    )
    caption = f"The {len(table)} statements that go most with “{name}”, all staff, {ch.year}"
    display(HTML(html_table(table, caption, css_class="hc-table hc-table-stack")))
