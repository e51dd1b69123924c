"""The score out of 100: points, means, intervals, Welch's test for change, bands, the setting."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from IPython.display import HTML
from pydantic import ValidationError
from scipy import stats as sps

from healthcheck import paths
from healthcheck.analysis import measures
from healthcheck.data.config import DEFAULT_BANDS, Measures

ANSWERS = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "dont_know"]


def counts(year: int, qid: str, ns: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {"year": year, "question_id": qid, "group_type": "all", "group": "All staff", "response": ANSWERS[: len(ns)], "n": ns}
    )


def questions(years, qids=("Q1",), series=0) -> pd.DataFrame:
    return pd.DataFrame(
        [{"year": y, "question_id": q, "theme": "t", "short": f"Statement {q}", "series": series} for y in years for q in qids]
    )


def raw(ns: list[int], points=(100, 75, 50, 25, 0)) -> np.ndarray:
    return np.repeat(np.array(points[: len(ns)], float), ns[: len(points)])


def test_a_statements_score_is_the_mean_of_its_answers_points_without_dont_know():
    ns = [10, 20, 5, 8, 7, 30]  # 30 "don't know" are not valid responses
    table = measures.statement_scores(counts(2022, "Q1", ns), questions([2022]), 2022, DEFAULT_BANDS)
    row = table.iloc[0]
    expected = raw(ns)
    assert row["n_valid"] == 50 and row["score"] == pytest.approx(expected.mean())
    assert row["sd"] == pytest.approx(expected.std(ddof=1))
    half = sps.t.ppf(0.975, 49) * expected.std(ddof=1) / np.sqrt(50)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.mean() - half, expected.mean() + half))
    assert row["scale"] == "five-point" and row["band"] == measures.band_of(expected.mean(), DEFAULT_BANDS)


def test_a_year_without_a_middle_answer_is_scored_on_four_points():
    ns = [10, 10, 0, 10, 10]
    row = measures.statement_scores(counts(2022, "Q1", ns), questions([2022]), 2022, DEFAULT_BANDS).iloc[0]
    assert row["scale"] == "four-point"
    assert row["score"] == pytest.approx((10 * 100 + 10 * 200 / 3 + 10 * 100 / 3 + 0) / 40)


def test_change_is_tested_with_welchs_t_test_on_the_answers():
    before, after = [5, 10, 10, 10, 15], [25, 20, 5, 3, 2]
    data = pd.concat([counts(2021, "Q1", before), counts(2022, "Q1", after)])
    row = measures.statement_scores(data, questions([2021, 2022]), 2022, DEFAULT_BANDS).iloc[0]
    expected = sps.ttest_ind(raw(after), raw(before), equal_var=False)
    assert row["prev_year"] == 2021 and row["change"] == pytest.approx(raw(after).mean() - raw(before).mean())
    assert row["p_value"] == pytest.approx(expected.pvalue) and row["change_flag"] == "increase"
    same = pd.concat([counts(2021, "Q1", before), counts(2022, "Q1", before)])
    assert measures.statement_scores(same, questions([2021, 2022]), 2022, DEFAULT_BANDS).iloc[0]["change_flag"] == (
        "no significant change"
    )


def test_a_small_base_has_no_score_and_is_skipped_as_the_earlier_year():
    data = pd.concat(
        [counts(2020, "Q1", [20, 10, 5, 5, 5]), counts(2021, "Q1", [3, 2, 1, 1, 1]), counts(2022, "Q1", [10, 10, 10, 10, 10])]
    )
    table = measures.statement_scores(data, questions([2020, 2021, 2022]), 2022, DEFAULT_BANDS, threshold=10)
    assert table.iloc[0]["prev_year"] == 2020  # 2021 had 8 valid responses: no score to compare with
    small = measures.statement_scores(data, questions([2020, 2021, 2022]), 2021, DEFAULT_BANDS, threshold=10).iloc[0]
    assert small["suppressed"] and pd.isna(small["score"]) and small["band"] == ""


def test_a_wording_change_is_not_compared():
    data = pd.concat([counts(2021, "Q1", [20, 10, 5, 5, 5]), counts(2022, "Q1", [10, 10, 10, 10, 10])])
    q = pd.concat([questions([2021], series=0), questions([2022], series=1)])
    row = measures.statement_scores(data, q, 2022, DEFAULT_BANDS).iloc[0]
    assert pd.isna(row["prev_year"]) and row["change_flag"] == ""


def test_bands_come_from_the_data_and_theme_scores_average_statements():
    bands = Measures.model_validate(
        {"show": ["percent", "score"], "bands": [{"label": "high", "from": 60}, {"label": "low", "from": 0}]}
    ).bands
    data = pd.concat([counts(2022, "Q1", [40, 10, 0, 0, 0]), counts(2022, "Q2", [0, 0, 10, 20, 20])])
    table = measures.statement_scores(data, questions([2022], ("Q1", "Q2")), 2022, bands)
    assert list(table["band"]) == ["high", "low"]
    themes = measures.theme_scores(table, bands)
    assert themes.iloc[0]["score"] == pytest.approx(table["score"].mean()) and themes.iloc[0]["statements"] == 2
    assert measures.band_of(70, DEFAULT_BANDS) == "good" and measures.band_of(69.9, DEFAULT_BANDS) == "moderate"
    assert measures.band_of(54.9, DEFAULT_BANDS) == "clear steps to improve"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"bands": [{"label": "a", "from": 50}]}, "from: 0"),
        ({"bands": [{"label": "a", "from": 0}, {"label": "b", "from": 0}]}, "same score"),
        ({"show": ["score"]}, "must include percent"),
        ({"show": ["percent", "median"]}, "score"),
        ({"bands": [{"label": "a", "from": 120}]}, "100"),
    ],
)
def test_a_wrong_measures_setting_says_what_is_wrong(setting, message):
    with pytest.raises(ValidationError) as error:
        Measures.model_validate(setting)
    assert message in str(error.value)


@pytest.fixture
def demo(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", folder)
    return folder


def shown_by(module, monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(module, "display", lambda obj: shown.append(obj.data if isinstance(obj, HTML) else str(obj)))
    return shown


def test_the_theme_section_shows_scores_only_when_settings_ask(demo, tmp_path, monkeypatch):
    from healthcheck.present.chapter import Chapter
    from healthcheck.present.sections import measures as section
    from healthcheck.present.workbook import typed_table

    shown = shown_by(section, monkeypatch)
    ch = Chapter(2022, demo, tmp_path / "downloads")
    assert ch.settings.measures.score  # the demonstration asks for them
    section.scores(ch, "wellbeing")
    page = "".join(shown)
    assert "this theme scores <strong>" in page and "score out of 100 and band of each statement" in page
    csv = pd.read_csv(tmp_path / "downloads" / "2022-wellbeing-scores.csv", dtype=str, keep_default_na=False)
    assert set(csv["Band"]) <= {"good", "moderate", "clear steps to improve"}
    typed = typed_table(csv)
    assert all(isinstance(v, float) for v in typed["Score (out of 100)"])  # numbers in the workbooks

    settings = yaml.safe_load((demo / "settings.yml").read_text(encoding="utf-8"))
    settings["measures"] = {"show": ["percent"]}
    (demo / "settings.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    shown.clear()
    section.scores(Chapter(2022, demo, tmp_path / "other"), "wellbeing")
    assert shown == [] and not (tmp_path / "other" / "2022-wellbeing-scores.csv").exists()


def test_the_methods_appendix_says_how_scores_are_computed(demo, monkeypatch):
    from healthcheck.present.chapter import Chapter
    from healthcheck.present.sections import appendix

    shown = shown_by(appendix, monkeypatch)
    appendix.measures_method(Chapter(2022, demo))
    text = "".join(shown)
    assert "Welch's t-test" in text and "<em>good</em> from 70" in text and "33.3, 66.7" in text
    shown.clear()
    appendix.workbooks_note(Chapter(2022, demo))
    assert '<a href="../downloads/2022-all-figure-data.ods">ODS</a>' in shown[0] and "[c] (confidential)" in shown[0]
