"""What a reader gets in the built demonstration book: the summary links both workbooks and both
exist; a fall is printed with a minus sign, never a hyphen; one point is singular; the
introduction's word charts carry a phone drawing."""

from __future__ import annotations

import base64
import re

from bs4 import BeautifulSoup

from healthcheck.audit.formats import read_page


def _text(path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one(".bd-article")
    for tag in article(["script", "style"]):
        tag.decompose()
    return re.sub(r"\s+", " ", article.get_text(" "))


def test_the_summary_links_both_workbooks_and_both_exist(demo_book):
    html = demo_book.out_dir / "html"
    soup = BeautifulSoup((html / "chapters" / "summary.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in soup.select(".bd-article a[href]") if "all-figure-data" in a["href"]}
    assert {h.rsplit(".", 1)[-1] for h in links} >= {"ods", "xlsx"}, links
    for href in links:
        assert (html / "chapters" / href).resolve().is_file(), href


def test_no_hyphen_for_a_minus_and_no_one_points(demo_book):
    problems = []
    for path in sorted((demo_book.out_dir / "html" / "chapters").glob("*.html")):
        text = _text(path)
        for pattern in (r"(?<![\w\u2013-])-\d+(?:\.\d+)? (?:pts?|points?)\b", r"\b1 points\b", r"from -1\b"):
            problems += [f"{path.name}: {m.group(0)!r}" for m in re.finditer(pattern, text)]
    assert problems == []


def test_the_word_charts_have_a_phone_drawing(demo_book):
    figures = read_page(demo_book.out_dir / "html" / "chapters" / "introduction.html").figures
    words = [f for f in figures if re.search(r"word-(cloud|changes)", f["id"])]
    assert len(words) >= 2  # the demonstration has two years of words: the changes and the cloud
    for figure in words:
        assert len(figure["sources"]) == 1, figure["id"]
        svg = base64.b64decode(figure["sources"][0].split(",", 1)[1]).decode("utf-8")
        width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))
        assert width_pt * 4 / 3 <= 400, (figure["id"], width_pt)  # CSS px


def test_a_count_of_nought_is_said_in_words_on_the_summary(demo_book):
    text = _text(demo_book.out_dir / "html" / "chapters" / "summary.html")
    assert not re.search(r"\b0 (?:of \d+ )?(?:statements? )?(?:tested )?(?:were |was )?significantly\b", text), text


def test_a_recommendation_card_names_its_statements_in_words_first(demo_book):
    page = demo_book.out_dir / "html" / "chapters" / "conclusions.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    answers = [dt.find_next_sibling("dd").get_text() for dt in soup.select(".bd-article dt") if dt.get_text() == "Answers"]
    assert answers
    for text in answers:
        assert not re.match(r"[A-Z]{2,}\d+:", text), text  # never opens with a code such as "PRA04:"
