"""The built book in a real browser (Debian's Chromium through Playwright), against WCAG 2.2 AA.

* axe-core finds no violation on any page: every chapter, the search page and the index;
* what assistive technology relies on: the page language, text alternatives for images,
  headings in order with one h1, a caption or label for every table;
* the keyboard: the first Tab reaches "Skip to main content", tabbing reaches the next chapter,
  Enter on a sidebar link opens that chapter, and every focused element shows its focus and is
  not hidden behind anything (2.1.1, 2.4.1, 2.4.7, 2.4.11);
* screenshots of every chapter at desktop and phone widths and of every page of the PDF, in
  ``screenshots/`` beside the demo build in pytest's temporary folder (printed at the end of
  the run), for a person to look at; at phone width nothing makes the
  page scroll sideways or is cut off at its right edge (1.4.10 Reflow).

One Chromium serves the whole module. Nothing is downloaded: the pages are served from the
build folder on 127.0.0.1 and the browser is started with the flags of healthcheck.pipeline.pdf.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from healthcheck import paths
from healthcheck.data.config import load_bank
from healthcheck.pipeline.book import read_toc
from tests.support.site_checks import AXE_TAGS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_TABS = 400  # more tab stops than any page has; a page needing more has a keyboard trap


def _chapters() -> list[str]:
    """The chapter pages, in reading order, from the table of contents (e.g. chapters/theme-wellbeing.html)."""
    themes = list(load_bank(paths.ROOT / "data").themes)
    return [f"{doc}.html" for doc in read_toc(paths.ROOT / "_toc.yml", themes)]


CHAPTERS = _chapters()
PAGES = CHAPTERS + ["search.html", "genindex.html"]


def _id(page: str) -> str:
    return Path(page).stem


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def html_root(demo_book) -> Path:
    return demo_book.out_dir / "html"


def _new_context(browser, viewport=DESKTOP, **options):
    """A fresh browser context that refuses every host but the local server (the report must
    work with no internet), with reduced motion so nothing is caught mid-slide."""
    context = browser.new_context(viewport=viewport, reduced_motion="reduce", **options)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|about:).*"), lambda route: route.abort())
    return context


@pytest.fixture
def page(browser, site):
    """A fresh desktop-sized tab in the light colour scheme."""
    context = _new_context(browser, color_scheme="light")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def screenshots(demo_book) -> Path:
    folder = demo_book.out_dir.parent / "screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# The theme sets the colour mode with a script after the first paint, and its colours change
# with transitions: measured mid-way, text can be black on a dark background for a moment.
SETTLE_JS = """async () => {
    const running = document.getAnimations().map(a => a.finished.catch(() => null));
    await Promise.race([Promise.all(running), new Promise(done => setTimeout(done, 2000))]);
}"""


def _open(tab, site: str, page: str) -> None:
    """Load the page and wait until its transitions have finished."""
    response = tab.goto(site + page, wait_until="load")
    assert response is not None and response.ok, f"{page}: {response and response.status}"
    tab.evaluate(SETTLE_JS)


# ----------------------------------------------------------------------------- every page exists


def test_the_pages_checked_are_every_page_of_the_book(html_root):
    built = sorted(p.relative_to(html_root).as_posix() for p in (html_root / "chapters").glob("*.html"))
    assert built == sorted(CHAPTERS)
    for extra in ("search.html", "genindex.html"):
        assert (html_root / extra).is_file()


# ----------------------------------------------------------------------------- axe-core


OPEN_DETAILS_JS = "() => { for (const d of document.querySelectorAll('.bd-article details')) d.open = true; }"


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES, ids=_id)
def test_axe_finds_no_wcag_violation(browser, site, name, mode):
    """axe-core on the page as the theme shows it in each colour mode (it follows the reader's
    system setting), with every <details> open so the data tables behind the charts are checked."""
    from axe_playwright_python.sync_playwright import Axe

    context = _new_context(browser, color_scheme=mode)
    try:
        tab = context.new_page()
        _open(tab, site, name)
        assert tab.evaluate("document.documentElement.dataset.theme") == mode
        tab.evaluate(OPEN_DETAILS_JS)
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    finally:
        context.close()
    problems = [
        f"{name} ({mode} mode): {v['id']} ({v['impact']}) {v['help']}; {len(v['nodes'])} element(s), first: "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]
    # Contrast axe could not decide (text over a gradient or an image) is contrast nobody checked.
    problems += [
        f"{name} ({mode} mode): axe could not check the contrast of {len(v['nodes'])} element(s), first: "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        for v in results.response["incomplete"]
        if v["id"] == "color-contrast"
    ]
    assert not problems, "axe-core found WCAG violations:\n" + "\n".join(problems)


# ----------------------------------------------------------------------------- page structure

# Headings as assistive technology gets them: Playwright's role selector leaves out what is
# hidden from the accessibility tree (the theme's print-only title block, for example).
HEADINGS_JS = """els => els.map(e => ({
    level: Number(e.getAttribute('aria-level') || e.tagName.slice(1)),
    text: e.textContent.replace(/#$/, '').trim().slice(0, 60),
}))"""

IMAGES_JS = """() => [...document.images].map(img => ({
    src: img.getAttribute('src').slice(0, 40),
    alt: img.getAttribute('alt'),
    decorative: ['presentation', 'none'].includes(img.getAttribute('role')) || img.getAttribute('aria-hidden') === 'true',
}))"""

TABLES_JS = """() => [...document.querySelectorAll('table')].map(t => ({
    caption: (t.caption ? t.caption.textContent : '').trim(),
    label: (t.getAttribute('aria-label') || '').trim()
        || (t.getAttribute('aria-labelledby') || '').split(/\\s+/).map(id => document.getElementById(id))
            .filter(Boolean).map(e => e.textContent).join(' ').trim(),
    headers: t.querySelectorAll('th').length,
    html: t.outerHTML.slice(0, 80),
}))"""


@pytest.mark.parametrize("name", PAGES, ids=_id)
def test_page_structure_for_assistive_technology(page, site, name):
    _open(page, site, name)
    problems = []

    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    if lang != "en":
        problems.append(f'<html lang> is {lang!r}, not "en"')

    for img in page.evaluate(IMAGES_JS):
        alt = img["alt"]
        if alt is None or (not alt.strip() and not (alt == "" and img["decorative"])):
            problems.append(f"image {img['src']}... has no alt text and is not marked decorative")

    headings = page.get_by_role("heading").evaluate_all(HEADINGS_JS)
    h1 = [h["text"] for h in headings if h["level"] == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} h1 headings (want exactly one): {h1}")
    if headings and headings[0]["level"] != 1:
        problems.append(f"the first heading is h{headings[0]['level']} {headings[0]['text']!r}, not the h1")
    for before, after in zip(headings, headings[1:], strict=False):
        if after["level"] > before["level"] + 1:
            problems.append(f"h{before['level']} {before['text']!r} is followed by h{after['level']} {after['text']!r}")

    for table in page.evaluate(TABLES_JS):
        if not (table["caption"] or table["label"]):
            problems.append(f"table without a caption or aria-label: {table['html']}")
        if not table["headers"]:
            problems.append(f"table without header cells: {table['html']}")

    assert not problems, f"{name}:\n" + "\n".join(problems)


# ----------------------------------------------------------------------------- keyboard

# Everything about the focused element that the keyboard checks need.
FOCUSED_JS = """async () => {
    // let transitions end first (the skip link slides in when focused)
    const running = document.getAnimations().map(a => a.finished.catch(() => null));
    await Promise.race([Promise.all(running), new Promise(done => setTimeout(done, 1000))]);
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const s = getComputedStyle(el);
    const transparent = c => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
    const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
    const r = el.getBoundingClientRect();
    // 2.4.11: some part of the element must be on screen and not covered by anything else
    const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 2, r.top + 2],
                    [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
    const seen = points.some(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit && (hit === el || el.contains(hit));
    });
    const href = el.getAttribute('href');
    window.__tabStops = window.__tabStops || [];
    const again = window.__tabStops.includes(el);
    window.__tabStops.push(el);
    return {
        again: again,
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.getAttribute('aria-label') || el.title || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
        cls: el.className && typeof el.className === 'string' ? el.className : '',
        href: href,
        url: el.href || null,
        indicator: outline || shadow,
        seen: seen,
        sidebar: !!el.closest('.bd-sidebar-primary'),
        navigation: !!el.closest('nav, header, [role=navigation], [role=banner]'),
    };
}"""


def _describe(focused: dict) -> str:
    return f"<{focused['tag']} class={focused['cls']!r} href={focused['href']!r}> {focused['text']!r}"


def _tab_until(page, want, limit=MAX_TABS):
    """Press Tab until `want(focused)`; returns (the focused element or None, every element passed)."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:  # focus went to the browser itself, after the last element
            continue
        passed.append(focused)
        if want(focused):
            return focused, passed
    return None, passed


@pytest.mark.parametrize("name", CHAPTERS, ids=_id)
def test_keyboard_reaches_everything_with_visible_focus(page, site, name):
    """Tab from the top of the page round to where it started: skip link first, the next
    chapter on the way, every stop with a visible focus indicator that nothing covers."""
    _open(page, site, name)
    index = CHAPTERS.index(name)
    following = CHAPTERS[index + 1] if index + 1 < len(CHAPTERS) else None
    target = following or CHAPTERS[index - 1]
    link_class = "right-next" if following else "left-prev"  # the last chapter links back

    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_JS)
    assert first is not None, f"{name}: Tab from the top of the page focuses nothing"
    assert "skip to main content" in first["text"].lower() or first["navigation"], (
        f"{name}: the first Tab reaches {_describe(first)}, not a skip link or the navigation"
    )
    again, passed = _tab_until(page, lambda f: f["again"])
    assert again, f"{name}: {MAX_TABS} Tab presses never come back round to the top (a keyboard trap?)"
    stops = [first] + passed[:-1]

    assert any(link_class in f["cls"].split() and (f["url"] or "").endswith("/" + Path(target).name) for f in stops), (
        f"{name}: tabbing through the page ({len(stops)} stops) never reaches the link to {target}"
    )
    hidden = [_describe(f) for f in stops if not f["indicator"]]
    assert not hidden, f"{name}: no visible focus indicator (outline or box-shadow) on:\n" + "\n".join(hidden)
    covered = [_describe(f) for f in stops if not f["seen"]]
    assert not covered, f"{name}: focused but off screen or covered by other content:\n" + "\n".join(covered)


@pytest.mark.parametrize("name", CHAPTERS, ids=_id)
def test_enter_on_a_sidebar_link_opens_that_chapter(page, site, name):
    _open(page, site, name)
    here = page.url
    found, passed = _tab_until(
        page,
        lambda f: (
            f["sidebar"]
            and f["tag"] == "a"
            and f["url"]
            and f["url"].split("#")[0] != here.split("#")[0]
            and f["url"].split("#")[0].endswith(".html")
        ),
    )
    assert found, f"{name}: no sidebar link to another chapter reached in {len(passed)} Tab presses"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0] == found["url"].split("#")[0] != here.split("#")[0], (name, found, page.url)
    assert page.get_by_role("heading", level=1).count() == 1


# ----------------------------------------------------------------------------- screenshots and reflow

# What makes a phone reader scroll sideways or lose content off the right edge: a container of
# the page (the article or anything around it) that scrolls or clips sideways, or an element of
# the article that reaches past the screen without a scrolling box of its own in the article.
REFLOW_JS = """() => {
    const width = window.innerWidth;
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const article = document.querySelector('.bd-article');
    const bad = [];
    for (let a = article; a && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && a.scrollWidth > a.clientWidth + 1)
            bad.push(`${name(a)} is ${a.scrollWidth}px wide in ${a.clientWidth}px`);
    }
    for (const el of article.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1) continue;
        let box = null;
        for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) { box = a; break; }
        }
        if (!box || box.getBoundingClientRect().right > width + 1)
            bad.push(`${name(el)} reaches ${Math.round(r.right)}px`);
    }
    return bad.slice(0, 8);
}"""


@pytest.mark.parametrize("name", CHAPTERS, ids=_id)
def test_screenshots_and_no_sideways_scrolling_on_a_phone(browser, site, screenshots, name):
    stem = Path(name).stem
    for label, viewport, mobile in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        context = _new_context(browser, viewport, is_mobile=mobile, has_touch=mobile)
        try:
            tab = context.new_page()
            _open(tab, site, name)
            shot = screenshots / f"{stem}-{label}.png"
            tab.screenshot(path=str(shot), full_page=True)
            assert shot.is_file() and shot.stat().st_size > 1000, shot
            if label == "phone":
                # with the data tables open too: they must fit or scroll in their own box
                tab.evaluate(OPEN_DETAILS_JS)
                page_width, screen = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                # a phone browser lays out a page wider than the screen when its content is
                assert screen == PHONE["width"], f"{name}: the page was laid out {screen}px wide on a {PHONE['width']}px phone"
                assert page_width <= screen + 1, f"{name}: the page scrolls sideways on a phone ({page_width}px > {screen}px)"
                cut = tab.evaluate(REFLOW_JS)
                assert not cut, f"{name}: on a phone, content is wider than the screen outside a scrolling box of its own: {cut}"
        finally:
            context.close()


def test_pdf_pages_as_images(demo_book, screenshots):
    folder = screenshots / "pdf"
    folder.mkdir()
    info = subprocess.run(["pdfinfo", str(demo_book.pdf_path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(demo_book.pdf_path), str(folder / "page")], check=True)
    images = sorted(folder.glob("page-*.png"))
    assert len(images) == pages > 1
    assert all(image.stat().st_size > 1000 for image in images)
