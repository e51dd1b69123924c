"""Print the single-page HTML build of the report to PDF with Debian's Chromium (via Playwright).

Jupyter Book's own PDF builders either download a browser (pdfhtml) or need a large TeX install
and flatten tables (LaTeX), so the report is printed from its ``singlehtml`` build instead. The
page is opened from disk (file://), every request to another host is blocked and reported, a
title page and print rules are added, and Chromium's PDF writer does the rest: A4, tagged,
with an outline built from the headings and "Page X of Y" in the footer. No dates are printed,
and the PDF's own creation dates are set from SOURCE_DATE_EPOCH. Chart hatching is redrawn as
plain vector lines first (see VECTOR_HATCHING_JS): Chromium would rasterise it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from healthcheck.errors import BuildError

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

INSTALL_HINT = "Install it with: apt-get install chromium   (or run: make system)"

# Rules for the printed report. The singlehtml page nests every chapter in the root page's
# section, each one announced by <span id="document-<docname>">.
PRINT_CSS = """
@media print {
  html { font-size: 10pt; }
  body { background: #fff !important; }

  /* the web page's furniture */
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article,
  .bd-footer, .bd-footer-content, .bd-footer-article, .prev-next-footer, .prev-next-area,
  #jb-print-docs-body, .bd-header-announcement, #bd-header-version-warning,
  .headerlink, .skip-link, .search-button, .theme-switch-button, .primary-toggle,
  .secondary-toggle, #pst-scroll-pixel-helper, #pst-back-to-top, .bd-search,
  .dropdown-download-buttons, .article-header-buttons, .toggle-details, .copybtn,
  .cell_input, details.above-input, .tag_remove-input > .cell_input { display: none !important; }

  .bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
  .bd-article-container, .bd-article {
    display: block !important; max-width: none !important; width: auto !important;
    margin: 0 !important; padding: 0 !important; overflow: visible !important;
  }

  /* title page */
  .hc-title-page {
    display: flex; flex-direction: column; justify-content: center;
    min-height: 240mm; break-after: page; page-break-after: always;
  }
  .hc-title-page .hc-organisation { font-size: 1.3rem; color: #3D3D3D; margin: 0 0 0.5rem 0; }
  .hc-title-page .hc-service { font-size: 1.1rem; color: #3D3D3D; margin: 0 0 2rem 0; }
  .hc-title-page .hc-title { font-size: 2.4rem; font-weight: 700; color: #12436D; margin: 0; }
  .hc-title-page .hc-year { font-size: 2rem; color: #12436D; margin: 0.5rem 0 2rem 0; }
  .hc-title-page .hc-notice {
    border: 2px solid #F46A25; padding: 0.75rem 1rem; font-size: 1rem; max-width: 150mm;
  }

  /* <details>: their "show ..." line means nothing on paper (see open_details) */
  details > summary { display: none !important; }
  .hc-not-printed { display: none !important; }

  /* a new page for each chapter */
  span[id^="document-"] + section { break-before: page; page-break-before: always; }
  /* the theme hides each page's first h1 in print (it prints its own title block instead) */
  .bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
  .bd-article h1, span[id^="document-"] + section > h2 {
    font-size: 1.9rem !important; font-weight: 700 !important; color: #12436D !important;
    margin: 0.5rem 0 1rem 0 !important; /* not 0: Chromium then doubles the outline entry */
  }
  .bd-article h2, .bd-article h3, .bd-article h4 { color: #0b0c0c !important; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h1, h2, h3, h4, .hc-title { break-inside: avoid; }

  /* figures and tables stay whole */
  figure, img, svg, table, .cell_output, .output, .admonition, blockquote, pre {
    break-inside: avoid; page-break-inside: avoid;
  }
  img { max-width: 100% !important; height: auto; }

  /* tables print as tables, not as scrolling boxes */
  .pst-scrollable-table-container, .table-wrapper, .output_html, .output.text_html,
  .cell_output, .output {
    overflow: visible !important; max-height: none !important;
  }
  table { display: table !important; width: 100% !important; border-collapse: collapse; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  th, td { border-bottom: 1px solid #bbb; padding: 2px 6px !important; }

  a { color: inherit !important; text-decoration: none !important; }
}
"""

# Adds the title page, opens or drops every <details>, turns links to local files into plain text
# (they would point at the temporary build folder), and waits for fonts and images.
PREPARE_JS = """
async (info) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const page = document.createElement("section");
  page.className = "hc-title-page";
  page.setAttribute("aria-label", "Title page");
  const add = (cls, tag, text) => {
    if (!text) return;
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    page.appendChild(el);
  };
  add("hc-organisation", "p", info.organisation);
  add("hc-service", "p", info.service);
  add("hc-title", "p", info.title);
  add("hc-year", "p", info.year);
  add("hc-notice", "p", info.notice);
  article.insertBefore(page, article.firstChild);

  // <details> (e.g. the data behind a chart): printed open, or left out of the PDF
  for (const d of document.querySelectorAll("details")) {
    if (info.openDetails) d.open = true; else d.classList.add("hc-not-printed");
  }

  for (const a of document.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (!href.startsWith("#") && !/^(https?|mailto):/i.test(href)) a.removeAttribute("href");
  }

  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map((img) => img.complete ? null :
    new Promise((done) => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  return document.querySelectorAll("span[id^='document-']").length;
}
"""

# Chromium's PDF writer (Skia) rasterises every SVG <pattern> fill: matplotlib's hatching became
# ~540 images (about 13.7 MB of the 15.6 MB). Before printing, each chart whose patterns are
# matplotlib's kind (a solid background <rect> and hatch <path>s, tiled in user space) is
# redrawn without them: the shape filled with the background colour, then copies of the
# hatch lines, one per tile over the shape's box, clipped to the shape, then the shape's
# stroke. The hatch lines overrun their tile by design and repeat with the tile, so the
# copies join up exactly as the pattern does. Other patterns are left to Chromium.
VECTOR_HATCHING_JS = """
async () => {
  let serial = 0, charts = 0, fills = 0;
  const SVG = "http://www.w3.org/2000/svg", PREFIX = "data:image/svg+xml;base64,";
  const num = (el, name, dflt) => { const v = parseFloat(el.getAttribute(name)); return isNaN(v) ? dflt : v; };
  const fillOf = (el) => {
    const m = /(?:^|;)\\s*fill:\\s*([^;]+)/.exec(el.getAttribute("style") || "");
    return (m ? m[1] : el.getAttribute("fill") || "").trim();
  };
  const make = (doc, tag, attrs) => {
    const el = doc.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };
  // A pattern we can redraw: user-space tiles, no transform, an opaque (or no) background rect
  // covering the tile, then paths only.
  const hatching = (p) => {
    const kids = Array.from(p.children), bg = kids[0];
    if ((p.getAttribute("patternUnits") || "") !== "userSpaceOnUse" || p.hasAttribute("patternTransform") ||
        p.hasAttribute("viewBox") || p.hasAttribute("href") || p.hasAttribute("xlink:href")) return null;
    const w = num(p, "width", 0), h = num(p, "height", 0);
    if (!(w > 0 && h > 0) || !bg || bg.localName !== "rect" || kids.length < 2) return null;
    if (num(bg, "x", 0) > 0 || num(bg, "y", 0) > 0 || num(bg, "width", 0) < w || num(bg, "height", 0) < h) return null;
    const colour = fillOf(bg);
    const translucent = /opacity/.test(Array.from(bg.attributes, (a) => a.name + a.value).join());
    if (!colour || colour.startsWith("url") || translucent) return null;
    if (kids.slice(1).some((k) => k.localName !== "path")) return null;
    return {x: num(p, "x", 0), y: num(p, "y", 0), w, h, colour, lines: kids.slice(1)};
  };
  const SHAPES = new Set(["path", "rect", "circle", "ellipse", "polygon", "polyline"]);
  const FILL_URL = /(^|;)(\\s*)fill:\\s*url\\([^)]*\\)/;

  // Redraw the pattern fills of `root`, an <svg> element attached to the page (for getBBox).
  const redraw = (root) => {
    const doc = root.ownerDocument, found = new Map();
    for (const p of root.querySelectorAll("pattern")) { const h = hatching(p); if (h && p.id) found.set(p.id, h); }
    let done = 0;
    for (const el of Array.from(root.querySelectorAll("*"))) {
      const m = /^url\\(["']?#([^"')]+)["']?\\)$/.exec(fillOf(el));
      const h = m && found.get(m[1]);
      if (!h || !SHAPES.has(el.localName) || el.hasAttribute("mask") || el.hasAttribute("filter")) continue;
      if (el.closest("defs, pattern, clipPath, mask, marker, symbol")) continue;  // not drawn as itself
      const box = el.getBBox();
      const id = `hc-hatch-${++serial}`;
      const defs = make(doc, "defs", {});
      const tile = make(doc, "g", {id: `${id}-tile`});
      for (const line of h.lines) tile.appendChild(line.cloneNode(true));
      const shape = make(doc, "clipPath", {id: `${id}-shape`});
      const outline = el.cloneNode(false);
      for (const a of ["id", "style", "clip-path", "transform", "fill", "stroke", "opacity"]) outline.removeAttribute(a);
      if (/fill-rule:\\s*evenodd/.test(el.getAttribute("style") || "") || el.getAttribute("fill-rule") === "evenodd")
        outline.setAttribute("clip-rule", "evenodd");
      shape.appendChild(outline);
      defs.append(tile, shape);
      // the element's own transform, clip and opacity apply to the whole fill, as to the pattern
      const group = make(doc, "g", {});
      for (const a of ["transform", "clip-path"]) if (el.hasAttribute(a)) group.setAttribute(a, el.getAttribute(a));
      const style = el.getAttribute("style") || "";
      const alpha = (/(?:^|;)\\s*fill-opacity:\\s*([\\d.]+)/.exec(style) || [])[1];
      const opacity = (/(?:^|;)\\s*opacity:\\s*([\\d.]+)/.exec(style) || [])[1] || el.getAttribute("opacity");
      const total = (alpha ? parseFloat(alpha) : 1) * (opacity ? parseFloat(opacity) : 1);
      if (total < 1) group.setAttribute("opacity", String(total));
      const background = el.cloneNode(false);
      for (const a of ["id", "transform", "clip-path", "opacity", "stroke", "fill-opacity"]) background.removeAttribute(a);
      // the pattern's background colour, no stroke (later declarations win), the group's opacity
      const solid = style.replace(FILL_URL, `$1$2fill: ${h.colour}`);
      background.setAttribute("style", `${solid}; stroke: none; opacity: 1; fill-opacity: 1`);
      const lines = make(doc, "g", {"clip-path": `url(#${id}-shape)`});
      for (let j = Math.floor((box.y - h.y) / h.h); h.y + j * h.h < box.y + box.height; j++)
        for (let i = Math.floor((box.x - h.x) / h.w); h.x + i * h.w < box.x + box.width; i++)
          lines.appendChild(make(doc, "use", {href: `#${id}-tile`, x: String(h.x + i * h.w), y: String(h.y + j * h.h)}));
      if (h.colour !== "none") group.append(background);
      group.append(lines);
      el.before(defs, group);
      // the element itself now only strokes, on top, as after a pattern fill
      el.setAttribute("style", style.replace(FILL_URL, "$1$2fill: none"));
      if (el.hasAttribute("fill")) el.setAttribute("fill", "none");
      done++;
    }
    return done;
  };

  const host = document.createElement("div");
  host.style.cssText = "position:absolute; left:-100000px; top:0; visibility:hidden";
  document.body.appendChild(host);
  const failed = [];
  for (const img of Array.from(document.images)) {
    const src = img.getAttribute("src") || "";
    if (!src.startsWith(PREFIX)) continue;
    try {
      const bytes = Uint8Array.from(atob(src.slice(PREFIX.length)), (c) => c.charCodeAt(0));
      const text = new TextDecoder().decode(bytes);
      if (!text.includes("<pattern")) continue;
      const parsed = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (parsed.localName !== "svg") throw new Error("not an SVG document");
      const root = document.importNode(parsed, true);
      host.replaceChildren(root);
      const n = redraw(root);
      if (!n) continue;
      const out = new TextEncoder().encode(new XMLSerializer().serializeToString(root));
      let binary = "";
      for (let k = 0; k < out.length; k += 0x8000) binary += String.fromCharCode(...out.subarray(k, k + 0x8000));
      img.setAttribute("src", PREFIX + btoa(binary));
      await img.decode().catch(() => null);
      charts++; fills += n;
    } catch (err) {
      failed.push(`${img.getAttribute("alt") || src.slice(0, 40)}: ${err}`);
    }
  }
  host.remove();
  for (const svg of Array.from(document.querySelectorAll("svg"))) {
    try { const n = redraw(svg); if (n) { charts++; fills += n; } } catch (err) { failed.push(`inline svg: ${err}`); }
  }
  return {charts, fills, failed};
}
"""

FOOTER = (
    '<div style="width:100%; font-size:8pt; text-align:center; color:#3D3D3D;'
    " font-family:'DejaVu Sans', sans-serif;\">"
    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
HEADER = "<div></div>"  # an empty header: Chromium's default one prints the date


class PdfError(BuildError):
    """The PDF could not be printed."""


@dataclass(frozen=True)
class TitlePage:
    organisation: str
    title: str
    year: int
    service: str = ""
    notice: str = ""  # the demonstration-data notice; empty for a real report


def find_chromium() -> str:
    """The Chromium executable (Debian's, on PATH), or a PdfError saying how to install it."""
    exe = os.environ.get("HEALTHCHECK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise PdfError(f"Chromium was not found, so the PDF cannot be printed. {INSTALL_HINT}")
    return exe


def print_pdf(
    html_path: Path,
    pdf_path: Path,
    title_page: TitlePage,
    *,
    epoch: str | int = 0,
    open_details: bool = False,
    timeout_s: float = 120,
) -> list[str]:
    """Print ``html_path`` (a singlehtml page) to ``pdf_path``; returns warnings (blocked requests, page errors).

    epoch: the build's date (seconds since 1970, as SOURCE_DATE_EPOCH), written as the PDF's
    creation and modification dates so that the same build gives the same bytes.

    open_details: print the contents of every <details> element (in the report, the data
    table behind each chart: this more than doubles the length); by default they are left
    out, as the HTML report and the downloadable CSV files carry the data.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        raise PdfError("The Python package playwright is missing: run `make venv`.") from exc

    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"The page to print does not exist: {html_path}")
    exe = find_chromium()
    warnings: list[str] = []
    blocked: list[str] = []

    def _block(route):
        blocked.append(route.request.url)
        route.abort()

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        except PlaywrightError as exc:
            raise PdfError(
                f"Chromium ({exe}) could not be started by Playwright, so the PDF cannot be printed. "
                f"{INSTALL_HINT}\nDetails: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc}"
            ) from exc
        try:
            context = browser.new_context(offline=True, service_workers="block", locale="en-GB", timezone_id="UTC")
            page = context.new_page()
            page.set_default_timeout(timeout_s * 1000)
            page.on("pageerror", lambda err: warnings.append(f"PDF: script error on the page: {err}"))
            # Only requests to other hosts reach Python (to be blocked and reported): routing
            # every local file through a handler slowed printing by seconds.
            page.route(re.compile(r"^(?!(file|data|blob|about):)", re.IGNORECASE), _block)
            page.goto(html_path.as_uri(), wait_until="load")
            page.add_style_tag(content=PRINT_CSS)
            page.emulate_media(media="print")
            hatching = page.evaluate(VECTOR_HATCHING_JS)
            warnings += [f"PDF: a chart's hatching stays an image (a larger PDF): {item}" for item in hatching["failed"]]
            page.evaluate(
                PREPARE_JS,
                {
                    "organisation": title_page.organisation,
                    "service": title_page.service,
                    "title": title_page.title,
                    "year": str(title_page.year),
                    "notice": " ".join(title_page.notice.split()),
                    "openDetails": open_details,
                },
            )
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(pdf_path),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template=HEADER,
                footer_template=FOOTER,
                margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
            )
        except PlaywrightError as exc:
            raise PdfError(f"Printing {html_path} to PDF failed: {exc}") from exc
        finally:
            browser.close()

    for url in sorted(set(blocked)):
        warnings.append(f"PDF: blocked a request to another host: {url}")
    _normalise_pdf(pdf_path, int(epoch))
    return warnings


_PDF_DATE = re.compile(rb"\(D:\d{14}[^)]{0,12}\)")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")
_ID_LEAF = re.compile(rb"/Limits \[\(node\d{8}\) \(node\d{8}\)\]\s*/Names \[((?:\(node\d{8}\) \d+ \d+ R ?)+)\]")
_ID_PAIR = re.compile(rb"\(node(\d{8})\) (\d+ \d+ R)")


def _normalise_pdf(pdf_path: Path, epoch: int) -> None:
    """Make the PDF's bytes repeatable without changing any length (so the xref table holds).

    * /CreationDate and /ModDate become SOURCE_DATE_EPOCH;
    * the tagged structure's element IDs ("node<DOM node number>", which vary from run to
      run) are renumbered in order of appearance, and the ID tree is sorted again.
    """
    stamp = b"(D:" + time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode() + b"+00'00')"
    data = pdf_path.read_bytes()
    fixed = _PDF_DATE.sub(lambda m: stamp if len(m.group(0)) == len(stamp) else m.group(0), data)

    leaves = _ID_LEAF.findall(fixed)
    if len(leaves) == 1:  # a single leaf can be re-sorted in place; otherwise leave the IDs be
        order: dict[bytes, bytes] = {}
        for match in _NODE_ID.finditer(fixed):
            order.setdefault(match.group(1), b"%08d" % (len(order) + 1))
        fixed = _NODE_ID.sub(lambda m: b"(node" + order[m.group(1)] + b")", fixed)

        def _sorted_leaf(match: re.Match) -> bytes:
            pairs = sorted(_ID_PAIR.findall(match.group(1)))
            names = b" ".join(b"(node" + key + b") " + ref for key, ref in pairs)
            limits = b"/Limits [(node" + pairs[0][0] + b") (node" + pairs[-1][0] + b")]"
            gap = match.group(0)[match.group(0).index(b"]") + 1 : match.group(0).index(b"/Names")]
            trailing = b" " if match.group(1).endswith(b" ") else b""
            return limits + gap + b"/Names [" + names + trailing + b"]"

        resorted = _ID_LEAF.sub(_sorted_leaf, fixed)
        if len(resorted) == len(fixed):
            fixed = resorted
        else:  # pragma: no cover - would only happen if the layout above changed
            fixed = _PDF_DATE.sub(lambda m: stamp if len(m.group(0)) == len(stamp) else m.group(0), data)
    if fixed != data:
        pdf_path.write_bytes(fixed)
