"""One question's linked tables as a linear programme: the model both the suppression and the
attacker's audit of :mod:`healthcheck.analysis.disclosure` solve.

The unknowns are the agreeing and not-agreeing answers of each joint cell (team x locality x
role combination that gave the question valid answers), real numbers >= 0. Every published
cell -- the all-staff figure and each breakdown group -- is a sum of joint cells
(:func:`membership`); what is published about it bounds its valid and agreeing counts
(:meth:`Tables.bounds`). Minimising or maximising one cell's count over that polytope gives
the feasible range an attacker can work out. :class:`Pool` keeps every table found, whose
span certifies part of each range so that most LPs need not be solved at all.

:func:`feasible_ranges` is the attacker's audit of a whole publication, one LP per question.
Which cells to hide, and what width each range must have, is the business of
:mod:`healthcheck.analysis.disclosure`, which also re-exports everything public here.
"""

from __future__ import annotations

import hashlib

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
#: A small group published only inside its declared parent group (survey.yml ``small_groups``):
#: never shown on its own, and audited as a "<10" cell would be (see :func:`membership`).
MERGED = "merged"
#: The breakdown group types, in publication order.
GROUP_TYPES: tuple[str, ...] = ("team", "locality", "role")
#: The three counts audited for each hidden cell.
QUANTITIES: tuple[str, ...] = ("n_valid", "n_positive", "n_not_positive")
PUBLISHED_COLUMNS = ["question_id", "group_type", "group", "status", "n_valid", "n_positive_lo", "n_positive_hi"]
RANGE_COLUMNS = [
    "question_id", "group_type", "group", "status",
    *[f"{q}_{end}" for q in QUANTITIES for end in ("min", "max")],
    "min_width",
]  # fmt: skip
TOL = 1e-6


def membership(combos: pd.DataFrame, keys: list[tuple[str, str]], merged: dict | None = None) -> sparse.csr_matrix:
    """Published cell x joint cell: 1 where the joint cell counts in the published cell.
    ``keys`` are (group type, group), group type "all" for the all-staff figure; a group
    none of ``combos`` belongs to has an empty row.

    ``merged`` ({group type: {small group: parent group}}) is what the book publishes only
    in a parent: the parent's key holds every joint cell of its small groups, and a small
    group's own key (an unpublished cell the attacker may try to recover) holds its own."""
    merged = merged or {}
    rows, cols = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)]
    for i, (group_type, group) in enumerate(keys):
        if group_type == "all":
            j = np.arange(len(combos))
        else:
            names = combos[group_type].to_numpy()
            parents = merged.get(group_type, {})
            inside = names == group
            if parents and group not in parents:  # a published group: its own cells and its small groups'
                inside |= np.array([parents.get(name) == group for name in names], dtype=bool)
            j = np.flatnonzero(inside)
        rows.append(np.full(len(j), i))
        cols.append(j)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(combos)))


class Tables:
    """One question's linked tables as an LP. Unknowns: agreeing ``a_j`` then not-agreeing
    ``d_j`` answers of each joint cell j, >= 0. Rows of ``A``: each published cell's valid
    count (``n`` rows), then its agreeing count (``a`` rows). Rows of ``Q`` (the audited
    counts) add the not-agreeing count; row ``q * C + i`` is count q of cell i. ``empty``
    marks the published cells no joint cell belongs to: nobody answered in them."""

    def __init__(self, membership: sparse.csr_matrix, threshold: int):
        self.M, self.threshold = membership, threshold
        self.C, self.J = membership.shape
        self.empty = np.asarray(membership.sum(axis=1)).ravel() == 0
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

    def fixed(self, lb, ub, integer=False) -> FixedBounds:
        """These tables with row bounds ``lb``, ``ub`` fixed, to solve for objective after objective."""
        return FixedBounds(self, lb, ub, integer)


class FixedBounds:
    """One question's tables with the row bounds fixed, for many objectives in a row (the
    smallest and largest value of count after count).

    An LP keeps one HiGHS model (highspy) whose objective alone changes, so each solve starts
    from the last one's optimal basis: in an audit most LPs then take a few simplex steps.
    A MILP (``integer``) is solved afresh each time through ``scipy.optimize.milp``.
    """

    def __init__(self, tables: Tables, lb, ub, integer=False):
        self.tables, self.lb, self.ub, self.integer = tables, lb, ub, integer
        self.highs = None if integer else _highs_model(tables.A, lb, ub)
        self.columns = np.arange(tables.A.shape[1], dtype=np.int32)

    def minimise(self, objective):
        """(value, x) minimising ``objective``; value -inf when unbounded. ValueError when the
        published figures are inconsistent."""
        if self.highs is None:
            return self.tables.solve(objective, self.tables.A, self.lb, self.ub, self.integer)
        h = self.highs
        h.changeColsCost(len(self.columns), self.columns, np.asarray(objective, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return -np.inf, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise ValueError(f"no table fits the published figures ({h.modelStatusToString(status)})")
        return float(h.getInfo().objective_function_value), np.array(h.getSolution().col_value)

    def extreme(self, row: int, sense: int):
        """(value, x) minimising (sense 1) or maximising (sense -1) audited count ``row``."""
        value, x = self.minimise(sense * self.tables.Q[row])
        return sense * value, x


def _highs_model(A: sparse.csc_matrix, lb, ub):
    """A HiGHS model of x >= 0 with ``lb <= A x <= ub`` and no objective yet, quiet and without
    presolve (LPs this small lose more by it than they gain, as with scipy's calls)."""
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.zeros(A.shape[1])
    lp.col_lower_ = np.zeros(A.shape[1])
    lp.col_upper_ = np.full(A.shape[1], inf)
    lp.row_lower_ = np.maximum(np.asarray(lb, dtype=float), -inf)
    lp.row_upper_ = np.minimum(np.asarray(ub, dtype=float), inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    h.passModel(lp)
    return h


class Pool:
    """Tables known to fit what is published: the span of their values is a certified part of
    each count's feasible range, which spares most LPs."""

    def __init__(self, tables: Tables, points=()):
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

    def keeping(self, rows: list[int], lows, highs) -> Pool:
        """A pool of the tables whose counts on ``rows`` lie within ``[lows, highs]``."""
        fits = [x for x, v in self.points if np.all((v[rows] >= lows - TOL) & (v[rows] <= highs + TOL))]
        return Pool(self.tables, fits)


def seed(model: FixedBounds, rows, pool: Pool) -> None:
    """Add the tables minimising and maximising each count summed over ``rows``: six LPs that
    move many cells at once, so that most ranges are then certified without a per-cell LP."""
    tables, rows = model.tables, np.asarray(rows)
    pool.seeded = True
    for q in range(3):
        mine = rows[(rows // tables.C) == q]
        if len(mine):
            total = tables.Q[mine].sum(axis=0)
            for sense in (1, -1):
                pool.add(model.minimise(sense * total)[1])


def shortfalls(tables: Tables, lb, ub, needs, pool: Pool, first: bool, priority=()) -> list:
    """The counts (row, min, max, need) whose feasible range is narrower than ``need``;
    only the first one when ``first``. Solves an LP only where the pool does not already
    certify the width, and the pool keeps every table found. Rows in ``priority`` (the likely
    failures) are checked first, before the pool is seeded."""
    rank = {row: i for i, row in enumerate(priority)}
    needs = sorted(needs, key=lambda item: rank.get(item[0], len(rank)))
    found, model = [], None  # the model is made only if an LP is needed at all
    for at, (row, need) in enumerate(needs):
        if pool.hi[row] - pool.lo[row] >= need - TOL:
            continue
        model = model or tables.fixed(lb, ub)
        if not pool.seeded and row not in rank:
            open_rows = [r for r, w in needs[at:] if pool.hi[r] - pool.lo[r] < w - TOL]
            if len(open_rows) > 3:
                seed(model, open_rows, pool)
                if pool.hi[row] - pool.lo[row] >= need - TOL:
                    continue
        for sense in (-1, 1):
            pool.add(model.extreme(row, sense)[1])
            if pool.hi[row] - pool.lo[row] >= need - TOL:
                break
        else:
            found.append((row, pool.lo[row], pool.hi[row], need))
            if first:
                return found
    return found


def exact_ranges(tables: Tables, lb, ub, status: np.ndarray, cells: np.ndarray, integer: bool) -> np.ndarray:
    """(len(cells), 3 counts, min/max) of the published cells ``cells`` by LP, skipping an LP
    wherever a table already found reaches a bound the labels imply (0, the threshold,
    threshold - 1, the cell's largest valid count)."""
    C, t = tables.C, tables.threshold
    pool, model = Pool(tables), tables.fixed(lb, ub, integer)
    seed(model, [q * C + i for q in range(3) for i in cells], pool)
    out = np.zeros((len(cells), 3, 2))
    for h, i in enumerate(cells):
        primary = status[i] == PRIMARY
        for q in range(3):
            row = q * C + i
            floor = t if (q == 0 and not primary) else 0
            ceiling = t - 1 if primary else np.inf
            if q > 0:  # agreeing and not-agreeing answers are each at most the valid ones
                ceiling = min(ceiling, out[h, 0, 1])
            low = floor if pool.lo[row] <= floor + TOL else None
            high = ceiling if pool.hi[row] >= ceiling - TOL else None
            if low is None:
                low, x = model.extreme(row, 1)
                pool.add(x)
            if high is None:
                high, x = model.extreme(row, -1)
                pool.add(x)
            out[h, q] = low, high
    return np.round(out, 6) + 0.0


def feasible_ranges(
    published: pd.DataFrame, structure: pd.DataFrame, threshold: int = 10, integer: bool = False, merged: dict | None = None
) -> pd.DataFrame:
    """The attacker's audit: for every suppressed cell, the smallest and largest valid,
    agreeing and not-agreeing counts consistent with everything published.

    ``published`` has :data:`PUBLISHED_COLUMNS` (see
    :func:`~healthcheck.analysis.disclosure.publication`): shown cells with their exact
    ``n_valid`` and agreeing interval, hidden cells with status "primary" (``n_valid <=
    threshold - 1``) or "secondary" (``>= threshold``). ``structure`` lists the (team,
    locality, role) combinations that answered
    (:func:`~healthcheck.analysis.disclosure.structure_of`), per question with a
    ``question_id`` column, or for every question without one. Each question is one LP over
    its joint cells' agreeing and not-agreeing answers (real numbers >= 0, or whole numbers
    with ``integer=True``, solved as a MILP), solved with HiGHS (:class:`FixedBounds`).

    ``merged`` ({group type: {small group: parent group}}, survey.yml's ``small_groups`` as
    applied): the structure names the small groups, the publication only their parents. Each
    small group of a question with breakdowns is then attacked too, as an unpublished cell
    known to have fewer than ``threshold`` valid answers, and returned with status
    :data:`MERGED` (a parent total less its shown siblings is one of the attacks the LP tries).

    Returns :data:`RANGE_COLUMNS`, ``min_width`` being the narrowest of the three ranges, for
    every hidden cell but the known zeros (groups no combination of the structure belongs to).
    ValueError when no table fits the published figures.
    """
    merged = {gt: dict(sorted(m.items())) for gt, m in sorted((merged or {}).items()) if m}
    group_types = [g for g in GROUP_TYPES if g in set(published["group_type"]) or g in merged]
    structure = structure.assign(**{g: structure[g].fillna("").astype(str) if g in structure else "" for g in group_types})
    problems = []
    for question_id, pub in published.groupby("question_id", sort=True):
        pub = _with_merged(pub, question_id, merged)
        combos = structure.loc[structure["question_id"] == question_id] if "question_id" in structure else structure
        combos = combos.loc[:, group_types].drop_duplicates().reset_index(drop=True)
        keys = list(zip(pub["group_type"], pub["group"].astype(str), strict=True))
        status = pub["status"].to_numpy(dtype=object)
        values = [pub[c].astype("Float64").fillna(0).to_numpy(dtype=float) for c in PUBLISHED_COLUMNS[4:]]
        problems.append((pub, combos, keys, status, values))
    if not problems:
        return pd.DataFrame(columns=RANGE_COLUMNS)
    key = _memo_key(problems, threshold, integer, merged)
    if key not in _MEMO:
        _MEMO.clear()  # one publication at a time: a build asks about it twice
        _MEMO[key] = _solve_all(problems, threshold, integer, merged)
    return _MEMO[key].copy()


def _with_merged(pub: pd.DataFrame, question_id, merged: dict) -> pd.DataFrame:
    """One question's published cells and, when it has breakdowns, a row per small group
    published only in its parent: status :data:`MERGED`, no figures (the LP bounds it as a
    "<10" cell, which is what merging under the threshold tells the attacker)."""
    if not merged or not (pub["group_type"] != "all").any():
        return pub
    extra = [
        {"question_id": question_id, "group_type": gt, "group": group, "status": MERGED}
        for gt, parents in merged.items()
        for group in parents
    ]
    return pd.concat([pub, pd.DataFrame(extra, columns=pub.columns)], ignore_index=True)


#: The last answer of feasible_ranges, by a hash of exactly what its LPs are built from. A build
#: audits its publication twice -- from the tables, for the appendix, then from the files read
#: back -- and when the files give exactly the same LPs, the answer is necessarily the same.
_MEMO: dict[str, pd.DataFrame] = {}


def _memo_key(problems: list, threshold: int, integer: bool, merged: dict | None = None) -> str:
    digest = hashlib.sha256(repr((threshold, integer, merged or {})).encode())
    for pub, combos, keys, status, values in problems:
        digest.update(repr((pub["question_id"].iloc[0], keys, list(status), combos.to_numpy().tolist())).encode())
        for array in values:
            digest.update(array.tobytes())
    return digest.hexdigest()


def _solve_all(problems: list, threshold: int, integer: bool, merged: dict | None = None) -> pd.DataFrame:
    """feasible_ranges' LPs, one question after another."""
    frames = []
    for pub, combos, keys, labels, values in problems:
        tables = Tables(membership(combos, keys, merged), threshold)
        status = np.where(labels == MERGED, PRIMARY, labels)  # what the attacker knows of a merged group: under the threshold
        lb, ub = tables.bounds(status, *values)
        # a cell no combination answered in is a known zero, not a hidden cell
        cells = np.flatnonzero((status != SHOWN) & ~tables.empty)
        ranges = exact_ranges(tables, lb, ub, status, cells, integer).reshape(-1, 6) if len(cells) else np.zeros((0, 6))
        hidden = pub.iloc[cells][["question_id", "group_type", "group", "status"]].reset_index(drop=True)
        frame = pd.concat([hidden, pd.DataFrame(ranges, columns=RANGE_COLUMNS[4:10])], axis=1)
        frame["min_width"] = (ranges[:, 1::2] - ranges[:, 0::2]).min(axis=1) if len(ranges) else []
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).loc[:, RANGE_COLUMNS]
