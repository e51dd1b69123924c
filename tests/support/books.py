"""The three books the book tier's reflow and PDF checks read: the demonstration book, the second
council's (tests/support/second_council.py) and the national summary of the tests' batch
(tests/support/national_batch.py). Each is built once a session by a fixture in tests/conftest.py
(`demo_book`, `second_council_book`, `national_batch`); `Book` says where its files are and
what its own data say the PDF's cover and contents must show, so one check serves all three.

The pages of each book are known before anything is built (for pytest's parameters): the
report's table of contents with the themes of that book's bank.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from healthcheck import paths
from healthcheck.data.config import Publication, load_bank
from healthcheck.pipeline.batch.nationalbook import TOC_PATH as NATIONAL_TOC
from healthcheck.pipeline.book import TOC_PATH, annex_documents, load_toc, read_toc
from healthcheck.pipeline.pdf.printing import cover_publication

#: The books, in the order the checks run on them (the demonstration first: it is built anyway).
KINDS = ("demo", "second council", "national")


@dataclass(frozen=True)
class Book:
    """A built book and what its data say it shows."""

    kind: str
    out_dir: Path  # <build_root>/<year>: html/, pdf/
    year: int
    cover: tuple[str, ...]  # what the cover prints, from the data: organisation, title, year, date, owner
    annex: tuple[str, ...]  # the annex's documents, as the book's table of contents marks them

    @property
    def html_dir(self) -> Path:
        return self.out_dir / "html"

    @property
    def pdf_path(self) -> Path:
        (pdf,) = (self.out_dir / "pdf").glob("*.pdf")
        return pdf

    def __str__(self) -> str:
        return self.kind


def pages(kind: str) -> list[str]:
    """Every web page of a book's chapters (relative to html/), in reading order."""
    if kind == "national":
        return [f"{doc}.html" for doc in read_toc(NATIONAL_TOC)]
    if kind == "second council":
        from tests.support import second_council

        themes = list(second_council.THEMES)
    else:
        themes = list(load_bank(paths.ROOT / "data").themes)
    return [f"{doc}.html" for doc in read_toc(TOC_PATH, themes)]


def council_cover(data_dir: Path, year: int) -> tuple[str, ...]:
    """A council's cover from its data: settings.yml's organisation and title, the year, and the
    year's `publication` (survey.yml) as the cover prints it."""
    settings = yaml.safe_load((data_dir / "settings.yml").read_text(encoding="utf-8"))
    meta = yaml.safe_load((data_dir / str(year) / "survey.yml").read_text(encoding="utf-8"))
    facts = cover_publication(Publication(**(meta.get("publication") or {})))
    published = f"Published {facts['published']}" if facts["published"] else ""
    return (settings["organisation"], settings["report_title"], str(year), published, facts["owner"])


def council_book(kind: str, out_dir: Path, data_dir: Path, year: int) -> Book:
    """A council's book (the demonstration's or the second council's), annex from the report's toc."""
    annex = tuple(annex_documents(load_toc(TOC_PATH)))
    return Book(kind, Path(out_dir), year, council_cover(data_dir, year), annex)


def national_book(build: Path, orgs: Path, year: int) -> Book:
    """The national summary of a batch run into `build` from the organisations in `orgs`."""
    facts = json.loads((build / "national" / "input" / str(year) / "facts.json").read_text(encoding="utf-8"))
    national = yaml.safe_load((orgs / "national.yml").read_text(encoding="utf-8")) if (orgs / "national.yml").is_file() else {}
    publication = cover_publication(Publication(**(national.get("publication") or {})))
    published = f"Published {publication['published']}" if publication["published"] else ""
    cover = (
        f"{facts['included']} organisations taking part",
        f"{facts['report_title']}: national summary",
        str(year),
        published,
        publication["owner"],
    )
    return Book("national", build / "national" / str(year), year, cover, tuple(annex_documents(load_toc(NATIONAL_TOC))))
