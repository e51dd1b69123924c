"""The workforce indicators (each year's indicators.csv) across every year held, each figure
with its source, and the same as a download."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display

from healthcheck.escape import html_text
from healthcheck.present.tables import html_table


def indicator_history(ch) -> pd.DataFrame:
    """Every indicator of every year up to the chapter's: code, label, year, value, unit, source.

    The label is the latest year's (an indicator keeps its code when its wording is tidied);
    rows are in the order the latest year lists its indicators, then indicators that only
    earlier years had, each by year.
    """
    from healthcheck.data.inputs import read_indicators

    frames = []
    for year in [y for y in ch.survey.year_list if y <= ch.year]:
        frame = read_indicators(ch.year_file(year, "indicators.csv"))
        if not frame.empty:
            frames.append(frame.assign(year=year)[["code", "label", "year", "value", "unit", "source"]])
    if not frames:
        return pd.DataFrame(columns=["code", "label", "year", "value", "unit", "source"])
    long = pd.concat(frames, ignore_index=True)
    latest = long.drop_duplicates("code", keep="last").set_index("code")["label"]
    newest = long[long["year"] == long["year"].max()]["code"].tolist()
    order = {code: i for i, code in enumerate(dict.fromkeys(newest + long["code"].tolist()))}
    long = long.assign(label=long["code"].map(latest), _order=long["code"].map(order))
    return long.sort_values(["_order", "year"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _shown(value: str, unit: str) -> str:
    unit = unit.strip()
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}".strip()


def change_in_words(values: dict[int, str], unit: str, year: int, before: int | None) -> str:
    """An indicator's change since `before` in words: 'up 2 points', 'down 1 point', 'no change'."""
    if year not in values:
        return "not recorded this year"
    if before is None or before not in values or not str(values[before]).strip():
        return "not recorded last year"
    diff = float(values[year]) - float(values[before])
    size = round(abs(diff), 6)  # 0.30000000000000004 is 0.3 to a reader
    # a percentage moves in points, one point singular ("down 1 point", never "down 1 points")
    step = ("point" if size == 1 else "points") if unit.strip() == "%" else unit.strip()
    return "no change" if diff == 0 else f"{'up' if diff > 0 else 'down'} {size:g} {step}".strip()


def _sources(rows: pd.DataFrame, numbers: dict[str, int]) -> str:
    """Which numbered source gave each year's figure ("2020: [1]; 2021 and 2022: [2]"); each
    source's own words are listed once under the table (`numbers`: source -> its number, filled
    in as sources are met), since several indicators share one source."""
    by_source: dict[str, list[str]] = {}
    for r in rows.itertuples(index=False):
        by_source.setdefault(r.source.strip() or "source not recorded", []).append(str(r.year))
    parts = []
    for source, years in by_source.items():
        number = numbers.setdefault(source, len(numbers) + 1)
        when = years[0] if len(years) == 1 else f"{', '.join(years[:-1])} and {years[-1]}"
        parts.append(f"[{number}]" if len(by_source) == 1 else f"{when}: [{number}]")
    return "; ".join(parts)


def context_indicators(ch) -> None:
    """The workforce indicators in every year held up to this one, with the change since last
    year and the source of each figure; the figures as a CSV download (and so in the workbooks)."""
    history = indicator_history(ch)
    if history.empty:
        display(HTML(f"<p>No context indicators are recorded for {ch.year} or earlier years.</p>"))
        return
    years = sorted(set(history["year"]))
    rows = []
    numbers: dict[str, int] = {}
    for _, rows_of in history.groupby("code", sort=False):
        values = dict(zip(rows_of["year"], rows_of["value"], strict=True))
        unit = rows_of["unit"].iloc[-1]
        row = {"Indicator": rows_of["label"].iloc[0]}
        row.update({str(y): _shown(values[y], unit) if y in values else "not recorded" for y in years})
        row["Change since last year"] = change_in_words(values, unit, ch.year, ch.prev_year)
        row["Source"] = _sources(rows_of, numbers)
        rows.append(row)
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    display(
        HTML(
            "<p>The table sets the survey beside figures about the workforce and the service in each year held, "
            "with where each figure comes from.</p>"
        )
    )
    display(HTML(html_table(pd.DataFrame(rows), f"Context indicators, {span}", css_class="hc-table hc-table-stack")))
    notes = "".join(f"<li>[{n}] {html_text(source)}</li>" for source, n in numbers.items())
    display(HTML(f'<p>Sources of the indicators:</p><ul class="hc-sources">{notes}</ul>'))
    if ch.downloads:
        data = history.rename(
            columns={"code": "Code", "label": "Indicator", "year": "Year", "value": "Value", "unit": "Unit", "source": "Source"}
        )
        display(HTML(ch.download_csv(data, "indicators", "Download the indicators in every year (CSV)")))
