"""The charts never open a GUI backend, proved in fresh interpreters (the pipeline tier of
tests/unit/test_chart_backend.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

GUI_MODULES = ("tkinter", "PyQt5", "PyQt6", "PySide2", "PySide6", "gi", "wx", "matplotlib.backends.backend_tkagg")

#: A backend as a machine's matplotlibrc might name one: it stands for a window (Tk, Qt) that
#: this machine lacks, and says so by being imported at all.
PROBE = """from matplotlib.backends.backend_agg import FigureCanvas, FigureManager  # noqa: F401
"""


@pytest.mark.parametrize(
    "module", ["healthcheck.present.charts.style", "healthcheck.present.national.charts", "healthcheck.present.chapter"]
)
def test_importing_the_charts_never_opens_a_gui_backend(module, tmp_path):
    # A fresh interpreter whose matplotlibrc names another backend, with a display and no
    # MPLBACKEND. A chart module is imported first thing, then a figure drawn: Agg must draw it.
    (tmp_path / "probe_backend.py").write_text(PROBE, encoding="utf-8")
    (tmp_path / "matplotlibrc").write_text("backend: module://probe_backend\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"DISPLAY": ":0", "MPLCONFIGDIR": str(tmp_path)}
    code = (
        f"import sys, json, {module}\n"
        "import matplotlib, matplotlib.pyplot as plt\n"
        "plt.close(plt.figure())\n"
        f"print(json.dumps([matplotlib.get_backend(), [m for m in {(*GUI_MODULES, 'probe_backend')!r} if m in sys.modules]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    backend, opened = json.loads(done.stdout.strip().splitlines()[-1])
    assert backend.lower() == "agg" and opened == []


def test_the_probe_is_what_matplotlib_would_use_otherwise(tmp_path):
    """The test above could fail: without the charts, the same interpreter draws with the probe."""
    (tmp_path / "probe_backend.py").write_text(PROBE, encoding="utf-8")
    (tmp_path / "matplotlibrc").write_text("backend: module://probe_backend\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"MPLCONFIGDIR": str(tmp_path)}
    code = "import sys, matplotlib.pyplot as plt\nplt.close(plt.figure())\nprint('probe_backend' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
