"""Conclusions and recommendations: what was done about last year's, and this year's."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from healthcheck.analysis import stats
from healthcheck.data.config import load_recommendations
from healthcheck.escape import html_text, myst_text
from healthcheck.present import change
from healthcheck.present.sentences import pct, plural, points_phrase
from healthcheck.present.tables import html_table


def recommendations(ch) -> dict:
    ch.year_file(ch.year, "recommendations.yml")  # noted as read by this chapter
    return load_recommendations(ch.survey.data_dir, ch.year)


def glue(ch) -> None:
    recs = recommendations(ch)
    prev, cur = recs.get("previous") or [], recs.get("current") or []
    sentences = []
    if prev:
        done = sum(1 for r in prev if str(r.get("status", "")).lower() == "complete")
        made = "one recommendation" if len(prev) == 1 else f"**{len(prev)}** recommendations"
        state = {0: "none is complete yet", len(prev): "all are complete"}.get(done, f"**{done}** of them are complete")
        sentences.append(f"Last year's report made {made}; {state}.")
    if cur:
        made = "one recommendation" if len(cur) == 1 else f"**{len(cur)}** recommendations"
        sentences.append(f"This year's report leads to {made}, each with the actions planned in response.")
    ch.glue_md("conclusions_intro", " ".join(sentences) or f"No recommendations are recorded for {ch.year}.")


def previous_recommendations(ch) -> None:
    prev = recommendations(ch).get("previous") or []
    if not prev:
        display(HTML("<p>There were no recommendations from last year to report on.</p>"))
        return
    rows = [
        {
            "Recommendation": f"{r.get('id', '')}: {r['recommendation']}",
            "What was done": "; ".join(r.get("actions") or []),
            "Status": str(r.get("status", "")).capitalize(),
        }
        for r in prev
    ]
    display(
        HTML(
            html_table(
                pd.DataFrame(rows),
                f"Last year's recommendations and the actions taken, as at {ch.year}",
                css_class="hc-table hc-table-stack",
            )
        )
    )


def current_recommendations(ch) -> None:
    """This year's recommendations: what, who owns it, by when, how success is measured, and what it answers."""
    cur = recommendations(ch).get("current") or []
    if not cur:
        display(HTML("<p>No recommendations are recorded for this year.</p>"))
        return
    shorts = {q: spec.short for q, spec in ch.bank.questions.items()}
    rows = [
        {
            "Recommendation": f"{r.get('id', '')}: {r['recommendation']}",
            "Theme": ch.bank.theme_title(r["theme"]) if r.get("theme") in ch.bank.themes else "",
            "Owner": r.get("owner") or "not yet named",
            "Due": r.get("due") or "not yet set",
            "Measure of success": r.get("measure") or "not yet set",
            "Answers": "; ".join(f"{q}: {shorts.get(q, q)}" for q in r.get("statements") or []) or "not linked to a statement",
            "Planned actions": "; ".join(r.get("planned_actions") or []),
        }
        for r in cur
    ]
    table = pd.DataFrame(rows)
    link = ch.download_csv(table, "recommendations", "Download the recommendations (CSV)")
    # One card per recommendation: seven columns do not fit a page, let alone a phone.
    cards = []
    for r, row in zip(cur, rows, strict=True):
        # On the card the statements are read as words, each code after it for the analyst
        # ("“Supported in my team” (PRA04)"); the CSV keeps "PRA04: ..." for sorting.
        shown = dict(row)
        if r.get("statements"):
            shown["Answers"] = "; ".join(f"“{shorts.get(q, q)}” ({q})" for q in r["statements"])
        facts = "".join(
            f"<dt>{name}</dt><dd>{html_text(str(shown[name]))}</dd>"
            for name in ("Theme", "Owner", "Due", "Measure of success", "Answers")
            if shown[name]
        )
        planned = "".join(f"<li>{html_text(a)}</li>" for a in r.get("planned_actions") or [])
        if planned:
            facts += f"<dt>Planned actions</dt><dd><ul>{planned}</ul></dd>"
        cards.append(
            f'<li class="hc-rec"><p class="hc-rec-title">{html_text(row["Recommendation"])}</p>'
            f'<dl class="hc-rec-facts">{facts}</dl></li>'
        )
    display(HTML(f'<ol class="hc-recs">{"".join(cards)}</ol>{link}'))


def unanswered_falls(ch) -> pd.DataFrame:
    """Every significant fall this year with the recommendations that name its statement (``statements``)."""
    cur = recommendations(ch).get("current") or []
    figs = ch.figures
    falls = figs[(figs["change_flag"] == stats.DECREASE) & ~figs["suppressed"].astype(bool)]
    falls = falls.sort_values("change_pts", kind="stable")
    answered = [
        ", ".join(str(r.get("id") or "a recommendation") for r in cur if q in (r.get("statements") or []))
        for q in falls["question_id"]
    ]
    return falls.assign(answered_by=answered)


def falls_and_answers(ch) -> None:
    """Which significant falls a recommendation answers, and which none does: nothing quietly dropped."""
    falls = unanswered_falls(ch)
    if ch.prev_year is None:
        display(Markdown(f"{ch.year} is the first year of the survey, so there are no changes to answer."))
        return
    if falls.empty:
        display(Markdown("No statement fell significantly this year."))
        return
    lines = []
    for _, r in falls.iterrows():
        head = (
            f"{change.SHAPES[change.FALL]} \u201c{myst_text(r['short'])}\u201d: {pct(r['pct_positive'])}, "
            f"{points_phrase(r['change_pts'])} since {int(r['prev_year'])}"
        )
        if r["answered_by"]:
            lines.append(f"- {head}: answered by {myst_text(r['answered_by'])}.")
        else:
            lines.append(f"- {head}: **no recommendation answers this yet**.")
    missing = int((falls["answered_by"] == "").sum())
    if missing:
        lead = (
            f"Of the {plural(len(falls), 'significant fall')}, {missing} "
            f"{'has' if missing == 1 else 'have'} no recommendation yet."
        )
    else:
        lead = f"Every one of the {plural(len(falls), 'significant fall')} is answered by a recommendation."
    display(Markdown(lead + "\n\n" + "\n".join(lines)))
