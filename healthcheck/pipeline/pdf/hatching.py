"""Chart hatching redrawn as plain vector lines in the page to print, before Chromium opens it.

Chromium prints an SVG ``<pattern>`` fill as a raster image: the report's PDF was five times
larger for it. Each shape filled with a simple hatching pattern (user-space tiles, an opaque
background rectangle, then lines) gets the pattern's background colour, then the pattern's
lines repeated over the shape's box and clipped to its outline: the same picture, in vectors.

Done in Python on the page's embedded chart images (``data:image/svg+xml;base64``) rather than
by a script in the open page, which had to lay each chart out again (about 1.5 s a report).
The shapes matplotlib writes are rectangles and paths of absolute straight lines and curves;
a shape or pattern of another kind is left as it is, and the page script
(``pdfpage.VECTOR_HATCHING_JS``) still redraws whatever is left.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
_NAMESPACES = {
    "": SVG,
    "xlink": "http://www.w3.org/1999/xlink",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cc": "http://creativecommons.org/ns#",
}
for _prefix, _uri in _NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

_IMAGE = re.compile(r'(src=")data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)(")')
_FILL_URL = re.compile(r"(^|;)(\s*)fill:\s*url\([^)]*\)")
_URL_ID = re.compile(r"""^url\(["']?#([^"')]+)["']?\)$""")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_NOT_DRAWN = {"defs", "pattern", "clipPath", "mask", "marker", "symbol"}


def vector_hatching_page(html: str) -> tuple[str, int, int]:
    """``html`` with the hatching of every embedded SVG chart redrawn as vectors; how many
    shapes were redrawn; and how many pattern-filled shapes are left (of a kind not redrawn
    here). Charts without hatching are left byte for byte as they were."""
    count = left = 0

    def redraw_image(match: re.Match) -> str:
        nonlocal count, left
        svg = base64.b64decode(match.group(2))
        if b"<pattern" not in svg:
            return match.group(0)
        new_svg, done, not_done = vector_hatching_svg(svg.decode("utf-8"))
        count, left = count + done, left + not_done
        if not done:
            return match.group(0)
        return match.group(1) + "data:image/svg+xml;base64," + base64.b64encode(new_svg.encode("utf-8")).decode() + match.group(3)

    return _IMAGE.sub(redraw_image, html), count, left


def vector_hatching_svg(svg: str) -> tuple[str, int, int]:
    """One SVG document with its hatched shapes redrawn (see the module); how many were; and
    how many drawn shapes still have a pattern fill (the document is returned as it was when
    none was redrawn)."""
    root = ET.fromstring(svg)
    patterns = {p.get("id"): h for p in root.iter(_tag("pattern")) if p.get("id") and (h := _hatching(p))}
    parents = {child: parent for parent in root.iter() for child in parent}
    done = left = 0
    for el in list(root.iter()):
        match = _URL_ID.match(_fill_of(el))
        if match is None or _hidden(el, parents):
            continue
        hatch = patterns.get(match.group(1))
        simple = el.tag in (_tag("path"), _tag("rect")) and not (el.get("mask") or el.get("filter"))
        box = _box(el) if hatch is not None and simple else None
        if box is None:
            left += 1
            continue
        done += 1
        _redraw(el, parents[el], hatch, box, f"hc-hatch-{done}")
    return (ET.tostring(root, encoding="unicode") if done else svg), done, left


def _tag(local: str) -> str:
    return f"{{{SVG}}}{local}"


def _number(el, name: str, default: float) -> float:
    try:
        return float(el.get(name))
    except (TypeError, ValueError):
        return default


def _fill_of(el) -> str:
    match = re.search(r"(?:^|;)\s*fill:\s*([^;]+)", el.get("style") or "")
    return (match.group(1) if match else el.get("fill") or "").strip()


def _hatching(p) -> dict | None:
    """A pattern that can be redrawn: user-space tiles, no transform, an opaque (or no)
    background rectangle covering the tile, then paths only."""
    kids = list(p)
    if p.get("patternUnits") != "userSpaceOnUse" or any(p.get(a) for a in ("patternTransform", "viewBox", "href")):
        return None
    if p.get(f"{{{_NAMESPACES['xlink']}}}href"):
        return None
    w, h = _number(p, "width", 0), _number(p, "height", 0)
    if not (w > 0 and h > 0) or len(kids) < 2 or kids[0].tag != _tag("rect"):
        return None
    bg = kids[0]
    if _number(bg, "x", 0) > 0 or _number(bg, "y", 0) > 0 or _number(bg, "width", 0) < w or _number(bg, "height", 0) < h:
        return None
    colour = _fill_of(bg)
    if not colour or colour.startswith("url") or any("opacity" in k + v for k, v in bg.attrib.items()):
        return None
    if any(k.tag != _tag("path") for k in kids[1:]):
        return None
    return {"x": _number(p, "x", 0), "y": _number(p, "y", 0), "w": w, "h": h, "colour": colour, "lines": kids[1:]}


def _hidden(el, parents: dict) -> bool:
    """Inside defs, a pattern, a clip path...: not drawn as itself."""
    while el in parents:
        el = parents[el]
        if el.tag.rpartition("}")[2] in _NOT_DRAWN:
            return True
    return False


def _box(el) -> tuple[float, float, float, float] | None:
    """(x, y, width, height) covering the shape, in its own user space; None when unsure."""
    if el.tag == _tag("rect"):
        return _number(el, "x", 0), _number(el, "y", 0), _number(el, "width", 0), _number(el, "height", 0)
    d = el.get("d") or ""
    if re.search(r"[^MLCQZz\d\s.,eE+-]", d):  # relative, arc or shorthand commands: not matplotlib's
        return None
    values = [float(v) for v in _NUMBER.findall(d)]
    if len(values) < 2 or len(values) % 2:
        return None
    xs, ys = values[0::2], values[1::2]  # every point and control point: a box that covers the curve
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _redraw(el, parent, hatch: dict, box: tuple, name: str) -> None:
    """Replace ``el``'s pattern fill by its background colour and clipped, repeated lines."""
    make = ET.Element
    defs = make(_tag("defs"))
    tile = ET.SubElement(defs, _tag("g"), {"id": f"{name}-tile"})
    for line in hatch["lines"]:
        tile.append(_copy(line))
    shape = ET.SubElement(defs, _tag("clipPath"), {"id": f"{name}-shape"})
    outline = _copy(el, drop=("id", "style", "clip-path", "transform", "fill", "stroke", "opacity"))
    style = el.get("style") or ""
    if re.search(r"fill-rule:\s*evenodd", style) or el.get("fill-rule") == "evenodd":
        outline.set("clip-rule", "evenodd")
    shape.append(outline)
    # the shape's own transform, clip and opacity apply to the whole fill, as to the pattern
    group = make(_tag("g"), {a: el.get(a) for a in ("transform", "clip-path") if el.get(a)})
    alpha = re.search(r"(?:^|;)\s*fill-opacity:\s*([\d.]+)", style)
    opacity = re.search(r"(?:^|;)\s*opacity:\s*([\d.]+)", style)
    total = (float(alpha.group(1)) if alpha else 1.0) * float(opacity.group(1) if opacity else el.get("opacity") or 1)
    if total < 1:
        group.set("opacity", f"{total:g}")
    if hatch["colour"] != "none":
        background = _copy(el, drop=("id", "transform", "clip-path", "opacity", "stroke", "fill-opacity"))
        solid = _FILL_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}fill: {hatch['colour']}", style)
        background.set("style", f"{solid}; stroke: none; opacity: 1; fill-opacity: 1")
        group.append(background)
    lines = ET.SubElement(group, _tag("g"), {"clip-path": f"url(#{name}-shape)"})
    x, y, width, height = box
    j = int((y - hatch["y"]) // hatch["h"])
    while hatch["y"] + j * hatch["h"] < y + height:
        i = int((x - hatch["x"]) // hatch["w"])
        while hatch["x"] + i * hatch["w"] < x + width:
            at = {"href": f"#{name}-tile", "x": f"{hatch['x'] + i * hatch['w']:g}", "y": f"{hatch['y'] + j * hatch['h']:g}"}
            ET.SubElement(lines, _tag("use"), at)
            i += 1
        j += 1
    index = list(parent).index(el)
    parent.insert(index, group)
    parent.insert(index, defs)
    # the shape itself now only strokes, on top, as after a pattern fill
    el.set("style", _FILL_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}fill: none", style))
    if el.get("fill") is not None:
        el.set("fill", "none")


def _copy(el, drop=()):
    """A shallow copy of ``el`` (children too, for a pattern's lines) without the ``drop`` attributes."""
    new = ET.Element(el.tag, {k: v for k, v in el.attrib.items() if k not in drop})
    new.text = el.text
    for child in el:
        new.append(_copy(child))
    return new
