"""The demonstration book says each figure and each change one way, everywhere.

Reads the built pages and their downloads as a reader would: the summary's tiles, each theme's
change table and opening, the conclusions' list of falls, and the CSV files beside them; fails
when two places disagree about a figure or a change, when a change state is drawn differently
in tiles, tables and downloads, or when a long sentence is repeated across the pages.
"""

from __future__ import annotations

import collections
import csv
import re
from pathlib import Path

from bs4 import BeautifulSoup

from healthcheck.present import change

YEAR = 2022


def _page(book, name: str) -> BeautifulSoup:
    return BeautifulSoup((book.out_dir / "html" / "chapters" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def _csv(book, name: str) -> list[dict]:
    path = book.out_dir / "html" / "downloads" / f"{YEAR}-{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        # Spreadsheet-safe CSVs start a cell that looks like a formula with an apostrophe.
        return [{k: v.removeprefix("'") for k, v in row.items()} for row in csv.DictReader(fh)]


def _themes(book) -> list[str]:
    names = sorted(p.stem for p in (book.out_dir / "html" / "chapters").glob("theme-*.html"))
    assert names, "no theme pages built"
    return [n.removeprefix("theme-") for n in names]


def _tiles(book) -> dict[str, dict]:
    tiles = {}
    for li in _page(book, "summary").select("li.hc-tile"):
        states = {}
        for item in li.select("li[data-state]"):
            text = item.get_text(" ", strip=True)
            states[item["data-state"]] = (text, int(re.search(r"\d+", text).group()))
        tiles[li.select_one(".hc-tile-title").get_text(strip=True)] = {
            "theme": li["data-theme"],
            "score": int(li["data-score"]),
            "change": int(li["data-change-pts"]) if li.has_attr("data-change-pts") else None,
            "text": li.get_text(" ", strip=True),
            "states": states,
        }
    assert tiles, "the summary has no tiles"
    return tiles


def _same(shown: int, download: str) -> bool:
    """A whole number shown on the page agrees with the download's figure to one decimal
    (the page rounds the unrounded figure, so 75.5 in the download may be 75 on the page)."""
    return abs(float(download) - shown) <= 0.5 + 0.05


def test_tiles_tables_sentences_and_downloads_agree(demo_book):
    tiles = _tiles(demo_book)
    glance = {row["Theme"]: row for row in _csv(demo_book, "themes-at-a-glance")}
    assert set(glance) == set(tiles)
    summary_text = _page(demo_book, "summary").get_text(" ", strip=True)
    falls_everywhere, rises_everywhere = set(), set()
    for title, tile in tiles.items():
        row = glance[title]
        # the tile and its download: score, change and how many statements are in each state
        assert _same(tile["score"], row["Theme score (%)"]), title
        assert f"{tile['score']}%" in tile["text"]
        if tile["change"] is not None:
            assert _same(tile["change"], row["Change (points)"]), title
            if int(row["Statements compared"]) > 1:  # on one, it is that statement's tested change
                assert row["Change state"] == change.NOT_TESTED and row["Not tested because"] == change.THEME_AVERAGE
        counts = {"Significant rises": change.RISE, "Significant falls": change.FALL}
        counts |= {"No significant change": change.NO_CHANGE, "Not tested": change.NOT_TESTED}
        for column, state in counts.items():
            assert tile["states"].get(state, ("", 0))[1] == int(row[column]), (title, state)
        # the theme's own change table and its CSV: the same states, statement by statement
        theme = tile["theme"]
        table = _page(demo_book, f"theme-{theme}").select_one("table.healthcheck-change-table")
        shown = [td.get_text(" ", strip=True) for td in table.select('td[data-label="Significance"]')]
        rows = _csv(demo_book, f"{theme}-change")
        assert len(shown) == len(rows), theme
        per_state = collections.Counter(r["Change state"] for r in rows)
        for state in change.STATES:
            assert per_state.get(state, 0) == tile["states"].get(state, ("", 0))[1], (title, state)
        for r in rows:
            if r["Change state"] == change.RISE:
                rises_everywhere.add(r["Statement"])
            if r["Change state"] == change.FALL:
                falls_everywhere.add(r["Statement"])
        # the theme's opening states the same score and the same change as its tile
        opening = [p for p in _page(demo_book, f"theme-{theme}").select("main p") if "theme score of" in p.get_text()]
        assert len(opening) == 1, title
        words = opening[0].get_text(" ", strip=True)
        assert f"{tile['score']}%" in words, title
        if tile["change"]:
            moved = f"{'up' if tile['change'] > 0 else 'down'} {abs(tile['change'])} point"
            assert moved in words and moved in tile["text"], title
    # every significant change is named in the summary, and every fall in the conclusions
    assert rises_everywhere and falls_everywhere
    for statement in rises_everywhere | falls_everywhere:
        assert statement in summary_text, statement
    conclusions = _page(demo_book, "conclusions").get_text(" ", strip=True)
    for statement in falls_everywhere:
        assert statement in conclusions, statement


def test_a_statements_figure_is_the_same_in_its_change_table_and_beside_other_organisations(demo_book):
    compared = 0
    for theme in _themes(demo_book):
        ours = {r["Code"]: r["Us"] for r in _csv(demo_book, f"{theme}-benchmarks")}
        for r in _csv(demo_book, f"{theme}-change"):
            figure = re.match(r"\d+%", r["This year"])
            if figure and r["Code"] in ours:
                assert ours[r["Code"]] == figure.group(), (theme, r["Code"])
                compared += 1
    assert compared >= 20


def test_each_change_state_is_drawn_the_same_in_tiles_tables_and_downloads(demo_book):
    seen = set()
    tiles = _tiles(demo_book)
    for tile in tiles.values():
        for state, (text, _) in tile["states"].items():
            # a tile's count of statements: the state's shape, then its word
            assert text.startswith(change.SHAPES[state]) and state.split()[-1] in text, text
    for theme in _themes(demo_book):
        table = _page(demo_book, f"theme-{theme}").select_one("table.healthcheck-change-table")
        shown = [td.get_text(" ", strip=True) for td in table.select('td[data-label="Significance"]')]
        for cell, row in zip(shown, _csv(demo_book, f"{theme}-change"), strict=True):
            state, reason = row["Change state"], row["Not tested because"] or None
            assert state in change.STATES
            assert cell == change.label(state, reason), (theme, row["Code"])
            assert (reason is not None) == (state == change.NOT_TESTED)
            seen.add(state)
    # the demonstration shows all four states, so each is proved in every place
    assert seen == set(change.STATES)
    assert {s for t in tiles.values() for s in t["states"]} == set(change.STATES)


def _sentences(html_dir: Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    pages = sorted(html_dir.glob("chapters/*.html")) + [html_dir / "index.html"]
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.find("main") or soup
        for tag in main(["script", "style", "nav"]):
            tag.decompose()
        # Block elements end a sentence even without a full stop (a heading, a table cell).
        for tag in main.find_all(["p", "li", "h1", "h2", "h3", "h4", "td", "th", "caption", "figcaption", "dt", "dd"]):
            tag.append(" \n ")
        text = main.get_text(" ")
        for block in text.split("\n"):
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(block.split())):
                if len(sentence.split()) >= 10:
                    counts[sentence] += 1
    return counts


def test_no_long_sentence_is_repeated_across_the_book(demo_book):
    counts = _sentences(demo_book.out_dir / "html")
    assert counts, "no sentences read"
    repeated = {s: n for s, n in counts.items() if n >= 4}
    assert not repeated, repeated
