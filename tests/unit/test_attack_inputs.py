"""Attacks on the input side (issue 25, and issue 23's encodings): private notes kept private
whatever the encoding, the data folder as a boundary, look-alike groups, workbook limits,
long headings, file names in another normal form, pathological Markdown and stray bytes.

Every case asserts a clear message (naming the file, and the line or row where it can) or a
safe hold, and that no input file changed.
"""

from __future__ import annotations

import os
import threading
import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from healthcheck.data import config, inputs, validate
from healthcheck.data.inputfile import InputError, decode_text, normalise
from healthcheck.data.narrative import files as narrative
from healthcheck.data.tables import read
from healthcheck.errors import DataError
from tests.conftest import tree_hashes

SECRET = "SECRET-NOTE do not publish"
PROSE = "Staff told us supervision has improved."


def _resolver(ref) -> str:
    return "50%"


def _summary(data_dir: Path, year: int = 2022) -> narrative.Part:
    return narrative.part(data_dir, year, "summary")


def _write_narrative(data_dir: Path, raw: bytes, year: int = 2022) -> Path:
    path = _summary(data_dir, year).path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


# Each: (name, bytes of a narrative with a private note, as an editor could save it).
_NOTE = f"% {SECRET}"
_BODY = ["## Key findings", "", "Agreement was {pct}`IMP01`. Caf\u00e9 \u00a3 \u201cquoted\u201d.", "", PROSE]
NOTE_FILES = [
    ("utf-8 with a byte-order mark", b"\xef\xbb\xbf" + _text([_NOTE, *_BODY]).encode("utf-8")),
    ("utf-16 (Notepad 'Unicode')", _text([_NOTE, *_BODY]).encode("utf-16")),
    ("utf-16-be with a byte-order mark", b"\xfe\xff" + _text([_NOTE, *_BODY]).encode("utf-16-be")),
    ("utf-16 without a byte-order mark", _text([_NOTE, *_BODY]).encode("utf-16-le")),
    ("windows-1252 (Notepad 'ANSI')", _text([_NOTE, *_BODY]).encode("cp1252")),
    ("windows line endings and a BOM", b"\xef\xbb\xbf" + _text([_NOTE, *_BODY]).replace("\n", "\r\n").encode("utf-8")),
    ("no-break space before %", _text(["\u00a0" + _NOTE, *_BODY]).encode("utf-8")),
    ("em and thin spaces before %", _text(["\u2003\u2009" + _NOTE, *_BODY]).encode("utf-8")),
    ("ideographic space before %", _text(["\u3000" + _NOTE, *_BODY]).encode("utf-8")),
    ("zero-width space before %", _text(["\u200b" + _NOTE, *_BODY]).encode("utf-8")),
    ("word joiner and bidi mark before %", _text(["\u2060\u200e" + _NOTE, *_BODY]).encode("utf-8")),
    ("BOM then no-break space", b"\xef\xbb\xbf" + _text(["\u00a0 " + _NOTE, *_BODY]).encode("utf-8")),
    ("full-width percent sign", _text([f"\uff05 {SECRET}", *_BODY]).encode("utf-8")),
    ("note between paragraphs", _text([*_BODY, _NOTE, PROSE]).encode("utf-8")),
    ("note after a list", _text(["- a point", "\u00a0" + _NOTE, *_BODY]).encode("utf-8")),
    ("note in a quote", _text(["> " + _NOTE, *_BODY]).encode("utf-8")),
    ("BOM in the middle of the file", _text([*_BODY, "\ufeff" + _NOTE]).encode("utf-8")),
]


@pytest.mark.parametrize("name, raw", NOTE_FILES, ids=[n for n, _ in NOTE_FILES])
def test_a_private_note_is_never_rendered_whatever_the_encoding(data_dir, name, raw):
    _write_narrative(data_dir, raw)
    before = tree_hashes(data_dir)
    text = narrative.read(_summary(data_dir), data_dir)
    known = narrative.known_targets(["IMP01"], ["improvement"], [2021, 2022])
    assert [p for p in narrative.check(text, known) if p.severity == "error"] == []
    rendered = narrative.render(text, _resolver)
    assert SECRET not in rendered and "SECRET" not in rendered
    assert PROSE in rendered
    assert "Caf\u00e9" in rendered and "\u00a3" in rendered  # the rest of the text decoded, not garbled
    assert tree_hashes(data_dir) == before


def test_the_note_guard_refuses_a_percent_line_the_parser_did_not_take_as_a_note():
    # Built by hand, as if the parser had missed a note: the last guard refuses the text.
    parsed = narrative.parse(_text([PROSE]), "2022/narrative/summary.md")
    forged = narrative.Narrative(parsed.file, _text([PROSE, "% " + SECRET]), parsed.tokens, parsed.references)
    with pytest.raises(DataError) as error:
        narrative.render(forged, _resolver)
    assert "% " in str(error.value.problems[0]) and "line 2" in str(error.value.problems[0])


def test_narratives_in_windows_encodings_are_read_not_an_internal_error(data_dir):
    _write_narrative(data_dir, _text(["## Findings", "", "Caf\u00e9 \u2018ok\u2019 \u00a3 " + PROSE]).encode("cp1252"))
    assert "Caf\u00e9 \u2018ok\u2019 \u00a3" in narrative.read(_summary(data_dir), data_dir).text
    _write_narrative(data_dir, _text(["## Findings", "", "Caf\u00e9 " + PROSE]).encode("utf-16"))
    assert "Caf\u00e9" in narrative.read(_summary(data_dir), data_dir).text


def test_an_undecodable_narrative_names_the_file_the_line_and_what_to_save_it_as(data_dir):
    # A UTF-8 file (curly quotes) with one stray Windows byte on line 3: never re-read as Windows-1252.
    _write_narrative(data_dir, "## A\n\u201cok\u201d\nbad \x92 here\n".encode("utf-8").replace(b"\xc2\x92", b"\x92"))
    problems = validate.check_year(data_dir, 2022).problems
    [problem] = [p for p in problems if "summary.md" in p.file]
    text = str(problem)
    assert "2022/narrative/summary.md" in text and "line 3, column 5" in text and "92" in text and "UTF-8" in text
    # Bytes that are text in no encoding Windows uses (0x81 is undefined in Windows-1252).
    _write_narrative(data_dir, b"## A\nbad \x81 here\n")
    with pytest.raises(DataError) as error:
        narrative.read(_summary(data_dir), data_dir)
    assert "line 2" in str(error.value.problems[0]) and "save it again as UTF-8" in str(error.value.problems[0])


def test_decode_text_knows_the_byte_order_marks_and_refuses_stray_bytes_with_their_place():
    assert decode_text(b"\xef\xbb\xbfabc") == ("abc", "utf-8-sig")
    assert decode_text("abc\u00e9".encode("utf-16"))[0] == "abc\u00e9"
    assert decode_text("abc".encode("utf-32"))[0] == "abc"
    assert decode_text("caf\u00e9".encode("cp1252")) == ("caf\u00e9", "cp1252")
    with pytest.raises(InputError) as error:
        decode_text(b"\xef\xbb\xbfline one\nab\xe9c")  # a BOM says UTF-8: the stray byte is refused
    assert (error.value.line, error.value.column) == (2, 3)
    with pytest.raises(InputError):
        decode_text(b"a\x00b")


def test_normalise_makes_look_alike_texts_equal():
    nfd = unicodedata.normalize("NFD", "Caf\u00e9 Team")
    assert nfd != "Caf\u00e9 Team" and normalise(nfd) == "Caf\u00e9 Team"
    assert normalise("Team\u00a0A\u2009B\u3000C") == "Team A B C"
    assert normalise("plain") == "plain"


# ------------------------------------------------------------------------------- the boundary


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the data folder, holding files someone might link to."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.md").write_text("## Outside\n\nTEXT FROM OUTSIDE THE DATA FOLDER\n", encoding="utf-8")
    return folder


def test_a_narrative_linked_from_outside_is_refused_not_published(data_dir, outside):
    link = _summary(data_dir).path
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside / "secret.md")
    before = tree_hashes(data_dir)
    with pytest.raises(DataError) as error:
        narrative.read(_summary(data_dir), data_dir)
    assert "out of the data folder" in str(error.value.problems[0])
    problems = validate.check_year(data_dir, 2022).problems
    assert any("summary.md" in p.file and "out of the data folder" in str(p) for p in problems)
    assert tree_hashes(data_dir) == before


def test_a_theme_narrative_through_a_linked_folder_is_refused(data_dir, outside):
    themes = _summary(data_dir).path.parent / "themes"
    themes.parent.mkdir(parents=True, exist_ok=True)
    (outside / "improvement.md").write_text("## X\n\nLEAKED\n", encoding="utf-8")
    themes.symlink_to(outside)  # the folder is the link: the file's own name is no link at all
    with pytest.raises(DataError) as error:
        narrative.read(narrative.part(data_dir, 2022, "theme", "improvement"), data_dir)
    assert "out of the data folder" in str(error.value.problems[0])


@pytest.mark.parametrize("name", ["settings.yml", "question_bank.yml"])
def test_settings_and_bank_linked_from_outside_are_refused(data_dir, outside, name):
    target = outside / name
    target.write_bytes((data_dir / name).read_bytes())
    (data_dir / name).unlink()
    (data_dir / name).symlink_to(target)
    loader = config.load_settings if name == "settings.yml" else config.load_bank
    with pytest.raises(DataError) as error:
        loader(data_dir)
    assert name in str(error.value.problems[0]) and "out of the data folder" in str(error.value.problems[0])


def test_a_link_inside_the_data_folder_is_still_read(data_dir):
    shared = data_dir / "shared-summary.md"
    shared.write_text("## Key findings\n\n" + PROSE + "\n", encoding="utf-8")
    link = _summary(data_dir).path
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(shared)
    assert PROSE in narrative.read(_summary(data_dir), data_dir).text


def test_quotes_linked_from_outside_or_a_fifo_are_refused_by_name(data_dir, outside):
    pd.DataFrame({"theme": ["improvement"], "quote": ["Outside quote"], "speaker": ["Social worker"]}).to_csv(
        outside / "quotes.csv", index=False
    )
    quotes = data_dir / "2022" / "quotes.csv"
    quotes.symlink_to(outside / "quotes.csv")
    problems = validate.check_year(data_dir, 2022).problems
    assert any(p.file.endswith("quotes.csv") and "out of the data folder" in str(p) for p in problems)
    with pytest.raises(DataError):
        inputs.read_quotes(quotes)
    quotes.unlink()
    os.mkfifo(quotes)
    result: dict = {}

    def check():  # a FIFO opened for reading would wait for a writer for ever
        result["problems"] = validate.check_year(data_dir, 2022).problems
        try:
            inputs.read_quotes(quotes)
        except DataError as exc:
            result["read"] = exc.problems

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "reading a FIFO hung"
    assert any(p.file.endswith("quotes.csv") and "named pipe" in str(p) for p in result["problems"])
    assert "named pipe" in str(result["read"][0])


def test_a_fifo_narrative_is_refused_by_name_not_waited_on(data_dir):
    path = _summary(data_dir).path
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    start = time.monotonic()
    problems = validate.check_year(data_dir, 2022).problems
    assert time.monotonic() - start < 30
    assert any("summary.md" in p.file and "named pipe" in str(p) for p in problems)


def test_a_socket_in_place_of_an_input_is_refused_by_name(data_dir):
    import socket

    path = data_dir / "2022" / "words.csv"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        problems = validate.check_year(data_dir, 2022).problems
    finally:
        server.close()
    assert any(p.file.endswith("words.csv") and "a socket" in str(p) for p in problems)


def test_an_export_linked_from_outside_is_refused(data_dir, outside):
    export = data_dir / "2022" / "export.csv"
    (outside / "export.csv").write_bytes(export.read_bytes())
    export.unlink()
    export.symlink_to(outside / "export.csv")
    with pytest.raises(read.ReadError) as error:
        read.read_table(export, root=data_dir)
    assert "out of the data folder" in error.value.message
    assert any("out of" in str(p) for p in validate.check_year(data_dir, 2022).problems)


def test_the_data_format_docs_say_what_is_enforced():
    docs = (Path(__file__).parents[2] / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert "named pipe" in docs and "link" in docs and "Windows-1252" in docs and "UTF-16" in docs


# ------------------------------------------------------------------------------- encodings of tables


def test_a_bom_export_with_one_stray_byte_is_refused_at_its_row_and_column(tmp_path):
    frame = pd.DataFrame({"Team": ["A", "B", "C"], "Q": ["Agree", "Disagree", "Agree"]})
    raw = frame.to_csv(index=False).encode("utf-8")
    raw = b"\xef\xbb\xbf" + raw.replace(b"B,Disagree", b"B\x92,Disagree")
    (tmp_path / "export.csv").write_bytes(raw)
    with pytest.raises(read.ReadError) as error:
        read.read_table(tmp_path / "export.csv")
    assert error.value.row == 3 and "row 3, column A" in error.value.message and "92" in error.value.message


def test_an_answer_label_with_an_invisible_character_counts_as_that_label(data_dir, tmp_path):
    from healthcheck.analysis.survey import load_survey

    clean = load_survey(data_dir, 2022).figures(2022)
    dirty_dir = tmp_path / "dirty"
    import shutil

    shutil.copytree(data_dir, dirty_dir)
    export = dirty_dir / "2022" / "export.csv"
    text = export.read_text(encoding="utf-8-sig")
    text = text.replace("Disagree", "Dis\u200bagree", 3).replace("Agree,", "Agree\u200b,", 2).replace("Agree,", "Agree\u00a0,", 2)
    export.write_text(text.replace("Strongly agree", "Strongly\u00a0agree", 2), encoding="utf-8-sig")
    checked = validate.check_year(dirty_dir, 2022)
    assert not checked.errors
    assert any("U+200B" in str(p) and p.severity == "warning" for p in checked.problems)  # said, with the warning
    dirty = load_survey(dirty_dir, 2022).figures(2022)
    pd.testing.assert_frame_equal(dirty, clean)


def test_yaml_in_windows_encodings_and_with_no_break_spaces_reads(data_dir):
    settings = data_dir / "settings.yml"
    settings.write_bytes("organisation: Caf\u00e9 Council\nsuppression_threshold: 10\n".encode("cp1252"))
    assert config.load_settings(data_dir).organisation == "Caf\u00e9 Council"
    settings.write_bytes("organisation:\u00a0Test Council\nsuppression_threshold: 10\n".encode("utf-16"))
    assert config.load_settings(data_dir).organisation == "Test Council"


# ------------------------------------------------------------------------------- look-alike groups


def _respell_teams(data_dir: Path, spellings: dict[int, str]) -> Path:
    """The 2022 export with the team of some respondents (by position) respelt."""
    export = data_dir / "2022" / "export.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for position, team in spellings.items():
        frame.loc[position, "Team"] = team
    frame.to_csv(export, index=False, encoding="utf-8-sig")
    return export


def _set_meta(data_dir: Path, **values) -> None:
    path = data_dir / "2022" / "survey.yml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta.update(values)
    path.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "respelt, described",
    [
        ("\u0422\u0435\u0430m A", "Cyrillic"),  # Cyrillic Te and ie in "Team A"
        ("\u0391 Team", None),  # not a look-alike of any team: a new group, no problem
        ("team a", None),
        ("Team  A", None),
        ("T\u0435am A", "Cyrillic"),
    ],
)
def test_look_alike_team_names_are_flagged_with_both_spellings_and_rows(data_dir, respelt, described):
    _respell_teams(data_dir, {4: respelt, 10: respelt})  # rows 6 and 12 as Excel numbers them
    before = tree_hashes(data_dir)
    problems = [p for p in validate.check_year(data_dir, 2022).problems if "one spelling of each team" in p.expected]
    if respelt == "\u0391 Team":
        assert problems == []
        return
    [problem] = problems
    text = str(problem)
    assert "'Team A' (row 2" in text and f"'{respelt}'" in text and "(row 6, 12)" in text and "group_names" in text
    assert problem.row == 6 and problem.column == "Team" and problem.severity == "error"
    if described:
        assert "Cyrillic" in text
    assert tree_hashes(data_dir) == before


def test_the_analyst_decides_look_alikes_with_group_names(data_dir):
    from healthcheck.analysis.survey import load_survey

    clean = load_survey(data_dir, 2022).breakdowns(2022)
    _respell_teams(data_dir, {3: "team a", 9: "\u0422eam A"})  # two of Team A's respondents
    _set_meta(data_dir, group_names={"team a": "Team A", "\u0422eam A": "Team A"})
    checked = validate.check_year(data_dir, 2022)
    assert not checked.errors
    pd.testing.assert_frame_equal(load_survey(data_dir, 2022).breakdowns(2022), clean)  # counted as one team
    _set_meta(data_dir, group_names={"team a": "team a", "\u0422eam A": "Team A"})  # kept apart on purpose
    assert not validate.check_year(data_dir, 2022).errors


def test_a_team_in_two_normal_forms_is_one_team(data_dir):
    from healthcheck.analysis.survey import load_survey

    _respell_teams(data_dir, {i: "Caf\u00e9 team" for i in range(0, 40, 2)})
    clean = load_survey(data_dir, 2022).breakdowns(2022)
    _respell_teams(data_dir, {i: unicodedata.normalize("NFD", "Caf\u00e9 team") for i in range(0, 40, 4)})
    assert not validate.check_year(data_dir, 2022).errors
    pd.testing.assert_frame_equal(load_survey(data_dir, 2022).breakdowns(2022), clean)


# ------------------------------------------------------------------------------- workbooks


def _answers_workbook(path: Path, formula: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Answers"
    sheet.append(["Response ID", "Team", "Q"])
    for i in range(1, 6):
        sheet.append([str(i), "A", '="Ag"&"ree"' if formula and i in (2, 4) else "Agree"])
    book.save(path)
    return path


def _with_sheet(source: Path, target: Path, write_sheet) -> Path:
    """`source` copied to `target` with its first sheet's XML written by `write_sheet(handle)`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with new.open(info.filename, "w", force_zip64=True) as handle:
                    write_sheet(handle)
            else:
                new.writestr(info, old.read(info))
    return target


@pytest.mark.parametrize("megabytes", [400, 1.5])
def test_an_xlsx_zip_bomb_is_refused_quickly_with_a_clear_message(tmp_path, megabytes):
    def bomb(handle):  # one cell of 400 million characters (or 1.5 million, inside one read)
        handle.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        handle.write(b'<sheetData><row r="1">' + b"<c/>" * 700_000)  # 2.8 MB of tags: the cell spans two reads
        handle.write(b'<c r="B1" t="inlineStr"><is><t>')
        chunk = b"A" * (1 << 19)
        for _ in range(int(megabytes * 2)):
            handle.write(chunk)
        handle.write(b"</t></is></c></row></sheetData></worksheet>")

    path = _with_sheet(_answers_workbook(tmp_path / "plain.xlsx"), tmp_path / "export.xlsx", bomb)
    assert path.stat().st_size < 1_000_000
    start = time.monotonic()
    with pytest.raises(read.ReadError) as error:
        read.read_table(path)
    assert time.monotonic() - start < 5
    assert "32,767" in error.value.message and "export the survey again" in error.value.message.lower()


def test_formula_cells_without_a_saved_value_are_refused_by_cell(tmp_path):
    path = _answers_workbook(tmp_path / "export.xlsx", formula=True)
    with pytest.raises(read.ReadError) as error:
        read.read_table(path)
    assert "(C3, C5)" in error.value.message and "open it in Excel and save it again" in error.value.message
    assert error.value.column == "C3"


def test_formula_cells_with_a_saved_value_read_as_that_value(tmp_path):
    source = _answers_workbook(tmp_path / "formulas.xlsx", formula=True)
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    saved = xml.replace(b"<v />", b"<v>Agree</v>").replace(b'<c r="C3">', b'<c r="C3" t="str">')
    saved = saved.replace(b'<c r="C5">', b'<c r="C5" t="str">')
    path = _with_sheet(source, tmp_path / "export.xlsx", lambda handle: handle.write(saved))
    assert read.read_table(path).frame["Q"].tolist() == ["Agree"] * 5


def test_one_stray_cell_far_to_the_right_gives_a_short_note(tmp_path):
    path = _answers_workbook(tmp_path / "export.xlsx")
    book = openpyxl.load_workbook(path)
    book["Answers"]["XFC7"] = "x"
    book.save(path)
    result = read.read_table(path)
    note = next(n for n in result.notes if "no heading and no values" in n)
    assert len(note) < 200 and "D to XFB" in note


# ------------------------------------------------------------------------------- CSV and file names


def test_a_csv_whose_heading_row_is_longer_than_64_kib_reads(tmp_path):
    headings = ["Response ID", "Team"] + [f"Statement {i}: " + " ".join(["a long question text"] * 60) for i in range(60)]
    assert len(",".join(headings)) > 70_000
    rows = [[str(i), "A"] + ["Agree"] * 60 for i in range(1, 30)]
    frame = pd.DataFrame(rows, columns=headings)
    frame.to_csv(tmp_path / "export.csv", index=False, encoding="utf-8-sig")
    result = read.read_table(tmp_path / "export.csv")
    assert list(result.frame.columns) == headings and len(result.frame) == 29 and result.delimiter == ","


def test_a_file_name_stored_in_another_normal_form_is_found(data_dir):
    folder = data_dir / "2022"
    nfd = unicodedata.normalize("NFD", "r\u00e9ponses.csv")
    (folder / "export.csv").rename(folder / nfd)
    _set_meta(data_dir, export="r\u00e9ponses.csv")  # survey.yml spells it composed (NFC)
    assert not (folder / "r\u00e9ponses.csv").exists() or os.path.samefile(folder / "r\u00e9ponses.csv", folder / nfd)
    checked = validate.check_year(data_dir, 2022)
    assert not checked.errors and len(checked.frame) == 40


# ------------------------------------------------------------------------------- pathological Markdown


@pytest.mark.parametrize(
    "text",
    [
        "[" * 97_000,
        "[" * 48_000 + "]" * 48_000,
        "[a](" * 24_000,
        "*a" * 48_000,
        "<" * 97_000,
    ],
    ids=["open brackets", "nested brackets", "link openings", "emphasis", "angle brackets"],
)
def test_a_pathological_narrative_is_refused_at_once(data_dir, text):
    _write_narrative(data_dir, text.encode("utf-8"))
    start = time.monotonic()
    problems = validate.check_year(data_dir, 2022).problems
    assert time.monotonic() - start < 10
    [problem] = [p for p in problems if "summary.md" in p.file]
    assert problem.row == 1 and "in one paragraph" in problem.expected


def test_a_one_megabyte_narrative_is_refused_by_its_size(data_dir):
    _write_narrative(data_dir, ("Some prose with a reference {pct}`IMP01` in it.\n\n" * 21_000).encode("utf-8"))
    start = time.monotonic()
    problems = [p for p in validate.check_year(data_dir, 2022).problems if "summary.md" in p.file]
    assert time.monotonic() - start < 10
    assert len(problems) == 1 and "100,000" in str(problems[0])


def test_a_long_but_ordinary_narrative_is_checked_in_seconds(data_dir):
    paragraph = "Agreement was {pct}`IMP01` ({n}`IMP01` answers), [a link](https://example.org) and *emphasis*.\n\n"
    _write_narrative(data_dir, ("## Findings\n\n" + paragraph * 900).encode("utf-8"))
    assert len(_summary(data_dir).path.read_bytes()) < 100_000
    start = time.monotonic()
    problems = [p for p in validate.check_year(data_dir, 2022).problems if "summary.md" in p.file]
    assert problems == [] and time.monotonic() - start < 20


def test_a_heading_in_another_normal_form_than_survey_yml_still_matches(data_dir):
    export = data_dir / "2022" / "export.csv"
    composed = "My workload is manageable (caf\u00e9 staff)"
    text = export.read_text(encoding="utf-8-sig")
    export.write_text(text.replace("My workload is manageable", unicodedata.normalize("NFD", composed)), encoding="utf-8-sig")
    path = data_dir / "2022" / "survey.yml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta["questions"] = {composed if k == "My workload is manageable" else k: v for k, v in meta["questions"].items()}
    path.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")
    checked = validate.check_year(data_dir, 2022)
    assert not checked.errors and composed in checked.frame.columns
