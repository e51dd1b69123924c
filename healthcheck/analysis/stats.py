"""Statistics of the Health Check: percent positive, confidence intervals, year-on-year tests,
theme scores and breakdowns with disclosure control.

Every function reads the internal tables described in ``docs/data-format.md`` ("The internal
tables"): ``counts``, ``published`` and ``questions``, and returns plain DataFrames. Nothing
here reads files, prints or rounds: percentages are 0-100 and unrounded.

Definitions
-----------
* valid responses: the five agreement codes in :data:`VALID`; ``dont_know``,
  ``not_applicable`` and ``blank`` are counted (``n_invalid``) but left out of the base;
* positive: ``strongly_agree`` + ``agree`` (:data:`POSITIVE`);
* confidence interval: Wilson score interval, 95% by default;
* change between two years: pooled two-sided two-proportion z-test, or two-sided Fisher's
  exact test when any expected count of the 2x2 table is under 5;
* suppression: no figure is shown from fewer than ``threshold`` valid responses; breakdowns
  by group are protected together in :mod:`healthcheck.analysis.breakdowns`.

Long because the figures table, its tests and the theme scores and changes built on it are
one definition of every number the report states; split, a theme's change could drift from
the statements' changes it summarises.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from healthcheck.data.codes import ALL_STAFF, INVALID, POSITIVE, RESPONSES, VALID

#: z for a two-sided 95% interval: ``scipy.stats.norm.ppf(0.975)``.
Z95 = 1.959963984540054
#: Smallest expected count for which the z-test is used (else Fisher's exact test).
MIN_EXPECTED = 5

#: Test names in the ``test`` column.
Z_TEST = "z-test"
FISHER = "Fisher"

#: Values of ``change_flag``.
INCREASE = "increase"
DECREASE = "decrease"
NO_CHANGE = "no significant change"

#: Values of ``basis``.
BASIS_COUNTS = "counts"
BASIS_PUBLISHED = "published"
#: A statement asked in a year known only from published figures, with none published for it.
BASIS_NOT_PUBLISHED = "not published"

_KEYS = ["year", "question_id", "group_type", "group"]

#: Columns of the figures table, in order (see :func:`figures_table`).
ALL_FIGURE_COLUMNS = [
    "year",
    "question_id",
    "theme",
    "n_valid",
    "n_positive",
    "pct_positive",
    "ci_low",
    "ci_high",
    "prev_year",
    "prev_pct_positive",
    "change_pts",
    "p_value",
    "change_flag",
    "suppressed",
    "basis",
    "short",
    "test",
]
#: The columns of the public figures CSV: the first 14 of the figures table.
FIGURE_COLUMNS = ALL_FIGURE_COLUMNS[:14]

#: Columns of the theme scores table (see :func:`theme_scores`).
THEME_COLUMNS = ["year", "theme", "score", "n_questions"]


# --------------------------------------------------------------------------- basic statistics


def wilson_interval(k, n, z: float = Z95):
    """Wilson score interval for ``k`` successes out of ``n``, as proportions (0-1).

    Vectorised: ``k`` and ``n`` may be scalars, numpy arrays or Series (broadcast together).
    Where ``n == 0`` both ends are NaN. Returns ``(low, high)`` as float arrays (or floats for
    scalar input).
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / denom
        half = (z / denom) * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
        # exact ends at k = 0 and k = n (the formula gives them up to rounding)
        low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n == 0
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def compare_proportions(k1, n1, k2, n2) -> tuple[float, str]:
    """Two-sided test of equal proportions ``k1/n1`` versus ``k2/n2``.

    Uses the pooled two-proportion z-test, unless any expected count of the 2x2 table
    ``[[k1, n1 - k1], [k2, n2 - k2]]`` is under 5, when it uses Fisher's exact test.
    Returns ``(p_value, test)`` with test ``"z-test"`` or ``"Fisher"``; ``(nan, "")`` when
    either sample is empty.
    """
    k1, n1, k2, n2 = (int(v) for v in (k1, n1, k2, n2))
    if not (0 <= k1 <= n1 and 0 <= k2 <= n2):
        raise ValueError(f"counts out of range: {k1}/{n1}, {k2}/{n2}")
    if n1 == 0 or n2 == 0:
        return float("nan"), ""
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if (expected < MIN_EXPECTED).any():
        # Imported here: scipy.stats takes about half a second to import, and every chapter
        # kernel pays it, while Fisher's test is only needed for small groups.
        from scipy.stats import fisher_exact

        return float(fisher_exact(table.astype(int), alternative="two-sided").pvalue), FISHER
    pooled = (k1 + k2) / (n1 + n2)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    z = (k2 / n2 - k1 / n1) / se
    # Two-sided normal tail: 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt(2)).
    return float(math.erfc(abs(z) / math.sqrt(2.0))), Z_TEST


def _check_responses(counts: pd.DataFrame) -> None:
    unknown = set(counts["response"].dropna().unique()) - set(RESPONSES)
    if unknown or counts["response"].isna().any():
        raise ValueError(f"unknown response codes in counts: {sorted(map(str, unknown))}")


def percent_positive(counts: pd.DataFrame) -> pd.DataFrame:
    """Percent positive per (year, question_id, group_type, group).

    Returns one row per key present in ``counts`` (a missing ``group`` is kept as its own
    group) with ``n_valid``, ``n_positive``, ``n_invalid`` (dont_know + not_applicable +
    blank), ``pct_positive`` and the Wilson interval ``ci_low``, ``ci_high`` (0-100; NaN when
    ``n_valid`` is 0). Sorted by the keys.
    """
    _check_responses(counts)
    n = counts["n"].astype("int64")
    response = counts["response"]
    frame = counts[_KEYS].assign(
        n_valid=n.where(response.isin(VALID), 0),
        n_positive=n.where(response.isin(POSITIVE), 0),
        n_invalid=n.where(response.isin(INVALID), 0),
    )
    out = frame.groupby(_KEYS, sort=True, dropna=False)[["n_valid", "n_positive", "n_invalid"]]
    out = out.sum().reset_index()
    for col in ("n_valid", "n_positive", "n_invalid"):
        out[col] = out[col].astype("int64")
    return add_percent(out)


def add_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """Add pct_positive, ci_low, ci_high (0-100) from n_positive and n_valid."""
    k = frame["n_positive"].to_numpy(dtype=float)
    n = frame["n_valid"].to_numpy(dtype=float)
    low, high = wilson_interval(k, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(n > 0, 100.0 * k / n, np.nan)
    return frame.assign(pct_positive=pct, ci_low=100.0 * low, ci_high=100.0 * high)


# --------------------------------------------------------------------------- figures


def _theme_rank(questions: pd.DataFrame) -> dict:
    """Theme -> position: the categories' order if ``theme`` is categorical, else the order
    of first appearance in ``questions`` (which follows the question bank)."""
    theme = questions["theme"]
    if isinstance(theme.dtype, pd.CategoricalDtype):
        order = list(theme.cat.categories)
    else:
        order = list(pd.unique(theme))
    return {t: i for i, t in enumerate(order)}


def _sort_by_theme(frame: pd.DataFrame, questions: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    rank = frame["theme"].map(_theme_rank(questions))
    frame = frame.assign(_rank=rank.astype(float))
    frame = frame.sort_values(["_rank", "question_id", *extra], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)


def _question_figures(counts: pd.DataFrame, published: pd.DataFrame, questions: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Each asked (question, year)'s own figure, before any comparison with another year.

    Counts come first; a question with no counts rows in a year but a published percentage
    is a published figure. A counts figure from fewer than ``threshold`` valid responses is
    suppressed (n_positive, pct_positive and CI blanked, n_valid kept).
    """
    q = questions.loc[:, ["year", "question_id", "theme", "short", "series"]]
    if q.duplicated(["year", "question_id"]).any():
        raise ValueError("questions has more than one row for a (year, question_id)")
    pub = published.loc[:, ["year", "question_id", "pct_positive"]].assign(
        pub_n=published["n_valid"] if "n_valid" in published.columns else pd.NA
    )
    if pub.duplicated(["year", "question_id"]).any():
        raise ValueError("published has more than one row for a (year, question_id)")
    pub = pub.rename(columns={"pct_positive": "pub_pct"})

    all_staff = counts.loc[counts["group_type"] == "all"].assign(group=ALL_STAFF)
    pp = percent_positive(all_staff).drop(columns=["group_type", "group"])
    f = q.merge(pp, on=["year", "question_id"], how="left", validate="1:1")
    f = f.merge(pub, on=["year", "question_id"], how="left", validate="1:1")

    has_counts = (f["n_valid"].fillna(0) + f["n_invalid"].fillna(0)) > 0
    is_pub = ~has_counts & f["pub_pct"].notna()
    # A year with no counts at all is known only from what was published: there, a statement
    # without a published figure was not published (it did not have too few responses).
    unpublished = ~has_counts & ~is_pub & ~f["year"].isin(set(all_staff["year"]))
    f["basis"] = np.select([is_pub, unpublished], [BASIS_PUBLISHED, BASIS_NOT_PUBLISHED], BASIS_COUNTS)
    # A published figure with its base (`n` in published.csv) can be tested: the number
    # agreeing is taken as the rounded share of the base (the percentage itself was rounded).
    pub_n = pd.to_numeric(f["pub_n"], errors="coerce")
    pub_k = (f["pub_pct"] * pub_n / 100.0).map(lambda v: np.nan if pd.isna(v) else math.floor(v + 0.5))
    f["n_valid"] = f["n_valid"].fillna(0).astype("Int64").mask(is_pub, pub_n.astype("Int64"))
    f["n_positive"] = f["n_positive"].fillna(0).astype("Int64").mask(is_pub, pd.array(pub_k, dtype="Int64"))
    f["pct_positive"] = f["pct_positive"].where(~is_pub, f["pub_pct"])
    suppressed = ~is_pub & (f["n_valid"].fillna(0) < threshold)
    f["suppressed"] = suppressed.astype(bool)
    f["n_positive"] = f["n_positive"].mask(suppressed, pd.NA)
    f["pct_positive"] = f["pct_positive"].mask(suppressed)
    low, high = wilson_interval(f["n_positive"].astype(float), f["n_valid"].astype(float))
    pub_ci = is_pub & f["n_valid"].notna()
    f["ci_low"] = f["ci_low"].where(~pub_ci, 100.0 * pd.Series(low, index=f.index))
    f["ci_high"] = f["ci_high"].where(~pub_ci, 100.0 * pd.Series(high, index=f.index))
    for col in ("ci_low", "ci_high"):
        f[col] = f[col].mask(suppressed | (is_pub & ~pub_ci))
    return f.drop(columns=["n_invalid", "pub_pct", "pub_n"])


def figures_table(
    counts: pd.DataFrame,
    published: pd.DataFrame,
    questions: pd.DataFrame,
    year: int,
    threshold: int = 10,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The figures table of ``year``: one row per question asked that year (rows of
    ``questions`` with that year), all staff.

    * ``basis`` is ``"counts"`` (from the ``group_type == "all"`` counts) or ``"published"``
      (no counts rows for the question that year, but a published percentage: n columns and
      CI empty, never tested, never suppressed). A question with neither is a counts row with
      ``n_valid`` 0, hence suppressed -- or, in a year with no counts at all (published
      figures only), ``"not published"``, also suppressed.
    * ``suppressed`` is True when a counts figure has ``n_valid < threshold``: then
      n_positive, pct_positive, ci_low, ci_high, change_pts, p_value and change_flag are
      empty; n_valid is kept (a count of responses is not itself disclosive).
    * Previous figure: the latest earlier year in which the same question_id with the same
      ``series`` was asked *and* has a shown figure (counts not suppressed, or published).
      A suppressed year is passed over. ``prev_year``, ``prev_pct_positive`` and
      ``change_pts = pct_positive - prev_pct_positive`` are filled whenever both figures are
      shown (published ones included).
    * Test: only when both figures are from counts (so both have ``n_valid >= threshold``):
      ``p_value`` and ``test`` from :func:`compare_proportions`, and ``change_flag`` is
      ``"increase"`` / ``"decrease"`` when ``p_value < alpha``, else
      ``"no significant change"``. Otherwise ``p_value`` is NaN and ``test``/``change_flag``
      are ``""``.

    Columns: :data:`ALL_FIGURE_COLUMNS`; counts and ``prev_year`` are nullable ``Int64``.
    Sorted by theme order (as in ``questions``), then question_id.
    """
    base = _question_figures(counts, published, questions, threshold)
    base = base.loc[base["year"] <= year]
    cur = base.loc[base["year"] == year].reset_index(drop=True)

    shown = base.loc[base["pct_positive"].notna()]
    f = cur.merge(_previous_figures(shown, year), on=["question_id", "series"], how="left", validate="1:1")
    f["prev_year"] = f["prev_year"].astype("Int64")
    f["change_pts"] = f["pct_positive"] - f["prev_pct_positive"]
    f = _tested(f, alpha)
    f["suppressed"] = f["suppressed"].astype(bool)
    f["year"] = f["year"].astype("int64")
    f = _sort_by_theme(f, questions, extra=[])
    return f.loc[:, ALL_FIGURE_COLUMNS]


def _previous_figures(shown: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each (question, series)'s latest shown figure before `year`, as prev_* columns."""
    prev = shown.loc[:, ["question_id", "series", "year", "pct_positive", "n_valid", "n_positive", "basis"]]
    prev = prev.rename(
        columns={
            "year": "prev_year",
            "pct_positive": "prev_pct_positive",
            "n_valid": "prev_n_valid",
            "n_positive": "prev_n_positive",
            "basis": "prev_basis",
        }
    )
    prev = prev.loc[prev["prev_year"] < year]
    prev = prev.sort_values(["question_id", "series", "prev_year"], kind="stable")
    return prev.drop_duplicates(["question_id", "series"], keep="last")


def _tested(f: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """p_value, test and change_flag: tested whenever both figures have a known base
    (counts, or published with `n`)."""
    testable = (
        f["pct_positive"].notna()
        & f["prev_pct_positive"].notna()
        & (f["n_valid"].fillna(0) > 0)
        & (f["prev_n_valid"].fillna(0) > 0)
    )
    p_values = np.full(len(f), np.nan)
    tests = np.full(len(f), "", dtype=object)
    for i in np.flatnonzero(testable.to_numpy()):
        row = f.iloc[i]
        p_values[i], tests[i] = compare_proportions(
            row["prev_n_positive"], row["prev_n_valid"], row["n_positive"], row["n_valid"]
        )
    significant = p_values < alpha
    change = f["change_pts"].to_numpy()
    flag = np.select(
        [significant & (change > 0), significant & (change < 0), ~np.isnan(p_values)],
        [INCREASE, DECREASE, NO_CHANGE],
        default="",
    )
    return f.assign(p_value=p_values, test=pd.array(tests, dtype="str"), change_flag=pd.array(flag, dtype="str"))


# --------------------------------------------------------------------------- themes


def theme_scores(figures: pd.DataFrame) -> pd.DataFrame:
    """Theme scores from a figures table: per (year, theme), ``score`` = mean of the shown
    (not suppressed, not missing) ``pct_positive`` of the theme's questions -- published
    figures included -- and ``n_questions`` = how many figures went into it. A theme with no
    shown figure has score NaN and n_questions 0. Rows keep the order of ``figures``."""
    shown = figures["pct_positive"].where(~figures["suppressed"].astype(bool))
    frame = figures.loc[:, ["year", "theme"]].assign(_value=shown)
    out = frame.groupby(["year", "theme"], sort=False)["_value"].agg(["mean", "count"])
    out = out.reset_index().rename(columns={"mean": "score", "count": "n_questions"})
    out["n_questions"] = out["n_questions"].astype("int64")
    return out.loc[:, THEME_COLUMNS]


#: Columns of the theme changes table (see :func:`theme_changes`).
THEME_CHANGE_COLUMNS = [
    "theme",
    "score",
    "n_questions",
    "n_compared",
    "compared_score",
    "prev_score",
    "change_pts",
    "prev_years",
    "compared_ids",
]


def theme_changes(figures: pd.DataFrame) -> pd.DataFrame:
    """THE theme change: each theme's score this year and its change on one set of statements.

    Every place that shows a theme's change (summary tiles, tables, sentences, downloads and
    the trend chart's series, :func:`theme_score_series`) takes it from here, so they agree.

    ``score`` and ``n_questions`` are as in :func:`theme_scores` (every shown statement this
    year). The change compares like with like: only statements with a shown figure this year
    *and* an earlier comparable figure (same wording series; the figures table's ``prev_*``
    columns) count -- ``n_compared`` of them, listed in ``compared_ids`` -- and ``change_pts``
    = ``compared_score`` (the mean of their current percentages) - ``prev_score`` (the mean of
    their earlier ones); NaN when none. ``prev_years`` lists the earlier years used (usually
    one). The change is never tested: answers to statements of one theme come from the same
    people, so the statements are not independent samples.
    """
    shown = figures.loc[~figures["suppressed"].astype(bool) & figures["pct_positive"].notna()]
    rows = []
    for theme in pd.unique(figures["theme"]):
        mine = shown.loc[shown["theme"] == theme]
        both = mine.loc[mine["prev_pct_positive"].notna()]
        years = sorted({int(y) for y in both["prev_year"].dropna()})
        now = both["pct_positive"].mean() if len(both) else np.nan
        before = both["prev_pct_positive"].mean() if len(both) else np.nan
        rows.append(
            {
                "theme": theme,
                "score": mine["pct_positive"].mean() if len(mine) else np.nan,
                "n_questions": len(mine),
                "n_compared": len(both),
                "compared_score": now,
                "prev_score": before,
                "change_pts": now - before,
                "prev_years": years,
                "compared_ids": [str(q) for q in (both["question_id"] if "question_id" in both else both.index)],
            }
        )
    return pd.DataFrame(rows, columns=THEME_CHANGE_COLUMNS)


#: Columns of the theme score series (see :func:`theme_score_series`).
THEME_SERIES_COLUMNS = ["year", "theme", "score", "n_questions", "compared_ids"]


def theme_score_series(figures_by_year: Mapping[int, pd.DataFrame], year: int) -> pd.DataFrame:
    """Each theme's score across the years, on the ONE set of statements its change is told on.

    The set is :func:`theme_changes`' ``compared_ids`` for ``year`` (statements shown this year
    with an earlier figure in comparable words). A statement's earlier figures are followed
    back along its own chain of comparable figures (each year's ``prev_year``), so a wording
    break ends the chain. A year gets a point only when every statement of the set has a
    figure there: then ``score`` is their mean and ``n_questions`` the size of the set. So the
    series' step from the last comparable year to ``year`` is exactly ``change_pts`` of
    :func:`theme_changes` (when the set has one earlier year). A theme with no compared
    statement has no rows. Sorted by theme (in ``figures``' order) then year.
    """
    figures = figures_by_year[year]
    changes = theme_changes(figures)
    by_year = {int(y): f.set_index("question_id") for y, f in figures_by_year.items() if int(y) <= year}
    rows = []
    for change in changes.itertuples():
        ids = list(change.compared_ids)
        if not ids:
            continue
        values: dict[str, dict[int, float]] = {}
        for qid in ids:
            chain = {year: float(by_year[year].at[qid, "pct_positive"])}
            at = year
            while at in by_year and qid in by_year[at].index:
                prev = by_year[at].at[qid, "prev_year"]
                if pd.isna(prev):
                    break
                chain[int(prev)] = float(by_year[at].at[qid, "prev_pct_positive"])
                at = int(prev)
            values[qid] = chain
        common = set.intersection(*(set(v) for v in values.values()))
        for y in sorted(common):
            score = float(np.mean([values[q][y] for q in ids]))
            rows.append({"year": y, "theme": change.theme, "score": score, "n_questions": len(ids), "compared_ids": ids})
    return pd.DataFrame(rows, columns=THEME_SERIES_COLUMNS)


def theme_trend(
    counts: pd.DataFrame,
    published: pd.DataFrame,
    questions: pd.DataFrame,
    years: Iterable[int],
    threshold: int = 10,
) -> pd.DataFrame:
    """Theme scores (:func:`theme_scores`) of each of ``years``, from
    :func:`figures_table` of that year, stacked in the order of ``years``."""
    frames = [theme_scores(figures_table(counts, published, questions, year, threshold=threshold)) for year in years]
    if not frames:
        return pd.DataFrame(columns=THEME_COLUMNS)
    return pd.concat(frames, ignore_index=True)
