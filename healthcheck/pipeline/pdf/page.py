"""What the report's page gets before Chromium prints it (see pipeline.pdf): the print
stylesheet, the script that adds the title page and settles links and <details>, the script
that redraws chart hatching as vector lines, and the page header and footer.

Long because most of it is the print stylesheet and page scripts themselves, kept together as
one description of the printed page (cover, contents, annex, chart scale, header and footer);
split, the CSS and the scripts that rely on its classes would drift apart.
"""

#: The size every chart's text is drawn at (healthcheck.present.charts.style.TEXT_SIZE, checked
#: by tests/unit/test_chart_print_scale.py; not imported, so printing does not load matplotlib).
CHART_TEXT_PT = 11
#: The size chart text prints at: a little under the body's 10 pt, as captions and notes are.
#: Every chart is printed at the scale that gives it (8 inches wide print 5.6 inches wide);
#: 7.5 pt is the least the issue allows, and each step down saves pages (every chart shrinks).
CHART_PRINT_PT = 7.75
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

  /* cover */
  .hc-title-page {
    display: flex; flex-direction: column; justify-content: center;
    min-height: 235mm; break-after: page; page-break-after: always;
    /* a band of the house blue down the cover's left edge and across its top */
    border-left: 10mm solid #12436D; border-top: 4mm solid #12436D; padding-left: 10mm;
    print-color-adjust: exact; -webkit-print-color-adjust: exact;
  }
  .hc-title-page .hc-organisation { font-size: 1.3rem; color: #3D3D3D; margin: 0 0 0.5rem 0; }
  .hc-title-page .hc-service { font-size: 1.1rem; color: #3D3D3D; margin: 0 0 2rem 0; }
  .hc-title-page .hc-title { font-size: 2.4rem; font-weight: 700; color: #12436D; margin: 0; }
  .hc-title-page .hc-year { font-size: 2rem; color: #12436D; margin: 0.5rem 0 2rem 0; }
  .hc-cover-facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem;
    margin: 0 0 2rem 0; font-size: 1.1rem; }
  .hc-cover-facts dt { font-weight: 700; color: #3D3D3D; }
  .hc-cover-facts dd { margin: 0; }
  .hc-title-page .hc-notice {
    border: 2px solid #F46A25; padding: 0.75rem 1rem; font-size: 1rem; max-width: 150mm;
  }

  /* contents: one line per chapter, its page number at the right after a dotted leader */
  .hc-contents { break-after: page; page-break-after: always; }
  .hc-contents-title { font-size: 1.9rem; font-weight: 700; color: #12436D; margin: 0 0 1.5rem 0; }
  .hc-contents-part { font-size: 1.2rem; font-weight: 700; color: #12436D; margin: 2rem 0 0.5rem 0; }
  .hc-contents ol { list-style: none; padding: 0; margin: 0; }
  .hc-contents li { margin: 0 0 0.55rem 0; font-size: 1.1rem; }
  .hc-contents-link { display: flex; align-items: baseline; gap: 0.4rem; }
  .hc-contents-label { font-weight: 700; min-width: 2rem; }
  .hc-contents-text { flex: 0 1 auto; }
  .hc-contents-link::after { content: ""; order: 2; flex: 1 1 auto; border-bottom: 1px dotted #3D3D3D; }
  .hc-contents-page { order: 3; font-variant-numeric: tabular-nums; white-space: pre; }

  /* <details>: their "show ..." line means nothing on paper (see open_details) */
  details > summary { display: none !important; }
  .hc-not-printed { display: none !important; }

  /* The report starts on a page of its own after the contents, and so does the annex; the
     chapters between run on, each after a rule (a new page for each left a third of the
     pages half empty). */
  .hc-report-first, .hc-annex-first { break-before: page; page-break-before: always; }
  span[id^="document-"] + section:not(.hc-annex-first) {
    margin-top: 2.5rem !important; padding-top: 0.75rem; border-top: 3px solid #12436D;
  }
  .hc-annex-number { color: #3D3D3D; }
  /* the theme hides each page's first h1 in print (it prints its own title block instead) */
  .bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
  .bd-article h1, span[id^="document-"] + section > h2 {
    font-size: 1.9rem !important; font-weight: 700 !important; color: #12436D !important;
    margin: 0.5rem 0 1rem 0 !important; /* not 0: Chromium then doubles the outline entry */
  }
  .bd-article h2, .bd-article h3, .bd-article h4 { color: #0b0c0c !important; }
  /* Section headings on paper: the theme's are sized for a screen (17.5 pt, 27.5 pt of room
     above each), which over a hundred headings came to pages of the report. Never margin 0
     (see above). The chapter titles are h1 by now (PREPARE_JS), so untouched. */
  .bd-article h2:not(.hc-chapter-title), .bd-article h3, .bd-article h4 {
    margin: 1.4rem 0 0.5rem 0 !important; line-height: 1.2 !important;
  }
  .bd-article h2:not(.hc-chapter-title), .bd-article h3 { font-size: 1.4rem !important; }
  .bd-article h4 { font-size: 1.2rem !important; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h1, h2, h3, h4, .hc-title { break-inside: avoid; }

  /* figures and tables stay whole */
  /* (not whole cell outputs: one holding every quote of a theme left half a page empty) */
  figure, img, svg, .admonition, blockquote, pre, .hc-quote {
    break-inside: avoid; page-break-inside: avoid;
  }
  img { max-width: 100% !important; height: auto; }
  /* Charts: PREPARE_JS sets each one's printed width (one scale for all, so that chart text
     prints at one size), and the caption stays with its chart. */
  .hc-figure { margin: 0.6rem 0 0.9rem 0 !important; }
  .hc-figure figcaption { break-before: avoid; page-break-before: avoid; margin-top: 0.2rem; }

  /* tables print as tables, not as scrolling boxes */
  .pst-scrollable-table-container, .table-wrapper, .output_html, .output.text_html,
  .cell_output, .output {
    overflow: visible !important; max-height: none !important;
  }
  /* A table may run on to the next page (its header row repeated, no row cut): a long table
     kept whole left most of the page before it empty. Its caption stays with its first rows. */
  table { display: table !important; width: 100% !important; border-collapse: collapse; }
  .bd-article table { break-inside: auto !important; page-break-inside: auto !important; }
  caption { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  th, td { border-bottom: 1px solid #bbb; padding: 2px 6px !important; }
  /* Tables in 9 pt, their words free to break: a table wider than the column (seven columns of
     recommendations) made Chromium shrink every page of the PDF to fit it, charts and all. */
  .bd-article table { font-size: 0.9rem; }
  .bd-article td { overflow-wrap: anywhere; hyphens: auto; }
  .bd-article th { overflow-wrap: normal; }  /* a column's name is never cut inside a word */

  a { color: inherit !important; text-decoration: none !important; }
}
"""

# Adds the cover and the contents page, numbers the annex, opens or drops every <details>, turns
# links to local files into plain text (they would point at the temporary build folder), and
# waits for fonts and images. Returns the text of every heading (see pdf.single_titles).
PREPARE_JS = """
async (info) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const make = (parent, cls, tag, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    parent.appendChild(el);
    return el;
  };
  const cover = document.createElement("section");
  cover.className = "hc-title-page";
  cover.setAttribute("aria-label", "Cover");
  const add = (cls, text) => { if (text) make(cover, cls, "p", text); };
  add("hc-organisation", info.organisation);
  add("hc-service", info.service);
  add("hc-title", info.title);
  add("hc-year", info.year);
  if (info.published || info.owner) {
    const facts = make(cover, "hc-cover-facts", "dl");
    for (const [term, value] of [["Published", info.published], ["Report owner", info.owner]]) {
      if (!value) continue;
      make(facts, "", "dt", term);
      make(facts, "", "dd", value);
    }
  }
  add("hc-notice", info.notice);

  // Chapters: each chapter's h1, in reading order; the annex's are numbered A1, A2, ...
  const annexIds = new Set(info.annex);
  const chapters = [];
  let annexNumber = 0, firstAnnex = null;
  // The single page nests every chapter in the root document's section, announced by
  // <span id="document-<docname>">, its title one level down (an h2).
  const rootTitle = article.querySelector("section > h1");
  const titles = [rootTitle, ...Array.from(article.querySelectorAll('span[id^="document-"] + section'),
    (section) => section.querySelector(":scope > h1, :scope > h2"))].filter((h) => h);
  for (let h1 of titles) {
    // a chapter's title one level down (h2) in the single page becomes an h1, so that each
    // chapter is a top-level bookmark, not one under the first chapter's
    if (h1.localName !== "h1") {
      const top = document.createElement("h1");
      for (const a of h1.attributes) top.setAttribute(a.name, a.value);
      top.classList.add("hc-chapter-title");
      top.append(...h1.childNodes);
      h1.replaceWith(top);
      h1 = top;
    }
    const section = h1.closest("section");
    if (!section || !section.id) continue;
    const marker = section.previousElementSibling;
    const inAnnex = !!(marker && marker.id && annexIds.has(marker.id));
    const title = Array.from(h1.childNodes).filter((n) => !(n.classList && n.classList.contains("headerlink")))
      .map((n) => n.textContent).join("").trim();
    let label = "";
    if (inAnnex) {
      label = `A${++annexNumber}`;
      const number = document.createElement("span");
      number.className = "hc-annex-number";
      number.textContent = `Annex ${label}: `;
      h1.insertBefore(number, h1.firstChild);
      section.classList.add("hc-annex");
      if (!firstAnnex) { firstAnnex = section; section.classList.add("hc-annex-first"); }
    }
    chapters.push({id: section.id, title, inAnnex, label});
  }
  if (rootTitle) rootTitle.closest("section").classList.add("hc-report-first");

  const contents = document.createElement("nav");
  contents.className = "hc-contents";
  contents.setAttribute("aria-label", "Contents");
  make(contents, "hc-contents-title", "p", "Contents");
  let list = make(contents, "", "ol");
  let annexStarted = false;
  for (const chapter of chapters) {
    if (chapter.inAnnex && !annexStarted) {
      annexStarted = true;
      make(contents, "hc-contents-part", "p", "Annex: technical detail");
      list = make(contents, "", "ol");
    }
    const item = make(list, "", "li");
    const link = make(item, "hc-contents-link", "a");
    link.href = `#${chapter.id}`;
    link.dataset.target = chapter.id;
    if (chapter.label) make(link, "hc-contents-label", "span", chapter.label);
    make(link, "hc-contents-text", "span", chapter.title);
    // a blank the width of three digits, filled in once the first print has placed each chapter
    make(link, "hc-contents-page", "span", "\u2007\u2007\u2007");
  }
  article.insertBefore(contents, article.firstChild);
  article.insertBefore(cover, article.firstChild);

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
  // Every chart printed at one scale, so that its text (CHART_TEXT_PT, drawn at the chart's own
  // size) prints at CHART_PRINT_PT whatever the chart's height: a cap on the height instead
  // shrank the tall charts' text to 4-7 pt. A chart too tall for a page at that scale is made
  // as large as a page allows (an image cannot run on to the next page: Chromium moves it to a
  // page of its own and cuts it there); none is wider than the column.
  for (const img of document.querySelectorAll(".hc-figure img")) {
    const width = img.naturalWidth, height = img.naturalHeight;
    if (!(width > 0 && height > 0)) continue;
    const scale = Math.min(info.chartScale, info.columnPx / width, info.chartRoomPx / height);
    img.style.setProperty("width", `${(width * scale).toFixed(2)}px`, "important");
    img.style.setProperty("height", "auto", "important");
    img.style.setProperty("max-width", "none", "important");
    img.style.setProperty("max-height", "none", "important");
  }
  return Array.from(article.querySelectorAll("h1, h2, h3, h4, h5, h6"), (h) =>
    Array.from(h.childNodes).filter((n) => !(n.classList && n.classList.contains("headerlink")))
      .map((n) => n.textContent).join("").trim());
}
"""

# Fills in the contents page's numbers: {target id: page}. The numbers are figures of one width
# (tabular), padded to three with figure spaces, so the line keeps its length. Returns the
# chapters left without a number.
FILL_CONTENTS_JS = """
(pages) => {
  const missing = [];
  for (const link of document.querySelectorAll(".hc-contents-link")) {
    const page = pages[link.dataset.target];
    const cell = link.querySelector(".hc-contents-page");
    if (page === undefined) { missing.push(link.querySelector(".hc-contents-text").textContent); continue; }
    cell.textContent = String(page).padStart(3, "\u2007");
  }
  return missing;
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
    if (!found.size) return 0;
    const todo = [];
    for (const el of root.querySelectorAll("path, rect, circle, ellipse, polygon, polyline")) {
      const m = /^url\\(["']?#([^"')]+)["']?\\)$/.exec(fillOf(el));
      const h = m && found.get(m[1]);
      if (!h || el.hasAttribute("mask") || el.hasAttribute("filter")) continue;
      if (el.closest("defs, pattern, clipPath, mask, marker, symbol")) continue;  // not drawn as itself
      todo.push([el, h]);
    }
    // Every box first: a box asked for after the drawing changed would lay the page out again.
    const boxes = todo.map(([el]) => el.getBBox());
    let done = 0;
    for (const [index, [el, h]] of todo.entries()) {
      const box = boxes[index];
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

  // The charts are redrawn in a frame of their own: laying out a chart there (for getBBox)
  // does not lay out the whole report again, as it would in the report's own page.
  const frame = document.createElement("iframe");
  frame.style.cssText = "position:absolute; left:-100000px; top:0; width:2000px; height:2000px; visibility:hidden";
  document.body.appendChild(frame);
  const host = frame.contentDocument.body;
  const failed = [], decoded = [];
  for (const img of Array.from(document.images)) {
    const src = img.getAttribute("src") || "";
    if (!src.startsWith(PREFIX)) continue;
    try {
      const binary = atob(src.slice(PREFIX.length)), bytes = new Uint8Array(binary.length);
      for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
      const text = new TextDecoder().decode(bytes);
      if (!text.includes("<pattern")) continue;
      const parsed = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (parsed.localName !== "svg") throw new Error("not an SVG document");
      const root = host.ownerDocument.importNode(parsed, true);
      host.replaceChildren(root);
      const n = redraw(root);
      if (!n) continue;
      const out = new TextEncoder().encode(new XMLSerializer().serializeToString(root));
      let encoded = "";
      for (let k = 0; k < out.length; k += 0x8000) encoded += String.fromCharCode(...out.subarray(k, k + 0x8000));
      img.setAttribute("src", PREFIX + btoa(encoded));
      decoded.push(img.decode().catch(() => null));
      charts++; fills += n;
    } catch (err) {
      failed.push(`${img.getAttribute("alt") || src.slice(0, 40)}: ${err}`);
    }
  }
  frame.remove();
  await Promise.all(decoded);  // every redrawn chart ready before printing
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
