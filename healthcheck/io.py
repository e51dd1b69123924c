"""Reading the survey tool's files as they come, and turning them into the tidy counts table.

Nothing here decides whether the data are right (that is `validate`); this module only reads
and reshapes, vectorised so that a national-scale export is counted in seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

# Canonical response codes, in display order. The first five are valid answers.
RESPONSES = (
    "strongly_agree",
    "agree",
    "neutral",
    "disagree",
    "strongly_disagree",
    "dont_know",
    "not_applicable",
    "blank",
)
RESPONSE_LABELS = {
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "neutral": "Neither agree nor disagree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "dont_know": "Don't know",
    "not_applicable": "Not applicable",
    "blank": "No answer",
}

# Labels as survey tools spell them, after `_squash`, mapped to canonical codes.
_LABEL_VARIANTS = {
    "strongly agree": "strongly_agree",
    "agree": "agree",
    "tend to agree": "agree",
    "neither agree nor disagree": "neutral",
    "neither agree or disagree": "neutral",
    "neutral": "neutral",
    "disagree": "disagree",
    "tend to disagree": "disagree",
    "strongly disagree": "strongly_disagree",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "don't know / not sure": "dont_know",
    "not sure": "dont_know",
    "not applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "": "blank",
}
ACCEPTED_LABELS = tuple(k for k in _LABEL_VARIANTS if k)

ALL_STAFF = "All staff"
COUNT_COLUMNS = ["year", "question_id", "group_type", "group", "response", "n"]


def _squash(value: object) -> str:
    """Lower-case, straighten curly apostrophes and collapse runs of white space."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def normalise_label(value: object) -> str | None:
    """The canonical response code for an exported label, or None when the label is unknown."""
    return _LABEL_VARIANTS.get(_squash(value))


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX export with every cell as text, exactly as the analyst would see it.

    CSV is tried as UTF-8 (with or without a byte-order mark) and then as Windows-1252, the two
    encodings Excel writes. XLSX is read from its first sheet. Empty cells become "".
    Raises ValueError with a plain message when the file cannot be read as a table.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise ValueError(f"could not be read as an Excel workbook ({exc.__class__.__name__})") from None
    elif suffix in (".csv", ".txt"):
        df = None
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
                break
            except UnicodeDecodeError:
                continue
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
            except pd.errors.ParserError as exc:
                raise ValueError(f"is not a well-formed CSV file ({str(exc).strip()})") from None
        if df is None:
            raise ValueError("is neither UTF-8 nor Windows-1252 text")
    else:
        raise ValueError(f"has the extension '{path.suffix}'; expected .csv or .xlsx")
    df.columns = [str(c).strip() for c in df.columns]
    # Excel can leave a date as "2022-05-10 00:00:00"; everything else stays as typed.
    return df.fillna("")


def _response_codes(column: pd.Series) -> np.ndarray:
    """Integer response codes (index into RESPONSES) for a column of labels; -1 when unknown.

    Labels are normalised once per distinct value, not once per respondent.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    lookup = np.array(
        [RESPONSES.index(c) if (c := normalise_label(u)) else -1 for u in uniques] + [RESPONSES.index("blank")],
        dtype=np.int16,
    )
    # factorize marks missing values -1: the extra last entry of `lookup` makes them "blank".
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
    """
    n_codes = len(RESPONSES)
    groupings = [("all", np.zeros(len(frame), dtype=np.int64), np.array([ALL_STAFF], dtype=object))]
    for group_type, heading in (group_columns or {}).items():
        values = frame[heading].astype(str).str.strip().replace("", pd.NA)
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
        groupings.append((group_type, codes.astype(np.int64), np.asarray(uniques, dtype=object)))

    parts = []
    for heading, question_id in question_columns.items():
        responses = _response_codes(frame[heading]).astype(np.int64)
        for group_type, group_codes, group_names in groupings:
            keep = (group_codes >= 0) & (responses >= 0)
            # One bincount over (group, response) pairs replaces a group-by: no Python loop over people.
            tally = np.bincount(group_codes[keep] * n_codes + responses[keep], minlength=len(group_names) * n_codes)
            nonzero = np.flatnonzero(tally)
            parts.append(
                pd.DataFrame(
                    {
                        "question_id": question_id,
                        "group_type": group_type,
                        "group": group_names[nonzero // n_codes],
                        "response": np.asarray(RESPONSES, dtype=object)[nonzero % n_codes],
                        "n": tally[nonzero],
                    }
                )
            )
    counts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COUNT_COLUMNS[1:])
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
    """Read <year>/published.csv into the `published` table (empty when the file is absent)."""
    columns = ["year", "question_id", "pct_positive", "source"]
    if not Path(path).is_file():
        return pd.DataFrame(columns=columns).astype({"year": "int64", "pct_positive": float})
    df = read_table(path)
    out = pd.DataFrame(
        {
            "year": year,
            "question_id": df["question_id"].str.strip(),
            "pct_positive": pd.to_numeric(df["pct_positive"], errors="coerce"),
            "source": df.get("source", pd.Series("", index=df.index)),
        }
    )
    return out.sort_values("question_id", kind="stable").reset_index(drop=True)
