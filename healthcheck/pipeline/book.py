"""The Jupyter Book of one build: its table of contents (one chapter per theme), its configuration,
and `jupyter-book build` run in the background for each builder.

The repository's `_toc.yml` says where the theme chapters go: its `chapters/theme` entry
stands for one chapter per theme of the question bank, in the bank's order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from healthcheck import paths
from healthcheck.errors import BuildError
from healthcheck.escape import html_text

CONFIG_PATH = paths.ROOT / "_config.yml"


TOC_PATH = paths.ROOT / "_toc.yml"


BOOK_ASSETS_DIR = paths.ROOT / "book"  # _ext/ and _static/, copied into every staging book


#: The notebook that stands for the theme chapters in _toc.yml: it runs once per theme.
THEME_CHAPTER = "theme"


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def read_toc(toc_path: Path, themes: list[str] | None = None) -> list[str]:
    """The documents of a Jupyter Book 1 table of contents, root first, in reading order.

    With `themes`, the `chapters/theme` entry stands for one document per theme
    (`chapters/theme-<code>`), in the given order.
    """
    return documents(expand_toc(load_toc(toc_path), themes or []), toc_path)


def load_toc(toc_path: Path) -> dict:
    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8")) or {}
    if toc.get("format") != "jb-book" or not toc.get("root"):
        raise BuildError(f"{toc_path}: expected `format: jb-book` and a `root` document")
    return toc


def expand_toc(toc: dict, themes: list[str]) -> dict:
    """The table of contents with the theme placeholder replaced by one entry per theme."""

    def expand(entries):
        out = []
        for entry in entries or []:
            entry = dict(entry)
            if _docname(entry.get("file", "")).rsplit("/", 1)[-1] == THEME_CHAPTER:
                folder = _docname(entry["file"]).rpartition("/")[0]
                prefix = f"{folder}/" if folder else ""
                out += [{"file": f"{prefix}{THEME_CHAPTER}-{code}"} for code in themes]
                continue
            for key in ("chapters", "sections"):
                if key in entry:
                    entry[key] = expand(entry[key])
            out.append(entry)
        return out

    expanded = dict(toc)
    for key in ("parts", "chapters", "sections"):
        if key in expanded:
            if key == "parts":
                expanded[key] = [dict(part, chapters=expand(part.get("chapters"))) for part in expanded[key]]
            else:
                expanded[key] = expand(expanded[key])
    return expanded


def documents(toc: dict, toc_path: Path) -> list[str]:
    docs = [_docname(toc["root"])]

    def walk(entries):
        for entry in entries or []:
            if "glob" in entry:
                raise BuildError(f"{toc_path}: `glob` entries are not supported; list each chapter")
            if "file" in entry:
                docs.append(_docname(entry["file"]))
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    if len(set(docs)) != len(docs):
        raise BuildError(f"{toc_path}: a document is listed twice")
    return docs


def annex_documents(toc: dict) -> list[str]:
    """The documents of the annex, in order: the entries marked `meta: {annex: true}` in the toc.

    (A part captioned "Annex" would also say it, but the theme then puts each part's caption in
    the sidebar as a heading before the page's own h1.)
    """
    docs: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry and (entry.get("meta") or {}).get("annex") is True:
                docs.append(_docname(entry["file"]))
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return docs


def _docname(entry: str) -> str:
    entry = str(entry).strip().lstrip("./")
    return entry[: -len(".ipynb")] if entry.endswith(".ipynb") else entry


def write_book(staging, settings, year, toc: dict, config_path, assets_dir) -> Path:
    book = staging / "book"
    book.mkdir(parents=True)
    if assets_dir.is_dir():
        for item in assets_dir.iterdir():
            if item.name in ("_config.yml", "_toc.yml", "chapters", "extra", "_build"):
                continue
            if item.is_dir():
                shutil.copytree(item, book / item.name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(item, book / item.name)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    organisation = settings.organisation.strip()
    config["title"] = f"{settings.report_title.strip()} {year}"
    config["author"] = organisation
    # No year here: Sphinx rewrites the current year to the SOURCE_DATE_EPOCH year.
    config["copyright"] = organisation
    # The theme prints the navbar title as it is given (its <title> escapes on its own): the
    # navbar gets the escaped text, so a name from the data is always text, never markup.
    options = config.setdefault("sphinx", {}).setdefault("config", {}).setdefault("html_theme_options", {})
    options["logo"] = {**options.get("logo", {}), "text": html_text(config["title"])}
    # Every page links to the PDF (book/_templates/pdf-link.html), published beside the website:
    # <year>/pdf/ next to <year>/html/, so the link leaves the site's own folder by one step.
    from healthcheck.pipeline.staging import slug

    context = config["sphinx"]["config"].setdefault("html_context", {})
    context["hc_pdf"] = f"pdf/{slug(settings.report_title)}-{year}.pdf"
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (book / "chapters").mkdir(exist_ok=True)
    return book


def _jupyter_book_command() -> list[str]:
    script = Path(sys.executable).parent / "jupyter-book"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]


def start_jupyter_book(book: Path, builder: str, epoch: str, strict: bool, output: Path) -> dict:
    """Start `jupyter-book build` in the background, writing under `output`/_build/<builder>.

    Each builder gets its own output folder (and so its own doctrees), so that two builders
    can run at the same time.
    """
    cmd = _jupyter_book_command() + ["build", str(book), "--builder", builder, "--path-output", str(output)]
    if strict:
        cmd += ["--warningiserror", "--keep-going"]
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch, PYTHONHASHSEED="0", NO_COLOR="1", TERM="dumb")
    output.mkdir(parents=True, exist_ok=True)
    log = open(output / f"jupyter-book-{builder}.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed in _finish
    proc = subprocess.Popen(cmd, cwd=book, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    return {"proc": proc, "log": log, "builder": builder, "book": book}


def finish_jupyter_book(job: dict) -> list[str]:
    """Wait for a started jupyter-book build; its warnings, or BuildError with the output's tail."""
    proc, log, builder, book = job["proc"], job["log"], job["builder"], job["book"]
    proc.wait()
    log.seek(0)
    output = ANSI.sub("", log.read())
    log.close()
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-40:])
        raise BuildError(f"jupyter-book build --builder {builder} failed (exit code {proc.returncode}):\n{tail}")
    warnings = []
    for line in output.splitlines():
        if "WARNING" in line or "ERROR" in line:
            warnings.append(f"{builder}: {line.strip().replace(str(book) + os.sep, '')}")
    return warnings


def stop_jupyter_book(job: dict | None) -> None:
    """Stop a background jupyter-book build that is no longer wanted (the build failed)."""
    if job and job["proc"].poll() is None:
        job["proc"].kill()
        job["proc"].wait()
    if job:
        job["log"].close()


def finish_site(html_dir: Path, first_doc: str, settings, year: int) -> None:
    """The website's last touches: a valid root page that leads to the first chapter."""
    from healthcheck.pipeline.rootpage import write_root_page

    write_root_page(html_dir, f"{first_doc}.html", f"{settings.report_title.strip()} {year}")
