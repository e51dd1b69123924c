"""One chapter run by papermill in a worker process, and the pool those processes form.

Workers are started by the build and die with it: each asks Linux to kill it when its parent
dies (so a killed build leaves no worker behind), and a kernel exits when its worker does.
Everything a chapter needs arrives as papermill parameters; the kernel's environment only
fixes what libraries read (a headless matplotlib, a fresh IPython profile, the build date), and
the package's own folder variables (:data:`NOT_FOR_CHAPTERS`) are taken out of it, so that no
chapter finds its data folder any other way than by its ``data_dir`` parameter.

The one private name used here is ``ProcessPoolExecutor._processes`` (the pool's worker
processes, to stop those still running a chapter: the standard library has no public way);
``tests/test_engine_contract.py`` checks it on the Python of :data:`CHECKED_PYTHON`.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from healthcheck.pipeline.book import ANSI

#: The warm-kernel papermill engine (healthcheck.pipeline.execute.engine): the build's default.
ENGINE_NAME = "healthcheck"
INJECTED_TAG = "injected-parameters"
PARAMETERS_TAG = "parameters"
HIDE_TAG = "remove-cell"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
#: The Python versions on which ``ProcessPoolExecutor._processes`` was checked (see the module).
CHECKED_PYTHON = ("3.11",)
#: Variables of the build's environment a chapter must not read: the build passes the folder
#: itself (``ChapterRun.data_dir``), and a chapter never needs the build folder.
NOT_FOR_CHAPTERS = ("HEALTHCHECK_DATA_DIR", "HEALTHCHECK_BUILD_DIR")

_START_QUEUE = None  # set in each worker process: tells the main process a chapter has started


def kernel_environment(staging: Path, epoch: str) -> dict:
    """The environment of every chapter kernel: what libraries read, nothing of ours."""
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
        "JUPYTER_PLATFORM_DIRS": "1",
    }


#: What a chapter kernel imports as it starts, besides the engine's own (pandas, pyplot): the
#: chapters' code. A chapter then finds it imported instead of paying about a second for it.
CHAPTER_IMPORTS = (
    "healthcheck.present.chapter",
    "healthcheck.present.sections.appendix",
    "healthcheck.present.sections.conclusions",
    "healthcheck.present.sections.introduction",
    "healthcheck.present.sections.summary",
    "healthcheck.present.sections.theme",
    "healthcheck.present.sections.trends",
)


def start_worker(env: dict, start_queue, warm_folder: str | None = None) -> None:
    """Initialise a worker process: die with the build, quiet SIGTERM, the kernels' environment.

    With ``warm_folder`` (the warm-kernel engine's pool), the worker also starts its kernel now,
    in that folder, and imports the chapters' code into it: the build validates the data
    meanwhile, so the first chapter does not wait for a kernel.
    """
    global _START_QUEUE
    _START_QUEUE = start_queue
    if sys.platform.startswith("linux"):
        # SIGKILL this worker when the build process dies, however it dies (even SIGKILL).
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.environ.update(env)
    for name in NOT_FOR_CHAPTERS:
        os.environ.pop(name, None)
    try:
        # SIGTERM from the main process (build aborted): leave papermill through an exception.
        signal.signal(signal.SIGTERM, _raise_system_exit)
        if warm_folder is not None:
            _start_kernel_early(Path(warm_folder))
    except SystemExit:
        # The build stopped the pool while this worker was starting (the data had errors, say):
        # leave quietly, without the traceback the pool prints for a failed initializer.
        if "healthcheck.pipeline.execute.engine" in sys.modules:
            sys.modules["healthcheck.pipeline.execute.engine"].shutdown_warm_kernels()
        os._exit(0)


def _start_kernel_early(folder: Path) -> None:
    """Start this worker's warm kernel (see start_worker); on any failure the first chapter
    starts it instead, as without an early start, and says so if that fails too."""
    import papermill  # noqa: F401 - imported once here rather than by the first chapter

    from healthcheck.pipeline.execute import engine

    # The kernel inherits this stderr: its log lines go to a file, not the build's terminal.
    with open(folder / f"kernel-stderr-{os.getpid()}.log", "ab") as log_file:
        os.dup2(log_file.fileno(), 2)
    try:
        engine.start_warm_kernel("python3", cwd=str(folder), imports=CHAPTER_IMPORTS)
    except Exception:  # noqa: BLE001 - run_chapter starts (and retries) the kernel itself
        engine.shutdown_warm_kernels()


def ready() -> bool:
    """A task that does nothing: submitting one per worker makes the pool start every worker now."""
    return True


def _raise_system_exit(signum, frame):
    raise SystemExit(128 + signum)


def kernel_failed_to_start(err: BaseException) -> bool:
    """Errors worth one retry: the kernel died or never answered (e.g. a port collision)."""
    if type(err).__module__.startswith("zmq"):
        return True
    return isinstance(err, (RuntimeError, TimeoutError, ConnectionError)) or "kernel" in str(err).lower()


def run_chapter(job: dict) -> dict:
    """Run one chapter with papermill (in a worker process). Returns a plain dict, never raises."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    if job.get("engine") == ENGINE_NAME:
        import healthcheck.pipeline.execute.engine  # noqa: F401 - registers the engine, installed or not

    name, kernel_log = job["name"], Path(job["cwd"]) / "kernel-stderr.log"
    kernel_log.touch()
    if _START_QUEUE is not None:
        _START_QUEUE.put(name)
        # A kernel started here inherits this stderr: its log lines (connection warnings and
        # the like) go to a file beside the chapter's working folder, not the terminal.
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
                engine_name=job.get("engine"),
                kernel_name="python3",
                language="python",
                cwd=job["cwd"],
                progress_bar=False,
                log_output=False,
                start_timeout=120,
                request_save_on_cell_execute=False,  # written once at the end, not around every cell
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
            if attempt == 1 and kernel_failed_to_start(err):
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
    notes += tidy_executed(Path(job["output"]), job["path_map"], name)
    return {"name": name, "status": "ok", "seconds": time.monotonic() - start, "warnings": notes}


def tidy_executed(path: Path, path_map: list[tuple[str, str]], name: str) -> list[str]:
    """Hide the parameters cells, drop run timestamps and counts, replace staging paths; list stderr output."""
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
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None  # a warm kernel counts on across chapters
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = None
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


def drain(start_queue, progress) -> None:
    """Show as running the chapters the workers have started."""
    while True:
        try:
            name = start_queue.get_nowait()
        except Exception:  # noqa: BLE001 - queue.Empty (or closed)
            return
        progress.set(name, "running")


def pool_processes(executor: ProcessPoolExecutor) -> list:
    """The pool's worker processes (``multiprocessing.Process``), through its private
    ``_processes``: the standard library offers no public way to stop a worker that is busy."""
    return list((executor._processes or {}).values())


def stop_pool(executor: ProcessPoolExecutor, kill: bool) -> None:
    """Shut the pool down; with `kill`, stop workers still running (SIGTERM, then SIGKILL)."""
    if kill:
        processes = pool_processes(executor)
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
