"""Ranks among other organisations, each with a 95% interval: never a bare league position.

The input is one year's organisation figures, as for :mod:`healthcheck.analysis.comparators`::

    org_id, region, question_id, n_positive, n_valid

**Overall score for ranks.** An organisation's score is the mean of its statement
percentages over the statements *every compared organisation was asked* (a statement only
some organisations asked cannot be ranked on). A suppressed statement stays out of its own
organisation's score; so that missing, say, the least positive statement does not lift an
organisation's score, the mean over the statements it has is adjusted by how the compared
organisations did on just those statements::

    score = mean over its shown s of (p_os - P_s)  +  mean over all shared s of P_s

where ``P_s`` is the mean of the compared organisations' shown percentages of ``s``. For an
organisation with every shared statement shown (almost all) this is exactly the plain mean
of its percentages. An organisation with no shown shared statement is not ranked.

**Rank intervals.** Rank 1 is the highest score; equal scores share the better rank. The
95% interval is a parametric bootstrap: each replicate redraws every organisation's
positive count of every shown statement from Binomial(n_valid, n_positive / n_valid),
recomputes every score (``P_s`` kept fixed) and ranks them (ties broken at random); the
interval is the 2.5th and 97.5th percentiles of our replicate ranks, taken outwards to
whole ranks. This is sampling error only, statement by statement: a statement at 0% or
100% is redrawn with no variation, and the correlation between one person's answers to
different statements is ignored. On the synthetic national data (which builds in such a
correlation) the score's standard error from resampling respondents is 2-3 times the
binomial one, so these intervals are too narrow by about that factor; resampling
respondents needs respondent rows, which this table does not have. Replicates are drawn
in fixed blocks from a generator seeded by ``seed``, the scope and its name, so the same
input gives the same intervals, and a region's intervals do not depend on the others.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from healthcheck.analysis.comparators import ENGLAND, NATIONAL, REGION, SCOPES, checked_figures, region_of

#: Columns of :func:`rank_table`.
RANK_COLUMNS = "org_id scope name score n_statements n_shared rank rank_low rank_high n_organisations".split()
#: Bootstrap replicates are drawn in blocks of this many (the same seed gives the same draws).
_BLOCK = 200


def ranks(
    org_figures: pd.DataFrame,
    org_id,
    scope: str = NATIONAL,
    n_boot: int = 1000,
    seed: int = 0,
    threshold: int = 10,
) -> dict:
    """Our rank on the overall score among the organisations of ``scope``, with its interval.

    ``scope`` is ``"national"`` (every organisation) or ``"region"`` (those of our region).
    Returns a dict with the keys of :data:`RANK_COLUMNS` (``rank``, ``rank_low`` and
    ``rank_high`` are None when we have no shown shared statement, and are not ranked) plus
    ``n_boot`` and ``seed``. Equal to our row of :func:`rank_table` for the same arguments;
    for every organisation at once use :func:`rank_table`, which runs one bootstrap.
    """
    figs = checked_figures(org_figures)
    name = ENGLAND
    if scope == REGION:
        name = region_of(figs, org_id)
        figs = figs.loc[figs["region"] == name]
    elif scope != NATIONAL:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    if str(org_id) not in set(figs["org_id"]):
        raise ValueError(f"organisation {org_id!r} is not in the organisation figures")
    table = _rank_group(figs, scope, name, n_boot, seed, threshold)
    row = table.loc[table["org_id"] == str(org_id)].iloc[0]
    out = {col: (None if pd.isna(row[col]) else row[col]) for col in RANK_COLUMNS}
    for col in ("n_statements", "n_shared", "rank", "rank_low", "rank_high", "n_organisations"):
        out[col] = None if out[col] is None else int(out[col])
    out["score"] = None if out["score"] is None else float(out["score"])
    return out | {"n_boot": int(n_boot), "seed": int(seed)}


def rank_table(
    org_figures: pd.DataFrame,
    scope: str = NATIONAL,
    n_boot: int = 1000,
    seed: int = 0,
    threshold: int = 10,
) -> pd.DataFrame:
    """Every organisation's rank and 95% interval: nationally, or within each region.

    One bootstrap per scope group (England, or each region) serves all its organisations,
    which is what makes the ranks of a few hundred organisations cheap. Columns
    :data:`RANK_COLUMNS` (counts and ranks nullable ``Int64``); sorted by name, then rank,
    then org_id; unranked organisations last in their group.
    """
    figs = checked_figures(org_figures)
    if scope == NATIONAL:
        groups = [(ENGLAND, figs)]
    elif scope == REGION:
        groups = [(str(name), sub) for name, sub in figs.groupby("region", sort=True)]
    else:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    frames = [_rank_group(sub, scope, name, n_boot, seed, threshold) for name, sub in groups]
    if not frames:
        return pd.DataFrame(columns=RANK_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _matrices(figs: pd.DataFrame, threshold: int):
    """org ids, shared statements, and (orgs x statements) positive and valid counts.

    Statements shared: present for every organisation of the group. Cells of a statement
    an organisation has below the threshold get n_valid 0 (not shown)."""
    orgs = np.array(sorted(figs["org_id"].unique()), dtype=object)
    per_q = figs.groupby("question_id")["org_id"].nunique()
    shared = np.array(sorted(per_q.index[per_q == len(orgs)]), dtype=object)
    sub = figs.loc[figs["question_id"].isin(shared)]
    k = sub.pivot(index="org_id", columns="question_id", values="n_positive").reindex(index=orgs, columns=shared)
    n = sub.pivot(index="org_id", columns="question_id", values="n_valid").reindex(index=orgs, columns=shared)
    k = k.fillna(0).to_numpy(dtype=np.int64, copy=True)
    n = n.fillna(0).to_numpy(dtype=np.int64, copy=True)
    hidden = n < threshold
    k[hidden] = 0
    n[hidden] = 0
    return orgs, shared, k, n


def _scores(pct: np.ndarray, shown: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Adjusted mean over shown cells (last axis = statements); NaN with none shown."""
    if reference.size == 0:
        return np.full(pct.shape[:-1], np.nan)
    gap = np.where(shown, pct - reference, 0.0).sum(axis=-1)
    count = shown.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return gap / count + reference.mean()


def _rank_group(figs, scope, name, n_boot, seed, threshold) -> pd.DataFrame:
    """Point ranks and bootstrap intervals of one group of organisations."""
    orgs, shared, k, n = _matrices(figs, threshold)
    shown = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(shown, 100.0 * k / np.maximum(n, 1), np.nan)
    ranked = shown.any(axis=1)
    keep = shown[ranked].any(axis=0)  # a statement nobody shows cannot be compared on
    pct, shown, k, n = pct[:, keep], shown[:, keep], k[:, keep], n[:, keep]
    reference = np.nanmean(pct[ranked], axis=0) if keep.any() else np.zeros(0)
    score = _scores(pct, shown, reference)

    m = int(ranked.sum())
    rank = np.full(len(orgs), np.nan)
    low = np.full(len(orgs), np.nan)
    high = np.full(len(orgs), np.nan)
    if m:
        s = score[ranked]
        rank[ranked] = 1 + (s[None, :] > s[:, None]).sum(axis=1)
        boot = _bootstrap_ranks(k[ranked], n[ranked], reference, n_boot, _rng(seed, scope, name))
        low[ranked] = np.quantile(boot, 0.025, axis=0, method="lower")
        high[ranked] = np.quantile(boot, 0.975, axis=0, method="higher")
    out = pd.DataFrame(
        {
            "org_id": orgs,
            "scope": scope,
            "name": name,
            "score": score,
            "n_statements": shown.sum(axis=1),
            "n_shared": len(shared),
            "rank": rank,
            "rank_low": low,
            "rank_high": high,
            "n_organisations": m,
        }
    )
    for col in ("n_statements", "n_shared", "rank", "rank_low", "rank_high", "n_organisations"):
        out[col] = out[col].astype("Float64").astype("Int64")
    out = out.sort_values(["rank", "org_id"], kind="stable", na_position="last")
    return out.loc[:, RANK_COLUMNS].reset_index(drop=True)


def _rng(seed: int, scope: str, name: str) -> np.random.Generator:
    """A generator for one (seed, scope, name): regions do not share or shift each other's draws."""
    key = int(hashlib.sha256(f"{scope}\x00{name}".encode()).hexdigest()[:8], 16)
    return np.random.default_rng([int(seed), key])


def _bootstrap_ranks(k, n, reference, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot x organisations) ranks from binomial redraws of every shown count."""
    orgs = k.shape[0]
    shown = n > 0
    p = np.where(shown, k / np.maximum(n, 1), 0.0)
    denominator = np.maximum(n, 1)
    positions = np.arange(1, orgs + 1)
    out = np.empty((n_boot, orgs), dtype=np.int32)
    for start in range(0, n_boot, _BLOCK):
        b = min(_BLOCK, n_boot - start)
        draws = rng.binomial(n, p, size=(b, *n.shape))
        score = _scores(100.0 * draws / denominator, shown, reference)
        tie_break = rng.random((b, orgs))
        order = np.lexsort((tie_break, -score), axis=-1)  # best first, ties at random
        block = np.empty((b, orgs), dtype=np.int32)
        np.put_along_axis(block, order, np.broadcast_to(positions, (b, orgs)).astype(np.int32), axis=1)
        out[start : start + b] = block
    return out
