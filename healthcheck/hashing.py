"""The one way the package hashes a file: SHA-256 of its bytes, read in blocks."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: What :func:`content_digest` gives for a path with no file, and for one that is not a regular file.
ABSENT = "absent"
NOT_A_FILE = "not-a-file"


def content_digest(path) -> str:
    """What a reader of `path` gets, as one string: the SHA-256 of the bytes read through any
    symbolic links, ``ABSENT`` when nothing is there, ``NOT_A_FILE`` for a folder, FIFO or
    device (never opened: a FIFO would block)."""
    try:
        mode = Path(path).stat().st_mode  # follows links: the file a reader would open
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT
    except OSError:  # a link loop, no permission: not something a reader gets bytes from
        return NOT_A_FILE
    if not stat.S_ISREG(mode):
        return NOT_A_FILE
    try:
        return sha256(Path(path))
    except OSError:
        return NOT_A_FILE
