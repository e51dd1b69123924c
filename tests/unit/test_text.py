"""Text fields made safe at the door: invisible characters, personal data, names as speakers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from healthcheck.data.cleaning import clean_text, looks_like_person_name, personal_data


@pytest.mark.parametrize(
    "raw, cleaned, removed",
    [
        ("Team \u202eA", "Team A", ["U+202E RIGHT-TO-LEFT OVERRIDE"]),
        ("zero\u200bwidth", "zerowidth", ["U+200B ZERO WIDTH SPACE"]),
        ("\u2066isolated\u2069", "isolated", ["U+2066 LEFT-TO-RIGHT ISOLATE", "U+2069 POP DIRECTIONAL ISOLATE"]),
        ("stray\ufeffmark", "straymark", ["U+FEFF ZERO WIDTH NO-BREAK SPACE"]),
        ("soft\u00adhyphen", "softhyphen", ["U+00AD SOFT HYPHEN"]),
        ("bell\x07 nul\x00", "bell nul", ["U+0007 CONTROL CHARACTER", "U+0000 CONTROL CHARACTER"]),
        ("a\u202eb\u202ec", "abc", ["U+202E RIGHT-TO-LEFT OVERRIDE"]),  # each kind reported once
    ],
)
def test_clean_text_removes_and_reports(raw, cleaned, removed):
    assert clean_text(raw) == (cleaned, removed)


def test_clean_text_keeps_what_is_meant():
    assert clean_text("Plain text, 100%") == ("Plain text, 100%", [])
    assert clean_text("tab\there\nnew line") == ("tab\there\nnew line", [])
    assert clean_text("windows\r\nline\rends\u2028x") == ("windows\nline\nends\nx", [])
    assert clean_text("Zoë, café, \u0645\u0631\u062d\u0628\u0627") == ("Zoë, café, \u0645\u0631\u062d\u0628\u0627", [])
    health_worker = "\U0001f469\u200d\u2695\ufe0f"  # woman + ZWJ + staff of Aesculapius
    assert clean_text(f"thanks {health_worker}") == (f"thanks {health_worker}", [])
    wales = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    assert clean_text(f"from {wales}") == (f"from {wales}", [])
    assert clean_text(None) == ("", []) and clean_text(float("nan")) == ("", []) and clean_text(5) == ("5", [])


def test_personal_data_finds_emails_and_uk_phone_numbers():
    text = (
        "Ring Jane on 07700 900123 or +44 (0)1452 425000, (01452) 425000, +447700900123 "
        "or 0800-123-4567; e-mail jane.smith@glos.gov.uk"
    )
    assert personal_data(text) == [
        "07700 900123",
        "+44 (0)1452 425000",
        "(01452) 425000",
        "+447700900123",
        "0800-123-4567",
        "jane.smith@glos.gov.uk",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "On 01/05/2022 we met",
        "scores of 0 to 5",
        "in 2022 2023 and 2024",
        "0.5 of a post",
        "about 66% agreed",
        "ref 12345678901",
        "",
        "an @ sign",
    ],
)
def test_personal_data_ignores_ordinary_numbers(text):
    assert personal_data(text) == []


@pytest.mark.parametrize(
    "speaker",
    [
        "Jane Smith",
        "Jane Smith, social worker",
        "Dr Patel",
        "Mrs Jones",
        "Mary O'Brien",
        "Ian McDonald-Smith",
        "J. Smith",
        "Łukasz Nowak",
        "Anne-Marie van der Berg",
        "Social worker (Tom Evans)",
    ],
)
def test_names_are_noticed(speaker):
    assert looks_like_person_name(speaker)


@pytest.mark.parametrize(
    "speaker",
    [
        "Social worker, safeguarding",
        "Advanced practitioner",
        "Senior social worker, children in care",
        "Family support worker, early help",
        "Team Manager",
        "Principal Social Worker",
        "Head of Service",
        "Newly Qualified Social Worker",
        "ASYE",
        "Focus group participant",
        "North Locality",
        "Gloucester City",
        "Forest of Dean",
        "Jane",
        "Manager",
        "",
        None,
        "Team 3",
    ],
)
def test_roles_are_not_names(speaker):
    assert not looks_like_person_name(speaker)


def test_no_shipped_speaker_looks_like_a_name():
    files = sorted((Path(__file__).resolve().parents[2] / "data").glob("*/quotes.csv"))  # read only
    speakers = [row["speaker"] for path in files for row in csv.DictReader(path.open(encoding="utf-8-sig"))]
    assert speakers
    assert [s for s in speakers if looks_like_person_name(s)] == []


# ------------------------------------------------------------------ whole tables and YAML trees


def test_clean_frame_cleans_headings_and_cells_and_says_where():
    import pandas as pd

    from healthcheck.data.inputs import clean_frame

    frame = pd.DataFrame({"Te\u200bam": ["North\u202e", "South", "North\u202e"], "Q": ["Agree", "Agree", "x\u0007"]})
    frame.index = pd.RangeIndex(2, 5, name="row")
    cleaned, removed = clean_frame(frame)
    assert list(cleaned.columns) == ["Team", "Q"]
    assert cleaned["Team"].tolist() == ["North", "South", "North"] and cleaned["Q"].tolist() == ["Agree", "Agree", "x"]
    assert [(row, column) for row, column, _ in removed] == [(1, "Team"), (2, "Team"), (4, "Team"), (4, "Q")]
    assert list(cleaned.index) == [2, 3, 4]  # Excel's rows kept


def test_clean_tree_cleans_keys_and_values_with_their_paths():
    from healthcheck.data.inputs import clean_tree

    tree = {"organisation": "A\u202e Council", "questions": {"Q\u200b1": "IMP01"}, "current": [{"actions": ["a\u2066b"]}]}
    cleaned, removed = clean_tree(tree)
    assert cleaned == {"organisation": "A Council", "questions": {"Q1": "IMP01"}, "current": [{"actions": ["ab"]}]}
    assert [key for key, _ in removed] == ["organisation", "questions.Q1", "current[1].actions[1]"]


def test_chapters_read_quotes_words_and_indicators_cleaned(tmp_path):
    from healthcheck.data.inputs import read_indicators, read_quotes, read_words
    from healthcheck.errors import DataError

    year = tmp_path / "data" / "2022"
    year.mkdir(parents=True)
    (year / "quotes.csv").write_text(
        "theme,quote,speaker,illustrative\nwellbeing,Busy\u202e week,Team manager,no\n", encoding="utf-8"
    )
    quotes = read_quotes(year / "quotes.csv")
    assert quotes["quote"].tolist() == ["Busy week"] and list(quotes.index) == [0]
    words = read_words(year / "words.csv")  # absent: empty, with the columns
    assert words.empty and list(words.columns) == ["word", "count", "source"]
    (year / "indicators.csv").mkdir()
    with pytest.raises(DataError) as refused:
        read_indicators(year / "indicators.csv")
    assert "this is a folder" in refused.value.report()
