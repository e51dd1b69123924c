"""What the report's page gets before Chromium prints it (see pipeline.pdf): the print
stylesheet, the script that adds the title page and settles links and <details>, the script
that redraws chart hatching as vector lines, and the page header and footer.

The stylesheet and scripts are package files (healthcheck/assets/print*.css|js), edited as CSS
and JavaScript; this module says what each is for and holds the sizes they are drawn to.
"""

from healthcheck import assets

#: The size every chart's text is drawn at (healthcheck.present.charts.style.TEXT_SIZE, checked
#: by tests/unit/test_chart_print_scale.py; not imported, so printing does not load matplotlib).
CHART_TEXT_PT = 11
#: The size chart text prints at: a little under the body's 10 pt, as captions and notes are.
#: Every chart is printed at the scale that gives it (8 inches wide print 5.5 inches wide).
#: 7.5 pt is the least the issue allows, and each step down saves pages (every chart
#: shrinks; 7.75 pt printed the demonstration's report a page longer). Not 7.5 itself: a
#: chart's size read back from the PDF comes out up to 0.2% under the scale set (7.49 pt).
CHART_PRINT_PT = 7.55
#: The height a chart may take on a page: the A4 page's 267 mm between the margins, less room
#: for its caption. A chart taller than this at CHART_PRINT_PT is printed this tall, smaller.
CHART_ROOM_MM = 215
#: The printed page's left and right margins (pipeline.pdf), and so the width of the text
#: column: the page is laid out in a wider window, so the column is not measured there.
SIDE_MARGIN_MM = 16
COLUMN_MM = 210 - 2 * SIDE_MARGIN_MM


def chart_print_settings() -> dict:
    """The chart scales PREPARE_JS uses (see CHART_PRINT_PT), for pipeline.pdf."""
    return {
        "chartScale": CHART_PRINT_PT / CHART_TEXT_PT,
        "chartRoomPx": CHART_ROOM_MM * 96 / 25.4,
        "columnPx": COLUMN_MM * 96 / 25.4,
    }


# Rules for the printed report. The singlehtml page nests every chapter in the root page's
# section, each one announced by <span id="document-<docname>">.
PRINT_CSS = assets.text("print.css")

# Adds the cover and the contents page, numbers the annex, opens or drops every <details>, turns
# links to local files into plain text (they would point at the temporary build folder), and
# waits for fonts and images. Returns the text of every heading (see pdf.single_titles).
PREPARE_JS = assets.text("print-prepare.js")

# Fills in the contents page's numbers: {target id: page}. The numbers are figures of one width
# (tabular), padded to three with figure spaces, so the line keeps its length. Returns the
# chapters left without a number.
FILL_CONTENTS_JS = assets.text("print-contents.js")

# Chromium's PDF writer (Skia) rasterises every SVG <pattern> fill: matplotlib's hatching became
# ~540 images (about 13.7 MB of the 15.6 MB). Before printing, each chart whose patterns are
# matplotlib's kind (a solid background <rect> and hatch <path>s, tiled in user space) is
# redrawn without them: the shape filled with the background colour, then copies of the
# hatch lines, one per tile over the shape's box, clipped to the shape, then the shape's
# stroke. The hatch lines overrun their tile by design and repeat with the tile, so the
# copies join up exactly as the pattern does. Other patterns are left to Chromium.
VECTOR_HATCHING_JS = assets.text("print-hatching.js")

FOOTER = (
    '<div style="width:100%; font-size:8pt; text-align:center; color:#3D3D3D;'
    " font-family:'DejaVu Sans', sans-serif;\">"
    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
HEADER = "<div></div>"  # an empty header: Chromium's default one prints the date
