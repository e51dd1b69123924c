"""Provenance: what went into a build and what came out, as hashes an auditor can check.

`write_manifest` records the SHA-256 of every input file read, the code version, the package
versions, the chapters' parameters, the hash of every output figure and table, and the
headline numbers. `compare` explains what differs between two manifests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from healthcheck.audit.formats import pdf_layout_text
from healthcheck.data.files import input_hashes
from healthcheck.environment import environment, git_state
from healthcheck.hashing import sha256


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


def pdf_text(pdf_path: Path) -> str:
    """The text of a PDF as pdftotext reads it (the PDF's bytes carry layout details; its text is
    what readers get). The audit has read it already in a build: the same reading is reused."""
    return pdf_layout_text(pdf_path)


def headline_numbers(survey, year: int) -> dict:
    """Every percentage of the year (unrounded) and the theme scores, keyed for comparison."""
    from healthcheck.analysis import stats

    figures = survey.figures(year)
    numbers = {}
    for row in figures.itertuples():
        numbers[f"pct_positive.{row.question_id}"] = None if row.pct_positive != row.pct_positive else float(row.pct_positive)
        numbers[f"n_valid.{row.question_id}"] = None if row.n_valid is None or str(row.n_valid) == "<NA>" else int(row.n_valid)
    for row in stats.theme_scores(figures).itertuples():
        numbers[f"theme_score.{row.theme}"] = None if row.score != row.score else float(row.score)
    respondents = survey.years[year].n_respondents
    numbers["respondents"] = None if respondents is None else int(respondents)
    return numbers


def build_manifest(
    *, year: int, data_dir: Path, out_dir: Path, pdf_path: Path, chapters: dict[str, dict], survey, disclosure: dict | None = None
) -> dict:
    """Everything an auditor needs to check a build: inputs, code, environment, parameters,
    outputs, numbers, and the disclosure audit's result (cells suppressed and hidden, smallest ranges)."""
    outputs = output_hashes(out_dir)
    outputs["pdf text"] = hashlib.sha256(pdf_text(pdf_path).encode("utf-8")).hexdigest()
    return {
        "manifest_version": 1,
        "year": year,
        "inputs": input_hashes(data_dir, year),
        "code": git_state(),
        "environment": environment(),
        "chapters": chapters,
        "outputs": outputs,
        "headline_numbers": headline_numbers(survey, year),
        "disclosure_audit": disclosure or {},
    }


def compare(recorded: dict, rebuilt: dict) -> tuple[list[str], list[str]]:
    """Differences between a recorded manifest and a rebuild's: (mismatches, likely causes and notes).

    A mismatch is an output, a headline number or an input file that differs; causes name
    the input files, package versions and commits that differ, which explain a mismatch.
    """
    mismatches, causes = [], []
    for kind in ("outputs", "headline_numbers"):
        old, new = recorded.get(kind, {}), rebuilt.get(kind, {})
        for key in sorted(set(old) | set(new)):
            if key not in new:
                mismatches.append(f"{kind}: {key} is in the manifest but was not produced by the rebuild")
            elif key not in old:
                mismatches.append(f"{kind}: {key} was produced by the rebuild but is not in the manifest")
            elif old[key] != new[key]:
                detail = f" (manifest {old[key]!r}, rebuild {new[key]!r})" if kind == "headline_numbers" else " differs"
                mismatches.append(f"{kind}: {key}{detail}")
    old_in, new_in = recorded.get("inputs", {}), rebuilt.get("inputs", {})
    for key in sorted(set(old_in) | set(new_in)):
        if key not in new_in:
            mismatches.append(f"input file {key} is in the manifest but missing now")
            causes.append(f"input file removed: {key}")
        elif key not in old_in:
            mismatches.append(f"input file {key} is new since the manifest")
            causes.append(f"input file added: {key}")
        elif old_in[key] != new_in[key]:
            mismatches.append(f"input file {key} has changed since the manifest")
            causes.append(f"input file changed: {key}")
    old_env = recorded.get("environment", {})
    new_env = rebuilt.get("environment", {})
    if old_env.get("python") != new_env.get("python"):
        causes.append(f"Python version differs: manifest {old_env.get('python')}, now {new_env.get('python')}")
    old_pk, new_pk = old_env.get("packages", {}), new_env.get("packages", {})
    for name in sorted(set(old_pk) | set(new_pk)):
        if old_pk.get(name) != new_pk.get(name):
            causes.append(
                f"package version differs: {name} {old_pk.get(name) or 'absent'} in the manifest, "
                f"{new_pk.get(name) or 'absent'} now"
            )
    old_code, new_code = recorded.get("code", {}), rebuilt.get("code", {})
    if old_code.get("commit") != new_code.get("commit"):
        causes.append(f"code differs: manifest built from commit {old_code.get('commit')}, now {new_code.get('commit')}")
    if new_code.get("dirty"):
        causes.append("code: the working tree has uncommitted changes")
    return mismatches, causes
