"""The OpenDocument (ODS) form of the all-figure workbook, written with odfpy, with the same
bytes for the same tables (see :mod:`healthcheck.present.workbook` for the layout)."""

from __future__ import annotations

import io
import re
import zipfile


class _Styles:
    """The few cell and column styles the workbook uses, made once per document."""

    def __init__(self, doc):
        from odf.style import Style, TextProperties

        self.doc = doc
        self.title = Style(name="Title", family="table-cell")
        self.title.addElement(TextProperties(fontweight="bold", fontsize="16pt"))
        self.bold = Style(name="Heading", family="table-cell")
        self.bold.addElement(TextProperties(fontweight="bold"))
        for style in (self.title, self.bold):
            doc.automaticstyles.addElement(style)
        self._widths: dict[int, object] = {}

    def column(self, width: int):
        """A column style `width` characters wide (about 0.22 cm a character)."""
        from odf.style import Style, TableColumnProperties

        if width not in self._widths:
            style = Style(name=f"col{width}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.22:.2f}cm"))
            self.doc.automaticstyles.addElement(style)
            self._widths[width] = style
        return self._widths[width]


def _text_cell(text: str, style=None, link: str | None = None):
    """A text cell; with `link`, its text links to that sheet."""
    from odf.table import TableCell
    from odf.text import A, P

    cell = TableCell(valuetype="string", stylename=style) if style else TableCell(valuetype="string")
    paragraph = P()
    if link:
        paragraph.addElement(A(href=f"#{link}", text=text))
    else:
        paragraph.addText(text)
    cell.addElement(paragraph)
    return cell


def _value_cell(value, link: bool):
    """A number as a float cell (its value attribute exact), text as text, None as empty."""
    from odf.table import TableCell
    from odf.text import P

    if value is None:
        return TableCell()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell = TableCell(valuetype="float", value=repr(value) if isinstance(value, float) else str(value))
        cell.addElement(P(text=str(value)))
        return cell
    return _text_cell(str(value), link=str(value) if link else None)


def _row(*cells):
    from odf.table import TableRow

    row = TableRow()
    for cell in cells:
        row.addElement(cell)
    return row


def ods_bytes(cover_rows: list[str], tables: list, cell_value, width) -> bytes:
    """The ODS bytes: a cover sheet of `cover_rows` (title, then heading and text pairs), then
    each (name, title, intro, frame, links) of `tables` as a sheet with its title in A1, the
    intro below and the table from row 3. `cell_value` makes a value safe; `width(frame, i)`
    is column i's width in characters."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableColumn

    doc = OpenDocumentSpreadsheet()
    styles = _Styles(doc)
    sheet = Table(name="Cover")
    sheet.addElement(TableColumn(stylename=styles.column(100)))
    for r, text in enumerate(cover_rows):
        style = styles.title if r == 0 else styles.bold if r % 2 == 1 else None
        sheet.addElement(_row(_text_cell(str(cell_value(text)), style)))
    doc.spreadsheet.addElement(sheet)
    for name, title, intro, frame, links in tables:
        sheet = Table(name=name)
        for i in range(max(1, len(frame.columns))):
            sheet.addElement(TableColumn(stylename=styles.column(width(frame, i) if len(frame.columns) else 10)))
        sheet.addElement(_row(_text_cell(str(cell_value(title)), styles.title)))
        sheet.addElement(_row(_text_cell(str(cell_value(intro)))))
        sheet.addElement(_row(*(_text_cell(str(cell_value(str(h))), styles.bold) for h in frame.columns)))
        for values in frame.itertuples(index=False, name=None):
            sheet.addElement(_row(*(_value_cell(cell_value(v), links and c == 0) for c, v in enumerate(values))))
        doc.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    doc.write(buffer)
    return _fixed_ods(buffer.getvalue())


def _declared_namespaces(xml: bytes) -> bytes:
    """The part's root element declaring exactly the namespaces the part uses, sorted by prefix.

    odfpy declares on every part's root the namespaces its process has used so far, in the
    order it first used them (``Element.namespaces`` is one dict shared by every element of
    every document, and ``odf.namespaces.nsdict`` grows when a document with other namespaces
    is loaded). So the same tables gave different bytes in a process that had read or written
    another ODF document first (a test worker that had read a workbook, a batch of books, the
    audit reading the ODS back) than in a fresh one. odfpy has no way to set the declarations,
    so they are rewritten here, for every XML part (meta.xml and the manifest too), from what
    the part itself holds: nothing the process did before can change them."""
    from xml.etree import ElementTree

    from odf.namespaces import XMLNS, nsdict

    used = set()
    for element in ElementTree.fromstring(xml).iter():
        for name in (element.tag, *element.attrib):
            if name.startswith("{"):
                used.add(name[1:].partition("}")[0])
    used.discard(XMLNS)  # the xml: prefix is bound by XML itself
    start = xml.index(b"<", xml.index(b"?>") + 2)
    end = xml.index(b">", start)
    tag = re.sub(rb'\s+xmlns:[\w-]+="[^"]*"', b"", xml[start:end])
    head, _, rest = tag.partition(b" ")
    declared = b"".join(f' xmlns:{prefix}="{uri}"'.encode() for prefix, uri in sorted((nsdict[u], u) for u in used))
    return xml[:start] + head + declared + (b" " + rest if rest else b"") + xml[end:]


def _fixed_ods(data: bytes) -> bytes:
    """The ODS zip with fixed entry times and no generator or dates in its metadata; the
    mimetype entry first and stored, as ODF requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != "mimetype", 0))
        for name in names:
            content = source.read(name)
            if name.endswith(".xml"):
                content = _declared_namespaces(content)
            if name == "meta.xml":
                content = re.sub(rb"<meta:generator>[^<]*</meta:generator>", b"", content)
                content = re.sub(rb"<(dc:date|meta:creation-date)>[^<]*</\1>", b"", content)
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(entry, content, compress_type=method, compresslevel=None if name == "mimetype" else 6)
    return out.getvalue()
