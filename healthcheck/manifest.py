"""Provenance: what went into a build and what came out, as hashes an auditor can check.

`write_manifest` records the SHA-256 of every input file read, the code version, the package
versions, the chapters' parameters, the hash of every output figure and table, and the
headline numbers. `compare` explains what differs between two manifests.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from healthcheck import paths

# The packages whose versions can change a figure; all installed versions are recorded too.
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "wordcloud",
    "jupyter-book",
    "papermill",
    "nbconvert",
)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path, year: int) -> list[Path]:
    """Every input a year's book reads: settings, question bank, and the folders of that year and earlier."""
    files = [data_dir / "settings.yml", data_dir / "question_bank.yml"]
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name.isdigit() and int(p.name) <= year):
        files += sorted(p for p in folder.rglob("*") if p.is_file())
    return [f for f in files if f.is_file()]


def input_hashes(data_dir: Path, year: int) -> dict[str, str]:
    """SHA-256 of each input file, keyed by its path relative to the data folder."""
    return {str(p.relative_to(data_dir)): sha256(p) for p in input_files(data_dir, year)}


def git_state() -> dict:
    """The commit the code came from and whether the work tree had uncommitted changes."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, check=False)

    commit = git("rev-parse", "HEAD")
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def environment() -> dict:
    """Python version and every installed package's version."""
    packages = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            packages[name.lower()] = dist.version
    return {"python": platform.python_version(), "packages": dict(sorted(packages.items()))}


def output_hashes(out_dir: Path) -> dict[str, str]:
    """SHA-256 of every figure, figure-data file and table a build produced (the downloads folder)."""
    downloads = out_dir / "html" / "downloads"
    if not downloads.is_dir():
        return {}
    return {str(p.relative_to(out_dir)): sha256(p) for p in sorted(downloads.rglob("*")) if p.is_file()}


def write_manifest(path: Path, manifest: dict) -> None:
    """Write a manifest as sorted, indented JSON so two builds' manifests diff cleanly."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
