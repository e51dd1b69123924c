"""What a built book publishes about each statement's figures, read back from the outputs alone.

The disclosure attack (:mod:`healthcheck.audit.attack`) and the rounding tests read a book as
an outsider would: the CSV downloads, the XLSX and ODS workbooks, the HTML pages (data tables, the
charts embedded in them, their alt text), the SVG downloads and the PDF's text, each read as its
reader sees it (:mod:`healthcheck.audit.formats`: a spreadsheet's protective apostrophe taken off,
HTML and XML escaping undone), so that a group name that looks like a formula or markup is the
same name in every file. Nothing here imports the code that wrote those files
(``healthcheck.present``), so a fault in it cannot hide itself; what a rounded percentage allows
is :func:`~healthcheck.analysis.disclosure.n_positive_interval`.

Every figure read is one *observation* (:data:`OBSERVATION_COLUMNS`): where it was read, which
cell it is about -- (question, group type, group), the all-staff figure being group type
"all" -- what it says (shown, "<10" = primary, "hidden" = secondary), the whole percentage it
shows if any, the valid responses it gives if any, and the interval of agreeing counts it
allows on its own. Tables are recognised by their column headings, wherever they are:

* breakdowns: Code, Statement, Team|Locality|Role, % agreeing, Valid responses, Note;
* answer distributions: Code, Statement, the five answers' percentages to one decimal, Valid
  responses (the all-staff figure);
* changes: Statement, This year ("72% (n=333)" or "Not shown (n<10)"), ...;
* trends: Code, Statement, Year, % agreeing (one decimal), 95% interval, Valid responses, Source.

A one-decimal percentage is read as the closed interval of counts it can come from (a value
exactly half-way could have been rounded either way by floating point), so the attacker built
on these observations never knows more than the files say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from healthcheck.analysis.disclosure import GROUP_TYPES, PRIMARY, SECONDARY, SHOWN, n_positive_interval
from healthcheck.audit.formats import (
    csv_tables,
    pdf_text,
    read_page,
    svg_cell_fills,
    svg_cells,
    svg_from,
    unformula,
    xlsx_tables,
)
from healthcheck.data.codes import ALL_STAFF

__all__ = [
    "OBSERVATION_COLUMNS", "BREAKDOWN_SOURCES", "Outputs", "read_outputs", "read_site",
    "tenths_interval", "svg_cells", "pdf_text",
]  # fmt: skip

OBSERVATION_COLUMNS = [
    "source", "file", "question_id", "group_type", "group", "statement",
    "status", "pct", "n_valid", "n_positive_lo", "n_positive_hi",
]  # fmt: skip
#: Where a breakdown cell is expected to appear in every build (the alt text names only the
#: highest and lowest cells; the PDF carries breakdowns only if their tables are printed).
BREAKDOWN_SOURCES = ("csv", "xlsx", "ods", "html table", "svg", "html chart")
#: The sources that are workbooks (figures stored as numbers, [c] and [x] for empty figures).
WORKBOOK_SOURCES = ("xlsx", "ods")
ANSWERS = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")
_WHOLE = re.compile(r"(\d{1,3})%(\*?)")


@dataclass
class Outputs:
    """Everything read from one book: the observations and what disagreed while reading."""

    observations: pd.DataFrame
    findings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- counts from percentages


def tenths_interval(value: str, n_valid: int) -> tuple[int, int]:
    """The counts out of ``n_valid`` whose percentage, to one decimal, can be ``value`` ("28.8"):
    ``n(2p - 1) <= 2000 k <= n(2p + 1)`` with p in tenths, both ends closed."""
    p, n = int(Decimal(value) * 10), int(n_valid)
    lo, hi = -((-n * (2 * p - 1)) // 2000), (n * (2 * p + 1)) // 2000
    return max(lo, 0), min(hi, n)


def _obs(source, file, qid, group_type, group, status, *, statement="", pct="", n=None, lo=None, hi=None) -> dict:
    return dict(
        source=source, file=file, question_id=qid, group_type=group_type, group=group, statement=statement,
        status=status, pct=pct, n_valid=n, n_positive_lo=lo, n_positive_hi=hi,
    )  # fmt: skip


def _whole(text: str, n: int | None, where: str, findings: list) -> tuple[str, int | None, int | None]:
    """(percentage as shown without a caution mark, agreeing interval) of a "73%" cell."""
    match = _WHOLE.fullmatch(text)
    pct = f"{match.group(1)}%" if match else text
    if not match or n is None:
        return pct, None, None
    try:
        lo, hi = n_positive_interval(int(match.group(1)), n)
    except ValueError:
        findings.append(f"{where}: no count out of {n} gives {pct}")
        return pct, None, None
    return pct, lo, hi


# --------------------------------------------------------------------------- tables, by their headings


def _table(source: str, file: str, header: list[str], rows: list[list[str]], year: int, codes: dict, findings: list) -> list:
    """The observations in one table (CSV, XLSX sheet or HTML), recognised by its headings."""
    header = [h.strip() for h in header]
    rows = [[unformula(str(v).strip()) for v in r] + [""] * (len(header) - len(r)) for r in rows]
    if source in WORKBOOK_SOURCES:
        header, rows = _from_workbook(header, rows)
    out = []
    if len(header) == 6 and header[:2] == ["Code", "Statement"] and header[3:] == ["% agreeing", "Valid responses", "Note"]:
        group_type = header[2].lower()
        if group_type not in GROUP_TYPES:
            return []
        for code, statement, group, pct, n, note in (r[:6] for r in rows):
            where = f"{code}, {group_type}, {group} ({source} {file})"
            if pct:
                n = int(n) if n.isdigit() else None
                pct, lo, hi = _whole(pct, n, where, findings)
                out.append(_obs(source, file, code, group_type, group, SHOWN, statement=statement, pct=pct, n=n, lo=lo, hi=hi))
            else:
                status = PRIMARY if note.startswith("fewer than") else SECONDARY if note.startswith("hidden") else None
                if status is None:
                    findings.append(f"{where}: no percentage and no reason ({note!r})")
                    continue
                out.append(_obs(source, file, code, group_type, group, status, statement=statement))
    elif header[:2] == ["Code", "Statement"] and header[2:] == [f"{a} (%)" for a in ANSWERS] + ["Valid responses"]:
        for code, statement, *values, n in rows:
            if not n.isdigit() or not all(values):
                continue
            n = int(n)
            try:
                counts = [tenths_interval(v, n) for v in values]
            except (InvalidOperation, ValueError):
                findings.append(f"{code} ({source} {file}): unreadable answer percentages {values}")
                continue
            # agreeing = strongly agree + agree = all valid less the other three answers
            lo = max(counts[0][0] + counts[1][0], n - sum(c[1] for c in counts[2:]))
            hi = min(counts[0][1] + counts[1][1], n - sum(c[0] for c in counts[2:]))
            out.append(_obs(source, file, code, "all", ALL_STAFF, SHOWN, statement=statement, n=n, lo=lo, hi=hi))
    elif header[:3] == ["Code", "Statement", "Year"] and {"% agreeing", "Valid responses", "Source"} <= set(header):
        col = {h: i for i, h in enumerate(header)}
        for r in rows:
            n, value = r[col["Valid responses"]], r[col["% agreeing"]]
            if r[col["Year"]] != str(year) or r[col["Source"]] != "survey counts" or not n.isdigit() or not value:
                continue
            lo, hi = tenths_interval(value, int(n))
            out.append(_obs(source, file, r[0], "all", ALL_STAFF, SHOWN, statement=r[1], n=int(n), lo=lo, hi=hi))
    elif header[:2] == ["Statement", "This year"]:
        for statement, this_year, *_ in rows:
            code = codes.get(statement)
            shown = re.fullmatch(r"(\d{1,3}%) \(n=(\d+)\)", this_year)
            if code is None or not (shown or this_year.startswith("Not shown")):
                continue
            if shown:
                n = int(shown.group(2))
                pct, lo, hi = _whole(shown.group(1), n, f"{code} ({source} {file})", findings)
                out.append(_obs(source, file, code, "all", ALL_STAFF, SHOWN, statement=statement, pct=pct, n=n, lo=lo, hi=hi))
            else:
                out.append(_obs(source, file, code, "all", ALL_STAFF, PRIMARY, statement=statement))
    return out


def _from_workbook(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A workbook table in the shape its CSV has, so one reading serves both: the symbols
    [c] and [x] are empty cells, a whole percentage stored as a number in a "% agreeing"
    column of a breakdown is "73%", and the change table's split figures ("This year (%)",
    "This year (valid responses)") are "72% (n=333)" again. Anything else is read as stored."""
    rows = [["" if v in ("[c]", "[x]") else v for v in r] for r in rows]
    if len(header) == 6 and header[:2] == ["Code", "Statement"] and header[3] == "% agreeing":
        rows = [[*r[:3], f"{r[3]}%" if r[3].isdigit() else r[3], *r[4:]] for r in rows]
    if header[:3] == ["Statement", "This year (%)", "This year (valid responses)"]:
        rows = [[r[0], f"{r[1]}% (n={r[2]})" if r[1].isdigit() and r[2].isdigit() else "Not shown", *r[3:]] for r in rows]
        header = [header[0], "This year", *header[3:]]
    return header, rows


def _statement_codes(tables: list) -> dict[str, str]:
    """Statement -> code, from every table that has both (a change table has no code)."""
    pairs = {
        (unformula(str(r[1]).strip()), unformula(str(r[0]).strip()))
        for _, _, header, rows in tables
        if [h.strip() for h in header[:2]] == ["Code", "Statement"]
        for r in rows
        if len(r) >= 2
    }
    codes: dict[str, set] = {}
    for statement, code in pairs:
        codes.setdefault(statement, set()).add(code)
    return {s: next(iter(c)) for s, c in codes.items() if len(c) == 1}


# --------------------------------------------------------------------------- charts and HTML pages


def _chart(source: str, file: str, group_type: str, svg: str, findings: list, alt: str | None = None, cells_named=None) -> list:
    """Observations from one breakdown chart (its cell texts, and its alt text when given), and
    the checks of its title and alt text against its own cells."""
    cells, others = svg_cells(svg)
    findings += _finer_colours(source, file, group_type, svg, cells)
    out, shown = [], []
    for qid, group, text in cells:
        where = f"{qid}, {group_type}, {group} ({source} {file})"
        if text.startswith("<"):
            out.append(_obs(source, file, qid, group_type, group, PRIMARY))
        elif text == "hidden":
            out.append(_obs(source, file, qid, group_type, group, SECONDARY))
        elif _WHOLE.fullmatch(text):
            pct = _whole(text, None, where, findings)[0]
            out.append(_obs(source, file, qid, group_type, group, SHOWN, pct=pct))
            shown.append(int(pct[:-1]))
        else:
            findings.append(f"{where}: unreadable cell text {text!r}")
    if not cells:
        findings.append(f"{source} {file}: no cell texts found in the chart")
    title = next((re.search(r"ranges from (\d+)% to (\d+)%", t) for t in others if "ranges from" in t), None)
    if title and shown and (int(title.group(1)), int(title.group(2))) != (min(shown), max(shown)):
        findings.append(
            f"{source} {file}: the title says {title.group(0)} but the cells range from {min(shown)}% to {max(shown)}%"
        )
    if alt is not None:
        out += _alt_text(file, group_type, alt, out, cells_named or {}, findings)
    return out


def _finer_colours(source: str, file: str, group_type: str, svg: str, cells: list) -> list[str]:
    """A heat map's colour must say no more than the figure printed on it: cells printing the
    same whole percentage must have the same colour, or a colour pins a finer share than the
    table prints (read without the code that drew it: only the files are trusted)."""
    fills, by_figure = svg_cell_fills(svg), {}
    for qid, group, text in cells:
        match = _WHOLE.fullmatch(text)
        if match and (qid, group) in fills:
            by_figure.setdefault(match.group(1), {}).setdefault(fills[(qid, group)], []).append(f"{qid} {group}")
    return [
        f"{source} {file} ({group_type}): cells printed {figure}% are drawn in {len(colours)} colours "
        f"({'; '.join(', '.join(v) for v in colours.values())}): a colour says more than the printed figure"
        for figure, colours in sorted(by_figure.items())
        if len(colours) > 1
    ]


def _alt_text(file, group_type, alt, chart, named: dict, findings) -> list:
    """The cells the alt text names ("Highest: <statement>, <group> 82%; lowest: ...") and its
    counts of "<10" and hidden cells, checked against the chart."""
    out = []
    match = re.search(r"Highest: (.*) (\d{1,3}%); lowest: (.*) (\d{1,3}%)\.", alt)
    for part, pct in ((match.group(1), match.group(2)), (match.group(3), match.group(4))) if match else ():
        if part not in named:
            findings.append(f"alt text of {file}: names an unknown cell {part!r}")
            continue
        qid, group = named[part]
        found = _obs("alt text", file, qid, group_type, group, SHOWN, pct=pct)
        if found not in out:  # the highest and lowest cell are one when only one is shown
            out.append(found)
    for pattern, status, label in (
        (r"(\d+) cells? not shown because fewer than", PRIMARY, "<10"),
        (r"(\d+) cells? hidden so that", SECONDARY, "hidden"),
    ):
        said = re.search(pattern, alt)
        said, actual = int(said.group(1)) if said else 0, sum(o["status"] == status for o in chart)
        if said != actual:
            findings.append(f"alt text of {file}: counts {said} {label} cells; the chart has {actual}")
    return out


def _html_observations(html_dir: Path, root: Path, findings: list) -> tuple[list, list]:
    """(tables, chart observations) of every HTML page."""
    tables, charts = [], []
    for path in sorted(html_dir.rglob("*.html")):
        page = read_page(path)
        file = str(path.relative_to(root))
        for table in page.tables:
            if len(table["rows"]) > 0:
                figure = table["figure"]
                where = f"{file}#{figure['id']}" if figure else file
                tables.append(("html table", where, table["rows"][0], table["rows"][1:]))
                table["where"] = where
        for table in page.tables:
            figure = table["figure"]
            kind = re.search(r"-by-(team|locality|role)$", figure["id"]) if figure and "where" in table else None
            if not kind:
                continue
            # the cells this chart's data table lists, by "<statement>, <group>" as the alt text names them
            named = {f"{r[1]}, {r[2]}": (r[0], r[2]) for r in table["rows"][1:] if len(r) >= 3}
            # every drawing of the chart: the image and a <picture>'s narrow version for phones
            for src in [figure["src"] or "", *figure.get("sources", [])]:
                svg = svg_from(src)
                if svg is not None:
                    charts += _chart("html chart", table["where"], kind.group(1), svg, findings, figure["alt"], named)
    return tables, charts


# --------------------------------------------------------------------------- PDF


_PDF_ROW = re.compile(r" (?:(\d{1,3}%)\*? (\d+)\b|(fewer than \d+)|(hidden so that))")


def _pdf_observations(pdf: Path, root: Path, known: pd.DataFrame) -> list:
    """Breakdown rows printed in the PDF ("CPD01 <statement> <group> 73% 56"), looked for
    for every breakdown cell the other sources name."""
    text, file, out = pdf_text(pdf), str(pdf.relative_to(root)), {}
    cells = known.loc[known["group_type"] != "all", ["question_id", "group_type", "group", "statement"]]
    for qid, group_type, group, statement in cells.drop_duplicates().itertuples(index=False):
        head = " ".join(unicodedata.normalize("NFKC", f"{qid} {statement} {group}").split())
        at = text.find(head)
        while at >= 0:
            m = _PDF_ROW.match(text, at + len(head))
            at = text.find(head, at + len(head))
            if m is None:
                continue
            if m.group(1):
                n = int(m.group(2))
                pct, lo, hi = _whole(m.group(1), n, f"{qid}, {group_type}, {group} (pdf)", [])
                found = _obs("pdf", file, qid, group_type, group, SHOWN, statement=statement, pct=pct, n=n, lo=lo, hi=hi)
            else:
                found = _obs("pdf", file, qid, group_type, group, PRIMARY if m.group(3) else SECONDARY, statement=statement)
            out[tuple(found.values())] = found  # the text is read twice (layout and reading order)
    return list(out.values())


# --------------------------------------------------------------------------- everything


def read_outputs(out_dir: Path | str, year: int, site: Outputs | None = None) -> Outputs:
    """Every observation of the book in ``out_dir`` (``html/`` and ``pdf/``) about ``year``'s
    breakdown cells and all-staff figures, and the findings made while reading.

    ``site``: :func:`read_site`'s reading of the same book, when it was done already (a build
    reads the website while the PDF is printed); then only the PDF is read here."""
    root = Path(out_dir)
    site = read_site(root, year) if site is None else site
    rows, findings = site.observations.to_dict("records"), list(site.findings)
    known = site.observations[site.observations["statement"] != ""]
    for pdf in sorted((root / "pdf").glob("*.pdf")):
        rows += _pdf_observations(pdf, root, known)
    return Outputs(_observation_frame(rows), findings)


def read_site(out_dir: Path | str, year: int) -> Outputs:
    """What :func:`read_outputs` reads from the website alone (``html/``, its downloads
    included): everything but the PDF."""
    root = Path(out_dir)
    downloads, findings, rows = root / "html" / "downloads", [], []
    tables = csv_tables(downloads, int(year), root) + xlsx_tables(downloads, int(year), root)
    html_tables, charts = _html_observations(root / "html", root, findings)
    tables += html_tables
    codes = _statement_codes(tables)
    for source, file, header, body in tables:
        rows += _table(source, file, header, body, int(year), codes, findings)
    for path in sorted(downloads.glob(f"{year}-*-by-*.svg")):
        kind = re.search(r"-by-(team|locality|role)(?:-narrow)?\.svg$", path.name)
        if kind:
            rows += _chart("svg", str(path.relative_to(root)), kind.group(1), path.read_text(encoding="utf-8"), findings)
    rows += charts
    return Outputs(_observation_frame(rows), findings)


def _observation_frame(rows: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    for col in ("n_valid", "n_positive_lo", "n_positive_hi"):
        frame[col] = frame[col].astype("Int64")
    return frame
