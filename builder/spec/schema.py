"""The schema of `reports/<slug>.yaml`: the one place a spec field is declared.

Each field's `Field(...)` holds everything said about it: its bounds (`ge`, `le`, `max_length`, ...), its
default and its `description`: what the field is, then after "; " any rule a validator keeps that the bounds
do not say. A value type that is not a plain Python type names itself with
`Field(title=..., examples=...)` ("arXiv id", "2501.18750"), and a nested mapping with its model's `title`.
The error messages (`builder/spec/describe.py`, `messages.py`) and the field tables of docs/spec.md are
generated from these declarations, so they cannot disagree with what is validated.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from builder.models import split_arxiv_id

ARXIV_EXAMPLES = "expected e.g. 2501.18750, 2501.18750v2 or hep-th/9901001"
_NEW_STYLE = re.compile(r"^(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<number>\d+)$")
_OLD_STYLE = re.compile(r"^[^/]+/(?P<yy>\d\d)(?P<mm>\d\d)\d{3}$")


# --- value types ---------------------------------------------------------------------------------


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
    """Trimmed text of 1 to `max_length` characters without control characters (a type: `title: _text(300)`)."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length), AfterValidator(_plain_text)
    ]


ArxivId = Annotated[str, AfterValidator(_arxiv_id), Field(title="arXiv id", examples=["2501.18750"])]
SpecDate = Annotated[dt.date, BeforeValidator(_date), Field(title="date written YYYY-MM-DD")]


# --- the schema ------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True, allow_inf_nan=False)


class Query(_Strict):
    """An arXiv search; `refresh` resolves it and the lock keeps what it resolved to."""

    model_config = ConfigDict(title="query")

    query: _text(500) = Field(description="arXiv search syntax", examples=['abs:"named entity" AND cat:cs.CL'])
    max_results: int = Field(default=10, ge=1, le=200, description="the most ids `refresh` records for it")
    sort_by: Literal["relevance", "submitted", "updated"] = Field(default="relevance", description="arXiv's sort key")
    sort_order: Literal["descending", "ascending"] = Field(default="descending", description="arXiv's sort order")


class SpecClaim(_Strict):
    """A claim written by a person; `source` is the arXiv id it cites (added to the papers if not listed)."""

    model_config = ConfigDict(title="claim")

    text: _text(2000) = Field(description="the claim, verified like the extracted ones")
    source: ArxivId = Field(description="the paper the claim cites")


class Settings(_Strict):
    """Per-report knobs. Field names are relied on by extraction, verification and review."""

    model_config = ConfigDict(title="settings")

    max_claims: int = Field(default=16, ge=0, le=200, description="extraction: claims taken from the papers in all")
    claims_per_paper: int = Field(default=3, ge=0, le=50, description="extraction: claims taken from one paper at most")
    fulltext: bool = Field(default=False, description="use stored full text, not only abstracts")
    min_confidence: float = Field(
        default=0.5,
        gt=0.0,
        lt=1.0,
        description="verification: a claim is verified at this calibrated confidence or above",
    )
    publishable_score: float = Field(
        default=6.5, ge=0.0, le=10.0, description="review gate: the score a report needs to be publishable"
    )
    flagship_score: float = Field(
        default=8.5,
        ge=0.0,
        le=10.0,
        description="review: the score for the flagship tier; at least `publishable_score`",
    )
    min_corroborated: int = Field(
        default=5, ge=0, le=200, description="review gate: claims that another paper must corroborate"
    )


class Spec(_Strict):
    """The schema of `reports/<slug>.yaml`; docs/spec.md's field tables are generated from it."""

    model_config = ConfigDict(title="spec")

    title: _text(300) = Field(description="the report's title")
    date: SpecDate = Field(
        description="the report's date; a date that exists, unquoted (`2026-06-26`) or quoted (`'2026-06-26'`), "
        "without a time of day"
    )
    author: _text(200) | None = Field(
        default=None, description="the report's author; by default `[tool.builder] default_author`"
    )
    question: _text(2000) = Field(description="the research question")
    primary: ArxivId = Field(description="the paper the report examines")
    papers: list[ArxivId] = Field(
        default_factory=list,
        max_length=500,
        description="further papers; no paper twice (also not as two versions of one id)",
    )
    queries: list[Query] = Field(default_factory=list, max_length=50, description="arXiv searches")
    claims: list[SpecClaim] = Field(default_factory=list, max_length=200, description="claims written by a person")
    settings: Settings = Field(default_factory=Settings, description="extraction, verification and review")

    @field_validator("author", mode="before")
    @classmethod
    def _no_null_author(cls, value: Any) -> Any:
        # Only an explicit `author:` with no value reaches here; leaving the key out gives the default.
        if value is None:
            raise ValueError("has no value (null); write a name, or remove the key to use the project's default author")
        return value


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
