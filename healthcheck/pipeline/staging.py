"""Where a build happens and how it is published: a staging folder per build, a lock per year,
stale staging of killed builds removed, and the finished book swapped in with two renames.

Until the swap nothing outside the staging folder changes, so a failed or interrupted build
(Ctrl-C, SIGTERM, SIGKILL) leaves the previous book exactly as it was.
"""

from __future__ import annotations

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
    folder and half-swapped old book of that year in the build folder is stale.
    """
    for stale in [*build_root.glob(f".old-{year}-*"), *build_root.glob(f".staging-{year}-*")]:
        shutil.rmtree(stale, ignore_errors=True)
    staging = build_root / f".staging-{year}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise BuildError(f"Cannot write to the build folder {build_root}: {exc.strerror or exc}.") from None
    return staging


def publish(out: Path, final: Path, year: int) -> None:
    """Replace ``final`` by ``out`` with two renames; Ctrl-C/SIGTERM wait until both are done."""
    old = None
    blockable = threading.current_thread() is threading.main_thread()
    if blockable:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        if final.exists():
            old = final.parent / f".old-{year}-{secrets.token_hex(4)}"
            os.rename(final, old)
        try:
            os.rename(out, final)
        except BaseException:
            if old is not None:
                os.rename(old, final)
            raise
    finally:
        if blockable:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
