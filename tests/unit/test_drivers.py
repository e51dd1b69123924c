"""Drivers: a planted driver in a respondent file is found, with honest intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from healthcheck.analysis import drivers

LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
THEMES = {"A1": "workload", "A2": "workload", "B1": "learning", "B2": "learning", "C1": "pay", "OUT": "pay"}


def planted(n: int = 400, seed: int = 7) -> pd.DataFrame:
    """A respondent file: the outcome OUT follows the workload statements; nothing else does."""
    rng = np.random.default_rng(seed)
    workload = rng.normal(size=n)
    latent = {
        "A1": workload + rng.normal(scale=0.6, size=n),
        "A2": workload + rng.normal(scale=0.6, size=n),
        "B1": rng.normal(size=n),
        "B2": rng.normal(size=n),
        "C1": rng.normal(size=n),
        "OUT": workload + rng.normal(scale=0.8, size=n),
    }

    def to_labels(x):
        cuts = np.quantile(x, [0.15, 0.35, 0.55, 0.8])
        return [LABELS[i] for i in np.searchsorted(cuts, x)]

    frame = pd.DataFrame({f"Q {k}": to_labels(v) for k, v in latent.items()})
    frame.loc[rng.choice(n, min(25, n // 4), replace=False), "Q B1"] = "Don't know"  # not a valid answer
    return frame


def points() -> pd.DataFrame:
    return drivers.respondent_points(planted(), {f"Q {k}": k for k in THEMES})


def test_the_planted_driver_is_found_first_and_the_others_are_not():
    table = drivers.correlations(points(), THEMES, ["OUT"])
    themes = table[table["kind"] == "theme"]
    assert themes.iloc[0]["item"] == "workload" and themes.iloc[0]["ci_low"] > 0.4
    for _, row in themes.iloc[1:].iterrows():  # learning and pay (C1 alone; OUT is left out)
        assert row["ci_low"] < 0 < row["ci_high"], row.to_dict()
    statements = table[table["kind"] == "statement"]
    assert set(statements.iloc[:2]["item"]) == {"A1", "A2"} and "OUT" not in set(statements["item"])
    assert statements.set_index("item").at["B1", "n"] == 375  # don't know is left out


def test_the_correlation_is_spearmans_and_the_interval_fisher_z():
    p = points()
    row = drivers.correlations(p, THEMES, ["OUT"]).set_index("item").loc["A1"]
    rho, pval = sps.spearmanr(p["A1"], p["OUT"])
    assert row["rho"] == pytest.approx(rho) and row["p_value"] == pytest.approx(pval)
    se = np.sqrt((1 + rho**2 / 2) / (400 - 3))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (np.tanh(np.arctanh(rho) - 1.959964 * se), np.tanh(np.arctanh(rho) + 1.959964 * se))
    )


def test_the_regression_separates_the_driver_from_the_rest():
    table = drivers.regression(points(), THEMES, ["OUT"]).set_index("theme")
    assert table.index[0] == "workload" and table.at["workload", "ci_low"] > 0.4
    assert table.at["learning", "ci_low"] < 0 < table.at["learning", "ci_high"]
    assert 0.3 < table.at["workload", "r_squared"] < 1


def test_too_few_respondents_give_no_figure():
    few = drivers.respondent_points(planted(n=20), {f"Q {k}": k for k in THEMES})
    table = drivers.correlations(few, THEMES, ["OUT"])
    assert table["rho"].isna().all() and drivers.regression(few, THEMES, ["OUT"]).empty


def test_the_demonstration_finds_its_synthetic_driver_and_says_association(tmp_path, monkeypatch):
    """The demo's outcome statement was simulated to follow health and wellbeing."""
    import shutil

    from IPython.display import HTML

    from healthcheck import paths
    from healthcheck.present.chapter import Chapter
    from healthcheck.present.sections import drivers as section
    from healthcheck.present.workbook import typed_table

    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    shown: list[str] = []
    monkeypatch.setattr(section, "display", lambda obj: shown.append(obj.data if isinstance(obj, HTML) else str(obj)))
    section.drivers_section(Chapter(2022, data, tmp_path / "downloads"))
    page = "".join(shown)
    assert "<strong>Health and wellbeing</strong> goes most closely with" in page
    assert "do not show that one causes the other" in page and "never worked out for a single team" in page
    csv = pd.read_csv(tmp_path / "downloads" / "2022-drivers.csv", dtype=str, keep_default_na=False)
    assert "team" not in " ".join(csv.columns).lower()  # all staff only
    typed = typed_table(csv)
    assert {"95% interval lower", "95% interval upper"} <= set(typed.columns)
    assert all(isinstance(v, float) for v in typed["Correlation or coefficient"])


def test_no_outcome_in_the_bank_says_so(tmp_path, monkeypatch):
    import shutil

    import yaml
    from IPython.display import HTML

    from healthcheck import paths
    from healthcheck.present.chapter import Chapter
    from healthcheck.present.sections import drivers as section

    data = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", data)
    bank = yaml.safe_load((data / "question_bank.yml").read_text(encoding="utf-8"))
    for question in bank["questions"].values():
        question.pop("outcome", None)
    (data / "question_bank.yml").write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(section, "display", lambda obj: shown.append(obj.data if isinstance(obj, HTML) else str(obj)))
    section.drivers_section(Chapter(2022, data))
    assert shown == ["<p>No statement is marked as an outcome in the question bank, so no drivers are shown.</p>"]
