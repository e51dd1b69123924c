"""The national batch (healthcheck batch) on a local Dask cluster, end to end.

Four synthetic organisations from scripts/make_national_data.py, the fewest that hold every
case: one so small that every figure is suppressed, in the same region as another (a region's
figures pooled from two, one of them hidden); one whose name and region hold markup; and one
whose export has two unknown answers. The batch must
build the three valid books and the national summary, record the failure with its messages,
and write national and regional figures equal to a count made here from the exports with
pandas alone. A rerun rebuilds only what changed.

To keep it quick the question bank of every organisation is folded into two themes (eight
chapters a book instead of fifteen).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from healthcheck.analysis.rounding import round_to
from healthcheck.errors import DataError
from healthcheck.pipeline.batch import files as batchfiles
from healthcheck.pipeline.batch import tasks as batchtasks
from healthcheck.pipeline.batch.cluster import preflight
from tests.conftest import tree_hashes
from tests.support.national_batch import (
    BROKEN,
    MARKUP_REGION,
    THRESHOLD,
    TWO_THEMES,
    VALID_IDS,
    YEAR,
    run_cli,
)

POSITIVE = {"strongly agree", "agree"}
VALID = POSITIVE | {"neither agree nor disagree", "disagree", "strongly disagree"}


def report(build: Path) -> dict:
    data = json.loads((build / "batch-report.json").read_text(encoding="utf-8"))
    data["by_id"] = {r["org_id"]: r for r in data["organisations"]}
    return data


@pytest.fixture(scope="module")
def batch(national_batch):
    """The batch run once a session (tests/conftest.py; the book tier's checks of the national
    summary read the same run): (organisations folder, build folder, exit status, input hashes before)."""
    return national_batch


# ----------------------------------------------------------------------------- the count made here


def independent_counts(orgs: Path, year: int) -> pd.DataFrame:
    """org_id, region, question_id, n_positive, n_valid of every valid organisation, from its export."""
    listing = pd.read_csv(orgs / "organisations.csv", dtype=str, keep_default_na=False)
    rows = []
    for org in listing.itertuples():
        if org.org_id == BROKEN:
            continue
        folder = orgs / org.org_id / str(year)
        meta = yaml.safe_load((folder / "survey.yml").read_text(encoding="utf-8"))
        export = pd.read_csv(folder / meta["export"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for heading, code in meta["questions"].items():
            answers = export[heading].str.strip().str.lower()
            rows.append((org.org_id, org.region, code, int(answers.isin(POSITIVE).sum()), int(answers.isin(VALID).sum())))
    return pd.DataFrame(rows, columns=["org_id", "region", "question_id", "n_positive", "n_valid"])


def pooled(counts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    shown = counts[counts["n_valid"] >= THRESHOLD]
    out = shown.groupby(by)[["n_positive", "n_valid"]].sum().reset_index()
    out["n_organisations"] = shown.groupby(by).size().to_numpy()
    return out.assign(pct=100.0 * out["n_positive"] / out["n_valid"])


# ----------------------------------------------------------------------------- the first run


def test_every_valid_organisation_and_the_national_summary_are_built(batch):
    orgs, build, status, before = batch
    assert status == 1  # one organisation failed: the command says so
    data = report(build)
    assert data["counts"] == {"organisations": 4, "built": 3, "up to date": 0, "failed": 1}
    for org_id in VALID_IDS:
        book = build / org_id / str(YEAR)
        assert (book / "html" / "index.html").is_file(), org_id
        assert len(list((book / "pdf").glob("*.pdf"))) == 1, org_id
        assert data["by_id"][org_id]["status"] == "built"
        assert data["by_id"][org_id]["cpu_seconds"] > 0 and data["by_id"][org_id]["peak_rss_mb"] > 0
    national = build / "national" / str(YEAR)
    assert (national / "html" / "index.html").is_file() and list((national / "pdf").glob("*.pdf"))
    assert data["national"]["status"] == "built"
    assert not (build / BROKEN / str(YEAR)).exists()
    assert tree_hashes(orgs) == before  # no input file was modified


def test_the_failure_is_named_with_its_messages(batch):
    orgs, build, _, _ = batch
    failed = report(build)["by_id"][BROKEN]
    assert failed["status"] == "failed" and failed["stage"] == "validate"
    assert "'Agreed'" in failed["report"] and "row 3" in failed["report"] and "row 5" in failed["report"]
    assert failed["report"].rstrip().endswith("2 error(s), 0 warning(s).")
    text = (build / "batch-report.md").read_text(encoding="utf-8")
    assert f"### {BROKEN}" in text and "found 'Agreed'" in text
    assert "Heron \\& \\<b\\>Sons\\</b\\>" in text  # a name from the data is inert in the Markdown


def test_benchmark_files_equal_a_count_made_from_the_exports(batch):
    orgs, build, _, _ = batch
    counts = independent_counts(orgs, YEAR)
    england = pooled(counts, ["question_id"]).set_index("question_id")
    regions = pooled(counts, ["region", "question_id"]).set_index(["region", "question_id"])
    for org in counts[["org_id", "region"]].drop_duplicates().itertuples():
        folder = build / org.org_id / "benchmarks"
        bench = pd.read_csv(folder / "benchmarks.csv", dtype={"name": str}, keep_default_na=False)
        national = bench[bench["scope"] == "national"].set_index("question_id")
        assert sorted(national.index) == sorted(england.index)
        assert (national["n_valid"] == england.loc[national.index, "n_valid"]).all()
        assert ((national["pct_positive"] - england.loc[national.index, "pct"]).abs() < 1e-9).all()
        regional = bench[bench["scope"] == "region"]
        assert set(regional["name"]) <= {org.region}
        for r in regional.itertuples():
            assert r.n_valid == regions.loc[(org.region, r.question_id), "n_valid"]
            assert abs(r.pct_positive - regions.loc[(org.region, r.question_id), "pct"]) < 1e-9
        # every organisation's figures, for ranks: exact where shown, 0 of 0 where its report hides them
        every = pd.read_csv(folder / "organisations.csv", dtype=str, keep_default_na=False)
        every[["n_positive", "n_valid"]] = every[["n_positive", "n_valid"]].astype(int)
        merged = every.merge(counts, on=["org_id", "question_id"], suffixes=("", "_here"), validate="1:1")
        assert len(merged) == len(counts)
        shown = merged["n_valid_here"] >= THRESHOLD
        assert (merged.loc[shown, "n_valid"] == merged.loc[shown, "n_valid_here"]).all()
        assert (merged.loc[shown, "n_positive"] == merged.loc[shown, "n_positive_here"]).all()
        assert (merged.loc[~shown, ["n_positive", "n_valid"]] == 0).all().all()
        assert (folder / str(YEAR - 1) / "organisations.csv").is_file()  # last year's, for last year's rank


def test_the_national_books_data_equals_the_count(batch):
    orgs, build, _, _ = batch
    counts = independent_counts(orgs, YEAR)
    england = pooled(counts, ["question_id"]).set_index("question_id")
    regions = pooled(counts, ["region", "question_id"]).set_index(["region", "question_id"])
    downloads = build / "national" / str(YEAR) / "html" / "downloads"
    statements = pd.concat([pd.read_csv(downloads / f"{YEAR}-statements-{t}.csv") for t in TWO_THEMES])
    assert sorted(statements["Code"]) == sorted(counts["question_id"].unique())
    for r in statements.itertuples(index=False):
        code = r[0]
        expected = england.loc[code] if code in england.index else None
        shown_orgs = int(((counts["question_id"] == code) & (counts["n_valid"] >= THRESHOLD)).sum())
        assert r[4] == shown_orgs, code  # organisations shown
        if expected is not None:
            assert r[2] == round_to(expected["pct"], 1) and r[3] == expected["n_valid"], code
    by_area = pd.concat([pd.read_csv(downloads / f"{YEAR}-regions-{t}.csv", keep_default_na=False) for t in TWO_THEMES])
    for r in by_area[by_area["Scope"] == "region"].itertuples(index=False):
        key = (r.Area, r.Code)
        if key in regions.index:
            assert float(r[4]) == round_to(regions.loc[key, "pct"], 1) and r[5] == regions.loc[key, "n_valid"], key
        else:
            assert r[4] == "" and r.Note, key  # a region with no shown figure of the statement
    assert set(by_area["Area"]) >= {MARKUP_REGION, "England"}


def test_names_from_the_data_are_escaped_in_the_national_book(batch):
    _, build, _, _ = batch
    html_dir = build / "national" / str(YEAR) / "html"
    text = "".join(p.read_text(encoding="utf-8") for p in (html_dir / "chapters" / "national").glob("*.html"))
    assert "Heron &amp; &lt;b&gt;Sons&lt;/b&gt;" in text and "<b>Sons</b>" not in text
    assert "Isles &lt;of&gt; &amp;" in text and "<of>" not in text


# ----------------------------------------------------------------------------- the national book's checks


def test_the_national_book_is_valid_html(batch):
    from tests.support.site_checks import html_errors

    html_dir = batch[1] / "national" / str(YEAR) / "html"
    assert len(list((html_dir / "chapters" / "national").glob("*.html"))) == 3
    errors = html_errors(html_dir)
    assert not errors, "\n".join(errors[:40])


def test_the_national_book_passes_axe_and_asks_for_nothing_outside(batch):
    from tests.support.site_checks import axe_and_outside_requests

    html_dir = batch[1] / "national" / str(YEAR) / "html"
    pages = [f"chapters/national/{name}.html" for name in ("summary", "statements", "regions")]
    problems, outside = axe_and_outside_requests(html_dir, pages)
    assert not problems, "\n".join(problems)
    assert not outside, outside


# ----------------------------------------------------------------------------- benchmark files


def test_benchmark_files_are_byte_identical_until_a_figure_moves(batch, tmp_path):
    orgs, _, _, _ = batch
    listing = batchfiles.read_organisations(orgs)
    records = [r._asdict() | {"folder": str(orgs / r.org_id)} for r in listing.itertuples(index=False) if r.org_id != BROKEN]
    valid = [batchtasks.validate_organisation(org, YEAR) for org in records]
    assert all(v["status"] == "valid" for v in valid)

    def files(validated):
        pools = batchfiles.year_pools(validated, {YEAR, YEAR - 1})
        return {v["org_id"]: batchfiles.organisation_benchmarks(v, YEAR, pools) for v in validated}

    first = files(valid)
    assert files(valid) == first
    assert all(batchfiles.sync_folder(tmp_path / o, f) for o, f in first.items())
    assert not any(batchfiles.sync_folder(tmp_path / o, f) for o, f in first.items())  # nothing rewritten
    # one more agreeing answer in the largest organisation moves England: every organisation's files change
    moved = [dict(v, figures=dict(v["figures"])) for v in valid]
    largest = max(moved, key=lambda v: v["respondents"])
    figs = largest["figures"][YEAR].copy()
    figs.loc[(figs["n_valid"] - figs["n_positive"]).idxmax(), "n_positive"] += 1
    largest["figures"][YEAR] = figs
    assert all(batchfiles.sync_folder(tmp_path / o, f) for o, f in files(moved).items())


def test_a_bad_list_of_organisations_stops_the_batch_before_it_starts(tmp_path):
    (tmp_path / "organisations.csv").write_text("org_id,name,region\nA1,One,North\nA1,Two,North\n../x,Three,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        batchfiles.read_organisations(tmp_path)
    text = caught.value.report()
    assert "row 3, column 'org_id'" in text and "row 4, column 'org_id'" in text and "row 4, column 'region'" in text


def test_a_cluster_of_daemonic_workers_is_refused_with_the_fix(tmp_path):
    from distributed import Client, LocalCluster

    from healthcheck.errors import BuildError

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        with pytest.raises(BuildError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            preflight(client, tmp_path, tmp_path)


# ----------------------------------------------------------------------------- reruns (last: it changes the data)


def test_a_rerun_rebuilds_only_what_changed(batch):
    from healthcheck import environment

    orgs, build, _, _ = batch
    code = environment.code_and_environment_hash()
    assert run_cli(orgs, build) == 1  # rebuilds only if the package's code changed since the first run
    written = [*build.glob("*/benchmarks/**/*.csv"), *(build / "national" / "input").rglob("*.*")]
    stamps = {p: p.stat().st_mtime_ns for p in written}
    assert run_cli(orgs, build) == 1
    again = report(build)
    assert {p: p.stat().st_mtime_ns for p in written} == stamps  # nothing rewritten

    # A new narrative for ORG001's summary changes no figure: only ORG001 is rebuilt
    narrative = orgs / "ORG001" / str(YEAR) / "narrative" / "summary.md"
    narrative.parent.mkdir(parents=True)
    narrative.write_text("Staff told us more this year than last.\n", encoding="utf-8")
    assert run_cli(orgs, build) == 1
    third = report(build)
    if environment.code_and_environment_hash() != code:
        pytest.skip("the package's code changed while the test ran (an edit in this working tree): every book was rebuilt")
    assert again["counts"] == {"organisations": 4, "built": 0, "up to date": 3, "failed": 1}
    assert again["national"]["status"] == "up to date"
    assert {k: r["status"] for k, r in third["by_id"].items()} == {
        "ORG001": "built", "ORG002": "up to date", "ORG004": "up to date", BROKEN: "failed",
    }  # fmt: skip
    assert not any(r.get("benchmarks_changed") for r in third["organisations"])
    assert third["national"]["status"] == "up to date"
    page = (build / "ORG001" / str(YEAR) / "html" / "chapters" / "summary.html").read_text(encoding="utf-8")
    assert "Staff told us more this year than last." in page
