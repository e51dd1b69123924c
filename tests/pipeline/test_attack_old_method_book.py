"""The pipeline-tier tests of tests/unit/test_attack.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from healthcheck.analysis import disclosure as D
from healthcheck.analysis.rounding import format_pct
from healthcheck.audit import attack as A
from healthcheck.audit.published import BREAKDOWN_SOURCES
from tests.support import nested_council
from tests.unit.test_disclosure import old_breakdown

# --------------------------------------------------------------------------- a synthetic book


def old_method_book(book: Path, survey, year: int, dest: Path) -> Path:
    """The book's CSV downloads as the old method would have published them: each
    breakdown protected on its own (tests/unit/test_disclosure.py `old_breakdown`)."""
    target = dest / "html" / "downloads"
    target.mkdir(parents=True)
    for path in sorted((book / "html" / "downloads").glob(f"{year}-*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        kind = re.search(r"-by-(team|locality|role)\.csv$", path.name)
        if kind:
            old = old_breakdown(survey.counts, year, kind.group(1)).set_index(["question_id", "group"])
            for i, row in frame.iterrows():
                c = old.loc[(row["Code"], row[kind.group(1).capitalize()])]
                if c["suppressed"]:
                    note = "fewer than 10 responses" if c["reason"] == "fewer" else "hidden so that a small group ..."
                    frame.loc[i, ["% agreeing", "Valid responses", "Note"]] = ["", "", note]
                else:
                    frame.loc[i, ["% agreeing", "Valid responses", "Note"]] = [
                        format_pct(100 * c["n_positive"] / c["n_valid"]),
                        str(int(c["n_valid"])),
                        "",
                    ]
        frame.to_csv(target / path.name, index=False)
    return dest


@pytest.fixture(scope="module")
def nested_book(tmp_path_factory):
    """The synthetic council's 2023 book, built once with the real pipeline."""
    from healthcheck.analysis.survey import load_survey
    from healthcheck.pipeline.stages import build_book

    root = tmp_path_factory.mktemp("nested")
    data = nested_council.write_data(root / "data")
    result = build_book(nested_council.REPORT_YEAR, data_dir=data, build_root=root / "build", progress=False)
    return SimpleNamespace(out_dir=result.out_dir, survey=load_survey(data, nested_council.REPORT_YEAR), root=root)


def test_the_old_method_leaked_on_this_layout_and_the_built_book_recovers_nothing(nested_book):
    year, survey, out_dir = nested_council.REPORT_YEAR, nested_book.survey, nested_book.out_dir
    # The old method: North - Alpha gives Bravo exactly, from the tables it published.
    team = old_breakdown(survey.counts, year, "team").set_index(["question_id", "group"])
    locality = old_breakdown(survey.counts, year, "locality").set_index(["question_id", "group"])
    for question in nested_council.STATEMENTS:
        bravo, alpha, north = team.loc[(question, "Bravo & Co")], team.loc[(question, "Alpha")], locality.loc[(question, "North")]
        assert bravo["suppressed"] and not alpha["suppressed"] and not north["suppressed"]
        assert north["n_valid"] - alpha["n_valid"] == bravo["n_valid"] == 4
        assert north["n_positive"] - alpha["n_positive"] == bravo["n_positive"]
    # ... and the attack, reading the old method's files, finds it (and Echo, South's third team).
    old = A.audit_build(old_method_book(out_dir, survey, year, nested_book.root / "old"), survey, year)
    assert not old.ok and old.smallest_primary_range == 0
    recovered = {line.split(":")[0] for line in old.too_narrow}
    assert {f"{q}, team, {t}" for q in nested_council.STATEMENTS for t in nested_council.SMALL_TEAMS} <= recovered

    # The book as built: every source read, nothing recovered, nothing inconsistent, nothing leaked.
    result = A.audit_build(out_dir, survey, year)
    assert result.ok, result.message()
    assert result.inconsistencies == [] and result.too_narrow == []
    assert result.cells_suppressed > 0 and result.cells_hidden > 0
    ranges = result.ranges
    widths = np.column_stack([ranges[f"{q}_max"] - ranges[f"{q}_min"] for q in D.QUANTITIES])
    primary = (ranges["status"] == D.PRIMARY).to_numpy()
    assert (widths[primary] >= D.DEFAULT_PROTECTION - 1e-6).all()
    assert (widths[~primary] >= 1 - 1e-6).all()
    observed = ranges.attrs["published"].attrs["observations"]
    assert set(BREAKDOWN_SOURCES) <= set(observed["source"])
    assert A.leaks(out_dir) == []

    # SUP03 is for first-year staff only. The teams and roles without any are published as
    # "<10" in every file, but they are known zeros, not hidden cells: not attacked, not
    # counted. The newly qualified role is shown: it is the all-staff figure itself.
    published = ranges.attrs["published"]
    sup03 = published[published["question_id"] == "SUP03"].set_index(["group_type", "group"])
    empty = [("team", "Bravo & Co"), ("team", "Echo"), ("team", "Golf"), ("role", "Team manager"), ("role", "Student")]
    assert (sup03.loc[empty, "status"] == D.PRIMARY).all()
    assert sup03.loc[("role", "Newly qualified"), "status"] == D.SHOWN
    attacked = set(zip(ranges["question_id"], ranges["group_type"], ranges["group"], strict=True))
    assert ("SUP03", "team", "Alpha") in attacked and not attacked & {("SUP03", *cell) for cell in empty}
    stated = A.audit_tables(survey, year)  # what the provenance appendix says: the same counts
    assert (stated.cells_suppressed, stated.cells_hidden) == (result.cells_suppressed, result.cells_hidden)
