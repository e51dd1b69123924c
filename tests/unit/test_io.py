"""Reading exports as they come and turning them into the tidy counts table."""

import numpy as np
import pandas as pd
import pytest

from healthcheck.data import codes
from healthcheck.data import counts as counting
from healthcheck.data.inputs import read_clean
from healthcheck.errors import DataError


@pytest.mark.parametrize(
    "label, code",
    [
        ("Strongly Agree", "strongly_agree"),
        ("strongly agree ", "strongly_agree"),
        ("  Strongly   agree", "strongly_agree"),
        ("Neutral", "neutral"),
        ("Neither agree nor disagree", "neutral"),
        ("Don\u2019t know", "dont_know"),
        ("N/A", "not_applicable"),
        ("", "blank"),
        (None, "blank"),
        ("Agre", None),
    ],
)
def test_normalise_label(label, code):
    assert codes.normalise_label(label) == code


def test_reads_utf8_bom_cp1252_and_xlsx_alike(tmp_path):
    frame = pd.DataFrame({"Response ID": ["1", "2"], "I don\u2019t feel safe": ["Agree", "Neither agree nor disagree"]})
    frame.to_csv(tmp_path / "bom.csv", index=False, encoding="utf-8-sig")
    frame.to_csv(tmp_path / "win.csv", index=False, encoding="cp1252")
    frame.to_excel(tmp_path / "book.xlsx", index=False)
    for name in ("bom.csv", "win.csv", "book.xlsx"):
        read = read_clean(tmp_path / name, tmp_path).frame
        assert list(read.columns) == list(frame.columns), name
        assert read.values.tolist() == frame.values.tolist(), name


def test_xlsx_reads_first_sheet_only(tmp_path):
    with pd.ExcelWriter(tmp_path / "two.xlsx") as writer:
        pd.DataFrame({"Q": ["Agree"]}).to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame({"Note": ["exported by the tool"]}).to_excel(writer, sheet_name="Notes", index=False)
    assert list(read_clean(tmp_path / "two.xlsx", tmp_path).frame.columns) == ["Q"]


def test_unknown_extension_is_a_plain_error(tmp_path):
    (tmp_path / "export.pdf").write_bytes(b"%PDF")
    with pytest.raises(DataError) as raised:
        read_clean(tmp_path / "export.pdf", tmp_path)
    assert "expected a .csv or .xlsx" in str(raised.value.problems[0])


def test_respondents_to_counts_matches_a_naive_count():
    rng = np.random.default_rng(1)
    labels = np.array(["Strongly agree", "agree ", "Neutral", "Disagree", "Strongly Disagree", "Don't know", "", "N/A"])
    frame = pd.DataFrame(
        {
            "Q1": rng.choice(labels, 500),
            "Q2": rng.choice(labels, 500),
            "Team": rng.choice(["North", "South", ""], 500),
        }
    )
    counts = counting.respondents_to_counts(frame, 2022, {"Q1": "A01", "Q2": "A02"}, {"team": "Team"})
    # Independent tally with a plain Python loop over respondents.
    for qcol, qid in (("Q1", "A01"), ("Q2", "A02")):
        for team in ("North", "South"):
            expected = {}
            for label, t in zip(frame[qcol], frame["Team"], strict=True):
                if t == team:
                    code = codes.normalise_label(label)
                    expected[code] = expected.get(code, 0) + 1
            got = counts[(counts.question_id == qid) & (counts.group == team)].set_index("response")["n"].to_dict()
            assert got == expected
        total = counts[(counts.question_id == qid) & (counts.group_type == "all")]["n"].sum()
        assert total == 500  # blanks in Team still count in All staff
    assert list(counts.columns) == counting.COUNT_COLUMNS
    assert "" not in set(counts.group)


def test_summary_to_counts():
    class Cols:
        question, response, count = "Question", "Response", "Count"

    frame = pd.DataFrame(
        {
            "Question": ["Q one", "Q one", "Q one "],
            "Response": ["Agree", "Strongly Agree", "Don't know"],
            "Count": ["4", "6", "2"],
        }
    )
    counts = counting.summary_to_counts(frame, 2020, Cols, {"Q one": "A01"})
    assert counts.set_index("response")["n"].to_dict() == {"strongly_agree": 6, "agree": 4, "dont_know": 2}
    assert set(counts.group) == {codes.ALL_STAFF}
