"""The disclosure attack on a built book: what an outsider can work out from the published files.

Suppression is chosen inside the build (:func:`healthcheck.analysis.disclosure.protect`). This
module checks the result from the outside, as an attacker would: it reads only what the book
publishes (:mod:`healthcheck.audit.published`: CSV and XLSX downloads, HTML tables, charts
and their alt text, the PDF's text), combines every number that bears on each cell -- a
breakdown's exact base and rounded percentage, the all-staff distribution to one decimal, the
change and trend tables -- and, knowing the organisation's structure (which team x locality x
role combinations answered each statement), runs the linear-programming audit
(:func:`~healthcheck.analysis.disclosure.feasible_ranges`) for the feasible range of every
suppressed cell's valid, agreeing and not-agreeing counts. A group that gave a statement no
valid answer (one for first-year staff only, say) is shown as "<10" but is a known zero, not
a hidden cell: it is neither attacked nor counted (see the module docstring of
:mod:`healthcheck.analysis.disclosure`).

The build fails when a range is narrower than the rule of :mod:`healthcheck.analysis.disclosure`
asks (:data:`~healthcheck.analysis.disclosure.DEFAULT_PROTECTION` wide for a "<10" cell, 1 for a
"hidden" one, capped where the all-staff figure alone already pins a count), or when two
published files disagree about a cell: a reader would see two different figures, and the
attacker would learn from both.

:func:`~healthcheck.audit.leaks.leaks` (imported here for the build's audit stage, with
:func:`~healthcheck.audit.leaks.site_leaks` and :func:`~healthcheck.audit.published.read_site`) is the other
check of what a book gives away: paths of the build machine and notebook sources.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck.analysis import disclosure as D
from healthcheck.analysis.breakdowns import merged_groups
from healthcheck.audit.leaks import leaks, site_leaks
from healthcheck.audit.published import BREAKDOWN_SOURCES, Outputs, read_outputs, read_site
from healthcheck.data.codes import ALL_STAFF

__all__ = [
    "AuditResult",
    "attack",
    "audit_build",
    "audit_tables",
    "leaks",
    "published_cells",
    "read_site",
    "required_widths",
    "site_leaks",
]

_TOL = 1e-6
_LABELS = {D.SHOWN: "a figure", D.PRIMARY: "<10", D.SECONDARY: "hidden"}


# --------------------------------------------------------------------------- what the attacker sees


def _one_cell(key: tuple, obs: list[dict], findings: list) -> dict:
    """What every observation of one cell says together; each disagreement is a finding."""
    name = ", ".join(key)

    def differ(what: str, column: str) -> list:
        values = {}
        for o in obs:
            if o[column] is not None and o[column] != "":
                values.setdefault(o[column], set()).add(o["source"])
        if len(values) > 1:
            said = (f"{_LABELS.get(v, v)} in {', '.join(sorted(s))}" for v, s in values.items())
            findings.append(f"{name}: {what} " + "; ".join(said))
        return list(values)

    statuses, pcts, bases = differ("shown as", "status"), differ("% agreeing is", "pct"), differ("valid responses are", "n_valid")
    status = D.SHOWN if D.SHOWN in statuses else statuses[0]
    qid, group_type, group = key
    row = {
        "question_id": qid,
        "group_type": group_type,
        "group": group,
        "status": status,
        "n_valid": None,
        "n_positive_lo": None,
        "n_positive_hi": None,
        "pct": pcts[0] if pcts else "",
        "sources": ", ".join(sorted({o["source"] for o in obs})),
    }
    if status != D.SHOWN:
        return row
    if not bases:
        findings.append(f"{name}: shown with no base anywhere")
        return row
    n = int(bases[0])
    bounds = [(int(o["n_positive_lo"]), int(o["n_positive_hi"])) for o in obs if o["n_positive_lo"] is not None]
    for p in pcts:  # a percentage read without its base (a chart's) bounds the count with the base found elsewhere
        try:
            bounds.append(D.n_positive_interval(int(p.rstrip("%")), n))
        except ValueError:
            findings.append(f"{name}: no count out of {n} gives {p}")
    lo, hi = max([0, *(b[0] for b in bounds)]), min([n, *(b[1] for b in bounds)])
    if lo > hi:
        findings.append(f"{name}: no agreeing count fits every published figure")
        lo, hi = min(b[0] for b in bounds), max(b[1] for b in bounds)
    row.update(n_valid=n, n_positive_lo=lo, n_positive_hi=hi)
    return row


def published_cells(out_dir: Path | str, year: int, site: Outputs | None = None) -> pd.DataFrame:
    """What the book in ``out_dir`` (``<build_root>/<year>``, with ``html/`` and ``pdf/``)
    publishes about every breakdown cell and every all-staff figure (group type "all"):
    :data:`~healthcheck.analysis.disclosure.PUBLISHED_COLUMNS`, then ``pct`` (the whole
    percentage shown) and ``sources``.

    Status "primary" is a "<10" cell (valid responses at most threshold - 1), "secondary" a
    "hidden" one (at least threshold); a shown cell has its exact valid responses and the
    agreeing counts every published number about it allows together. ``attrs["findings"]``
    lists every disagreement between sources (and every breakdown cell missing from one of
    :data:`~healthcheck.audit.published.BREAKDOWN_SOURCES`); ``attrs["observations"]`` is
    every figure read, per source (:func:`healthcheck.audit.published.read_outputs`; ``site``
    is passed on to it).
    """
    outputs = read_outputs(out_dir, year, site)
    findings = list(outputs.findings)
    records = outputs.observations.astype(object).where(outputs.observations.notna(), None).to_dict("records")
    cells: dict[tuple, list] = {}
    for o in records:
        cells.setdefault((o["question_id"], o["group_type"], o["group"]), []).append(o)
    present = {o["source"] for o in records}
    rows = []
    for key, obs in cells.items():
        if key[1] != "all":
            missing = [s for s in BREAKDOWN_SOURCES if s in present and s not in {o["source"] for o in obs}]
            if missing:
                findings.append(f"{', '.join(key)}: not in {', '.join(missing)}")
        rows.append(_one_cell(key, obs, findings))
    table = pd.DataFrame(rows, columns=[*D.PUBLISHED_COLUMNS, "pct", "sources"])
    order = {t: i for i, t in enumerate(("all", *D.GROUP_TYPES))}
    table = table.assign(_t=table["group_type"].map(order)).sort_values(["question_id", "_t", "group"]).drop(columns="_t")
    for col in D.PUBLISHED_COLUMNS[4:]:
        table[col] = table[col].astype("Int64")
    table = table.reset_index(drop=True)
    table.attrs.update(findings=findings, observations=outputs.observations)
    return table


# --------------------------------------------------------------------------- the attack and the audit


def attack(
    out_dir: Path | str, year: int, structure: pd.DataFrame, threshold: int = 10, *, published=None, merged=None
) -> pd.DataFrame:
    """The feasible range of every suppressed cell's counts, from the published files alone.

    ``structure``: the (team, locality, role) combinations that answered, as the attacker is
    assumed to know them (:func:`~healthcheck.analysis.disclosure.structure_of` of the year's
    joint cells: per question, or for every question without a ``question_id`` column).
    Returns :data:`~healthcheck.analysis.disclosure.RANGE_COLUMNS`, one row per "<10" or
    "hidden" cell of a question with breakdowns, known zeros left out; ``attrs["published"]``
    is :func:`published_cells`' table (pass it as ``published`` to skip reading the files
    again). ValueError when no table of counts fits what is published (then the files
    contradict each other or the structure). ``merged``: the small groups published only in a
    parent group ({group type: {small group: parent}}), attacked too (status "merged").
    """
    published = published_cells(out_dir, year) if published is None else published
    # Questions without breakdowns publish one figure, linked to nothing else.
    linked = published["question_id"].isin(published.loc[published["group_type"] != "all", "question_id"])
    table = published.loc[linked, D.PUBLISHED_COLUMNS].reset_index(drop=True)
    table.attrs.clear()  # pandas copies attrs (the observations) on every operation
    if not (table["status"] != D.SHOWN).any() and not merged:  # nothing hidden, nothing merged: nothing to attack
        ranges = pd.DataFrame(columns=D.RANGE_COLUMNS)
    else:
        ranges = D.feasible_ranges(table, structure, threshold, merged=merged)
    ranges.attrs["published"] = published
    return ranges


def required_widths(published: pd.DataFrame, ranges: pd.DataFrame, threshold: int, protection: int) -> np.ndarray:
    """(cells, 3 counts) the width each range must have: ``protection`` for a "<10" cell, 1 for
    a "hidden" one, each capped at what the question's published all-staff figure alone
    leaves (see the module docstring of :mod:`healthcheck.analysis.disclosure`)."""
    t = threshold
    total = published[published["group_type"] == "all"].set_index("question_id")
    need = np.zeros((len(ranges), 3))
    for i, (qid, status) in enumerate(zip(ranges["question_id"], ranges["status"], strict=True)):
        primary = status in (D.PRIMARY, D.MERGED)  # a merged small group is protected as a "<10" cell
        if qid in total.index and total.loc[qid, "status"] == D.SHOWN:
            n, k_lo, k_hi = (int(total.loc[qid, c]) for c in ("n_valid", "n_positive_lo", "n_positive_hi"))
            caps = (min(t - 1, n), min(t - 1, k_hi), min(t - 1, n - k_lo)) if primary else (n - t, k_hi, n - k_lo)
        else:
            caps = (t - 1,) * 3 if primary else (np.inf,) * 3
        need[i] = np.minimum(protection if primary else 1, caps)
    return np.maximum(need, 0)


def _merged(survey, year: int) -> dict:
    """The small groups the year publishes only inside a parent (none for a survey without a year's survey.yml)."""
    data = survey.years[year]
    declared = getattr(getattr(data, "meta", None), "small_groups", None)
    return merged_groups(data.cells, declared, survey.threshold)


def _count(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < _TOL else f"{x:.2f}"


@dataclass
class AuditResult:
    """The disclosure audit of one built book, for the build log, the manifest and the appendix.

    ``cells_suppressed`` and ``cells_hidden``: the "<10" and "hidden" cells attacked.
    ``cells_without_answers``: the breakdown cells shown "<10" that gave their statement no
    valid answer at all (a statement for first-year staff only, say): known zeros, not
    hidden cells, so not in ``cells_suppressed``.
    ``smallest_primary_range`` and ``smallest_hidden_range``: the narrowest feasible range of
    any count of a "<10" (or "hidden") cell, among the counts the rule protects (a count the
    all-staff figure alone pins, such as "nobody disagreed", is left out); None when there is
    no such cell. ``too_narrow``: each cell whose range is narrower than required, as
    "question, group type, group: valid answers X..Y, agreeing A..B". ``inconsistencies``:
    figures that two published files give differently. ``cells_merged``: the small groups
    published only inside a parent group (survey.yml ``small_groups``), attacked as "<10"
    cells (their ranges count in ``smallest_primary_range``). ``cells_shown`` of
    ``cells_published``: the breakdown cells a reader sees with a figure, of all published.
    """

    year: int
    cells_suppressed: int
    cells_hidden: int
    smallest_primary_range: float | None
    smallest_hidden_range: float | None
    ok: bool
    too_narrow: list[str] = field(default_factory=list)
    inconsistencies: list[str] = field(default_factory=list)
    protection: int = D.DEFAULT_PROTECTION
    seconds: float = 0.0
    ranges: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    cells_without_answers: int = 0
    # Small groups published only inside a parent group (survey.yml small_groups), attacked as
    # "<10" cells; and the breakdown cells shown, of all published (the share a reader sees).
    cells_merged: int = 0
    cells_shown: int = 0
    cells_published: int = 0

    def as_dict(self, timing: bool = True) -> dict:
        """The result for build-info.json (no ranges table); ``timing=False`` for the manifest,
        which a rebuild must reproduce exactly."""
        leave_out = {"ranges"} if timing else {"ranges", "seconds"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in leave_out}

    def message(self) -> str:
        """What a failed build says: every cell the attack narrows down, and every disagreement."""
        lines = [f"The disclosure audit of {self.year} failed: published figures narrow down hidden cells or disagree."]
        if self.too_narrow:
            lines.append(f"Cells worked out too closely (each needs a range of {self.protection} for <10, 1 for hidden):")
            lines += [f"  {c}" for c in self.too_narrow]
        if self.inconsistencies:
            lines.append("Figures published differently in two places:")
            lines += [f"  {c}" for c in self.inconsistencies]
        return "\n".join(lines)


def audit_build(
    out_dir: Path | str, survey, year: int, protection: int = D.DEFAULT_PROTECTION, *, site: Outputs | None = None
) -> AuditResult:
    """Attack the book in ``out_dir`` for ``year``: every suppressed cell's feasible range from
    the published files, the organisation's structure taken from ``survey`` (what the
    attacker is assumed to know) and the survey's threshold. See :class:`AuditResult`.
    ``site``: the website already read (:func:`~healthcheck.audit.published.read_site`)."""
    start = time.perf_counter()
    year = int(year)
    published = published_cells(out_dir, year, site)
    findings = list(published.attrs["findings"])
    cells = survey.years[year].cells
    structure = D.structure_of(cells) if cells is not None else pd.DataFrame(columns=list(D.GROUP_TYPES))
    merged = _merged(survey, year)
    try:
        ranges = attack(out_dir, year, structure, survey.threshold, published=published, merged=merged)
    except ValueError as exc:  # the files contradict each other or the structure
        findings.append(f"no table of counts fits everything published: {exc}")
        ranges = pd.DataFrame(columns=D.RANGE_COLUMNS)
    return _result(year, published, ranges, survey.threshold, protection, findings, start)


def _result(year, published, ranges, threshold, protection, findings, start) -> AuditResult:
    """The audit's verdict from the feasible ranges: too-narrow cells, counts, smallest ranges."""
    widths = np.column_stack([ranges[f"{q}_max"] - ranges[f"{q}_min"] for q in D.QUANTITIES]).astype(float)
    need = required_widths(published, ranges, threshold, protection)
    short = (widths < need - _TOL).any(axis=1) if len(ranges) else np.zeros(0, dtype=bool)
    too_narrow = [
        f"{r.question_id}, {r.group_type}, {r.group}: valid answers {_count(r.n_valid_min)}..{_count(r.n_valid_max)}, "
        f"agreeing {_count(r.n_positive_min)}..{_count(r.n_positive_max)}"
        for r in ranges[short].itertuples()
    ]
    primary = (ranges["status"] == D.PRIMARY).to_numpy()
    merged = (ranges["status"] == D.MERGED).to_numpy()
    hidden = ~primary & ~merged
    breakdown = published["group_type"] != "all"
    labelled = breakdown & (published["status"] == D.PRIMARY)
    attacked = (ranges["group_type"] != "all").to_numpy() & primary

    def smallest(mask) -> float | None:
        protected = widths[mask][need[mask] > 0]
        return float(protected.min()) if protected.size else None

    return AuditResult(
        year=year,
        cells_suppressed=int(primary.sum()),
        cells_hidden=int(hidden.sum()),
        smallest_primary_range=smallest(primary | merged),
        smallest_hidden_range=smallest(hidden),
        ok=not too_narrow and not findings,
        too_narrow=too_narrow,
        inconsistencies=findings,
        protection=protection,
        seconds=round(time.perf_counter() - start, 2),
        ranges=ranges,
        cells_without_answers=int(labelled.sum() - attacked.sum()),
        cells_merged=int(merged.sum()),
        cells_shown=int((breakdown & (published["status"] == D.SHOWN)).sum()),
        cells_published=int(breakdown.sum()),
    )


def audit_tables(survey, year: int, protection: int = D.DEFAULT_PROTECTION) -> AuditResult:
    """The same audit from the tables the book is made of, before any file exists.

    The provenance appendix prints this result; the build's audit stage then attacks the
    published files and refuses to publish unless they give exactly the same numbers.
    """
    start = time.perf_counter()
    year = int(year)
    table = survey.breakdowns(year)
    if table.empty:
        return AuditResult(year, 0, 0, None, None, True, [], [], protection, 0.0, pd.DataFrame(columns=D.RANGE_COLUMNS))
    groups = table.assign(
        status=np.select([table["reason"].str.startswith("fewer"), table["suppressed"]], [D.PRIMARY, D.SECONDARY], D.SHOWN),
        n_valid=table["n_valid"].fillna(0).astype("int64"),
        n_positive=table["n_positive"].fillna(0).astype("int64"),
    )
    figures = survey.figures(year)
    figures = figures[figures["question_id"].isin(groups["question_id"])]
    totals = pd.DataFrame(
        {
            "year": year,
            "question_id": figures["question_id"],
            "group_type": "all",
            "group": ALL_STAFF,
            "n_valid": figures["n_valid"].fillna(0).astype("int64"),
            "n_positive": figures["n_positive"].fillna(0).astype("int64"),
            "status": np.where(figures["suppressed"].astype(bool), D.PRIMARY, D.SHOWN),
        }
    )
    protected = pd.concat([totals, groups[D.PROTECT_COLUMNS]], ignore_index=True)
    published = D.publication(protected)
    cells = survey.years[year].cells
    structure = D.structure_of(cells)
    merged = _merged(survey, year)
    ranges = D.feasible_ranges(published, structure, survey.threshold, merged=merged)
    return _result(year, published, ranges, survey.threshold, protection, [], start)
