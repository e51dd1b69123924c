"""A YAML file read into a pydantic model, with every mistake as a `Problem` naming the key.

`read_yaml` parses a file safely (`yamlfile.load_yaml`) and turns what stops it into a
`DataError` naming the file and the line; `parse_model` cleans the text of invisible
characters and validates it against a model of `config`; `key_problems` says pydantic's
errors in the words of the other messages ("expected a whole number"), one per key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from healthcheck.data.inputs import clean_tree, tree_warnings
from healthcheck.data.yaml.load import YamlError, load_yaml
from healthcheck.errors import DataError, Problem, display_path


def read_yaml(path: Path, data_dir: Path):
    """Parse a YAML file safely (`yamlfile.load_yaml`: size and alias limits, duplicate keys
    refused); any mistake becomes a DataError naming the file and the line."""
    shown = display_path(path, data_dir)
    try:
        return load_yaml(path, shown, root=data_dir)
    except YamlError as exc:
        if "does not exist" in exc.message:
            raise DataError([Problem(shown, None, None, None, "this file to exist")]) from None
        raise DataError(
            [Problem(shown, exc.line, None, None, "a YAML file that can be read safely", message=exc.message)]
        ) from None


def parse_model(model, path: Path, data_dir: Path, warnings: list[Problem] | None = None):
    """Read a YAML file into `model`; text is cleaned of invisible characters first (said in
    `warnings`, when given), and every mistake is a Problem naming the key."""
    raw = read_yaml(path, data_dir)
    shown = display_path(path, data_dir)
    if not isinstance(raw, dict):
        raise DataError([Problem(shown, None, None, None, "a YAML mapping of keys to values")])
    raw, removed = clean_tree(raw)
    if warnings is not None:
        warnings += tree_warnings(shown, removed)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DataError(key_problems(shown, exc.errors())) from None


def key_problems(shown: str, errors: list[dict]) -> list[Problem]:
    """pydantic's errors as Problems, one per key: the alternatives of a union (`sheet` is a
    name or a number) become one message, and a key of the wrong kind says so."""
    merged: dict[tuple, dict] = {}
    for err in errors:
        loc = list(err["loc"])
        while loc and loc[-1] in ("int", "str", "float", "bool", "none", "date"):
            loc.pop()  # the member of a union that was tried
        is_key = bool(loc) and loc[-1] == "[key]"
        if is_key:
            loc.pop()
        entry = merged.setdefault((tuple(loc), is_key), {**err, "loc": tuple(loc), "alternatives": []})
        entry["alternatives"].append(_key_problem(shown, {**err, "loc": tuple(loc)}).expected)
    problems = []
    for (_, is_key), err in merged.items():
        problem = _key_problem(shown, err)
        expected = " or ".join(dict.fromkeys(err["alternatives"]))
        if is_key:
            expected = f"the key to be {expected}"
        problems.append(Problem(problem.file, None, problem.column, problem.found, expected, message=problem.message))
    return problems


# pydantic's messages ("Input should be ...") in the words of the other messages ("expected ...").
_PLAIN = {
    "greater_than_equal": "a number of at least {ge}",
    "greater_than": "a number above {gt}",
    "less_than_equal": "a number of at most {le}",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "date_parsing": "a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date written as YYYY-MM-DD",
    "date_type": "a date written as YYYY-MM-DD",
    "string_type": "text (put it in quotes if it looks like a number or a date)",
    "dict_type": "a mapping of keys to values (one `key: value` per line)",
    "model_type": "a mapping of keys to values (one `key: value` per line)",
    "model_attributes_type": "a mapping of keys to values (one `key: value` per line)",
    "date_from_datetime_inexact": "a date without a time, written as YYYY-MM-DD",
    "bool_parsing": "true or false",
    "list_type": "a list (one `- item` per line)",
    "literal_error": "one of {expected}",
    "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)",
}


def _key_problem(shown: str, err: dict) -> Problem:
    """One pydantic error as a Problem at its key, in plain words."""
    key = ".".join(str(p) for p in err["loc"]) or None
    if err["type"] == "missing":
        return Problem(shown, None, key, None, "this key to be present")
    if err["type"] == "extra_forbidden":
        return Problem(shown, None, key, repr(err.get("input"))[:80], "no such key (is it misspelt?)")
    try:
        message = _PLAIN.get(err["type"], "").format(**err.get("ctx", {}))
    except (KeyError, IndexError):  # a pydantic version with other context: its own words
        message = ""
    message = message or str(err["msg"]).removeprefix("Value error, ")
    if key is None:  # a check across keys (such as the thresholds): its message is a sentence
        return Problem(shown, None, None, None, message, message=message)
    return Problem(shown, None, key, repr(err.get("input"))[:80], message)
