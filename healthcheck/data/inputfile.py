"""Every input file opened one way, and every text input decoded one way.

`read_input` is where the data layer opens a file of the data folder: the file must lie
inside the folder once links are resolved (a link to a file elsewhere on the machine would
otherwise be read and published), must be a regular file (a named pipe would hang the build,
a device would never end) and must fit a size limit. `decode_text` turns a text file's bytes
into text whatever a Windows editor saved it as (UTF-8 with or without a byte-order mark,
UTF-16 "Unicode", Windows-1252 "ANSI"), or refuses with the line and column of the byte it
cannot read and what to save the file as. `normalise` puts text in one Unicode form (NFC)
with every Unicode space as a plain space, so that text that looks the same compares the same.

The table readers (`read`, `readcsv`) and the YAML and narrative readers all come through
here; `InputError` is what they turn into their own errors.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS_UTF8 = "save it again as UTF-8 (in Notepad: File > Save As, Encoding 'UTF-8')"

# Unicode's space separators (category Zs) other than the plain space: no-break space, the
# typographic spaces U+2000-U+200A, narrow no-break, medium mathematical, ideographic, ogham.
UNICODE_SPACES = "".join(chr(c) for c in range(0x80, 0x3001) if unicodedata.category(chr(c)) == "Zs")
_SPACE_TABLE = str.maketrans(dict.fromkeys(UNICODE_SPACES, " "))


class InputError(Exception):
    """An input file that cannot be used, in words for the analyst: `message` says why and what
    to do; `line` and `column` (1-based) say where, when known; `found`/`expected` are the short
    forms for a Problem."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, *, found=None, expected=None, kind=""):
        super().__init__(message)
        self.kind = kind  # "size", "boundary", "special" or "" (the text)
        self.message = message
        self.line = line
        self.column = column
        self.found = found
        self.expected = expected or message


def boundary_problem(path: Path | str, root: Path | str) -> str | None:
    """Why `path` may not be read as an input of the data folder `root`, or None when it may.

    A path (or any link along it) that leads out of `root` is refused, and so is anything that
    is not a regular file or a folder: a named pipe (FIFO), a device or a socket. A path that
    does not exist is not refused here (the callers say what is missing in their own words).
    """
    path = Path(path)
    try:
        real = Path(os.path.realpath(path))
        real.relative_to(os.path.realpath(root))
    except ValueError:
        return (
            "a link leading out of the data folder: files outside the data folder are never read; "
            "copy the file into the data folder instead of linking to it"
        )
    except (OSError, RuntimeError):  # a loop of links
        return "a link that leads round in a loop: replace it with the file itself"
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"a file that cannot be examined ({exc.strerror or exc})"
    kind = special_kind(mode)
    if kind:
        return f"{kind}, not an ordinary file: replace it with the file itself"
    return None


def special_kind(mode: int) -> str | None:
    """'a named pipe (FIFO)', 'a device' or 'a socket' for a special file's mode, else None."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def read_input(path: Path | str, root: Path | str | None, *, max_bytes: int | None = None) -> bytes:
    """The bytes of one input file, read only if it is a regular file inside `root`.

    `root` is the data folder the file must lie in once every link is resolved (None only for
    a file the analyst names on the command line, such as the export `import` copies in).
    Raises InputError for a link out of the folder, a special file or a file larger than
    `max_bytes`; missing files, folders and permission errors raise the usual OSError
    (FileNotFoundError, IsADirectoryError, PermissionError) for the caller to put in words.
    The file is opened without following a last link and without waiting on a named pipe,
    and checked again once open, so a file swapped in between is caught as well.
    """
    path = Path(path)
    if root is not None:
        refused = boundary_problem(path, root)
        if refused:
            raise InputError(
                f"this is {refused}", found=refused.split(":")[0], expected="an ordinary file in the data folder", kind="boundary"
            )
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if root is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a link after the check
            raise InputError(
                "this file changed into a link while it was read: run again", found="a link", kind="boundary"
            ) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        kind = special_kind(info.st_mode)
        if kind:
            raise InputError(
                f"this is {kind}, not an ordinary file: replace it with the file itself",
                found=kind,
                expected="an ordinary file",
                kind="special",
            )
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputError(
                too_large(info.st_size, max_bytes),
                found=f"{info.st_size:,} bytes",
                expected=f"at most {max_bytes:,}",
                kind="size",
            )
        raw = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(raw) > max_bytes:
        raise InputError(
            too_large(len(raw), max_bytes), found=f"over {max_bytes:,} bytes", expected=f"at most {max_bytes:,}", kind="size"
        )
    return raw


def too_large(size: int, limit: int) -> str:
    """The message for a file over its size limit."""
    return f"the file is {size:,} bytes, more than the {limit:,} this kind of file may have: is it the right file?"


# ------------------------------------------------------------------------------- decoding


def _where(raw: bytes, offset: int) -> tuple[int, int]:
    """(line, column) of a byte offset, both 1-based, the column counted in characters."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def has_utf8_sequence(raw: bytes) -> bool:
    """Whether the bytes hold at least one valid multi-byte UTF-8 character: a Windows-1252
    file almost never does, a UTF-8 file with any accent, curly quote or pound sign does."""
    text = raw.decode("utf-8", "surrogateescape")
    return bool(re.search(r"[^\x00-\x7f\udc80-\udcff]", text))


def looks_like_utf16(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text without a byte-order mark (every other byte
    of ASCII text is NUL), else None."""
    head = raw[:4096]
    half = max(1, len(head) // 2)
    if len(head) >= 2 and head[1::2].count(0) > 0.7 * half:
        return "utf-16-le"
    if len(head) >= 2 and head[0::2].count(0) > 0.7 * half:
        return "utf-16-be"
    return None


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file as Windows editors save it; InputError when it cannot be read.

    UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 with a byte-order mark, UTF-16
    without one, and Windows-1252 ("ANSI") when the file holds no UTF-8 character at all. A file
    marked as UTF-8 (a byte-order mark) or holding UTF-8 characters is never re-read in another
    encoding: a stray byte in it is refused with its line and column, so nothing else in the
    file is quietly garbled. The byte-order mark is not part of the text.
    """
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")):
        if raw.startswith(bom):
            return _strict(raw[len(bom) :], codec, "UTF-32"), codec
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return _strict(raw[len(bom) :], codec, "UTF-16"), codec
    codec = looks_like_utf16(raw)
    if codec:
        return _strict(raw, codec, "UTF-16").lstrip("\ufeff"), codec
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line, column = _where(raw, offset)
        raise InputError(
            f"line {line}, column {column} holds a NUL byte: this is not a text file (is it the right file?)",
            line,
            column,
            found="a NUL byte",
            expected="text",
        )
    marked = raw.startswith(UTF8_BOM)
    body = raw[3:] if marked else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if marked else "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start + (3 if marked else 0)
    if marked or has_utf8_sequence(body):
        line, column = _where(raw, bad)
        guess = raw[bad : bad + 1].decode("cp1252", "replace")
        why = "starts with UTF-8's byte-order mark" if marked else "is otherwise UTF-8"
        raise InputError(
            f"line {line}, column {column} holds the byte {raw[bad]:02X}, which is not UTF-8 text although the file {why} "
            f"(in Windows-1252 it would be {guess!r}): retype that character and {SAVE_AS_UTF8}",
            line,
            column,
            found=f"byte {raw[bad]:02X}",
            expected="UTF-8 text",
        )
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line, column = _where(raw, exc.start)
        raise InputError(
            f"line {line}, column {column} holds the byte {raw[exc.start]:02X}, which is neither UTF-8 nor Windows-1252 "
            f"text: {SAVE_AS_UTF8}",
            line,
            column,
            found=f"byte {raw[exc.start]:02X}",
            expected="UTF-8 text",
        ) from None


def _strict(raw: bytes, codec: str, name: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is {name} text but is damaged (or cut short) near byte {exc.start:,}: {SAVE_AS_UTF8}",
            found=f"damaged {name} text",
            expected="UTF-8 text",
        ) from None


def normalise(text: str) -> str:
    """Text in one form: Unicode's composed form (NFC: 'é' as one character, however typed) and
    every Unicode space (no-break, thin, ideographic, ...) as a plain space. Two texts that look
    the same then compare the same. Plain ASCII is returned at once."""
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.translate(_SPACE_TABLE)


def read_text(path: Path | str, root: Path | str | None, *, max_bytes: int | None = None) -> tuple[str, str]:
    """(text, encoding) of a text input: `read_input`, then `decode_text`, then `normalise`."""
    text, encoding = decode_text(read_input(path, root, max_bytes=max_bytes))
    return normalise(text), encoding
