"""Unit tests of the PDF's parts that need no browser: doubled bookmark titles written once, the
annex read from the table of contents, the cover's publication facts."""

from __future__ import annotations

import datetime as dt

import pytest

from healthcheck import paths
from healthcheck.data.config import Publication, YearMeta
from healthcheck.pipeline.book import annex_documents, load_toc
from healthcheck.pipeline.pdf.printing import cover_publication, single_titles


def _pdf(*titles: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n<</Title (" % (i + 1) + t + b")\n/Dest [7 0 R]>>\nendobj\n" for i, t in enumerate(titles))
    return b"%PDF-1.4\n" + body + b"xref\n"


def test_a_doubled_bookmark_is_written_once_and_nothing_moves():
    before = _pdf(b"Key findingsKey findings", b"You said, we did: last year\\(s\\)You said, we did: last year\\(s\\)", b"Intro")
    after = single_titles(before, ["Key findings", "You said, we did: last year(s)", "Intro"])
    assert len(after) == len(before)  # the xref offsets still hold
    assert b"(Key findings)" in after and b"Key findingsKey" not in after
    assert b"(You said, we did: last year\\(s\\))" in after
    assert b"(Intro)" in after


def test_a_title_that_only_looks_doubled_is_left_alone():
    before = _pdf(b"NoNo", b"Key findingsKey findings")
    # "No" is no heading; "Key findings" neither
    assert single_titles(before, ["NoNo", "Other heading"]) == before


def test_annex_documents_are_those_marked_annex_in_the_toc():
    toc = {
        "format": "jb-book",
        "root": "chapters/summary",
        "chapters": [
            {"file": "chapters/intro"},
            {"file": "chapters/methods.ipynb", "meta": {"annex": True}},
            {"file": "chapters/other", "meta": {"annex": "yes"}},  # only `true` marks the annex
            {"file": "chapters/provenance", "meta": {"annex": True}},
        ],
    }
    assert annex_documents(toc) == ["chapters/methods", "chapters/provenance"]
    assert annex_documents({"format": "jb-book", "root": "a", "chapters": [{"file": "b"}]}) == []


def test_the_repository_toc_is_valid_for_jupyter_book_and_has_an_annex():
    from sphinx_external_toc.parsing import parse_toc_data

    toc = load_toc(paths.ROOT / "_toc.yml")
    parse_toc_data(toc)  # the toc Jupyter Book reads, with its `meta` keys, raises nothing
    assert annex_documents(toc) == ["chapters/methods", "chapters/provenance"]


def test_cover_facts_from_the_year_and_optional():
    assert cover_publication(Publication(date=dt.date(2022, 10, 2), owner="  Head of\nService ")) == {
        "published": "2 October 2022",
        "owner": "Head of Service",
    }
    assert cover_publication(YearMeta(year=2022).publication) == {"published": "", "owner": ""}


def test_a_mistyped_publication_date_is_a_clear_error():
    with pytest.raises(ValueError, match="date"):
        Publication(date="12th October")
