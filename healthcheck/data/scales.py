"""Answer scales and non-answers as data: what survey.yml's `scale` and `non_answers` declare.

A scale says which labels are positive, neutral and negative, in the order the scale runs
(most positive first). Common scales are ready to name (`NAMED`): five-point agreement, the
same with Microsoft Forms' "Neutral", four-point scales with no neutral, and numeric codes in
either direction. Non-answers ("Prefer not to say", "Don't know", "Not applicable") are left
out of every base and counted apart, each under its own name.

Every label is mapped to one of the canonical codes of `codes` (a positive label to
strongly_agree or agree, ...), so counting, statistics and charts are unchanged; with no
declaration the labels accepted are exactly `codes.LABEL_VARIANTS`, as before. `propose`
is what `import` writes: the scale the values found fit, and whether it is sure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from healthcheck.data import codes
from healthcheck.errors import Problem

_AGREE5 = (["Strongly agree", "Agree"], ["Neither agree nor disagree"], ["Disagree", "Strongly disagree"])
_AGREE5_NEUTRAL = (["Strongly agree", "Agree"], ["Neutral"], ["Disagree", "Strongly disagree"])
_AGREE4 = (["Strongly agree", "Agree"], [], ["Disagree", "Strongly disagree"])
_TEND4 = (["Strongly agree", "Tend to agree"], [], ["Tend to disagree", "Strongly disagree"])


def _numbered(labels: tuple[list[str], list[str], list[str]], reverse: bool) -> dict[int, str]:
    order = [*labels[0], *labels[1], *labels[2]]
    return {i: label for i, label in enumerate(order[::-1] if reverse else order, start=1)}


@dataclass(frozen=True)
class NamedScale:
    """A scale ready to name in survey.yml (`scale: agree-4`)."""

    labels: tuple[list[str], list[str], list[str]]  # positive, neutral, negative
    description: str
    codes: dict[int, str] = field(default_factory=dict)  # numeric answer codes, when the export has them


NAMED: dict[str, NamedScale] = {
    "agree-5": NamedScale(_AGREE5, "five-point agreement: Strongly agree ... Neither agree nor disagree ... Strongly disagree"),
    "agree-5-neutral": NamedScale(_AGREE5_NEUTRAL, "five-point agreement with 'Neutral' in the middle (Microsoft Forms)"),
    "agree-4": NamedScale(_AGREE4, "four-point agreement, no neutral: Strongly agree, Agree, Disagree, Strongly disagree"),
    "tend-4": NamedScale(_TEND4, "four-point, no neutral: Strongly agree, Tend to agree, Tend to disagree, Strongly disagree"),
    "numeric-5-agree-first": NamedScale(_AGREE5, "codes 1 to 5: 1 = Strongly agree ... 5 = Strongly disagree",
                                        _numbered(_AGREE5, False)),
    "numeric-5-disagree-first": NamedScale(_AGREE5, "codes 1 to 5: 1 = Strongly disagree ... 5 = Strongly agree",
                                           _numbered(_AGREE5, True)),
    "numeric-4-agree-first": NamedScale(_AGREE4, "codes 1 to 4: 1 = Strongly agree ... 4 = Strongly disagree",
                                        _numbered(_AGREE4, False)),
    "numeric-4-disagree-first": NamedScale(_AGREE4, "codes 1 to 4: 1 = Strongly disagree ... 4 = Strongly agree",
                                           _numbered(_AGREE4, True)),
}  # fmt: skip

_POSITIVE = {1: ["agree"], 2: ["strongly_agree", "agree"], 3: ["strongly_agree", "agree", "agree"]}
_NEGATIVE = {1: ["disagree"], 2: ["disagree", "strongly_disagree"], 3: ["disagree", "disagree", "strongly_disagree"]}


@dataclass(frozen=True)
class Scale:
    """The labels an export's answers may take, each with its canonical code."""

    name: str  # a NAMED key, "declared" (labels written out) or "" (no declaration: today's labels)
    labels: dict[str, str]  # label as compared (codes.standard_spelling) -> code
    answer_labels: tuple[str, ...] = ()  # the declared scale's labels, as written (for messages)
    non_answer_labels: tuple[str, ...] = ()  # the declared non-answers, as written
    codes: dict = field(default_factory=dict)  # numeric code -> label (a numeric scale's)

    @property
    def declared(self) -> bool:
        return bool(self.name or self.non_answer_labels)

    def code(self, value: object) -> str | None:
        """The canonical code of an answer label, or None when the scale has no such label."""
        return self.labels.get(codes.standard_spelling(value))

    def expected(self) -> str:
        """The labels accepted, in words, for an error message."""
        if not self.name:
            shown = ", ".join(f"'{label}'" for label in codes.ACCEPTED_LABELS[:6])
            extra = (
                f" or a non-answer declared in survey.yml ({', '.join(self.non_answer_labels)})" if self.non_answer_labels else ""
            )
            return (
                f"a response label such as {shown}{extra} (or empty); a label of the survey's own scale, or a"
                " non-answer, can be declared in survey.yml under `scale:` or `non_answers:`"
            )
        listed = ", ".join(f"'{label}'" for label in self.answer_labels + self.non_answer_labels)
        return (
            f"one of the labels survey.yml declares ({listed}) or empty; if this label is on the survey's scale, or is a"
            " non-answer, correct `scale:` or add it under `non_answers:` in survey.yml"
        )


DEFAULT = Scale("", dict(codes.LABEL_VARIANTS))


def _non_answer_code(label: str) -> str | None:
    code = codes.LABEL_VARIANTS.get(codes.squash(label))
    return code if code in codes.NON_ANSWERS else None


def scale_of(meta, survey_shown: str) -> tuple[Scale, list[Problem]]:
    """The scale a year's survey.yml declares (`scale`, `non_answers`), with the problems of the
    declaration; the default (every label accepted before) when it declares none."""
    problems: list[Problem] = []
    declared = getattr(meta, "scale", None)
    labels: dict[str, str] = {}
    shown: list[str] = []
    numeric: dict = {}
    if declared is None:
        name = ""
        labels = dict(codes.LABEL_VARIANTS)
    else:
        if isinstance(declared, str):
            if declared not in NAMED:
                problems.append(
                    Problem(survey_shown, None, "scale", declared,
                            "one of the scales ready to name: " + ", ".join(NAMED) + " (or the labels written out under"
                            " scale: positive, neutral, negative)")
                )  # fmt: skip
                return DEFAULT, problems
            name, parts, numeric = declared, NAMED[declared].labels, NAMED[declared].codes
        else:
            name, parts = "declared", (declared.positive, declared.neutral, declared.negative)
        kinds = (_POSITIVE[len(parts[0])], ["neutral"] * len(parts[1]), _NEGATIVE[len(parts[2])])
        for part, part_codes in zip(parts, kinds, strict=True):
            for label, code in zip(part, part_codes, strict=True):
                labels[codes.standard_spelling(label)] = code
                shown.append(label)
        labels[""] = "blank"
    non_answers = getattr(meta, "non_answers", None) or []
    pairs = non_answers.items() if isinstance(non_answers, dict) else [(label, _non_answer_code(label)) for label in non_answers]
    written = []
    for label, code in pairs:
        if code is None:
            problems.append(
                Problem(survey_shown, None, f"non_answers.{label}", label,
                        "a non-answer said as  Label: dont_know  (or not_applicable, prefer_not_to_say): this label is not"
                        " one of the usual ones, so write which kind it is")
            )  # fmt: skip
            continue
        clash = labels.get(codes.standard_spelling(label))
        if clash is not None and clash not in codes.NON_ANSWERS and clash != "blank":
            problems.append(Problem(survey_shown, None, f"non_answers.{label}", label, "a label that is not also on the scale"))
            continue
        labels[codes.standard_spelling(label)] = code
        written.append(str(label))
    return Scale(name, labels, tuple(shown), tuple(written), dict(numeric)), problems


def non_answer_names(meta) -> dict[str, list[str]]:
    """code -> the non-answer labels a year's survey.yml declares for it, as written."""
    non_answers = getattr(meta, "non_answers", None) or []
    pairs = non_answers.items() if isinstance(non_answers, dict) else [(label, _non_answer_code(label)) for label in non_answers]
    names: dict[str, list[str]] = {}
    for label, code in pairs:
        if code:
            names.setdefault(code, []).append(str(label))
    return names


def translate(frame: pd.DataFrame, columns, scale: Scale) -> pd.DataFrame:
    """A copy of `frame` whose declared labels in `columns` are written as their canonical
    labels ("Tend to agree" -> "Agree"), so that counting needs no scale; others stay as they are."""
    if not scale.declared:
        return frame
    out = frame.copy()
    for column in columns:
        values = out[column]
        mapping = {}
        for value in pd.unique(values.dropna()):
            code = scale.code(value)
            mapping[value] = value if code is None else ("" if code == "blank" else codes.RESPONSE_LABELS[code])
        out[column] = values.map(mapping).astype(values.dtype)
    return out


@dataclass(frozen=True)
class Proposal:
    """What `import` proposes for `scale` and `non_answers`, and whether it is sure."""

    scale: str | None  # a NAMED key, or None when no named scale fits
    non_answers: list[str]
    sure: bool
    why: str  # in words, for the report
    unknown: list[str] = field(default_factory=list)  # labels no named scale holds
    raw_scale: object = None  # a declaration kept as written (labels written out), instead of `scale`

    @property
    def written(self):
        """The value to write under survey.yml's `scale`."""
        return self.raw_scale if self.raw_scale is not None else self.scale


def propose(values: list[str]) -> Proposal:
    """The named scale the answer labels found fit, and the non-answers among them.

    Sure when every label is a known label of exactly one fitting scale; asks (sure=False) for
    numeric codes (their direction is the codebook's), for a four-point scale (a five-point one
    where nobody chose the middle looks the same), and for labels no named scale holds.
    """
    found = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    non_answers = [v for v in found if _non_answer_code(v)]
    answers = [v for v in found if v not in non_answers]
    squashed = {codes.standard_spelling(v) for v in answers}
    if answers and all(v.replace(".0", "").lstrip("-").isdigit() for v in answers):
        size = 4 if max(int(float(v)) for v in answers) <= 4 else 5
        return Proposal(f"numeric-{size}-agree-first", non_answers, False,
                        f"the answers are numeric codes ({', '.join(sorted(answers, key=float))}): check in the survey tool's"
                        f" codebook whether 1 is 'Strongly agree' (numeric-{size}-agree-first) or 'Strongly disagree'"
                        f" (numeric-{size}-disagree-first)")  # fmt: skip
    fitting = []
    for key, named in NAMED.items():
        if named.codes:
            continue
        known = {codes.standard_spelling(label) for part in named.labels for label in part}
        if squashed <= known:
            fitting.append((len(known - squashed), key))
    if not fitting and answers and all(codes.normalise_label(v) in codes.VALID for v in answers):
        # Every label is a usual spelling of the five-point agreement scale (one export mixing,
        # say, "Neither agree or disagree" and "Neutral"): that is the scale survey.yml need not
        # declare, which accepts exactly these labels. Sure only when a middle answer was found.
        if any(codes.normalise_label(v) == "neutral" for v in answers):
            return Proposal(None, non_answers, True,
                            "every answer label found is a usual spelling of the five-point agreement scale (Strongly"
                            " agree ... Neither agree nor disagree ... Strongly disagree): no declaration needed")  # fmt: skip
        return Proposal(None, non_answers, False,
                        "no middle answer was found among the usual spellings of the agreement scale, so it may be"
                        " four-point: if so, write agree-4 or tend-4; if the survey offered a neutral answer that nobody"
                        " chose, leave scale empty")  # fmt: skip
    if not fitting:
        named_labels = {codes.standard_spelling(x) for n in NAMED.values() for p in n.labels for x in p}
        unknown = sorted(v for v in answers if codes.standard_spelling(v) not in named_labels)
        return Proposal(None, non_answers, False,
                        "the answer labels found are not those of any scale ready to name: write the scale's labels under"
                        " scale: (positive, neutral, negative)", unknown or answers)  # fmt: skip
    fitting.sort()
    key = fitting[0][1]
    if key in ("agree-4", "tend-4"):
        return Proposal(key, non_answers, False,
                        f"no middle answer was found, so the scale looks four-point ({key}); if the survey offered a"
                        " neutral answer that nobody chose, write agree-5 instead")  # fmt: skip
    return Proposal(key, non_answers, True, f"every answer label found is on the {key} scale ({NAMED[key].description})")
