"""What `import` proposes for an export's headings and answers: which columns are statements,
which statement is a rewording of a bank question, the codes of new statements, and the answer
scale. The importer (`importer.import_export`) writes what this module proposes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from healthcheck.data import codes, scales
from healthcheck.data.config import QuestionBank, YearMeta
from healthcheck.data.tables import read, surveytools
from healthcheck.errors import YearStartError
from healthcheck.scaffold.headings import (
    ACCEPT,
    Match,
    best,
    free_text,
    is_personal,
    is_technical,
    looks_like_question,
    propose_mapping,
    similarity,
)


def technical(heading: str, tool: surveytools.Tool) -> bool:
    """A column the survey tool adds about the response (ids, collectors, dates, devices)."""
    return tool.is_technical(heading) or is_technical(heading)


OTHER_TEXT = re.compile(r"(?i).*(other \(please specify\)|please specify|other - text|- text)\s*$")


def not_a_statement(heading: str, values: pd.Series, tool: surveytools.Tool) -> bool:
    """Whether a column can never be a statement: personal data, a column the tool adds about the
    response, an "Other (please specify)" box, or free-text comments."""
    return (
        is_personal(heading)
        or technical(heading, tool)
        or bool(OTHER_TEXT.match(heading))
        or free_text(values)
        or open_question(heading, values)
    )


def open_question(heading: str, values: pd.Series) -> bool:
    """Whether a column is a comments box told by its heading: a question ("Is there anything else
    you would like to tell us?") whose column holds no answer at all. A statement is put as a
    sentence to agree with, and with no answers there is nothing to show it is one; such a column
    is left out (and listed as free text), never proposed as a new statement."""
    return heading.rstrip().endswith("?") and not values.astype(str).str.strip().ne("").any()


def nothing_mapped(source: Path, frame: pd.DataFrame, level: str, tool: surveytools.Tool, rows: int) -> str:
    """Why no heading of the export could be mapped, and what to do."""
    shown = ", ".join(repr(str(h)[:40]) for h in list(frame.columns)[:6])
    return (
        f"No column of the export {source} looks like a statement (read as {surveytools.describe(tool, rows)}; row 1"
        f" holds {shown}...). Nothing was changed. Check that this is the export of the survey's answers, one row per"
        " respondent, as the survey tool downloads it (do not edit it); if its headings start lower down, set"
        " `header_row:` in survey.yml to the first heading row and run import again."
    )


def sort_headings(frame, level, columns, role_candidates, bank, year, metas, survey_shown, tool=surveytools.OTHER):
    """(items, accepted, to confirm, unmatched, ignored): the export's questions (headings, or at
    the counts level the question column's wordings) matched to the bank, and the headings left
    over sorted into unmatched statements and headings to ignore (`metas`: the survey.yml files
    to learn from, this year's first)."""
    headings = [str(h) for h in frame.columns]
    role_headings = {m.heading for m in columns.values()}
    if level == "counts":
        if "question" not in columns:
            raise YearStartError(
                f"The export has one row per question and answer (level: counts), but its question column could not"
                f" be told for sure among its headings: {', '.join(map(repr, headings))}. Set columns.question in"
                f" {survey_shown} yourself (and level: counts), then run validate."
            )
        q_col = columns["question"].heading
        items = list(dict.fromkeys(v.strip() for v in frame[q_col].astype(str) if v.strip()))
        accepted, confirm, unmatched = propose_mapping(items, bank, year)
        # At this level questions are rows, not columns: any other heading is not a question
        # (unmatched holds wordings here), so it can only be ignored.
        others = []
        ignored = [h for h in headings if h not in role_headings]
    else:
        # Personal data (Email, Name), columns about the response (Collector ID, Start Date),
        # free-text boxes and headings ignored last year are never questions, whatever they hold.
        ignored_before = [str(h) for m in metas for h in (m.get("ignore") or [])]
        items = [
            h
            for h in headings
            if h not in role_headings and not not_a_statement(h, frame[h], tool) and best(h, ignored_before)[1] < ACCEPT
        ]
        accepted, confirm, unmatched = propose_mapping(items, bank, year)
        taken = {m.heading for m in accepted + confirm}
        others = [h for h in headings if h not in role_headings and h not in taken]
        unmatched = []
        ignored = []
    # Headings left over: personal data, ignored last year, not a question at all, or free-text
    # comments -> ignore; else an unmatched statement. A candidate for a role the analyst must
    # confirm is neither: it stays out of both lists.
    ignored_before = [str(h) for m in metas for h in (m.get("ignore") or [])]
    to_confirm = {h for c in role_candidates.values() for h in c}
    for heading in others:
        if heading in to_confirm:
            continue
        _, score = best(heading, ignored_before)
        if (
            score >= ACCEPT
            or not looks_like_question(heading)
            or not_a_statement(heading, frame[heading], tool)
            or (level != "counts" and not answers_like_apropose_scale(frame[heading]))
        ):
            ignored.append(heading)
        else:
            unmatched.append(heading)
    return items, accepted, confirm, unmatched, ignored


def answers_like_apropose_scale(values: pd.Series) -> bool:
    """Whether a column's answers could be a statement's: mostly known answer labels, numeric
    codes, or a handful of short labels (a scale of the survey's own)."""
    text = values.astype(str).str.strip()
    distinct = [v for v in pd.unique(text) if v]
    if not distinct:
        return True
    known = sum(1 for v in distinct if scales.DEFAULT.code(v) is not None)
    if known * 2 >= len(distinct) or read.answer_codes(text):
        return True
    return len(distinct) <= 7 and all(len(v.split()) <= 5 for v in distinct)


REWORDED = 0.45  # an unmatched statement this close to a question with no column now may be its rewording


def reworded(bank: QuestionBank, year: int, mapped: set[str], unmatched: list[str]) -> tuple[list[Match], list[str]]:
    """(statements proposed as rewordings of bank questions asked before with no column now,
    the statements left unmatched): the best pairs first, each code at most once."""
    targets = {}
    for qid, q in bank.questions.items():
        earlier = [y for y in q.wording if y < year]
        if qid not in mapped and earlier and year not in q.wording:
            targets[qid] = (max(earlier), q.wording[max(earlier)])
    pairs = sorted(
        ((-similarity(h, text), i, h, qid) for i, h in enumerate(unmatched) for qid, (_, text) in targets.items()),
    )
    taken_h, taken_q, found = set(), set(), {}
    for neg, _, heading, qid in pairs:
        if -neg < REWORDED or heading in taken_h or qid in taken_q:
            continue
        taken_h.add(heading)
        taken_q.add(qid)
        found[heading] = Match(heading, qid, -neg, *targets[qid])
    return [found[h] for h in unmatched if h in found], [h for h in unmatched if h not in found]


def new_questions(bank: QuestionBank, unmatched: list[str]) -> list[Match]:
    """Statements no bank question matches: each gets a new code, mapped in survey.yml, and an
    entry printed for the analyst to paste into the bank (with its theme filled in)."""
    taken = set(bank.questions)
    new = []
    for heading in unmatched:
        code = new_code(taken)
        taken.add(code)
        new.append(Match(heading, code, 0.0))
    return new


def new_code(taken: set[str]) -> str:
    """The next free code NEW01, NEW02, ...: a new statement's theme is the analyst's to choose,
    so its code never takes the prefix of another theme's questions."""
    number = 1
    while f"NEW{number:02d}" in taken:
        number += 1
    return f"NEW{number:02d}"


def _fits(scale: scales.Scale, value: str) -> bool:
    """Whether an answer found is on a declared scale (a numeric scale's code read as its label)."""
    if scale.codes and value.replace(".0", "").isdigit():
        label = scale.codes.get(int(float(value)))
        return label is not None and scale.code(label) is not None
    return scale.code(value) is not None


def propose_scale(frame: pd.DataFrame, level: str, columns: dict, report, raw: dict) -> scales.Proposal:
    """The answer scale and non-answers to write: last year's declaration when every label found
    fits it, else the scale the labels found fit (`scales.propose`), sure or to confirm."""
    if level == "counts":
        answer_columns = [columns["response"].heading] if "response" in columns else []
    else:
        answer_columns = [h for h in report.mapping if h in frame.columns]
    values = list(dict.fromkeys(v for h in answer_columns for v in pd.unique(frame[h].astype(str).str.strip()) if v))
    declared_scale, declared_non = raw.get("scale"), raw.get("non_answers")
    if declared_scale is None and not declared_non:
        return scales.propose(values)
    try:
        before = YearMeta.model_validate({"year": 0, "scale": declared_scale, "non_answers": declared_non or []})
        scale, problems = scales.scale_of(before, "")
    except ValueError:
        scale, problems = None, [True]
    if scale is None or problems:
        return scales.propose(values)
    # Kept exactly as written (a mapping of labels to kinds stays a mapping).
    kept = dict(declared_non) if isinstance(declared_non, dict) else list(declared_non or [])
    if declared_scale is not None:
        if values and all(_fits(scale, v) for v in values):
            why = "as survey.yml declares it (carried from last year, or set by you): every answer label found fits it"
            name = declared_scale if isinstance(declared_scale, str) else None
            return scales.Proposal(name, kept, True, why, [], raw_scale=declared_scale)
        return scales.propose(values)
    # Only non-answers are declared (an earlier import found no scale to name, or the analyst
    # wrote them alone): no scale is declared, so it is proposed from the other labels found,
    # exactly as the first import did, and the declared non-answers are kept.
    answers = [v for v in values if scale.code(v) not in codes.NON_ANSWERS]
    proposal = scales.propose(answers)
    if isinstance(kept, list):
        kept += [v for v in values if v not in kept and scale.code(v) in codes.NON_ANSWERS]
    return scales.Proposal(proposal.scale, kept, proposal.sure, proposal.why, proposal.unknown, proposal.raw_scale)
