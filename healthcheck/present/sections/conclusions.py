"""Conclusions and recommendations: what was done about last year's, and this year's."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.data.config import load_recommendations
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
        sentences.append(f"This year's health check leads to {made}, each with the actions planned in response.")
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
    cur = recommendations(ch).get("current") or []
    if not cur:
        display(HTML("<p>No recommendations are recorded for this year.</p>"))
        return
    rows = [
        {
            "Recommendation": f"{r.get('id', '')}: {r['recommendation']}",
            "Theme": ch.bank.theme_title(r["theme"]) if r.get("theme") in ch.bank.themes else "",
            "Planned actions": "; ".join(r.get("planned_actions") or []),
        }
        for r in cur
    ]
    display(
        HTML(
            html_table(
                pd.DataFrame(rows),
                f"Recommendations of the {ch.year} health check and planned actions",
                css_class="hc-table hc-table-stack",
            )
        )
    )
