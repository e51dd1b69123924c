"""Build the report for one year: chapters run with papermill, then Jupyter Book, PDF and exports.

    staging = <build_root>/.staging-<year>-<random>/
        book/            _config.yml (this year's title and author), _toc.yml, _ext/, _static/,
                         chapters/*.ipynb (executed), extra/downloads/ (written by the chapters)
        work/<chapter>/  each kernel's working directory, so stray relative writes land here
        out/             html/, pdf/<report>-<year>.pdf, executed/, notebooks/, build-info.json

``out`` then replaces ``<build_root>/<year>`` in two renames. Until that moment nothing outside
the staging folder changes, so a failed or interrupted build (Ctrl-C, SIGTERM) leaves the
previous build exactly as it was. A chapter that fails is reported as :class:`ChapterFailed`,
and its partly executed notebook is kept in ``<build_root>/failed-<year>/``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from healthcheck import cache, paths
from healthcheck.config import survey_years
from healthcheck.manifest import build_manifest, write_manifest
from healthcheck.pdf import PdfError, TitlePage, print_pdf
from healthcheck.report import write_figure_workbook
from healthcheck.survey import PRELOADED_ENV, load_survey, save_preloaded

CONFIG_PATH = paths.ROOT / "_config.yml"
TOC_PATH = paths.ROOT / "_toc.yml"
BOOK_ASSETS_DIR = paths.ROOT / "book"  # _ext/ and _static/, copied into every staging book
DEFAULT_SOURCE_DATE_EPOCH = 946684800  # 2000-01-01, when the repository has no commit yet
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
INJECTED_TAG = "injected-parameters"
PARAMETERS_TAG = "parameters"
HIDE_TAG = "remove-cell"


class BuildError(RuntimeError):
    """The build could not be completed; the message says which step failed and why."""

    user_facing = True  # the CLI prints the message alone, without a traceback


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by SIGTERM (handled like Ctrl-C: staging removed, old build kept)."""


class ChapterFailed(BuildError):
    """A cell of a chapter notebook raised an error.

    ``cell_index`` counts the cells of the chapter's own notebook from 0 (as nbformat and
    papermill do), not counting the parameters cell that papermill injects.
    """

    def __init__(self, chapter, cell_index, cell_source, ename, evalue, partial_notebook_path, traceback=""):
        self.chapter = chapter
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.ename = ename
        self.evalue = evalue
        self.partial_notebook_path = Path(partial_notebook_path) if partial_notebook_path else None
        self.traceback = traceback
        super().__init__(chapter, cell_index, cell_source, ename, evalue, partial_notebook_path)

    def __str__(self):
        text = (
            f"Chapter {self.chapter} failed at cell {self.cell_index}:\n"
            f"{self.cell_source.rstrip()}\n"
            f"Error: {self.ename}: {self.evalue}"
        )
        if self.partial_notebook_path:
            text += f"\nThe partly executed notebook is kept at {self.partial_notebook_path}"
        return text


@dataclass
class BuildResult:
    year: int
    html_index: Path
    pdf_path: Path
    executed_dir: Path
    chapter_seconds: dict[str, float]
    warnings: list[str]
    out_dir: Path
    up_to_date: bool = False  # True when nothing changed and the previous build was kept


#: The notebook that stands for the theme chapters in _toc.yml: it runs once per theme.
THEME_CHAPTER = "theme"


@dataclass
class Chapter:
    name: str  # "introduction", or "theme-wellbeing" for a theme chapter
    docname: str  # as in the staged _toc.yml: "chapters/introduction", "chapters/theme-wellbeing"
    source: Path  # the notebook run: chapters/introduction.ipynb, chapters/theme.ipynb
    parameters_index: int = field(default=-1)  # position of the cell tagged `parameters`
    parameters: dict = field(default_factory=dict)  # papermill parameters besides year and data_dir


# ----------------------------------------------------------------------------- inputs


def read_toc(toc_path: Path, themes: list[str] | None = None) -> list[str]:
    """The documents of a Jupyter Book 1 table of contents, root first, in reading order.

    With `themes`, the `chapters/theme` entry stands for one document per theme
    (`chapters/theme-<code>`), in the given order.
    """
    return _documents(expand_toc(_load_toc(toc_path), themes or []), toc_path)


def _load_toc(toc_path: Path) -> dict:
    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8")) or {}
    if toc.get("format") != "jb-book" or not toc.get("root"):
        raise BuildError(f"{toc_path}: expected `format: jb-book` and a `root` document")
    return toc


def expand_toc(toc: dict, themes: list[str]) -> dict:
    """The table of contents with the theme placeholder replaced by one entry per theme."""

    def expand(entries):
        out = []
        for entry in entries or []:
            entry = dict(entry)
            if _docname(entry.get("file", "")).rsplit("/", 1)[-1] == THEME_CHAPTER:
                folder = _docname(entry["file"]).rpartition("/")[0]
                prefix = f"{folder}/" if folder else ""
                out += [{"file": f"{prefix}{THEME_CHAPTER}-{code}"} for code in themes]
                continue
            for key in ("chapters", "sections"):
                if key in entry:
                    entry[key] = expand(entry[key])
            out.append(entry)
        return out

    expanded = dict(toc)
    for key in ("parts", "chapters", "sections"):
        if key in expanded:
            if key == "parts":
                expanded[key] = [dict(part, chapters=expand(part.get("chapters"))) for part in expanded[key]]
            else:
                expanded[key] = expand(expanded[key])
    return expanded


def _documents(toc: dict, toc_path: Path) -> list[str]:
    docs = [_docname(toc["root"])]

    def walk(entries):
        for entry in entries or []:
            if "glob" in entry:
                raise BuildError(f"{toc_path}: `glob` entries are not supported; list each chapter")
            if "file" in entry:
                docs.append(_docname(entry["file"]))
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    if len(set(docs)) != len(docs):
        raise BuildError(f"{toc_path}: a document is listed twice")
    return docs


def _docname(entry: str) -> str:
    entry = str(entry).strip().lstrip("./")
    return entry[: -len(".ipynb")] if entry.endswith(".ipynb") else entry


def _chapters(docnames: list[str], chapters_dir: Path) -> list[Chapter]:
    import nbformat

    chapters, names = [], set()
    for doc in docnames:
        name = doc.rsplit("/", 1)[-1]
        if name in names:
            raise BuildError(f"Two chapters are called {name}")
        names.add(name)
        notebook, parameters = name, {}
        if name.startswith(f"{THEME_CHAPTER}-"):
            notebook, parameters = THEME_CHAPTER, {"theme": name[len(THEME_CHAPTER) + 1 :]}
        source = chapters_dir / f"{notebook}.ipynb"
        if not source.is_file():
            raise BuildError(f"Chapter {name} is in the table of contents but {source} does not exist")
        nb = nbformat.read(source, as_version=4)
        tagged = [i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
        if len(tagged) != 1:
            raise BuildError(f"Chapter {name} ({source}) needs exactly one cell tagged `parameters`")
        chapters.append(Chapter(name=name, docname=doc, source=source, parameters_index=tagged[0], parameters=parameters))
    return chapters


def source_date_epoch() -> str:
    """$SOURCE_DATE_EPOCH, else the time of the latest git commit, else 2000-01-01."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return os.environ["SOURCE_DATE_EPOCH"].strip()
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out if out.isdigit() else str(DEFAULT_SOURCE_DATE_EPOCH)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def _fingerprint(year, data_dir, chapters, toc_path, config_path, assets_dir, epoch, strict) -> str:
    """A hash of everything the output depends on, to skip a build when nothing changed."""
    digest = hashlib.sha256()
    # The package code, pinned requirements and Python version: the same hash chapters are reused by.
    digest.update(json.dumps([year, str(data_dir), epoch, strict, cache.code_and_environment_hash()]).encode())
    files = [toc_path, config_path] + [c.source for c in chapters]
    for folder in (assets_dir, Path(data_dir)):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- chapters (workers)

_START_QUEUE = None  # set in each worker process: tells the main process a chapter has started


def _worker_init(env: dict, start_queue) -> None:
    global _START_QUEUE
    _START_QUEUE = start_queue
    os.environ.update(env)
    # SIGTERM from the main process (build aborted): leave papermill through an exception.
    signal.signal(signal.SIGTERM, _raise_system_exit)


def _raise_system_exit(signum, frame):
    raise SystemExit(128 + signum)


def _kernel_failed_to_start(err: BaseException) -> bool:
    """Errors worth one retry: the kernel died or never answered (e.g. a port collision)."""
    if type(err).__module__.startswith("zmq"):
        return True
    return isinstance(err, (RuntimeError, TimeoutError, ConnectionError)) or "kernel" in str(err).lower()


def _run_chapter(job: dict) -> dict:
    """Run one chapter with papermill (in a worker process). Returns a plain dict, never raises."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    name = job["name"]
    if _START_QUEUE is not None:
        _START_QUEUE.put(name)
    # The kernel inherits this environment: it records the input files the chapter reads.
    os.environ[cache.READS_ENV] = job["reads_file"]
    # The kernel inherits this process's stderr; its log lines (connection warnings and the
    # like) go to a file beside the chapter's working folder rather than the terminal.
    kernel_log = Path(job["cwd"]) / "kernel-stderr.log"
    with open(kernel_log, "ab") as log_file:
        os.dup2(log_file.fileno(), 2)
    start = time.monotonic()
    notes: list[str] = []
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                job["source"],
                job["output"],
                parameters=job["parameters"],
                kernel_name="python3",
                language="python",
                cwd=job["cwd"],
                progress_bar=False,
                log_output=False,
                start_timeout=120,
            )
            break
        except PapermillExecutionError as err:
            return {
                "name": name,
                "status": "failed",
                "seconds": time.monotonic() - start,
                "cell_index": err.cell_index,
                "source": err.source,
                "ename": err.ename,
                "evalue": err.evalue,
                "traceback": ANSI.sub("", "\n".join(err.traceback or [])),
            }
        except Exception as err:  # noqa: BLE001 - reported to the main process
            if attempt == 1 and _kernel_failed_to_start(err):
                notes.append(f"{name}: the kernel failed ({type(err).__name__}: {err}); the chapter was run again")
                continue
            log_tail = "\n".join(kernel_log.read_text(errors="replace").splitlines()[-20:])
            return {
                "name": name,
                "status": "error",
                "seconds": time.monotonic() - start,
                "message": f"{type(err).__name__}: {err}",
                "traceback": traceback.format_exc() + (f"\nKernel log (last lines):\n{log_tail}" if log_tail else ""),
            }
    notes += _tidy_executed(Path(job["output"]), job["path_map"], name)
    return {"name": name, "status": "ok", "seconds": time.monotonic() - start, "warnings": notes}


def _tidy_executed(path: Path, path_map: list[tuple[str, str]], name: str) -> list[str]:
    """Hide the parameters cells, drop run timestamps, replace staging paths; list stderr output."""
    import nbformat

    text = path.read_text(encoding="utf-8")
    for old, new in path_map:
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    nb = nbformat.reads(text, as_version=4)
    # Run times and timestamps change on every run; build-info.json keeps each chapter's time.
    for key in ("start_time", "end_time", "duration"):
        nb.metadata.get("papermill", {}).pop(key, None)
    warnings = []
    for index, cell in enumerate(nb.cells):
        cell.setdefault("metadata", {}).pop("execution", None)
        cell["metadata"].pop("papermill", None)
        tags = cell["metadata"].setdefault("tags", [])
        if INJECTED_TAG in tags:
            cell["id"] = INJECTED_TAG  # papermill gives it a random id on every run
        if (INJECTED_TAG in tags or PARAMETERS_TAG in tags) and HIDE_TAG not in tags:
            tags.append(HIDE_TAG)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                first = next((line for line in output.get("text", "").splitlines() if line.strip()), "")
                warnings.append(f"{name}: cell {index} wrote to stderr: {first.strip()[:200]}")
    nbformat.write(nb, str(path))
    return warnings


# ----------------------------------------------------------------------------- progress


class _Progress:
    """One line per chapter (rich, on a terminal) or plain log lines; silent when disabled."""

    def __init__(self, names: list[str], enabled: bool):
        self.enabled = enabled
        self.names = names
        self.state = dict.fromkeys(names, "queued")
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.live = None
        if enabled and sys.stdout.isatty():
            from rich.console import Console
            from rich.live import Live

            self.live = Live(self._render(), console=Console(), refresh_per_second=4, transient=False)

    def __enter__(self):
        if self.live:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.update(self._render())
            self.live.stop()
            self.live = None

    def _render(self):
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        styles = {"queued": "dim", "running": "yellow", "done": "green", "reused": "cyan", "failed": "bold red"}
        for name in self.names:
            state = self.state[name]
            if name in self.seconds:
                secs = f"{self.seconds[name]:.1f} s"
            elif name in self.started:
                secs = f"{time.monotonic() - self.started[name]:.0f} s"
            else:
                secs = ""
            table.add_row(name, f"[{styles[state]}]{state}[/]", secs)
        return table

    def set(self, name: str, state: str, seconds: float | None = None):
        self.state[name] = state
        if state == "running":
            self.started.setdefault(name, time.monotonic())
        if seconds is not None:
            self.seconds[name] = seconds
        if self.live:
            self.live.update(self._render())
        elif self.enabled:
            tail = f" in {seconds:.1f} s" if seconds is not None and state != "reused" else ""
            if state == "reused":
                tail = " (unchanged since the last build)"
            print(f"[healthcheck] {name}: {state}{tail}", flush=True)

    def refresh(self):
        if self.live:
            self.live.update(self._render())

    def log(self, message: str):
        if self.live:
            self.live.console.print(message, markup=False, highlight=False)
        elif self.enabled:
            print(f"[healthcheck] {message}", flush=True)


# ----------------------------------------------------------------------------- steps


def _kernel_env(staging: Path, epoch: str) -> dict:
    bin_dir = str(Path(sys.executable).parent)  # the venv's bin: `python` in the kernelspec is ours
    return {
        "SOURCE_DATE_EPOCH": epoch,
        "PYTHONHASHSEED": "0",
        # Agg underneath, headless and deterministic; unlike plain "Agg" it still lets
        # notebooks display and glue figures (with "Agg" figures have no image/png output).
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        # a fresh IPython profile: no startup scripts or history from the user's ~/.ipython
        "IPYTHONDIR": str(staging / "work" / ".ipython"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        PRELOADED_ENV: str(staging / "survey.pickle"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }


def _run_chapters(
    chapters, staging, year, data_dir_param, jobs, progress, cache_root=None, force=False
) -> tuple[dict, list, dict | None]:
    """Run the chapters in parallel, reusing unchanged ones from the cache.

    Each chapter writes its figure files into its own folder, merged into the book's
    downloads afterwards, so that a reused chapter brings exactly its own files. Returns
    (seconds, warnings, failure) where failure is the first failed chapter's result dict
    (others are cancelled) or None.
    """
    book = staging / "book"
    downloads = book / "extra" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    shared_key = cache.code_and_environment_hash()
    year_folders = [y for y in survey_years(paths.data_dir(data_dir_param)) if y <= year]
    jobs_list, reused = [], {}
    for ch in chapters:
        cwd = staging / "work" / ch.name
        cwd.mkdir(parents=True, exist_ok=True)
        own_downloads = staging / "downloads" / ch.name
        own_downloads.mkdir(parents=True, exist_ok=True)
        output = book / f"{ch.docname}.ipynb"
        output.parent.mkdir(parents=True, exist_ok=True)
        parameters = {"year": year, "data_dir": data_dir_param, **ch.parameters}
        key = cache.static_key(ch.source, parameters, shared_key)
        hit = None if (force or cache_root is None) else cache.lookup(cache_root, year, ch.name, key, year_folders)
        if hit is not None:
            shutil.copy2(hit / "executed.ipynb", output)
            for item in (hit / "downloads").iterdir():
                shutil.copy2(item, own_downloads / item.name)
            reused[ch.name] = True
            continue
        # Executed notebooks keep no trace of the random staging folder: the downloads are
        # published in html/downloads of the build, and other staging paths become "staging".
        jobs_list.append(
            {
                "name": ch.name,
                "source": str(ch.source),
                "output": str(output),
                "cwd": str(cwd),
                "parameters": {**parameters, "downloads_dir": str(own_downloads)},
                "path_map": [(str(own_downloads), "html/downloads"), (str(staging), "staging")],
                "reads_file": str(cwd / "reads.txt"),
                "key": key,
            }
        )

    seconds: dict[str, float] = {}
    warnings: list[str] = []
    failure = None
    for name in reused:
        progress.set(name, "reused", 0.0)
    if jobs_list:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process that has threads (rich)
        start_queue = ctx.Queue()
        env = _kernel_env(staging, os.environ["SOURCE_DATE_EPOCH"])
        workers = max(1, min(jobs or os.cpu_count() or 1, len(jobs_list)))
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(env, start_queue))
        clean_exit = False
        try:
            pending = {executor.submit(_run_chapter, job) for job in jobs_list}
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                _drain(start_queue, progress)
                for future in done:
                    try:
                        res = future.result()
                    except BrokenProcessPool as exc:
                        raise BuildError(
                            "A process running a chapter died unexpectedly (out of memory?). Try again with fewer parallel jobs."
                        ) from exc
                    name = res["name"]
                    seconds[name] = round(res["seconds"], 2)
                    if res["status"] == "ok":
                        warnings += res["warnings"]
                        progress.set(name, "done", res["seconds"])
                        continue
                    progress.set(name, "failed", res["seconds"])
                    if res["status"] == "error":
                        raise BuildError(f"Chapter {name} could not be run: {res['message']}\n{res['traceback']}")
                    failure = res
                    break
                if failure:
                    break
                progress.refresh()
            clean_exit = failure is None
        finally:
            _stop_pool(executor, kill=not clean_exit)
            start_queue.close()
    if failure is None:
        for job in jobs_list:
            if cache_root is not None:
                cache.store(
                    cache_root,
                    year,
                    job["name"],
                    key=job["key"],
                    year_folders=year_folders,
                    executed=Path(job["output"]),
                    downloads=staging / "downloads" / job["name"],
                    reads=cache.reads_of(Path(job["reads_file"])),
                )
        for ch in chapters:
            for item in sorted((staging / "downloads" / ch.name).iterdir()):
                shutil.copy2(item, downloads / item.name)
    order = [c.name for c in chapters]
    seconds = {name: (0.0 if name in reused else seconds[name]) for name in order if name in seconds or name in reused}
    return seconds, warnings, failure


def _drain(start_queue, progress):
    while True:
        try:
            name = start_queue.get_nowait()
        except Exception:  # noqa: BLE001 - queue.Empty (or closed)
            return
        progress.set(name, "running")


def _stop_pool(executor: ProcessPoolExecutor, kill: bool) -> None:
    if kill:
        processes = list(getattr(executor, "_processes", {}).values())  # no public way to stop workers
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: papermill stops; the kernel exits when its parent does
        deadline = time.monotonic() + 10
        for proc in processes:
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(2)
    executor.shutdown(wait=True, cancel_futures=True)


def _keep_failed(res: dict, chapter: Chapter, staging: Path, failed_dir: Path) -> ChapterFailed:
    if failed_dir.exists():
        shutil.rmtree(failed_dir)
    failed_dir.mkdir(parents=True)
    partial = staging / "book" / f"{chapter.docname}.ipynb"
    kept = failed_dir / f"{chapter.name}.ipynb"
    if partial.is_file():
        shutil.copy2(partial, kept)
    else:
        kept = None
    # papermill counts its injected cell, which sits right after the `parameters` cell
    index = res["cell_index"]
    if index > chapter.parameters_index + 1:
        index -= 1
    return ChapterFailed(chapter.name, index, res["source"], res["ename"], res["evalue"], kept, res["traceback"])


def _jupyter_book_command() -> list[str]:
    script = Path(sys.executable).parent / "jupyter-book"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]


def _start_jupyter_book(book: Path, builder: str, epoch: str, strict: bool, output: Path) -> dict:
    """Start `jupyter-book build` in the background, writing under `output`/_build/<builder>.

    Each builder gets its own output folder (and so its own doctrees), so that two builders
    can run at the same time.
    """
    cmd = _jupyter_book_command() + ["build", str(book), "--builder", builder, "--path-output", str(output)]
    if strict:
        cmd += ["--warningiserror", "--keep-going"]
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch, PYTHONHASHSEED="0", NO_COLOR="1", TERM="dumb")
    output.mkdir(parents=True, exist_ok=True)
    log = open(output / f"jupyter-book-{builder}.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed in _finish
    proc = subprocess.Popen(cmd, cwd=book, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    return {"proc": proc, "log": log, "builder": builder, "book": book}


def _finish_jupyter_book(job: dict) -> list[str]:
    """Wait for a started jupyter-book build; its warnings, or BuildError with the output's tail."""
    proc, log, builder, book = job["proc"], job["log"], job["builder"], job["book"]
    proc.wait()
    log.seek(0)
    output = ANSI.sub("", log.read())
    log.close()
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-40:])
        raise BuildError(f"jupyter-book build --builder {builder} failed (exit code {proc.returncode}):\n{tail}")
    warnings = []
    for line in output.splitlines():
        if "WARNING" in line or "ERROR" in line:
            warnings.append(f"{builder}: {line.strip().replace(str(book) + os.sep, '')}")
    return warnings


def _export_chapters(chapters, book: Path, out: Path) -> list[str]:
    """Copy the executed chapters to executed/ and export each as a standalone HTML page."""
    warnings = []
    (out / "executed").mkdir()
    for ch in chapters:
        executed = out / "executed" / f"{ch.name}.ipynb"
        shutil.copy2(book / f"{ch.docname}.ipynb", executed)
        warnings += export_notebook_html(executed, out / "notebooks" / f"{ch.name}.html")
    return warnings


def _stop_jupyter_book(job: dict | None) -> None:
    """Stop a background jupyter-book build that is no longer wanted (the build failed)."""
    if job and job["proc"].poll() is None:
        job["proc"].kill()
        job["proc"].wait()
    if job:
        job["log"].close()


_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- nbconvert's lab template without anything fetched from a CDN (require.js, MathJax,
    Mermaid, widgets): the exported notebooks must open offline. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_notebook_html(notebook: Path, html_path: Path) -> list[str]:
    """An executed chapter as one standalone HTML page, code shown, for auditors (no CDN).

    Returns nbconvert's warnings (e.g. images without alternative text)."""
    import logging

    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"healthcheck_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="healthcheck_offline.html.j2",
        mathjax_url="",
        require_js_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
        jupyter_widgets_base_url="",
        embed_images=True,
    )
    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record):
            records.append(f"notebooks/{html_path.name}: {record.getMessage()}")

    logger = logging.getLogger("healthcheck.nbconvert")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    handler = _Collect()
    logger.addHandler(handler)
    exporter.log = logger
    try:
        nb = nbformat.read(notebook, as_version=4)
        _show_glued_values(nb)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    finally:
        logger.removeHandler(handler)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return records


GLUE_PREFIX = "application/papermill.record/"


def _show_glued_values(nb) -> None:
    """Values saved with myst_nb.glue are stored under a papermill mime type that nbconvert
    cannot show; give them their plain type so auditors see each value where it was made."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if any(key.startswith(GLUE_PREFIX) for key in data):
                output["data"] = {key.removeprefix(GLUE_PREFIX): value for key, value in data.items()}


def _write_book(staging, settings, year, toc: dict, config_path, assets_dir) -> Path:
    book = staging / "book"
    book.mkdir(parents=True)
    if assets_dir.is_dir():
        for item in assets_dir.iterdir():
            if item.name in ("_config.yml", "_toc.yml", "chapters", "extra", "_build"):
                continue
            if item.is_dir():
                shutil.copytree(item, book / item.name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(item, book / item.name)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    organisation = settings.organisation.strip()
    config["title"] = f"{settings.report_title.strip()} {year}"
    config["author"] = organisation
    # No year here: Sphinx rewrites the current year to the SOURCE_DATE_EPOCH year.
    config["copyright"] = organisation
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (book / "chapters").mkdir(exist_ok=True)
    return book


def _clean_stale(build_root: Path, year: int) -> None:
    """Remove what killed builds left behind: old outputs mid-swap, staging of dead processes."""
    for old in build_root.glob(f".old-{year}-*"):
        shutil.rmtree(old, ignore_errors=True)
    for staging in build_root.glob(f".staging-{year}-*"):
        try:
            pid = int((staging / ".pid").read_text().strip())
            os.kill(pid, 0)
            alive = True
        except (OSError, ValueError):
            alive = False
        if not alive:
            shutil.rmtree(staging, ignore_errors=True)


def _swap_into_place(out: Path, final: Path, year: int) -> None:
    """Replace ``final`` by ``out`` with two renames; Ctrl-C/SIGTERM wait until both are done."""
    old = None
    blockable = threading.current_thread() is threading.main_thread()
    if blockable:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        if final.exists():
            old = final.parent / f".old-{year}-{secrets.token_hex(4)}"
            os.rename(final, old)
        try:
            os.rename(out, final)
        except BaseException:
            if old is not None:
                os.rename(old, final)
            raise
    finally:
        if blockable:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _result_from_info(final: Path, info: dict, up_to_date: bool) -> BuildResult:
    return BuildResult(
        year=info["year"],
        html_index=final / "html" / "index.html",
        pdf_path=final / "pdf" / info["pdf"],
        executed_dir=final / "executed",
        chapter_seconds=dict(info["chapter_seconds"]),
        warnings=list(info["warnings"]),
        out_dir=final,
        up_to_date=up_to_date,
    )


# ----------------------------------------------------------------------------- the build


def build_book(
    year: int,
    data_dir=None,
    build_root=None,
    chapters_dir=None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    toc_path=None,
    strict: bool = False,
    final: bool = False,
) -> BuildResult:
    """Build the report for ``year`` into ``<build_root>/<year>`` (html/, pdf/, executed/, notebooks/).

    data_dir, build_root: folders (defaults from healthcheck.paths); chapters_dir: where the
    chapter notebooks named in the table of contents are (default chapters/); toc_path: the
    table of contents (default _toc.yml); jobs: chapters run at once (default: CPU count);
    force: rebuild even when nothing changed since the last build; strict: Sphinx warnings are
    errors. Raises ChapterFailed, BuildError, PdfError or BuildInterrupted (SIGTERM); the
    previous build stays untouched whenever an exception is raised.
    """
    year = int(year)
    data_path = paths.data_dir(data_dir)
    build_root = paths.build_dir(build_root)
    chapters_dir = Path(chapters_dir).resolve() if chapters_dir else paths.CHAPTERS_DIR
    toc_path = Path(toc_path).resolve() if toc_path else TOC_PATH
    config_path, assets_dir = CONFIG_PATH, BOOK_ASSETS_DIR

    # Refuse invalid data before anything is staged: DataError carries the full report.
    survey = load_survey(data_path, year)
    data_warnings = [str(p) for p in survey.years[year].warnings] + _reconciliation_warnings(survey, year)
    figures = survey.figures(year)
    data_warnings += [
        f"{year} {r.question_id} ({r.short}): fewer than {survey.threshold} valid responses, so no figure is shown"
        for r in figures[figures["suppressed"].astype(bool)].itertuples()
    ]
    data_warnings += _narrative_warnings(survey, year, final)
    settings = survey.settings  # validated with the data (healthcheck.config.Settings)
    themes = list(survey.bank.themes)
    toc = expand_toc(_load_toc(toc_path), themes)
    chapters = _chapters(_documents(toc, toc_path), chapters_dir)
    epoch = source_date_epoch()
    final = build_root / str(year)
    fingerprint = _fingerprint(year, data_path, chapters, toc_path, config_path, assets_dir, epoch, strict)
    info_path = final / "build-info.json"
    if not force and info_path.is_file():
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            cached = _result_from_info(final, info, up_to_date=True)
            if info.get("fingerprint") == fingerprint and cached.html_index.is_file() and cached.pdf_path.is_file():
                if progress:
                    print(
                        f"[healthcheck] {year}: nothing changed since the last build ({final}); use --force to rebuild",
                        flush=True,
                    )
                return cached
        except (ValueError, KeyError, TypeError):
            pass

    build_root.mkdir(parents=True, exist_ok=True)
    _clean_stale(build_root, year)
    staging = build_root / f".staging-{year}-{secrets.token_hex(4)}"
    staging.mkdir()
    (staging / ".pid").write_text(str(os.getpid()))

    previous_handler = None
    if threading.current_thread() is threading.main_thread():

        def _on_sigterm(signum, frame):
            raise BuildInterrupted("the build was stopped (SIGTERM)")

        previous_handler = signal.signal(signal.SIGTERM, _on_sigterm)
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    html_job = None
    background = ThreadPoolExecutor(max_workers=1)
    os.environ["SOURCE_DATE_EPOCH"] = epoch  # also read by Sphinx and by the PDF date fix
    try:
        book = _write_book(staging, settings, year, toc, config_path, assets_dir)
        save_preloaded(survey, staging / "survey.pickle")
        names = [c.name for c in chapters]
        with _Progress(names, progress) as prog:
            prog.log(f"{year}: running {len(chapters)} chapters")
            seconds, warnings, failure = _run_chapters(
                chapters,
                staging,
                year,
                str(data_path) if data_dir is not None else None,
                jobs,
                prog,
                cache_root=build_root / ".cache",
                force=force,
            )
        if failure:
            chapter = next(c for c in chapters if c.name == failure["name"])
            raise _keep_failed(failure, chapter, staging, build_root / f"failed-{year}")

        log = _Progress([], progress).log
        warnings = data_warnings + warnings
        downloads = book / "extra" / "downloads"
        if downloads.is_dir():
            write_figure_workbook(downloads, year)
        # The HTML pages build in the background while the single page is built, printed to
        # PDF and the notebooks are exported: on two cores this overlaps a third of the work.
        log("building the HTML pages (jupyter-book, in the background)")
        html_job = _start_jupyter_book(book, "html", epoch, strict, staging / "html-build")
        # The auditors' copies of the executed chapters are made in a thread meanwhile: the main
        # thread mostly waits for the single-page build and for Chromium.
        log("exporting the executed notebooks (in the background)")
        out = staging / "out"
        out.mkdir()
        exports = background.submit(_export_chapters, chapters, book, out)
        log("building the single-page HTML for the PDF")
        warnings += _finish_jupyter_book(_start_jupyter_book(book, "singlehtml", epoch, strict, staging / "single-build"))

        # Sphinx writes the single page where the root document lives (chapters/...) but
        # makes its links relative to the top of the build; at the top they resolve.
        single = staging / "single-build" / "_build" / "singlehtml"
        printable = single / "report-print.html"
        shutil.copy2(single / f"{chapters[0].docname}.html", printable)
        pdf_name = f"{_slug(settings.report_title)}-{year}.pdf"
        log("printing the PDF (Chromium)")
        warnings += print_pdf(
            printable,
            out / "pdf" / pdf_name,
            TitlePage(
                organisation=settings.organisation.strip(),
                title=settings.report_title.strip(),
                year=year,
                service=settings.service.strip(),
                notice=settings.demonstration_notice.strip(),
            ),
        )

        warnings += exports.result()
        warnings += _finish_jupyter_book(html_job)
        shutil.move(str(staging / "html-build" / "_build" / "html"), str(out / "html"))

        parameters = {
            "year": year,
            "data_dir": str(data_path) if data_dir is not None else None,
            "downloads_dir": "html/downloads",
        }
        write_manifest(
            out / "manifest.json",
            build_manifest(
                year=year,
                data_dir=data_path,
                out_dir=out,
                pdf_path=out / "pdf" / pdf_name,
                chapters={c.name: {**parameters, **c.parameters} for c in chapters},
                survey=survey,
            ),
        )
        info = {
            "year": year,
            "fingerprint": fingerprint,
            "pdf": pdf_name,
            "chapters": names,
            "chapter_seconds": seconds,
            "warnings": warnings,
            "source_date_epoch": int(epoch),
        }
        (out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(out, final, year)
        shutil.rmtree(build_root / f"failed-{year}", ignore_errors=True)
        log(f"{year}: done; HTML {final / 'html' / 'index.html'}; PDF {final / 'pdf' / pdf_name}")
        return _result_from_info(final, info, up_to_date=False)
    finally:
        background.shutdown(wait=True, cancel_futures=True)
        _stop_jupyter_book(html_job)
        shutil.rmtree(staging, ignore_errors=True)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)


def _narrative_warnings(survey, year: int, final: bool) -> list[str]:
    """Narrative errors refuse the build; a draft (missing or unfinished narrative) is a warning,
    or, for a final build, a refusal that lists what is left to write."""
    from healthcheck.present import references
    from healthcheck.problems import DataError

    problems = references.problems(survey, year)
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    todo = references.unfinished(survey.data_dir, year, survey.bank.themes)
    if todo and final:
        raise BuildError(
            f"A final build of {year} needs every narrative written; still to do:\n  "
            + "\n  ".join(todo)
            + "\nWrite them (or build without --final for a draft, marked as such on its pages)."
        )
    return [str(p) for p in problems] + [f"draft: {line}" for line in todo]


def _reconciliation_warnings(survey, year: int) -> list[str]:
    """Published figures that the data do not reproduce; an error when the settings say `fail`."""
    table = survey.reconciliation(year)
    differ = table[~table["matches"]]
    messages = [
        f"{year} {r.question_id} ({r.short}): computed {r.computed:.1f}% but {r.published:g}% was published"
        for r in differ.itertuples()
    ]
    if messages and survey.settings.reconciliation == "fail":
        raise BuildError(
            "The computed figures do not match the published ones (settings.yml says reconciliation: fail):\n  "
            + "\n  ".join(messages)
        )
    return messages


def summary(result: BuildResult) -> str:
    """What the CLI prints after a build: where the HTML and PDF are, chapter times, warnings."""
    lines = []
    if result.up_to_date:
        lines.append(f"Nothing changed since the last build of {result.year} (use --force to rebuild).")
    else:
        lines.append(f"Built the {result.year} report in {result.out_dir}")
    lines.append(f"  HTML: {result.html_index}")
    lines.append(f"  PDF:  {result.pdf_path}")
    lines.append(f"  Manifest: {result.out_dir / 'manifest.json'}")
    lines.append(f"  Executed notebooks: {result.executed_dir}")
    if result.chapter_seconds and not result.up_to_date:
        times = ", ".join(f"{name} {secs:.1f}s" for name, secs in result.chapter_seconds.items())
        lines.append(f"  Chapter run times: {times}")
    if result.warnings:
        lines.append(f"  {len(result.warnings)} warning(s):")
        lines += [f"    - {w}" for w in result.warnings]
    return "\n".join(lines)


__all__ = [
    "BuildError",
    "BuildInterrupted",
    "BuildResult",
    "ChapterFailed",
    "PdfError",
    "build_book",
    "export_notebook_html",
    "read_toc",
    "summary",
]
