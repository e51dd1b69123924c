"""The national summary's findings (present/national_findings.py): the rules on small tables
(unit), and the national book built as the batch builds it (pipeline): findings first, changes
in the one vocabulary, chart titles that state a finding, a narrow drawing of every chart that
fits 390 px, and the demonstration label once per page.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from healthcheck import paths
from healthcheck.present import change
from healthcheck.present import national_findings as nf

# ----------------------------------------------------------------------------- the rules (unit)


def _rows(rows, scope="national"):
    frame = pd.DataFrame(rows, columns=["question_id", "name", "n_positive", "n_valid", "suppressed"])
    frame["pct_positive"] = 100.0 * frame["n_positive"] / frame["n_valid"]
    return frame.assign(scope=scope)


@pytest.mark.unit
def test_best_and_worst_skip_suppressed_figures():
    england = _rows([("Q1", "England", 90, 100, True), ("Q2", "England", 70, 100, False), ("Q3", "England", 40, 100, False)])
    best, worst = nf.best_and_worst(england)
    assert best["question_id"] == "Q2" and worst["question_id"] == "Q3"
    best, worst = nf.best_and_worst(england[england["question_id"] != "Q3"])
    assert best["question_id"] == "Q2" and worst is None


@pytest.mark.unit
def test_regional_gaps_are_tested_and_the_widest_first():
    regions = _rows(
        [
            ("Q1", "North", 80, 200, False),
            ("Q1", "South", 40, 200, False),  # 40 points on 200 each: significant
            ("Q2", "North", 6, 10, False),
            ("Q2", "South", 5, 10, False),  # 10 points on 10 each: not significant
            ("Q3", "North", 9, 10, False),
            ("Q3", "South", 1, 10, True),  # suppressed: never compared
        ],
        "region",
    )
    gaps = nf.regional_gaps(regions)
    assert list(gaps["question_id"]) == ["Q1", "Q2"]
    assert gaps.loc[0, "high_region"] == "North" and gaps.loc[0, "low_region"] == "South"
    assert list(gaps["significant"]) == [True, False]
    shorts = {"Q1": "Statement one", "Q2": "Statement two"}
    assert nf.regions_title(gaps, shorts, "Theme") == "North and South differ most on \u201cStatement one\u201d: 40% against 20%"
    assert nf.regions_title(gaps.iloc[1:], shorts, "Theme") == "No two regions differ significantly on theme"
    line = nf.gap_findings(gaps.iloc[1:], shorts)[0]
    assert "No significant difference between regions" in line and "Statement two" in line


@pytest.mark.unit
def test_england_changes_give_each_of_the_four_states():
    now = _rows(
        [
            ("UP", "England", 300, 400, False),
            ("DOWN", "England", 100, 400, False),
            ("SAME", "England", 200, 400, False),
            ("NEW", "England", 200, 400, False),
            ("WORDS", "England", 200, 400, False),
            ("FEW", "England", 5, 8, True),
        ]
    )
    before = _rows(
        [
            ("UP", "England", 200, 400, False),
            ("DOWN", "England", 200, 400, False),
            ("SAME", "England", 204, 400, False),
            ("WORDS", "England", 100, 400, False),
            ("FEW", "England", 200, 400, False),
        ]
    ).assign(reworded=lambda f: f["question_id"] == "WORDS")
    out = nf.england_changes(now, before, 2023).set_index("question_id")
    assert out.loc["UP", "state"] == change.RISE and out.loc["UP", "change_pts"] == 25
    assert out.loc["DOWN", "state"] == change.FALL and out.loc["DOWN", "change_pts"] == -25
    assert out.loc["SAME", "state"] == change.NO_CHANGE
    assert (out.loc["NEW", "state"], out.loc["NEW", "reason"]) == (change.NOT_TESTED, change.NEW_STATEMENT)
    assert out.loc["WORDS", "reason"] == change.WORDING_CHANGED
    assert out.loc["FEW", "reason"] == change.TOO_FEW
    shorts = {q: f"about {q.lower()}" for q in out.index}
    lines = nf.change_findings(out.reset_index(), shorts, 2024, 2023)
    assert lines[0].startswith("\u25b2 **1 statement rose significantly in England since 2023** (of 3 tested)")
    assert "about up" in lines[0] and "about down" in lines[1] and lines[1].startswith("\u25bc")
    first = nf.england_changes(now, None, None)
    assert set(first["reason"]) == {change.FIRST_YEAR}
    assert "no change" in nf.change_findings(first, shorts, 2024, None)[0]


# ----------------------------------------------------------------------------- the book (pipeline)

YEAR = 2024


def _generator():
    path = paths.ROOT / "scripts" / "make_national_data.py"
    spec = importlib.util.spec_from_file_location("make_national_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def national_book(tmp_path_factory):
    """Four synthetic organisations over two years, validated and pooled as the batch does, and
    the national book built from the inputs the batch writes (without the councils' own books)."""
    from healthcheck.pipeline import batchfiles, batchtasks
    from healthcheck.pipeline.national import build_national_book

    root = tmp_path_factory.mktemp("national")
    _generator().write(root / "orgs", 4, 400, 7, [YEAR - 1, YEAR])
    listing = pd.read_csv(root / "orgs" / "organisations.csv", dtype=str, keep_default_na=False)
    valid = []
    for org in listing.itertuples():
        record = batchtasks.validate_organisation(
            {"org_id": org.org_id, "name": org.name, "region": org.region, "folder": str(root / "orgs" / org.org_id)}, YEAR
        )
        assert record["status"] == "valid", record
        valid.append(record)
    pools = batchfiles.year_pools(valid, {YEAR, YEAR - 1})
    inputs = root / "input"
    batchfiles.sync_folder(inputs, batchfiles.national_inputs(valid, len(valid), YEAR, pools[YEAR], (YEAR - 1, pools[YEAR - 1])))
    record = build_national_book(YEAR, inputs, root / "build")
    return inputs, Path(record["html"]).parent


def _page(html_dir: Path, name: str) -> str:
    return (html_dir / "chapters" / "national" / f"{name}.html").read_text(encoding="utf-8")


def _text(page: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(page, "html.parser").select_one(".bd-article").get_text(" ").split())


@pytest.mark.pipeline
def test_the_summary_leads_with_findings_from_the_data(national_book):
    inputs, html_dir = national_book
    bench = pd.read_csv(inputs / "benchmarks.csv")
    questions = pd.read_csv(inputs / "questions.csv", dtype=str)
    shorts = dict(zip(questions["question_id"], questions["short"], strict=True))
    england = bench[(bench["scope"] == "national") & ~bench["suppressed"]].sort_values("pct_positive", kind="stable")
    text = _text(_page(html_dir, "summary"))
    findings = text.index("What the figures say")
    assert findings < text.index("Who took part") and findings < text.index("England since")
    best, worst = england.iloc[-1], england.iloc[0]
    assert (
        f"Highest result in England: {round(best['pct_positive'])}% agreed that \u201c{shorts[best['question_id']]}\u201d" in text
    )
    assert (
        f"Lowest result in England: {round(worst['pct_positive'])}% agreed that \u201c{shorts[worst['question_id']]}\u201d"
        in text
    )
    assert "regional difference" in text  # the regions compared, significant or not
    assert f"significantly in England since {YEAR - 1}" in text


@pytest.mark.pipeline
def test_changes_speak_the_one_vocabulary_and_agree_with_the_figures(national_book):
    inputs, html_dir = national_book
    table = pd.read_csv(html_dir / "downloads" / f"{YEAR}-england-changes.csv")
    labels = {change.label(s) for s in (change.RISE, change.FALL, change.NO_CHANGE)}
    for _, r in table.iterrows():
        state = r["Change state"]
        assert state in labels or state.startswith(change.label(change.NOT_TESTED) + ":"), state
        if state == change.label(change.RISE):
            assert r[f"England {YEAR} (%)"] > r[f"England {YEAR - 1} (%)"]
        if state == change.label(change.FALL):
            assert r[f"England {YEAR} (%)"] < r[f"England {YEAR - 1} (%)"]
    text = _text(_page(html_dir, "summary"))
    findings = text[text.index("What the figures say") : text.index("Each statement's England figure")]
    for state, word in ((change.RISE, "rose"), (change.FALL, "fell")):
        moved = table[table["Change state"] == change.label(state)]
        largest = moved.assign(size=moved["Change (points)"].abs()).sort_values("size", ascending=False, kind="stable")
        for short in largest["Statement"].head(nf.NAMED):  # the largest changes named among the findings
            assert f"\u201c{short}\u201d" in findings, short
        if len(moved):
            assert f"{len(moved)} statement{'s' if len(moved) > 1 else ''} {word} significantly" in findings
        if len(moved) > nf.NAMED:
            assert f"and {len(moved) - nf.NAMED} more" in findings
        # the table's change is the difference of the whole percentages printed beside it
        diff = moved[f"England {YEAR} (%)"] - moved[f"England {YEAR - 1} (%)"]
        assert (diff == moved["Change (points)"]).all()


@pytest.mark.pipeline
def test_chart_titles_state_a_finding_and_every_chart_has_a_narrow_drawing(national_book):
    _, html_dir = national_book
    for name in ("statements", "regions"):
        page = _page(html_dir, name)
        figures = page.count('class="hc-figure"')
        assert figures >= 1
        assert page.count("<picture") == figures and page.count("<source") >= figures, name
    for svg in (html_dir / "downloads").glob(f"{YEAR}-regions-*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "differ most on" in text or "No two regions differ significantly" in text, svg.name
        assert "ranges from" not in text and "Lowest agreement by region" not in text


@pytest.mark.pipeline
def test_the_demonstration_label_is_once_per_page(national_book):
    _, html_dir = national_book
    for name in ("summary", "statements", "regions"):
        assert len(re.findall(r"Demonstration data\.", _page(html_dir, name))) == 1, name


@pytest.mark.pipeline
def test_nothing_overflows_sideways_on_a_phone(national_book, tmp_path):
    from playwright.sync_api import sync_playwright

    from healthcheck.pipeline.pdf import CHROMIUM_ARGS, find_chromium
    from tests.site_checks import served
    from tests.test_reflow import MEASURE_JS, OPEN_DETAILS_JS

    _, html_dir = national_book
    with served(html_dir) as address, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            for name in ("summary", "statements", "regions"):
                context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|about:).*"), lambda route: route.abort())
                tab = context.new_page()
                assert tab.goto(f"{address}chapters/national/{name}.html", wait_until="load").ok
                tab.screenshot(path=str(tmp_path / f"{name}-390.png"), full_page=True)
                tab.evaluate(OPEN_DETAILS_JS)
                faults = tab.evaluate(MEASURE_JS)
                context.close()
                assert not faults, f"{name} at 390px: " + "; ".join(faults)
        finally:
            browser.close()
