"""Features for claim verification: lexical overlap, numbers, negation and direction of effect.

Two levels, each scored by a small logistic model (see `model.py`):

* sentence level — does this sentence talk about the claim? (trained on SciFact rationale sentences);
* document level — do this document's best sentences *support* the claim? Overlap alone cannot tell
  support from contradiction, so the document features also compare the numbers, the negations and
  the direction of effect ("increases" vs "reduces") of the claim with those of the evidence.

Everything is plain Python + numpy so the default install needs no model weights.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from builder.text import content_tokens

# ----------------------------------------------------------------------------------------------- cues

NEGATION_CUES = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "neither",
        "nor",
        "without",
        "lack",
        "lacks",
        "lacked",
        "lacking",
        "absence",
        "absent",
        "fail",
        "fails",
        "failed",
        "failure",
        "cannot",
        "unable",
        "unlikely",
        "neither",
        "nothing",
        "unaffected",
        "unchanged",
        "independent",
        "irrelevant",
        "insufficient",
    ]
)
_NEG_CONTRACTION = re.compile(
    r"n't\b|\bnon-?significant|\bnot significant|\bno significant|\bno (?:effect|"
    r"difference|association|change|correlation|benefit|impact)",
    re.IGNORECASE,
)
INCREASE_STEMS = (
    "increas",
    "higher",
    "high",
    "elevat",
    "enhanc",
    "promot",
    "improv",
    "more",
    "greater",
    "upregulat",
    "up-regulat",
    "activat",
    "induc",
    "acceler",
    "gain",
    "rise",
    "rais",
    "boost",
    "stimulat",
    "exacerbat",
    "longer",
    "larger",
    "positive",
    "augment",
    "amplif",
    "strengthen",
    "outperform",
    "better",
    "faster",
    "expand",
)
DECREASE_STEMS = (
    "decreas",
    "reduc",
    "lower",
    "low",
    "less",
    "fewer",
    "inhibit",
    "suppress",
    "downregulat",
    "down-regulat",
    "attenuat",
    "impair",
    "prevent",
    "diminish",
    "declin",
    "loss",
    "lose",
    "shorter",
    "smaller",
    "block",
    "negative",
    "deplet",
    "abolish",
    "abrogat",
    "weaken",
    "worse",
    "slower",
    "drop",
    "fall",
    "limit",
    "protect",
)
HEDGE_CUES = frozenset(
    ["may", "might", "could", "possibly", "potentially", "suggest", "suggests", "suggested", "unclear", "whether"]
)

_WORDS = re.compile(r"[A-Za-z][A-Za-z\-']*")
_NUMBER = re.compile(r"(?<![A-Za-z0-9.])[-−]?\d+(?:[.,]\d+)*(?:\.\d+)?")


SELF_REFERENCE = re.compile(
    r"\b(we|our|us|this (paper|work|study|approach|method|model)|these (methods|models|approaches)|"
    r"the proposed|proposed (method|approach|model))\b",
    re.IGNORECASE,
)


def self_referential(text: str) -> bool:
    """True when the text talks about "our approach" / "this work": its referent depends on the paper."""
    return SELF_REFERENCE.search(text) is not None


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(text)]


def numbers(text: str) -> set[str]:
    """Numbers as written ('57', '3.5', '1,000' -> '1000'), leaving out 4-digit years in brackets or citations."""
    found = set()
    for match in _NUMBER.finditer(text):
        value = match.group(0).replace(",", "").replace("−", "-").lstrip("-")
        if value.endswith(".0"):
            value = value[:-2]
        found.add(value)
    return found


def negation_count(text: str) -> int:
    return sum(1 for w in words(text) if w in NEGATION_CUES) + len(_NEG_CONTRACTION.findall(text))


def direction(text: str) -> int:
    """+1 when the text says something goes up, -1 down, 0 when unclear; a negation flips it."""
    up = down = 0
    for w in words(text):
        if w.startswith(INCREASE_STEMS):
            up += 1
        elif w.startswith(DECREASE_STEMS):
            down += 1
    sign = (up > down) - (down > up)
    if negation_count(text) % 2 == 1:
        sign = -sign
    return sign


# ----------------------------------------------------------------------------------------------- text units


@dataclass
class Unit:
    """A piece of text with everything the features need, computed once."""

    text: str
    tokens: list[str]
    counts: Counter[str]
    bigrams: set[tuple[str, str]]
    numbers: set[str]
    negations: int
    direction: int
    hedges: int

    @classmethod
    def of(cls, text: str) -> Unit:
        tokens = content_tokens(text)
        return cls(
            text=text,
            tokens=tokens,
            counts=Counter(tokens),
            bigrams=set(itertools.pairwise(tokens)),
            numbers=numbers(text),
            negations=negation_count(text),
            direction=direction(text),
            hedges=sum(1 for w in words(text) if w in HEDGE_CUES),
        )


@dataclass
class Idf:
    """Inverse document frequency over sentences, so it is meaningful for 5 papers as for 5,000."""

    n: int = 0
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def fit(cls, units: Iterable[Unit]) -> Idf:
        idf = cls()
        for unit in units:
            idf.n += 1
            idf.df.update(set(unit.tokens))
        return idf

    def __call__(self, token: str) -> float:
        return math.log((self.n + 1) / (self.df.get(token, 0) + 1)) + 1.0

    def vector_norm(self, unit: Unit) -> float:
        return math.sqrt(sum((c * self(t)) ** 2 for t, c in unit.counts.items())) or 1.0


# ----------------------------------------------------------------------------------------------- sentence level

SENTENCE_FEATURES = (
    "cosine",
    "coverage",
    "coverage_sq",
    "bigram",
    "max_idf_hit",
    "numbers_shared",
    "len_log",
    "position",
    "title_coverage",
)


def coverage(claim: Unit, other: Unit, idf: Idf) -> float:
    """The idf-weighted share of the claim's distinct tokens that the other text contains."""
    distinct = set(claim.tokens)
    total = sum(idf(t) for t in distinct)
    if total == 0:
        return 0.0
    return sum(idf(t) for t in distinct if t in other.counts) / total


def cosine(a: Unit, b: Unit, idf: Idf, a_norm: float, b_norm: float) -> float:
    small, large = (a, b) if len(a.counts) <= len(b.counts) else (b, a)
    dot = sum(c * large.counts[t] * idf(t) ** 2 for t, c in small.counts.items() if t in large.counts)
    return dot / (a_norm * b_norm)


def sentence_features(
    claim: Unit, claim_norm: float, sent: Unit, sent_norm: float, idf: Idf, position: float, title_cov: float
) -> list[float]:
    """Features of one (claim, sentence) pair, in SENTENCE_FEATURES order."""
    cov = coverage(claim, sent, idf)
    big = len(claim.bigrams & sent.bigrams) / len(claim.bigrams) if claim.bigrams else 0.0
    hits = [idf(t) for t in set(claim.tokens) if t in sent.counts]
    shared = len(claim.numbers & sent.numbers) / len(claim.numbers) if claim.numbers else 0.0
    return [
        cosine(claim, sent, idf, claim_norm, sent_norm),
        cov,
        cov * cov,
        big,
        max(hits) / 10.0 if hits else 0.0,
        shared,
        math.log1p(len(sent.tokens)) / 4.0,
        position,
        title_cov,
    ]


# ----------------------------------------------------------------------------------------------- document level

DOC_FEATURES = (
    "best_logit",
    "second_logit",
    "best_cosine",
    "best_coverage",
    "doc_coverage",
    "title_coverage",
    "top3_coverage",
    "claim_has_numbers",
    "numbers_agree",
    "numbers_conflict",
    "claim_negated",
    "evidence_negated",
    "negation_mismatch",
    "direction_agree",
    "direction_conflict",
    "evidence_hedged",
    "claim_len_log",
    "n_sentences_log",
)


@dataclass
class DocScore:
    """Sentence scores of one document for one claim, best first, and the document features."""

    ranked: list[tuple[int, float]]  # (sentence position within the document, sentence logit)
    features: list[float]
    numbers_note: str
    conflicts: list[str] = field(default_factory=list)  # rule-based disagreements with close evidence
    verbatim: bool = False  # a close sentence contains every content word of the claim


CLOSE_COVERAGE = 0.5  # a sentence "talks about the claim" when it covers half its idf-weighted content words


def find_conflicts(claim: Unit, sentences: Sequence[Unit], order: Sequence[int], idf: Idf) -> tuple[list[str], bool]:
    """Disagreements between the claim and the document's close sentences (top 3 by relevance).

    A number of the claim missing from every close sentence, a negation only one side has, or an effect
    going the other way ("increases" vs "reduces") each count; so does a number missing from the whole top 3.
    """
    top = list(order[:3])
    close = [i for i in top if coverage(claim, sentences[i], idf) >= CLOSE_COVERAGE]
    conflicts: list[str] = []
    for i in close:
        sent = sentences[i]
        if claim.negations % 2 != sent.negations % 2:
            side = "the claim" if claim.negations % 2 else "the evidence"
            conflicts.append(f"negation differs from sentence {i} ({side} is negated)")
        if claim.direction and sent.direction and claim.direction != sent.direction:
            conflicts.append(f"direction of effect differs from sentence {i}")
    if claim.numbers and (close or top):
        pool = close or top[:1]
        found: set[str] = set()
        for i in pool:
            found |= sentences[i].numbers
        missing = claim.numbers - found
        if missing:
            shown = ", ".join(sorted(found)[:4]) or "none"
            conflicts.append(f"numbers disagree: claim {', '.join(sorted(missing))} vs evidence {shown}")
    verbatim = any(coverage(claim, sentences[i], idf) >= 0.95 for i in close)
    return conflicts, verbatim


def doc_features(
    claim: Unit,
    sentences: Sequence[Unit],
    logits: Sequence[float],
    idf: Idf,
    claim_norm: float,
    sent_norms: Sequence[float],
    title: Unit | None,
) -> DocScore:
    """Aggregate the sentence scores of one document into document features (DOC_FEATURES order)."""
    order = sorted(range(len(sentences)), key=lambda i: (-logits[i], i))
    ranked = [(i, logits[i]) for i in order]
    if not order:
        return DocScore([], [0.0] * len(DOC_FEATURES), "")
    best = order[0]
    top = order[:3]
    best_unit = sentences[best]
    top_tokens: Counter[str] = Counter()
    for i in top:
        top_tokens.update(sentences[i].counts)
    top_unit_counts = Unit("", [], top_tokens, set(), set(), 0, 0, 0)
    all_counts: Counter[str] = Counter()
    for unit in sentences:
        all_counts.update(unit.counts)
    if title is not None:
        all_counts.update(title.counts)
    doc_unit = Unit("", [], all_counts, set(), set(), 0, 0, 0)
    # Numbers: compare with the best two sentences (where a number would be stated).
    evidence_numbers: set[str] = set()
    for i in order[:2]:
        evidence_numbers |= sentences[i].numbers
    note = ""
    agree = conflict = 0.0
    if claim.numbers:
        shared = claim.numbers & evidence_numbers
        agree = len(shared) / len(claim.numbers)
        missing = claim.numbers - evidence_numbers
        if missing and evidence_numbers:
            conflict = 1.0
            shown = ", ".join(sorted(evidence_numbers)[:4])
            note = f"numbers disagree: claim {', '.join(sorted(missing))} vs evidence {shown}"
        elif shared:
            note = f"numbers {', '.join(sorted(shared))} agree"
    claim_neg = claim.negations % 2
    ev_neg = best_unit.negations % 2
    dir_claim = claim.direction
    dir_ev = best_unit.direction
    second = ranked[1][1] if len(ranked) > 1 else ranked[0][1] - 2.0
    features = [
        ranked[0][1] / 5.0,
        second / 5.0,
        cosine(claim, best_unit, idf, claim_norm, sent_norms[best]),
        coverage(claim, best_unit, idf),
        coverage(claim, doc_unit, idf),
        coverage(claim, title, idf) if title is not None else 0.0,
        coverage(claim, top_unit_counts, idf),
        1.0 if claim.numbers else 0.0,
        agree,
        conflict,
        float(claim_neg),
        float(ev_neg),
        float(claim_neg != ev_neg),
        1.0 if dir_claim and dir_claim == dir_ev else 0.0,
        1.0 if dir_claim and dir_ev and dir_claim != dir_ev else 0.0,
        1.0 if best_unit.hedges else 0.0,
        math.log1p(len(claim.tokens)) / 3.0,
        math.log1p(len(sentences)) / 4.0,
    ]
    conflicts, verbatim = find_conflicts(claim, sentences, order, idf)
    return DocScore(ranked, features, note, conflicts, verbatim)
