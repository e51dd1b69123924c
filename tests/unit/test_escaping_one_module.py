"""One escaping module: no module of the package (or the book's Sphinx extension) escapes HTML
by itself; all of them go through healthcheck/escape.py, so that escaping changes in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from healthcheck import paths

pytestmark = pytest.mark.unit

THE_ONE = paths.ROOT / "healthcheck" / "escape.py"
# Reading HTML back (html.unescape) is not escaping; everything else of these modules is.
ALLOWED = {"html": {"unescape"}, "markupsafe": {"Markup"}, "xml.sax.saxutils": {"unescape"}}
ESCAPERS = {"html", "markupsafe", "xml.sax.saxutils", "cgi"}


def escaping_outside(source: str) -> list[str]:
    """What a module's source uses to escape HTML by itself: each use as "line: name"."""
    found = []
    bound: dict[str, str] = {}  # local name -> escaping module it stands for
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ESCAPERS:
                    bound[(alias.asname or alias.name).split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in ESCAPERS:
            for alias in node.names:
                if alias.name not in ALLOWED.get(node.module, set()):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            module = bound[node.value.id]
            if node.attr not in ALLOWED.get(module, set()):
                found.append(f"{node.lineno}: {module}.{node.attr}")
    return found


def _sources() -> list[Path]:
    files = [*(paths.ROOT / "healthcheck").rglob("*.py"), *(paths.ROOT / "book").rglob("*.py")]
    return sorted(p for p in files if p != THE_ONE)


def test_no_module_escapes_html_but_escape_py():
    offenders = {
        str(path.relative_to(paths.ROOT)): uses
        for path in _sources()
        if (uses := escaping_outside(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"escape through healthcheck.escape (html_text, html_attr), not: {offenders}"


def test_the_check_sees_every_way_of_escaping_by_hand():
    assert escaping_outside("import html\nx = html.escape(s)\n") == ["2: html.escape"]
    assert escaping_outside("import html as h\nx = h.escape(s, quote=False)\n") == ["2: html.escape"]
    assert escaping_outside("from html import escape\n") == ["1: from html import escape"]
    assert escaping_outside("from markupsafe import escape\n") == ["1: from markupsafe import escape"]
    assert escaping_outside("from xml.sax.saxutils import quoteattr\n") == ["1: from xml.sax.saxutils import quoteattr"]
    # reading HTML back and placing code-built Markup are not escaping
    assert escaping_outside("import html\nx = html.unescape(s)\nfrom markupsafe import Markup\n") == []
