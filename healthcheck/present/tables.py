"""Accessible HTML tables, and the keyboard-scrollable box a wide table or chart sits in.

Every table has a caption, column headers with ``scope="col"`` and (by default) its first
column as row headers with ``scope="row"``; every cell, header, caption and label is escaped,
so text from the data folder always shows as the text it is.

Why the stacked tables carry no ARIA roles (issue #15)
-------------------------------------------------------
A table with the class ``hc-table-stack`` becomes one card per row on a phone
(book/_static/custom.css). Browsers used to build a table's accessibility from its CSS
layout, so changing the ``display`` of its parts could turn it into plain text for screen
readers. The first version of this code added explicit roles (``row``, ``cell``,
``columnheader``, ...) to every element as insurance. That markup is not valid:
ARIA in HTML allows no ``role`` on ``tr``, ``th`` or ``td`` while their table is exposed as a
table (with no role, or with ``role="table"``, ``grid`` or ``treegrid``), because such a
role replaces the native mapping. The W3C checker reported 489 errors for these roles on the
2022 book. The only valid way to keep the roles would be to build the table from ``div``
elements with ARIA roles instead, and so lose ``scope``, the caption, a table layout that needs
no CSS, and the printed table in the PDF.

What screen readers do with CSS alone:

* Chromium (Chrome and Edge, so NVDA, JAWS and Narrator with them, and TalkBack with Chrome on
  Android) has kept a table a table whatever the ``display`` of its parts since 2020; so does
  Firefox. (Checked for these tables: Chromium 156's accessibility tree at phone width has
  each one as a table with its rows, column headers, row headers and cells.)
* Safari (so VoiceOver, the screen reader of every iPhone) built its table from the layout
  until recently. With ``display: block`` (or flex or grid) on the ``tr``, VoiceOver skipped the
  table or read it as empty. With ``display: block`` on the cells only, it still reads every cell
  in order, with its row, but can give a wrong column count and announce header cells oddly
  (WebKit bug 257458; mdn/browser-compat-data#19994). The U.S. Web Design System met the first
  failure in its stacked table and fixed it by leaving the rows alone and stacking the cells
  only (uswds/uswds#5434, #5477). WebKit now builds tables from the DOM (2024-2026), but
  phones keep older Safari versions for years.

So the tables are stacked by CSS alone, with the least change of ``display``: the table, its
row groups and its rows keep their table display; only the cells become blocks (the browser
wraps each row's cells in one anonymous cell, so they stack). The header row stays in the
markup, hidden from view only, so each cell keeps its column header for screen readers; the
column name shown above each cell on a phone is CSS generated content (from ``data-label``)
with empty alternative text, so screen readers do not hear it twice. What is given up: on an
old Safari, VoiceOver may miscount the columns of a stacked table or name a header oddly (the
explicit roles were the workaround for that), though it reads every cell, in order; in return
the markup is valid.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.escape import html_attr, html_text

__all__ = ["html_table", "scroll_region", "STACK_CLASS"]

#: The class that stacks a table's rows as cards on narrow screens (book/_static/custom.css).
STACK_CLASS = "hc-table-stack"


def html_table(frame: pd.DataFrame, caption: str, row_header: bool = True, css_class: str = "hc-table") -> str:
    """An accessible HTML table: a caption, column headers with scope, the first column as row headers.

    The table sits in a scrolling box of its own (a keyboard-focusable region named by the
    caption), so a wide table scrolls inside the page instead of widening it on a phone. With
    the class ``hc-table-stack`` in `css_class` each row becomes a card on narrow screens and
    every data cell carries its column's name in ``data-label`` for the CSS to show. No element
    gets an ARIA role: the native table semantics are the ones screen readers use (see the
    module docstring for why).
    """
    stack = STACK_CLASS in css_class.split()
    columns = [_text(c) for c in frame.columns]
    head = "".join(f'<th scope="col">{name}</th>' for name in columns)
    rows = "".join(_row(values, columns, row_header, stack) for values in frame.itertuples(index=False))
    table = (
        f'<table class="{html_attr(css_class)}"><caption>{html_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    return scroll_region(table, caption, "hc-table-wrap")


def scroll_region(inner: str, label: str, css_class: str) -> str:
    """`inner` (HTML, placed as it is) in a box that scrolls sideways when it is wider than the page (WCAG 1.4.10).

    A box that scrolls must be reachable and scrollable from the keyboard, so it is a named,
    focusable region (the pattern axe-core's scrollable-region-focusable rule asks for).
    """
    return f'<div class="{html_attr(css_class)}" role="region" aria-label="{html_attr(label)}" tabindex="0">{inner}</div>'


def _row(values, columns: list[str], row_header: bool, stack: bool) -> str:
    """One body row: the first cell a row header (when `row_header`), the others data cells."""
    cells = []
    for i, value in enumerate(values):
        text = _text(value)
        if i == 0 and row_header:
            cells.append(f'<th scope="row">{text}</th>')
        elif stack:
            # columns[i] is already escaped (with quotes), so it is safe inside the attribute
            cells.append(f'<td data-label="{columns[i]}">{text}</td>')
        else:
            cells.append(f"<td>{text}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


def _text(value) -> str:
    """A cell's value as escaped HTML text; None, NaN, NA and NaT are an empty cell."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return html_text(str(value))
