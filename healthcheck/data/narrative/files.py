"""A year's narrative files: which files the book reads, whether each is finished, and new-year templates.

Each chapter takes one file, `data/<year>/narrative/<kind>.md` (or `themes/<code>.md`):
`parts` lists them, `read` parses one (`myst.parse`), `status` says whether it is written,
and `template` starts one with headings and prompts, never an earlier year's words. The
format itself is `myst` (parsing, the safe subset, references) and `mystrender` (filling
references in); this module re-exports their functions, so that the rest of the package
reaches the narrative through one name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from healthcheck.data.files import NARRATIVE_DIR
from healthcheck.data.inputfile import InputError, read_text
from healthcheck.data.narrative.myst import (
    FACTS,
    MAX_MARKUP_PER_BLOCK,
    Narrative,
    Reference,
    heavy_markup,
    known_targets,
    nearest_figures,
    parse,
    percentage_warnings,
    typed_percentages,
    walk,
)
from healthcheck.data.narrative.render import check, render
from healthcheck.errors import DataError, Problem, display_path

# What the rest of the package reaches through `narrative`: a year's files, and the format's
# functions (re-exported from `myst` and `mystrender`).
__all__ = [
    "FIXED_KINDS",
    "OPTIONAL_KINDS",
    "KINDS",
    "Narrative",
    "Part",
    "Reference",
    "Status",
    "check",
    "known_targets",
    "nearest_figures",
    "parse",
    "part",
    "parts",
    "percentage_warnings",
    "read",
    "render",
    "status",
    "template",
    "typed_percentages",
    "unfinished",
]

KINDS = ("summary", "introduction", "theme", "conclusions", "foreword", "acknowledgements")
_TODO = re.compile(r"\bTODO\b")


class Status(NamedTuple):
    state: str  # "missing", "unfinished" or "finished"
    missing: tuple[str, ...]  # what is left to write, for the analyst


# ------------------------------------------------------------------------------- status and templates


def status(narrative: Narrative) -> Status:
    """'missing' (nothing written), 'unfinished' (prompts with no prose, or a TODO) or 'finished'."""
    if not narrative.text.strip():
        return Status("missing", (f"{narrative.file} has not been written",))
    todo = [f"line {n}: a TODO marker" for n, text in enumerate(narrative.text.split("\n"), 1) if _TODO.search(text)]
    sections: list[list] = [["the start of the file", 1, False, False]]  # heading, line, prose?, prompts?
    in_heading = False
    for token, line in walk(narrative):
        if token.type == "heading_open":
            sections.append([None, line, False, False])
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and in_heading:
            sections[-1][0] = f"'{token.content.strip()}'"
        elif token.type == "inline" and token.content.strip():
            sections[-1][2] = True
        elif token.type == "myst_line_comment":
            sections[-1][3] = True
    # The notes before the first heading explain the file; only a section's prompts ask for text.
    unfilled = [
        f"line {n}: {name} has prompts but no text yet" for name, n, prose, prompt in sections[1:] if prompt and not prose
    ]
    if not any(prose for _, _, prose, _ in sections):
        unfilled.insert(0, f"{narrative.file} has headings and prompts but no text of its own yet")
    missing = tuple(unfilled + todo)
    return Status("unfinished" if missing else "finished", missing)


# {q}, {t} and {y}: a statement code, a theme code and an earlier year, from the council's own
# data folder; a line with {y} is left out when the folder has no earlier year.
_REFERENCE_HELP = [
    "Lines starting with % are notes for you: readers never see them. Write your own words",
    "under each heading; a section is finished when it has text of its own. Never type a",
    "number: write a reference and the build puts in this year's figure, for example",
    "  {{pct}}`{q}` of staff agreed ({{n}}`{q}` responses; 95% interval {{ci}}`{q}`).",
    "  Agreement was {{change}}`{q}`. In {y} it was {{pct}}`{q} {y}`.",
    "  The theme score was {{theme-score}}`{t}`; {{fact}}`respondents` staff took part",
    "  ({{fact}}`response-rate`). Benchmarks: {{national}}`{q}`, {{region}}`{q}`.",
    "Facts: " + ", ".join(FACTS) + ".",
]
# kind | heading | what to write there
_SECTIONS = """
summary | What we take from this | What the findings mean for the service and why (the build already lists them).
introduction | About this report | Why the health check is done and who it is for.
introduction | Who took part | How many staff answered and the response rate, with {fact}`...` references.
theme | What the findings show | Your reading of this theme's results: what stands out and why it matters.
theme | What this means | What the service will do, or what needs looking at further.
conclusions | What the findings tell us | The main messages across the themes, with references.
conclusions | Next steps | What will happen next and when staff will hear about it.
foreword | Foreword | Optional: a senior leader's own words to staff, signed with the role.
acknowledgements | Acknowledgements | Optional: who to thank (staff who took part, facilitators), by role.
"""


def template(kind: str, *, title: str, prompts: Iterable[str] = (), example=("Q01", "your-theme", 2023)) -> str:
    """A new year's narrative file: headings and % prompts, never earlier years' words.

    `title` names what the file is about (a theme's title, "Summary"); `prompts` are extra
    lines for the notes, such as the statement codes and labels the analyst can refer to;
    `example` is (statement code, theme code, an earlier year) for the reference examples,
    taken from the council's own bank so the help speaks its language. The earlier year is
    None for a council's first year: then no example refers to a year that does not exist.
    """
    if kind not in KINDS:
        raise ValueError(f"a narrative kind is one of {', '.join(KINDS)}, not {kind!r}")

    def note(text) -> str:  # one comment line, whatever the prompt holds
        return "% " + " ".join(str(text).split()) if str(text).strip() else "%"

    q, t, y = example
    helps = [h for h in _REFERENCE_HELP if y is not None or "{y}" not in h]
    lines = [note(f"{title}: the {kind} narrative."), *(note(h.format(q=q, t=t, y=y)) for h in helps)]
    extra = [note(p) for p in prompts]
    if extra:
        lines += ["%", note("References you can use here:"), *extra]
    for row in _SECTIONS.strip().splitlines():
        section, heading, prompt = row.split(" | ")
        lines += ["", f"## {heading}", "", note(prompt)] if section == kind else []
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- a year's files

#: The fixed chapters that take narrative; each theme chapter takes `themes/<code>.md`.
FIXED_KINDS = ("summary", "introduction", "conclusions")
#: Narrative a year may have or not (no draft notice, no template): read only when the file exists.
OPTIONAL_KINDS = ("foreword", "acknowledgements")


@dataclass(frozen=True)
class Part:
    """One narrative file of a year: which chapter it belongs to and where it lives."""

    kind: str  # summary, introduction, theme or conclusions
    theme: str | None
    path: Path

    @property
    def label(self) -> str:
        """The file as the analyst names it, relative to the year's folder."""
        return self.path.relative_to(self.path.parents[2 if self.theme else 1]).as_posix()


def parts(data_dir: Path, year: int, themes) -> list[Part]:
    """Every narrative file the year's book reads, present or not, in book order."""
    folder = Path(data_dir) / str(year) / NARRATIVE_DIR
    fixed = {kind: Part(kind, None, folder / f"{kind}.md") for kind in FIXED_KINDS}
    optional = [Part(kind, None, folder / f"{kind}.md") for kind in OPTIONAL_KINDS if (folder / f"{kind}.md").is_file()]
    return (
        [fixed["summary"], fixed["introduction"]]
        + [Part("theme", code, folder / "themes" / f"{code}.md") for code in themes]
        + [fixed["conclusions"]]
        + optional
    )


def part(data_dir: Path, year: int, kind: str, theme: str | None = None) -> Part:
    """The narrative file of one chapter (an optional one whether it exists or not)."""
    if kind in OPTIONAL_KINDS:
        return Part(kind, None, Path(data_dir) / str(year) / NARRATIVE_DIR / f"{kind}.md")
    return next(p for p in parts(data_dir, year, [theme] if theme else []) if p.kind == kind and p.theme == theme)


#: A narrative is a few pages of prose (100 KB is some 15,000 words); a file far larger is a
#: mistake, and would slow every check.
MAX_BYTES = 100_000


def read(p: Part, data_dir: Path) -> Narrative:
    """The parsed file (empty when it does not exist), named as the analyst sees it in messages.

    Read as every text input is (`inputfile.read_text`): only from inside the data folder, only
    an ordinary file, in whatever encoding a Windows editor saved it, normalised. Raises
    DataError naming the file when it cannot be read.
    """
    shown = display_path(p.path, data_dir)
    if not os.path.lexists(p.path):
        return parse("", shown)
    try:
        text, _ = read_text(p.path, data_dir, max_bytes=MAX_BYTES)
    except InputError as exc:
        # The message names the line and column itself.
        raise DataError([Problem(shown, None, None, exc.found, exc.expected, message=exc.message)]) from None
    except IsADirectoryError:
        raise DataError([Problem(shown, None, None, "a folder", "a Markdown file, not a folder")]) from None
    except FileNotFoundError:  # a link to nothing
        raise DataError([Problem(shown, None, None, "a link to nothing", "a Markdown file (the link leads nowhere)")]) from None
    except OSError as exc:
        raise DataError([Problem(shown, None, None, exc.strerror, "a Markdown file this account can read")]) from None
    heavy = heavy_markup(text)
    if heavy:
        line, char, count = heavy
        raise DataError(
            [
                Problem(
                    shown,
                    line,
                    None,
                    f"{count:,} '{char}' characters in one paragraph",
                    f"prose: at most {MAX_MARKUP_PER_BLOCK} '{char}' in one paragraph (the file would take minutes to check); "
                    "split the paragraph with blank lines, or remove the repeated characters",
                )
            ]
        )
    return parse(text, shown)


def unfinished(data_dir: Path, year: int, themes) -> list[str]:
    """What is missing or unfinished in the year's narrative, one line per thing, for `--final`."""
    lines = []
    for p in parts(data_dir, year, themes):
        state = status(read(p, data_dir))
        if state.state == "missing":
            lines.append(f"{p.label}: not written yet")
        elif state.state == "unfinished":
            lines += [f"{p.label}: {what}" for what in state.missing]
    return lines
