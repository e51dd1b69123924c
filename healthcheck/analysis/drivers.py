"""Drivers: which themes and statements go most with the outcome statements (those the bank
marks ``outcome: true``, such as an intention to stay), from respondent-level answers, for all
staff only -- never for a team, locality or role, whose small numbers would make the figures
unreliable and could point at people.

The method is the one large staff surveys use for "key driver" analysis, in two parts:

* **Correlation** of each statement, and of each theme, with each outcome: Spearman's rank
  correlation over the respondents who gave a valid answer to both (answers are ordered, not
  measured, so ranks rather than values are correlated). A theme's value for one respondent is
  the mean of their valid answers' points on its statements (strongly disagree 0 ... strongly
  agree 100), outcome statements left out. The 95% interval is Fisher's z-transformation with
  the standard error Bonett and Wright (2000) give for Spearman's rho,
  ``sqrt((1 + rho**2 / 2) / (n - 3))``.
* **Regression**: the outcome's points on all theme values at once, standardised, by
  ordinary least squares (statsmodels) over respondents who answered the outcome and every
  theme, with heteroscedasticity-robust (HC3) 95% intervals. A coefficient is the change in
  the outcome, in standard deviations, with one standard deviation more on that theme when
  the other themes are held equal: it separates themes that only move together.

Both are associations in one year's answers: they say which parts of working life go with the
outcome, not that changing them would change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from healthcheck.analysis.measures import FIVE_POINTS
from healthcheck.data.codes import normalise_label

#: Fewer respondents answering both than this, and no correlation is given.
MIN_RESPONDENTS = 30

DRIVER_COLUMNS = ["outcome", "kind", "item", "theme", "n", "rho", "ci_low", "ci_high", "p_value"]
REGRESSION_COLUMNS = ["outcome", "theme", "n", "beta", "ci_low", "ci_high", "p_value", "r_squared"]


def respondent_points(frame: pd.DataFrame, question_columns: dict[str, str]) -> pd.DataFrame:
    """One row per respondent, one column per question code: the answer's points (strongly
    disagree 0 ... strongly agree 100), NaN for don't know, not applicable, blank or unknown."""
    out = {}
    for heading, qid in question_columns.items():
        codes = frame[heading].map(normalise_label)
        out[qid] = codes.map(FIVE_POINTS).astype(float)
    return pd.DataFrame(out, index=frame.index)


def spearman_interval(rho: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a Spearman correlation (Bonett and Wright's standard error)."""
    if n <= 3 or not np.isfinite(rho):
        return np.nan, np.nan
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    se = np.sqrt((1 + rho**2 / 2) / (n - 3))
    q = sps.norm.ppf(0.5 + level / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))


def _correlation(x: pd.Series, y: pd.Series) -> tuple[int, float, float, float, float]:
    both = x.notna() & y.notna()
    n = int(both.sum())
    if n < MIN_RESPONDENTS or x[both].nunique() < 2 or y[both].nunique() < 2:
        return n, np.nan, np.nan, np.nan, np.nan
    rho, p = sps.spearmanr(x[both], y[both])
    low, high = spearman_interval(float(rho), n)
    return n, float(rho), low, high, float(p)


def theme_values(points: pd.DataFrame, themes: dict[str, str], outcomes: list[str]) -> pd.DataFrame:
    """Each respondent's mean points per theme over its statements that are not outcomes."""
    out = {}
    for theme in dict.fromkeys(themes.values()):
        items = [q for q, t in themes.items() if t == theme and q not in outcomes and q in points]
        if items:
            out[theme] = points[items].mean(axis=1, skipna=True)
    return pd.DataFrame(out, index=points.index)


def correlations(points: pd.DataFrame, themes: dict[str, str], outcomes: list[str]) -> pd.DataFrame:
    """Spearman correlations of every statement and theme with every outcome (see the module).

    ``themes`` maps each question code asked to its theme. Sorted by outcome, then kind
    (theme first), then correlation from the strongest.
    """
    rows = []
    values = theme_values(points, themes, outcomes)
    for outcome in outcomes:
        y = points[outcome]
        for theme in values.columns:
            rows.append((outcome, "theme", theme, theme, *_correlation(values[theme], y)))
        for qid in points.columns:
            if qid not in outcomes:
                rows.append((outcome, "statement", qid, themes.get(qid, ""), *_correlation(points[qid], y)))
    table = pd.DataFrame(rows, columns=DRIVER_COLUMNS)
    table["_k"] = table["kind"].map({"theme": 0, "statement": 1})
    table = table.sort_values(["outcome", "_k", "rho", "item"], ascending=[True, True, False, True], kind="stable")
    return table.drop(columns="_k").reset_index(drop=True)


def regression(points: pd.DataFrame, themes: dict[str, str], outcomes: list[str]) -> pd.DataFrame:
    """Standardised OLS of each outcome on every theme's values (statsmodels, HC3 intervals),
    over respondents with the outcome and every theme answered."""
    import statsmodels.api as sm

    values = theme_values(points, themes, outcomes)
    rows = []
    for outcome in outcomes:
        data = pd.concat([values, points[outcome].rename("_y")], axis=1).dropna()
        usable = [c for c in values.columns if data[c].std(ddof=1) > 0]
        if len(data) < max(MIN_RESPONDENTS, 10 * max(len(usable), 1)) or not usable or data["_y"].std(ddof=1) == 0:
            continue
        z = (data - data.mean()) / data.std(ddof=1)
        fit = sm.OLS(z["_y"], sm.add_constant(z[usable])).fit(cov_type="HC3")
        ci = fit.conf_int(0.05)
        for theme in usable:
            rows.append(
                (outcome, theme, len(data), float(fit.params[theme]), float(ci.loc[theme, 0]), float(ci.loc[theme, 1]),
                 float(fit.pvalues[theme]), float(fit.rsquared))
            )  # fmt: skip
    table = pd.DataFrame(rows, columns=REGRESSION_COLUMNS)
    return table.sort_values(["outcome", "beta"], ascending=[True, False], kind="stable").reset_index(drop=True)
