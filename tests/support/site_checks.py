"""Checks any built book's website must pass, shared by the tests of every kind of book (the
demonstration, a second council's, the national summary): valid HTML by the W3C Nu checker,
axe-core in both colour modes, and nothing asked of another host."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.book.test_html_valid import _describe, _pages, _run_vnu

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|about:).*")
OPEN_DETAILS_JS = "() => { for (const d of document.querySelectorAll('details')) d.open = true; }"


@contextlib.contextmanager
def served(html_dir: Path):
    """The site served on 127.0.0.1 (a free port); yields its address, ending in /."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def html_errors(html_dir: Path) -> list[str]:
    """Every error the Nu HTML Checker finds in every page of the site."""
    messages = _run_vnu(_pages(html_dir))
    return [_describe(m, html_dir) for m in messages if m["type"] in ("error", "non-document-error")]


def axe_and_outside_requests(html_dir: Path, pages: list[str]) -> tuple[list[str], list[str]]:
    """axe-core's WCAG 2.2 AA violations on each page in light and dark mode (every <details>
    open), and every request the pages made to another host (refused)."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from healthcheck.pipeline.pdf.printing import CHROMIUM_ARGS, find_chromium

    outside, problems = [], []
    with served(html_dir) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for mode in ("light", "dark"):
            context = browser.new_context(color_scheme=mode, reduced_motion="reduce")
            context.route(LOCAL, lambda route: (outside.append(route.request.url), route.abort()))
            tab = context.new_page()
            for name in pages:
                response = tab.goto(site + name, wait_until="load")
                assert response is not None and response.ok, name
                tab.evaluate(OPEN_DETAILS_JS)
                # Only violations are read: axe then describes one element of each passing or
                # inapplicable rule instead of every one (the same checks, about 15% sooner).
                options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
                found = Axe().run(tab, options=options)
                problems += [f"{name} ({mode}): {v['id']} {v['help']}" for v in found.response["violations"]]
            context.close()
        browser.close()
    return problems, outside
