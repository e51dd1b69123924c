"""Chart text at a readable print size, measured in the PDF itself.

Every chart is an <img> of an SVG drawn by matplotlib, whose units are points; Chromium prints it
inside the PDF's tagged /Figure (with the chart's alt text), and the first thing drawn there is
the chart's white background, a rectangle as large as the chart, in the SVG's own units. The
ratio of its printed width (through every transformation in force) to its width in the SVG is
the scale the chart is printed at, so its 11 pt text prints at 11 pt times that.
"""

from __future__ import annotations

import re

from pypdf import PdfReader
from pypdf.generic import ContentStream

from healthcheck.pipeline.pdf import page as pdfpage

MIN_PRINTED_PT = 7.5


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """The PDF matrix product a x b (a applied first)."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


# One token of a content stream (ISO 32000-1, 7.2 and 7.8.2), after any white space: a regular
# token (a number, or an operator), a name, a dictionary's or an array's bracket, a comment, a
# literal string (one holding unescaped parentheses is "other", see _operations) or a
# hexadecimal string.
_WHITE = b"\x00\t\n\x0c\r "
_TOKEN = re.compile(
    rb"[%(w)s]*(?:(?P<regular>[^%(w)s()<>\[\]{}/%%]+)|(?P<name>/[^%(w)s()<>\[\]{}/%%]*)"
    rb"|(?P<open><<|\[)|(?P<close>>>|\])|(?P<comment>%%[^\r\n]*)"
    rb"|\((?:[^\\()]|\\.)*\)|<[^<>]*>|(?P<other>.))" % {b"w": re.escape(_WHITE)},
    re.DOTALL,
)


def _operations(contents, reader):
    """(operands, operator) of a page's content stream, as pypdf's ContentStream.operations gives
    them for what figure_scales reads: numbers (as their text, which float() reads) and names
    ("/Name") as themselves, any other operand (a string, an array, a dictionary) as None, the
    operator as bytes. pypdf's parser makes an object of every token and takes a minute or two
    on a long report under load; this reads the same grammar with one regular expression. A
    stream that needs more (an inline image's binary data, a string with unescaped parentheses
    inside) is left to pypdf."""
    operands: list = []
    operations = []
    depth = 0  # inside an array or dictionary: one operand, read as None
    for token in _TOKEN.finditer(contents.get_data().rstrip(_WHITE)):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                operands.append(None)
        elif kind == "other" or (kind == "regular" and token.group(kind) == b"BI"):
            return ContentStream(contents, reader).operations  # nested parentheses, or BI's binary data
        elif depth or kind == "comment":
            continue
        elif kind == "regular":
            text = token.group(kind)
            if text[0] in b"+-.0123456789" or text in (b"true", b"false", b"null"):
                operands.append(text)
            else:
                operations.append((operands, text))
                operands = []
        elif kind == "name":
            operands.append(token.group(kind).decode("latin-1"))
        else:
            operands.append(None)  # a string
    return operations


def figure_scales(pdf_path) -> list[tuple[int, float, float]]:
    """(page from 1, printed width / drawn width, drawn height in points) of the first filled
    path of every tagged /Figure marked-content sequence of the PDF (a chart's background)."""
    reader = PdfReader(str(pdf_path))
    found = []
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        if contents is None or b"/Figure" not in contents.get_data():
            continue  # a page without a figure: its (long) drawing need not be parsed
        ctm, stack = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], []
        depth, figure_at, points = 0, None, []
        for operands, op in _operations(contents, reader):
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                ctm = stack.pop() if stack else ctm
            elif op == b"cm":
                ctm = _multiply([float(v) for v in operands], ctm)
            elif op in (b"BDC", b"BMC"):
                depth += 1
                if figure_at is None and operands and operands[0] == "/Figure":
                    figure_at, points = depth, []
            elif op == b"EMC":
                if figure_at == depth:
                    figure_at = None
                depth -= 1
            elif figure_at is not None and op in (b"m", b"l") and points is not None:
                points.append((float(operands[0]), float(operands[1]), ctm))
            elif figure_at is not None and op == b"re" and points is not None:
                x, y, w, h = (float(v) for v in operands)
                points += [(x, y, ctm), (x + w, y + h, ctm)]
            elif figure_at is not None and op in (b"f", b"f*", b"F", b"B", b"b") and points:
                drawn = max(p[0] for p in points) - min(p[0] for p in points)
                tall = max(p[1] for p in points) - min(p[1] for p in points)
                printed = [p[0] * p[2][0] + p[1] * p[2][2] + p[2][4] for p in points]
                if drawn > 0:
                    found.append((number, (max(printed) - min(printed)) / drawn, tall))
                points = None  # only the first filled path: the chart's background
    return found


def test_the_print_rules_know_the_charts_text_size():
    from healthcheck.present.charts.style import TEXT_SIZE

    assert pdfpage.CHART_TEXT_PT == TEXT_SIZE
    assert pdfpage.CHART_PRINT_PT >= MIN_PRINTED_PT


def test_the_fast_reading_of_a_content_stream_is_pypdfs():
    """_operations gives the operators, numbers and names pypdf's parser gives, on a stream with
    every kind of token (strings with escapes, hexadecimal strings, arrays, dictionaries, comments,
    booleans), and leaves a stream with nested parentheses or an inline image to pypdf."""
    from pypdf.generic import DecodedStreamObject

    def both(content: bytes):
        contents = DecodedStreamObject()
        contents.set_data(content)
        slow = [([plain(v) for v in operands], op) for operands, op in ContentStream(contents, None).operations]
        read = _operations(contents, None)  # no file: nothing here refers to another object
        fast = [([plain(v) for v in operands], op) for operands, op in read]
        return fast, slow, isinstance(read[0][0][0], bytes)  # numbers as their text: read here, not by pypdf

    def plain(value):
        if isinstance(value, bytes) and value[:1] in b"+-.0123456789" and value:
            return float(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return value if isinstance(value, str) and value.startswith("/") else None

    stream = (
        b"% a comment\n.24 0 0 -.24 0 842.88 cm q 3.125 0 0 3.125 187.5 -15650 cm\n"
        b"/Figure <</MCID 3 /Alt (A chart \\(of 5\\) \\\\ here)>> BDC 0 0 675 1012 re f\n"
        b"BT /F26 18.66 Tf [<003A> -20.5 (a\\)b) 3] TJ (x) ' 1 2 (y) \" ET\n"
        b"/Span <</ActualText (ff) /B true /N null>>BDC -1.5 +2 m .5 3. l h B* EMC EMC Q\n"
    )
    fast, slow, read_here = both(stream)
    assert read_here and fast == slow and [op for _, op in fast][:4] == [b"cm", b"q", b"cm", b"BDC"]
    for awkward in (b"1 w (a (nested) string) Tj\n", b"1 w q BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q\n"):
        fast, slow, read_here = both(awkward)
        assert not read_here and fast == slow
