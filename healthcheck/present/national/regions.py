"""The national summary's regions chapter (chapters/national/regions.ipynb): England and the
regions side by side, one heat map of statements by region per theme, titled by the finding
(present/national_findings.py: the widest significant gap between two regions)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display

from healthcheck.escape import myst_text
from healthcheck.present import charts
from healthcheck.present.national import findings as national_findings
from healthcheck.present.national.book import NOT_SHOWN, NationalBook, number
from healthcheck.present.national.charts import regions_narrow


def glue_regions(nb: NationalBook) -> None:
    nb.glue_md(
        "regions_intro",
        f"Each region's figure for every statement in {nb.year}, pooled over the respondents of its organisations, "
        f"beside England's. A regional figure from fewer than {nb.threshold} valid responses is marked <{nb.threshold} "
        "and not shown.",
    )


def region_overview(nb: NationalBook) -> None:
    """Per region: organisations, and its average agreement over the statements it shows."""
    regions = nb.scope("region")
    england = nb.scope("national")
    rows = [
        {
            "Area": "England",
            "Organisations": len(nb.organisations),
            "Average of its statements (%)": number(england.loc[~england["suppressed"], "pct_positive"].mean()),
            "Statements shown": int((~england["suppressed"]).sum()),
        }
    ]
    for name, part in regions.groupby("name", sort=True):
        rows.append(
            {
                "Area": name,
                "Organisations": int((nb.organisations["region"] == name).sum()),
                "Average of its statements (%)": number(part.loc[~part["suppressed"], "pct_positive"].mean()),
                "Statements shown": int((~part["suppressed"]).sum()),
            }
        )
    nb.table(pd.DataFrame(rows), f"England and the regions, {nb.year}", "regions")


def region_table(nb: NationalBook, qids: list[str]) -> pd.DataFrame:
    """England's and every region's figure of the statements, one row per area and statement."""
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    rows = nb.benchmarks[nb.benchmarks["question_id"].isin(qids)].copy()
    rows["_q"] = rows["question_id"].map({q: i for i, q in enumerate(qids)})
    rows["_s"] = (rows["scope"] == "region").astype(int)
    rows = rows.sort_values(["_s", "name", "_q"], kind="stable")
    note = NOT_SHOWN.format(t=nb.threshold)
    return pd.DataFrame(
        {
            "Area": rows["name"],
            "Scope": rows["scope"].map({"national": "England", "region": "region"}),
            "Code": rows["question_id"],
            "Statement": rows["question_id"].map(shorts),
            "% agreeing": [None if s else number(p) for s, p in zip(rows["suppressed"], rows["pct_positive"], strict=True)],
            "Valid responses": rows["n_valid"].astype(int),
            "Organisations": rows["n_organisations"].astype(int),
            "Note": rows["suppressed"].map({True: note, False: ""}),
        }
    ).reset_index(drop=True)


def region_sections(nb: NationalBook) -> None:
    """One section per theme: a heat map of statements by region, with England and every region in its data."""
    regions = nb.scope("region")
    questions = nb.questions.assign(year=nb.year)
    for theme, title in nb.themes:
        qids = list(nb.theme_questions(theme)["question_id"])
        part = regions[regions["question_id"].isin(qids)]
        if part.empty:
            continue
        display(Markdown(f"## {myst_text(title)}"))
        cells = pd.DataFrame(
            {
                "question_id": part["question_id"],
                "group": part["name"],
                "n_valid": part["n_valid"],
                "pct_positive": part["pct_positive"],
                "suppressed": part["suppressed"],
                "reason": "",
            }
        )
        # Statements in the bank's order, regions alphabetically: the grid reads the same in every theme.
        cells = cells.assign(_q=cells["question_id"].map({q: i for i, q in enumerate(qids)}))
        cells = cells.sort_values(["_q", "group"], kind="stable").drop(columns="_q")
        shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
        finding = national_findings.regions_title(national_findings.regional_gaps(part), shorts, title)
        fig = charts.breakdown_heatmap(cells, questions, "region", year=nb.year, threshold=nb.threshold, title=finding)
        nb.show_figure(
            fig,
            f"regions-{theme}",
            f"{title}: % agreeing by region, {nb.year}. Cells marked <{nb.threshold} had fewer than "
            f"{nb.threshold} valid responses in the region.",
            fig.alt_text,
            region_table(nb, qids),
            narrow=regions_narrow(fig, cells, questions, nb.scope("national"), nb.year, nb.threshold),
        )
