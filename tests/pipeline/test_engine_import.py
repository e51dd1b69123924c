"""The warm-kernel engine imports on its own, in a fresh interpreter.

papermill loads the engines named by its entry points when it is first imported, ours among
them; a module that imports papermill while it is itself half-imported used to fail with a
circular import whenever it was the first thing imported (a user's script, a debugger, a tool
that imports one module to inspect it).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.pipeline


@pytest.mark.parametrize(
    "statement",
    [
        "import healthcheck.pipeline.execute.engine as m; print(m.WarmKernelEngine.__name__)",
        "from healthcheck.pipeline.execute.engine import WarmKernelEngine; print(WarmKernelEngine.__name__)",
        "import papermill; from papermill.engines import papermill_engines as e; print(e.get_engine('healthcheck').__name__)",
    ],
)
def test_the_engine_imports_first_in_a_fresh_interpreter(statement):
    run = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "WarmKernelEngine"
