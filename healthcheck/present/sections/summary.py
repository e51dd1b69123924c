"""The summary chapter: one screen of findings, then the themes at a glance, then what will be done.

The findings are written from the data by these rules, in this order (each thing said once):

1. the best result: the statement with the highest percentage agreeing this year;
2. the worst result: the statement with the lowest (a different statement from the best);
3. every significant rise, each statement named with its change;
4. every significant fall, each statement named with its change;
5. where benchmark files exist, how many statements are significantly above and below England
   and the region, naming the largest gap each way, and the overall rank with its interval.

Statements whose figure is suppressed are never named. The themes at a glance give each theme's
score and its change on the statements asked in both years (``stats.theme_changes``), in the
one vocabulary of :mod:`healthcheck.present.change`.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from healthcheck.analysis import comparators as benchmarks
from healthcheck.analysis import ranks as ranking
from healthcheck.analysis import stats
from healthcheck.analysis.rounding import round_to
from healthcheck.escape import html_text, myst_text
from healthcheck.present import change
from healthcheck.present.charts.headlines import headline_tiles
from healthcheck.present.sections.conclusions import recommendations
from healthcheck.present.sentences import gap_phrase, pct, plural, points_phrase

#: The columns of the themes-at-a-glance download (and of the tiles).
TILE_COLUMNS = [
    "Theme",
    "Theme score (%)",
    "Statements",
    "Statements compared",
    "Compared with",
    "Score on compared statements (%)",
    "Earlier score on compared statements (%)",
    "Change (points)",
    "Change state",
    "Not tested because",
    "Significant rises",
    "Significant falls",
    "No significant change",
    "Not tested",
]


def _shown(ch) -> pd.DataFrame:
    figs = ch.figures
    return figs[~figs["suppressed"].astype(bool) & figs["pct_positive"].notna()]


def statement_states(ch) -> pd.DataFrame:
    """Each statement of the year with its change state (:func:`change.state_of`)."""
    figs = ch.figures.reset_index(drop=True)
    first = ch.prev_year is None
    states = [change.state_of(r, ch.survey.questions, first_year=first) for _, r in figs.iterrows()]
    return figs.assign(state=[c.state for c in states], reason=[c.reason or "" for c in states], change=states)


def headline_rows(ch) -> pd.DataFrame:
    """Per theme: the theme score, its change on the statements asked in both years, and its statements' states."""
    changes = stats.theme_changes(ch.figures).set_index("theme")
    states = statement_states(ch)
    rows = []
    for theme, spec in ch.bank.themes.items():
        if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
            continue
        row = changes.loc[theme]
        mine = states[states["theme"] == theme]
        counts = mine["state"].value_counts()
        compared = int(row["n_compared"])
        since = "/".join(str(y) for y in row["prev_years"])
        theme_change = change.theme_state(row["change_pts"] if compared else None, row["prev_years"][-1] if compared else None)
        if compared == 1:
            # an "average" of one statement is that statement's change, which was tested: say
            # its result, not "not tested" beside the tile's count of one significant change
            tested = [c for c in mine["change"] if c.state != change.NOT_TESTED]
            if len(tested) == 1:
                theme_change = tested[0]
        rows.append(
            {
                "theme": theme,
                "theme_title": spec.title,
                "headline_pct": row["score"],
                "n_questions": int(row["n_questions"]),
                "n_compared": compared,
                "since": since,
                "compared_score": row["compared_score"],
                "prev_score": row["prev_score"],
                "change_pts": row["change_pts"],
                "change": theme_change,
                "headline_label": f"average agreement across {plural(int(row['n_questions']), 'statement')}",
                "change_text": theme_change_text(ch, row, theme_change),
                **{state: int(counts.get(state, 0)) for state in change.STATES},
            }
        )
    return pd.DataFrame(rows)


def theme_change_text(ch, row, theme_change: change.Change | None = None) -> str:
    """A theme's change in one line: what moved, on how many statements, and that it is not
    tested (an average); or, when `theme_change` is the one compared statement's tested change,
    that statement's result."""
    if ch.prev_year is None:
        return f"{change.SHAPES[change.NOT_TESTED]} {ch.year} is the first year"
    n = int(row["n_compared"])
    if not n:
        return f"{change.SHAPES[change.NOT_TESTED]} not compared: no statement asked in both years in the same words"
    since = "/".join(str(y) for y in row["prev_years"])
    on = "the one statement" if n == 1 else f"the {n} statements"
    tested = theme_change is not None and theme_change.state != change.NOT_TESTED
    result = theme_change.state if tested else "an average, not tested"
    shape = theme_change.shape if tested else change.SHAPES[change.NOT_TESTED]
    return (
        f"{shape} {points_phrase(row['change_pts'])} since {since} on {on} "
        f"asked in both years ({pct(row['prev_score'])} to {pct(row['compared_score'])}; {result})"
    )


def tile_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The themes at a glance as a download: one row per theme, the change state in words."""
    out = []
    for _, r in rows.iterrows():
        compared = bool(r["n_compared"])
        out.append(
            {
                "Theme": r["theme_title"],
                "Theme score (%)": round_to(r["headline_pct"], 1),
                "Statements": r["n_questions"],
                "Statements compared": r["n_compared"],
                "Compared with": r["since"],
                "Score on compared statements (%)": round_to(r["compared_score"], 1) if compared else "",
                "Earlier score on compared statements (%)": round_to(r["prev_score"], 1) if compared else "",
                "Change (points)": round_to(r["change_pts"], 1) if compared else "",
                "Change state": r["change"].state,
                "Not tested because": r["change"].reason or "",
                "Significant rises": r[change.RISE],
                "Significant falls": r[change.FALL],
                "No significant change": r[change.NO_CHANGE],
                "Not tested": r[change.NOT_TESTED],
            }
        )
    return pd.DataFrame(out, columns=TILE_COLUMNS)


# ------------------------------------------------------------------------------- findings


def _named(row) -> str:
    return f"\u201c{myst_text(row['short'])}\u201d"


def _change_list(rows: pd.DataFrame, say_year: bool) -> str:
    """'"A" (82%, up 7 points) and "B" (...)', each with its earlier year when they differ."""
    items = [
        f"{_named(r)} ({pct(r['pct_positive'])}, {points_phrase(r['change_pts'])}"
        + (f" since {int(r['prev_year'])})" if say_year else ")")
        for _, r in rows.iterrows()
    ]
    if len(items) <= 2:
        return " and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def findings(ch) -> list[str]:
    """The four to six findings of the year, by the rules in the module docstring (MyST lines)."""
    shown = _shown(ch)
    out = []
    if shown.empty:
        return [f"No statement had enough responses in {ch.year} to report a figure."]
    ordered = shown.sort_values("pct_positive", ascending=False, kind="stable")
    best, worst = ordered.iloc[0], ordered.iloc[-1]
    out.append(
        f"**Highest result:** {pct(best['pct_positive'])} agreed that {_named(best)} "
        f"({myst_text(ch.theme_title(best['theme']))})."
    )
    if worst["question_id"] != best["question_id"]:
        out.append(
            f"**Lowest result:** {pct(worst['pct_positive'])} agreed that {_named(worst)} "
            f"({myst_text(ch.theme_title(worst['theme']))})."
        )
    states = statement_states(ch)
    states = states[~states["suppressed"].astype(bool)]
    rises = states[states["state"] == change.RISE].sort_values("change_pts", ascending=False, kind="stable")
    falls = states[states["state"] == change.FALL].sort_values("change_pts", kind="stable")
    tested = int(states["state"].isin([change.RISE, change.FALL, change.NO_CHANGE]).sum())
    if ch.prev_year is None:
        out.append(f"{ch.year} is the first year of the survey, so nothing is compared with an earlier year.")
    elif not tested:
        out.append("No statement could be tested against an earlier year.")
    else:
        years = sorted({int(y) for y in pd.concat([rises, falls])["prev_year"].dropna()})
        since = f" since {years[0]}" if len(years) == 1 else ""
        of = f" (of {tested} tested)"  # said once, on the first of the two lines
        for rows, state, verb in ((rises, change.RISE, "rose"), (falls, change.FALL, "fell")):
            if rows.empty:
                out.append(f"{change.SHAPES[state]} **No statement {verb} significantly{since}**{of}.")
            else:
                out.append(
                    f"{change.SHAPES[state]} **{plural(len(rows), 'statement')} {verb} significantly{since}**"
                    f"{of}: {_change_list(rows, say_year=not since)}."
                )
            of = ""
    out += benchmark_findings(ch)
    return out


def benchmark_comparison(ch) -> pd.DataFrame | None:
    """Every statement against England and the region (``comparators.compare_with_benchmarks``), or None."""
    files = ch.benchmarks()
    if files.benchmarks is None:
        return None
    org_id = ch.settings.org_id or None
    known = files.organisations is not None and org_id and org_id in set(files.organisations["org_id"])
    return benchmarks.compare_with_benchmarks(
        ch.figures,
        files.benchmarks,
        org_id=org_id if known else None,
        org_counts=files.organisations if known else None,
        region=ch.settings.region or None,
        threshold=ch.threshold,
    )


def benchmark_findings(ch) -> list[str]:
    """How we compare with England and the region: counts above and below, the largest gap each way, the rank."""
    table = benchmark_comparison(ch)
    if table is None or table.empty:
        return []
    shorts = {q: spec.short for q, spec in ch.bank.questions.items()}
    parts = []
    for scope in (benchmarks.NATIONAL, benchmarks.REGION):
        mine = table[table["scope"] == scope]
        if mine.empty:
            continue
        name = myst_text(str(mine["name"].iloc[0]))
        higher = mine[mine["result"] == "higher"].sort_values("diff_pts", ascending=False, kind="stable")
        lower = mine[mine["result"] == "lower"].sort_values("diff_pts", kind="stable")
        tested = int(mine["result"].isin(["higher", "lower", "no significant difference"]).sum())
        if not tested:
            continue
        if not len(higher) and not len(lower):
            text = f"against {name}, none of the {tested} statements tested differed significantly"
        else:
            # a count of nought is said in words ("none significantly lower"), never "0"
            text = (
                f"against {name}, {len(higher) or 'none'} of {tested} statements tested "
                f"{'was' if len(higher) == 1 else 'were'} significantly higher "
                f"and {len(lower) or 'none'} significantly lower"
            )
        gaps = []
        if len(higher):
            top = higher.iloc[0]
            gaps.append(f"most above: \u201c{myst_text(shorts[top['question_id']])}\u201d, {gap_phrase(top['diff_pts'])}")
        if len(lower):
            low = lower.iloc[0]
            gaps.append(f"most below: \u201c{myst_text(shorts[low['question_id']])}\u201d, {gap_phrase(low['diff_pts'])}")
        parts.append(text + (f" ({'; '.join(gaps)})" if gaps else ""))
    out = []
    if parts:
        out.append("**Beside other organisations:** " + "; ".join(parts) + ".")
    ranked = rank_sentences(ch)
    if ranked:
        out.append("**Overall rank** (average of the statements every organisation asked): " + " and ".join(ranked) + ".")
    return out


def show_findings(ch) -> None:
    """The findings as a list."""
    display(Markdown("\n".join(f"- {line}" for line in findings(ch))))


# ------------------------------------------------------------------------------- themes at a glance


def themes_at_a_glance(ch) -> None:
    """One tile per theme (HTML that reflows on a phone), with its data as a download."""
    rows = headline_rows(ch)
    if rows.empty:
        display(HTML(f"<p>No theme had a figure to report in {ch.year}.</p>"))
        return
    table = tile_table(rows)
    link = ch.download_csv(table, "themes-at-a-glance", "Download the themes at a glance (CSV)")
    key = " ".join(f"{change.SHAPES[s]} {s}" for s in change.STATES)
    display(HTML(headline_tiles(rows) + f'<p class="hc-key">Key to statements: {html_text(key)}.</p>' + link))


# ------------------------------------------------------------------------------- what will be done


def actions(ch) -> None:
    """This year's recommendations, each with its owner and date, linked to the conclusions."""
    current = recommendations(ch).get("current") or []
    if not current:
        display(Markdown(f"No recommendations are recorded for {ch.year} yet."))
        return
    lines = []
    for r in current:
        who = []
        if str(r.get("owner", "")).strip():
            who.append(f"owner: {myst_text(r['owner'])}")
        if str(r.get("due", "")).strip():
            who.append(f"by {myst_text(r['due'])}")
        ident = f"**{myst_text(str(r.get('id', '')))}** " if str(r.get("id", "")).strip() else ""
        lines.append(f"- {ident}{myst_text(r['recommendation'])}" + (f" ({', '.join(who)})" if who else ""))
    lines.append("")
    lines.append("Measures of success and the statements each answers are in [the conclusions](conclusions.html).")
    display(Markdown("\n".join(lines)))


# ------------------------------------------------------------------------------- the page's words


def who_took_part(ch) -> str:
    """Who was heard this year, in words; parts with nothing to report are left out."""
    y = ch.survey.years[ch.year]
    parts = []
    if y.n_respondents:
        text = f"**{y.n_respondents}** staff in the survey"
        if y.response_rate is not None:
            text += f" ({pct(y.response_rate)} of those in scope)"
        parts.append(text)
    fg = ch.meta.focus_groups
    if fg and fg.held and fg.participants:
        parts.append(f"**{fg.participants}** in {plural(fg.held, 'focus group')}")
    return " and ".join(parts)


def glue(ch) -> None:
    org = myst_text(ch.settings.organisation)
    heard = who_took_part(ch)
    report = f"The {ch.year} {myst_text(ch.settings.report_title)} of {org} {myst_text(ch.settings.service)}"
    text = f"{report} heard from {heard}." if heard else f"{report} is based on the figures published for {ch.year}."
    ch.glue_md("summary_intro", text)
    ch.glue_md(
        "summary_downloads",
        f"Every chart's data can be downloaded beside the chart, and all of them together as one workbook: "
        # The ODS first: the open standard a public body publishes in; the XLSX for Excel.
        f"[all figure data for {ch.year} (ODS)]({ch.downloads_href}/{ch.year}-all-figure-data.ods), "
        f"the same [as an Excel workbook (XLSX)]({ch.downloads_href}/{ch.year}-all-figure-data.xlsx).",
    )


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
