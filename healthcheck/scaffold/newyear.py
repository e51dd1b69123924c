"""The analyst's year-start tools: `new-year` (a new year's folder) and `import` (the export).

Both only ever *create* files in the data folder, with one exception: `import` rewrites the
year's survey.yml, and only while it still holds the placeholder export name that `new-year`
wrote (or when the analyst passes --yes). question_bank.yml is never changed: the lines to add
to it are printed instead, so every edit of the bank is the analyst's own.

`new-year` is here: the templates of a new council's files, last year's facts carried over, and
the narrative files' prompts. `import` is in `importer` (its report in `importreport`, its
heading matching in `headings`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from healthcheck.data.config import (
    BANK_FILE,
    EXPORT_PLACEHOLDER,
    SETTINGS_FILE,
    YEAR_FILE,
    load_bank,
    load_recommendations,
    load_year_meta,
    survey_years,
)
from healthcheck.data.yaml.model import read_yaml
from healthcheck.data.yaml.write import bank_block, create_file, dump, indent_lines
from healthcheck.errors import DataError, YearStartError, data_dir_option, display_path

QUOTES_HEADER = "theme,quote,speaker,illustrative,source\n"
WORDS_HEADER = "word,count,source\n"
# The facts new-year carries over from last year, for the analyst to overwrite.
CARRIED_FACTS = {
    "fieldwork": "survey_open and survey_close: the dates the survey opened and closed",
    "workforce": "the number of staff in scope, for the response rate",
    "focus_groups": "how many were held, how many took part, the first and last day",
    "context": "the paragraph about the year shown in the introduction",
    "synthetic": 'what in this year\'s data is synthetic ("" when everything is real)',
    "sources": "where the real facts came from",
    "publication": "owner: who owns the report (kept); date: left empty, for this year's date of publication",
}
INDICATORS_HEADER = "code,label,value,unit,source\n"

# What `new-year` writes for a new council: every value commented, nothing of any council's.
SETTINGS_SKELETON = """\
# Report-wide settings, started by `python -m healthcheck new-year {year}`.
# `python -m healthcheck validate` checks every value; a misspelt key is an error.
organisation: PUT-YOUR-ORGANISATION-NAME-HERE   # on the title page and in the website's page footer
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
publication:         # printed on the PDF's cover
  date: null         # the date the report is published, e.g. {year}-10-01
  owner: ""          # who owns the report and answers for it (a post or a name)
"""


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
    if isinstance(data.get("publication"), dict):
        # Last year's date of publication is never this year's: left empty, so the cover
        # shows none rather than a wrong one until the analyst writes it. The owner is kept.
        data["publication"] = {**data["publication"], "date": None}
    # Keep the usual key order even if last year's file had no `export` near the top.
    ordered = {k: data.pop(k) for k in ("year", "level", "export") if k in data}
    ordered.update(data)
    return _survey_header(year, prev) + dump(ordered)


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
        body = dump(kept).splitlines()
        lines.append("  - " + body[0])
        lines += indent_lines("\n".join(body[1:]), "    ")
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
    """The year to start from (None: the data folder holds no other year yet, a new council)."""
    # A year started by new-year and not imported yet may be started again: missing files are added.
    others = [y for y in survey_years(data_dir) if y != year]
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
    already exists is left as it is and reported. For a year already in the folder (its export
    imported, or none to import) only the narrative files that are missing are added, such as
    the themes' files of a first year started before its themes were written. Refuses
    (YearStartError) a new year that is not after every other year in the folder.
    """
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise YearStartError(f"{display_path(data_dir, data_dir)} is a file, not a data folder. Nothing was created.")
    if year in survey_years(data_dir) and not _started_by_new_year(data_dir, year):
        return _add_missing_narrative(data_dir, year, echo)
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
    templates |= _narrative_templates(data_dir, year, prev)
    if folder.exists() and not folder.is_dir():
        raise YearStartError(f"{display_path(folder, data_dir)} exists but is a file, not a folder: move it aside first.")
    folder.mkdir(parents=True, exist_ok=True)
    created = _create_files(templates, data_dir, echo)
    if not created:
        echo(f"Nothing to do: every file of {year} already exists.")
    else:
        _echo_next_steps(data_dir, year, prev, echo)
    echo("")
    if prev is not None:
        _bank_check(data_dir, year, prev, echo)
    return created


def _create_files(templates: dict[Path, str], data_dir: Path, echo: Callable[[str], None]) -> list[Path]:
    """Create each file that does not exist yet from its template; the files created."""
    created = []
    for path, text in templates.items():
        if path.exists():
            echo(f"Skipped {display_path(path, data_dir)}: it already exists and was left as it is.")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        create_file(path, text)
        created.append(path)
        echo(f"Created {display_path(path, data_dir)}")
    return created


def _add_missing_narrative(data_dir: Path, year: int, echo: Callable[[str], None]) -> list[Path]:
    """new-year on a year already in the folder: only its missing narrative files, from the templates."""
    earlier = [y for y in survey_years(data_dir) if y < year]
    templates = _narrative_templates(data_dir, year, earlier[-1] if earlier else None)
    missing = {path: text for path, text in templates.items() if not path.exists()}
    folder = display_path(data_dir / str(year), data_dir)
    no_themes = _themes_waiting(data_dir, year)
    if not missing:
        echo(f"{year} is already in the data folder ({folder}) and none of its narrative files is missing: nothing was created.")
        if no_themes:
            echo(no_themes.strip())
        return []
    echo(f"{year} is already in the data folder ({folder}): only its missing narrative files are added; no file is changed.")
    created = _create_files(missing, data_dir, echo)
    echo("")
    echo("Next:")
    echo(
        f"  1. Write the findings in the files created, under each heading; numbers are references such as"
        f" {{pct}}`Q01`, never typed (see the comments in each file).{no_themes}"
    )
    echo(f"  2. Check everything:  python -m healthcheck validate --year {year}{data_dir_option(data_dir)}")
    return created


def _themes_waiting(data_dir: Path, year: int) -> str:
    """A sentence on the themes that get no narrative file yet (no statement, or a bank that
    cannot be read), starting with a space; "" when there are none."""
    again = f"python -m healthcheck new-year {year}{data_dir_option(data_dir)}"
    try:
        bank = load_bank(data_dir)
    except DataError:
        return f" {BANK_FILE} cannot be read yet, so no theme's file was added: fix it (validate says how), then run  {again}"
    waiting = [code for code in bank.themes if not bank.theme_questions(code)]
    if not waiting:
        return ""
    return f" The themes with no statement in {BANK_FILE} yet get their file once they have one ({again}): {', '.join(waiting)}."


def _narrative_templates(data_dir: Path, year: int, earlier: int | None) -> dict[Path, str]:
    """The year's narrative files: headings and prompts only, never an earlier year's words.

    `earlier` is the year the examples compare with (None when the data folder has no earlier
    year: then no example refers to one)."""
    from healthcheck.data.narrative import files as md

    try:
        bank = load_bank(data_dir)
        themes = {code: theme for code, theme in bank.themes.items() if bank.theme_questions(code)}
    except DataError:  # a new council's bank is not written yet: its themes' files come later
        bank, themes = None, {}
    titles = {"summary": "Summary", "introduction": "Introduction", "conclusions": "Conclusions"}
    first = next(iter(themes), None)
    example = (bank.theme_questions(first)[0], first, earlier) if first else ("Q01", "your-theme", earlier)
    out = {}
    for part in md.parts(data_dir, year, themes):
        if part.kind in md.OPTIONAL_KINDS:
            # A foreword or acknowledgements is the council's choice, never a gap to fill: it has
            # no template, and parts() lists it only when the file is already there.
            continue
        if part.theme is None:
            out[part.path] = md.template(part.kind, title=titles[part.kind], example=example)
            continue
        codes = bank.theme_questions(part.theme)
        prompts = [f"{{pct}}`{qid}` {bank.questions[qid].short}" for qid in codes]
        example = (codes[0], part.theme, earlier)
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
    option = data_dir_option(data_dir)
    steps += [
        f'Import the survey export:  python -m healthcheck import --year {year} "path/to/the export.csv"{option}'
        "  (or, for a year known only from published figures, write published.csv and delete `export:`)",
        f"Fill in {year}/quotes.csv, words.csv, indicators.csv and recommendations.yml (each is optional).",
        f"Write the year's findings in {year}/narrative/ (summary, introduction, conclusions, one file per theme);"
        " numbers are references such as {pct}`Q01`, never typed (see the comments in each file).",
        f"Check everything:  python -m healthcheck validate --year {year}{option}",
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
    echo("\n".join(bank_block(missing[0], year, bank.questions[missing[0]].wording[prev])))
    echo(f"The questions asked in {prev}:")
    for qid in missing:
        echo(f"  {qid:<6} {bank.questions[qid].short}")
    echo(f"{BANK_FILE} was not changed.")
