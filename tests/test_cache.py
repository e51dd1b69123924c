"""Chapter reuse: a chapter is re-run only when something it depends on changed."""

import shutil

import pytest

from healthcheck.data.config import load_bank
from healthcheck.pipeline import cache, stages


@pytest.mark.unit
def test_lookup_is_invalidated_by_a_changed_or_new_input(tmp_path):
    reads = tmp_path / "reads.txt"
    quotes, words = tmp_path / "quotes.csv", tmp_path / "words.csv"
    quotes.write_text("theme,quote\n", encoding="utf-8")
    # what a chapter writes through Chapter.record_read: one path a line; words.csv looked for, absent
    reads.write_text(f"{quotes}\n{words}\n", encoding="utf-8")
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}", encoding="utf-8")
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "fig.svg").write_text("<svg/>", encoding="utf-8")
    root = tmp_path / "cache"
    cache.store(
        root, 2022, "ch", key="k1", year_folders=[2022], executed=executed, downloads=tmp_path / "dl", reads=cache.reads_of(reads)
    )

    hit = cache.lookup(root, 2022, "ch", "k1", [2022])
    assert hit is not None and (hit / "downloads" / "fig.svg").is_file()
    assert cache.lookup(root, 2022, "ch", "k2", [2022]) is None  # notebook, code or parameters changed
    assert cache.lookup(root, 2022, "ch", "k1", [2021, 2022]) is None  # a year folder appeared
    words.write_text("word,count\n", encoding="utf-8")
    assert cache.lookup(root, 2022, "ch", "k1", [2022]) is None  # an absent input now exists
    words.unlink()
    quotes.write_text("theme,quote\nedi,new\n", encoding="utf-8")
    assert cache.lookup(root, 2022, "ch", "k1", [2022]) is None  # an input changed


@pytest.mark.book
def test_changing_a_quotes_file_reruns_only_the_chapters_that_read_it(demo_book, demo_data, tmp_path):
    # A copy of the shared demo build (with its chapter cache), rebuilt after one input changed.
    root = tmp_path / "build"
    shutil.copytree(demo_book.out_dir.parent, root, ignore=shutil.ignore_patterns("screenshots"))
    before = (root / "2022" / "manifest.json").read_text(encoding="utf-8")
    quotes = demo_data / "2022" / "quotes.csv"
    original = quotes.read_bytes()
    try:
        with open(quotes, "a", encoding="utf-8") as fh:
            fh.write('edi,"A quote added for this test.",Social worker,yes,focus group\n')
        second = stages.build_book(2022, data_dir=demo_data, build_root=root, progress=False)
        rerun = {name for name, seconds in second.chapter_seconds.items() if seconds > 0}
        themes = {f"theme-{code}" for code in load_bank(demo_data).themes}
        # The theme chapters show quotes; the provenance appendix lists every input's hash.
        assert rerun == themes | {"provenance"}
        after = (root / "2022" / "manifest.json").read_text(encoding="utf-8")
        assert before != after
        html = (root / "2022" / "html" / "chapters" / "theme-edi.html").read_text(encoding="utf-8")
        assert "A quote added for this test." in html
        third = stages.build_book(2022, data_dir=demo_data, build_root=root, progress=False)
        assert third.up_to_date
    finally:
        quotes.write_bytes(original)  # the shared data copy is read by later tests
