"""Accessible HTML tables and scrolling regions (temporary home, until present/tables.py lands)."""

from __future__ import annotations

import html

import pandas as pd


def html_table(frame: pd.DataFrame, caption: str, row_header: bool = True, css_class: str = "hc-table") -> str:
    """An accessible HTML table: a caption, column headers with scope, the first column as row headers.

    The table sits in a scrolling box of its own (a keyboard-focusable region named by the
    caption), so a wide table scrolls inside the page instead of widening it on a phone. With
    the class ``hc-table-stack`` each row becomes a card on narrow screens: every cell carries
    its column's name for the CSS to show, and explicit table roles keep the table a table for
    screen readers whatever the CSS display.
    """
    stack = "hc-table-stack" in css_class.split()

    def role(name: str) -> str:
        return f' role="{name}"' if stack else ""

    def label(column) -> str:
        return f' data-label="{html.escape(str(column))}"' if stack else ""

    head = "".join(f'<th scope="col"{role("columnheader")}>{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(values):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))
            if i == 0 and row_header:
                cells.append(f'<th scope="row"{role("rowheader")}>{text}</th>')
            else:
                cells.append(f"<td{role('cell')}{label(frame.columns[i])}>{text}</td>")
        rows.append(f"<tr{role('row')}>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="{css_class}"{role("table")}><caption>{html.escape(caption)}</caption>'
        f"<thead{role('rowgroup')}><tr{role('row')}>{head}</tr></thead><tbody{role('rowgroup')}>{''.join(rows)}</tbody></table>"
    )
    return scroll_region(table, caption, "hc-table-wrap")


def scroll_region(inner: str, label: str, css_class: str) -> str:
    """`inner` in a box that scrolls sideways when it is wider than the page (WCAG 1.4.10).

    A box that scrolls must be reachable and scrollable from the keyboard, so it is a named,
    focusable region (the pattern axe-core's scrollable-region-focusable rule asks for).
    """
    return f'<div class="{css_class}" role="region" aria-label="{html.escape(label)}" tabindex="0">{inner}</div>'
