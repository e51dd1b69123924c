"""The joint-cells table: the finest cross-classification a respondent-level export holds.

One row per (question, team x locality x role combination) with the question's valid and
agreeing answers in it. Every published figure -- the all-staff total and each team, locality
or role cell -- is a sum of joint cells, which is what lets the disclosure LP
(:mod:`healthcheck.analysis.disclosure`) see how the published tables are linked.

Which rows are kept: every combination of group values that occurs among the year's
respondents appears for *every* question, with zeros where nobody in it gave a valid answer
to that question (so ``n_valid`` may be 0). Keeping the zeros makes the table the same shape
for every question, and its combinations are the organisation's structure as an attacker who
knows it would assume: a combination with no respondents at all is known to be empty, one
with respondents may still have answered a given question with "don't know".

Vectorised for national exports (a million rows): group values and answer labels are
normalised once per distinct value, and each question is one ``np.bincount`` over the
combination codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthcheck.data.codes import POSITIVE, VALID, normalise_label

#: The group types a joint cell is classified by, in this order.
GROUP_TYPES: tuple[str, ...] = ("team", "locality", "role")
#: Columns of the joint-cells table.
CELL_COLUMNS = ["year", "question_id", *GROUP_TYPES, "n_valid", "n_positive"]


def _group_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, names) for one group column: names are the stripped values ("" for blank),
    sorted; codes index into them. Stripping is done per distinct value, not per row."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip().to_numpy()
    names = np.array(sorted(set(cleaned)), dtype=object)
    position = {name: i for i, name in enumerate(names)}
    if "" not in position:  # a missing value (code -1) needs the blank name too
        names = np.append(names, "")
        position[""] = len(names) - 1
    lookup = np.array([position[c] for c in cleaned] + [position[""]], dtype=np.intp)
    return lookup[codes], names


def _answer_kinds(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(valid, positive) as 0/1 arrays, from the labels' canonical codes. Unknown labels are
    neither (validation reports them); the rule is applied once per distinct label."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    canonical = [normalise_label(u) for u in uniques]
    # last entry: factorize's -1 (a missing cell), which is a blank answer
    valid = np.array([c in VALID for c in canonical] + [False], dtype=np.int64)
    positive = np.array([c in POSITIVE for c in canonical] + [False], dtype=np.int64)
    return valid[codes], positive[codes]


def joint_cells(
    frame: pd.DataFrame,
    year: int,
    question_columns: dict[str, str],
    group_columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The joint-cells table of one year's respondent-level export.

    ``frame`` is the export as text (as :func:`healthcheck.io.read_table` gives it);
    ``question_columns`` maps export heading -> question code; ``group_columns`` maps group
    type ("team", "locality", "role") -> export heading. A group type without a column, and a
    blank group value, is ``""``.

    Returns :data:`CELL_COLUMNS`: one row per question and per (team, locality, role)
    combination that occurs among the year's respondents -- the same combinations for every
    question, ``n_valid`` 0 where none of them answered it validly (see the module
    docstring). ``n_valid`` counts the five agreement codes, ``n_positive`` the agreeing
    ones. Sorted by question_id, team, locality, role.
    """
    group_columns = dict(group_columns or {})
    unknown = set(group_columns) - set(GROUP_TYPES)
    if unknown:
        raise ValueError(f"unknown group types {sorted(unknown)}; expected some of {list(GROUP_TYPES)}")
    if len(set(question_columns.values())) != len(question_columns):
        raise ValueError("two export headings map to the same question code")

    # One integer per respondent for their (team, locality, role) combination.
    names: dict[str, np.ndarray] = {}
    combined = np.zeros(len(frame), dtype=np.int64)
    for group_type in GROUP_TYPES:
        if group_type in group_columns:
            codes, names[group_type] = _group_values(frame[group_columns[group_type]])
        else:
            codes, names[group_type] = np.zeros(len(frame), dtype=np.intp), np.array([""], dtype=object)
        combined = combined * len(names[group_type]) + codes
    combos, respondent_combo = np.unique(combined, return_inverse=True)

    # Decode each combination back into its three names (last group type varies fastest).
    combo_names = {}
    rest = combos
    for group_type in reversed(GROUP_TYPES):
        size = len(names[group_type])
        combo_names[group_type] = names[group_type][rest % size]
        rest = rest // size

    k = len(combos)
    pieces = []
    for heading, question_id in question_columns.items():
        valid, positive = _answer_kinds(frame[heading])
        n_valid = np.bincount(respondent_combo, weights=valid, minlength=k).astype(np.int64)
        n_positive = np.bincount(respondent_combo, weights=positive, minlength=k).astype(np.int64)
        pieces.append(pd.DataFrame({"question_id": question_id, **combo_names, "n_valid": n_valid, "n_positive": n_positive}))
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.startswith("n_") or c == "year" else object) for c in CELL_COLUMNS})
    cells = pd.concat(pieces, ignore_index=True)
    cells.insert(0, "year", int(year))
    cells = cells.sort_values(["question_id", *GROUP_TYPES], kind="stable").reset_index(drop=True)
    return cells.astype({"year": "int64", "n_valid": "int64", "n_positive": "int64"}).loc[:, CELL_COLUMNS]
