"""Prove that two commits publish the same bytes: the demonstration book and a second council's.

    .venv/bin/python scripts/compare_builds.py BEFORE AFTER [--keep DIR]

Each commit is checked out clean in a temporary git worktree (uncommitted changes are not
seen) and run with this repository's virtual environment, with the commit's package
installed in it (editable, for its papermill entry point) and PYTHONPATH set to that
worktree, so its own `healthcheck` is the one imported, chapters' kernels included. This
repository's own package is installed again at the end.
Two books are built from each commit:

* the demonstration book (`build --year 2022` from the commit's own `data/`);
* a second council's book, made the way `tests/test_any_council.py` makes it (new-year,
  published figures, `import` of an XLSX export, validate, build), from `second_council.py`
  in the commit's tests.

Then every file of each book is compared byte for byte (html/, pdf/, the workbooks, the
auditors' notebooks/ pages, executed/ notebooks, manifest.json, build-info.json). Executed
notebooks carry papermill's timestamps and the manifest and build-info name the code's commit
and hash, which a move of modules must change: those are compared with such fields removed,
and the fields are listed. Each book names the commit that built it (provenance appendix,
manifest): both builds are made to report one fixed commit (see `_fixed_commit`), so that
any byte that still differs is the code's doing. Exit status 0 only when nothing differs.

It runs two heavy builds per commit: on a shared machine wrap it in
`flock /tmp/hc-heavy.lock`. `scripts/restructure.py`'s docstring says how the lead uses it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DEMO_YEAR = 2022
# Fields that name the code (its commit, its hash, the files of the package) or the moment of
# the build, at any depth of a JSON file; everything else must be equal.
VOLATILE_KEYS = {
    "code",
    "commit",
    "fingerprint",
    "chapter_seconds",
    "papermill",
    "execution",
    "start_time",
    "end_time",
    "duration",
    "seconds",
}

SECOND_COUNCIL = r"""
import re, subprocess, sys
from pathlib import Path
sys.path.insert(0, str(Path.cwd()))
try:
    from tests.support import second_council as council
except ImportError:
    from tests import second_council as council
work = Path(sys.argv[1]); data = work / "data"; build = Path(sys.argv[2])
def run(*args):
    r = subprocess.run([sys.executable, "-m", "healthcheck", *map(str, args), "--data-dir", str(data)],
                       capture_output=True, text=True, cwd=work)
    if r.returncode:
        sys.exit(f"{args}: {r.stdout}\n{r.stderr}")
run("new-year", council.FIRST_YEAR)
(data / "settings.yml").write_text(council.settings_text(), encoding="utf-8")
(data / "question_bank.yml").write_text(council.bank_text(), encoding="utf-8")
(data / str(council.FIRST_YEAR) / "published.csv").write_text(council.published_text(), encoding="utf-8")
survey = data / str(council.FIRST_YEAR) / "survey.yml"
survey.write_text(re.sub(r"(?m)^export: .*\n", "", survey.read_text(encoding="utf-8")), encoding="utf-8")
run("new-year", council.SECOND_YEAR)
export = work / "downloads" / "Staff survey results.xlsx"
export.parent.mkdir()
council.write_export(export)
# openpyxl stamps the moment it wrote the file (docProps/core.xml and the zip entries): the same
# export must be the same bytes in both builds, or its hash alone makes the books differ.
import zipfile
with zipfile.ZipFile(export) as z:
    parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
with zipfile.ZipFile(export, "w") as z:
    for name, body in parts:
        if name == "docProps/core.xml":
            body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
        z.writestr(zipfile.ZipInfo(name, (2000, 1, 1, 0, 0, 0)), body, compress_type=zipfile.ZIP_DEFLATED)
run("import", "--year", council.SECOND_YEAR, export)
survey = data / str(council.SECOND_YEAR) / "survey.yml"
text = survey.read_text(encoding="utf-8")
text = text.replace('  # PLEASE CONFIRM columns.team: perhaps "Service area"', "  team: Service area")
survey.write_text(text, encoding="utf-8")
run("build", "--year", council.SECOND_YEAR, "--build-dir", str(build))
print(council.SECOND_YEAR)
"""


def _fixed_commit(base: Path) -> Path:
    """A git folder whose HEAD is one empty commit with fixed dates: the commit both builds report.

    A book names the commit that built it (the provenance appendix, the manifest, hence the
    PDF): with the real commits every book would differ by that name alone. With this folder as
    GIT_DIR both builds report the same commit, clean (its index is empty, and the build asks
    git for tracked changes only), so what remains to compare is what the code makes.
    """
    git_dir = base / "fixed-commit.git"
    if not git_dir.exists():
        env = dict(os.environ, GIT_AUTHOR_DATE="2000-01-01T00:00:00Z", GIT_COMMITTER_DATE="2000-01-01T00:00:00Z")
        env |= {"GIT_AUTHOR_NAME": "compare", "GIT_AUTHOR_EMAIL": "compare@example.invalid"}
        env |= {"GIT_COMMITTER_NAME": "compare", "GIT_COMMITTER_EMAIL": "compare@example.invalid"}
        subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
        tree = subprocess.run(["git", "--git-dir", str(git_dir), "mktree"], input="", capture_output=True, text=True, check=True)
        commit = subprocess.run(
            ["git", "--git-dir", str(git_dir), "commit-tree", tree.stdout.strip(), "-m", "the same commit for both builds"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        subprocess.run(["git", "--git-dir", str(git_dir), "update-ref", "HEAD", commit.stdout.strip()], check=True)
    return git_dir


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env |= {"GIT_DIR": str(_fixed_commit(tree.parent.parent)), "GIT_WORK_TREE": str(tree)}
    # One build date for both commits: the date is an input of the book, not of the code.
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    return env


def build_commit(commit: str, out: Path) -> dict[str, Path]:
    """Both books of one commit, built in a clean worktree; the folder of each book."""
    tree = out / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(tree), commit], check=True)
    try:
        # papermill loads every `papermill.engine` entry point when imported, and the engine's
        # module moved: the commit's own package metadata must be the one installed.
        _install(tree)
        env = _env(tree)
        where = subprocess.run(
            [str(PYTHON), "-c", "import healthcheck; print(healthcheck.__file__)"],
            env=env,
            cwd=tree,
            capture_output=True,
            text=True,
        )
        assert where.stdout.strip().startswith(str(tree)), f"the package imported is not the commit's: {where.stdout}"
        demo = out / "demo"
        subprocess.run(
            [str(PYTHON), "-m", "healthcheck", "build", "--year", str(DEMO_YEAR), "--data-dir", str(tree / "data")]
            + ["--build-dir", str(demo)],
            env=env,
            cwd=tree,
            check=True,
        )
        council = out / "council"
        (out / "northmere").mkdir()
        done = subprocess.run(
            [str(PYTHON), "-c", SECOND_COUNCIL, str(out / "northmere"), str(council)],
            env=env,
            cwd=tree,
            check=True,
            capture_output=True,
            text=True,
        )
        year = done.stdout.strip().splitlines()[-1]
        return {"demo": demo / str(DEMO_YEAR), "second council": council / year}
    finally:
        _install(ROOT)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def _install(tree: Path) -> None:
    """The package of `tree` installed (editable, no dependencies) in this repository's venv."""
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(tree)]
    subprocess.run(pip, check=True, capture_output=True)


def _strip(value, dropped: set[str], trail: str = ""):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in VOLATILE_KEYS:
                dropped.add(f"{trail}{key}")
                continue
            out[key] = _strip(item, dropped, f"{trail}{key}.")
        return out
    if isinstance(value, list):
        return [_strip(item, dropped, trail) for item in value]
    return value


def _comparable(path: Path, dropped: set[str]) -> bytes:
    """The bytes that must agree: the file's own, or a JSON file without its volatile fields."""
    if path.suffix in (".json", ".ipynb") and path.name != "package.json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return path.read_bytes()
        return json.dumps(_strip(data, dropped, f"{path.name}:"), sort_keys=True).encode()
    return path.read_bytes()


def compare(before: Path, after: Path) -> tuple[list[str], int, set[str]]:
    """Files that differ (or exist on one side only), the count compared, the fields set aside."""
    names = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    names |= {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    differ, dropped = [], set()
    for name in sorted(names):
        a, b = before / name, after / name
        if not (a.is_file() and b.is_file()):
            differ.append(f"{name}: only {'before' if a.is_file() else 'after'}")
        elif _comparable(a, dropped) != _comparable(b, dropped):
            digests = [hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in (a, b)]
            differ.append(f"{name}: {digests[0]} != {digests[1]}")
    return differ, len(names), dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="the commit before the change (e.g. HEAD~1)")
    parser.add_argument("after", help="the commit after it (e.g. HEAD)")
    parser.add_argument("--keep", type=Path, help="keep both builds in this folder")
    args = parser.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="compare-builds-"))
    commits = {}
    for side in ("before", "after"):
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", getattr(args, side)], capture_output=True, text=True, check=True
        )
        commits[side] = sha.stdout.strip()
    books = {side: build_commit(commits[side], base / side) for side in ("before", "after")}
    failed = False
    for book in books["before"]:
        differ, count, dropped = compare(books["before"][book], books["after"][book])
        print(f"{book}: {count} files compared, {len(differ)} differ ({commits['before'][:10]} -> {commits['after'][:10]})")
        if dropped:
            print("  fields set aside (code identity, timestamps): " + ", ".join(sorted({d.split(":")[-1] for d in dropped})))
        for line in differ:
            print("  " + line)
        failed |= bool(differ)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
