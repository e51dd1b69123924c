"""Escaping for where text lands: HTML, MyST, matplotlib and spreadsheet cells."""

from __future__ import annotations

import io
import re

import matplotlib
import pytest

from healthcheck.escape import html_attr, html_text, mpl_text, myst_text, spreadsheet_cell

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HOSTILE = [
    "# Heading",
    "> quote",
    "- item",
    "+ item",
    "* item",
    "1. first",
    "2) second",
    "***",
    "===",
    "{pct}`IMP01` and {{ organisation }}",
    "$x^2$ and $$y$$",
    "% a comment line",
    "<script>alert(1)</script>",
    "<b>bold</b> &amp; &lt;",
    "[link](https://example.com) ![img](x.png) <https://a.example>",
    "https://evil.example/x and www.example.com",
    "*em* _em_ **strong** `code` ~~gone~~ [^1]",
    "| a | b |",
    ":::{note}",
    "```python",
    "term\n: definition",
    "x{#id .class}",
    "back\\slash \\$ \\",
    "(c) -- \"quotes\" 'single'",
    "    four spaces",
    "a\n\n# b\n    code\n% c\n- d",
    "line  \nbreak",
    "\ttab",
    'Team =HYPERLINK("x")',
    "Zoë said \u201chi\u201d",
]


def _myst_parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    extensions = [
        "amsmath",
        "attrs_inline",
        "attrs_block",
        "colon_fence",
        "deflist",
        "dollarmath",
        "fieldlist",
        "html_admonition",
        "html_image",
        "replacements",
        "smartquotes",
        "strikethrough",
        "substitution",
        "tasklist",
    ]
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def _words(text: str) -> str:
    return " ".join(line.strip() for line in text.replace("\t", " ").splitlines() if line.strip())


@pytest.mark.parametrize("text", HOSTILE)
def test_myst_text_renders_literally(text):
    parser = _myst_parser()
    tokens = parser.parse(myst_text(text))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children
    assert {child.type for child in children} <= {"text", "softbreak"}
    assert "".join(child.content for child in children) == _words(text)
    assert "<script" not in parser.render(myst_text(text))


def test_myst_text_keeps_lines_as_hard_breaks_when_asked():
    tokens = _myst_parser().parse(myst_text("# one\n\n> two\n- three", newlines="break"))
    children = tokens[1].children
    assert [c.type for c in children] == ["text", "hardbreak", "text", "hardbreak", "text"]
    assert [c.content for c in children if c.type == "text"] == ["# one", "> two", "- three"]
    with pytest.raises(ValueError):
        myst_text("x", newlines="paragraph")


def test_myst_text_in_a_table_cell_stays_in_the_cell():
    team = myst_text("a | b\nc")
    table = f"| team | n |\n| --- | --- |\n| {team} | 3 |\n"
    tokens = _myst_parser().parse(table)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert cells == ["team", "n", "a | b c", "3"]  # two cells: the escaped "|" did not split the cell
    assert "a | b c" in _myst_parser().render(table)


def test_html_escaping():
    # quotes too: html_text is safe in content and in a quoted attribute alike
    assert html_text('<img src=x onerror="alert(1)"> & co') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co"
    assert html_attr('" onmouseover="alert(1)') == "&quot; onmouseover=&quot;alert(1)"
    assert html_attr("it's") == "it&#x27;s"
    assert html_text(None) == "" and html_text(float("nan")) == "" and html_text(82) == "82"


def _svg(label: str, fonttype: str) -> str:
    # From matplotlib's defaults: importing the house style (as any test that makes a Chapter
    # does) changes the global rcParams, and this test must not depend on which ran first.
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        return _svg_drawn(label, fonttype)


def _svg_drawn(label: str, fonttype: str) -> str:
    with matplotlib.rc_context({"svg.fonttype": fonttype, "svg.hashsalt": "test"}):
        figure, axes = plt.subplots()
        axes.set_title(label)
        axes.plot([0, 1], [0, 1], label=label)
        axes.legend()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
        plt.close(figure)
    return buffer.getvalue()


@pytest.mark.parametrize("text", ["$x$", "costs $5 and $10", "_hidden team", "\\$ already \\$", "a $\\alpha$ b"])
def test_mpl_text_draws_literally(text):
    # With real SVG text, the drawn string is in a <text> element; with the house style's
    # glyph paths, matplotlib writes each drawn string as a comment.
    texts = re.findall(r"<text[^>]*>(.*?)</text>", _svg(mpl_text(text), "none"), re.S)
    assert sum(t.replace("&amp;", "&").replace("\u200b", "") == text for t in texts) == 2  # title and legend
    comments = re.findall(r"<!-- (.*?) -->", _svg(mpl_text(text), "path"))
    assert sum(c.replace("\u200b", "") == text for c in comments) == 2


@pytest.mark.parametrize("text", ["costs $5 and $10", "$x$", "_hidden team"])
def test_mpl_text_draws_literally_under_the_house_style(text):
    # The charts are drawn with the house style, which turns mathtext off: there an escaped
    # "\\$" would be drawn with its backslash (the word cloud once showed "\\$5").
    from healthcheck.present.charts import style

    with matplotlib.rc_context(style.HOUSE_RC):
        texts = re.findall(r"<text[^>]*>(.*?)</text>", _svg_drawn(mpl_text(text), "none"), re.S)
    assert sum(t.replace("&amp;", "&").replace("\u200b", "") == text for t in texts) == 2


def test_unescaped_dollars_would_be_mathtext():
    # The check above means something: without mpl_text, "$x$" is drawn as a formula.
    texts = re.findall(r"<text[^>]*>(.*?)</text>", _svg("$x$", "none"), re.S)
    assert "$x$" not in texts


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+1", "'+1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("'=already", "'=already"),
        ("Safeguarding", "Safeguarding"),
        ("a=b", "a=b"),
        ("", ""),
        ("-2", "-2"),
        ("+1.5", "+1.5"),
        ("-1e3", "-1e3"),
        (5, 5),
        (-2.5, -2.5),
        (True, True),
        (None, None),
    ],
)
def test_spreadsheet_cell(value, expected):
    assert spreadsheet_cell(value) == expected
    assert spreadsheet_cell(spreadsheet_cell(value)) == expected  # applying twice changes nothing more
