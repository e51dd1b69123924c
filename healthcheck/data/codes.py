"""Answer codes: the canonical response codes, how survey tools spell them, and which count.

One definition for the whole package: reading an export, counting, the statistics and every
chart and table use these codes and labels.
"""

from __future__ import annotations

import re

import numpy as np

# Canonical response codes, in display order. The first five are valid answers.
RESPONSES = (
    "strongly_agree",
    "agree",
    "neutral",
    "disagree",
    "strongly_disagree",
    "dont_know",
    "not_applicable",
    "prefer_not_to_say",
    "blank",
)
RESPONSE_LABELS = {
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "neutral": "Neither agree nor disagree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "dont_know": "Don't know",
    "not_applicable": "Not applicable",
    "prefer_not_to_say": "Prefer not to say",
    "blank": "No answer",
}

# Labels as survey tools spell them, after `_squash`, mapped to canonical codes.
_LABEL_VARIANTS = {
    "strongly agree": "strongly_agree",
    "agree": "agree",
    "tend to agree": "agree",
    "neither agree nor disagree": "neutral",
    "neither agree or disagree": "neutral",
    "neutral": "neutral",
    "disagree": "disagree",
    "tend to disagree": "disagree",
    "strongly disagree": "strongly_disagree",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "don't know / not sure": "dont_know",
    "not sure": "dont_know",
    "not applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "prefer not to say": "prefer_not_to_say",
    "": "blank",
}
ACCEPTED_LABELS = tuple(k for k in _LABEL_VARIANTS if k)
#: Every label accepted when survey.yml declares no scale, squashed, with its code.
LABEL_VARIANTS: dict[str, str] = dict(_LABEL_VARIANTS)

#: Labels that are one standard label spelled another way (both squashed): "Neither agree or
#: disagree" *is* the five-point scale's middle label, so a scale naming the standard spelling
#: accepts it (unlike "Tend to agree", a different label that is counted as "agree").
SPELLINGS: dict[str, str] = {
    "neither agree or disagree": "neither agree nor disagree",
    "dont know": "don't know",
}

#: The five agreement codes: the base of every percentage.
VALID: tuple[str, ...] = RESPONSES[:5]
#: The codes counted as positive.
POSITIVE: tuple[str, ...] = ("strongly_agree", "agree")
#: Codes counted but left out of the base.
INVALID: tuple[str, ...] = RESPONSES[5:]
#: The non-answers a scale may declare (survey.yml's `non_answers`), each counted apart by name.
NON_ANSWERS: tuple[str, ...] = ("dont_know", "not_applicable", "prefer_not_to_say")
#: ``group`` of the all-staff rows (``group_type == "all"``).
ALL_STAFF = "All staff"


def _squash(value: object) -> str:
    """Lower-case, straighten curly apostrophes and collapse runs of white space."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def squash(value: object) -> str:
    """A label as compared: lower case, straight apostrophes, single spaces ("" for a blank)."""
    return _squash(value)


def standard_spelling(value: object) -> str:
    """A label as compared by a scale: squashed, with a known other spelling of a standard label
    (`SPELLINGS`) written the standard way."""
    squashed = _squash(value)
    return SPELLINGS.get(squashed, squashed)


def normalise_label(value: object) -> str | None:
    """The canonical response code for an exported label, or None when the label is unknown."""
    return _LABEL_VARIANTS.get(_squash(value))
