"""The analyst at the command line, for the tests that start a council from an empty folder.

`Analyst` runs each documented command as `python -m healthcheck ... --data-dir <work>/data`
from the council's own folder, as docs/analyst-guide.md tells the analyst to, and stops the test
at the first command that fails or prints a traceback (saying which command and what it said).
`bank_text` writes the question bank the guide asks the analyst to fill in; the councils in
second_council.py and survey_tool_exports.py both write theirs with it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from tests.conftest import run_cli


class Analyst:
    """A council's folder (`work`, with its data folder `work/data`) and the commands run there."""

    def __init__(self, work: Path):
        self.work = Path(work)
        self.data = self.work / "data"
        self.steps: list[tuple[tuple, subprocess.CompletedProcess]] = []

    def run(self, *args) -> subprocess.CompletedProcess:
        """`healthcheck ARGS --data-dir data`, which must succeed and print no traceback."""
        result = run_cli(*args, "--data-dir", self.data, cwd=self.work)
        self.steps.append((args, result))
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result

    def confirm_team(self, year: int, heading: str) -> None:
        """What the guide asks after an import: confirm the team column the import proposed."""
        survey = self.data / str(year) / "survey.yml"
        text = survey.read_text(encoding="utf-8")
        text = text.replace(f'  # PLEASE CONFIRM columns.team: perhaps "{heading}"', f"  team: {heading}")
        survey.write_text(text, encoding="utf-8")


def bank_text(
    themes: dict[str, tuple[str, str | None]],
    statements: dict[str, tuple[str, str, str]],
    years_of: Callable[[str], Iterable[int]],
) -> str:
    """question_bank.yml as the analyst writes it: each theme (title, and intro when given), and
    each statement (code -> theme, short label, wording) with its wording in `years_of(code)`."""
    lines = ["themes:"]
    for code, (title, intro) in themes.items():
        lines += [f"  {code}:", f"    title: {json.dumps(title, ensure_ascii=False)}"]
        lines += [f"    intro: {json.dumps(intro, ensure_ascii=False)}"] if intro else []
    lines.append("questions:")
    for code, (theme, short, wording) in statements.items():
        lines += [f"  {code}:", f"    theme: {theme}", f"    short: {json.dumps(short, ensure_ascii=False)}", "    wording:"]
        lines += [f"      {y}: {json.dumps(wording, ensure_ascii=False)}" for y in years_of(code)]
    return "\n".join(lines) + "\n"
