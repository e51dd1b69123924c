"""The warm-kernel engine's use of ProcessPoolExecutor internals, checked with real worker
processes (see tests/unit/test_engine_contract.py)."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

import papermill  # noqa: F401 - first: papermill's entry points import the engine, which imports papermill

from healthcheck.pipeline.execute import workers


def test_process_pool_workers_are_found_where_workers_looks():
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert version in workers.CHECKED_PYTHON, (
        f"workers.pool_processes reads ProcessPoolExecutor._processes, checked on Python {workers.CHECKED_PYTHON}; "
        f"re-check it on {version} (concurrent/futures/process.py), then add it to workers.CHECKED_PYTHON."
    )
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        assert pool.submit(workers.ready).result(timeout=120) is True
        processes = workers.pool_processes(pool)
        assert len(processes) == 1 and isinstance(processes[0], multiprocessing.process.BaseProcess)
        assert processes[0].is_alive()
    finally:
        pool.shutdown(wait=True)
    assert not processes[0].is_alive()
    assert workers.pool_processes(pool) == []  # after shutdown: nothing to stop, no error
