"""The benchmark statistics at NHS Staff Survey scale: counts, benchmarks, comparisons, ranks.

Run from the repository root with the project's virtual environment::

    .venv/bin/python benchmarks/national_statistics.py                 # 260 organisations, 700,000 respondents
    .venv/bin/python benchmarks/national_statistics.py --from-disk DIR # also time reading DIR's exports

Data (not timed): one survey year of ``scripts/make_national_data.py``'s synthetic national set
(the same organisations, sizes and answers as ``--organisations 260 --respondents 700000
--seed 1``, last year), built in memory as one DataFrame per organisation with every cell as
text, exactly as ``healthcheck.io.read_table`` returns an export.

What is timed, step by step (one process, one core for our code):

1. **counts**: for every organisation, ``io.respondents_to_counts`` of its frame (all staff
   only; ``--breakdowns`` adds the team and role breakdowns its own report needs), then its
   all-staff ``n_positive``/``n_valid`` per statement, giving the organisation figures table;
   with ``--from-disk DIR`` also, separately, ``io.read_table`` of every export in ``DIR``;
2. **benchmarks**: ``benchmark_figures`` (England and nine regions, every statement);
3. **comparisons**: ``compare_all_organisations`` (every organisation against England and
   its region, exact tests against the others); for information, not in the total, the
   same as one ``compare_with_benchmarks(None, benchmarks, org_id, org_figures)`` call per
   organisation, as a batch task per organisation would make;
4. **ranks**: ``rank_table`` nationally and within each region, ``--n-boot`` replicates.

``scipy.stats`` (which ``compare_proportions`` imports on its first Fisher's test, about half a
second once per process) is imported before the timing starts. The peak resident memory of
the process and the load average before and after are printed: the numbers depend on what
else the machine is doing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import scipy.stats  # noqa: E402, F401  (imported before timing: Fisher's test loads it once per process)

from healthcheck.analysis import comparators as bm  # noqa: E402
from healthcheck.analysis import ranks as ranking  # noqa: E402
from healthcheck.data import codes  # noqa: E402
from healthcheck.data import counts as hio  # noqa: E402
from healthcheck.data.tables import read  # noqa: E402

TARGET_S = 10.0  # the statistics (steps 1-4) at this scale


def load_generator():
    """scripts/make_national_data.py as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "make_national_data.py"
    spec = importlib.util.spec_from_file_location("make_national_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_frames(n_orgs: int, respondents: int, seed: int, years: list[int]):
    """(orgs, {org_id: (frame, question mapping)}) for the last year, in memory."""
    gen = load_generator()
    statements = gen.statements_for(years)
    orgs = gen.plan_organisations(n_orgs, respondents, years, seed)
    effects = gen.national_effects(orgs, statements, years, seed)
    year = years[-1]
    frames = {}
    for index, org in orgs.iterrows():
        sim = gen.simulate(org, int(index), year, years, statements, effects, seed)
        frame = gen.respondent_frame(sim, statements, year)
        mapping = {statements[j]["wording"][year]: statements[j]["code"] for j in sim["asked"]}
        frames[org["org_id"]] = (frame, mapping)
    return orgs, frames


def organisation_figures(orgs: pd.DataFrame, frames: dict, year: int, breakdowns: bool) -> pd.DataFrame:
    """Step 1: every organisation's counts, then its all-staff figures per statement."""
    parts = []
    groups = {"team": "Team", "role": "Role"} if breakdowns else None
    for org_id, region in zip(orgs["org_id"], orgs["region"], strict=True):
        frame, mapping = frames[org_id]
        counts = hio.respondents_to_counts(frame, year, mapping, groups)
        everyone = counts.loc[counts["group_type"] == "all"]
        n = everyone["n"].to_numpy()
        per_q = (
            pd.DataFrame(
                {
                    "question_id": everyone["question_id"].to_numpy(),
                    "n_positive": np.where(everyone["response"].isin(codes.POSITIVE), n, 0),
                    "n_valid": np.where(everyone["response"].isin(codes.VALID), n, 0),
                }
            )
            .groupby("question_id", sort=False, as_index=False)
            .sum()
        )
        parts.append(per_q.assign(org_id=org_id, region=region))
    return pd.concat(parts, ignore_index=True).loc[:, ["org_id", "region", "question_id", "n_positive", "n_valid"]]


def read_from_disk(folder: Path, year: int) -> tuple[float, int]:
    """Seconds to read_table every export of ``year`` under ``folder``, and the rows read."""
    start = time.perf_counter()
    rows = sum(len(read.read_table(path).frame) for path in sorted(folder.glob(f"*/{year}/*.csv")))
    return time.perf_counter() - start, rows


def vm_hwm_mib() -> float:
    """Peak resident memory of this process (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-memory mark (Linux), so the timed steps' own peak is seen."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def timed(label: str, results: dict, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    results[label] = time.perf_counter() - start
    print(f"  {label:<42} {results[label]:7.2f} s", flush=True)
    return value


def compare_one_by_one(org_figs: pd.DataFrame, bench: pd.DataFrame) -> pd.DataFrame:
    """Step 3 as separate calls, one per organisation."""
    frames = [
        bm.compare_with_benchmarks(None, bench, org_id, org_figs).assign(org_id=org_id) for org_id in org_figs["org_id"].unique()
    ]
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=260)
    parser.add_argument("--respondents", type=int, default=700_000, help="respondents in the year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--breakdowns", action="store_true", help="count team and role breakdowns too in step 1")
    parser.add_argument("--from-disk", type=Path, help="a folder written by make_national_data.py with the same arguments")
    args = parser.parse_args(argv)
    year = sorted(args.years)[-1]

    load_before = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}  {os.cpu_count()} cores  Python {platform.python_version()}")
    print(f"numpy {np.__version__}  pandas {pd.__version__}  scipy {scipy.__version__}")
    print(f"load average at start: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    start = time.perf_counter()
    orgs, frames = build_frames(args.organisations, args.respondents, args.seed, sorted(args.years))
    n_resp = sum(len(f) for f, _ in frames.values())
    n_questions = max(len(m) for _, m in frames.values())
    print(
        f"data (not timed): {len(orgs)} organisations, {n_resp} respondents, {n_questions} statements, "
        f"{orgs['region'].nunique()} regions, built in {time.perf_counter() - start:.1f} s; "
        f"resident {vm_hwm_mib():.0f} MiB peak so far"
    )

    results: dict[str, float] = {}
    before = vm_hwm_mib()
    exact_peak = reset_peak()
    rss_before = _rss_mib()
    print(f"timed steps ({args.n_boot} bootstrap replicates):")
    if args.from_disk:
        seconds, rows = read_from_disk(args.from_disk, year)
        results["0. read_table of every export (disk)"] = seconds
        print(f"  {'0. read_table of every export (disk)':<42} {seconds:7.2f} s   ({rows} rows; not in the total)")
    label = "1. counts per organisation" + (" (+ breakdowns)" if args.breakdowns else "")
    org_figs = timed(label, results, organisation_figures, orgs, frames, year, args.breakdowns)
    bench = timed("2. national and regional figures", results, bm.benchmark_figures, org_figs)
    comparisons = timed("3. comparisons, every organisation", results, bm.compare_all_organisations, org_figs, bench)
    timed("(3'. the same, one call per organisation)", results, compare_one_by_one, org_figs, bench)
    national = timed("4a. ranks, national (bootstrap)", results, ranking.rank_table, org_figs, "national", args.n_boot, 0)
    regional = timed("4b. ranks, within regions (bootstrap)", results, ranking.rank_table, org_figs, "region", args.n_boot, 0)
    total = sum(v for k, v in results.items() if k[0].isdigit() and not k.startswith("0."))
    peak = vm_hwm_mib()
    load_after = os.getloadavg()

    verdict = "met" if total < TARGET_S else "MISSED"
    print(f"  {'total (1-4)':<42} {total:7.2f} s   target < {TARGET_S:.0f} s: {verdict}")
    step_peak = f"{peak - rss_before:.0f} MiB above the resident memory before them" if exact_peak else "not measured"
    print(f"peak resident memory: {max(peak, before):.0f} MiB (process); during the timed steps {step_peak}")
    print(f"load average at end: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    summarise(org_figs, bench, comparisons, national, regional)
    return 0


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summarise(org_figs, bench, comparisons, national, regional) -> None:
    """What was computed, so that a fast but wrong run shows."""
    shown = org_figs["n_valid"] >= 10
    england = bench.loc[bench["scope"] == "national"]
    assert (england.set_index("question_id")["n_valid"] == org_figs.loc[shown].groupby("question_id")["n_valid"].sum()).all()
    print(
        f"checks: {len(org_figs)} organisation figures ({(~shown).sum()} suppressed); {len(bench)} benchmark rows "
        f"({int(bench['suppressed'].sum())} suppressed); {len(comparisons)} comparisons: "
        + ", ".join(f"{k} {v}" for k, v in comparisons["result"].value_counts().items())
    )
    width = (national["rank_high"] - national["rank_low"]).dropna()
    print(
        f"national ranks: {int(national['rank'].notna().sum())} ranked of {len(national)}; 95% interval width "
        f"median {width.median():.0f}, 10th-90th percentile {width.quantile(0.1):.0f}-{width.quantile(0.9):.0f} ranks"
    )
    print(f"regional ranks: {int(regional['rank'].notna().sum())} ranked in {regional['name'].nunique()} regions")


if __name__ == "__main__":
    sys.exit(main())
