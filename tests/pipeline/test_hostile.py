"""Hostile and broken input: every mistake a clear message, nothing half-read, nothing changed.

Each case of tests/support/hostile_cases.py is one small change to a copy of a small council
(tests/support/hostile_council.py). For each, the commands run in-process, as `python -m healthcheck`
would run them, and the test asserts: the exit status; that no exception escapes and no
traceback is printed; that the message names what to fix; that no input file changed; and
that the last good build (built once, below) is byte for byte as it was. A handful run as
real subprocesses, and one build is killed with SIGKILL to show nothing of it survives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from healthcheck import cli, paths
from tests.conftest import tree_hashes
from tests.support.hostile_cases import CASES, EXPORT, drop_wb02, edit_rows, error_lines, numeric_codes
from tests.support.hostile_council import write_council

TOY = Path(__file__).parents[1] / "support" / "fixtures" / "chapters_ok"


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    """The good council, written once; each case works on its own copy."""
    return write_council(tmp_path_factory.mktemp("council") / "data")


@pytest.fixture(scope="module")
def good_build(tmp_path_factory, council):
    """The last good build: the toy chapters over the good council, built once.
    (build_root, hashes of build_root/2022)."""
    from healthcheck.pipeline.stages import build_book

    root = tmp_path_factory.mktemp("build")
    build_book(2022, data_dir=council, build_root=root, chapters_dir=TOY, toc_path=TOY / "_toc.yml", jobs=2, force=True,
               progress=False)  # fmt: skip
    return root, tree_hashes(root / "2022")


def _argv(command: str, case, data: Path, build_root: Path) -> list[str]:
    argv = [command, *(a.format(data=data) for a in case.argv.get(command, [])), "--data-dir", str(data)]
    if command == "build":
        argv += ["--build-dir", str(build_root)]
    if command in ("figures", "build", "validate") and "--year" not in argv:
        argv += ["--year", "2022"]
    return argv


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case, council, good_build, tmp_path, capsys, monkeypatch, request):
    build_root, good_hashes = good_build
    data = shutil.copytree(council, tmp_path / "data", symlinks=True)
    case.mutate(data)
    before = tree_hashes(data) if data.exists() else {}
    ctx = types.SimpleNamespace(monkeypatch=monkeypatch, data=data, tmp=tmp_path, build_root=build_root,
                                finalizer=request.addfinalizer)  # fmt: skip
    if case.patch:
        case.patch(ctx)
    outputs = []
    for command in case.commands:
        started = time.monotonic()
        status = cli.main(_argv(command, case, data, ctx.build_root))  # an exception escaping fails the test
        seconds = time.monotonic() - started
        captured = capsys.readouterr()
        output = captured.out + captured.err
        outputs.append(output)
        assert status == case.exit, f"{command}: exit {status}, expected {case.exit}\n{output}"
        assert "Traceback" not in output and "internal error" not in output, output
        for words in case.says:
            assert words in output, f"{command}: {words!r} not in the message:\n{output}"
        for words in case.never:
            assert words not in output, f"{command}: {words!r} should not be shown:\n{output}"
        assert seconds < 20, f"{command} took {seconds:.1f} s"
    monkeypatch.undo()  # the checks below read files normally
    if case.check:
        case.check(data, outputs[0])
    assert (tree_hashes(data) if data.exists() else {}) == before, "an input file was changed"
    assert tree_hashes(build_root / "2022") == good_hashes, "the last good build was changed"
    assert not list(build_root.glob(".staging-*"))


def test_the_corpus_covers_every_kind():
    kinds = {c.kind for c in CASES}
    assert kinds >= {"environment", "shape", "path", "yaml", "facts", "encoding", "xlsx", "flood", "personal", "invisible",
                     "injection", "content"}  # fmt: skip
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------- as the analyst runs them


def _run(*args) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "healthcheck", *map(str, args)], capture_output=True, text=True,
                            cwd=paths.ROOT, timeout=120)  # fmt: skip
    return result, time.monotonic() - started


def test_alias_bomb_is_refused_at_once(council, tmp_path):
    from tests.support.hostile_cases import ALIAS_BOMB

    data = shutil.copytree(council, tmp_path / "data")
    (data / "settings.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        from healthcheck.data.config import load_settings

        load_settings(data)
    assert time.monotonic() - started < 1.0
    assert "alias" in str(info.value.problems[0])
    result, seconds = _run("validate", "--data-dir", data)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "alias" in result.stderr
    assert seconds < 15  # the interpreter's start-up included; the refusal itself is well under a second


def test_missing_mapped_column_fails_validate_figures_and_build(council, tmp_path):
    data = shutil.copytree(council, tmp_path / "data")
    edit_rows(EXPORT, drop_wb02)(data)
    for command in ("validate", "figures", "build"):
        extra = ["--build-dir", tmp_path / "build"] if command == "build" else []
        result, _ = _run(command, "--year", "2022", "--data-dir", data, *extra)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
        assert "mapped to WB02" in result.stderr
    assert not (tmp_path / "build" / "2022").exists()


def test_numeric_codes_are_one_message(council, tmp_path):
    data = shutil.copytree(council, tmp_path / "data")
    numeric_codes(data)
    result, _ = _run("validate", "--year", "2022", "--data-dir", data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(error_lines(result.stderr)) == 1
    assert "codes:" in result.stderr and "1: Strongly agree" in result.stderr


def test_stray_byte_names_its_row_and_column(council, tmp_path):
    data = shutil.copytree(council, tmp_path / "data")
    raw = (data / EXPORT).read_bytes().split(b"\r\n")
    raw[1] = raw[1].replace(b"North Team", "Zoë Team".encode())
    raw[39] = raw[39].replace(b"North Team", b"Caf\xe9 Team")
    (data / EXPORT).write_bytes(b"\r\n".join(raw))
    result, _ = _run("validate", "--year", "2022", "--data-dir", data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row 40, column C ('Team')" in result.stderr and len(error_lines(result.stderr)) == 1


def test_an_internal_fault_is_one_plain_message(council, tmp_path, capsys, monkeypatch):
    """A bug of ours (here: a KeyError planted in the counting) is still no traceback, and says so."""
    from healthcheck.data import counts

    def broken(*args, **kwargs):
        raise KeyError("planted")

    monkeypatch.setattr(counts, "respondents_to_counts", broken)
    assert cli.main(["figures", "--year", "2022", "--data-dir", str(council)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" in err and "HEALTHCHECK_DEBUG" in err


# ---------------------------------------------------------------- a killed build


def _build_processes(marker: str) -> list[int]:
    """Processes (other than this one) whose command line or working folder mentions `marker`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if int(proc.name) != os.getpid() and (marker in cmdline or marker in cwd):
            found.append(int(proc.name))
    return found


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid` (workers, kernels, their helpers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_a_killed_build_leaves_no_process_and_the_next_build_cleans_up(council, tmp_path):
    """SIGKILL a build while a chapter runs: within a few seconds no worker or kernel of it is
    left, and the next build removes the staging folder it left behind."""
    root = tmp_path / "build"
    proc = subprocess.Popen(
        [sys.executable, "-m", "healthcheck", "build", "--year", "2022", "--data-dir", str(council), "--build-dir", str(root),
         "--jobs", "1"],
        cwd=paths.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list(root.glob(".staging-*/work/*/kernel-stderr.log")):
            assert proc.poll() is None, "the build ended before a chapter ran"
            time.sleep(0.2)
        staging = list(root.glob(".staging-*"))
        assert staging, "no chapter started within three minutes"
        time.sleep(1.0)  # the chapter's kernel is up
        below = _descendants(proc.pid)
        assert below and _build_processes(str(staging[0])), "no worker or kernel of the build was found running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def left() -> list[int]:
        return sorted({p for p in below if _alive(p)} | set(_build_processes(str(staging[0]))))

    deadline = time.monotonic() + 10
    while left() and time.monotonic() < deadline:
        time.sleep(0.5)
    left = left()
    for pid in left:  # tidy up before failing, so one failure does not leave processes behind
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"processes of the killed build still running: {left}"
    assert staging[0].exists(), "SIGKILL gives the build no chance to tidy; its staging folder is expected"

    from healthcheck.pipeline.stages import build_book

    again = build_book(2022, data_dir=council, build_root=root, chapters_dir=TOY, toc_path=TOY / "_toc.yml", jobs=1, force=True,
                       progress=False)  # fmt: skip
    assert again.html_index.is_file()
    assert not list(root.glob(".staging-*")), "the next build should remove the killed build's staging folder"
