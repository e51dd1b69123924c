"""The site's root page: a valid HTML page that sends the reader on to the first chapter.

Jupyter Book 1 writes ``index.html`` as a single ``<meta http-equiv="Refresh">`` line: no
doctype, no language and no title, so the W3C checker rejects it, a screen reader announces an
untitled page, and a browser that does not follow the refresh shows a blank page. This page
redirects the same way (a meta refresh with no delay: no script, works offline and from a
file) and also says where it goes, with a plain link to follow by hand.

The page is the template ``healthcheck/assets/root-page.html``. It follows the reader's colour
scheme, as the book does, so a dark-mode reader gets no white flash; its colours are set in full
(not left to the browser's dark defaults, which axe-core cannot see and so measures against
white).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from healthcheck import assets

__all__ = ["write_root_page", "root_page"]

# A language tag as BCP 47 spells it (en, en-GB, cy, zh-Hant-TW): letters and digits in
# groups joined by hyphens. Enough to refuse anything that would break the attribute.
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def write_root_page(html_dir: Path, first_page: str, title: str, lang: str = "en") -> None:
    """Replace `html_dir`/index.html with a valid page that redirects to `first_page`.

    `first_page` is the first chapter's path relative to `html_dir`, as in the built site
    (e.g. "chapters/00_summary.html"); it must exist there, so that a renamed chapter fails
    the build instead of publishing a redirect to nowhere. `title` is the book's title (plain
    text, escaped here); `lang` the page's language.
    """
    html_dir = Path(html_dir)
    target = _relative_page(first_page)
    if not (html_dir / target).is_file():
        raise FileNotFoundError(f"the root page would redirect to {first_page!r}, which is not in {html_dir}")
    (html_dir / "index.html").write_text(root_page(first_page, title, lang), encoding="utf-8")


def root_page(first_page: str, title: str, lang: str = "en") -> str:
    """The root page's HTML (see write_root_page)."""
    if not _LANG.match(lang):
        raise ValueError(f"not a language tag: {lang!r}")
    if not title.strip():
        raise ValueError("the root page needs a title")
    # The template (healthcheck/assets/root-page.html) escapes both for HTML; the link is
    # percent-encoded for the URL first.
    href = quote(_relative_page(first_page).as_posix(), safe="/")
    return assets.render("root-page.html", lang=lang, href=href, title=" ".join(title.split()))


def _relative_page(first_page: str) -> PurePosixPath:
    """`first_page` as a path inside the site; ValueError for anything that could lead elsewhere."""
    parts = urlsplit(first_page)
    path = PurePosixPath(first_page)
    if (
        not first_page
        or parts.scheme
        or parts.netloc
        or parts.query
        or parts.fragment
        or "\\" in first_page
        or path.is_absolute()
        or ".." in path.parts
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in first_page)
    ):
        raise ValueError(f"the first page must be a relative path inside the site, not {first_page!r}")
    return path
