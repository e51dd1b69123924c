"""The live preview: the HTML book served on this machine, rebuilt when a data or narrative file
is saved, and the page in the browser refreshed.

One process does it all, so everything stays warm: the chapters run in this process (with the
warm-kernel papermill engine when it is available), only the chapters whose inputs changed run
again (the build's chapter cache decides), and Sphinx rebuilds only the pages whose executed
notebook changed. No PDF, no auditor pages, no manifest: `build` makes the finished book. The
preview lives in `<build_root>/preview-<year>/`, apart from the published book.

Each page served gets a small script that asks `/__preview__` every half second for the
build's number, and reloads the page when it changes; when the data have an error, the
script shows the message in a banner (as text) and the last good pages stay.

Only the analyst can read it. The server listens on 127.0.0.1 and answers only requests whose
``Host`` header names this machine (``localhost``, ``127.0.0.1``, ``[::1]``) with the server's
port: a web page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is refused
(421). The build's status and the rebuild endpoint (``POST /__preview__/rebuild``) also need
the server's random token, which only the pages it serves carry (in a request header, which
another site's script cannot send without a CORS preflight this server never grants).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from healthcheck import assets, paths
from healthcheck.data.config import survey_years
from healthcheck.errors import DataError, HealthcheckError
from healthcheck.pipeline import book, staging
from healthcheck.pipeline.execute.chapters import ChapterRun, chapters_from_docs, run_chapters
from healthcheck.pipeline.execute.workers import ENGINE_NAME
from healthcheck.pipeline.progress import Progress

STATUS_PATH = "/__preview__"
REBUILD_PATH = "/__preview__/rebuild"
TOKEN_HEADER = "X-Preview-Token"
#: The names a request to the preview may give in its Host header (with the server's port).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def reload_script(token: str) -> bytes:
    """The script each served page gets (healthcheck/assets/preview-reload.html): it asks
    STATUS_PATH, with the server's `token`, for the build's number and reloads on a new one."""
    return assets.render("preview-reload.html", token=token, status_path=STATUS_PATH).rstrip("\n").encode()


class Preview:
    """One year's HTML book, kept up to date in its own folder."""

    def __init__(self, year: int, data_dir=None, build_root=None, engine: str | None = ENGINE_NAME):
        self.year = int(year)
        self.data_dir = paths.data_dir(data_dir)
        self.data_param = str(self.data_dir) if data_dir is not None else None
        build_root = paths.build_dir(build_root)
        self.folder = build_root / f"preview-{self.year}"
        self.cache_root = build_root / ".cache"
        self.engine = engine
        self.version = 0
        self.error = ""
        self.warnings: list[str] = []  # what the checks last warned about (printed when it changes)
        self.lock = threading.Lock()

    @property
    def html_dir(self) -> Path:
        return self.folder / "html"

    def build(self, log=print) -> float:
        """Bring the preview up to date; returns the seconds it took. A data error keeps the last pages."""
        from healthcheck.analysis.survey import save_preloaded
        from healthcheck.pipeline.stages import disclosure_statement, validate

        start = time.monotonic()
        # Each chapter runs in this process: papermill's per-notebook INFO lines (switched on by
        # the in-process Sphinx's logging set-up) would bury the one line a rebuild prints.
        logging.getLogger("papermill").setLevel(logging.WARNING)
        with self.lock:
            try:
                # The build's validate stage, so the preview finds what `validate` and `build` find.
                survey, warnings = validate(self.data_dir, self.year, final=False)
                if warnings and warnings != self.warnings:  # said once, not again at every save
                    log("\n".join(warnings))
                self.warnings = warnings
                toc = book.expand_toc(book.load_toc(book.TOC_PATH), list(survey.bank.themes))
                chapters = chapters_from_docs(book.documents(toc, book.TOC_PATH), paths.CHAPTERS_DIR)
                self._write_book(survey, toc)
                run = ChapterRun(
                    staging=self.folder,
                    year=self.year,
                    data_dir=self.data_param,
                    year_folders=[y for y in survey_years(self.data_dir) if y <= self.year],
                    epoch=staging.source_date_epoch(),
                    survey_file=self.folder / "survey.pickle",
                    jobs=0,
                    cache_root=self.cache_root,
                    engine=self.engine,
                )
                save_preloaded(survey, run.survey_file, disclosure=disclosure_statement(survey, self.year))
                _, _, failed = run_chapters(chapters, run, Progress([c.name for c in chapters], False))
                if failed:
                    raise HealthcheckError(f"Chapter {failed['name']} failed: {failed['ename']}: {failed['evalue']}")
                self._sphinx(log)
                self.error = ""
            except DataError as exc:
                self.error = exc.report()
            except HealthcheckError as exc:
                self.error = str(exc)
            self.version += 1
        if self.error:
            log(self.error)
        return time.monotonic() - start

    def _write_book(self, survey, toc: dict) -> None:
        """The staged book's configuration, rewritten only when it changed (Sphinx then reuses its pages)."""
        fresh = self.folder / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        made = book.write_book(fresh, survey.settings, self.year, toc, book.CONFIG_PATH, book.BOOK_ASSETS_DIR)
        target = self.folder / "book"
        for source in sorted(p for p in made.rglob("*") if p.is_file()):
            dest = target / source.relative_to(made)
            if not dest.is_file() or dest.read_bytes() != source.read_bytes():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)
        shutil.rmtree(fresh, ignore_errors=True)

    def _sphinx(self, log) -> None:
        """Sphinx in this process: warm imports, and only pages whose notebook changed are rebuilt."""
        from jupyter_book.sphinx import build_sphinx

        source = self.folder / "book"
        # The overrides `jupyter-book build` passes (jupyter_book/cli/main.py) for a book's HTML.
        overrides = {"external_toc_path": (source / "_toc.yml").as_posix(), "latex_individualpages": False}
        result = build_sphinx(
            source,
            self.html_dir,
            noconfig=True,
            path_config=str(source / "_config.yml"),
            confoverrides=overrides,
            doctreedir=self.folder / ".doctrees",
            builder="html",
            really_quiet=True,
        )
        if result:
            raise HealthcheckError(f"Sphinx could not build the preview: {result}")


def allowed_host(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this machine and the preview's port.

    A browser sends the name it was given, so a page of another site whose name was pointed
    at 127.0.0.1 (DNS rebinding) arrives with that site's name and is refused.
    """
    if not host:
        return False
    host = host.strip().lower()
    return any(host == f"{name}:{port}" or (port == 80 and host == name) for name in LOCAL_HOSTS)


class _Handler(SimpleHTTPRequestHandler):
    """Files of the preview, each HTML page with the reload script, and the build's status."""

    preview: Preview
    token: str
    rebuild: object  # called (in a thread) when the page asks for a rebuild

    def _refused(self) -> bool:
        """Refuse (421) a request that does not name this machine and port in its Host header."""
        if allowed_host(self.headers.get("Host"), self.server.server_address[1]):
            return False
        body = b"This preview answers only requests to localhost or 127.0.0.1 on its own port.\n"
        self._send(body, "text/plain; charset=utf-8", status=421)
        return True

    def _token_ok(self) -> bool:
        if secrets.compare_digest(self.headers.get(TOKEN_HEADER, "").encode(), self.token.encode()):
            return True
        self._send(b"The preview's token is missing or wrong.\n", "text/plain; charset=utf-8", status=403)
        return False

    def do_HEAD(self):  # noqa: N802 - the name http.server calls
        if not self._refused():
            super().do_HEAD()

    def do_POST(self):  # noqa: N802 - the name http.server calls
        if self._refused():
            return None
        if self.path.split("?")[0] != REBUILD_PATH:
            return self._send(b"Not found.\n", "text/plain; charset=utf-8", status=404)
        if not self._token_ok():
            return None
        threading.Thread(target=self.rebuild, daemon=True).start()
        return self._send(json.dumps({"version": self.preview.version}).encode(), "application/json", status=202)

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self._refused():
            return None
        if self.path.split("?")[0] == STATUS_PATH:
            if not self._token_ok():
                return None
            body = json.dumps({"version": self.preview.version, "error": self.preview.error}).encode()
            return self._send(body, "application/json")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            script = reload_script(self.token)
            page = path.read_bytes().replace(b"</body>", script + b"</body>", 1)
            return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet: the terminal shows rebuilds, not requests
        pass


def serve(preview: Preview, port: int = 8000, log=print) -> ThreadingHTTPServer:
    """Serve the preview on 127.0.0.1 (this machine only) in a background thread.

    The server's ``token`` attribute is the secret its pages carry for the status and rebuild
    endpoints (a new one each time the preview starts)."""
    token = secrets.token_urlsafe(32)

    def rebuild() -> None:
        seconds = preview.build(log)
        log(f"rebuild asked for by the page: preview {'not updated' if preview.error else 'updated'} in {seconds:.1f} s")

    handler = type("PreviewHandler", (_Handler,), {"preview": preview, "token": token, "rebuild": staticmethod(rebuild)})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(preview.html_dir)))
    server.token = token
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch(preview: Preview, stop_event: threading.Event | None = None, log=print) -> None:
    """Rebuild whenever a file of the data folder, the chapters or the book's assets is saved."""
    import watchfiles

    folders = [preview.data_dir, paths.CHAPTERS_DIR, book.BOOK_ASSETS_DIR]
    for changes in watchfiles.watch(*folders, stop_event=stop_event, debounce=200, step=50):
        # An editor saves through a temporary file that is gone by now: name the files that remain.
        names = ", ".join(sorted({Path(p).name for _, p in changes if Path(p).exists()})) or "a file"
        seconds = preview.build(log)
        log(f"{names} changed: preview {'not updated' if preview.error else 'updated'} in {seconds:.1f} s")
