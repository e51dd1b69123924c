"""The batch report: what a national batch built, what was up to date, what failed and why.

`<build>/batch-report.json` for programs and `<build>/batch-report.md` for people. A failure
carries its validation messages exactly as `errors.format_report` prints them for a single
council (file, row, column, what was found and expected), or the build's error message.
Names of organisations and regions are data: in the Markdown the characters that would act
as markup in a line or a table cell are backslash-escaped, and messages sit in fenced blocks.
"""

from __future__ import annotations

import json
import re

JSON_NAME = "batch-report.json"
MD_NAME = "batch-report.md"
_JSON_KEYS = (
    "org_id", "name", "region", "status", "stage", "report", "problems", "html", "pdf", "seconds", "cpu_seconds",
    "peak_rss_mb", "warnings", "respondents", "benchmarks_changed", "traceback", "folder",
)  # fmt: skip


def outcome(record: dict) -> str:
    """One line for the progress output: built (with its cost), up to date, or the failure's first line."""
    status = record.get("status")
    if status == "built":
        return (
            f"built in {record.get('seconds', 0):.1f} s (CPU {record.get('cpu_seconds', 0):.1f} s, "
            f"peak memory {record.get('peak_rss_mb', 0):.0f} MiB)"
        )
    if status == "up to date":
        return "up to date (nothing changed)"
    text = " ".join((record.get("report") or "no message").split())
    return f"FAILED ({record.get('stage', '?')}): {text if len(text) <= 160 else text[:157] + '...'}"


def counts(result) -> dict:
    tally = {"organisations": len(result.organisations), "built": 0, "up to date": 0, "failed": 0}
    for record in result.organisations:
        status = record.get("status")
        tally[status if status in tally else "failed"] += 1
    return tally


def as_json(result, orgs_dir) -> dict:
    def clean(record):
        return {k: record[k] for k in _JSON_KEYS if k in record} if record else None

    return {
        "year": result.year,
        "organisations_dir": str(orgs_dir),
        "build_dir": str(result.build_dir),
        "cluster": result.cluster,
        "seconds": result.seconds,
        "phases": result.phases,
        "load_average": result.load,
        "counts": counts(result),
        "organisations": [clean(r) for r in result.organisations],
        "national": clean(result.national),
    }


def write_reports(result, orgs_dir) -> None:
    """Write both reports into the build folder (replacing the last run's)."""
    data = as_json(result, orgs_dir)
    (result.build_dir / JSON_NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (result.build_dir / MD_NAME).write_text(as_markdown(data), encoding="utf-8")


def _fence(text: str) -> str:
    """`text` in a fenced block whose fence is longer than any run of backticks inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


_MARKUP = re.compile(r"([\\`*_\[\]<>|#!&~{}$])")


def _cell(value) -> str:
    """Text of the data as it reads, inert in a Markdown line or table cell (one line, markup escaped)."""
    return _MARKUP.sub(r"\\\1", " ".join(str("" if value is None else value).split()))


def as_markdown(data: dict) -> str:
    c = data["counts"]
    load = data["load_average"].get("start", [None])[0]
    lines = [
        f"# National batch {data['year']}",
        "",
        f"{c['organisations']} organisations from `{data['organisations_dir']}`, built into `{data['build_dir']}` on "
        f"{data['cluster']} in {data['seconds']:.0f} s (load average {load:.2f} at the start)."
        if load is not None
        else "",
        "",
        f"- built: {c['built']}",
        f"- up to date (nothing changed): {c['up to date']}",
        f"- failed: {c['failed']}",
    ]
    national = data["national"]
    if national:
        lines.append(f"- national summary: {outcome(national)}")
    lines += ["", "## Organisations", "", "| Organisation | Region | Result | Seconds | CPU seconds | Peak memory (MiB) |",
              "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in data["organisations"]:
        result = r["status"] if r["status"] != "failed" else f"failed ({r.get('stage', '?')})"
        cost = [r.get(k, "") for k in ("seconds", "cpu_seconds", "peak_rss_mb")] if r["status"] == "built" else ["", "", ""]
        lines.append(
            f"| {_cell(r['org_id'])} {_cell(r['name'])} | {_cell(r['region'])} | {result} | " + " | ".join(map(str, cost)) + " |"
        )
    failures = [r for r in data["organisations"] + ([national] if national else []) if r["status"] == "failed"]
    if failures:
        lines += ["", "## Failures"]
        for r in failures:
            lines += ["", f"### {_cell(r['org_id'])} {_cell(r.get('name', ''))}: {r.get('stage', '?')}", ""]
            lines.append(_fence(r.get("report") or "no message"))
    return "\n".join(lines) + "\n"


def summary(result) -> str:
    """What the command prints at the end: counts, the failures by name, and where the reports are."""
    c = counts(result)
    lines = [
        f"Batch {result.year}: {c['built']} built, {c['up to date']} up to date, {c['failed']} failed "
        f"of {c['organisations']} organisations, in {result.seconds:.0f} s."
    ]
    if result.national:
        lines.append(f"  National summary: {outcome(result.national)}; {result.national.get('html', '')}")
    for record in result.failed:
        lines.append(f"  FAILED {record['org_id']} ({record.get('stage', '?')}): see the batch report")
    lines.append(f"  Report: {result.report_md} (and {result.report_json.name})")
    return "\n".join(lines)
