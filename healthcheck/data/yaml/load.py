"""YAML files loaded safely: size and alias limits, duplicate keys refused, line numbers kept.

PyYAML's safe loader builds only plain data (no Python objects), but on its own it accepts
three things that hurt here: an "alias bomb" (a few lines of anchors and aliases that expand
to billions of items and exhaust memory in whatever walks the result), a key written twice
in one mapping (the second silently wins), and arbitrarily large or deeply nested files.
`load_yaml` composes the document into PyYAML's node graph first, where aliases are still
shared and cheap, checks it, and only then builds the Python objects.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from healthcheck.data.inputfile import InputError, decode_text, normalise, read_input

MAX_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 500_000  # after expanding aliases; a 1 MB file without aliases stays well under
MAX_DEPTH = 50


class YamlError(Exception):
    """A YAML file that cannot be used, in words for the analyst: `message`, and `line` (1 is
    the first line) when the problem is at one place; `file` is the name shown to the analyst."""

    def __init__(self, message: str, line: int | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, f"line {self.line}" if self.line else None) if p)
        return f"{where}: {self.message}" if where else self.message


class _Loader(yaml.SafeLoader):
    """The safe loader, counting aliases and nesting depth while it composes."""

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlError(
                    f"the file uses more than {MAX_ALIASES} aliases (*name); a settings file needs few or none", mark.line + 1
                )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(f"the file is nested more than {MAX_DEPTH} levels deep", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(path: Path | str, shown_name: str, *, max_bytes: int = MAX_BYTES, root: Path | str | None = None) -> object:
    """Load one YAML document with PyYAML's safe loader, refusing what could hurt or mislead.

    Refused, each with a YamlError naming the line where it can: a missing file, a folder,
    an unreadable file, a file over `max_bytes`, text in no common encoding (UTF-8, UTF-16, Windows-1252; a stray byte in UTF-8
    text is refused with its line), more than one document, syntax errors, tags that build Python objects,
    more than MAX_ALIASES aliases, a document that would expand to more than MAX_NODES items
    or refers to itself, nesting deeper than MAX_DEPTH, and a key repeated in one mapping
    (naming both lines). Dates, numbers and booleans come back as the safe loader gives them.
    An empty file gives None. With `root` (the data folder), a file that is a link leading
    out of it, or a named pipe or device, is refused too. The text is decoded as Windows
    editors save it (`inputfile.decode_text`) and normalised (NFC, Unicode spaces as spaces).
    """
    text = _read_text(Path(path), shown_name, max_bytes, None if root is None else Path(root))
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        _check_duplicate_keys(loader, node)
        _check_dates(loader, node)
        return loader.construct_document(node)
    except YamlError as exc:
        exc.file = shown_name
        raise
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, shown_name) from None
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(
            f"the line contains the invisible control character U+{exc.character:04X}, which YAML does not "
            "allow: delete it (retype the line)",
            line,
            shown_name,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"the file is not valid YAML: {exc}", None, shown_name) from None
    except RecursionError:
        raise YamlError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)", None, shown_name) from None
    finally:
        if loader is not None:
            loader.dispose()


def _read_text(path: Path, shown: str, max_bytes: int, root: Path | None) -> str:
    """The file's text (`inputfile`: inside `root`, an ordinary file, any common encoding,
    normalised), or a YamlError for a missing, unreadable, too large or undecodable file."""
    if path.is_dir():
        raise YamlError("this is a folder, not a YAML file", None, shown)
    try:
        raw = read_input(path, root, max_bytes=max_bytes)
    except FileNotFoundError:
        raise YamlError("the file does not exist", None, shown) from None
    except IsADirectoryError:
        raise YamlError("this is a folder, not a YAML file", None, shown) from None
    except PermissionError:
        raise YamlError("the file cannot be opened: permission denied (is it open in another program?)", None, shown) from None
    except OSError as exc:
        raise YamlError(f"the file cannot be read ({exc.strerror or exc})", None, shown) from None
    except InputError as exc:
        if exc.kind == "size":
            raise YamlError(
                f"the file is larger than {max_bytes:,} bytes, and a settings file is a few kilobytes: is it the right file?",
                None,
                shown,
            ) from None
        raise YamlError(exc.message, exc.line, shown) from None
    try:
        text, _ = decode_text(raw)
    except InputError as exc:
        raise YamlError(exc.message, exc.line, shown) from None
    return normalise(text)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_size(root: Node) -> None:
    """Refuse a graph that refers to itself or expands (through aliases) past MAX_NODES.

    Each distinct node is visited once, depth first without recursion; a node's expanded
    size is 1 plus its children's, so shared (aliased) nodes count each time they are used.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_NODES:
                raise YamlError(
                    f"the file expands to more than {MAX_NODES:,} items through its aliases (*name): this looks "
                    "like an 'alias bomb', not a settings file",
                    node.start_mark.line + 1,
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlError("the file refers to itself through an alias (*name)", node.start_mark.line + 1)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _check_duplicate_keys(loader: _Loader, root: Node) -> None:
    """Refuse a mapping with the same key twice (as YAML values: `2021` and `2021.0` differ
    from `"2021"`, but `yes` and `true` are the same key), naming both lines."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            first_line: dict[object, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = loader.construct_object(key_node)
                try:
                    marker = (type(key).__name__, key)
                    hash(marker)
                except TypeError:
                    continue
                line = key_node.start_mark.line + 1
                if marker in first_line:
                    raise YamlError(
                        f"the key {key_node.value!r} appears twice in the same section, on line "
                        f"{first_line[marker]} and line {line}; YAML would silently keep only the second. "
                        "Remove or rename one of them",
                        line,
                    )
                first_line[marker] = line
        stack.extend(_children(node))


def _check_dates(loader: _Loader, root: Node) -> None:
    """Refuse a value written like a date that is not one (2022-13-01, 2022-02-30): the safe
    loader would stop with a bare ValueError, naming no line."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_object(node)
            except (ValueError, OverflowError):
                raise YamlError(
                    f"{node.value!r} is written like a date but is not one: write dates as YYYY-MM-DD, "
                    "such as 2022-05-04 (or put the value in quotes if it is not a date)",
                    node.start_mark.line + 1,
                ) from None
        stack.extend(_children(node))


_HINTS = {
    "mapping values are not allowed": "Put a value that contains ': ' in quotes",
    "found character '\\t'": "Indent with spaces, not tabs",
    "could not find expected ':'": "Each setting needs a colon and a space after its name",
    "found undefined alias": "An alias (*name) must come after its anchor (&name)",
    "expected a single document": "The file must hold one document: remove the extra '---' line",
    "found duplicate anchor": "Each anchor (&name) may be defined once",
}


def _syntax_error(exc: yaml.MarkedYAMLError, shown: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    problem = ", ".join(p for p in (exc.context, exc.problem) if p) or "it cannot be read"
    hint = next((h for text, h in _HINTS.items() if text in str(exc)), "")
    column = f" at column {mark.column + 1}" if mark is not None else ""
    message = f"YAML syntax error{column}: {problem}" + (f". {hint}" if hint else "")
    if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem and "constructor" in exc.problem:
        message = f"the tag {exc.problem.split('tag ')[-1]}{column} is not allowed: only plain values, lists and mappings are"
    return YamlError(message, mark.line + 1 if mark is not None else None, shown)
