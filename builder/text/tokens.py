"""Tokens shared by extraction and verification: content tokens (stemmed, no stop words) and plain words.

Three ways to cut text into words, each for its readers, and each fixed: the verifier's committed models were
trained on features made from them, so a change here is a change of every verdict.

* `content_tokens` (and `tokens_of`, the same, cached): lower-cased, stemmed, stop words left out; what
  overlap, idf, BM25 and the sentence ranking count;
* `words`: lower-cased letters, hyphens and apostrophes ("don't", "up-regulated"), where negation and
  direction cues are looked up (`builder.text.cues`);
* `alnum_words`: letters then letters, digits or hyphens ("F1", "XLM-R"), as written; the words around a
  number and the opposite-word pairs of the consistency checks.
"""

from __future__ import annotations

import functools
import re

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


@functools.lru_cache(maxsize=1 << 18)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(content_tokens(chunk))


def tokens_of(text: str) -> list[str]:
    """Exactly `content_tokens(text)`, several times faster on a corpus.

    No token spans whitespace, so the tokens are those of each whitespace-separated chunk in turn; chunks repeat
    a lot ("the", "of", "(p"), so caching them skips most of the stemming.
    """
    out: list[str] = []
    for chunk in text.split():
        out.extend(_chunk_tokens(chunk))
    return out


_WORDS = re.compile(r"[A-Za-z][A-Za-z\-']*")
ALNUM_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")


def words(text: str) -> list[str]:
    """Lower-cased words of letters, hyphens and apostrophes: where negation and direction cues are looked up."""
    return [w.lower() for w in _WORDS.findall(text)]


def alnum_words(text: str) -> list[str]:
    """Words as written, digits allowed after the first letter ("F1", "XLM-R", "mT5")."""
    return ALNUM_WORD.findall(text)
