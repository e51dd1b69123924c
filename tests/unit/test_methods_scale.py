"""The methods annex describes "percent agreeing" in the year's own answer scale."""

from types import SimpleNamespace

import pytest

from healthcheck.present.sections.appendix import percent_agreeing_method

pytestmark = pytest.mark.unit


def test_undeclared_scale_is_the_usual_five_answers():
    text = percent_agreeing_method(SimpleNamespace(scale=None, non_answers=None))
    assert "(strongly agree + agree)" in text
    assert "the five answers from strongly agree to strongly disagree" in text
    assert "*Don't know*, *Not applicable* and blank answers are counted but left out" in text


def test_four_point_scale_has_four_answers_and_its_own_non_answer():
    text = percent_agreeing_method(SimpleNamespace(scale="tend-4", non_answers=["Prefer not to say"]))
    assert "(strongly agree + tend to agree)" in text
    assert "the four answers from strongly agree to strongly disagree" in text
    assert "five" not in text
    assert "*Prefer not to say* and blank answers" in text
    assert "Don't know" not in text


def test_a_label_is_escaped_for_markdown():
    text = percent_agreeing_method(SimpleNamespace(scale=None, non_answers={"*N/A* <b>": "not_applicable"}))
    assert "<b>" not in text
