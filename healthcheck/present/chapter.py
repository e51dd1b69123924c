"""The chapter a notebook is running: one year's survey, and how a chapter shows things.

A chapter notebook makes one `Chapter` from its papermill parameters and passes it to the
functions of its section module (`present.sections.*`). The Chapter is a page of the book
(`present.page.Page`: figures with their data beside them, CSV downloads, notices, and every
input file the chapter reads noted, so that a rebuild re-runs only the chapters whose inputs
changed); it adds the loaded survey and the year, the demonstration and draft notices and the
analyst's narrative.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display
from markupsafe import Markup

from healthcheck.analysis.survey import load_survey
from healthcheck.data import inputs
from healthcheck.data.comparatorfiles import BenchmarkFiles, read_benchmark_files
from healthcheck.data.config import VOICE_SOURCES
from healthcheck.data.files import BENCHMARKS_FILE, ORGANISATIONS_FILE
from healthcheck.data.narrative import files as md
from healthcheck.present import references
from healthcheck.present.page import NARROW_MEDIA, Page, picture

__all__ = ["Chapter", "ILLUSTRATIVE", "NARROW_MEDIA", "picture", "sources_in_words", "long_date"]

#: A narrative file marked illustrative (demonstration text) by a comment line "% illustrative".
ILLUSTRATIVE = re.compile(r"(?mi)^%\s*illustrative\b")
SOURCE_SINGULAR = {"focus group": "in a focus group", "survey comment": "in a survey comment"}
SOURCE_PLURAL = {"focus group": "the focus groups", "survey comment": "survey comments"}


def sources_in_words(sources) -> str:
    """'the focus groups', 'survey comments' or 'the focus groups and survey comments'."""
    return " and ".join(SOURCE_PLURAL[s] for s in VOICE_SOURCES if s in set(sources))


def long_date(value) -> str:
    """4 May 2022."""
    return f"{value.day} {value:%B %Y}"


class Chapter(Page):
    """One year's report, as seen from a chapter notebook.

    year, data_dir, downloads_dir: the chapter's papermill parameters. reads_file: where the
    build wants the input files this chapter reads listed (none outside a build). survey_file:
    the survey the build already validated and loaded (a pickle), so chapters do not load it
    again. benchmark_dir: where this year's benchmark files are, when a national batch wrote
    them (default: the year's own folder).
    """

    def __init__(self, year: int, data_dir=None, downloads_dir=None, *, reads_file=None, survey_file=None, benchmark_dir=None):
        super().__init__(year, downloads_dir, reads_file=reads_file)
        self.benchmark_dir = Path(benchmark_dir) if benchmark_dir else None
        self._benchmarks: dict[int, BenchmarkFiles] = {}
        self.survey = load_survey(data_dir, year, preloaded=survey_file)
        self.settings = self.survey.settings
        self.bank = self.survey.bank
        self.meta = self.survey.years[self.year].meta
        earlier = [y for y in self.survey.year_list if y < self.year]
        self.prev_year = earlier[-1] if earlier else None
        self.figures = self.survey.figures(self.year)
        self.threshold = self.survey.threshold
        # Every chapter depends on the survey's files; a rebuild re-runs it when one changes.
        for path in self.survey.source_files():
            self.record_read(path)

    # ------------------------------------------------------------------ inputs

    def year_file(self, year: int, name: str) -> Path:
        """A file of a year's folder (quotes, words, indicators, ...), noted as read by this chapter."""
        path = self.survey.data_dir / str(year) / name
        self.record_read(path)
        return path

    def voices(self, name: str, year: int | None = None) -> pd.DataFrame:
        """quotes.csv or words.csv of a year, with its `source` (a focus group unless it says otherwise)."""
        path = self.year_file(year or self.year, name)
        table = inputs.READERS[name](path)  # text cleaned as validate checked it; empty without a file
        if table.empty:
            return pd.DataFrame()
        source = table["source"] if "source" in table.columns else pd.Series("", index=table.index, dtype=object)
        return table.assign(source=source.str.strip().str.lower().replace("", VOICE_SOURCES[0]))

    def benchmarks(self, year: int | None = None) -> BenchmarkFiles:
        """The year's benchmark files: from the batch's folder when a batch gave one (the report
        year at its top, earlier years in `<benchmark_dir>/<year>/`), else from the year's data folder."""
        year = year or self.year
        if year not in self._benchmarks:
            folder = self.survey.data_dir / str(year)
            if self.benchmark_dir and year == self.year:
                folder = self.benchmark_dir
            elif self.benchmark_dir and (self.benchmark_dir / str(year)).is_dir():
                folder = self.benchmark_dir / str(year)
            for name in (BENCHMARKS_FILE, ORGANISATIONS_FILE):
                self.record_read(folder / name)
            self._benchmarks[year] = read_benchmark_files(folder, self.survey.data_dir)
        return self._benchmarks[year]

    # ------------------------------------------------------------------ lookups

    def theme_title(self, theme: str) -> str:
        return self.bank.theme_title(theme)

    def theme_figures(self, theme: str) -> pd.DataFrame:
        return self.figures[self.figures["theme"] == theme]

    def wording(self, question_id: str) -> str:
        return self.bank.questions[question_id].wording.get(self.year, "")

    # ------------------------------------------------------------------ showing things

    def demonstration_notice(self, detail: bool = False, *, full: bool = False) -> None:
        """A visible notice of what is synthetic, once on every page of demonstration data.

        Most pages get a short label that links to the full account, so that the same long
        notice is not read again on every page; `full` shows the report-wide notice in
        full, and `detail` adds the year's own account of what is synthetic (the
        introduction and the methods appendix).
        """
        notice = self.settings.demonstration_notice.strip()
        if not notice:
            return
        if detail and self.meta.synthetic.strip():
            notice = f"{notice} {self.meta.synthetic.strip()}".strip()
        head, rest = "Synthetic data", notice
        if notice.lower().startswith("demonstration data"):
            head, _, rest = notice.partition(".")
        if not (full or detail):
            rest = Markup('Not a real council\u2019s findings: <a href="introduction.html#demonstration">what is synthetic</a>.')
        self.show_notice(head, rest.strip(), anchor="demonstration" if detail else None)

    def illustrative_label(self) -> None:
        """The label of demonstration narrative, once per page however many parts are illustrative."""
        if getattr(self, "_illustrative_shown", False):
            return
        self._illustrative_shown = True
        display(HTML('<p class="hc-illustrative">Illustrative narrative: not an account of real findings.</p>'))

    def optional_narrative(self, kind: str) -> None:
        """An optional narrative file (foreword, acknowledgements): shown when written, else nothing."""
        part = md.part(self.survey.data_dir, self.year, kind)
        self.record_read(part.path)  # writing the file later re-runs this chapter
        text = md.read(part, self.survey.data_dir)
        if md.status(text).state != "finished":
            return None
        if ILLUSTRATIVE.search(text.text):
            self.illustrative_label()
        # Its own headings stand at the chapter's section level (## Foreword), so none is shifted.
        display(Markdown(md.render(text, references.Resolver(self.survey, self.year, self.benchmarks().benchmarks))))
        return None

    def narrative(self, kind: str, theme: str | None = None) -> None:
        """The analyst's own words for this chapter (data/<year>/narrative/...), every reference
        filled in with the computed figure; a visible draft notice while it is missing or unfinished."""
        part = md.part(self.survey.data_dir, self.year, kind, theme)
        self.record_read(part.path)  # a change to this file re-runs this chapter only
        text = md.read(part, self.survey.data_dir)
        state = md.status(text)
        if state.state != "finished":
            what = "has not been written yet" if state.state == "missing" else "is not finished yet"
            self.show_notice("Draft", f"The narrative of this chapter ({part.label}) {what}.", css="hc-draft")
        if state.state == "missing":
            return
        if ILLUSTRATIVE.search(text.text):
            self.illustrative_label()
        # The chapter's section heading is ##, so the narrative's own headings sit one level down.
        rendered = md.render(text, references.Resolver(self.survey, self.year, self.benchmarks().benchmarks))
        if not rendered.strip():
            # a draft with nothing but the template's comments: an empty Markdown would reach the
            # page as its text form, "<IPython.core.display.Markdown object>", in a code box
            return
        display(Markdown(re.sub(r"(?m)^(#{1,5})(?=\s)", r"#\1", rendered)))
