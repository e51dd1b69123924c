"""The national summary's findings (present/national_findings.py): the rules on small tables
(unit), and the national book built as the batch builds it (pipeline): findings first, changes
in the one vocabulary, chart titles that state a finding, a narrow drawing of every chart that
fits 390 px, and the demonstration label once per page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from healthcheck.present import change
from healthcheck.present.national import findings as nf
from tests.support.national_batch import generator

# ----------------------------------------------------------------------------- the rules (unit)


def _rows(rows, scope="national"):
    frame = pd.DataFrame(rows, columns=["question_id", "name", "n_positive", "n_valid", "suppressed"])
    frame["pct_positive"] = 100.0 * frame["n_positive"] / frame["n_valid"]
    return frame.assign(scope=scope)


# ----------------------------------------------------------------------------- the book (pipeline)

YEAR = 2024


@pytest.fixture(scope="module")
def national_book(tmp_path_factory):
    """Four synthetic organisations over two years, validated and pooled as the batch does, and
    the national book built from the inputs the batch writes (without the councils' own books)."""
    from healthcheck.pipeline.batch import files as batchfiles
    from healthcheck.pipeline.batch import tasks as batchtasks
    from healthcheck.pipeline.batch.nationalbook import build_national_book

    root = tmp_path_factory.mktemp("national")
    generator().write(root / "orgs", 4, 400, 7, [YEAR - 1, YEAR])
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


def test_the_demonstration_label_is_once_per_page(national_book):
    _, html_dir = national_book
    for name in ("summary", "statements", "regions"):
        assert len(re.findall(r"Demonstration data\.", _page(html_dir, name))) == 1, name


def test_nothing_overflows_sideways_on_a_phone(national_book, tmp_path):
    from playwright.sync_api import sync_playwright

    from healthcheck.pipeline.pdf.printing import CHROMIUM_ARGS, find_chromium
    from tests.book.test_reflow import MEASURE_JS, OPEN_DETAILS_JS
    from tests.support.site_checks import served

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
