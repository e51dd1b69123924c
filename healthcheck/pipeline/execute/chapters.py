"""The chapters of a build: which notebooks run with which parameters, which can be reused from
the cache, and running the rest in parallel worker processes.

Each chapter gets everything as papermill parameters: the year and data folder, its theme
(for the theme notebook), where to write its figure files, where to list the input files it
reads (for the cache) and the survey the build already loaded. Those parameters are declared
once, in `pipeline.parameters`: what papermill passes is built from the declaration
(`papermill_parameters`), and every notebook's `parameters` cell is checked against it before
anything runs (`check_parameters_cell`), so a chapter cannot silently ignore a parameter or
read one the build never sets.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from healthcheck import environment, paths
from healthcheck.errors import BuildError, ChapterFailed
from healthcheck.pipeline.book import THEME_CHAPTER
from healthcheck.pipeline.execute import cache, workers
from healthcheck.pipeline.parameters import (
    COUNCIL_PARAMETERS,
    ChapterParameter,
    check_parameters_cell,
    declared_parameters,
    papermill_parameters,
)


@dataclass
class BookChapter:
    """One chapter of the book: a notebook run with its own parameters."""

    name: str  # "introduction", or "theme-wellbeing" for a theme chapter
    docname: str  # as in the staged _toc.yml: "chapters/introduction", "chapters/theme-wellbeing"
    source: Path  # the notebook run: chapters/introduction.ipynb, chapters/theme.ipynb
    parameters_index: int = -1  # position of the cell tagged `parameters`
    parameters: dict = field(default_factory=dict)  # papermill parameters besides the build's own
    declared: tuple[ChapterParameter, ...] = COUNCIL_PARAMETERS  # what its parameters cell declares


@dataclass
class ChapterRun:
    """What one build asks of its chapters."""

    staging: Path
    year: int
    data_dir: str | None  # as given: None means the repository's data/ (kept out of manifests)
    year_folders: list[int]  # the survey years up to this one: a new or removed year re-runs everything
    epoch: str
    survey_file: Path
    jobs: int | None = None  # chapters at once (default: cores); 0: one by one in this process
    cache_root: Path | None = None
    force: bool = False
    engine: str | None = None  # papermill engine; None is papermill's own
    extra: dict = field(default_factory=dict)  # further parameters for every chapter (benchmark_file)
    pool: ChapterPool | None = None  # workers started earlier (default: started when the chapters run)

    def __post_init__(self):
        # To a chapter, None is the repository's data/: it cannot see $HEALTHCHECK_DATA_DIR
        # (workers.NOT_FOR_CHAPTERS), so a folder the build found through it is passed as itself.
        if self.data_dir is None and os.environ.get("HEALTHCHECK_DATA_DIR"):
            self.data_dir = str(paths.data_dir(None))

    def parameters(self, chapter: BookChapter) -> dict:
        """The parameters that decide the chapter's output (the cache key, and the manifest)."""
        return {"year": self.year, "data_dir": self.data_dir, **self.extra, **chapter.parameters}


def chapters_from_docs(
    docnames: list[str], chapters_dir: Path, book_parameters: tuple[ChapterParameter, ...] = COUNCIL_PARAMETERS
) -> list[BookChapter]:
    """The chapters of the staged table of contents: `chapters/theme-<code>` runs the theme notebook.

    Each notebook's `parameters` cell is checked against ``book_parameters`` (the council's
    chapters', or :data:`NATIONAL_PARAMETERS`): a BuildError names the notebook and parameter."""
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
        tagged = [i for i, c in enumerate(nb.cells) if workers.PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
        if len(tagged) != 1:
            raise BuildError(f"Chapter {name} ({source}) needs exactly one cell tagged `parameters`")
        declared = declared_parameters(notebook, book_parameters)
        check_parameters_cell(source, declared, name)
        chapters.append(BookChapter(name, doc, source, tagged[0], parameters, declared))
    return chapters


def run_chapters(chapters: list[BookChapter], run: ChapterRun, progress) -> tuple[dict, list, dict | None]:
    """Run the chapters in parallel, reusing unchanged ones from the cache.

    Each chapter writes its figure files into its own folder, merged into the book's downloads
    afterwards, so that a reused chapter brings exactly its own files. Returns (seconds,
    warnings, failure): failure is the first failed chapter's result (others are cancelled).
    """
    jobs, reused = _plan(chapters, run)
    for name in reused:
        progress.set(name, "reused", 0.0)
    seconds, warnings, failure = _execute(jobs, run, progress) if jobs else ({}, [], None)
    if failure is None:
        _collect(chapters, jobs, run)
    order = [c.name for c in chapters]
    seconds = {name: (0.0 if name in reused else seconds[name]) for name in order if name in seconds or name in reused}
    return seconds, warnings, failure


def _plan(chapters: list[BookChapter], run: ChapterRun) -> tuple[list[dict], set[str]]:
    """The jobs to run, after copying every chapter the cache still holds into the book."""
    book = run.staging / "book"
    shared = environment.code_and_environment_hash()
    jobs, reused = [], set()
    for ch in chapters:
        cwd = run.staging / "work" / ch.name
        cwd.mkdir(parents=True, exist_ok=True)
        own_downloads = run.staging / "downloads" / ch.name
        own_downloads.mkdir(parents=True, exist_ok=True)
        output = book / f"{ch.docname}.ipynb"
        output.parent.mkdir(parents=True, exist_ok=True)
        parameters = run.parameters(ch)
        key = cache.static_key(ch.source, parameters, shared, run.epoch)
        hit = None
        if not run.force and run.cache_root is not None:
            hit = cache.lookup(run.cache_root, run.year, ch.name, key, run.year_folders)
        if hit is not None:
            shutil.copy2(hit / "executed.ipynb", output)
            for item in (hit / "downloads").iterdir():
                shutil.copy2(item, own_downloads / item.name)
            reused.add(ch.name)
            continue
        reads = cwd / "reads.txt"
        jobs.append(
            {
                "name": ch.name,
                "source": str(ch.source),
                "output": str(output),
                "cwd": str(cwd),
                "engine": run.engine,
                "parameters": papermill_parameters(
                    ch.declared,
                    {
                        **parameters,
                        "downloads_dir": str(own_downloads),
                        "reads_file": str(reads),
                        "survey_file": str(run.survey_file),
                    },
                    ch.name,
                ),
                # Executed notebooks keep no trace of the random staging folder: the downloads are
                # published in html/downloads of the build, and other staging paths become "staging".
                "path_map": [(str(own_downloads), "html/downloads"), (str(run.staging), "staging")],
                "reads_file": str(reads),
                "key": key,
            }
        )
    return jobs, reused


#: How long a build waits, at its end, for idle workers and kernels to leave before stopping them.
CLOSE_WAIT_S = 20


class ChapterPool:
    """The worker processes that run chapters, one per core (or ``jobs``), each with its own
    papermill and, with the warm-kernel engine, its own kernel.

    Created before the build validates the data, so that the workers and their kernels start
    meanwhile on the other core; used for one build's chapters, then closed (closing twice is
    harmless). The kernels' IPython profile lives in a temporary folder removed on closing.
    """

    def __init__(self, jobs: int | None, epoch: str, engine: str | None, count: int | None = None):
        self.count = max(1, count or jobs or os.cpu_count() or 1)
        self._folder = tempfile.TemporaryDirectory(prefix="healthcheck-workers-")
        folder = Path(self._folder.name)
        ctx = multiprocessing.get_context("spawn")  # no fork of a process that has threads (rich)
        self.start_queue = ctx.Queue()
        warm = str(folder) if engine == workers.ENGINE_NAME else None
        self.executor = ProcessPoolExecutor(
            max_workers=self.count,
            mp_context=ctx,
            initializer=workers.start_worker,
            initargs=(workers.kernel_environment(folder, epoch), self.start_queue, warm),
        )
        for _ in range(self.count):  # each submission starts a worker (spawned workers start lazily)
            self.executor.submit(workers.ready)
        self.closed = False
        self._closing: threading.Thread | None = None  # see close_in_background
        self._leaving: list = []  # the worker processes asked to leave by it

    def close_in_background(self) -> None:
        """Let the workers, done with every chapter, and their kernels exit on a thread while the
        build goes on: shutting the kernels down takes most of a second. ``close`` waits for it."""
        if not self.closed and self._closing is None:
            self._leaving = workers.pool_processes(self.executor)
            self._closing = threading.Thread(target=self.close, args=(False,), name="chapter-pool-close", daemon=True)
            self._closing.start()

    def close(self, kill: bool) -> None:
        """Stop the workers (with ``kill``, also those still running a chapter) and their kernels."""
        if self._closing is not None and self._closing is not threading.current_thread():
            self._closing.join(CLOSE_WAIT_S)
            for proc in self._leaving if self._closing.is_alive() else []:  # asked to leave, but did not
                proc.kill()
            return
        if self.closed:
            return
        self.closed = True
        try:
            workers.stop_pool(self.executor, kill=kill)
        finally:
            self.start_queue.close()
            self._folder.cleanup()


def _execute(jobs: list[dict], run: ChapterRun, progress) -> tuple[dict, list, dict | None]:
    if run.jobs == 0:
        return _execute_here(jobs, run, progress)
    seconds: dict[str, float] = {}
    warnings: list[str] = []
    failure = None
    pool = run.pool or ChapterPool(run.jobs, run.epoch, run.engine, count=min(run.jobs or os.cpu_count() or 1, len(jobs)))
    clean_exit = False
    try:
        pending = {pool.executor.submit(workers.run_chapter, job) for job in jobs}
        while pending and failure is None:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            workers.drain(pool.start_queue, progress)
            for future in done:
                try:
                    res = future.result()
                except BrokenProcessPool as exc:
                    raise BuildError(
                        "A process running a chapter died unexpectedly (out of memory?). Try again with fewer parallel jobs."
                    ) from exc
                seconds[res["name"]] = round(res["seconds"], 2)
                if res["status"] == "ok":
                    warnings += res["warnings"]
                    progress.set(res["name"], "done", res["seconds"])
                    continue
                progress.set(res["name"], "failed", res["seconds"])
                if res["status"] == "error":
                    raise BuildError(f"Chapter {res['name']} could not be run: {res['message']}\n{res['traceback']}")
                failure = res
                break
            progress.refresh()
        clean_exit = failure is None
    finally:
        if clean_exit and pool is run.pool:  # the build's own pool: it waits for the closing at its end
            pool.close_in_background()
        else:
            pool.close(kill=not clean_exit)
    return seconds, warnings, failure


def _execute_here(jobs: list[dict], run: ChapterRun, progress) -> tuple[dict, list, dict | None]:
    """Run the chapters one by one in this process (the live preview keeps its kernel warm here)."""
    os.environ.update(workers.kernel_environment(run.staging, run.epoch))
    seconds, warnings = {}, []
    for job in jobs:
        progress.set(job["name"], "running")
        res = workers.run_chapter(job)
        seconds[res["name"]] = round(res["seconds"], 2)
        progress.set(res["name"], "done" if res["status"] == "ok" else "failed", res["seconds"])
        if res["status"] == "error":
            raise BuildError(f"Chapter {res['name']} could not be run: {res['message']}\n{res['traceback']}")
        if res["status"] == "failed":
            return seconds, warnings, res
        warnings += res["warnings"]
    return seconds, warnings, None


def _collect(chapters: list[BookChapter], jobs: list[dict], run: ChapterRun) -> None:
    """Keep the chapters just run for the next build, and merge every chapter's figure files."""
    if run.cache_root is not None:
        for job in jobs:
            cache.store(
                run.cache_root,
                run.year,
                job["name"],
                key=job["key"],
                year_folders=run.year_folders,
                executed=Path(job["output"]),
                downloads=run.staging / "downloads" / job["name"],
                reads=cache.reads_of(Path(job["reads_file"])),
            )
    downloads = run.staging / "book" / "extra" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    for ch in chapters:
        for item in sorted((run.staging / "downloads" / ch.name).iterdir()):
            shutil.copy2(item, downloads / item.name)


def failure(res: dict, chapter: BookChapter, staging: Path, failed_dir: Path) -> ChapterFailed:
    """The error for a chapter whose cell failed, keeping its partly executed notebook to look at."""
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
