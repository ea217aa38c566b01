"""Words for the schema's fields, generated from their declarations in `schema.py`.

`expected(path)` is what an error message says a field expects ("a whole number from 1 to 200"), and
`doc_tables()` are the field tables of docs/spec.md (a test keeps the page equal to them). Both read the
same `Field(...)` declarations that pydantic validates with, so a bound changed in the schema changes the
message and the documentation with it.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from builder.spec.schema import Spec

_BOUNDS = (annotated_types.Ge, annotated_types.Gt, annotated_types.Le, annotated_types.Lt)


@dataclass(frozen=True)
class Shape:
    """A value type with the constraints declared on it, unwrapped from Annotated and Optional."""

    base: Any  # str, int, float, bool, dt.date, list, Literal, or a model class
    item: Shape | None = None  # the item type of a list
    title: str | None = None  # the name a type gives itself: Field(title=...) or its model's title
    examples: tuple[Any, ...] = ()
    bounds: dict[str, Any] = field(default_factory=dict)  # ge, gt, le, lt, max_length
    choices: tuple[str, ...] = ()  # of a Literal

    @property
    def model(self) -> type[BaseModel] | None:
        return self.base if isinstance(self.base, type) and issubclass(self.base, BaseModel) else None


def _constraints(metadata: Iterable[Any], bounds: dict[str, Any], named: dict[str, Any]) -> None:
    for item in metadata:
        if isinstance(item, _BOUNDS):
            key = type(item).__name__.lower()
            bounds[key] = getattr(item, key)
        elif isinstance(item, annotated_types.MaxLen) or getattr(item, "max_length", None) is not None:
            bounds["max_length"] = item.max_length
        if isinstance(item, FieldInfo):
            named.setdefault("title", item.title)
            named.setdefault("examples", tuple(item.examples or ()))
            _constraints(item.metadata, bounds, named)


def shape(annotation: Any, info: FieldInfo | None = None) -> Shape:
    """The shape of a field (`info`: its FieldInfo, whose metadata pydantic has taken out of the annotation)."""
    bounds: dict[str, Any] = {}
    named: dict[str, Any] = {}
    if info is not None:
        _constraints([info], bounds, named)
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *metadata = get_args(annotation)
            _constraints(metadata, bounds, named)
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            break
    title = named.get("title")
    if origin is list:
        return Shape(list, shape(get_args(annotation)[0]), title, named.get("examples", ()), bounds)
    if origin is Literal:
        return Shape(Literal, choices=tuple(map(str, get_args(annotation))))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        title = title or annotation.model_config.get("title")
    return Shape(annotation, None, title, named.get("examples") or (), bounds)


def field_at(path: tuple[Any, ...]) -> tuple[FieldInfo | None, Shape | None]:
    """The field declared at `path` (list indices step into the item type) and its shape; (None, None) if none.

    The root is the spec itself: (None, shape of Spec). A list item has a shape but no FieldInfo.
    """
    info: FieldInfo | None = None
    current: Shape | None = shape(Spec)
    for part in path:
        if current is None:
            return None, None
        if isinstance(part, int):
            info, current = None, current.item
        elif current.model is not None and part in current.model.model_fields:
            info = current.model.model_fields[part]
            current = shape(info.annotation, info)
        else:
            return None, None
    return info, current


def model_at(path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema model that describes the mapping at `path`, so unknown keys can list the known ones."""
    return (field_at(path)[1] or Shape(None)).model


# --- words ----------------------------------------------------------------------------------------------


def number(value: Any) -> str:
    """A bound or default as a person writes it: 0 and 10, not 0.0 and 10.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def and_join(words: Iterable[str]) -> str:
    items = list(words)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def range_words(bounds: dict[str, Any]) -> str:
    """'from 1 to 200', 'more than 0 and less than 1', 'at least 3': a number's declared bounds."""
    if "ge" in bounds and "le" in bounds:
        return f"from {number(bounds['ge'])} to {number(bounds['le'])}"
    words = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
    return " and ".join(f"{words[key]} {number(bounds[key])}" for key in words if key in bounds)


def _with_range(noun: str, bounds: dict[str, Any]) -> str:
    limits = range_words(bounds)
    return f"{noun} {limits}" if limits else noun


def _noun(of: Shape) -> str:
    if of.model is not None or of.title:
        return str(of.title)
    return {str: "text", int: "whole number", float: "number", bool: "boolean"}.get(of.base, "value")


def expected_of(of: Shape) -> str:
    """What a value of this shape is, as an error message says it: 'an arXiv id such as 2501.18750'."""
    if of.base is Literal:
        return "one of " + ", ".join(of.choices)
    if of.base is bool:
        return "true or false"
    if of.base is int:
        return _with_range("a whole number", of.bounds)
    if of.base is float:
        return _with_range("a number", of.bounds)
    if of.base is list and of.item is not None:
        return "a list of " + plural(_noun(of.item))
    if of.model is not None:
        return "a mapping with " + and_join(of.model.model_fields)
    if of.title:
        return _article(of.title) + (f" such as {of.examples[0]}" if of.examples else "")
    return _noun(of)


def expected(path: tuple[Any, ...]) -> str | None:
    """What the field at `path` expects, or None when the schema has no field there."""
    if not path:
        return f"a mapping of fields ({', '.join(required_fields())}, ...)"
    of = field_at(path)[1]
    return expected_of(of) if of is not None else None


def required_fields() -> list[str]:
    return [name for name, info in Spec.model_fields.items() if info.is_required()]


def what(path: tuple[Any, ...]) -> str | None:
    """What the field at `path` is: its description up to the first '; ' (the rules that follow are the docs'),
    as plain text (docs/spec.md shows `names` as code)."""
    info = field_at(path)[0]
    return info.description.split("; ")[0].replace("`", "") if info is not None and info.description else None


# --- docs/spec.md ---------------------------------------------------------------------------------------


def _doc_type(of: Shape) -> str:
    if of.base is Literal:
        return "one of " + ", ".join(f"`{c}`" for c in of.choices)
    if of.base is bool:
        return "`true` / `false`"
    if of.base is list and of.item is not None:
        return "list of " + plural(_noun(of.item))
    return "mapping" if of.model is not None else _noun(of)


def _doc_default(info: FieldInfo) -> str:
    if info.is_required() or (info.default_factory is None and info.default is None):
        return ""
    if info.default_factory is list:
        return "`[]`"
    if info.default_factory is not None:
        return "all defaults"
    value = info.default
    return f"`{str(value).lower() if isinstance(value, bool) else number(value)}`"


def _doc_rules(info: FieldInfo, of: Shape) -> str:
    parts = [info.description or ""]
    if info.examples:
        parts[0] += ", e.g. " + ", ".join(f"`{e}`" for e in info.examples)
    if of.base is str and "max_length" in of.bounds:
        parts.append(f"at most {of.bounds['max_length']} characters")
    elif of.base in (int, float):
        parts.append(range_words(of.bounds))
    elif of.base is list and "max_length" in of.bounds:
        parts.append(f"at most {of.bounds['max_length']}")
    if of.model is not None or (of.item is not None and of.item.model is not None):
        parts.append("see below")
    return "; ".join(p for p in parts if p)


def doc_table(model: type[BaseModel]) -> str:
    """The Markdown table of a model's fields, as docs/spec.md shows it."""
    rows = [
        "| field | type | required | default | description and rules |",
        "|---|---|---|---|---|",
    ]
    for name, info in model.model_fields.items():
        of = shape(info.annotation, info)
        cells = [f"`{name}`", _doc_type(of), "yes" if info.is_required() else "no", _doc_default(info)]
        cells.append(_doc_rules(info, of))
        rows.append("|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|")
    return "\n".join(rows) + "\n"


def doc_tables() -> dict[str, str]:
    """Every field table of docs/spec.md, by path: '' for the top level, then 'queries[]', 'claims[]', ..."""
    tables = {"": doc_table(Spec)}
    for name, info in Spec.model_fields.items():
        of = shape(info.annotation, info)
        inner = of.item if of.item is not None else of
        if inner.model is not None:
            tables[name + ("[]" if of.base is list else "")] = doc_table(inner.model)
    return tables
