"""The appendices: how figures are calculated and checked, and how the report was made."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from healthcheck import environment
from healthcheck.analysis import disclosure
from healthcheck.analysis.breakdowns import merged_groups, shown_share
from healthcheck.analysis.rounding import format_pct, round_to
from healthcheck.data import files, scales
from healthcheck.data.codes import RESPONSE_LABELS
from healthcheck.data.config import MIN_THRESHOLD
from healthcheck.escape import html_text, myst_text
from healthcheck.present.tables import html_table


def glue_methods(ch) -> None:
    """The appendix's words that depend on the settings: thresholds, protection, rounding."""
    settings = ch.settings
    ch.glue_md(
        "methods_intro",
        f"This annex explains how the figures in the {ch.year} report were calculated, how the data were checked, "
        "and how the computed figures compare with those originally published.",
    )
    override = ""
    if ch.threshold < MIN_THRESHOLD:
        override = (
            f" This report uses a threshold of {ch.threshold}, below the usual {MIN_THRESHOLD}, for this reason: "
            f"{myst_text(settings.threshold_override)}"
        )
    ch.glue_md("methods_threshold", f"**{ch.threshold}**{override}")
    ch.glue_md("methods_caution", f"**{settings.caution_threshold}**")
    ch.glue_md("methods_protection", f"**{disclosure.DEFAULT_PROTECTION}**")
    ch.glue_md("methods_percent_agreeing", percent_agreeing_method(ch.survey.years[ch.year].meta))


def percent_agreeing_method(meta) -> str:
    """How "percent agreeing" is calculated, in the words of the year's own answer scale
    (survey.yml ``scale`` and ``non_answers``): a four-point scale has four answers, not five."""
    scale, _problems = scales.scale_of(meta, "")  # the build has already refused a bad declaration
    if scale.answer_labels:
        answers = list(scale.answer_labels)
        agreeing = [label for label in answers if scale.code(label) in ("strongly_agree", "agree")]
        non_answers = [myst_text(label) for label in scale.non_answer_labels]
    else:  # no declaration: the usual five-point scale and its usual non-answers
        answers = [RESPONSE_LABELS[c] for c in ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")]
        agreeing = answers[:2]
        non_answers = [myst_text(label) for label in scale.non_answer_labels] or ["Don't know", "Not applicable"]
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
    count = words.get(len(answers), str(len(answers)))
    left_out = ", ".join(f"*{label}*" for label in non_answers)
    left_out = f"{left_out} and blank answers are" if left_out else "Blank answers are"
    return (
        f"({' + '.join(myst_text(label).lower() for label in agreeing)}) divided by the valid responses "
        f"(the {count} answers from {myst_text(answers[0]).lower()} to {myst_text(answers[-1]).lower()}). "
        f"{left_out} counted but left out of the base."
    )


def glue_small_groups(ch) -> None:
    """How much of the breakdowns a reader sees, and which small groups are shown only inside a
    parent group (survey.yml ``small_groups``), for the methods appendix."""
    data = ch.survey.years[ch.year]
    shown, total = shown_share(ch.survey.breakdowns(ch.year))
    if not total:
        ch.glue_md("methods_small_groups", "No breakdown by group is published this year.")
        return
    text = (
        f"Of the {total} breakdown cells this report publishes (each statement for each group), {shown} "
        f"({format_pct(100 * shown / total)}) show a figure; the rest are marked *<{ch.threshold}* or *hidden*."
    )
    merged = merged_groups(data.cells, data.meta.small_groups, ch.threshold)
    parents: dict[str, list[str]] = {}
    for members in merged.values():
        for member, parent in members.items():
            parents.setdefault(parent, []).append(member)
    if parents:
        named = "; ".join(f"*{myst_text(p)}* ({', '.join(myst_text(m) for m in ms)})" for p, ms in sorted(parents.items()))
        text += (
            f" To show more, groups that gave fewer than {ch.threshold} answers to every statement are shown together "
            f"inside a larger group the organisation named: {named}. Such a group is protected like any other, and "
            "the groups inside it count among the small groups whose figures must not be worked out."
        )
    ch.glue_md("methods_small_groups", text)


def data_quality(ch) -> None:
    y = ch.survey.years[ch.year]
    counts = ch.survey.counts
    counts = counts[(counts["year"] == ch.year) & (counts["group_type"] == "all")]
    by_response = counts.groupby("response")["n"].sum()
    total = int(by_response.sum())
    rows = [
        {"Measure": "Respondents", "Value": y.n_respondents},
        {"Measure": "Answers recorded, blanks included (all statements)", "Value": total},
    ]
    # Each non-answer by name; "Prefer not to say" only where the year has it or declares it,
    # so a year without it shows the table it always did.
    declared = scales.non_answer_names(y.meta)
    shown = ["dont_know", "not_applicable"]
    if by_response.get("prefer_not_to_say", 0) or "prefer_not_to_say" in declared:
        shown.append("prefer_not_to_say")
    for code in (*shown, "blank"):
        names = " or ".join(f"'{name}'" for name in declared.get(code, [RESPONSE_LABELS[code]]))
        rows.append({"Measure": f"Answers {names} (left out of the base)", "Value": int(by_response.get(code, 0))})
    rows.append(
        {
            "Measure": "Statements with too few responses to report",
            "Value": int(ch.figures["suppressed"].astype(bool).sum()),
        }
    )
    display(HTML(html_table(pd.DataFrame(rows), f"Data quality, {ch.year}")))
    # Readers are told what the checks found in the responses themselves (the export). Warnings
    # about the analyst's own text files (quotes, words, narrative: a name, an invisible
    # character) are for the analyst to act on before publishing, not for the report.
    export = Path(y.meta.export).name if y.meta.export else None
    about_responses = [w for w in y.warnings if export and Path(w.file).name == export]
    if about_responses:
        items = "".join(f"<li>{html_text(w.expected)}</li>" for w in about_responses)
        display(HTML(f"<p>Warnings raised when the responses were checked:</p><ul>{items}</ul>"))


def reconciliation(ch) -> None:
    table = ch.survey.reconciliation(ch.year).rename(
        columns={
            "short": "Statement",
            "published": "Published (%)",
            "computed": "Computed (%)",
            "matches": "Matches when rounded",
        }
    )
    table["Matches when rounded"] = table["Matches when rounded"].map({True: "Yes", False: "No"})
    table["Computed (%)"] = table["Computed (%)"].map(lambda v: round_to(v, 2))
    table = table[["Statement", "Published (%)", "Computed (%)", "Matches when rounded"]]
    if table.empty:
        display(HTML(f"<p>No published figures are held for {ch.year}, so there is nothing to reconcile.</p>"))
        return
    mismatches = int((table["Matches when rounded"] == "No").sum())
    verdict = (
        "All published figures match the computed ones when rounded."
        if not mismatches
        else f"{mismatches} published figure(s) differ from the computed ones by more than rounding."
    )
    display(HTML(f"<p>{verdict}</p>" + html_table(table, f"Computed and published percentages, {ch.year}")))


def question_bank_table(ch) -> None:
    years = ch.survey.year_list
    rows = []
    for qid, q in ch.bank.questions.items():
        row = {"Code": qid, "Theme": ch.bank.theme_title(q.theme)}
        for y in years:
            row[str(y)] = q.wording.get(y, "not asked")
        row["Comparable"] = f"not before {', '.join(map(str, q.comparable_from))}" if q.comparable_from else "all years"
        rows.append(row)
    display(HTML(html_table(pd.DataFrame(rows), "The question bank: wording in each year", css_class="hc-table hc-table-stack")))


def glue_provenance(ch) -> None:
    git = environment.git_state()
    env = environment.environment()
    commit = git["commit"][:12] if git["commit"] else "not in a git repository"
    dirty = " (with uncommitted changes)" if git["dirty"] else ""
    versions = ", ".join(f"{p} {env['packages'][p]}" for p in environment.KEY_PACKAGES if p in env["packages"])
    ch.glue_md(
        "provenance_intro",
        f"Every figure in this report was computed from the input files listed below by the code at commit "
        f"`{commit}`{dirty}, with Python {env['python']} and {versions}. The build also writes a manifest "
        "(`manifest.json`) with the hash of every input and output, so that anyone can check that a rebuild "
        "gives the same result.",
    )
    # The chapter places this with the inline {glue:md} role, where a fenced code block
    # collapses into one run of code with the three commands joined end to end; each
    # command gets its own code span, and words between them say what each one does.
    ch.glue_md(
        "provenance_commands",
        "From a copy of the repository at that commit, with the same input files in `data/`, three commands "
        "rebuild and check this report. First `make report` installs the pinned software; then "
        f"`.venv/bin/python -m healthcheck build --year {ch.year}` rebuilds this year's book; and finally "
        f"`.venv/bin/python -m healthcheck verify --year {ch.year}` rebuilds it in a temporary folder and reports "
        "any figure, table or number that differs from the manifest, with the likely cause.",
    )


def glue_disclosure(ch) -> None:
    """What the disclosure audit found: how many cells are not shown, and how narrowly any can be pinned."""
    audit = ch.survey.disclosure
    if not audit or not (audit["cells_suppressed"] or audit["cells_hidden"]):
        text = "No breakdown by group is published this year, so there are no hidden cells to protect."
    else:
        empty = audit.get("cells_without_answers") or 0
        # A group nobody in it answered a statement is shown "<10" too, but holds nothing to protect.
        without = (
            f" (besides **{empty}** groups in which nobody gave the statement an answer, also shown as fewer than "
            f"{ch.threshold}: they hold nothing to protect)"
            if empty
            else ""
        )
        text = (
            f"**{audit['cells_suppressed']}** cells of the breakdowns are not shown because they have fewer than "
            f"{ch.threshold} responses{without}, and **{audit['cells_hidden']}** more are hidden so that those cannot be "
            f"worked out. Given everything this report publishes, the narrowest range any hidden count can be pinned to is "
            f"**{_width(audit['smallest_primary_range'])}** for the small groups and "
            f"**{_width(audit['smallest_hidden_range'])}** for the hidden cells (at least {audit['protection']} is "
            "required). The build checked this by attacking its own published files, and would not have published "
            "the report had any range been narrower or any figure disagreed between two files."
        )
    ch.glue_md("provenance_disclosure", text)


def _width(value) -> str:
    return "not applicable" if value is None else f"{value:g}"


def input_files_table(ch) -> None:

    hashes = files.input_hashes(ch.survey.data_dir, ch.year)
    for path in files.input_files(ch.survey.data_dir, ch.year):
        ch.record_read(path)
    table = pd.DataFrame({"File": list(hashes), "SHA-256": list(hashes.values())})
    display(
        HTML(
            html_table(
                table,
                f"Input files read for the {ch.year} report, with their SHA-256 hashes",
                css_class="hc-table hc-hashes hc-table-stack",
            )
        )
    )


def measures_method(ch) -> None:
    """How the score out of 100 and its bands are computed, when settings.yml shows scores."""
    setting = ch.settings.measures
    if not setting.score:
        return
    bands = "; ".join(
        f"<em>{html_text(b.label)}</em> from {b.from_score:g}" for b in sorted(setting.bands, key=lambda b: -b.from_score)
    )
    display(
        HTML(
            "<ul>"
            "<li><strong>Score out of 100</strong>: each valid answer is given points (strongly disagree 0, "
            "disagree 25, neither agree nor disagree 50, agree 75, strongly agree 100), and a statement's score is "
            "the mean over its valid responses (the same base as the percentage agreeing). In a year whose answers "
            "have no middle option (a four-point scale) the points are 0, 33.3, 66.7 and 100. The 95% interval is the "
            "mean plus or minus Student's t times the standard error. A year known only from published percentages "
            "has no score, and no score is shown from fewer valid responses than the reporting threshold.</li>"
            "<li><strong>Theme score out of 100</strong>: the mean of the theme's statement scores, as the theme's "
            "percentage is the mean of its statements' percentages.</li>"
            f"<li><strong>Bands</strong> (set in settings.yml): {bands}. A score takes the highest band whose "
            "starting score it reaches. The band names follow the LGA's health check; its cut-offs are not published "
            "with its reports, so these are this report's own unless settings.yml gives the national ones.</li>"
            "<li><strong>Change in a score</strong>: the difference from the latest earlier score of the same "
            "statement in the same wording, tested with Welch's t-test (two-sided, 5%), which compares two means "
            "without assuming the two years' answers are equally spread.</li>"
            "</ul>"
        )
    )


def drivers_method(ch) -> None:
    """How the drivers of the outcome statements are found, when the bank marks any."""
    if not any(q.outcome and ch.year in q.wording for q in ch.bank.questions.values()):
        return
    display(
        HTML(
            "<ul>"
            "<li><strong>Drivers</strong>: for each statement the question bank marks as an outcome, each other "
            "statement and each theme is correlated with it over the staff who answered both (Spearman's rank "
            "correlation, since answers are ordered but not measured). A theme's value for one person is the mean of "
            "their answers' points on its statements, outcomes left out. The 95% interval uses Fisher's "
            "z-transformation with Bonett and Wright's standard error for a rank correlation. A second view fits the "
            "outcome on all themes at once (ordinary least squares on standardised values, statsmodels, with "
            "heteroscedasticity-robust HC3 intervals), so that themes which rise and fall together are told apart. "
            "Only years with one record per respondent are used, only for all staff (never a team, locality or "
            "role), and no figure is given from fewer than 30 staff. These are associations, not causes.</li>"
            "</ul>"
        )
    )


def workbooks_note(ch) -> None:
    """Where the all-figure workbooks are, and how they are laid out."""
    stem = f"{ch.downloads_href}/{ch.year}-all-figure-data"
    display(
        HTML(
            '<p class="hc-screen-only">Every table of figures in this report is also in one workbook, in OpenDocument '
            f'(<a href="{stem}.ods">ODS</a>) and Excel (<a href="{stem}.xlsx">XLSX</a>) form: a cover sheet, a '
            "contents sheet linking to each table, a notes sheet, and one table a sheet with its figures stored as "
            "numbers. A figure withheld to protect a small group is marked [c] (confidential) and one that does not "
            "exist [x] (not available). Each table is also a CSV file beside its chart.</p>"
        )
    )
