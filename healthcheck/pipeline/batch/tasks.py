"""The tasks of a national batch: what runs on a Dask worker for one organisation.

Every task returns a plain dict and never raises for a problem of the organisation's own
(bad data, a chapter that fails, a PDF that cannot be printed): one organisation's failure is
recorded and the others go on. Each build task also measures what it cost: wall time, CPU
seconds of the worker and every process it started (chapter workers, kernels, jupyter-book,
Chromium), and the peak memory of that process tree.
"""

from __future__ import annotations

import resource
import threading
import time
import traceback
from pathlib import Path

import pandas as pd

from healthcheck.errors import DataError, HealthcheckError, Problem, display_path, format_report


def _failure(stage: str, exc: BaseException) -> dict:
    """A failed task's record: the DataError's problems as `format_report` gives them, or the message."""
    if isinstance(exc, DataError):
        return {
            "status": "failed",
            "stage": stage,
            "problems": [str(p) for p in exc.problems],
            "report": format_report(exc.problems),
        }
    if isinstance(exc, HealthcheckError):
        return {"status": "failed", "stage": stage, "problems": [], "report": str(exc)}
    if isinstance(exc, OSError):
        from healthcheck.errors import environment_message

        return {"status": "failed", "stage": stage, "problems": [], "report": environment_message(exc)}
    detail = "".join(traceback.format_exception(exc))
    return {
        "status": "failed",
        "stage": stage,
        "problems": [],
        "report": f"internal error ({type(exc).__name__}: {exc}); this is a fault in healthcheck, not in the data",
        "traceback": detail,
    }


# ----------------------------------------------------------------------------- validation


def validate_organisation(org: dict, year: int) -> dict:
    """Check one organisation's data folder (`checks.check_year`) and return its all-staff figures of every year.

    `org`: org_id, name, region (from the batch's list) and folder. On success the record
    holds `figures` ({year: question_id, n_positive, n_valid}), its previous survey year,
    respondents, question labels and the settings the national book needs.
    """
    from healthcheck.pipeline.checks import check_year

    base = {key: org[key] for key in ("org_id", "name", "region", "folder")}
    folder = Path(org["folder"])
    try:
        if not folder.is_dir():
            raise DataError([Problem(str(folder), None, None, None, "a data folder for this organisation (DIR/<org_id>/)")])
        # The same checks as `validate` and `build` (pipeline.checks): an organisation the
        # build would refuse fails here, with the same problems, before its book is started.
        checked = check_year(folder, year)
        checked.refuse()
        survey = checked.survey
        problems = identity_problems(survey.settings, org, folder)
        if problems:
            raise DataError(problems)
    except Exception as exc:  # noqa: BLE001 - recorded: one organisation never stops the others
        return base | _failure("validate", exc)
    figures = {y: all_staff(survey.figures(y)) for y in survey.year_list}
    earlier = [y for y in survey.year_list if y < year]
    this_year = survey.figures(year)
    questions = pd.DataFrame(
        {
            "question_id": this_year["question_id"],
            "theme": this_year["theme"],
            "theme_title": this_year["theme"].map(survey.bank.theme_title),
            "short": this_year["short"],
        }
    )
    order = {code: i for i, code in enumerate(survey.bank.themes)}
    questions = questions.sort_values("theme", key=lambda s: s.map(order), kind="stable")
    settings = survey.settings
    prev = earlier[-1] if earlier else None
    return base | {
        "status": "valid",
        "figures": figures,
        "prev_year": prev,
        "reworded": reworded(survey.questions, year, prev),
        "respondents": int(survey.years[year].n_respondents or 0),
        "questions": questions.reset_index(drop=True),
        "report_title": settings.report_title.strip(),
        "notice": " ".join(settings.demonstration_notice.split()),
        "threshold": int(settings.suppression_threshold),
        "warnings": [str(p) for p in survey.years[year].warnings],
    }


def reworded(questions: pd.DataFrame, year: int, prev_year: int | None) -> list[str]:
    """The statements asked in `year` and in `prev_year` in different words (another series):
    the national summary does not test their change (present/change.py: wording changed)."""
    if prev_year is None:
        return []
    now = questions[questions["year"] == year].set_index("question_id")["series"]
    before = questions[questions["year"] == prev_year].set_index("question_id")["series"]
    both = now.index.intersection(before.index)
    return sorted(str(q) for q in both if now[q] != before[q])


def identity_problems(settings, org: dict, folder: Path) -> list[Problem]:
    """settings.yml must carry the organisation's org_id and region exactly as the batch's list has them."""
    shown = display_path(folder / "settings.yml", folder)
    problems = []
    for key in ("org_id", "region"):
        found = getattr(settings, key).strip()
        if found != org[key]:
            expected = f"{org[key]!r}, as in the batch's organisations.csv (each report names its own id and region)"
            problems.append(Problem(shown, None, key, found, expected))
    return problems


def all_staff(figures: pd.DataFrame) -> pd.DataFrame:
    """The all-staff counts of the figures computed from survey counts (published-only figures
    have no counts to pool).

    A figure the organisation's own report suppresses (fewer valid responses than its
    threshold: the figures table blanks its positives) is given as 0 of 0: "no shown figure".
    For the benchmarks, ranks and comparisons that is the same as any figure under the batch's
    threshold, and no hidden count leaves the organisation's report through the files that
    every other organisation's build reads.
    """
    counted = figures[(figures["basis"] == "counts") & figures["n_valid"].notna()]
    hidden = counted["n_positive"].isna() | counted["suppressed"].astype(bool)
    return pd.DataFrame(
        {
            "question_id": counted["question_id"].astype(str),
            "n_positive": counted["n_positive"].mask(hidden, 0).astype("int64"),
            "n_valid": counted["n_valid"].mask(hidden, 0).astype("int64"),
        }
    ).reset_index(drop=True)


# ----------------------------------------------------------------------------- building


def build_organisation(job: dict) -> dict:
    """Build one organisation's book with `stages.build_book`, pointed at its benchmark folder."""
    from healthcheck.pipeline import stages

    with Measured() as cost:
        try:
            result = stages.build_book(
                job["year"],
                data_dir=job["data_dir"],
                build_root=job["build_root"],
                jobs=1,
                force=job.get("force", False),
                progress=False,
                extra_parameters={"benchmark_dir": job["benchmark_dir"]},
            )
            record = {
                "status": "up to date" if result.up_to_date else "built",
                "html": str(result.html_index),
                "pdf": str(result.pdf_path),
                "warnings": len(result.warnings),
            }
        except Exception as exc:  # noqa: BLE001 - recorded: one organisation never stops the others
            record = _failure("build", exc)
    return {"org_id": job["org_id"]} | record | cost.metrics


def build_national(job: dict) -> dict:
    """Build the national summary book (pipeline/national.py) as a task like the others."""
    from healthcheck.pipeline.batch import nationalbook

    with Measured() as cost:
        try:
            record = nationalbook.build_national_book(
                job["year"], job["input_dir"], job["build_root"], force=job.get("force", False)
            )
        except Exception as exc:  # noqa: BLE001 - recorded in the batch report
            record = _failure("build", exc)
    return {"org_id": "national"} | record | cost.metrics


class Measured:
    """What a task cost: wall seconds, CPU seconds (this process and its finished children) and
    the peak resident memory of this process and every descendant, sampled four times a second.

    The peak is a sum of RSS, so pages shared between processes count once per process: an
    upper bound of what the task needed. The CPU of children counts once they have exited and
    been waited for, which every process a build starts has been by the time it returns.
    """

    INTERVAL = 0.25

    def __enter__(self):
        self.metrics: dict = {}
        self._stop = threading.Event()
        self._peak = 0
        self._start = time.monotonic()
        self._cpu = self._cpu_now()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.metrics = {
            "seconds": round(time.monotonic() - self._start, 2),
            "cpu_seconds": round(self._cpu_now() - self._cpu, 2),
            "peak_rss_mb": round(self._peak / 2**20, 1),
        }
        return False

    @staticmethod
    def _cpu_now() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while True:
            total = 0
            try:
                for proc in [me, *me.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:  # ended between listing and reading
                        pass
            except psutil.Error:
                pass
            self._peak = max(self._peak, total)
            if self._stop.wait(self.INTERVAL):
                return
