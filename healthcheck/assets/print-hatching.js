
async () => {
  let serial = 0, charts = 0, fills = 0;
  const SVG = "http://www.w3.org/2000/svg", PREFIX = "data:image/svg+xml;base64,";
  const num = (el, name, dflt) => { const v = parseFloat(el.getAttribute(name)); return isNaN(v) ? dflt : v; };
  const fillOf = (el) => {
    const m = /(?:^|;)\s*fill:\s*([^;]+)/.exec(el.getAttribute("style") || "");
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
  const FILL_URL = /(^|;)(\s*)fill:\s*url\([^)]*\)/;

  // Redraw the pattern fills of `root`, an <svg> element attached to the page (for getBBox).
  const redraw = (root) => {
    const doc = root.ownerDocument, found = new Map();
    for (const p of root.querySelectorAll("pattern")) { const h = hatching(p); if (h && p.id) found.set(p.id, h); }
    if (!found.size) return 0;
    const todo = [];
    for (const el of root.querySelectorAll("path, rect, circle, ellipse, polygon, polyline")) {
      const m = /^url\(["']?#([^"')]+)["']?\)$/.exec(fillOf(el));
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
      if (/fill-rule:\s*evenodd/.test(el.getAttribute("style") || "") || el.getAttribute("fill-rule") === "evenodd")
        outline.setAttribute("clip-rule", "evenodd");
      shape.appendChild(outline);
      defs.append(tile, shape);
      // the element's own transform, clip and opacity apply to the whole fill, as to the pattern
      const group = make(doc, "g", {});
      for (const a of ["transform", "clip-path"]) if (el.hasAttribute(a)) group.setAttribute(a, el.getAttribute(a));
      const style = el.getAttribute("style") || "";
      const alpha = (/(?:^|;)\s*fill-opacity:\s*([\d.]+)/.exec(style) || [])[1];
      const opacity = (/(?:^|;)\s*opacity:\s*([\d.]+)/.exec(style) || [])[1] || el.getAttribute("opacity");
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
