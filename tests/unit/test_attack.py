"""The disclosure attack on built books, the one rounding rule across outputs, and leaks (#12).

Unit tests read small hand-made files; the pipeline test builds one synthetic book whose
layout leaked under the old suppression; the book tests read the demonstration book.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd

from healthcheck.analysis import disclosure as D
from healthcheck.audit import attack as A
from healthcheck.audit.published import read_outputs, svg_cells, tenths_interval
from tests.support.chart_tables import one_statement, three_groups_one_hidden

YEAR = 2023
BREAKDOWN_HEADER = "Code,Statement,Team,% agreeing,Valid responses,Note\n"
RESPONSES_HEADER = (
    "Code,Statement,Strongly agree (%),Agree (%),Neither agree nor disagree (%),Disagree (%),Strongly disagree (%),"
    "Valid responses\n"
)
# Two teams: X (12 staff, 6 agree) is shown, Y (3 staff, 2 agree) is "<10"; 15 staff in all,
# 8 agreeing (4 + 4 of 15 = 26.7% + 26.7%).
TEAMS_CSV = BREAKDOWN_HEADER + "Q1,Statement one,X,50%,12,\nQ1,Statement one,Y,,,fewer than 10 responses\n"
RESPONSES_CSV = RESPONSES_HEADER + "Q1,Statement one,26.7,26.7,20.0,13.3,13.3,15\n"
STRUCTURE = pd.DataFrame({"team": ["X", "Y"], "locality": ["", ""], "role": ["", ""]})


def write_book(root: Path, files: dict[str, str | bytes]) -> Path:
    """A hand-made book: each file at its path under `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def downloads(**files: str) -> dict[str, str]:
    return {f"html/downloads/{YEAR}-{name.replace('_', '-')}.csv": text for name, text in files.items()}


def cell(obs: pd.DataFrame, source: str, group: str, question: str = "Q1") -> pd.Series:
    rows = obs[(obs["source"] == source) & (obs["group"] == group) & (obs["question_id"] == question)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


SVG = """<svg xmlns="http://www.w3.org/2000/svg">
 <g id="cell:Q1:X"><path d="M 10 10 L 110 10 L 110 60 L 10 60 z" style="fill: #4b7090"/></g>
 <g id="cell:Q1:Y &amp; Z"><path d="M 10 60 L 110 60 L 110 110 L 10 110 z"/></g>
 <g id="text_1"><!-- Agreement by team ranges from 50% to 50% --><g transform="translate(5 -20) scale(0.1 -0.1)"></g></g>
 <g id="text_2"><!-- Y &amp; Z --><g transform="translate(-60 90) scale(0.1 -0.1)"></g></g>
 <g id="text_3"><!-- 50%* --><g style="fill: #ffffff" transform="translate(45 40) scale(0.11 -0.11)"></g></g>
 <g id="text_4"><g id="patch_9"><path d="M 40 95 L 70 95 z"/></g>
  <!-- &lt;10 --><g style="fill: #0b0c0c" transform="translate(48 90) scale(0.11 -0.11)"></g></g>
</svg>"""


def html_page(svg: str, alt: str, rows: list[tuple]) -> str:
    """A chapter page as the book writes it: a figure with the chart embedded, then its data table."""
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    body = "".join(
        f'<tr><th scope="row">{q}</th><td>{s}</td><td>{html.escape(g, quote=False)}</td><td>{p}</td><td>{n}</td>'
        f"<td>{note}</td></tr>"
        for q, s, g, p, n, note in rows
    )
    return (
        '<html><body><figure class="hc-figure" id="fig-people-by-team"><div class="hc-figure-scroll">'
        f'<img src="{src}" alt="{html.escape(alt)}" /></div><figcaption>People by team</figcaption></figure>'
        '<details class="hc-data"><summary>Show the data behind this chart</summary><div class="hc-table-wrap">'
        '<table class="hc-table"><caption>People by team</caption><thead><tr><th scope="col">Code</th>'
        '<th scope="col">Statement</th><th scope="col">Team</th><th scope="col">% agreeing</th>'
        f'<th scope="col">Valid responses</th><th scope="col">Note</th></tr></thead><tbody>{body}</tbody></table></div>'
        "</details></body></html>"
    )


# --------------------------------------------------------------------------- reading each output


def test_one_decimal_percentages_give_every_count_that_could_round_to_them():
    assert tenths_interval("28.8", 80) == (23, 23)  # 23 of 80 is 28.75%: rounded up ...
    assert tenths_interval("28.7", 80) == (23, 23)  # ... or, by floating point, down; both allowed
    assert tenths_interval("26.7", 15) == (4, 4)
    assert tenths_interval("0.0", 2000) == (0, 1)  # 1 of 2000 is 0.05%


def test_csv_downloads_give_breakdown_cells_and_all_staff_counts(tmp_path):
    teams = TEAMS_CSV + "Q1,Statement one,'-Minus team,45%,11,caution: a small base\nQ1,Statement one,Z,,,hidden so that x\n"
    change = "Statement,This year,Last year,Change,Significance\nStatement one,53% (n=15),40% (2022),'+13 pts,x\n"
    trend = (
        "Code,Statement,Year,% agreeing,95% interval,Valid responses,Source\n"
        "Q1,Statement one,2022,40.0,20 to 60,20,survey counts\nQ1,Statement one,2023,53.3,30 to 75,15,survey counts\n"
    )
    book = write_book(
        tmp_path, downloads(people_by_team=teams, people_responses=RESPONSES_CSV, people_change=change, people_trend=trend)
    )
    out = read_outputs(book, YEAR)
    obs = out.observations
    assert out.findings == []
    x = cell(obs, "csv", "X")
    assert (x["status"], x["pct"], x["n_valid"], x["n_positive_lo"], x["n_positive_hi"]) == (D.SHOWN, "50%", 12, 6, 6)
    assert cell(obs, "csv", "Y")["status"] == D.PRIMARY and cell(obs, "csv", "Z")["status"] == D.SECONDARY
    assert cell(obs, "csv", "-Minus team")["pct"] == "45%"  # the spreadsheet apostrophe is not part of the name
    everyone = obs[obs["group_type"] == "all"]
    assert len(everyone) == 3  # responses, change (through the statement) and this year's trend row only
    assert set(zip(everyone["n_valid"], everyone["n_positive_lo"], everyone["n_positive_hi"], strict=True)) == {(15, 8, 8)}


def test_the_workbook_is_read_sheet_by_sheet_under_its_file_names(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Contents"
    book["Contents"].append(["Sheet", "Figure data file"])
    book["Contents"].append(["1", f"{YEAR}-people-by-team.csv"])
    sheet = book.create_sheet("1")
    for line in TEAMS_CSV.splitlines():
        sheet.append([int(v) if v.isdigit() else v for v in line.split(",")])  # a base stored as a number
    (tmp_path / "html" / "downloads").mkdir(parents=True)
    book.save(tmp_path / "html" / "downloads" / f"{YEAR}-all-figure-data.xlsx")
    obs = read_outputs(tmp_path, YEAR).observations
    x = cell(obs, "xlsx", "X")
    assert x["file"].endswith(f"[{YEAR}-people-by-team.csv]")
    assert (x["pct"], x["n_valid"]) == ("50%", 12)
    assert cell(obs, "xlsx", "Y")["status"] == D.PRIMARY


def test_chart_cells_are_the_texts_inside_their_rectangles():
    cells, others = svg_cells(SVG)
    assert cells == [("Q1", "X", "50%*"), ("Q1", "Y & Z", "<10")]
    assert others == ["Agreement by team ranges from 50% to 50%", "Y & Z"]


def test_a_real_heat_map_reads_back_cell_by_cell(tmp_path):
    from healthcheck.present import charts

    table = pd.DataFrame(
        {
            "question_id": ["Q1", "Q1", "Q1", "Q2", "Q2", "Q2"],
            "group_type": "team",
            "group": ["A & B", "C", "D", "A & B", "C", "D"],
            "n_valid": [40, pd.NA, pd.NA, 33, 15, pd.NA],
            "pct_positive": [82.5, np.nan, np.nan, 12.5, 50.0, np.nan],
            "suppressed": [False, True, True, False, False, True],
            "reason": ["", "fewer than 10 responses", "hidden so that a small group cannot be worked out", "", "", "fewer"],
        }
    )
    questions = pd.DataFrame({"question_id": ["Q1", "Q2"], "year": YEAR, "short": ["One", "Two <b>"]})
    fig = charts.breakdown_heatmap(table, questions, "team", year=YEAR, caution=20)
    svg = charts.save_figure(fig, tmp_path / "chart.svg").read_text(encoding="utf-8")
    got = dict(((q, g), text) for q, g, text in svg_cells(svg)[0])
    assert got == {
        ("Q1", "A & B"): "83%",  # halves up
        ("Q1", "C"): "<10",
        ("Q1", "D"): "hidden",
        ("Q2", "A & B"): "13%",
        ("Q2", "C"): "50%*",
        ("Q2", "D"): "<10",
    }


HOSTILE_GROUPS = [
    '=HYPERLINK("http://evil.example/XSS-team","x")',  # matplotlib puts this id in single quotes
    '<b onmouseover=alert("XSS-team2")>South</b>',
    'It\'s "both" & more',  # both quotes: the id in double quotes, with &quot; and &apos;
]


def test_group_names_that_look_like_formulas_or_markup_read_back_the_same_from_every_format(tmp_path):
    # Each format escapes a name its own way: a spreadsheet apostrophe in the CSV, entities in
    # the HTML, XML escaping (and single quotes) in the SVG. Read back, all give the same name.
    import csv
    import io

    from healthcheck.escape import spreadsheet_cell
    from healthcheck.present import charts

    groups = HOSTILE_GROUPS
    table = three_groups_one_hidden(groups)
    questions = one_statement("Statement one", YEAR)
    fig = charts.breakdown_heatmap(table, questions, "team", year=YEAR, caution=20)
    svg = charts.save_figure(fig, tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "id='cell:Q1:=HYPERLINK" in svg  # the id the old reader could not find
    cells, others = svg_cells(svg)
    assert {(q, g): text for q, g, text in cells} == {
        ("Q1", groups[0]): "83%",
        ("Q1", groups[1]): "50%",
        ("Q1", groups[2]): "<10",
    }
    # the title is a finding (the lowest figure), never a range
    title = " ".join(others)
    assert "Lowest agreement by team:" in title and "\u201cStatement one\u201d, 50%" in title

    rows = [("Q1", "Statement one", groups[0], "83%", 40, ""), ("Q1", "Statement one", groups[1], "50%", 30, "")]
    rows.append(("Q1", "Statement one", groups[2], "", "", "fewer than 10 responses"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BREAKDOWN_HEADER.strip().split(","))
    writer.writerows(
        [[spreadsheet_cell(v) for v in row] for row in [*rows, ("Q1", "Statement one", "\uff1dSUM(1)", "50%", 12, "")]]
    )
    assert "'=HYPERLINK" in buffer.getvalue() and "'\uff1dSUM(1)" in buffer.getvalue()
    alt = (
        f"Heat map. Highest: Statement one, {groups[0]} 83%; lowest: Statement one, {groups[1]} 50%. "
        "1 cell not shown because fewer than 10 responses."
    )
    page = html_page(svg, alt, rows)
    assert "&lt;b onmouseover" in page and "<b onmouseover" not in page
    book = write_book(tmp_path / "book", {**downloads(people_by_team=buffer.getvalue()), "html/t.html": page})
    out = read_outputs(book, YEAR)
    assert out.findings == []
    obs = out.observations
    assert set(obs.loc[obs["source"] == "csv", "group"]) == {*groups, "\uff1dSUM(1)"}
    for source in ("html table", "html chart"):
        assert set(obs.loc[obs["source"] == source, "group"]) == set(groups), source
    assert set(obs.loc[obs["source"] == "alt text", "group"]) == set(groups[:2])


def test_html_tables_charts_and_alt_text_are_read(tmp_path):
    alt = (
        "Heat map ... Highest: Statement one, X 50%; lowest: Statement one, X 50%. "
        "1 cell not shown because fewer than 10 responses."
    )
    rows = [("Q1", "Statement one", "X", "50%", 12, ""), ("Q1", "Statement one", "Y & Z", "", "", "fewer than 10 responses")]
    book = write_book(tmp_path, {"html/chapters/theme-people.html": html_page(SVG, alt, rows)})
    out = read_outputs(book, YEAR)
    assert out.findings == []
    obs = out.observations
    assert set(obs["source"]) == {"html table", "html chart", "alt text"}
    assert cell(obs, "html table", "X")["file"] == "html/chapters/theme-people.html#fig-people-by-team"
    assert (cell(obs, "html table", "X")["n_valid"], cell(obs, "html chart", "X")["pct"]) == (12, "50%")
    assert cell(obs, "html chart", "Y & Z")["status"] == D.PRIMARY
    assert cell(obs, "alt text", "X")["pct"] == "50%"


def test_alt_text_and_title_that_disagree_with_the_chart_are_findings(tmp_path):
    alt = "Heat map. Highest: Statement one, X 50%; lowest: Statement one, X 50%. 2 cells hidden so that a small group ..."
    rows = [("Q1", "Statement one", "X", "50%", 12, ""), ("Q1", "Statement one", "Y & Z", "", "", "fewer than 10 responses")]
    svg = SVG.replace("from 50% to 50%", "from 40% to 50%")
    findings = read_outputs(write_book(tmp_path, {"html/chapters/theme-people.html": html_page(svg, alt, rows)}), YEAR).findings
    assert any("the title says ranges from 40% to 50%" in f for f in findings)
    assert any(f.endswith("counts 0 <10 cells; the chart has 1") for f in findings)
    assert any(f.endswith("counts 2 hidden cells; the chart has 0") for f in findings)


def test_breakdown_rows_printed_in_the_pdf_are_read(tmp_path):
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = Figure(figsize=(6, 2))
        fig.text(0.05, 0.6, "Q1   Statement one   X   50%   12")
        fig.text(0.05, 0.3, "Q1   Statement one   Y   fewer than 10 responses")
        (tmp_path / "pdf").mkdir()
        fig.savefig(tmp_path / "pdf" / "report.pdf")
    write_book(tmp_path, downloads(people_by_team=TEAMS_CSV))
    obs = read_outputs(tmp_path, YEAR).observations
    x = cell(obs, "pdf", "X")
    assert (x["pct"], x["n_valid"], x["n_positive_lo"]) == ("50%", 12, 6)
    assert cell(obs, "pdf", "Y")["status"] == D.PRIMARY


def test_a_cell_published_differently_in_two_sources_is_reported(tmp_path):
    rows = [("Q1", "Statement one", "X", "75%", 12, ""), ("Q1", "Statement one", "Y", "", "", "hidden so that x")]
    book = write_book(
        tmp_path,
        {**downloads(people_by_team=TEAMS_CSV, people_responses=RESPONSES_CSV), "html/chapters/t.html": html_page(SVG, "", rows)},
    )
    published = A.published_cells(book, YEAR)
    findings = published.attrs["findings"]
    assert "Q1, team, X: % agreeing is 50% in csv, html chart; 75% in html table" in findings
    assert "Q1, team, Y: shown as <10 in csv; hidden in html table" in findings
    assert "Q1, team, X: no agreeing count fits every published figure" in findings
    survey = SimpleNamespace(years={YEAR: SimpleNamespace(cells=STRUCTURE)}, threshold=10)
    result = A.audit_build(book, survey, YEAR)
    assert not result.ok and set(findings) <= set(result.inconsistencies)


def test_the_attack_recovers_a_small_team_from_hand_made_files(tmp_path):
    book = write_book(tmp_path, downloads(people_by_team=TEAMS_CSV, people_responses=RESPONSES_CSV))
    published = A.published_cells(book, YEAR)
    assert published.attrs["findings"] == []
    everyone = published[published["group_type"] == "all"].iloc[0]
    assert (everyone["n_valid"], everyone["n_positive_lo"], everyone["n_positive_hi"]) == (15, 8, 8)
    survey = SimpleNamespace(years={YEAR: SimpleNamespace(cells=STRUCTURE)}, threshold=10)
    result = A.audit_build(book, survey, YEAR)
    # all staff - X = Y: 15 - 12 = 3 valid answers, 8 - 6 = 2 agreeing
    assert not result.ok
    assert result.too_narrow == ["Q1, team, Y: valid answers 3..3, agreeing 2..2"]
    assert (result.cells_suppressed, result.cells_hidden, result.smallest_primary_range) == (1, 0, 0.0)
    assert "Q1, team, Y: valid answers 3..3" in result.message()


def test_a_book_without_breakdowns_passes_the_audit(tmp_path):
    book = write_book(tmp_path, downloads(people_responses=RESPONSES_CSV))
    result = A.audit_build(book, SimpleNamespace(years={YEAR: SimpleNamespace(cells=None)}, threshold=10), YEAR)
    assert result.ok and (result.cells_suppressed, result.cells_hidden, result.smallest_primary_range) == (0, 0, None)
    assert result.as_dict()["ok"] is True and "ranges" not in result.as_dict()
    assert "seconds" in result.as_dict() and "seconds" not in result.as_dict(timing=False)


def test_leaks_finds_machine_paths_and_notebook_sources_but_not_urls(tmp_path):
    embedded = base64.b64encode(b"<svg><!-- /var/tmp/build/x --></svg>").decode()
    page = (
        "<p>Built in /home/alice/report on C:\\Users\\bob\\book, see https://example.org/home/page "
        "and file:///srv/x.</p><!-- NOTE:\\n * a comment --><p>ratio 3:1/2</p>"
        f'<img src="data:image/svg+xml;base64,{embedded}" />'
    )
    book = write_book(
        tmp_path / "book",
        {
            "html/index.html": page,
            "html/chapters/a.ipynb": "{}",
            "html/_sources/chapters/a.ipynb.txt": '{"cells": [], "nbformat": 4}',
            "html/_static/clean.js": 'var U={GROUP:"x",PRIMARY:"y"}; // https://cdn.example.com/tmp/x',
        },
    )
    found = A.leaks(book)
    assert any(f.startswith("html/index.html: /home/alice/report") for f in found)
    assert any("C:\\Users\\" in f for f in found)
    assert any("file:///srv/x" in f for f in found)
    assert any(f.startswith("html/index.html (embedded file 1): /var/tmp/build/x") for f in found)
    assert any(f.startswith("html/chapters/a.ipynb: a notebook") for f in found)
    assert any(f.startswith("html/_sources: the notebook sources") for f in found)
    assert any("notebook JSON" in f for f in found)
    assert not any("example" in f or "clean.js" in f or "NOTE" in f for f in found)
    # the build scans the website while the PDF is printed, then the PDF alone: the same findings
    assert A.site_leaks(book) == found  # (this book has no PDF)
    assert A.leaks(book, A.site_leaks(book)) == found
    assert A.leaks(book, ["html/x.html: /home/earlier"]) == ["html/x.html: /home/earlier"]  # the site is not read again


# --------------------------------------------------------------------------- the demonstration book
