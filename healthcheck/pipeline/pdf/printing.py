"""Print the single-page HTML build of the report to PDF with Debian's Chromium (via Playwright).

Jupyter Book's own PDF builders either download a browser (pdfhtml) or need a large TeX install
and flatten tables (LaTeX), so the report is printed from its ``singlehtml`` build instead. The
page is opened from disk (file://), every request to another host is blocked and reported, a
title page and print rules are added, and Chromium's PDF writer does the rest: A4, tagged,
with an outline built from the headings and "Page X of Y" in the footer. No dates are printed,
and the PDF's own creation dates are set from SOURCE_DATE_EPOCH. Chart hatching is redrawn as
plain vector lines first (pipeline.hatching, then pdfpage.VECTOR_HATCHING_JS for anything
left): Chromium would rasterise it. What
the page gets before printing (stylesheet, scripts, header and footer) is in pipeline.pdfpage.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from healthcheck.errors import BuildError
from healthcheck.pipeline.pdf.hatching import vector_hatching_page
from healthcheck.pipeline.pdf.page import (
    FILL_CONTENTS_JS,
    FOOTER,
    HEADER,
    PREPARE_JS,
    PRINT_CSS,
    SIDE_MARGIN_MM,
    VECTOR_HATCHING_JS,
    chart_print_settings,
)

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


class PdfError(BuildError):
    """The PDF could not be printed."""


@dataclass(frozen=True)
class TitlePage:
    """What the cover and the contents page print (plain text: it is set as text, never markup)."""

    organisation: str
    title: str
    year: int
    service: str = ""
    notice: str = ""  # the demonstration-data notice; empty for a real report
    published: str = ""  # the date of publication, as printed ("12 October 2022")
    owner: str = ""  # who owns the report
    # the documents (docnames) of the annex, in order: printed after the report, numbered A1, A2...
    annex: tuple[str, ...] = ()


def cover_publication(publication) -> dict:
    """TitlePage's `published` and `owner` from a year's `publication` (data.config.Publication)."""
    date = publication.date
    return {
        "published": f"{date.day} {date:%B %Y}" if date else "",
        "owner": " ".join(publication.owner.split()),
    }


def find_chromium() -> str:
    """The Chromium executable (Debian's, on PATH), or a PdfError saying how to install it."""
    exe = os.environ.get("HEALTHCHECK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise PdfError(f"Chromium was not found, so the PDF cannot be printed. {INSTALL_HINT}")
    return exe


def print_pdf(
    html_path: Path | Callable[[], Path],
    pdf_path: Path,
    title_page: TitlePage,
    *,
    epoch: str | int,
    open_details: bool = False,
    timeout_s: float = 120,
) -> list[str]:
    """Print ``html_path`` (a singlehtml page) to ``pdf_path``; returns warnings (blocked requests, page errors).

    ``html_path`` may also be a function that returns the page's path: it is called once
    Chromium has started, so that the page can be built while the browser starts.

    epoch: the build's date (seconds since 1970, as SOURCE_DATE_EPOCH), written as the PDF's
    creation and modification dates so that the same build gives the same bytes.

    open_details: print the contents of every <details> element (in the report, the data
    table behind each chart: this more than doubles the length); by default they are left
    out, as the HTML report and the downloadable CSV files carry the data.
    """
    sync_playwright, playwright_error = _playwright()
    page_ready = html_path if callable(html_path) else (lambda: html_path)
    pdf_path = Path(pdf_path)
    exe = find_chromium()
    warnings: list[str] = []
    blocked: list[str] = []

    with _ctrl_c_noted() as ctrl_c, _driver(sync_playwright) as pw:
        browser = _launch(pw, exe, playwright_error)
        try:
            html_path = Path(page_ready()).resolve()
            if not html_path.is_file():
                raise PdfError(f"The page to print does not exist: {html_path}")
            vector, script_needed = _with_vector_hatching(html_path)
            page = _open_page(browser, vector, timeout_s, warnings, blocked)
            headings = _prepare_page(page, title_page, open_details, warnings, script_needed)
            _write_pdf(page, pdf_path)
            # Chromium cannot number pages in CSS: the contents page is filled in from where
            # the first print put each chapter, then the page is printed again. The numbers
            # take the same room as the blanks they replace, so nothing moves.
            pages = chapter_pages(pdf_path)
            missing = page.evaluate(FILL_CONTENTS_JS, pages)
            if missing:
                warnings.append(f"PDF: the contents page has no page number for: {', '.join(missing)}")
            _write_pdf(page, pdf_path)
        except playwright_error as exc:
            if ctrl_c:  # Chromium died of the same Ctrl+C: the build was interrupted, not broken
                raise KeyboardInterrupt from None
            raise PdfError(f"Printing {html_path} to PDF failed: {exc}") from exc
        finally:
            browser.close()

    for url in sorted(set(blocked)):
        warnings.append(f"PDF: blocked a request to another host: {url}")
    _normalise_pdf(pdf_path, int(epoch), headings)
    return warnings


def _with_vector_hatching(html_path: Path) -> tuple[Path, bool]:
    """The page to open: ``html_path``, or a copy beside it (so that its links still resolve)
    with the charts' hatching already redrawn as vectors (see pipeline.hatching); and whether
    the page script must still look for hatching (in a chart of another kind, or an inline SVG)."""
    html, redrawn, left = vector_hatching_page(html_path.read_text(encoding="utf-8"))
    script_needed = bool(left) or "<svg" in html
    if not redrawn:
        return html_path, script_needed
    vector = html_path.with_name(f"{html_path.stem}-vector-hatching.html")
    vector.write_text(html, encoding="utf-8")
    return vector, script_needed


def _playwright():
    """Playwright's ``sync_playwright`` and its ``Error`` class, or a PdfError saying how to install it."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        raise PdfError("The Python package playwright is missing: run `make venv`.") from exc
    return sync_playwright, PlaywrightError


def memory_limit() -> str | None:
    """This process's memory limit in words (``ulimit -v``/``-d``, or its cgroup's), None when unlimited."""
    import resource

    limits = []
    for name, label in (("RLIMIT_AS", "ulimit -v"), ("RLIMIT_DATA", "ulimit -d")):
        soft = resource.getrlimit(getattr(resource, name))[0]
        if soft != resource.RLIM_INFINITY:
            limits.append(f"{label}: {soft / 2**30:.1f} GiB")
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        if cgroup.isdigit():
            limits.append(f"cgroup memory.max: {int(cgroup) / 2**30:.1f} GiB")
    except OSError:
        pass
    return ", ".join(limits) or None


def _why_it_stopped(what: str) -> str:
    """What to tell the analyst when ``what`` started but stopped: a memory limit when there is
    one (Chromium reserves far more address space than it uses, and dies under ``ulimit -v``),
    never that Chromium is missing -- it was found."""
    limit = memory_limit()
    if limit:
        return (
            f"{what} stopped as it started: this build runs under a memory limit ({limit}), and Chromium and "
            "Playwright reserve more address space than that when they start. Raise or remove the limit "
            "(for example `ulimit -v unlimited` in the shell that builds) and build again."
        )
    return (
        f"{what} stopped as it started (out of memory, or a broken installation). Check that "
        "`chromium --headless --no-sandbox --dump-dom about:blank` works, and that the machine has free memory; "
        "if Chromium itself is broken, reinstall it with: apt-get install chromium   (or run: make system)"
    )


@contextmanager
def _ctrl_c_noted():
    """A list that gets an entry when Ctrl+C arrives, SIGINT otherwise handled as before.

    A Ctrl+C at the terminal goes to the whole process group: Playwright's driver and Chromium
    die of it too, and the print then failed with "Protocol error" before Python raised
    KeyboardInterrupt, so an interrupted build was reported as a broken PDF (exit 1)."""
    seen: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return
    before = signal.getsignal(signal.SIGINT)

    def note(signum, frame):
        seen.append(signum)
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, before)
        if seen:
            # The dead driver's last future is reported by asyncio when collected ("Future
            # exception was never retrieved"): noise under the build's own message.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)


@contextmanager
def _driver(sync_playwright):
    """Playwright's driver started, or a PdfError saying why it could not start (it is a Node.js
    process: under a memory limit it aborts and Playwright only says the connection closed)."""
    try:
        manager = sync_playwright()
        pw = manager.__enter__()
    except Exception as exc:  # Playwright raises a bare Exception when its driver dies at start
        why = _why_it_stopped("Playwright's driver (which starts Chromium)")
        raise PdfError(f"{why}\nDetails: {_first_line(exc)}") from None
    try:
        yield pw
    except BaseException:
        if not manager.__exit__(*sys.exc_info()):
            raise
    else:
        manager.__exit__(None, None, None)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _launch(pw, exe: str, playwright_error: type[Exception]):
    """Chromium ``exe`` started headless by Playwright, or a PdfError saying what really went wrong."""
    try:
        return pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
    except playwright_error as exc:
        if Path(exe).is_file() and os.access(exe, os.X_OK):  # found and runnable: not a missing install
            raise PdfError(_why_it_stopped(f"Chromium ({exe})") + f"\nDetails: {_first_line(exc)}") from exc
        raise PdfError(
            f"Chromium ({exe}) could not be started by Playwright, so the PDF cannot be printed. "
            f"{INSTALL_HINT}\nDetails: {_first_line(exc)}"
        ) from exc


def _open_page(browser, html_path: Path, timeout_s: float, warnings: list[str], blocked: list[str]):
    """``html_path`` loaded in a new offline, en-GB, UTC tab of ``browser``.

    The page's script errors are added to ``warnings``; requests to other hosts are aborted
    and their addresses added to ``blocked``.
    """

    def _block(route):
        blocked.append(route.request.url)
        route.abort()

    context = browser.new_context(offline=True, service_workers="block", locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    page.on("pageerror", lambda err: warnings.append(f"PDF: script error on the page: {err}"))
    # Only requests to other hosts reach Python (to be blocked and reported): routing
    # every local file through a handler slowed printing by seconds.
    page.route(re.compile(r"^(?!(file|data|blob|about):)", re.IGNORECASE), _block)
    page.goto(html_path.as_uri(), wait_until="load")
    return page


def _prepare_page(page, title_page: TitlePage, open_details: bool, warnings: list[str], redraw: bool = True) -> list[str]:
    """Print rules and print media, chart hatching left redrawn as vectors (when ``redraw``), the
    cover and contents page added, the annex numbered and every <details> opened or dropped (see
    pdfpage); charts left as they were go to ``warnings``. Returns the text of every heading."""
    page.add_style_tag(content=PRINT_CSS)
    page.emulate_media(media="print")
    if redraw:
        hatching = page.evaluate(VECTOR_HATCHING_JS)
        warnings += [f"PDF: a chart's hatching stays an image (a larger PDF): {item}" for item in hatching["failed"]]
    return page.evaluate(
        PREPARE_JS,
        {
            "organisation": title_page.organisation,
            "service": title_page.service,
            "title": title_page.title,
            "year": str(title_page.year),
            "notice": " ".join(title_page.notice.split()),
            "published": title_page.published,
            "owner": title_page.owner,
            "annex": [f"document-{doc}" for doc in title_page.annex],
            "openDetails": open_details,
            **chart_print_settings(),
        },
    )


def chapter_pages(pdf_path: Path) -> dict[str, int]:
    """Page number (from 1) of each named destination of the PDF: Chromium writes one for every
    element that a link on the page points at, so the contents page's links give each chapter's page."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    pages = {}
    for name, dest in reader.named_destinations.items():
        try:
            pages[str(name).lstrip("/")] = reader.get_destination_page_number(dest) + 1
        except (KeyError, ValueError, AttributeError):  # pragma: no cover - a destination without a page
            continue
    return pages


def _write_pdf(page, pdf_path: Path) -> None:
    """Chromium's PDF of ``page``: A4, tagged, with an outline and "Page X of Y" in the footer."""
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
        margin={"top": "14mm", "bottom": "16mm", "left": f"{SIDE_MARGIN_MM}mm", "right": f"{SIDE_MARGIN_MM}mm"},
    )


_PDF_DATE = re.compile(rb"\(D:\d{14}[^)]{0,12}\)")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")
_ID_LEAF = re.compile(rb"/Limits \[\(node\d{8}\) \(node\d{8}\)\]\s*/Names \[((?:\(node\d{8}\) \d+ \d+ R ?)+)\]")
_ID_PAIR = re.compile(rb"\(node(\d{8})\) (\d+ \d+ R)")


_OUTLINE_TITLE = re.compile(rb"/Title \(((?:[^()\\]|\\.)*)\)")


def single_titles(data: bytes, headings: list[str]) -> bytes:
    """Outline titles that Chromium wrote twice over ("Key findingsKey findings") written once.

    Skia takes a bookmark's title from the text drawn for the heading's tagged element, and a
    heading that a page break pushed to the top of the next page is drawn twice there (at the
    same place: the page shows it once): its bookmark carries the text twice. Only a title
    that is exactly a heading of the page, twice, is changed; the spaces that take the freed
    room are white space between PDF tokens, so no offset moves.
    """
    known = {" ".join(h.split()) for h in headings}

    def _once(match: re.Match) -> bytes:
        raw = match.group(1)
        half = len(raw) // 2
        if len(raw) % 2 or raw[:half] != raw[half:]:
            return match.group(0)
        try:
            text = raw[:half].decode("latin-1").replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            return match.group(0)
        if " ".join(text.split()) not in known:
            return match.group(0)
        return b"/Title (" + raw[:half] + b")" + b" " * half

    return _OUTLINE_TITLE.sub(_once, data)


def _normalise_pdf(pdf_path: Path, epoch: int, headings: list[str] | None = None) -> None:
    """Make the PDF's bytes repeatable without changing any length (so the xref table holds).

    * bookmarks doubled by Chromium are written once (see single_titles);
    * /CreationDate and /ModDate become SOURCE_DATE_EPOCH;
    * the tagged structure's element IDs ("node<DOM node number>", which vary from run to
      run) are renumbered in order of appearance, and the ID tree is sorted again.
    """
    stamp = b"(D:" + time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode() + b"+00'00')"
    original = pdf_path.read_bytes()
    data = single_titles(original, headings or [])
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
    if fixed != original:
        pdf_path.write_bytes(fixed)
