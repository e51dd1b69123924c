"""Text fields made safe at the door: invisible characters, personal data, names as speakers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from healthcheck.data.text import clean_text, looks_like_person_name, personal_data

pytestmark = pytest.mark.unit


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
    files = sorted((Path(__file__).resolve().parents[1] / "data").glob("*/quotes.csv"))  # read only
    speakers = [row["speaker"] for path in files for row in csv.DictReader(path.open(encoding="utf-8-sig"))]
    assert speakers
    assert [s for s in speakers if looks_like_person_name(s)] == []
