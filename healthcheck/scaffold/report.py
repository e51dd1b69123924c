"""What `import` did, and what the analyst should check: the report it prints.

`ImportReport` holds the columns recognised, the headings matched (or to confirm, new, or
ignored), the questions of last year with no column now, and the lines to add to
question_bank.yml; `text` is the report as the command prints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from healthcheck.data.files import BANK_FILE
from healthcheck.data.scales import Proposal
from healthcheck.data.yaml.write import bank_block, yaml_line
from healthcheck.scaffold.headings import Match
from healthcheck.scaffold.propose import OTHER_TEXT


@dataclass
class ImportReport:
    """What `import_export` did and what the analyst should check."""

    year: int
    export: Path
    copied: bool
    level: str
    columns: dict[str, Match] = field(default_factory=dict)  # role -> heading found
    matched: list[Match] = field(default_factory=list)
    confirm: list[Match] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, short) asked last year, no column now
    missing_roles: list[str] = field(default_factory=list)
    bank_lines: list[tuple[Match, str]] = field(default_factory=list)  # (match, how the wording changed)
    previous_year: int | None = None
    survey_file: str = ""
    export_file: str = ""
    role_candidates: dict[str, list[str]] = field(default_factory=dict)  # role -> headings to confirm
    new_questions: list[Match] = field(default_factory=list)  # unmatched statements, with proposed codes
    personal: list[str] = field(default_factory=list)  # ignored headings of personal data (Email, Name)
    free_text: list[str] = field(default_factory=list)  # ignored headings whose answers are free-text comments
    data_dir_option: str = ""  # " --data-dir FOLDER" for the commands suggested, "" for the default folder
    tool: str = "other"  # the survey tool recognised (`surveytools` key), written to survey.yml
    tool_text: str = ""  # which tool, in words
    technical: list[str] = field(default_factory=list)  # ignored headings the tool adds about the response
    reworded: list[Match] = field(default_factory=list)  # statements proposed as rewordings of a bank question
    scale: Proposal | None = None  # the answer scale and non-answers written to survey.yml

    @property
    def mapping(self) -> dict[str, str]:
        """heading -> code, as written to survey.yml (confirmed, to-confirm and new alike)."""
        return {m.heading: m.code for m in self.matched + self.confirm + self.reworded + self.new_questions}

    def text(self) -> str:
        """The report printed by `python -m healthcheck import`."""
        out = self._columns_text() + self._scale_text() + self._headings_text() + self._bank_text()
        out += ["", f"Next: python -m healthcheck validate --year {self.year}{self.data_dir_option}"]
        return "\n".join(out)

    def _columns_text(self) -> list[str]:
        """Where the export went, and the columns taken for each role (or to set, or to confirm)."""
        out = [
            f"Export for {self.year}: {self.export_file}",
            "  copied byte-for-byte (the original was not changed)"
            if self.copied
            else "  already in place, identical to the file given (not copied again)",
            f"  recognised as: {self.tool_text or 'a table with one heading row'} (tool: {self.tool})",
            f"  proposed mapping written to {self.survey_file} (export, tool, scale, non_answers, columns, ignore, questions)",
            "",
            "Columns recognised:",
        ]
        for role, m in self.columns.items():
            note = "" if m.score == 1.0 else f"  (score {m.score:.2f}; was '{m.bank_wording}': please confirm)"
            out.append(f"  {role:<14} {m.heading!r}{note}")
        if self.tool == "google-forms" and "respondent_id" not in self.columns:
            out.append(f"  {'respondent_id':<14} none: a Google Forms export has no respondent id; each row is one response")
        for role in self.missing_roles:
            out.append(f"  {role:<14} NOT FOUND: set columns.{role} in {self.survey_file} to its heading")
        for role, candidates in self.role_candidates.items():
            listed = " or ".join(repr(h) for h in candidates)
            out.append(f"  {role:<14} PLEASE CONFIRM: perhaps {listed}; if so, set columns.{role} in {self.survey_file}")
        return out

    def _scale_text(self) -> list[str]:
        """The answer scale and the non-answers written, and whether they need confirming."""
        p = self.scale
        if p is None:
            return []
        written = p.written if p.written is not None else "not declared in survey.yml (see below)"
        out = ["", f"Answer scale: {written if isinstance(written, str) else 'as written in ' + self.survey_file}"]
        out.append(f"  {'' if p.sure else 'PLEASE CONFIRM: '}{p.why}")
        if p.unknown:
            out.append(f"  labels on no scale ready to name: {', '.join(p.unknown)}")
        if p.non_answers:
            out.append(
                f"  non-answers (left out of every base, counted apart in the methods appendix): {', '.join(p.non_answers)}"
            )
        return out

    def _headings_text(self) -> list[str]:
        """The headings matched, to confirm, new (with their bank entries to paste) and ignored."""
        out = ["", f"Matched ({len(self.matched)}): heading -> question code, score"]
        out += [f"  {m.score:.2f}  {m.code:<6} {_short(m.heading)}" for m in self.matched]
        if self.confirm:
            out += [
                "",
                f"PLEASE CONFIRM ({len(self.confirm)}): the proposed code is written to {self.survey_file} with a comment;"
                " change it there if it is wrong",
            ]
            for m in self.confirm:
                out.append(f"  {m.score:.2f}  {m.code:<6} {m.heading!r}")
                out.append(f"              bank {m.bank_year}: {m.bank_wording!r}")
        if self.reworded:
            out += [
                "",
                f"REWORDED? ({len(self.reworded)}): each heading is close to a question asked before that has no column now,"
                f" so it is mapped to that code in {self.survey_file}. Please confirm each one:",
            ]
            for m in self.reworded:
                out += [
                    f"  reworded from {m.code}? (score {m.score:.2f})",
                    f"    {m.bank_year}: {m.bank_wording}",
                    f"    {self.year}: {m.heading}",
                    f"    If yes: keep the mapping and add the {self.year} wording to {m.code} (below). If the change is big"
                    f" enough that {self.year} must not be compared with {m.bank_year}, also add `comparable_from: {self.year}`"
                    f" to {m.code}. If no: it is a new statement; give it a new code.",
                ]
        if self.new_questions:
            out += [
                "",
                f"NEW STATEMENTS ({len(self.new_questions)}): no question of {BANK_FILE} is close, so each got a new code,"
                f" already mapped in {self.survey_file}. Paste these entries under `questions:` in {BANK_FILE}, and"
                " write each one's theme and short label (or, if a heading is not a statement, move it to `ignore:`):",
            ]
            for m in self.new_questions:
                out += [
                    f"  {m.code}:",
                    "    theme: PUT-A-THEME-CODE-HERE",
                    f"    short: {json.dumps(_short(m.heading, 60), ensure_ascii=False)}",  # as typed: no \u escapes
                ]
                out += ["    wording:", yaml_line(self.year, m.heading)]
        if self.ignored:
            out += [
                "",
                f"Ignored ({len(self.ignored)}): listed under `ignore:` (ignored last year, not worded like a question,"
                " personal data, or free-text comments);"
                " if one is a question, map it under `questions:` instead",
            ]
            out += [f"  {h!r}{self._why_ignored(h)}" for h in self.ignored]
            if self.personal:
                out.append(
                    "  Personal data is not read: a column of names, e-mail or IP addresses is left out of the report"
                    " whatever it holds, and is never proposed for the team, locality or role."
                )
        return out

    def _why_ignored(self, heading: str) -> str:
        if heading in self.personal:
            return "  (personal data: left out, not read)"
        if heading in self.free_text:
            return "  (free-text comments, not a statement: left out; quote from them in quotes.csv if you wish)"
        if OTHER_TEXT.match(heading):
            return "  (an 'Other (please specify)' box: free text, never a statement or a group)"
        if heading in self.technical:
            return "  (added by the survey tool about the response: never a statement or a group)"
        return ""

    def _bank_text(self) -> list[str]:
        """Last year's questions with no column now, and the lines to add to question_bank.yml."""
        y, prev, out = self.year, self.previous_year, []
        if self.missing:
            out += ["", f"Asked in {prev} but no column in this export ({len(self.missing)}): check the export is complete"]
            out += [f"  {code:<6} {short}" for code, short in self.missing]
        if self.bank_lines:
            out += [
                "",
                f"ADD TO {BANK_FILE} ({len(self.bank_lines)} question(s); this command did not change it)."
                " Put each line under that question's `wording:`:",
            ]
            for m, how in self.bank_lines:
                block = bank_block(m.code, y, m.heading)
                out += [f"{block[0]}    # {how}", *block[1:]]
            changed = [m.code for m, how in self.bank_lines if how.startswith("wording changed")]
            if changed:
                out += [
                    "",
                    f"The wording changed for {', '.join(changed)}. If the change is big enough that {y} must not be"
                    f" compared with earlier years, also add `comparable_from: {y}` to that question.",
                ]
        return out


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
