"""What chapters show: the headline rows and sentences computed from the demo survey."""

from healthcheck import stats
from healthcheck.report import Chapter, pct, pts


def test_headline_rows_name_each_themes_highest_statement_and_what_really_changed():
    chapter = Chapter(2022)
    rows = chapter.headline_rows()
    assert list(rows.theme) == list(chapter.bank.themes)
    for row in rows.itertuples():
        shown = chapter.theme_figures(row.theme)
        shown = shown[~shown.suppressed.astype(bool)]
        assert row.lead_pct == shown.pct_positive.max(), row.theme
        flags = shown.change_flag.fillna("")
        significant = int(flags.isin([stats.INCREASE, stats.DECREASE]).sum())
        assert ("significantly" in row.change_text) == (significant > 0 or "no statement" in row.change_text)
        assert f"since {chapter.prev_year}" in row.change_text


def test_display_rounding_is_half_up_and_changes_are_signed():
    assert pct(68.5) == "69%" and pct(82.49) == "82%"
    assert pts(2.5) == "+3 points" and pts(-1.2) == "-1 point" and pts(0.4) == "no change"
