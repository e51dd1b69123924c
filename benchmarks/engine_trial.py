"""Trial of the warm-kernel papermill engine on the 12 demo chapters, against fresh kernels.

Run from the repository root with the project's virtual environment:

    .venv/bin/python benchmarks/engine_trial.py               # 3 rounds of fresh vs warm
    .venv/bin/python benchmarks/engine_trial.py --build       # also time one cold build, for shares
    .venv/bin/python benchmarks/engine_trial.py --repeat 1 --keep

Each measurement runs in a fresh process (this script, ``--child fresh|warm``) that runs every
chapter the way a build does: the build's own job list (``pipeline.chapters``: parameters,
working and downloads folders, reads file, the loaded survey as a pickle), a pool of ``--jobs``
spawned workers started by ``workers.start_worker`` with the kernels' environment, and
``workers.run_chapter`` for each chapter. "fresh" is papermill's own engine (a kernel per
chapter), "warm" is ``engine_name="healthcheck"``. Only the chapter stage is timed: from
creating the pool to its shutdown (kernels shut down included). CPU seconds are the process's
own plus those of its reaped children (the workers and, through them, the kernels). The rounds
alternate, so a burst of load elsewhere hits both alike; the load average is printed beside
every timing.

Afterwards the executed chapters of the last fresh and warm rounds are compared: every cell's
outputs (glued values, the SVG charts inside the HTML, stderr), the files each chapter wrote to
its downloads folder, and the input files each chapter recorded as read.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEAR = 2022
GLUE_PREFIX = "application/papermill.record/"
SVG_URI = "data:image/svg+xml;base64,"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# --------------------------------------------------------------------------- worker side


def _run_one(job: dict) -> dict:
    """One chapter, exactly as a build's worker runs it (workers.run_chapter), plus the kernel's pid."""
    from healthcheck.pipeline.execute import workers

    if job["engine"] == "healthcheck":
        import healthcheck.pipeline.execute.engine  # noqa: F401 - registers the engine in this worker
    res = workers.run_chapter(job)
    if res["status"] != "ok":
        raise RuntimeError(f"{job['name']}: {res.get('message') or res.get('ename')}: {res.get('evalue', '')}")
    pid = None
    if job["engine"] == "healthcheck":
        from healthcheck.pipeline.execute.engine import warm_kernel_pid

        pid = warm_kernel_pid("python3")
    return {"name": job["name"], "seconds": res["seconds"], "worker": os.getpid(), "kernel": pid}


def plan(staging: Path, engine: str | None, jobs: int) -> list[dict]:
    """The build's own job list for every chapter (nothing reused), as build_book plans it."""
    from healthcheck import paths
    from healthcheck.analysis.survey import load_survey
    from healthcheck.data.config import survey_years
    from healthcheck.pipeline import book
    from healthcheck.pipeline.execute import chapters

    themes = list(load_survey(None, YEAR).bank.themes)
    toc = book.expand_toc(book.load_toc(book.TOC_PATH), themes)
    book_chapters = chapters.chapters_from_docs(book.documents(toc, book.TOC_PATH), paths.CHAPTERS_DIR)
    run = chapters.ChapterRun(
        staging=staging,
        year=YEAR,
        data_dir=None,
        year_folders=[y for y in survey_years(paths.data_dir(None)) if y <= YEAR],
        epoch=os.environ["SOURCE_DATE_EPOCH"],
        survey_file=staging / "survey.pickle",
        jobs=jobs,
        force=True,
        engine=engine,
    )
    job_list, _ = chapters._plan(book_chapters, run)
    return job_list


def child(mode: str, staging: Path, jobs: int) -> dict:
    """Run every chapter in ``staging`` with fresh or warm kernels; timings of the chapter stage."""
    from healthcheck.pipeline.execute import workers

    job_list = plan(staging, "healthcheck" if mode == "warm" else None, jobs)
    env = workers.kernel_environment(staging, os.environ["SOURCE_DATE_EPOCH"])  # the build's kernel environment
    load_before = load()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=workers.start_worker, initargs=(env, None))
    with pool:
        results = list(pool.map(_run_one, job_list))
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    kernels = sorted({r["kernel"] for r in results if r["kernel"]})
    alive = [pid for pid in kernels if _alive(pid)]
    return {
        "mode": mode,
        "wall_s": wall,
        "cpu_s": cpu,
        "load_before": load_before,
        "load_after": load(),
        "chapter_seconds": {r["name"]: round(r["seconds"], 2) for r in results},
        "workers": len({r["worker"] for r in results}),
        "warm_kernels": len(kernels),
        "kernels_left_running": alive,
    }


def repository_state() -> dict[str, int]:
    """Modification times of the code and chapters, to warn when they change during the trial."""
    files = [p for folder in ("healthcheck", "chapters") for p in (ROOT / folder).rglob("*") if p.is_file()]
    return {str(p): p.stat().st_mtime_ns for p in files if "__pycache__" not in p.parts}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").is_file() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


# --------------------------------------------------------------------------- comparison


def compare(fresh: Path, warm: Path) -> list[str]:
    """Differences between two stagings' executed chapters, downloads and reads (empty: identical)."""
    import nbformat

    problems, glued, svgs, files = [], 0, 0, 0
    for nb_path in sorted((fresh / "book" / "chapters").glob("*.ipynb")):
        name = nb_path.stem
        a = nbformat.read(nb_path, as_version=4)
        b = nbformat.read(warm / "book" / "chapters" / nb_path.name, as_version=4)
        cells_a, cells_b = _cells(a, fresh), _cells(b, warm)
        if cells_a != cells_b:
            diff = next(i for i, (x, y) in enumerate(zip(cells_a, cells_b, strict=False)) if x != y)
            problems.append(f"{name}: cell {diff} differs")
        text = json.dumps(cells_a)
        glued += sum(
            key.startswith(GLUE_PREFIX) for cell in a.cells for o in cell.get("outputs", []) for key in o.get("data", {})
        )
        svgs += text.count(SVG_URI)
        own_a, own_b = fresh / "downloads" / name, warm / "downloads" / name
        listing_a = sorted(p.name for p in own_a.iterdir())
        if listing_a != sorted(p.name for p in own_b.iterdir()):
            problems.append(f"{name}: different download files")
        for item in listing_a:
            files += 1
            if (own_a / item).read_bytes() != (own_b / item).read_bytes():
                problems.append(f"{name}: downloads/{item} differs")
        reads_a, reads_b = _reads(fresh / "work" / name / "reads.txt"), _reads(warm / "work" / name / "reads.txt")
        if reads_a != reads_b:
            problems.append(f"{name}: recorded reads differ ({len(reads_a)} vs {len(reads_b)} files)")
    print(f"  compared: {glued} glued values, {svgs} inline SVG charts, {files} download files, reads of every chapter")
    return problems


def _cells(nb, staging: Path) -> list:
    text = json.dumps(
        [
            (c.cell_type, c.source, c.get("execution_count"), [{k: v for k, v in o.items()} for o in c.get("outputs", [])])
            for c in nb.cells
        ]
    )
    return json.loads(text.replace(str(staging), "<staging>"))


def _reads(path: Path) -> list[str]:
    return sorted(set(path.read_text(encoding="utf-8").split("\n")) - {""}) if path.is_file() else []


# --------------------------------------------------------------------------- main


def run_child(mode: str, staging: Path, jobs: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--staging", str(staging), "--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} run failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT ") :])
    result["process_wall_s"] = time.perf_counter() - start
    return result


def new_staging(tmp: Path, label: str, pickle_path: Path) -> Path:
    staging = tmp / label
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "work").mkdir(parents=True)
    shutil.copy2(pickle_path, staging / "survey.pickle")
    return staging


def time_cold_build(tmp: Path, jobs: int) -> dict:
    """One cold build with the CLI in a fresh process: wall and CPU seconds (children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = load()
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "healthcheck", "build", "--year", str(YEAR), "--build-dir", str(tmp / "build")]
    proc = subprocess.run(cmd + ["--force", "--jobs", str(jobs)], capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"the cold build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load_before}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="rounds of fresh + warm (median reported)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes, as the build uses (default 2)")
    p.add_argument("--build", action="store_true", help="also time one cold build, to give the chapters' share")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--staging", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.staging, args.jobs)), flush=True)
        return 0

    from healthcheck.analysis.survey import load_survey, save_preloaded
    from healthcheck.pipeline.staging import source_date_epoch

    os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch())
    tmp = Path(tempfile.mkdtemp(prefix="hc-engine-trial-"))
    try:
        pickle_path = tmp / "survey.pickle"
        save_preloaded(load_survey(None, YEAR), pickle_path)  # as build_book does, not timed
        before = repository_state()
        runs: dict[str, list[dict]] = {"fresh": [], "warm": []}
        stagings = {}
        print(f"engine trial: {os.cpu_count()} cores, {args.jobs} workers, {args.repeat} round(s); {load()}")
        for i in range(args.repeat):
            for mode in ("fresh", "warm"):
                stagings[mode] = new_staging(tmp, f"{mode}-{i}", pickle_path)
                r = run_child(mode, stagings[mode], args.jobs)
                runs[mode].append(r)
                print(
                    f"  round {i + 1} {mode:5}: chapters {r['wall_s']:5.1f} s wall, {r['cpu_s']:5.1f} s CPU "
                    f"(process {r['process_wall_s']:.1f} s; {r['workers']} workers, warm kernels {r['warm_kernels']}; "
                    f"{r['load_before']} -> {r['load_after']})",
                    flush=True,
                )
                if r["kernels_left_running"]:
                    print(f"    WARNING: kernels still running after the pool shut down: {r['kernels_left_running']}")
        med = {m: {k: statistics.median(r[k] for r in runs[m]) for k in ("wall_s", "cpu_s")} for m in runs}
        print("\n  median         wall      CPU")
        for mode in ("fresh", "warm"):
            print(f"  {mode:9} {med[mode]['wall_s']:8.1f} s {med[mode]['cpu_s']:7.1f} s")
        saved_wall = med["fresh"]["wall_s"] - med["warm"]["wall_s"]
        saved_cpu = med["fresh"]["cpu_s"] - med["warm"]["cpu_s"]
        ratio = med["warm"]["wall_s"] / med["fresh"]["wall_s"]
        print(f"  saved     {saved_wall:8.1f} s {saved_cpu:7.1f} s  (warm / fresh wall: {ratio:.2f})")
        for mode in ("fresh", "warm"):
            per = {k: statistics.median(r["chapter_seconds"][k] for r in runs[mode]) for k in runs[mode][0]["chapter_seconds"]}
            print(f"  {mode} chapter seconds (median): " + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))

        print("\ncomparing the last fresh and warm rounds ...")
        problems = compare(stagings["fresh"], stagings["warm"])
        print("  identical" if not problems else "  DIFFERENCES:\n    " + "\n    ".join(problems))
        changed = sorted(k for k, v in repository_state().items() if before.get(k) != v)
        if changed:
            print(f"  WARNING: code or chapters changed during the trial ({', '.join(changed[:5])}): run it again")

        if args.build:
            print("\ncold build (python -m healthcheck build --force, fresh build folder) ...", flush=True)
            b = time_cold_build(tmp, args.jobs)
            print(f"  cold build: {b['wall_s']:.1f} s wall, {b['cpu_s']:.1f} s CPU ({b['load_before']})")
            for mode in ("fresh", "warm"):
                print(
                    f"  chapters with {mode} kernels = {med[mode]['wall_s'] / b['wall_s']:.0%} of its wall time, "
                    f"{med[mode]['cpu_s'] / b['cpu_s']:.0%} of its CPU"
                )
            print(
                f"  estimated cold build with the warm engine: {b['wall_s'] - saved_wall:.1f} s wall, "
                f"{b['cpu_s'] - saved_cpu:.1f} s CPU"
            )
        return 1 if problems else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
