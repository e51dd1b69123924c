"""Where a build happens and how it is published: a staging folder per build, a lock per year,
stale staging of killed builds removed, and the finished book swapped in so that the year
always has a book.

Until the swap nothing outside the staging folder changes, so a failed or interrupted build
(Ctrl-C, SIGTERM, SIGKILL) leaves the previous book exactly as it was. The swap itself is one
system call where the file system allows it (Linux ``renameat2`` with ``RENAME_EXCHANGE``:
the new book and the old one trade places atomically, so at no instant is ``<year>`` absent).
Where it does not (some network file systems), two renames are recorded first in a journal
(``.publish-<year>.json``); a build killed between them leaves the old book under a hidden
name, and the next build puts it back (:func:`recover`) before it deletes anything.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

from healthcheck import environment, paths
from healthcheck.errors import BuildError

DEFAULT_SOURCE_DATE_EPOCH = 946684800  # 2000-01-01, when the repository has no commit yet


def source_date_epoch() -> str:
    """$SOURCE_DATE_EPOCH, else the time of the latest git commit, else 2000-01-01."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return os.environ["SOURCE_DATE_EPOCH"].strip()
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out if out.isdigit() else str(DEFAULT_SOURCE_DATE_EPOCH)


def shown_path(path) -> str | None:
    """How a folder of this machine is written in what a build may publish: relative to the
    repository when inside it (``data``), else its own name alone; None stays None. Never an
    absolute path: a publisher may upload the manifest and notebooks with the book."""
    if path is None:
        return None
    path = Path(path)
    try:
        return path.resolve().relative_to(paths.ROOT.resolve()).as_posix() or "."
    except ValueError:
        return path.name or "."


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def fingerprint(values: list, inputs: list[Path]) -> str:
    """A hash of everything a build's output depends on: `values` (year, settings of the build),
    the package code and environment, and every file in `inputs` (files or folders)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([values, environment.code_and_environment_hash()], default=str).encode())
    files: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            files += sorted(p for p in item.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif item.is_file():
            files.append(item)
    for path in files:
        digest.update(str(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@contextmanager
def year_lock(build_root: Path, year: int):
    """Hold the build folder's lock for `year` while building it; refuse clearly if another build has it.

    The lock is the operating system's (flock): it is released when the build ends, however it
    ends, so a killed build never leaves a stale lock behind.
    """
    try:
        build_root.mkdir(parents=True, exist_ok=True)
        handle = open(build_root / f".lock-{year}", "a+")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise BuildError(
            f"Cannot write to the build folder {build_root}: {exc.strerror or exc}. "
            "Is it read-only or full? Choose another with --build-dir."
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BuildError(
            f"Another build of {year} is running in {build_root}. Wait for it to finish, then build again."
        ) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def new_staging(build_root: Path, year: int) -> Path:
    """A fresh staging folder for a build of `year`, after removing what killed builds left behind.

    Call it holding `year_lock`: then no other build of the year is alive, so every staging
    folder and half-swapped old book of that year in the build folder is stale -- but first a
    book a killed publish left hidden is put back (:func:`recover`), so nothing deleted here
    can be the only copy of a book.
    """
    recover(build_root, year)
    for stale in [*build_root.glob(f".old-{year}-*"), *build_root.glob(f".staging-{year}-*")]:
        shutil.rmtree(stale, ignore_errors=True)
    staging = build_root / f".staging-{year}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise BuildError(f"Cannot write to the build folder {build_root}: {exc.strerror or exc}.") from None
    return staging


#: Called with the name of each step of :func:`publish` and :func:`recover` as it is reached;
#: the tests kill the process there (SIGKILL) to prove a book survives a kill at every step.
STEP_HOOK = None

#: Tests set this False to take the two-rename path that file systems without
#: ``RENAME_EXCHANGE`` get.
USE_EXCHANGE = True

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _step(name: str) -> None:
    if STEP_HOOK is not None:
        STEP_HOOK(name)


def journal_path(build_root: Path, year: int) -> Path:
    """The publish journal of `year`: present only while a two-rename swap is under way."""
    return Path(build_root) / f".publish-{year}.json"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE).

    False when the C library or the file system cannot (the caller then takes two renames);
    any other failure is an OSError, and then nothing was swapped.
    """
    if not USE_EXCHANGE:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # not glibc >= 2.28, or not Linux
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _sync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut after it keeps it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_journal(path: Path, record: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _sync_dir(path.parent)


@contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the block ends, then take effect.

    Blocking them in the main thread is not enough: a signal sent to the process is delivered to
    any thread that does not block it (a build has chapter pools and readers), and Python then
    runs the handler in the main thread at once, in the middle of the block. So the handlers are
    also swapped for one that only notes the signal, and what was noted is raised again, with
    the handlers as they were, when the block ends. Only the main thread can set handlers; in
    another thread the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = (signal.SIGINT, signal.SIGTERM)
    noted: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: noted.append(signum)) for signum in held}
    signal.pthread_sigmask(signal.SIG_BLOCK, set(held))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(held))  # one waiting is delivered now, and noted
        for signum in reversed(held):  # SIGINT's own handler last: it may raise at once
            signal.signal(signum, previous[signum])
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def publish(out: Path, final: Path, year: int) -> None:
    """Replace the book ``final`` by ``out``; at no instant a kill can reach is the year left without one.

    No book yet: one rename. Otherwise one atomic exchange where the file system has it, else
    two renames under a journal that :func:`recover` finishes. Ctrl-C/SIGTERM wait until the
    swap is done; after it ``out`` holds the old book (removed here, or by the next build).
    """
    out, final = Path(out), Path(final)
    build_root = final.parent
    with _signals_held():
        _step("start")
        if not os.path.lexists(final):
            os.rename(out, final)
            _sync_dir(build_root)
            _step("renamed")
            return
        if _exchange(out, final):
            _sync_dir(build_root)
            _step("exchanged")
            old = out
        else:
            old = build_root / f".old-{year}-{secrets.token_hex(4)}"
            journal = journal_path(build_root, year)
            _write_journal(journal, {"old": old.name, "new": os.path.relpath(out, build_root)})
            _step("journal-written")
            os.rename(final, old)
            _step("old-moved")  # the only instant without <year>: the journal names where it is
            try:
                os.rename(out, final)
            except BaseException:
                os.rename(old, final)
                journal.unlink(missing_ok=True)
                raise
            _sync_dir(build_root)
            _step("new-moved")
            journal.unlink(missing_ok=True)
            _step("journal-removed")
    shutil.rmtree(old, ignore_errors=True)
    _step("old-removed")


def recover(build_root: Path, year: int) -> str | None:
    """Put back a book of `year` that a publish killed half-way left hidden; None when none was.

    Call it holding :func:`year_lock`. When ``<year>`` is missing, the old book the journal
    names (or, from an older version without a journal, the newest ``.old-<year>-*``) is
    renamed back; failing that, the new book the journal names finishes the swap. Returns what
    it did, in words, for the build's log.
    """
    build_root = Path(build_root)
    final, journal = build_root / str(year), journal_path(build_root, year)
    record = {}
    if journal.is_file():
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
    done = None
    with _signals_held():
        if not os.path.lexists(final):
            olds = [build_root / record["old"]] if isinstance(record.get("old"), str) else []
            olds += sorted(build_root.glob(f".old-{year}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
            new = build_root / record["new"] if isinstance(record.get("new"), str) else None
            for source, words in [*((o, "the last good book was put back") for o in olds),
                                  (new, "the swap was finished with the new book")]:  # fmt: skip
                if source is not None and source.is_dir() and build_root.resolve() in source.resolve().parents:
                    _step("recovering")
                    os.rename(source, final)
                    _sync_dir(build_root)
                    done = f"{year}: an earlier build was killed while publishing; {words} ({final})"
                    break
        _step("recovered")
        journal.unlink(missing_ok=True)
    return done


def book_identity(final: Path) -> tuple[int, int] | None:
    """Which book folder is at ``final`` (device and inode: renames keep them), None when no
    complete book is there (a book has its ``build-info.json`` and ``html/index.html``)."""
    final = Path(final)
    try:
        if not ((final / "build-info.json").is_file() and (final / "html" / "index.html").is_file()):
            return None
        st = os.stat(final)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def interrupted_message(final: Path, year: int, before: tuple | None, recovered: str | None = None) -> str:
    """What to tell the analyst after an interrupted build, from what really is at ``final``
    (``before``: :func:`book_identity` when the build began; ``recovered``: what
    :func:`recover` did)."""
    now = book_identity(final)
    put_back = f" ({recovered})" if recovered else ""
    if now is None:
        return f"Interrupted: no book of {year} is in {final.parent}; none had been published there{put_back}."
    if now == before:
        return f"Interrupted: nothing was replaced; the last good build is as it was{put_back}: {final}."
    return f"Interrupted after publishing: {final} holds the new build, complete{put_back}."


def recover_if_free(build_root: Path, year: int) -> str | None:
    """:func:`recover` when no build of `year` is running (one that is may be mid-swap); else None.
    A build folder that does not exist yet holds nothing to recover, and is not created here."""
    if not Path(build_root).is_dir():
        return None
    try:
        with year_lock(Path(build_root), year):
            return recover(Path(build_root), year)
    except BuildError:
        return None
