"""Property-based tests (Hypothesis) of reading CSV exports and decoding text files.

The contracts are the docstrings of `healthcheck.data.tables.read.read_table` (every cell as text, or
one ReadError in plain words), `healthcheck.data.inputfile.decode_text` (UTF-8 with or without
a byte-order mark, UTF-16 and UTF-32 with one, Windows-1252 when the file holds no UTF-8
character; otherwise InputError with the line and column) and `healthcheck.data.inputs.read_clean`
(the door of the data layer: a DataError naming the file, never a traceback).
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from healthcheck.data import inputfile, inputs
from healthcheck.data.tables import read
from healthcheck.errors import DataError, HealthcheckError

pytestmark = pytest.mark.unit

# No deadline: the machine is shared, and a slow example is not a wrong one. The folder fixture
# is one per test, written afresh by every example.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_folder_counter = itertools.count()

# Headings as survey tools write them: words, never blank, no surrounding spaces (the reader
# strips a heading), no two the same (the reader renames a repeated one, as pandas does).
heading = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters=" ?'-()"), min_size=1, max_size=12).map(
    str.strip
)
# Answers: any text a respondent can type, the CSV format's own characters made likely. Control
# characters and NUL make a binary file; a byte-order mark inside a file is not one a tool writes.
typed = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
cell = st.lists(
    st.one_of(st.text(typed, max_size=8), st.sampled_from([",", ";", '"', "\n", "\r\n", "'", " ", "="])), max_size=4
).map("".join)


@st.composite
def tables(draw, cells=cell, headings=heading):
    """(headings, rows): 2 to 4 columns, 1 to 5 rows, no row entirely empty (the reader leaves
    those out and says so)."""
    names = draw(st.lists(headings.filter(bool), min_size=2, max_size=4, unique_by=str.casefold))
    rows = draw(st.lists(st.lists(cells, min_size=len(names), max_size=len(names)), min_size=1, max_size=5))
    assume(all(any(row) for row in rows))
    return names, rows


def csv_text(names, rows, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    writer.writerows(rows)
    return out.getvalue()


def write(folder: Path, data: bytes, name: str = "export.csv") -> Path:
    path = folder / f"{next(_folder_counter)}-{name}"
    path.write_bytes(data)
    return path


def as_read(names, rows) -> list[list[str]]:
    """The table as read_table gives it back: every cell as text; a line break inside a cell
    is kept as the writer wrote it."""
    return [names, *rows]


def read_back(path: Path) -> list[list[str]]:
    result = read.read_table(path)
    frame = result.frame
    return [list(frame.columns), *(list(map(str, row)) for row in frame.itertuples(index=False))]


ENCODINGS = [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),  # Excel's "CSV UTF-8"
    ("utf-16-le", b"\xff\xfe"),  # Excel's "Unicode text"
    ("utf-16-be", b"\xfe\xff"),
]


@FAST
@given(tables(), st.sampled_from(ENCODINGS), st.sampled_from([",", ";", "\t"]))
@example((["Team", "Q1"], [["A, B", 'She said "yes"']]), ENCODINGS[1], ",")
@example((["Team", "Q1"], [["Line one\r\nline two", "=1+1"]]), ENCODINGS[2], "\t")
@example((["0", "00"], [["", " "]]), ENCODINGS[0], "\t")  # a row of a tab and a space: once read as no row
def test_a_table_reads_back_as_written_in_every_unicode_encoding(tmp_path, table, encoding, delimiter):
    names, rows = table
    text = csv_text(names, rows, delimiter)
    codec, bom = encoding
    path = write(tmp_path, bom + text.encode(codec))
    try:
        got = read_back(path)
    except read.ReadError as exc:
        # The one refusal a well-formed file may get: cells whose content makes two separators
        # equally plausible. It must say so, in words.
        assert "cannot tell which character separates the cells" in exc.message, exc.message
        event("refused: unclear separator")
        return
    assert got == as_read(names, rows)


cp1252_text = st.characters(codec="cp1252", blacklist_categories=("Cs", "Cc"))
cp1252_heading = st.text(
    st.characters(codec="cp1252", whitelist_categories=("L", "N"), whitelist_characters=" ?'-()"), min_size=1, max_size=12
).map(str.strip)
# Mostly text as people type it in Windows (words with accents, pound signs and curly quotes
# between spaces), sometimes any Windows-1252 characters at all.
WINDOWS_WORDS = ["Café", "naïve", "£5", "€10", "–", "“quoted”", "it’s", "Zoë", "façade", "Ça", "¼", "x,y", '"', "a"]
cp1252_cell = st.one_of(
    st.lists(st.sampled_from(WINDOWS_WORDS), max_size=4).map(" ".join),
    st.lists(st.one_of(st.text(cp1252_text, max_size=8), st.sampled_from([",", '"', "£", "é", "\u2019"])), max_size=4).map(
        "".join
    ),
)


@FAST
@given(tables(cp1252_cell, cp1252_heading))
@example((["Team", "Q1"], [["Café", "£5 – “quoted”"]]))
@example((["Team", "Q1"], [["Ã©", "x"]]))  # these bytes are also UTF-8 ("é"): documented as read as UTF-8
def test_a_windows_1252_table_reads_back_or_is_refused_in_words(tmp_path, table):
    names, rows = table
    text = csv_text(names, rows)
    data = text.encode("cp1252")
    path = write(tmp_path, data)
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None:
        # Bytes that are valid UTF-8 are read as UTF-8 (the docstring's rule): ASCII reads the
        # same either way; anything else is the documented ambiguity, not tested further.
        event("valid UTF-8")
        if data.isascii():
            assert read_back(path) == as_read(names, rows)
        return
    if inputfile.has_utf8_sequence(data):
        # Windows-1252 text that happens to hold a valid UTF-8 character is taken for UTF-8
        # with a stray byte, and refused by row and column rather than garbled.
        event("refused: a UTF-8 character and a stray byte")
        with pytest.raises(read.ReadError) as caught:
            read_back(path)
        assert "row" in caught.value.message and "UTF-8" in caught.value.message
        return
    event("read as Windows-1252")
    assert read_back(path) == as_read(names, rows)


# (codec, byte-order mark, the encoding decode_text names)
UNICODE_BOMS = [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("utf-16-le", b"\xff\xfe", "utf-16-le"),
    ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le"),
    ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32-be"),
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(typed), st.sampled_from(UNICODE_BOMS))
def test_decode_text_gives_back_the_text_in_every_unicode_encoding(text, encoding):
    codec, bom, name = encoding
    assert inputfile.decode_text(bom + text.encode(codec)) == (text, name)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(cp1252_text, min_size=1))
def test_decode_text_reads_windows_1252_when_the_bytes_are_not_utf8(text):
    data = text.encode("cp1252")
    try:
        data.decode("utf-8")
        assume(False)  # valid UTF-8 is read as UTF-8: the documented rule, not this test's
    except UnicodeDecodeError:
        pass
    try:
        decoded, used = inputfile.decode_text(data)
    except inputfile.InputError as exc:
        assert inputfile.has_utf8_sequence(data)  # refused only when the bytes also hold UTF-8
        assert exc.line is not None and exc.column is not None
        return
    assert (decoded, used) == (text, "cp1252")


junk = st.one_of(
    st.binary(min_size=1, max_size=300),
    # Near-misses of real files: a table with bytes spliced in, cut short, or prefixed with a magic number.
    st.builds(
        lambda table, cut, noise, prefix: prefix + csv_text(*table).encode("utf-16" if cut % 2 else "utf-8")[cut:] + noise,
        tables(),
        st.integers(min_value=0, max_value=7),
        st.binary(max_size=8),
        st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf", b"\xff\xfe", b"sep=;\n", b'"']),
    ),
)


@FAST
@given(junk, st.sampled_from(["export.csv", "export.txt", "export.tsv", "export.xlsx"]))
@example(b"\x00\x01\x02", "export.csv")
@example(b'a,b\n"unterminated,1\n', "export.csv")
@example(b"a,b\n1,2,3\n", "export.csv")
@example(b"\xff\xfe\x00", "export.csv")
@example(b"PK\x03\x04junk", "export.xlsx")
def test_junk_bytes_give_a_read_error_never_another_exception(tmp_path, data, name):
    path = write(tmp_path, data, name)
    try:
        read.read_table(path)
    except read.ReadError as exc:
        assert exc.message.strip()
    # read_clean is the data layer's door: what read_table refuses becomes a DataError naming the file.
    try:
        inputs.read_clean(path, tmp_path)
    except DataError as exc:
        assert isinstance(exc, HealthcheckError)
        assert exc.problems and all(p.file for p in exc.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
@example(b"\xef\xbb\xbf\xff")
@example(b"caf\xc3\xa9 \xe9")
@example(b"\xff\xfe\x00\xd8")  # a lone UTF-16 surrogate
def test_decode_text_refuses_with_an_input_error_only(data):
    try:
        text, _ = inputfile.decode_text(data)
    except inputfile.InputError as exc:
        assert exc.message.strip()
        return
    assert isinstance(text, str)


ascii_cell = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8)
ascii_heading = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters=',;\t"'), max_size=12).map(
    str.strip
)


@FAST
@given(tables(ascii_cell, ascii_heading), st.sampled_from(["utf-16-le", "utf-16-be"]), st.sampled_from([",", "\t"]))
def test_an_ascii_table_in_utf16_without_a_byte_order_mark_reads_back(tmp_path, table, codec, delimiter):
    # Every other byte of ASCII text is NUL: the readers recognise UTF-16 without its mark.
    names, rows = table
    text = csv_text(names, rows, delimiter)
    path = write(tmp_path, text.encode(codec))
    try:
        got = read_back(path)
    except read.ReadError as exc:
        assert "cannot tell which character separates the cells" in exc.message, exc.message
        return
    assert got == as_read(names, rows)
    assert inputfile.decode_text(text.encode(codec)) == (text, codec)
