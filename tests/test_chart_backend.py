"""matplotlib's backend is chosen in one place (the charts package), and importing the charts
never opens a GUI backend, whatever the machine's default or display."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from healthcheck import paths

PACKAGE = paths.ROOT / "healthcheck"
GUI_MODULES = ("tkinter", "PyQt5", "PyQt6", "PySide2", "PySide6", "gi", "wx", "matplotlib.backends.backend_tkagg")


@pytest.mark.unit
def test_only_the_charts_package_chooses_the_backend():
    calls = sorted(
        str(path.relative_to(paths.ROOT))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(matplotlib\.use|plt\.switch_backend)\(", path.read_text(encoding="utf-8"), re.M)
    )
    # enginekernel restores a kernel's own backend between notebooks; it chooses none.
    assert calls == ["healthcheck/present/charts/__init__.py"]
    noqa = [str(p.relative_to(paths.ROOT)) for p in (PACKAGE / "present").rglob("*.py") if "noqa: E402" in p.read_text()]
    assert noqa == ["healthcheck/present/charts/__init__.py"], "imports after a backend switch, outside the one place"


#: A backend as a machine's matplotlibrc might name one: it stands for a window (Tk, Qt) that
#: this machine lacks, and says so by being imported at all.
PROBE = """from matplotlib.backends.backend_agg import FigureCanvas, FigureManager  # noqa: F401
"""


@pytest.mark.pipeline
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


@pytest.mark.pipeline
def test_the_probe_is_what_matplotlib_would_use_otherwise(tmp_path):
    """The test above could fail: without the charts, the same interpreter draws with the probe."""
    (tmp_path / "probe_backend.py").write_text(PROBE, encoding="utf-8")
    (tmp_path / "matplotlibrc").write_text("backend: module://probe_backend\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"MPLCONFIGDIR": str(tmp_path)}
    code = "import sys, matplotlib.pyplot as plt\nplt.close(plt.figure())\nprint('probe_backend' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
