"""The introduction: how the health check was done, the year in context and what was heard most."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.escape import html_text, myst_text
from healthcheck.present import charts
from healthcheck.present.chapter import long_date, sources_in_words
from healthcheck.present.charts.style import NARROW_IN, WIDE_IN
from healthcheck.present.sentences import pct


def glue(ch) -> None:
    y = ch.survey.years[ch.year]
    meta = ch.meta
    ch.glue_md(
        "intro_what",
        f"The {myst_text(ch.settings.report_title)} is {myst_text(ch.settings.organisation)}'s yearly conversation with "
        f"the staff of {myst_text(ch.settings.service)}: a survey of agreement with statements about their work, and "
        f"what colleagues say in their own words. This report sets out what staff said in {ch.year}, how that "
        "compares with earlier years, and what is being done in response.",
    )
    if y.published_only:
        survey = f"The figures for {ch.year} are those originally published; no survey records are held"
        if y.n_respondents:
            survey += f". The largest published base is **{y.n_respondents}** responses"
    else:
        survey = f"The survey received **{y.n_respondents}** responses"
    if meta.fieldwork:
        survey += f"; it was open from {long_date(meta.fieldwork.survey_open)} to {long_date(meta.fieldwork.survey_close)}"
    if y.response_rate is not None:
        survey += f", a response rate of **{pct(y.response_rate)}** of the {meta.workforce} staff in scope"
    ch.glue_md("intro_survey", survey + ".")
    ch.glue_md("intro_focus_groups", focus_group_sentence(ch))
    ch.glue_md("intro_context", myst_text(meta.context) if meta.context.strip() else "")
    ch.glue_md("threshold", str(ch.threshold))


def focus_group_sentence(ch) -> str:
    """How many focus groups met and who took part; empty when none are recorded."""
    fg, workforce = ch.meta.focus_groups, ch.meta.workforce
    if not fg or not fg.held:
        return ""
    text = f"**{fg.held}** focus group{'s were' if fg.held != 1 else ' was'} held"
    if fg.first and fg.last:
        text += f" between {fg.first:%B} and {fg.last:%B %Y}"
    if fg.participants:
        text += f", with **{fg.participants}** staff taking part"
        if workforce:
            text += f", **{pct(100 * fg.participants / workforce)}** of the workforce"
    return text + "."


def context_indicators(ch) -> None:
    """The workforce indicators in every year held, with their sources (see
    :mod:`healthcheck.present.sections.indicators`)."""
    from healthcheck.present.sections.indicators import context_indicators as across_years

    across_years(ch)


def word_clouds(ch) -> None:
    """This year's word cloud, and last year's beside it when there is one."""
    shown = False
    for year in [ch.year] + ([ch.prev_year] if ch.prev_year else []):
        words = ch.voices("words.csv", year)
        if words.empty:
            continue
        where = sources_in_words(set(words["source"]))
        words = words.assign(count=pd.to_numeric(words["count"]))[["word", "count"]]
        words = words.sort_values(["count", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
        show_cloud(ch, words, where, year, "word-cloud" if year == ch.year else f"word-cloud-previous-{year}")
        shown = True
    if not shown:
        display(HTML("<p>No word list is recorded for this year.</p>"))


def word_changes(ch) -> None:
    """The words colleagues used more and less often than last year, with counts; this year's cloud after."""
    from healthcheck.present.charts.words import word_changes as chart
    from healthcheck.present.charts.words import word_changes_data

    now = ch.voices("words.csv", ch.year)
    before = ch.voices("words.csv", ch.prev_year) if ch.prev_year else pd.DataFrame()
    if now.empty:
        display(HTML("<p>No word list is recorded for this year.</p>"))
        return
    if before.empty:
        word_clouds(ch)
        return
    data = word_changes_data(now, before)
    where = sources_in_words(set(now["source"]) | set(before["source"]))
    total_now, total_before = int(pd.to_numeric(now["count"]).sum()), int(pd.to_numeric(before["count"]).sum())
    display(
        HTML(
            f"<p>How often words came up in {html_text(where)}: {total_before} mentions of listed words in "
            f"{ch.prev_year} and {total_now} in {ch.year}. The chart shows the words whose counts rose and fell "
            "most; the counts are not tested, and depend on how many took part.</p>"
        )
    )
    fig, narrow = (chart(data, ch.year, ch.prev_year, width=w) for w in (WIDE_IN, NARROW_IN))
    table = data.rename(
        columns={"word": "Word", "before": str(ch.prev_year), "now": str(ch.year), "change": "Change", "direction": "Used"}
    )
    ch.show_figure(
        fig, "word-changes", f"Words used more and less often, {ch.prev_year} to {ch.year}.", fig.alt_text, table, narrow=narrow
    )
    words = now.assign(count=pd.to_numeric(now["count"]))[["word", "count"]]
    words = words.sort_values(["count", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
    show_cloud(ch, words, where, ch.year, "word-cloud")


def show_cloud(ch, words: pd.DataFrame, where: str, year: int, name: str) -> None:
    """One year's word cloud, wide and narrow (a phone gets a taller cloud of fewer words)."""
    title = f"Words used most often in {where}, {year}"
    fig, narrow = (charts.word_cloud(words, seed=year, title=title, width=w) for w in (WIDE_IN, NARROW_IN))
    ch.show_figure(
        fig,
        name,
        f"Word cloud of {where}, {year}.",
        charts.word_cloud_alt(words),
        words.rename(columns={"word": "Word", "count": "Times mentioned"}),
        # the cloud is a raster: 100 dpi of an 8-inch drawing prints at about 130 dpi (charts
        # print at three-quarters of their size), plenty for words this large; at 150 dpi the
        # one image was about a tenth of the PDF
        dpi=100,
        narrow=narrow,
    )
