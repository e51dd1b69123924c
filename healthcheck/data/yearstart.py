"""The analyst's year-start tools: `new-year` (a new year's folder) and `import` (the export).

Both only ever *create* files in the data folder, with one exception: `import` rewrites the
year's survey.yml, and only while it still holds the placeholder export name that `new-year`
wrote (or when the analyst passes --yes). question_bank.yml is never changed: the lines to add
to it are printed instead, so every edit of the bank is the analyst's own.

Long because `new-year` and `import` share the YAML-writing helpers and the templates,
and `import_export` is one transaction (checked entirely before anything is written), kept in
one function so its order of checks and writes reads top to bottom.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from healthcheck.data import read
from healthcheck.data.config import (
    BANK_FILE,
    EXPORT_PLACEHOLDER,
    SETTINGS_FILE,
    YEAR_FILE,
    QuestionBank,
    load_bank,
    load_recommendations,
    load_year_meta,
    read_yaml,
    survey_years,
)
from healthcheck.data.texts import clean_frame
from healthcheck.errors import DataError, YearStartError, display_path
from healthcheck.hashing import sha256

ACCEPT = 0.85  # a heading this close to the bank's wording is mapped without asking
CONFIRM = 0.60  # from here up to ACCEPT the mapping is proposed, to be confirmed
QUOTES_HEADER = "theme,quote,speaker,illustrative,source\n"
WORDS_HEADER = "word,count,source\n"
RESPONDENT_ROLES = ("respondent_id", "completed", "team", "locality", "role")
COUNTS_ROLES = ("question", "response", "count", "completed")
# The facts new-year carries over from last year, for the analyst to overwrite.
CARRIED_FACTS = {
    "fieldwork": "survey_open and survey_close: the dates the survey opened and closed",
    "workforce": "the number of staff in scope, for the response rate",
    "focus_groups": "how many were held, how many took part, the first and last day",
    "context": "the paragraph about the year shown in the introduction",
    "synthetic": 'what in this year\'s data is synthetic ("" when everything is real)',
    "sources": "where the real facts came from",
}
_PROSE_KEYS = {"context", "synthetic", "recommendation"}
INDICATORS_HEADER = "code,label,value,unit,source\n"

# What `new-year` writes for a new council: every value commented, nothing of any council's.
SETTINGS_SKELETON = """\
# Report-wide settings, started by `python -m healthcheck new-year {year}`.
# `python -m healthcheck validate` checks every value; a misspelt key is an error.
organisation: PUT-YOUR-ORGANISATION-NAME-HERE   # on the title page and in every page footer
service: Children's Social Care      # the service whose staff were surveyed
report_title: Social Work Health Check
suppression_threshold: 10            # no figure from fewer valid responses than this (10 or more)
caution_threshold: 20                # figures from fewer responses than this carry a caution mark
reconciliation: warn                 # warn | fail: when computed figures differ from published ones
demonstration_notice: ""             # leave empty for a real report
"""

BANK_SKELETON = """\
# The question bank: your themes, and every survey statement with its wording in each year.
# Started by `python -m healthcheck new-year {year}`: replace the example theme with your own.
#
# themes: one entry per theme, in the order of the report's chapters (1 to 15 themes). The code
#   (before the colon) names files and never changes; use lower-case letters, digits, - or _.
#   title      the chapter's title
#   intro      the paragraph that opens the chapter (plain text)
#   highlights optional: statements shown with a heading and a sentence of their own, e.g.
#                highlights:
#                  - heading: Supervision
#                    statements: [Q03]
#                    text: A sentence shown under the heading.
#
# questions: one entry per statement. The code (such as Q01) is yours to choose and never
#   changes. `python -m healthcheck import --year {year} EXPORT` prints an entry for each
#   statement of your export that is not here yet, ready to paste below `questions:`
#   (replace the `{{}}` with them). Each entry looks like this:
#     Q01:
#       theme: example             # the code of its theme
#       short: Regular supervision # a short label for charts and tables
#       wording:
#         {year}: "I receive regular supervision."   # the exact wording in each year asked
#       comparable_from: {next}    # optional: from this year the wording changed too much to compare
themes:
  example:
    title: Replace this with your first theme's title
    intro: Replace this with a sentence or two on what the theme covers.
questions: {{}}
"""

SURVEY_SKELETON = """\
# Health check {year}, started by `python -m healthcheck new-year {year}`.
# `python -m healthcheck validate --year {year}` says what is still missing.
year: {year}
# The survey tool's export: python -m healthcheck import --year {year} "path/to/the export.csv"
# copies it here and fills in level, export, columns, ignore and questions. A year known only
# from published percentages has no export: delete the `export:` line and write published.csv
# (question_id,pct_positive,n,source; n is the figure's base where it is known).
export: {placeholder}
fieldwork: null      # the dates the survey was open, e.g. {{survey_open: {year}-05-01, survey_close: {year}-05-31}}
workforce: null      # staff in scope, for the response rate
focus_groups: null   # e.g. {{held: 6, participants: 40, first: {year}-06-03, last: {year}-06-28}}; null when none
context: ""          # a paragraph on the year, shown in the introduction (plain text)
synthetic: ""        # what in this year's data is synthetic ("" when everything is real)
sources: []          # where any published facts came from
"""


# --- YAML that stays readable -------------------------------------------------------------


class _Folded(str):
    """A long paragraph, written in YAML's folded style (`>-`) like the hand-written files."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as in the hand-written files.
        return super().increase_indent(flow, False)


def _represent_folded(dumper, value):
    plain = "\n" in value or "  " in value or value != value.strip() or len(value) < 80
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=None if plain else ">")


_Dumper.add_representer(_Folded, _represent_folded)


def _fold_prose(value):
    """Mark long prose values (context, recommendation, ...) for the folded style, recursively."""
    if isinstance(value, dict):
        return {k: (_Folded(v) if k in _PROSE_KEYS and isinstance(v, str) else _fold_prose(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fold_prose(v) for v in value]
    return value


def _dump(data) -> str:
    return yaml.dump(_fold_prose(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line if line else line for line in text.splitlines()]


def _create(path: Path, text: str) -> None:
    """Write a new file; fails rather than replace one that appeared meanwhile."""
    with open(path, "x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _replace(path: Path, text: str) -> None:
    """Replace a file's text in one step, so that an interruption leaves the old file whole."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); the replaced file keeps the mode it had.
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def yaml_line(year: int, text: str, indent: int = 6) -> str:
    """The exact line to add under a question's `wording:` in question_bank.yml."""
    # A JSON string is a valid YAML double-quoted scalar: quotes, colons and # are all safe.
    return f"{' ' * indent}{year}: {json.dumps(text, ensure_ascii=False)}"


def _bank_block(code: str, year: int, text: str) -> list[str]:
    return [f"  {code}:", "    wording:", yaml_line(year, text)]


# --- new-year -----------------------------------------------------------------------------


def _survey_header(year: int, prev: int) -> str:
    lines = [
        f"# Health check {year}: started by `python -m healthcheck new-year {year}` from {prev}/{YEAR_FILE}.",
        "#",
        f"# CHECK AND OVERWRITE: until you change them, these values are {prev}'s, not {year}'s:",
        *(f"#   {key:<13} {what}" for key, what in CARRIED_FACTS.items()),
        "# `python -m healthcheck import` fills in export, columns, ignore and questions:",
        f'#   python -m healthcheck import --year {year} "path/to/the export.csv"',
        f"# Until then `export` is a placeholder and `questions` is {prev}'s mapping.",
    ]
    return "\n".join(lines) + "\n"


def _survey_text(raw: dict, year: int, prev: int) -> str:
    data = dict(raw)
    data["year"] = year
    data["export"] = EXPORT_PLACEHOLDER
    # Keep the usual key order even if last year's file had no `export` near the top.
    ordered = {k: data.pop(k) for k in ("year", "level", "export") if k in data}
    ordered.update(data)
    return _survey_header(year, prev) + _dump(ordered)


def _recommendations_text(previous: list, year: int, prev: int | None) -> str:
    earlier = prev if prev is not None else "last year"
    lines = [
        f"# Recommendations {year}: started by `python -m healthcheck new-year {year}`.",
        "#",
        f"# previous: {earlier}'s recommendations, carried forward. For each one, list what was done",
        "#   under `actions` and set `status` to complete, in progress or not started.",
        f"#   The actions planned in {earlier} are shown as comments to help.",
        f"# current: {year}'s recommendations, each like this:",
        f"#   - id: R{year}-1",
        "#     theme: practice        (a theme code from question_bank.yml)",
        "#     recommendation: ...",
        "#     planned_actions:",
        "#       - ...",
    ]
    if not previous:
        lines.append("previous: []")
    else:
        lines.append("previous:")
    for item in previous:
        kept = {k: item[k] for k in ("id", "theme", "recommendation") if k in item}
        body = _dump(kept).splitlines()
        lines.append("  - " + body[0])
        lines += _indent("\n".join(body[1:]), "    ")
        planned = item.get("planned_actions") or []
        if planned:
            lines.append(f"    # planned in {prev}:")
            lines += [f"    #   - {' '.join(str(a).split())}" for a in planned]
        lines += ["    actions: []", "    status: not started"]
    lines.append("current: []")
    return "\n".join(lines) + "\n"


def _started_by_new_year(data_dir: Path, year: int) -> bool:
    """Whether data/<year>/survey.yml still has the placeholder export, i.e. no export is imported yet."""
    try:
        raw = read_yaml(data_dir / str(year) / YEAR_FILE, data_dir)
    except DataError:
        return False
    return isinstance(raw, dict) and raw.get("export") == EXPORT_PLACEHOLDER


def _previous_year(data_dir: Path, year: int) -> int | None:
    """The year to start from (None: the data folder holds no year yet, a new council)."""
    years = survey_years(data_dir)
    if year in years and not _started_by_new_year(data_dir, year):
        survey = display_path(data_dir / str(year) / YEAR_FILE, data_dir)
        raise YearStartError(
            f"Refusing to start {year}: it already exists ({survey} names its export), and a new year must come"
            f" after every year already in the data folder. Nothing was created."
        )
    # A year started by new-year and not imported yet may be started again: missing files are added.
    others = [y for y in years if y != year]
    if not others:
        return None
    if others[-1] >= year:
        raise YearStartError(
            f"Refusing to start {year}: a new year must come after every year already in the data folder,"
            f" and the latest there is {others[-1]}. Nothing was created."
        )
    return others[-1]


def new_year(data_dir: Path, year: int, echo: Callable[[str], None] = print) -> list[Path]:
    """Create data/<year>/ (and, for a new council, the data folder's own files); return the files created.

    From the latest earlier year when there is one: its facts are carried over for the analyst
    to overwrite. From nothing (an empty or missing data folder): commented skeletons of
    settings.yml, question_bank.yml and the year's files. Never overwrites: each file that
    already exists is left as it is and reported. Refuses (YearStartError) when `year` is not
    after every other year in the folder.
    """
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise YearStartError(f"{display_path(data_dir, data_dir)} is a file, not a data folder. Nothing was created.")
    prev = _previous_year(data_dir, year) if data_dir.is_dir() else None
    templates: dict[Path, str] = {}
    if prev is None:
        templates[data_dir / SETTINGS_FILE] = SETTINGS_SKELETON.format(year=year)
        templates[data_dir / BANK_FILE] = BANK_SKELETON.format(year=year, next=year + 1)
        survey_text = SURVEY_SKELETON.format(year=year, placeholder=EXPORT_PLACEHOLDER)
        previous_recs: list = []
    else:
        load_year_meta(data_dir, prev)  # a broken survey.yml is reported before anything is created
        survey_text = _survey_text(read_yaml(data_dir / str(prev) / YEAR_FILE, data_dir), year, prev)
        recs = load_recommendations(data_dir, prev)
        previous_recs = [r for r in (recs.get("current") or []) if isinstance(r, dict)]
    folder = data_dir / str(year)
    templates[folder / YEAR_FILE] = survey_text
    templates[folder / "quotes.csv"] = QUOTES_HEADER
    templates[folder / "words.csv"] = WORDS_HEADER
    templates[folder / "indicators.csv"] = INDICATORS_HEADER
    templates[folder / "recommendations.yml"] = _recommendations_text(previous_recs, year, prev)
    templates |= _narrative_templates(data_dir, year)
    if folder.exists() and not folder.is_dir():
        raise YearStartError(f"{display_path(folder, data_dir)} exists but is a file, not a folder: move it aside first.")
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for path, text in templates.items():
        if path.exists():
            echo(f"Skipped {display_path(path, data_dir)}: it already exists and was left as it is.")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, text)
        created.append(path)
        echo(f"Created {display_path(path, data_dir)}")
    if not created:
        echo(f"Nothing to do: every file of {year} already exists.")
    else:
        _echo_next_steps(data_dir, year, prev, echo)
    echo("")
    if prev is not None:
        _bank_check(data_dir, year, prev, echo)
    return created


def _narrative_templates(data_dir: Path, year: int) -> dict[Path, str]:
    """The year's narrative files: headings and prompts only, never an earlier year's words."""
    from healthcheck.data import narrative as md

    try:
        bank = load_bank(data_dir)
        themes = {code: theme for code, theme in bank.themes.items() if bank.theme_questions(code)}
    except DataError:  # a new council's bank is not written yet: its themes' files come later
        bank, themes = None, {}
    titles = {"summary": "Summary", "introduction": "Introduction", "conclusions": "Conclusions"}
    first = next(iter(themes), None)
    example = (bank.theme_questions(first)[0], first, year - 1) if first else ("Q01", "your-theme", year - 1)
    out = {}
    for part in md.parts(data_dir, year, themes):
        if part.theme is None:
            out[part.path] = md.template(part.kind, title=titles[part.kind], example=example)
            continue
        codes = bank.theme_questions(part.theme)
        prompts = [f"{{pct}}`{qid}` {bank.questions[qid].short}" for qid in codes]
        example = (codes[0], part.theme, year - 1)
        out[part.path] = md.template("theme", title=themes[part.theme].title, prompts=prompts, example=example)
    return out


def _echo_next_steps(data_dir: Path, year: int, prev: int | None, echo: Callable[[str], None]) -> None:
    survey = display_path(data_dir / str(year) / YEAR_FILE, data_dir)
    echo("")
    echo("Next:")
    steps = []
    if prev is None:
        steps += [
            f"Open {display_path(data_dir / SETTINGS_FILE, data_dir)} and give your organisation's name and settings.",
            f"Open {display_path(data_dir / BANK_FILE, data_dir)} and write your themes (the import below prints your"
            " statements ready to paste under `questions:`).",
            f"Open {survey} and fill in the year's facts (its comments say what each one is).",
        ]
    else:
        steps.append(f"Open {survey} and overwrite {prev}'s facts (the comments at its top list them).")
    steps += [
        f'Import the survey export:  python -m healthcheck import --year {year} "path/to/the export.csv"'
        "  (or, for a year known only from published figures, write published.csv and delete `export:`)",
        f"Fill in {year}/quotes.csv, words.csv, indicators.csv and recommendations.yml (each is optional).",
        f"Write the year's findings in {year}/narrative/ (summary, introduction, conclusions, one file per theme);"
        " numbers are references such as {pct}`Q01`, never typed (see the comments in each file).",
        f"Check everything:  python -m healthcheck validate --year {year}",
    ]
    for number, step in enumerate(steps, start=1):
        echo(f"  {number}. {step}")


def _bank_check(data_dir: Path, year: int, prev: int, echo: Callable[[str], None]) -> None:
    try:
        bank = load_bank(data_dir)
    except DataError as exc:
        echo(f"{BANK_FILE} could not be read, so the questions of {prev} are not listed:\n{exc.report()}")
        return
    asked = bank.asked_in(prev)
    missing = [q for q in asked if year not in bank.questions[q].wording]
    if not missing:
        echo(f"{BANK_FILE} already has {year} wording for every question asked in {prev}.")
        return
    echo(
        textwrap.fill(
            f"Question bank: {len(missing)} question(s) asked in {prev} have no {year} wording in {BANK_FILE}."
            f" For each one asked again in {year}, add a `{year}:` line under its `wording:` with the question"
            f" exactly as worded in {year}. The import command prints these lines from the export's own headings;"
            f" if the wording is unchanged the line is {prev}'s text, for example:",
            width=100,
        )
    )
    echo("\n".join(_bank_block(missing[0], year, bank.questions[missing[0]].wording[prev])))
    echo(f"The questions asked in {prev}:")
    for qid in missing:
        echo(f"  {qid:<6} {bank.questions[qid].short}")
    echo(f"{BANK_FILE} was not changed.")


# --- import -------------------------------------------------------------------------------


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


@dataclass
class ImportReport:
    """What `import_export` did and what the analyst should check."""

    year: int
    export: Path
    copied: bool
    level: str
    columns: dict[str, Match] = field(default_factory=dict)  # role -> heading found
    matched: list[Match] = field(default_factory=list)
    confirm: list[Match] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, short) asked last year, no column now
    missing_roles: list[str] = field(default_factory=list)
    bank_lines: list[tuple[Match, str]] = field(default_factory=list)  # (match, how the wording changed)
    previous_year: int | None = None
    survey_file: str = ""
    export_file: str = ""
    role_candidates: dict[str, list[str]] = field(default_factory=dict)  # role -> headings to confirm
    new_questions: list[Match] = field(default_factory=list)  # unmatched statements, with proposed codes

    @property
    def mapping(self) -> dict[str, str]:
        """heading -> code, as written to survey.yml (confirmed, to-confirm and new alike)."""
        return {m.heading: m.code for m in self.matched + self.confirm + self.new_questions}

    def text(self) -> str:
        """The report printed by `python -m healthcheck import`."""
        y, prev = self.year, self.previous_year
        out = [
            f"Export for {y}: {self.export_file}",
            "  copied byte-for-byte (the original was not changed)"
            if self.copied
            else "  already in place, identical to the file given (not copied again)",
            f"  proposed mapping written to {self.survey_file} (export, columns, ignore, questions)",
            "",
            "Columns recognised:",
        ]
        for role, m in self.columns.items():
            note = "" if m.score == 1.0 else f"  (score {m.score:.2f}; was '{m.bank_wording}': please confirm)"
            out.append(f"  {role:<14} {m.heading!r}{note}")
        for role in self.missing_roles:
            out.append(f"  {role:<14} NOT FOUND: set columns.{role} in {self.survey_file} to its heading")
        for role, candidates in self.role_candidates.items():
            listed = " or ".join(repr(h) for h in candidates)
            out.append(f"  {role:<14} PLEASE CONFIRM: perhaps {listed}; if so, set columns.{role} in {self.survey_file}")
        out += ["", f"Matched ({len(self.matched)}): heading -> question code, score"]
        out += [f"  {m.score:.2f}  {m.code:<6} {_short(m.heading)}" for m in self.matched]
        if self.confirm:
            out += [
                "",
                f"PLEASE CONFIRM ({len(self.confirm)}): the proposed code is written to {self.survey_file} with a comment;"
                " change it there if it is wrong",
            ]
            for m in self.confirm:
                out.append(f"  {m.score:.2f}  {m.code:<6} {m.heading!r}")
                out.append(f"              bank {m.bank_year}: {m.bank_wording!r}")
        if self.new_questions:
            out += [
                "",
                f"NEW STATEMENTS ({len(self.new_questions)}): no question of {BANK_FILE} is close, so each got a new code,"
                f" already mapped in {self.survey_file}. Paste these entries under `questions:` in {BANK_FILE}, and"
                " write each one's theme and short label (or, if a heading is not a statement, move it to `ignore:`):",
            ]
            for m in self.new_questions:
                out += [f"  {m.code}:", "    theme: PUT-A-THEME-CODE-HERE", f"    short: {json.dumps(_short(m.heading, 60))}"]
                out += ["    wording:", yaml_line(self.year, m.heading)]
        if self.ignored:
            out += [
                "",
                f"Ignored ({len(self.ignored)}): listed under `ignore:` (ignored last year, or not worded like a question);"
                " if one is a question, map it under `questions:` instead",
            ]
            out += [f"  {h!r}" for h in self.ignored]
        if self.missing:
            out += ["", f"Asked in {prev} but no column in this export ({len(self.missing)}): check the export is complete"]
            out += [f"  {code:<6} {short}" for code, short in self.missing]
        if self.bank_lines:
            out += [
                "",
                f"ADD TO {BANK_FILE} ({len(self.bank_lines)} question(s); this command did not change it)."
                " Put each line under that question's `wording:`:",
            ]
            for m, how in self.bank_lines:
                block = _bank_block(m.code, y, m.heading)
                out += [f"{block[0]}    # {how}", *block[1:]]
            changed = [m.code for m, how in self.bank_lines if how.startswith("wording changed")]
            if changed:
                out += [
                    "",
                    f"The wording changed for {', '.join(changed)}. If the change is big enough that {y} must not be"
                    f" compared with earlier years, also add `comparable_from: {y}` to that question.",
                ]
        out += ["", f"Next: python -m healthcheck validate --year {y}"]
        return "\n".join(out)


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _best(name: str, candidates: list[str]) -> tuple[str | None, float]:
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


def _looks_like_question(heading: str) -> bool:
    """A sentence (several words or ending like one) rather than a field name such as 'Browser'."""
    return len(heading.split()) > 4 or heading.rstrip().endswith((".", "?", "!"))


def _role_names(metas: list[dict], roles: tuple[str, ...]) -> dict[str, list[str]]:
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
    "respondent_id": ["Response ID", "Respondent ID", "Respondent", "ID", "Response number", "Respondent number"],
    "completed": ["Completed", "Completion time", "End time", "End date", "Date submitted", "Submitted", "Completed at"],
    "team": ["Team", "Team name"],
    "locality": ["Locality", "Locality name"],
    "role": ["Role", "Job role", "Job title"],
    "question": ["Question", "Statement", "Question text"],
    "response": ["Response", "Answer", "Response option"],
    "count": ["Count", "Number of responses", "Responses"],
}


def _values_fit(role: str, values: pd.Series) -> bool:
    """Whether a column's values look like the role's: unique ids, dates, whole numbers, group names."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty:
        return False
    if role == "respondent_id":
        return len(filled) == len(text) and filled.is_unique
    if role == "completed":
        dates = pd.to_datetime(filled, errors="coerce", format="mixed", dayfirst=True)
        return dates.notna().mean() >= 0.9
    if role == "count":
        return filled.str.fullmatch(r"\d+").all()
    if role in ("team", "locality", "role"):
        return filled.nunique() <= max(1, len(filled) // 2) and not _values_fit("completed", filled)
    return True


def _find_roles(frame: pd.DataFrame, names: dict[str, list[str]], roles) -> tuple[dict[str, Match], dict[str, list[str]]]:
    """The headings taken for each role, and for the roles not taken, the candidates to confirm.

    A heading is taken only when its name is a known name of the role (normalised text equal)
    and its values fit; close names, or names whose values do not fit, become candidates.
    """
    found: dict[str, Match] = {}
    free = [str(h) for h in frame.columns]
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
            close += [h for h in free if not _looks_like_question(h) and _values_fit(role, frame[h])]
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


def _new_code(bank: QuestionBank, taken: set[str]) -> str:
    """The next free question code, numbered like the bank's own codes (Q01, Q02, ... by default)."""
    prefix, width = "Q", 2
    codes = [c for c in bank.questions if re.fullmatch(r"[A-Za-z]+\d+", c)]
    if codes:
        last = codes[-1]
        prefix, digits = re.fullmatch(r"([A-Za-z]+)(\d+)", last).groups()
        width = len(digits)
    number = 1
    while f"{prefix}{number:0{width}d}" in taken:
        number += 1
    return f"{prefix}{number:0{width}d}"


def _copy_new(source: Path, dest: Path) -> None:
    """Copy byte-for-byte into a file that must not exist yet, and check the copy."""
    try:
        with open(source, "rb") as src, open(dest, "xb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                dst.write(block)
        if sha256(dest) != sha256(source):
            raise OSError("the copy differs from the original")
    except FileExistsError:
        raise
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """key -> (first line, end line) of each top-level key's block; comments before a key stay outside."""
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))]
    blocks = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > i + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        blocks[key] = (i, end)
    return blocks


def _set_blocks(text: str, new: dict[str, str]) -> str:
    """Replace (or add, after the previous one) the blocks of some top-level keys, leaving every other line."""
    lines = text.splitlines()
    order = list(new)
    for n, key in enumerate(order):
        blocks = _blocks(lines)
        block = new[key].rstrip("\n").splitlines()
        if key in blocks:
            start, end = blocks[key]
            lines[start:end] = block
        else:
            after = [blocks[k][1] for k in reversed(["year", *order[:n]]) if k in blocks]
            at = after[0] if after else len(lines)
            lines[at:at] = block
    return "\n".join(lines) + "\n"


def _questions_block(confirmed: list[Match], confirm: list[Match], new: list[Match], items: list[str]) -> str:
    if not (confirmed or confirm or new):
        return "questions: {}\n"
    lines = ["questions:"]
    by_heading = {m.heading: m for m in confirmed + confirm + new}
    for heading in items:
        m = by_heading.get(heading)
        if m is None:
            continue
        if m in new:
            lines.append(f"  # NEW STATEMENT: add {m.code} to {BANK_FILE} (the import printed its entry)")
        elif m.score < ACCEPT:
            lines.append(
                f"  # PLEASE CONFIRM ({m.score:.2f}): closest to {m.code}'s {m.bank_year} wording"
                f" {json.dumps(m.bank_wording, ensure_ascii=False)}"
            )
        lines += _indent(_dump({m.heading: m.code}), "  ")
    return "\n".join(lines) + "\n"


def import_export(data_dir: Path, year: int, path: Path, yes: bool = False) -> ImportReport:
    """Copy a raw export into data/<year>/ and write the proposed heading -> code mapping to survey.yml.

    Refuses (YearStartError, nothing written) when data/<year>/survey.yml is missing, when it
    already names an export and `yes` is false, or when a different file of the same name is
    already in data/<year>/. The bank is read, never written.
    """
    data_dir, source = Path(data_dir), Path(path)
    folder = data_dir / str(year)
    survey_path = folder / YEAR_FILE
    survey_shown = display_path(survey_path, data_dir)
    if not survey_path.is_file():
        raise YearStartError(f"There is no {survey_shown}: start the year first with  python -m healthcheck new-year {year}")
    raw = read_yaml(survey_path, data_dir)
    if not isinstance(raw, dict):
        raise YearStartError(f"{survey_shown} is not a YAML mapping of keys to values; fix it or start the year again.")
    current_export = raw.get("export")
    if current_export != EXPORT_PLACEHOLDER and not yes:
        raise YearStartError(
            f"{survey_shown} already names an export ({current_export!r}), so its mapping may hold your corrections."
            f" Nothing was changed. To replace its export, columns, ignore and questions, run the command again with --yes."
        )
    frame = _read_source(source, raw, survey_shown)

    dest = folder / source.name
    export_shown = display_path(dest, data_dir)
    copy_needed = True
    if dest.exists():
        if dest.is_file() and sha256(dest) == sha256(source):
            copy_needed = False
        else:
            raise YearStartError(
                f"{export_shown} already exists and is a different file from {source}. Nothing was changed:"
                f" if the new file is the right one, give it another name (or move the old one away yourself)."
            )

    bank = load_bank(data_dir)
    prev_years = [y for y in survey_years(data_dir) if y < year]
    prev = prev_years[-1] if prev_years else None
    metas = [raw]
    if prev is not None:
        load_year_meta(data_dir, prev)
        metas.append(read_yaml(data_dir / str(prev) / YEAR_FILE, data_dir))
    # The export's shape decides the level, not last year's survey.yml (see docs/data-format.md).
    level = guess_level(frame)
    roles = COUNTS_ROLES if level == "counts" else RESPONDENT_ROLES
    headings = [str(h) for h in frame.columns]
    found, role_candidates = _find_roles(frame, _role_names(metas, roles), roles)
    columns = {r: found[r] for r in roles if r in found}
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
        items = [h for h in headings if h not in role_headings]
        accepted, confirm, unmatched = propose_mapping(items, bank, year)
        others = list(unmatched)
        unmatched = []
        ignored = []
    # Headings left over: ignored last year, or not a question at all -> ignore; else unmatched.
    # A candidate for a role the analyst must confirm is neither: it stays out of both lists.
    ignored_before = [str(h) for m in metas for h in (m.get("ignore") or [])]
    to_confirm = {h for c in role_candidates.values() for h in c}
    for heading in others:
        _, score = _best(heading, ignored_before)
        if heading in to_confirm and not _looks_like_question(heading):
            continue
        if score >= ACCEPT or not _looks_like_question(heading):
            ignored.append(heading)
        else:
            unmatched.append(heading)

    report = ImportReport(
        year=year,
        export=dest,
        copied=copy_needed,
        level=level,
        columns=columns,
        matched=accepted,
        confirm=confirm,
        unmatched=unmatched,
        ignored=ignored,
        previous_year=prev,
        survey_file=survey_shown,
        export_file=export_shown,
        role_candidates=role_candidates,
    )
    # Statements no bank question matches: each gets a new code, mapped in survey.yml, and an
    # entry printed for the analyst to paste into the bank (with its theme filled in).
    taken = set(bank.questions)
    for heading in unmatched:
        code = _new_code(bank, taken)
        taken.add(code)
        report.new_questions.append(Match(heading, code, 0.0))

    mapped = {m.code for m in accepted + confirm}
    if prev is not None:
        report.missing = [(q, bank.questions[q].short) for q in bank.asked_in(prev) if q not in mapped]
    report.missing_roles = [r for r in roles if r not in columns and r not in role_candidates and r in _role_names(metas, roles)]
    for m in accepted + confirm:
        wording = bank.questions[m.code].wording
        if wording.get(year) == m.heading:
            continue
        if year in wording:
            how = f"the bank's {year} wording differs from the heading: replace it"
        elif m.bank_wording == m.heading:
            how = f"same wording as {m.bank_year}"
        elif normalise_text(m.bank_wording) == normalise_text(m.heading):
            how = f"punctuation, spacing or capitals changed since {m.bank_year}"
        else:
            how = f"wording changed since {m.bank_year} (score {m.score:.2f})"
        report.bank_lines.append((m, how))
    bank_order = {q: i for i, q in enumerate(bank.questions)}
    report.bank_lines.sort(key=lambda pair: bank_order[pair[0].code])

    # Everything is checked: now write. The export first, so survey.yml never names a missing file.
    new_columns = {role: columns[role].heading for role in roles if role in columns}
    # Keep columns not recognised this time (e.g. a role missing from the export) so validate names them.
    old_columns = raw.get("columns") if isinstance(raw.get("columns"), dict) else {}
    for role, name in old_columns.items():
        if role not in role_candidates:  # a role to confirm is the analyst's to set
            new_columns.setdefault(role, name)
    new_columns = {r: new_columns[r] for r in (*roles, *old_columns) if r in new_columns}
    confirm_lines = [
        f"  # PLEASE CONFIRM columns.{role}: perhaps {' or '.join(json.dumps(h, ensure_ascii=False) for h in found_)}"
        for role, found_ in role_candidates.items()
    ]
    columns_block = _dump({"columns": new_columns}) if new_columns else "columns: {}\n"
    if confirm_lines and new_columns:
        head, _, rest = columns_block.partition("\n")
        columns_block = "\n".join([head, *confirm_lines, rest])
    elif confirm_lines:
        columns_block = "columns:\n" + "\n".join(confirm_lines) + "\n  {}\n"
    blocks = {
        "level": _dump({"level": level}),
        "export": _dump({"export": dest.name}),
        "columns": columns_block,
        "ignore": _dump({"ignore": ignored}),
        "questions": _questions_block(accepted, confirm, report.new_questions, items),
    }
    old_text = survey_path.read_text(encoding="utf-8")
    new_text = _set_blocks(old_text, blocks)
    expected = dict(raw)
    expected.update(export=dest.name, level=level, columns=new_columns, ignore=ignored, questions=report.mapping)
    try:
        ok = yaml.safe_load(new_text) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        # The file's layout was unusual: keep its leading comments and write the keys afresh.
        header = "".join(line for line in old_text.splitlines(keepends=True)[: _header_length(old_text)])
        new_text = header + _dump(expected)
    if copy_needed:
        _copy_new(source, dest)
    _replace(survey_path, new_text)
    return report


def _read_source(source: Path, raw: dict, survey_shown: str) -> pd.DataFrame:
    """The export to import, read as survey.yml's `sheet` and `header_row` say (when the analyst
    has set them after a first attempt), with its text cleaned; YearStartError when it cannot be."""
    if source.is_dir():
        raise YearStartError(f"{source} is a folder: give the export file itself.")
    if not source.exists():
        raise YearStartError(f"There is no file {source}.")
    sheet, header_row = raw.get("sheet"), raw.get("header_row", 1)
    try:
        result = read.read_table(source, sheet=sheet, header_row=header_row)
    except read.ReadError as exc:
        hint = "" if "survey.yml" not in exc.message else f" ({survey_shown} is the survey.yml meant: then run import again)"
        raise YearStartError(f"The export {source} cannot be imported: {exc.message}{hint}. Nothing was changed.") from None
    if result.frame.empty and not len(result.frame.columns):
        raise YearStartError(f"The export {source} is empty: expected a heading row and rows of answers.")
    frame, _ = clean_frame(result.frame, result.header_row)
    return frame


def _header_length(text: str) -> int:
    n = 0
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            n += 1
        else:
            break
    return n
