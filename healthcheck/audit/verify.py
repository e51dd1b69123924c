"""Verify a build: rebuild it in a temporary folder and say exactly what differs from its manifest.

The rebuild never touches `_build/<year>`. Differences are named (outputs, numbers, input
files) with their likely causes (changed inputs, package versions, code).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from healthcheck import paths
from healthcheck.audit.manifest import compare, read_manifest
from healthcheck.errors import BuildError
from healthcheck.pipeline import stages


def verify(year: int, data_dir: Path | None = None, manifest_path: Path | None = None) -> tuple[bool, str]:
    """Rebuild `year` in a temporary folder and compare it with the manifest; never touches _build/<year>.

    Returns (everything matches, a plain-language report).
    """
    manifest_path = Path(manifest_path) if manifest_path else paths.build_dir() / str(year) / "manifest.json"
    if not manifest_path.is_file():
        error = BuildError(
            f"No manifest at {manifest_path}: build the year first "
            f"(python -m healthcheck build --year {year}) or pass --manifest."
        )
        raise error
    recorded = read_manifest(manifest_path)
    tmp = Path(tempfile.mkdtemp(prefix=f"healthcheck-verify-{year}-"))
    try:
        result = stages.build_book(year, data_dir=data_dir, build_root=tmp, force=True, progress=False)
        rebuilt = read_manifest(result.out_dir / "manifest.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mismatches, causes = compare(recorded, rebuilt)
    lines = []
    if mismatches:
        lines.append(f"The rebuild of {year} does NOT match {manifest_path}:")
        lines += [f"  - {m}" for m in mismatches]
        lines.append("Likely causes:" if causes else "No input, package or code difference was found to explain this.")
        lines += [f"  - {c}" for c in causes]
    else:
        lines.append(
            f"The rebuild of {year} matches {manifest_path}: {len(rebuilt['outputs'])} outputs "
            f"and {len(rebuilt['headline_numbers'])} numbers identical."
        )
        if causes:
            lines.append("Noted differences that did not change any output:")
            lines += [f"  - {c}" for c in causes]
    return not mismatches, "\n".join(lines)
