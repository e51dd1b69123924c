"""The analyst's narrative for a year: where its files are, what its references say, what is unfinished.

A reference such as {pct}`IMP01` is resolved here from the loaded survey, in the same words
the rest of the report uses (`sentences`), so a number in the narrative is always the
computed one. `data/myst.py` knows the syntax; this module knows the survey.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.data.narrative import files as md
from healthcheck.errors import Problem
from healthcheck.present.sentences import change_in_words, pct


def known(survey, year: int) -> dict[str, tuple]:
    """What references may name in `year`: its statements, themes, the years held and facts."""
    statements = [qid for qid in survey.bank.questions if any(y <= year for y in survey.bank.questions[qid].wording)]
    return md.known_targets(statements, list(survey.bank.themes), [y for y in survey.year_list if y <= year])


class Resolver:
    """Turns each reference into the report's own words for the computed figure."""

    def __init__(self, survey, year: int, benchmarks: pd.DataFrame | None = None):
        self.survey, self.year = survey, int(year)
        self.threshold = survey.threshold
        self.benchmarks = benchmarks

    def figure(self, qid: str, year: int):
        """The figures-table row of a statement in a year (None when it was not asked)."""
        figures = self.survey.figures(year)
        rows = figures[figures["question_id"] == qid]
        return None if rows.empty else rows.iloc[0]

    def __call__(self, ref: md.Reference) -> str:
        year = ref.year or self.year
        if ref.role == "fact":
            return self.fact(ref.target, year)
        if ref.role == "theme-score":
            return self.theme_score(ref.target, year)
        if ref.role in ("national", "region"):
            return self.benchmark(ref.role, ref.target)
        row = self.figure(ref.target, year)
        if row is None:
            return f"(not asked in {year})"
        if row["basis"] == "not published":
            return f"(not published in {year})"
        if row["suppressed"]:
            return f"(not shown: fewer than {self.threshold} responses)"
        if ref.role == "pct":
            return pct(row["pct_positive"])
        if ref.role == "n":
            return "an unknown number of" if pd.isna(row["n_valid"]) else f"{int(row['n_valid'])}"
        if ref.role == "ci":
            return "not known" if pd.isna(row["ci_low"]) else f"{pct(row['ci_low'])} to {pct(row['ci_high'])}"
        return change_in_words(row)

    def fact(self, name: str, year: int) -> str:
        data = self.survey.years[year]
        fg = data.meta.focus_groups
        values = {
            "respondents": data.n_respondents,
            "response-rate": None if data.response_rate is None else pct(data.response_rate),
            "workforce": data.meta.workforce,
            "focus-groups": fg.held if fg else 0,
            "participants": fg.participants if fg else 0,
            "year": year,
            "previous-year": max((y for y in self.survey.year_list if y < year), default=None),
        }
        value = values[name]
        return "not known" if value is None else str(value)

    def theme_score(self, theme: str, year: int) -> str:
        from healthcheck.analysis import stats

        scores = stats.theme_scores(self.survey.figures(year)).set_index("theme")
        if theme not in scores.index or not scores.at[theme, "n_questions"]:
            return "(no theme score)"
        return pct(scores.at[theme, "score"])

    def benchmark(self, scope: str, qid: str) -> str:
        """England's figure, or our region's (settings `region`), for a statement."""
        table = self.benchmarks
        if table is None or table.empty:
            return "(no benchmark figure)"
        rows = table[(table["question_id"] == qid) & (table["scope"] == scope)]
        if scope == "region" and self.survey.settings.region:
            rows = rows[rows["name"] == self.survey.settings.region]
        if rows.empty or pd.isna(rows.iloc[0]["pct_positive"]):
            return "(no benchmark figure)"
        return pct(rows.iloc[0]["pct_positive"])

    def chapter_figures(self, kind: str, theme: str | None) -> dict[str, float]:
        """The figures a chapter shows, labelled, for the typed-percentage check."""
        figures = pd.concat([self.survey.figures(y) for y in self.survey.year_list if y <= self.year])
        if kind == "theme":
            figures = figures[figures["theme"] == theme]
        shown = figures[~figures["suppressed"].astype(bool) & figures["pct_positive"].notna()]
        out = {f"{r.question_id} {r.year}": float(r.pct_positive) for r in shown.itertuples()}
        out |= {
            f"{r.question_id} {r.year} interval": float(v)
            for r in shown.itertuples()
            for v in (r.ci_low, r.ci_high)
            if pd.notna(v)
        }
        from healthcheck.analysis import stats

        for year in (y for y in self.survey.year_list if y <= self.year):
            for row in stats.theme_scores(self.survey.figures(year)).itertuples():
                if row.n_questions and (kind != "theme" or row.theme == theme):
                    out[f"theme score {row.theme} {year}"] = float(row.score)
        rate = self.survey.years[self.year].response_rate
        if rate is not None:
            out["response rate"] = float(rate)
        return out


def problems(survey, year: int) -> list[Problem]:
    """Every narrative problem of the year: unsafe markup, unknown references (errors) and
    typed percentages that match no figure of the chapter (warnings)."""
    found: list[Problem] = []
    resolver = Resolver(survey, year)
    targets = known(survey, year)
    for p in md.parts(survey.data_dir, year, survey.bank.themes):
        text = md.read(p, survey.data_dir)
        if not text.text.strip():
            continue
        found += md.check(text, targets)
        found += md.percentage_warnings(text, resolver.chapter_figures(p.kind, p.theme))
    return found
