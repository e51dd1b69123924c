"""What chapters show, computed from the demonstration survey: headline tiles say honestly what
was compared, and numbers read the same everywhere."""

import pytest

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, format_pts, round_half_up
from healthcheck.present.chapter import Chapter
from healthcheck.present.sections import summary
from healthcheck.present.sentences import pct, pts


@pytest.fixture(scope="module")
def chapter():
    return Chapter(2022)


def test_headline_rows_say_what_was_compared_and_count_each_change_state(chapter):
    rows = summary.headline_rows(chapter)
    changes = stats.theme_changes(chapter.figures).set_index("theme")
    assert list(rows.theme) == list(chapter.bank.themes)
    for _, row in rows.iterrows():
        shown = chapter.theme_figures(row.theme)
        compared = int(changes.at[row.theme, "n_compared"])
        assert f"on the {compared} statements asked in both years" in row.change_text
        assert "not tested" in row.change_text and not row.change_text.startswith(("\u25b2", "\u25bc"))
        flags = shown.change_flag.fillna("")
        assert row["significant rise"] == int((flags == stats.INCREASE).sum()), row.theme
        assert row["significant fall"] == int((flags == stats.DECREASE).sum()), row.theme
        assert row["no significant change"] == int((flags == stats.NO_CHANGE).sum()), row.theme
        assert sum(row[s] for s in ("significant rise", "significant fall", "no significant change", "not tested")) == len(shown)


def test_findings_name_best_worst_and_every_significant_change(chapter):
    text = "\n".join(summary.findings(chapter))
    shown = chapter.figures[~chapter.figures.suppressed.astype(bool)]
    best = shown.loc[shown.pct_positive.idxmax()]
    worst = shown.loc[shown.pct_positive.idxmin()]
    assert best.short in text and worst.short in text
    moved = shown[shown.change_flag.isin([stats.INCREASE, stats.DECREASE])]
    assert len(moved) >= 2  # the demonstration has rises and falls
    for r in moved.itertuples():
        # myst_text escapes some punctuation; compare on the words
        assert r.short.replace(",", "\\,") in text or r.short in text, r.short
    assert "England" in text


def test_a_theme_score_change_compares_like_with_like():
    import pandas as pd

    figures = pd.DataFrame(
        {
            "theme": ["t", "t", "t"],
            "pct_positive": [80.0, 60.0, 40.0],
            "prev_pct_positive": [70.0, float("nan"), 50.0],
            "prev_year": [2021, pd.NA, 2020],
            "suppressed": [False, False, False],
        }
    )
    row = stats.theme_changes(figures).iloc[0]
    assert row.score == pytest.approx(60.0) and row.n_questions == 3
    # only the two statements with an earlier figure: (80 + 40) / 2 - (70 + 50) / 2
    assert row.n_compared == 2 and row.change_pts == pytest.approx(0.0) and row.prev_years == [2020, 2021]


def test_one_rounding_rule_halves_away_from_zero():
    assert round_half_up(82.5) == 83 and round_half_up(82.49) == 82 and round_half_up(-2.5) == -3
    assert format_pct(68.5) == "69%" and pct(33 / 40 * 100) == "83%"
    assert format_pts(2.5) == "+3 pts" and format_pts(-0.4) == "0 pts"
    assert pts(2.5) == "+3 points" and pts(-1.2) == "\u22121 point" and pts(0.4) == "no change"


def test_the_data_quality_appendix_shows_warnings_about_the_responses_only(chapter, capsys, monkeypatch):
    """A warning about a quote's speaker (a name, a small group) is for the analyst, never published."""
    from IPython.display import HTML

    from healthcheck.errors import Problem
    from healthcheck.present.sections import appendix

    year = chapter.survey.years[chapter.year]
    export = year.meta.export
    warnings = [
        Problem(f"data/2022/{export}", None, "Q9", None, "answers in column Q9 (it is blank)", "warning"),
        Problem("data/2022/quotes.csv", 4, "speaker", "Jane Smith", "a role or team as the speaker", "warning"),
    ]
    monkeypatch.setattr(year, "warnings", warnings)
    shown = []
    monkeypatch.setattr(appendix, "display", lambda obj: shown.append(obj.data if isinstance(obj, HTML) else obj))
    appendix.data_quality(chapter)
    page = "".join(shown)
    assert "answers in column Q9 (it is blank)" in page
    assert "a role or team as the speaker" not in page and "Jane Smith" not in page


def test_a_theme_with_no_statements_asked_that_year_says_so(monkeypatch):
    """2020 asked none of the systemic-practice statements: its chapter says so instead of failing."""
    from healthcheck.present.sections import theme

    early = Chapter(2020)
    assert early.theme_figures("systemic").empty
    shown = []
    monkeypatch.setattr(theme, "display", lambda obj: shown.append(obj.data))
    theme.survey_chart(early, "systemic")
    assert shown and "was asked in 2020" in shown[0]


def test_a_year_known_only_from_published_figures_says_why_it_has_no_answers_chart(data_dir, monkeypatch):
    """A published-only year has percentages but no answers: its theme chapter says so, rather
    than "too few responses", and a year with an export still gets its chart."""
    import yaml

    from healthcheck.present.sections import theme

    survey_yml = data_dir / "2021" / "survey.yml"
    meta = yaml.safe_load(survey_yml.read_text(encoding="utf-8"))
    for key in ("export", "questions", "columns", "ignore", "level"):
        meta.pop(key, None)
    survey_yml.write_text(yaml.safe_dump(meta), encoding="utf-8")
    (data_dir / "2021" / "published.csv").write_text("question_id,pct_positive,n,source\nIMP01,70,80,report\n", encoding="utf-8")
    for year, published_only in ((2021, True), (2022, False)):
        ch = Chapter(year, data_dir)
        assert ch.survey.years[year].published_only == published_only
        shown = []
        monkeypatch.setattr(theme, "display", lambda obj, shown=shown: shown.append(getattr(obj, "data", "")))
        monkeypatch.setattr(ch, "show_figure", lambda *a, shown=shown, **k: shown.append("a chart"))
        theme.survey_chart(ch, "improvement")
        assert (shown == ["a chart"]) != published_only, shown
        assert ("Only the published percentages of 2021" in shown[0]) == published_only
