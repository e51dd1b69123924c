"""`validate`, `build` and the preview report the same problems for the same data.

All three call `pipeline.checks.check_year`. Each case breaks a copy of the small council
(tests/hostile_council.py) one way, runs `healthcheck validate` and `healthcheck build` (the
command line, in this process) and the preview's rebuild, and compares the ERROR and WARNING
lines each prints: they must be the same lines, and the build must refuse exactly when
validate fails. One folder with warnings only is built for real (toy chapters), and the
build's warnings must be validate's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from healthcheck import cli
from healthcheck.pipeline import checks, preview, stages
from tests.support.hostile_cases import EXPORT, column, drop_wb02, edit_rows, replace, rows_of, write_rows
from tests.support.hostile_council import write_council

TOY = Path(__file__).parents[1] / "support" / "fixtures" / "chapters_ok"
YEAR = "2022"


def _published_90(folder: Path) -> None:
    """published.csv gives WB01 as 90%, far from what the export gives (about 69%)."""
    replace("2022/published.csv", "WB01,55,", "WB01,90,")(folder)


def _fail_on_difference(folder: Path) -> None:
    _published_90(folder)
    replace("settings.yml", "reconciliation: warn", "reconciliation: fail")(folder)


def _unknown_figure(folder: Path) -> None:
    narrative = folder / YEAR / "narrative"
    narrative.mkdir()
    (narrative / "summary.md").write_text("## Findings\n\nStaff said {pct}`ZZ99` agreed.\n", encoding="utf-8")


def _small_role_quoted(folder: Path) -> None:
    """Three respondents of a role of their own, and a quote attributed to that role."""
    rows = rows_of(folder, EXPORT)
    role = column(rows, "Role")
    for row in rows[1:4]:
        row[role] = "Principal social worker"
    write_rows(folder, EXPORT, rows)
    with open(folder / YEAR / "quotes.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write("practice,We are stretched.,Principal social worker,yes,focus group\r\n")


def _draft_with_todo(folder: Path) -> None:
    narrative = folder / YEAR / "narrative"
    narrative.mkdir()
    (narrative / "summary.md").write_text("## Findings\n\nSupervision is valued.\n\nTODO: one more finding.\n")


# id -> (how the data are broken, extra options of validate and build, what the output must say)
BROKEN = {
    "reconciliation-fail": (_fail_on_difference, [], "WB01 (Manageable workload): computed"),
    "unknown-figure": (_unknown_figure, [], "ZZ99"),
    "missing-column": (edit_rows(EXPORT, drop_wb02), [], "mapped to WB02"),
    "final-draft": (_draft_with_todo, ["--final"], "a TODO marker"),
}


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    return write_council(tmp_path_factory.mktemp("council") / "data")


def _lines(output: str) -> list[str]:
    """The problems a command printed, one line each (a summary line stands for its rows)."""
    return sorted(line for line in output.splitlines() if line.startswith(("ERROR ", "WARNING ")))


def _validate(data: Path, capsys, *options) -> tuple[int, list[str]]:
    status = cli.main(["validate", "--year", YEAR, "--data-dir", str(data), *options])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return status, _lines(out.out + out.err)


@pytest.mark.parametrize("case", list(BROKEN))
def test_validate_build_and_preview_report_the_same_problems(case, council, tmp_path, capsys):
    mutate, options, says = BROKEN[case]
    data = shutil.copytree(council, tmp_path / "data")
    mutate(data)

    status, validated = _validate(data, capsys, *options)
    assert status == 1 and any(says in line for line in validated), validated
    assert any(line.startswith("ERROR ") for line in validated)

    # --jobs 0: no chapter workers start; the build stops at its validate stage anyway.
    argv = ["build", "--year", YEAR, "--data-dir", str(data), "--build-dir", str(tmp_path / "build"), "--jobs", "0"]
    built = cli.main([*argv, *options])
    out = capsys.readouterr()
    assert built == 1 and "Traceback" not in out.err
    assert _lines(out.out + out.err) == validated
    assert not (tmp_path / "build" / YEAR).exists()

    if "--final" in options:
        # The preview builds drafts: it reports what validate reports without --final, and goes on.
        # (Its rebuild would run every chapter: here its check, the stage it calls, is compared.)
        status, draft = _validate(data, capsys, "--all")
        assert status == 0 and all(line.startswith("WARNING ") for line in draft)
        assert any("a TODO marker" in line for line in draft)
        _, warnings = stages.validate(data, int(YEAR), final=False)
        assert sorted(warnings) == draft
        return
    said: list[str] = []
    book = preview.Preview(int(YEAR), data_dir=data, build_root=tmp_path / "preview")
    book.build(log=said.append)
    assert _lines(book.error) == validated and _lines("\n".join(said)) == validated
    assert not (book.html_dir / "index.html").exists()


def test_a_year_with_warnings_only_builds_with_validates_warnings(council, tmp_path, capsys):
    """A published figure the data do not reproduce (reconciliation: warn) and a quote naming a
    group of three: validate passes with warnings, and the build goes on with the same ones."""
    data = shutil.copytree(council, tmp_path / "data")
    _published_90(data)
    _small_role_quoted(data)

    status, validated = _validate(data, capsys, "--all")
    assert status == 0 and validated and all(line.startswith("WARNING ") for line in validated)
    assert any("WB01 (Manageable workload): computed" in line for line in validated)
    assert any("'speaker': found 'Principal social worker'" in line for line in validated)

    # What the preview's rebuild calls, and what it prints.
    _, warnings = stages.validate(data, int(YEAR), final=False)
    assert sorted(warnings) == validated

    result = stages.build_book(int(YEAR), data_dir=data, build_root=tmp_path / "build", chapters_dir=TOY,
                               toc_path=TOY / "_toc.yml", jobs=1, force=True, progress=False)  # fmt: skip
    assert sorted(result.warnings[: len(validated)]) == validated
    assert result.html_index.is_file()


def test_reconciliation_fail_refuses_in_validate_as_in_build(council, tmp_path, capsys):
    """The bug this entry point fixed: validate passed what the build refused."""
    data = shutil.copytree(council, tmp_path / "data")
    _published_90(data)
    status, warned = _validate(data, capsys)
    assert status == 0 and any("WB01" in line for line in warned)
    replace("settings.yml", "reconciliation: warn", "reconciliation: fail")(data)
    status, refused = _validate(data, capsys)
    assert status == 1 and [line for line in refused if "WB01" in line][0].startswith("ERROR ")
    checked = checks.check_year(data, int(YEAR))
    assert not checked.ok and checked.survey is None
    with pytest.raises(checks.ChecksFailed, match=r"WB01.*90% was published.*reconciliation: warn"):
        checked.refuse()
