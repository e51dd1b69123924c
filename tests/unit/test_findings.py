"""What the summary and conclusions take from the data: recommendations with owners and the
statements they answer, the falls none answers, and the words that rose and fell."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from healthcheck.analysis import stats
from healthcheck.data.config import load_bank, load_recommendations
from healthcheck.data.extras import check_extras
from healthcheck.present.chapter import Chapter
from healthcheck.present.charts.words import word_changes_data
from healthcheck.present.sections import conclusions


@pytest.fixture(scope="module")
def chapter():
    return Chapter(2022)


def test_every_significant_fall_is_listed_with_what_answers_it(chapter):
    falls = conclusions.unanswered_falls(chapter)
    figs = chapter.figures
    expected = set(figs.loc[(figs.change_flag == stats.DECREASE) & ~figs.suppressed.astype(bool), "question_id"])
    assert set(falls.question_id) == expected and expected
    current = load_recommendations(chapter.survey.data_dir, 2022)["current"]
    for r in falls.itertuples():
        answering = {str(rec["id"]) for rec in current if r.question_id in (rec.get("statements") or [])}
        assert set(filter(None, r.answered_by.split(", "))) == answering, r.question_id
    # the demonstration keeps some falls unanswered, so the conclusions have something to say
    assert (falls.answered_by == "").any() and (falls.answered_by != "").any()


def test_recommendation_statements_must_be_codes_of_the_bank(tmp_path):
    from healthcheck import paths

    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    path = data / "2022" / "recommendations.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["current"][0]["statements"] = ["WEL02", "NOPE9"]
    del raw["current"][1]["owner"], raw["current"][1]["due"]  # optional: an older file has none
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    problems = check_extras(data / "2022", load_bank(data), data)
    bad = [p for p in problems if "statements" in str(p.column)]
    assert len(bad) == 1 and "NOPE9" in str(bad[0]) and "current[1].statements[2]" in str(bad[0].column)


def test_words_that_rose_and_fell_with_their_counts():
    before = pd.DataFrame({"word": ["pressure", "virtual", "team", "calm"], "count": [10, 12, 5, 3]})
    now = pd.DataFrame({"word": ["pressure", "team", "calm", "waiting"], "count": [18, 5, 1, 4]})
    data = word_changes_data(now, before, top=2)
    more = data[data.direction == "more often"]
    less = data[data.direction == "less often"]
    assert list(more.word) == ["pressure", "waiting"] and list(more.change) == [8, 4]
    assert list(less.word) == ["virtual", "calm"] and list(less.before) == [12, 3] and list(less.now) == [0, 1]
    assert "team" not in set(data.word)  # unchanged words are not listed
