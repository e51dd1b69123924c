"""The 2022 demonstration book as a reader gets it: every chapter, figures with alt text,
nothing loaded from another host, and a PDF with every chapter and the headline figure."""

import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from healthcheck import paths
from healthcheck.analysis.rounding import format_pct
from healthcheck.analysis.survey import load_survey
from healthcheck.data.config import load_bank
from healthcheck.pipeline.book import read_toc
from tests.conftest import pdf_text

THEMES = list(load_bank(paths.ROOT / "data").themes)
THEME_CHAPTERS = [f"theme-{code}" for code in THEMES]


def _toc_docnames() -> list[str]:
    """The book's documents: the repository's table of contents with one theme chapter per theme."""
    return read_toc(paths.ROOT / "_toc.yml", THEMES)


def _chapter_titles(html: Path) -> dict[str, str]:
    """Each chapter's title, as the built page gives it."""
    titles = {}
    for doc in _toc_docnames():
        page = (html / f"{doc}.html").read_text(encoding="utf-8")
        titles[doc] = re.search(r"<title>(.+?) &#8212;", page).group(1).replace("&amp;", "&")
    return titles


def _figure_captions(html: Path) -> list[str]:
    """The caption of every chart in the theme chapters, as the web page gives it (without its links)."""
    captions = []
    for doc in THEME_CHAPTERS:
        page = (html / "chapters" / f"{doc}.html").read_text(encoding="utf-8")
        for raw in re.findall(r"<figcaption>([^<]+)", page):
            captions.append(" ".join(unescape(raw).split()))
    return captions


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: Path):
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def test_every_chapter_in_the_toc_has_an_html_page(demo_book):
    html = demo_book.out_dir / "html"
    assert (html / "index.html").is_file()
    for doc in _toc_docnames():
        assert (html / f"{doc}.html").is_file(), doc


def test_every_theme_chapter_has_a_figure_with_alt_text(demo_book):
    for doc in THEME_CHAPTERS:
        images = [attrs for tag, attrs in _tags(demo_book.out_dir / "html" / "chapters" / f"{doc}.html") if tag == "img"]
        figures = [a for a in images if a.get("src", "").startswith("data:image/svg+xml")]
        assert figures, f"{doc} has no figure"
        for attrs in figures:
            alt = attrs.get("alt", "").strip()
            assert len(alt) > 20 and not alt.lower().endswith((".svg", ".png")), (doc, alt)


def test_no_page_loads_anything_from_another_host(demo_book):
    external = re.compile(r"^(https?:)?//", re.IGNORECASE)
    pages = list((demo_book.out_dir / "html").rglob("*.html")) + list((demo_book.out_dir / "notebooks").rglob("*.html"))
    assert len(pages) > 12
    for page in pages:
        for tag, attrs in _tags(page):
            if tag in ("script", "img", "iframe", "source", "video", "audio"):
                assert not external.match(attrs.get("src", "") or ""), (page, tag, attrs)
            if tag == "link":
                assert not external.match(attrs.get("href", "") or ""), (page, tag, attrs)


def test_readers_do_not_see_the_parameters_cell(demo_book):
    for doc in _toc_docnames():
        text = (demo_book.out_dir / "html" / f"{doc}.html").read_text(encoding="utf-8")
        assert "downloads_dir" not in text, doc
        assert "Parameters" not in text, doc


def test_pdf_has_every_chapter_title_and_the_improvement_headline(demo_book, demo_data):
    pdf = demo_book.pdf_path
    assert pdf.is_file() and pdf.suffix == ".pdf"
    flat = pdf_text(pdf)
    for doc, title in _chapter_titles(demo_book.out_dir / "html").items():
        assert title in flat, f"{doc}: {title!r} not in the PDF"
    # The summary's narrative sentence with its computed percentage, exactly as the analysis gives it.
    figures = load_survey(demo_data, 2022).figures(2022).set_index("question_id")
    headline = f"{format_pct(figures.loc['IMP01', 'pct_positive'])} understand the improvement priorities"
    assert headline in flat
    assert "Gloucestershire County Council" in flat and "2022" in flat


def test_pdf_tables_are_real_tables_and_figures_are_images(demo_book):
    # A table is set as text: each theme's change table has its header row in order on one line
    # ("Last" may wrap above "year" in a narrow column).
    raw = subprocess.run(["pdftotext", "-layout", str(demo_book.pdf_path), "-"], capture_output=True, text=True, check=True)
    header = re.compile(r"Statement\s+This year\s+(Last )?year\s+Change\s+Significance")
    assert sum(1 for line in raw.stdout.splitlines() if header.search(line)) >= len(THEMES)
    # Every chart (and quote) keeps its caption as text beside it. Read in the order the text was
    # drawn (-raw), not by layout: quotes print two to a row, and a layout reading interleaves
    # the lines of the two columns.
    reading = subprocess.run(["pdftotext", "-raw", str(demo_book.pdf_path), "-"], capture_output=True, text=True, check=True)
    in_order = " ".join(reading.stdout.split())
    for caption in _figure_captions(demo_book.out_dir / "html"):
        assert caption in in_order, caption
    # The word clouds are embedded pictures (the only raster figures; the charts are vector).
    images = subprocess.run(["pdfimages", "-list", str(demo_book.pdf_path)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in images.stdout.splitlines()[2:] if line.strip()]
    assert sum(1 for row in rows if row[2] == "image") >= 1
    # ... and no more pictures than the charts' own raster parts: no hatching was printed as one
    downloads = demo_book.out_dir / "html" / "downloads"
    raster_parts = sum(svg.read_text(encoding="utf-8").count("<image") for svg in downloads.glob("*.svg"))
    assert sum(1 for row in rows if row[2] == "image") <= raster_parts
    pages = subprocess.run(["pdfinfo", str(demo_book.pdf_path)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 12


def test_every_figure_has_its_data_as_csv_and_the_workbook(demo_book):
    downloads = demo_book.out_dir / "html" / "downloads"
    svgs = sorted(downloads.glob("*.svg"))
    assert len(svgs) >= 20
    for svg in svgs:
        # a chart's narrow drawing (for phones) shows the same data as its wide one
        data = svg.with_name(svg.name.removesuffix("-narrow.svg") + ".csv") if svg.name.endswith("-narrow.svg") else svg
        assert data.with_suffix(".csv").is_file(), svg.name
    wide = {s.name for s in svgs if not s.name.endswith("-narrow.svg")}
    assert {s.name.removesuffix("-narrow.svg") + ".svg" for s in svgs if s.name.endswith("-narrow.svg")} <= wide
    assert list(downloads.glob("*.xlsx")) and list(downloads.glob("*.ods")), "no workbook of all figure data"
