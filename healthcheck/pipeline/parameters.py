"""The parameters of the chapter notebooks, declared once: what the build passes each chapter
through papermill, and what every notebook's `parameters` cell must declare.

`pipeline.chapters` builds each chapter's papermill parameters with `papermill_parameters`
and checks each notebook with `check_parameters_cell` (papermill's own reading of the cell)
before anything runs; tests/test_chapter_inputs.py holds every notebook in chapters/ to this.

Two of the parameters are files rather than values, and stay so: ``survey_file``, the survey
the build validated and loaded with its disclosure audit (`analysis.survey.save_preloaded`;
a pickle, because a loaded survey is too large for a notebook's parameters cell), and
``reads_file``, where the chapter lists each input file it reads with the hash of what it read
(`cache.reads_of`): a notebook has no way to return a value to papermill, and the cache needs
that list to know which chapters an edited file re-runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from healthcheck.errors import BuildError
from healthcheck.pipeline.book import THEME_CHAPTER


@dataclass(frozen=True)
class ChapterParameter:
    """One parameter a chapter notebook declares in its `parameters` cell and the build passes.

    ``types``: what the build may pass (``type(None)`` when it may leave it unset); ``default``:
    the value the notebook's cell gives it (used when a notebook runs outside a build);
    ``optional``: the build passes it only when it has a value (so a book without one keeps
    the notebook's default, and its record does not list it).
    """

    name: str
    types: tuple[type, ...]
    default: object
    meaning: str
    optional: bool = False


_FOLDER = (str, type(None))

#: The parameters of every council chapter, in the order the notebooks write them.
COUNCIL_PARAMETERS: tuple[ChapterParameter, ...] = (
    ChapterParameter("year", (int,), 2022, "the report's year"),
    ChapterParameter("data_dir", _FOLDER, None, "the data folder; None: the repository's data/"),
    ChapterParameter("downloads_dir", _FOLDER, None, "where the chapter writes its figure files and their data"),
    ChapterParameter("reads_file", _FOLDER, None, "where the chapter lists the input files it reads (the cache's key)"),
    ChapterParameter("survey_file", _FOLDER, None, "the survey the build validated and loaded, with its disclosure audit"),
    ChapterParameter("benchmark_dir", _FOLDER, None, "this year's benchmark files, from a national batch", optional=True),
)
#: The theme notebook's one more parameter (it runs once per theme of the bank), after ``year``.
THEME_PARAMETER = ChapterParameter("theme", (str,), "wellbeing", "a theme code of the question bank")
#: The parameters of the national summary's chapters. ``data_dir`` and ``survey_file`` are the
#: chapter machinery's own (``ChapterRun`` always passes them); those chapters ignore them.
NATIONAL_PARAMETERS: tuple[ChapterParameter, ...] = (
    ChapterParameter("year", (int,), 2024, "the report's year"),
    ChapterParameter("national_dir", (str,), None, "the folder of the national book's inputs, written by the batch"),
    ChapterParameter("downloads_dir", _FOLDER, None, "where the chapter writes its figure files and their data"),
    ChapterParameter("reads_file", _FOLDER, None, "where the chapter lists the input files it reads (the cache's key)"),
    ChapterParameter("data_dir", _FOLDER, None, "unused: the national book has no single data folder"),
    ChapterParameter("survey_file", _FOLDER, None, "unused: the national book has no single survey"),
)


def declared_parameters(notebook: str, book_parameters: tuple[ChapterParameter, ...] = COUNCIL_PARAMETERS) -> tuple:
    """The parameters ``notebook`` (a file stem) declares in a book whose chapters take
    ``book_parameters``: the theme notebook of a council's book also takes ``theme``."""
    if book_parameters is COUNCIL_PARAMETERS and notebook == THEME_CHAPTER:
        return (book_parameters[0], THEME_PARAMETER, *book_parameters[1:])
    return book_parameters


def check_parameters_cell(source: Path, declared: tuple[ChapterParameter, ...], chapter: str) -> None:
    """Raise a BuildError naming the notebook and the parameter when ``source``'s `parameters`
    cell (as papermill reads it) does not declare exactly ``declared``, each with a default of
    a type the build may pass. Nothing has run yet when it fails."""
    import papermill

    try:
        found = papermill.inspect_notebook(str(source))
    except Exception as exc:  # noqa: BLE001 - papermill's own errors, said in one sentence
        raise BuildError(f"Chapter {chapter}: papermill cannot read the parameters cell of {source}: {exc}") from exc
    names = {p.name for p in declared}
    missing = [p.name for p in declared if p.name not in found]
    unknown = [name for name in found if name not in names]
    problems = [f"it does not declare `{name}`, which the build passes" for name in missing]
    problems += [f"it declares `{name}`, which the build never sets" for name in unknown]
    for p in declared:
        if p.name not in found:
            continue
        try:
            default = ast.literal_eval(found[p.name]["default"])
        except (ValueError, SyntaxError):
            problems.append(f"`{p.name}` = {found[p.name]['default']} is not a plain value")
            continue
        if not isinstance(default, p.types) and not (default is None and p.default is None):
            expected = " or ".join(t.__name__ for t in p.types)
            problems.append(f"`{p.name}` = {found[p.name]['default']} is not a {expected}")
    if problems:
        raise BuildError(
            f"Chapter {chapter}: the parameters cell of {source} does not match the parameters the build "
            f"passes ({', '.join(p.name for p in declared)}): "
            + "; ".join(problems)
            + ". Make the cell declare exactly these (healthcheck/pipeline/parameters.py declares them)."
        )


def papermill_parameters(declared: tuple[ChapterParameter, ...], values: dict, chapter: str) -> dict:
    """What papermill passes to a chapter: ``values`` checked against the declaration (every
    parameter the build must set, none it does not declare, each of a declared type); optional
    parameters without a value are left out."""
    by_name = {p.name: p for p in declared}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise BuildError(f"Chapter {chapter}: the build would pass {', '.join(unknown)}, which its notebook does not declare")
    for p in declared:
        if p.name not in values and not p.optional:
            raise BuildError(f"Chapter {chapter}: the build has no value for its parameter `{p.name}`")
    # In the order the build gives them: papermill writes them so into the executed notebook.
    passed = {name: value for name, value in values.items() if not (by_name[name].optional and value is None)}
    for name, value in passed.items():
        if not isinstance(value, by_name[name].types):
            expected = " or ".join(t.__name__ for t in by_name[name].types)
            raise BuildError(f"Chapter {chapter}: parameter `{name}` is {value!r}, not a {expected}")
    return passed
