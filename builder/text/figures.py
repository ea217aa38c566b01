"""Numbers as the review reads them: the figures a reader would check in a claim or the abstract (years, arXiv
ids, review scores, citations and claim ids left out), and every value a paper's text states.

Verification reads numbers with its own anchored pattern (`builder.text.cues.NUMBER`, bound to the words around
them); the review asks a different question, whether a figure appears in a paper at all, so it counts every
digit run and the number words up to twenty.
"""

from __future__ import annotations

import re

_ARXIV_ID_RE = re.compile(r"\b\d{4}\.\d{4,5}(?:v\d+)?\b")
_SCORE_RE = re.compile(r"\d+(?:\.\d+)?\s*/\s*10\b")
_CITATION_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_CLAIM_ID_RE = re.compile(r"\bC\d+\b")
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
NUMBER_PATTERN = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"


def numbers_in(text: str) -> list[tuple[str, float, int, int]]:
    """(as written, value, start, end) of every number a reader would check; years and ids are skipped."""
    masked = text
    for pattern in (_ARXIV_ID_RE, _SCORE_RE, _CITATION_RE, _CLAIM_ID_RE):
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    out = []
    for match in re.finditer(r"(?<![A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?", masked):
        written = match.group(0)
        # Inside a longer token like 'v2' or 'CONLL2003', digits still count as a number ('200' in NLLB-200).
        value_text = written.replace(",", "")
        try:
            value = float(value_text)
        except ValueError:
            continue
        if "." not in value_text and len(value_text) == 4 and 1900 <= value <= 2100:
            continue  # a year
        out.append((written, value, match.start(), match.end()))
    return out


def values_in(text: str) -> set[float]:
    """Every value a text states, in digits or as a word from zero to twenty."""
    values = {v for _, v, _, _ in numbers_in_raw(text)}
    lower = text.lower()
    for number, word in enumerate(NUMBER_WORDS):
        if re.search(rf"\b{word}\b", lower):
            values.add(float(number))
    return values


def numbers_in_raw(text: str) -> list[tuple[str, float, int, int]]:
    """Every number in a source text, years included (a claim's '2003' may be a dataset name)."""
    out = []
    for match in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        try:
            out.append((match.group(0), float(match.group(0).replace(",", "")), match.start(), match.end()))
        except ValueError:
            continue
    return out
