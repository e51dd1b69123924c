"""The analyst's narrative files: safe subset, references, rendering, typed percentages, status, templates."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from healthcheck.data.narrative import files as nar
from healthcheck.data.narrative import myst
from healthcheck.data.narrative import render as mystrender
from healthcheck.errors import DataError

KNOWN = nar.known_targets(["IMP01", "IMP02", "WEL01"], ["wellbeing", "improvement"], [2020, 2021, 2022])
HEAD = "## Findings\n\nSome prose of our own.\n\n"  # the construct under test starts on line 5


def errors(text: str, file: str = "summary.md") -> list:
    return [p for p in nar.check(nar.parse(text, file), KNOWN) if p.severity == "error"]


def rendered_html(markdown: str) -> dict[str, str]:
    """The Markdown as HTML, the ways a chapter's Markdown output can be read."""
    from docutils.core import publish_string
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.docutils_ import Parser
    from myst_parser.parsers.mdit import create_md_parser

    book = MdParserConfig(enable_extensions={"colon_fence", "substitution"})
    settings = {"myst_enable_extensions": ["colon_fence", "substitution"], "output_encoding": "unicode", "report_level": 5}
    return {
        "commonmark": MarkdownIt("commonmark").render(markdown),
        "gfm": MarkdownIt("commonmark").enable("table").render(markdown),
        "myst tokens": create_md_parser(book, RendererHTML).render(markdown),
        # docutils runs MyST roles and directives: what myst-nb's "myst" format would do
        "myst docutils": publish_string(markdown, parser=Parser(), writer_name="html5", settings_overrides=settings),
    }


# ---------------------------------------------------------------------------------- refused


REFUSED = [
    ("```{raw} html\n<script>alert(1)</script>\n```", 5, "directive"),
    ("```{include} ../../secret.md\n```", 5, "directive"),
    ("```{literalinclude} /etc/passwd\n```", 5, "directive"),
    ("```{eval-rst}\n.. raw:: html\n\n   <b>x</b>\n```", 5, "directive"),
    (":::{note}\nA note\n:::", 5, "directive"),
    (":::{raw} html\n<b>x</b>\n:::", 5, "directive"),
    ("::::\nplain colon fence\n::::", 5, ":::"),
    ("```python\nprint('hi')\n```", 5, "code"),
    ("~~~\ncode\n~~~", 5, "code"),
    ("    indented code", 5, "indented"),
    ("<script>alert(1)</script>", 5, "HTML"),
    ("<div onclick='x'>\nhello\n</div>", 5, "HTML"),
    ("Prose on one line\nand <b onclick=x>bold</b> on the next", 6, "HTML"),
    ("Text <img src=x onerror=alert(1)>", 5, "HTML"),
    ("<!-- hidden note -->", 5, "HTML"),
    ("![chart](chart.png)", 5, "images"),
    ("Some {math}`x^2` maths", 5, "{math} is not one"),
    ("A {raw}`<b>x</b>` role", 5, "{raw} is not one"),
    ("See {ref}`label` and {doc}`intro`", 5, "reference role"),
    ("Glued {glue:md}`theme_sentence`", 5, "reference role"),
    ("[x](javascript:alert(1))", 5, "'javascript:'"),
    ("[x](JaVaScRiPt:alert(1))", 5, "'javascript:'"),
    ("[x](<java\tscript:alert(1)>)", 5, "'javascript:'"),
    ("[x](<java script:alert(1)>)", 5, "'javascript:'"),
    ("[x](&#106;avascript:alert(1))", 5, "'javascript:'"),
    ("[x](javascript&colon;alert(1))", 5, "'javascript:'"),
    ("[x](%6Aava%09script:alert(1))", 5, "'javascript:'"),
    ("[x](  vbscript:msgbox(1) )", 5, "'vbscript:'"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", 5, "'data:'"),
    ("<javascript:alert(1)>", 5, "'javascript:'"),
    ("Read [this][r].\n\n[r]: javascript:alert(1)", 5, "'javascript:'"),
    ("[raw data](../../data/2022/export.csv)", 5, "chapter beside this one"),
    ("[raw data](export.csv)", 5, "no links to files"),
    ("[root](/etc/passwd)", 5, "chapter beside this one"),
    ("{{ secret }}", 5, "substitutions"),
    ("Inline {{ secret }} substitution", 5, "substitutions"),
    ("(my-label)=", 5, "targets"),
    ("Costs $x^2$ here", 5, "maths"),
    ("$$\nx^2\n$$", 5, "maths"),
    ("Some `code` here", 5, "backticks"),
    ("A note[^1].\n\n[^1]: the note", 5, "footnotes"),
    ("+++", 5, "+++"),
    ("Broken {pct}`IMP01 reference", 5, "closing backtick"),
    ("- first\n- second with <em>html</em>", 6, "HTML"),
    ("> quoted\nlazy line with <i>html</i>", 6, "HTML"),
    ("| a | b |\n|---|---|\n| 1 | <b>2</b> |", 7, "HTML"),
    ("A reference split {pct}`IMP01\n2021` over lines", 5, "one line"),
]


@pytest.mark.parametrize(("snippet", "line", "message"), REFUSED)
def test_each_construct_outside_the_subset_is_refused_with_its_line(snippet, line, message):
    found = errors(HEAD + snippet + "\n")
    assert found, f"not refused: {snippet!r}"
    assert all(p.file == "summary.md" and p.column is None for p in found)
    assert any(p.row == line and message in p.expected for p in found), [str(p) for p in found]


def test_front_matter_is_refused_on_line_one():
    found = errors("---\ntitle: x\n---\n\n## Findings\n\nText.\n")
    assert [(p.row, "front matter" in p.expected) for p in found] == [(1, True)]


def test_the_safe_subset_passes():
    text = (
        "## Findings\n\n"
        "% a note to myself\n"
        "Prose with *emphasis*, **strong** and a hard break  \n"
        "then links to [a site](https://example.org), [http](http://example.org), "
        "[email](mailto:team@example.org), [a chapter](methods.md), [a page](methods.html) and [here](#findings).\n\n"
        "1. {pct}`IMP01` agreed ({n}`IMP01` responses; {ci}`IMP01`).\n"
        "2. That is {change}`IMP01`; in 2021 it was {pct}`IMP01 2021`.\n\n"
        "- The theme score was {theme-score}`wellbeing`.\n"
        "- {fact}`respondents` staff took part ({fact}`response-rate`); nationally {national}`IMP01`.\n\n"
        "> A quotation, with {region}`IMP02`.\n\n"
        "---\n\n"
        "### Table\n\n"
        "| Statement | Agreed |\n|:---|---:|\n| Priorities | {pct}`IMP01` |\n\n"
        "Setext heading\n--------------\n\n"
        "Escaped \\<not html\\> and a pound sign £5 and 5 \\$ and <https://example.org>.\n"
    )
    assert nar.check(nar.parse(text, "summary.md"), KNOWN) == []


def test_a_level_one_heading_is_a_warning():
    problems = nar.check(nar.parse("Intro.\n\n# Title\n", "summary.md"), KNOWN)
    assert [(p.row, p.severity) for p in problems] == [(3, "warning")]


# ---------------------------------------------------------------------------------- references


def test_references_parse_with_their_lines():
    text = (
        "## Heading with {pct}`IMP01`\n"
        "\n"
        "A paragraph {n}`IMP01` that runs\n"
        "onto a second line with {pct}`IMP02 2021`.\n"
        "\n"
        "| a | b |\n"
        "|---|---|\n"
        "| {ci}`WEL01` | {change}`WEL01` |\n"
        "\n"
        "- item\n"
        "  - nested {theme-score}`wellbeing`\n"
        "\n"
        "> quoted\n"
        "> {fact}`respondents`\n"
    )
    refs = nar.parse(text, "f.md").references
    assert [(r.line, r.role, r.target, r.year) for r in refs] == [
        (1, "pct", "IMP01", None),
        (3, "n", "IMP01", None),
        (4, "pct", "IMP02", 2021),
        (8, "ci", "WEL01", None),
        (8, "change", "WEL01", None),
        (11, "theme-score", "wellbeing", None),
        (14, "fact", "respondents", None),
    ]
    assert refs[2].text == "{pct}`IMP02 2021`"


def test_windows_line_endings_keep_line_numbers():
    refs = nar.parse("## A\r\n\r\nText\r\n{pct}`IMP01`\r\n", "f.md").references
    assert [r.line for r in refs] == [4]


@pytest.mark.parametrize(
    ("reference", "suggestion"),
    [
        ("{pct}`IMP1`", "IMP01"),
        ("{pct}`imp01`", "IMP01"),
        ("{n}`WEL1`", "WEL01"),
        ("{theme-score}`welbeing`", "wellbeing"),
        ("{fact}`respondent`", "respondents"),
        ("{fact}`response rate`", "four-digit year"),
        ("{pct}`IMP01 21`", "four-digit year"),
        ("{pct}`IMP01 2021 extra`", "four-digit year"),
        ("{pct}``", "closing backtick"),
        ("{pct} `IMP01`", "backticks"),
        ("{pct}`IMP01 2019`", "2020, 2021, 2022"),
        ("{pc}`IMP01`", "did you mean {pct}"),
        ("{theme_score}`wellbeing`", "did you mean {theme-score}"),
    ],
)
def test_unknown_references_name_file_line_and_the_closest_choices(reference, suggestion):
    text = f"## Findings\n\nFirst line\nthen {reference} here.\n"
    found = errors(text, "2022/narrative/summary.md")
    assert len(found) == 1, [str(p) for p in found]
    problem = found[0]
    assert (problem.file, problem.row) == ("2022/narrative/summary.md", 4)
    assert suggestion in problem.expected
    assert str(problem).startswith("ERROR 2022/narrative/summary.md, line 4")  # a text file has lines, not rows


def test_benchmark_references_only_name_statements_with_a_benchmark():
    known = nar.known_targets(["IMP01", "IMP02"], ["wellbeing"], [2022], national=["IMP01"])
    problems = nar.check(nar.parse("{national}`IMP01` and {national}`IMP02`\n", "f.md"), known)
    assert [(p.found, "national benchmark" in p.expected) for p in problems] == [("{national}`IMP02`", True)]


# ---------------------------------------------------------------------------------- rendering


def test_render_replaces_references_and_removes_comments():
    text = (
        "% a prompt the reader never sees\n"
        "## Findings\n"
        "\n"
        "{pct}`IMP01` agreed, {change}`IMP01`.\n"
        "% a note between two paragraphs\n"
        "Second paragraph.\n"
        "\n"
        "| Statement | Agreed |\n|---|---|\n| A | {pct}`IMP01` |\n"
    )
    values = {"pct": "82%", "change": "up 3 points since 2021"}
    out = nar.render(nar.parse(text, "f.md"), lambda ref: values[ref.role])
    assert "prompt" not in out and "note between" not in out and "{pct}" not in out
    assert out == (
        "## Findings\n\n&#56;2\\% agreed, &#117;p 3 points since 2021.\n\nSecond paragraph.\n\n"
        "| Statement | Agreed |\n|---|---|\n| A | &#56;2\\% |\n"
    )
    html = rendered_html(out)["gfm"]
    assert "<p>82% agreed, up 3 points since 2021.</p>" in html
    assert "<p>Second paragraph.</p>" in html  # the comment still ends the paragraph
    assert "<td>82%</td>" in html


HOSTILE = [
    "<script>alert(1)</script>",
    "*x*",
    "**bold** _under_ `code`",
    "```{raw} html\n<script>alert(2)</script>\n```",
    "{pct}`IMP01` {{ secret }} $x$",
    "[link](javascript:alert(3)) ![img](x.png) <https://evil.example>",
    "# heading\n- list\n> quote\n    code",
    "&lt;script&gt; &#60;b&#62;",
    "line\u2028break\u202e\x00\x1b",
    "no change",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_render_escapes_what_the_resolver_returns(value):
    text = "## {fact}`year`\n\n{pct}`IMP01` then <{fact}`year`> and *{change}`IMP01`*\n\n| a |\n|---|\n| {pct}`IMP01` |\n"
    out = nar.render(nar.parse(text, "f.md"), lambda ref: value)
    shown = " ".join(value.replace("\u202e", "").replace("\x00", " ").replace("\x1b", " ").replace("\u2028", " ").split())
    for way, html in rendered_html(out).items():
        assert "<script" not in html and "<b>" not in html and "<img" not in html, way
        assert 'href="javascript' not in html and "<em>x</em>" not in html and "<strong>bold" not in html, way
        assert "<no" not in html and "<li>" not in html and "<blockquote>" not in html, way
        visible = re.sub(r"<[^>]+>", "", html)
        from html import unescape

        assert unescape(visible).count(shown) >= 4, (way, html)


def test_render_keeps_a_figure_at_a_line_start_from_becoming_a_list():
    out = nar.render(nar.parse("Para.\n\n{fact}`year`. The year of the survey.\n", "f.md"), lambda ref: "2022")
    assert "<ol" not in rendered_html(out)["commonmark"]
    assert "<p>2022. The year of the survey.</p>" in rendered_html(out)["commonmark"]


def test_a_table_that_plain_commonmark_reads_as_html_is_refused():
    # With tables this is a table of plain text; myst-nb's default (commonmark) reads an HTML
    # block from line 3 to the "-->", and a browser would run the onerror.
    text = "## T\n\n<!-- | a |\n|---|---|\n| --> <img/src=x onerror=alert(1)> | {pct}`IMP01` |\n"
    found = errors(text)
    assert [p.row for p in found] == [3] and "HTML" in found[0].expected
    with pytest.raises(DataError):
        nar.render(nar.parse(text, "f.md"), lambda ref: "82%")


def test_a_value_that_would_make_a_link_is_refused():
    # "(" + value + ")" after "[x]" reads as a link once the value has no space in it.
    found = errors("## T\n\nSee [x]( {pct}`IMP01 2021`) here.\n")
    assert [p.row for p in found] == [3] and "reads the same" in found[0].expected


FRAGMENTS = [
    "{pct}`IMP01`", "{n}`IMP01`", "{fact}`year`", "<", ">", "&", "#", "%", "`", "```", ":::", "{", "}", "{{", "\n",
    "\n\n", "    ", "\t", "-", "*", "_", "1.", "2)", "|", "---", "===", "[", "]", "(", ")", "!", "\\", "$", "<b>", "<!--",
    "-->", "javascript:", "http://x", "a", "b c", "(x)=", "+++", "> ", "- ", "| a | b |\n|---|---|\n", "{raw}", "[x](y)",
    "<http://a>", "&#60;", "&lt;", "\u2028", ":", "'", '"', "=", "\\{", "%comment", "[^1]", "img", "src",
]  # fmt: skip
VALUES = ["82%", "2022", "up 3 points, no change", "<script>x</script>", "<no change>", "*x*", "`", "\\", "[a](b)", "_x_"]
FORBIDDEN = {"html_block", "html_inline", "fence", "code_block", "code_inline", "image", "myst_role", "colon_fence"}


def test_whatever_passes_check_renders_to_plain_markdown_in_every_reader():
    import random

    rng, accepted = random.Random(7), 0
    for _ in range(300):
        narrative = nar.parse("".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 20))), "f.md")
        if any(p.severity == "error" for p in nar.check(narrative, KNOWN)):
            continue
        accepted += 1
        value = rng.choice(VALUES)
        try:
            out = nar.render(narrative, lambda ref, value=value: value)
        except DataError:
            continue  # refusing is safe; what is rendered must be plain
        for reader in mystrender._READERS:
            for token in reader.parse(out):
                for item in [token, *(token.children or [])]:
                    assert item.type not in FORBIDDEN, (narrative.text, out)
                    assert item.type != "link_open" or not myst._link_problem(item.attrs["href"]), (narrative.text, out)
    assert accepted > 50


def test_render_refuses_a_narrative_outside_the_subset():
    with pytest.raises(DataError) as caught:
        nar.render(nar.parse("Text\n\n<script>alert(1)</script>\n", "f.md"), lambda ref: "1")
    assert caught.value.problems[0].row == 3


def test_render_refuses_a_reference_that_resolves_to_nothing():
    with pytest.raises(DataError):
        nar.render(nar.parse("A {pct}`IMP01` b\n", "f.md"), lambda ref: "  ")


# ---------------------------------------------------------------------------------- typed percentages


def test_typed_percentages_are_found_on_their_lines():
    text = (
        "## Results of 2022\n\n"
        "Most (82%) agreed and 75 per cent felt safe,\n"
        "while 60 percent and 12.5 % did not; **40**% were neutral and 33\n"
        "per cent said so.\n"
        "{pct}`IMP01` is a reference, not typed; 90 percentile is not a percentage.\n"
        "% 99% in a comment is ignored\n"
        "[link](https://example.org/55%25)\n\n"
        "| a |\n|---|\n| 7% |\n"
    )
    found = nar.typed_percentages(nar.parse(text, "f.md"))
    assert found == [(3, 82.0), (3, 75.0), (4, 60.0), (4, 12.5), (4, 40.0), (4, 33.0), (12, 7.0)]


def test_the_confidence_level_of_an_interval_is_not_a_typed_figure():
    """The templates' own example: "95% interval" names the interval, it is no figure of the report."""
    text = (
        "## Findings\n\n"
        "{pct}`IMP01` of staff agreed ({n}`IMP01` responses; 95% interval {ci}`IMP01`).\n"
        "A 95 per cent confidence interval, the 90% CI and 95 % Interval are no figures either.\n"
        "But 95% agreed, and 95% of them were confident.\n"
    )
    assert nar.typed_percentages(nar.parse(text, "f.md")) == [(5, 95.0), (5, 95.0)]
    assert nar.percentage_warnings(nar.parse(text, "f.md"), {"{pct}`IMP01`": 81.6})[0].row == 5


def test_nearest_figures_and_warnings_for_typed_percentages():
    figures = {"{pct}`IMP01`": 81.6, "{pct}`IMP02`": 64.2, "{pct}`WEL01`": 70.0, "{theme-score}`wellbeing`": 77.4}
    assert nar.nearest_figures(79, figures, k=2) == [("{theme-score}`wellbeing`", 77.4), ("{pct}`IMP01`", 81.6)]
    assert nar.nearest_figures(65, [64.2, 70.0, 50.0]) == [("64.2%", 64.2), ("70%", 70.0), ("50%", 50.0)]
    text = "## A\n\nWe saw 82% agree, 70 per cent said yes\nand 79% did something else.\n"
    warnings = nar.percentage_warnings(nar.parse(text, "summary.md"), figures)
    assert [(w.row, w.found, w.severity) for w in warnings] == [(4, "79%", "warning")]
    assert "{pct}`IMP01` = 81.6%" in warnings[0].expected


# ---------------------------------------------------------------------------------- status and templates


def test_status():
    assert nar.status(nar.parse("", "f.md")).state == "missing"
    assert nar.status(nar.parse(" \n\n", "f.md")).state == "missing"
    unfinished = nar.status(nar.parse("## Findings\n\n% write the findings\n", "f.md"))
    assert unfinished.state == "unfinished" and unfinished.missing
    half = nar.status(nar.parse("## A\n\nDone.\n\n## B\n\n% write B\n", "f.md"))
    assert half.state == "unfinished" and any("line 5" in m and "'B'" in m for m in half.missing)
    todo = nar.status(nar.parse("## A\n\nDone, but TODO check the figure.\n", "f.md"))
    assert todo == nar.Status("unfinished", ("line 3: a TODO marker",))
    todo_in_note = nar.status(nar.parse("## A\n\nDone.\n% TODO ask Jo\n", "f.md"))
    assert todo_in_note.state == "unfinished"
    assert nar.status(nar.parse("% notes\n\n## A\n\n% prompt\nDone, todo list aside.\n", "f.md")).state == "finished"


@pytest.mark.parametrize("kind", nar.KINDS)
def test_templates_parse_cleanly_and_are_unfinished(kind):
    text = nar.template(
        kind, title="Health and wellbeing", prompts=["WEL01: Manageable workload", "two\nlines"], example=("IMP01", "cpd", 2021)
    )
    narrative = nar.parse(text, f"{kind}.md")
    assert nar.check(narrative, KNOWN) == []
    assert nar.status(narrative).state == "unfinished"
    # the examples use the council's own codes, given by the caller
    assert "{pct}`IMP01`" in text and "{pct}`IMP01 2021`" in text and "{theme-score}`cpd`" in text
    assert "% WEL01: Manageable workload" in text and "% two lines" in text
    assert nar.typed_percentages(narrative) == []
    out = nar.render(narrative, lambda ref: "1")
    # only headings over prompts: nothing a reader would see as an empty section is rendered
    assert "## " in text and out.strip() == ""


@pytest.mark.parametrize("kind", nar.KINDS)
def test_a_first_years_template_refers_to_no_earlier_year(kind):
    text = nar.template(kind, title="Caseloads", prompts=["CL01: Caseload is workable"], example=("CL01", "caseloads", None))
    assert "{pct}`CL01`" in text and "{theme-score}`caseloads`" in text
    assert "None" not in text and not re.search(r"`CL01 \d{4}`|Last year|In \d{4}", text)
    narrative = nar.parse(text, f"{kind}.md")
    assert nar.check(narrative, KNOWN) == [] and nar.status(narrative).state == "unfinished"


def test_template_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="summary"):
        nar.template("preface", title="x", prompts=[])
