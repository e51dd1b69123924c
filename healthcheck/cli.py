"""The one entry point: `python -m healthcheck <command>` (also the `healthcheck` script).

Every data mistake ends as a plain report and exit status 1, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from healthcheck import paths
from healthcheck.data.config import survey_years
from healthcheck.errors import (
    BuildInterrupted,
    DataError,
    HealthcheckError,
    Problem,
    environment_message,
    errors_in,
    format_report,
)


def _year_or_latest(args) -> int:
    if args.year is not None:
        return args.year
    folder = paths.data_dir(args.data_dir)
    years = survey_years(folder)
    if not years:
        raise DataError([Problem(str(folder), None, None, None, "a folder per survey year (such as 2022/) holding a survey.yml")])
    return years[-1]


def _check_data_folder(args) -> None:
    """A data folder that is missing or is a file: one sentence, not a list of missing files."""
    folder = paths.data_dir(args.data_dir)
    how = "given with --data-dir" if args.data_dir is not None else "the default, or $HEALTHCHECK_DATA_DIR"
    if not folder.exists():
        raise HealthcheckError(f"The data folder {folder} ({how}) does not exist: check its name.")
    if not folder.is_dir():
        raise HealthcheckError(f"The data folder {folder} ({how}) is a file, not a folder.")


def _check_manifest(path: Path) -> None:
    """A manifest that is not JSON (damaged, or another file) is said plainly before verify reads it."""
    try:
        with open(path, encoding="utf-8") as handle:
            json.load(handle)
    except FileNotFoundError:
        return  # verify says how to make one
    except (ValueError, UnicodeDecodeError):
        raise HealthcheckError(
            f"{path} is not a manifest written by a build (it is not valid JSON): build the year again, or give the "
            "right file with --manifest."
        ) from None


def cmd_validate(args) -> int:
    from healthcheck.pipeline import checks

    _check_data_folder(args)
    data_dir = paths.data_dir(args.data_dir)
    years = survey_years(data_dir)
    if not years:
        print(f"No survey years found in {data_dir}: expected folders such as 2022/ holding a survey.yml.", file=sys.stderr)
        return 1
    if args.year is not None and args.year not in years:
        print(
            f"There is no data/{args.year}/survey.yml in {data_dir}; the years present are {', '.join(map(str, years))}.",
            file=sys.stderr,
        )
        return 1
    # Without --year, every year is checked as the book `build --year` would make of it.
    wanted = [args.year] if args.year is not None else years
    problems, notes = [], []
    for year in wanted:
        checked = checks.check_year(data_dir, year, final=args.final, notes=year == wanted[-1])
        problems += checked.problems
        notes += checked.notes
    # Each year's check reads the earlier years too (the last one says how every export was
    # read): report each problem once.
    problems, notes = list(dict.fromkeys(problems)), list(dict.fromkeys(notes))
    errors = errors_in(problems)
    for note in notes:  # how each export was read: its sheet, encoding, separator, rows left out
        print(f"NOTE {note}")
    if problems:
        print(format_report(problems, full=args.all), file=sys.stderr if errors else sys.stdout)
    if errors:
        print("The data has errors: fix them and run validate again. No file was changed.", file=sys.stderr)
        return 1
    print(f"Data for {', '.join(map(str, wanted))} is valid.")
    return 0


def cmd_figures(args) -> int:
    from healthcheck.analysis.survey import load_survey

    _check_data_folder(args)
    survey = load_survey(args.data_dir, args.year)
    year = args.year if args.year is not None else survey.year_list[-1]
    if args.format == "csv":
        sys.stdout.write(survey.figures_csv(year))
    else:
        from healthcheck.analysis import stats

        table = survey.figures(year)[list(stats.FIGURE_COLUMNS)]
        print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return 0


def cmd_build(args) -> int:
    from healthcheck.pipeline import stages

    _check_data_folder(args)
    year = _year_or_latest(args)
    # Pass the option as given: build_book resolves it, and records None for the default data
    # folder, so manifests and executed notebooks do not depend on where the repository is.
    result = stages.build_book(
        year, data_dir=args.data_dir, build_root=args.build_dir, jobs=args.jobs, force=args.force, final=args.final
    )
    print(stages.summary(result))
    return 0


def cmd_new_year(args) -> int:
    from healthcheck.scaffold import newyear

    newyear.new_year(paths.data_dir(args.data_dir), args.year)
    return 0


def cmd_import(args) -> int:
    from healthcheck.scaffold import importer

    report = importer.import_export(paths.data_dir(args.data_dir), args.year, args.path, yes=args.yes)
    print(report.text())
    return 0


def cmd_verify(args) -> int:
    from healthcheck.audit import verify

    _check_data_folder(args)
    year = _year_or_latest(args)
    _check_manifest(args.manifest or paths.build_dir() / str(year) / "manifest.json")
    matches, report = verify.verify(year, data_dir=args.data_dir, manifest_path=args.manifest)
    print(report, file=sys.stdout if matches else sys.stderr)
    return 0 if matches else 1


def cmd_preview(args) -> int:
    import signal

    from healthcheck.pipeline import preview

    # Ctrl+C is how a preview ends, also one started in the background by a script, whose
    # shell has it ignore Ctrl+C (a disposition every process it starts would inherit).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _check_data_folder(args)
    year = _year_or_latest(args)
    book = preview.Preview(year, data_dir=args.data_dir, build_root=args.build_dir)
    print(f"Building the {year} preview (HTML only, no PDF) ...")
    seconds = book.build()
    server = preview.serve(book, port=args.port)
    print(f"Preview ready in {seconds:.1f} s: open http://127.0.0.1:{server.server_address[1]}/ in a browser.", flush=True)
    print("Save a data or narrative file and the page refreshes itself. Press Ctrl+C to stop.")
    try:
        preview.watch(book)
    except KeyboardInterrupt:  # Ctrl+C is how a preview ends: not a failure
        print("Preview stopped.")
    finally:
        server.shutdown()
    return 0


def cmd_batch(args) -> int:
    from healthcheck.pipeline.batch import cluster as batch

    result = batch.run_batch(
        args.orgs, args.year, scheduler=args.scheduler, workers=args.workers, build_dir=args.build_dir, force=args.force
    )
    return 1 if result.failed else 0


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="healthcheck", description="Build and check the Social Work Health Check report.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--data-dir", type=Path, default=None, help="the data folder (default: data/ in the repository)")
        p.set_defaults(func=func)
        return p

    p = add("validate", cmd_validate, "Check a year's input files and report every problem.")
    p.add_argument("--year", type=int, default=None, help="the survey year (default: every year)")
    p.add_argument("--all", action="store_true", help="list every row of a repeated problem (default: one summary line)")
    p.add_argument("--final", action="store_true", help="narrative still to write is an error, as in build --final")

    p = add("figures", cmd_figures, "Print every percentage of a year, with intervals and changes.")
    p.add_argument("--year", type=int, default=None, help="the survey year (default: the latest)")
    p.add_argument("--format", choices=["csv", "table"], default="csv")

    p = add("build", cmd_build, "Build a year's book (HTML and PDF) into _build/YEAR.")
    p.add_argument("--year", type=int, default=None, help="the survey year (default: the latest)")
    p.add_argument("--build-dir", type=Path, default=None, help="where to build (default: _build/ in the repository)")
    p.add_argument("--jobs", type=int, default=None, help="chapters run at once (default: number of cores)")
    p.add_argument("--force", action="store_true", help="re-run every chapter even when nothing changed")
    p.add_argument("--final", action="store_true", help="refuse to build while any narrative is missing or unfinished")

    p = add("preview", cmd_preview, "Serve the year's HTML book on this machine and refresh it whenever a file is saved.")
    p.add_argument("--year", type=int, default=None, help="the survey year (default: the latest)")
    p.add_argument("--port", type=int, default=8000, help="the local port to serve on (default: 8000; 0 picks a free one)")
    p.add_argument("--build-dir", type=Path, default=None, help="where to keep the preview (default: _build/ in the repository)")

    p = add("verify", cmd_verify, "Rebuild a year in a temporary folder and compare it with its manifest.")
    p.add_argument("--year", type=int, default=None, help="the survey year (default: the latest)")
    p.add_argument("--manifest", type=Path, default=None, help="the manifest to check (default: _build/YEAR/manifest.json)")

    p = add("new-year", cmd_new_year, "Start data/YEAR from the latest year's files (never overwrites a file).")
    p.add_argument("year", type=int, help="the new survey year, after every year already in the data folder")

    p = add("import", cmd_import, "Copy a year's export into data/YEAR and propose its heading -> question mapping.")
    p.add_argument("--year", type=int, required=True, help="the survey year the export belongs to")
    p.add_argument("path", type=Path, help="the export file from the survey tool (CSV or XLSX)")
    p.add_argument("--yes", action="store_true", help="rewrite survey.yml's mapping even though it already names an export")
    text = "Build every organisation's report, with national and regional comparisons, on a Dask cluster."
    p = sub.add_parser("batch", help=text, description=text)
    p.add_argument("--orgs", type=Path, required=True, metavar="DIR", help="organisations.csv and one data folder per org_id")
    p.add_argument("--year", type=int, required=True, help="the survey year to build")
    p.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="an existing cluster (tcp://host:8786); default: a local one"
    )
    p.add_argument(
        "--workers", type=_at_least_one, default=None, help="local workers (default: cores); with --scheduler, wait for this many"
    )
    p.add_argument("--build-dir", type=Path, default=None, help="where to build (default: _build/batch/)")
    p.add_argument("--force", action="store_true", help="rebuild every book even when nothing changed")
    p.set_defaults(func=cmd_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the exit status (0 success, 1 data or build problem, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(exc.report(), file=sys.stderr)
        print("The data has errors: nothing was built and no file was changed.", file=sys.stderr)
        return 1
    except HealthcheckError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        # A build says what it really left (it may have published, or found no book to keep).
        said = str(exc) if isinstance(exc, BuildInterrupted) and str(exc).startswith("Interrupted") else ""
        print(said or "Interrupted: nothing was replaced; the last good build is as it was.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into a program that stopped reading (| head)
        sys.stderr.close()
        return 0
    except OSError as exc:  # the environment: a file or folder that cannot be read or written, a full disk
        print(environment_message(exc), file=sys.stderr)
        print("Nothing was replaced: the last good build is as it was.", file=sys.stderr)
        return 1
    except Exception as exc:  # a fault of ours: one plain message, the details on request
        if os.environ.get("HEALTHCHECK_DEBUG"):
            traceback.print_exc()
        print(
            f"healthcheck stopped on an unexpected internal error ({type(exc).__name__}: {exc}). This is a fault in "
            "healthcheck, not in your data: please report it with the command you ran (set HEALTHCHECK_DEBUG=1 to "
            "see the details). Nothing was replaced: the last good build is as it was.",
            file=sys.stderr,
        )
        return 2
