"""The summary chapter: who took part, the headline figure of each theme and how it changed."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown, display

from healthcheck.analysis import benchmarks, stats
from healthcheck.analysis import ranks as ranking
from healthcheck.analysis.rounding import round_columns
from healthcheck.escape import myst_text
from healthcheck.present import charts, sentences
from healthcheck.present.sentences import pct, pts


def headline_rows(ch) -> pd.DataFrame:
    """Per theme: the theme score, its honest change, and the theme's best-answered statement."""
    changes = stats.theme_changes(ch.figures).set_index("theme")
    rows = []
    for theme, spec in ch.bank.themes.items():
        if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
            continue
        row = changes.loc[theme]
        n = int(row["n_questions"])
        change = "first year reported" if ch.prev_year is None else "not compared: no statement asked in both years"
        if row["n_compared"]:
            diff = row["change_pts"]
            arrow = "\u25b2" if pts(diff).startswith("+") else "\u25cf" if pts(diff) == "no change" else "\u25bc"
            years = "/".join(str(y) for y in row["prev_years"])
            if row["n_compared"] == 1:
                change = f"{arrow} {pts(diff)} since {years} on the one statement asked in both; "
            else:
                # An average of several statements is not tested: say which statements really moved.
                n_both = int(row["n_compared"])
                change = f"{arrow} {pts(diff)} since {years} on the {n_both} statements asked in both (not tested); "
            change += sentences.significant_changes(ch, theme, say_since=False)
        figs = ch.theme_figures(theme)
        figs = figs[~figs["suppressed"].astype(bool) & figs["pct_positive"].notna()]
        lead = figs.sort_values("pct_positive", ascending=False, kind="stable").iloc[0]
        rows.append(
            {
                "theme": theme,
                "theme_title": spec.title,
                "headline_pct": row["score"],
                "headline_label": f"average agreement across {n} statement{'s' if n != 1 else ''}",
                "change_text": change,
                "lead_statement": lead["short"],
                "lead_pct": lead["pct_positive"],
            }
        )
    return pd.DataFrame(
        rows, columns=["theme", "theme_title", "headline_pct", "headline_label", "change_text", "lead_statement", "lead_pct"]
    )


def who_took_part(ch) -> str:
    """Who was heard this year, in words; parts with nothing to report are left out."""
    y = ch.survey.years[ch.year]
    parts = []
    if y.n_respondents:
        parts.append(f"**{y.n_respondents}** staff in the survey")
    fg = ch.meta.focus_groups
    if fg and fg.held and fg.participants:
        parts.append(f"**{fg.participants}** in {fg.held} focus group{'s' if fg.held != 1 else ''}")
    return " and ".join(parts)


def glue(ch) -> None:
    org = myst_text(ch.settings.organisation)
    heard = who_took_part(ch)
    report = f"The {ch.year} {myst_text(ch.settings.report_title)} of {org} {myst_text(ch.settings.service)}"
    text = f"{report} heard from {heard}." if heard else f"{report} is based on the figures published for {ch.year}."
    ch.glue_md("summary_intro", text + " This page gives the headline figure of each theme and how it has changed.")
    compared = ", ".join(str(v) for v in ch.survey.year_list if v < ch.year) or "no earlier year"
    ch.glue_md(
        "summary_about",
        f"This report covers the survey year {ch.year} and compares it with {compared}. The chapters that follow "
        "give every statement, the change since the last survey with whether it is significant, breakdowns by group "
        "where numbers allow, and what colleagues said in their own words.",
    )
    ch.glue_md(
        "summary_downloads",
        f"Every chart's data can be downloaded beside the chart, and all of them together as one workbook: "
        f"[all figure data for {ch.year} (XLSX)](../downloads/{ch.year}-all-figure-data.xlsx).",
    )


def headline_infographic(ch) -> None:
    rows = headline_rows(ch)
    fig = charts.headline_infographic(
        rows,
        title=f"{ch.settings.report_title} {ch.year}",
        subtitle=f"{ch.settings.organisation}: % of staff agreeing, by theme",
    )
    alt = f"Headline figures of the {ch.year} health check by theme. " + "; ".join(
        f"{r.theme_title}: {pct(r.headline_pct)}, {r.change_text}" for r in rows.itertuples()
    )
    data = rows.rename(columns={"theme_title": "Theme", "headline_pct": "Theme score (%)", "change_text": "Change"})[
        ["Theme", "Theme score (%)", "Change"]
    ].pipe(round_columns, 1)
    ch.show_figure(fig, "headlines", f"Headline figures by theme, {ch.year}.", alt, data)


def headline_list(ch) -> None:
    rows = headline_rows(ch)
    items = "".join(
        f"<li><strong>{html.escape(r.theme_title)}: {pct(r.headline_pct)}</strong> {html.escape(r.headline_label)}; "
        f"{html.escape(r.change_text)}. Highest: {html.escape(r.lead_statement)} ({pct(r.lead_pct)}).</li>"
        for r in rows.itertuples()
    )
    display(HTML(f'<ul class="hc-headlines">{items}</ul>'))


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_sentences(ch) -> list[str]:
    """Our overall rank nationally and in our region, each with its 95% interval and last year's rank."""
    org_id = ch.settings.org_id
    now = ch.benchmarks().organisations
    if not org_id or now is None or org_id not in set(now["org_id"]):
        return []
    before = ch.benchmarks(ch.prev_year).organisations if ch.prev_year else None
    sentences = []
    for scope in (benchmarks.NATIONAL, benchmarks.REGION):
        this = ranking.ranks(now, org_id, scope, threshold=ch.threshold)
        if this["rank"] is None:
            continue
        where = "nationally" if scope == benchmarks.NATIONAL else f"in {myst_text(this['name'])}"
        text = (
            f"**{ordinal(int(this['rank']))}** of {int(this['n_organisations'])} organisations {where} "
            f"(95% interval {ordinal(int(this['rank_low']))} to {ordinal(int(this['rank_high']))}"
        )
        if before is not None and org_id in set(before["org_id"]):
            last = ranking.ranks(before, org_id, scope, n_boot=1, threshold=ch.threshold)["rank"]
            text += f"; {ordinal(int(last))} in {ch.prev_year}" if last is not None else ""
        sentences.append(text + ")")
    return sentences


def ranks(ch) -> None:
    """Where we stand among other organisations: ranks with their intervals, never a bare league position."""
    found = rank_sentences(ch)
    if not found:
        return
    text = (
        "On the overall score (the average of the statements every organisation asked), we ranked "
        + " and ".join(found)
        + ". A rank is given with the range it could plausibly take by chance, because small differences "
        "between organisations move it a long way."
    )
    display(Markdown(text))
