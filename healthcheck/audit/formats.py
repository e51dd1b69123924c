"""Each format a book publishes, read back as its reader sees it.

A published text is escaped or neutralised for where it lands (:mod:`healthcheck.escape`), so
the same group name is written differently in each file. Each reader here undoes exactly what
a reader of that format undoes, so that every file gives back the same text:

* CSV, XLSX and ODS: a cell that a spreadsheet could take for a formula has a protective leading
  apostrophe (OWASP's advice on CSV injection), which :func:`unformula` takes off again;
  workbook cells are read as the stored text or number;
* HTML: entity references are resolved in text and attribute values (``&lt;b&gt;`` is the
  text ``<b>``), white space in a table cell is folded as a browser folds it;
* SVG: a proper XML parse, so an attribute is read whatever its quotes (matplotlib puts a
  value holding ``"`` in single quotes) and its entities resolved; the text matplotlib draws
  as paths is read from the comment it writes before each text, whose ``&``, ``<`` and ``>``
  it escapes;
* PDF: the text pdftotext extracts, NFKC-normalised.

Nothing here imports the code that wrote the files (``healthcheck.present``), so a fault in
it cannot hide itself.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape as xml_unescape

import pandas as pd

# What a spreadsheet takes for the start of a formula (as healthcheck.escape, and the
# full-width forms some locales fold to them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_TRANSLATE = re.compile(r"translate\(([-\d.e]+)[ ,]([-\d.e]+)\)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

#: One table as read: (source, file, header, rows), every cell as text.
Table = tuple[str, str, list[str], list[list[str]]]


# --------------------------------------------------------------------------- CSV and XLSX


def unformula(text: str) -> str:
    """A spreadsheet cell's text as the HTML shows it: the protective apostrophe taken off."""
    if text.startswith("'") and text[1:].lstrip(" ").startswith(_FORMULA_START):
        return text[1:]
    return text


def csv_tables(downloads: Path, year: int, root: Path) -> list[Table]:
    """Every CSV download of ``year``, cells as text."""
    tables = []
    for path in sorted(downloads.glob(f"{year}-*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        tables.append(("csv", str(path.relative_to(root)), list(frame.columns), frame.values.tolist()))
    return tables


def xlsx_tables(downloads: Path, year: int, root: Path) -> list[Table]:
    """Every table sheet of the year's XLSX and ODS workbooks (source "xlsx" or "ods"), named
    by the file the contents sheet says it holds.

    A sheet's table starts at its first row with more than one filled cell (a title and a line
    about the sheet may come first, in column A alone); the cover and notes sheets are not
    tables of figures. The XLSX is read by openpyxl and the ODS by pandas' odf reader, neither
    of them the code that wrote the files.
    """
    tables = []
    for path in sorted(downloads.glob(f"{year}-*.xlsx")) + sorted(downloads.glob(f"{year}-*.ods")):
        sheets = _workbook_rows(path)
        contents = _contents(sheets.pop("Contents", []))
        for name in ("Cover", "Notes"):
            sheets.pop(name, None)
        source = path.suffix[1:]
        for title, rows in sheets.items():
            at = next((i for i, row in enumerate(rows) if sum(bool(v) for v in row) > 1), None)
            if at is not None:
                width = len(rows[at])
                tables.append(
                    (
                        source,
                        f"{path.relative_to(root)} [{contents.get(title, title)}]",
                        rows[at],
                        [r[:width] for r in rows[at + 1 :]],
                    )
                )
    return tables


def _workbook_rows(path: Path) -> dict[str, list[list[str]]]:
    """Each sheet of a workbook as rows of text (numbers written as their reader gives them)."""
    if path.suffix == ".ods":
        frames = pd.read_excel(path, engine="odf", sheet_name=None, header=None, dtype=object)
        return {
            name: [
                ["" if v is None or (isinstance(v, float) and v != v) else _text(v) for v in row]
                for row in frame.itertuples(index=False)
            ]
            for name, frame in frames.items()
        }
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [["" if v is None else _text(v) for v in row] for row in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def _contents(rows: list[list[str]]) -> dict[str, str]:
    """Sheet name -> the file it holds, from the contents sheet's table (its first column, and
    the column whose heading names a file)."""
    at = next((i for i, row in enumerate(rows) if sum(bool(v) for v in row) > 1), None)
    if at is None:
        return {}
    column = next((i for i, h in enumerate(rows[at]) if "file" in h.lower()), 1)
    return {row[0]: row[column] for row in rows[at + 1 :] if len(row) > column}


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- HTML pages


class Page(HTMLParser):
    """The figures (id, alt text, embedded image) and tables (with the figure they follow in a
    "data behind this chart" box) of one HTML page, entity references resolved."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures, self.tables = [], []
        self._figure = self._last_figure = self._table = self._cell = None
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "figure" and "hc-figure" in classes:
            self._figure = {"id": a.get("id") or "", "alt": None, "src": None, "sources": []}
            self.figures.append(self._figure)
        elif tag == "source" and self._figure is not None:
            # a <picture>'s other drawing of the chart (the narrow one for phones): read too
            self._figure["sources"].append(a.get("srcset") or "")
        elif tag == "img" and self._figure is not None and self._figure["src"] is None:
            self._figure.update(alt=a.get("alt") or "", src=a.get("src") or "")
        elif tag == "details" and "hc-data" in classes:
            self._in_data = True
        elif tag == "table":
            self._table = {"figure": self._last_figure if self._in_data else None, "rows": []}
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
        elif tag in ("td", "th") and self._table is not None and self._table["rows"]:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "figure" and self._figure is not None:
            self._last_figure, self._figure = self._figure, None
        elif tag == "details":
            self._in_data = False
        elif tag in ("td", "th") and self._cell is not None:
            self._table["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def svg_from(src: str) -> str | None:
    """The SVG of an image embedded as a base64 data URI; None for any other source."""
    if src.startswith("data:image/svg+xml;base64,"):
        return base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    return None


# --------------------------------------------------------------------------- SVG charts


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _comment_text(comment) -> str:
    """A matplotlib text comment (``<!-- text -->``) as the text drawn: the spaces matplotlib
    puts around it taken off, and its escaping of &, < and > undone."""
    text = comment.text or ""
    text = text[1:] if text.startswith(" ") else text
    text = text[:-1] if text.endswith(" ") else text
    return xml_unescape(text)


def svg_texts(svg: str | bytes) -> tuple[list[tuple[str, list[float]]], list[tuple[str, float, float]]]:
    """(cell rectangles, texts) of a matplotlib SVG: each ``<g id="cell:...">`` with the
    coordinates of its first path, and each drawn text with the position it is drawn at
    (the translation of the group that follows its comment)."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    root = ElementTree.fromstring(data, parser=ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True)))
    rects, texts = [], []
    for parent in root.iter():
        children = list(parent)
        for child, following in zip(children, [*children[1:], None], strict=False):
            if child.tag is ElementTree.Comment:
                at = _TRANSLATE.match(following.get("transform") or "") if following is not None else None
                if at and _local(following.tag) == "g":
                    texts.append((_comment_text(child), float(at.group(1)), float(at.group(2))))
            elif _local(child.tag) == "g" and (child.get("id") or "").startswith("cell:"):
                path = next((c for c in child if _local(c.tag) == "path"), None)
                if path is not None:
                    rects.append((child.get("id")[len("cell:") :], [float(v) for v in _NUMBER.findall(path.get("d") or "")]))
    return rects, texts


_FILL = re.compile(r"fill:\s*(#[0-9a-fA-F]{6})")


def svg_cell_fills(svg: str | bytes) -> dict[tuple[str, str], str]:
    """The fill colour of each breakdown cell's shape (gid ``cell:<question>:<group>``), lower case:
    what a heat map's colour says about the cell, for the audit to compare with its printed figure."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    fills = {}
    for g in ElementTree.fromstring(data).iter():
        gid = g.get("id") or ""
        if _local(g.tag) == "g" and gid.startswith("cell:"):
            path = next((c for c in g if _local(c.tag) == "path"), None)
            match = _FILL.search(path.get("style") or "") if path is not None else None
            if match:
                qid, group = gid[len("cell:") :].split(":", 1)
                fills[(qid, group)] = match.group(1).lower()
    return fills


def svg_cells(svg: str | bytes) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The cells of a breakdown heat map, ``(question_id, group, text)``, and its other texts.

    Matplotlib draws text as paths and writes each text as a comment before it; a cell's text
    is the one whose position falls inside the cell's rectangle (gid ``cell:<question>:<group>``).
    """
    boxes, texts = svg_texts(svg)
    rects = []
    for gid, xy in boxes:
        qid, group = gid.split(":", 1)
        xs, ys = xy[0::2], xy[1::2]
        rects.append((qid, group, min(xs), max(xs), min(ys), max(ys)))
    cells, others = [], []
    for text, x, y in texts:
        inside = [r for r in rects if r[2] <= x <= r[3] and r[4] <= y <= r[5]]
        if inside:
            cells.append((inside[0][0], inside[0][1], text))
        else:
            others.append(text)
    return cells, others


# --------------------------------------------------------------------------- PDF


@functools.lru_cache(maxsize=4)
def _pdftotext(pdf: str, stamp: tuple) -> tuple[str, str]:
    procs = [
        subprocess.Popen(["pdftotext", *mode, pdf, "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for mode in (["-layout"], [])
    ]
    parts = []
    for proc in procs:  # both at once: two cores
        out, err = proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"pdftotext could not read {pdf}: {err.decode(errors='replace').strip()}")
        parts.append(out.decode("utf-8", "replace"))
    return parts[0], parts[1]


def _pdf_outputs(pdf: Path) -> tuple[str, str]:
    """pdftotext's text of ``pdf`` in layout and in reading order, kept while the file is
    unchanged: the attack, :func:`~healthcheck.audit.leaks.leaks` and the manifest read it once."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext (poppler-utils) is needed to read the PDF")
    stat = Path(pdf).stat()
    return _pdftotext(str(Path(pdf).resolve()), (stat.st_size, stat.st_mtime_ns))


def pdf_text(pdf: Path) -> str:
    """The PDF's text (pdftotext, in layout and in reading order), NFKC-normalised (ligatures
    undone) and with white space folded to single spaces."""
    return "\n".join(" ".join(unicodedata.normalize("NFKC", part).split()) for part in _pdf_outputs(pdf))


def pdf_layout_text(pdf: Path) -> str:
    """The PDF's text as ``pdftotext -layout`` gives it, unchanged."""
    return _pdf_outputs(pdf)[0]
