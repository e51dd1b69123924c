"""Percent agreeing by team, locality and role, protected as one set of linked tables.

Every breakdown a book publishes for a year -- each group type, their nesting (teams inside
localities) and crossings, and the all-staff totals -- is protected together by
`disclosure.protect`: primary suppression below the threshold, and secondary cells chosen by
linear programming so that no hidden figure can be narrowed down from everything published.
This module turns that into the table the chapters show, with percentages, intervals, the
reason for each hidden cell and a caution mark on small bases.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from healthcheck.analysis import disclosure, stats
from healthcheck.errors import Problem

#: Columns of the breakdown table (one row per question and group).
BREAKDOWN_COLUMNS = [
    "year",
    "question_id",
    "theme",
    "short",
    "group_type",
    "group",
    "n_valid",
    "n_positive",
    "pct_positive",
    "ci_low",
    "ci_high",
    "suppressed",
    "reason",
    "caution",
]
#: Reasons given for a hidden cell.
REASON_PRIMARY = "fewer than {threshold} responses"
REASON_SECONDARY = "hidden so that a small group cannot be worked out"


def protected_breakdowns(
    cells: pd.DataFrame,
    questions: pd.DataFrame,
    year: int,
    group_types: list[str],
    *,
    threshold: int,
    caution: int,
    protection: int = disclosure.DEFAULT_PROTECTION,
    small_groups: dict | None = None,
) -> pd.DataFrame:
    """Every published breakdown cell of `year`, protected over all of them together.

    `cells` is the year's joint-cells table; `questions` the bank's questions table (theme,
    short label, order). Returns :data:`BREAKDOWN_COLUMNS`: a hidden cell has no figures, only
    its reason ("fewer than 10 responses" or "hidden so that ..."); a shown cell whose base is
    below `caution` has ``caution`` True. Questions the protection cannot make safe show no
    breakdown at all (every cell hidden). Sorted by theme order, question, group type, group.

    ``small_groups`` is survey.yml's mapping of small groups to parent groups: those under the
    threshold (:func:`merged_groups`) are shown only inside their parent, which is protected
    as part of the linked tables like any other group.
    """
    if not group_types or cells is None or cells.empty:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    merged = merged_groups(cells, small_groups, threshold)
    protected = disclosure.protect(cells, group_types, threshold=threshold, protection=protection, merged=merged)
    unprotected = set(protected.attrs.get("unprotected", []))
    table = protected[(protected["group_type"] != "all") & (protected["status"] != disclosure.MERGED)].copy()
    table["hidden"] = (table["status"] != disclosure.SHOWN) | table["question_id"].isin(unprotected)
    table["primary"] = table["status"] == disclosure.PRIMARY
    asked = questions.loc[questions["year"] == year, ["question_id", "theme", "short"]]
    table = table.merge(asked, on="question_id", how="inner")
    table = stats.add_percent(table.astype({"n_valid": "int64", "n_positive": "int64"}))
    hidden, primary = table["hidden"].to_numpy(dtype=bool), table["primary"].to_numpy(dtype=bool)
    table["caution"] = ~hidden & (table["n_valid"] < caution)
    table["reason"] = np.select([primary, hidden], [REASON_PRIMARY.format(threshold=threshold), REASON_SECONDARY], "")
    for col in ("n_valid", "n_positive"):
        table[col] = table[col].astype("Int64").mask(hidden, pd.NA)
    for col in ("pct_positive", "ci_low", "ci_high"):
        table[col] = table[col].mask(hidden)
    table["suppressed"] = hidden
    order = {t: i for i, t in enumerate(pd.unique(questions["theme"]))}
    table = table.assign(_t=table["theme"].map(order), _g=table["group_type"].map({"team": 0, "locality": 1, "role": 2}))
    table = table.sort_values(["_t", "question_id", "_g", "group"], kind="stable").drop(columns=["_t", "_g"])
    return table.loc[:, BREAKDOWN_COLUMNS].reset_index(drop=True)


def merged_groups(cells: pd.DataFrame | None, small_groups: dict | None, threshold: int) -> dict[str, dict[str, str]]:
    """The declared small groups that are merged into their parent this year:
    {group type: {small group: parent}}.

    ``small_groups`` is survey.yml's mapping ({group type: {group: parent}}). A group is merged
    when it gave fewer than ``threshold`` valid answers to every statement (so every figure of
    its own would be "<10"); a listed group at or above the threshold on some statement is
    shown on its own, and one absent from the year's export is left out. Names match as the
    joint cells hold them (stripped)."""
    if cells is None or cells.empty or not small_groups:
        return {}
    out: dict[str, dict[str, str]] = {}
    for group_type, parents in small_groups.items():
        if group_type not in cells.columns or not parents:
            continue
        wanted = {str(g).strip(): str(p).strip() for g, p in parents.items()}
        rows = cells.loc[cells[group_type].astype(str).isin(list(wanted))]
        largest = rows.groupby([group_type, "question_id"])["n_valid"].sum().groupby(level=0).max()
        small = {g: wanted[g] for g, n in largest.items() if n < threshold}
        if small:
            out[group_type] = dict(sorted(small.items()))
    return out


def shown_share(table: pd.DataFrame) -> tuple[int, int]:
    """(cells shown, cells published) of a breakdown table (:func:`protected_breakdowns`): how
    much of the breakdowns a reader sees. Every cell of the table counts, "<10" ones too."""
    return int((~table["suppressed"].astype(bool)).sum()), len(table)


def group_sizes(counts: pd.DataFrame, year: int) -> dict[str, int]:
    """Respondents in each team, locality and role of `year`, by lower-cased group name.

    A respondent answers every question (perhaps blank), so a group's size is its largest
    count of answers to any one question.
    """
    rows = counts[(counts["year"] == year) & (counts["group_type"] != "all")]
    per_question = rows.groupby(["group_type", "group", "question_id"])["n"].sum()
    sizes: dict[str, int] = {}
    for (_, group), n in per_question.groupby(level=[0, 1]).max().items():
        key = str(group).strip().lower()
        sizes[key] = max(sizes.get(key, 0), int(n))
    return sizes


def small_groups_named(speaker: str, sizes: dict[str, int], threshold: int) -> list[str]:
    """The groups of fewer than `threshold` respondents that a speaker's attribution names."""
    text = f" {' '.join(str(speaker).lower().split())} "
    return sorted(name for name, n in sizes.items() if n < threshold and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text))


def generalised_speaker(speaker: str, sizes: dict[str, int], threshold: int) -> str:
    """The attribution with every part that names a small group left out ("Practitioner" if nothing is left)."""
    parts = [p.strip() for p in str(speaker).split(",") if p.strip()]
    kept = [p for p in parts if not small_groups_named(p, sizes, threshold)]
    return ", ".join(kept) if kept else "Practitioner"


def attribution_problems(quotes: pd.DataFrame, sizes: dict[str, int], threshold: int, file: str) -> list[Problem]:
    """A warning for each quote whose speaker names a group under the threshold (not confirmed)."""
    confirmed = quotes["confirmed"] if "confirmed" in quotes.columns else pd.Series("", index=quotes.index)
    problems = []
    for row, speaker, ok in zip(quotes.index, quotes.get("speaker", []), confirmed, strict=False):
        named = small_groups_named(speaker, sizes, threshold)
        if named and str(ok).strip().lower() != "yes":
            problems.append(
                Problem(
                    file,
                    int(row) if isinstance(row, (int, np.integer)) else None,
                    "speaker",
                    speaker,
                    f"no group of fewer than {threshold} staff ({', '.join(named)}): the report shows "
                    f"'{generalised_speaker(speaker, sizes, threshold)}' instead; write yes under 'confirmed' to keep it",
                    "warning",
                )
            )
    return problems
