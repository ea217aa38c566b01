"""Reading a spec's YAML safely: limits, no aliases, only core tags, and the position of every value.

A spec is hostile input until proven otherwise. It is read with limits (size, nesting, no aliases, only the
core YAML tags) and composed node by node, so every value keeps where it was written; `Positions.build` then
turns the nodes into plain data for the schema and remembers each value's and key's line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from builder.errors import Location, SpecError

MAX_DEPTH = 16  # the schema needs 4 levels; deeper nesting is an attack or a mistake
MAX_NODES = 20_000  # values in one spec; the schema's limits allow about 2,000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp")}


class Refused(yaml.MarkedYAMLError):
    """Raised while composing, for YAML that is valid but not allowed in a spec."""


class Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (so a "billion laughs" document never expands), deep nesting and bulk.

    Aliases are refused where they appear, before any node is built, so the cost of a hostile document is
    bounded by its size, not by what it would expand to.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise Refused(
                problem=f"YAML aliases (*{event.anchor}) are not allowed in a spec; write the value out",
                problem_mark=event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise Refused(
                problem=f"the spec holds more than {MAX_NODES} values; a spec is a short text",
                problem_mark=event.start_mark,
            )
        if self._depth >= MAX_DEPTH:
            raise Refused(problem=f"the YAML is nested deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_YAML_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "quote a value that contains ': ', or check the indentation"),
    ("could not find expected ':'", "check the indentation and that every quote is closed"),
    ("expected <block end>", "check the indentation"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "a '[' is not closed"),
    ("expected ',' or '}'", "a '{' is not closed"),
    ("found duplicate anchor", "anchors are not needed in a spec"),
)


def yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's complaint in a user's words, with a hint for the usual mistakes."""
    problem = (exc.problem or "").strip() or "the YAML cannot be read"
    if isinstance(exc, Refused):
        return problem
    if "expected a single document" in (exc.context or ""):
        return "invalid YAML: a spec is one YAML document; remove the second '---' and what follows it"
    message = f"invalid YAML: {problem}"
    context, mark = exc.context, exc.context_mark
    if context and mark is not None and exc.problem_mark is not None and mark.line != exc.problem_mark.line:
        message += f" ({context} that starts at line {mark.line + 1}, column {mark.column + 1})"
    hints = [hint for needle, hint in _YAML_HINTS if needle in message]
    return message + (f"; {hints[0]}" if hints else "")


def mark(node: yaml.Node) -> tuple[int, int]:
    """The 1-based line and column where a node starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def dotted(path: Iterable[Any]) -> str:
    """A value's path as users write it: `queries[0].max_results`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


class Positions:
    """Turns composed nodes into plain data, remembering where each value and key was written."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.value_at: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.key_at: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.raw_at: dict[tuple[Any, ...], str] = {}
        self.errors: list[SpecError] = []
        self._constructor = yaml.SafeLoader("")

    def error(self, node: yaml.Node, path: tuple[Any, ...], message: str) -> None:
        line, column = mark(node)
        self.errors.append(SpecError(Location(self.file, line, column, dotted(path) or None), message))

    def build(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> Any:
        self.value_at[path] = mark(node)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _CORE + "map":
                self.error(node, path, f"YAML tag '{_short(node.tag)}' is not allowed in a spec")
                return {}
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                self.error(node, path, f"YAML tag '{_short(node.tag)}' is not allowed in a spec")
                return []
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: tuple[Any, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _CORE + "str":
                written = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                self.error(key_node, path, f"a key must be a plain name (a field of the spec), got {written!r}")
                continue
            key = key_node.value
            if key in result:
                first = self.key_at[(*path, key)]
                self.error(key_node, (*path, key), f"duplicate key '{key}' (first at line {first[0]})")
                continue
            self.key_at[(*path, key)] = mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode, path: tuple[Any, ...]) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.error(node, path, f"YAML tag '{_short(node.tag)}' is not allowed in a spec")
            return None
        self.raw_at[path] = node.value
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            # e.g. 2026-02-30 resolves as a timestamp that does not exist: keep the text, the schema says why.
            return node.value
        # An unquoted arXiv id such as 2501.18750 resolves to the float 2501.1875 and loses a digit:
        # keep the text of any number written like an id, so users need not quote ids.
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", node.value)
        ):
            return node.value
        return value
