"""Sphinx glue for the report, loaded from _config.yml (sphinx.local_extensions).

* A "plain" maths renderer. Sphinx picks a registered renderer over MathJax, so no page ever
  loads MathJax from its CDN; the report has no maths, and any that slips in shows as text.
* Links such as ``[data](../downloads/q1.csv)`` in chapters point at the figure files the
  chapters wrote (``extra/downloads``, published as ``downloads/``). MyST would take them for
  missing cross-references; they become plain relative links here, with a warning when no
  chapter wrote the file.
* Page titles that sphinx-book-theme puts into its templates as plain text (``pagetitle`` in
  the print header, ``root_title`` in the sidebar) are escaped: a title can carry a theme's
  name from the data folder, and text from the data is never markup.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from healthcheck.escape import html_text

logger = logging.getLogger(__name__)

DOWNLOADS = "downloads"
EXTRA_DIR = "extra"


def _visit_inline_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(self.encode(node.astext()))
    self.body.append("</span>")
    raise nodes.SkipNode


def _visit_block_math(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    self.body.append(self.encode(node.astext()))
    self.body.append("</div>\n")
    raise nodes.SkipNode


class DownloadLinks(SphinxPostTransform):
    """Turn MyST links into ``downloads/`` into plain links (before MyST resolves them)."""

    default_priority = 8  # MyST's own resolver runs at 9
    formats = ("html",)

    def run(self, **kwargs):
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain"):
                continue
            # The document the link was written in (in the single-page build every chapter is
            # assembled into the root document, so env.docname is not it).
            docname = node.get("refdoc", self.env.docname)
            target = node["reftarget"].split("#", 1)[0]
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
            head, _, name = resolved.partition("/")
            if head != DOWNLOADS or not name:
                continue
            if not (Path(self.env.srcdir) / EXTRA_DIR / DOWNLOADS / name).is_file():
                logger.warning(f"link to {target!r}, but no chapter wrote {DOWNLOADS}/{name}", location=node)
            # singlehtml puts every chapter into one page at the top of the build
            uri = resolved if self.app.builder.name == "singlehtml" else target
            ref = nodes.reference("", "", internal=False, refuri=uri, classes=["download-link"])
            ref += [child.deepcopy() for child in node.children]
            node.replace_self(ref)


def _escape_theme_titles(app, pagename, templatename, context, doctree):
    """Escape the titles the theme hands to its templates unescaped (it sets them at priority 500)."""
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = html_text(context[key])


def setup(app):
    app.connect("html-page-context", _escape_theme_titles, priority=900)
    app.add_html_math_renderer(
        "plain",
        inline_renderers=(_visit_inline_math, None),
        block_renderers=(_visit_block_math, None),
    )
    app.add_post_transform(DownloadLinks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
