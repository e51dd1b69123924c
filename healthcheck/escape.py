"""Escaping for where text lands: HTML, MyST Markdown, matplotlib labels and spreadsheet cells.

Every string that came from an input file (team names, quotes, speakers, words, narrative
values) goes through one of these before it is placed in an output, so that it shows as the
text it is and never acts as markup, mathematics or a formula.
"""

from __future__ import annotations

import html
import math
import numbers
import re

import numpy as np
import pandas as pd

__all__ = ["html_text", "html_attr", "myst_text", "mpl_text", "spreadsheet_cell"]


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def html_text(value: object) -> str:
    """Text for HTML, as an element's content or a quoted attribute value: &, <, >, " and '
    escaped (None and NaN give "").

    Quotes are escaped in content too, where they would not need it: so one function is safe
    wherever a string lands in a page, and the pages keep the bytes they have always had
    (they were escaped this way, by ``html.escape``, before this module was the one way).
    """
    return html.escape(_as_text(value), quote=True)


def html_attr(value: object) -> str:
    """Text for a quoted HTML attribute value: &, <, >, " and ' escaped (as html_text)."""
    return html_text(value)


# CommonMark lets a backslash escape any ASCII punctuation character; escaping all of them is
# simpler and safer than knowing which ones MyST's extensions (roles, math, substitutions,
# colon fences, comments, tables, footnotes, attributes, ...) give a meaning to.
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\u2028\u2029\x85\x0b\x0c]")


def myst_text(value: object, *, newlines: str = "space") -> str:
    """Text that renders literally when placed inside MyST Markdown (a paragraph, list item
    or table cell).

    Every ASCII punctuation character is backslash-escaped, which defuses headings (#),
    block quotes (>), list markers (-, +, *, 1.), roles ({role}`x`), math ($x$), comment
    lines (%), HTML (<b>), entities (&amp;), links, emphasis, code, substitutions ({{ x }})
    and tables (|). Each line's leading and trailing white space is dropped (four leading
    spaces would start a code block) and tabs become spaces. Line breaks in the value:
    `newlines="space"` (the default) joins the lines with a space, so the text stays inside
    the paragraph or table cell it was put in; `newlines="break"` keeps each line as a hard
    line break within one paragraph. Empty lines are dropped either way, because an empty
    line would end the paragraph.
    """
    if newlines not in ("space", "break"):
        raise ValueError(f"newlines must be 'space' or 'break', not {newlines!r}")
    text = _as_text(value).replace("\t", " ").replace("\x00", "\ufffd")
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    lines = [line.strip(" ") for line in _LINE_BREAKS.split(text)]
    lines = [line for line in lines if line]
    return (" " if newlines == "space" else "\\\n").join(lines)


def mpl_text(value: object) -> str:
    """Text that matplotlib draws literally (in SVG and any other format).

    matplotlib reads a string with a pair of unescaped dollar signs as mathtext ("$x^2$" is
    drawn as a formula, and a stray pair of prices "$5 ... $10" as italics); every "$" is
    escaped as "\\$", which matplotlib draws as a plain dollar sign. A leading underscore is
    protected with a zero-width space, because legend() silently leaves out any label that
    starts with "_". The house style keeps `text.usetex` off; with LaTeX on, no escaping of
    this kind would be enough.

    The house style turns mathtext off (`text.parse_math` False), and then matplotlib draws a
    backslash as it is: "$" is escaped only while mathtext is on, as the rcParams say at the
    call (labels are made where they are drawn), so the text is literal under either setting.
    """
    import matplotlib  # here, not at the top: escaping HTML or CSV must not import matplotlib

    text = _as_text(value)
    if matplotlib.rcParams.get("text.parse_math", True):
        text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


# OWASP's CSV-injection advice: a cell whose first character is one of these is read as a
# formula by Excel, LibreOffice Calc or Google Sheets. Full-width forms are included because
# some spreadsheet locales fold them to the ASCII ones.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: object) -> object:
    """A value that cannot act as a formula when the file is opened in a spreadsheet.

    Numbers (int, float, numpy numbers) and booleans are returned unchanged, so they stay
    numbers; None and NaN are returned unchanged (an empty cell). Text whose first character,
    or first character after leading spaces, is =, +, -, @, a tab, a carriage return or a
    line feed gets a leading apostrophe ("'=HYPERLINK(...)"), which spreadsheets show as
    text and never evaluate. Text that is just a signed number ("-2", "+1.5") is left as it
    is: a spreadsheet reads it as that number, which does no harm. Other values (dates, ...)
    are turned into their text first.
    """
    if value is None or value is pd.NA or value is pd.NaT or isinstance(value, (bool, np.bool_, numbers.Number)):
        return value
    text = value if isinstance(value, str) else str(value)
    stripped = text.lstrip(" ")
    if stripped.startswith(_FORMULA_START) or text.startswith(_FORMULA_START):
        if not _PLAIN_NUMBER.fullmatch(stripped):
            return "'" + text
    return text
