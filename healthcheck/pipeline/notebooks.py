"""The auditors' copies: each executed chapter kept as a notebook and exported as a standalone
HTML page with its code shown (nbconvert, with nothing fetched from a CDN)."""

from __future__ import annotations

import functools
import shutil
import threading
from pathlib import Path

_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- nbconvert's lab template without anything fetched from a CDN (require.js, MathJax,
    Mermaid, widgets): the exported notebooks must open offline. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_notebook_html(notebook: Path, html_path: Path) -> list[str]:
    """An executed chapter as one standalone HTML page, code shown, for auditors (no CDN).

    Returns nbconvert's warnings (e.g. images without alternative text)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    _show_glued_values(nb)
    with _EXPORTING:  # one page at a time per process: the exporter and its warnings are shared
        exporter, records = _exporter()
        records.clear()
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
        warnings = [f"notebooks/{html_path.name}: {message}" for message in records]
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return warnings


_EXPORTING = threading.Lock()


@functools.cache
def _exporter() -> tuple:
    """One exporter for every page (as nbconvert's own command does): its templates are
    compiled once, not once per chapter. Returns it with the list its warnings go to."""
    import logging

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"healthcheck_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="healthcheck_offline.html.j2",
        mathjax_url="",
        require_js_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
        jupyter_widgets_base_url="",
        embed_images=True,
    )
    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger = logging.getLogger("healthcheck.nbconvert")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    logger.addHandler(_Collect())
    exporter.log = logger
    return exporter, records


GLUE_PREFIX = "application/papermill.record/"


def _show_glued_values(nb) -> None:
    """Values saved with myst_nb.glue are stored under a papermill mime type that nbconvert
    cannot show; give them their plain type so auditors see each value where it was made."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if any(key.startswith(GLUE_PREFIX) for key in data):
                output["data"] = {key.removeprefix(GLUE_PREFIX): value for key, value in data.items()}


def export_chapters(chapters, book: Path, out: Path) -> list[str]:
    """Copy the executed chapters to executed/ and export each as a standalone HTML page."""
    warnings = []
    (out / "executed").mkdir()
    for ch in chapters:
        executed = out / "executed" / f"{ch.name}.ipynb"
        shutil.copy2(book / f"{ch.docname}.ipynb", executed)
        warnings += export_notebook_html(executed, out / "notebooks" / f"{ch.name}.html")
    return warnings
