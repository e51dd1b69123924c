"""matplotlib's backend is chosen in one place (the charts package), and importing the charts
never opens a GUI backend, whatever the machine's default or display."""

from __future__ import annotations

import re

from healthcheck import paths

PACKAGE = paths.ROOT / "healthcheck"


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
