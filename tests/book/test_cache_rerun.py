"""The book-tier tests of tests/unit/test_cache.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import shutil

from healthcheck.data.config import load_bank
from healthcheck.pipeline import stages


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
