"""Benchmarks of the Health Check: the statistics at national scale, and the book build.

Run from the repository root with the project's virtual environment:

    .venv/bin/python benchmarks/run_benchmark.py            # everything (same as --all)
    .venv/bin/python benchmarks/run_benchmark.py --stats    # 1. statistics vs DuckDB
    .venv/bin/python benchmarks/run_benchmark.py --build    # 2. build timings

Every measured step runs in a fresh child process (this same script, ``--child <mode>``), so
imports, caches and memory of one measurement never leak into another. See
benchmarks/README.md for what each number means and the targets.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- targets

STATS_RATIO_TARGET = 2.0  # statistics of a year within 2x of DuckDB's group-by
STATS_MEMORY_TARGET_GB = 3.0  # and under 3 GB peak memory
COLD_BUILD_RATIO_TARGET = 0.6  # cold build <= 0.6 x the naive sequential build
NOOP_REBUILD_TARGET_S = 5.0  # rebuild with nothing changed < 5 s

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
THRESHOLD = 10


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
    ``counting.read_table`` gives --, ~0.3% missing; team/locality/role), and the rest are
    what ``respondents_to_counts`` / ``figures_table`` / ``breakdown`` need. ``prev_counts``
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
    """Every figure of a year: counts, figures, theme scores, three breakdowns."""
    import pandas as pd

    from healthcheck.analysis import stats
    from healthcheck.data import counts as counting

    frame, question_columns, group_columns, prev_counts, published, questions = survey
    timings = {} if timings is None else timings
    t = time.perf_counter()
    counts_year = counting.respondents_to_counts(frame, YEAR, question_columns, group_columns)
    timings["respondents_to_counts"] = time.perf_counter() - t
    t = time.perf_counter()
    counts = pd.concat([prev_counts, counts_year], ignore_index=True)
    figures = stats.figures_table(counts, published, questions, YEAR, threshold=THRESHOLD)
    timings["figures_table"] = time.perf_counter() - t
    t = time.perf_counter()
    themes = stats.theme_scores(figures)
    timings["theme_scores"] = time.perf_counter() - t
    breakdowns = {}
    for group_type in group_columns:
        t = time.perf_counter()
        breakdowns[group_type] = stats.breakdown(counts, YEAR, group_type, threshold=THRESHOLD, questions=questions)
        timings[f"breakdown({group_type})"] = time.perf_counter() - t
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
            out["rows"] = {
                "counts": len(counts_year),
                "figures": len(figures),
                "themes": len(themes),
                **{f"breakdown_{k}": len(v) for k, v in breakdowns.items()},
                "breakdown_suppressed": int(sum(v["suppressed"].sum() for v in breakdowns.values())),
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
    """Build modes: ``build`` calls healthcheck.build.build_book; ``naive`` is the baseline."""
    out = {"mode": args.child}
    t = time.perf_counter()
    if args.child == "build":
        from healthcheck.pipeline.stages import build_book

        res = build_book(args.year, data_dir=args.data_dir, build_root=args.build_root, force=args.force, progress=False)
        out["up_to_date"] = bool(res.up_to_date)
        out["pdf"] = str(res.pdf_path)
        out["chapter_seconds"] = res.chapter_seconds
        # whatever the build reports about reused chapters (the field name is the build's)
        out.update({k: v for k, v in vars(res).items() if "reuse" in k or "cached" in k})
    else:
        out.update(naive_build(args.year, Path(args.data_dir), Path(args.build_root)))
    out["wall_s"] = time.perf_counter() - t
    return out


def naive_build(year: int, data_dir: Path, root: Path) -> dict:
    """Every chapter run with papermill one after another, then jupyter-book, then the PDF."""
    import papermill as pm

    from healthcheck.pipeline.stages import read_toc

    book = root / "book"
    if book.exists():
        shutil.rmtree(book)
    book.mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", book / "_config.yml")
    shutil.copy2(ROOT / "_toc.yml", book / "_toc.yml")
    for item in (ROOT / "book").iterdir():
        if item.is_dir():
            shutil.copytree(item, book / item.name, ignore=shutil.ignore_patterns("__pycache__"))
    downloads = book / "extra" / "downloads"
    downloads.mkdir(parents=True)
    (book / "chapters").mkdir()
    work = root / "work"
    work.mkdir(exist_ok=True)
    # The kernel must be this venv's python (the kernelspec says `python`) and headless.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")

    steps = {}
    chapters = [doc.rsplit("/", 1)[-1] for doc in read_toc(ROOT / "_toc.yml")]
    on_disk = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    if sorted(chapters) != on_disk:  # "every chapter in chapters/": the toc must list them all
        chapters = on_disk
    t = time.perf_counter()
    for name in chapters:
        pm.execute_notebook(
            str(ROOT / "chapters" / f"{name}.ipynb"),
            str(book / "chapters" / f"{name}.ipynb"),
            kernel_name="python3",
            language="python",
            parameters={"year": year, "data_dir": str(data_dir), "downloads_dir": str(downloads)},
            cwd=str(work),
            progress_bar=False,
        )
    steps["papermill_s"] = time.perf_counter() - t
    jb = Path(sys.executable).parent / "jupyter-book"
    for builder in ("html", "singlehtml"):  # the PDF is printed from the single page
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(jb), "build", str(book), "--builder", builder],
            cwd=book,
            check=True,
            capture_output=True,
            text=True,
        )
        steps[f"jupyter_book_{builder}_s"] = time.perf_counter() - t
    try:
        from healthcheck.pdf import TitlePage, print_pdf
    except ImportError:
        steps["pdf"] = "skipped: healthcheck.pdf.print_pdf not importable"
        return steps
    t = time.perf_counter()
    import yaml

    settings = yaml.safe_load((data_dir / "settings.yml").read_text(encoding="utf-8"))
    single = book / "_build" / "singlehtml"
    printable = single / "report-print.html"  # links in the page are relative to the top folder
    shutil.copy2(single / "chapters" / f"{chapters[0]}.html", printable)
    print_pdf(
        printable,
        root / "report.pdf",
        TitlePage(
            organisation=str(settings.get("organisation", "")),
            title=str(settings.get("report_title", "")),
            year=year,
            service=str(settings.get("service") or ""),
            notice=str(settings.get("demonstration_notice") or ""),
        ),
    )
    steps["pdf_s"] = time.perf_counter() - t
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
    "stats": "healthcheck: respondents_to_counts + figures + themes + 3 breakdowns",
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
    print(f"\n  statistics / DuckDB group-by: {ratio:.2f}x  (target <= {STATS_RATIO_TARGET}x: {'MET' if ok_time else 'MISSED'})")
    print(
        f"  peak memory of the statistics process: {peak_gb:.2f} GiB (target < {STATS_MEMORY_TARGET_GB} GB: "
        f"{'MET' if ok_mem else 'MISSED'})"
    )
    results["stats"] = {
        "summary": summary,
        "ratio": ratio,
        "timings": {m: [r["timings"] for r in runs[m]] for m in stat_modes},
        "data_peak_kb": base_peak,
        "rows": first["rows"],
        "targets_met": ok_time and ok_mem,
    }

    if args.profile or not (ok_time and ok_mem):
        print("\n  cProfile of the statistics step (current code, fresh process; profiling slows it down):")
        prof = run_child("profile", args)
        print("\n".join("    " + ln for ln in prof["profile"].splitlines() if ln.strip()))
        results["stats"]["profile"] = prof["profile"]


# --------------------------------------------------------------------------- section 2


def section_build(args, results: dict) -> None:
    print("\n== 2. Build of the 2022 demo book ==", flush=True)
    try:
        from healthcheck.pipeline.stages import build_book  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import problem means "not available yet"
        print(f"  skipped: healthcheck.build is not importable yet ({type(exc).__name__}: {exc})")
        results["build"] = {"skipped": str(exc)}
        return
    from healthcheck.pipeline.stages import source_date_epoch

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
        with open(data / "2022" / "quotes.csv", "a", encoding="utf-8", newline="") as fh:
            fh.write('wellbeing,"A line added by the benchmark to change one quotes file.","Social worker, benchmark",yes\n')
        print("  rebuild after changing 2022/quotes.csv ...", flush=True)
        quotes = run_child("build", args, common + ["--build-root", str(build_root)], env=env)
        steps.append(("rebuild after one quotes.csv changed", quotes))
        print("  naive baseline (papermill one by one, jupyter-book, PDF; nothing reused) ...", flush=True)
        shutil.copy2(ROOT / "data" / "2022" / "quotes.csv", data / "2022" / "quotes.csv")  # same data as cold
        naive = run_child("naive", args, common + ["--build-root", str(tmp / "naive")], env=env)
        changed = sorted({k for k, _ in set(before.items()) ^ set(repository_snapshot().items())})
        steps.append(("naive baseline (sequential papermill + jupyter-book + PDF)", naive))

        rows = []
        for label, r in steps:
            detail = ""
            if "up_to_date" in r:
                detail = "reused previous build" if r["up_to_date"] else "built"
            elif "papermill_s" in r:
                detail = ", ".join(
                    f"{k[:-2]} {v:.1f} s" for k, v in r.items() if k.endswith("_s") and k not in ("wall_s", "process_wall_s")
                )
            rows.append((label, f"{r['process_wall_s']:.1f} s", detail))
        print()
        print(table(rows, ("step", "wall time (fresh process)", "detail")))
        ratio = cold["process_wall_s"] / naive["process_wall_s"]
        print(
            f"\n  cold build / naive: {ratio:.2f}  (target <= {COLD_BUILD_RATIO_TARGET}: "
            f"{'MET' if ratio <= COLD_BUILD_RATIO_TARGET else 'MISSED'})"
        )
        print(
            f"  nothing-changed rebuild: {noop['process_wall_s']:.1f} s  (target < {NOOP_REBUILD_TARGET_S} s: "
            f"{'MET' if noop['process_wall_s'] < NOOP_REBUILD_TARGET_S and noop.get('up_to_date') else 'MISSED'})"
        )
        if cold.get("chapter_seconds"):
            print("  chapter seconds in the cold build: " + ", ".join(f"{k} {v:.1f}" for k, v in cold["chapter_seconds"].items()))
        if quotes.get("chapter_seconds"):
            rerun = sorted(name for name, seconds in quotes["chapter_seconds"].items() if seconds > 0)
            print("  chapters run again after the quotes change (the rest were reused): " + ", ".join(rerun))
        if changed_during_cold or changed:
            print(
                "\n  WARNING: the repository changed while the build was being measured ("
                + ", ".join(changed[:8])
                + (", ..." if len(changed) > 8 else "")
                + "): the rebuild numbers are not valid (a code change rightly invalidates a build). Run again."
            )
        results["build"] = {label: r for label, r in steps}
        results["build_ratio"] = ratio
        results["build_repository_changed"] = changed
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
    p.add_argument("--build", action="store_true", help="2. build timings (needs healthcheck.build)")
    p.add_argument("--all", action="store_true", help="both sections (the default)")
    p.add_argument("--respondents", type=int, default=1_000_000)
    p.add_argument("--questions", type=int, default=60)
    p.add_argument("--seed", type=int, default=20240501)
    p.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (median reported)")
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
        help="dtype of the 60 answer columns: Categorical (default) or str, as counting.read_table gives",
    )
    p.add_argument(
        "--extra-duckdb", action="store_true", help="also time DuckDB as 60 GROUP BYs glued by UNION ALL (slow and memory-hungry)"
    )
    p.add_argument("--profile", action="store_true", help="always print a cProfile of the statistics step")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument("--keep-build", action="store_true", help="keep the temporary build folders")
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
    env = environment()
    print("healthcheck benchmark  " + "  ".join(f"{k}: {v}" for k, v in env.items()))
    results: dict = {"environment": env}
    if args.all or args.stats:
        section_stats(args, results)
    if args.all or args.build:
        section_build(args, results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
