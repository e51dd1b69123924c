"""What chapter notebooks call: sentences, tables and figures for one year's report.

Chapters stay thin: a parameters cell, prose with `{glue:md}` references, and one-line calls
into a `Chapter`. Every number a reader sees is computed here from the survey, formatted in
one place, and glued or displayed; nothing is typed into the prose by hand.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display
from myst_nb import glue

from healthcheck import charts, stats
from healthcheck.cache import record_read
from healthcheck.config import load_recommendations
from healthcheck.io import RESPONSE_LABELS
from healthcheck.survey import load_survey

# ---------------------------------------------------------------------------- number formats


def pct(value: float) -> str:
    """A percentage for display: a whole number, halves rounded up, the same rule as the charts."""
    return charts.format_pct(value)


def pts(change: float) -> str:
    """A change in percentage points, signed; "no change" when it rounds to zero."""
    rounded = charts.round_half_up(change) if change >= 0 else -charts.round_half_up(-change)
    if rounded == 0:
        return "no change"
    return (
        f"{'+' if rounded > 0 else ''}{rounded} points" if abs(rounded) != 1 else f"{'+' if rounded > 0 else ''}{rounded} point"
    )


def long_date(value) -> str:
    return f"{value.day} {value:%B %Y}"


def html_table(frame: pd.DataFrame, caption: str, row_header: bool = True, css_class: str = "hc-table") -> str:
    """An accessible HTML table: a caption, column headers with scope, the first column as row headers.

    The table sits in a scrolling box of its own (a keyboard-focusable region named by the
    caption), so a wide table scrolls inside the page instead of widening it on a phone. With
    the class ``hc-table-stack`` each row becomes a card on narrow screens: every cell carries
    its column's name for the CSS to show, and explicit table roles keep the table a table for
    screen readers whatever the CSS display.
    """
    stack = "hc-table-stack" in css_class.split()

    def role(name: str) -> str:
        return f' role="{name}"' if stack else ""

    def label(column) -> str:
        return f' data-label="{html.escape(str(column))}"' if stack else ""

    head = "".join(f'<th scope="col"{role("columnheader")}>{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(values):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))
            if i == 0 and row_header:
                cells.append(f'<th scope="row"{role("rowheader")}>{text}</th>')
            else:
                cells.append(f"<td{role('cell')}{label(frame.columns[i])}>{text}</td>")
        rows.append(f"<tr{role('row')}>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="{css_class}"{role("table")}><caption>{html.escape(caption)}</caption>'
        f"<thead{role('rowgroup')}><tr{role('row')}>{head}</tr></thead><tbody{role('rowgroup')}>{''.join(rows)}</tbody></table>"
    )
    return scroll_region(table, caption, "hc-table-wrap")


def scroll_region(inner: str, label: str, css_class: str) -> str:
    """`inner` in a box that scrolls sideways when it is wider than the page (WCAG 1.4.10).

    A box that scrolls must be reachable and scrollable from the keyboard, so it is a named,
    focusable region (the pattern axe-core's scrollable-region-focusable rule asks for).
    """
    return f'<div class="{css_class}" role="region" aria-label="{html.escape(label)}" tabindex="0">{inner}</div>'


_SVG_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.DOTALL)


def _svg_size_px(svg: bytes) -> tuple[int, int] | None:
    """The SVG's own size in CSS pixels (matplotlib writes it in points)."""
    match = _SVG_SIZE.search(svg[:2000])
    if not match:
        return None
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def _svg_bytes(fig) -> bytes:
    """The figure as deterministic SVG bytes (charts.save_figure fixes the hash salt and drops dates)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return charts.save_figure(fig, Path(tmp) / "figure.svg").read_bytes()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Chapter:
    """One year's report, as seen from a chapter notebook."""

    def __init__(self, year: int, data_dir: str | None = None, downloads_dir: str | None = None):
        self.survey = load_survey(data_dir, year)
        self.year = int(year)
        self.settings = self.survey.settings
        self.bank = self.survey.bank
        self.meta = self.survey.years[self.year].meta
        self.downloads = Path(downloads_dir) if downloads_dir else None
        if self.downloads:
            self.downloads.mkdir(parents=True, exist_ok=True)
        earlier = [y for y in self.survey.year_list if y < self.year]
        self.prev_year = earlier[-1] if earlier else None
        self.figures = self.survey.figures(self.year)
        self.threshold = self.survey.threshold
        # Every chapter depends on the survey's files; a rebuild re-runs it when one changes.
        for path in self.survey.source_files():
            record_read(path)
        charts.apply_house_style()

    # ------------------------------------------------------------------ small helpers

    def theme_title(self, theme: str) -> str:
        return self.bank.themes[theme]

    def theme_figures(self, theme: str) -> pd.DataFrame:
        return self.figures[self.figures["theme"] == theme]

    def wording(self, question_id: str) -> str:
        return self.bank.questions[question_id].wording.get(self.year, "")

    def glue_md(self, name: str, text: str) -> None:
        """Glue a Markdown snippet for `{glue:md}` references in the prose."""
        from IPython.display import Markdown

        glue(name, Markdown(text), display=False)

    # ------------------------------------------------------------------ sentences

    def question_sentence(self, row) -> str:
        """One statement's result in words: the figure, its base and interval, and the change."""
        wording = self.wording(row.question_id)
        quoted = f"\u201c{wording}\u201d"
        if row.suppressed:
            return f"{quoted}: fewer than {self.threshold} valid responses in {self.year}, so no figure is shown."
        if row.basis == stats.BASIS_PUBLISHED:
            text = f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} (a published figure; no counts exist)."
        else:
            text = (
                f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} "
                f"({row.n_valid} valid responses; 95% confidence interval {pct(row.ci_low)} to {pct(row.ci_high)})."
            )
        return f"{text} {self.change_sentence(row)}"

    def change_sentence(self, row) -> str:
        """Whether the change since the last comparable year is real or within chance."""
        if pd.isna(row.prev_year):
            q = self.bank.questions[row.question_id]
            earlier = [y for y in q.wording if y < self.year]
            if earlier and any(earlier[-1] < b <= self.year for b in q.comparable_from):
                return "It is not compared with earlier years because the wording changed."
            if earlier:
                return "There is no earlier figure to compare it with."
            return f"It was first asked in {self.year}."
        change = pts(row.change_pts)
        prev = int(row.prev_year)
        if row.change_flag == stats.INCREASE:
            return f"That is {change} on {prev} ({pct(row.prev_pct_positive)}), a statistically significant increase."
        if row.change_flag == stats.DECREASE:
            return f"That is {change} on {prev} ({pct(row.prev_pct_positive)}), a statistically significant decrease."
        if row.change_flag == stats.NO_CHANGE:
            return (
                f"In {prev} it was {pct(row.prev_pct_positive)}: the difference ({change}) is within what chance could produce."
            )
        return f"In {prev} the published figure was {pct(row.prev_pct_positive)} ({change}); published figures are not tested."

    def theme_sentence(self, theme: str) -> str:
        """The theme score in words, with the change since the previous year's theme score."""
        scores = stats.theme_scores(self.figures)
        this = scores[scores["theme"] == theme]
        if this.empty or this["n_questions"].iloc[0] == 0:
            return f"No statement on {self.theme_title(theme).lower()} had enough responses in {self.year} to report."
        score, n = this["score"].iloc[0], int(this["n_questions"].iloc[0])
        text = (
            f"Across the {n} survey statement{'s' if n != 1 else ''} on {self.theme_title(theme).lower()}, "
            f"an average of **{pct(score)}** of staff agreed or strongly agreed (the theme score)."
        )
        figs = self.theme_figures(theme)
        flags = figs["change_flag"].fillna("")
        ups, downs = int((flags == stats.INCREASE).sum()), int((flags == stats.DECREASE).sum())
        same = int((flags == stats.NO_CHANGE).sum())
        if ups + downs + same:
            parts = []
            if ups:
                parts.append(f"{ups} rose significantly")
            if downs:
                parts.append(f"{downs} fell significantly")
            if same:
                parts.append(f"{same} showed no significant change")
            text += f" Of the statements compared with an earlier year, {', '.join(parts)}."
        return text

    def glue_theme(self, theme: str) -> None:
        """Glue `theme_sentence` and one sentence per statement of the theme (`q_<CODE>`)."""
        self.glue_md("theme_sentence", self.theme_sentence(theme))
        figs = self.theme_figures(theme).set_index("question_id")
        for qid, q in self.bank.questions.items():
            if q.theme != theme:
                continue
            if qid in figs.index:
                row = figs.loc[qid]
                row = row.to_frame().T.assign(question_id=qid).iloc[0]
                self.glue_md(f"q_{qid}", self.question_sentence(row))
            else:
                self.glue_md(f"q_{qid}", f"The statement on {q.short.lower()} was not asked in {self.year}.")

    # ------------------------------------------------------------------ figures

    def show_figure(self, fig, name: str, caption: str, alt: str, data: pd.DataFrame | None, data_caption: str = "") -> None:
        """Show a figure as an accessible HTML block: image with alt text, caption, its data and a CSV link.

        The SVG and the CSV are also written to the downloads folder, named after the year and
        figure, so readers can download them and auditors can hash them.
        """
        stem = f"{self.year}-{name}"
        svg = _svg_bytes(fig)
        link = ""
        if self.downloads:
            (self.downloads / f"{stem}.svg").write_bytes(svg)
            if data is not None:
                data.to_csv(self.downloads / f"{stem}.csv", index=False, lineterminator="\n")
                link = (
                    f' <span class="hc-screen-only"><a href="../downloads/{stem}.csv" download>'
                    "Download the data (CSV)</a>.</span>"
                )
        encoded = base64.b64encode(svg).decode("ascii")
        # The image's own size, for the browser to reserve its space and for the CSS to keep
        # its text legible (a floor on how far it shrinks; below it the chart scrolls sideways
        # in its own box).
        size = _svg_size_px(svg)
        dims = f' width="{size[0]}" height="{size[1]}" style="--hc-img-width: {size[0]}px"' if size else ""
        image = f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(alt)}"{dims} />'
        full_size = ""  # links to files: on screen only (the PDF has no files beside it)
        if self.downloads:
            full_size = (
                f' <span class="hc-screen-only"><a href="../downloads/{stem}.svg">Open the chart full size (SVG)</a>.</span>'
            )
        block = (
            f'<figure class="hc-figure" id="fig-{_slug(name)}">'
            + scroll_region(image, f"Chart: {caption}", "hc-figure-scroll")
            + f"<figcaption>{html.escape(caption)}{link}{full_size}</figcaption></figure>"
        )
        if data is not None:
            block += (
                f'<details class="hc-data"><summary>Show the data behind this chart</summary>'
                f"{html_table(data, data_caption or caption)}</details>"
            )
        display(HTML(block))

    def demonstration_notice(self, detail: bool = False) -> None:
        """A visible notice of what is synthetic, wherever demonstration data is shown.

        Every page gets the report-wide notice; with `detail`, the year's own account of what
        is synthetic follows it (the introduction and the methods appendix use that).
        """
        notice = self.settings.demonstration_notice.strip()
        if detail and self.meta.synthetic.strip():
            notice = f"{notice} {self.meta.synthetic.strip()}".strip()
        if not notice:
            return
        if not notice.lower().startswith("demonstration data"):
            notice = f"<strong>Demonstration data.</strong> {html.escape(notice)}"
        else:
            head, _, rest = notice.partition(".")
            notice = f"<strong>{html.escape(head)}.</strong>{html.escape(rest)}"
        display(HTML(f'<aside class="hc-notice" role="note">{notice}</aside>'))

    def response_distribution(self, theme: str) -> pd.DataFrame:
        """The data the theme's response chart plots (charts.likert_data), for readers to open beside it."""
        data = charts.likert_data(self.survey.counts, self.survey.questions, self.year, theme, threshold=self.threshold)
        data = data[data["shown"]]
        out = pd.DataFrame({"Statement": data["statement"]})
        for code in charts.LIKERT_ORDER[::-1]:  # strongly agree first, as the sentences read
            out[f"{RESPONSE_LABELS[code]} (%)"] = data[code].round(1)
        out["Valid responses"] = data["n_valid"]
        return out.reset_index(drop=True)

    # ------------------------------------------------------------------ named statements

    def sentence_for(self, keyword: str) -> str:
        """The sentence of this year's statement whose short label mentions `keyword`."""
        matches = self.figures[self.figures["short"].str.contains(keyword, case=False, regex=False)]
        if matches.empty:
            return f"No statement about {keyword} was asked in {self.year}."
        return self.question_sentence(matches.iloc[0])

    # ------------------------------------------------------------------ summary and introduction

    def headline_rows(self) -> pd.DataFrame:
        """Per theme: the theme score, its change, and the theme's best-answered statement."""
        scores = stats.theme_scores(self.figures).set_index("theme")
        prev_scores = None
        if self.prev_year is not None:
            prev_scores = stats.theme_scores(self.survey.figures(self.prev_year)).set_index("theme")
        rows = []
        for theme, title in self.bank.themes.items():
            if theme not in scores.index or scores.at[theme, "n_questions"] == 0:
                continue
            score = scores.at[theme, "score"]
            change = "first year reported"
            if prev_scores is not None and theme in prev_scores.index and prev_scores.at[theme, "n_questions"] > 0:
                diff = score - prev_scores.at[theme, "score"]
                arrow = "\u25b2" if pts(diff).startswith("+") else "\u25cf" if pts(diff) == "no change" else "\u25bc"
                # The theme score itself is not tested: say which statements really moved.
                change = f"{arrow} {pts(diff)} since {self.prev_year}; {self.significant_changes(theme, say_since=False)}"
            figs = self.theme_figures(theme)
            figs = figs[~figs["suppressed"].astype(bool)]
            lead = figs.sort_values("pct_positive", ascending=False, kind="stable").iloc[0]
            rows.append(
                {
                    "theme": theme,
                    "theme_title": title,
                    "headline_pct": score,
                    "headline_label": f"average agreement across {int(scores.at[theme, 'n_questions'])} statements",
                    "change_text": change,
                    "lead_statement": lead["short"],
                    "lead_pct": lead["pct_positive"],
                }
            )
        return pd.DataFrame(rows)

    def glue_summary(self) -> None:
        y = self.survey.years[self.year]
        org = self.settings.organisation
        self.glue_md(
            "summary_intro",
            f"The {self.year} {self.settings.report_title} of {org} {self.settings.service} heard from "
            f"**{y.n_respondents}** staff in the survey"
            + (
                f" and about **{self.meta.focus_groups.participants}** in {self.meta.focus_groups.held} focus groups"
                if self.meta.focus_groups
                else ""
            )
            + ". This page gives the headline figure of each theme and how it has changed.",
        )
        compared = ", ".join(str(v) for v in self.survey.year_list if v < self.year) or "no earlier year"
        self.glue_md(
            "summary_about",
            f"This report covers the survey year {self.year} and compares it with {compared}. The chapters that follow "
            "give every statement, the change since the last survey with whether it is significant, breakdowns by team, "
            "locality and role where numbers allow, and what colleagues said in their own words.",
        )
        self.glue_md(
            "summary_downloads",
            f"Every chart's data can be downloaded beside the chart, and all of them together as one workbook: "
            f"[all figure data for {self.year} (XLSX)](../downloads/{self.year}-all-figure-data.xlsx).",
        )

    def headline_infographic(self) -> None:
        rows = self.headline_rows()
        fig = charts.headline_infographic(
            rows,
            title=f"{self.settings.report_title} {self.year}",
            subtitle=f"{self.settings.organisation}: % of staff agreeing, by theme",
        )
        alt = f"Headline figures of the {self.year} health check by theme. " + "; ".join(
            f"{r.theme_title}: {pct(r.headline_pct)}, {r.change_text}" for r in rows.itertuples()
        )
        data = rows.rename(columns={"theme_title": "Theme", "headline_pct": "Theme score (%)", "change_text": "Change"})[
            ["Theme", "Theme score (%)", "Change"]
        ].round(1)
        self.show_figure(fig, "headlines", f"Headline figures by theme, {self.year}.", alt, data)

    def headline_list(self) -> None:
        rows = self.headline_rows()
        items = "".join(
            f"<li><strong>{html.escape(r.theme_title)}: {pct(r.headline_pct)}</strong> {html.escape(r.headline_label)}; "
            f"{html.escape(r.change_text)}. Highest: {html.escape(r.lead_statement)} ({pct(r.lead_pct)}).</li>"
            for r in rows.itertuples()
        )
        display(HTML(f'<ul class="hc-headlines">{items}</ul>'))

    def glue_introduction(self) -> None:
        y = self.survey.years[self.year]
        meta, org = self.meta, self.settings.organisation
        self.glue_md(
            "intro_what",
            f"The {self.settings.report_title} is {org}'s yearly conversation with the social workers and social care "
            f"staff of {self.settings.service}: a survey of agreement with statements about their work, and focus groups "
            "that explore the reasons behind the answers. This report sets out what staff said in "
            f"{self.year}, how that compares with earlier years, and what is being done in response.",
        )
        survey = f"The survey received **{y.n_respondents}** responses"
        if meta.fieldwork:
            survey += f"; it was open from {long_date(meta.fieldwork.survey_open)} to {long_date(meta.fieldwork.survey_close)}"
        if y.response_rate is not None:
            survey += f", a response rate of **{pct(y.response_rate)}** of the {meta.workforce} staff in scope"
        self.glue_md("intro_survey", survey + ".")
        if meta.focus_groups:
            fg = meta.focus_groups
            text = f"**{fg.held}** focus groups were held"
            if fg.first and fg.last:
                text += f" between {fg.first:%B} and {fg.last:%B %Y}"
            text += f", with about **{fg.participants}** practitioners taking part"
            if meta.workforce:
                text += f", about **{pct(100 * fg.participants / meta.workforce)}** of the workforce"
            self.glue_md("intro_focus_groups", text + ".")
        else:
            self.glue_md("intro_focus_groups", f"No focus groups are recorded for {self.year}.")
        self.glue_md("intro_context", meta.context.strip() or "No context is recorded for this year.")
        self.glue_md("threshold", str(self.threshold))

    # ------------------------------------------------------------------ quotes and words

    def _year_file(self, year: int, name: str) -> Path:
        """A narrative file of a year (quotes, words, recommendations), noted as read by this chapter."""
        path = self.survey.data_dir / str(year) / name
        record_read(path)
        return path

    def quotes(self, theme: str) -> None:
        """Pull quotes for the theme from the year's quotes.csv, marked when illustrative."""
        from healthcheck.io import read_table

        path = self._year_file(self.year, "quotes.csv")
        if not path.is_file():
            display(HTML(f"<p>No focus-group quotes are recorded for {self.year}.</p>"))
            return
        quotes = read_table(path)
        quotes = quotes[quotes["theme"].str.strip() == theme]
        if quotes.empty:
            display(HTML("<p>No quotes on this theme were recorded this year.</p>"))
            return
        blocks = []
        for q in quotes.itertuples():
            note = (
                ' <span class="hc-illustrative">(illustrative quote written for the demonstration)</span>'
                if q.illustrative.strip().lower() == "yes"
                else ""
            )
            blocks.append(
                f'<figure class="hc-quote"><blockquote><p>{html.escape(q.quote)}</p></blockquote>'
                f"<figcaption>{html.escape(q.speaker)}{note}</figcaption></figure>"
            )
        display(HTML('<div class="hc-quotes">' + "".join(blocks) + "</div>"))

    # ------------------------------------------------------------------ recommendations

    def _recommendations(self) -> dict:
        self._year_file(self.year, "recommendations.yml")  # noted as read by this chapter
        return load_recommendations(self.survey.data_dir, self.year)

    def glue_conclusions(self) -> None:
        recs = self._recommendations()
        prev, cur = recs.get("previous") or [], recs.get("current") or []
        done = sum(1 for r in prev if str(r.get("status", "")).lower() == "complete")
        text = (
            f"Last year's report made **{len(prev)}** recommendations; **{done}** of them are complete and the rest are in hand. "
            f"This year's health check leads to **{len(cur)}** recommendations, each with the actions planned in response."
        )
        if not prev and not cur:
            text = f"No recommendations are recorded for {self.year}."
        self.glue_md("conclusions_intro", text)

    def previous_recommendations(self) -> None:
        prev = self._recommendations().get("previous") or []
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
                    f"Last year's recommendations and the actions taken, as at {self.year}",
                    css_class="hc-table hc-table-stack",
                )
            )
        )

    def current_recommendations(self) -> None:
        cur = self._recommendations().get("current") or []
        if not cur:
            display(HTML("<p>No recommendations are recorded for this year.</p>"))
            return
        rows = [
            {
                "Recommendation": f"{r.get('id', '')}: {r['recommendation']}",
                "Theme": self.bank.themes.get(r.get("theme", ""), ""),
                "Planned actions": "; ".join(r.get("planned_actions") or []),
            }
            for r in cur
        ]
        display(
            HTML(
                html_table(
                    pd.DataFrame(rows),
                    f"Recommendations of the {self.year} health check and planned actions",
                    css_class="hc-table hc-table-stack",
                )
            )
        )

    # ------------------------------------------------------------------ appendices

    def glue_methods(self) -> None:
        self.glue_md(
            "methods_intro",
            f"This appendix explains how the figures in the {self.year} report were calculated, how the data were checked, "
            "and how the computed figures compare with those originally published.",
        )
        self.glue_md(
            "methods_suppression",
            f"no percentage is shown from fewer than **{self.threshold}** valid responses. In breakdowns by team, "
            "locality and role, further cells are hidden where needed so that no hidden figure can be recovered by "
            "subtracting the shown figures from the total.",
        )

    def data_quality(self) -> None:
        y = self.survey.years[self.year]
        counts = self.survey.counts
        counts = counts[(counts["year"] == self.year) & (counts["group_type"] == "all")]
        by_response = counts.groupby("response")["n"].sum()
        total = int(by_response.sum())
        rows = [
            {"Measure": "Respondents", "Value": y.n_respondents},
            {"Measure": "Answers given (all statements)", "Value": total},
        ]
        for code in ("dont_know", "not_applicable", "blank"):
            rows.append(
                {"Measure": f"Answers '{RESPONSE_LABELS[code]}' (left out of the base)", "Value": int(by_response.get(code, 0))}
            )
        rows.append(
            {
                "Measure": "Statements with too few responses to report",
                "Value": int(self.figures["suppressed"].astype(bool).sum()),
            }
        )
        display(HTML(html_table(pd.DataFrame(rows), f"Data quality, {self.year}")))
        if y.warnings:
            items = "".join(f"<li>{html.escape(w.expected)}</li>" for w in y.warnings)
            display(HTML(f"<p>Warnings raised when the data were checked:</p><ul>{items}</ul>"))

    def reconciliation(self) -> None:
        table = self.survey.reconciliation(self.year).rename(
            columns={
                "short": "Statement",
                "published": "Published (%)",
                "computed": "Computed (%)",
                "matches": "Matches when rounded",
            }
        )
        table["Matches when rounded"] = table["Matches when rounded"].map({True: "Yes", False: "No"})
        table["Computed (%)"] = table["Computed (%)"].round(2)
        table = table[["Statement", "Published (%)", "Computed (%)", "Matches when rounded"]]
        if table.empty:
            display(HTML(f"<p>No published figures are held for {self.year}, so there is nothing to reconcile.</p>"))
            return
        mismatches = int((table["Matches when rounded"] == "No").sum())
        verdict = (
            "All published figures match the computed ones when rounded."
            if not mismatches
            else f"{mismatches} published figure(s) differ from the computed ones by more than rounding."
        )
        display(HTML(f"<p>{verdict}</p>" + html_table(table, f"Computed and published percentages, {self.year}")))

    def question_bank_table(self) -> None:
        years = self.survey.year_list
        rows = []
        for qid, q in self.bank.questions.items():
            row = {"Code": qid, "Theme": self.bank.themes[q.theme]}
            for y in years:
                row[str(y)] = q.wording.get(y, "not asked")
            row["Comparable"] = f"not before {', '.join(map(str, q.comparable_from))}" if q.comparable_from else "all years"
            rows.append(row)
        display(
            HTML(html_table(pd.DataFrame(rows), "The question bank: wording in each year", css_class="hc-table hc-table-stack"))
        )

    def glue_provenance(self) -> None:
        from healthcheck import manifest

        git = manifest.git_state()
        env = manifest.environment()
        commit = git["commit"][:12] if git["commit"] else "not in a git repository"
        dirty = " (with uncommitted changes)" if git["dirty"] else ""
        versions = ", ".join(f"{p} {env['packages'][p]}" for p in manifest.KEY_PACKAGES if p in env["packages"])
        self.glue_md(
            "provenance_intro",
            f"Every figure in this report was computed from the input files listed below by the code at commit "
            f"`{commit}`{dirty}, with Python {env['python']} and {versions}. The build also writes a manifest "
            "(`manifest.json`) with the hash of every input and output, so that anyone can check that a rebuild "
            "gives the same result.",
        )
        # The chapter places this with the inline {glue:md} role, where a fenced code block
        # collapses into one run of code with the three commands joined end to end; each
        # command gets its own code span, and words between them say what each one does.
        self.glue_md(
            "provenance_commands",
            "From a copy of the repository at that commit, with the same input files in `data/`, three commands "
            "rebuild and check this report. First `make report` installs the pinned software; then "
            f"`.venv/bin/python -m healthcheck build --year {self.year}` rebuilds this year's book; and finally "
            f"`.venv/bin/python -m healthcheck verify --year {self.year}` rebuilds it in a temporary folder and reports "
            "any figure, table or number that differs from the manifest, with the likely cause.",
        )

    def input_files_table(self) -> None:
        from healthcheck import manifest

        hashes = manifest.input_hashes(self.survey.data_dir, self.year)
        for path in manifest.input_files(self.survey.data_dir, self.year):
            record_read(path)
        table = pd.DataFrame({"File": list(hashes), "SHA-256": list(hashes.values())})
        display(
            HTML(
                html_table(
                    table,
                    f"Input files read for the {self.year} report, with their SHA-256 hashes",
                    css_class="hc-table hc-hashes hc-table-stack",
                )
            )
        )

    # ------------------------------------------------------------------ charts

    def likert(self, theme: str) -> None:
        """The diverging bar chart of every answer to the theme's statements, with its data."""
        title = self.theme_title(theme)
        fig = charts.likert(
            self.survey.counts, self.survey.questions, self.year, theme, theme_title=title, threshold=self.threshold
        )
        data = self.response_distribution(theme)
        self.show_figure(
            fig,
            f"{theme}-responses",
            f"Answers to the statements on {title.lower()}, {self.year}: percent of valid responses.",
            fig.alt_text,
            data,
        )

    def change_table(self, theme: str) -> None:
        """This year, last year, change and significance for each statement, in words and symbols."""
        figs = self.theme_figures(theme)
        table = charts.change_table(figs, self.survey.questions, threshold=self.threshold)
        if self.downloads:
            table.to_csv(self.downloads / f"{self.year}-{theme}-change.csv", index=False, lineterminator="\n")
        caption = f"{self.theme_title(theme)}: change since the last comparable survey"
        # Through html_table so that on a phone each
        # statement becomes a card (five columns do not fit 360 pixels).
        display(HTML(html_table(table, caption, css_class="hc-table healthcheck-change-table hc-table-stack")))

    def breakdowns(self, theme: str) -> None:
        """One chart per breakdown (team, locality, role) the year's data allows, suppressed cells marked."""
        group_types = list(self.meta.breakdown_columns) if self.meta.level == "respondents" else []
        if not group_types:
            display(HTML(f"<p>The {self.year} data hold no team, locality or role, so there are no breakdowns.</p>"))
            return
        title = self.theme_title(theme)
        for group_type in group_types:
            table = stats.breakdown(
                self.survey.counts, self.year, group_type, threshold=self.threshold, questions=self.survey.questions
            )
            table = table[table["theme"] == theme]
            if table.empty:
                continue
            fig = charts.breakdown_heatmap(table, self.survey.questions, group_type, year=self.year, threshold=self.threshold)
            shown = table.assign(
                pct=table["pct_positive"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}%"),
                base=table["n_valid"].map(lambda v: "" if pd.isna(v) else int(v)),
            )
            # Secondary cells have enough responses; they are withheld to protect a small group.
            hidden_text = shown["reason"].map(
                lambda r: (
                    "hidden so that a small group cannot be worked out"
                    if "secondary" in str(r)
                    else f"fewer than {self.threshold} responses"
                )
            )
            shown["pct"] = shown["pct"].where(~shown["suppressed"].astype(bool), hidden_text)
            data = shown.rename(
                columns={"short": "Statement", "group": group_type.capitalize(), "pct": "% agreeing", "base": "Valid responses"}
            )[["Statement", group_type.capitalize(), "% agreeing", "Valid responses"]]
            self.show_figure(
                fig,
                f"{theme}-by-{group_type}",
                f"{title}: percent agreeing by {group_type}, {self.year}. Cells marked <{self.threshold} had fewer than "
                f"{self.threshold} responses; cells marked hidden are withheld so that those cannot be worked out.",
                fig.alt_text,
                data,
            )

    def word_clouds(self) -> None:
        """This year's word cloud, and last year's beside it when there is one."""
        from healthcheck.io import read_table

        shown = False
        for year in [self.year] + ([self.prev_year] if self.prev_year else []):
            path = self._year_file(year, "words.csv")
            if not path.is_file():
                continue
            words = read_table(path)
            words["count"] = pd.to_numeric(words["count"])
            words = words.sort_values(["count", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
            fig = charts.word_cloud(words, seed=year, title=f"Words used most often in the {year} focus groups")
            self.show_figure(
                fig,
                "word-cloud" if year == self.year else f"word-cloud-previous-{year}",
                f"Focus-group word cloud, {year}.",
                charts.word_cloud_alt(words),
                words.rename(columns={"word": "Word", "count": "Times mentioned"}),
            )
            shown = True
        if not shown:
            display(HTML("<p>No focus-group word list is recorded for this year.</p>"))

    # ------------------------------------------------------------------ changes over time

    def all_years_figures(self) -> pd.DataFrame:
        """The figures of every year up to this one, stacked."""
        return pd.concat([self.survey.figures(y) for y in self.survey.year_list], ignore_index=True)

    def glue_trends(self) -> None:
        years = self.survey.year_list
        span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
        self.glue_md(
            "trends_intro",
            f"This chapter follows every theme and statement across the {len(years)} survey years held, {span}. "
            "Points with error bars have known bases and 95% confidence intervals; hollow points are figures known only "
            "as published percentages. A dotted line marks a change of wording, across which a statement is not compared.",
        )

    def theme_trend_figure(self) -> None:
        scores = stats.theme_trend(
            self.survey.counts, self.survey.published, self.survey.questions, self.survey.year_list, threshold=self.threshold
        )
        scores = scores[scores["n_questions"] > 0]
        series = scores.assign(label=scores["theme"].map(self.bank.themes), pct_positive=scores["score"])
        latest = series[series["year"] == self.year].sort_values("pct_positive")
        title = None
        if len(latest) > 1:
            low, high = latest.iloc[0], latest.iloc[-1]
            title = (
                f"In {self.year} theme scores ranged from {pct(low.pct_positive)} ({low.label}) "
                f"to {pct(high.pct_positive)} ({high.label})"
            )
        fig = charts.trend(series[["year", "label", "pct_positive"]], title=title, measure="theme score (average % agreeing)")
        data = series.rename(columns={"year": "Year", "label": "Theme", "score": "Theme score (%)", "n_questions": "Statements"})[
            ["Theme", "Year", "Theme score (%)", "Statements"]
        ].round(1)
        self.show_figure(fig, "theme-trends", "Theme scores by year.", fig.alt_text, data)

    def significant_changes(self, theme: str, say_since: bool = True) -> str:
        """What changed significantly in the theme since the last survey, in words."""
        flags = self.theme_figures(theme)["change_flag"].fillna("")
        ups, downs = int((flags == stats.INCREASE).sum()), int((flags == stats.DECREASE).sum())
        if self.prev_year is None:
            return f"{self.year} is the first year"
        since = f" since {self.prev_year}" if say_since else ""
        if not ups and not downs:
            return f"no statement changed significantly{since}"
        phrase = " and ".join(text for n, text in ((ups, f"{ups} rose"), (downs, f"{downs} fell")) if n)
        count, _, rest = phrase.partition(" ")  # "2 rose and 1 fell" -> "2 statements rose and 1 fell"
        noun = "statement" if count == "1" else "statements"
        return f"{count} {noun} {rest} significantly{since}"

    def statement_trends(self) -> None:
        """One trend chart per theme, every statement across the years."""
        figs = self.all_years_figures()
        figs = figs[~figs["suppressed"].astype(bool)]
        questions = self.survey.questions
        for theme, title in self.bank.themes.items():
            rows = figs[figs["theme"] == theme].merge(
                questions[["question_id", "year", "series"]], on=["question_id", "year"], how="left"
            )
            if rows.empty:
                continue
            series = rows.assign(label=rows["short"])[["year", "label", "pct_positive", "ci_low", "ci_high", "basis", "series"]]
            fig = charts.trend(series, title=f"{title}: {self.significant_changes(theme)}")
            data = (
                rows.assign(
                    ci=rows.apply(lambda r: "" if pd.isna(r.ci_low) else f"{r.ci_low:.0f} to {r.ci_high:.0f}", axis=1),
                    basis=rows["basis"].map({"counts": "survey counts", "published": "published figure"}),
                )
                .rename(
                    columns={
                        "short": "Statement",
                        "year": "Year",
                        "pct_positive": "% agreeing",
                        "ci": "95% interval",
                        "basis": "Source",
                        "n_valid": "Valid responses",
                    }
                )[["Statement", "Year", "% agreeing", "95% interval", "Valid responses", "Source"]]
                .round(1)
            )
            display(HTML(f"<h3>{html.escape(title)}</h3>"))
            self.show_figure(fig, f"{theme}-trend", f"{title}: percent agreeing with each statement by year.", fig.alt_text, data)


def write_figure_workbook(downloads: Path, year: int) -> Path:
    """Gather every figure-data CSV of the year into one XLSX workbook, a sheet per figure.

    Written deterministically: fixed document dates and fixed zip entry times, so the same
    data always gives the same bytes.
    """
    import datetime as dt
    import zipfile

    path = downloads / f"{year}-all-figure-data.xlsx"
    csvs = sorted(p for p in downloads.glob(f"{year}-*.csv"))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        index = pd.DataFrame({"Sheet": [f"{i + 1}" for i in range(len(csvs))], "Figure data file": [p.name for p in csvs]})
        index.to_excel(writer, sheet_name="Contents", index=False)
        for i, csv in enumerate(csvs):
            pd.read_csv(csv, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=str(i + 1), index=False)
        fixed = dt.datetime(2000, 1, 1)
        writer.book.properties.created = fixed
        writer.book.properties.modified = fixed
    # openpyxl stamps the zip entries and the "modified" property with the time of saving:
    # rewrite both with fixed values.
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    entries = [
        (
            name,
            re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2000-01-01T00:00:00Z<", data)
            if name == "docProps/core.xml"
            else data,
        )
        for name, data in entries
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return path
