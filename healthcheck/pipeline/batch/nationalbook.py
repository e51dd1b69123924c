"""The national summary book: a small Jupyter Book of its own, built with the report's machinery.

Its chapters (chapters/national/*.ipynb, table of contents chapters/national/_toc.yml) run
with papermill through `pipeline.chapters` (worker processes, the chapter cache), the book is
built by `pipeline.book` (html and singlehtml), printed by `healthcheck.pipeline.pdf.printing.print_pdf`, and
published with `pipeline.staging` (a staging folder under a lock, swapped in when finished),
into `<build_root>/<year>/` with html/, pdf/, executed/ and notebooks/. The inputs are the
folder the batch writes (see present/national.py); a rebuild whose inputs, chapters, code and
environment did not change keeps the previous book.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

from healthcheck import paths
from healthcheck.data.config import Publication
from healthcheck.pipeline import book, staging
from healthcheck.pipeline.execute.chapters import ChapterRun, chapters_from_docs, failure, run_chapters
from healthcheck.pipeline.outputs import write_outputs
from healthcheck.pipeline.parameters import NATIONAL_PARAMETERS
from healthcheck.pipeline.pdf.printing import TitlePage, cover_publication
from healthcheck.pipeline.progress import Progress

CHAPTERS_DIR = paths.CHAPTERS_DIR / "national"
TOC_PATH = CHAPTERS_DIR / "_toc.yml"


def build_national_book(year: int, input_dir, build_root, *, force: bool = False, jobs: int = 1) -> dict:
    """Build the national summary of `year` from the batch's `input_dir` into `<build_root>/<year>`.

    Returns the batch report's record (status "built" or "up to date", html, pdf, warnings);
    raises a HealthcheckError (ChapterFailed, BuildError, PdfError) when the book cannot be built,
    leaving any previous book as it was.
    """
    year, input_dir, build_root = int(year), Path(input_dir).resolve(), Path(build_root).resolve()
    facts = json.loads((input_dir / "facts.json").read_text(encoding="utf-8"))
    toc = book.load_toc(TOC_PATH)
    chapters = chapters_from_docs(book.documents(toc, TOC_PATH), CHAPTERS_DIR, NATIONAL_PARAMETERS)
    epoch = staging.source_date_epoch()
    inputs = [TOC_PATH, book.CONFIG_PATH, book.BOOK_ASSETS_DIR, input_dir, *(c.source for c in chapters)]
    fingerprint = staging.fingerprint([year, "national", str(input_dir), epoch], inputs)
    final = build_root / str(year)
    kept = _unchanged(final, fingerprint)
    if kept and not force:
        return {"status": "up to date", **kept}
    settings = _settings(facts)
    with staging.year_lock(build_root, year):
        stage = staging.new_staging(build_root, year)
        try:
            book_dir = book.write_book(stage, settings, year, toc, book.CONFIG_PATH, book.BOOK_ASSETS_DIR)
            run = ChapterRun(
                staging=stage, year=year, data_dir=None, year_folders=[year], epoch=epoch,
                survey_file=stage / "no-survey", jobs=jobs, cache_root=build_root / ".cache", force=force,
                extra={"national_dir": str(input_dir)},
            )  # fmt: skip
            with Progress([c.name for c in chapters], False) as prog:
                seconds, warnings, failed = run_chapters(chapters, run, prog)
            if failed:
                chapter = next(c for c in chapters if c.name == failed["name"])
                raise failure(failed, chapter, stage, build_root / f"failed-{year}")
            out = stage / "out"
            pdf = out / "pdf" / f"{staging.slug(settings.report_title)}-{year}.pdf"
            warnings += _outputs(chapters, settings, facts, year, book_dir, stage, out, pdf, epoch)
            info = {"year": year, "fingerprint": fingerprint, "pdf": pdf.name, "chapter_seconds": seconds, "warnings": warnings}
            (out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
            staging.publish(out, final, year)
            shutil.rmtree(build_root / f"failed-{year}", ignore_errors=True)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return {"status": "built", **_record(final, info)}


def _settings(facts: dict) -> SimpleNamespace:
    """What the book's configuration, root page and title page need (in place of a council's settings)."""
    return SimpleNamespace(
        organisation="the organisations taking part",
        report_title=f"{facts['report_title']}: national summary",
    )


def _outputs(chapters, settings, facts, year, book_dir, stage, out, pdf, epoch) -> list[str]:
    """The website, the auditors' notebook pages, the workbook and the PDF, as for a council's book."""
    title = TitlePage(
        organisation=f"{facts['included']} organisations taking part",
        title=settings.report_title,
        year=year,
        service="England and its regions",
        notice=" ".join(facts.get("notices", [])),
        # the date and owner from DIR/national.yml (pipeline.batch.files.read_national), when given
        **cover_publication(Publication(**(facts.get("publication") or {}))),
    )
    return write_outputs((book_dir, stage, chapters, epoch, False), out, pdf, title, settings, year)


def _record(final: Path, info: dict) -> dict:
    return {
        "html": str(final / "html" / "index.html"),
        "pdf": str(final / "pdf" / info["pdf"]),
        "warnings": len(info["warnings"]),
    }


def _unchanged(final: Path, fingerprint: str) -> dict | None:
    """The previous book's record, when it was built from exactly the same inputs and is whole."""
    try:
        info = json.loads((final / "build-info.json").read_text(encoding="utf-8"))
        record = _record(final, info)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    whole = Path(record["html"]).is_file() and Path(record["pdf"]).is_file()
    return record if info.get("fingerprint") == fingerprint and whole else None
