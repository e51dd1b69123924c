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
from healthcheck.analysis.rounding import signed_points
from healthcheck.cache import record_read
from healthcheck.config import VOICE_SOURCES, load_recommendations
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


#: A narrative file marked illustrative (demonstration text) by a comment line "% illustrative".
ILLUSTRATIVE = re.compile(r"(?mi)^%\s*illustrative\b")


def md_text(text: object) -> str:
    """Any text from the data folder, made to show literally inside MyST Markdown.

    CommonMark lets any ASCII punctuation be escaped with a backslash, so escaping all of it
    means no data string can become a heading, link, role, HTML or emphasis.
    """
    flat = " ".join(str(text).split())
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", flat)


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


_SOURCE_SINGULAR = {"focus group": "in a focus group", "survey comment": "in a survey comment"}
_SOURCE_PLURAL = {"focus group": "the focus groups", "survey comment": "survey comments"}


def _sources_in_words(sources) -> str:
    """ "the focus groups", "survey comments" or "the focus groups and survey comments"."""
    return " and ".join(_SOURCE_PLURAL[s] for s in VOICE_SOURCES if s in set(sources))


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
        return self.bank.theme_title(theme)

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
        quoted = f"\u201c{md_text(self.wording(row.question_id))}\u201d"
        if row.suppressed:
            return f"{quoted}: fewer than {self.threshold} valid responses in {self.year}, so no figure is shown."
        if row.basis == stats.BASIS_PUBLISHED and pd.isna(row.n_valid):
            text = f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} (a published figure; base not known)."
        else:
            source = ", as published" if row.basis == stats.BASIS_PUBLISHED else ""
            text = (
                f"**{pct(row.pct_positive)}** agreed or strongly agreed with {quoted} "
                f"({row.n_valid} valid responses{source}; 95% confidence interval {pct(row.ci_low)} to {pct(row.ci_high)})."
            )
        return f"{text} {self.change_sentence(row)}"

    def change_sentence(self, row) -> str:
        """Whether the change since the last comparable year is real, within chance, or not tested."""
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
        return f"In {prev} it was {pct(row.prev_pct_positive)} ({change}; a published figure without a base, so not tested)."

    def theme_sentence(self, theme: str) -> str:
        """The theme score in words, with an honest change: only statements asked in both years count."""
        changes = stats.theme_changes(self.figures).set_index("theme")
        if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
            return f"No statement of this theme had enough responses in {self.year} to report."
        row = changes.loc[theme]
        n = int(row["n_questions"])
        text = (
            f"Across the {n} survey statement{'s' if n != 1 else ''} of this theme, an average of **{pct(row['score'])}** "
            "of staff agreed or strongly agreed (the theme score)."
        )
        if row["n_compared"]:
            text += " " + self.theme_change_sentence(row)
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
            text += f" Of the statements tested against an earlier year, {', '.join(parts)}."
        return text

    def theme_change_sentence(self, row) -> str:
        """The change of a theme's score, said with what was compared (never tested)."""
        years = " and ".join(str(y) for y in row["prev_years"])
        n = int(row["n_compared"])
        moved = signed_points(row["change_pts"])
        size = f"{abs(moved)} point{'s' if abs(moved) != 1 else ''}"
        if n == 1:
            how = f"rose {size}" if moved > 0 else f"fell {size}" if moved < 0 else "did not change"
            return f"The one statement asked in comparable words in {years} and {self.year} {how}."
        how = f"rose {size}" if moved > 0 else f"fell {size}" if moved < 0 else "did not change"
        return (
            f"On the {n} statements asked in comparable words in {years} and {self.year}, the average {how} "
            "(a change of a theme score is not tested for significance)."
        )

    def glue_theme(self, theme: str) -> None:
        """Glue the theme's title, opening paragraph (both from the question bank) and score sentence."""
        spec = self.bank.themes[theme]
        self.glue_md("theme_title", md_text(spec.title))
        self.glue_md("theme_intro", md_text(spec.intro) if spec.intro.strip() else "")
        self.glue_md("theme_sentence", self.theme_sentence(theme))
        self.glue_md("voices_intro", self.voices_sentence())

    def highlights(self, theme: str) -> None:
        """The theme's highlighted statements (question bank `highlights`): a heading, a sentence, the figures."""
        from IPython.display import Markdown

        figs = self.theme_figures(theme).set_index("question_id")
        blocks = []
        for highlight in self.bank.themes[theme].highlights:
            parts = [f"### {md_text(highlight.heading)}"]
            if highlight.text.strip():
                parts.append(md_text(highlight.text))
            for qid in highlight.statements:
                if qid in figs.index:
                    parts.append(self.question_sentence(figs.loc[qid].to_frame().T.assign(question_id=qid).iloc[0]))
                else:
                    short = self.bank.questions[qid].short
                    parts.append(f"The statement \u201c{md_text(short)}\u201d was not asked in {self.year}.")
            blocks.append("\n\n".join(parts))
        if blocks:
            display(Markdown("\n\n".join(blocks)))

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

    def narrative(self, kind: str, theme: str | None = None) -> None:
        """The analyst's own words for this chapter (data/<year>/narrative/...), every reference
        filled in with the computed figure; a visible draft notice while it is missing or unfinished."""
        from IPython.display import Markdown

        from healthcheck.present import narrative as md
        from healthcheck.present import references

        part = references.part(self.survey.data_dir, self.year, kind, theme)
        record_read(part.path)  # a change to this file re-runs this chapter only
        text = references.read(part, self.survey.data_dir)
        state = md.status(text)
        if state.state != "finished":
            what = "has not been written yet" if state.state == "missing" else "is not finished yet"
            display(
                HTML(
                    '<aside class="hc-draft" role="note"><strong>Draft.</strong> '
                    f"The narrative of this chapter ({html.escape(part.label)}) {what}.</aside>"
                )
            )
        if state.state == "missing":
            return
        if ILLUSTRATIVE.search(text.text):
            display(HTML('<p class="hc-illustrative">Illustrative narrative, written for the demonstration.</p>'))
        # The chapter's section heading is ##, so the narrative's own headings sit one level down.
        rendered = md.render(text, references.Resolver(self.survey, self.year))
        display(Markdown(re.sub(r"(?m)^(#{1,5})(?=\s)", r"#\1", rendered)))

    def response_distribution(self, theme: str) -> pd.DataFrame:
        """The data the theme's response chart plots (charts.likert_data), for readers to open beside it."""
        data = charts.likert_data(self.survey.counts, self.survey.questions, self.year, theme, threshold=self.threshold)
        data = data[data["shown"]]
        out = pd.DataFrame({"Statement": data["statement"]})
        for code in charts.LIKERT_ORDER[::-1]:  # strongly agree first, as the sentences read
            out[f"{RESPONSE_LABELS[code]} (%)"] = data[code].round(1)
        out["Valid responses"] = data["n_valid"]
        return out.reset_index(drop=True)

    # ------------------------------------------------------------------ summary and introduction

    def headline_rows(self) -> pd.DataFrame:
        """Per theme: the theme score, its honest change, and the theme's best-answered statement."""
        changes = stats.theme_changes(self.figures).set_index("theme")
        rows = []
        for theme, spec in self.bank.themes.items():
            if theme not in changes.index or changes.at[theme, "n_questions"] == 0:
                continue
            row = changes.loc[theme]
            n = int(row["n_questions"])
            change = "first year reported" if self.prev_year is None else "not compared: no statement asked in both years"
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
                change += self.significant_changes(theme, say_since=False)
            figs = self.theme_figures(theme)
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

    def who_took_part(self) -> str:
        """Who was heard this year, in words; parts with nothing to report are left out."""
        y = self.survey.years[self.year]
        parts = []
        if y.n_respondents:
            parts.append(f"**{y.n_respondents}** staff in the survey")
        fg = self.meta.focus_groups
        if fg and fg.held and fg.participants:
            parts.append(f"about **{fg.participants}** in {fg.held} focus group{'s' if fg.held != 1 else ''}")
        return " and ".join(parts)

    def glue_summary(self) -> None:
        org = md_text(self.settings.organisation)
        heard = self.who_took_part()
        report = f"The {self.year} {md_text(self.settings.report_title)} of {org} {md_text(self.settings.service)}"
        text = f"{report} heard from {heard}." if heard else f"{report} is based on the figures published for {self.year}."
        self.glue_md("summary_intro", text + " This page gives the headline figure of each theme and how it has changed.")
        compared = ", ".join(str(v) for v in self.survey.year_list if v < self.year) or "no earlier year"
        self.glue_md(
            "summary_about",
            f"This report covers the survey year {self.year} and compares it with {compared}. The chapters that follow "
            "give every statement, the change since the last survey with whether it is significant, breakdowns by group "
            "where numbers allow, and what colleagues said in their own words.",
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
        meta = self.meta
        self.glue_md(
            "intro_what",
            f"The {md_text(self.settings.report_title)} is {md_text(self.settings.organisation)}'s yearly conversation with "
            f"the staff of {md_text(self.settings.service)}: a survey of agreement with statements about their work, and "
            f"what colleagues say in their own words. This report sets out what staff said in {self.year}, how that "
            "compares with earlier years, and what is being done in response.",
        )
        if y.published_only:
            survey = f"The figures for {self.year} are those originally published; no survey records are held"
            if y.n_respondents:
                survey += f". The largest published base is **{y.n_respondents}** responses"
        else:
            survey = f"The survey received **{y.n_respondents}** responses"
        if meta.fieldwork:
            survey += f"; it was open from {long_date(meta.fieldwork.survey_open)} to {long_date(meta.fieldwork.survey_close)}"
        if y.response_rate is not None:
            survey += f", a response rate of **{pct(y.response_rate)}** of the {meta.workforce} staff in scope"
        self.glue_md("intro_survey", survey + ".")
        self.glue_md("intro_focus_groups", self.focus_group_sentence())
        self.glue_md("intro_context", md_text(meta.context) if meta.context.strip() else "")
        self.glue_md("threshold", str(self.threshold))

    def focus_group_sentence(self) -> str:
        """How many focus groups met and who took part; empty when none are recorded."""
        fg, workforce = self.meta.focus_groups, self.meta.workforce
        if not fg or not fg.held:
            return ""
        text = f"**{fg.held}** focus group{'s were' if fg.held != 1 else ' was'} held"
        if fg.first and fg.last:
            text += f" between {fg.first:%B} and {fg.last:%B %Y}"
        if fg.participants:
            text += f", with about **{fg.participants}** staff taking part"
            if workforce:
                text += f", about **{pct(100 * fg.participants / workforce)}** of the workforce"
        return text + "."

    def context_indicators(self) -> None:
        """The year's workforce indicators (indicators.csv) beside last year's, with the change."""
        from healthcheck.io import read_table

        path = self._year_file(self.year, "indicators.csv")
        if not path.is_file():
            display(HTML(f"<p>No context indicators are recorded for {self.year}.</p>"))
            return
        now = read_table(path)
        before = pd.DataFrame(columns=now.columns)
        if self.prev_year is not None and self._year_file(self.prev_year, "indicators.csv").is_file():
            before = read_table(self._year_file(self.prev_year, "indicators.csv"))
        earlier = dict(zip(before.get("code", []), before.get("value", []), strict=False))
        rows = []
        for r in now.itertuples(index=False):
            unit = r.unit.strip()
            shown = f"{r.value}{unit}" if unit == "%" else f"{r.value} {unit}".strip()
            prev = earlier.get(r.code, "")
            change = "not recorded last year"
            if prev.strip():
                diff = float(r.value) - float(prev)
                step = "points" if unit == "%" else unit
                change = "no change" if diff == 0 else f"{'up' if diff > 0 else 'down'} {abs(diff):g} {step}".strip()
            rows.append({"Indicator": r.label, str(self.year): shown, "Change since last year": change, "Source": r.source})
        display(HTML(html_table(pd.DataFrame(rows), f"Context indicators, {self.year}", css_class="hc-table hc-table-stack")))

    # ------------------------------------------------------------------ quotes and words

    def _year_file(self, year: int, name: str) -> Path:
        """A narrative file of a year (quotes, words, recommendations), noted as read by this chapter."""
        path = self.survey.data_dir / str(year) / name
        record_read(path)
        return path

    def _voices(self, name: str, year: int | None = None) -> pd.DataFrame:
        """quotes.csv or words.csv of a year with a `source` column (focus group unless said)."""
        from healthcheck.io import read_table

        path = self._year_file(year or self.year, name)
        if not path.is_file():
            return pd.DataFrame()
        table = read_table(path)
        source = table["source"] if "source" in table.columns else pd.Series("", index=table.index, dtype=object)
        return table.assign(source=source.str.strip().str.lower().replace("", VOICE_SOURCES[0]))

    def voices_sentence(self) -> str:
        """Where this year's quotes come from, in words (focus groups, survey comments or both)."""
        sources = set(self._voices("quotes.csv").get("source", []))
        if not sources:
            return ""
        return f"What colleagues said about this theme in {_sources_in_words(sources)}, beside what the survey shows."

    def quotes(self, theme: str) -> None:
        """Pull quotes for the theme, each with its speaker's role and source, marked when illustrative."""
        quotes = self._voices("quotes.csv")
        if quotes.empty:
            display(HTML(f"<p>No quotes are recorded for {self.year}.</p>"))
            return
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
                f"<figcaption>{html.escape(q.speaker)}, {html.escape(_SOURCE_SINGULAR[q.source])}{note}</figcaption></figure>"
            )
        display(HTML('<div class="hc-quotes">' + "".join(blocks) + "</div>"))

    # ------------------------------------------------------------------ recommendations

    def _recommendations(self) -> dict:
        self._year_file(self.year, "recommendations.yml")  # noted as read by this chapter
        return load_recommendations(self.survey.data_dir, self.year)

    def glue_conclusions(self) -> None:
        recs = self._recommendations()
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
        self.glue_md("conclusions_intro", " ".join(sentences) or f"No recommendations are recorded for {self.year}.")

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
                "Theme": self.bank.theme_title(r["theme"]) if r.get("theme") in self.bank.themes else "",
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
            row = {"Code": qid, "Theme": self.bank.theme_title(q.theme)}
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
        shown = False
        for year in [self.year] + ([self.prev_year] if self.prev_year else []):
            words = self._voices("words.csv", year)
            if words.empty:
                continue
            where = _sources_in_words(set(words["source"]))
            words = words.assign(count=pd.to_numeric(words["count"]))[["word", "count"]]
            words = words.sort_values(["count", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
            fig = charts.word_cloud(words, seed=year, title=f"Words used most often in {where}, {year}")
            self.show_figure(
                fig,
                "word-cloud" if year == self.year else f"word-cloud-previous-{year}",
                f"Word cloud of {where}, {year}.",
                charts.word_cloud_alt(words),
                words.rename(columns={"word": "Word", "count": "Times mentioned"}),
            )
            shown = True
        if not shown:
            display(HTML("<p>No word list is recorded for this year.</p>"))

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
        titles = {code: spec.title for code, spec in self.bank.themes.items()}
        series = scores.assign(label=scores["theme"].map(titles), pct_positive=scores["score"])
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
        """What changed significantly in the theme, saying how many statements were tested and against when."""
        figs = self.theme_figures(theme)
        tested = figs[figs["change_flag"].fillna("") != ""]
        if self.prev_year is None:
            return f"{self.year} is the first year"
        if tested.empty:
            return "no statement could be tested against an earlier year"
        years = "/".join(str(int(y)) for y in sorted(tested["prev_year"].dropna().unique()))
        ups = int((tested["change_flag"] == stats.INCREASE).sum())
        downs = int((tested["change_flag"] == stats.DECREASE).sum())
        n = len(tested)
        against = f" against {years}" if say_since else ""
        of = "the one statement tested" if n == 1 else f"the {n} statements tested"
        if not ups and not downs:
            if n == 1:
                return f"the one statement tested{against} did not change significantly"
            return f"none of the {n} statements tested{against} changed significantly"
        moved = " and ".join(text for count, text in ((ups, f"{ups} rose"), (downs, f"{downs} fell")) if count)
        return f"of {of}{against}, {moved} significantly"

    def statement_trends(self) -> None:
        """One trend chart per theme, every statement across the years."""
        figs = self.all_years_figures()
        figs = figs[~figs["suppressed"].astype(bool)]
        questions = self.survey.questions
        for theme, spec in self.bank.themes.items():
            title = spec.title
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
