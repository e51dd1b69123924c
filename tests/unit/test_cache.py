"""Chapter reuse: a chapter is re-run only when something it depends on changed."""

from healthcheck.pipeline.execute import cache


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
