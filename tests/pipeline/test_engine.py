"""The warm-kernel papermill engine: notebooks run one after another in one kernel give what
each gives in a fresh kernel, failures are reported as papermill reports them, and the
kernel is really reused (and restarted after a failure)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from healthcheck.pipeline.execute import engine

PID_TAG = "pid"  # a cell that prints the kernel's pid: differs by design, not compared

# A library module (on PYTHONPATH before any kernel starts) that warns: a warning already
# shown in one notebook must be shown again in the next, as in a fresh kernel.
HELPER = """
import warnings

def warn():
    warnings.warn("the helper warns", UserWarning)
"""

FIRST = [
    "year = 2022",
    "import os, warnings\nimport matplotlib as mpl\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
    "import hc_engine_helper\nhc_engine_helper.warn()\nimport local_helper",
    # state a chapter could leave behind
    "defined_by_first = 'leaked'\nmpl.rcParams['lines.linewidth'] = 7.5\nmpl.rcParams['axes.facecolor'] = '#ff0000'\n"
    "pd.set_option('display.max_rows', 3)\nnp.set_printoptions(precision=2)\n"
    # a warning filter added behind the warnings module's back must not reach the next notebook
    "warnings.filters.insert(0, ('ignore', None, Warning, None, 0))\n"
    "os.environ['SET_BY_FIRST'] = '1'\nos.makedirs('sub', exist_ok=True)\nos.chdir('sub')\nunclosed = plt.figure()",
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [1, 0])\nax.set_title(f'year {year}')",
    "print(os.getpid())",
]
SECOND = [
    "year = 2022",
    "import os\nimport matplotlib as mpl\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
    "import hc_engine_helper\nhc_engine_helper.warn()",
    "print('defined_by_first' in globals(), 'unclosed' in globals(), plt.get_fignums())\n"
    "print(mpl.rcParams['lines.linewidth'], mpl.rcParams['axes.facecolor'], pd.get_option('display.max_rows'))\n"
    "print(np.array([1 / 3]), os.environ.get('SET_BY_FIRST'), os.environ.get('HC_ENGINE_TEST'))\n"
    "print(os.path.basename(os.getcwd()), __import__('local_helper').VALUE)",
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [0, 1])\nax.set_title(f'year {year}')",
    "pd.DataFrame({'a': range(5)})",
    "print(os.getpid())",
]
FAILING = ["year = 2022", "half = year / 2", "raise ValueError(f'no report for {year}')", "print('not reached')"]


def _write(path: Path, sources: list[str]) -> Path:
    cells = [new_code_cell(src) for src in sources]
    cells[0].metadata["tags"] = ["parameters"]
    if sources[-1] == "print(os.getpid())":
        cells[-1].metadata["tags"] = [PID_TAG]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def _run(src: Path, out: Path, cwd: Path, engine_name: str | None):
    cwd.mkdir(exist_ok=True)
    return pm.execute_notebook(
        str(src),
        str(out),
        parameters={"year": 2023},
        engine_name=engine_name,
        kernel_name="python3",
        language="python",
        cwd=str(cwd),
        progress_bar=False,
    )


def _comparable(nb) -> list:
    """What a reader sees of each cell: source, execution count, outputs (no timings, no pid)."""
    cells = []
    for cell in nb.cells:
        if PID_TAG in cell.metadata.get("tags", []):
            continue
        outputs = [{k: v for k, v in o.items() if k != "metadata"} for o in cell.get("outputs", [])]
        cells.append((cell.cell_type, cell.source, cell.get("execution_count"), outputs))
    return cells


def _pid_printed(nb) -> int:
    cell = next(c for c in nb.cells if PID_TAG in c.metadata.get("tags", []))
    return int(cell.outputs[0]["text"])


@pytest.fixture()
def books(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "hc_engine_helper.py").write_text(HELPER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(lib))
    monkeypatch.setenv("HC_ENGINE_TEST", "before")
    for folder in ("w1", "w2"):  # a module beside the notebook: each notebook imports its own
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "local_helper.py").write_text(f"VALUE = {folder!r}\n", encoding="utf-8")
    engine.shutdown_warm_kernels()  # kernels started in this process before the environment above
    yield {
        "first": _write(tmp_path / "first.ipynb", FIRST),
        "second": _write(tmp_path / "second.ipynb", SECOND),
        "failing": _write(tmp_path / "failing.ipynb", FAILING),
        "tmp": tmp_path,
    }
    engine.shutdown_warm_kernels()


def test_warm_kernel_gives_fresh_kernel_outputs(books, monkeypatch):
    tmp = books["tmp"]
    fresh_first = _run(books["first"], tmp / "f1.ipynb", tmp / "w1", None)
    monkeypatch.setenv("HC_ENGINE_TEST", "second")
    fresh_second = _run(books["second"], tmp / "f2.ipynb", tmp / "w2", None)
    with pytest.raises(PapermillExecutionError) as fresh_error:
        _run(books["failing"], tmp / "f3.ipynb", tmp / "w3", None)

    monkeypatch.setenv("HC_ENGINE_TEST", "before")
    warm_first = _run(books["first"], tmp / "h1.ipynb", tmp / "w1", engine.ENGINE_NAME)
    pid = engine.warm_kernel_pid("python3")
    # set after the kernel started: still reaches the next notebook (build.py relies on this)
    monkeypatch.setenv("HC_ENGINE_TEST", "second")
    warm_second = _run(books["second"], tmp / "h2.ipynb", tmp / "w2", engine.ENGINE_NAME)

    # the same kernel process ran both notebooks ...
    assert pid is not None and engine.warm_kernel_pid("python3") == pid
    assert _pid_printed(warm_first) == _pid_printed(warm_second) == pid
    # ... and neither could tell: namespace, figures, rcParams, options, warnings, cwd, environment
    assert _comparable(warm_first) == _comparable(fresh_first)
    assert _comparable(warm_second) == _comparable(fresh_second)
    # (papermill's injected parameters are cell 1)
    state = "".join(warm_second.cells[3].outputs[0]["text"])
    assert state.splitlines() == ["False False []", "1.5 white 60", "[0.33333333] None second", "w2 w2"]
    assert any(o.get("name") == "stderr" and "the helper warns" in o["text"] for o in warm_second.cells[2].outputs)

    # a failing notebook: the same error, cell and partial output as with papermill's engine
    with pytest.raises(PapermillExecutionError) as warm_error:
        _run(books["failing"], tmp / "h3.ipynb", tmp / "w3", engine.ENGINE_NAME)
    for attr in ("cell_index", "exec_count", "ename", "evalue", "source"):
        assert getattr(warm_error.value, attr) == getattr(fresh_error.value, attr)
    assert warm_error.value.cell_index == 3  # 0 parameters, 1 injected parameters, 2 half, 3 raise
    kept = nbformat.read(tmp / "h3.ipynb", as_version=4)
    assert _comparable(kept) == _comparable(nbformat.read(tmp / "f3.ipynb", as_version=4))

    # the next notebook still runs, in a restarted kernel, with the same outputs
    after = _run(books["second"], tmp / "h4.ipynb", tmp / "w2", engine.ENGINE_NAME)
    restarted = engine.warm_kernel_pid("python3")
    assert restarted not in (None, pid)
    assert _comparable(after) == _comparable(fresh_second)

    engine.shutdown_warm_kernels()
    assert engine.warm_kernel_pid("python3") is None
    with pytest.raises(ProcessLookupError):
        _wait_gone(restarted)


def _wait_gone(pid: int, timeout_s: float = 10) -> None:
    """Raise ProcessLookupError once ``pid`` has exited (or return if it never does)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        os.kill(pid, 0)  # ProcessLookupError when gone
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        except ChildProcessError:
            pass
        time.sleep(0.05)


def test_dead_kernel_is_replaced(books, tmp_path):
    # started ahead of the first notebook, as a pool initializer would
    first = engine.start_warm_kernel("python3", cwd=str(tmp_path), imports=("hc_engine_helper",))
    dying = _write(tmp_path / "dying.ipynb", ["year = 2022", "import os\nos._exit(3)"])
    with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError, as with papermill's engine
        _run(dying, tmp_path / "d1.ipynb", tmp_path / "wd", engine.ENGINE_NAME)
    assert engine.warm_kernel_pid("python3") == first  # the dead one, replaced at the next notebook
    ok = _run(books["second"], tmp_path / "d2.ipynb", tmp_path / "w2", engine.ENGINE_NAME)
    assert engine.warm_kernel_pid("python3") not in (None, first)
    assert "".join(ok.cells[3].outputs[0]["text"]).splitlines()[-1] == "w2 w2"


def _kernel_state(_=None):
    """In a pool worker: its warm kernel's pid and whether the chapters' code is imported there."""
    from healthcheck.pipeline.execute import engine as worker_engine

    pid = worker_engine.warm_kernel_pid("python3")
    if pid is None:
        return None, None
    kernel = worker_engine._KERNELS["python3"]
    kernel.run("import sys\nassert 'healthcheck.present.chapter' in sys.modules", 60)  # RuntimeError if not
    return pid, True


def test_chapter_pool_starts_warm_kernels_before_any_chapter(tmp_path):
    from healthcheck.pipeline.execute.chapters import ChapterPool

    pool = ChapterPool(2, "0", engine.ENGINE_NAME)
    try:
        # the first tasks the workers take: no chapter has run, yet each has its kernel
        states = [f.result(timeout=120) for f in [pool.executor.submit(_kernel_state) for _ in range(4)]]
        pids = {pid for pid, _ in states}
        assert None not in pids and all(imported for _, imported in states)
        assert len(pids) <= 2
        folder = Path(pool._folder.name)
        assert folder.is_dir()
    finally:
        pool.close(kill=False)
    assert not folder.exists()  # the kernels' profile folder goes with the pool
    pool.close(kill=True)  # closing twice is harmless


def test_chapter_pool_without_the_warm_engine_starts_no_kernel():
    from healthcheck.pipeline.execute.chapters import ChapterPool

    pool = ChapterPool(1, "0", None)
    try:
        assert pool.executor.submit(_kernel_state).result(timeout=120) == (None, None)
    finally:
        pool.close(kill=False)


def test_a_pool_closed_in_the_background_is_gone_once_closed(tmp_path):
    # After the chapters the build lets the workers and kernels leave on a thread; its final
    # close waits for them, so nothing of the pool outlives the build.
    import psutil

    from healthcheck.pipeline.execute.chapters import ChapterPool

    pool = ChapterPool(2, "0", engine.ENGINE_NAME)
    pids = {pid for pid, _ in (f.result(timeout=120) for f in [pool.executor.submit(_kernel_state) for _ in range(2)])}
    workers_and_kernels = [psutil.Process(p.pid) for p in pool.executor._processes.values()] + [psutil.Process(p) for p in pids]
    folder = Path(pool._folder.name)
    pool.close_in_background()  # returns at once; the workers leave meanwhile
    pool.close(kill=True)
    assert not pool._closing.is_alive()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers_and_kernels)
    assert not folder.exists()
    pool.close(kill=True)  # closing again is harmless


@pytest.mark.parametrize("starting_for", [0.3, 0.8, 1.5])
def test_a_pool_stopped_while_its_kernels_start_leaves_quietly(capfd, starting_for):
    # A build whose data has errors stops the pool while the workers are still starting.
    import time

    import psutil

    from healthcheck.pipeline.execute.chapters import ChapterPool

    def started():  # multiprocessing's resource tracker, once started, stays: not ours
        return {p.pid for p in psutil.Process().children(recursive=True) if "resource_tracker" not in " ".join(p.cmdline())}

    pool = ChapterPool(2, "0", engine.ENGINE_NAME)
    time.sleep(starting_for)
    assert started(), "the workers start at once"
    pool.close(kill=True)
    assert "Traceback" not in capfd.readouterr().err
    deadline = time.monotonic() + 10  # no worker or kernel left behind
    while time.monotonic() < deadline and started():
        time.sleep(0.2)
    assert not started()
