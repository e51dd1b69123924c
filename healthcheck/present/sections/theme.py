"""A theme chapter, run once per theme of the question bank: its statements, voices, changes and groups."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from healthcheck.analysis import comparators as benchmarks
from healthcheck.analysis.breakdowns import generalised_speaker, group_sizes
from healthcheck.analysis.rounding import format_change, round_to
from healthcheck.data.codes import RESPONSE_LABELS
from healthcheck.escape import html_text, myst_text
from healthcheck.present import change, charts, sentences
from healthcheck.present.chapter import SOURCE_SINGULAR, sources_in_words
from healthcheck.present.charts.style import NARROW_IN, WIDE_IN
from healthcheck.present.sentences import pct
from healthcheck.present.tables import html_table


def glue(ch, theme: str) -> None:
    """Glue the theme's title, opening paragraph (both from the question bank) and score sentence."""
    spec = ch.bank.themes[theme]
    ch.glue_md("theme_title", myst_text(spec.title))
    ch.glue_md("theme_intro", myst_text(spec.intro) if spec.intro.strip() else "")
    ch.glue_md("theme_sentence", sentences.theme_sentence(ch, theme))
    ch.glue_md("voices_intro", voices_sentence(ch, theme))


def highlights(ch, theme: str) -> None:
    """The theme's highlighted statements (question bank `highlights`): a heading, a sentence, the figures."""

    figs = ch.theme_figures(theme).set_index("question_id")
    blocks = []
    for highlight in ch.bank.themes[theme].highlights:
        parts = [f"### {myst_text(highlight.heading)}"]
        if highlight.text.strip():
            parts.append(myst_text(highlight.text))
        for qid in highlight.statements:
            if qid in figs.index:
                parts.append(sentences.question_sentence(ch, figs.loc[qid].to_frame().T.assign(question_id=qid).iloc[0]))
            else:
                short = ch.bank.questions[qid].short
                parts.append(f"The statement \u201c{myst_text(short)}\u201d was not asked in {ch.year}.")
        blocks.append("\n\n".join(parts))
    if blocks:
        display(Markdown("\n\n".join(blocks)))


def response_distribution(ch, theme: str) -> pd.DataFrame:
    """The data the theme's response chart plots (charts.likert_data), for readers to open beside it."""
    data = charts.likert_data(ch.survey.counts, ch.survey.questions, ch.year, theme, threshold=ch.threshold)
    data = data[data["shown"]]
    out = pd.DataFrame({"Code": data["question_id"], "Statement": data["statement"]})
    for code in charts.LIKERT_ORDER[::-1]:  # strongly agree first, as the sentences read
        out[f"{RESPONSE_LABELS[code]} (%)"] = data[code].map(lambda v: round_to(v, 1))
    out["Valid responses"] = data["n_valid"]
    return out.reset_index(drop=True)


def voices_sentence(ch, theme: str) -> str:
    """Where this year's quotes on the theme come from, in words (focus groups, survey comments or both)."""
    quotes = ch.voices("quotes.csv")
    if quotes.empty:
        return ""
    mine = quotes[quotes["theme"].str.strip() == theme]
    if mine.empty:
        return ""
    title = myst_text(ch.theme_title(theme).lower())
    n = len(mine)
    said = f"{NUMBER_WORDS[n].capitalize()} thing{'s' if n != 1 else ''}" if n in NUMBER_WORDS else f"{n} things"
    return f"{said} colleagues said about {title} in {sources_in_words(set(mine['source']))}."


#: Numbers that start a sentence are written as words.
NUMBER_WORDS = dict(enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")))


def quotes(ch, theme: str) -> None:
    """Pull quotes for the theme, each with its speaker's role and source, marked when illustrative."""
    quotes = ch.voices("quotes.csv")
    if quotes.empty:
        display(HTML(f"<p>No quotes are recorded for {ch.year}.</p>"))
        return
    quotes = quotes[quotes["theme"].str.strip() == theme]
    if quotes.empty:
        display(HTML("<p>No quotes on this theme were recorded this year.</p>"))
        return
    # An attribution that names a group of fewer staff than the threshold could identify the
    # speaker: it is generalised unless the analyst confirmed it (`confirmed` = yes).
    sizes = group_sizes(ch.survey.counts, ch.year)
    confirmed = quotes["confirmed"] if "confirmed" in quotes.columns else pd.Series("", index=quotes.index)
    illustrative = quotes["illustrative"].str.strip().str.lower() == "yes"
    every = bool(illustrative.all())
    blocks = []
    for q, ok, made_up in zip(quotes.itertuples(), confirmed.str.strip().str.lower() == "yes", illustrative, strict=True):
        speaker = q.speaker if ok else generalised_speaker(q.speaker, sizes, ch.threshold)
        # One label for the section when every quote is illustrative; else each one says so.
        note = ' <span class="hc-illustrative">(illustrative)</span>' if made_up and not every else ""
        blocks.append(
            f'<figure class="hc-quote"><blockquote><p>{html_text(q.quote)}</p></blockquote>'
            f"<figcaption>{html_text(speaker)}, {html_text(SOURCE_SINGULAR[q.source])}{note}</figcaption></figure>"
        )
    label = '<p class="hc-illustrative">Illustrative quotes, written for the demonstration.</p>' if every else ""
    display(HTML(label + '<div class="hc-quotes">' + "".join(blocks) + "</div>"))


def survey_chart(ch, theme: str) -> None:
    """The diverging bar chart of every answer to the theme's statements, with its data."""
    title = ch.theme_title(theme)
    if ch.theme_figures(theme).empty:  # a theme added later, or none of its statements asked this year
        display(HTML(f"<p>None of the statements on {html_text(title.lower())} was asked in {ch.year}.</p>"))
        return
    if ch.survey.years[ch.year].published_only:  # no answers to chart, only percentages
        display(
            HTML(
                f"<p>Only the published percentages of {ch.year} are known, not every answer, so there is no chart "
                "of the answers; the percentages are in the table of changes below.</p>"
            )
        )
        return
    figs = ch.theme_figures(theme)
    fig, narrow = (
        charts.likert(
            ch.survey.counts,
            ch.survey.questions,
            ch.year,
            theme,
            theme_title=title,
            threshold=ch.threshold,
            figures=figs,
            width=w,
        )
        for w in (WIDE_IN, NARROW_IN)
    )
    data = response_distribution(ch, theme)
    ch.show_figure(
        fig,
        f"{theme}-responses",
        f"Answers to the statements on {title.lower()}, {ch.year}: percent of valid responses.",
        fig.alt_text,
        data,
        narrow=narrow,
    )


def changes(ch, theme: str) -> None:
    """This year, last year, change and significance for each statement, in words and symbols."""
    figs = ch.theme_figures(theme)
    table = charts.change_table(figs, ch.survey.questions, threshold=ch.threshold)
    # The one vocabulary of change (present/change.py): the table says each state in its words
    # and shape, and the download adds the state and the reason as columns of their own.
    states = [change.state_of(r, ch.survey.questions, first_year=ch.prev_year is None) for _, r in figs.iterrows()]
    table["Significance"] = [c.label for c in states]
    if ch.downloads:
        download = pd.DataFrame(
            {
                "Code": list(figs["question_id"]),
                "Statement": table["Statement"],
                "This year": table["This year"],
                "Last year": table["Last year"],
                "Change (points)": table["Change"],
                "Change state": [c.state for c in states],
                "Not tested because": [c.reason or "" for c in states],
            }
        )
        ch.download_csv(download, f"{theme}-change")
    caption = f"{ch.theme_title(theme)}: change since the last comparable survey"
    # Through html_table so that on a phone each
    # statement becomes a card (five columns do not fit 360 pixels).
    display(HTML(html_table(table, caption, css_class="hc-table healthcheck-change-table hc-table-stack")))


def breakdowns(ch, theme: str) -> None:
    """One chart per breakdown (team, locality, role) with its data; hidden and small cells marked.

    Every breakdown of the year is protected together (`Survey.breakdowns`): no hidden figure
    can be worked out from everything the book publishes.
    """
    group_types = list(ch.meta.breakdown_columns) if ch.meta.level == "respondents" else []
    if not group_types:
        display(HTML(f"<p>The {ch.year} data hold no team, locality or role, so there are no breakdowns.</p>"))
        return
    title = ch.theme_title(theme)
    caution = ch.settings.caution_threshold
    table = ch.survey.breakdowns(ch.year)
    table = table[(table["theme"] == theme) & table["group_type"].isin(group_types)]
    display(Markdown(suppression_note(ch, title, table)))
    figs = ch.theme_figures(theme)
    average = dict(zip(figs["question_id"], figs["pct_positive"].where(~figs["suppressed"].astype(bool)), strict=True))
    for group_type in group_types:
        part = table[table["group_type"] == group_type]
        if part.empty:
            continue
        fig, narrow = (
            charts.breakdown_dots(
                part, ch.survey.questions, group_type, average, year=ch.year, threshold=ch.threshold, caution=caution, width=w
            )
            for w in (WIDE_IN, NARROW_IN)
        )
        ch.show_figure(
            fig,
            f"{theme}-by-{group_type}",
            # one sentence with the chart's own name: two charts may well have the same counts
            f"{title}: percent agreeing by {group_type} against the whole service, {ch.year}; "
            f"{cell_counts(part, ch.threshold, caution)}",
            fig.alt_text,
            breakdown_table(part, group_type),
            narrow=narrow,
        )


def _counts(part) -> tuple[int, int, int, int]:
    """(cells, fewer than the threshold, hidden to protect them, shown with a small base)."""
    suppressed = part["suppressed"].astype(bool)
    few = suppressed & part["reason"].astype(str).str.startswith("fewer than")
    return len(part), int(few.sum()), int((suppressed & ~few).sum()), int(part["caution"].astype(bool).sum())


def cell_counts(part, threshold: int, caution: int) -> str:
    """A breakdown chart's own counts for its caption: how many cells are shown, and why the rest are not."""
    n, few, hidden, small = _counts(part)
    shown = n - few - hidden
    text = f"{shown} of {n} cells shown"
    why = []
    if few:
        why.append(f"{few} with fewer than {threshold} responses (<{threshold})")
    if hidden:
        why.append(f"{hidden} hidden to protect them")
    if why:
        text += "; " + " and ".join(why)
    if small:
        text += f"; {small} marked * rest on fewer than {caution} responses"
    return text + "."


def suppression_note(ch, title: str, table) -> str:
    """The chapter's one note on suppression, with its own counts (every breakdown of the theme together)."""
    n, few, hidden, _ = _counts(table)
    if not n:
        return f"No group figures on {title.lower()} are available for {ch.year}."
    if not few and not hidden:
        return f"All {n} group figures on {title.lower()} are shown."
    return (
        f"Of {n} group figures on {title.lower()}, {few} are not shown because the group gave fewer than "
        f"{ch.threshold} valid responses, and {hidden} more are hidden so that those cannot be worked out from the rest."
    )


def breakdown_table(part, group_type: str):
    """A breakdown's data for readers (and the CSV): figures of shown cells, the reason for hidden ones."""
    # Short notes: the chapter's suppression note explains them once.
    few = part["reason"].astype(str).str.startswith("fewer than")
    note = part["reason"].where(few, "hidden to protect a small group").where(part["suppressed"], "")
    note = note.where(~part["caution"], "caution: a small base")
    return pd.DataFrame(
        {
            "Code": part["question_id"],
            "Statement": part["short"],
            group_type.capitalize(): part["group"],
            "% agreeing": part["pct_positive"].map(lambda v: "" if pd.isna(v) else pct(v)),
            "Valid responses": part["n_valid"].map(lambda v: "" if pd.isna(v) else int(v)),
            "Note": note,
        }
    ).reset_index(drop=True)


RESULT_WORDS = {
    "higher": "higher, a significant difference",
    "lower": "lower, a significant difference",
    "no significant difference": "no significant difference",
    "not tested": "not tested (the benchmark has no known base, or no other organisation)",
    "not in benchmark": "not in the benchmark",
    "suppressed": "not compared: too few of our responses",
    "benchmark suppressed": "not compared: the benchmark has too few responses",
}


def comparisons(ch, theme: str) -> None:
    """Each statement for us, our region and England, with the difference in points and whether it is real."""
    files = ch.benchmarks()
    if files.benchmarks is None:
        display(HTML(f"<p>No figures of other organisations are held for {ch.year}.</p>"))
        return
    figs = ch.theme_figures(theme)
    org_id = ch.settings.org_id or None
    known = files.organisations is not None and org_id and org_id in set(files.organisations["org_id"])
    table = benchmarks.compare_with_benchmarks(
        figs,
        files.benchmarks,
        org_id=org_id if known else None,
        org_counts=files.organisations if known else None,
        region=ch.settings.region or None,
        threshold=ch.threshold,
    )
    rows = []
    for qid, part in table.groupby("question_id", sort=False):
        row = {"Code": qid, "Statement": ch.bank.questions[qid].short, "Us": _pct_or_dash(part["pct_positive"].iloc[0])}
        for r in part.itertuples():
            row[r.name] = _pct_or_dash(r.benchmark_pct)
            difference = "" if pd.isna(r.diff_pts) else f"{format_change(r.pct_positive, r.benchmark_pct)}, "
            row[f"Difference from {r.name}"] = difference + RESULT_WORDS.get(r.result, r.result)
        rows.append(row)
    data = pd.DataFrame(rows)
    ch.download_csv(data, f"{theme}-benchmarks")
    caption = f"{ch.theme_title(theme)}: our figures beside other organisations, {ch.year}"
    if files.source:
        caption += f" (benchmark figures: {files.source})"
    display(HTML(html_table(data, caption, css_class="hc-table hc-table-stack")))


def _pct_or_dash(value) -> str:
    return "\u2013" if pd.isna(value) else pct(value)
