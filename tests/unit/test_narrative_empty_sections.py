"""A draft's template headings with nothing under them are not shown to readers."""

import pytest

from healthcheck.data.narrative.render import without_empty_sections

pytestmark = pytest.mark.unit


def test_a_heading_over_nothing_but_notes_is_dropped_and_one_over_prose_kept():
    text = "## What staff said\n\nMost felt supported.\n\n## What changed\n\n## What we will do\n"
    shown = without_empty_sections(text)
    assert "## What staff said" in shown and "Most felt supported." in shown
    assert "What changed" not in shown and "What we will do" not in shown


def test_a_heading_over_a_subsection_with_prose_is_kept():
    text = "## Teams\n\n### Team A\n\nFewer vacancies.\n\n### Team B\n"
    shown = without_empty_sections(text)
    assert "## Teams" in shown and "### Team A" in shown
    assert "### Team B" not in shown


def test_text_with_no_headings_is_unchanged():
    text = "One paragraph.\n\nAnother, with # inside it.\n"
    assert without_empty_sections(text) == text
