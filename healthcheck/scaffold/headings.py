"""Matching an export's headings: to the bank's statements, and to the columns that are not questions.

`propose_mapping` pairs each heading (or, at the counts level, each question wording) with at
most one bank question by how alike their words are (`similarity`): from ACCEPT up it is
mapped, from CONFIRM up it is proposed for the analyst to confirm. `find_roles` takes a
heading for a role (respondent id, completion date, team, ...) only when its name is a known
name of the role and its values fit (a heading asking for the role, such as "Which team do you
work in?", is only a candidate to confirm; personal data such as Email or Name never is one);
`free_text` tells a comments column from a statement's; `guess_level` tells one row per
respondent from one row per question and answer.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from healthcheck.data import codes
from healthcheck.data.config import QuestionBank
from healthcheck.data.tables.dates import parse_dates

ACCEPT = 0.85  # a heading this close to the bank's wording is mapped without asking
CONFIRM = 0.60  # from here up to ACCEPT the mapping is proposed, to be confirmed
RESPONDENT_ROLES = ("respondent_id", "completed", "team", "locality", "role")
COUNTS_ROLES = ("question", "response", "count", "completed")


def normalise_text(text: object) -> str:
    """Heading text for comparison: case, spaces, punctuation and curly quotes ignored."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = re.sub(r"['\u2018\u2019\u201b`\u00b4]", "", text)  # I'm == I’m == Im
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """How alike two headings are, 0 to 1, after `normalise_text` (1.0 when equal)."""
    na, nb = normalise_text(a), normalise_text(b)
    if na == nb:
        return 1.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


@dataclass(frozen=True)
class Match:
    """An export heading (or, at the counts level, a question wording) and the code proposed for it."""

    heading: str
    code: str
    score: float
    bank_year: int | None = None  # the year of the bank wording it was compared with
    bank_wording: str = ""


def best(name: str, candidates: list[str]) -> tuple[str | None, float]:
    """The candidate most like `name` (exact text wins), with its score."""
    if name in candidates:
        return name, 1.0
    scored = sorted(((similarity(name, c), -i, c) for i, c in enumerate(candidates)), reverse=True)
    return (scored[0][2], scored[0][0]) if scored else (None, 0.0)


def _bank_targets(bank: QuestionBank, year: int) -> dict[str, tuple[int, str]]:
    """code -> (year, wording) to compare with: this year's wording, else the latest earlier one."""
    targets = {}
    for qid, q in bank.questions.items():
        years = [y for y in q.wording if y <= year]
        if years:
            targets[qid] = (max(years), q.wording[max(years)])
    return targets


def propose_mapping(items: list[str], bank: QuestionBank, year: int) -> tuple[list[Match], list[Match], list[str]]:
    """Match each heading to at most one bank question and each question to at most one heading.

    Returns (accepted >= ACCEPT, to confirm CONFIRM..ACCEPT, unmatched). The best pairs are taken
    first, so two similar headings cannot both claim one question.
    """
    targets = _bank_targets(bank, year)
    norm_targets = {qid: normalise_text(text) for qid, (_, text) in targets.items()}
    pairs = []
    for i, heading in enumerate(items):
        nh = normalise_text(heading)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(nh)
        for j, (qid, nt) in enumerate(norm_targets.items()):
            if nh == nt:
                score = 1.0
            else:
                matcher.set_seq1(nt)
                if matcher.real_quick_ratio() < CONFIRM or matcher.quick_ratio() < CONFIRM:
                    continue
                score = matcher.ratio()
            if score >= CONFIRM:
                pairs.append((-score, i, j, heading, qid))
    used_h, used_q, found = set(), set(), {}
    for neg, _, _, heading, qid in sorted(pairs):
        if heading in used_h or qid in used_q:
            continue
        used_h.add(heading)
        used_q.add(qid)
        found[heading] = Match(heading, qid, -neg, *targets[qid])
    accepted = [found[h] for h in items if h in found and found[h].score >= ACCEPT]
    confirm = [found[h] for h in items if h in found and found[h].score < ACCEPT]
    return accepted, confirm, [h for h in items if h not in found]


def looks_like_question(heading: str) -> bool:
    """A sentence (several words or ending like one) rather than a field name such as 'Browser'."""
    return len(heading.split()) > 4 or heading.rstrip().endswith((".", "?", "!"))


def role_names(metas: list[dict], roles: tuple[str, ...]) -> dict[str, list[str]]:
    """role -> the headings survey.yml files (this year's, last year's) gave it under `columns`."""
    names: dict[str, list[str]] = {}
    for raw in metas:
        for role in roles:
            name = ((raw.get("columns") or {}) if isinstance(raw.get("columns"), dict) else {}).get(role)
            if isinstance(name, str) and name and name not in names.setdefault(role, []):
                names[role].append(name)
    return names


# Names survey tools give the non-question columns. A heading is taken for a role only when its
# name is one of these (or last year's) exactly, ignoring case and punctuation, and its values
# look right; anything less is listed as "please confirm" and left for the analyst to set.
ROLE_NAMES = {
    "respondent_id": ["Response ID", "Respondent ID", "Respondent", "ID", "Response number", "Respondent number", "UserNo"],
    "completed": [
        "Completed",
        "Completion time",
        "End time",
        "End date",
        "Date submitted",
        "Submitted",
        "Completed at",
        "Ended",
        "Timestamp",
    ],
    "team": ["Team", "Team name"],
    "locality": ["Locality", "Locality name"],
    "role": ["Role", "Job role", "Job title"],
    "question": ["Question", "Statement", "Question text"],
    "response": ["Response", "Answer", "Response option"],
    "count": ["Count", "Number of responses", "Responses"],
}


# Columns a survey tool adds about the person or their device (Microsoft Forms: Email, Name;
# others: IP Address, User agent). Personal data is not read: such a column is never a
# candidate for any role, and `import` lists it under `ignore`, whatever it holds.
_PERSONAL = re.compile(
    r"(?:your |respondents? |user |contact )?"
    r"(?:e ?mail(?: address)?|(?:full |first |last |given |family |user |display )?names?|surname|username"
    r"|ip(?: address)?|user agent|device(?: id)?|(?:tele)?phone(?: number)?|mobile(?: number)?|postcode|post code"
    r"|home address|address|latitude|longitude|login(?: id)?|user id|employee (?:id|number)|staff (?:id|number)|payroll number)"
)


def is_personal(heading: str) -> bool:
    """Whether a heading names personal or technical data about the respondent (Email, Name, IP Address)."""
    return bool(_PERSONAL.fullmatch(normalise_text(heading)))


# The words that say which group a question asks about ("Which team or service do you work in?").
_ASKED_WORDS = {
    "team": ("team", "service", "department", "directorate", "unit", "area"),
    "locality": ("locality", "area", "region", "patch", "office", "district", "location", "base"),
    "role": ("role", "job", "position", "grade", "profession", "title"),
}
_ASKS = re.compile(r"(?:(?:in|at|for) )?(?:which|what|where)\b|please (?:select|choose|tell us|give|state|enter|indicate)\b")
_GROUP_WORDS = "|".join(sorted({w for ws in _ASKED_WORDS.values() for w in ws}))
_ASKS_GROUP = re.compile(rf"(?:(?:in|at|for) )?(?:which|what) (?:{_GROUP_WORDS})s?\b")
_FIRST_PERSON = {"i", "im", "me", "my", "mine", "we", "our"}


def asked_roles(heading: str) -> list[str]:
    """The roles (team, locality, role) a heading asks about: "Which team or service do you work
    in?", "What is your role?", "Your job role"; [] for a statement, which speaks in the first
    person ("My team supports me") or states rather than asks."""
    norm = normalise_text(heading)
    words = norm.split()
    if not words or len(words) > 12 or _FIRST_PERSON & set(words):
        return []
    if words[0] == "your":  # a field name such as "Your team" or "Your job role"
        asks = len(words) <= 4
        words = words[-1:]
    else:  # a question: with a question mark, or plainly "please select ...", "which team ...", "what is your ..."
        plain = words[0] == "please" or "your" in words or bool(_ASKS_GROUP.match(norm))
        asks = bool(_ASKS.match(norm)) and (str(heading).rstrip().endswith("?") or plain)
    if not asks:
        return []
    return [role for role, keys in _ASKED_WORDS.items() if any(k in words or f"{k}s" in words for k in keys)]


def free_text(values: pd.Series) -> bool:
    """Whether a column's answers are mostly long free text (comments), not the labels of a scale:
    at least half of the answers given have five words or more, and they are varied."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty:
        return False
    long = filled[filled.str.split().str.len() >= 5]
    return len(long) * 2 >= len(filled) and long.nunique() > min(7, len(long) // 2)


def _values_fit(role: str, values: pd.Series) -> bool:
    """Whether a column's values look like the role's: unique ids, dates, whole numbers, group names."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty:
        return False
    if role == "respondent_id":
        return len(filled) == len(text) and filled.is_unique
    if role == "completed":
        return parse_dates(filled).notna().mean() >= 0.9  # Excel serial dates (44354.35) too
    if role == "count":
        return filled.str.fullmatch(r"\d+").all()
    if role in ("team", "locality", "role"):
        return looks_like_groups(filled)
    return True


def looks_like_groups(values: pd.Series) -> bool:
    """Whether a column's values look like the names of groups (teams, localities, roles): few
    names, each shared by several people, and not dates, numbers (a collector id), answer labels
    (a statement's column) or long free text."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty or filled.nunique() > max(1, len(filled) // 2):
        return False
    distinct = pd.Series(pd.unique(filled))
    if parse_dates(distinct).notna().mean() >= 0.5 or distinct.str.fullmatch(r"[\d\s.,:/+-]+").mean() >= 0.5:
        return False
    labels = distinct.map(lambda v: codes.squash(v) in codes.LABEL_VARIANTS)
    return labels.mean() < 0.5 and not free_text(filled)


# What survey tools add about a response besides ids and personal data: never a statement or a group.
_TECHNICAL = re.compile(
    r"collector(?: id| name)?|custom (?:data|value|variable)(?: \d+)?|start(?:ed)?(?: date| time)?|end(?:ed)?(?: date| time)?"
    r"|(?:recorded|submission|submitted|last modified|modified|created)(?: date| time| at)?|timestamp|duration.*|progress"
    r"|status|finished|response type|distribution channel|user language|language|external (?:data )?reference"
    r"|tracking link|unique id|(?:response|respondent|recipient|user) ?(?:id|no|number)|browser|operating system|referr?er"
    r"|recipient (?:email|first name|last name)|location (?:latitude|longitude)|total points|quiz feedback|score"
)


def is_technical(heading: str) -> bool:
    """Whether a heading names a column a survey tool adds about the response (Collector ID,
    Start Date, Duration, Status, ...): never proposed as a statement or a group."""
    return bool(_TECHNICAL.fullmatch(normalise_text(heading)))


def find_roles(frame: pd.DataFrame, names: dict[str, list[str]], roles) -> tuple[dict[str, Match], dict[str, list[str]]]:
    """The headings taken for each role, and for the roles not taken, the candidates to confirm.

    A heading is taken only when its name is a known name of the role (normalised text equal)
    and its values fit; close names, names whose values do not fit, and questions asking for
    the role ("Which team do you work in?") become candidates. A heading naming personal data
    (`is_personal`: Email, Name) is neither.
    """
    found: dict[str, Match] = {}
    free = [str(h) for h in frame.columns if not is_personal(h)]
    known = {role: list(dict.fromkeys(names.get(role, []) + ROLE_NAMES.get(role, []))) for role in roles}
    exact = {role: [h for h in free if any(normalise_text(h) == normalise_text(n) for n in known[role])] for role in roles}
    for role in roles:  # first every sure match, so a heading taken is no one else's candidate
        fitting = [h for h in exact[role] if h in free and _values_fit(role, frame[h])]
        if fitting:
            found[role] = Match(fitting[0], role, 1.0, None, fitting[0])
            free.remove(fitting[0])
    candidates: dict[str, list[str]] = {}
    for role in (r for r in roles if r not in found):
        close = [h for h in free if h in exact[role] or max((similarity(h, n) for n in known[role]), default=0) >= CONFIRM]
        if role in ("team", "locality"):
            # a short heading whose values look like group names ("Service area") may be one
            close += [h for h in free if not looks_like_question(h) and _values_fit(role, frame[h])]
        close += [h for h in free if role in asked_roles(h)]
        if role in ("team", "locality", "role"):
            # A group is proposed only when its values look like groups: never a collector id,
            # a date, a statement's answers or comments, whatever its heading says.
            close = [h for h in close if not is_technical(h) and looks_like_groups(frame[h])]
        if close:
            candidates[role] = list(dict.fromkeys(close))
    return found, candidates


def guess_level(frame: pd.DataFrame) -> str:
    """ "counts" when the export has a question column, a response column and a whole-number count
    column (one row per question and answer); otherwise "respondents" (one row per person)."""
    headings = [str(h) for h in frame.columns]
    has = {
        role: any(normalise_text(h) == normalise_text(n) for h in headings for n in ROLE_NAMES[role])
        for role in ("question", "response", "count")
    }
    if all(has.values()):
        count = next(h for h in headings if any(normalise_text(h) == normalise_text(n) for n in ROLE_NAMES["count"]))
        if _values_fit("count", frame[count]):
            return "counts"
    return "respondents"
