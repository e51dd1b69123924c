"""Habits of the repository, checked on every run: what is committed, and how the package is built.

* chapter notebooks are committed without outputs or execution counts;
* requirements.txt pins every package and names no folder of the build machine;
* imports only point down the pipeline (data -> scaffold -> analysis -> present -> pipeline ->
  audit -> cli), with no cycle, lazy imports included, subpackages in their layer;
* no private name (`_name`) used across modules;
* a module keeps one concern whatever its length, and a long one (or a function over 60 lines)
  says why in its docstring. There is no cap: splitting one concern into sibling modules to stay
  under a line count made families of modules sharing private names (issue #24).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from healthcheck import paths

PACKAGE = paths.ROOT / "healthcheck"
# The layers, bottom first; a module may import its own layer and those below it. The
# leaves (errors, paths, escape, environment) sit under everything. A layer's subpackages
# (data/tables/, pipeline/execute/...) are in its layer. scaffold (new-year, import) writes
# the analyst's files from the data layer's readers and writers. audit.verify rebuilds a
# book, so it may call the pipeline; the pipeline's stages call the audit's checks.
LAYERS = ["leaf", "data", "scaffold", "analysis", "present", "pipeline", "audit", "cli"]
ALLOWED_UPWARD = {("pipeline", "audit"), ("audit", "pipeline")}
# Not caps: past these a module or function says why it is long, in its docstring, in a line
# starting with REASON.
LONG_MODULE_LINES, MAX_FUNCTION_LINES = 600, 60
REASON = "Long because"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(paths.ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "leaf"
    if parts[1] in LAYERS:
        return parts[1]
    return "cli" if parts[1] in ("cli", "__main__") else "leaf"


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every healthcheck module a file imports, at the top or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("healthcheck"):
            out.add(node.module)
            out |= {f"{node.module}.{alias.name}" for alias in node.names} & modules
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names if alias.name.startswith("healthcheck")}
    return {m for m in out if m in modules}


def test_chapter_notebooks_are_committed_without_outputs():
    notebooks = sorted((paths.ROOT / "chapters").rglob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned_and_name_no_machine_folder(lock):
    lines = [line.strip() for line in (paths.ROOT / lock).read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert requirements and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^\s]+", line) for line in requirements), [
        line for line in requirements if "==" not in line
    ]
    assert not any(line.startswith(("--find-links", "-f ", "--index-url", "--extra-index-url")) for line in lines)


def test_test_tools_stay_out_of_the_runtime_lock():
    """`make report` and every Dask worker install requirements.txt: no test or lint tool in it."""
    runtime = {line.split("==")[0].lower() for line in (paths.ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    assert not runtime & {"pytest", "ruff", "hypothesis", "duckdb", "axe-playwright-python", "deptry"}


def test_the_dev_lock_agrees_with_the_runtime_lock():
    """A package in both locks has one version: the dev lock is compiled with -c requirements.txt."""

    def pins(name):
        text = (paths.ROOT / name).read_text()
        return dict(line.strip().split("==") for line in text.splitlines() if "==" in line and not line.startswith("#"))

    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: (runtime[name], dev[name]) for name in runtime.keys() & dev.keys() if runtime[name] != dev[name]} == {}


def test_imports_point_down_the_pipeline_without_cycles():
    modules = _modules()
    graph = {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}
    wrong = []
    for name, targets in graph.items():
        for target in targets:
            low, high = LAYERS.index(_layer(name)), LAYERS.index(_layer(target))
            if high > low and (_layer(name), _layer(target)) not in ALLOWED_UPWARD:
                wrong.append(f"{name} -> {target}")
    assert not wrong, "imports pointing up the pipeline:\n" + "\n".join(sorted(wrong))
    # no cycle: a depth-first search finds no back edge (a package's __init__ may import its modules)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue  # a package and its own modules
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail + [node, target]))
            if target not in state:
                visit(target, trail + [node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_no_private_name_crosses_a_module_boundary():
    """`from healthcheck.x import _name` or `module._name` on a healthcheck module: make it public."""
    modules = _modules()
    crossing = []
    for name, path in sorted(modules.items()):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = {}  # local name -> healthcheck module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("healthcheck"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        crossing.append(f"{name}: from {node.module} import {alias.name}")
                    if full in modules:
                        bound[alias.asname or alias.name] = full
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                crossing.append(f"{name}: {node.value.id}.{node.attr} ({bound[node.value.id]})")
    assert not crossing, "private names used across modules:\n" + "\n".join(sorted(set(crossing)))


def test_no_long_module_or_function_without_a_written_reason():
    too_long = []
    for name, path in sorted(_modules().items()):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        reason = REASON in (ast.get_docstring(tree) or "")
        if len(text.splitlines()) > LONG_MODULE_LINES and not reason:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES and not reason:
                    too_long.append(f"{name}.{node.name}: {length} lines")
    assert not too_long, f"over the limits, with no '{REASON}' in the module docstring:\n" + "\n".join(too_long)
