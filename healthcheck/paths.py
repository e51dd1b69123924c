"""Where things are. Every path the package uses is resolved here, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS_DIR = ROOT / "chapters"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data folder: the override if given, else $HEALTHCHECK_DATA_DIR, else ROOT/data."""
    if override is not None:
        return Path(override).resolve()
    env = os.environ.get("HEALTHCHECK_DATA_DIR")
    return Path(env).resolve() if env else ROOT / "data"


def build_dir(override: str | os.PathLike | None = None) -> Path:
    """The build folder: the override if given, else $HEALTHCHECK_BUILD_DIR, else ROOT/_build."""
    if override is not None:
        return Path(override).resolve()
    env = os.environ.get("HEALTHCHECK_BUILD_DIR")
    return Path(env).resolve() if env else ROOT / "_build"
