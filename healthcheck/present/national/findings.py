"""The national summary's findings, written from the data by rules, and its changes since the last year.

The first page of the national summary leads with these findings, in this order, each said once:

1. the best result nationally: the statement with the highest England figure;
2. the worst result nationally: the statement with the lowest (a different statement);
3. the largest regional differences: per statement, the highest and the lowest region shown,
   tested against each other (``stats.compare_proportions`` on their pooled counts, p < 0.05);
   the two statements with the widest significant gap are named, or, when no gap is
   significant, the widest gap is named and said not to be significant;
4. where the batch holds an earlier year: every significant rise and every significant fall of
   England's figure, each statement named with its change, in the one vocabulary of
   :mod:`healthcheck.present.change` (rise ▲, fall ▼, no significant change ●, not tested ○).

A figure not shown (fewer valid responses than the threshold) is never named or tested. The
England of each year is pooled over the organisations of that year's batch, so the change says
what changed in the figure a reader sees, not in a fixed panel of organisations.

The same rules give the regional chart's title (:func:`regions_title`): the widest significant
gap between two regions on one of the theme's statements, or that no two regions differ.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display

from healthcheck.analysis import stats
from healthcheck.analysis.rounding import format_pct, round_half_up
from healthcheck.escape import myst_text
from healthcheck.present import change
from healthcheck.present.sentences import pct, plural, points_phrase

ALPHA = 0.05
#: How many significant rises (and falls) the findings name; the changes table names them all.
NAMED = 3

_STATE_OF_FLAG = {stats.INCREASE: change.RISE, stats.DECREASE: change.FALL, stats.NO_CHANGE: change.NO_CHANGE}


def _q(text) -> str:
    return f"\u201c{text}\u201d"


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["suppressed"].astype(bool) & frame["pct_positive"].notna()]


def best_and_worst(england: pd.DataFrame) -> tuple[pd.Series | None, pd.Series | None]:
    """The rows of the highest and the lowest shown England figure (`england`: ``question_id,
    pct_positive, suppressed``); the first in the given order on a tie; worst is None when only
    one statement is shown."""
    shown = _shown(england)
    if shown.empty:
        return None, None
    ordered = shown.sort_values("pct_positive", ascending=False, kind="stable")
    best, worst = ordered.iloc[0], ordered.sort_values("pct_positive", kind="stable").iloc[0]
    return best, (None if worst["question_id"] == best["question_id"] else worst)


def regional_gaps(regions: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Per statement with two or more regions shown: the highest and lowest region, their
    figures, the gap in points and whether it is significant. Widest gap first.

    `regions`: the regional benchmark rows (``question_id, name, pct_positive, n_positive,
    n_valid, suppressed``)."""
    rows = []
    for qid, part in _shown(regions).groupby("question_id", sort=False):
        if len(part) < 2:
            continue
        part = part.sort_values(["pct_positive", "name"], ascending=[False, True], kind="stable")
        high, low = part.iloc[0], part.iloc[-1]
        p, _ = stats.compare_proportions(low["n_positive"], low["n_valid"], high["n_positive"], high["n_valid"])
        rows.append(
            {
                "question_id": qid,
                "high_region": high["name"],
                "high_pct": float(high["pct_positive"]),
                "low_region": low["name"],
                "low_pct": float(low["pct_positive"]),
                "gap": float(high["pct_positive"] - low["pct_positive"]),
                "p_value": p,
                "significant": bool(p < alpha),
            }
        )
    columns = ["question_id", "high_region", "high_pct", "low_region", "low_pct", "gap", "p_value", "significant"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["gap", "question_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def england_changes(now: pd.DataFrame, before: pd.DataFrame | None, prev_year: int | None, alpha: float = ALPHA) -> pd.DataFrame:
    """England's change per statement of `now` (national rows of this year) against `before`
    (national rows of `prev_year`, with a ``reworded`` column), tested on the pooled counts.

    Columns: question_id, pct_positive, prev_pct_positive, prev_year, change_pts, p_value,
    change (a :class:`change.Change`), state, reason."""
    rows = []
    earlier = None if before is None else before.set_index("question_id")
    for r in now.itertuples(index=False):
        row = {"question_id": r.question_id, "pct_positive": r.pct_positive, "prev_pct_positive": None}
        if bool(r.suppressed):
            row["pct_positive"] = None
        if earlier is None:
            state = change.Change(change.NOT_TESTED, change.FIRST_YEAR)
        elif r.question_id not in earlier.index:
            state = change.Change(change.NOT_TESTED, change.NEW_STATEMENT)
        elif bool(earlier.at[r.question_id, "reworded"]):
            state = change.Change(change.NOT_TESTED, change.WORDING_CHANGED)
        elif bool(r.suppressed) or bool(earlier.at[r.question_id, "suppressed"]):
            state = change.Change(change.NOT_TESTED, change.TOO_FEW)
        else:
            e = earlier.loc[r.question_id]
            p, _ = stats.compare_proportions(e["n_positive"], e["n_valid"], r.n_positive, r.n_valid)
            points = float(r.pct_positive) - float(e["pct_positive"])
            flag = stats.NO_CHANGE if not p < alpha else (stats.INCREASE if points > 0 else stats.DECREASE)
            # the flag and the figures through change.state_of, so the points are those of the
            # two rounded percentages printed beside them, as everywhere else in the reports
            state = change.state_of(
                {
                    "change_flag": flag,
                    "change_pts": points,
                    "pct_positive": r.pct_positive,
                    "prev_pct_positive": e["pct_positive"],
                    "prev_year": prev_year,
                }  # fmt: skip
            )
            row.update(prev_pct_positive=float(e["pct_positive"]), p_value=p)
        rows.append(row | {"prev_year": prev_year, "change": state, "state": state.state, "reason": state.reason or ""})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(
            columns=["question_id", "pct_positive", "prev_pct_positive", "prev_year", "change", "state", "reason"]
        )
    out["change_pts"] = [c.points for c in out["change"]]
    return out


def _whole(value):
    return None if value is None or pd.isna(value) else int(round_half_up(float(value)))


def _named(shorts: dict, qid: str) -> str:
    return _q(myst_text(shorts.get(qid, qid)))


def change_findings(changes: pd.DataFrame, shorts: dict, year: int, prev_year: int | None) -> list[str]:
    """The lines naming every significant rise and fall of England's figure (MyST)."""
    if prev_year is None:
        return [f"No earlier year's figures were in this batch, so no change since before {year} is tested."]
    tested = int(changes["state"].isin([change.RISE, change.FALL, change.NO_CHANGE]).sum())
    if not tested:
        return [f"No statement could be tested against {prev_year}."]
    out, of = [], f" (of {tested} tested)"
    for state, verb, up in ((change.RISE, "rose", False), (change.FALL, "fell", True)):
        rows = changes[changes["state"] == state].sort_values("change_pts", ascending=up, kind="stable")
        shape = change.SHAPES[state]
        if rows.empty:
            out.append(f"{shape} **No statement {verb} significantly in England since {prev_year}**{of}.")
        else:
            # the largest few by name; every one is named with its state in the table that follows
            items = [
                f"{_named(shorts, r.question_id)} ({pct(r.pct_positive)}, {points_phrase(r.change_pts)})"
                for r in rows.head(NAMED).itertuples()
            ]
            rest = len(rows) - len(items)
            more = f"; and {rest} more, each in the table of England since {prev_year}" if rest else ""
            head = f"{shape} **{plural(len(rows), 'statement')} {verb} significantly in England since {prev_year}**{of}: "
            out.append(head + "; ".join(items) + more + ".")
        of = ""
    return out


def gap_findings(gaps: pd.DataFrame, shorts: dict) -> list[str]:
    """The line naming the largest regional differences (MyST)."""
    if gaps.empty:
        return ["Fewer than two regions have a figure shown on any statement, so regions are not compared."]
    significant = gaps[gaps["significant"]]
    if significant.empty:
        top = gaps.iloc[0]
        return [
            f"**No significant difference between regions.** The widest gap, on {_named(shorts, top['question_id'])} "
            f"({myst_text(top['high_region'])} {pct(top['high_pct'])}, {myst_text(top['low_region'])} "
            f"{pct(top['low_pct'])}), is within what chance produces."
        ]
    items = [
        f"on {_named(shorts, r.question_id)}, {myst_text(r.high_region)} {pct(r.high_pct)} against "
        f"{myst_text(r.low_region)} {pct(r.low_pct)}"
        for r in significant.head(2).itertuples()
    ]
    more = len(significant) - len(items)
    tail = f" ({plural(more, 'more statement')} with a significant regional difference)" if more else ""
    return [f"**Largest regional differences:** {' and '.join(items)}{tail}."]


def findings(nb) -> list[str]:
    """The national summary's findings by the rules in the module docstring (MyST lines)."""
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    themes = dict(zip(nb.questions["question_id"], nb.questions["theme_title"], strict=True))
    best, worst = best_and_worst(nb.scope("national"))
    if best is None:
        return [f"No statement had enough responses in {nb.year} to report England's figure."]
    out = []
    for word, row in (("Highest", best), ("Lowest", worst)):
        if row is not None:
            qid = row["question_id"]
            out.append(
                f"**{word} result in England:** {pct(row['pct_positive'])} agreed that {_named(shorts, qid)} "
                f"({myst_text(themes.get(qid, ''))})."
            )
    out += gap_findings(regional_gaps(nb.scope("region")), shorts)
    out += change_findings(nb.changes, shorts, nb.year, nb.prev_year)
    return out


def findings_section(nb) -> None:
    """The findings as a list under their heading, first on the summary page."""
    display(Markdown("## What the figures say\n\n" + "\n".join(f"- {line}" for line in findings(nb))))


def changes_section(nb) -> None:
    """England's figure of every statement this year and at the last comparison, with its change
    state (nothing when the batch holds no earlier year)."""
    if nb.prev_year is None:
        return
    display(
        Markdown(
            f"## England since {nb.prev_year}\n\nEach statement's England figure in {nb.prev_year} and {nb.year}, "
            "pooled over the organisations of each year's batch, tested for a significant change (p < 0.05). "
            + " ".join(f"{change.label(s)}." for s in (change.RISE, change.FALL, change.NO_CHANGE))
            + f" {change.SHAPES[change.NOT_TESTED]} not tested, with the reason."
        )
    )
    shorts = dict(zip(nb.questions["question_id"], nb.questions["short"], strict=True))
    c = nb.changes
    table = pd.DataFrame(
        {
            "Code": c["question_id"],
            "Statement": c["question_id"].map(shorts),
            # whole percentages, as the findings print them, so the change is their difference
            f"England {nb.prev_year} (%)": pd.array(c["prev_pct_positive"].map(_whole), dtype="Int64"),
            f"England {nb.year} (%)": pd.array(c["pct_positive"].map(_whole), dtype="Int64"),
            "Change (points)": pd.array(c["change_pts"].map(_whole), dtype="Int64"),
            "Change state": [ch.label for ch in c["change"]],
        }
    )
    nb.table(
        table, f"England's figures, {nb.prev_year} and {nb.year}, with the change state of each statement", "england-changes"
    )


def regions_title(gaps: pd.DataFrame, shorts: dict, theme_title: str) -> str:
    """The regional chart's finding: the widest significant gap between two regions in the theme."""
    significant = gaps[gaps["significant"]]
    if gaps.empty:
        return f"{theme_title}: too few regions shown to compare"
    if significant.empty:
        return f"No two regions differ significantly on {theme_title.lower()}"
    r = significant.iloc[0]
    return (
        f"{r['high_region']} and {r['low_region']} differ most on {_q(shorts.get(r['question_id'], r['question_id']))}: "
        f"{format_pct(r['high_pct'])} against {format_pct(r['low_pct'])}"
    )
