"""The one page model (present/page.py) and the package's assets (healthcheck/assets): the
council's chapters and the national book share one figure block, one CSV download, one notice,
and the HTML templates escape every value through healthcheck.escape."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

import jinja2
import matplotlib
import pandas as pd
import pytest

from healthcheck import assets, paths
from healthcheck.escape import html_text
from healthcheck.present.chapter import Chapter
from healthcheck.present.charts.style import NARROW_IN, WIDE_IN, finish, new_figure
from healthcheck.present.national.book import NationalBook
from healthcheck.present.page import NARROW_MEDIA, Page

matplotlib.use("Agg")

pytestmark = pytest.mark.unit

HOSTILE = '<b>Team "A" & B\'s</b>'


def _chart(width: float):
    fig = new_figure(width, 2.0, "A finding", "A subtitle")
    fig.add_subplot().bar([0, 1], [40, 60])
    return finish(fig, "Alt text")


def test_the_council_chapter_and_the_national_book_are_one_kind_of_page():
    for book in (Chapter, NationalBook):
        assert issubclass(book, Page)
        # one figure block, one download, one way to note a read, one notice: none redefined
        for method in ("show_figure", "figure_html", "download_csv", "record_read", "glue_md", "show_notice"):
            assert method not in vars(book), f"{book.__name__} redefines {method}"
    assert NationalBook.downloads_href == "../../downloads" and Chapter.downloads_href == "../downloads"


def test_the_figure_block_has_both_drawings_alt_text_data_and_downloads(tmp_path):
    page = Page(2022, tmp_path / "downloads")
    data = pd.DataFrame({"Team": [HOSTILE, "B"], "% agree": [40.0, 60.0]})
    block = page.figure_html(_chart(WIDE_IN), "wellbeing-team", HOSTILE, f"alt {HOSTILE}", data, narrow=_chart(NARROW_IN))
    assert block.startswith('<figure class="hc-figure" id="fig-wellbeing-team">') and "\n" not in block
    # the narrow drawing for phones, the wide one for everything else, both with the alt text
    assert f'<picture class="hc-picture"><source media="{NARROW_MEDIA}" srcset="data:image/svg+xml;base64,' in block
    assert f'alt="alt {html_text(HOSTILE)}"' in block and re.search(r'<img [^>]*width="\d+" height="\d+"', block)
    assert f"<figcaption>{html_text(HOSTILE)} " in block and HOSTILE not in block
    assert '<a href="../downloads/2022-wellbeing-team.csv" download>Download the data (CSV)</a>' in block
    assert '<a href="../downloads/2022-wellbeing-team.svg">Open the chart full size (SVG)</a>' in block
    assert block.endswith("</details>") and '<details class="hc-data"><summary>' in block
    written = sorted(p.name for p in (tmp_path / "downloads").iterdir())
    assert written == ["2022-wellbeing-team-narrow.svg", "2022-wellbeing-team.csv", "2022-wellbeing-team.svg"]
    assert pd.read_csv(tmp_path / "downloads" / "2022-wellbeing-team.csv")["Team"].tolist() == [HOSTILE, "B"]


def test_a_figure_without_downloads_or_data_offers_neither(tmp_path):
    block = Page(2022).figure_html(_chart(WIDE_IN), "x", "Caption", "Alt", None)
    assert "<picture" not in block and "download" not in block and "<details" not in block
    assert block.endswith("<figcaption>Caption</figcaption></figure>")


def test_one_csv_download_with_its_link_from_where_the_page_is(tmp_path):
    class Deeper(Page):
        downloads_href = "../../downloads"

    frame = pd.DataFrame({"a": [1]})
    link = Deeper(2024, tmp_path).download_csv(frame, "regions", "Download the regions (CSV)")
    assert (
        link
        == '<p class="hc-screen-only"><a href="../../downloads/2024-regions.csv" download>Download the regions (CSV)</a>.</p>'
    )
    assert (tmp_path / "2024-regions.csv").is_file()
    assert Page(2024, tmp_path).download_csv(frame, "quiet") == "" and (tmp_path / "2024-quiet.csv").is_file()
    assert Page(2024).download_csv(frame, "none", "Download (CSV)") == ""  # no downloads folder: no link


def test_templates_escape_through_the_one_module_and_refuse_unknown_names():
    notice = assets.render("notice.html", head="Demo", text=HOSTILE, anchor=None, css="hc-notice")
    assert notice == f'<aside class="hc-notice" role="note"><strong>Demo.</strong> {html_text(HOSTILE)}</aside>'
    shown = assets.render("notice.html", head="Demo", text=assets.Markup("<a href='x'>y</a>"), anchor='a"b', css="hc-notice")
    assert "<a href='x'>y</a>" in shown and 'id="a&quot;b"' in shown  # code-built HTML kept; data escaped
    with pytest.raises(jinja2.UndefinedError):
        assets.render("notice.html", head="Demo", css="hc-notice")


def test_every_asset_is_package_data():
    config = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["healthcheck.assets"]
    folder = paths.ROOT / "healthcheck" / "assets"
    files = [p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".py"]
    assert files and all(any(fnmatch(name, pattern) for pattern in patterns) for name in files), files
    assert assets.text("root-page.html").startswith("<!DOCTYPE html>")
