"""Chapter reuse: a chapter is re-run only when something it depends on changed."""

import shutil

from healthcheck import paths
from healthcheck.data.config import load_bank
from healthcheck.pipeline import cache, stages


def test_lookup_is_invalidated_by_a_changed_or_new_input(tmp_path, monkeypatch):
    reads = tmp_path / "reads.txt"
    quotes, words = tmp_path / "quotes.csv", tmp_path / "words.csv"
    quotes.write_text("theme,quote\n", encoding="utf-8")
    monkeypatch.setenv(cache.READS_ENV, str(reads))
    cache.record_read(quotes)
    cache.record_read(words)  # looked for, absent
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


def test_changing_a_quotes_file_reruns_only_the_chapters_that_read_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    root = tmp_path / "build"
    first = stages.build_book(2022, data_dir=data, build_root=root, progress=False)
    assert all(seconds > 0 for seconds in first.chapter_seconds.values())
    before = (root / "2022" / "manifest.json").read_text(encoding="utf-8")

    with open(data / "2022" / "quotes.csv", "a", encoding="utf-8") as fh:
        fh.write('edi,"A quote added for this test.",Social worker,yes\n')
    second = stages.build_book(2022, data_dir=data, build_root=root, progress=False)
    rerun = {name for name, seconds in second.chapter_seconds.items() if seconds > 0}
    themes = {f"theme-{code}" for code in load_bank(data).themes}
    # The theme chapters show quotes; the provenance appendix lists every input's hash.
    assert rerun == themes | {"provenance"}
    after = (root / "2022" / "manifest.json").read_text(encoding="utf-8")
    assert before != after
    html = (root / "2022" / "html" / "chapters" / "theme-edi.html").read_text(encoding="utf-8")
    assert "A quote added for this test." in html

    third = stages.build_book(2022, data_dir=data, build_root=root, progress=False)
    assert third.up_to_date
