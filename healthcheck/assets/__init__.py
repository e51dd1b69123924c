"""The files the package ships besides its code (HTML templates, scripts, style sheets), and
how the code reads them.

They are package data (``pyproject.toml`` lists them), read with :mod:`importlib.resources`, so
an installed package (``pip install .``, a wheel on a Dask worker) finds them as a checkout
does. A template is Jinja2 with autoescaping on; every value a template shows goes through
:func:`healthcheck.escape.html_text` (the environment's ``finalize``), so a page escapes data
exactly as the rest of the package does, and only a value already made into
:class:`markupsafe.Markup` by the code (HTML it assembled itself) is placed as it is.

``text("print.css")`` reads any asset as text, for a style sheet or script that needs no data.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from healthcheck.escape import html_text

__all__ = ["text", "template", "render", "Markup"]


def text(name: str) -> str:
    """The asset `name` (a file name in this folder, e.g. ``"root-page.html"``) as UTF-8 text."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def _finalize(value: object) -> object:
    # Every {{ value }} is escaped by the one escaping module; Markup (HTML the code built, and
    # what filters such as tojson return) passes as it is. Autoescaping stays on underneath as a
    # second guard for anything this lets through as plain text.
    return value if isinstance(value, Markup) else Markup(html_text(value))


def _source(name: str) -> str | None:
    # None tells Jinja2 there is no such template (TemplateNotFound, naming it)
    resource = files(__name__).joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails, never renders as nothing
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def template(name: str) -> jinja2.Template:
    """The Jinja2 template `name` of this folder (compiled once per process)."""
    return _environment().get_template(name)


def render(name: str, /, **values: object) -> str:
    """The template `name` filled in with `values` (each escaped for HTML unless it is Markup)."""
    return template(name).render(**values)
