"""Every organisation's report in one run, on a Dask cluster: `healthcheck batch`.

    healthcheck batch --orgs DIR --year Y [--scheduler ADDRESS] [--workers N] [--build-dir D] [--force]

DIR holds `organisations.csv` (org_id, name, region) and one data folder per organisation,
`DIR/<org_id>/`, laid out like `data/`. The batch runs in three steps:

1. **validate** every organisation (one Dask task each): its data must load, and its
   settings.yml must carry its org_id and region as the list has them. An organisation with
   errors is recorded with every problem and left out; the others go on.
2. **benchmarks**: England's and every region's figures of the year (and of each
   organisation's previous survey year, for last year's rank) from every valid organisation,
   with `analysis.benchmarks.benchmark_figures`; written for each organisation into
   `<build>/<org_id>/benchmarks/` (pipeline/batchfiles.py), and the national summary's inputs
   into `<build>/national/input/<year>/`. Files are rewritten only when their bytes change.
3. **books** (one Dask task each): every valid organisation's book with `stages.build_book`
   into `<build>/<org_id>/<year>/`, pointed at its benchmark folder, and the national
   summary book (pipeline/national.py) into `<build>/national/<year>/`. A build whose inputs
   did not change is kept as it is, so a rerun rebuilds only what changed.

Finally `<build>/batch-report.json` and `batch-report.md` say what was built, what was up
to date and what failed, with each failure's messages, and what each book cost.

The cluster: by default a `distributed.LocalCluster` on this machine (N worker processes,
one thread each; N defaults to the number of cores). With `--scheduler` the batch runs on an
existing cluster; every worker must see DIR and the build folder at the same paths, run the
same healthcheck code and environment, and be a non-daemonic process (a build starts a
process pool for its chapters): start workers with `DASK_DISTRIBUTED__WORKER__DAEMON=False`
(or `--no-nanny`). The batch checks all three before it starts.
"""

from __future__ import annotations

import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from healthcheck import paths
from healthcheck.errors import BuildError
from healthcheck.pipeline.batch import files as batchfiles
from healthcheck.pipeline.batch import report as batchreport
from healthcheck.pipeline.batch.tasks import build_national, build_organisation, validate_organisation

#: The default build folder of a batch, beside (not among) single-council builds.
DEFAULT_BUILD = "batch"


@dataclass
class BatchResult:
    """What a batch did: one record per organisation of the list (in its order) and the national book."""

    year: int
    build_dir: Path
    organisations: list[dict]
    national: dict | None
    cluster: str
    seconds: float = 0.0
    load: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)  # wall seconds of each step (cluster start, validate, benchmarks, books)

    @property
    def failed(self) -> list[dict]:
        records = self.organisations + ([self.national] if self.national else [])
        return [r for r in records if r.get("status") == "failed"]

    @property
    def report_json(self) -> Path:
        return self.build_dir / batchreport.JSON_NAME

    @property
    def report_md(self) -> Path:
        return self.build_dir / batchreport.MD_NAME


def run_batch(orgs_dir, year: int, *, scheduler=None, workers=None, build_dir=None, force=False, progress=True) -> BatchResult:
    """Validate, benchmark and build every organisation of `orgs_dir` for `year` (see the module notes).

    Raises DataError when the list of organisations itself is unusable, BuildError when the
    cluster cannot run the batch; a problem of one organisation is recorded, never raised.
    """
    say = print if progress else (lambda *a, **k: None)
    year = int(year)
    orgs_dir = Path(orgs_dir).resolve()
    build_dir = Path(build_dir).resolve() if build_dir else paths.build_dir() / DEFAULT_BUILD
    listing = batchfiles.read_organisations(orgs_dir)
    national = batchfiles.read_national(orgs_dir)  # its mistakes, like the list's, stop the batch before it starts
    orgs = [dict(zip(("org_id", "name", "region"), row, strict=True)) for row in listing.itertuples(index=False, name=None)]
    for org in orgs:
        org["folder"] = str(orgs_dir / org["org_id"])
    build_dir.mkdir(parents=True, exist_ok=True)
    start, load_start = time.monotonic(), os.getloadavg()
    clock = _Clock()
    with _client(scheduler, workers) as (client, cluster):
        say(f"batch {year}: {len(orgs)} organisations from {orgs_dir}, on {cluster}")
        preflight(client, orgs_dir, build_dir)
        clock.lap("cluster")
        validated = _validate_all(client, orgs, year, say)
        valid = [r for r in validated if r["status"] == "valid"]
        clock.lap("validate")
        jobs, national_job = _write_inputs(valid, len(orgs), year, build_dir, force, say, national)
        clock.lap("benchmarks")
        built = _build_all(client, jobs, national_job, {o["org_id"]: o["name"] for o in orgs}, say)
        clock.lap("books")
    records = [_record(org, built.get(org["org_id"]), jobs) for org in validated]
    result = BatchResult(
        year, build_dir, records, built.get(batchfiles.NATIONAL), cluster,
        round(time.monotonic() - start, 1), {"start": list(load_start), "end": list(os.getloadavg())}, clock.laps,
    )  # fmt: skip
    batchreport.write_reports(result, orgs_dir)
    say(batchreport.summary(result))
    return result


class _Clock:
    """Wall seconds of each step, in order."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


# ----------------------------------------------------------------------------- the cluster


@contextmanager
def _client(scheduler: str | None, workers: int | None):
    """A Dask client: of the cluster at `scheduler`, or of a local cluster started (and stopped) here."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise BuildError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            if workers:
                client.wait_for_workers(workers, timeout=600)
            yield client, f"the cluster at {scheduler} ({len(client.scheduler_info()['workers'])} workers)"
        return
    n = workers or os.cpu_count() or 1
    # A build starts a process pool for its chapters, which a daemonic process may not do; Dask's
    # nannies start daemonic workers unless this is set (distributed.worker.daemon).
    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as local:
            with Client(local) as client:
                yield client, f"a local Dask cluster of {n} worker{'s' if n != 1 else ''} (1 thread each)"


def worker_facts(orgs_dir: str, build_dir: str) -> dict:
    """What the batch needs to know of a worker (run on every worker with `Client.run`)."""
    import multiprocessing

    from healthcheck import environment

    return {
        "daemon": bool(multiprocessing.current_process().daemon),
        "code": environment.code_and_environment_hash(),
        "sees_orgs": os.path.isdir(orgs_dir),
        "sees_build": os.path.isdir(build_dir) and os.access(build_dir, os.W_OK),
    }


def preflight(client, orgs_dir: Path, build_dir: Path) -> None:
    """Refuse, before any work, a cluster whose workers cannot build: BuildError saying what to fix."""
    from healthcheck import environment

    facts = client.run(worker_facts, str(orgs_dir), str(build_dir))
    if not facts:
        raise BuildError("The Dask cluster has no workers: start some (dask worker ADDRESS) or leave out --scheduler.")
    ours = environment.code_and_environment_hash()
    problems = []
    for address, f in sorted(facts.items()):
        if f["daemon"]:
            problems.append(f"{address} is a daemonic process: start it with DASK_DISTRIBUTED__WORKER__DAEMON=False")
        if f["code"] != ours:
            problems.append(f"{address} runs other healthcheck code or packages: install the same version on every worker")
        if not f["sees_orgs"]:
            problems.append(f"{address} cannot see {orgs_dir}: mount it at the same path on every worker")
        if not f["sees_build"]:
            problems.append(f"{address} cannot write to {build_dir}: mount it at the same path on every worker")
    if problems:
        raise BuildError("The Dask cluster cannot run the batch:\n  " + "\n  ".join(problems))


def _key(kind: str, org_id: str) -> str:
    """A readable, unique task key (shown on the Dask dashboard)."""
    return f"{kind}-{org_id}-{secrets.token_hex(4)}"


def _result(future, org_id: str, stage: str) -> dict:
    """A task's record; a task lost with its worker (killed, out of memory) is a failure too."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - KilledWorker, CancelledError, ...: recorded
        report = f"the Dask task was lost ({type(exc).__name__}: {exc}); its worker may have run out of memory"
        return {"org_id": org_id, "status": "failed", "stage": stage, "problems": [], "report": report}


# ----------------------------------------------------------------------------- the steps


def _validate_all(client, orgs: list[dict], year: int, say) -> list[dict]:
    """Step 1: every organisation validated (as tasks); records in the list's order."""
    from distributed import as_completed

    futures = {client.submit(validate_organisation, org, year, key=_key("validate", org["org_id"])): org for org in orgs}
    records = {}
    for future in as_completed(futures):
        org = futures[future]
        records[org["org_id"]] = {**org, **_result(future, org["org_id"], "validate")}
        if records[org["org_id"]]["status"] != "valid":
            say(f"  {org['org_id']} ({org['name']}): its data has errors; not built (see the batch report)")
    valid = sum(r["status"] == "valid" for r in records.values())
    say(f"validated {len(orgs)} organisations: {valid} valid, {len(orgs) - valid} with errors")
    return [records[org["org_id"]] for org in orgs]


def _write_inputs(
    valid: list[dict], in_batch: int, year: int, build_dir: Path, force: bool, say, national=None
) -> tuple[dict, dict | None]:
    """Step 2: the benchmark folders of every valid organisation and the national book's inputs
    (`national`: DIR/national.yml's facts, `batchfiles.read_national`)."""
    years = {year} | {org["prev_year"] for org in valid if org["prev_year"] is not None}
    pools = batchfiles.year_pools(valid, years)
    jobs = {}
    for org in valid:
        folder = build_dir / org["org_id"] / batchfiles.BENCHMARK_FOLDER
        changed = batchfiles.sync_folder(folder, batchfiles.organisation_benchmarks(org, year, pools))
        jobs[org["org_id"]] = {
            "org_id": org["org_id"], "year": year, "data_dir": org["folder"], "build_root": str(build_dir / org["org_id"]),
            "benchmark_dir": str(folder), "force": force, "benchmarks_changed": changed,
        }  # fmt: skip
    moved = sum(job["benchmarks_changed"] for job in jobs.values())
    if year not in pools:
        say("no valid organisation: no benchmarks and no national summary")
        return jobs, None
    say(f"benchmarks {year}: from {len(valid)} organisations; changed for {moved} of them")
    input_dir = build_dir / batchfiles.NATIONAL / "input" / str(year)
    # the latest earlier year any organisation surveyed, for the changes the summary names
    earlier = max((y for y in pools if y < year), default=None)
    previous = (earlier, pools[earlier]) if earlier is not None else None
    batchfiles.sync_folder(input_dir, batchfiles.national_inputs(valid, in_batch, year, pools[year], previous, national))
    national = {"year": year, "input_dir": str(input_dir), "build_root": str(build_dir / batchfiles.NATIONAL), "force": force}
    return jobs, national


def _build_all(client, jobs: dict, national_job: dict | None, names: dict, say) -> dict[str, dict]:
    """Step 3: every book (as tasks), one progress line per book as it finishes."""
    from distributed import as_completed

    futures = {}
    if national_job:  # small and needed by everyone: first in the queue
        futures[client.submit(build_national, national_job, key=_key("book", "national"), priority=1)] = batchfiles.NATIONAL
    for org_id, job in jobs.items():
        futures[client.submit(build_organisation, job, key=_key("book", org_id))] = org_id
    say(f"building {len(futures)} books")
    done = {}
    for i, future in enumerate(as_completed(futures), start=1):
        org_id = futures[future]
        done[org_id] = _result(future, org_id, "build")
        name = "national summary" if org_id == batchfiles.NATIONAL else f"{org_id} ({names.get(org_id, '')})"
        say(f"[{i}/{len(futures)}] {name}: {batchreport.outcome(done[org_id])}")
    return done


def _record(validated: dict, built: dict | None, jobs: dict) -> dict:
    """One organisation's line of the report: validation, then its build (if it got that far)."""
    keep = ("org_id", "name", "region", "folder", "status", "stage", "problems", "report", "traceback", "warnings", "respondents")
    record = {k: validated[k] for k in keep if k in validated}
    if built is not None:
        record |= {k: v for k, v in built.items() if k != "org_id"}
        record["benchmarks_changed"] = jobs[validated["org_id"]]["benchmarks_changed"]
    return record


# ----------------------------------------------------------------------------- command line
