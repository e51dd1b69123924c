
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
    make(link, "hc-contents-page", "span", "   ");
  }
  // A book of a few chapters (the national summary's three) lists them in a few lines: the report
  // then starts below its contents rather than leave that page near-empty (print.css).
  if (chapters.length <= 5) {
    contents.classList.add("hc-contents-short");
    if (rootTitle) rootTitle.closest("section").classList.add("hc-after-short-contents");
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
