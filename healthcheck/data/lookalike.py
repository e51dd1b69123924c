"""Group names that look alike: one team typed two ways must not become two small groups.

Text is already in one Unicode form when it arrives (`inputfile.normalise`: NFC, Unicode spaces
as spaces), so "Café" typed two ways is one team. What is left are spellings a reader takes
for one name but a computer does not: another case ("Team A", "team a"), other spacing
("Team  A", "TeamA") and confusable letters (a Cyrillic "А" or Greek "Α" for a Latin "A").
`skeleton` reduces a name to what a reader sees; `problems` names every pair of spellings of one
group column with the same skeleton, with the rows of each, and the analyst decides with
survey.yml's `group_names` (`apply_names`), which maps a spelling to the name to count it as.

The confusables table is the Latin look-alikes among Cyrillic and Greek letters from
Unicode's confusables list (https://www.unicode.org/Public/security/latest/confusables.txt,
UTS #39), plus the Latin letters Unicode lists as confusable with others in a name (none of
the digits: "Team 1" and "Team l" stay apart).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from healthcheck.errors import Problem

# Cyrillic and Greek letters that Unicode's confusables list maps to a Latin letter.
_CONFUSABLE_PAIRS = (
    # Cyrillic capitals and small letters
    "АA аa ВB вb СC сc ЕE еe НH һh ІI іi ЈJ јj КK кk МM мm ОO оo РP рp ЅS ѕs ТT тt ХX хx УY уy Ԁd ԁd "
    "ԛq ԜW ԝw ѡw ҮY үy ӀI ӏl Ғf ԌG Ꙇl ǀl "
    # Greek capitals and small letters
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX οo ρp ιi νv υu κk ϲc ϳj ϒY"
)
_TABLE = str.maketrans({pair[0]: pair[1] for pair in _CONFUSABLE_PAIRS.split()})
_SPACE = re.compile(r"\s+")


def skeleton(name: str) -> str:
    """What a reader sees of a name: compatibility-normalised (NFKC: full-width and ligature
    letters as plain ones), look-alike Cyrillic and Greek letters as Latin ones, case folded,
    spaces removed. Two names with one skeleton read as one."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_TABLE)
    return _SPACE.sub("", text.casefold())


def apply_names(frame: pd.DataFrame, columns: list[str], names: dict[str, str]) -> pd.DataFrame:
    """A copy of `frame` with each group column's spellings replaced as `names` says
    (spelling -> the group's name, compared after trimming spaces at either end)."""
    if not names:
        return frame
    lookup = {str(k).strip(): str(v).strip() for k, v in names.items()}
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            values = out[column]
            mapping = {u: lookup.get(str(u).strip(), u) for u in pd.unique(values.dropna())}
            out[column] = values.map(mapping).astype(values.dtype)
    return out


def problems(frame: pd.DataFrame, columns: dict[str, str], file: str, names: dict[str, str] | None = None) -> list[Problem]:
    """An error for each group column holding two spellings of what reads as one name.

    `columns` maps group type (team, locality, role) to the export's heading; `names` is
    survey.yml's `group_names`: a spelling mapped to itself is kept apart on purpose. Each
    problem names both spellings, the rows where each first appears and the lines to add.
    """
    kept = {str(k).strip() for k, v in (names or {}).items() if str(k).strip() == str(v).strip()}
    out = []
    for kind, heading in columns.items():
        if heading not in frame.columns:
            continue
        series = frame[heading].dropna().astype(str).str.strip()
        series = series[series != ""]
        by_skeleton: dict[str, list[str]] = {}
        for value in pd.unique(series):
            by_skeleton.setdefault(skeleton(value), []).append(value)
        for spellings in by_skeleton.values():
            spellings = [s for s in spellings if s not in kept] if len(kept) else spellings
            if len(spellings) < 2:
                continue
            rows = {s: [int(r) for r in series.index[series == s][:3]] for s in spellings}
            listed = "; ".join(
                f"{_shown(s)} (row {', '.join(map(str, rows[s]))}{', ...' if _more(series, s) else ''})" for s in spellings
            )
            first, second = spellings[0], spellings[1]
            expected = (
                f"one spelling of each {kind}: these read as one name but differ in case, spacing or look-alike letters "
                f"({listed}). Say which it is in survey.yml under `group_names:` -- `{_yaml(second)}: {_yaml(first)}` "
                f"counts them as one {kind}; `{_yaml(second)}: {_yaml(second)}` keeps them apart"
            )
            out.append(Problem(file, rows[second][0], heading, second, expected))
    return out


def _more(series: pd.Series, value: str) -> bool:
    return int((series == value).sum()) > 3


def _shown(value: str) -> str:
    """A spelling with its non-Latin look-alike letters named, so the difference can be seen."""
    odd = [ch for ch in value if ord(ch) > 0x7F and ch in _TABLE_KEYS]
    names = ", ".join(f"{ch} is {unicodedata.name(ch, '').title()}" for ch in dict.fromkeys(odd))
    return f"'{value}'" + (f" [{names}]" if names else "")


def _yaml(value: str) -> str:
    """A spelling quoted for a YAML line."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TABLE_KEYS = frozenset(chr(k) for k in _TABLE)
