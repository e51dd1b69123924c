"""Build one year's report: the build as an ordered table of named stages.

| stage | what it does | reads | writes |
| --- | --- | --- | --- |
| validate | every check (`checks.check_year`), then the disclosure audit; refuses on errors | data folder | survey, warnings |
| chapters | runs each chapter with papermill, reuses unchanged ones | survey, chapters/ | executed notebooks, figure files |
| book html | `jupyter-book build` of the website (in the background) | executed notebooks | html/ |
| exports | the auditors' notebook pages and the all-figure workbook | executed notebooks, figure files | notebooks/, xlsx |
| pdf | the single-page HTML printed by Chromium | executed notebooks | pdf/ |
| audit | an attack on every published file: no hidden cell narrowed, no machine path | html/, pdf/ | the audit's result |
| manifest | hashes of inputs and outputs, versions, numbers | everything above | manifest.json |
| publish | swaps the finished output into `<build_root>/<year>` | staging | the book |

Everything happens in a staging folder under a per-year lock; until `publish` nothing outside
it changes, so a failed or interrupted build leaves the previous book exactly as it was.

Long because the stages are one ordered story, read top to bottom as the table above: each
stage's function sits beside the next, with the overlaps between them (workers starting while
validation runs, the audit reading the website while Chromium prints) visible in one place.
"""

from __future__ import annotations

import json
import shutil
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from healthcheck import paths
from healthcheck.analysis.survey import save_preloaded
from healthcheck.audit.attack import audit_build, audit_tables, leaks, read_site, site_leaks
from healthcheck.audit.leaks import record_leaks
from healthcheck.audit.manifest import build_manifest, write_manifest
from healthcheck.data.config import survey_years
from healthcheck.errors import BuildError, BuildInterrupted
from healthcheck.pipeline import book, checks, staging
from healthcheck.pipeline.execute.chapters import ChapterPool, ChapterRun, chapters_from_docs, failure, run_chapters
from healthcheck.pipeline.execute.workers import ENGINE_NAME
from healthcheck.pipeline.notebooks import without_machine_paths
from healthcheck.pipeline.outputs import write_outputs
from healthcheck.pipeline.pdf.printing import TitlePage, cover_publication
from healthcheck.pipeline.progress import Progress


@dataclass
class BuildResult:
    year: int
    html_index: Path
    pdf_path: Path
    executed_dir: Path
    chapter_seconds: dict[str, float]
    warnings: list[str]
    out_dir: Path
    up_to_date: bool = False  # True when nothing changed and the previous build was kept


def build_book(
    year: int,
    data_dir=None,
    build_root=None,
    chapters_dir=None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    toc_path=None,
    strict: bool = False,
    final: bool = False,
    engine: str | None = ENGINE_NAME,
    extra_parameters: dict | None = None,
) -> BuildResult:
    """Build the report for `year` into `<build_root>/<year>` (html/, pdf/, executed/, notebooks/).

    data_dir, build_root: folders (defaults from healthcheck.paths); chapters_dir, toc_path: the
    chapter notebooks and table of contents (default chapters/, _toc.yml); jobs: chapters run at
    once (default: CPU count); force: rebuild even when nothing changed; strict: Sphinx warnings
    are errors; final: refuse a draft narrative; engine: the papermill engine (default: the
    warm-kernel engine; None for papermill's own); extra_parameters: further parameters for
    every chapter (the batch's benchmarks). Raises a HealthcheckError or BuildInterrupted
    (SIGTERM); the previous build is untouched whenever one is raised.
    """
    year, data_path, build_root = int(year), paths.data_dir(data_dir), paths.build_dir(build_root)
    chapters_dir = Path(chapters_dir).resolve() if chapters_dir else paths.CHAPTERS_DIR
    toc_path = Path(toc_path).resolve() if toc_path else book.TOC_PATH
    log = Progress([], progress).log
    epoch, final_dir = staging.source_date_epoch(), build_root / str(year)
    fingerprint = _fingerprint([year, str(data_path), epoch, strict, final], data_path, toc_path, chapters_dir, extra_parameters)
    # A book that a publish killed half-way left hidden is put back before anything else.
    recovered = staging.recover_if_free(build_root, year)
    if recovered:
        log(recovered)
    # Same inputs, code and settings as the last good build: its validation would find the same.
    if not force and fingerprint and (kept := _unchanged(final_dir, fingerprint)):
        log(f"{year}: nothing changed since the last build ({final_dir}); use --force to rebuild")
        return kept

    before = staging.book_identity(final_dir)
    try:
        return _build(year, data_path, build_root, data_dir, chapters_dir, toc_path, jobs, force, progress, strict, final,
                      engine, extra_parameters, epoch, fingerprint, log)  # fmt: skip
    except KeyboardInterrupt as exc:
        # Say what really is in the build folder now, not what should be.
        reason = f" ({exc})" if isinstance(exc, BuildInterrupted) and str(exc) else ""
        message = staging.interrupted_message(final_dir, year, before, recovered)
        raise BuildInterrupted(message.replace("Interrupted", f"Interrupted{reason}", 1)) from None


def _build(year, data_path, build_root, data_dir, chapters_dir, toc_path, jobs, force, progress, strict, final, engine,
           extra_parameters, epoch, fingerprint, log) -> BuildResult:  # fmt: skip
    """The build of :func:`build_book` after its checks of the build folder."""
    final_dir = build_root / str(year)
    # The chapters' workers and kernels start now, on the other core, while the data is validated.
    pool = ChapterPool(jobs, epoch, engine) if jobs != 0 else None
    try:
        survey, warnings = validate(data_path, year, final)
        toc = book.expand_toc(book.load_toc(toc_path), list(survey.bank.themes))
        chapters = chapters_from_docs(book.documents(toc, toc_path), chapters_dir)
        with staging.year_lock(build_root, year), _sigterm_interrupts():
            stage_dir = staging.new_staging(build_root, year)
            try:
                run = ChapterRun(
                    stage_dir, year, str(data_path) if data_dir is not None else None,
                    [y for y in survey_years(data_path) if y <= year], epoch, stage_dir / "survey.pickle",
                    jobs=jobs, cache_root=build_root / ".cache", force=force, engine=engine,
                    extra=dict(extra_parameters or {}), pool=pool,
                )  # fmt: skip
                info = _build_staged(survey, toc, chapters, run, strict, warnings, progress, log)
                _publish(info, fingerprint, stage_dir, build_root, year)
            finally:
                shutil.rmtree(stage_dir, ignore_errors=True)
    finally:
        if pool is not None:
            pool.close(kill=True)
    log(f"{year}: done; HTML {final_dir / 'html' / 'index.html'}; PDF {final_dir / 'pdf' / info['pdf']}")
    return _result_from_info(final_dir, info, up_to_date=False)


def _publish(info: dict, fingerprint: str | None, stage_dir: Path, build_root: Path, year: int) -> None:
    """Stage publish: the build's record written beside the book, which replaces the last one."""
    data_dirs = info.pop("_data_dirs", [])
    info["fingerprint"] = fingerprint
    # A warning may name an input by its full path: written relative, like everything published.
    record = without_machine_paths(json.dumps(info, indent=2), [*data_dirs, build_root, paths.ROOT])
    (stage_dir / "out" / "build-info.json").write_text(record + "\n", encoding="utf-8")
    # What may be uploaded with the book besides html/ and pdf/ (which the audit read) must not
    # name this machine either: the manifest, this record, the notebooks and auditors' pages.
    leaked = record_leaks(stage_dir / "out", [build_root, *data_dirs])
    if leaked:
        raise BuildError("The built book was not published: its records name the build machine:\n  " + "\n  ".join(leaked))
    staging.publish(stage_dir / "out", build_root / str(year), year)
    shutil.rmtree(build_root / f"failed-{year}", ignore_errors=True)


def _fingerprint(settings: list, data_path: Path, toc_path: Path, chapters_dir: Path, extra_parameters) -> str | None:
    """What the build's output depends on, to skip a build when none of it changed: the
    settings, the chapters' extra parameters, the code and environment, the data folder, the
    book's files and every chapter notebook (all of ``chapters_dir``: which of them run depends
    on the themes, in the data). None when an input cannot be read: validation then says why."""
    settings = [*settings, extra_parameters]
    inputs = [toc_path, book.CONFIG_PATH, book.BOOK_ASSETS_DIR, data_path, chapters_dir]
    # Files a batch points chapters at (its benchmark folder) count as inputs too.
    inputs += [Path(v) for v in (extra_parameters or {}).values() if isinstance(v, (str, Path)) and Path(v).exists()]
    try:
        return staging.fingerprint(settings, inputs)
    except OSError:
        return None


def _build_staged(survey, toc, chapters, run: ChapterRun, strict, warnings, progress, log) -> dict:
    """Every stage after validate, in the staging folder: returns the build's record (build-info)."""
    year, stage_dir, out = run.year, run.staging, run.staging / "out"
    book_dir = book.write_book(stage_dir, survey.settings, year, toc, book.CONFIG_PATH, book.BOOK_ASSETS_DIR)
    disclosure = disclosure_statement(survey, year)
    save_preloaded(survey, run.survey_file, disclosure=disclosure)
    seconds, chapter_warnings = _run_chapters_stage(chapters, run, run.cache_root.parent, progress)
    warnings = warnings + chapter_warnings
    output_warnings, site = _outputs_stage(survey, year, book_dir, stage_dir, out, chapters, run.epoch, strict, log)
    warnings += output_warnings
    audit = _audit_stage(survey, year, out, log, disclosure, site)
    # The manifest may be uploaded with the book: folders of this machine are written relative.
    parameters = {
        c.name: {k: staging.shown_path(v) if k in PATH_PARAMETERS else v for k, v in run.parameters(c).items()}
        | {"downloads_dir": "html/downloads"}
        for c in chapters
    }
    manifest = build_manifest(
        year=year, data_dir=survey.data_dir, out_dir=out, pdf_path=_pdf_path(out, survey, year),
        chapters=parameters, survey=survey, disclosure=audit.as_dict(timing=False),
    )  # fmt: skip
    write_manifest(out / "manifest.json", manifest)
    return {
        "year": year,
        "pdf": _pdf_path(out, survey, year).name,
        "chapters": [c.name for c in chapters],
        "chapter_seconds": seconds,
        "warnings": warnings,
        "source_date_epoch": int(run.epoch),
        "disclosure_audit": audit.as_dict(),
        "_data_dirs": [survey.data_dir],  # for the leak check of the records; not written
    }


# ----------------------------------------------------------------------------- stages


def validate(data_path: Path, year: int, final: bool):
    """Stage validate: every check of `checks.check_year` (ChecksFailed on any error); returns
    the loaded survey and the build's warnings."""
    checked = checks.check_year(data_path, year, final=final)
    checked.refuse()
    return checked.survey, [str(p) for p in checked.warnings]


def _run_chapters_stage(chapters, run: ChapterRun, build_root: Path, progress: bool) -> tuple[dict, list]:
    """Stage chapters: every chapter executed (or reused); a failed cell is a ChapterFailed."""
    with Progress([c.name for c in chapters], progress) as prog:
        prog.log(f"{run.year}: running {len(chapters)} chapters")
        seconds, warnings, failed = run_chapters(chapters, run, prog)
    if failed:
        chapter = next(c for c in chapters if c.name == failed["name"])
        raise failure(failed, chapter, run.staging, build_root / f"failed-{run.year}")
    return seconds, warnings


def _outputs_stage(survey, year, book_dir, stage_dir, out, chapters, epoch, strict, log):
    """Stages book html, exports and pdf for a council's book (see :func:`write_outputs`);
    the website is read back for the audit while the PDF is printed. Returns (warnings, that
    reading)."""
    settings = survey.settings
    title = TitlePage(
        organisation=settings.organisation.strip(), title=settings.report_title.strip(), year=year,
        service=settings.service.strip(), notice=settings.demonstration_notice.strip(),
        **cover_publication(survey.years[year].meta.publication),
    )  # fmt: skip
    book_run = (book_dir, stage_dir, chapters, epoch, strict)
    website = lambda: (read_site(out, year), site_leaks(out))  # noqa: E731 - read back while the PDF is printed
    themes = {key: theme.title for key, theme in survey.bank.themes.items()}
    return write_outputs(book_run, out, _pdf_path(out, survey, year), title, settings, year, log, website, themes)


#: Chapter parameters that are folders of this machine (written relative in the manifest).
PATH_PARAMETERS = ("data_dir", "benchmark_dir")

#: The numbers of the disclosure audit the provenance appendix states.
AUDIT_FIGURES = (
    "cells_suppressed", "cells_hidden", "smallest_primary_range", "smallest_hidden_range", "cells_shown", "cells_published",
)  # fmt: skip


def disclosure_statement(survey, year: int) -> dict:
    """The disclosure audit of the year's tables that the provenance appendix states: passed
    to the chapters with the survey (``save_preloaded``), and checked by the audit stage
    against what the published files give."""
    return audit_tables(survey, year).as_dict(timing=False)


def _audit_stage(survey, year: int, out: Path, log, disclosure: dict, site=None):
    """Stage audit: read back what the finished files publish and attack it as an outsider would.

    Refuses to publish when any hidden cell's feasible range is narrower than the protection,
    when two files disagree about a figure, when the files do not give the ``disclosure`` audit
    the provenance appendix states, or when a file names the build machine. ``site``: the
    website, already read (and scanned for machine paths) while the PDF was printed.
    """
    log("auditing what the published files disclose")
    site_reading, site_leaked = site or (None, None)
    result, leaked = audit_build(out, survey, year, site=site_reading), leaks(out, site_leaked)
    problems = [] if result.ok else [result.message()]
    stated = {k: disclosure.get(k) for k in AUDIT_FIGURES}
    found = {k: getattr(result, k) for k in AUDIT_FIGURES}
    # The provenance appendix states the tables' audit: a book that publishes breakdowns must
    # give exactly those numbers (a book without any, like a toy book, has nothing to state).
    if (found["cells_suppressed"] or found["cells_hidden"]) and stated != found:
        problems.append(f"The published files give {found}, but the report states {stated}.")
    if leaked:
        problems.append("The book names the build machine:\n  " + "\n  ".join(leaked))
    if problems:
        raise BuildError("The built book was not published:\n" + "\n".join(problems))
    return result


# ----------------------------------------------------------------------------- helpers


def _pdf_path(out: Path, survey, year: int) -> Path:
    return out / "pdf" / f"{staging.slug(survey.settings.report_title)}-{year}.pdf"


def _unchanged(final_dir: Path, fingerprint: str) -> BuildResult | None:
    """The previous build, when nothing it depends on has changed since."""
    info_path = final_dir / "build-info.json"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        kept = _result_from_info(final_dir, info, up_to_date=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    ok = info.get("fingerprint") == fingerprint and kept.html_index.is_file() and kept.pdf_path.is_file()
    return kept if ok else None


@contextmanager
def _sigterm_interrupts():
    """SIGTERM stops the build like Ctrl-C: staging removed, the previous book kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _on_sigterm(signum, frame):
        raise BuildInterrupted("the build was stopped (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _shown_line(out_dir: Path) -> list[str]:
    """The share of breakdown cells the book shows, from its build record (none without breakdowns)."""
    try:
        audit = json.loads((out_dir / "build-info.json").read_text(encoding="utf-8")).get("disclosure_audit") or {}
    except (OSError, ValueError):
        return []
    shown, total = audit.get("cells_shown"), audit.get("cells_published")
    if not total:
        return []
    merged = f"; small groups merged into a parent group: {audit['cells_merged']} cells" if audit.get("cells_merged") else ""
    return [f"  Breakdown cells shown: {shown} of {total} ({100 * shown / total:.0f}%){merged}"]


def _result_from_info(final: Path, info: dict, up_to_date: bool) -> BuildResult:
    return BuildResult(
        year=info["year"],
        html_index=final / "html" / "index.html",
        pdf_path=final / "pdf" / info["pdf"],
        executed_dir=final / "executed",
        chapter_seconds=dict(info["chapter_seconds"]),
        warnings=list(info["warnings"]),
        out_dir=final,
        up_to_date=up_to_date,
    )


def summary(result: BuildResult) -> str:
    """What the CLI prints after a build: where the HTML and PDF are, chapter times, warnings."""
    lines = []
    if result.up_to_date:
        lines.append(f"Nothing changed since the last build of {result.year} (use --force to rebuild).")
    else:
        lines.append(f"Built the {result.year} report in {result.out_dir}")
    lines.append(f"  HTML: {result.html_index}")
    lines.append(f"  PDF:  {result.pdf_path}")
    lines.append(f"  Manifest: {result.out_dir / 'manifest.json'}")
    lines.append(f"  Executed notebooks: {result.executed_dir}")
    lines += _shown_line(result.out_dir)
    if result.chapter_seconds and not result.up_to_date:
        times = ", ".join(f"{name} {secs:.1f}s" for name, secs in result.chapter_seconds.items())
        lines.append(f"  Chapter run times: {times}")
    if result.warnings:
        lines.append(f"  {len(result.warnings)} warning(s):")
        lines += [f"    - {w}" for w in result.warnings]
    return "\n".join(lines)
