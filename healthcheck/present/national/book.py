"""The national summary book: what its chapters (chapters/national/*.ipynb) show.

A national batch (healthcheck.pipeline.batch) writes the book's inputs into one folder, the
`national_dir` parameter of every chapter:

    facts.json         year, title, how many organisations were in the batch and included,
                       the suppression threshold, the demonstration notices
    organisations.csv  org_id,name,region,respondents     (the organisations included)
    figures.csv        org_id,question_id,n_positive,n_valid   (their all-staff figures)
    benchmarks.csv     England and each region, as analysis.benchmarks.benchmark_figures gives them
    questions.csv      question_id,theme,theme_title,short  (in the order of the question bank)
    previous.csv       (when the batch holds an earlier year, facts' prev_year) that year's England and
                       regions as benchmarks.csv, with `reworded`: asked then in other words

Suppression follows benchmark_figures: no organisation's figure from fewer than `threshold`
valid responses is shown, counted in a distribution or pooled into England or a region; a
pooled figure under the threshold is not shown either. Every name (organisation, region,
theme, statement) is data: it is escaped wherever it is placed (html_table, myst_text, the
page's templates), and charts draw text literally (the house style).

A chapter of this book is a page like a council's chapter (`present.page.Page`): the same figure
block, CSV downloads, notices and note of the files it reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from healthcheck.analysis.rounding import format_pct, round_to
from healthcheck.escape import myst_text
from healthcheck.present.charts.style import NARROW_IN
from healthcheck.present.national import findings as national_findings
from healthcheck.present.national.charts import distribution_chart
from healthcheck.present.page import Page
from healthcheck.present.tables import html_table

NOT_SHOWN = "fewer than {t} valid responses: not shown"


def number(value, digits: int = 1):
    """A percentage for a data table: rounded by the one rule, or empty (None) when not shown."""
    return None if value is None or pd.isna(value) else round_to(float(value), digits)


class NationalBook(Page):
    """The national summary, as seen from one of its chapter notebooks.

    year, national_dir, downloads_dir, reads_file: the chapter's papermill parameters. Every
    input file is noted as read (for the chapter cache) as it is opened.
    """

    #: The book's chapter pages sit at chapters/national/<page>.html, the downloads at downloads/.
    downloads_href = "../../downloads"

    def __init__(self, year: int, national_dir, downloads_dir=None, *, reads_file=None):
        super().__init__(year, downloads_dir, reads_file=reads_file)
        self.folder = Path(national_dir)
        self.facts = json.loads(self._input("facts.json").read_text(encoding="utf-8"))
        self.threshold = int(self.facts["threshold"])
        self.organisations = self._table("organisations.csv", ["respondents"])
        self.figures = self._table("figures.csv", ["n_positive", "n_valid"])
        self.benchmarks = self._table("benchmarks.csv", ["pct_positive", "n_valid", "n_organisations", "n_positive"])
        self.benchmarks["suppressed"] = self.benchmarks["suppressed"].str.lower() == "true"
        self.questions = self._table("questions.csv", [])
        shown = self.figures["n_valid"] >= self.threshold
        self.figures = self.figures.assign(
            shown=shown, pct=np.where(shown, 100.0 * self.figures["n_positive"] / self.figures["n_valid"].clip(lower=1), np.nan)
        )
        self.prev_year = self.facts.get("prev_year")
        previous = self.folder / "previous.csv"
        self.previous = None
        if self.prev_year is not None and previous.is_file():
            self.previous = self._table("previous.csv", ["pct_positive", "n_valid", "n_organisations", "n_positive"])
            for frame_col in ("suppressed", "reworded"):
                self.previous[frame_col] = self.previous[frame_col].str.lower() == "true"
        # England's change of every statement, by the rules of present/national_findings.py
        before = None if self.previous is None else self.previous[self.previous["scope"] == "national"]
        self.changes = national_findings.england_changes(self.scope("national"), before, self.prev_year)

    # ------------------------------------------------------------------ inputs

    def _input(self, name: str) -> Path:
        path = self.folder / name
        self.record_read(path)
        return path

    def _table(self, name: str, numeric: list[str]) -> pd.DataFrame:
        frame = pd.read_csv(self._input(name), dtype=str, keep_default_na=False)
        for column in numeric:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        return frame

    @property
    def themes(self) -> list[tuple[str, str]]:
        """(code, title) of every theme with a statement, in the question bank's order."""
        pairs = self.questions[["theme", "theme_title"]].drop_duplicates("theme")
        return list(pairs.itertuples(index=False, name=None))

    def theme_questions(self, theme: str) -> pd.DataFrame:
        asked = set(self.figures["question_id"])
        q = self.questions
        return q[(q["theme"] == theme) & q["question_id"].isin(asked)]

    def scope(self, scope: str) -> pd.DataFrame:
        """The benchmark rows of England ("national") or of the regions ("region")."""
        return self.benchmarks[self.benchmarks["scope"] == scope]

    # ------------------------------------------------------------------ showing things

    def table(self, frame: pd.DataFrame, caption: str, name: str | None = None, stack: bool = True) -> None:
        """An accessible table (stacked into cards on a phone), written as a CSV download when named."""
        if name:
            self.download_csv(frame, name)
        css = "hc-table hc-table-stack" if stack else "hc-table"
        display(HTML(html_table(frame, caption, css_class=css)))

    def demonstration_notice(self) -> None:
        """The organisations' demonstration notices (each different one once), on every page."""
        notices = [n for n in self.facts.get("notices", []) if n.strip()]
        if not notices:
            return
        self.show_notice("Demonstration data", " ".join(n.strip() for n in notices))


# ----------------------------------------------------------------------------- summary chapter


def glue_summary(nb: NationalBook) -> None:
    f = nb.facts
    respondents = int(nb.organisations["respondents"].sum())
    regions = nb.organisations["region"].nunique()
    nb.glue_md(
        "national_intro",
        f"The {nb.year} {myst_text(f['report_title'])} of **{f['included']}** organisations in {regions} "
        f"region{'s' if regions != 1 else ''}, heard from **{respondents}** staff. This summary shows how each "
        "statement varies across organisations and how the regions compare, with England's figure pooled over "
        "every respondent.",
    )
    excluded = int(f["in_batch"]) - int(f["included"])
    note = f"; {excluded} of them could not be included, because their data did not pass validation" if excluded else ""
    nb.glue_md("national_scope", f"The batch held {f['in_batch']} organisations{note}.")
    nb.glue_md(
        "national_downloads",
        f"Every chart's data can be downloaded beside the chart, and all of them together as one workbook: "
        f"[all figure data for {nb.year} (ODS)]({nb.downloads_href}/{nb.year}-all-figure-data.ods), "
        f"the same [as an Excel workbook (XLSX)]({nb.downloads_href}/{nb.year}-all-figure-data.xlsx).",
    )


def taking_part(nb: NationalBook) -> None:
    """Organisations and respondents per region, with a total row."""
    orgs = nb.organisations
    by_region = orgs.groupby("region", sort=True).agg(Organisations=("org_id", "size"), Respondents=("respondents", "sum"))
    table = by_region.reset_index().rename(columns={"region": "Region"})
    total = pd.DataFrame([{"Region": "All regions", "Organisations": len(orgs), "Respondents": int(orgs["respondents"].sum())}])
    table = pd.concat([table, total], ignore_index=True)
    nb.table(table, f"Organisations and respondents by region, {nb.year}", "taking-part")


def statement_figures(nb: NationalBook, question_ids: list[str]) -> pd.DataFrame:
    """Per statement: England's figure and the spread of the organisations' shown figures."""
    england = nb.scope("national").set_index("question_id")
    rows = []
    for qid in question_ids:
        figs = nb.figures[nb.figures["question_id"] == qid]
        shown = figs.loc[figs["shown"], "pct"].to_numpy(dtype=float)
        e = england.loc[qid] if qid in england.index else None
        q = np.percentile(shown, [0, 25, 50, 75, 100]) if len(shown) else [np.nan] * 5
        rows.append(
            {
                "question_id": qid,
                "england": np.nan if e is None or e["suppressed"] else float(e["pct_positive"]),
                "england_n": None if e is None else int(e["n_valid"]),
                "n_shown": int(len(shown)),
                "n_hidden": int((~figs["shown"]).sum()),
                "lo": q[0],
                "q1": q[1],
                "median": q[2],
                "q3": q[3],
                "hi": q[4],
            }
        )
    return pd.DataFrame(rows)


def england_by_theme(nb: NationalBook) -> None:
    """England's average agreement over each theme's statements, with its lowest and highest."""
    rows = []
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    for theme, title in nb.themes:
        stats = statement_figures(nb, list(nb.theme_questions(theme)["question_id"])).dropna(subset=["england"])
        if stats.empty:
            continue
        low = stats.loc[stats["england"].idxmin()]
        high = stats.loc[stats["england"].idxmax()]
        rows.append(
            {
                "Theme": title,
                "England: average of its statements (%)": number(stats["england"].mean()),
                "Statements": len(stats),
                "Lowest statement": f"{shorts[low['question_id']]} ({format_pct(low['england'])})",
                "Highest statement": f"{shorts[high['question_id']]} ({format_pct(high['england'])})",
            }
        )
    nb.table(pd.DataFrame(rows), f"England by theme, {nb.year}: % agreeing or strongly agreeing", "england-by-theme")


def suppression_rules(nb: NationalBook) -> None:
    """The suppression rules, in words, with how often each one applied this year."""
    t = nb.threshold
    figs = nb.figures
    hidden = int((~figs["shown"]).sum())
    orgs_none = int((~figs.groupby("org_id")["shown"].any()).sum())
    regions = nb.scope("region")
    region_hidden = int(regions["suppressed"].sum())
    text = [
        f"- **No organisation's figure rests on fewer than {t} valid responses.** A statement an organisation has "
        f"fewer than {t} valid answers to is not shown for it, is not counted in the spread of organisations, and is "
        f"left out of England's and its region's figures altogether. This year that applied to {hidden} of "
        f"{len(figs)} organisation figures; {orgs_none} organisation{'s' if orgs_none != 1 else ''} had no statement "
        "with enough answers.",
        "- **England and each region are pooled over respondents**: all agreeing answers over all valid answers of "
        "the organisations whose figure is shown. Because every organisation publishes its own figures, a pool that "
        "included a hidden figure would give it away by subtraction; with only shown figures in the pools, it cannot.",
        f"- **A pooled figure from fewer than {t} valid responses is not shown either** (marked <{t}). This year "
        f"that applied to {region_hidden} of {len(regions)} regional figures.",
        "- The spread of organisations (lowest, quartiles, median, highest) is taken over the shown figures only. "
        "Percentages are rounded halves up; valid responses are the five agreement answers (\u201cdon\u2019t know\u201d, "
        "\u201cnot applicable\u201d and blanks are left out).",
    ]
    display(Markdown("\n".join(text)))


def organisation_list(nb: NationalBook) -> None:
    """Every organisation included, its region, respondents and how many statements it has shown."""
    orgs = nb.organisations.sort_values(["region", "name"], kind="stable")
    shown = nb.figures.groupby("org_id")["shown"].agg(["sum", "size"]).reindex(orgs["org_id"], fill_value=0)
    table = pd.DataFrame(
        {
            "Organisation": orgs["name"],
            "Region": orgs["region"],
            "Respondents": orgs["respondents"].astype(int),
            "Statements shown": [f"{int(shown.at[o, 'sum'])} of {int(shown.at[o, 'size'])}" for o in orgs["org_id"]],
        }
    )
    nb.table(table.reset_index(drop=True), f"The organisations included, {nb.year}", "organisations")


# ----------------------------------------------------------------------------- statements chapter


def glue_statements(nb: NationalBook) -> None:
    nb.glue_md(
        "statements_intro",
        f"For each statement: England's figure, pooled over every respondent, and how far the organisations' own "
        f"figures spread around it in {nb.year}. A line spans the lowest to the highest organisation, the box holds "
        f"the middle half of them, and the mark inside the box is the median organisation. Organisations with fewer "
        f"than {nb.threshold} valid answers to a statement are left out of it (see the summary).",
    )


def distribution_table(nb: NationalBook, stats: pd.DataFrame) -> pd.DataFrame:
    """The data behind a distribution chart, one row per statement, for readers and the CSV."""
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    return pd.DataFrame(
        {
            "Code": stats["question_id"],
            "Statement": stats["question_id"].map(shorts),
            "England (%)": stats["england"].map(number),
            "England: valid responses": stats["england_n"],
            "Organisations shown": stats["n_shown"],
            f"Organisations with fewer than {nb.threshold} responses": stats["n_hidden"],
            "Lowest (%)": stats["lo"].map(number),
            "Lower quartile (%)": stats["q1"].map(number),
            "Median organisation (%)": stats["median"].map(number),
            "Upper quartile (%)": stats["q3"].map(number),
            "Highest (%)": stats["hi"].map(number),
        }
    )


def statement_sections(nb: NationalBook) -> None:
    """One section per theme: the distribution chart of its statements, with its data."""
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    for theme, title in nb.themes:
        qids = list(nb.theme_questions(theme)["question_id"])
        if not qids:
            continue
        display(Markdown(f"## {myst_text(title)}"))
        stats = statement_figures(nb, qids).assign(statement=lambda s: s["question_id"].map(shorts))
        fig = distribution_chart(stats, title, nb.year, nb.threshold)
        nb.show_figure(
            fig,
            f"statements-{theme}",
            f"{title}: each statement across organisations, with England's figure, {nb.year}.",
            fig.alt_text,
            distribution_table(nb, stats),
            narrow=distribution_chart(stats, title, nb.year, nb.threshold, width=NARROW_IN),
        )
