"""`import` of a Microsoft Forms export: its personal, question-worded and free-text columns.

Microsoft Forms puts ID, Start time, Completion time, Email and Name first, asks for the team
and role as questions, and ends with a comment box. The import asks rather than guesses: the
team and role questions are candidates to confirm, personal data is left out and never a
candidate, and the comment box is no statement.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

from healthcheck.data.config import load_year_meta
from healthcheck.scaffold import headings, importer, newyear
from tests.support import second_council as council

TEAM_QUESTION = "Which team or service do you work in?"
ROLE_QUESTION = "What is your role?"
COMMENTS = "Is there anything else you would like to tell us?"
REMARKS = [
    "Caseloads have been very high since the spring and visits are hard to fit in.",
    "I would like more reflective supervision and clearer routes into training.",
    "The new duty rota has made a real difference to how supported I feel.",
    "Managers are approachable but senior leaders feel distant from the front line.",
]


def forms_export(path, rows: int = 30) -> None:
    """A Microsoft Forms download (XLSX): its own metadata columns, the statements, a comment box."""
    rng = random.Random(11)
    records = []
    for i in range(rows):
        record = {
            "ID": i + 1,
            "Start time": f"3/{1 + i % 27}/24 9:{i % 60:02d}:00",
            "Completion time": f"3/{1 + i % 27}/24 10:{i % 60:02d}:00",
            "Email": "anonymous",
            "Name": "",
            TEAM_QUESTION: council.SERVICE_AREAS[i % len(council.SERVICE_AREAS)],
            ROLE_QUESTION: council.ROLES[(i // 3) % len(council.ROLES)],
        }
        for _, _, wording in council.STATEMENTS.values():
            record[wording] = rng.choice(["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree"])
        record[COMMENTS] = "" if i % 3 == 0 else f"{REMARKS[i % len(REMARKS)]} ({i})"
        records.append(record)
    pd.DataFrame(records).to_excel(path, index=False, sheet_name="Sheet1")


@pytest.fixture
def council_data(tmp_path):
    """A council's data folder with its bank written and 2024 started, as the analyst's guide says."""
    data = tmp_path / "data"
    newyear.new_year(data, 2024, echo=lambda _: None)
    (data / "settings.yml").write_text(council.settings_text(), encoding="utf-8")
    (data / "question_bank.yml").write_text(council.bank_text(), encoding="utf-8")
    return data


def test_a_microsoft_forms_export_is_mapped_without_guessing(council_data, tmp_path):
    source = tmp_path / "Staff survey(1-30).xlsx"
    forms_export(source)
    report = importer.import_export(council_data, 2024, source)

    assert {role: m.heading for role, m in report.columns.items()} == {"respondent_id": "ID", "completed": "Completion time"}
    assert report.role_candidates == {"team": [TEAM_QUESTION], "role": [ROLE_QUESTION]}
    assert report.mapping == {wording: code for code, (_, _, wording) in council.STATEMENTS.items()}
    assert report.new_questions == [] and report.unmatched == []
    assert report.ignored == ["Start time", "Email", "Name", COMMENTS]
    assert report.personal == ["Email", "Name"] and report.free_text == [COMMENTS]

    shown = report.text()
    assert f"team           PLEASE CONFIRM: perhaps {TEAM_QUESTION!r};" in shown
    assert f"role           PLEASE CONFIRM: perhaps {ROLE_QUESTION!r};" in shown
    assert "'Email'  (personal data: left out, not read)" in shown and "Personal data is not read" in shown
    assert f"{COMMENTS!r}  (free-text comments, not a statement" in shown
    assert "NEW STATEMENTS" not in shown and "perhaps 'Name'" not in shown and "perhaps 'Email'" not in shown

    meta = load_year_meta(council_data, 2024)
    assert meta.ignore == ["Start time", "Email", "Name", COMMENTS]
    assert meta.columns.respondent_id == "ID" and meta.columns.team is None and meta.columns.role is None
    text = (council_data / "2024" / "survey.yml").read_text(encoding="utf-8")
    assert f'# PLEASE CONFIRM columns.team: perhaps "{TEAM_QUESTION}"' in text


@pytest.mark.parametrize(
    ("heading", "roles"),
    [
        (TEAM_QUESTION, ["team"]),
        (ROLE_QUESTION, ["role"]),
        ("What is your job title?", ["role"]),
        ("In which area do you work?", ["team", "locality"]),
        ("Please select your locality", ["locality"]),
        ("Which team do you work in", ["team"]),
        ("Your job role", ["role"]),
        # statements about a team or a service are not questions asking for one
        ("My team supports me.", []),
        ("What my team does is valued.", []),
        ("What the service offers is clear.", []),
        ("Your team supports you well in your work.", []),
        (COMMENTS, []),
        ("Service area", []),  # a field name, found by its values instead
    ],
)
def test_a_heading_asking_which_team_or_role_is_a_candidate(heading, roles):
    assert headings.asked_roles(heading) == roles


@pytest.mark.parametrize("heading", ["Email", "E-mail address", "Name", "Full name", "Your name", "IP Address", "User agent"])
def test_personal_and_technical_headings(heading):
    assert headings.is_personal(heading)


@pytest.mark.parametrize("heading", ["ID", "Respondent", "Team name", "Locality name", "Job title", "Service area", "Browser"])
def test_role_headings_are_not_personal(heading):
    assert not headings.is_personal(heading)


def test_free_text_is_told_from_an_answer_scale():
    scale = ["Strongly agree", "Neither agree nor disagree", "Don't know / not applicable to me", ""] * 10
    assert not headings.free_text(pd.Series(scale))
    assert headings.free_text(pd.Series([f"{REMARKS[i % 4]} ({i})" if i % 3 else "" for i in range(30)]))
    assert not headings.free_text(pd.Series(["", "", ""]))  # an empty comment box is not told apart
    assert not headings.free_text(pd.Series(["Front Door", "Young Adults"] * 5))


def test_a_personal_column_is_never_a_candidate():
    frame = pd.DataFrame({"Name": ["North"] * 5 + ["South"] * 5, "Email": ["a"] * 10, "Team": ["North"] * 10})
    found, candidates = headings.find_roles(frame, {}, headings.RESPONDENT_ROLES)
    assert found["team"].heading == "Team"
    assert all("Name" not in c and "Email" not in c for c in candidates.values())
