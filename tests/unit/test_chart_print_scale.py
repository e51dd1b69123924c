"""Chart text at a readable print size, measured in the PDF itself.

Every chart is an <img> of an SVG drawn by matplotlib, whose units are points; Chromium prints it
inside the PDF's tagged /Figure (with the chart's alt text), and the first thing drawn there is
the chart's white background, a rectangle as large as the chart, in the SVG's own units. The
ratio of its printed width (through every transformation in force) to its width in the SVG is
the scale the chart is printed at, so its 11 pt text prints at 11 pt times that.
"""

from __future__ import annotations

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
        for operands, op in ContentStream(contents, reader).operations:
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
