"""Shared test fixtures (small, self-contained data folders written per test; the demonstration
book built once per run), and the tiers: a test's tier is its folder (tests/README.md)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import settings

# The property tests explore new examples on every run while a change is being made
# (`make test-fast`), but `make test` (what CI runs) uses the "ci" profile: the same examples
# every time, so a run fails because of the change and not because of the draw. A bug the
# exploration finds is fixed and its example pinned with @example.
settings.register_profile("ci", derandomize=True)

BANK = {
    "themes": {"improvement": "Improvement", "wellbeing": "Health and wellbeing"},
    "questions": {
        "IMP01": {
            "theme": "improvement",
            "short": "Understand priorities",
            "wording": {2021: "I understand the priorities", 2022: "I understand the priorities"},
        },
        "IMP02": {
            "theme": "improvement",
            "short": "Regular supervision",
            "wording": {2021: "I get supervision", 2022: "I get regular, reflective supervision"},
            "comparable_from": 2022,
        },
        "WEL01": {
            "theme": "wellbeing",
            "short": "Manageable workload",
            "wording": {2021: "My workload is manageable", 2022: "My workload is manageable"},
        },
    },
}


def write_year(
    data_dir: Path,
    year: int,
    rows: list[dict],
    *,
    meta_overrides: dict | None = None,
    export_name: str = "export.csv",
    encoding="utf-8-sig",
):
    """Write data_dir/<year>/ with a respondent-level CSV export and its survey.yml."""
    folder = data_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    if export_name.endswith(".xlsx"):
        frame.to_excel(folder / export_name, index=False)
    else:
        frame.to_csv(folder / export_name, index=False, encoding=encoding)
    headings = {w: q for q, spec in BANK["questions"].items() for y, w in spec["wording"].items() if y == year}
    meta = {
        "year": year,
        "level": "respondents",
        "export": export_name,
        "columns": {"respondent_id": "Response ID", "completed": "Completed", "team": "Team"},
        "questions": {h: q for h, q in headings.items() if h in frame.columns},
        "workforce": 100,
    }
    meta.update(meta_overrides or {})
    (folder / "survey.yml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return folder


def respondent_rows(year: int, answers: dict[str, list[str]], teams: list[str] | None = None) -> list[dict]:
    """Rows of a respondent export: one per answer position, with ids, dates and teams."""
    n = len(next(iter(answers.values())))
    rows = []
    for i in range(n):
        row = {
            "Response ID": f"R{i + 1:04d}",
            "Completed": f"{year}-05-{(i % 28) + 1:02d} 10:00",
            "Team": (teams or ["Team A"])[i % len(teams or ["Team A"])],
        }
        row.update({heading: values[i] for heading, values in answers.items()})
        rows.append(row)
    return rows


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A valid two-year data folder (2021 and 2022), 40 respondents each."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.yml").write_text(
        yaml.safe_dump({"organisation": "Test Council", "suppression_threshold": 10}), encoding="utf-8"
    )
    (folder / "question_bank.yml").write_text(yaml.safe_dump(BANK, sort_keys=False), encoding="utf-8")
    labels = ["Strongly agree", "Agree", "Agree", "Neutral", "Disagree", "Don't know", "", "Strongly Disagree"] * 5
    write_year(
        folder,
        2021,
        respondent_rows(
            2021,
            {"I understand the priorities": labels, "I get supervision": labels[::-1], "My workload is manageable": labels},
            ["Team A", "Team B"],
        ),
    )
    write_year(
        folder,
        2022,
        respondent_rows(
            2022,
            {
                "I understand the priorities": ["Agree"] * 30 + ["Disagree"] * 10,
                "I get regular, reflective supervision": labels,
                "My workload is manageable": labels,
            },
            ["Team A", "Team B", "Team C"],
        ),
    )
    return folder


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, to prove a command changed nothing."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def pdf_text(pdf: Path) -> str:
    """The text of a PDF as pdftotext reads it, white space folded to single spaces."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def run_cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m healthcheck ARGS` as the analyst runs it: text output, never raises."""
    return subprocess.run([sys.executable, "-m", "healthcheck", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """A copy of the shipped demonstration data, shared by the tests that build from it.

    A test that changes a file here must put it back (the cache test does, in a finally).
    """
    from healthcheck import paths

    folder = tmp_path_factory.mktemp("demo") / "data"
    shutil.copytree(paths.ROOT / "data", folder)
    return folder


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory, demo_data):
    """The 2022 demonstration book, built once per test run in a temporary folder (never the
    repository's _build/). Built with the real pipeline (papermill, Jupyter Book, Chromium);
    every test of what a reader sees, and the cache and verify tests, read this one build.
    """
    from healthcheck.pipeline import stages

    root = tmp_path_factory.mktemp("demo-build")
    started = time.monotonic()
    result = stages.build_book(2022, data_dir=demo_data, build_root=root, force=True, progress=False)
    _SUMMARY.append(f"The demonstration book the tests built ({time.monotonic() - started:.0f} s), and its screenshots: {root}")
    return result


@pytest.fixture(scope="session")
def second_council_book(tmp_path_factory):
    """The second council's book (tests/support/second_council.py), built once a session through
    the analyst's documented commands: (the year's book folder, what `import` printed). Read by
    tests/pipeline/test_any_council.py and the book tier's reflow and PDF checks."""
    from tests.support import second_council

    started = time.monotonic()
    built = second_council.build_as_the_guide_says(tmp_path_factory.mktemp("northmere"))
    _SUMMARY.append(f"The second council's book ({time.monotonic() - started:.0f} s): {built[0]}")
    return built


@pytest.fixture(scope="session")
def national_batch(tmp_path_factory):
    """`healthcheck batch` run once a session on the tests' four organisations
    (tests/support/national_batch.py): (organisations folder, build folder, exit status, input
    hashes before). Read by tests/pipeline/test_batch.py (whose last test reruns it) and by the
    book tier's checks of the national summary book."""
    from tests.support import national_batch as batch

    started = time.monotonic()
    root = tmp_path_factory.mktemp("batch")
    orgs = batch.make_orgs(root / "orgs")
    before = tree_hashes(orgs)
    status = batch.run_cli(orgs, root / "build")
    _SUMMARY.append(f"The national batch ({time.monotonic() - started:.0f} s): {root / 'build'}")
    return orgs, root / "build", status, before


@pytest.fixture(scope="session")
def books(request):
    """kind -> `tests.support.books.Book` ("demo", "second council", "national"), each book built
    on first use by its session fixture, so a run that reads only one builds only that one."""
    from tests.support import books as kinds

    def get(kind: str):
        if kind == "demo":
            built = request.getfixturevalue("demo_book")
            return kinds.council_book(kind, built.out_dir, request.getfixturevalue("demo_data"), built.year)
        if kind == "second council":
            from tests.support import second_council

            folder, _ = request.getfixturevalue("second_council_book")
            return kinds.council_book(kind, folder, folder.parents[1] / "data", second_council.SECOND_YEAR)
        if kind == "national":
            orgs, build, _, _ = request.getfixturevalue("national_batch")
            from tests.support.national_batch import YEAR

            return kinds.national_book(build, orgs, YEAR)
        raise ValueError(kind)

    return get


@pytest.fixture(scope="module")
def site(demo_book):
    """The demonstration book's HTML served on 127.0.0.1 (a free port), as a reader's browser
    would get it (tests/support/site_checks.served)."""
    from tests.support.site_checks import served

    with served(demo_book.out_dir / "html") as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, with the flags the PDF is printed with; one per
    module (Playwright's sync API allows one running instance at a time, and some tests start
    their own)."""
    from playwright.sync_api import sync_playwright

    from healthcheck.pipeline.pdf.printing import CHROMIUM_ARGS, find_chromium

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_SUMMARY: list[str] = []
TIERS = ("unit", "pipeline", "book")


def pytest_collection_modifyitems(config, items):
    """A test's tier is the folder it is in: tests/unit, tests/pipeline or tests/book (the rule
    is in tests/README.md). A test written with another tier's marker stops the run, saying
    where it belongs. A new file still at the top of tests/, not yet placed in its folder,
    keeps the marker it was written with; unmarked, it is a unit test."""
    here = Path(__file__).parent
    for item in items:
        parts = Path(item.path).relative_to(here).parts
        folder = parts[0] if len(parts) > 1 and parts[0] in TIERS else None
        written = [tier for tier in TIERS if item.get_closest_marker(tier)]
        if folder and set(written) - {folder}:
            raise pytest.UsageError(
                f"{item.nodeid} is marked {', '.join(written)} but is in tests/{folder}/: "
                f"move it to the folder of its tier (tests/README.md says which)"
            )
        if folder or not written:
            item.add_marker(getattr(pytest.mark, folder or "unit"))
    # Cheapest tier first (unit, pipeline, book; a stable sort keeps each file's order): a broken
    # unit test is reported in the first minute, and the order of the pipeline tests relative to
    # the demonstration book's tests is what it was before the tiers had folders.
    items.sort(key=lambda item: next(i for i, tier in enumerate(TIERS) if item.get_closest_marker(tier)))
    if config.getoption("tier_groups"):
        # On `make test`'s two workers the work is handed out in groups, in this order
        # (pytest_xdist_make_scheduler): the book tier starts beside the pipeline files instead of
        # alone at the end, and each book is built in one worker only.
        _check_shared_books(items)
        items.sort(key=_worker_order)


#: The books built once a session (tests/conftest.py) that a pipeline file and the book tier both
#: read: kind (tests/support/books.py) -> (its session fixture, the pipeline file that reads it).
SHARED_BOOKS = {
    "national": ("national_batch", "tests/pipeline/test_batch.py"),
    "second council": ("second_council_book", "tests/pipeline/test_any_council.py"),
}
# A book-tier test of one of them names its kind first in its parameters ("[national]",
# "[second council-320]", "[second-council-summary-390]"): all the scheduler sees is node ids.
_SHARED_BOOK_ID = re.compile(r"\[(" + "|".join(kind.replace(" ", "[ -]") for kind in SHARED_BOOKS) + r")\b")


def _shared_book(nodeid: str) -> str | None:
    """The shared book (SHARED_BOOKS) a test reads, from its node id; None for any other test."""
    path = nodeid.split("::")[0]
    for kind, (_, file) in SHARED_BOOKS.items():
        if path == file:
            return kind
    found = _SHARED_BOOK_ID.search(nodeid) if path.startswith("tests/book/") else None
    return found.group(1).replace("-", " ") if found else None


def _work_group(nodeid: str) -> str:
    """The work unit of `make test`'s scheduler (pytest_xdist_make_scheduler) a test is in: a
    unit test alone; every test of a shared book (SHARED_BOOKS: its pipeline file and the book
    tier's checks of it) together, so the book is built once; the rest of the book tier together
    (the demonstration book); any other file whole (its module fixtures are built once)."""
    path = nodeid.split("::")[0]
    if path.startswith("tests/unit/"):
        return nodeid
    book = _shared_book(nodeid)
    if book:
        return f"the {book} book"
    return "the demonstration book" if path.startswith("tests/book/") else path


def _check_shared_books(items) -> None:
    """Under --tier-groups, a test that reads a shared book (its fixture, or its kind as a
    parameter) must be in that book's work group, or the book would be built again in another
    worker: stop the run, saying what to change."""
    for item in items:
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        used = {kind for kind, (fixture, _) in SHARED_BOOKS.items() if fixture in item.fixturenames}
        used |= {value for value in params if isinstance(value, str) and value in SHARED_BOOKS}
        if used and used != {_shared_book(item.nodeid)}:
            raise pytest.UsageError(
                f"{item.nodeid} reads the {' and '.join(sorted(used))} book, but `make test` would not run it with "
                "that book's other tests (its node id does not say so): put it in the file SHARED_BOOKS in "
                "tests/conftest.py names, or give a book-tier test the book's kind as its first parameter"
            )


def _worker_order(item) -> tuple[int, int]:
    """Where a test goes in `make test`'s queue of work (the scheduler hands out each work group
    in the order of its first test): the unit tests, one by one; the tests that send Ctrl+C to
    this process (a worker runs them before anything that reads a book: after the book tier's
    tests Ctrl+C was not delivered as they expect); the groups of the three books, largest
    first (the demonstration's, the national summary's, the second council's); the longest
    pipeline files (LONG_PIPELINE_FILES), then the others. Inside a shared book's group the
    book tier's checks come first and the pipeline file's tests last, in their order: the last
    test of tests/pipeline/test_batch.py reruns the batch on changed data."""
    tier = next(i for i, tier in enumerate(TIERS) if item.get_closest_marker(tier))
    if tier == 0:
        return 0, tier
    if item.get_closest_marker("ctrl_c_in_process"):
        return 1, tier
    books = ["the demonstration book", *(f"the {kind} book" for kind in SHARED_BOOKS)]
    group = _work_group(item.nodeid)
    if group in books:
        return 2 + books.index(group), -tier
    if group in LONG_PIPELINE_FILES:
        return 5, LONG_PIPELINE_FILES.index(group)
    return 9, tier


#: The pipeline files that take longest (a minute or more each on two cores: several books each),
#: handed out before the others so that neither worker starts one while the other has run out
#: of work. Only the order depends on this list: a file missing from it still runs, later.
LONG_PIPELINE_FILES = (
    "tests/pipeline/test_build.py",
    "tests/pipeline/test_survey_tools_books.py",
    "tests/pipeline/test_scaffold.py",
    "tests/pipeline/test_hostile.py",
)


def pytest_configure(config):
    """The marker of tests that send Ctrl+C to the pytest process (see _worker_order)."""
    config.addinivalue_line("markers", "ctrl_c_in_process: sends Ctrl+C to the pytest process itself")


def pytest_terminal_summary(terminalreporter):
    """Say where the test build (and the screenshots to look at) are."""
    for line in _SUMMARY:
        terminalreporter.write_line(line)


def pytest_addoption(parser):
    """`--tier-groups`, for `make test` on both cores (`-n 2`): see pytest_xdist_make_scheduler."""
    parser.addoption(
        "--tier-groups",
        action="store_true",
        help="with -n: each book with all its readers, and each other pipeline file, runs in one worker",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With `-n 2 --tier-groups`, pytest-xdist hands out work in groups (_work_group): a unit test
    alone; each book built once a session with all of its readers (the demonstration book with
    the rest of the book tier; the national summary with tests/pipeline/test_batch.py and the
    book tier's [national] checks; the second council's with test_any_council.py and the
    [second council] checks), so no book is built in both workers; any other pipeline file whole
    (its module fixtures, a council's books, are built once). Groups are handed out in the
    order collection sorted them (_worker_order), each group's tests in that order, so the
    worker that takes a book has already run every test that sends Ctrl+C to its process.
    (xdist's own `--dist loadgroup` cannot do this with pytest 9's node ids: its groups are
    silently ignored.)"""
    if not config.getoption("tier_groups"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class TierGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_group(nodeid)

    config.option.loadscopereorder = False  # keep the tiers' order, not the largest group first
    return TierGroups(config, log)


def pytest_sessionfinish(session):
    """On a pytest-xdist worker, hand the summary's lines to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["healthcheck_summary"] = list(_SUMMARY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller collects a finished worker's summary lines (pytest_sessionfinish above)."""
    _SUMMARY.extend(getattr(node, "workeroutput", {}).get("healthcheck_summary", []))


@pytest.fixture(scope="session", autouse=True)
def shipped_data_is_never_modified():
    """Every command the suite runs reads the shipped data/; none may change a byte of it."""
    from healthcheck import paths

    before = tree_hashes(paths.ROOT / "data")
    yield
    after = tree_hashes(paths.ROOT / "data")
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"the test run modified input files: {changed}"


@pytest.fixture(autouse=True)
def matplotlib_settings_are_restored():
    """A test that makes a `Chapter` sets the house style globally, as a chapter notebook does;
    later tests (which may draw with matplotlib's defaults) must not inherit it."""
    import matplotlib

    with matplotlib.rc_context():
        yield
