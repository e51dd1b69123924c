"""Benchmarks of the Health Check: the statistics at national scale, and the book build.

Run from the repository root with the project's virtual environment:

    .venv/bin/python benchmarks/run_benchmark.py            # everything (same as --all)
    .venv/bin/python benchmarks/run_benchmark.py --stats    # 1. statistics vs DuckDB
    .venv/bin/python benchmarks/run_benchmark.py --build    # 2. build: cold vs naive, rebuilds, PDF size

Every measured step runs in a fresh child process (this same script, ``--child <mode>``), so
imports, caches and memory of one measurement never leak into another. The code measured is a
copy of the repository taken at the start (``--source``), so that other people's edits during
a run change nothing. See benchmarks/README.md for what each number means and the targets;
preview_benchmark.py measures the live preview.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The environment variable that tells a child process which source tree is measured.
SOURCE_ENV = "HEALTHCHECK_BENCH_SOURCE"
#: The source tree measured: a snapshot of the repository (see ``snapshot_source``) once the
#: parent has made one, else the repository itself.
ROOT = Path(os.environ.get(SOURCE_ENV) or REPO)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- targets

STATS_RATIO_TARGET = 2.0  # statistics of a year within 2x of DuckDB's group-by
STATS_MEMORY_TARGET_GB = 3.0  # and under 3 GB peak memory
COLD_BUILD_RATIO_TARGET = 0.35  # cold build <= 0.35 x the naive sequential build
PDF_SIZE_TARGET_MB = 3.0  # the PDF at most 3 MB (10**6 bytes)
NOOP_REBUILD_TARGET_S = 5.0  # rebuild with nothing changed < 5 s: the first issue's target, for information
QUIET_LOAD = 1.5  # "a quiet machine": 1-minute load average below this
#: The line appended to 2022/quotes.csv for "one data file changed" (theme, quote, speaker,
#: illustrative, source).
QUOTE_LINE = "wellbeing,A line added by the benchmark to change one quotes file.,Social worker,yes,focus group"

# --------------------------------------------------------------------------- synthetic survey

YEAR = 2024
PREV_YEAR = 2023
THEMES = {
    "improvement": "IMP",
    "wellbeing": "WEL",
    "practice": "PRA",
    "cpd": "CPD",
    "edi": "EDI",
    "systemic": "SYS",
}
# Labels as the survey tool writes them; "" is an empty cell. Order = category codes below.
LABELS = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
    "Don't know",
    "",
]
N_TEAMS, N_LOCALITIES, N_ROLES = 150, 12, 6
GROUP_COLUMNS = {"team": "Team", "locality": "Locality", "role": "Role"}
THRESHOLD = 10  # settings.yml suppression_threshold
CAUTION = 20  # settings.yml caution_threshold (its default)


def question_ids(n_questions: int) -> list[str]:
    """n_questions codes spread evenly over the six themes: IMP01..IMP10, WEL01, ..."""
    per_theme = -(-n_questions // len(THEMES))
    ids = [f"{prefix}{k:02d}" for prefix in THEMES.values() for k in range(1, per_theme + 1)]
    return ids[:n_questions]


def heading(qid: str) -> str:
    return f"Statement {qid}: I can say something about {qid.lower()} in my work."


def build_survey(n_respondents: int, n_questions: int, seed: int, group_dtype: str = "category", answer_dtype: str = "category"):
    """The synthetic national survey, built column by column (low transient memory).

    Returns (frame, question_columns, group_columns, prev_counts, published, questions):
    ``frame`` is one row per respondent as the export would be after reading (question
    columns Categorical of label strings -- or pandas ``str`` with ``answer_dtype="str"``, as
    ``healthcheck.data.tables.read.read_table`` gives --, ~0.3% missing; team/locality/role), and the
    rest are what ``respondents_to_counts``, ``joint_cells``, ``figures_table`` and
    ``protected_breakdowns`` need. ``prev_counts``
    is an all-staff counts table of the previous year, so the year-on-year tests run too.
    """
    import numpy as np
    import pandas as pd

    from healthcheck.data import codes as response_codes
    from healthcheck.data import counts as counting

    rng = np.random.default_rng(seed)
    ids = question_ids(n_questions)
    theme_of = {qid: theme for theme, prefix in THEMES.items() for qid in ids if qid.startswith(prefix)}

    # Groups: team sizes vary (lognormal), three tiny teams exercise the suppression rules;
    # each team sits in one locality; 0.5% of respondents left the team blank.
    weights = rng.lognormal(0.0, 0.8, N_TEAMS)
    weights[-3:] = weights.sum() * np.array([4, 8, 12]) / n_respondents
    weights /= weights.sum()
    team_names = np.array([f"Team {i + 1:03d}" for i in range(N_TEAMS)] + [""], dtype=object)
    locality_names = np.array([f"Locality {i + 1:02d}" for i in range(N_LOCALITIES)] + [""], dtype=object)
    role_names = np.array(
        ["Social worker", "Senior social worker", "Advanced practitioner", "Team manager", "Service manager", "Other", ""],
        dtype=object,
    )
    team = rng.choice(N_TEAMS, size=n_respondents, p=weights).astype(np.int16)
    blank = rng.random(n_respondents) < 0.005
    team[blank] = N_TEAMS
    team_locality = (np.arange(N_TEAMS + 1) % N_LOCALITIES).astype(np.int16)
    team_locality[N_TEAMS] = N_LOCALITIES
    locality = team_locality[team]
    role = rng.choice(len(role_names) - 1, size=n_respondents, p=[0.55, 0.2, 0.08, 0.1, 0.04, 0.03]).astype(np.int16)
    role[rng.random(n_respondents) < 0.005] = len(role_names) - 1

    def group_column(codes, names):
        if group_dtype == "category":
            return pd.Categorical.from_codes(codes, categories=list(names))
        return pd.array(names[codes], dtype="str")

    columns = {
        "Response ID": pd.array(np.char.add("R", np.arange(1, n_respondents + 1).astype("U8")), dtype="str"),
        "Team": group_column(team, team_names),
        "Locality": group_column(locality, locality_names),
        "Role": group_column(role, role_names),
    }

    # Answers: a positivity level per question, a team effect, 3% don't know, 2% blank, 0.3% NaN.
    team_shift = rng.normal(0.0, 0.08, N_TEAMS + 1)
    question_columns = {}
    for qid in ids:
        level = rng.uniform(0.35, 0.85)
        p_pos = np.clip(level + team_shift[team], 0.02, 0.98)
        u = rng.random(n_respondents)
        codes = np.full(n_respondents, 6, dtype=np.int8)  # blank
        valid = u < 0.95
        pos = valid & (u < 0.95 * p_pos)
        # positive: strongly agree 40% / agree 60%; others: neutral 40 / disagree 40 / strongly 20
        v = rng.random(n_respondents)
        codes[pos] = np.where(v[pos] < 0.4, 0, 1)
        neg = valid & ~pos
        codes[neg] = np.where(v[neg] < 0.4, 2, np.where(v[neg] < 0.8, 3, 4))
        codes[(u >= 0.95) & (u < 0.98)] = 5  # don't know
        codes[rng.random(n_respondents) < 0.003] = -1  # missing (NaN)
        name = heading(qid)
        if answer_dtype == "category":
            columns[name] = pd.Categorical.from_codes(codes, categories=LABELS)
        else:
            columns[name] = pd.array(np.append(np.array(LABELS, dtype=object), None)[codes], dtype="str")
        question_columns[name] = qid
        del u, v, pos, neg, valid, p_pos, codes
    frame = pd.DataFrame(columns, copy=False)

    # Previous year: all-staff counts only (as a counts-level export gives), 90% of the size.
    rows = []
    for qid in ids:
        n = rng.multinomial(int(n_respondents * 0.9), [0.2, 0.35, 0.15, 0.12, 0.08, 0.06, 0.02, 0.02])
        rows += [
            (PREV_YEAR, qid, "all", response_codes.ALL_STAFF, r, int(k)) for r, k in zip(response_codes.RESPONSES, n, strict=True)
        ]
    prev_counts = counting.tidy_counts(pd.DataFrame(rows, columns=counting.COUNT_COLUMNS))
    published = pd.DataFrame(
        {
            "year": pd.Series(dtype="int64"),
            "question_id": pd.Series(dtype="str"),
            "pct_positive": pd.Series(dtype=float),
            "source": pd.Series(dtype="str"),
        }
    )
    questions = pd.DataFrame(
        [
            {
                "question_id": qid,
                "year": y,
                "theme": theme_of[qid],
                "short": f"Short label {qid}",
                "wording": heading(qid),
                "series": 1,
            }
            for y in (PREV_YEAR, YEAR)
            for qid in ids
        ]
    )
    return frame, question_columns, dict(GROUP_COLUMNS), prev_counts, published, questions


def statistics_of_year(survey, timings: dict | None = None):
    """Every figure of a year, as a book computes them (``healthcheck.analysis.survey``):

    the counts (``respondents_to_counts``) and the joint team x locality x role cells
    (``joint_cells``) from the respondent rows, the figures table, the theme scores, and the
    team, locality and role breakdowns protected together (``protected_breakdowns``: primary
    suppression and LP-chosen secondary suppression over the linked tables).
    """
    import pandas as pd

    from healthcheck.analysis import stats
    from healthcheck.analysis.breakdowns import protected_breakdowns
    from healthcheck.data import counts as counting
    from healthcheck.data.cells import joint_cells

    frame, question_columns, group_columns, prev_counts, published, questions = survey
    timings = {} if timings is None else timings
    t = time.perf_counter()
    counts_year = counting.respondents_to_counts(frame, YEAR, question_columns, group_columns)
    timings["respondents_to_counts"] = time.perf_counter() - t
    t = time.perf_counter()
    cells = joint_cells(frame, YEAR, question_columns, group_columns)
    timings["joint_cells"] = time.perf_counter() - t
    t = time.perf_counter()
    counts = pd.concat([prev_counts, counts_year], ignore_index=True)
    figures = stats.figures_table(counts, published, questions, YEAR, threshold=THRESHOLD)
    timings["figures_table"] = time.perf_counter() - t
    t = time.perf_counter()
    themes = stats.theme_scores(figures)
    timings["theme_scores"] = time.perf_counter() - t
    t = time.perf_counter()
    breakdowns = protected_breakdowns(cells, questions, YEAR, list(group_columns), threshold=THRESHOLD, caution=CAUTION)
    timings["protected_breakdowns"] = time.perf_counter() - t
    return counts_year, figures, themes, breakdowns


def duckdb_sql(question_headings: list[str], variant: str) -> str:
    cols = ", ".join('"' + h.replace('"', '""') + '"' for h in question_headings)
    # INCLUDE NULLS: a missing answer is counted (as blank), as respondents_to_counts does.
    unpivot = f"(SELECT * FROM responses UNPIVOT INCLUDE NULLS (response FOR question IN ({cols})))"
    if variant == "unpivot":  # the reference: all-staff counts per question and response
        return f"SELECT question, response, count(*) AS n FROM {unpivot} GROUP BY question, response"
    if variant == "unpivot-groups":  # like for like: all staff + team + locality + role
        return (
            f'SELECT question, "Team", "Locality", "Role", response, count(*) AS n FROM {unpivot} '
            'GROUP BY GROUPING SETS ((question, response), (question, "Team", response), '
            '(question, "Locality", response), (question, "Role", response))'
        )
    if variant == "union":  # the same counts as one group-by per column, glued together
        parts = [
            f"SELECT '{h.replace(chr(39), chr(39) * 2)}' AS question, \"{h}\"::VARCHAR AS response, count(*) AS n "
            f"FROM responses GROUP BY ALL"
            for h in question_headings
        ]
        return " UNION ALL ".join(parts)
    raise ValueError(variant)


# --------------------------------------------------------------------------- memory


def _proc_status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


# --------------------------------------------------------------------------- child processes


def child_main(args) -> dict:
    """One measurement in this (fresh) process; returns a JSON-able dict."""
    mode = args.child
    if mode in ("build", "naive"):
        return child_build(args)

    # Libraries are imported before anything is measured: an import is not part of a statistic.
    import duckdb  # noqa: F401
    import pandas

    from healthcheck.analysis import stats  # noqa: F401
    from healthcheck.data import counts  # noqa: F401

    t = time.perf_counter()
    survey = build_survey(args.respondents, args.questions, args.seed, args.group_dtype, args.answer_dtype)
    frame = survey[0]
    data_s = time.perf_counter() - t
    gc.collect()
    out = {
        "mode": mode,
        "data_s": data_s,
        "data_rss_kb": _proc_status_kb("VmRSS"),
        "data_peak_kb": _maxrss_kb(),
        "frame_mb": frame.memory_usage(deep=False).sum() / 2**20,
    }
    if mode == "data":
        out["peak_kb"] = _maxrss_kb()
        return out

    if mode in ("duckdb", "duckdb-groups", "duckdb-union"):
        import duckdb

        con = duckdb.connect()
        out["duckdb_threads"] = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        variant = {"duckdb": "unpivot", "duckdb-groups": "unpivot-groups", "duckdb-union": "union"}[mode]
        sql = duckdb_sql(list(survey[1]), variant)
        reset_ok = _reset_peak()
        start_rss = _proc_status_kb("VmRSS")
        t = time.perf_counter()
        con.register("responses", frame)
        result = con.execute(sql).df()
        out["step_s"] = time.perf_counter() - t
        out["rows"] = len(result)
        if variant != "unpivot-groups":
            check: dict[str, int] = {}
            for q, r, n in result[["question", "response", "n"]].itertuples(index=False):
                key = f"{q}|{'' if r is None or r != r else r}"  # NULL (missing) is a blank answer
                check[key] = check.get(key, 0) + int(n)
            out["check"] = check
    else:  # stats or profile
        reset_ok = _reset_peak()
        start_rss = _proc_status_kb("VmRSS")
        timings: dict[str, float] = {}
        t = time.perf_counter()
        if mode == "profile":
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            counts_year, *_ = statistics_of_year(survey, timings)
            profiler.disable()
            import io as _io

            buf = _io.StringIO()
            ps = pstats.Stats(profiler, stream=buf)
            ps.sort_stats("cumulative").print_stats(25)
            ps.sort_stats("tottime").print_stats(20)
            out["profile"] = buf.getvalue()
        else:
            counts_year, figures, themes, breakdowns = statistics_of_year(survey, timings)
            reasons = breakdowns.loc[breakdowns["suppressed"], "reason"]
            out["rows"] = {
                "counts": len(counts_year),
                "figures": len(figures),
                "themes": len(themes),
                **{f"breakdown_{k}": int((breakdowns["group_type"] == k).sum()) for k in survey[2]},
                "hidden_primary": int(reasons.str.startswith("fewer").sum()),
                "hidden_secondary": int((~reasons.str.startswith("fewer")).sum()),
            }
        out["step_s"] = time.perf_counter() - t
        out["timings"] = timings
        out["counts_hash"] = str(int(pandas.util.hash_pandas_object(counts_year, index=True).sum()))
        heading_of = {qid: h for h, qid in survey[1].items()}
        alls = counts_year.loc[counts_year["group_type"] == "all"]
        out["check"] = {
            f"{heading_of[q]}|{r}": int(n) for q, r, n in alls[["question_id", "response", "n"]].itertuples(index=False)
        }
    out["reset_peak"] = reset_ok
    out["start_rss_kb"] = start_rss
    out["step_peak_kb"] = _proc_status_kb("VmHWM") if reset_ok else None
    out["peak_kb"] = _maxrss_kb()
    return out


def child_build(args) -> dict:
    """Build modes: ``build`` calls ``build_book`` (the build as shipped); ``naive`` is the baseline."""
    out = {"mode": args.child}
    t = time.perf_counter()
    if args.child == "build":
        from healthcheck.pipeline.stages import build_book

        res = build_book(args.year, data_dir=args.data_dir, build_root=args.build_root, force=args.force, progress=False)
        out["up_to_date"] = bool(res.up_to_date)
        out["pdf"] = str(res.pdf_path)
        out["pdf_bytes"] = res.pdf_path.stat().st_size
        out["chapter_seconds"] = res.chapter_seconds
    else:
        out.update(naive_build(args.year, Path(args.data_dir), Path(args.build_root)))
    out["wall_s"] = time.perf_counter() - t
    return out


def naive_build(year: int, data_dir: Path, root: Path) -> dict:
    """The same book the plainest way: every chapter of the expanded table of contents run with
    plain papermill (its own engine, a new kernel each), one after another; then
    ``jupyter-book build`` for the website and for the single page; then the PDF.

    Same chapters and same parameters as ``build_book`` gives them (year, data folder, theme,
    downloads folder); not the build's own helpers (``survey_file``, the pickled survey it
    loaded once, and ``reads_file``, the list of files read for its cache), so each chapter
    loads the data itself, as a chapter run on its own does. Nothing is reused.
    """
    import papermill as pm

    from healthcheck.data.config import load_bank, load_settings
    from healthcheck.pipeline import book as jb
    from healthcheck.pipeline import staging

    steps: dict = {}
    t = time.perf_counter()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # The table of contents with one theme chapter per theme of the bank, and the same
    # _config.yml the build writes (title and author from settings.yml).
    settings = load_settings(data_dir)
    themes = list(load_bank(data_dir).themes)
    toc = jb.expand_toc(jb.load_toc(jb.TOC_PATH), themes)
    docs = jb.documents(toc, jb.TOC_PATH)
    book = jb.write_book(root, settings, year, toc, jb.CONFIG_PATH, jb.BOOK_ASSETS_DIR)
    downloads = book / "extra" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    work = root / "work"
    work.mkdir()
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or staging.source_date_epoch()
    # What the build's kernels get too: this venv's python for the `python3` kernelspec, a
    # headless matplotlib, the build date.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    steps["setup_s"] = time.perf_counter() - t

    chapter_seconds = {}
    t = time.perf_counter()
    for doc in docs:
        name = doc.rsplit("/", 1)[-1]
        notebook, parameters = name, {}
        if name.startswith(f"{jb.THEME_CHAPTER}-"):
            notebook, parameters = jb.THEME_CHAPTER, {"theme": name[len(jb.THEME_CHAPTER) + 1 :]}
        output = book / f"{doc}.ipynb"
        output.parent.mkdir(parents=True, exist_ok=True)
        c = time.perf_counter()
        pm.execute_notebook(
            str(ROOT / "chapters" / f"{notebook}.ipynb"),
            str(output),
            kernel_name="python3",
            language="python",
            parameters={"year": year, "data_dir": str(data_dir), "downloads_dir": str(downloads), **parameters},
            cwd=str(work),
            progress_bar=False,
        )
        chapter_seconds[name] = round(time.perf_counter() - c, 2)
    steps["papermill_s"] = time.perf_counter() - t
    steps["chapter_seconds"] = chapter_seconds

    jupyter_book = [sys.executable, str(Path(sys.executable).parent / "jupyter-book")]
    for builder in ("html", "singlehtml"):  # the PDF is printed from the single page
        t = time.perf_counter()
        subprocess.run(
            jupyter_book + ["build", str(book), "--builder", builder], cwd=book, check=True, capture_output=True, text=True
        )
        steps[f"jupyter_book_{builder}_s"] = time.perf_counter() - t

    from healthcheck.pipeline.pdf.printing import TitlePage, print_pdf

    t = time.perf_counter()
    single = book / "_build" / "singlehtml"
    printable = single / "report-print.html"  # links in the page are relative to the top folder
    shutil.copy2(single / f"{docs[0]}.html", printable)
    pdf = root / "report.pdf"
    print_pdf(
        printable,
        pdf,
        TitlePage(
            organisation=settings.organisation.strip(),
            title=settings.report_title.strip(),
            year=year,
            service=settings.service.strip(),
            notice=settings.demonstration_notice.strip(),
        ),
        epoch=epoch,
    )
    steps["pdf_s"] = time.perf_counter() - t
    steps["pdf_bytes"] = pdf.stat().st_size
    return steps


def run_child(mode: str, args, extra: list[str] | None = None, timeout: float = 3600, env: dict | None = None) -> dict:
    """Run this script in a fresh process in ``mode`` and return its result dict (plus wall_s)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--respondents",
        str(args.respondents),
        "--questions",
        str(args.questions),
        "--seed",
        str(args.seed),
        "--group-dtype",
        args.group_dtype,
        "--answer-dtype",
        args.answer_dtype,
    ] + (extra or [])
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"child {mode} failed (exit {proc.returncode}):\n{tail}")
    result = json.loads(lines[-1][len("RESULT ") :])
    result["process_wall_s"] = wall
    return result


# --------------------------------------------------------------------------- the code measured, the load


@contextmanager
def measured_source(kind: str):
    """Measure a copy of the code, so that other people's edits during a run change nothing.

    ``worktree``: the working tree as it is at the start (uncommitted and new files included);
    ``head``: the last commit (``git archive HEAD``); ``live``: the repository itself, no copy. The copy is put
    first on ``PYTHONPATH`` of every child process (chapter kernels and jupyter-book included),
    ahead of the editable install, and its ``chapters/``, ``book/``, ``_toc.yml`` and ``data/``
    are the ones used. Yields a description: kind, commit, whether the working tree differed.
    """
    global ROOT
    git = ["git", "-C", str(REPO)]
    commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout)
    info = {"kind": kind, "commit": commit or "unknown", "working_tree_differs_from_commit": dirty}
    if kind == "live":
        yield {**info, "path": str(REPO)}
        return
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-source-"))
    src = tmp / "src"
    try:
        if kind == "head":
            archive = subprocess.run(git + ["archive", "--format=tar", "HEAD"], capture_output=True, check=True).stdout
            src.mkdir()
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(src, filter="data")
        else:
            skip = (".git", ".venv", "_build", "node_modules", "__pycache__", "*.egg-info", ".*_cache")
            shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*skip), symlinks=True)
        previous = {k: os.environ.get(k) for k in (SOURCE_ENV, "PYTHONPATH")}
        os.environ[SOURCE_ENV] = str(src)
        os.environ["PYTHONPATH"] = os.pathsep.join(x for x in (str(src), os.environ.get("PYTHONPATH")) if x)
        ROOT = src
        sys.path.insert(0, str(src))
        info["path"] = str(src)
        try:
            yield info
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            ROOT = REPO
            sys.path.remove(str(src))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def fmt_load(load: list[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load) + " (1, 5, 15 min)"


def wait_until_quiet(limit_s: float, threshold: float = QUIET_LOAD, every_s: float = 30) -> dict:
    """Wait (``uptime`` every 30 s, at most ``limit_s``) for the 1-minute load average to fall below
    ``threshold``. Returns whether it did, the load last seen and the seconds waited."""
    start = time.monotonic()
    while True:
        line = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        load = load_average()
        waited = time.monotonic() - start
        print(f"  [{waited:5.0f} s] {line}", flush=True)
        if load[0] < threshold:
            print(f"  quiet enough (1-minute load {load[0]:.2f} < {threshold}) after {waited:.0f} s", flush=True)
            return {"quiet": True, "load": load, "waited_s": round(waited)}
        if waited + every_s > limit_s:
            print(
                f"  WARNING: the 1-minute load average stayed at or above {threshold} for {waited:.0f} s; "
                f"measuring anyway at load {load[0]:.2f}",
                flush=True,
            )
            return {"quiet": False, "load": load, "waited_s": round(waited)}
        time.sleep(every_s)


def append_line(path: Path, line: str) -> None:
    """Append one line to a text file as an editor would save it (a newline first if it lacked one)."""
    text = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write((b"" if not text or text.endswith(b"\n") else b"\n") + line.encode("utf-8") + b"\n")


# --------------------------------------------------------------------------- reporting helpers


def gb(kb: float | None) -> str:
    return "n/a" if kb is None else f"{kb / 2**20:.2f} GiB"


def mb(kb: float | None) -> str:
    return "n/a" if kb is None else f"{kb / 2**10:,.0f} MiB"


def table(rows: list[tuple], headers: tuple) -> str:
    cells = [tuple(str(c) for c in headers)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(out)


def environment() -> dict:
    import duckdb
    import numpy
    import pandas

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "duckdb": duckdb.__version__,
        "cpus": os.cpu_count(),
        "memory": mem,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def compare_checks(ours: dict, duck: dict) -> str:
    """Cross-check: DuckDB's raw label counts, normalised, equal our all-staff counts."""
    from healthcheck.data import codes

    mapped: dict[str, int] = {}
    for key, n in duck.items():
        h, label = key.rsplit("|", 1)
        code = codes.normalise_label(label) or "unknown"
        mapped[f"{h}|{code}"] = mapped.get(f"{h}|{code}", 0) + n
    return "identical" if mapped == ours else f"DIFFERENT ({len(set(mapped.items()) ^ set(ours.items()))} cells)"


# --------------------------------------------------------------------------- section 1

LABELS_OF_MODES = {
    "stats": "healthcheck: counts + joint cells + figures + themes + protected breakdowns",
    "duckdb": "DuckDB: UNPIVOT + GROUP BY question, response (the reference)",
    "duckdb-groups": "DuckDB: UNPIVOT + GROUPING SETS all/team/locality/role",
    "duckdb-union": "DuckDB: 60 GROUP BYs glued by UNION ALL (same counts)",
}


def section_stats(args, results: dict) -> None:
    print(
        f"\n== 1. Statistics at national scale: {args.respondents:,} respondents x {args.questions} statements, "
        f"{N_TEAMS} teams, {N_LOCALITIES} localities, {N_ROLES} roles (seed {args.seed}; answers as "
        f"{args.answer_dtype}, groups as {args.group_dtype}); {args.repeat} fresh process(es) per measurement ==",
        flush=True,
    )
    load_start = load_average()
    print(f"  load average at start: {fmt_load(load_start)}", flush=True)
    modes = ["data", "stats"]
    modes += ["duckdb", "duckdb-groups"] + (["duckdb-union"] if args.extra_duckdb else [])
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    for i in range(args.repeat):  # interleaved, so a burst of load elsewhere hits all alike
        for mode in modes:
            print(f"  run {i + 1}/{args.repeat}: {mode} ...", flush=True)
            runs[mode].append(run_child(mode, args))

    def med(mode, key):
        return statistics.median(r[key] for r in runs[mode])

    def worst(mode, key):
        vals = [r.get(key) for r in runs[mode]]
        return None if any(v is None for v in vals) else max(vals)

    base_peak = worst("data", "peak_kb")
    rows = []
    summary = {}
    for mode in modes[1:]:
        step = med(mode, "step_s")
        peak = worst(mode, "peak_kb")
        step_peak = worst(mode, "step_peak_kb")
        start = worst(mode, "start_rss_kb")
        inc_hwm = None if step_peak is None else step_peak - start
        inc_base = peak - base_peak
        times = [r["step_s"] for r in runs[mode]]
        ratio = step / med("duckdb", "step_s")
        rows.append(
            (
                LABELS_OF_MODES[mode],
                f"{step:.2f} s",
                f"{min(times):.2f}-{max(times):.2f} s",
                f"{ratio:.2f}x",
                gb(peak),
                mb(inc_hwm),
                mb(inc_base),
            )
        )
        summary[mode] = {
            "median_s": step,
            "all_s": times,
            "ratio_to_duckdb": ratio,
            "peak_kb": peak,
            "step_peak_kb": step_peak,
            "increment_in_step_kb": inc_hwm,
            "increment_vs_data_only_child_kb": inc_base,
        }
    print()
    print(table(rows, ("step", "median", "range", "/ DuckDB", "peak RSS", "increment in step", "increment vs data-only child")))
    d = runs["data"][0]
    print(
        f"\n  data-only child: data built in {med('data', 'data_s'):.1f} s, DataFrame {d['frame_mb']:.0f} MiB, "
        f"RSS after build {mb(d['data_rss_kb'])}, peak RSS {mb(base_peak)}. DuckDB threads: "
        f"{runs['duckdb'][0].get('duckdb_threads')} (healthcheck runs on one core)."
    )
    first = runs["stats"][0]
    print(f"  rows produced: {first['rows']}")
    print("\n  the statistics step by function, median seconds:")
    stat_modes = ["stats"]
    print("    " + f"{'':<24}" + "".join(f"{m:>16}" for m in stat_modes))
    for key in first["timings"]:
        print(
            "    " + f"{key:<24}" + "".join(f"{statistics.median(r['timings'][key] for r in runs[m]):16.3f}" for m in stat_modes)
        )
    checks = [f"vs DuckDB UNPIVOT {compare_checks(first['check'], runs['duckdb'][0]['check'])}"]
    if "duckdb-union" in runs:
        checks.append(f"vs DuckDB UNION ALL {compare_checks(first['check'], runs['duckdb-union'][0]['check'])}")
    print("\n  cross-checks of the all-staff counts: " + "; ".join(checks))

    ratio = summary["stats"]["ratio_to_duckdb"]
    peak_gb = summary["stats"]["peak_kb"] / 2**20
    ok_time = ratio <= STATS_RATIO_TARGET
    ok_mem = peak_gb < STATS_MEMORY_TARGET_GB
    # For information: the same step without the disclosure protection (the LPs), i.e. the counting.
    counting_s = statistics.median(r["step_s"] - r["timings"]["protected_breakdowns"] for r in runs["stats"])
    counting_ratio = counting_s / med("duckdb", "step_s")
    load_end = load_average()
    print(f"\n  statistics / DuckDB group-by: {ratio:.2f}x  (target <= {STATS_RATIO_TARGET}x: {'MET' if ok_time else 'MISSED'})")
    print(
        f"  peak memory of the statistics process: {peak_gb:.2f} GiB (target < {STATS_MEMORY_TARGET_GB} GB: "
        f"{'MET' if ok_mem else 'MISSED'})"
    )
    print(
        f"  for information, without protected_breakdowns (the counting alone): {counting_s:.2f} s, "
        f"{counting_ratio:.2f}x DuckDB's group-by"
    )
    print(f"  load average at end: {fmt_load(load_end)}")
    results["stats"] = {
        "summary": summary,
        "ratio": ratio,
        "counting_only_s": counting_s,
        "counting_only_ratio": counting_ratio,
        "timings": {m: [r["timings"] for r in runs[m]] for m in stat_modes},
        "data_peak_kb": base_peak,
        "rows": first["rows"],
        "targets_met": {"ratio": ok_time, "memory": ok_mem},
        "load_average": {"start": load_start, "end": load_end},
    }

    if args.profile or not (ok_time and ok_mem):
        print("\n  cProfile of the statistics step (current code, fresh process; profiling slows it down):")
        prof = run_child("profile", args)
        print("\n".join("    " + ln for ln in prof["profile"].splitlines() if ln.strip()))
        results["stats"]["profile"] = prof["profile"]


# --------------------------------------------------------------------------- section 2


def section_build(args, results: dict) -> None:
    print("\n== 2. Build of the 2022 demo book ==", flush=True)
    from healthcheck.pipeline.staging import source_date_epoch

    load_start = load_average()
    print(f"  load average at start: {fmt_load(load_start)}", flush=True)
    # Pinned, so that a commit landing during the benchmark does not count as a change.
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH") or source_date_epoch())
    before = repository_snapshot()
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-build-"))
    try:
        data = tmp / "data"
        shutil.copytree(ROOT / "data", data)
        build_root = tmp / "build"
        common = ["--year", "2022", "--data-dir", str(data)]
        steps = []
        print("  cold build (build_book, empty build root) ...", flush=True)
        cold = run_child("build", args, common + ["--build-root", str(build_root)], env=env)
        changed_during_cold = sorted(set(before.items()) ^ set(repository_snapshot().items()))
        steps.append(("cold build (build_book, nothing cached)", cold))
        print("  rebuild, nothing changed ...", flush=True)
        noop = run_child("build", args, common + ["--build-root", str(build_root)], env=env)
        steps.append(("rebuild, nothing changed", noop))
        append_line(data / "2022" / "quotes.csv", QUOTE_LINE)
        print("  rebuild after changing 2022/quotes.csv ...", flush=True)
        quotes = run_child("build", args, common + ["--build-root", str(build_root)], env=env)
        steps.append(("rebuild after one quotes.csv changed", quotes))
        print("  naive baseline (plain papermill one chapter after another, jupyter-book, PDF; nothing reused) ...", flush=True)
        shutil.copy2(ROOT / "data" / "2022" / "quotes.csv", data / "2022" / "quotes.csv")  # same data as cold
        naive = run_child("naive", args, common + ["--build-root", str(tmp / "naive")], env=env)
        steps.append(("naive baseline (sequential papermill + jupyter-book + PDF)", naive))
        # On a noisy machine one pair can be seconds off either way: more pairs, each with
        # nothing built, and the target is judged on their median ratio.
        pairs = [(cold["process_wall_s"], naive["process_wall_s"])]
        for k in range(2, args.pairs + 1):
            print(f"  pair {k} of {args.pairs}: cold build, then naive baseline ...", flush=True)
            again = run_child("build", args, common + ["--build-root", str(tmp / f"build-{k}")], env=env)
            base = run_child("naive", args, common + ["--build-root", str(tmp / f"naive-{k}")], env=env)
            pairs.append((again["process_wall_s"], base["process_wall_s"]))
        changed = sorted({k for k, _ in set(before.items()) ^ set(repository_snapshot().items())})
        load_end = load_average()

        rows = []
        for label, r in steps:
            detail = ""
            if "up_to_date" in r:
                detail = "reused the previous build" if r["up_to_date"] else "built"
            elif "papermill_s" in r:
                detail = ", ".join(
                    f"{k[:-2]} {v:.1f} s"
                    for k, v in r.items()
                    if k.endswith("_s") and k not in ("wall_s", "process_wall_s", "setup_s")
                )
            rows.append((label, f"{r['process_wall_s']:.1f} s", detail))
        print()
        print(table(rows, ("step", "wall time (fresh process)", "detail")))
        ratios = [c / n for c, n in pairs]
        ratio = statistics.median(ratios)
        ok_ratio = ratio <= COLD_BUILD_RATIO_TARGET
        ok_noop = noop["process_wall_s"] < NOOP_REBUILD_TARGET_S and bool(noop.get("up_to_date"))
        pdf_mb = cold["pdf_bytes"] / 1e6
        ok_pdf = pdf_mb <= PDF_SIZE_TARGET_MB
        same = sorted(cold["chapter_seconds"]) == sorted(naive["chapter_seconds"])
        if len(pairs) > 1:
            each = "; ".join(f"{c:.1f} s, {n:.1f} s, {c / n:.3f}" for c, n in pairs)
            print(f"\n  pairs (cold build, naive baseline, ratio): {each}")
        print(
            f"\n  cold build / naive: {ratio:.3f}{f' (median of {len(pairs)} pairs)' if len(pairs) > 1 else ''}  "
            f"(target <= {COLD_BUILD_RATIO_TARGET}: {'MET' if ok_ratio else 'MISSED'})"
        )
        print(
            f"  PDF of the cold build: {pdf_mb:.2f} MB ({cold['pdf_bytes']:,} bytes; target <= {PDF_SIZE_TARGET_MB} MB: "
            f"{'MET' if ok_pdf else 'MISSED'}); the naive build's PDF: {naive['pdf_bytes'] / 1e6:.2f} MB"
        )
        print(
            f"  nothing-changed rebuild: {noop['process_wall_s']:.1f} s  (for information: the first issue asked "
            f"< {NOOP_REBUILD_TARGET_S} s: {'met' if ok_noop else 'missed'})"
        )
        print(
            f"  same chapters in both: {'yes' if same else 'NO'} ({len(cold['chapter_seconds'])} in the build, "
            f"{len(naive['chapter_seconds'])} in the naive baseline)"
        )
        print("  chapter seconds in the cold build: " + ", ".join(f"{k} {v:.1f}" for k, v in cold["chapter_seconds"].items()))
        print("  chapter seconds in the naive build: " + ", ".join(f"{k} {v:.1f}" for k, v in naive["chapter_seconds"].items()))
        rerun = sorted(name for name, seconds in quotes["chapter_seconds"].items() if seconds > 0)
        print("  chapters run again after the quotes change (the rest were reused): " + ", ".join(rerun))
        print(f"  load average at end: {fmt_load(load_end)}")
        if changed_during_cold or changed:
            print(
                "\n  WARNING: the measured source tree changed while the build was being measured ("
                + ", ".join(changed[:8])
                + (", ..." if len(changed) > 8 else "")
                + "): the rebuild numbers are not valid (a code change rightly invalidates a build). Run again."
            )
        results["build"] = {
            "steps": {label: r for label, r in steps},
            "ratio": ratio,
            "pairs": [{"cold_s": c, "naive_s": n, "ratio": c / n} for c, n in pairs],
            "pdf_bytes": cold["pdf_bytes"],
            "same_chapters": same,
            "targets_met": {"ratio": ok_ratio, "pdf": ok_pdf, "noop_rebuild": ok_noop},
            "load_average": {"start": load_start, "end": load_end},
            "source_changed": changed,
        }
    finally:
        if args.keep_build:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def repository_snapshot() -> dict[str, tuple[int, int]]:
    """(mtime, size) of everything a build depends on in the repository, to detect edits."""
    files = [ROOT / name for name in ("_config.yml", "_toc.yml", "requirements.txt", "pyproject.toml")]
    for folder in ("healthcheck", "chapters", "book"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    snap = {}
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        snap[str(path.relative_to(ROOT))] = (st.st_mtime_ns, st.st_size)
    return snap


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stats", action="store_true", help="1. statistics at national scale vs DuckDB")
    p.add_argument("--build", action="store_true", help="2. build: cold vs naive, rebuilds, PDF size")
    p.add_argument("--all", action="store_true", help="both sections (the default)")
    p.add_argument("--respondents", type=int, default=1_000_000)
    p.add_argument("--questions", type=int, default=60)
    p.add_argument("--seed", type=int, default=20240501)
    p.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (median reported)")
    p.add_argument(
        "--pairs", type=int, default=3, help="build: cold build and naive baseline measured this many times (median ratio)"
    )
    p.add_argument(
        "--group-dtype",
        choices=("category", "str"),
        default="category",
        help="dtype of the team/locality/role columns: Categorical (default) or str",
    )
    p.add_argument(
        "--answer-dtype",
        choices=("category", "str"),
        default="category",
        help="dtype of the 60 answer columns: Categorical (default) or str, as healthcheck.data.tables.read.read_table gives",
    )
    p.add_argument(
        "--extra-duckdb", action="store_true", help="also time DuckDB as 60 GROUP BYs glued by UNION ALL (slow and memory-hungry)"
    )
    p.add_argument("--profile", action="store_true", help="always print a cProfile of the statistics step")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument("--keep-build", action="store_true", help="keep the temporary build folders")
    p.add_argument(
        "--source",
        choices=("worktree", "head", "live"),
        default="worktree",
        help="the code measured: a copy of the working tree taken at the start (default), a snapshot of the "
        "last commit, or the repository itself (edits by others during the run then change what is measured)",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="MINUTES",
        help=f"first wait up to MINUTES for the 1-minute load average to fall below {QUIET_LOAD} (uptime every 30 s)",
    )
    # internal: one measurement in a child process
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--year", type=int, default=2022, help=argparse.SUPPRESS)
    p.add_argument("--data-dir", help=argparse.SUPPRESS)
    p.add_argument("--build-root", help=argparse.SUPPRESS)
    p.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child_main(args)
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return 0
    if not (args.stats or args.build):
        args.all = True
    results: dict = {}
    if args.wait_quiet:
        results["wait_quiet"] = wait_until_quiet(args.wait_quiet * 60)
    with measured_source(args.source) as source:
        env = environment()
        env["source"] = source
        print("healthcheck benchmark  " + "  ".join(f"{k}: {v}" for k, v in env.items()), flush=True)
        results["environment"] = env
        if args.all or args.stats:
            section_stats(args, results)
        if args.all or args.build:
            section_build(args, results)
        results["load_average_at_end"] = load_average()
        print(f"\nload average at the end: {fmt_load(results['load_average_at_end'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
