"""`import`: a survey tool's export copied into the year's folder, and survey.yml's mapping proposed.

`import_export` is one transaction: every check comes before the first write. The export is
copied byte for byte (never over a different file), then survey.yml's `level`, `export`,
`columns`, `ignore` and `questions` are rewritten in one step, every other line kept; only
while survey.yml still holds the placeholder export name `new-year` wrote (or with --yes).
question_bank.yml is read, never written: the report (`importreport`) prints the lines to add.
How headings are matched to the bank and to the column roles is `headings`'s.

Long because `import_export` is that transaction read top to bottom: the checks (the file, its
tool, the scale, last year's choices) then the two writes; split, the order that keeps every
check before the first write would be spread across functions and easy to break.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from healthcheck.data import scales
from healthcheck.data.config import (
    EXPORT_PLACEHOLDER,
    YEAR_FILE,
    QuestionBank,
    load_bank,
    load_year_meta,
    survey_years,
)
from healthcheck.data.files import BANK_FILE
from healthcheck.data.inputs import clean_frame
from healthcheck.data.tables import read, surveytools
from healthcheck.data.yaml.model import read_yaml
from healthcheck.data.yaml.write import dump, header_length, indent_lines, replace_file, set_blocks
from healthcheck.errors import YearStartError, data_dir_option, display_path, environment_message
from healthcheck.hashing import sha256
from healthcheck.scaffold import propose as importpropose
from healthcheck.scaffold.headings import (
    ACCEPT,
    COUNTS_ROLES,
    RESPONDENT_ROLES,
    Match,
    find_roles,
    free_text,
    guess_level,
    is_personal,
    normalise_text,
    role_names,
)
from healthcheck.scaffold.report import ImportReport


def import_export(data_dir: Path, year: int, path: Path, yes: bool = False) -> ImportReport:
    """Copy a raw export into data/<year>/ and write the proposed heading -> code mapping to survey.yml.

    Refuses (YearStartError, nothing written) when data/<year>/survey.yml is missing, when it
    already names an export and `yes` is false, or when a different file of the same name is
    already in data/<year>/. The bank is read, never written.
    """
    data_dir, source = Path(data_dir), Path(path)
    _check_source(source)  # a mistyped file name is said first, whatever survey.yml holds
    folder = data_dir / str(year)
    survey_path = folder / YEAR_FILE
    survey_shown = display_path(survey_path, data_dir)
    raw = _survey_to_rewrite(survey_path, survey_shown, year, yes, data_dir)
    frame, tool, heading_rows = _read_source(source, raw, survey_shown)
    dest = folder / source.name
    export_shown = display_path(dest, data_dir)
    copy_needed = _copy_needed(source, dest, export_shown)
    _check_no_unused_copy(folder, raw, dest, data_dir)
    bank, (prev, metas) = load_bank(data_dir), _previous(data_dir, year, raw)
    # The export's shape decides the level, not last year's survey.yml (see docs/data-format.md).
    level = guess_level(frame)
    roles = COUNTS_ROLES if level == "counts" else RESPONDENT_ROLES
    found, role_candidates = find_roles(frame, role_names(metas, roles), roles)
    columns = {r: found[r] for r in roles if r in found}
    items, accepted, confirm, unmatched, ignored = importpropose.sort_headings(
        frame, level, columns, role_candidates, bank, year, metas, survey_shown, tool
    )
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
        personal=[h for h in ignored if is_personal(h)],
        free_text=[
            h
            for h in ignored
            if not is_personal(h) and level != "counts" and (free_text(frame[h]) or importpropose.open_question(h, frame[h]))
        ],
        data_dir_option=data_dir_option(data_dir),
        tool=tool.key,
        tool_text=surveytools.describe(tool, heading_rows),
        technical=[h for h in ignored if importpropose.technical(h, tool)],
    )
    _propose(report, bank, unmatched, frame, raw, source, tool, heading_rows)
    mapped = {m.code for m in report.matched + report.confirm + report.reworded}
    if prev is not None:
        report.missing = [(q, bank.questions[q].short) for q in bank.asked_in(prev) if q not in mapped]
    report.missing_roles = _missing_roles(roles, columns, role_candidates, role_names(metas, roles), tool)
    report.bank_lines = _bank_lines(bank, year, accepted + confirm + report.reworded, report.reworded)
    # Everything is checked: now write. The export first, so survey.yml never names a missing file.
    new_text = _new_survey_text(survey_path, raw, report, roles, items, set(frame.columns))
    if copy_needed:
        _copy_new(source, dest)
    replace_file(survey_path, new_text)
    return report


def _missing_roles(roles, columns, candidates, named, tool: surveytools.Tool) -> list[str]:
    """Roles last year's survey.yml named that this export has no column for (not even one to
    confirm); never the respondent id of a tool that exports none (Google Forms)."""
    return [
        r for r in roles
        if r not in columns and r not in candidates and r in named and (r != "respondent_id" or tool.has_id)
    ]  # fmt: skip


def _propose(report: ImportReport, bank, unmatched, frame, raw, source, tool, heading_rows) -> None:
    """Rewordings, new statements and the answer scale added to the report; YearStartError (before
    anything is written) when no column of the export could be mapped at all."""
    mapped = {m.code for m in report.matched + report.confirm}
    report.reworded, unmatched = importpropose.reworded(bank, report.year, mapped, unmatched)
    report.new_questions = importpropose.new_questions(bank, unmatched)
    if not report.mapping:
        raise YearStartError(importpropose.nothing_mapped(source, frame, report.level, tool, heading_rows))
    report.scale = importpropose.propose_scale(frame, report.level, report.columns, report, raw)


def _survey_to_rewrite(survey_path: Path, survey_shown: str, year: int, yes: bool, data_dir: Path) -> dict:
    """The year's survey.yml as read; YearStartError when it is missing, is not a mapping, or
    already names an export (unless `yes`)."""
    if not survey_path.is_file():
        raise YearStartError(
            f"There is no {survey_shown}: start the year first with  python -m healthcheck new-year {year}"
            f"{data_dir_option(data_dir)}"
        )
    raw = read_yaml(survey_path, data_dir)
    if not isinstance(raw, dict):
        raise YearStartError(f"{survey_shown} is not a YAML mapping of keys to values; fix it or start the year again.")
    current_export = raw.get("export")
    if current_export != EXPORT_PLACEHOLDER and not yes:
        raise YearStartError(
            f"{survey_shown} already names an export ({current_export!r}), so its mapping may hold your corrections."
            f" Nothing was changed. To replace its export, columns, ignore and questions, run the command again with --yes."
        )
    return raw


def _check_source(source: Path) -> None:
    """YearStartError, before anything else is checked, when the export given is not a file that can be read."""
    if source.is_dir():
        raise YearStartError(f"{source} is a folder: give the export file itself. Nothing was changed.")
    if not source.exists():
        raise YearStartError(f"There is no file {source}: check its name and folder. Nothing was changed.")
    try:
        with open(source, "rb"):
            pass
    except OSError as exc:
        raise YearStartError(f"{environment_message(exc)} Nothing was changed.") from None


def _read_source(source: Path, raw: dict, survey_shown: str) -> tuple[pd.DataFrame, surveytools.Tool, int]:
    """The export to import, read as its survey tool lays it out (recognised from the file, as
    the export's shape decides, not last year's survey.yml) from survey.yml's `sheet` and
    `header_row` (when the analyst has set them), with its text cleaned; (frame, tool, heading
    rows); YearStartError when it cannot be read."""
    sheet, header_row = raw.get("sheet"), raw.get("header_row", 1)
    try:
        result = read.read_table(source, sheet=sheet, header_row=header_row, tool="auto")
    except read.ReadError as exc:
        hint = "" if "survey.yml" not in exc.message else f" ({survey_shown} is the survey.yml meant: then run import again)"
        where = "".join(f", {k} {v}" for k, v in (("row", exc.row), ("column", exc.column)) if v is not None)
        raise YearStartError(
            f"The export {source}{where} cannot be imported: {exc.message}{hint}. Nothing was changed."
        ) from None
    if result.frame.empty and not len(result.frame.columns):
        raise YearStartError(f"The export {source} is empty: expected a heading row and rows of answers.")
    frame, _ = clean_frame(result.frame, result.header_row)
    tool = surveytools.tool_named(result.tool)
    first_answer_row = int(frame.index[0]) if len(frame) else header_row + tool.heading_rows
    return frame, tool, first_answer_row - header_row


def _check_no_unused_copy(folder: Path, raw: dict, dest: Path, data_dir: Path) -> None:
    """YearStartError when survey.yml names another export still in the year's folder: importing
    a new one would leave that copy unused there (and in the build's manifest)."""
    old = raw.get("export")
    if not isinstance(old, str) or old == EXPORT_PLACEHOLDER or Path(old).name == dest.name:
        return
    old_path = folder / Path(old).name
    if old_path.is_file():
        raise YearStartError(
            f"{display_path(old_path, data_dir)} is the export survey.yml names now; importing {dest.name} instead would"
            f" leave it in the year's folder unused. Nothing was changed: move {old_path.name} out of the folder (or delete"
            " it if it is not needed), then run the command again."
        )


def _copy_needed(source: Path, dest: Path, export_shown: str) -> bool:
    """Whether the export must be copied in: not when the same file is already in place;
    YearStartError when a different file has its name."""
    if not dest.exists():
        return True
    if dest.is_file() and sha256(dest) == sha256(source):
        return False
    raise YearStartError(
        f"{export_shown} already exists and is a different file from {source}. Nothing was changed:"
        f" if the new file is the right one, give it another name (or move the old one away yourself)."
    )


def _previous(data_dir: Path, year: int, raw: dict) -> tuple[int | None, list[dict]]:
    """The latest earlier year (None when there is none), and the survey.yml files to learn from:
    this year's, then that year's (checked first)."""
    prev_years = [y for y in survey_years(data_dir) if y < year]
    prev = prev_years[-1] if prev_years else None
    metas = [raw]
    if prev is not None:
        load_year_meta(data_dir, prev)
        metas.append(read_yaml(data_dir / str(prev) / YEAR_FILE, data_dir))
    return prev, metas


def _bank_lines(bank: QuestionBank, year: int, matches: list[Match], reworded=()) -> list[tuple[Match, str]]:
    """(match, how the wording changed) for each matched question with no `year` wording equal to
    its heading: the lines to add to question_bank.yml, in bank order."""
    report_reworded = set(reworded)
    lines = []
    for m in matches:
        wording = bank.questions[m.code].wording
        if wording.get(year) == m.heading:
            continue
        if year in wording:
            how = f"the bank's {year} wording differs from the heading: replace it"
        elif m in report_reworded:
            how = f"reworded since {m.bank_year}? (score {m.score:.2f}) confirm it is the same statement"
        elif m.bank_wording == m.heading:
            how = f"same wording as {m.bank_year}"
        elif normalise_text(m.bank_wording) == normalise_text(m.heading):
            how = f"punctuation, spacing or capitals changed since {m.bank_year}"
        else:
            how = f"wording changed since {m.bank_year} (score {m.score:.2f})"
        lines.append((m, how))
    bank_order = {q: i for i, q in enumerate(bank.questions)}
    return sorted(lines, key=lambda pair: bank_order[pair[0].code])


def _new_survey_text(survey_path: Path, raw: dict, report: ImportReport, roles, items: list[str], headings=()) -> str:
    """survey.yml's text with its level, export, columns, ignore and questions blocks replaced,
    every other line kept; written afresh under its leading comments when its layout was unusual."""
    new_columns = {role: report.columns[role].heading for role in roles if role in report.columns}
    # Keep columns not recognised this time (e.g. a role missing from the export) so validate names them.
    old_columns = raw.get("columns") if isinstance(raw.get("columns"), dict) else {}
    if raw.get("tool") != report.tool:
        # Another tool's export: last year's headings would not be this export's; keep none it lacks.
        old_columns = {role: name for role, name in old_columns.items() if name in headings}
    for role, name in old_columns.items():
        if role not in report.role_candidates:  # a role to confirm is the analyst's to set
            new_columns.setdefault(role, name)
    new_columns = {r: new_columns[r] for r in (*roles, *old_columns) if r in new_columns}
    proposal = report.scale
    blocks = {
        "level": dump({"level": report.level}),
        "export": dump({"export": report.export.name}),
        "tool": dump({"tool": report.tool}),
        "scale": _scale_block(proposal),
        "non_answers": dump({"non_answers": proposal.non_answers}),
        "columns": _columns_block(new_columns, report.role_candidates),
        "ignore": dump({"ignore": report.ignored}),
        "questions": _questions_block(report.matched, report.confirm, report.new_questions, items, report.reworded),
    }
    old_text = survey_path.read_text(encoding="utf-8")
    new_text = set_blocks(old_text, blocks)
    expected = dict(raw)
    expected.update(
        export=report.export.name,
        level=report.level,
        tool=report.tool,
        scale=proposal.written,
        non_answers=proposal.non_answers,
        columns=new_columns,
        ignore=report.ignored,
        questions=report.mapping,
    )
    try:
        ok = yaml.safe_load(new_text) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        # The file's layout was unusual: keep its leading comments and write the keys afresh.
        header = "".join(line for line in old_text.splitlines(keepends=True)[: header_length(old_text)])
        new_text = header + dump(expected)
    return new_text


def _columns_block(new_columns: dict[str, str], role_candidates: dict[str, list[str]]) -> str:
    """The `columns:` block, with a comment for each role the analyst must confirm."""
    confirm_lines = [
        f"  # PLEASE CONFIRM columns.{role}: perhaps {' or '.join(json.dumps(h, ensure_ascii=False) for h in found_)}"
        for role, found_ in role_candidates.items()
    ]
    columns_block = dump({"columns": new_columns}) if new_columns else "columns: {}\n"
    if confirm_lines and new_columns:
        head, _, rest = columns_block.partition("\n")
        columns_block = "\n".join([head, *confirm_lines, rest])
    elif confirm_lines:
        columns_block = "columns:\n" + "\n".join(confirm_lines) + "\n  {}\n"
    return columns_block


def _scale_block(proposal: scales.Proposal) -> str:
    """The `scale:` block, with a comment asking the analyst to confirm when import is unsure."""
    block = dump({"scale": proposal.written})
    if proposal.sure or "\n" in block.rstrip("\n"):
        return block
    # On the key's own line, so that importing again replaces the comment with the line.
    return block.rstrip("\n") + f"  # PLEASE CONFIRM scale: {proposal.why}\n"


def _questions_block(
    confirmed: list[Match], confirm: list[Match], new: list[Match], items: list[str], reworded: list[Match] = ()
) -> str:
    """The `questions:` block, in the export's order, with a comment on each mapping to confirm or add to the bank."""
    if not (confirmed or confirm or new or reworded):
        return "questions: {}\n"
    lines = ["questions:"]
    by_heading = {m.heading: m for m in [*confirmed, *confirm, *new, *reworded]}
    for heading in items:
        m = by_heading.get(heading)
        if m is None:
            continue
        if m in reworded:
            lines.append(
                f"  # PLEASE CONFIRM: reworded from {m.code}? Its {m.bank_year} wording was"
                f" {json.dumps(m.bank_wording, ensure_ascii=False)}. If it is a new statement instead, give it a new code."
            )
        elif m in new:
            lines.append(f"  # NEW STATEMENT: add {m.code} to {BANK_FILE} (the import printed its entry)")
        elif m.score < ACCEPT:
            lines.append(
                f"  # PLEASE CONFIRM ({m.score:.2f}): closest to {m.code}'s {m.bank_year} wording"
                f" {json.dumps(m.bank_wording, ensure_ascii=False)}"
            )
        lines += indent_lines(dump({m.heading: m.code}), "  ")
    return "\n".join(lines) + "\n"


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
