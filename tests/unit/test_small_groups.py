"""Small groups merged into a declared parent group (survey.yml `small_groups`): the parent is a
published group of the linked tables, and no differencing recovers a merged-away group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from healthcheck.analysis import disclosure as D
from healthcheck.analysis.breakdowns import merged_groups, protected_breakdowns, shown_share
from healthcheck.data.cells import CELL_COLUMNS
from healthcheck.data.config import YearMeta

YEAR, T = 2023, 10


def cells_of(plan: dict, questions=("Q1", "Q2")) -> pd.DataFrame:
    """Joint cells from {team: (locality, [(role, valid, agreeing on Q1), ...])}; Q2 agrees a
    little differently so the two statements are not copies."""
    rows = []
    for q, question in enumerate(questions):
        for team, (locality, parts) in plan.items():
            for role, n, k in parts:
                rows.append([YEAR, question, team, locality, role, n, max(0, min(n, k - q))])
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


# Bravo (6) sits in North beside Alpha; Hotel (5) in South beside Charlie. The analyst merged
# both into one parent across the two localities: North less Alpha is Bravo exactly, unless
# the protection hides something more.
CROSSING = {
    "Alpha": ("North", [("Social worker", 14, 10), ("Manager", 6, 4)]),
    "Bravo": ("North", [("Social worker", 4, 2), ("Manager", 2, 1)]),
    "Charlie": ("South", [("Social worker", 11, 6), ("Manager", 4, 3)]),
    "Hotel": ("South", [("Social worker", 3, 1), ("Manager", 2, 2)]),
    "Delta": ("South", [("Social worker", 20, 13), ("Manager", 5, 3)]),
}
CROSSING_PARENTS = {"team": {"Bravo": "Other teams", "Hotel": "Other teams"}}
# Nested: the two small teams both in North, merged into "Other teams in North".
NESTED = {
    "Alpha": ("North", [("Social worker", 14, 10), ("Manager", 6, 4)]),
    "Bravo": ("North", [("Social worker", 4, 2), ("Manager", 2, 1)]),
    "Hotel": ("North", [("Social worker", 3, 1), ("Manager", 2, 2)]),
    "Charlie": ("South", [("Social worker", 11, 6), ("Manager", 4, 3)]),
    "Delta": ("South", [("Social worker", 20, 13), ("Manager", 5, 3)]),
}
NESTED_PARENTS = {"team": {"Bravo": "Other teams in North", "Hotel": "Other teams in North"}}
GROUPS = ["team", "locality", "role"]


def naive(cells: pd.DataFrame, merged: dict) -> pd.DataFrame:
    """Primary suppression alone, with the small groups merged: what a merge without the
    linked-table protection would publish."""
    relabelled = cells.assign(team=cells["team"].map(lambda t: merged["team"].get(t, t)))
    out = []
    for qid, part in relabelled.groupby("question_id"):
        out.append({"question_id": qid, "group_type": "all", "group": D.ALL_STAFF, "n_valid": part["n_valid"].sum(),
                    "n_positive": part["n_positive"].sum()})  # fmt: skip
        for gt in GROUPS:
            for name, g in part.groupby(gt):
                out.append({"question_id": qid, "group_type": gt, "group": name, "n_valid": g["n_valid"].sum(),
                            "n_positive": g["n_positive"].sum()})  # fmt: skip
    table = pd.DataFrame(out).assign(year=YEAR)
    table["status"] = np.where((table["group_type"] != "all") & (table["n_valid"] < T), D.PRIMARY, D.SHOWN)
    return table.loc[:, D.PROTECT_COLUMNS]


def merged_ranges(published: pd.DataFrame, cells: pd.DataFrame, merged: dict, integer=False) -> pd.DataFrame:
    ranges = D.feasible_ranges(published, D.structure_of(cells), T, integer=integer, merged=merged)
    return ranges[ranges["status"] == D.MERGED]


def test_only_the_small_declared_groups_present_are_merged():
    cells = cells_of(CROSSING)
    declared = {"team": {"Bravo": "Other teams", "Hotel": "Other teams", "Delta": "Other teams", "Zulu": "Other teams"}}
    # Delta (25) is shown on its own, Zulu is not in the year's export
    assert merged_groups(cells, declared, T) == CROSSING_PARENTS
    assert merged_groups(cells, {}, T) == {}
    assert merged_groups(None, declared, T) == {}


def test_parent_total_less_shown_siblings_recovers_a_merged_group_without_the_protection():
    """The attack works: on the naive publication North - Alpha gives Bravo exactly."""
    cells = cells_of(CROSSING)
    ranges = merged_ranges(D.publication(naive(cells, CROSSING_PARENTS)), cells, CROSSING_PARENTS)
    bravo = ranges[ranges["group"] == "Bravo"]
    assert len(bravo) == 2
    assert (bravo["n_valid_min"] == bravo["n_valid_max"]).all()
    assert (bravo["n_valid_min"] == 6).all()


@pytest.mark.parametrize("plan, parents", [(CROSSING, CROSSING_PARENTS), (NESTED, NESTED_PARENTS)], ids=["crossing", "nested"])
@pytest.mark.parametrize("integer", [False, True], ids=["lp", "whole-numbers"])
def test_the_protection_holds_against_the_differencing_attack(plan, parents, integer):
    cells = cells_of(plan)
    protected = D.protect(cells, GROUPS, threshold=T, merged=parents)
    merged_rows = protected[protected["status"] == D.MERGED]
    assert set(merged_rows["group"]) == set(parents["team"])  # never published ...
    published_rows = protected[protected["status"] != D.MERGED]
    parent = next(iter(set(parents["team"].values())))
    assert (published_rows["group"] == parent).sum() == 2  # ... the parent is, for each statement
    ranges = merged_ranges(D.publication(published_rows), cells, parents, integer)
    assert len(ranges) == 2 * len(parents["team"])
    widths = np.column_stack([ranges[f"{q}_max"] - ranges[f"{q}_min"] for q in D.QUANTITIES])
    # each count of each merged-away group keeps at least DEFAULT_PROTECTION possible values
    # (or what the all-staff figure alone leaves, which is wider here)
    assert (widths >= D.DEFAULT_PROTECTION - 1e-6).all(), ranges


def test_a_nested_parent_is_shown_where_its_small_teams_were_hidden():
    """More cells are shown: the parent of 11 instead of two "<10" teams."""
    cells = cells_of(NESTED)
    questions = pd.DataFrame(
        {"question_id": ["Q1", "Q2"], "year": YEAR, "theme": "t", "short": ["one", "two"], "wording": "", "series": 0}
    )
    before = protected_breakdowns(cells, questions, YEAR, GROUPS, threshold=T, caution=20)
    after = protected_breakdowns(cells, questions, YEAR, GROUPS, threshold=T, caution=20, small_groups=NESTED_PARENTS)
    assert not after["group"].isin(["Bravo", "Hotel"]).any()
    parent = after[after["group"] == "Other teams in North"].set_index("question_id")
    assert len(parent) == 2
    # Q1: shown with the two teams' 11 answers. Q2: the two teams gave 2 agreeing answers
    # between them, which the parent's 18% would narrow to too few values: hidden, rightly.
    assert not parent.at["Q1", "suppressed"] and parent.at["Q1", "n_valid"] == 11
    assert parent.at["Q2", "suppressed"]
    shown_before, total_before = shown_share(before)
    shown_after, total_after = shown_share(after)
    assert shown_after / total_after > shown_before / total_before
    assert shown_after > shown_before


def test_protect_refuses_to_merge_a_group_at_the_threshold():
    cells = cells_of(CROSSING)
    with pytest.raises(ValueError, match="under the threshold"):
        D.protect(cells, GROUPS, threshold=T, merged={"team": {"Delta": "Other teams"}})


def test_no_merge_leaves_the_protection_as_it_was():
    cells = cells_of(CROSSING)
    pd.testing.assert_frame_equal(D.protect(cells, GROUPS, threshold=T), D.protect(cells, GROUPS, threshold=T, merged={}))


def test_survey_yml_refuses_a_group_that_is_its_own_parent_or_a_blank_parent():
    base = {"year": 2023}
    assert YearMeta.model_validate({**base, "small_groups": NESTED_PARENTS}).small_groups == NESTED_PARENTS
    for bad in ({"team": {"Bravo": "Bravo"}}, {"team": {"Bravo": " "}}, {"division": {"Bravo": "Other"}}):
        with pytest.raises(ValidationError):
            YearMeta.model_validate({**base, "small_groups": bad})


def test_validation_names_each_small_groups_mistake(data_dir):
    """A parent that is already a team is an error; a team not in the export is a warning."""
    import yaml

    from healthcheck.data.validate import check_year

    path = data_dir / "2022" / "survey.yml"
    survey = yaml.safe_load(path.read_text(encoding="utf-8"))
    survey["small_groups"] = {"team": {"Team C": "Team A", "Team Zulu": "Other teams"}}
    path.write_text(yaml.safe_dump(survey, sort_keys=False), encoding="utf-8")
    problems = check_year(data_dir, 2022).problems
    found = {(p.column, p.found, p.severity) for p in problems if str(p.column).startswith("small_groups")}
    assert ("small_groups.team.Team C", "Team A", "error") in found
    assert ("small_groups.team.Team Zulu", "Team Zulu", "warning") in found
    survey["small_groups"] = {"team": {"MASH": "Other teams"}}  # a parent of one small team is as small
    path.write_text(yaml.safe_dump(survey, sort_keys=False), encoding="utf-8")
    alone = [p for p in check_year(data_dir, 2022).problems if str(p.column).startswith("small_groups")]
    lonely = [p for p in alone if p.found == "Other teams"]
    assert [(p.column, p.severity) for p in lonely] == [("small_groups.team.MASH", "warning")]
    assert "holds only 'MASH'" in lonely[0].expected
    survey["small_groups"] = {"team": {"Team B": "Other teams", "Team C": "Other teams"}}
    path.write_text(yaml.safe_dump(survey, sort_keys=False), encoding="utf-8")
    assert not [p for p in check_year(data_dir, 2022).problems if str(p.column).startswith("small_groups")]


def test_the_methods_appendix_names_the_parent_and_the_share_shown(monkeypatch):
    """On the demonstration data: the parent with its teams, and the share that matches the table."""
    from healthcheck.present.chapter import Chapter
    from healthcheck.present.sections import appendix

    ch = Chapter(2022)
    glued = {}
    monkeypatch.setattr(ch, "glue_md", lambda name, text: glued.__setitem__(name, text))
    appendix.glue_small_groups(ch)
    text = glued["methods_small_groups"]
    shown, total = shown_share(ch.survey.breakdowns(2022))
    assert f"Of the {total} breakdown cells" in text and f", {shown} (" in text
    assert "*Other county\\-wide teams* (Court and Legal, MASH)" in text  # escaped for MyST
    table = ch.survey.breakdowns(2022)
    assert not table["group"].isin(["MASH", "Court and Legal"]).any()
    assert (table["group"] == "Other county-wide teams").any()


def test_the_audit_of_published_files_attacks_the_merged_groups(tmp_path):
    """From hand-made downloads: a parent of two small teams keeps them safe, unless another
    table gives one away (a locality holding only it), which the audit then reports."""
    from types import SimpleNamespace

    from healthcheck.audit import attack as A

    year = 2023
    responses = (
        "Code,Statement,Strongly agree (%),Agree (%),Neither agree nor disagree (%),Disagree (%),Strongly disagree (%),"
        "Valid responses\nQ1,Statement one,22.7,27.3,18.2,18.2,13.6,22\n"
    )
    teams = (
        "Code,Statement,Team,% agreeing,Valid responses,Note\n"
        "Q1,Statement one,Others,50%,10,\nQ1,Statement one,X,50%,12,\n"
    )  # fmt: skip
    localities = (
        "Code,Statement,Locality,% agreeing,Valid responses,Note\n"
        "Q1,Statement one,East,,,fewer than 10 responses\nQ1,Statement one,West,50%,18,\n"
    )  # fmt: skip
    files = {f"html/downloads/{year}-people-by-team.csv": teams, f"html/downloads/{year}-people-responses.csv": responses}
    # Y (4 staff) and Z (6) are shown together as "Others"; X has 12
    structure = pd.DataFrame({"team": ["X", "Y", "Z"], "locality": ["West", "East", "West"], "role": ["", "", ""]})
    meta = SimpleNamespace(small_groups={"team": {"Y": "Others", "Z": "Others"}})
    cells = structure.assign(year=year, question_id="Q1", n_valid=[12, 4, 6], n_positive=[6, 2, 3])
    survey = SimpleNamespace(years={year: SimpleNamespace(cells=cells, meta=meta)}, threshold=T)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = A.audit_build(tmp_path, survey, year)
    assert result.ok, result.message()
    assert (result.cells_merged, result.cells_shown, result.cells_published) == (2, 2, 2)
    assert result.smallest_primary_range >= D.DEFAULT_PROTECTION

    # East holds Y alone: all staff less West is Y exactly, merged or not
    (tmp_path / f"html/downloads/{year}-people-by-locality.csv").write_text(localities, encoding="utf-8")
    result = A.audit_build(tmp_path, survey, year)
    assert not result.ok
    assert "Q1, team, Y: valid answers 4..4, agreeing 2..2" in result.too_narrow
