"""Suppression over the linked tables one book publishes, chosen and audited by linear programming.

What is published, per question and year: the all-staff figure (valid and agreeing responses,
exactly) and a breakdown by each of team, locality and role (valid responses exactly, the
percentage agreeing rounded to a whole number, halves up). These tables are linked: every
figure is a sum of joint cells (team x locality x role), teams sit inside (or across)
localities, and each breakdown adds up to the all-staff total less the staff who gave no group. A hidden cell is
shown as "<10" (primary: fewer than ``threshold`` valid responses) or "hidden" (secondary:
withheld so that a primary cell cannot be worked out; it has at least ``threshold``).

The attacker we protect against knows all of that and the organisation's structure (which
team x locality x role combinations have staff). By linear programming over the joint cells'
agreeing and not-agreeing answers -- any non-negative numbers that fit every published figure
and label -- they can find, for each hidden cell, the smallest and largest number of valid,
agreeing and not-agreeing responses consistent with everything published. This is the audit
tau-ARGUS runs on a suppressed table; :func:`feasible_ranges` runs it.

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
from scipy.optimize import Bounds, LinearConstraint, milp

from healthcheck.data.codes import ALL_STAFF

SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
#: The breakdown group types, in publication order.
GROUP_TYPES: tuple[str, ...] = ("team", "locality", "role")
#: Default minimum width of a primary cell's feasible ranges (see the module docstring).
DEFAULT_PROTECTION = 3
#: The three counts audited for each hidden cell.
QUANTITIES: tuple[str, ...] = ("n_valid", "n_positive", "n_not_positive")
PROTECT_COLUMNS = ["year", "question_id", "group_type", "group", "n_valid", "n_positive", "status"]
PUBLISHED_COLUMNS = ["question_id", "group_type", "group", "status", "n_valid", "n_positive_lo", "n_positive_hi"]
RANGE_COLUMNS = [
    "question_id", "group_type", "group", "status",
    *[f"{q}_{end}" for q in QUANTITIES for end in ("min", "max")],
    "min_width",
]  # fmt: skip
_TOL = 1e-6


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
    """The organisation's structure as the attacker knows it: the distinct
    (team, locality, role) combinations of a joint-cells table."""
    return cells.loc[:, list(GROUP_TYPES)].drop_duplicates().sort_values(list(GROUP_TYPES)).reset_index(drop=True)


# --------------------------------------------------------------------------- the LP of one question


class _Tables:
    """One question's linked tables as an LP. Unknowns: agreeing ``a_j`` then not-agreeing
    ``d_j`` answers of each joint cell j, >= 0. Rows of ``A``: each published cell's valid
    count (``n`` rows), then its agreeing count (``a`` rows). Rows of ``Q`` (the audited
    counts) add the not-agreeing count; row ``q * C + i`` is count q of cell i."""

    def __init__(self, membership: sparse.csr_matrix, threshold: int):
        self.M, self.threshold = membership, threshold
        self.C, self.J = membership.shape
        zero = sparse.csr_matrix((self.C, self.J))
        self.A = sparse.vstack([sparse.hstack([membership, membership]), sparse.hstack([membership, zero])]).tocsc()
        # dense: a few hundred by a few hundred, read one row per LP
        self.Q = sparse.vstack([self.A, sparse.hstack([zero, membership])]).toarray()

    def bounds(self, status: np.ndarray, n_valid, lo, hi) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds of ``A`` for the labels in ``status`` and the published values."""
        t, shown = self.threshold, status == SHOWN
        n_lb = np.where(shown, n_valid, np.where(status == PRIMARY, 0.0, t))
        n_ub = np.where(shown, n_valid, np.where(status == PRIMARY, t - 1.0, np.inf))
        a_lb, a_ub = np.where(shown, lo, -np.inf), np.where(shown, hi, np.inf)
        return np.r_[n_lb, a_lb].astype(float), np.r_[n_ub, a_ub].astype(float)

    def solve(self, objective, A, lb, ub, integer=False):
        """Minimise ``objective`` over x >= 0 with ``lb <= A x <= ub``: (value, x); value is
        -inf when unbounded. ValueError when the published figures are inconsistent."""
        # Presolve costs more than it saves on LPs this small (a third of the time); a MILP keeps it.
        options = {} if integer else {"presolve": False}
        constraints = LinearConstraint(A, lb, ub)
        res = milp(objective, constraints=constraints, bounds=Bounds(0, np.inf), integrality=int(integer), options=options)
        if res.status == 3:
            return -np.inf, None
        if res.status != 0:
            raise ValueError(f"no table fits the published figures ({res.message})")
        return float(res.fun), res.x

    def extreme(self, row: int, lb, ub, sense: int, integer=False):
        """(value, x) minimising (sense 1) or maximising (sense -1) audited count ``row``."""
        value, x = self.solve(sense * self.Q[row], self.A, lb, ub, integer)
        return sense * value, x


class _Pool:
    """Tables known to fit what is published: the span of their values is a certified part of
    each count's feasible range, which spares most LPs."""

    def __init__(self, tables: _Tables, points=()):
        self.tables, self.points, self.seeded = tables, [], False
        self.lo = np.full(tables.Q.shape[0], np.inf)
        self.hi = np.full(tables.Q.shape[0], -np.inf)
        for x in points:
            self.add(x)

    def add(self, x) -> None:
        if x is not None:
            v = self.tables.Q @ x
            self.points.append((x, v))
            self.lo, self.hi = np.minimum(self.lo, v), np.maximum(self.hi, v)

    def keeping(self, rows: list[int], lows, highs) -> _Pool:
        """A pool of the tables whose counts on ``rows`` lie within ``[lows, highs]``."""
        fits = [x for x, v in self.points if np.all((v[rows] >= lows - _TOL) & (v[rows] <= highs + _TOL))]
        return _Pool(self.tables, fits)


def _seed(tables: _Tables, lb, ub, rows, pool: _Pool, integer=False) -> None:
    """Add the tables minimising and maximising each count summed over ``rows``: six LPs that
    move many cells at once, so that most ranges are then certified without a per-cell LP."""
    rows = np.asarray(rows)
    pool.seeded = True
    for q in range(3):
        mine = rows[(rows // tables.C) == q]
        if len(mine):
            total = tables.Q[mine].sum(axis=0)
            for sense in (1, -1):
                pool.add(tables.solve(sense * total, tables.A, lb, ub, integer)[1])


def _shortfalls(tables: _Tables, lb, ub, needs, pool: _Pool, first: bool, priority=()) -> list:
    """The counts (row, min, max, need) whose feasible range is narrower than ``need``;
    only the first one when ``first``. Solves an LP only where the pool does not already
    certify the width, and the pool keeps every table found. Rows in ``priority`` (the likely
    failures) are checked first, before the pool is seeded."""
    rank = {row: i for i, row in enumerate(priority)}
    needs = sorted(needs, key=lambda item: rank.get(item[0], len(rank)))
    found = []
    for at, (row, need) in enumerate(needs):
        if pool.hi[row] - pool.lo[row] >= need - _TOL:
            continue
        if not pool.seeded and row not in rank:
            open_rows = [r for r, w in needs[at:] if pool.hi[r] - pool.lo[r] < w - _TOL]
            if len(open_rows) > 3:
                _seed(tables, lb, ub, open_rows, pool)
                if pool.hi[row] - pool.lo[row] >= need - _TOL:
                    continue
        for sense in (-1, 1):
            pool.add(tables.extreme(row, lb, ub, sense)[1])
            if pool.hi[row] - pool.lo[row] >= need - _TOL:
                break
        else:
            found.append((row, pool.lo[row], pool.hi[row], need))
            if first:
                return found
    return found


# --------------------------------------------------------------------------- choosing secondary cells


def _needs(status: np.ndarray, total, threshold: int, protection: int) -> list[tuple[int, float]]:
    """(audited row, required width) for every hidden cell's three counts, primary cells
    first. ``total`` is the all-staff (n_valid, lowest agreeing, highest agreeing), or None
    when the all-staff figure is itself hidden. See the module docstring for the rule."""
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
        for i in np.flatnonzero(status == kind):
            out += [(q * C + i, float(min(target[kind], caps[kind][q]))) for q in range(3)]
    return [(row, need) for row, need in out if need > 0]


def _repair(tables: _Tables, state: dict, status: np.ndarray, short: tuple):
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
        moved = x[2 * tables.J :].reshape(4, S).sum(axis=0) > _TOL
        hide = np.zeros(C, dtype=bool)
        hide[cand[moved]] = True
        price = (weights[hide].sum(), hide.sum())
        if best is None or price < best[0]:
            best = (price, hide, x[: 2 * tables.J])
    return None if best is None else best[1:]


def _audit(tables: _Tables, state: dict, status, pool: _Pool, protection: int, first: bool, priority=()) -> list:
    """The under-protected counts of one question when ``status`` is published."""
    lb, ub = tables.bounds(status, state["n_valid"], state["lo"], state["hi"])
    a = int(np.flatnonzero(state["is_all"])[0])
    total = None if status[a] != SHOWN else (state["n_valid"][a], state["lo"][a], state["hi"][a])
    needs = _needs(status, total, tables.threshold, protection)
    return _shortfalls(tables, lb, ub, needs, pool, first, priority)


def _protect_question(tables: _Tables, state: dict, truth: np.ndarray, protection: int) -> tuple[np.ndarray, bool]:
    """(status per cell, protected?) for one question; see the module docstring."""
    status = state["status"].copy()
    if not (status != SHOWN).any():
        return status, True
    pool = _Pool(tables, [truth])
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
        return status, not _audit(tables, state, status, _Pool(tables, [truth]), protection, True)

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


def _membership(combos: pd.DataFrame, keys: list[tuple[str, str]]) -> sparse.csr_matrix:
    """Published cell x joint cell: 1 where the joint cell counts in the published cell."""
    rows, cols = [], []
    for i, (group_type, group) in enumerate(keys):
        j = np.arange(len(combos)) if group_type == "all" else np.flatnonzero(combos[group_type].to_numpy() == group)
        rows.append(np.full(len(j), i))
        cols.append(j)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(combos)))


def _published_cells(cells: pd.DataFrame, group_types: list[str]) -> list[tuple[str, str]]:
    """(group_type, group) of everything published: all staff, then each type's named groups."""
    keys = [("all", ALL_STAFF)]
    for group_type in group_types:
        names = sorted(set(cells[group_type].astype(str)) - {""})
        keys += [(group_type, name) for name in names]
    return keys


def _question_state(tables: _Tables, keys, a: np.ndarray, d: np.ndarray) -> dict:
    """One question's published figures (from the true table ``a``, ``d``) and costs."""
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
        "status": np.where(n_valid < tables.threshold, PRIMARY, SHOWN).astype(object),
    }


def protect(cells: pd.DataFrame, group_types, threshold: int = 10, protection: int = DEFAULT_PROTECTION) -> pd.DataFrame:
    """Primary and LP-chosen secondary suppression of everything one book publishes for a year.

    ``cells`` is one year's joint-cells table (:func:`healthcheck.data.cells.joint_cells`);
    ``group_types`` the breakdowns published (some of "team", "locality", "role"). Returns
    :data:`PROTECT_COLUMNS`, one row per question and published cell: the all-staff figure
    (``group_type`` "all", group "All staff") and every group seen in the year, for every
    question (a group with no valid answers is a 0 cell, hence primary), with ``status``
    "shown", "primary" (``n_valid < threshold``) or "secondary". Blank groups are published
    nowhere. The rule and the method are in the module docstring. Questions that even full
    suppression of their breakdowns leaves under-protected are listed in
    ``result.attrs["unprotected"]``: publish no breakdown of them.
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
    combos = cells.loc[:, group_types].drop_duplicates().reset_index(drop=True)
    keys = _published_cells(cells, group_types)
    tables = _Tables(_membership(combos, keys), threshold)
    cells = cells.merge(combos.assign(_j=np.arange(len(combos))), on=group_types, how="left")
    group_type, group = [gt for gt, _ in keys], [g for _, g in keys]

    out, unprotected = [], []
    for question_id, rows in cells.groupby("question_id", sort=True):
        a, d = np.zeros(tables.J), np.zeros(tables.J)
        a[rows["_j"].to_numpy()] = rows["n_positive"].to_numpy()
        d[rows["_j"].to_numpy()] = (rows["n_valid"] - rows["n_positive"]).to_numpy()
        state = _question_state(tables, keys, a, d)
        status, ok = _protect_question(tables, state, np.r_[a, d], protection)
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


def _exact_ranges(tables: _Tables, lb, ub, status: np.ndarray, integer: bool) -> np.ndarray:
    """(hidden cells, 3 counts, min/max) by LP, skipping an LP wherever a table already found
    reaches a bound the labels imply (0, the threshold, threshold - 1, the cell's largest
    valid count)."""
    C, t = tables.C, tables.threshold
    hidden = np.flatnonzero(status != SHOWN)
    pool = _Pool(tables)
    _seed(tables, lb, ub, [q * C + i for q in range(3) for i in hidden], pool, integer)
    out = np.zeros((len(hidden), 3, 2))
    for h, i in enumerate(hidden):
        primary = status[i] == PRIMARY
        for q in range(3):
            row = q * C + i
            floor = t if (q == 0 and not primary) else 0
            ceiling = t - 1 if primary else np.inf
            if q > 0:  # agreeing and not-agreeing answers are each at most the valid ones
                ceiling = min(ceiling, out[h, 0, 1])
            low = floor if pool.lo[row] <= floor + _TOL else None
            high = ceiling if pool.hi[row] >= ceiling - _TOL else None
            if low is None:
                low, x = tables.extreme(row, lb, ub, 1, integer)
                pool.add(x)
            if high is None:
                high, x = tables.extreme(row, lb, ub, -1, integer)
                pool.add(x)
            out[h, q] = low, high
    return np.round(out, 6) + 0.0


def feasible_ranges(published: pd.DataFrame, structure: pd.DataFrame, threshold: int = 10, integer: bool = False) -> pd.DataFrame:
    """The attacker's audit: for every suppressed cell, the smallest and largest valid,
    agreeing and not-agreeing counts consistent with everything published.

    ``published`` has :data:`PUBLISHED_COLUMNS` (see :func:`publication`): shown cells with
    their exact ``n_valid`` and agreeing interval, hidden cells with status "primary"
    (``n_valid <= threshold - 1``) or "secondary" (``>= threshold``). ``structure`` lists the
    (team, locality, role) combinations that exist (:func:`structure_of`), for every question
    or, with a ``question_id`` column, per question. Each question is one LP over its joint
    cells' agreeing and not-agreeing answers (real numbers >= 0, or whole numbers with
    ``integer=True``, solved as a MILP), solved with HiGHS through ``scipy.optimize.milp``.

    Returns :data:`RANGE_COLUMNS`, ``min_width`` being the narrowest of the three ranges.
    ValueError when no table fits the published figures.
    """
    group_types = [g for g in GROUP_TYPES if g in set(published["group_type"])]
    structure = structure.assign(**{g: structure[g].fillna("").astype(str) if g in structure else "" for g in group_types})
    frames = []
    for question_id, pub in published.groupby("question_id", sort=True):
        combos = structure.loc[structure["question_id"] == question_id] if "question_id" in structure else structure
        combos = combos.loc[:, group_types].drop_duplicates().reset_index(drop=True)
        keys = list(zip(pub["group_type"], pub["group"].astype(str), strict=True))
        tables = _Tables(_membership(combos, keys), threshold)
        status = pub["status"].to_numpy(dtype=object)
        values = [pub[c].astype("Float64").fillna(0).to_numpy(dtype=float) for c in PUBLISHED_COLUMNS[4:]]
        lb, ub = tables.bounds(status, *values)
        ranges = _exact_ranges(tables, lb, ub, status, integer).reshape(-1, 6)
        hidden = pub.loc[status != SHOWN, ["question_id", "group_type", "group", "status"]].reset_index(drop=True)
        frame = pd.concat([hidden, pd.DataFrame(ranges, columns=RANGE_COLUMNS[4:10])], axis=1)
        frame["min_width"] = (ranges[:, 1::2] - ranges[:, 0::2]).min(axis=1) if len(ranges) else []
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=RANGE_COLUMNS)
    return pd.concat(frames, ignore_index=True).loc[:, RANGE_COLUMNS]
