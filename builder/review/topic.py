"""The report's topic: a light-stemmed vocabulary with the acronyms its texts define, the question's terms with
domain weights, and the relevance of any text to them (docs/review.md, "Relevance")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from builder.models import Paper, Report
from builder.review.base import words
from builder.text import STOPWORDS, stem

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ACRONYM_DEF_RE = re.compile(r"((?:[A-Za-z][\w']*[\s\-]+){1,8})\(([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*?)s?\)")
_ACRONYM_RE = re.compile(r"\b(?:[A-Z][A-Z0-9]{1,7}|[A-Z][a-z]*[A-Z][A-Za-z0-9]*)\b")
# "crosslingual", "multilingual", "lowresource": split so they meet "cross-lingual" and "low resource".
_COMPOUND_PREFIXES = ("cross", "multi", "mono", "low", "high", "zero", "few", "semi", "self", "non", "well")

# Research vocabulary that says nothing about a topic: it weighs little in relevance.
GENERIC_WORDS = frozenset(
    words(
        """impact effect affect measure improvement improve score technique method approach model performance
    result study task dataset data extent correlate compare comparison standard evaluate evaluation new
    propose show paper work large various different significant existing level degree role analysis
    investigate examine assess question answer report effective effectiveness outcome factor influence
    relation relationship change increase decrease good better best well strong weak high low case
    setting across toward towards way number amount"""
    )
)


def norm_stem(word: str) -> str:
    """`builder.text.stem` plus a dropped final 'e', so 'language' and 'languages' meet."""
    base = stem(word.lower())
    return base[:-1] if len(base) > 4 and base.endswith("e") else base


_GENERIC_STEMS = frozenset(norm_stem(w) for w in GENERIC_WORDS)


def _split_compound(word: str) -> list[str]:
    lower = word.lower()
    for prefix in _COMPOUND_PREFIXES:
        if lower.startswith(prefix) and len(lower) - len(prefix) >= 4:
            return [lower[: len(prefix)], lower[len(prefix) :]]
    return [lower]


def raw_words(text: str) -> list[str]:
    """Lower-cased words with compounds split; stop words are dropped later, by `Lexicon.tokens`."""
    out: list[str] = []
    for word in _WORD_RE.findall(text):
        for part in _split_compound(word):
            out.append(part)
    return out


@dataclass(frozen=True)
class Lexicon:
    """Acronyms the report's own texts define ('named entity recognition (NER)'), used to canonicalise."""

    expansions: tuple[tuple[str, tuple[str, ...]], ...]  # (acronym stem, expansion stems), longest first
    display: tuple[tuple[str, str], ...] = ()  # (acronym stem, expansion as written), for messages

    @staticmethod
    def from_texts(texts: Iterable[str]) -> Lexicon:
        found: dict[str, dict[tuple[str, ...], int]] = {}
        written: dict[tuple[str, tuple[str, ...]], str] = {}
        for text in texts:
            for match in _ACRONYM_DEF_RE.finditer(text):
                acronym = match.group(2)
                letters = [c.lower() for c in acronym if c.isupper()]
                words = [w for w in re.split(r"[\s\-]+", match.group(1).strip()) if w]
                candidate = words[-len(letters) :]
                if len(candidate) != len(letters):
                    continue
                if all(w[0].lower() == letter for w, letter in zip(candidate, letters, strict=True)):
                    key = norm_stem(acronym)
                    expansion = tuple(norm_stem(w) for w in candidate)
                    written.setdefault((key, expansion), " ".join(w.lower() for w in candidate))
                    found.setdefault(key, {}).setdefault(expansion, 0)
                    found[key][expansion] += 1
        pairs = []
        for acronym in sorted(found):
            # The most frequent expansion wins; ties alphabetically, so the choice is stable.
            expansion = sorted(found[acronym].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            pairs.append((acronym, expansion))
        pairs.sort(key=lambda p: (-len(p[1]), p[0]))
        return Lexicon(tuple(pairs), tuple((a, written[(a, e)]) for a, e in pairs))

    def expansion_of(self, acronym: str) -> str | None:
        for key, written in self.display:
            if key == acronym:
                return written
        return None

    def tokens(self, text: str) -> list[str]:
        """Content stems with every defined expansion replaced by its acronym."""
        stems: list[str | None] = []
        for word in raw_words(text):
            stems.append(None if word in STOPWORDS or len(word) < 2 else norm_stem(word))
        out: list[str] = []
        i = 0
        while i < len(stems):
            for acronym, expansion in self.expansions:
                n = len(expansion)
                if tuple(stems[i : i + n]) == expansion:
                    out.append(acronym)
                    i += n
                    break
            else:
                token = stems[i]
                if token:
                    out.append(token)
                i += 1
        return out


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """Every word of the texts, lower-cased: what a cut-off word may be the start of."""
    return frozenset(w.lower() for text in texts for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text))


def paper_text(paper: Paper) -> str:
    """What a number in a claim may come from; the year is the one of the claim's author-year label."""
    return " ".join([paper.title, paper.abstract, *paper.fulltext_sentences, str(paper.year)])


@dataclass(frozen=True)
class Relevance:
    score: float  # weighted share of the question's terms the text covers, 0-1
    matched: tuple[str, ...]  # heaviest first
    missing: tuple[str, ...]  # heaviest first
    missing_anchors: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """The question's terms with domain weights, computed over the report's own papers, title and question.

    A term's weight is specificity x centrality. Specificity: 3 for an acronym of the title or question (the
    task name, e.g. NER), 1.5 for another title term, 1 for a question term, 0.3 for generic research words.
    Centrality: 0.5 + the share of the report's papers using the term, so the terms the literature of this
    report shares define its topic (plain idf would do the opposite inside a report whose papers share a topic).
    Anchors are title acronyms that most of the other papers use: a text missing one is about something else.
    """

    lexicon: Lexicon
    weights: tuple[tuple[str, float], ...]  # heaviest first
    acronyms: frozenset[str]
    title_acronyms: frozenset[str]
    paper_tokens: tuple[tuple[str, frozenset[str]], ...]
    anchor_share: float
    surface: tuple[tuple[str, str], ...] = ()  # stem -> the word as the question writes it, for messages

    @staticmethod
    def build(report: Report, anchor_share: float) -> Topic:
        papers = unique_papers(report)
        lexicon = Lexicon.from_texts([report.title, report.question, *(paper_text(p) for p in papers)])
        query = f"{report.title} {report.question}"
        terms = sorted(set(lexicon.tokens(query)))
        title_terms = set(lexicon.tokens(report.title))
        acronyms = {norm_stem(a) for a in _ACRONYM_RE.findall(query)} & set(terms)
        title_acronyms = {a for a in acronyms if a in title_terms}
        docs = tuple((p.arxiv_id, frozenset(lexicon.tokens(paper_text(p)))) for p in papers)
        n = max(1, len(docs))
        weights = []
        for term in terms:
            if term in _GENERIC_STEMS:
                specificity = 0.3
            elif term in acronyms:
                specificity = 3.0
            elif term in title_terms:
                specificity = 1.5
            else:
                specificity = 1.0
            share = sum(term in tokens for _, tokens in docs) / n
            weights.append((term, specificity * (0.5 + share)))
        weights.sort(key=lambda tw: (-tw[1], tw[0]))
        surface: dict[str, str] = {}
        for word in raw_words(query):
            surface.setdefault(norm_stem(word), word)
        return Topic(
            lexicon,
            tuple(weights),
            frozenset(acronyms),
            frozenset(title_acronyms),
            docs,
            anchor_share,
            tuple(sorted(surface.items())),
        )

    def anchors(self, exclude: str | None = None) -> list[str]:
        """Title acronyms used by at least `anchor_share` of the papers other than `exclude`."""
        others = [tokens for pid, tokens in self.paper_tokens if pid != exclude]
        if not others:
            return sorted(self.title_acronyms)
        return sorted(
            a for a in self.title_acronyms if sum(a in tokens for tokens in others) / len(others) >= self.anchor_share
        )

    def relevance(self, text: str, exclude: str | None = None) -> Relevance:
        tokens = set(self.lexicon.tokens(text))
        total = sum(w for _, w in self.weights)
        if total <= 0:
            return Relevance(1.0, (), (), ())
        matched = tuple(t for t, _ in self.weights if t in tokens)
        missing = tuple(t for t, _ in self.weights if t not in tokens)
        score = sum(w for t, w in self.weights if t in tokens) / total
        missing_anchors = tuple(a for a in self.anchors(exclude) if a not in tokens)
        return Relevance(score, matched, missing, missing_anchors)

    def describe(self, term: str) -> str:
        expansion = self.lexicon.expansion_of(term)
        if term in self.acronyms:
            return f"{term.upper()} ({expansion})" if expansion else term.upper()
        return dict(self.surface).get(term, term)


def unique_papers(report: Report) -> list[Paper]:
    seen: set[str] = set()
    out: list[Paper] = []
    for paper in (report.primary, *report.papers):
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            out.append(paper)
    return out
