"""Text fields made safe at the door: invisible characters removed, personal data noticed.

Everything here works on one string at a time and never raises on odd input: the caller turns
what it reports into warnings (`Problem(..., severity="warning")`).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

from healthcheck.data.inputfile import normalise

# Characters that are invisible or reorder text but are kept: tab and newline are layout the
# analyst typed. Carriage returns are turned into newlines rather than reported.
_KEEP = {"\t", "\n"}
# Zero-width (non-)joiners are needed inside emoji sequences and in scripts such as Arabic,
# Persian and the Indic scripts; they are kept between two visible non-ASCII characters.
_JOINERS = {"\u200c", "\u200d"}
# A subdivision flag (England, Scotland, Wales) is U+1F3F4 followed by tag characters, which
# are otherwise invisible format characters; the whole sequence is kept.
_FLAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")


@functools.cache
def _invisible_pattern() -> re.Pattern:
    """A character class of every control (Cc), format (Cf) and surrogate (Cs) character.

    Built once from the running Python's Unicode tables, so a newer Unicode version's new
    format characters are covered too. Format characters only exist in planes 0, 1 and 14.
    """
    ranges = []
    for plane_start in (0x0000, 0x10000, 0xE0000):
        for code in range(plane_start, min(plane_start + 0x10000, sys.maxunicode + 1)):
            char = chr(code)
            if unicodedata.category(char) in ("Cc", "Cf", "Cs") and char not in _KEEP:
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
    parts = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{parts}]")


def _describe(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', for a warning an analyst can search for."""
    name = unicodedata.name(char, "") or ("CONTROL CHARACTER" if ord(char) < 0xA0 else "UNNAMED CHARACTER")
    return f"U+{ord(char):04X} {name}"


def clean_text(value: object) -> tuple[str, list[str]]:
    """Remove invisible and bidirectional control characters from a text field.

    Returns (text, removed): the cleaned text and a description of each kind of character
    removed, in order of first appearance ("U+202E RIGHT-TO-LEFT OVERRIDE"), empty when
    nothing was removed. Removed: control characters other than tab and newline, format
    characters (bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
    zero-width space U+200B, byte-order marks U+FEFF, soft hyphens, tag characters, ...) and
    lone surrogates. Kept: tab, newline; zero-width joiners between two visible non-ASCII
    characters (emoji, Indic and Arabic scripts); subdivision flag sequences. Carriage
    returns and Unicode line separators become newlines; the text is normalised (NFC, every
    Unicode space a plain space: `inputfile.normalise`), which is not reported. None and NaN
    become "".
    """
    if value is None or (isinstance(value, float) and value != value):
        return "", []
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text, []  # the common case, answered without a regex
    # One form for text that looks the same (NFC, Unicode spaces as spaces), before anything
    # compares or groups it: "Café" typed two ways, or with a no-break space, is one team.
    text = _NEWLINES.sub("\n", normalise(text))
    flags = {m.start(): m.end() for m in _FLAG_SEQUENCE.finditer(text)}
    removed: list[str] = []
    out: list[str] = []
    last = 0
    for match in _invisible_pattern().finditer(text):
        i = match.start()
        if any(start <= i < end for start, end in flags.items()):
            continue
        char = match.group()
        if char in _JOINERS and _between_visible(text, i):
            continue
        out.append(text[last:i])
        last = i + 1
        description = _describe(char)
        if description not in removed:
            removed.append(description)
    out.append(text[last:])
    return "".join(out), removed


def _between_visible(text: str, i: int) -> bool:
    """Whether text[i] sits between two visible non-ASCII characters."""
    if i == 0 or i == len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    return all(not c.isascii() and not c.isspace() and unicodedata.category(c)[0] != "C" for c in (before, after))


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])", re.UNICODE)
# A run that starts like a UK number: +44 (optionally "(0)") or 0, then digits with single
# spaces, hyphens, dots or brackets between them. Checked for its digit count afterwards.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:\)?[\s\-.]?\(?\d){7,12}(?!\d)")


def personal_data(text: object) -> list[str]:
    """E-mail addresses and UK-style telephone numbers found in a text, as written, in order.

    Telephone numbers are recognised when, after dropping spaces, hyphens, dots and brackets
    and writing +44 as 0, they are 10 or 11 digits starting 01, 02, 03, 05, 07, 08 or 09
    ("07700 900123", "+44 (0)1452 425000", "(01452) 425000", "0800-123-4567"). Dates such as
    01/05/2022 and short numbers such as "0 to 5" are not matched.
    """
    if not isinstance(text, str) or not text:
        return []
    found = [(m.start(), m.group()) for m in _EMAIL.finditer(text)]
    for match in _PHONE_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if match.group().startswith("+"):
            digits = digits[2:] if digits[2:3] == "0" else "0" + digits[2:]
        if len(digits) in (10, 11) and digits[1] in "1235789":
            found.append((match.start(), match.group()))
    return [item for _, item in sorted(found)]


# Words that mark a speaker field as a role, team or place rather than a person's name.
# Generous on purpose: a role mistaken for a name is a needless warning, but the list keeps
# such warnings rare.
_ROLE_WORDS = frozenset(
    """
    social worker workers practitioner practitioners manager managers management team teams
    safeguarding assessment assessments advanced senior principal officer officers lead leader
    head service services children child family families staff member members participant
    participants group groups focus locality area north south east west central city county
    district borough town hub unit office court care leaving leavers looked after adoption
    fostering foster disability disabilities disabled youth young people adult adults early help
    edge support supporting student students newly qualified asye nqsw apprentice trainee
    assistant administrator admin administration business coordinator co-ordinator supervisor
    consultant therapist therapists nurse nurses psychologist director directors deputy interim
    agency locum permanent part-time full-time experienced respondent respondents colleague
    colleagues anonymous anon unknown survey comment comments frontline front line duty
    referral referrals mash intake protection planning quality assurance independent reviewing
    iro chair worker's residential home homes health education partner partners partnership
    virtual school practice development educator educators learning workforce recruitment
    specialist specialists hr finance legal panel board council county's children's
    court-work permanence placement placements contact emergency out hours night day
    """.split()
)
_TITLES = frozenset("mr mrs ms miss mx dr prof sir dame cllr councillor".split())
_PARTICLES = frozenset("van von der de da di du le la del bin al".split())


def _is_name_word(word: str) -> bool:
    """Jane, O'Brien, McDonald, Smith-Jones, Zoë, Łukasz, or an initial ("J." or "J")."""
    core = word.strip(".")
    if len(core) == 1:
        return core.isupper()
    pieces = re.split(r"[-'\u2019]", core)
    return bool(pieces[-1]) and all(p.isalpha() and p[0].isupper() and (len(p) == 1 or not p.isupper()) for p in pieces if p)


def looks_like_person_name(speaker: object) -> bool:
    """Whether a quote's speaker field looks like a person's name rather than a role.

    The heuristic, applied to each part of the field split at commas, semicolons, slashes,
    brackets and dashes ("Jane Smith, social worker" has two parts):
    a part is a name when it is a title followed by a capitalised word ("Dr Patel", "Mrs
    Jones"), or when it is two to four words, every word capitalised like a name (Jane,
    O'Brien, McDonald, Smith-Jones, an initial "J."; lower-case particles such as "van" or
    "de" allowed between them) and none of them a role, team or place word ("Team Manager",
    "North Locality", "Advanced Practitioner" are roles). A single word on its own is not
    treated as a name: "Jane" and "Caseworker" cannot be told apart without a list of first
    names, and a role warned about as a name would train the analyst to ignore the warning.
    Words in capitals ("ASYE", "IRO") and anything with digits are not names.
    """
    if not isinstance(speaker, str):
        return False
    parts = re.split(r"[,;/()\[\]|]|\s[-\u2013\u2014]\s|:", speaker)
    return any(_part_is_name(part.split()) for part in parts)


def _part_is_name(words: list[str]) -> bool:
    if not words or any(any(ch.isdigit() for ch in w) for w in words):
        return False
    lowered = [w.lower().strip(".") for w in words]
    if any(w in _ROLE_WORDS for w in lowered):
        return False
    if lowered[0] in _TITLES:
        return len(words) >= 2 and all(_is_name_word(w) for w in words[1:] if w.lower() not in _PARTICLES)
    if not 2 <= len(words) <= 4:
        return False
    if words[0].lower() in _PARTICLES or words[-1].lower() in _PARTICLES:
        return False
    names = [w for w in words if w.lower() not in _PARTICLES]
    if len(names) < 2 or not all(_is_name_word(w) for w in names):
        return False
    # At least one word longer than an initial: "J. S." is not a name we can judge.
    return any(len(w.strip(".")) > 1 for w in names)
