"""The chapter a notebook is running: one year's survey, and how a chapter shows things.

A chapter notebook makes one `Chapter` from its papermill parameters and passes it to the
functions of its section module (`present.sections.*`). The Chapter knows the loaded survey
and the year, writes each figure with its data beside it, shows the demonstration and draft
notices and the analyst's narrative, and notes every input file the chapter reads, so that a
rebuild re-runs only the chapters whose inputs changed.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from healthcheck.analysis.survey import load_survey
from healthcheck.data import narrative as md
from healthcheck.data import texts
from healthcheck.data.benchmarkfiles import BenchmarkFiles, read_benchmark_files
from healthcheck.data.config import VOICE_SOURCES
from healthcheck.data.files import BENCHMARKS_FILE, ORGANISATIONS_FILE
from healthcheck.hashing import content_digest
from healthcheck.present import charts, references
from healthcheck.present.exports import write_csv
from healthcheck.present.tables import html_table, scroll_region

#: A narrative file marked illustrative (demonstration text) by a comment line "% illustrative".
ILLUSTRATIVE = re.compile(r"(?mi)^%\s*illustrative\b")
_SVG_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.DOTALL)

SOURCE_SINGULAR = {"focus group": "in a focus group", "survey comment": "in a survey comment"}
SOURCE_PLURAL = {"focus group": "the focus groups", "survey comment": "survey comments"}


def sources_in_words(sources) -> str:
    """'the focus groups', 'survey comments' or 'the focus groups and survey comments'."""
    return " and ".join(SOURCE_PLURAL[s] for s in VOICE_SOURCES if s in set(sources))


def long_date(value) -> str:
    """4 May 2022."""
    return f"{value.day} {value:%B %Y}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _svg_size_px(svg: bytes) -> tuple[int, int] | None:
    """The SVG's own size in CSS pixels (matplotlib writes it in points)."""
    match = _SVG_SIZE.search(svg[:2000])
    if not match:
        return None
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def _svg_bytes(fig, dpi: int = 200) -> bytes:
    """The figure as deterministic SVG bytes (save_figure fixes the hash salt and drops dates);
    `dpi` only matters for the raster parts, such as a word cloud."""
    with tempfile.TemporaryDirectory() as tmp:
        return charts.save_figure(fig, Path(tmp) / "figure.svg", dpi=dpi).read_bytes()


#: Screens up to this wide get a chart's narrow version (book/_static/charts.css agrees).
NARROW_MEDIA = "screen and (max-width: 600px)"


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def picture(svg: bytes, alt: str, narrow: bytes | None = None) -> str:
    """The chart as an image with its alt text; with `narrow`, a ``<picture>`` whose
    ``<source>`` gives phones (:data:`NARROW_MEDIA`) the narrow drawing. Each image carries its
    own size, for the browser to reserve its space and for the CSS to keep its text legible."""
    size = _svg_size_px(svg)
    dims = f' width="{size[0]}" height="{size[1]}" style="--hc-img-width: {size[0]}px"' if size else ""
    image = f'<img src="{_data_uri(svg)}" alt="{html.escape(alt)}"{dims} />'
    if narrow is None:
        return image
    small = _svg_size_px(narrow)
    small_dims = f' width="{small[0]}" height="{small[1]}"' if small else ""
    return (
        f'<picture class="hc-picture"><source media="{NARROW_MEDIA}" srcset="{_data_uri(narrow)}"{small_dims} />{image}</picture>'
    )


class Chapter:
    """One year's report, as seen from a chapter notebook.

    year, data_dir, downloads_dir: the chapter's papermill parameters. reads_file: where the
    build wants the input files this chapter reads listed (none outside a build). survey_file:
    the survey the build already validated and loaded (a pickle), so chapters do not load it
    again. benchmark_dir: where this year's benchmark files are, when a national batch wrote
    them (default: the year's own folder).
    """

    def __init__(self, year: int, data_dir=None, downloads_dir=None, *, reads_file=None, survey_file=None, benchmark_dir=None):
        self.reads_file = Path(reads_file) if reads_file else None
        self.benchmark_dir = Path(benchmark_dir) if benchmark_dir else None
        self._benchmarks: dict[int, BenchmarkFiles] = {}
        self.survey = load_survey(data_dir, year, preloaded=survey_file)
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
            self.record_read(path)
        charts.apply_house_style()

    # ------------------------------------------------------------------ inputs

    def record_read(self, path) -> None:
        """Note that this chapter read `path` (looked for it, even if absent), with the hash of
        the content it gets there now.

        The path is kept as named, not resolved: a file replaced by a link to another file is
        the same name with other content, and the cache compares content read through links
        (`hashing.content_digest`), so the change re-runs the chapter.
        """
        if self.reads_file:
            named = Path(path).absolute()
            with open(self.reads_file, "a", encoding="utf-8") as fh:
                fh.write(f"{named}\t{content_digest(named)}\n")

    def year_file(self, year: int, name: str) -> Path:
        """A file of a year's folder (quotes, words, indicators, ...), noted as read by this chapter."""
        path = self.survey.data_dir / str(year) / name
        self.record_read(path)
        return path

    def voices(self, name: str, year: int | None = None) -> pd.DataFrame:
        """quotes.csv or words.csv of a year, with its `source` (a focus group unless it says otherwise)."""
        path = self.year_file(year or self.year, name)
        table = texts.READERS[name](path)  # text cleaned as validate checked it; empty without a file
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

    def glue_md(self, name: str, text: str) -> None:
        """Glue a Markdown snippet for `{glue:md}` references in the chapter's prose."""
        glue(name, Markdown(text), display=False)

    def show_figure(
        self,
        fig,
        name: str,
        caption: str,
        alt: str,
        data: pd.DataFrame | None,
        data_caption: str = "",
        *,
        dpi: int = 200,
        narrow=None,
    ) -> None:
        """Show a figure as an accessible HTML block: image with alt text, caption, its data and a CSV link.

        `narrow`: the same chart drawn for a phone (``charts.style.NARROW_IN`` wide); the page
        then offers it to screens up to 600 CSS pixels wide (:func:`picture`), so a phone
        reader sees the whole chart without sideways scrolling; print and wider screens get
        the wide one. The alt text, caption and data table serve both. The SVGs and the CSV
        are also written to the downloads folder, named after the year and figure (the
        narrow one with ``-narrow``), so readers can download them and auditors can hash them.
        """
        stem = f"{self.year}-{name}"
        svg = _svg_bytes(fig, dpi)
        small = _svg_bytes(narrow, dpi) if narrow is not None else None
        links = ""
        if self.downloads:
            (self.downloads / f"{stem}.svg").write_bytes(svg)
            if small is not None:
                (self.downloads / f"{stem}-narrow.svg").write_bytes(small)
            if data is not None:
                write_csv(data, self.downloads / f"{stem}.csv")
                links += (
                    f' <span class="hc-screen-only"><a href="../downloads/{stem}.csv" download>'
                    "Download the data (CSV)</a>.</span>"
                )
            # links to files: on screen only (the PDF has no files beside it)
            links += f' <span class="hc-screen-only"><a href="../downloads/{stem}.svg">Open the chart full size (SVG)</a>.</span>'
        block = (
            f'<figure class="hc-figure" id="fig-{_slug(name)}">'
            + scroll_region(picture(svg, alt, small), f"Chart: {caption}", "hc-figure-scroll")
            + f"<figcaption>{html.escape(caption)}{links}</figcaption></figure>"
        )
        if data is not None:
            block += (
                '<details class="hc-data"><summary>Show the data behind this chart</summary>'
                f"{html_table(data, data_caption or caption)}</details>"
            )
        display(HTML(block))

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
        if full or detail:
            shown = f"<strong>{html.escape(head)}.</strong> {html.escape(rest.strip())}"
        else:
            shown = (
                f"<strong>{html.escape(head)}.</strong> Not a real council\u2019s findings: "
                '<a href="introduction.html#demonstration">what is synthetic</a>.'
            )
        anchor = ' id="demonstration"' if detail else ""
        display(HTML(f'<aside class="hc-notice" role="note"{anchor}>{shown}</aside>'))

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
            display(
                HTML(
                    '<aside class="hc-draft" role="note"><strong>Draft.</strong> '
                    f"The narrative of this chapter ({html.escape(part.label)}) {what}.</aside>"
                )
            )
        if state.state == "missing":
            return
        if ILLUSTRATIVE.search(text.text):
            self.illustrative_label()
        # The chapter's section heading is ##, so the narrative's own headings sit one level down.
        rendered = md.render(text, references.Resolver(self.survey, self.year, self.benchmarks().benchmarks))
        display(Markdown(re.sub(r"(?m)^(#{1,5})(?=\s)", r"#\1", rendered)))
