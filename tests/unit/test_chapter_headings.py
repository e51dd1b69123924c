"""The chapters' own headings name no one council's report: another council's report is called
something else ("Staff Voice Check"), so a heading written into a notebook stays generic and the
report's title comes from the data."""

from __future__ import annotations

import json
import re

from healthcheck import paths


def test_no_notebook_heading_names_the_health_check():
    found = []
    for notebook in sorted((paths.ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            for line in "".join(cell["source"]).splitlines():
                if re.match(r"#+ ", line) and re.search(r"health ?check", line, re.IGNORECASE):
                    found.append(f"{notebook.name}: {line}")
    assert found == []
