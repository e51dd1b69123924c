"""A papermill engine that runs notebooks one after another in one warm kernel per process.

Starting an IPython kernel and importing pandas and matplotlib costs about 1.6 s, more than
most chapters take to run. This engine keeps one kernel per kernel name alive in the process
that calls papermill (in a build: each worker of the process pool) and puts it back into a
fresh kernel's state before every notebook (the code that runs inside the kernel for this is in
``pipeline.enginekernel``):

* the user namespace, the output cache and the execution counter (``shell.reset``);
* matplotlib: every figure closed, ``rcParams`` and the inline backend's settings restored;
* the working directory (the one papermill's ``cwd`` chose), ``sys.path``, ``os.environ``
  (see below), warning filters and the "already warned" registries, logging handlers,
  numpy print and error options, pandas options, IPython display formatters and event
  callbacks, the recursion limit and the locale; the ``random`` and numpy global generators
  are reseeded from the OS, as a new process would be;
* modules imported from the previous working directory (a notebook's local helper) are
  forgotten; modules from the environment stay imported -- that is the point.

After a notebook that failed (an error output, or any exception out of nbclient), or when the
kernel has died, the next notebook gets a newly started kernel. Kernels are shut down when the
process exits (also in ``multiprocessing`` workers). Errors behave as with papermill's own
engine: papermill raises ``PapermillExecutionError`` with the failing cell's index.

Environment variables: a kernel inherits the environment of the moment it started. So that a
variable the caller sets *after* that still reaches the notebook, as with papermill's own
engine, every change to ``os.environ`` since the kernel started is copied into it before each
notebook. The build itself passes nothing this way (everything a chapter needs is a papermill
parameter, declared in ``pipeline.chapters``), and code that reads a variable only at import
time (``MPLBACKEND``, ``PYTHONHASHSEED``) would not see such a change anyway.

Papermill's internals: an engine is papermill's documented extension point, but this one also
uses names papermill does not document (``PapermillNotebookClient``, ``merge_kwargs``,
``remove_args``, the arguments of ``NBClientEngine.execute_managed_notebook``), nbclient's
``cleanup_kc``, and in the kernel pandas's option registry and matplotlib-inline's pending
figures. :data:`CHECKED_WITH` names the versions they were checked against;
``tests/test_engine_contract.py`` fails, saying what to re-check, when requirements.txt pins
another version or a name has gone.

Use: ``papermill.execute_notebook(..., engine_name="healthcheck")`` once this module has been
imported (it registers itself), or through papermill's entry point group (``papermill.engine``,
singular, is the group papermill 2.x reads). Engine options that only matter when a kernel is
started (``kernel_manager_class``, ``extra_arguments``) are ignored: the kernel is already running.
"""

from __future__ import annotations

import atexit
import inspect
import multiprocessing.util
import os
import threading

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from healthcheck.pipeline.execute import kernel as enginekernel

ENGINE_NAME = "healthcheck"
#: The versions of the libraries whose undocumented names this engine (and enginekernel) uses,
#: as last checked by hand; tests/test_engine_contract.py holds requirements.txt to them.
CHECKED_WITH = {"papermill": "2.7.0", "nbclient": "0.11.0", "pandas": "3.1.1", "matplotlib-inline": "0.2.2"}
#: Imported when a kernel starts, before its state is recorded: the inline backend must be set
#: up before the snapshot (or restoring the display formatters would undo it), and options of
#: libraries imported later could not be restored.
WARM_IMPORTS = ("matplotlib.pyplot", "pandas")
RESET_TIMEOUT_S = 60
#: The name under which the kernel runs enginekernel (the recording of its state, and ``reset``).
KERNEL_MODULE = "_healthcheck_warm_kernel"


def _kernel_setup(warm_imports, later_imports=()) -> str:
    """The code a new kernel runs first: enginekernel's source, run as the module KERNEL_MODULE
    (out of the notebooks' namespace), which imports ``warm_imports``, records the fresh state
    and then imports ``later_imports`` (see ``enginekernel.start``)."""
    return (
        "import sys as _sys, types as _types\n"
        f"_module = _types.ModuleType({KERNEL_MODULE!r})\n"
        f"exec({inspect.getsource(enginekernel)!r}, _module.__dict__)\n"
        f"_module.start({tuple(warm_imports)!r}, {tuple(later_imports)!r})\n"
        "_sys.modules[_module.__name__] = _module\n"
        "del _sys, _types, _module\n"
    )


class _WarmKernel:
    """One kernel kept alive between notebooks, with a small client of its own for resets."""

    def __init__(self, kernel_name: str, cwd: str, startup_timeout: float, imports: tuple[str, ...] = ()):
        from jupyter_client.manager import AsyncKernelManager
        from nbclient.util import run_sync

        self.kernel_name = kernel_name
        self.run_sync = run_sync
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.env_at_start = dict(os.environ)
        # As nbclient does: no history file shared between kernels.
        extra = ["--HistoryManager.hist_file=:memory:"] if getattr(self.km, "ipykernel", False) else []
        run_sync(self.km.start_kernel)(extra_arguments=extra, cwd=cwd)
        self.failed = False
        self.control = None
        try:
            self.control = self.km.blocking_client()
            self.control.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            self.control.wait_for_ready(timeout=startup_timeout)
            self.run(_kernel_setup(WARM_IMPORTS, imports), startup_timeout)
        except BaseException:
            self.shutdown(now=True)
            raise

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None when it is not running)."""
        process = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        try:
            return bool(self.run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a kernel we cannot even ask about is not usable
            return False

    def run(self, code: str, timeout: float) -> None:
        """Execute ``code`` silently (no outputs, no execution count); RuntimeError if it fails."""
        msg_id = self.control.execute(code, silent=True, store_history=False, allow_stdin=False)
        while True:
            reply = self.control.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"the warm kernel's own code failed: {content.get('ename')}: {content.get('evalue')}")

    def reset(self, cwd: str) -> None:
        """Return to the fresh state, with this process's current environment changes applied."""
        now = dict(os.environ)
        env_set = {k: v for k, v in now.items() if self.env_at_start.get(k) != v}
        env_unset = [k for k in self.env_at_start if k not in now]
        call = f"__import__({KERNEL_MODULE!r}).reset({cwd!r}, {env_set!r}, {env_unset!r})"
        self.run(call, RESET_TIMEOUT_S)

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel and its client; never raises."""
        try:
            if self.control is not None:
                self.control.stop_channels()
        except Exception:  # noqa: BLE001 - shutting down anyway
            pass
        try:
            if self.km.has_kernel:
                self.run_sync(self.km.shutdown_kernel)(now=now)
        except Exception:  # noqa: BLE001 - the kernel may be gone already; it also exits with us
            try:
                self.run_sync(self.km.cleanup_resources)()
            except Exception:  # noqa: BLE001
                pass


_KERNELS: dict[str, _WarmKernel] = {}
_IMPORTS: dict[str, tuple[str, ...]] = {}  # extra warm imports per kernel name, kept for restarts
_LOCK = threading.RLock()  # one notebook at a time per process: the kernel is not shared
_EXIT_HOOKED = False


def _running(kernel_name: str, cwd: str, startup_timeout: float) -> _WarmKernel:
    global _EXIT_HOOKED
    kernel = _KERNELS.get(kernel_name)
    if kernel is not None and (kernel.failed or not kernel.alive()):
        logger.info("Restarting the warm %s kernel (%s)", kernel_name, "after a failure" if kernel.failed else "it died")
        _KERNELS.pop(kernel_name).shutdown(now=True)
        kernel = None
    if kernel is None:
        kernel = _KERNELS[kernel_name] = _WarmKernel(kernel_name, cwd, startup_timeout, _IMPORTS.get(kernel_name, ()))
        if not _EXIT_HOOKED:
            # multiprocessing workers leave through os._exit or after atexit has run; Finalize
            # with an exit priority runs in both cases, atexit covers a plain script.
            multiprocessing.util.Finalize(None, shutdown_warm_kernels, exitpriority=100)
            atexit.register(shutdown_warm_kernels)
            _EXIT_HOOKED = True
    return kernel


def start_warm_kernel(kernel_name: str = "python3", cwd: str | None = None, imports=(), startup_timeout: float = 120) -> int:
    """Start this process's warm kernel now (say, in a process pool's initializer, while the
    main process still prepares), importing ``imports`` besides WARM_IMPORTS; returns its pid.

    Those modules stay imported across notebooks (and restarts), as if an earlier notebook had
    imported them: imported after the fresh state is recorded, so what they change on import
    (say, matplotlib's backend) is undone before every notebook. List only the environment's
    own (e.g. ``"healthcheck.present.chapter"``), never a notebook's helper.
    """
    with _LOCK:
        _IMPORTS[kernel_name] = tuple(imports)
        return _running(kernel_name, cwd or os.getcwd(), startup_timeout).pid


def _kernel_for(kernel_name: str, cwd: str, startup_timeout: float) -> _WarmKernel:
    """The warm kernel for ``kernel_name``, started or restarted when needed, reset to fresh."""
    kernel = _running(kernel_name, cwd, startup_timeout)
    try:
        kernel.reset(cwd)
    except BaseException:
        _KERNELS.pop(kernel_name, None)
        kernel.shutdown(now=True)
        raise
    return kernel


def shutdown_warm_kernels() -> None:
    """Shut down every warm kernel of this process (also done automatically at exit)."""
    while _KERNELS:
        _, kernel = _KERNELS.popitem()
        kernel.shutdown()


def warm_kernel_pid(kernel_name: str = "python3") -> int | None:
    """The process id of this process's warm kernel for ``kernel_name``, or None."""
    kernel = _KERNELS.get(kernel_name)
    return kernel.pid if kernel is not None else None


def _failed(nb) -> bool:
    if nb.metadata.get("papermill", {}).get("exception"):
        return True
    return any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, with the kernel kept warm between notebooks (see the module)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute ``nb_man.nb`` in this process's warm kernel (papermill has already chdir-ed to cwd)."""
        # The same argument handling as NBClientEngine.execute_managed_notebook.
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        with _LOCK:
            kernel = _kernel_for(kernel_name, os.getcwd(), start_timeout)
            client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
            ok = False
            try:
                # km given: nbclient starts only a client (new channels, so no message of an
                # earlier notebook can reach this one) and leaves the kernel running.
                client.execute(cleanup_kc=False)
                ok = True
            except (KeyboardInterrupt, SystemExit):
                _KERNELS.pop(kernel_name, None)
                kernel.shutdown(now=True)
                raise
            finally:
                if client.kc is not None:
                    try:
                        client.kc.stop_channels()
                    except Exception:  # noqa: BLE001 - closing sockets of a dead kernel
                        pass
                if not ok or _failed(nb_man.nb):
                    kernel.failed = True  # restarted before the next notebook
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)

# pyproject.toml:  [project.entry-points."papermill.engine"]
#                  healthcheck = "healthcheck.pipeline.execute.engine:WarmKernelEngine"
