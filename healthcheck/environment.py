"""What made a build: the code's commit, the Python and package versions, and one hash of both.

Facts about the machine's software, not about the data; the provenance appendix prints them,
the manifest records them and the chapter cache keys on them.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from importlib import metadata

from healthcheck import paths
from healthcheck.hashing import sha256

# The packages whose versions can change a figure; all installed versions are recorded too.
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "highspy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "wordcloud",
    "jupyter-book",
    "papermill",
    "nbconvert",
)


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


def code_and_environment_hash() -> str:
    """One hash of every file of the package (its modules, and the templates, style sheets and
    page scripts in assets/), the pinned requirements and the Python version: a chapter run or
    a book made with other code or software is never reused. The assets count as code: a
    figure's HTML template shapes every chapter's output, print.css every page of the PDF."""
    digest = hashlib.sha256(sys.version.encode())
    package = paths.ROOT / "healthcheck"
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files.append(paths.ROOT / "requirements.txt")
    for path in files:
        if path.is_file():
            name = path.relative_to(paths.ROOT).as_posix()
            digest.update(name.encode() + b"\0" + sha256(path).encode())
    return digest.hexdigest()
