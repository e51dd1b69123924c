"""The pipeline-tier tests of tests/unit/test_workbook.py (see tests/README.md for the tiers):
the ODS workbook's bytes do not depend on the process that writes it."""

from __future__ import annotations

import os
import subprocess
import sys

from healthcheck.paths import ROOT
from tests.unit.test_workbook import YEAR, write_downloads

# Writes the workbook of the CSVs in argv[1] to argv[2] (a stem). Given an ODS as argv[3], the
# process reads it first, as a test worker that has read a workbook before building a book does.
_WRITE = """
import sys
from pathlib import Path

from healthcheck.present.workbook import Cover, sheets_from_csvs, write_workbooks

downloads, stem, earlier = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
if earlier:
    import pandas as pd

    pd.read_excel(earlier[0], engine="odf", sheet_name=None, header=None, dtype=object)
cover = Cover("Health check: all figure data", "Anytown Council", YEAR, "Staff survey", "data@anytown.example", "1 May 2023")
write_workbooks(cover, sheets_from_csvs(downloads, YEAR), 10, stem)
""".replace("YEAR", str(YEAR))


def test_the_ods_has_the_same_bytes_in_every_process(tmp_path):
    # odfpy declares on each XML part's root the namespaces its process has used so far, in the
    # order it first used them; a rebuild in a fresh process (verify) differed from a book built
    # in a process that had read an ODS before. Fresh interpreters, each with its own hash seed,
    # some having read the first one's workbook before writing, must all write the same bytes.
    downloads = write_downloads(tmp_path)
    first = tmp_path / "seed0" / "book.ods"
    written = {}
    for seed, read_first in [(0, False), (1, True), (2, False), (3, True), (4, False)]:
        out = tmp_path / f"seed{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", _WRITE, str(downloads), str(out / "book"), *([str(first)] if read_first else [])],
            capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        written[(seed, "read an ODS first" if read_first else "fresh")] = (out / "book.ods").read_bytes()
    assert [key for key, data in written.items() if data != first.read_bytes()] == []
