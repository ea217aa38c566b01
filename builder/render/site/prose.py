"""Prose cut into segments, so a template can link "[3]" to reference 3 and "C7" to claim C7."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WS = re.compile(r"\s+")
# "[3]": reference 3; "C7": claim C7.
_REFERENCE = re.compile(r"\[(\d{1,3})\]|\bC\d{1,4}\b")


@dataclass(frozen=True)
class Segment:
    """A run of prose; `href` when it is a reference ("[3]") or a claim ("C7") of the report."""

    text: str
    href: str | None = None


Paragraph = tuple[Segment, ...]


def prose(
    text: str, cite: Mapping[int, str] | None = None, claims: Mapping[str, str] | None = None
) -> tuple[Paragraph, ...]:
    """Paragraphs (split at blank lines, whitespace folded) cut into segments: "[n]" links to `cite[n]` and
    "C7" to `claims["C7"]` when they are there; anything else stays text."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        folded = _WS.sub(" ", block).strip()
        if not folded:
            continue
        segments: list[Segment] = []
        start = 0
        for match in _REFERENCE.finditer(folded):
            number = match.group(1)
            href = (cite or {}).get(int(number)) if number else (claims or {}).get(match.group(0))
            if href is None:
                continue
            if match.start() > start:
                segments.append(Segment(folded[start : match.start()]))
            segments.append(Segment(match.group(0), href))
            start = match.end()
        if start < len(folded):
            segments.append(Segment(folded[start:]))
        paragraphs.append(tuple(segments))
    return tuple(paragraphs)
