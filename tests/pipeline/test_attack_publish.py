"""Attack: publishing cannot lose the book (issue 25).

A build is killed (SIGKILL, in a real subprocess) at every step of publishing and of the next
build's recovery, on both ways of swapping (the atomic exchange, and the two renames under a
journal that file systems without it get); the build after that is interrupted with Ctrl+C.
Each time a complete book must remain at ``<build_root>/2022``: the old one or the new one,
byte for byte. One case runs the real CLI builds end to end and checks what they print.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from healthcheck import paths
from healthcheck.pipeline import staging
from tests.conftest import tree_hashes
from tests.support.hostile_council import write_council

TOY = Path(__file__).parents[1] / "support" / "fixtures" / "chapters_ok"
# Ctrl+C is sent to this pytest process itself: under `make test`'s workers these tests run before
# that process reads the demonstration book (tests/conftest.py says why).
pytestmark = pytest.mark.ctrl_c_in_process

YEAR = 2022

# Every step publish and recover report to staging.STEP_HOOK, per way of swapping.
EXCHANGE_STEPS = ["start", "exchanged", "old-removed"]
RENAME_STEPS = ["start", "journal-written", "old-moved", "new-moved", "journal-removed", "old-removed"]

KILL_SCRIPT = textwrap.dedent(
    """
    import os, shutil, signal, sys
    from pathlib import Path
    from healthcheck.pipeline import staging

    root, source, step, exchange = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
    staging.USE_EXCHANGE = exchange

    def hook(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    staging.STEP_HOOK = hook
    with staging.year_lock(root, 2022):
        stage = staging.new_staging(root, 2022)
        shutil.copytree(source, stage / "out")
        staging.publish(stage / "out", root / "2022", 2022)
    print("finished without being killed")
    """
)


def _write_book(folder: Path, label: str) -> Path:
    """A complete book as the build publishes it, each file saying which build wrote it."""
    (folder / "html" / "downloads").mkdir(parents=True)
    (folder / "html" / "index.html").write_text(f"<p>{label}</p>", encoding="utf-8")
    for n in range(30):  # enough files that removing a folder takes more than an instant
        (folder / "html" / f"page{n}.html").write_text(f"{label} {n}", encoding="utf-8")
    (folder / "pdf").mkdir()
    (folder / "pdf" / "report-2022.pdf").write_bytes(f"%PDF-1.4 {label}".encode())
    (folder / "build-info.json").write_text(f'{{"label": "{label}"}}', encoding="utf-8")
    (folder / "manifest.json").write_text(f'{{"label": "{label}"}}', encoding="utf-8")
    return folder


def _kill_at(root: Path, source: Path, step: str, exchange: bool) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(root), str(source), step, "1" if exchange else "0"],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, f"step {step!r} was never reached: {proc.stdout}{proc.stderr}"


def _next_build_interrupted(root: Path) -> None:
    """What the next build does before its chapters run (lock, recovery, stale folders
    removed, fresh staging), then Ctrl+C arrives."""
    with pytest.raises(KeyboardInterrupt), staging.year_lock(root, YEAR):
        staging.new_staging(root, YEAR)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the signal arrives before this ends
        raise AssertionError("Ctrl+C did not interrupt")


@pytest.fixture
def books(tmp_path):
    """(build root with the old book published, the new book's source, old hashes, new hashes)."""
    root = tmp_path / "build"
    old = _write_book(root / str(YEAR), "old")
    new = _write_book(tmp_path / "new", "new")
    return root, new, tree_hashes(old), tree_hashes(new)


@pytest.mark.parametrize(
    ("exchange", "step"),
    [(True, s) for s in EXCHANGE_STEPS] + [(False, s) for s in RENAME_STEPS],
    ids=[f"exchange-{s}" for s in EXCHANGE_STEPS] + [f"renames-{s}" for s in RENAME_STEPS],
)
def test_a_kill_at_any_step_of_publish_then_ctrl_c_keeps_a_complete_book(books, exchange, step):
    root, new, old_hashes, new_hashes = books
    _kill_at(root, new, step, exchange)
    final = root / str(YEAR)
    if exchange:
        # One atomic exchange: right after the kill, before any recovery, the year has a book.
        assert tree_hashes(final) in (old_hashes, new_hashes), f"killed at {step}: no complete book at {final}"
    _next_build_interrupted(root)
    assert tree_hashes(final) in (old_hashes, new_hashes), f"killed at {step}, then Ctrl+C: no complete book"
    # Killed before the new book took the year's name: the old one is back, exactly.
    if step in ("start", "journal-written", "old-moved"):
        assert tree_hashes(final) == old_hashes
    assert not list(root.glob(f".old-{YEAR}-*")) and not staging.journal_path(root, YEAR).exists()


@pytest.mark.parametrize("step", ["recovering", "recovered"])
def test_a_kill_during_recovery_then_ctrl_c_keeps_the_book(books, step):
    """The build after a killed publish is itself killed while putting the book back."""
    root, new, old_hashes, _ = books
    _kill_at(root, new, "old-moved", exchange=False)
    assert not (root / str(YEAR)).exists()  # the two-rename gap, which only recovery closes
    _kill_at(root, new, step, exchange=False)  # the next build dies during its recovery
    _next_build_interrupted(root)
    assert tree_hashes(root / str(YEAR)) == old_hashes


def test_the_hidden_copy_an_older_version_left_is_put_back(books):
    """A build folder from before the journal: the year missing, its book under .old-<year>-*."""
    root, _, old_hashes, _ = books
    os.rename(root / str(YEAR), root / f".old-{YEAR}-0123abcd")
    _next_build_interrupted(root)
    assert tree_hashes(root / str(YEAR)) == old_hashes


def test_the_first_publish_is_one_rename(tmp_path):
    root = tmp_path / "build"
    new = _write_book(tmp_path / "new", "new")
    _kill_at(root, new, "start", exchange=True)
    assert not (root / str(YEAR)).exists()
    _next_build_interrupted(root)
    assert not (root / str(YEAR)).exists()
    _kill_at(root, new, "renamed", exchange=True)
    assert tree_hashes(root / str(YEAR)) == tree_hashes(new)


def test_the_messages_say_what_is_really_there(books):
    root, new, _, _ = books
    final = root / str(YEAR)
    before = staging.book_identity(final)
    assert before is not None
    assert "is as it was" in staging.interrupted_message(final, YEAR, before)
    _kill_at(root, new, "new-moved", exchange=False)  # the new book is in place
    said = staging.interrupted_message(final, YEAR, before)
    assert "as it was" not in said and "holds the new build" in said
    empty = root / "2021"
    said = staging.interrupted_message(empty, 2021, None)
    assert "as it was" not in said and "no book of 2021" in said


# ----------------------------------------------------------------------------- end to end

BUILD_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from healthcheck import cli
    from healthcheck.pipeline import stages, staging

    toy, kill_at, sigint_at = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    staging.USE_EXCHANGE = False  # the two renames: the way that has a gap to recover from

    def hook(name):
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if name == sigint_at:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while publishing: held until the swap is done

    staging.STEP_HOOK = hook
    real = stages.build_book
    stages.build_book = lambda *a, **k: real(*a, chapters_dir=toy, toc_path=toy / "_toc.yml", **k)
    sys.exit(cli.main(sys.argv[4:]))
    """
)


def _build(council: Path, root: Path, kill_at: str = "-", sigint_at: str = "-", **popen) -> subprocess.Popen:
    argv = ["build", "--year", str(YEAR), "--data-dir", str(council), "--build-dir", str(root), "--jobs", "1", "--force"]
    return subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(TOY), kill_at, sigint_at, *argv],
        cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip


def test_killed_between_the_renames_then_ctrl_c_in_the_next_build_loses_nothing(tmp_path):
    """The issue's attack with the real builds: SIGKILL between publish's renames, Ctrl+C in
    the next build; the last good book remains, and the message says so only because it does."""
    council = write_council(tmp_path / "data")
    root = tmp_path / "build"
    first = _build(council, root)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    good = tree_hashes(root / str(YEAR))
    assert "html/index.html" in good and any(k.startswith("pdf/") for k in good)

    killed = _build(council, root, kill_at="old-moved")
    killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL
    assert not (root / str(YEAR)).exists(), "the attack needs the moment between the renames"

    stale = set(root.glob(f".staging-{YEAR}-*"))
    assert stale, "SIGKILL leaves the killed build's staging folder"
    nxt = _build(council, root)
    deadline = time.monotonic() + 300
    # Interrupt once the next build has its own staging folder (stale ones removed by then).
    while time.monotonic() < deadline and not set(root.glob(f".staging-{YEAR}-*/work")) - {s / "work" for s in stale}:
        assert nxt.poll() is None, nxt.communicate()
        time.sleep(0.1)
    nxt.send_signal(signal.SIGINT)
    out, err = nxt.communicate(timeout=120)
    assert nxt.returncode == 130, out + err
    assert tree_hashes(root / str(YEAR)) == good, "the last good book was lost or changed"
    assert "the last good build is as it was" in err and "put back" in err, err

    # Ctrl+C while publishing is held until the swap is done: then the new book is there, and
    # the message says so instead of claiming nothing was replaced.
    late = _build(council, root, sigint_at="old-moved")
    out, err = late.communicate(timeout=600)
    assert late.returncode == 130, out + err
    assert "holds the new build" in err and "as it was" not in err, err
    assert staging.book_identity(root / str(YEAR)) is not None
    assert (root / str(YEAR) / "html" / "index.html").is_file()
