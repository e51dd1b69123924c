"""CSV downloads and what the workbooks (:mod:`healthcheck.present.workbook`) share with them:
spreadsheet-safe (no cell can act as a formula) and deterministic
(the same data always gives the same bytes, so the manifest's hashes can be verified).
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck.escape import spreadsheet_cell

FIXED_TIME = datetime(2000, 1, 1)  # the document dates written into every workbook
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
# Excel's forbidden characters, and the control characters an XML file cannot hold at all.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\ufffe\uffff]")
_EDGES = re.compile(r"^[\s']+|[\s']+$")


def safe_value(value):
    """One cell's value, neutralised: text that could be a formula gets a leading apostrophe
    and line breaks become "\n"; numbers stay numbers; dates become ISO text; missing values
    become None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    value = spreadsheet_cell(value)
    # A bare carriage return would end the row for some CSV readers (Python's csv module does
    # not quote it when the line end is "\n"), and XML turns it into a line feed anyway.
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with its headings and every text cell made spreadsheet-safe.

    Numeric and boolean columns are kept as they are, so they are written as numbers; any
    other column (text, mixed, dates, categories) is neutralised cell by cell.
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        out.isetitem(i, column.astype(object).map(safe_value))
    out.columns = [safe_value(str(name)) for name in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path | str, *, excel_bom: bool = False) -> Path:
    """Write `frame` as a spreadsheet-safe CSV: UTF-8, "\\n" line ends, no index, missing
    values empty, the same bytes for the same data. `excel_bom=True` starts the file with a
    byte-order mark, which Excel needs to show non-English letters correctly. The file is
    replaced in one step, so a reader never sees half of it."""
    text = safe_frame(frame).to_csv(index=False, lineterminator="\n", na_rep="")
    data = ("\ufeff" if excel_bom else "").encode("utf-8") + text.encode("utf-8")
    return replace_file(Path(path), data)


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique spreadsheet sheet name for `name` (at most 31 characters, none of []:*?/\\
    nor a control character, no apostrophe first or last);
    `used` holds the lower-cased names taken so far and gains this one."""
    # Excel refuses a name that starts or ends with an apostrophe, also once cut to 31 characters.
    title = _EDGES.sub("", _SHEET_FORBIDDEN.sub("_", str(name))) or "Sheet"
    title = _EDGES.sub("", title[:31])
    candidate, n = title, 1
    while candidate.lower() in used or candidate.lower() == "history":
        n += 1
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def fixed_zip(data: bytes) -> bytes:
    """The workbook's zip rewritten with fixed entry times and a fixed 'modified' date."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*<", rb"\g<1>2000-01-01T00:00:00Z<", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.create_system = 3  # the same bytes whichever system writes the file
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def replace_file(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then move it into place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide a published download from the web server
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
