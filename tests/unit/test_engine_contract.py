"""The warm-kernel engine's contract with libraries it reaches into: every undocumented name it
uses still exists, with the arguments it passes, in the versions requirements.txt pins.

When one of these fails after an upgrade, do not just change a version: read
healthcheck/pipeline/execute/engine.py and enginekernel.py (and workers.pool_processes) against the new
version, run tests/pipeline/test_engine.py, then update engine.CHECKED_WITH (or workers.CHECKED_PYTHON).
"""

from __future__ import annotations

import inspect
import re
from importlib import metadata

import papermill  # noqa: F401 - first: papermill's entry points import the engine, which imports papermill
import pytest

from healthcheck import paths
from healthcheck.pipeline.execute import engine

RECHECK = (
    "The warm-kernel engine (healthcheck/pipeline/execute/engine.py, kernel.py) uses undocumented names of {lib}; "
    "re-check it against {lib} {new} (it was checked with {old}), run tests/pipeline/test_engine.py, then update "
    "engine.CHECKED_WITH."
)


def _pinned(requirement: str) -> str | None:
    text = (paths.ROOT / "requirements.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(requirement)}==([^\s;]+)", text, re.M | re.I)
    return found.group(1) if found else None


@pytest.mark.parametrize("lib", sorted(engine.CHECKED_WITH))
def test_the_engine_was_checked_with_the_pinned_and_installed_version(lib):
    checked = engine.CHECKED_WITH[lib]
    pinned = _pinned(lib)
    assert pinned == checked, RECHECK.format(lib=lib, new=pinned, old=checked)
    installed = metadata.version(lib)
    assert installed == checked, RECHECK.format(lib=lib, new=installed, old=checked) + " (and `make venv`)"


def _parameters(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def test_papermill_names_the_engine_uses():
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine, NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    why = RECHECK.format(lib="papermill", new=metadata.version("papermill"), old=engine.CHECKED_WITH["papermill"])
    # the engine overrides this classmethod with the same arguments, and papermill calls it so
    assert _parameters(NBClientEngine.execute_managed_notebook)[:7] == [
        "nb_man", "kernel_name", "log_output", "stdout_file", "stderr_file", "start_timeout", "execution_timeout",
    ], why  # fmt: skip
    assert issubclass(engine.WarmKernelEngine, NBClientEngine) and issubclass(NBClientEngine, Engine), why
    # the client takes the engine's running kernel (km) as nbclient's client does
    assert _parameters(PapermillNotebookClient.__init__)[:3] == ["self", "nb_man", "km"], why
    assert _parameters(merge_kwargs)[0] == "caller_args" and _parameters(remove_args)[0] == "args", why
    assert merge_kwargs({"a": 1}, b=2) == {"a": 1, "b": 2} and remove_args(["a"], a=1, b=2) == {"b": 2}, why
    assert papermill_engines.get_engine(engine.ENGINE_NAME) is engine.WarmKernelEngine, why
    assert logger.name == "papermill", why


def test_nbclient_names_the_engine_uses():
    from nbclient import NotebookClient
    from nbclient.util import run_sync

    why = RECHECK.format(lib="nbclient", new=metadata.version("nbclient"), old=engine.CHECKED_WITH["nbclient"])
    # client.execute(cleanup_kc=False) reaches setup_kernel, which must still read it, or
    # nbclient would shut the warm kernel down after the first notebook
    assert "cleanup_kc" in inspect.getsource(NotebookClient.async_setup_kernel), why
    # the engine closes the client's channels itself (client.kc), the kernel left running
    from nbformat.v4 import new_notebook

    assert NotebookClient(new_notebook()).kc is None, why
    assert callable(run_sync), why


def test_library_internals_the_kernel_side_restores():
    import warnings

    import matplotlib_inline.backend_inline as inline
    from pandas._config import config as pd_config

    why = RECHECK.format(lib="pandas", new=metadata.version("pandas"), old=engine.CHECKED_WITH["pandas"])
    assert isinstance(pd_config._registered_options, dict) and isinstance(pd_config._deprecated_options, dict), why
    assert "display.max_rows" in pd_config._registered_options, why
    why = RECHECK.format(
        lib="matplotlib-inline", new=metadata.version("matplotlib-inline"), old=engine.CHECKED_WITH["matplotlib-inline"]
    )
    assert hasattr(inline.show, "_to_draw") and hasattr(inline.show, "_draw_called"), why
    # enginekernel empties every module's warning registry through one of these (Python's own)
    assert callable(getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None))
