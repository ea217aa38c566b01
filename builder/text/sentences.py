"""Sentence splitting shared by extraction and verification.

Claims and evidence are addressed as (paper, sentence index), so the splitter must be stable and must
never drop or alter characters: joining its output with single spaces gives back the input with its
whitespace normalised. It is rule-based (no model download) and knows the abbreviations, initials,
decimals and citations that scientific abstracts are full of.
"""

from __future__ import annotations

import re

from builder.models import Paper, Sentence

# Abbreviations after which a period does not end a sentence (compared lower-cased, without the final dot).
ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "tab",
        "sec",
        "secs",
        "ref",
        "refs",
        "vs",
        "cf",
        "approx",
        "resp",
        "no",
        "nos",
        "vol",
        "pp",
        "p",
        "ch",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "viz",
        "ca",
        "est",
        "min",
        "max",
        "avg",
        "std",
        "var",
        "def",
        "thm",
        "lem",
        "prop",
        "cor",
        "alg",
        "app",
        "appx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.u",
        "ph.d",
        "m.sc",
        "b.sc",
        "a.k.a",
        "w.r.t",
        "s.t",
        "incl",
        "excl",
        "diff",
        "exp",
        "expt",
        "sect",
        "chap",
        "ed",
        "eds",
        "trans",
        "spp",
        "sp",
        "mol",
        "wt",
    }
)
# These end a sentence when a capitalised word follows ("... and so on, etc. We then ...").
SENTENCE_FINAL_ABBREVIATIONS = frozenset({"etc"})

_WS = re.compile(r"\s+")
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_OPENERS = "([{"
_CLOSERS = ")]}"


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space and trim: the only change the splitter may make."""
    return _WS.sub(" ", text).strip()


def _last_token(text: str) -> str:
    """The word the candidate period ends, e.g. 'al' for '... Smith et al.'."""
    start = len(text)
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1
    return text[start:]


def _bracket_depth(text: str) -> int:
    depth = 0
    for char in text:
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS and depth > 0:
            depth -= 1
    return depth


def _is_boundary(before: str, punct: str, after: str) -> bool:
    """Decide whether the punctuation `punct` (ending `before`) closes a sentence, given the text `after` it."""
    nxt = after.lstrip()
    if not nxt:
        return True
    first = nxt[0]
    # A sentence starts with a capital, a digit, a quote, an opening bracket or a name written with a lower-case
    # first letter ("mBERT", "mT5", "iPhone"); anything else continues.
    camel = len(nxt) > 1 and first.islower() and nxt[1].isupper()
    if not (first.isupper() or first.isdigit() or first in "\"'“‘([" or camel):
        return False
    if "!" in punct or "?" in punct:
        return _bracket_depth(before) == 0
    token = _last_token(before + punct.rstrip("\"'”’)]"))
    bare = token.rstrip(".").lower()
    core = bare.lstrip("\"'“‘([")
    if core in SENTENCE_FINAL_ABBREVIATIONS:
        return first.isupper()
    if core in ABBREVIATIONS:
        return False
    # Initials ("J. Smith", "A. B. Jones") and single letters ("Fig. 3 a. The ...") are not ends.
    if len(core) == 1 and core.isalpha():
        return False
    # Dotted acronyms and abbreviations like "U.S." or "e.g." that are not in the list.
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", core):
        return False
    # Inside an open parenthesis, e.g. "(Smith et al., 2020. See also ...)" — keep it together.
    return _bracket_depth(before) == 0


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; `' '.join(result) == normalise_space(text)` always holds."""
    clean = normalise_space(text)
    if not clean:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(clean):
        end = match.end()
        before = clean[start : match.start()]
        if not before.strip():
            continue
        if _is_boundary(before, match.group(0), clean[end:]):
            sentences.append(clean[start:end].strip())
            start = end + 1  # skip the single space that follows
    tail = clean[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def paper_sentences(paper: Paper) -> list[Sentence]:
    """Every addressable sentence of a paper: abstract first (0..n-1), then the stored full text."""
    out = [
        Sentence(arxiv_id=paper.arxiv_id, index=i, text=s, section="abstract")
        for i, s in enumerate(split_sentences(paper.abstract))
    ]
    offset = len(out)
    for j, text in enumerate(paper.fulltext_sentences):
        clean = normalise_space(text)
        if clean:
            out.append(Sentence(arxiv_id=paper.arxiv_id, index=offset + j, text=clean, section="body"))
    return out
