"""Benchmarks: national and regional figures, and our figures beside them (ranks: `analysis.ranks`).

Pure functions over DataFrames: nothing here reads files, prints or rounds. Percentages are
0-100 and unrounded. The input of every function is one year's **organisation figures**, one
row per (organisation, statement)::

    org_id, region, question_id, n_positive, n_valid

(the all-staff ``n_positive`` and ``n_valid`` of each organisation's figures table).

Choices, and why
----------------
**A benchmark is pooled over respondents.** ``pct_positive`` of England (or of a region) is
the positive answers of all its respondents over all their valid answers: "72% of social
workers in England agree". This is what the national employer-standards health check
publishes (national percentages of respondents), it reads as a statement about staff, and
it is a binomial proportion with a known base, so ``n_valid`` is kept and our difference
from it can be tested with the same test as a change between years. The NHS Staff Survey
instead shows each organisation beside the median (and best and worst) of its benchmarking
group: a "typical organisation" figure that gives a 12-respondent organisation the same
weight as a 900-respondent one and has no base to test against. That figure is kept too,
as ``org_median_pct`` (the median of the organisations' shown percentages), for a report
that wants to say "the middle organisation"; it is never tested.

**Suppression.** No figure is shown from fewer than ``threshold`` valid responses. An
organisation's statement below the threshold is left out of the benchmark pools altogether
(and out of ``n_organisations``), not only out of its own report: every organisation's own
figure is published in its report, so a regional total that included a suppressed figure
would give it away by subtraction (region minus the published others). With only shown
figures in the pools, that subtraction leaves nothing. The cost is a few respondents of very small
organisations missing from the national figure, which moves it by a fraction of a point. A
benchmark whose pool is still under the threshold (no contributing organisation) is itself
suppressed.

**Overlap with the benchmark.** We are part of the pool we are compared with, so our
difference from England is not a difference between independent samples. With our share
``w`` of the pool, ``ours - benchmark = (1 - w) * (ours - others)``: testing us against
*everyone else* (the pool minus us) is the right test, and its direction always agrees with
the difference shown. :func:`compare_with_benchmarks` therefore

* takes the others' counts exactly from every organisation's counts when it has them
  (``org_counts``; basis ``others``);
* otherwise, given a published benchmark with its base, rebuilds the others as the
  published pool minus our own counts, the positive count recovered as
  ``round(pct * n / 100)`` (exact when the percentage is unrounded; one rounded to a whole
  number moves the others' percentage by about half a point at most, small beside the
  standard error of the difference, which our own smaller sample dominates) -- basis
  ``published minus us``. With ``benchmark_includes_us=False`` (a benchmark that does not
  contain us) it is tested as it is (basis ``published``);
* with no base for the benchmark, shows the difference and marks it ``not tested``.

The differences are tested one by one (two-sided, ``alpha`` 0.05), as changes between years
are; with 30 statements and two benchmarks a report should expect about three "significant"
differences by chance alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthcheck.analysis.stats import compare_proportions

NATIONAL = "national"
REGION = "region"
ENGLAND = "England"
SCOPES = (NATIONAL, REGION)

#: Columns of :func:`benchmark_figures`; the first five are ``<year>/benchmarks.csv``.
BENCHMARK_COLUMNS = "question_id scope name pct_positive n_valid n_organisations n_positive org_median_pct suppressed".split()
#: Columns of :func:`compare_with_benchmarks`.
COMPARISON_COLUMNS = (
    "question_id scope name pct_positive n_valid benchmark_pct benchmark_n_valid diff_pts p_value test basis result".split()
)

#: Values of ``result`` in the comparison table.
HIGHER = "higher"
LOWER = "lower"
NO_DIFFERENCE = "no significant difference"
NOT_TESTED = "not tested"
NOT_IN_BENCHMARK = "not in benchmark"
SUPPRESSED = "suppressed"
BENCHMARK_SUPPRESSED = "benchmark suppressed"

#: Values of ``basis``: what our figure was tested against.
BASIS_OTHERS = "others"
BASIS_PUBLISHED_LESS_US = "published minus us"
BASIS_PUBLISHED = "published"

_ORG_COLUMNS = "org_id region question_id n_positive n_valid".split()


# --------------------------------------------------------------------------- input


def checked_figures(org_figures: pd.DataFrame) -> pd.DataFrame:
    """The organisation figures with clean types, or ValueError naming what is wrong."""
    missing = [c for c in _ORG_COLUMNS if c not in org_figures.columns]
    if missing:
        raise ValueError(f"organisation figures lack the columns {missing}")
    figs = org_figures.loc[:, _ORG_COLUMNS].copy()
    codes = {}
    for col in ("org_id", "region", "question_id"):
        if figs[col].dtype != "str":  # the batch calls this once per organisation: skip the copies
            figs[col] = figs[col].astype(str)
        codes[col], uniques = pd.factorize(figs[col])
        codes[col + "_n"] = len(uniques)
    for col in ("n_positive", "n_valid"):
        if figs[col].isna().any():
            raise ValueError(f"organisation figures have an empty {col}")
        figs[col] = figs[col].astype("int64")
    bad = (figs["n_positive"] < 0) | (figs["n_positive"] > figs["n_valid"])
    if bad.any():
        row = figs.loc[bad].iloc[0]
        raise ValueError(f"n_positive out of range for {row['org_id']} {row['question_id']}")
    org = codes["org_id"].astype(np.int64)
    if np.unique(org * codes["question_id_n"] + codes["question_id"]).size != len(figs):
        raise ValueError("organisation figures have more than one row for an (org_id, question_id)")
    if np.unique(org * codes["region_n"] + codes["region"]).size != codes["org_id_n"]:
        raise ValueError("an organisation is given more than one region")
    return figs


def region_of(figs: pd.DataFrame, org_id) -> str:
    regions = figs.loc[figs["org_id"] == str(org_id), "region"]
    if regions.empty:
        raise ValueError(f"organisation {org_id!r} is not in the organisation figures")
    return str(regions.iloc[0])


# --------------------------------------------------------------------------- benchmark figures


def benchmark_figures(org_figures: pd.DataFrame, threshold: int = 10) -> pd.DataFrame:
    """England's and each region's figure of every statement, pooled over respondents.

    One row per statement for England (``scope`` ``"national"``, ``name`` ``"England"``)
    and per (region, statement) that occurs (``scope`` ``"region"``, ``name`` the region).
    Only organisation figures with ``n_valid >= threshold`` enter a pool (see the module
    notes): ``n_valid`` and ``n_positive`` are their sums, ``pct_positive`` the pooled
    percentage, ``n_organisations`` how many organisations contributed and ``org_median_pct``
    the median of their percentages. A benchmark with ``n_valid < threshold`` is
    ``suppressed``: pct_positive, n_positive and org_median_pct empty, n_valid kept.

    Columns :data:`BENCHMARK_COLUMNS`; sorted by question_id, England first, then regions
    by name.
    """
    figs = checked_figures(org_figures)
    shown = figs.loc[figs["n_valid"] >= threshold]
    shown = shown.assign(_pct=100.0 * shown["n_positive"] / shown["n_valid"])
    national = _pooled(figs.assign(name=ENGLAND), shown.assign(name=ENGLAND)).assign(scope=NATIONAL)
    regional = _pooled(figs.rename(columns={"region": "name"}), shown.rename(columns={"region": "name"}))
    out = pd.concat([national, regional.assign(scope=REGION)], ignore_index=True)

    suppressed = out["n_valid"] < threshold
    out["suppressed"] = suppressed.to_numpy(dtype=bool)
    out["n_positive"] = out["n_positive"].astype("Int64").mask(suppressed, pd.NA)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * out["n_positive"].astype("float64") / out["n_valid"]
    out["pct_positive"] = pct.mask(suppressed)
    out["org_median_pct"] = out["org_median_pct"].mask(suppressed)
    out["_scope"] = (out["scope"] == REGION).astype(int)
    out = out.sort_values(["question_id", "_scope", "name"], kind="stable").reset_index(drop=True)
    return out.loc[:, BENCHMARK_COLUMNS]


def _pooled(figs: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """Sums over the shown figures per (name, question_id), on the grid of every pair in figs."""
    keys = ["name", "question_id"]
    grid = figs.loc[:, keys].drop_duplicates()
    sums = shown.groupby(keys, sort=False).agg(
        n_valid=("n_valid", "sum"),
        n_positive=("n_positive", "sum"),
        n_organisations=("org_id", "size"),
        org_median_pct=("_pct", "median"),
    )
    out = grid.merge(sums.reset_index(), on=keys, how="left", validate="1:1")
    for col in ("n_valid", "n_positive", "n_organisations"):
        out[col] = out[col].fillna(0).astype("int64")
    return out


# --------------------------------------------------------------------------- comparisons


def compare_with_benchmarks(
    ours: pd.DataFrame | None,
    benchmarks: pd.DataFrame,
    org_id=None,
    org_counts: pd.DataFrame | None = None,
    *,
    region: str | None = None,
    threshold: int = 10,
    alpha: float = 0.05,
    benchmark_includes_us: bool = True,
) -> pd.DataFrame:
    """Our figure of each statement beside England's and our region's, with the difference.

    ``ours``: one row per statement with ``question_id`` and ``n_positive``/``n_valid``
    and/or ``pct_positive`` (a figures table will do; a ``suppressed`` column is honoured).
    ``None`` takes our counts from ``org_counts`` (then ``org_id`` is needed).
    ``benchmarks``: ``question_id, scope, name, pct_positive, n_valid`` as in
    :func:`benchmark_figures` or ``<year>/benchmarks.csv`` (``n_valid`` may be empty).
    ``org_counts``: every organisation's figures (as for :func:`benchmark_figures`); with
    ``org_id`` the test is exact, against the others in the scope. Our region is ``region``,
    else ours in ``org_counts``, else the one region in ``benchmarks`` (no region rows when
    there is none; ValueError when there are several).

    One row per (our statement, scope): ``diff_pts = pct_positive - benchmark_pct`` whenever
    both are shown; ``p_value``/``test`` from :func:`healthcheck.stats.compare_proportions`
    of us against the others (see the module notes for the ``basis``); ``result`` is
    ``higher``/``lower`` (p < alpha), ``no significant difference``, ``not tested`` (no base
    for the benchmark, or no others), ``not in benchmark``, ``suppressed`` (our figure has
    fewer than ``threshold`` valid responses) or ``benchmark suppressed``.
    Columns :data:`COMPARISON_COLUMNS`, in the order of ``ours``, England before region.
    """
    figs = checked_figures(org_counts) if org_counts is not None else None
    mine = totals = None
    if figs is not None and org_id is not None:
        mine = figs.loc[figs["org_id"] == str(org_id)]
        if mine.empty:
            raise ValueError(f"organisation {org_id!r} is not in org_counts")
        region = region if region is not None else str(mine["region"].iloc[0])
        totals = _pool_totals(figs, threshold)
    if ours is None:
        if mine is None:
            raise ValueError("without our figures, give org_counts and org_id")
        ours = mine
    region = region if region is not None else _only_region(benchmarks)
    scopes = [(NATIONAL, _national_name(benchmarks))] + ([(REGION, str(region))] if region is not None else [])
    ctx = (_benchmark_lookup(benchmarks), totals, threshold, alpha, benchmark_includes_us)
    return _comparison_frame(_comparison_rows(ours, mine, scopes, ctx), COMPARISON_COLUMNS)


def compare_all_organisations(
    org_figures: pd.DataFrame, benchmarks: pd.DataFrame | None = None, *, threshold: int = 10, alpha: float = 0.05
) -> pd.DataFrame:
    """:func:`compare_with_benchmarks` of every organisation against England and its region.

    The same rows, each test exact against the others (as with ``org_counts``), with
    ``org_id`` first; in one pass, for the national summary and the batch. ``benchmarks``
    defaults to :func:`benchmark_figures` of the same figures.
    """
    figs = checked_figures(org_figures)
    benchmarks = benchmark_figures(figs, threshold) if benchmarks is None else benchmarks
    ctx = (_benchmark_lookup(benchmarks), _pool_totals(figs, threshold), threshold, alpha, True)
    national = _national_name(benchmarks)
    rows = []
    for org_id, mine in figs.groupby("org_id", sort=True):
        scopes = [(NATIONAL, national), (REGION, str(mine["region"].iloc[0]))]
        rows += [[org_id, *row] for row in _comparison_rows(mine, mine, scopes, ctx)]
    return _comparison_frame(rows, ["org_id", *COMPARISON_COLUMNS])


def _pool_totals(figs: pd.DataFrame, threshold: int) -> dict:
    """(scope, region or "", question_id) -> (positive, valid) over the shown figures."""
    shown = figs.loc[figs["n_valid"] >= threshold]
    totals = {}
    for scope, keys in ((NATIONAL, ["question_id"]), (REGION, ["region", "question_id"])):
        sums = shown.groupby(keys, sort=False)[["n_positive", "n_valid"]].sum()
        index = [(k,) if isinstance(k, str) else k for k in sums.index]
        for key, k, n in zip(index, sums["n_positive"].tolist(), sums["n_valid"].tolist(), strict=True):
            totals[(scope, "" if scope == NATIONAL else key[0], key[-1])] = (k, n)
    return totals


def _comparison_rows(ours: pd.DataFrame, mine: pd.DataFrame | None, scopes: list, ctx: tuple) -> list[list]:
    """The comparison rows of one organisation. ``mine``: its rows in every organisation's
    figures (its share of the pools), or None when they are not known."""
    lookup, totals, threshold, alpha, includes_us = ctx
    pooled, our_region = {}, None
    if mine is not None:  # what we put into the pools: our shown figures
        our_region = str(mine["region"].iloc[0])
        shown = mine.loc[mine["n_valid"] >= threshold]
        counts = zip(shown["n_positive"].tolist(), shown["n_valid"].tolist(), strict=True)
        pooled = dict(zip(shown["question_id"], counts, strict=True))
    # A plain loop over a few dozen statements: pandas per-row work would cost more than the tests.
    rows = []
    for qid, k, n, pct, hidden in _our_figures(ours, threshold):
        for scope, name in scopes:
            other = None
            if totals is not None:
                tk, tn = totals.get((scope, "" if scope == NATIONAL else name, qid), (0, 0))
                mk, mn = pooled.get(qid, (0, 0)) if scope == NATIONAL or name == our_region else (0, 0)
                other = (tk - mk, tn - mn)
            row = _compare_row(k, n, pct, hidden, lookup.get((scope, name, qid)), other, alpha, includes_us)
            rows.append([qid, scope, name, pct, n, *row])
    return rows


def _comparison_frame(rows: list[list], columns: list[str]) -> pd.DataFrame:
    """The rows as a DataFrame with the comparison table's types."""
    values = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else {}
    out = {}
    for col in columns:
        data = values.get(col, ())
        if col in ("n_valid", "benchmark_n_valid"):
            out[col] = pd.array(np.round(np.asarray(data, dtype="float64")), dtype="Int64")
        elif col in ("pct_positive", "benchmark_pct", "diff_pts", "p_value"):
            out[col] = np.asarray(data, dtype="float64")
        else:
            out[col] = pd.array([str(v) for v in data], dtype="str")
    return pd.DataFrame(out)


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A column as float64 (NaN for an empty or missing cell; all NaN when there is no column)."""
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    values = frame[col]
    if values.dtype.kind in "iuf":  # already numbers (the common case): no parsing
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


def _our_figures(ours: pd.DataFrame, threshold: int) -> list[tuple]:
    """(question_id, n_positive, n_valid, pct_positive, suppressed) per statement; NaN unknown."""
    qids = ours["question_id"].astype(str).tolist()
    if len(set(qids)) != len(qids):
        raise ValueError("our figures have more than one row for a statement")
    k, n, pct = _num(ours, "n_positive"), _num(ours, "n_valid"), _num(ours, "pct_positive")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(np.isnan(pct), 100.0 * k / n, pct)
    flagged = ours["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in ours.columns else False
    hidden = flagged | (n < threshold) | np.isnan(pct)
    return list(zip(qids, k.tolist(), n.tolist(), pct.tolist(), hidden.tolist(), strict=True))


def _benchmark_lookup(benchmarks: pd.DataFrame) -> dict:
    """(scope, name, question_id) -> (pct_positive, n_valid, n_positive); n_positive as given,
    else rebuilt as round(pct * n / 100), halves up; NaN where unknown."""
    pct, n, given = _num(benchmarks, "pct_positive"), _num(benchmarks, "n_valid"), _num(benchmarks, "n_positive")
    positives = np.where(np.isnan(given), np.floor(pct * n / 100.0 + 0.5), given)
    keys = zip(*(benchmarks[c].astype(str).tolist() for c in ("scope", "name", "question_id")), strict=True)
    lookup = dict(zip(keys, zip(pct.tolist(), n.tolist(), positives.tolist(), strict=True), strict=True))
    if len(lookup) != len(benchmarks):
        raise ValueError("the benchmarks have more than one row for a (scope, name, statement)")
    return lookup


def _national_name(benchmarks: pd.DataFrame) -> str:
    names = benchmarks.loc[benchmarks["scope"] == NATIONAL, "name"].dropna().astype(str).unique()
    return str(names[0]) if len(names) else ENGLAND


def _only_region(benchmarks: pd.DataFrame) -> str | None:
    names = sorted(benchmarks.loc[benchmarks["scope"] == REGION, "name"].dropna().astype(str).unique())
    if len(names) > 1:
        raise ValueError(f"the benchmarks hold {len(names)} regions: say which is ours (region=...)")
    return names[0] if names else None


def _compare_row(k, n, pct, hidden, bench, other, alpha, includes_us) -> list:
    """benchmark_pct, benchmark_n_valid, diff_pts, p_value, test, basis, result of one row."""
    nan = float("nan")
    if bench is None:
        return [nan, nan, nan, nan, "", "", NOT_IN_BENCHMARK]
    b_pct, b_n, b_pos = bench
    if hidden:
        return [b_pct, b_n, nan, nan, "", "", SUPPRESSED]
    if np.isnan(b_pct):
        return [b_pct, b_n, nan, nan, "", "", BENCHMARK_SUPPRESSED]
    against, basis = _against(k, n, b_n, b_pos, other, includes_us)
    if against is None:
        return [b_pct, b_n, pct - b_pct, nan, "", "", NOT_TESTED]
    p_value, test = compare_proportions(k, n, *against)
    return [b_pct, b_n, pct - b_pct, p_value, test, basis, _result(p_value, k / n - against[0] / against[1], alpha)]


def _against(k, n, b_n, b_pos, other, includes_us):
    """((positive, valid) of what we are tested against, basis), or (None, "")."""
    if np.isnan(k) or np.isnan(n):
        return None, ""
    if other is not None:
        (ok, on), basis = other, BASIS_OTHERS
    elif np.isnan(b_n) or np.isnan(b_pos):
        return None, ""
    elif includes_us:
        (ok, on), basis = (b_pos - k, b_n - n), BASIS_PUBLISHED_LESS_US
    else:
        (ok, on), basis = (b_pos, b_n), BASIS_PUBLISHED
    # No others (we are the whole pool), or a pool that cannot contain us as described.
    if np.isnan(ok) or np.isnan(on) or on < 1 or not 0 <= ok <= on:
        return None, ""
    return (int(ok), int(on)), basis


def _result(p_value: float, difference: float, alpha: float) -> str:
    if np.isnan(p_value):
        return NOT_TESTED
    if p_value < alpha and difference != 0:
        return HIGHER if difference > 0 else LOWER
    return NO_DIFFERENCE
