"""What every page of a book does alike, whichever book it belongs to: the page model.

A council chapter (:class:`healthcheck.present.chapter.Chapter`) and a chapter of the national
summary (:class:`healthcheck.present.national.book.NationalBook`) both extend :class:`Page`. A page
knows its year, where its downloads go, and where the build wants the files it reads listed;
it shows a chart in the one figure block (the chart with its narrow drawing for phones, alt
text, caption, download links and data table), writes a table as a CSV download with its
link, and shows a notice. The HTML is the package's templates (``healthcheck/assets``), which
escape every value through :mod:`healthcheck.escape`.
"""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from healthcheck import assets
from healthcheck.hashing import content_digest
from healthcheck.present import charts
from healthcheck.present.exports import write_csv
from healthcheck.present.tables import html_table, scroll_region

__all__ = ["Page", "NARROW_MEDIA", "picture", "svg_bytes", "svg_size_px", "slug"]

#: Screens up to this wide get a chart's narrow version (book/_static/charts.css agrees).
NARROW_MEDIA = "screen and (max-width: 600px)"

_SVG_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.DOTALL)


def slug(text: str) -> str:
    """`text` as an HTML id part: lower case, runs of anything but letters and digits as one "-"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def svg_size_px(svg: bytes) -> tuple[int, int] | None:
    """The SVG's own size in CSS pixels (matplotlib writes it in points)."""
    match = _SVG_SIZE.search(svg[:2000])
    if not match:
        return None
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def svg_bytes(fig, dpi: int = 200) -> bytes:
    """The figure as deterministic SVG bytes (save_figure fixes the hash salt and drops dates);
    `dpi` only matters for the raster parts, such as a word cloud."""
    with tempfile.TemporaryDirectory() as tmp:
        return charts.save_figure(fig, Path(tmp) / "figure.svg", dpi=dpi).read_bytes()


def _image(svg: bytes) -> dict:
    return {"uri": "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"), "size": svg_size_px(svg)}


def picture(svg: bytes, alt: str, narrow: bytes | None = None) -> str:
    """The chart as an image with its alt text; with `narrow`, a ``<picture>`` whose
    ``<source>`` gives phones (:data:`NARROW_MEDIA`) the narrow drawing. Each image carries its
    own size, for the browser to reserve its space and for the CSS to keep its text legible."""
    small = _image(narrow) if narrow is not None else None
    return assets.render("picture.html", wide=_image(svg), narrow=small, alt=alt, media=NARROW_MEDIA)


class Page:
    """One page of a book, as its notebook sees it.

    year: the book's year. downloads_dir: where the page's downloads (CSV, SVG) are written
    (none: the page offers no downloads). reads_file: where the build wants the input files the
    page reads listed, for its chapter cache (none outside a build).
    """

    #: The downloads folder as a link from the page: the site puts a council's chapters at
    #: chapters/<page>.html and the downloads at downloads/.
    downloads_href = "../downloads"

    def __init__(self, year: int, downloads_dir=None, *, reads_file=None):
        self.year = int(year)
        self.reads_file = Path(reads_file) if reads_file else None
        self.downloads = Path(downloads_dir) if downloads_dir else None
        if self.downloads:
            self.downloads.mkdir(parents=True, exist_ok=True)
        charts.apply_house_style()

    # ------------------------------------------------------------------ inputs

    def record_read(self, path) -> None:
        """Note that this page read `path` (looked for it, even if absent), with the hash of
        the content it gets there now.

        The path is kept as named, not resolved: a file replaced by a link to another file is
        the same name with other content, and the cache compares content read through links
        (`hashing.content_digest`), so the change re-runs the chapter.
        """
        if self.reads_file:
            named = Path(path).absolute()
            with open(self.reads_file, "a", encoding="utf-8") as fh:
                fh.write(f"{named}\t{content_digest(named)}\n")

    # ------------------------------------------------------------------ showing things

    def glue_md(self, name: str, text: str) -> None:
        """Glue a Markdown snippet for `{glue:md}` references in the chapter's prose."""
        glue(name, Markdown(text), display=False)

    def _download_href(self, file_name: str) -> str:
        return f"{self.downloads_href}/{quote(file_name)}"

    def download_csv(self, frame: pd.DataFrame, name: str, link: str | None = None) -> str:
        """Write `frame` as the download ``<year>-<name>.csv`` and return the HTML of its link.

        `link`: the link's words ("Download the indicators (CSV)"); the link is a paragraph
        shown on screen only (the PDF has no files beside it). Without `link`, or when the page
        has no downloads folder, nothing is written there and the HTML is "".
        """
        if not self.downloads:
            return ""
        file_name = f"{self.year}-{name}.csv"
        write_csv(frame, self.downloads / file_name)
        if link is None:
            return ""
        return assets.render("download-link.html", href=self._download_href(file_name), text=link)

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
        """Show a figure as an accessible HTML block: image with alt text, caption, its data and a
        CSV link (the block :meth:`figure_html` makes; the arguments are its)."""
        display(HTML(self.figure_html(fig, name, caption, alt, data, data_caption, dpi=dpi, narrow=narrow)))

    def figure_html(
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
    ) -> str:
        """The figure block: image with alt text, caption, its data and a CSV link, as HTML.

        `narrow`: the same chart drawn for a phone (``charts.style.NARROW_IN`` wide); the page
        then offers it to screens up to 600 CSS pixels wide (:func:`picture`), so a phone
        reader sees the whole chart without sideways scrolling; print and wider screens get
        the wide one. The alt text, caption and data table serve both. The SVGs and the CSV
        are also written to the downloads folder, named after the year and figure (the
        narrow one with ``-narrow``), so readers can download them and auditors can hash them.
        """
        stem = f"{self.year}-{name}"
        svg = svg_bytes(fig, dpi)
        small = svg_bytes(narrow, dpi) if narrow is not None else None
        csv_href = svg_href = None
        if self.downloads:
            (self.downloads / f"{stem}.svg").write_bytes(svg)
            svg_href = self._download_href(f"{stem}.svg")
            if small is not None:
                (self.downloads / f"{stem}-narrow.svg").write_bytes(small)
            if data is not None:
                write_csv(data, self.downloads / f"{stem}.csv")
                csv_href = self._download_href(f"{stem}.csv")
        image = scroll_region(picture(svg, alt, small), f"Chart: {caption}", "hc-figure-scroll")
        table = html_table(data, data_caption or caption) if data is not None else None
        return assets.render(
            "figure.html",
            slug=slug(name),
            image=assets.Markup(image),
            caption=caption,
            csv_href=csv_href,
            svg_href=svg_href,
            table=assets.Markup(table) if table is not None else None,
        )

    def show_notice(self, head: str, text: str, anchor: str | None = None, css: str = "hc-notice") -> None:
        """A notice every reader of the page sees: `head` in bold, then `text` (plain text, or
        :class:`markupsafe.Markup` the code built), with `anchor` as its id for links to it;
        `css`: its class (``hc-notice`` for demonstration data, ``hc-draft`` for a draft)."""
        display(HTML(assets.render("notice.html", head=head, text=text, anchor=anchor, css=css)))
