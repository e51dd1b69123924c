"""What a built book gives away about the machine that built it: absolute paths and notebook sources.

The disclosure attack (:mod:`healthcheck.audit.attack`) checks what a book tells about the
staff; this checks what it tells about its build: every file under ``html/`` (an XLSX's XML
parts, an ``objects.inv``'s compressed body and the images embedded in a page read on their
own) and the PDF's text, metadata and links.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from healthcheck.audit.formats import pdf_text

# Absolute paths of a build machine. A Unix one must not follow a word character, dot or dash
# (so a URL's path, "https://example.org/home/", is not one); a drive letter must stand alone
# and be followed by a folder and another separator ("C:\\Users\\...", "D:/work/...").
# The patterns start with literals, and the context is checked in Python: a look-behind at
# every position would take seconds over the 17 MB of a book's scripts and source maps.
_UNIX = re.compile(r"/(?:tmp|home|work|root|Users|mnt|srv|private/var|var/folders|var/tmp)/[^\s\"'<>)]*")
_FILE_URL = re.compile(r"file:/[^\s\"'<>)]*")
_DRIVE_SEPARATOR = re.compile(r":(?:\\\\|\\|/)")
_DRIVE = re.compile(r"[A-Za-z]:(?:\\\\|\\|/)[A-Za-z0-9_.$ -]+(?:\\\\|\\|/)")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)")
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".otf", ".mo", ".pdf"}


def _local_paths(out_dir: Path) -> list[str]:
    """Folders of this machine that must not appear in a book, longest first."""
    from healthcheck import paths

    # out_dir's parent is the staging folder during a build; its grandparent the build folder
    out = out_dir.resolve()
    candidates = {str(paths.ROOT), str(Path.home()), tempfile.gettempdir(), sys.prefix, str(out.parent), str(out.parent.parent)}
    return sorted((c for c in candidates if len(c.strip("/\\")) > 3), key=len, reverse=True)


def _starts_word(text: str, i: int) -> bool:
    """True when position ``i`` of ``text`` does not continue a word, number, dot or dash."""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_.~%-")


def _scan(text: str, where: str, local: list[str]) -> list[str]:
    found = [m.group(0) for m in _UNIX.finditer(text) if _starts_word(text, m.start())]
    found += [m.group(0) for m in _FILE_URL.finditer(text)]
    for m in _DRIVE_SEPARATOR.finditer(text):
        i = m.start() - 1
        if i >= 0 and text[i].isascii() and text[i].isalpha() and _starts_word(text, i) and (hit := _DRIVE.match(text, i)):
            found.append(hit.group(0))
    for folder in local:  # a whole folder name, not the start of a longer one
        at = text.find(folder)
        while at >= 0:
            end = at + len(folder)
            if _starts_word(text, at) and not (end < len(text) and (text[end].isalnum() or text[end] in "_.-")):
                found.append(text[at : end + 60].split()[0])
            at = text.find(folder, end)
    return [f"{where}: {hit[:120]}" for hit in dict.fromkeys(found)]


def _file_texts(path: Path) -> list[tuple[str, str]]:
    """(part, text) of one published file: an XLSX's or ODS's XML parts, an objects.inv's decompressed
    body, the images embedded in an HTML page; nothing for fonts and pictures."""
    data = path.read_bytes()
    if path.suffix in _BINARY:
        return []
    if path.suffix in (".xlsx", ".ods"):  # zips: their XML parts are read
        import zipfile

        with zipfile.ZipFile(path) as z:
            return [(name, z.read(name).decode("utf-8", "replace")) for name in z.namelist()]
    if path.name == "objects.inv":
        head, _, body = data.partition(b"zlib.\n")
        try:
            data = head + zlib.decompress(body)
        except zlib.error:
            pass  # not compressed after all: read as it is
    text = data.decode("utf-8", "replace")
    # base64 could spell "/tmp/" by chance: embedded files are decoded and read on their own
    parts = [
        (f"embedded file {i + 1}", base64.b64decode(m.group(1)).decode("utf-8", "replace"))
        for i, m in enumerate(_DATA_URI.finditer(text))
    ]
    return [("", _DATA_URI.sub("data:", text)), *parts]


def leaks(out_dir: Path | str, site: list[str] | None = None) -> list[str]:
    """What the book in ``out_dir`` gives away about the machine that built it: absolute paths
    (``/tmp/...``, ``/home/...``, ``/work/...``, ``/root/...``, ``C:\\...``, ``file:`` URLs, and
    this machine's repository, home, temporary and Python folders) in any file under ``html/``
    or in the PDF's text, metadata and links; and notebook sources under ``html/`` (``.ipynb``
    files, a ``_sources`` folder, notebook JSON). One line per finding; empty when clean.
    ``site``: :func:`site_leaks` of the book, when the website was scanned already (a build
    scans it while the PDF is printed); then only the PDF is read here."""
    root = Path(out_dir)
    found, local = (site_leaks(root) if site is None else list(site)), _local_paths(root)
    for pdf in sorted((root / "pdf").glob("*.pdf")):
        where = str(pdf.relative_to(root))
        info = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True).stdout
        meta = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        found += _scan(pdf_text(pdf), f"{where} (text)", local) + _scan(info + meta, f"{where} (metadata and links)", local)
    return found


def site_leaks(out_dir: Path | str) -> list[str]:
    """What :func:`leaks` finds under ``html/`` alone."""
    root = Path(out_dir)
    local, found = _local_paths(root), []
    for path in sorted((root / "html").rglob("*")):
        where = str(path.relative_to(root))
        if path.is_dir():
            if path.name == "_sources":
                found.append(f"{where}: the notebook sources are published")
            continue
        if path.suffix == ".ipynb":
            found.append(f"{where}: a notebook is published")
            continue
        for part, text in _file_texts(path):
            label = f"{where} ({part})" if part else where
            if '"nbformat"' in text and '"cells"' in text:
                found.append(f"{label}: notebook JSON is published")
            found += _scan(text, label, local)
    return found


#: What a build writes beside html/ and pdf/ that a publisher may upload with the book.
RECORDS = ("manifest.json", "build-info.json", "executed", "notebooks")


def record_leaks(out_dir: Path | str, folders: list[Path] | None = None) -> list[str]:
    """Absolute paths of the build machine in the manifest, ``build-info.json``, the executed
    notebooks and the auditors' notebook pages of the book in ``out_dir``: the patterns of
    :func:`leaks`, this machine's usual folders, and ``folders`` (the data folder and the
    build folder, wherever they are). One line per finding; empty when clean."""
    root = Path(out_dir)
    local = _local_paths(root)
    for folder in folders or []:
        for form in {str(Path(folder)), str(Path(folder).resolve())}:
            if len(form.strip("/\\")) > 3 and form not in local:
                local.append(form)
    local.sort(key=len, reverse=True)
    found: list[str] = []
    for name in RECORDS:
        item = root / name
        files = sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else [item] if item.is_file() else []
        for path in files:
            for part, text in _file_texts(path):
                where = str(path.relative_to(root)) + (f" ({part})" if part else "")
                found += _scan(text, where, local)
    return found
