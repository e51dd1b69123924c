"""The narrative wired to the data: references resolve to the computed figures, problems are
named with file and line, and a final build refuses a draft."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from markdown_it import MarkdownIt

from healthcheck import paths
from healthcheck.data.narrative import files as md
from healthcheck.errors import BuildError
from healthcheck.pipeline.stages import build_book
from healthcheck.present import references
from tests.conftest import run_cli, tree_hashes


@pytest.fixture
def demo(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", folder)
    return folder


def _resolve(survey, text: str) -> str:
    """The reference filled in, as a reader sees it (the Markdown rendered, tags dropped)."""
    filled = md.render(md.parse(text, "t.md"), references.Resolver(survey, 2022))
    return html.unescape(re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(filled))).strip()


def test_an_unknown_reference_is_an_error_with_file_and_line(demo):
    path = demo / "2022" / "narrative" / "themes" / "wellbeing.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAnd {pct}`WEL99` too.\n", encoding="utf-8")
    before = tree_hashes(demo)
    result = run_cli("validate", "--year", "2022", "--data-dir", demo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"narrative/themes/wellbeing.md, line {line}" in result.stderr and "WEL99" in result.stderr
    assert "WEL03, WEL02" in result.stderr  # the closest valid codes are suggested
    assert tree_hashes(demo) == before


def test_a_typed_percentage_that_matches_no_figure_is_a_warning(demo):
    path = demo / "2022" / "narrative" / "summary.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAbout 97% of staff were happy.\n", encoding="utf-8")
    result = run_cli("validate", "--year", "2022", "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stdout and "narrative/summary.md" in result.stdout and "97%" in result.stdout
    assert "nearest" in result.stdout


@pytest.mark.parametrize(
    "construct",
    [
        "```{raw} html\n<b>x</b>\n```",
        "```{include} ../../settings.yml\n```",
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
    ],
)
def test_forbidden_constructs_are_refused_by_validate(demo, construct):
    path = demo / "2022" / "narrative" / "conclusions.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + construct + "\n", encoding="utf-8")
    result = run_cli("validate", "--year", "2022", "--data-dir", demo)
    assert result.returncode == 1 and "narrative/conclusions.md, line" in result.stderr


def test_a_final_build_refuses_a_draft_and_says_what_is_missing(demo, tmp_path):
    (demo / "2022" / "narrative" / "themes" / "edi.md").unlink()
    path = demo / "2022" / "narrative" / "summary.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nTODO: one more finding.\n", encoding="utf-8")
    with pytest.raises(BuildError) as refused:
        build_book(2022, data_dir=demo, build_root=tmp_path / "build", final=True, progress=False)
    message = str(refused.value)
    assert "narrative/themes/edi.md: not written yet" in message and "narrative/summary.md" in message and "TODO" in message
    assert not (tmp_path / "build" / "2022").exists()
