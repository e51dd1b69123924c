"""The warm-kernel engine's kernel side (see pipeline.engine): record a fresh kernel's state, and
bring the kernel back to it before every notebook.

Nothing here runs in the build's own process: the engine sends this module's source to each
warm kernel it starts, where it runs as the module ``_healthcheck_warm_kernel`` (not in the
notebooks' namespace, which every reset empties): ``start`` once, then ``reset`` before each
notebook. So it imports nothing of healthcheck, and matplotlib, numpy and pandas only once the
kernel has imported them.
"""

from __future__ import annotations

import copy
import gc
import importlib
import locale
import logging
import os
import random
import sys
import warnings

#: The kernel's fresh state (with its IPython shell), recorded by ``start``.
_state: dict = {}


def start(warm_imports, later_imports=()) -> None:  # pragma: no cover - runs inside the kernel
    """Import ``warm_imports``, then record the kernel's state as the one to return to, then
    import ``later_imports``: modules that stay imported, as if an earlier notebook had
    imported them, while whatever state they set on import is undone by ``reset``."""
    _warm_up(warm_imports)
    shell = get_ipython()  # noqa: F821 - the kernel's builtin
    _state.update(shell=shell, **_interpreter_state(shell), **_library_state())
    _import_all(later_imports)


def reset(cwd, env_set, env_unset) -> None:  # pragma: no cover - runs inside the kernel
    """Bring the kernel back to the recorded state, working in ``cwd``, with the build process's
    environment changes since the kernel started (``env_set``, ``env_unset``) applied."""
    state = _state
    _close_figures()
    # where the last notebook started and where it left off: modules imported from there
    # (a notebook's local helper) are forgotten, as a new process would import them again
    local = {state.get("cwd"), os.getcwd(), *(p for p in sys.path if p and p not in state["path"])} - {None}
    os.chdir(cwd)  # before the reset, which records the working directory (IPython's _dh)
    state["cwd"] = cwd
    state["shell"].reset(new_session=True)  # also sets the execution counter back to 1
    _forget_modules(state, local)
    _restore_interpreter(state, env_set, env_unset)
    _restore_ipython(state)
    _restore_libraries(state)
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    gc.collect()


def _warm_up(warm_imports) -> None:  # pragma: no cover - runs inside the kernel
    """Import ``warm_imports`` (those missing are skipped) and load matplotlib's backend."""
    _import_all(warm_imports)
    if "matplotlib.pyplot" in sys.modules:
        # Load the backend now (pyplot defers it to the first figure): the inline backend
        # registers its display formatter and post-execute hook then, which must be part of
        # the recorded state.
        plt = sys.modules["matplotlib.pyplot"]
        plt.close(plt.figure())


def _import_all(names) -> None:  # pragma: no cover - runs inside the kernel
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional library is not an error here
            pass


def _interpreter_state(shell) -> dict:  # pragma: no cover - runs inside the kernel
    """The interpreter's and IPython's state: modules, paths, environment, warnings, logging,
    recursion limit, locale, display formatters and event callbacks."""
    root = logging.getLogger()
    return {
        "modules": set(sys.modules),
        "path": list(sys.path),
        "environ": dict(os.environ),
        "warnings": list(warnings.filters),
        "logging": (list(root.handlers), root.level),
        "recursion": sys.getrecursionlimit(),
        "locale": locale.setlocale(locale.LC_ALL),
        "formatters": {
            mime: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
            for mime, f in shell.display_formatter.formatters.items()
        },
        "active_types": list(shell.display_formatter.active_types),
        "events": {name: list(cbs) for name, cbs in shell.events.callbacks.items()},
    }


def _library_state() -> dict:  # pragma: no cover - runs inside the kernel
    """The settings of matplotlib (rcParams, the inline backend), numpy and pandas, of those imported."""
    state = {}
    if "matplotlib" in sys.modules:
        import matplotlib

        state["rc"] = matplotlib.rcParams.copy()
        try:
            from matplotlib_inline.config import InlineBackend

            backend = InlineBackend.instance()
            state["inline"] = {name: copy.deepcopy(getattr(backend, name)) for name in backend.trait_names()}
        except Exception:  # noqa: BLE001 - no inline backend: nothing of it to restore
            pass
    if "numpy" in sys.modules:
        import numpy

        state["np_print"] = numpy.get_printoptions()
        state["np_err"] = numpy.geterr()
    if "pandas" in sys.modules:
        from pandas._config import config as pd_config

        keys = [k for k in pd_config._registered_options if k not in pd_config._deprecated_options]
        state["pandas"] = {k: pd_config.get_option(k) for k in keys}
    return state


def _close_figures() -> None:  # pragma: no cover - runs inside the kernel
    """Close every matplotlib figure, and forget those the inline backend still meant to show."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
        inline = sys.modules.get("matplotlib_inline.backend_inline")
        show = getattr(inline, "show", None)
        if show is not None:
            show._to_draw, show._draw_called = [], False


def _forget_modules(state, local) -> None:  # pragma: no cover - runs inside the kernel
    """Drop the modules imported since the kernel started from a folder in ``local`` (never
    from the environment's own folders)."""
    installed = tuple(os.path.join(p, "") for p in state["path"] if p)  # never the environment's own
    for name in set(sys.modules) - state["modules"]:
        file = getattr(sys.modules.get(name), "__file__", None) or ""
        if any(file.startswith(os.path.join(d, "")) for d in local) and not file.startswith(installed):
            del sys.modules[name]


def _restore_interpreter(state, env_set, env_unset) -> None:  # pragma: no cover - runs inside the kernel
    """sys.path, os.environ (with the changes applied), warnings, logging, recursion limit, locale."""
    sys.path[:] = state["path"]
    os.environ.clear()
    os.environ.update(state["environ"])
    os.environ.update(env_set)
    for key in env_unset:
        os.environ.pop(key, None)
    importlib.invalidate_caches()
    warnings.filters[:] = state["warnings"]
    warnings.onceregistry.clear()
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated:
        mutated()  # empties every module's __warningregistry__: warnings show again
    root = logging.getLogger()
    root.handlers[:], level = state["logging"]
    root.setLevel(level)
    sys.setrecursionlimit(state["recursion"])
    locale.setlocale(locale.LC_ALL, state["locale"])


def _restore_ipython(state) -> None:  # pragma: no cover - runs inside the kernel
    """IPython's display formatters, active display types and event callbacks."""
    shell = state["shell"]
    for mime, f in shell.display_formatter.formatters.items():
        if mime in state["formatters"]:
            types_, deferred, enabled = state["formatters"][mime]
            f.type_printers.clear()
            f.type_printers.update(types_)
            f.deferred_printers.clear()
            f.deferred_printers.update(deferred)
            f.enabled = enabled
    shell.display_formatter.active_types = list(state["active_types"])
    for name in shell.events.callbacks:
        shell.events.callbacks[name][:] = state["events"].get(name, [])


def _restore_libraries(state) -> None:  # pragma: no cover - runs inside the kernel
    """matplotlib's rcParams, backend and inline backend settings; numpy's and pandas's options."""
    if "rc" in state:
        import matplotlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update({k: v for k, v in state["rc"].items() if k != "backend"})
        if matplotlib.get_backend() != state["rc"]["backend"] and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].switch_backend(state["rc"]["backend"])
    if "inline" in state:
        from matplotlib_inline.config import InlineBackend

        backend = InlineBackend.instance()
        for name, value in state["inline"].items():
            setattr(backend, name, copy.deepcopy(value))
    if "np_print" in state:
        import numpy

        numpy.set_printoptions(**state["np_print"])
        numpy.seterr(**state["np_err"])
    if "pandas" in state:
        from pandas._config import config as pd_config

        for key, value in state["pandas"].items():
            if pd_config.get_option(key) != value:
                pd_config.set_option(key, value)
