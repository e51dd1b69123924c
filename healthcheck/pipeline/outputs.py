"""The stages after the chapters, for any book (a council's, or the national summary): the
website and the single page built by jupyter-book, the auditors' notebook pages, the
all-figure workbook and the PDF.

On two cores the website and the single page are built side by side; Chromium then prints
the single page while a thread exports the auditors' pages and puts the website in place.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC
from pathlib import Path

from healthcheck.pipeline import book, notebooks
from healthcheck.pipeline.pdf.printing import TitlePage, print_pdf
from healthcheck.present.workbook import Cover, sheets_from_csvs, write_workbooks


def write_outputs(
    book_run: tuple, out: Path, pdf_path: Path, title: TitlePage, settings, year: int, log=None, then=None, themes=None
):
    """The website, the auditors' pages, the workbook and the PDF of a book whose chapters have run.

    `book_run` is (book_dir, stage_dir, chapters, epoch, strict). Used for a council's book and
    for the national summary. On two cores, the single page, the workbook, then the website are
    built side by side while Chromium starts; then, while Chromium prints the single page, a thread exports
    the auditors' pages, puts the website in place in `out` and calls `then()` (if given) on
    it. Returns the warnings, or (warnings, what `then()` returned) when `then` is given.
    `themes` (theme id -> title) names the workbooks' tables.
    """
    book_dir, stage_dir, chapters, epoch, strict = book_run
    title = replace(title, annex=tuple(book.annex_documents(book.load_toc(book_dir / "_toc.yml"))))
    log = log or (lambda *_: None)
    warnings: list[str] = []
    out.mkdir()
    log("building the single-page HTML for the PDF, while Chromium starts")
    single_job = book.start_jupyter_book(book_dir, "singlehtml", epoch, strict, stage_dir / "single-build")
    html_job = None
    background = ThreadPoolExecutor(max_workers=1)
    futures: list = []

    def finish_site() -> tuple[list[str], object]:
        site_warnings = notebooks.export_chapters(chapters, book_dir, out)
        site_warnings += book.finish_jupyter_book(html_job)
        shutil.move(str(stage_dir / "html-build" / "_build" / "html"), str(out / "html"))
        book.finish_site(out / "html", chapters[0].docname, settings, year)
        return site_warnings, then() if then else None

    def single_page() -> Path:  # called by print_pdf once Chromium has started
        warnings.extend(book.finish_jupyter_book(single_job))
        # Sphinx writes the single page where the root document lives (chapters/...) but
        # makes its links relative to the top of the build; at the top they resolve.
        single = stage_dir / "single-build" / "_build" / "singlehtml"
        shutil.copy2(single / f"{chapters[0].docname}.html", single / "report-print.html")
        log("exporting the executed notebooks and finishing the website (in the background)")
        futures.append(background.submit(finish_site))
        log("printing the PDF (Chromium)")
        return single / "report-print.html"

    try:
        # The workbook is written while the single page is built (the page does not link to
        # it), and before the website, which publishes it.
        downloads = book_dir / "extra" / "downloads"
        if downloads.is_dir():
            write_workbooks(
                _cover(title, settings, year, epoch), sheets_from_csvs(downloads, year, themes),
                getattr(settings, "suppression_threshold", None), downloads / f"{year}-all-figure-data",
            )  # fmt: skip
        log("building the HTML pages (jupyter-book, in the background)")
        html_job = book.start_jupyter_book(book_dir, "html", epoch, strict, stage_dir / "html-build")
        warnings += print_pdf(single_page, pdf_path, title, epoch=epoch)
        site_warnings, after = futures[0].result()
        warnings += site_warnings
    finally:
        background.shutdown(wait=True, cancel_futures=True)
        book.stop_jupyter_book(html_job)
        book.stop_jupyter_book(single_job)
    return (warnings, after) if then else warnings


def _cover(title: TitlePage, settings, year: int, epoch: int) -> Cover:
    """The workbooks' cover: the book's title page, its source and contact, the build date."""
    from datetime import datetime

    from healthcheck.data.config import Spreadsheets

    sheet = getattr(settings, "spreadsheets", None) or Spreadsheets()
    source = sheet.source or f"{title.title} staff survey, {title.organisation}, {year}"
    return Cover(
        title=f"{title.title} {year}: all figure data",
        organisation=title.organisation,
        year=year,
        source=source,
        contact=sheet.contact,
        published=datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%-d %B %Y"),
        about=" ".join(part for part in (f"Scope: {title.service}." if title.service else "", title.notice) if part),
    )
