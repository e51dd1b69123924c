"""The pipeline-tier tests of tests/unit/test_disclosure.py (see tests/README.md for the tiers)."""

from __future__ import annotations


def test_the_lp_solver_writes_nothing_in_a_fresh_process():
    # What HiGHS prints (some versions print a banner when the first model is made) would land
    # in a chapter's output or the command's: a new interpreter audits a table and says nothing.
    import subprocess
    import sys

    code = (
        "import pandas as pd\n"
        "from healthcheck.analysis import disclosure as D\n"
        "from healthcheck.data import codes\n"
        "structure = pd.DataFrame([{'team': 'X', 'locality': '', 'role': ''}, {'team': 'Y', 'locality': '', 'role': ''}])\n"
        "rows = [('Q', 'all', codes.ALL_STAFF, D.SHOWN, 20, 10, 10), ('Q', 'team', 'X', D.PRIMARY, None, None, None),\n"
        "        ('Q', 'team', 'Y', D.SECONDARY, None, None, None)]\n"
        "D.feasible_ranges(pd.DataFrame(rows, columns=D.PUBLISHED_COLUMNS), structure)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
