"""The typed store record: every field of `store/papers/<id>.json` with its type and bounds (pydantic, strict).

Everything that becomes a `Paper` passes through `parse_record`: `store import`, `refresh` (what arXiv sent) and
the build's store reads. A record that breaks a rule is refused as a whole with one `RecordError` per field,
each naming the file (and line, for JSONL), the field and what was expected, never coerced into something else
(`title: null` is not the title "None", `categories: "cs.CL"` is not a list of letters). Text is cleaned on the
way in (`builder.hygiene`): controls removed, lone surrogates refused, bidi controls balanced and isolated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from builder.errors import StoreError
from builder.hygiene import TextError, clean_text, has_visible
from builder.models import Paper, split_arxiv_id

# Bounds: far above any real arXiv record (the largest author lists hold a few thousand names, abstracts are
# at most 1,920 characters), low enough that no field can overflow TeX's 200,000-character line buffer.
MAX_AUTHORS = 20_000
MAX_NAME = 300
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_NOTE = 5_000  # comments, journal_ref
MAX_DOI = 300
MAX_CATEGORIES = 50
MAX_SENTENCES = 50_000
MAX_SENTENCE = 20_000
MAX_VERSION = 9_999
MAX_RECORD_BYTES = 64 * 1024 * 1024  # one record's JSON; the field bounds allow far less text but lists add up

CATEGORY_RE = re.compile(r"^[a-z][a-z\-]{0,20}(?:\.[A-Za-z][A-Za-z\-]{0,20})?$")
_VERSION_RE = re.compile(r"^v?([1-9][0-9]{0,3})$", re.ASCII)
_DATE_RE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ][0-9:.+\-Z]{0,40})?$", re.ASCII)

# Keys that corpus exports carry besides the store's own; `store import` ignores them, store files may not.
CORPUS_EXTRAS = frozenset({"group", "source_urls"})


class RecordError(StoreError):
    """A store record that breaks the schema: invalid input, exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class HugeNumber:
    """A JSON integer too long for Python's int() (over 4,300 digits raises); kept as its digit count."""

    digits: int


def json_int(text: str) -> int | HugeNumber:
    """`json.loads(parse_int=...)`: ordinary integers as int, absurd ones as a HugeNumber the schema refuses."""
    return int(text) if len(text) <= 100 else HugeNumber(len(text.lstrip("-")))


def _describe(value: Any) -> str:
    if isinstance(value, HugeNumber):
        return f"a number with {value.digits} digits"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text[:20]}{'...' if len(text) > 20 else ''}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}{'...' if len(value) > 40 else ''}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _text(limit: int, what: str, *, one_line: bool = True, required: bool = True) -> Any:
    def check(value: Any) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected {what}, got {_describe(value)}")
        try:
            cleaned = clean_text(value, one_line=one_line)
        except TextError as exc:
            raise ValueError(str(exc)) from None
        if len(cleaned) > limit:
            raise ValueError(f"is too long: {len(cleaned)} characters, at most {limit} allowed")
        if not has_visible(cleaned):  # empty, or only spaces, zero-width and bidi characters
            if required:
                raise ValueError(f"must not be empty or invisible (expected {what})")
            return None
        return cleaned

    return BeforeValidator(check)


def _list(value: Any, what: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of {what}, got {_describe(value)}")
    if len(value) > limit:
        raise ValueError(f"has {len(value)} items, at most {limit} allowed")
    return value


def _version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_VERSION:
        return value
    match = _VERSION_RE.match(value) if isinstance(value, str) else None
    if match:
        return int(match.group(1))
    raise ValueError(f"expected a version number from 1 to {MAX_VERSION} (e.g. 2 or 'v2'), got {_describe(value)}")


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    match = _DATE_RE.match(value) if isinstance(value, str) else None
    try:
        if match:
            return dt.date.fromisoformat(match.group(1))
    except ValueError:
        pass
    raise ValueError(f"expected a date (YYYY-MM-DD) or null, got {_describe(value)}")


def _category(value: Any) -> str:
    if not isinstance(value, str) or not CATEGORY_RE.match(value):
        raise ValueError(f"expected an arXiv category such as 'cs.CL', got {_describe(value)}")
    return value


def _arxiv_id(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an arXiv id (text), got {_describe(value)}")
    try:
        return split_arxiv_id(value)[0]
    except ValueError as exc:
        raise ValueError(str(exc)) from None


class StoreRecord(BaseModel):
    """One paper as the store keeps it; the JSON keys are these fields, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    arxiv_id: Annotated[str, BeforeValidator(_arxiv_id)]
    version: Annotated[int | None, BeforeValidator(_version)] = None
    title: Annotated[str, _text(MAX_TITLE, "the title as text")]
    authors: list[str | None]  # None marks a blank name, which `parse_record` drops with a warning
    abstract: Annotated[str, _text(MAX_ABSTRACT, "the abstract as text")]
    published: Annotated[dt.date | None, BeforeValidator(_date)] = None
    updated: Annotated[dt.date | None, BeforeValidator(_date)] = None
    primary_category: Annotated[str | None, BeforeValidator(lambda v: None if v in (None, "") else _category(v))] = None
    categories: list[str] = Field(default_factory=list)
    doi: Annotated[str | None, _text(MAX_DOI, "a DOI as text", required=False)] = None
    journal_ref: Annotated[str | None, _text(MAX_NOTE, "a journal reference as text", required=False)] = None
    comments: Annotated[str | None, _text(MAX_NOTE, "comments as text", required=False)] = None
    fulltext_sentences: list[str] = Field(default_factory=list)

    @field_validator("authors", mode="before")
    @classmethod
    def _authors(cls, value: Any) -> list[str | None]:
        names = _list(value, "author names", MAX_AUTHORS)
        out = []
        for index, name in enumerate(names):
            try:
                out.append(_text(MAX_NAME, "a name as text", required=False).func(name))
            except ValueError as exc:
                raise ValueError(f"author {index + 1}: {exc}") from None
        return out

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[str]:
        if value is None:
            return []
        return [_category(c) for c in _list(value, "arXiv categories", MAX_CATEGORIES)]

    @field_validator("fulltext_sentences", mode="before")
    @classmethod
    def _sentences(cls, value: Any) -> list[str]:
        check = _text(MAX_SENTENCE, "a sentence as text", one_line=False).func
        out = []
        for index, sentence in enumerate(_list(value, "sentences", MAX_SENTENCES)):
            try:
                out.append(check(sentence))
            except ValueError as exc:
                raise ValueError(f"sentence {index + 1}: {exc}") from None
        return out



@dataclass(frozen=True)
class Parsed:
    """A validated record as a Paper, with what was dropped on the way (blank author names)."""

    paper: Paper
    warnings: tuple[str, ...] = ()


def _field_name(loc: tuple[Any, ...]) -> str:
    """The dotted field path, printable: an unknown key may hold anything (controls, surrogates, a megabyte)."""
    name = ".".join(str(part) for part in loc) or "(record)"
    name = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else "?" for ch in name)
    return name if len(name) <= 60 else name[:57] + "..."


def _errors(exc: ValidationError, where: str) -> RecordError:
    lines = []
    for error in exc.errors():
        field = _field_name(error["loc"])
        kind = error["type"]
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            message = f"unknown field; a store record has only: {', '.join(StoreRecord.model_fields)}"
        elif kind == "value_error":
            message = str((error.get("ctx") or {}).get("error", error["msg"]))
        else:
            message = f"{error['msg']} (got {_describe(error.get('input'))})"
        lines.append(f"{where}: field '{field}': {message}")
    return RecordError("\n".join(lines))


def parse_record(data: Any, where: str, *, expect_id: str | None = None, corpus: bool = False) -> Parsed:
    """Validate one record; `where` names it in errors ('store/papers/x.json', 'papers.jsonl:12').

    `expect_id`: the id the file name promises; a record claiming another id is an impostor and refused.
    `corpus`: keys that corpus exports add (`CORPUS_EXTRAS`) are ignored instead of refused.
    """
    if not isinstance(data, dict):
        raise RecordError(f"{where}: expected a JSON object (one paper record), got {_describe(data)}")
    if corpus:
        data = {k: v for k, v in data.items() if k not in CORPUS_EXTRAS}
    # Unknown keys are named here, before pydantic, which cannot even print a key holding a lone surrogate.
    unknown = [
        f"{where}: field '{_field_name((key,))}': unknown field; a store record has only: "
        + ", ".join(StoreRecord.model_fields)
        for key in data
        if key not in StoreRecord.model_fields
    ]
    known = {k: v for k, v in data.items() if k in StoreRecord.model_fields}
    try:
        record = StoreRecord.model_validate(known)
    except ValidationError as exc:
        raise RecordError("\n".join([*unknown, str(_errors(exc, where))])) from None
    if unknown:
        raise RecordError("\n".join(unknown))
    written = split_arxiv_id(str(data["arxiv_id"]))[1]  # valid: the schema accepted it
    if written is not None and record.version is not None and written != record.version:
        raise RecordError(
            f"{where}: field 'version': the record says {record.version} but its arxiv_id "
            f"{data['arxiv_id']!r} names version {written}; keep one"
        )
    if expect_id is not None and record.arxiv_id != expect_id:
        raise RecordError(
            f"{where}: field 'arxiv_id': the file is named for {expect_id} but the record says {record.arxiv_id}; "
            "a store file must hold the paper its name gives (rename the file or fix the id)"
        )
    authors = [a for a in record.authors if a is not None]
    warnings = tuple(
        f"{where}: author {index + 1} has a blank name; left out"
        for index, name in enumerate(record.authors)
        if name is None
    )
    paper = Paper(
        arxiv_id=record.arxiv_id,
        title=record.title,
        authors=tuple(authors),
        abstract=record.abstract,
        version=record.version,
        published=record.published,
        updated=record.updated,
        primary_category=record.primary_category,
        categories=tuple(record.categories),
        doi=record.doi,
        journal_ref=record.journal_ref,
        comments=record.comments,
        fulltext_sentences=tuple(record.fulltext_sentences),
    )
    return Parsed(paper, warnings)
