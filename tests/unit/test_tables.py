"""The accessible table markup and the root page, valid HTML by construction (the W3C checker
itself runs over a built book in test_html_valid.py)."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from healthcheck.pipeline.rootpage import root_page, write_root_page
from healthcheck.present.tables import html_table, scroll_region


class _Elements(HTMLParser):
    """Every start tag of a fragment, with its attributes and the tags it sits in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, tuple[str, ...]]] = []
        self.open: list[str] = []
        self.text: list[tuple[tuple[str, ...], str]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), tuple(self.open)))
        if tag not in ("meta", "br", "img", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append((tuple(self.open), data))


def _parse(fragment: str) -> _Elements:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    assert not parser.open, f"unclosed elements: {parser.open}"
    return parser


FRAME = pd.DataFrame(
    {
        "Recommendation": ["Supervision <b>for all</b>", 'Caseloads & "cover"'],
        "Owner <i>": ["Head of 'service'", None],
        "Due": ["2023", float("nan")],
    }
)


@pytest.mark.parametrize("css_class", ["hc-table", "hc-table hc-table-stack"])
def test_tables_have_no_roles_inside_a_table_and_keep_their_headers(css_class):
    doc = _parse(html_table(FRAME, "Recommendations & owners", css_class=css_class))
    tables = [(attrs, ancestors) for tag, attrs, ancestors in doc.elements if tag == "table"]
    assert len(tables) == 1
    # ARIA in HTML: no role on a table's parts while the table is exposed as a table (issue #15)
    roles = [(tag, attrs["role"]) for tag, attrs, ancestors in doc.elements if "table" in ancestors + (tag,) and "role" in attrs]
    assert roles == []
    tags = [tag for tag, _, _ in doc.elements]
    assert tags.count("caption") == 1 and tags.index("caption") == tags.index("table") + 1
    assert [a.get("scope") for t, a, anc in doc.elements if t == "th" and "thead" in anc] == ["col"] * 3
    assert [a.get("scope") for t, a, anc in doc.elements if t == "th" and "tbody" in anc] == ["row"] * 2
    assert tags.count("td") == 4


def test_stacked_tables_label_each_data_cell_with_its_column():
    doc = _parse(html_table(FRAME, "Recommendations", css_class="hc-table hc-table-stack"))
    labels = [attrs.get("data-label") for tag, attrs, _ in doc.elements if tag == "td"]
    assert labels == ["Owner <i>", "Due"] * 2  # unescaped by the parser: the attribute held the text
    plain = _parse(html_table(FRAME, "Recommendations"))
    assert all("data-label" not in attrs for _, attrs, _ in plain.elements)


def test_every_cell_caption_and_label_is_escaped():
    out = html_table(FRAME, 'Caption <script>alert("x")</script>', css_class="hc-table hc-table-stack")
    for raw in ("<b>", "<i>", "<script>", "& ", '"cover"'):
        assert raw not in out, raw
    assert "Supervision &lt;b&gt;for all&lt;/b&gt;" in out
    assert "Caseloads &amp; &quot;cover&quot;" in out
    assert "Head of &#x27;service&#x27;" in out
    doc = _parse(out)
    caption = "".join(text for open_, text in doc.text if open_ and open_[-1] == "caption")
    assert caption == 'Caption <script>alert("x")</script>'
    region = doc.elements[0]
    assert region[0] == "div" and region[1]["aria-label"] == caption


def test_missing_values_are_empty_cells():
    doc = _parse(html_table(FRAME, "Recommendations"))
    cells = [a for t, a, anc in doc.elements if t == "td"]
    assert len(cells) == 4
    body = "".join(text for open_, text in doc.text if open_ and open_[-1] == "td")
    assert "nan" not in body.lower() and "None" not in body


def test_without_row_headers_every_body_cell_is_a_data_cell():
    doc = _parse(html_table(FRAME, "Recommendations", row_header=False))
    assert not [a for t, a, anc in doc.elements if t == "th" and "tbody" in anc]
    assert len([t for t, a, anc in doc.elements if t == "td"]) == 6


def test_scroll_region_is_a_named_focusable_region():
    doc = _parse(scroll_region("<p>wide</p>", 'Chart: "A & B"', "hc-figure-scroll"))
    tag, attrs, _ = doc.elements[0]
    assert (tag, attrs["role"], attrs["tabindex"], attrs["class"]) == ("div", "region", "0", "hc-figure-scroll")
    assert attrs["aria-label"] == 'Chart: "A & B"'


# ----------------------------------------------------------------------------- unit: root page


def test_root_page_is_a_titled_page_that_redirects_to_the_first_chapter(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "00_summary.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=chapters/00_summary.html" />')

    write_root_page(tmp_path, "chapters/00_summary.html", "Social Work <Health> Check 2022")

    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n")
    doc = _parse(page)
    html_attrs = next(a for t, a, _ in doc.elements if t == "html")
    assert html_attrs["lang"] == "en"
    title = "".join(text for open_, text in doc.text if open_ and open_[-1] == "title")
    assert title == "Social Work <Health> Check 2022"
    refresh = [a for t, a, _ in doc.elements if t == "meta" and a.get("http-equiv") == "refresh"]
    assert [a["content"] for a in refresh] == ["0; url=chapters/00_summary.html"]
    links = [a["href"] for t, a, _ in doc.elements if t == "a"]
    assert links == ["chapters/00_summary.html"]  # a visible link, for when the refresh is not followed
    assert "<script" not in page and "http" not in page.replace('http-equiv="refresh"', "")  # offline, no script


def test_root_page_language_and_odd_file_names(tmp_path):
    page = root_page("chapters/my chapter.html", "  A   title\n", lang="en-GB")
    assert '<html lang="en-GB">' in page
    assert "url=chapters/my%20chapter.html" in page and 'href="chapters/my%20chapter.html"' in page
    assert "<title>A title</title>" in page


@pytest.mark.parametrize(
    "first_page",
    [
        "",
        "/chapters/a.html",
        "../a.html",
        "chapters/../../a.html",
        "https://example.org/a.html",
        "//example.org/a.html",
        "javascript:alert(1)",
        "a.html?x=1",
        "a.html#top",
        "a\\b.html",
        "a\n.html",
    ],
)
def test_root_page_refuses_a_target_outside_the_site(first_page):
    with pytest.raises(ValueError):
        root_page(first_page, "Title")


@pytest.mark.parametrize("lang", ["", "en GB", 'en"><script>', "e"])
def test_root_page_refuses_a_bad_language(lang):
    with pytest.raises(ValueError):
        root_page("a.html", "Title", lang=lang)


def test_root_page_refuses_a_missing_first_page(tmp_path):
    before = '<meta http-equiv="Refresh" content="0; url=chapters/a.html" />'
    (tmp_path / "index.html").write_text(before, encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        write_root_page(tmp_path, "chapters/a.html", "Title")
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == before
