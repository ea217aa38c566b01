"""Question specs: `reports/<slug>.yaml`, validated by a strict typed schema with errors at file:line:column.

A spec is hostile input until proven otherwise. It is read with limits (size, nesting, no aliases, only the
core YAML tags), composed node by node so every value keeps its position, turned into plain data, then
validated by pydantic in strict mode (`title: 123` or `title: yes` is an error, never silently coerced).
Every pydantic error is mapped back to the YAML node it concerns and rewritten as one short message that
says what was expected. The reference for users is docs/spec.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TextIO

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from builder.errors import Location, SpecError, SpecErrors
from builder.models import split_arxiv_id

SPEC_SUFFIX = ".yaml"  # the only extension that makes a spec; `.yml` files are reported, not read
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_SPEC_BYTES = 1_000_000
MAX_DEPTH = 16  # the schema needs 4 levels; deeper nesting is an attack or a mistake
MAX_NODES = 20_000  # values in one spec; the schema's limits allow about 2,000
MAX_ERRORS = 25  # per file: enough to fix a spec in one go, few enough to read

ARXIV_EXAMPLES = "expected e.g. 2501.18750, 2501.18750v2 or hep-th/9901001"
_NEW_STYLE = re.compile(r"^(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<number>\d+)$")
_OLD_STYLE = re.compile(r"^[^/]+/(?P<yy>\d\d)(?P<mm>\d\d)\d{3}$")


# --- field types ---------------------------------------------------------------------------------


def _arxiv_id(value: str) -> str:
    """Accept only ids arXiv could have issued: the shape, a real month, and the digit count of that era."""
    problem = ValueError(f"{value!r} is not an arXiv id ({ARXIV_EXAMPLES})")
    try:
        base, _ = split_arxiv_id(value)
    except ValueError:
        raise problem from None
    new = _NEW_STYLE.match(base)
    old = _OLD_STYLE.match(base)
    match = new or old
    if match is None or not 1 <= int(match["mm"]) <= 12:
        raise problem
    if new:
        yymm = int(new["yy"] + new["mm"])
        # New-style ids started in 2007-04; four digits until 2014-12, five from 2015-01.
        if yymm < 704 or len(new["number"]) != (4 if yymm <= 1412 else 5):
            raise problem
    elif old and 7 < int(old["yy"]) < 91:  # old-style ids ran from 1991 to 2007
        raise problem
    return value.strip()


def _plain_text(value: str) -> str:
    """Refuse control characters and lone surrogates: they break LaTeX, BibTeX and UTF-8 output later.

    Python's notion of whitespace (which includes U+001C..U+001F) is trimmed first, like every text field.
    """
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    for char in value:
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            raise ValueError(f"contains the control character U+{ord(char):04X}; remove it")
    return value


def _date(value: Any) -> Any:
    """A date as YAML writes it (2026-06-26), or the same text quoted; nothing else."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date written YYYY-MM-DD without a time, got {value.isoformat(sep=' ')}")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        year, month, day = (int(part) for part in value.strip().split("-"))
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"{value.strip()!r} is not a date that exists ({exc})") from None
    return value


def _text(max_length: int) -> Any:
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length), AfterValidator(_plain_text)
    ]


ArxivId = Annotated[str, AfterValidator(_arxiv_id)]
SpecDate = Annotated[dt.date, BeforeValidator(_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True, allow_inf_nan=False)


class Query(_Strict):
    """An arXiv search; `refresh` resolves it and the lock keeps what it resolved to."""

    query: _text(500)
    max_results: int = Field(default=10, ge=1, le=200)
    sort_by: Literal["relevance", "submitted", "updated"] = "relevance"
    sort_order: Literal["descending", "ascending"] = "descending"


class SpecClaim(_Strict):
    """A claim written by a person; `source` is the arXiv id it cites (added to the papers if not listed)."""

    text: _text(2000)
    source: ArxivId


class Settings(_Strict):
    """Per-report knobs. Field names are relied on by extraction, verification and review."""

    max_claims: int = Field(default=16, ge=0, le=200)
    claims_per_paper: int = Field(default=3, ge=0, le=50)
    fulltext: bool = False
    min_confidence: float = Field(default=0.5, gt=0.0, lt=1.0)
    publishable_score: float = Field(default=6.5, ge=0.0, le=10.0)
    flagship_score: float = Field(default=8.5, ge=0.0, le=10.0)
    min_corroborated: int = Field(default=5, ge=0, le=200)


class Spec(_Strict):
    """The schema of `reports/<slug>.yaml`; docs/spec.md describes each field for users."""

    title: _text(300)
    date: SpecDate
    author: _text(200) | None = None
    question: _text(2000)
    primary: ArxivId
    papers: list[ArxivId] = Field(default_factory=list, max_length=500)
    queries: list[Query] = Field(default_factory=list, max_length=50)
    claims: list[SpecClaim] = Field(default_factory=list, max_length=200)
    settings: Settings = Field(default_factory=Settings)

    @field_validator("author", mode="before")
    @classmethod
    def _no_null_author(cls, value: Any) -> Any:
        # Only an explicit `author:` with no value reaches here; leaving the key out gives the default.
        if value is None:
            raise ValueError("has no value (null); write a name, or remove the key to use the project's default author")
        return value


# What each field expects, in words; keys are field paths with list indices written as [].
EXPECTED: dict[str, str] = {
    "": "a mapping of fields (title, date, question, primary, ...)",
    "title": "text",
    "date": "a date written YYYY-MM-DD",
    "author": "text",
    "question": "text",
    "primary": "an arXiv id such as 2501.18750",
    "papers": "a list of arXiv ids",
    "papers[]": "an arXiv id such as 2501.18750",
    "queries": "a list of queries",
    "queries[]": "a mapping with query, max_results, sort_by, sort_order",
    "queries[].query": "text",
    "queries[].max_results": "a whole number from 1 to 200",
    "queries[].sort_by": "one of relevance, submitted, updated",
    "queries[].sort_order": "one of descending, ascending",
    "claims": "a list of claims",
    "claims[]": "a mapping with text and source",
    "claims[].text": "text",
    "claims[].source": "an arXiv id such as 2501.18750",
    "settings": "a mapping of settings",
    "settings.max_claims": "a whole number from 0 to 200",
    "settings.claims_per_paper": "a whole number from 0 to 50",
    "settings.fulltext": "true or false",
    "settings.min_confidence": "a number between 0 and 1",
    "settings.publishable_score": "a number from 0 to 10",
    "settings.flagship_score": "a number from 0 to 10",
    "settings.min_corroborated": "a whole number from 0 to 200",
}


class LoadedSpec(BaseModel):
    """A validated spec plus where it came from: the slug and the lines of its claims."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    slug: str
    path: Path
    spec: Spec
    author: str
    claim_lines: tuple[int, ...] = ()

    @property
    def paper_ids(self) -> list[str]:
        """Primary first, then listed papers and spec-claim sources, without versions and duplicates."""
        ids = [self.spec.primary, *self.spec.papers, *(c.source for c in self.spec.claims)]
        seen: dict[str, None] = {}
        for value in ids:
            seen.setdefault(split_arxiv_id(value)[0], None)
        return list(seen)


# --- reading YAML safely -------------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp")}


class _Refused(yaml.MarkedYAMLError):
    """Raised while composing, for YAML that is valid but not allowed in a spec."""


class _Loader(yaml.SafeLoader):
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
            raise _Refused(
                problem=f"YAML aliases (*{event.anchor}) are not allowed in a spec; write the value out",
                problem_mark=event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(
                problem=f"the spec holds more than {MAX_NODES} values; a spec is a short text",
                problem_mark=event.start_mark,
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(problem=f"the YAML is nested deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark)
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


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip() or "the YAML cannot be read"
    if isinstance(exc, _Refused):
        return problem
    if "expected a single document" in (exc.context or ""):
        return "invalid YAML: a spec is one YAML document; remove the second '---' and what follows it"
    message = f"invalid YAML: {problem}"
    context, mark = exc.context, exc.context_mark
    if context and mark is not None and exc.problem_mark is not None and mark.line != exc.problem_mark.line:
        message += f" ({context} that starts at line {mark.line + 1}, column {mark.column + 1})"
    hints = [hint for needle, hint in _YAML_HINTS if needle in message]
    return message + (f"; {hints[0]}" if hints else "")


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _expected(path: tuple[Any, ...]) -> str | None:
    key = ""
    for part in path:
        key += "[]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return EXPECTED.get(key)


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


class _Builder:
    """Turns composed nodes into plain data, remembering where each value and key was written."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.value_at: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.key_at: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.raw_at: dict[tuple[Any, ...], str] = {}
        self.errors: list[SpecError] = []
        self._constructor = yaml.SafeLoader("")

    def error(self, node: yaml.Node, path: tuple[Any, ...], message: str) -> None:
        line, column = _mark(node)
        self.errors.append(SpecError(Location(self.file, line, column, _dotted(path) or None), message))

    def build(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> Any:
        self.value_at[path] = _mark(node)
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
            self.key_at[(*path, key)] = _mark(key_node)
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


# --- turning pydantic errors into messages -------------------------------------------------------


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


def _model_at(path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema model that describes the mapping at `path`, so unknown keys can list the known ones."""
    model: Any = Spec
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        model = args[0] if args else annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _message(error: dict[str, Any], path: tuple[Any, ...], raw: str | None) -> str:
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    expected = _expected(path)
    if kind == "missing":
        return f"required field is missing (expected {expected})" if expected else "required field is missing"
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        known = list(model.model_fields) if model else []
        hint = _suggest(str(path[-1]), known) or (f"; allowed keys: {', '.join(known)}" if known else "")
        if model is Spec and path[-1] in Settings.model_fields:
            hint = "; it belongs under 'settings:'"
        return f"unknown key '{path[-1]}'{hint}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = _suggest(got, choices) if isinstance(got, str) else ""
        return f"expected {expected}, got {_got(got, raw)}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long: {len(str(got).strip())} characters, at most {ctx.get('max_length')} allowed"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items, at most {ctx.get('max_length')} allowed"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {ctx.get(key)} (got {raw if raw is not None else got})"
    if expected:
        return f"expected {expected}, got {_got(got, raw)}"
    return f"{error['msg']} (got {_got(got, raw)})"


def _validation_errors(exc: ValidationError, built: _Builder) -> list[SpecError]:
    """Place each pydantic error: a bad value at the value, an unknown key at the key, a missing one at its mapping."""
    errors = []
    misspelt = set()
    for error in exc.errors():
        path = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            model = _model_at(path[:-1])
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
        message = _message(error, path, built.raw_at.get(path))
        errors.append(SpecError(Location(built.file, where[0], where[1], _dotted(path) or None), message))
    return errors


def _cross_checks(spec: Spec, built: _Builder) -> list[SpecError]:
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


def _raise(errors: list[SpecError]) -> NoReturn:
    errors = sorted(errors, key=lambda e: (e.location.line or 0, e.location.column or 0))
    if len(errors) > MAX_ERRORS:
        rest = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], SpecError(Location(errors[0].location.file), f"... and {rest} more errors")]
    raise SpecErrors(errors)


# --- public API ------------------------------------------------------------------------------------


def slug_for(path: Path) -> str:
    """The report's name: the spec's file name without `.yaml`; it names every output of the report."""
    return Path(path).stem


def load_spec(path: Path, default_author: str) -> LoadedSpec:
    """Read and validate one spec; raise SpecErrors (and only SpecErrors) naming file, line, column and field."""
    path = Path(path)
    slug = slug_for(path)
    if path.suffix != SPEC_SUFFIX:
        _raise([SpecError(Location(path), f"a spec file must end in {SPEC_SUFFIX}; rename it to {slug}{SPEC_SUFFIX}")])
    if not SLUG_RE.match(slug):
        _raise(
            [
                SpecError(
                    Location(path),
                    f"file name '{path.name}' must be a slug: lower-case letters, digits, '-' or '_' "
                    "(at most 100, starting with a letter or digit)",
                )
            ]
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)  # never read more than the limit, whatever the file's size
    except OSError as exc:
        _raise([SpecError(Location(path), f"cannot read the spec: {exc.strerror or exc}")])
    if len(raw) > MAX_SPEC_BYTES:
        _raise([SpecError(Location(path), f"spec is larger than {MAX_SPEC_BYTES} bytes; a spec is a short text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        _raise(
            [
                SpecError(
                    Location(path, line, column),
                    f"not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8",
                )
            ]
        )
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        _raise(
            [
                SpecError(
                    Location(path, line, column), f"invalid YAML: the character U+{exc.character:04X} is not allowed"
                )
            ]
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        _raise([SpecError(Location(path, line, column), _yaml_message(exc))])
    except yaml.YAMLError as exc:
        _raise([SpecError(Location(path), f"invalid YAML: {exc}")])
    if node is None:
        _raise([SpecError(Location(path), "the spec is empty; expected a mapping with title, date, question, primary")])
    if not isinstance(node, yaml.MappingNode):
        line, column = _mark(node)
        kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the single value {str(node.value)[:40]!r}"
        _raise([SpecError(Location(path, line, column), f"expected {EXPECTED['']}, got {kind}")])
    built = _Builder(path)
    data = built.build(node)
    errors = list(built.errors)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        reported = {e.location.field for e in errors}
        errors += [e for e in _validation_errors(exc, built) if e.location.field not in reported]
        _raise(errors)
    errors += _cross_checks(spec, built)
    if errors:
        _raise(errors)
    claim_lines = tuple(built.value_at.get(("claims", i), (0, 0))[0] for i in range(len(spec.claims)))
    return LoadedSpec(slug=slug, path=path, spec=spec, author=spec.author or default_author, claim_lines=claim_lines)


def spec_files(directory: Path) -> list[Path]:
    """The spec files of a reports directory: every `*.yaml`, plus `*.yml` so that check can flag them."""
    directory = Path(directory)
    found = [p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")]
    return sorted(found)


def check_specs(paths: list[Path], default_author: str) -> tuple[list[LoadedSpec], list[SpecErrors]]:
    """Validate many specs: every valid one, and one SpecErrors per invalid file. Never raises for a bad file.

    A directory stands for the specs in it. The same file given twice is checked once; two different files
    with one slug (e.g. `reports/a.yaml` and `other/a.yaml`) would write the same outputs, so the second is
    an error naming the first.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(spec_files(path) if path.is_dir() else [path])
    loaded: list[LoadedSpec] = []
    failed: list[SpecErrors] = []
    seen: set[Path] = set()
    slugs: dict[str, Path] = {}
    for path in files:
        identity = path.resolve()
        if identity in seen:
            continue
        seen.add(identity)
        problems: list[SpecError] = []
        slug = slug_for(path)
        if path.suffix == SPEC_SUFFIX and slug in slugs:
            problems.append(
                SpecError(Location(path), f"slug '{slug}' is already used by {slugs[slug]}; rename one of the files")
            )
        elif path.suffix == SPEC_SUFFIX:
            slugs[slug] = path
        try:
            spec = load_spec(path, default_author)
        except SpecErrors as exc:
            problems.extend(exc.errors)
        else:
            if not problems:
                loaded.append(spec)
        if problems:
            failed.append(SpecErrors(problems))
    return loaded, failed


def run_check(paths: list[Path], default_author: str, out: TextIO | None = None) -> int:
    """`check` at the command line: print every error as file:line:column: field: message; exit code 0 or 2.

    Output goes to `out` (stderr by default) so a user can paste a line into an editor's "go to" box.
    """
    out = out or sys.stderr
    loaded, failed = check_specs(paths, default_author)
    for problems in failed:
        for error in problems.errors:
            print(error, file=out)
    total = len(loaded) + len(failed)
    if total == 0:
        print(f"no specs found: a spec is a file ending in {SPEC_SUFFIX}", file=out)
        return 2
    print(f"{len(loaded)} of {total} spec{'s' if total != 1 else ''} valid", file=out)
    return 2 if failed else 0
