"""YAML loaded safely: limits, duplicate keys, line numbers, plain messages."""

from __future__ import annotations

import datetime as dt

import pytest

from healthcheck.data.yaml import load as yamlfile
from healthcheck.data.yaml.load import YamlError, load_yaml


def load(tmp_path, text, name="survey.yml", **options):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_yaml(path, f"2022/{name}", **options)


def refused(tmp_path, text, **options) -> YamlError:
    with pytest.raises(YamlError) as info:
        load(tmp_path, text, **options)
    return info.value


def test_values_are_as_the_safe_loader_gives_them(tmp_path):
    text = "year: 2022\nopen: 2022-05-04\nratio: 0.5\nflag: yes\nwording:\n  2021: a\n  '2021': b\n"
    assert load(tmp_path, text) == {
        "year": 2022,
        "open": dt.date(2022, 5, 4),
        "ratio": 0.5,
        "flag": True,
        "wording": {2021: "a", "2021": "b"},
    }


def test_empty_file_and_merge_keys(tmp_path):
    assert load(tmp_path, "") is None
    assert load(tmp_path, "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 3\n")["item"] == {"x": 3, "y": 2}


def test_alias_bomb_is_refused(tmp_path):
    # "Billion laughs": nine levels of nine aliases, about 10^9 items from under 1 KB.
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    error = refused(tmp_path, "\n".join(lines) + "\n")
    assert "alias bomb" in error.message and error.line is not None
    assert error.file == "2022/survey.yml" and str(error).startswith("2022/survey.yml, line ")


def test_too_many_aliases_and_self_reference(tmp_path):
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * (yamlfile.MAX_ALIASES + 1)) + "]\n"
    assert "aliases" in refused(tmp_path, many).message
    assert "itself" in refused(tmp_path, "a: &a [1, *a]\n").message


def test_deep_nesting_and_size_limit(tmp_path):
    assert "nested" in refused(tmp_path, "a: " + "[" * 200 + "]" * 200 + "\n").message
    error = refused(tmp_path, "a: " + "x" * 200 + "\n", max_bytes=100)
    assert "larger than 100 bytes" in error.message


def test_duplicate_keys_name_both_lines(tmp_path):
    text = "year: 2022\nquestions:\n  Q one: IMP01\n  Q two: IMP02\n  Q one: IMP03\n"
    error = refused(tmp_path, text)
    assert error.line == 5 and "'Q one'" in error.message and "line 3 and line 5" in error.message
    assert "line 1 and line 2" in refused(tmp_path, "flag: yes\nflag: true\n").message  # the same value


def test_syntax_errors_give_the_line(tmp_path):
    error = refused(tmp_path, "year: 2022\ncontext: the aim: better supervision\n")
    assert error.line == 2 and "quotes" in error.message
    assert refused(tmp_path, "a:\n\tb: 1\n").line == 2
    assert refused(tmp_path, "a: 1\n---\nb: 2\n").line == 2
    assert "anchor" in refused(tmp_path, "a: *nowhere\n").message


def test_python_tags_and_control_characters_are_refused(tmp_path):
    assert "tag" in refused(tmp_path, "a: !!python/object/apply:os.system ['echo hi']\n").message
    error = refused(tmp_path, "a: 1\nb: bell\x07\n")
    assert error.line == 2 and "U+0007" in error.message


def test_file_problems(tmp_path):
    assert "does not exist" in str(pytest.raises(YamlError, load_yaml, tmp_path / "x.yml", "x.yml").value)
    (tmp_path / "dir.yml").mkdir()
    assert "folder" in pytest.raises(YamlError, load_yaml, tmp_path / "dir.yml", "dir.yml").value.message
    error = refused(tmp_path, "a: \u201cq\u201d\nb: caf\xe9\n".encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))
    assert error.line == 2 and "UTF-8" in error.message  # a stray byte in UTF-8 text, never re-read as Windows-1252
    assert load(tmp_path, "a: caf\u00e9\n".encode("cp1252")) == {"a": "caf\u00e9"}  # Notepad's "ANSI"
    assert load(tmp_path, "\ufeffa: 1\n") == {"a": 1}
    assert load(tmp_path, "a: caf\u00e9\n".encode("utf-16")) == {"a": "caf\u00e9"}
