"""The hostile-input corpus: each case is one small change to a copy of tests/support/hostile_council.

A case says what to change (`mutate`, on the copied data folder), which commands to run, the
exit status expected, and the words the message must contain so the analyst knows what to
fix (file, row or line, column or key, what was found or expected). tests/pipeline/test_hostile.py
runs every case and also checks that no traceback is printed, that no input file changed and
that the last good build is byte for byte as it was.

Kinds (the `kind` of each case): environment, shape, path, yaml, facts, encoding, xlsx,
flood, personal, invisible, injection, content.
"""

from __future__ import annotations

import builtins
import csv
import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

EXPORT = "2022/export.csv"
SURVEY = "2022/survey.yml"
WB01 = "My workload is manageable."
WB02 = "My manager supports my wellbeing."
FAILING = ("validate", "build")  # a broken input: both refuse, and the last good build stays


@dataclass
class Case:
    id: str
    kind: str
    mutate: Callable[[Path], None]
    says: tuple[str, ...]
    exit: int = 1
    commands: tuple[str, ...] = FAILING
    # Extra assertions: check(data folder, combined output of the commands).
    check: Callable[[Path, str], None] | None = None
    # Changes to the environment made after `mutate`: patch(ctx), where ctx has monkeypatch,
    # data (the folder), tmp, build_root (may be replaced) and finalizer (to undo at the end).
    patch: Callable | None = None
    # Words that must NOT appear in the output (personal data shown in full, ...).
    never: tuple[str, ...] = ()
    argv: dict[str, list[str]] = field(default_factory=dict)  # extra arguments per command


def accepted(id: str, kind: str, mutate: Callable[[Path], None], says: tuple[str, ...], **more) -> Case:
    """A case the data is still valid after: `validate` exits 0 and says `says` (a note, a
    warning, or just that the data is valid)."""
    return Case(id, kind, mutate, says, exit=0, commands=("validate",), **more)


# ------------------------------------------------------------------ small editing helpers


def text_of(folder: Path, rel: str) -> str:
    return (folder / rel).read_text(encoding="utf-8")


def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        text = text_of(folder, rel)
        assert old in text, f"{old!r} not in {rel}"
        (folder / rel).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def append(rel: str, extra: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with open(folder / rel, "a", encoding="utf-8") as handle:
            handle.write(extra)

    return mutate


def rows_of(folder: Path, rel: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(folder, rel), newline="")))


def write_rows(folder: Path, rel: str, rows, *, encoding="utf-8", delimiter=",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (folder / rel).write_bytes(buffer.getvalue().encode(encoding))


def edit_rows(rel: str, edit: Callable[[list[list[str]]], None], **options) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = rows_of(folder, rel)
        edit(rows)
        write_rows(folder, rel, rows, **options)

    return mutate


def column(rows, heading: str) -> int:
    return rows[0].index(heading)


def set_column(heading: str, value: Callable[[int, str], str], rel: str = EXPORT):
    """Every data cell of one column of the export through `value(row number, cell)`."""

    def edit(rows):
        c = column(rows, heading)
        for i, row in enumerate(rows[1:], start=2):
            row[c] = value(i, row[c])

    return edit_rows(rel, edit)


def chain(*mutations) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for m in mutations:
            m(folder)

    return mutate


def make_folder(rel: str) -> Callable[[Path], None]:
    """A folder where a file should be."""

    def mutate(folder: Path) -> None:
        path = folder / rel
        if path.is_file():
            path.unlink()
        path.mkdir()
        (path / "inside.txt").write_text("a file inside the folder\n", encoding="utf-8")

    return mutate


def remove(rel: str) -> Callable[[Path], None]:
    return lambda folder: (folder / rel).unlink()


def link_outside(rel: str) -> Callable[[Path], None]:
    """`rel` becomes a symbolic link to a file outside the data folder."""

    def mutate(folder: Path) -> None:
        outside = folder.parent / f"outside-{Path(rel).name}"
        shutil.copy(folder / rel, outside)
        (folder / rel).unlink()
        os.symlink(outside, folder / rel)

    return mutate


def export_bytes(transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / EXPORT
        path.write_bytes(transform(path.read_bytes()))

    return mutate


def reencode(encoding: str, delimiter: str = ",") -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        write_rows(folder, EXPORT, rows_of(folder, EXPORT), encoding=encoding, delimiter=delimiter)

    return mutate


def deny(rel: str | None) -> Callable:
    """A patch: opening `rel` (or listing the data folder, when None) raises PermissionError,
    as a file locked by Excel on a share would (the tests run as root, so chmod cannot)."""

    def patch(ctx) -> None:
        monkeypatch, folder = ctx.monkeypatch, ctx.data
        if rel is None:
            real_iterdir = Path.iterdir

            def iterdir(self):
                if self == folder:
                    raise PermissionError(13, "Permission denied", str(self))
                return real_iterdir(self)

            monkeypatch.setattr(Path, "iterdir", iterdir)
            return
        target = os.path.realpath(folder / rel)
        real_open, real_os_open = builtins.open, os.open

        def guarded(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == target:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        def guarded_os(file, *args, **kwargs):  # where the data layer opens every input file
            if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == target:
                raise PermissionError(13, "Permission denied", str(file))
            return real_os_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded)
        monkeypatch.setattr(os, "open", guarded_os)

    return patch


def workbook(folder: Path, sheets: dict[str, list[list]], merge: str | None = None) -> None:
    """Replace the 2022 export by an XLSX workbook (export.xlsx) with these sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge and title == "Responses":
            sheet.merge_cells(merge)
    book.save(folder / "2022" / "export.xlsx")
    (folder / EXPORT).unlink()
    replace(SURVEY, "export: export.csv", "export: export.xlsx")(folder)


def as_workbook(*, cover=False, title_rows=0, two_row_header=False, extra_yaml="") -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = rows_of(folder, EXPORT)
        sheets = {}
        if cover:
            sheets["Cover"] = [["Staff survey 2022: all responses"], [], ["Exported from the survey tool"]]
        body = rows
        merge = None
        if two_row_header:
            # Row 1: "Respondent" merged over A:E and "Statements" over F:I; row 2: sub-headings.
            top = ["Respondent", None, None, None, None, "Statements", None, None, None]
            body = [top, rows[0], *rows[1:]]
            merge = "A1:E1"
        body = [[f"Staff survey {i + 1}"] for i in range(title_rows)] + body
        sheets["Responses"] = body
        workbook(folder, sheets, merge)
        if extra_yaml:
            append(SURVEY, extra_yaml)(folder)

    return mutate


ALIAS_BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "organisation: *i\n"
)
CODES = {"Strongly agree": "1", "Agree": "2", "Neither agree nor disagree": "3", "Disagree": "4", "Strongly disagree": "5"}
CODES_YAML = (
    "codes:\n  1: Strongly agree\n  2: Agree\n  3: Neither agree nor disagree\n  4: Disagree\n"
    "  5: Strongly disagree\n  6: Don't know\n"
)
RLO, ZWSP = "\u202e", "\u200b"


def numeric_codes(folder: Path) -> None:
    """Every answer of the 2022 export as the survey tool's number (Don't know is 6)."""

    def edit(rows):
        for row in rows[1:]:
            row[5:] = [CODES.get(v, "6" if v else "") for v in row[5:]]

    edit_rows(EXPORT, edit)(folder)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERROR")]


def at_most_errors(n: int):
    def check(folder: Path, output: str) -> None:
        assert 1 <= len(error_lines(output)) <= n, output

    return check


def _survey(folder: Path):
    from healthcheck.analysis.survey import load_survey

    return load_survey(folder, 2022)


def _groups_without(char: str):
    def check(folder: Path, output: str) -> None:
        groups = set(_survey(folder).counts["group"])
        assert groups and not any(char in g for g in groups), groups

    return check


def _lock_year(ctx) -> None:
    """Another build of 2022 holds the year's lock in the good build's folder."""
    import fcntl

    handle = open(ctx.build_root / ".lock-2022", "a+")  # noqa: SIM115 - closed by the finalizer
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    ctx.finalizer(handle.close)


def _build_root_is_a_file(ctx) -> None:
    ctx.build_root = ctx.tmp / "not-a-folder"
    ctx.build_root.write_text("a file where the build folder should be\n", encoding="utf-8")


def _outside_export(folder: Path) -> None:
    shutil.copy(folder / EXPORT, folder.parent / "outside.csv")
    replace(SURVEY, "export: export.csv", "export: ../../outside.csv")(folder)


def _stray_byte(data: bytes) -> bytes:
    lines = data.split(b"\r\n")
    lines[1] = lines[1].replace(b"North Team", "Zoë Team".encode(), 1)  # real UTF-8 elsewhere
    lines[39] = lines[39].replace(b"North Team", b"Caf\xe9 Team", 1)  # spreadsheet row 40
    return b"\r\n".join(lines)


def _unclosed_quote(data: bytes) -> bytes:
    lines = data.split(b"\r\n")
    lines[29] = lines[29].replace(b",North Team,", b',"North Team,', 1)  # spreadsheet row 30
    return b"\r\n".join(lines)


def _xlsx_bytes_as_csv(folder: Path) -> None:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["Response ID", "Team"])
    book.save(buffer)
    (folder / EXPORT).write_bytes(buffer.getvalue())


def _renamed_export(name: str, content: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / EXPORT).unlink()
        (folder / "2022" / name).write_bytes(content)
        replace(SURVEY, "export: export.csv", f"export: {name}")(folder)

    return mutate


def _start_2023_with_a_cover_workbook(folder: Path) -> None:
    """A 2023 started by new-year, and the survey tool's download (a cover sheet first) beside the data folder."""
    (folder / "2023").mkdir()
    (folder / "2023" / "survey.yml").write_text("year: 2023\nexport: PUT-THE-EXPORT-FILE-NAME-HERE.csv\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Staff survey 2023"])
    responses = book.create_sheet("Responses")
    for row in rows_of(folder, EXPORT):
        responses.append(row)
    book.save(folder.parent / "Download.xlsx")


def _meta_is(key: str, value: str):
    def check(folder: Path, output: str) -> None:
        from healthcheck.data.config import load_year_meta

        assert getattr(load_year_meta(folder, 2022), key) == value

    return check


def _settings_organisation(value: str):
    def check(folder: Path, output: str) -> None:
        from healthcheck.data.config import load_settings

        assert load_settings(folder).organisation == value

    return check


def _group_present(name: str):
    def check(folder: Path, output: str) -> None:
        assert name in set(_survey(folder).counts["group"])

    return check


def _figure_has_base(qid: str):
    def check(folder: Path, output: str) -> None:
        figures = _survey(folder).figures(2022).set_index("question_id")
        assert figures.at[qid, "n_valid"] > 0

    return check


def _quote_cell(column_name: str, value: str, rel: str = "2022/quotes.csv"):
    def edit(rows):
        rows[1][column(rows, column_name)] = value

    return edit_rows(rel, edit)


def _cell(rel: str, column_name: str, value: str, row: int = 2):
    def edit(rows):
        rows[row - 1][column(rows, column_name)] = value

    return edit_rows(rel, edit)


def _truncate_last_row(rows):
    rows[-1] = rows[-1][:3]


def _long_row(rows):
    rows[9] += ["extra", "cells"]


def _short_row(rows):
    rows[19] = rows[19][:5]


def drop_wb02(rows):
    c = column(rows, WB02)
    for row in rows:
        del row[c]


def _headings_only(rows):
    del rows[1:]


def _duplicate_id(rows):
    rows[10][0] = rows[2][0]


CASES = [
    # --- environment: what the machine, not the data, gets wrong ----------------------------
    Case("export-permission-denied", "environment", lambda f: None, ("export.csv", "permission denied"), patch=deny(EXPORT)),
    Case(
        "settings-permission-denied",
        "environment",
        lambda f: None,
        ("settings.yml", "permission denied"),
        patch=deny("settings.yml"),
    ),
    Case("data-folder-permission-denied", "environment", lambda f: None, ("Cannot use", "Permission denied"), patch=deny(None)),
    Case("data-folder-missing", "environment", lambda f: shutil.rmtree(f), ("data folder", "does not exist")),
    Case(
        "manifest-not-json",
        "environment",
        lambda f: (f.parent / "manifest.json").write_text("{ not json", encoding="utf-8"),
        ("manifest.json is not a manifest written by a build",),
        commands=("verify",),
        argv={"verify": ["--manifest", "{data}/../manifest.json"]},
    ),
    Case(
        "build-folder-is-a-file",
        "environment",
        lambda f: None,
        ("Cannot write to the build folder",),
        commands=("build",),
        patch=_build_root_is_a_file,
    ),
    Case(
        "two-builds-of-one-year",
        "environment",
        lambda f: None,
        ("Another build of 2022 is running",),
        commands=("build",),
        patch=_lock_year,
    ),
    Case(
        "mapped-column-missing-from-export",
        "environment",
        edit_rows(EXPORT, drop_wb02),
        ("export.csv, row 1, column 'My manager supports my wellbeing.'", "mapped to WB02", "no such column"),
        commands=("validate", "figures", "build"),
    ),
    Case(
        "unknown-year",
        "environment",
        lambda f: None,
        ("2031",),
        argv={"validate": ["--year", "2031"], "build": ["--year", "2031"]},
    ),
    # --- shape: rows and cells that do not line up ------------------------------------------
    Case(
        "truncated-last-row",
        "shape",
        edit_rows(EXPORT, _truncate_last_row),
        ("export.csv", "row 61, the last row, has 3 cells but the heading row has 9", "cut short"),
    ),
    Case("long-row", "shape", edit_rows(EXPORT, _long_row), ("row 10 has 11 cells but the heading row has 9", "separator")),
    Case("short-row-in-the-middle", "shape", edit_rows(EXPORT, _short_row), ("row 20 has 5 cells but the heading row has 9",)),
    Case("unclosed-quotation-mark", "shape", export_bytes(_unclosed_quote), ("row 30", "never closed")),
    Case("empty-export", "shape", export_bytes(lambda b: b""), ("export.csv", "the file is empty")),
    Case("headings-only", "shape", edit_rows(EXPORT, _headings_only), ("export.csv", "at least one row of answers")),
    # --- paths: files where they should not be ----------------------------------------------
    Case(
        "export-outside-the-year-folder",
        "path",
        _outside_export,
        ("survey.yml, key 'export'", "'../../outside.csv'", "inside the 2022 folder"),
    ),
    Case(
        "export-absolute-path",
        "path",
        replace(SURVEY, "export: export.csv", "export: /etc/passwd"),
        ("key 'export'", "'/etc/passwd'", "inside the 2022 folder"),
    ),
    Case(
        "export-link-leading-outside", "path", link_outside(EXPORT), ("export.csv", "a link to a file outside the year's folder")
    ),
    Case(
        "quotes-link-leading-outside", "path", link_outside("2022/quotes.csv"), ("quotes.csv", "link", "outside the data folder")
    ),
    Case("export-is-a-folder", "path", make_folder(EXPORT), ("export.csv", "this is a folder")),
    Case(
        "export-not-there",
        "path",
        replace(SURVEY, "export: export.csv", "export: export 2022.csv"),
        ("export 2022.csv", "to exist", "'export.csv'"),
    ),
    Case("quotes-is-a-folder", "path", make_folder("2022/quotes.csv"), ("quotes.csv", "this is a folder")),
    Case("published-is-a-folder", "path", make_folder("2022/published.csv"), ("published.csv", "this is a folder")),
    Case("recommendations-is-a-folder", "path", make_folder("2022/recommendations.yml"), ("recommendations.yml", "folder")),
    Case("survey-yml-is-a-folder", "path", make_folder(SURVEY), ("survey.yml", "folder")),
    Case("settings-missing", "path", remove("settings.yml"), ("settings.yml", "this file to exist")),
    # --- YAML: refused safely, with the line --------------------------------------------------
    Case("alias-bomb", "yaml", lambda f: (f / "settings.yml").write_text(ALIAS_BOMB), ("settings.yml", "alias")),
    Case(
        "duplicate-key-in-settings",
        "yaml",
        append("settings.yml", 'organisation: "Another Council"\n'),
        ("settings.yml, line 8", "'organisation' appears twice", "line 1 and line 8"),
    ),
    Case(
        "question-defined-twice-in-bank",
        "yaml",
        append("question_bank.yml", '  WB02:\n    theme: wellbeing\n    short: Again\n    wording:\n      2022: "Again"\n'),
        ("question_bank.yml", "'WB02' appears twice"),
    ),
    Case(
        "duplicate-mapping-in-survey-yml",
        "yaml",
        replace(SURVEY, f'  "{WB01}": WB01\n', f'  "{WB01}": WB01\n  "{WB01}": WB02\n'),
        ("survey.yml", "appears twice"),
    ),
    Case(
        "duplicate-key-in-recommendations",
        "yaml",
        replace("2022/recommendations.yml", "    status: in progress\n", "    status: in progress\n    status: complete\n"),
        ("recommendations.yml", "'status' appears twice"),
    ),
    Case(
        "python-tag",
        "yaml",
        replace(SURVEY, 'context: "A quiet year for the test council."', 'context: !!python/object/apply:os.system ["echo hi"]'),
        ("survey.yml", "is not allowed"),
    ),
    Case(
        "yaml-too-large", "yaml", append("question_bank.yml", "# " + "x" * 1_100_000 + "\n"), ("question_bank.yml", "larger than")
    ),
    Case(
        "yaml-nested-too-deep", "yaml", append("settings.yml", "deep: " + "[" * 60 + "]" * 60 + "\n"), ("settings.yml", "nested")
    ),
    Case("yaml-tab-indent", "yaml", replace(SURVEY, "  survey_open:", "\tsurvey_open:"), ("survey.yml, line", "tabs")),
    Case(
        "yaml-not-utf8",
        "yaml",
        # UTF-8 text (a curly quote) with one stray Windows byte: refused at its line, never
        # re-read as Windows-1252 (a file wholly in Windows-1252, Notepad's "ANSI", is read)
        lambda f: (f / SURVEY).write_bytes((f / SURVEY).read_bytes().replace(b"quiet", "\u2018qui".encode() + b"\xe9t")),
        ("survey.yml, line 25", "not UTF-8"),
    ),
    Case("yaml-two-documents", "yaml", append(SURVEY, "---\nyear: 2023\n"), ("survey.yml", "one document")),
    Case("misspelt-key", "yaml", replace(SURVEY, "workforce:", "workfroce:"), ("key 'workfroce'", "misspelt")),
    Case("year-not-the-folders", "yaml", replace(SURVEY, "year: 2022", "year: 2021"), ("key 'year'", "2022, the folder's year")),
    Case("header-row-zero", "yaml", append(SURVEY, "header_row: 0\n"), ("key 'header_row'", "a number of at least 1")),
    Case(
        "impossible-date",
        "yaml",
        replace(SURVEY, "survey_open: 2022-05-01", "survey_open: 2022-13-01"),
        ("survey.yml, line 17", "'2022-13-01' is written like a date but is not one", "YYYY-MM-DD"),
    ),
    Case(
        "wrong-kinds-of-value-in-settings",
        "yaml",
        chain(
            replace("settings.yml", "reconciliation: warn", "reconciliation: maybe"),
            replace("settings.yml", "suppression_threshold: 10", "suppression_threshold: ten"),
        ),
        (
            "key 'reconciliation': found \"'maybe'\"; expected one of 'warn' or 'fail'",
            "key 'suppression_threshold': found \"'ten'\"; expected a whole number",
        ),
    ),
    Case(
        "recommendation-of-the-wrong-shape",
        "yaml",
        replace("2022/recommendations.yml", "    planned_actions: [", "    planned_action: ["),
        ("recommendations.yml, key 'current[1].planned_action'", "misspelt"),
    ),
    Case(
        "export-line-lost-but-questions-mapped",
        "yaml",
        replace(SURVEY, "export: export.csv\n", ""),
        ("key 'export'", "maps headings under 'questions' but names no export"),
    ),
    # --- facts that contradict each other ------------------------------------------------------
    Case(
        "comparable-from-in-the-future",
        "facts",
        replace("question_bank.yml", "comparable_from: 2022", "comparable_from: 2030"),
        ("key 'questions.PR02.comparable_from'", "'2030'", "up to 2022"),
    ),
    Case(
        "participants-above-workforce",
        "facts",
        replace(SURVEY, "participants: 20", "participants: 500"),
        ("key 'focus_groups.participants'", "'500'", "workforce in scope (100"),
    ),
    Case(
        "survey-closes-before-it-opens",
        "facts",
        replace(SURVEY, "survey_close: 2022-06-10", "survey_close: 2022-04-10"),
        ("key 'fieldwork.survey_close'", "'2022-04-10'", "on or after survey_open (2022-05-01)"),
    ),
    Case(
        "focus-groups-end-before-they-start",
        "facts",
        replace(SURVEY, "last: 2022-06-30", "last: 2022-04-30"),
        ("key 'focus_groups.last'", "on or after focus_groups.first"),
    ),
    Case(
        "threshold-3-without-override",
        "facts",
        replace("settings.yml", "suppression_threshold: 10", "suppression_threshold: 3"),
        ("settings.yml", "suppression_threshold 3 is below 10", "threshold_override"),
    ),
    accepted(
        "threshold-3-with-override",
        "facts",
        replace(
            "settings.yml", "suppression_threshold: 10", 'suppression_threshold: 3\nthreshold_override: "Agreed with the DPO"'
        ),
        ("is valid",),
    ),
    # --- encodings and separators: read, and said how ----------------------------------------
    accepted("utf16-export", "encoding", reencode("utf-16"), ("NOTE", "read as UTF-16", "is valid")),
    accepted(
        "semicolon-export",
        "encoding",
        reencode("utf-8", ";"),
        ("separated by semicolons", "is valid"),
    ),
    accepted("tab-export", "encoding", reencode("utf-8", "\t"), ("separated by tabs", "is valid")),
    accepted(
        "windows-1252-export",
        "encoding",
        chain(set_column("Team", lambda i, v: "Café Team"), reencode("cp1252")),
        ("read as Windows-1252", "is valid"),
        check=_group_present("Café Team"),
    ),
    Case(
        "stray-byte-on-row-40",
        "encoding",
        export_bytes(_stray_byte),
        ("row 40, column C ('Team')", "byte E9", "'é'"),
        never=("row 1",),
    ),
    Case("xlsx-named-csv", "encoding", _xlsx_bytes_as_csv, ("rename it to end in .xlsx",)),
    Case(
        "xls-export",
        "encoding",
        _renamed_export("export.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600),
        ("'.xls' spreadsheet", ".xlsx"),
    ),
    Case("pdf-export", "encoding", _renamed_export("export.pdf", b"%PDF-1.4\n"), ("expected a .csv or .xlsx export",)),
    # --- workbooks: the sheet and the heading row ----------------------------------------------
    Case("xlsx-cover-sheet", "xlsx", as_workbook(cover=True), ("export.xlsx", "the first sheet, 'Cover'", "sheet: Responses")),
    accepted(
        "xlsx-cover-sheet-chosen",
        "xlsx",
        as_workbook(cover=True, extra_yaml="sheet: Responses\n"),
        ("read sheet 'Responses' (sheet 2 of 2", "is valid"),
    ),
    Case("xlsx-title-rows", "xlsx", as_workbook(title_rows=2), ("row 1 of sheet 'Responses'", "header_row: 3")),
    accepted(
        "xlsx-title-rows-header-row-set",
        "xlsx",
        as_workbook(title_rows=2, extra_yaml="header_row: 3\n"),
        ("is valid",),
    ),
    Case("xlsx-two-row-heading", "xlsx", as_workbook(two_row_header=True), ("two rows", "header_row: 2")),
    Case("xlsx-sheet-not-there", "xlsx", as_workbook(extra_yaml="sheet: Answers\n"), ("no sheet 'Answers'", "'Responses'")),
    Case("sheet-set-for-a-csv", "xlsx", append(SURVEY, "sheet: 2\n"), ("CSV file", "remove `sheet`")),
    # --- floods: one message per mistake -------------------------------------------------------
    Case(
        "numeric-answer-codes",
        "flood",
        numeric_codes,
        ("numeric codes (1, 2, 3, 4, 5, 6)", "codes:", "1: Strongly agree"),
        check=at_most_errors(1),
    ),
    accepted(
        "numeric-answer-codes-mapped",
        "flood",
        chain(numeric_codes, append(SURVEY, CODES_YAML)),
        ("is valid",),
        check=_figure_has_base("WB01"),
    ),
    Case(
        "codes-mapping-with-a-bad-label",
        "flood",
        chain(numeric_codes, append(SURVEY, CODES_YAML.replace("2: Agree", "2: Agree lots"))),
        ("key 'codes.2'", "'Agree lots'"),
    ),
    Case(
        "a-whole-column-misspelt",
        "flood",
        set_column(WB01, lambda i, v: "Agree strongly"),
        ("60 rows (rows 2, 3, 4, 5, 6, ...) found 'Agree strongly'", "add --all"),
        check=at_most_errors(1),
    ),
    Case(
        "id-mapped-to-the-wrong-column",
        "flood",
        replace(SURVEY, "respondent_id: Response ID", "respondent_id: Team"),
        ("probably names the wrong column",),
    ),
    # --- personal data in published free text (warnings) --------------------------------------
    accepted(
        "quote-with-an-email-address",
        "personal",
        _quote_cell("quote", "Write to jane.smith@example.org about it."),
        ("WARNING", "quotes.csv, row 2, column 'quote'", "j...@example.org", "e-mail address"),
        never=("jane.smith@",),
    ),
    accepted(
        "quote-with-a-phone-number",
        "personal",
        _quote_cell("quote", "Ring me on 07700 900123 any time."),
        ("WARNING", "column 'quote'", "a number ending 123", "telephone number"),
        never=("900123",),
    ),
    accepted(
        "speaker-is-a-name",
        "personal",
        _quote_cell("speaker", "Jane Smith"),
        ("WARNING", "column 'speaker': found 'Jane Smith'", "never a person's name"),
    ),
    accepted(
        "recommendation-with-an-email",
        "personal",
        replace("2022/recommendations.yml", "Protect time for reflective supervision.", "Ask bob@example.org to protect time."),
        ("WARNING", "recommendations.yml, key 'previous[1].recommendation'", "b...@example.org"),
    ),
    accepted(
        "action-with-a-phone-number",
        "personal",
        replace("2022/recommendations.yml", "Supervision audit every quarter", "Call 01452 425000 to book"),
        ("key 'previous[1].actions[1]'", "telephone number"),
    ),
    accepted(
        "word-is-an-email",
        "personal",
        _cell("2022/words.csv", "word", "jo@example.org"),
        ("words.csv, row 2, column 'word'",),
    ),
    # --- invisible and bidirectional characters: removed, with a warning ----------------------
    accepted(
        "bidi-override-in-team-names",
        "invisible",
        set_column("Team", lambda i, v: v.replace("North", "North" + RLO)),
        ("WARNING", "column 'Team'", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        check=_groups_without(RLO),
    ),
    accepted(
        "bidi-override-in-organisation",
        "invisible",
        replace("settings.yml", "Hostile Test Council", "Hostile " + RLO + "Test Council"),
        ("settings.yml, key 'organisation'", "U+202E"),
        check=_settings_organisation("Hostile Test Council"),
    ),
    accepted(
        "zero-width-space-in-heading-and-mapping",
        "invisible",
        chain(
            edit_rows(EXPORT, lambda rows: rows[0].__setitem__(7, WB01.replace(" is", ZWSP + " is"))),
            replace(SURVEY, WB01, WB01.replace(" is", ZWSP + " is")),
        ),
        ("U+200B ZERO WIDTH SPACE", "export.csv, row 1", "survey.yml"),
        check=_figure_has_base("WB01"),
    ),
    accepted(
        "bidi-isolate-in-a-quote",
        "invisible",
        _quote_cell("quote", "Supervision \u2066helps\u2069 me."),
        ("quotes.csv, row 2, column 'quote'", "U+2066"),
    ),
    accepted(
        "control-character-in-short-label",
        "invisible",
        replace("question_bank.yml", '"Clear priorities"', '"Clear\u200d priorities"'),
        ("question_bank.yml, key 'questions.PR01.short'", "U+200D"),
    ),
    accepted(
        "control-character-in-a-team-name",
        "invisible",
        set_column("Team", lambda i, v: v + "\x07" if i == 5 else v),
        ("row 5, column 'Team'", "U+0007"),
    ),
    # --- injection: text is data (accepted as written; escaping is the presentation's) --------
    accepted(
        "script-in-context",
        "injection",
        replace(SURVEY, 'context: "A quiet year for the test council."', 'context: "<script>alert(1)</script>"'),
        ("is valid",),
        check=_meta_is("context", "<script>alert(1)</script>"),
    ),
    accepted(
        "formula-as-team-name",
        "injection",
        set_column("Team", lambda i, v: '=HYPERLINK("http://x.example","x")' if v == "North Team" else v),
        ("is valid",),
        check=_group_present('=HYPERLINK("http://x.example","x")'),
    ),
    accepted("formula-as-a-word", "injection", _cell("2022/words.csv", "word", "=1+1"), ("is valid",)),
    Case(
        "question-code-like-a-formula",
        "injection",
        lambda f: [replace(r, "WB02", "=WB02")(f) for r in ("question_bank.yml", SURVEY)],
        ("question_bank.yml, key 'questions.=WB02'", "a question code of a letter"),
    ),
    # --- content: one wrong cell, named by file, row and column -------------------------------
    accepted(
        "question-column-entirely-blank",
        "content",
        set_column(WB02, lambda i, v: ""),
        ("WARNING", "column 'My manager supports my wellbeing.'", "all 60 rows are empty", "answers to WB02"),
    ),
    Case(
        "import-of-a-workbook-with-a-cover-sheet",
        "xlsx",
        _start_2023_with_a_cover_workbook,
        ("Download.xlsx", "the first sheet, 'Cover'", "sheet: Responses", "Nothing was changed"),
        commands=("import",),
        argv={"import": ["--year", "2023", "{data}/../Download.xlsx"]},
    ),
    Case(
        "published-percentage-150",
        "content",
        _cell("2022/published.csv", "pct_positive", "150"),
        ("published.csv, row 2, column 'pct_positive': found '150'", "0 to 100"),
    ),
    Case(
        "published-base-not-whole",
        "content",
        _cell("2022/published.csv", "n", "12.5"),
        ("published.csv, row 2, column 'n': found '12.5'",),
    ),
    Case(
        "indicator-not-a-number",
        "content",
        _cell("2022/indicators.csv", "value", "twelve"),
        ("indicators.csv, row 2, column 'value': found 'twelve'; expected a number",),
    ),
    Case(
        "word-count-negative",
        "content",
        _cell("2022/words.csv", "count", "-3"),
        ("words.csv, row 2, column 'count': found '-3'",),
    ),
    Case(
        "quote-theme-unknown", "content", _quote_cell("theme", "pratice"), ("quotes.csv, row 2, column 'theme': found 'pratice'",)
    ),
    Case(
        "duplicate-respondent-id",
        "content",
        edit_rows(EXPORT, _duplicate_id),
        ("row 11, column 'Response ID': found 'R2022002'", "used only once"),
    ),
    Case(
        "completion-date-in-another-year",
        "content",
        set_column("Completed", lambda i, v: "2021-12-30 09:00" if i == 5 else v),
        ("row 5, column 'Completed'", "a completion date in 2022"),
    ),
    Case(
        "mapping-to-a-code-not-in-the-bank",
        "content",
        replace(SURVEY, f'"{WB02}": WB02', f'"{WB02}": WB99'),
        ("found 'WB99'", "a question code from question_bank.yml"),
    ),
]
