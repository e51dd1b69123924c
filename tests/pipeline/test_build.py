"""healthcheck.pipeline.stages and healthcheck.pipeline.pdf on toy books (tests/support/fixtures/chapters_*).

The toy book is built once per test run (a few seconds); the failure tests then check that a
broken chapter or a SIGTERM leaves that build byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from healthcheck import paths
from healthcheck.errors import BuildError, ChapterFailed
from healthcheck.paths import ROOT
from healthcheck.pipeline import stages
from healthcheck.pipeline.book import read_toc
from healthcheck.pipeline.execute import workers
from healthcheck.pipeline.pdf.printing import PdfError, TitlePage, print_pdf
from healthcheck.pipeline.stages import build_book

FIXTURES = Path(__file__).parents[1] / "support" / "fixtures"
OK = FIXTURES / "chapters_ok"
BROKEN = FIXTURES / "chapters_broken"
YEAR = 2022
SETTINGS = textwrap.dedent(
    """\
    organisation: Toy County Council
    service: Children's Social Care
    report_title: Social Work Health Check
    suppression_threshold: 10
    demonstration_notice: >
      Demonstration data: every figure in this toy report is made up.
    """
)


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
        for p in sorted(folder.rglob("*"))
    }


class _ExternalRefs(HTMLParser):
    """Collects src/href of elements that would make a browser fetch something."""

    LOADING = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
        "link": "href",
        "object": "data",
    }

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = self.LOADING.get(tag)
        for name, value in attrs:
            if value and (name == attr or name == "srcset"):
                if value.strip().lower().startswith(("http:", "https:", "//")):
                    self.found.append(f"<{tag} {name}={value}>")


def _text_of(html: str) -> str:
    class Text(HTMLParser):
        parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.parts = []
    parser.feed(html)
    return "".join(parser.parts)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    # The build validates the survey data before it runs any chapter, so the toy book needs
    # valid data too: the shipped demonstration data, under the toy settings.
    folder = tmp_path_factory.mktemp("toy") / "data"
    shutil.copytree(paths.ROOT / "data", folder)
    (folder / "settings.yml").write_text(SETTINGS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def toy(tmp_path_factory, data_dir):
    """The toy book, built once: (BuildResult, build_root, seconds taken)."""
    build_root = tmp_path_factory.mktemp("build")
    start = time.monotonic()
    result = build_book(
        YEAR,
        data_dir=data_dir,
        build_root=build_root,
        chapters_dir=OK,
        toc_path=OK / "_toc.yml",
        jobs=2,
        force=True,
        progress=False,
    )
    return result, build_root, time.monotonic() - start


def test_repository_toc_puts_one_chapter_per_theme_where_the_theme_notebook_stands():
    assert read_toc(ROOT / "_toc.yml", ["b", "a"]) == [
        "chapters/summary",
        "chapters/introduction",
        "chapters/theme-b",
        "chapters/theme-a",
        "chapters/trends",
        "chapters/conclusions",
        "chapters/methods",
        "chapters/provenance",
    ]


def test_toy_book_builds_html_pdf_and_exports(toy):
    result, build_root, seconds = toy
    out = build_root / str(YEAR)
    assert result.out_dir == out and not result.up_to_date
    assert result.html_index == out / "html" / "index.html" and result.html_index.is_file()
    for name in ("00_summary", "01_alpha", "02_beta"):
        assert (out / "html" / "chapters" / f"{name}.html").is_file()
        assert (result.executed_dir / f"{name}.ipynb").is_file()
        assert (out / "notebooks" / f"{name}.html").is_file()
    assert set(result.chapter_seconds) == {"00_summary", "01_alpha", "02_beta"}
    assert result.pdf_path == out / "pdf" / "social-work-health-check-2022.pdf"
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    # the toy's plt.show() figure has no alt text: nbconvert's accessibility check is passed on
    build_warnings = [w for w in result.warnings if not w.startswith("WARNING ")]  # the data's own are the data's
    assert build_warnings == ["notebooks/02_beta.html: Alternative text is missing on 1 image(s)."]
    assert not list(build_root.glob(".staging-*")) and not list(build_root.glob(".old-*"))


def test_downloads_are_published_and_linked(toy):
    result, _, _ = toy
    downloads = result.out_dir / "html" / "downloads"
    assert (downloads / "alpha-data.csv").read_text().startswith("question,pct_positive")
    assert (downloads / "beta-figure.png").read_bytes().startswith(b"\x89PNG")
    page = (result.out_dir / "html" / "chapters" / "01_alpha.html").read_text(encoding="utf-8")
    assert 'href="../downloads/alpha-data.csv"' in page


def test_pdf_has_title_page_chapters_and_page_numbers(toy):
    result, _, _ = toy
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    first_page = text.split("\f")[0]
    for expected in ("Toy County Council", "Social Work Health Check", "2022", "Demonstration data"):
        assert expected in first_page
    for title in ("Toy Summary", "Toy Alpha Chapter", "Toy Beta Chapter"):
        assert title in text
    assert "Page 1 of" in text
    assert "downloads_dir" not in text and "Parameters" not in text
    # cover, contents (each chapter with its page), then the report, whose chapters run on; a
    # contents this short shares its page with the start of the report, so each title is found
    # twice from page 2 on: in the contents and as its chapter's heading
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3 and pages[1].split()[0] == "Contents"
    for title in ("Toy Summary", "Toy Alpha Chapter", "Toy Beta Chapter"):
        assert title in pages[1]
        assert "".join(pages[1:]).count(title) >= 2, title


def test_no_page_loads_anything_from_another_host(toy):
    result, _, _ = toy
    pages = sorted((result.out_dir / "html").rglob("*.html")) + sorted((result.out_dir / "notebooks").glob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        html = page.read_text(encoding="utf-8")
        parser = _ExternalRefs()
        parser.feed(html)
        assert parser.found == [], f"{page}: {parser.found}"
        assert "mathjax" not in html.lower(), page
        assert "cdn." not in html.lower() and "unpkg.com" not in html.lower(), page


def test_parameters_cells_are_hidden_and_tagged(toy):
    result, _, _ = toy
    for page in (result.out_dir / "html" / "chapters").glob("*.html"):
        text = _text_of(page.read_text(encoding="utf-8"))
        assert "# Parameters" not in text and "downloads_dir =" not in text, page
    nb = nbformat.read(result.executed_dir / "01_alpha.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    original = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata.tags
    assert len(original) == 1 and "remove-cell" in original[0].metadata.tags
    assert 'downloads_dir = "html/downloads"' in injected[0].source
    assert ".staging-" not in (result.executed_dir / "01_alpha.ipynb").read_text(encoding="utf-8")


def test_chapters_run_headless_with_fixed_environment(toy):
    result, _, _ = toy
    nb = nbformat.read(result.executed_dir / "02_beta.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "matplotlib_inline" in printed  # Agg-based, and figures still display


def test_unchanged_inputs_reuse_the_previous_build(toy, data_dir):
    result, build_root, _ = toy
    before = _tree_hashes(result.out_dir)
    again = build_book(YEAR, data_dir=data_dir, build_root=build_root, chapters_dir=OK, toc_path=OK / "_toc.yml", progress=False)
    assert again.up_to_date and again.chapter_seconds == result.chapter_seconds
    assert _tree_hashes(result.out_dir) == before


def test_an_unchanged_build_is_kept_without_validating_again(toy, data_dir, monkeypatch):
    # Same inputs, code and settings: the last good build's validation stands. A setting that
    # changes what validation checks (a final build) validates again, and starts the workers.
    result, build_root, _ = toy

    class Validated(Exception):
        pass

    def validate(data_path, year, final):
        raise Validated(final)

    class Pool:
        started = 0

        def __init__(self, *args):
            Pool.started += 1

        def close(self, kill):
            pass

    monkeypatch.setattr(stages, "validate", validate)
    monkeypatch.setattr(stages, "ChapterPool", Pool)
    kw = {"data_dir": data_dir, "build_root": build_root, "chapters_dir": OK, "toc_path": OK / "_toc.yml", "progress": False}
    assert build_book(YEAR, **kw).up_to_date and Pool.started == 0
    with pytest.raises(Validated) as caught:
        build_book(YEAR, final=True, **kw)
    assert caught.value.args == (True,) and Pool.started == 1


def test_failing_chapter_names_cell_and_keeps_previous_build(toy, data_dir):
    result, build_root, _ = toy
    before = _tree_hashes(result.out_dir)
    with pytest.raises(ChapterFailed) as caught:
        build_book(
            YEAR,
            data_dir=data_dir,
            build_root=build_root,
            chapters_dir=BROKEN,
            toc_path=BROKEN / "_toc.yml",
            force=True,
            progress=False,
        )
    err = caught.value
    assert (err.chapter, err.cell_index, err.ename) == ("01_broken", 3, "KeyError")
    assert err.cell_source == 'value = figures["IMP99"]'
    message = str(err)
    assert message.startswith('Chapter 01_broken failed at cell 3:\nvalue = figures["IMP99"]\n')
    assert "Error: KeyError: 'IMP99'" in message
    assert err.partial_notebook_path == build_root / f"failed-{YEAR}" / "01_broken.ipynb"
    assert str(err.partial_notebook_path) in message
    partial = nbformat.read(err.partial_notebook_path, as_version=4)
    assert any(o.get("ename") == "KeyError" for c in partial.cells for o in c.get("outputs", []))
    assert _tree_hashes(result.out_dir) == before
    assert not list(build_root.glob(".staging-*")) and not list(build_root.glob(".old-*"))


SLOW_BUILD = """
import sys
from healthcheck.pipeline.stages import build_book
build_book({year}, data_dir={data!r}, build_root={root!r}, chapters_dir={chapters!r},
           toc_path={toc!r}, force=True, progress=True)
"""


def _slow_build_script(tmp_path: Path, data_dir: Path, build_root: Path) -> str:
    """A build whose one chapter sleeps for two minutes, for interrupting it while it runs."""
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    shutil.copy(OK / "00_summary.ipynb", chapters)
    slow = nbformat.read(OK / "02_beta.ipynb", as_version=4)
    slow.cells = slow.cells[:2] + [nbformat.v4.new_code_cell("import time\ntime.sleep(120)")]
    nbformat.write(slow, chapters / "01_slow.ipynb")
    toc = chapters / "_toc.yml"
    toc.write_text("format: jb-book\nroot: chapters/00_summary\nchapters:\n  - file: chapters/01_slow\n")
    return SLOW_BUILD.format(year=YEAR, data=str(data_dir), root=str(build_root), chapters=str(chapters), toc=str(toc))


def _processes_inside(folder: Path) -> list[str]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if str(folder) in os.readlink(proc / "cwd"):
                found.append(proc.name)
        except OSError:
            continue
    return found


def test_sigterm_removes_staging_and_keeps_previous_build(toy, data_dir, tmp_path):
    result, build_root, _ = toy
    before = _tree_hashes(result.out_dir)
    script = _slow_build_script(tmp_path, data_dir, build_root)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for the slow chapter's kernel to be running
            logs = list(build_root.glob(".staging-*/work/01_slow/kernel-stderr.log"))
            if logs and _processes_inside(build_root / logs[0].relative_to(build_root).parts[0]):
                time.sleep(1.0)
                break
            time.sleep(0.2)
        else:
            pytest.fail("the slow chapter never started")
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert "BuildInterrupted" in output
    assert not list(build_root.glob(".staging-*"))
    assert _tree_hashes(result.out_dir) == before
    time.sleep(0.5)
    assert _processes_inside(build_root) == []


def test_missing_toc_chapter_is_a_clear_error(tmp_path, data_dir):
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: chapters/00_summary\nchapters:\n  - file: chapters/99_missing\n")
    with pytest.raises(BuildError, match="99_missing"):
        build_book(YEAR, data_dir=data_dir, build_root=tmp_path / "b", chapters_dir=OK, toc_path=toc, progress=False)


def test_unstartable_chromium_says_how_to_install(toy, tmp_path, monkeypatch):
    result, _, _ = toy
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("HEALTHCHECK_CHROMIUM", str(fake))
    with pytest.raises(PdfError, match="apt-get install chromium"):
        print_pdf(result.html_index, tmp_path / "x.pdf", TitlePage("Org", "Title", YEAR), epoch=0)


def test_build_info_records_the_build(toy):
    result, _, _ = toy
    info = json.loads((result.out_dir / "build-info.json").read_text())
    assert info["year"] == YEAR and info["pdf"] == result.pdf_path.name
    assert info["chapters"] == ["00_summary", "01_alpha", "02_beta"]
    # the build's date is the latest commit's (what SOURCE_DATE_EPOCH defaults to), and the
    # PDF's own creation date is that date, so a rebuild gives the same bytes
    commit_time = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True).stdout
    expected = int(os.environ.get("SOURCE_DATE_EPOCH") or commit_time)
    assert info["source_date_epoch"] == expected
    stamp = time.strftime("D:%Y%m%d%H%M%S", time.gmtime(expected)).encode()
    assert stamp in result.pdf_path.read_bytes()


def test_only_kernel_failures_are_retried():
    assert workers.kernel_failed_to_start(RuntimeError("Kernel died before replying to kernel_info"))
    assert workers.kernel_failed_to_start(TimeoutError("Kernel didn't respond in 60 seconds"))
    assert not workers.kernel_failed_to_start(KeyError("IMP99"))
    assert not workers.kernel_failed_to_start(ValueError("bad parameter"))


def test_summary_says_where_the_outputs_are(toy):
    result, _, _ = toy
    text = stages.summary(result)
    assert str(result.html_index) in text and str(result.pdf_path) in text
    assert "Alternative text is missing" in text


def test_killed_build_keeps_previous_build_and_the_next_build_cleans_up(toy, data_dir, tmp_path):
    """SIGKILL gives the build no chance to tidy up: the previous book must still be intact."""
    result, build_root, _ = toy
    before = _tree_hashes(result.out_dir)
    script = _slow_build_script(tmp_path, data_dir, build_root)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(build_root.glob(".staging-*/work/01_slow/kernel-stderr.log")):
        time.sleep(0.2)
    time.sleep(1.0)
    proc.kill()
    proc.wait(timeout=30)
    stale = list(build_root.glob(".staging-*"))
    # Orphaned workers and kernels of the killed build: stop them as an operator would.
    for pid in {p for folder in stale for p in _processes_inside(folder)}:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert stale, "the killed build should have left its staging folder behind"
    assert _tree_hashes(result.out_dir) == before

    again = build_book(
        YEAR, data_dir=data_dir, build_root=build_root, chapters_dir=OK, toc_path=OK / "_toc.yml", force=True, progress=False
    )
    assert again.html_index.is_file()
    assert not any(folder.exists() for folder in stale)


def test_auditors_pages_share_one_exporter_but_not_its_warnings(tmp_path):
    """The exporter is reused from page to page (templates compiled once): each page still gets
    only its own warnings, and a page exported again is byte-for-byte the same."""
    from healthcheck.pipeline.notebooks import export_notebook_html

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    with_image = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "show()", outputs=[nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
            )
        ]
    )
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("No pictures here.")])
    for name, nb in (("with_image", with_image), ("plain", plain)):
        nbformat.write(nb, tmp_path / f"{name}.ipynb")

    first = export_notebook_html(tmp_path / "with_image.ipynb", tmp_path / "a" / "with_image.html")
    assert first == ["notebooks/with_image.html: Alternative text is missing on 1 image(s)."]
    assert export_notebook_html(tmp_path / "plain.ipynb", tmp_path / "a" / "plain.html") == []
    again = export_notebook_html(tmp_path / "with_image.ipynb", tmp_path / "b" / "with_image.html")
    assert again == first
    assert (tmp_path / "a" / "with_image.html").read_bytes() == (tmp_path / "b" / "with_image.html").read_bytes()
    assert "No pictures here." in (tmp_path / "a" / "plain.html").read_text(encoding="utf-8")
