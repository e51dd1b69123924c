"""Every page of the built book is valid HTML, as the W3C Nu HTML Checker (vnu.jar) judges it.

The checker is the npm package vnu-jar, pinned in package.json and installed into
node_modules/ by `make checkers` (which `make test` runs); it needs a Java runtime (Debian's
default-jre-headless, installed by `make system`). One java process checks every page: it is
slow to start and quick after that.

tests/unit/test_tables.py checks, without Java, the two things of ours that the checker used to
reject: the tables of healthcheck.present.tables and the root page of healthcheck.pipeline.rootpage.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from healthcheck import paths

VNU_JAR = paths.ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SETUP = "run `make checkers` (vnu.jar from npm) and `make system` (Java from Debian), or `make test`"

# Jinja macro files that pydata-sphinx-theme and sphinx-book-theme keep in their static folders
# (webpack-macros.html, sbt-webpack-macros.html): Sphinx copies them into _static/ with the
# theme's CSS. They are template source, not pages: nothing links to them.
NOT_PAGES = ("_static",)


def _pages(html_root: Path) -> list[Path]:
    """Every HTML page of the built site, in a stable order."""
    return sorted(p for p in html_root.rglob("*.html") if p.relative_to(html_root).parts[0] not in NOT_PAGES)


def _run_vnu(files: list[Path]) -> list[dict]:
    """The checker's messages for `files` (one java process), as vnu's JSON gives them."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail(f"the Nu HTML Checker cannot run (java: {java}, {VNU_JAR}: {VNU_JAR.is_file()}): {SETUP}")
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"vnu.jar failed (exit code {proc.returncode}):\n{proc.stderr[-2000:]}"
    return json.loads(proc.stdout)["messages"]


def _describe(message: dict, root: Path) -> str:
    page = message.get("url", "").removeprefix("file:")
    try:
        page = Path(page).relative_to(root).as_posix()
    except ValueError:
        pass
    extract = " ".join(message.get("extract", "").split())[:120]
    return f"{page}:{message.get('lastLine', '?')}: {message['message']}  [{extract}]"


# ----------------------------------------------------------------------------- the built book


def test_every_page_of_the_book_is_valid_html(demo_book):
    html_root = demo_book.out_dir / "html"
    pages = _pages(html_root)
    names = {p.relative_to(html_root).as_posix() for p in pages}
    # the checker must see the whole site: the root page, the chapters, search and index
    assert {"index.html", "search.html", "genindex.html"} <= names, sorted(names)
    assert sum(name.startswith("chapters/") for name in names) >= 5, sorted(names)

    messages = _run_vnu(pages)
    # "error" is invalid HTML; "non-document-error" is a page the checker could not read
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} error(s) from the Nu HTML Checker in {len(pages)} pages:\n" + "\n".join(
        _describe(m, html_root) for m in errors[:60]
    )


# ----------------------------------------------------------------------------- unit: tables
