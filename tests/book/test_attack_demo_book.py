"""The book-tier tests of tests/unit/test_attack.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import pandas as pd

from healthcheck.analysis import disclosure as D
from healthcheck.analysis.rounding import format_pct
from healthcheck.audit import attack as A
from healthcheck.audit.published import BREAKDOWN_SOURCES, read_outputs


def test_the_demonstration_book_gives_nothing_away(demo_book):
    from healthcheck.analysis.survey import load_survey

    result = A.audit_build(demo_book.out_dir, load_survey(None, 2022), 2022)
    assert result.ok, result.message()
    assert result.cells_suppressed > 0 and result.cells_hidden > 0
    assert result.smallest_primary_range >= D.DEFAULT_PROTECTION and result.smallest_hidden_range >= 1
    assert A.leaks(demo_book.out_dir) == []


def test_every_breakdown_percentage_is_rounded_the_same_everywhere(demo_book):
    from healthcheck.analysis.survey import load_survey

    exact = load_survey(None, 2022).breakdowns(2022)
    expected = {
        (r.question_id, r.group_type, r.group): "hidden" if r.suppressed else format_pct(r.pct_positive)
        for r in exact.itertuples()
    }
    obs = read_outputs(demo_book.out_dir, 2022).observations
    obs = obs[obs["group_type"] != "all"]
    shown_as = obs["pct"].where(obs["status"] == D.SHOWN, "hidden")
    seen = {}
    keys = zip(obs["question_id"], obs["group_type"], obs["group"], strict=True)
    for key, source, label in zip(keys, obs["source"], shown_as, strict=True):
        seen.setdefault(key, {})[source] = label
    assert set(seen) == set(expected)
    wrong = {key: labels for key, labels in seen.items() if set(labels.values()) != {expected[key]}}
    assert not wrong, list(wrong.items())[:5]
    missing = {key: set(BREAKDOWN_SOURCES) - set(labels) for key, labels in seen.items()}
    assert not any(missing.values()), [item for item in missing.items() if item[1]][:5]


def test_the_website_read_first_then_the_pdf_gives_the_same_observations(demo_book):
    # The build reads the website while Chromium prints, and the PDF afterwards.
    from healthcheck.audit.published import read_site

    whole = read_outputs(demo_book.out_dir, 2022)
    site = read_site(demo_book.out_dir, 2022)
    assert "pdf" not in set(site.observations["source"]) and len(site.observations) > 1000
    in_two = read_outputs(demo_book.out_dir, 2022, site)
    pd.testing.assert_frame_equal(in_two.observations, whole.observations)
    assert in_two.findings == whole.findings
