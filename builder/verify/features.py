"""Features for claim verification: lexical overlap, numbers, negation and direction of effect.

Two levels, each scored by a small logistic model (see `model.py`):

* sentence level — does this sentence talk about the claim? (trained on SciFact rationale sentences);
* document level — do this document's best sentences *support* the claim? Overlap alone cannot tell
  support from contradiction, so the document features also compare the numbers, the negations and
  the direction of effect ("increases" vs "reduces") of the claim with those of the evidence.

The cues (numbers, negation, direction words, antonym pairs) are `builder.text`'s. Everything is plain Python
+ numpy so the default install needs no model weights.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from builder.text import (
    COMPARISON_CUES,
    DECREASE_STEMS,
    HEDGE_CUES,
    INCREASE_STEMS,
    NEGATION_CUES,
    antonym_swap,
    direction,
    negation_count,
    numbers,
    plainly_negated,
    tokens_of,
    word_direction,
    words,
)
from builder.verify.checks import Conflict, find_conflicts

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
    chars: Counter[str] | None = field(default=None, repr=False, compare=False)  # lazily, see `char_grams`

    def char_grams(self) -> Counter[str]:
        """Character 4-grams of the words (computed on first use: only documents being scored need them)."""
        if self.chars is None:
            self.chars = char_grams(self.text)
        return self.chars

    @classmethod
    def of(cls, text: str) -> Unit:
        tokens = tokens_of(text)
        lowered = words(text)
        negations = negation_count(text, lowered)
        return cls(
            text=text,
            tokens=tokens,
            counts=Counter(tokens),
            bigrams=set(itertools.pairwise(tokens)),
            numbers=numbers(text),
            negations=negations,
            direction=direction(text, lowered, negations),
            hedges=sum(1 for w in lowered if w in HEDGE_CUES),
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

_CHAR_WORD = re.compile(r"[a-z0-9]+")
CHAR_N = 4


def char_grams(text: str, n: int = CHAR_N) -> Counter[str]:
    """Character n-grams inside space-padded words: "inhibits" and "inhibition" share most of theirs."""
    grams: Counter[str] = Counter()
    for word in _CHAR_WORD.findall(text.lower()):
        padded = f" {word} "
        if len(padded) <= n:
            grams[padded] += 1
        else:
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def counter_cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * large[k] for k, v in small.items() if k in large)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


# Relevance features: is this document about the claim at all (SciFact: evidence vs. no evidence)?
# Overlap at several granularities; each adds a little (grouped-CV ablations in docs/verification.md).
RELEVANCE_FEATURES = (
    "best_logit",
    "second_logit",
    "cos_max",
    "cos_top3",
    "cos_doc",
    "cov_max",
    "cov_top3_mean",
    "cov_top3",
    "cov_doc",
    "cov_title",
    "rare_cov_doc",
    "rare_cov_best",
    "uncovered_mass",
    "bigram_best",
    "bigram_doc",
    "char_max",
    "char_best",
    "char_top3",
)
# Stance features: given evidence, does it support the claim or contradict it? Lexical cues only: numbers,
# negation, direction of effect, antonym swaps, claim words the evidence lacks, and the claim's own wording.
STANCE_FEATURES = (
    "cos_max",
    "cov_top3",
    "cov_doc",
    "char_max",
    "claim_has_numbers",
    "numbers_agree",
    "numbers_conflict",
    "claim_negated",
    "best_negated",
    "top2_negated",
    "top3_negated",
    "negation_mismatch",
    "claim_only_negation",
    "evidence_only_negation",
    "claim_plain_not",
    "claim_up",
    "claim_down",
    "claim_direction",
    "direction_agree",
    "direction_conflict",
    "evidence_direction",
    "direction_product",
    "antonym_swap",
    "missing_words_log",
    "missing_direction_word",
    "claim_comparison",
    "best_position",
    "claim_len_log",
    "n_sentences_log",
)
DOC_FEATURES = RELEVANCE_FEATURES + tuple(f for f in STANCE_FEATURES if f not in RELEVANCE_FEATURES)


@dataclass
class DocScore:
    """Sentence scores of one document for one claim, best first, and the document features."""

    ranked: list[tuple[int, float]]  # (sentence position within the document, sentence logit)
    features: list[float]
    numbers_note: str
    conflicts: list[Conflict] = field(default_factory=list)  # rule-based disagreements with close evidence
    verbatim: bool = False  # a close sentence contains every content word of the claim
    relevant_coverage: float = 0.0  # coverage of the claim by its best-covering close sentence


GENERIC_WORDS = frozenset(["method", "approach", "model", "system", "framework", "techniqu", "propos", "novel"])


def _claim_part(claim: Unit, keep: Callable[[str], bool]) -> Unit:
    """The claim with only the tokens `keep` accepts (the whole claim when none is left), for coverage."""
    tokens = [t for t in claim.tokens if keep(t)]
    return Unit(claim.text, tokens, Counter(tokens), set(), set(), 0, 0, 0) if tokens else claim


def doc_features(
    claim: Unit,
    sentences: Sequence[Unit],
    logits: Sequence[float],
    idf: Idf,
    claim_norm: float,
    sent_norms: Sequence[float],
    title: Unit | None,
) -> DocScore:
    """Aggregate the sentence scores of one document into document features (DOC_FEATURES order).

    The sentence model ranks the sentences; "best" and "top k" below follow that ranking.
    """
    order = sorted(range(len(sentences)), key=lambda i: (-logits[i], i))
    ranked = [(i, logits[i]) for i in order]
    if not order:
        return DocScore([], [0.0] * len(DOC_FEATURES), "")
    n = len(sentences)
    best = order[0]
    top = order[:3]
    best_unit = sentences[best]
    f: dict[str, float] = {}
    f["best_logit"] = ranked[0][1] / 5.0
    f["second_logit"] = (ranked[1][1] if n > 1 else ranked[0][1] - 2.0) / 5.0

    cosines = sorted((cosine(claim, s, idf, claim_norm, sent_norms[i]) for i, s in enumerate(sentences)), reverse=True)
    coverages = [coverage(claim, s, idf) for s in sentences]
    f["cos_max"] = cosines[0]
    f["cos_top3"] = sum(cosines[:3]) / len(cosines[:3])
    top_counts: Counter[str] = Counter()
    for i in top:
        top_counts.update(sentences[i].counts)
    all_counts: Counter[str] = Counter()
    for unit in sentences:
        all_counts.update(unit.counts)
    top_unit = Unit("", [], top_counts, set(), set(), 0, 0, 0)
    doc_unit = Unit("", [], all_counts, set(), set(), 0, 0, 0)
    f["cos_doc"] = cosine(claim, doc_unit, idf, claim_norm, idf.vector_norm(doc_unit))
    best_coverages = sorted(coverages, reverse=True)
    f["cov_max"] = best_coverages[0]
    f["cov_top3_mean"] = sum(best_coverages[:3]) / len(best_coverages[:3])
    f["cov_top3"] = coverage(claim, top_unit, idf)
    f["cov_doc"] = coverage(claim, doc_unit, idf)
    f["cov_title"] = coverage(claim, title, idf) if title is not None else 0.0

    # Rare claim words (idf at or above the claim's median) carry the topic; are they in the document?
    distinct = set(claim.tokens)
    weights = {t: idf(t) for t in distinct}
    median = sorted(weights.values())[len(weights) // 2] if weights else 0.0
    rare = [t for t in distinct if weights[t] >= median]
    f["rare_cov_doc"] = sum(t in all_counts for t in rare) / len(rare) if rare else 0.0
    f["rare_cov_best"] = sum(t in best_unit.counts for t in rare) / len(rare) if rare else 0.0
    f["uncovered_mass"] = sum(w for t, w in weights.items() if t not in all_counts) / 10.0

    bigrams = claim.bigrams
    doc_bigrams: set[tuple[str, str]] = set().union(*(s.bigrams for s in sentences))
    f["bigram_best"] = max(len(bigrams & s.bigrams) for s in sentences) / len(bigrams) if bigrams else 0.0
    f["bigram_doc"] = len(bigrams & doc_bigrams) / len(bigrams) if bigrams else 0.0

    claim_chars = claim.char_grams()
    chars = [counter_cosine(claim_chars, s.char_grams()) for s in sentences]
    f["char_max"] = max(chars)
    f["char_best"] = chars[best]
    top_chars = sorted(chars, reverse=True)[:3]
    f["char_top3"] = sum(top_chars) / len(top_chars)

    # Numbers: compare with the best two sentences (where a number would be stated).
    evidence_numbers: set[str] = set()
    for i in order[:2]:
        evidence_numbers |= sentences[i].numbers
    doc_numbers: set[str] = set().union(*(s.numbers for s in sentences))
    note = ""
    conflict = 0.0
    if claim.numbers:
        shared = claim.numbers & evidence_numbers
        missing = claim.numbers - evidence_numbers
        if missing and evidence_numbers:
            conflict = 1.0
            shown = ", ".join(sorted(evidence_numbers)[:4])
            note = f"numbers disagree: claim {', '.join(sorted(missing))} vs evidence {shown}"
        elif shared:
            note = f"numbers {', '.join(sorted(shared))} agree"
    f["claim_has_numbers"] = 1.0 if claim.numbers else 0.0
    f["numbers_agree"] = len(claim.numbers & doc_numbers) / len(claim.numbers) if claim.numbers else 0.0
    f["numbers_conflict"] = conflict

    claim_words = words(claim.text)
    evidence_words = [w for i in order[:2] for w in words(sentences[i].text)]
    claim_neg = any(w in NEGATION_CUES for w in claim_words)
    evidence_neg = any(w in NEGATION_CUES for w in evidence_words)
    f["claim_negated"] = float(claim.negations > 0)
    f["best_negated"] = float(best_unit.negations > 0)
    f["top2_negated"] = float(sum(sentences[i].negations for i in order[:2]) > 0)
    f["top3_negated"] = float(sum(sentences[i].negations for i in top) > 0)
    f["negation_mismatch"] = float(claim.negations % 2 != best_unit.negations % 2)
    f["claim_only_negation"] = float(claim_neg and not evidence_neg)
    f["evidence_only_negation"] = float(evidence_neg and not claim_neg)
    f["claim_plain_not"] = float(plainly_negated(claim_words))

    f["claim_up"] = float(any(w.startswith(INCREASE_STEMS) for w in claim_words))
    f["claim_down"] = float(any(w.startswith(DECREASE_STEMS) for w in claim_words))
    f["claim_direction"] = float(claim.direction)
    f["direction_agree"] = float(claim.direction != 0 and claim.direction == best_unit.direction)
    f["direction_conflict"] = float(claim.direction != 0 and best_unit.direction not in (0, claim.direction))
    evidence_direction = sum(sentences[i].direction for i in top)
    f["evidence_direction"] = float((evidence_direction > 0) - (evidence_direction < 0))
    f["direction_product"] = f["evidence_direction"] * claim.direction
    f["antonym_swap"] = float(antonym_swap(claim_words, evidence_words))

    missing_words = [t for t in distinct if t not in top_counts]
    f["missing_words_log"] = math.log1p(len(missing_words))
    f["missing_direction_word"] = float(any(t.startswith(INCREASE_STEMS + DECREASE_STEMS) for t in missing_words))
    f["claim_comparison"] = float(any(w in COMPARISON_CUES for w in claim_words))
    f["best_position"] = best / max(1, n - 1)
    f["claim_len_log"] = math.log1p(len(claim.tokens)) / 3.0
    f["n_sentences_log"] = math.log1p(n) / 4.0

    # For the checks, coverage leaves out the claim's direction words: "reduces F1 by 5.2" against "improves F1
    # by 5.2" covers the whole claim but its direction, which is the point of the check.
    # Verbatim agreement leaves out words that name no particular thing ("our distillation method" is stated by
    # "distillation" alone).
    core_unit = _claim_part(claim, lambda t: word_direction(t) == 0)
    named_unit = _claim_part(claim, lambda t: t not in GENERIC_WORDS)
    close = [
        (
            i,
            sentences[i].text,
            sentences[i].negations,
            sentences[i].direction,
            coverage(core_unit, sentences[i], idf),
            coverage(named_unit, sentences[i], idf),
        )
        for i in top
    ]
    conflicts, verbatim = find_conflicts(claim.text, claim.negations, claim.direction, close)
    return DocScore(
        ranked, [f[name] for name in DOC_FEATURES], note, conflicts, verbatim, max(coverages[i] for i in top)
    )
