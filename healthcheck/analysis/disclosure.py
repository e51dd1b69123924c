"""Suppression over the linked tables one book publishes, chosen and audited by linear programming.

What is published, per question and year: the all-staff figure (valid and agreeing responses,
exactly) and a breakdown by each of team, locality and role (valid responses exactly, the
percentage agreeing rounded to a whole number, halves up). These tables are linked: every
figure is a sum of joint cells (team x locality x role), teams sit inside (or across)
localities, and each breakdown adds up to the all-staff total less the staff who gave no group. A hidden cell is
shown as "<10" (primary: fewer than ``threshold`` valid responses) or "hidden" (secondary:
withheld so that a primary cell cannot be worked out; it has at least ``threshold``).

The attacker we protect against knows all of that and the organisation's structure: which
team x locality x role combinations gave each statement valid answers (:func:`structure_of`).
By linear programming over those joint cells' agreeing and not-agreeing answers -- any
non-negative numbers that fit every published figure and label
(:mod:`healthcheck.analysis.linked_tables`) -- they can find, for each hidden cell, the
smallest and largest number of valid, agreeing and not-agreeing responses consistent with
everything published. This is the audit tau-ARGUS runs on a suppressed table;
:func:`feasible_ranges` runs it.

Known zeros. Some statements are for some staff only ("If you are in your first year: ..."):
everyone else answers "Not applicable", and whole teams and roles give no valid answer. Such
a group is published as "<10", but it is no hidden cell: it holds no answer to protect, and
the attacker is taken to know it is empty, as they know whom the statement is for. So it is
neither attacked nor counted, and it cannot hide another cell: a combination that gave a
statement no valid answer is a known zero of its LP. (Counted as cells to protect, such groups
made those questions impossible to protect; as unknowns, they could shield a real small
group.) Taking every empty combination as known, "Don't know" ones too, gives the attacker
more than an outsider has: the real cells' ranges are, if anything, narrower than theirs.

The protection rule (``protection`` defaults to :data:`DEFAULT_PROTECTION`, 3):

* every primary cell: each of its three counts -- valid, agreeing and not-agreeing responses
  -- has a feasible range at least ``protection`` wide, so the attacker is left with at least
  four possible values of each ("between 2 and 5 of them agreed");
* every secondary cell: each count has a range at least 1 wide. No hidden figure, primary or
  secondary, can be pinned to one value;
* except where the all-staff figure alone already narrows a count further (when no one, or
  everyone, agreed, every group's agreeing, or not-agreeing, count is 0): the requirement is
  then capped at what the all-staff figure leaves, since no hidden breakdown cell can change it.

Why 3, with a threshold of 10: 1 is the bare minimum (nothing can be worked out exactly), but
it still lets an attacker say "one or none of the three people in that team agreed"; that is
the kind of statement about a few people the threshold exists to prevent. With 3 an attacker
cannot rule out any split of agreement in a group of up to three, and learns no count of a
larger small group to better than four values. Wider requirements hide markedly more cells of
the larger groups for ranges that are already a third or more of a small group. The rule
cannot exceed ``threshold - 1``, the widest range a "<10" label allows.

How cells are chosen to lose as little as possible (:func:`protect`): start from the primary
cells and audit; take the first under-protected count (primary cells first, then in table
order); solve one LP for a table that fits everything hidden so far with that count moved by
the required width, in which shown breakdown cells may depart from their published values at
a cost of their valid responses (ties broken by name); hide the cells that had to depart;
audit again. Then a pruning pass re-shows each secondary cell, largest first, whose
publication leaves every cell protected. A question that cannot be protected has all its
breakdown cells suppressed. Every step is deterministic.

Limits. Counts are relaxed to real numbers, as in tau-ARGUS's audit; an attacker working in
whole numbers can only narrow a range. ``feasible_ranges(..., integer=True)`` runs that audit
as a MILP: on the demonstration years it gives exactly the same ranges. The model is one
year's book: questions are independent (no published table links two), and other years or
other publications of the same answers are not in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

# The statuses, the published and range columns and the attacker's audit are defined with the LP.
from healthcheck.analysis.linked_tables import (
    GROUP_TYPES,
    MERGED,
    PRIMARY,
    PUBLISHED_COLUMNS,
    QUANTITIES,
    RANGE_COLUMNS,
    SECONDARY,
    SHOWN,
    TOL,
    Pool,
    Tables,
    feasible_ranges,
    membership,
)
from healthcheck.analysis.linked_tables import shortfalls as _shortfalls
from healthcheck.data.codes import ALL_STAFF

__all__ = [
    "SHOWN", "PRIMARY", "SECONDARY", "MERGED", "GROUP_TYPES", "QUANTITIES", "DEFAULT_PROTECTION",
    "PROTECT_COLUMNS", "PUBLISHED_COLUMNS", "RANGE_COLUMNS",
    "percent_half_up", "n_positive_interval", "publication", "structure_of", "protect", "feasible_ranges",
]  # fmt: skip

#: Default minimum width of a primary cell's feasible ranges (see the module docstring).
DEFAULT_PROTECTION = 3
PROTECT_COLUMNS = ["year", "question_id", "group_type", "group", "n_valid", "n_positive", "status"]


# --------------------------------------------------------------------------- what is published


def percent_half_up(n_positive, n_valid) -> np.ndarray:
    """The whole-number percentage agreeing as published, halves up, in exact integer
    arithmetic (``floor(100 k / n + 1/2)``); 0 where ``n_valid`` is 0."""
    k = np.asarray(n_positive, dtype=np.int64)
    n = np.asarray(n_valid, dtype=np.int64)
    return np.where(n > 0, (200 * k + n) // np.maximum(2 * n, 1), 0)


def _intervals(pct: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # k rounds to pct iff n(2 pct - 1) <= 200 k < n(2 pct + 1); ceil by negated floor division
    lo = -((-n * (2 * pct - 1)) // 200)
    hi = -((-n * (2 * pct + 1)) // 200) - 1
    return np.clip(lo, 0, n), np.clip(hi, 0, n)


def n_positive_interval(pct_whole_number: int, n_valid: int) -> tuple[int, int]:
    """Every agreeing count ``k`` out of ``n_valid`` whose percentage, rounded to a whole
    number with halves up, is ``pct_whole_number``: returned as ``(lo, hi)``. ``(0, 0)`` when
    ``n_valid`` is 0; ValueError when no count gives that percentage."""
    pct, n = int(pct_whole_number), int(n_valid)
    if n < 0 or not 0 <= pct <= 100:
        raise ValueError(f"no count gives {pct}% of {n}")
    if n == 0:
        return 0, 0
    lo, hi = _intervals(np.int64(pct), np.int64(n))
    if lo > hi:
        raise ValueError(f"no whole count out of {n} rounds to {pct}%")
    return int(lo), int(hi)


def _agreeing_bounds(group_type, n_valid, n_positive, exact_types) -> tuple[np.ndarray, np.ndarray]:
    """What a shown cell tells of its agreeing count: the interval its rounded percentage
    allows, or the count itself for the group types in ``exact_types``."""
    lo, hi = _intervals(percent_half_up(n_positive, n_valid), n_valid)
    exact = np.isin(np.asarray(group_type, dtype=object), list(exact_types))
    return np.where(exact, n_positive, lo), np.where(exact, n_positive, hi)


def publication(protected: pd.DataFrame, exact_types: tuple[str, ...] = ("all",)) -> pd.DataFrame:
    """What a reader of the book learns from :func:`protect`'s output: :data:`PUBLISHED_COLUMNS`.

    Shown cells give ``n_valid`` and the agreeing interval ``[n_positive_lo, n_positive_hi]``
    that the rounded percentage allows, or the exact count for the group types in
    ``exact_types`` (the all-staff figure, whose ``n_positive`` is in the figures CSV).
    Hidden cells give only their status."""
    shown = (protected["status"] == SHOWN).to_numpy()
    n = protected["n_valid"].to_numpy(dtype=np.int64)
    k = protected["n_positive"].to_numpy(dtype=np.int64)
    lo, hi = _agreeing_bounds(protected["group_type"], n, k, exact_types)
    out = protected.loc[:, PUBLISHED_COLUMNS[:4]].reset_index(drop=True)
    for name, values in (("n_valid", n), ("n_positive_lo", lo), ("n_positive_hi", hi)):
        out[name] = pd.array(np.where(shown, values, 0), dtype="Int64")
        out.loc[~shown, name] = pd.NA
    return out


def structure_of(cells: pd.DataFrame) -> pd.DataFrame:
    """The organisation's structure as the attacker is assumed to know it, per question: the
    (team, locality, role) combinations of a joint-cells table that gave the question valid
    answers, with its ``question_id`` (every other combination is a known zero for that
    question; see the module docstring). A table without ``question_id`` and ``n_valid``
    gives its distinct combinations, for every question."""
    columns = list(GROUP_TYPES)
    if {"question_id", "n_valid"} <= set(cells.columns):
        cells, columns = cells.loc[cells["n_valid"] > 0], ["question_id", *columns]
    return cells.loc[:, columns].drop_duplicates().sort_values(columns).reset_index(drop=True)


# --------------------------------------------------------------------------- choosing secondary cells


def _needs(status: np.ndarray, total, threshold: int, protection: int, empty) -> list[tuple[int, float]]:
    """(audited row, required width) for every hidden cell's three counts, primary cells
    first. ``total`` is the all-staff (n_valid, lowest agreeing, highest agreeing), or None
    when the all-staff figure is itself hidden; cells marked in ``empty`` (no valid answers:
    no hidden cell) need nothing. See the module docstring for the rule."""
    C, t = len(status), threshold
    if total is None:
        caps = {PRIMARY: (t - 1,) * 3, SECONDARY: (np.inf,) * 3}
    else:
        n, k_lo, k_hi = total
        # the widest range each count can have when only the all-staff figure is published
        caps = {PRIMARY: (min(t - 1, n), min(t - 1, k_hi), min(t - 1, n - k_lo)), SECONDARY: (n - t, k_hi, n - k_lo)}
    target = {PRIMARY: protection, SECONDARY: 1}
    out = []
    for kind in (PRIMARY, SECONDARY):
        for i in np.flatnonzero((status == kind) & ~empty):
            out += [(q * C + i, float(min(target[kind], caps[kind][q]))) for q in range(3)]
    return [(row, need) for row, need in out if need > 0]


def _repair(tables: Tables, state: dict, status: np.ndarray, short: tuple):
    """The shown breakdown cells to hide so that count ``row`` gets a range ``need`` wide.

    One LP per direction: a table that fits every hidden cell's label and the all-staff
    figure, with the count moved to ``low + need`` (or ``high - need``), where each shown
    breakdown cell may deviate from its published values at a cost of its valid responses per
    unit (ties by name: a tiny extra cost for later names) while keeping the ">= threshold"
    that a "hidden" label would say. The cells that deviate are the ones to hide; the cheaper
    direction wins. Returns (cells to hide, the table found), or None when neither direction
    is possible. ``short`` is (row, min, max, need) from :func:`_shortfalls`."""
    row, low, high, need = short
    weights = state["weights"]
    cand = np.flatnonzero((status == SHOWN) & ~state["is_all"])
    C, S, t = tables.C, len(cand), tables.threshold
    lb, ub = tables.bounds(status, state["n_valid"], state["lo"], state["hi"])
    lb[cand], ub[cand] = t, np.inf  # a candidate's valid count: any, as long as it could be labelled "hidden"
    lb[C + cand], ub[C + cand] = -np.inf, np.inf
    eye = sparse.identity(S, format="csr")
    dev = sparse.hstack([-eye, eye])
    rows_n, rows_a = sparse.csr_matrix(tables.Q[cand]), sparse.csr_matrix(tables.Q[C + cand])
    A = sparse.vstack(
        [
            sparse.hstack([tables.A, sparse.csr_matrix((2 * C, 4 * S))]),
            sparse.hstack([rows_n, dev, sparse.csr_matrix((S, 2 * S))]),
            sparse.hstack([rows_a, sparse.csr_matrix((S, 2 * S)), dev]),
            sparse.hstack([sparse.csr_matrix(tables.Q[row]), sparse.csr_matrix((1, 4 * S))]),
        ]
    ).tocsc()
    cost = np.r_[np.zeros(2 * tables.J), np.tile(weights[cand], 4)]
    best = None
    for target_lb, target_ub in ((low + need, np.inf), (-np.inf, high - need)):
        lbs = np.r_[lb, state["n_valid"][cand], state["lo"][cand], target_lb]
        ubs = np.r_[ub, state["n_valid"][cand], state["hi"][cand], target_ub]
        try:
            _, x = tables.solve(cost, A, lbs, ubs)
        except ValueError:  # impossible in this direction
            continue
        moved = x[2 * tables.J :].reshape(4, S).sum(axis=0) > TOL
        hide = np.zeros(C, dtype=bool)
        hide[cand[moved]] = True
        price = (weights[hide].sum(), hide.sum())
        if best is None or price < best[0]:
            best = (price, hide, x[: 2 * tables.J])
    return None if best is None else best[1:]


def _audit(tables: Tables, state: dict, status, pool: Pool, protection: int, first: bool, priority=()) -> list:
    """The under-protected counts of one question when ``status`` is published."""
    lb, ub = tables.bounds(status, state["n_valid"], state["lo"], state["hi"])
    a = int(np.flatnonzero(state["is_all"])[0])
    total = None if status[a] != SHOWN else (state["n_valid"][a], state["lo"][a], state["hi"][a])
    needs = _needs(status, total, tables.threshold, protection, tables.empty)
    return _shortfalls(tables, lb, ub, needs, pool, first, priority)


def _protect_question(tables: Tables, state: dict, truth: np.ndarray, protection: int) -> tuple[np.ndarray, bool]:
    """(status per cell, protected?) for one question; see the module docstring."""
    status = state["status"].copy()
    if not (status != SHOWN).any():
        return status, True
    pool = Pool(tables, [truth])
    reason = {}  # secondary cell -> the count it was hidden for: the first to re-check in pruning
    for _ in range(len(status) + 1):  # each round hides at least one cell, or gives up
        short = _audit(tables, state, status, pool, protection, first=True)
        if not short:
            break
        repair = _repair(tables, state, status, short[0])
        if repair is None or not repair[0].any():
            break
        status[repair[0]] = SECONDARY
        pool.add(repair[1])  # the table found fits the new pattern: it certifies the count
        reason.update({i: short[0][0] for i in np.flatnonzero(repair[0])})
    if short:  # cannot be protected: suppress every breakdown cell of the question
        status[~state["is_all"] & (status == SHOWN)] = SECONDARY
        return status, not _audit(tables, state, status, Pool(tables, [truth]), protection, True)

    # Pruning: re-show secondary cells, most valid responses first (ties by name). A trial
    # checks first the count the cell was hidden for and the counts that failed lately.
    order = np.lexsort((state["rank"], -state["n_valid"]))
    C, failed = tables.C, []
    for i in order[status[order] == SECONDARY]:
        trial = status.copy()
        trial[i] = SHOWN
        values = np.array([state["n_valid"][i], state["lo"][i]]), np.array([state["n_valid"][i], state["hi"][i]])
        trial_pool = pool.keeping([i, C + i], *values)
        short = _audit(tables, state, trial, trial_pool, protection, True, [reason.get(i, -1), *failed[:4]])
        if short:
            failed = [short[0][0], *(r for r in failed if r != short[0][0])]
        else:
            status, pool = trial, trial_pool
    return status, True


# --------------------------------------------------------------------------- public entry points


def _published_cells(cells: pd.DataFrame, group_types: list[str], merged: dict) -> tuple[list[tuple[str, str]], int]:
    """(group_type, group) of everything published -- all staff, then each type's named groups,
    a small group merged into its parent published as the parent -- followed by the merged
    small groups themselves (cells to protect, never published); and how many are published."""
    keys, small = [("all", ALL_STAFF)], []
    for group_type in group_types:
        parents = merged.get(group_type, {})
        names = set(cells[group_type].astype(str)) - {""}
        keys += [(group_type, name) for name in sorted({parents.get(n, n) for n in names})]
        small += [(group_type, name) for name in sorted(names & set(parents))]
    return keys + small, len(keys)


def _question_state(tables: Tables, keys, a: np.ndarray, d: np.ndarray, n_published: int) -> dict:
    """One question's published figures (from the true table ``a``, ``d``) and costs; keys
    from ``n_published`` on are merged small groups, protected as "<10" cells."""
    group_type = np.array([gt for gt, _ in keys], dtype=object)
    n_valid = np.rint(tables.M @ (a + d)).astype(np.int64)
    n_positive = np.rint(tables.M @ a).astype(np.int64)
    lo, hi = _agreeing_bounds(group_type, n_valid, n_positive, ("all",))
    rank = np.arange(len(keys))  # keys are in table order, groups by name
    return {
        "n_valid": n_valid,
        "n_positive": n_positive,
        "lo": lo,
        "hi": hi,
        "is_all": group_type == "all",
        "rank": rank,
        "weights": n_valid + 1e-3 * rank / len(keys),  # the cost of hiding a cell; ties by name
        "status": np.where((n_valid < tables.threshold) | (rank >= n_published), PRIMARY, SHOWN).astype(object),
    }


def _small_only(cells: pd.DataFrame, merged: dict | None, group_types, threshold: int) -> dict:
    """The merges of the published group types; ValueError when a merged group has ``threshold``
    or more valid answers to a statement (the LP takes a merged group to be under it)."""
    merged = {gt: dict(m) for gt, m in (merged or {}).items() if gt in group_types and m}
    for gt, parents in merged.items():
        sizes = cells.loc[cells[gt].isin(list(parents))].groupby(["question_id", gt])["n_valid"].sum()
        if (sizes >= threshold).any():
            big = sorted({g for (_, g), n in sizes.items() if n >= threshold})
            raise ValueError(f"only groups under the threshold are merged into a parent; {gt} {big} has {threshold} or more")
    return merged


def protect(
    cells: pd.DataFrame, group_types, threshold: int = 10, protection: int = DEFAULT_PROTECTION, merged: dict | None = None
) -> pd.DataFrame:
    """Primary and LP-chosen secondary suppression of everything one book publishes for a year.

    ``cells`` is one year's joint-cells table (:func:`healthcheck.data.cells.joint_cells`);
    ``group_types`` the breakdowns published (some of "team", "locality", "role"). Returns
    :data:`PROTECT_COLUMNS`, one row per question and published cell: the all-staff figure
    (``group_type`` "all", group "All staff") and every group seen in the year, for every
    question, with ``status`` "shown", "primary" (``n_valid < threshold``) or "secondary". A
    group with no valid answers to a question is "primary" (published "<10") but no hidden
    cell: a known zero. Blank groups are published nowhere. The rule and the method are in
    the module docstring. Questions that even full suppression of their breakdowns leaves
    under-protected are listed in ``result.attrs["unprotected"]``: publish no breakdown of them.

    ``merged`` ({group type: {small group: parent}}): each small group is published only in its
    parent, a group like any other; the small groups stay in the LP as "<10" cells to protect
    (no parent less its shown siblings may recover one), returned as :data:`MERGED`.
    """
    unknown = set(group_types) - set(GROUP_TYPES)
    if unknown:
        raise ValueError(f"unknown group types {sorted(unknown)}; expected some of {list(GROUP_TYPES)}")
    if not 1 <= protection <= threshold - 1:
        raise ValueError(f"protection must be between 1 and threshold - 1 = {threshold - 1}; got {protection}")
    years = pd.unique(cells["year"])
    if len(years) != 1:
        raise ValueError(f"protect works on one year at a time; cells hold {sorted(years)}")
    group_types = [g for g in GROUP_TYPES if g in set(group_types)]
    cells = cells.assign(**{g: cells[g].fillna("").astype(str) for g in group_types})
    # Only the published group types matter: joint cells that differ in another one merge.
    cells = cells.groupby(["question_id", *group_types], sort=True, as_index=False)[["n_valid", "n_positive"]].sum()
    merged = _small_only(cells, merged, group_types, threshold)
    keys, n_published = _published_cells(cells, group_types, merged)
    group_type, group = [gt for gt, _ in keys], [g for _, g in keys]
    models: dict[tuple, Tables] = {}  # questions answered by the same combinations share their LP

    out, unprotected = [], []
    for question_id, rows in cells.groupby("question_id", sort=True):
        # The combinations that answered: every other one is a known zero (module docstring).
        rows = rows.loc[rows["n_valid"] > 0]
        combos = rows.loc[:, group_types].reset_index(drop=True)
        key = tuple(map(tuple, combos.to_numpy()))
        tables = models.get(key)
        if tables is None:
            tables = models[key] = Tables(membership(combos, keys, merged), threshold)
        a, d = rows["n_positive"].to_numpy(dtype=float), (rows["n_valid"] - rows["n_positive"]).to_numpy(dtype=float)
        state = _question_state(tables, keys, a, d, n_published)
        status, ok = _protect_question(tables, state, np.r_[a, d], protection)
        status[n_published:] = MERGED
        if not ok:
            unprotected.append(question_id)
        figures = {key: state[key] for key in ("n_valid", "n_positive")}
        out.append(
            pd.DataFrame({"question_id": question_id, "group_type": group_type, "group": group, **figures, "status": status})
        )
    result = pd.concat(out, ignore_index=True)
    result.insert(0, "year", int(years[0]))
    result = result.astype({"n_valid": "int64", "n_positive": "int64", "status": str})
    result.attrs["unprotected"] = unprotected
    return result.loc[:, PROTECT_COLUMNS]
