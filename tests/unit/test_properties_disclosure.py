"""Property-based tests (Hypothesis) of disclosure control over linked tables.

For random small organisations (teams inside localities, crossed with roles) and random answers,
the contracts of `healthcheck.analysis.disclosure.protect` and its audit
(`disclosure.feasible_ranges`, `audit.attack.required_widths`), as the module docstrings state
them: a figure is "<10" exactly when it has fewer than `threshold` valid answers and no shown
breakdown cell is below the threshold; every hidden count keeps the range the protection rule
asks for against the LP attacker (HiGHS), or the question shows no breakdown at all; the audit
never rules out the truth; no hidden cell can be recovered by subtracting shown cells from a
shown total (the attack the old method fell to), checked here without any LP; and the result
is the same for the same cells, whatever their order. `breakdowns.protected_breakdowns` then
publishes no figure of a hidden cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from healthcheck.analysis import breakdowns
from healthcheck.analysis import disclosure as D
from healthcheck.audit.attack import required_widths
from healthcheck.data.cells import CELL_COLUMNS
from healthcheck.data.codes import ALL_STAFF

pytestmark = pytest.mark.unit

# Each example solves a few dozen small LPs; no deadline, the machine is shared.
LP = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-6
YEAR = 2023


@st.composite
def organisations(draw):
    """(cells, group types, threshold, protection): one year's joint cells of a random small
    organisation -- 2 to 4 teams in 1 or 2 localities, 1 or 2 roles, 1 or 2 statements -- with
    small groups made likely, and some combinations that gave a statement no valid answer."""
    n_teams = draw(st.integers(2, 4))
    n_localities = draw(st.integers(1, 2))
    locality = [f"L{draw(st.integers(0, n_localities - 1))}" for _ in range(n_teams)]
    roles = ["Manager", "Social worker"][: draw(st.integers(1, 2))]
    size = st.one_of(st.integers(0, 9), st.integers(10, 30))
    rows = []
    for q in range(draw(st.integers(1, 2))):
        for t in range(n_teams):
            for role in roles:
                n = draw(size)
                k = draw(st.integers(0, n))
                rows.append((YEAR, f"Q{q + 1}", f"Team {chr(65 + t)}", locality[t], role, n, k))
    cells = pd.DataFrame(rows, columns=CELL_COLUMNS)
    group_types = draw(st.lists(st.sampled_from(["team", "locality", "role"]), min_size=1, max_size=3, unique=True))
    threshold = draw(st.sampled_from([5, 10]))
    protection = draw(st.integers(1, min(3, threshold - 1)))
    return cells, group_types, threshold, protection


def audit(protected, cells, threshold):
    published = D.publication(protected)
    return published, D.feasible_ranges(published, D.structure_of(cells), threshold)


def truth(protected: pd.DataFrame) -> pd.DataFrame:
    keyed = protected.set_index(["question_id", "group_type", "group"])
    return pd.DataFrame(
        {
            "n_valid": keyed["n_valid"],
            "n_positive": keyed["n_positive"],
            "n_not_positive": keyed["n_valid"] - keyed["n_positive"],
        }
    )


# A team of 4 inside a locality whose other team is shown: North less Alpha would give it
# (the leak the old single-table method had; see test_disclosure).
NESTED = (
    pd.DataFrame(
        [
            (YEAR, "Q1", "Alpha", "North", "Manager", 20, 14),
            (YEAR, "Q1", "Bravo", "North", "Manager", 4, 1),
            (YEAR, "Q1", "Charlie", "South", "Manager", 11, 6),
            (YEAR, "Q1", "Delta", "South", "Manager", 25, 15),
        ],
        columns=CELL_COLUMNS,
    ),
    ["team", "locality"],
    10,
    3,
)


@LP
@given(organisations())
@example(NESTED)
def test_protection_holds_against_the_lp_attacker(org):
    cells, group_types, threshold, protection = org
    protected = D.protect(cells, group_types, threshold=threshold, protection=protection)

    # Primary exactly below the threshold; every group published for every statement.
    hidden = protected["status"] != D.SHOWN
    assert ((protected["status"] == D.PRIMARY) == (protected["n_valid"] < threshold)).all()
    assert (protected.loc[~hidden, "n_valid"] >= threshold).all()
    per_question = protected.groupby("question_id").size()
    assert per_question.nunique() == 1 and set(per_question.index) == set(cells["question_id"])
    # Only breakdown cells are chosen as secondary; the all-staff figure is never hidden for them.
    assert not ((protected["group_type"] == "all") & (protected["status"] == D.SECONDARY)).any()

    published, ranges = audit(protected, cells, threshold)
    # Published: a hidden cell gives no figure at all.
    assert published.loc[published["status"] != D.SHOWN, ["n_valid", "n_positive_lo", "n_positive_hi"]].isna().all().all()

    # The audit is sound: the true counts are always inside the ranges it finds.
    real = truth(protected)
    for row in ranges.itertuples(index=False):
        true = real.loc[(row.question_id, row.group_type, row.group)]
        for q in D.QUANTITIES:
            assert getattr(row, f"{q}_min") - TOL <= true[q] <= getattr(row, f"{q}_max") + TOL, (row, q)

    # Every hidden count of a protected statement is as wide as the rule asks.
    widths = np.column_stack([ranges[f"{q}_max"] - ranges[f"{q}_min"] for q in D.QUANTITIES]).astype(float)
    need = required_widths(published, ranges, threshold, protection)
    unprotected = set(protected.attrs["unprotected"])
    ok = ~ranges["question_id"].isin(unprotected).to_numpy()
    assert (widths[ok] >= need[ok] - TOL).all(), ranges[ok & (widths < need - TOL).any(axis=1)]
    # A statement that cannot be protected shows no breakdown at all.
    for question_id in unprotected:
        rows = protected.loc[(protected["question_id"] == question_id) & (protected["group_type"] != "all")]
        assert (rows["status"] != D.SHOWN).all()

    # Every hidden cell that holds answers is attacked; a group with no valid answer is a known zero.
    answered = protected.loc[hidden & (protected["n_valid"] > 0)]
    keys = ["question_id", "group_type", "group"]
    assert set(map(tuple, ranges[keys].to_numpy())) == set(map(tuple, answered[keys].to_numpy()))


def subtraction_leaks(protected: pd.DataFrame, cells: pd.DataFrame, threshold: int, protection: int) -> list:
    """Hidden cells whose valid count is a shown total less shown cells, found without an LP.

    For each shown cell P (all staff or a group) and each breakdown type, the groups of that
    type whose answering combinations all lie inside P: when together they hold exactly P's
    combinations and only one of them is hidden, P less the others is that one."""
    answered = cells.loc[cells["n_valid"] > 0]
    published = D.publication(protected)
    leaks = []
    for question_id, pub in protected.groupby("question_id"):
        combos = answered.loc[answered["question_id"] == question_id]
        if combos.empty:
            continue
        members = {}
        for row in pub.itertuples(index=False):
            if row.group_type == "all":
                inside = combos.index
            else:
                inside = combos.index[combos[row.group_type].astype(str) == row.group]
            members[(row.group_type, row.group)] = frozenset(inside)
        status = dict(zip(zip(pub["group_type"], pub["group"], strict=True), pub["status"], strict=True))
        # What the rule asks of each hidden cell's valid count (nothing, where the all-staff figure already pins it).
        ranges_like = pub.loc[pub["status"] != D.SHOWN, ["question_id", "group_type", "group", "status"]]
        need = required_widths(published, ranges_like.reset_index(drop=True), threshold, protection)[:, 0]
        needs = dict(zip(zip(ranges_like["group_type"], ranges_like["group"], strict=True), need, strict=True))
        for total, inside in members.items():
            if status[total] != D.SHOWN or not inside:
                continue
            for group_type in {gt for gt, _ in members} - {"all", total[0]}:
                parts = [key for key in members if key[0] == group_type and members[key] and members[key] <= inside]
                if frozenset().union(*(members[key] for key in parts)) != inside:
                    continue
                hidden = [key for key in parts if status[key] != D.SHOWN]
                if len(hidden) == 1 and needs.get(hidden[0], 0) > 0:
                    leaks.append((question_id, total, hidden[0]))
    return leaks


@LP
@given(organisations())
@example(NESTED)
def test_no_hidden_cell_is_a_shown_total_less_shown_cells(org):
    cells, group_types, threshold, protection = org
    protected = D.protect(cells, group_types, threshold=threshold, protection=protection)
    unprotected = set(protected.attrs["unprotected"])
    leaks = [leak for leak in subtraction_leaks(protected, cells, threshold, protection) if leak[0] not in unprotected]
    assert leaks == []


@LP
@given(organisations(), st.randoms(use_true_random=False))
def test_protect_is_deterministic_whatever_the_order_of_the_cells(org, random):
    cells, group_types, threshold, protection = org
    first = D.protect(cells, group_types, threshold=threshold, protection=protection)
    order = list(range(len(cells)))
    random.shuffle(order)
    shuffled_types = random.sample(group_types, len(group_types))
    again = D.protect(cells.iloc[order], shuffled_types, threshold=threshold, protection=protection)
    pd.testing.assert_frame_equal(first, again)
    assert first.attrs["unprotected"] == again.attrs["unprotected"]


QUESTIONS = pd.DataFrame(
    {"year": YEAR, "question_id": ["Q1", "Q2"], "theme": ["wellbeing", "wellbeing"], "short": ["First", "Second"]}
)


@LP
@given(organisations(), st.integers(0, 20))
def test_a_published_breakdown_gives_no_figure_of_a_hidden_cell(org, caution):
    cells, group_types, threshold, protection = org
    table = breakdowns.protected_breakdowns(
        cells, QUESTIONS, YEAR, group_types, threshold=threshold, caution=caution, protection=protection
    )
    protected = D.protect(cells, group_types, threshold=threshold, protection=protection)
    shown = ~table["suppressed"].astype(bool)
    assert (table.loc[shown, "n_valid"] >= threshold).all()
    figures = ["n_valid", "n_positive", "pct_positive", "ci_low", "ci_high"]
    assert table.loc[~shown, figures].isna().all().all()
    assert (table.loc[~shown, "reason"] != "").all() and (table.loc[shown, "reason"] == "").all()
    assert (table["caution"] == (shown & (table["n_valid"].fillna(0) < caution))).all()
    # The same cells hidden as protect chose (all of a statement's, when it cannot be protected).
    status = protected.loc[protected["group_type"] != "all"].set_index(["question_id", "group_type", "group"])["status"]
    unprotected = set(protected.attrs["unprotected"])
    for row in table.itertuples(index=False):
        expected_hidden = status[(row.question_id, row.group_type, row.group)] != D.SHOWN or row.question_id in unprotected
        assert row.suppressed == expected_hidden
    # The shown percentages are the counts' own.
    pct = 100 * table.loc[shown, "n_positive"].astype(float) / table.loc[shown, "n_valid"].astype(float)
    assert np.allclose(pct, table.loc[shown, "pct_positive"].astype(float))
    assert ALL_STAFF not in set(table["group"])


def test_the_subtraction_check_finds_the_old_methods_leak():
    # The check above must be able to fail: with the pattern the single-table method chose
    # (Bravo "<10", Charlie hidden as its complement), North less Alpha is Bravo.
    cells, group_types, threshold, protection = NESTED
    protected = D.protect(cells, group_types, threshold=threshold, protection=protection)
    old = {("team", "Bravo"): D.PRIMARY, ("team", "Charlie"): D.SECONDARY}
    keys = zip(protected["group_type"], protected["group"], strict=True)
    protected["status"] = [old.get(key, D.SHOWN) for key in keys]
    leaks = subtraction_leaks(protected, cells, threshold, protection)
    assert ("Q1", ("locality", "North"), ("team", "Bravo")) in leaks


@LP
@given(organisations(), st.data())
def test_a_small_group_merged_into_its_parent_stays_protected(org, data):
    cells, group_types, threshold, protection = org
    group_types = sorted({*group_types, "team"})
    # The team with the fewest answers is declared small (merged when under the threshold on
    # every statement), into another team.
    largest = cells.groupby(["team", "question_id"])["n_valid"].sum().groupby(level=0).max()
    small = largest.sort_values(kind="stable").index[0]
    parent = data.draw(st.sampled_from(sorted(set(cells["team"]) - {small})))
    merged = breakdowns.merged_groups(cells, {"team": {small: parent}}, threshold)
    event("merged" if merged else "not merged (at or over the threshold)")
    protected = D.protect(cells, group_types, threshold=threshold, protection=protection, merged=merged)
    published = D.publication(protected.loc[protected["status"] != D.MERGED])
    # A merged group is never published on its own, and its parent is published as a group.
    if merged:
        assert not ((published["group_type"] == "team") & (published["group"] == small)).any()
        assert (protected.loc[protected["group"] == small, "status"] == D.MERGED).all()
        assert ((published["group_type"] == "team") & (published["group"] == parent)).any()
    ranges = D.feasible_ranges(published, D.structure_of(cells), threshold, merged=merged)
    widths = np.column_stack([ranges[f"{q}_max"] - ranges[f"{q}_min"] for q in D.QUANTITIES]).astype(float)
    need = required_widths(published, ranges, threshold, protection)
    ok = ~ranges["question_id"].isin(set(protected.attrs["unprotected"])).to_numpy()
    assert (widths[ok] >= need[ok] - TOL).all(), ranges[ok & (widths < need - TOL).any(axis=1)]
    # The merged group's true counts are inside what the attacker can work out.
    real = cells.loc[cells["team"] == small].groupby("question_id")[["n_valid", "n_positive"]].sum()
    for row in ranges.loc[ranges["status"] == D.MERGED].itertuples(index=False):
        n, k = real.loc[row.question_id]
        assert row.n_valid_min - TOL <= n <= row.n_valid_max + TOL
        assert row.n_positive_min - TOL <= k <= row.n_positive_max + TOL
