"""The second measure: a mean score out of 100 per statement and theme, with bands, as the LGA's
social work health check reports its employer standards.

* **Score of a statement**: each valid answer scores points on a line from 0 to 100 --
  strongly disagree 0, disagree 25, neither 50, agree 75, strongly agree 100 on the
  five-point scale -- and the score is their mean over the valid responses (don't know, not
  applicable and blanks are not valid, as for the percentages). A year in which no statement
  recorded a single middle answer is taken to have used a four-point scale without one, and
  its points are spread evenly: 0, 33.3, 66.7, 100. The score needs the answer counts, so a
  year known only from published percentages has none.
* **Interval**: mean +/- t(0.975, n - 1) x sd / sqrt(n), sd the sample standard deviation of
  the points.
* **Change**: against the same statement's latest earlier score in the same comparable run,
  tested with Welch's unequal-variances t-test (two-sided, 5%) from the two years' means,
  standard deviations and counts -- the t-test for a difference of means that does not
  assume the two years are equally spread.
* **Theme score**: the mean of its statements' shown scores (as the percentage theme score
  is the mean of its statements' percentages), with how many statements it rests on.
* **Band**: the first band, from the top, whose lower cut-off the score reaches; cut-offs are
  data (settings.yml, ``measures.bands``).

A score from fewer valid responses than the reporting threshold is not shown. Only all-staff
scores are computed: the all-staff answer distribution they come from is published already.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from healthcheck.analysis.stats import DECREASE, INCREASE, NO_CHANGE
from healthcheck.data.codes import VALID

#: Points of each valid answer on the five-point scale (strongly agree first).
FIVE_POINTS = dict(zip(VALID, (100.0, 75.0, 50.0, 25.0, 0.0), strict=True))
#: Points on a four-point scale without a middle answer.
FOUR_POINTS = {"strongly_agree": 100.0, "agree": 200 / 3, "disagree": 100 / 3, "strongly_disagree": 0.0}

SCORE_COLUMNS = [
    "year", "question_id", "theme", "n_valid", "score", "sd", "ci_low", "ci_high", "scale",
    "prev_year", "prev_score", "change", "p_value", "change_flag", "band", "suppressed",
]  # fmt: skip


def points_for(counts_of_year: pd.DataFrame) -> dict[str, float]:
    """The points of the scale a year used: four-point when no statement has a middle answer."""
    valid = counts_of_year[counts_of_year["response"].isin(VALID)]
    middle = valid.loc[valid["response"] == "neutral", "n"].sum()
    return FIVE_POINTS if middle > 0 or valid.empty else FOUR_POINTS


def band_of(score: float, bands) -> str:
    """The label of the first band (highest cut-off first) whose cut-off ``score`` reaches."""
    if score is None or pd.isna(score):
        return ""
    for band in sorted(bands, key=lambda b: -b.from_score):
        if score >= band.from_score:
            return band.label
    return ""


def _year_scores(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and n of every (year, question) from all-staff answer counts."""
    rows = []
    everyone = counts[(counts["group_type"] == "all") & counts["response"].isin(VALID)]
    for year, of_year in everyone.groupby("year", sort=True):
        points = points_for(of_year)
        for qid, of_q in of_year.groupby("question_id", sort=True):
            of_q = of_q[of_q["response"].isin(points)]
            x = of_q["response"].map(points).to_numpy(float)
            n = of_q["n"].to_numpy(float)
            total = n.sum()
            if total <= 0:
                continue
            mean = float((x * n).sum() / total)
            var = float((n * (x - mean) ** 2).sum() / (total - 1)) if total > 1 else np.nan
            rows.append((int(year), qid, int(total), mean, np.sqrt(var), "five-point" if points is FIVE_POINTS else "four-point"))
    return pd.DataFrame(rows, columns=["year", "question_id", "n_valid", "score", "sd", "scale"])


def welch_test(m1: float, s1: float, n1: int, m2: float, s2: float, n2: int) -> float:
    """Two-sided p-value of Welch's t-test for a difference of two means from their summaries."""
    if min(n1, n2) < 2 or not (np.isfinite(s1) and np.isfinite(s2)):
        return np.nan
    if s1 == 0 and s2 == 0:
        return 1.0 if m1 == m2 else 0.0
    return float(sps.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False).pvalue)


def statement_scores(
    counts: pd.DataFrame, questions: pd.DataFrame, year: int, bands, threshold: int = 10, alpha: float = 0.05
) -> pd.DataFrame:
    """The score of every statement asked in ``year`` (all staff), its interval, band, and its
    change since the latest earlier shown score in the same comparable run, tested (Welch).

    Columns :data:`SCORE_COLUMNS`; a statement with fewer than ``threshold`` valid responses
    (or no answer counts) has no score (``suppressed`` True when there were too few).
    """
    q = questions.loc[questions["year"] <= year, ["year", "question_id", "theme", "series"]]
    scores = q.merge(_year_scores(counts[counts["year"] <= year]), on=["year", "question_id"], how="left")
    shown = scores["n_valid"].fillna(0) >= threshold
    scores["suppressed"] = scores["n_valid"].notna() & ~shown
    for col in ("score", "sd"):
        scores[col] = scores[col].where(shown)
    now = scores[scores["year"] == year].copy()
    earlier = scores[(scores["year"] < year) & scores["score"].notna()].sort_values("year", kind="stable")
    prev = earlier.drop_duplicates(["question_id", "series"], keep="last")[
        ["question_id", "series", "year", "score", "sd", "n_valid"]
    ]
    prev.columns = ["question_id", "series", "prev_year", "prev_score", "prev_sd", "prev_n"]
    now = now.merge(prev, on=["question_id", "series"], how="left")
    half = sps.t.ppf(0.975, np.maximum(now["n_valid"].fillna(2) - 1, 1)) * now["sd"] / np.sqrt(now["n_valid"])
    now["ci_low"], now["ci_high"] = (now["score"] - half).clip(lower=0), (now["score"] + half).clip(upper=100)
    now["change"] = now["score"] - now["prev_score"]
    now["p_value"] = [
        welch_test(r.prev_score, r.prev_sd, r.prev_n, r.score, r.sd, r.n_valid) if pd.notna(r.change) else np.nan
        for r in now.itertuples(index=False)
    ]
    significant = now["p_value"] < alpha
    now["change_flag"] = np.select(
        [significant & (now["change"] > 0), significant & (now["change"] < 0), now["p_value"].notna()],
        [INCREASE, DECREASE, NO_CHANGE],
        default="",
    )
    now["band"] = [band_of(s, bands) for s in now["score"]]
    now["prev_year"] = now["prev_year"].astype("Int64")
    now["n_valid"] = now["n_valid"].astype("Int64")
    now["scale"] = now["scale"].fillna("")
    order = {qid: i for i, qid in enumerate(dict.fromkeys(questions["question_id"]))}
    now = now.assign(_o=now["question_id"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    return now.loc[:, SCORE_COLUMNS].reset_index(drop=True)


def theme_scores(scores: pd.DataFrame, bands) -> pd.DataFrame:
    """Per theme: the mean of its shown statement scores, how many statements, and its band."""
    shown = scores[scores["score"].notna()]
    out = shown.groupby("theme", sort=False).agg(score=("score", "mean"), statements=("score", "size")).reset_index()
    out["band"] = [band_of(s, bands) for s in out["score"]]
    return out
