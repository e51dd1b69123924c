"""Reusing chapters that have not changed (a "freeze", as Quarto calls it).

A chapter's executed notebook and the figure files it wrote are kept under
`<build_root>/.cache/<year>/<chapter>/`. The next build reuses them when nothing the chapter
depends on has changed: its notebook, the package code, the pinned environment, its
parameters, and every input file it read last time (chapters record their reads through
`record_read`, so a change to a quotes file re-runs only the chapters that read quotes).

A read is the path as the chapter named it and the hash of the content read there, through
any symbolic link (`hashing.content_digest`): replacing a file by a link to another file, or
changing the file a link points to, changes the content and re-runs the chapter. The hash is
the one taken when the chapter read the file, so a file edited while the chapter ran re-runs
it next time too.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path

from healthcheck.hashing import content_digest, sha256

#: The digest of a file that changed while the chapter read it: matches no content.
CHANGED_DURING_RUN = "changed-during-the-run"


def static_key(notebook: Path, parameters: dict, shared: str, epoch: str) -> str:
    """What a chapter depends on besides the input files it reads: its notebook, parameters,
    the code and environment (`shared`) and the build date (`epoch`)."""
    digest = hashlib.sha256(shared.encode())
    digest.update(sha256(notebook).encode())
    digest.update(json.dumps(parameters, sort_keys=True).encode())
    digest.update(epoch.encode())
    return digest.hexdigest()


def reads_of(reads_file: Path) -> dict[str, str]:
    """The input files a chapter run recorded, each with the hash of what it read there.

    A line is ``path<TAB>digest`` (as `Chapter.record_read` writes it); a path recorded with
    two different contents (changed during the run) gets a digest no file has, so the next
    build re-runs the chapter.
    """
    if not reads_file.is_file():
        return {}
    reads: dict[str, str] = {}
    for line in reads_file.read_text(encoding="utf-8").split("\n"):
        if not line:
            continue
        name, _, digest = line.partition("\t")
        # A file looked for but absent counts too (ABSENT): creating it later must re-run the chapter.
        digest = digest or content_digest(Path(name))
        reads[name] = digest if reads.get(name, digest) == digest else CHANGED_DURING_RUN
    return dict(sorted(reads.items()))


def _folder(cache_root: Path, year: int, chapter: str) -> Path:
    return cache_root / str(year) / chapter


def lookup(cache_root: Path, year: int, chapter: str, key: str, year_folders: list[int]) -> Path | None:
    """The cached chapter folder when it is still valid, else None."""
    folder = _folder(cache_root, year, chapter)
    try:
        record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("year_folders") != year_folders:
        return None
    for name, digest in record.get("reads", {}).items():
        if content_digest(Path(name)) != digest:
            return None
    if not (folder / "executed.ipynb").is_file():
        return None
    return folder


def store(
    cache_root: Path, year: int, chapter: str, *, key: str, year_folders: list[int], executed: Path, downloads: Path, reads: dict
) -> None:
    """Keep a chapter's executed notebook and downloads for the next build (replacing the old)."""
    folder = _folder(cache_root, year, chapter)
    # A private temporary name: two builds storing at once never trip over each other's files.
    tmp = folder.with_name(f"{folder.name}.tmp-{secrets.token_hex(4)}")
    (tmp / "downloads").mkdir(parents=True)
    shutil.copy2(executed, tmp / "executed.ipynb")
    if downloads.is_dir():
        for item in sorted(downloads.iterdir()):
            shutil.copy2(item, tmp / "downloads" / item.name)
    record = {"key": key, "year_folders": year_folders, "reads": reads}
    (tmp / "record.json").write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    old = folder.with_name(f"{folder.name}.old-{secrets.token_hex(4)}")
    try:
        if folder.exists():
            os.rename(folder, old)
        os.rename(tmp, folder)
    except OSError:  # another build stored this chapter meanwhile: theirs is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
