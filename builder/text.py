"""Sentence splitting and light tokenisation shared by extraction and verification.

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
    # A sentence starts with a capital, a digit, a quote or an opening bracket; anything else continues.
    if not (first.isupper() or first.isdigit() or first in "\"'“‘(["):
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


# ---------------------------------------------------------------------------------------------------------
# Tokens shared by extraction and verification.

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "their",
        "them",
        "they",
        "it",
        "its",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "without",
        "within",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "done",
        "can",
        "could",
        "may",
        "might",
        "will",
        "would",
        "shall",
        "should",
        "must",
        "not",
        "no",
        "nor",
        "so",
        "such",
        "into",
        "onto",
        "over",
        "under",
        "between",
        "among",
        "about",
        "above",
        "below",
        "after",
        "before",
        "during",
        "while",
        "where",
        "when",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "own",
        "same",
        "only",
        "very",
        "also",
        "just",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "mine",
        "ours",
        "yours",
        "one",
        "two",
        "three",
        "using",
        "use",
        "used",
        "based",
        "via",
        "per",
        "however",
        "therefore",
        "thus",
        "hence",
        "further",
        "furthermore",
        "moreover",
        "although",
        "though",
        "whether",
        "either",
        "neither",
        "here",
        "et",
        "al",
        "e",
        "g",
        "i",
        "ie",
        "eg",
        "vs",
    ]
)

_WORD = re.compile(r"[a-z][a-z0-9\-]*[a-z0-9]|[a-z]")
_SUFFIXES = (
    "ational",
    "ization",
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ness",
    "ment",
    "ities",
    "ity",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)


def stem(word: str) -> str:
    """A small suffix-stripping stemmer: enough to match 'improves'/'improved'/'improvement'."""
    if len(word) <= 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            return base
    return word


def content_tokens(text: str) -> list[str]:
    """Lower-cased, stemmed, stop-word-free tokens (hyphenated words also contribute their parts)."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if part and part not in STOPWORDS and len(part) > 1:
                out.append(stem(part))
    return out
