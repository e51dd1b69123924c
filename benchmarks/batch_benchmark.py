"""The national batch: books per minute with 1 and 2 Dask workers, and what one book costs.

Run from the repository root with the project's virtual environment::

    .venv/bin/python benchmarks/batch_benchmark.py                       # 8 organisations, 1 and 2 workers
    .venv/bin/python benchmarks/batch_benchmark.py --organisations 4 --workers 1 2 --json out.json

Data (not timed): a seeded synthetic national set written by ``scripts/make_national_data.py``
(``--organisations``, ``--respondents``, ``--seed``; years 2023 and 2024) into a temporary
folder. Every organisation keeps the generator's nine themes, so each book has fifteen
chapters, as a real one would.

What is timed, for each number of workers: ``healthcheck.pipeline.batch.cluster.run_batch`` of 2024
into a fresh, empty build folder (nothing cached, nothing reused), on a new
``distributed.LocalCluster`` of that many workers with one thread each. Reported:

* **books per minute**: organisation books built over the wall time of the whole batch
  (cluster start, validation, benchmarks, every book and the national summary), and over the
  books step alone; a book whose build ran and then failed (not one refused at validation)
  counts, since it cost a whole build;
* **scaling efficiency**: (books per minute with N workers) / (N x books per minute with 1);
* **per book** (from the batch report; see ``batchtasks.Measured``): wall seconds, CPU
  seconds of the worker and every process it started, and the peak resident memory of that
  process tree (a sum of RSS: an upper bound), as median and maximum over the books.

The machine is shared: the load average before and after each run is printed with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEARS = [2023, 2024]


def write_national_set(out: Path, organisations: int, respondents: int, seed: int) -> Path:
    """scripts/make_national_data.py's set (scripts/ is not a package, so it is loaded by path)."""
    path = ROOT / "scripts" / "make_national_data.py"
    spec = importlib.util.spec_from_file_location("make_national_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(out, organisations, respondents, seed, YEARS)
    return out


def measure(orgs: Path, workers: int, scratch: Path) -> dict:
    """One cold batch on a new local cluster of `workers` workers; its timings and per-book costs."""
    from healthcheck.pipeline.batch.cluster import run_batch

    build = scratch / f"build-{workers}"
    load_before = os.getloadavg()
    start = time.monotonic()
    result = run_batch(orgs, YEARS[-1], workers=workers, build_dir=build, progress=False)
    wall = time.monotonic() - start
    # A book that failed in its build (not in validation) cost a whole build too: it counts.
    books = [r for r in result.organisations if r.get("status") == "built" or r.get("stage") == "build"]
    failed = [f"{r['org_id']} ({r.get('stage')})" for r in result.failed]

    def spread(key):
        values = [float(r[key]) for r in books]
        return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)} if values else {}

    return {
        "workers": workers,
        "books": len(books),
        "built": sum(r.get("status") == "built" for r in books),
        "failed": failed,
        "wall_s": round(wall, 1),
        "phases_s": result.phases,
        "books_per_min": round(60 * len(books) / wall, 2),
        "books_per_min_books_step": round(60 * len(books) / result.phases["books"], 2),
        "book_wall_s": spread("seconds"),
        "book_cpu_s": spread("cpu_seconds"),
        "book_peak_rss_mib": spread("peak_rss_mb"),
        "national": {k: result.national.get(k) for k in ("status", "seconds", "cpu_seconds", "peak_rss_mb")}
        if result.national
        else None,
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
    }


def print_table(runs: list[dict]) -> None:
    base = next((r for r in runs if r["workers"] == 1), None)
    print()
    print(
        "| workers | books | wall | books/min (whole batch) | books/min (books step) | scaling efficiency "
        "| CPU s per book (median, max) | wall s per book (median) | peak memory per book (median, max) "
        "| load before -> after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in runs:
        efficiency = ""
        if base and r is not base:
            whole = r["books_per_min"] / (r["workers"] * base["books_per_min"])
            step = r["books_per_min_books_step"] / (r["workers"] * base["books_per_min_books_step"])
            efficiency = f"{whole:.2f} (books step {step:.2f})"
        print(
            f"| {r['workers']} | {r['books']} | {r['wall_s']:.0f} s | {r['books_per_min']:.2f} | "
            f"{r['books_per_min_books_step']:.2f} | {efficiency or '-'} | {r['book_cpu_s'].get('median')}, "
            f"{r['book_cpu_s'].get('max')} | {r['book_wall_s'].get('median')} | "
            f"{r['book_peak_rss_mib'].get('median')}, {r['book_peak_rss_mib'].get('max')} MiB | "
            f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f} |"
        )
    for r in runs:
        print(f"workers {r['workers']}: steps {r['phases_s']}; national summary {r['national']}; failed {r['failed']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=8)
    parser.add_argument("--respondents", type=int, default=1600, help="respondents per year, across organisations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="numbers of workers to measure, in order")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data and build folders")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="batch-benchmark-"))
    print(f"batch benchmark: {args.organisations} organisations, {args.respondents} respondents a year, seed {args.seed}")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; scratch {scratch}")
    orgs = write_national_set(scratch / "orgs", args.organisations, args.respondents, args.seed)
    runs = []
    for workers in args.workers:
        runs.append(measure(orgs, workers, scratch))
        print(json.dumps(runs[-1]), flush=True)
    print_table(runs)
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "runs": runs}, indent=2) + "\n")
    if not args.keep:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
