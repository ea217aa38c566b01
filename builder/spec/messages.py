"""Pydantic's errors as one short message each, placed at the YAML that caused it.

Every message is made from the schema's declarations (`describe.py`): what the field expects, with its
declared bounds, and what was written instead ("expected a whole number from 1 to 200, got the number 0").
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from builder.errors import Location, SpecError
from builder.models import split_arxiv_id
from builder.spec.describe import expected, field_at, model_at, what
from builder.spec.schema import Settings, Spec
from builder.spec.yamlread import Positions, dotted


def _got(value: Any, raw: str | None) -> str:
    written = raw if raw is not None else repr(value)
    if value is None:
        return "no value (null)"
    if isinstance(value, bool):
        return f"the boolean {written} (YAML reads yes/no/on/off/true/false as booleans; quote it to mean text)"
    if isinstance(value, int | float):
        return f"the number {written}"
    if isinstance(value, dt.date):
        return f"the date {written}"
    if isinstance(value, str):
        return f"the text {value[:60]!r}" + ("..." if len(value) > 60 else "")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def message(error: dict[str, Any], path: tuple[Any, ...], raw: str | None) -> str:
    """One pydantic error as a message; the location is the caller's."""
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    wanted = expected(path)
    if kind == "missing":
        meaning = what(path)
        return f"required field is missing (expected {wanted}" + (f": {meaning})" if meaning else ")")
    if kind == "extra_forbidden":
        model = model_at(path[:-1])
        known = list(model.model_fields) if model else []
        hint = _suggest(str(path[-1]), known) or (f"; allowed keys: {', '.join(known)}" if known else "")
        if model is Spec and path[-1] in Settings.model_fields:
            hint = "; it belongs under 'settings:'"
        return f"unknown key '{path[-1]}'{hint}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long: {len(str(got).strip())} characters, at most {ctx.get('max_length')} allowed"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items, at most {ctx.get('max_length')} allowed"
    if kind == "literal_error":
        of = field_at(path)[1]
        hint = _suggest(got, of.choices) if isinstance(got, str) and of is not None else ""
        return f"expected {wanted}, got {_got(got, raw)}{hint}"
    if wanted:  # a wrong type, or a number outside its bounds (greater_than_equal, ...): `wanted` states them
        return f"expected {wanted}, got {_got(got, raw)}"
    return f"{error['msg']} (got {_got(got, raw)})"


def validation_errors(exc: ValidationError, built: Positions) -> list[SpecError]:
    """Place each pydantic error: a bad value at the value, an unknown key at the key, a missing one at its mapping."""
    errors = []
    misspelt = set()
    for error in exc.errors():
        path = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            model = model_at(path[:-1])
            close = difflib.get_close_matches(str(path[-1]), list(model.model_fields) if model else [], n=1)
            misspelt.update((*path[:-1], name) for name in close)
    for error in exc.errors():
        path = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            where = built.key_at.get(path)
        elif error["type"] == "missing":
            where = None
        else:
            where = built.value_at.get(path)
        prefix = path
        while where is None:  # fall back to the nearest enclosing value (a missing key's mapping)
            prefix = prefix[:-1]
            where = built.value_at.get(prefix) or (None if prefix else (1, 1))
        if error["type"] == "missing" and path in misspelt:
            continue  # the unknown key that looks like it already says "did you mean", once is enough
        text = message(error, path, built.raw_at.get(path))
        errors.append(SpecError(Location(built.file, where[0], where[1], dotted(path) or None), text))
    return errors


def cross_checks(spec: Spec, built: Positions) -> list[SpecError]:
    """Rules that span fields: a paper listed twice, and review gates in the wrong order."""
    errors = []
    first: dict[str, int] = {}
    for i, value in enumerate(spec.papers):
        base = split_arxiv_id(value)[0]
        if base in first:
            line, column = built.value_at.get(("papers", i), (None, None))
            errors.append(
                SpecError(
                    Location(built.file, line, column, f"papers[{i}]"),
                    f"{value!r} is listed twice (first as papers[{first[base]}]); remove one",
                )
            )
        first.setdefault(base, i)
    settings = spec.settings
    if settings.flagship_score < settings.publishable_score:
        line, column = built.value_at.get(("settings", "flagship_score"), built.value_at.get(("settings",), (1, 1)))
        errors.append(
            SpecError(
                Location(built.file, line, column, "settings.flagship_score"),
                f"must be at least publishable_score ({settings.publishable_score:g}), got {settings.flagship_score:g}",
            )
        )
    return errors
