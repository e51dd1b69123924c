"""The package by concern: modules moved into subpackages, and every reference to them rewritten.

    .venv/bin/python scripts/restructure.py            # apply (git mv + rewrites), print what changed
    .venv/bin/python scripts/restructure.py --check    # change nothing; exit 1 if anything is left to do

Issue #24 ("Subpackages by concern", "Names"). The prefix families (read/readcsv/readxlsx,
yamlfile/yamlmodel/yamlwrite, myst/mystrender/narrative, batch*, engine*, pdf*, national*)
become subpackages; the commands that write the analyst's files move to `healthcheck/scaffold/`;
"benchmark" is left to the speed measurements (`benchmarks/`) and the comparison with England
and the regions is called "comparators" in the code. User-facing names are NOT changed: the data
files (`benchmarks.csv`, `benchmark_organisations.csv`...), settings keys, download names and
chapter parameters (`benchmark_dir`) stay as they are, so no data folder and no published byte
changes.

The script is re-runnable and idempotent. It is meant to be run again by the lead on main
after the other branches are merged: modules already moved are left alone, and any new import
of an OLD name (added meanwhile by someone else) is rewritten to the NEW one. A second run
changes nothing. What it does, in order:

1. `git mv` each module of MOVES (and each test file of TEST_RENAMES, wherever it lives under
   tests/) whose old file exists and whose new file does not; a new package gets an
   `__init__.py` whose docstring is its one sentence from PACKAGES.
2. Private names that crossed a module boundary become public (PRIVATE_TO_PUBLIC).
3. In every tracked Python file and notebook (code cells only; outputs untouched):
   `from healthcheck.data import read` -> `from healthcheck.data.tables import read`; a module
   whose name changed is bound by its new name, and the file's `old.attr` uses renamed, when
   that is safe (the old name is used only as `old.attr` and the new name is free in the file);
   otherwise it is imported `as` the old name.
4. In every tracked text file (Python, notebooks, Markdown, TOML, Makefile, YAML): dotted names
   (`healthcheck.pipeline.engine:WarmKernelEngine`, monkeypatch strings), paths
   (`healthcheck/data/read.py`) and, in Markdown, short module names in backticks
   (`` `data/read` ``) are rewritten.
5. The folder tree of docs/developer/architecture.md (between the `restructure:tree` markers)
   is written from PACKAGES.
6. ruff sorts the imports and formats the Python files that changed.

On main, once the other branches are merged (move24's second commit is this script's output
on move24, so the lead takes only the first):

    git cherry-pick <move24's first commit>   # this script, compare_builds.py, test_repository, docs
    #   (a conflict in docs/developer/architecture.md: keep both sides)
    .venv/bin/python scripts/restructure.py
    .venv/bin/pip install -e . --no-deps      # the papermill entry point names the moved engine
    .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/python -m pytest -q -m unit
    .venv/bin/python scripts/restructure.py --check        # nothing left to do
    git add -A && git commit -m "Modules by concern (produced by scripts/restructure.py)"
    flock /tmp/hc-heavy.lock .venv/bin/python scripts/compare_builds.py HEAD~1 HEAD

Rules the mapping keeps: an old module that becomes a package (`pipeline/pdf.py` ->
`pipeline/pdf/`) never gets a submodule named like one of its old module's public names, so
`from healthcheck.pipeline.pdf import print_pdf` (old) and `from healthcheck.pipeline.pdf
import printing` (new) are told apart; and nobody imports such a package itself by name.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# THE MAPPING: old dotted module -> new dotted module, and the name a caller binds it to when it
# imports the module itself (None: the new module's own name).
# ---------------------------------------------------------------------------------------------
MOVES: list[tuple[str, str, str | None]] = [
    # data/tables/: an input table read as its survey tool wrote it, and the export checked row by row
    ("healthcheck.data.read", "healthcheck.data.tables.read", None),
    ("healthcheck.data.readbase", "healthcheck.data.tables.base", "readbase"),
    ("healthcheck.data.readcsv", "healthcheck.data.tables.csvfile", None),
    ("healthcheck.data.readxlsx", "healthcheck.data.tables.xlsxfile", None),
    ("healthcheck.data.xlsxlimits", "healthcheck.data.tables.xlsxlimits", None),
    ("healthcheck.data.surveytools", "healthcheck.data.tables.surveytools", None),
    ("healthcheck.data.dates", "healthcheck.data.tables.dates", None),
    ("healthcheck.data.exportcheck", "healthcheck.data.tables.exportcheck", None),
    # data/narrative/: the narrative format and a year's narrative files
    ("healthcheck.data.myst", "healthcheck.data.narrative.myst", None),
    ("healthcheck.data.mystrender", "healthcheck.data.narrative.render", "mystrender"),
    ("healthcheck.data.narrative", "healthcheck.data.narrative.files", "narrative"),
    # data/yaml/: YAML read safely, into models, and written as the analyst writes it
    ("healthcheck.data.yamlfile", "healthcheck.data.yaml.load", "yamlfile"),
    ("healthcheck.data.yamlmodel", "healthcheck.data.yaml.model", "yamlmodel"),
    ("healthcheck.data.yamlwrite", "healthcheck.data.yaml.write", "yamlwrite"),
    # one name each instead of the text/texts pair
    ("healthcheck.data.text", "healthcheck.data.cleaning", None),
    ("healthcheck.data.texts", "healthcheck.data.inputs", None),
    # "benchmark" is the speed measurements' word; the comparison with England is "comparators"
    ("healthcheck.data.benchmarkfiles", "healthcheck.data.comparatorfiles", None),
    ("healthcheck.analysis.benchmarks", "healthcheck.analysis.comparators", None),
    # scaffold/: the commands that write the analyst's files (new-year, import)
    ("healthcheck.data.yearstart", "healthcheck.scaffold.newyear", None),
    ("healthcheck.data.importer", "healthcheck.scaffold.importer", None),
    ("healthcheck.data.importpropose", "healthcheck.scaffold.propose", "importpropose"),
    ("healthcheck.data.importreport", "healthcheck.scaffold.report", "importreport"),
    ("healthcheck.data.headings", "healthcheck.scaffold.headings", None),
    # present/national/: what the national summary's chapters show
    ("healthcheck.present.national", "healthcheck.present.national.book", "national"),
    ("healthcheck.present.national_charts", "healthcheck.present.national.charts", "national_charts"),
    ("healthcheck.present.national_findings", "healthcheck.present.national.findings", "national_findings"),
    ("healthcheck.present.national_regions", "healthcheck.present.national.regions", "national_regions"),
    # pipeline/execute/: the chapter notebooks run
    ("healthcheck.pipeline.chapters", "healthcheck.pipeline.execute.chapters", None),
    ("healthcheck.pipeline.workers", "healthcheck.pipeline.execute.workers", None),
    ("healthcheck.pipeline.engine", "healthcheck.pipeline.execute.engine", None),
    ("healthcheck.pipeline.enginekernel", "healthcheck.pipeline.execute.kernel", "enginekernel"),
    ("healthcheck.pipeline.cache", "healthcheck.pipeline.execute.cache", None),
    # pipeline/pdf/: the PDF printed by Chromium
    ("healthcheck.pipeline.pdf", "healthcheck.pipeline.pdf.printing", "pdf"),
    ("healthcheck.pipeline.pdfpage", "healthcheck.pipeline.pdf.page", "pdfpage"),
    ("healthcheck.pipeline.hatching", "healthcheck.pipeline.pdf.hatching", None),
    # pipeline/batch/: many organisations on Dask, and the national summary book
    ("healthcheck.pipeline.batch", "healthcheck.pipeline.batch.cluster", "batch"),
    ("healthcheck.pipeline.batchtasks", "healthcheck.pipeline.batch.tasks", "batchtasks"),
    ("healthcheck.pipeline.batchfiles", "healthcheck.pipeline.batch.files", "batchfiles"),
    ("healthcheck.pipeline.batchreport", "healthcheck.pipeline.batch.report", "batchreport"),
    ("healthcheck.pipeline.national", "healthcheck.pipeline.batch.nationalbook", None),
]

# Each new folder and the one sentence that says what it holds (its __init__ docstring, and
# its line in docs/developer/architecture.md).
PACKAGES: dict[str, str] = {
    "healthcheck.data.tables": (
        "An input table read as its survey tool wrote it (CSV or XLSX, safely), and the export checked row by row."
    ),
    "healthcheck.data.narrative": (
        "The analyst's narrative: the safe MyST subset with references, filled in, and a year's narrative files."
    ),
    "healthcheck.data.yaml": (
        "YAML files loaded safely, read into pydantic models with every "
        "mistake at its key, and written as the analyst writes them."
    ),
    "healthcheck.scaffold": (
        "The commands that write the analyst's files: `new-year` and `import` (with what it proposes and reports)."
    ),
    "healthcheck.present.national": "What the national summary book's chapters show: its page, charts, findings and regions.",
    "healthcheck.pipeline.execute": (
        "Running the chapter notebooks: which run, in which worker, on the warm-kernel engine, and which the cache reuses."
    ),
    "healthcheck.pipeline.pdf": (
        "The PDF: the single page printed by Chromium, with its cover, contents, print styles and vector hatching."
    ),
    "healthcheck.pipeline.batch": (
        "Many organisations' books built on a Dask cluster, their "
        "comparator files, the batch report and the national summary book."
    ),
}

# Test files named for a module whose name changed (found wherever they live under tests/).
TEST_RENAMES = {"test_benchmarks.py": "test_comparators.py", "test_benchmarkfiles.py": "test_comparatorfiles.py"}

# Private names used by another module: made public where they are defined and used.
PRIVATE_TO_PUBLIC = {"_code_key": "code_key", "_failures_to_problems": "failures_to_problems"}

# Modules whose callers now bind them by another name: `old.attr` in backticks (docstrings,
# comments, Markdown) is rewritten. Not `text.` (matplotlib's rcParams are `text.usetex`...).
PROSE_NAMES = {"texts": "inputs", "benchmarks": "comparators", "benchmarkfiles": "comparatorfiles", "yearstart": "newyear"}
FILE_SUFFIXES = ("csv", "py", "md", "ipynb", "yml", "yaml", "xlsx", "ods", "json", "txt", "svg", "png", "pdf", "html")

# Where references are rewritten (tracked files only); never this script's own mapping.
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".toml", ".cfg", ".ini", ".yml", ".yaml", ".txt", ".in"}
TEXT_NAMES = {"Makefile"}
NEVER = {"scripts/restructure.py"}
NEVER_UNDER = ("data/", "tests/fixtures/", "node_modules/")
DOC = Path("docs/developer/architecture.md")
TREE_START, TREE_END = "<!-- restructure:tree -->", "<!-- /restructure:tree -->"

OLD = {old: new for old, new, _ in MOVES}
LOCAL = {old: (local or new.rsplit(".", 1)[1]) for old, new, local in MOVES}
NEW_MODULES = set(OLD.values())
# Old modules that are new packages too (pipeline/pdf.py -> pipeline/pdf/): their submodules.
COLLIDING = {old: {m.rsplit(".", 1)[1] for m in NEW_MODULES if m.rsplit(".", 1)[0] == old} for old in OLD if old in PACKAGES}


def module_path(dotted: str) -> Path:
    return Path(*dotted.split(".")).with_suffix(".py")


def package_init(dotted: str) -> Path:
    return Path(*dotted.split(".")) / "__init__.py"


def submodules(package: str) -> set[str]:
    """The names of a new package's modules: from the mapping and from what is on disk."""
    names = set(COLLIDING.get(package, ()))
    folder = ROOT / Path(*package.split("."))
    if folder.is_dir():
        names |= {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | {p.name for p in folder.iterdir() if p.is_dir()}
    return names


def resolve(dotted: str, module: bool = False) -> str:
    """A dotted name with its longest OLD module prefix replaced by the NEW one (or as it was).

    An old module that is now a package (`healthcheck.pipeline.pdf`), named alone, is taken
    as the package unless `module` says it is the module (a path ending in .py).
    """
    parts = dotted.split(".")
    for n in range(len(parts), 1, -1):
        head = ".".join(parts[:n])
        if head in OLD:
            rest = parts[n:]
            if head in COLLIDING and ((rest and rest[0] in submodules(head)) or (not rest and not module)):
                return dotted  # already new: pipeline.pdf.printing..., or the package itself
            return ".".join([OLD[head], *rest])
    return dotted


# ------------------------------------------------------------------------- 1. moving the files
def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def move_files(apply: bool) -> list[str]:
    done = []
    for package, sentence in PACKAGES.items():
        init = ROOT / package_init(package)
        old_module = ROOT / module_path(package)
        if init.exists():
            continue
        done.append(f"new package {package}")
        if apply:
            if old_module.exists():  # the old module of this name moves first, out of the way
                target = ROOT / module_path(OLD[package])
                target.parent.mkdir(parents=True, exist_ok=True)
                git("mv", str(old_module.relative_to(ROOT)), str(target.relative_to(ROOT)))
                done.append(f"git mv {module_path(package)} {target.relative_to(ROOT)}")
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{sentence}"""\n', encoding="utf-8")
            git("add", str(init.relative_to(ROOT)))
    for old, new in OLD.items():
        src, dst = ROOT / module_path(old), ROOT / module_path(new)
        if old in PACKAGES and (ROOT / package_init(old)).exists() and not src.exists():
            continue
        if src.exists() and dst.exists():
            raise SystemExit(f"both {src.relative_to(ROOT)} and {dst.relative_to(ROOT)} exist: merge them by hand first")
        if src.exists():
            done.append(f"git mv {module_path(old)} {module_path(new)}")
            if apply:
                dst.parent.mkdir(parents=True, exist_ok=True)
                git("mv", str(module_path(old)), str(module_path(new)))
    for old_name, new_name in TEST_RENAMES.items():
        for src in sorted((ROOT / "tests").rglob(old_name)):
            dst = src.with_name(new_name)
            if dst.exists():
                raise SystemExit(f"both {src} and {dst} exist")
            done.append(f"git mv {src.relative_to(ROOT)} {dst.relative_to(ROOT)}")
            if apply:
                git("mv", str(src.relative_to(ROOT)), str(dst.relative_to(ROOT)))
    return done


# --------------------------------------------------------------- 3. imports in Python source
@dataclass
class Edit:
    start: int  # character offsets in the source
    end: int
    text: str


def _offsets(source: str) -> list[int]:
    """The offset of each line's start, lines counted as ast and tokenize count them (by \\n)."""
    starts, total = [0], 0
    for line in source.split("\n"):
        total += len(line) + 1
        starts.append(total)
    return starts


def _names(source: str) -> list[tokenize.TokenInfo]:
    try:
        return [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


def _module_only_use(cells: list[list[tokenize.TokenInfo]], name: str, import_lines: list[set[int]]) -> bool:
    """True when `name` is used in the file only as `name.attr` (outside import statements)."""
    for tokens, lines in zip(cells, import_lines, strict=True):
        for i, tok in enumerate(tokens):
            if tok.type != tokenize.NAME or tok.string != name or tok.start[0] in lines:
                continue
            before = tokens[i - 1].string if i else ""
            after = tokens[i + 1].string if i + 1 < len(tokens) else ""
            if before == "." or after != ".":
                return False
    return True


def _free(tokens: list[tokenize.TokenInfo], name: str) -> bool:
    return not any(t.type == tokenize.NAME and t.string == name for t in tokens)


def rewrite_imports(sources: list[str]) -> list[str]:
    """The cells (or the one file) of a Python source with OLD module imports rewritten.

    The cells of a notebook share their names: the safety of renaming a bound name is judged
    over all of them.
    """
    trees, tokens = [], []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            trees.append(None)  # IPython magics: left as they are
        tokens.append(_names(source))
    all_tokens = [t for ts in tokens for t in ts]
    import_lines_of = []
    for tree in trees:
        lines = set()
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.ImportFrom | ast.Import):
                lines |= set(range(node.lineno, node.end_lineno + 1))
        import_lines_of.append(lines)
    renames: dict[str, str] = {}
    edits_of: list[list[Edit]] = [[] for _ in sources]
    for index, (source, tree) in enumerate(zip(sources, trees, strict=True)):
        if tree is None:
            continue
        offsets = _offsets(source)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not (node.module or "").startswith("healthcheck"):
                continue
            statements = _rewrite_from(node, all_tokens, import_lines_of, tokens, renames)
            if statements is None:
                continue
            # A comment after the statement (a noqa directive) goes with each statement made of it.
            end = offsets[node.end_lineno - 1] + node.end_col_offset
            line_end = source.find("\n", end)
            line_end = len(source) if line_end < 0 else line_end
            tail = source[end:line_end]
            comment = tail if tail.strip().startswith("#") else ""
            if comment:
                statements = [s + comment for s in statements]
                end = line_end
            indent = " " * node.col_offset
            start = offsets[node.lineno - 1] + node.col_offset
            edits_of[index].append(Edit(start, end, ("\n" + indent).join(statements)))
    out = []
    for source, edits, toks in zip(sources, edits_of, tokens, strict=True):
        offsets = _offsets(source)
        for old, new in renames.items():
            for i, tok in enumerate(toks):
                if tok.type == tokenize.NAME and tok.string == old and i + 1 < len(toks) and toks[i + 1].string == ".":
                    if i and toks[i - 1].string == ".":
                        continue
                    start = offsets[tok.start[0] - 1] + tok.start[1]
                    if any(e.start <= start < e.end for e in edits):
                        continue
                    edits.append(Edit(start, start + len(old), new))
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):
            source = source[: edit.start] + edit.text + source[edit.end :]
        out.append(source)
    return out


def _alias(name: str, asname: str | None) -> str:
    return name if asname in (None, name) else f"{name} as {asname}"


def _rewrite_from(node, all_tokens, import_lines_of, tokens, renames) -> list[str] | None:
    """The statements that replace one `from healthcheck... import ...`, or None if unchanged."""
    module = node.module
    kept: list[str] = []
    moved: dict[str, list[str]] = {}
    changed = False
    if module in OLD:  # from OLD_MODULE import names
        colliding = submodules(module) if module in COLLIDING else set()
        for alias in node.names:
            if alias.name in colliding:
                kept.append(_alias(alias.name, alias.asname))
            else:
                moved.setdefault(OLD[module], []).append(_alias(alias.name, alias.asname))
                changed = True
    else:
        resolved = resolve(module)
        if resolved != module:  # from OLD_MODULE.something import names
            return [f"from {resolved} import {', '.join(_alias(a.name, a.asname) for a in node.names)}"]
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if full not in OLD:
                kept.append(_alias(alias.name, alias.asname))
                continue
            changed = True
            new_parent, new_base = OLD[full].rsplit(".", 1)
            if alias.asname:
                local = alias.asname
            else:
                wanted = LOCAL[full]
                if wanted == alias.name:
                    local = wanted
                elif renames.get(alias.name) == wanted or (
                    _module_only_use(tokens, alias.name, import_lines_of) and _free(all_tokens, wanted)
                ):
                    renames[alias.name] = wanted
                    local = wanted
                else:
                    local = alias.name
            moved.setdefault(new_parent, []).append(_alias(new_base, local))
    if not changed:
        return None
    # As isort writes them: the plain names of a module on one line, each `as` on its own line.
    statements = []
    for parent, names in [(module, kept), *moved.items()]:
        plain = [n for n in names if " as " not in n]
        if plain:
            statements.append(f"from {parent} import {', '.join(plain)}")
        statements += [f"from {parent} import {n}" for n in sorted(n for n in names if " as " in n)]
    return statements


# ------------------------------------------------------------- 4. dotted names, paths, prose
DOTTED = re.compile(r"(?<![\w.])healthcheck(?:\.[A-Za-z_]\w*)+")
SLASHED = re.compile(r"(?<![\w/])healthcheck(?:/[A-Za-z_]\w*)+(?:\.py)?")
PROSE = re.compile(r"`(" + "|".join(PROSE_NAMES) + r")\.([A-Za-z_]\w*)")
SHORT = re.compile(r"`((?:data|analysis|present|pipeline|audit)(?:/[A-Za-z_]\w*)+)`")


def rewrite_text(text: str, markdown: bool) -> str:
    text = DOTTED.sub(lambda m: resolve(m.group(0)), text)

    def slashed(m: re.Match) -> str:
        found = m.group(0)
        stem = found[:-3] if found.endswith(".py") else found
        new = resolve(stem.replace("/", "."), module=found.endswith(".py"))
        if new == stem.replace("/", "."):
            return found
        return new.replace(".", "/") + (".py" if found.endswith(".py") else "")

    text = SLASHED.sub(slashed, text)

    def prose(m: re.Match) -> str:
        if m.group(2) in FILE_SUFFIXES:
            return m.group(0)
        return f"`{PROSE_NAMES[m.group(1)]}.{m.group(2)}"

    text = PROSE.sub(prose, text)
    if markdown:

        def short(m: re.Match) -> str:
            dotted = "healthcheck." + m.group(1).replace("/", ".")
            if dotted not in OLD:
                return m.group(0)
            return "`" + OLD[dotted].removeprefix("healthcheck.").replace(".", "/") + "`"

        text = SHORT.sub(short, text)
    return text


def private_to_public(text: str) -> str:
    for old, new in PRIVATE_TO_PUBLIC.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def rewrite_python(text: str) -> str:
    return private_to_public(rewrite_text(rewrite_imports([text])[0], markdown=False))


def rewrite_notebook(text: str) -> str:
    notebook = json.loads(text)
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    new_sources = [rewrite_text(s, markdown=False) for s in rewrite_imports(sources)]
    if new_sources == sources:
        return text
    for cell, source in zip(cells, new_sources, strict=True):
        cell["source"] = source.splitlines(keepends=True)
    indent = 1 if text.startswith('{\n "') else 2
    return json.dumps(notebook, indent=indent, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")


# ----------------------------------------------------------------------- 5. the docs' tree
# Folders that already exist, for the tree only.
EXISTING_PACKAGES = {
    "healthcheck.data": "The data folder read and checked: files, codes, counts, cleaning, validation, comparator files.",
    "healthcheck.analysis": "The numbers: rounding, statistics, disclosure over linked tables, comparators, the Survey.",
    "healthcheck.present": "What a chapter shows: Chapter, sentences, tables, exports, workbooks.",
    "healthcheck.present.sections": "What each chapter shows, one module per chapter (summary, introduction, theme, trends...).",
    "healthcheck.present.charts": "One module per kind of chart, and the house style they share.",
    "healthcheck.pipeline": "Building a book: the stages, the Jupyter Book, its outputs, staging and publishing, preview.",
    "healthcheck.audit": "The attack on the published files, the manifest, and the rebuild check (verify).",
}
TOP_ORDER = ["data", "scaffold", "analysis", "present", "pipeline", "audit"]


def _sentence(package: str) -> str | None:
    """A folder's sentence: from the tables above, else its __init__ docstring's first paragraph."""
    known = {**EXISTING_PACKAGES, **PACKAGES}
    if package in known:
        return known[package]
    init = ROOT / package_init(package)
    if not init.is_file():
        return None
    try:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    except SyntaxError:
        doc = ""
    return " ".join(doc.split("\n\n")[0].split()) or "(no docstring in its __init__.py yet)"


def tree_block() -> str:
    """The folder tree of docs/developer/architecture.md, one sentence a folder, as on disk."""
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "healthcheck").rglob("__init__.py")
        if init.parent != ROOT / "healthcheck" and "__pycache__" not in init.parts
    }
    found |= set(PACKAGES) | set(EXISTING_PACKAGES)
    tops = [t for t in TOP_ORDER if f"healthcheck.{t}" in found]
    tops += sorted(p.split(".")[1] for p in found if p.count(".") == 1 and p.split(".")[1] not in TOP_ORDER)
    lines = [TREE_START, "", "The package's folders, each in one sentence:", "", "```"]
    lines.append(f"{'healthcheck/':<29}The leaves (errors, paths, escape, hashing, environment) and the command line (cli).")
    for top in tops:
        lines.append(f"  {top + '/':<27}{_sentence('healthcheck.' + top)}")
        for package in sorted(p for p in found if p.startswith(f"healthcheck.{top}.") and p.count(".") == 2):
            lines.append(f"    {package.rsplit('.', 1)[1] + '/':<25}{_sentence(package)}")
    lines += ["```", "", TREE_END]
    return "\n".join(lines)


def rewrite_doc(text: str) -> str:
    block = tree_block()
    if TREE_START in text and TREE_END in text:
        head, rest = text.split(TREE_START, 1)
        _, tail = rest.split(TREE_END, 1)
        return head + block + tail
    marker = "## Module map"
    if marker in text:
        return text.replace(marker, block + "\n\n" + marker, 1)
    return text.rstrip("\n") + "\n\n" + block + "\n"


# ------------------------------------------------------------------------------- the driver
def tracked_files() -> list[Path]:
    out = []
    for name in git("ls-files").splitlines():
        if name in NEVER or name.startswith(NEVER_UNDER):
            continue
        path = Path(name)
        if (path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES) and (ROOT / path).is_file():
            out.append(path)
    return out


def rewrite_files(apply: bool) -> list[Path]:
    changed = []
    for path in tracked_files():
        text = (ROOT / path).read_text(encoding="utf-8")
        if path.suffix == ".py":
            new = rewrite_python(text)
        elif path.suffix == ".ipynb":
            new = rewrite_notebook(text)
        else:
            new = rewrite_text(text, markdown=path.suffix == ".md")
        if path == DOC:
            new = rewrite_doc(new)
        if new != text:
            changed.append(path)
            if apply:
                (ROOT / path).write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is left to do")
    args = parser.parse_args(argv)
    apply = not args.check
    moves = move_files(apply)
    changed = rewrite_files(apply) if apply or not moves else []
    python = [str(p) for p in changed if p.suffix == ".py"]
    if apply and python:
        ruff = ROOT / ".venv" / "bin" / "ruff"
        subprocess.run([str(ruff), "check", "--select", "I", "--fix", "--quiet", *python], cwd=ROOT, check=False)
        subprocess.run([str(ruff), "format", "--quiet", *python], cwd=ROOT, check=True)
    for line in moves:
        print(line)
    for path in changed:
        print(f"rewrote {path}")
    if not moves and not changed:
        print("nothing to do: every module is in place and no old name is left")
    return 1 if args.check and (moves or changed) else 0


if __name__ == "__main__":
    sys.exit(main())
