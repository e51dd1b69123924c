"""Reflow (WCAG 2.2 SC 1.4.10) on every page of the demonstration book, the second council's and
the national summary (tests/support/books.py), at 320 and 390 CSS px.

Each page is opened in Chromium (Debian's, via Playwright) at both widths, every <details> open,
and measured:

* the page itself must not scroll sideways;
* no element of the article (text, tile, table, chart) may reach past the screen or past the
  box it sits in, unless it is inside a scrolling box of its own;
* a scrolling box is allowed for a table only: it must be reachable by keyboard (tabindex), the
  table must have a caption, and the box must show a visible cue that it scrolls (the
  scroll-shadow backgrounds of book/_static/custom.css); a chart that needs sideways scrolling
  fails (its result would be off-screen), as does a chart drawn smaller than legible;
* text must be at least 12 CSS px.

Screenshots of every chapter at 390 px are saved in ``screenshots/reflow`` beside each book's
build. Each page is measured once at each width; both tests read that measurement.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from tests.support.books import KINDS, pages
from tests.support.site_checks import served

WIDTHS = (320, 390)
HEIGHT = 844
MIN_TEXT_PX = 12
# A chart is legible when drawn at no less than this share of its own size (the house style's
# chart text is sized for that; below it labels fall under about 6 px).
MIN_CHART_SCALE = 0.6


#: (book, page) for every page of every book, known before any book is built
CHAPTERS = [(kind, page) for kind in KINDS for page in pages(kind)]


def _page_id(value) -> str:
    return Path(value).stem if str(value).endswith(".html") else str(value).replace(" ", "-")


OPEN_DETAILS_JS = "() => { for (const d of document.querySelectorAll('.bd-article details')) d.open = true; }"

# Every fault on the page, as "kind: what", at most a few of each kind.
MEASURE_JS = """() => {
  const width = document.documentElement.clientWidth;
  const article = document.querySelector('.bd-article');
  const classes = (el) => typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter((c) => c) : [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + classes(el).slice(0, 2).map((c) => '.' + c).join('');
  const faults = [];
  const say = (kind, text) => { if (faults.filter((f) => f.startsWith(kind)).length < 6) faults.push(`${kind}: ${text}`); };
  const shown = (el) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  // visually hidden (1px, clipped) elements are for screen readers: not laid out for the eye
  const clippedAway = (el) => {
    for (let a = el; a && a !== article; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.clipPath && s.clipPath.startsWith('inset(50%')) return true;
      if (s.clip && s.clip !== 'auto') return true;
    }
    return false;
  };
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a;
    return null;
  };

  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) say('page', `scrolls sideways (${doc.scrollWidth}px in ${doc.clientWidth}px)`);

  // scrolling boxes that do scroll: only for a table, with caption, keyboard access and a cue
  for (const box of article.querySelectorAll('*')) {
    if (!shown(box) || !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) continue;
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const img = box.querySelector('img, svg, picture');
    const table = box.querySelector('table');
    if (img && !table) {
      const what = (img.getAttribute('alt') || img.id || 'chart').slice(0, 60);
      say('chart', `${name(box)} (${what}) needs sideways scrolling: ${box.scrollWidth}px in ${box.clientWidth}px`);
      continue;
    }
    if (!table) { say('scroll', `${name(box)} scrolls sideways and holds no table`); continue; }
    if (!table.caption || !table.caption.textContent.trim()) say('table', `${name(box)} scrolls, its table has no caption`);
    if (box.tabIndex < 0) say('table', `${name(box)} scrolls but cannot be reached by keyboard`);
    if (getComputedStyle(box).backgroundImage === 'none') say('table', `${name(box)} scrolls with no visible cue`);
  }

  for (const el of article.querySelectorAll('*')) {
    if (!shown(el) || clippedAway(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const box = scroller(el);
    if (!box && (r.right > width + 1 || r.left < -1))
      say('overflow', `${name(el)} reaches ${Math.round(r.left)}..${Math.round(r.right)}px on a ${width}px screen`);
    // text size: elements with text of their own
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < MIN_TEXT - 0.01) say('text', `${name(el)} "${el.textContent.trim().slice(0, 30)}" is ${size}px`);
    }
    if (el.tagName === 'IMG' && el.closest('figure') && el.naturalWidth) {
      // an SVG chart: its own size is its width attribute (in pt, 4/3 px each) as naturalWidth
      const scale = r.width / el.naturalWidth;
      const what = (el.getAttribute('alt') || name(el)).slice(0, 50);
      if (scale < MIN_SCALE - 0.005) say('small chart', `${what} drawn at ${Math.round(scale * 100)}% of its size`);
    }
  }
  return faults;
}""".replace("MIN_TEXT", str(MIN_TEXT_PX)).replace("MIN_SCALE", str(MIN_CHART_SCALE))


@pytest.fixture(scope="module")
def measured(books, browser):
    """measure(kind, page, width) -> the page's faults, measured once (a screenshot at 390 px
    saved in ``screenshots/reflow`` beside that book's build); each book's site served while
    the module runs."""
    found: dict[tuple[str, str, int], list[str]] = {}
    with contextlib.ExitStack() as stack:
        sites: dict[str, str] = {}

        def measure(kind: str, name: str, width: int) -> list[str]:
            if (kind, name, width) not in found:
                book = books(kind)
                if kind not in sites:
                    sites[kind] = stack.enter_context(served(book.html_dir))
                shot = None
                if width == 390:
                    folder = book.out_dir.parent / "screenshots" / "reflow"
                    folder.mkdir(parents=True, exist_ok=True)
                    shot = folder / f"{Path(name).stem}-{width}.png"
                found[kind, name, width] = _faults(browser, sites[kind], name, width, shot)
                if shot:
                    assert shot.is_file() and shot.stat().st_size > 1000
            return found[kind, name, width]

        yield measure


def _faults(browser, site: str, name: str, width: int, screenshot: Path | None = None) -> list[str]:
    viewport = {"width": width, "height": HEIGHT}
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True, reduced_motion="reduce")
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|about:).*"), lambda route: route.abort())
    try:
        tab = context.new_page()
        response = tab.goto(site + name, wait_until="load")
        assert response is not None and response.ok, name
        if screenshot:
            tab.screenshot(path=str(screenshot), full_page=True)
        tab.evaluate(OPEN_DETAILS_JS)
        assert tab.evaluate("document.documentElement.clientWidth") == width, f"{name}: not laid out {width}px wide"
        return tab.evaluate(MEASURE_JS)
    finally:
        context.close()


def _split(faults: list[str]) -> tuple[list[str], list[str]]:
    charts = [f for f in faults if f.startswith(("chart:", "small chart:"))]
    return charts, [f for f in faults if f not in charts]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("kind", "name"), CHAPTERS, ids=_page_id)
def test_text_tiles_and_tables_reflow(measured, kind, name, width):
    """Text, tiles and tables: no sideways scrolling, nothing past its box, legible text, and a
    table that scrolls has a caption, keyboard access and a visible cue."""
    _, others = _split(measured(kind, name, width))
    assert not others, f"{kind}: {name} at {width}px: " + "; ".join(others)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("kind", "name"), CHAPTERS, ids=_page_id)
def test_charts_fit_and_stay_legible(measured, kind, name, width):
    """Every chart fits the screen without sideways scrolling and is drawn at a legible size."""
    charts, _ = _split(measured(kind, name, width))
    assert not charts, f"{kind}: {name} at {width}px: " + "; ".join(charts)


def test_the_check_sees_a_table_that_overflows(browser, tmp_path):
    """The measure itself: a wide table with no scrolling box, and a chart in a scrolling box,
    are both caught (so a passing page passes because it reflows)."""
    page = tmp_path / "wide.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta name='viewport' content='width=device-width'></head><body>"
        "<article class='bd-article'><table><caption>c</caption><tr>" + "<td>wide-cell-text-here</td>" * 12 + "</tr></table>"
        "<figure><div style='overflow-x:auto' tabindex='0'><img alt='a chart' width='900' height='100' "
        "src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='900' height='100'/>\"></div></figure>"
        "<p style='font-size:9px'>tiny</p></article></body></html>",
        encoding="utf-8",
    )
    with served(tmp_path) as address:
        faults = _faults(browser, address, "wide.html", 320)
    kinds = {f.split(":")[0] for f in faults}
    assert {"page", "overflow", "chart", "text"} <= kinds, faults
