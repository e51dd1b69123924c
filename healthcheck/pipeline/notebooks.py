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
    """Copy the executed chapters to executed/ and export each as a standalone HTML page,
    with every folder of this machine written relative (:func:`without_machine_paths`)."""
    warnings = []
    (out / "executed").mkdir()
    for ch in chapters:
        executed = out / "executed" / f"{ch.name}.ipynb"
        source = book / f"{ch.docname}.ipynb"
        text = source.read_text(encoding="utf-8")
        executed.write_text(without_machine_paths(text, machine_folders(text, out)), encoding="utf-8")
        shutil.copystat(source, executed)
        warnings += export_notebook_html(executed, out / "notebooks" / f"{ch.name}.html")
    return warnings


def machine_folders(notebook_text: str, out: Path) -> list[Path]:
    """The folders of this machine an executed chapter may name: its parameters that are
    absolute paths (the data folder, a batch's benchmark folder), the folders of papermill's
    input and output notebooks, the build folder and the repository."""
    import json

    from healthcheck import paths

    papermill = json.loads(notebook_text).get("metadata", {}).get("papermill", {})
    folders = [Path(v) for v in (papermill.get("parameters") or {}).values() if isinstance(v, str) and Path(v).is_absolute()]
    for key in ("input_path", "output_path"):
        if isinstance(papermill.get(key), str) and Path(papermill[key]).is_absolute():
            folders.append(Path(papermill[key]).parent)
    out = Path(out).resolve()
    folders += [out.parent.parent, paths.ROOT]  # the build folder (out is <build>/.staging-*/out), the repository
    return folders


def without_machine_paths(text: str, folders: list[Path]) -> str:
    """``text`` (a notebook's JSON) with each folder of ``folders`` written as
    :func:`staging.shown_path` gives it, longest first (a folder inside another keeps its own name)."""
    import json

    from healthcheck.pipeline.staging import shown_path

    names = {str(f): shown_path(f) for f in folders} | {str(f.resolve()): shown_path(f) for f in folders}
    for folder in sorted(names, key=len, reverse=True):
        if len(folder.strip("/")) > 1:
            text = text.replace(json.dumps(folder)[1:-1], json.dumps(names[folder])[1:-1])
    return text
