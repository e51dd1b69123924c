"""Reading the survey tool's files as they come, and turning them into the tidy counts table.

Nothing here decides whether the data are right (that is `validate`); this module only reads
and reshapes, vectorised so that a national-scale export is counted in seconds.

Long because `respondents_to_counts` is one vectorised pass (joint codes, one bincount per
question) that reads best whole.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck.data.codes import ALL_STAFF, RESPONSES, normalise_label
from healthcheck.data.inputs import clean_frame
from healthcheck.data.tables import read

COUNT_COLUMNS = ["year", "question_id", "group_type", "group", "response", "n"]

#: Largest joint (team x locality x role x response) grid counted in one bincount per question.
MAX_JOINT_BINS = 1 << 22


def _factorize(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(codes, uniques) with -1 for missing; a Categorical's own codes need no hashing."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def _group_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 into the sorted, stripped, non-blank group names; k for a blank/missing one."""
    codes, uniques = _factorize(column)
    cleaned = pd.Series(uniques, dtype=object).astype(str).str.strip()
    names = np.array(sorted(set(cleaned[cleaned != ""])), dtype=object)
    position = {name: i for i, name in enumerate(names)}
    k = len(names)
    # last entry: factorize's -1 (missing value) -> k (no group)
    lookup = np.array([position.get(c, k) for c in cleaned] + [k], dtype=np.intp)
    return lookup[codes], names


def _response_codes(column: pd.Series) -> np.ndarray:
    """Index into RESPONSES for each answer; len(RESPONSES) for an unknown label."""
    codes, uniques = _factorize(column)
    unknown = len(RESPONSES)
    lookup = np.array(
        [RESPONSES.index(c) if (c := normalise_label(u)) else unknown for u in uniques] + [RESPONSES.index("blank")],
        dtype=np.intp,
    )
    return lookup[codes]


def respondents_to_counts(
    frame: pd.DataFrame,
    year: int,
    question_columns: dict[str, str],
    group_columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Count answers per question, response and group from one-row-per-respondent data.

    `question_columns` maps export heading -> question code; `group_columns` maps group type
    (team, locality, role) -> export heading. Respondents with a blank group value count in
    "All staff" but in no group. Unknown labels are dropped here; `validate` reports them.

    Vectorised for national scale: team x locality x role x response is counted with one
    np.bincount per question over a joint code (missing groups and unknown labels get a bin
    of their own, dropped afterwards), and each grouping is a sum over that small tally.
    """
    n_codes = len(RESPONSES)
    width = n_codes + 1  # + one bin for unknown labels (dropped)
    groupings = []  # (group_type, codes with k = no group, names)
    for group_type, heading in (group_columns or {}).items():
        codes, names = _group_codes(frame[heading])
        groupings.append((group_type, codes, names))
    sizes = [len(names) + 1 for _, _, names in groupings]  # + one bin for "no group"
    joint = int(np.prod(sizes, dtype=np.int64)) * width <= MAX_JOINT_BINS
    if joint:
        base = np.zeros(len(frame), dtype=np.intp)
        for (_, codes, _), size in zip(groupings, sizes, strict=True):
            base *= size
            base += codes
        base *= width
    else:
        bases = [codes * width for _, codes, _ in groupings]

    response_names = np.asarray(RESPONSES, dtype=object)
    out = {"question_id": [], "group_type": [], "group": [], "response": [], "n": []}

    def emit(question_id, group_type, names, tally):  # tally: (len(names) + 1, width)
        g, r = np.nonzero(tally[:-1, :-1])
        out["question_id"].append(np.full(len(g), question_id, dtype=object))
        out["group_type"].append(np.full(len(g), group_type, dtype=object))
        out["group"].append(names[g])
        out["response"].append(response_names[r])
        out["n"].append(tally[g, r])

    all_names = np.array([ALL_STAFF], dtype=object)
    for heading, question_id in question_columns.items():
        responses = _response_codes(frame[heading])
        if not groupings:
            tally = np.bincount(responses, minlength=width)
            emit(question_id, "all", all_names, np.vstack([tally, np.zeros(width, dtype=tally.dtype)]))
            continue
        if joint:
            grid = np.bincount(base + responses, minlength=int(np.prod(sizes)) * width).reshape(*sizes, width)
            tallies = [grid.sum(axis=tuple(j for j in range(len(sizes)) if j != i)) for i in range(len(sizes))]
        else:
            tallies = [
                np.bincount(b + responses, minlength=size * width).reshape(size, width)
                for b, size in zip(bases, sizes, strict=True)
            ]
        total = tallies[0].sum(axis=0)  # every respondent is in exactly one bin of a grouping
        emit(question_id, "all", all_names, np.vstack([total, np.zeros(width, dtype=total.dtype)]))
        for (group_type, _, names), tally in zip(groupings, tallies, strict=True):
            emit(question_id, group_type, names, tally)

    if out["n"]:
        counts = pd.DataFrame({k: np.concatenate(v) for k, v in out.items()})
    else:
        counts = pd.DataFrame(columns=COUNT_COLUMNS[1:])
    counts.insert(0, "year", year)
    return tidy_counts(counts)


def summary_to_counts(frame: pd.DataFrame, year: int, meta_columns, question_codes: dict[str, str]) -> pd.DataFrame:
    """Turn a counts-per-response-option export into the tidy counts table ("All staff" only)."""
    questions = frame[meta_columns.question].map(lambda w: question_codes.get(w.strip()))
    responses = frame[meta_columns.response].map(normalise_label)
    n = pd.to_numeric(frame[meta_columns.count], errors="coerce")
    counts = pd.DataFrame(
        {
            "year": year,
            "question_id": questions,
            "group_type": "all",
            "group": ALL_STAFF,
            "response": responses,
            "n": n,
        }
    ).dropna()
    counts = counts.groupby(COUNT_COLUMNS[:-1], as_index=False, sort=False)["n"].sum()
    return tidy_counts(counts)


def tidy_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Give the counts table its canonical column order, types and row order."""
    counts = counts[COUNT_COLUMNS].copy()
    counts = counts[counts["n"] > 0]
    counts = counts.astype({"year": "int64", "question_id": str, "group_type": str, "group": str, "response": str, "n": "int64"})
    order = {r: i for i, r in enumerate(RESPONSES)}
    type_order = {"all": 0, "team": 1, "locality": 2, "role": 3}
    counts = counts.assign(_t=counts["group_type"].map(type_order), _r=counts["response"].map(order))
    counts = counts.sort_values(["year", "question_id", "_t", "group", "_r"], kind="stable")
    return counts.drop(columns=["_t", "_r"]).reset_index(drop=True)


def read_published(path: Path, year: int) -> pd.DataFrame:
    """Read <year>/published.csv into the `published` table (empty when the file is absent).

    Unreadable cells become NaN here; `validate` reports them (and refuses an unreadable file)
    before anything is computed.
    """
    columns = ["year", "question_id", "pct_positive", "n_valid", "source"]
    empty = pd.DataFrame(columns=columns).astype({"year": "int64", "pct_positive": float, "n_valid": "Int64"})
    if not Path(path).is_file():
        return empty
    try:
        result = read.read_table(path)
    except read.ReadError:
        return empty
    df, _ = clean_frame(result.frame, result.header_row)
    df = df.reset_index(drop=True)
    blank = pd.Series("", index=df.index, dtype=object)
    n = pd.to_numeric((df["n"] if "n" in df.columns else blank).astype(str).str.strip(), errors="coerce")
    n = n.where((n == n.round()) & (n >= 0) & (n < 2**62))  # a base is a whole number; validate reports others
    out = pd.DataFrame(
        {
            "year": year,
            "question_id": df.get("question_id", blank).astype(str).str.strip(),
            "pct_positive": pd.to_numeric(df.get("pct_positive", blank), errors="coerce"),
            # the base of the published figure, where it is known (optional column `n`)
            "n_valid": n.astype("Int64"),
            "source": df.get("source", blank),
        }
    )
    out = out.astype({"year": "int64", "pct_positive": float})
    return out.sort_values("question_id", kind="stable").reset_index(drop=True)
