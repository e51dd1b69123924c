"""Attack: the chapter cache is keyed on the content read, through links (issue 25).

`quotes.csv` replaced by a symbolic link to another file with one more quote was reused from
the cache: the chapter recorded the link's old target, not the name it read. Here a real
`Chapter` reads the files as a chapter notebook does (`record_read`), the build's cache stores
the run, and each change of what a reader would get must make the cache miss -- while an
unchanged folder must still hit, so the assertions can fail both ways.
"""

from __future__ import annotations

import os
from pathlib import Path

from healthcheck.hashing import ABSENT, NOT_A_FILE, content_digest
from healthcheck.pipeline.execute import cache
from healthcheck.present.chapter import Chapter

HEADER = "theme,quote,speaker,illustrative,source\n"
ONE = 'improvement,"Supervision helps me think.","Social worker",yes,focus group\n'
TWO = 'wellbeing,"A quote only the linked file has.","Team manager",yes,focus group\n'


def _run_and_store(data_dir: Path, tmp_path: Path) -> Path:
    """A chapter reads the quotes as the theme chapter does; its run is stored in the cache."""
    reads = tmp_path / "reads.txt"
    reads.unlink(missing_ok=True)
    ch = Chapter(2022, data_dir=data_dir, reads_file=reads)
    ch.voices("quotes.csv")
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}", encoding="utf-8")
    root = tmp_path / "cache"
    cache.store(root, 2022, "theme-x", key="k", year_folders=[2021, 2022], executed=executed, downloads=tmp_path / "none",
                reads=cache.reads_of(reads))  # fmt: skip
    return root


def _hit(root: Path) -> bool:
    return cache.lookup(root, 2022, "theme-x", "k", [2021, 2022]) is not None


def test_a_file_replaced_by_a_link_to_another_file_reruns_the_chapter(data_dir, tmp_path):
    quotes = data_dir / "2022" / "quotes.csv"
    quotes.write_text(HEADER + ONE, encoding="utf-8")
    more = data_dir / "2022" / "archive" / "quotes-v2.csv"  # a link inside the data folder
    more.parent.mkdir()
    more.write_text(HEADER + ONE + TWO, encoding="utf-8")
    root = _run_and_store(data_dir, tmp_path)
    assert _hit(root), "nothing changed: the cache must be reused"

    quotes.unlink()
    os.symlink(more, quotes)
    assert not _hit(root), "quotes.csv now gives one more quote: the chapter must run again"

    # Run again through the link; then changing the file the link points to re-runs it too.
    root = _run_and_store(data_dir, tmp_path)
    assert _hit(root)
    more.write_text(HEADER + TWO, encoding="utf-8")
    assert not _hit(root), "the linked file changed"

    root = _run_and_store(data_dir, tmp_path)
    assert _hit(root)
    other = data_dir / "2022" / "archive" / "quotes-v3.csv"
    other.write_text(HEADER + ONE, encoding="utf-8")
    quotes.unlink()
    os.symlink(other, quotes)  # the link moved to another file with other content
    assert not _hit(root)


def test_the_reads_are_kept_by_the_name_the_chapter_read(data_dir, tmp_path):
    quotes = data_dir / "2022" / "quotes.csv"
    target = data_dir / "2022" / "archive" / "elsewhere.csv"
    target.parent.mkdir()
    target.write_text(HEADER + ONE, encoding="utf-8")
    os.symlink(target, quotes)
    reads = tmp_path / "reads.txt"
    Chapter(2022, data_dir=data_dir, reads_file=reads).voices("quotes.csv")
    recorded = cache.reads_of(reads)
    assert str(quotes.absolute()) in recorded and str(target) not in recorded
    assert recorded[str(quotes.absolute())] == content_digest(target)


def test_a_file_changed_while_the_chapter_ran_reruns_it_next_time(data_dir, tmp_path):
    """The hash is taken when the chapter reads, not when the build stores the run."""
    quotes = data_dir / "2022" / "quotes.csv"
    quotes.write_text(HEADER + ONE, encoding="utf-8")
    reads = tmp_path / "reads.txt"
    Chapter(2022, data_dir=data_dir, reads_file=reads).voices("quotes.csv")
    quotes.write_text(HEADER + ONE + TWO, encoding="utf-8")  # saved by the analyst mid-run
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}", encoding="utf-8")
    root = tmp_path / "cache"
    cache.store(root, 2022, "theme-x", key="k", year_folders=[2021, 2022], executed=executed, downloads=tmp_path / "none",
                reads=cache.reads_of(reads))  # fmt: skip
    assert not _hit(root), "the run showed the old quotes; the next build must run the chapter again"


def test_a_file_read_twice_with_two_contents_never_matches(tmp_path):
    reads = tmp_path / "reads.txt"
    reads.write_text(f"{tmp_path / 'q.csv'}\taaa\n{tmp_path / 'q.csv'}\tbbb\n", encoding="utf-8")
    (digest,) = cache.reads_of(reads).values()
    assert digest not in ("aaa", "bbb")


def test_what_a_reader_gets_from_odd_paths(tmp_path):
    assert content_digest(tmp_path / "missing.csv") == ABSENT
    assert content_digest(tmp_path) == NOT_A_FILE
    fifo = tmp_path / "quotes.csv"
    os.mkfifo(fifo)
    assert content_digest(fifo) == NOT_A_FILE  # returns at once: a FIFO is never opened
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    assert content_digest(loop) == NOT_A_FILE
    dangling = tmp_path / "dangling.csv"
    os.symlink(tmp_path / "gone.csv", dangling)
    assert content_digest(dangling) == ABSENT
