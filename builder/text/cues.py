"""Lexical cues shared by extraction and verification: numbers, negation, direction of effect, opposites.

Every list and pattern here is read by the verifier's features (`builder/verify/features.py`), its consistency
checks (`checks.py`), claim extraction (`builder/extract.py`) or the generated perturbations (`perturb.py`),
and each is kept exactly as those were built and trained with: the committed models (`builder/verify/*.json`)
learnt their weights on features made from these words, so editing a list changes every verdict. Where two
readers need different things (prefix pairs for a feature, whole words for a rule), both lists are here side
by side, and the comment says which reader uses which.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from builder.text.tokens import alnum_words, words

# ----------------------------------------------------------------------------------------------- numbers

# A number as verification compares it ("57", "3.5", "1,000", "−2", "40 %"); not inside a name such as "F1".
NUMBER = re.compile(r"(?<![A-Za-z0-9.])(?P<value>[-−]?\d+(?:[.,]\d+)*(?:\.\d+)?)(?P<percent>\s*%)?")
YEAR = re.compile(r"(?:19|20)\d\d")  # with fullmatch: a number that is most likely a year
# A number as extraction counts it in a finding, with its unit ("5%", "3x", "2 times"); see `measures`.
_MEASURE = re.compile(r"(?<![A-Za-z])\d+(?:\.\d+)?\s?(?:%|x|×|times|fold)?")
# A number a perturbation may change: not part of a name ("XLM-R", "mT5", "WMT'16"); group 1 is its digits.
EDITABLE_NUMBER = re.compile(r"(?<![\w.'’-])(\d+(?:\.\d+)?)(?![\w'’-]|\.\d)")


def normal_number(raw: str) -> str:
    """A number as claim and evidence compare it: '1,000' -> '1000', '−3' -> '3', '5.0' -> '5'."""
    value = raw.replace(",", "").replace("−", "-").lstrip("-")
    return value[:-2] if value.endswith(".0") else value


def numbers(text: str) -> set[str]:
    """The numbers of a text, each as `normal_number` writes it (years included)."""
    return {normal_number(match["value"]) for match in NUMBER.finditer(text)}


def measures(text: str) -> list[str]:
    """The numbers a finding states, as extraction scores them: with their unit, years left out."""
    return [n for n in _MEASURE.findall(text) if not YEAR.fullmatch(n.strip())]


# ----------------------------------------------------------------------------------------------- negation

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
        "nothing",
        "unaffected",
        "unchanged",
        "independent",
        "irrelevant",
        "insufficient",
    ]
)
# Negations written as more than one word, or inside one ("don't", "non-significant", "no difference").
NEGATION_PHRASES = re.compile(
    r"n't\b|\bnon-?significant|\bnot significant|\bno significant|\bno (?:effect|"
    r"difference|association|change|correlation|benefit|impact)",
    re.IGNORECASE,
)
PLAIN_NEGATIONS = frozenset(["not", "no", "never", "none", "neither", "nor", "cannot"])
# A negated verb just before a comparison ("does not outperform", "fails to beat", "didn't clearly beat").
NEGATED_BEFORE = re.compile(r"\b(?:not|never|no longer|fails? to|failed to|cannot)\s+(?:\w+\s+)?$|n't\s+(?:\w+\s+)?$")


def negation_count(text: str, lowered: Sequence[str] | None = None) -> int:
    """Negation cues in the text (`lowered`: its `words`, when the caller has them already)."""
    lowered = words(text) if lowered is None else lowered
    return sum(1 for w in lowered if w in NEGATION_CUES) + len(NEGATION_PHRASES.findall(text))


def plainly_negated(lowered: Sequence[str]) -> bool:
    """The words hold a plain negation ("not", "no", "never", ..., "isn't")."""
    return any(w in PLAIN_NEGATIONS or w.endswith("n't") for w in lowered)


# ----------------------------------------------------------------------------------------------- direction of effect

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
# The two sides of a comparison, for the checks' "A outperforms B" against "B outperforms A".
BETTER = r"outperform\w*|surpass\w*|beat|beats|exceed\w*|better than|superior to|stronger than|more effective than"
WORSE = r"underperform\w*|worse than|inferior to|weaker than|less effective than|lags? behind|fall\w* short of"
COMPARISON_CUES = frozenset(["than", "compared", "versus", "vs"])
HEDGE_CUES = frozenset(
    ["may", "might", "could", "possibly", "potentially", "suggest", "suggests", "suggested", "unclear", "whether"]
)


@functools.lru_cache(maxsize=1 << 16)
def word_direction(word: str) -> int:
    """+1 for a word that says something goes up ("improves"), -1 down ("reduced"), else 0; matched as prefixes."""
    if word.startswith(INCREASE_STEMS):
        return 1
    if word.startswith(DECREASE_STEMS):
        return -1
    return 0


def direction(text: str, lowered: Sequence[str] | None = None, negations: int | None = None) -> int:
    """+1 when the text says something goes up, -1 down, 0 when unclear; a negation flips it."""
    lowered = words(text) if lowered is None else lowered
    up = down = 0
    for w in lowered:
        d = word_direction(w)
        up += d == 1
        down += d == -1
    sign = (up > down) - (down > up)
    if (negation_count(text, lowered) if negations is None else negations) % 2 == 1:
        sign = -sign
    return sign


# ----------------------------------------------------------------------------------------------- opposites

# Word pairs whose swap turns a finding into its opposite, matched as prefixes of `words`: the verifier's
# `antonym_swap` feature.
ANTONYMS = (
    ("increas", "decreas"),
    ("increas", "reduc"),
    ("increas", "lower"),
    ("higher", "lower"),
    ("high", "low"),
    ("more", "less"),
    ("more", "fewer"),
    ("greater", "less"),
    ("larger", "smaller"),
    ("longer", "shorter"),
    ("promot", "inhibit"),
    ("promot", "suppress"),
    ("activ", "inhibit"),
    ("activ", "suppress"),
    ("stimul", "inhibit"),
    ("induc", "inhibit"),
    ("induc", "block"),
    ("enhanc", "impair"),
    ("enhanc", "reduc"),
    ("elev", "reduc"),
    ("elev", "decreas"),
    ("rais", "lower"),
    ("improv", "wors"),
    ("posit", "negat"),
    ("upregul", "downregul"),
    ("up", "down"),
    ("gain", "loss"),
    ("benefici", "harm"),
    ("accelerat", "slow"),
    ("present", "absent"),
    ("requir", "dispens"),
    ("effect", "ineffect"),
    ("sensit", "resist"),
    ("common", "rare"),
    ("major", "minor"),
)
# Word pairs whose swap between close sentences states the opposite finding, matched as whole words
# (case-insensitive `alnum_words`): the consistency checks' `opposite` conflict.
OPPOSITES = (
    ("similar", "dissimilar"),
    ("similar", "distant"),
    ("close", "distant"),
    ("effective", "ineffective"),
    ("helps", "hurts"),
    ("improves", "degrades"),
    ("improves", "hurts"),
    ("improve", "degrade"),
    ("improve", "hurt"),
    ("better", "worse"),
    ("outperforms", "underperforms"),
    ("increases", "decreases"),
    ("higher", "lower"),
    ("strong", "weak"),
    ("stronger", "weaker"),
    ("useful", "useless"),
    ("beneficial", "harmful"),
    ("significant", "negligible"),
    ("large", "negligible"),
    ("robust", "brittle"),
    ("robust", "vulnerable"),
)
# Each direction word with the word that reverses it, for making a claim its paper contradicts (`perturb.py`).
REVERSALS = {
    "improves": "degrades",
    "improve": "degrade",
    "improved": "degraded",
    "improving": "degrading",
    "outperforms": "underperforms",
    "outperform": "underperform",
    "outperformed": "underperformed",
    "outperforming": "underperforming",
    "increases": "decreases",
    "increase": "decrease",
    "increased": "decreased",
    "reduces": "increases",
    "reduce": "increase",
    "reduced": "increased",
    "higher": "lower",
    "lower": "higher",
    "better": "worse",
    "worse": "better",
    "more": "less",
    "less": "more",
    "helps": "hurts",
    "benefits": "harms",
    "boosts": "lowers",
    "effective": "ineffective",
    "surpasses": "trails",
    "gains": "losses",
}


@functools.lru_cache(maxsize=1 << 16)
def _antonym_prefixes(word: str) -> frozenset[str]:
    return frozenset(prefix for pair in ANTONYMS for prefix in pair if word.startswith(prefix))


def antonym_swap(claim_words: Sequence[str], evidence_words: Sequence[str]) -> bool:
    """The claim uses one side of an antonym pair and the evidence only the other side."""
    claim_sides = frozenset().union(*map(_antonym_prefixes, claim_words))
    evidence_sides = frozenset().union(*map(_antonym_prefixes, evidence_words))
    for a, b in ANTONYMS:
        ca, cb, ea, eb = a in claim_sides, b in claim_sides, a in evidence_sides, b in evidence_sides
        if (ca and not cb and eb and not ea) or (cb and not ca and ea and not eb):
            return True
    return False


def opposite_words(claim: str, sentence: str) -> tuple[str, str] | None:
    """(the claim's word, the sentence's word) of the first opposite pair the two texts take different sides of."""
    claim_words = {w.lower() for w in alnum_words(claim)}
    sentence_words = {w.lower() for w in alnum_words(sentence)}
    for a, b in OPPOSITES:
        for mine, theirs in ((a, b), (b, a)):
            if (
                mine in claim_words
                and theirs not in claim_words
                and theirs in sentence_words
                and mine not in sentence_words
            ):
                return mine, theirs
    return None


# ----------------------------------------------------------------------------------------------- self-reference

SELF_REFERENCE = re.compile(
    r"\b(we|our|us|this (paper|work|study|approach|method|model)|these (methods|models|approaches)|"
    r"the proposed|proposed (method|approach|model))\b",
    re.IGNORECASE,
)
# "In this paper, we show that X" reports X: the frame names the paper, the finding after it may not. (The
# rewrite of a claim to stand alone, `builder/standalone.py`, has its own, wider rules for the same frame.)
REPORTING_FRAME = re.compile(
    r"^(?:(?:in|through|with) (?:this|our) (?:paper|work|study|analysis),?\s*|here,?\s*|finally,?\s*|moreover,?\s*|"
    r"overall,?\s*|further(?:more)?,?\s*)?"
    r"(?:we|our (?:results|experiments|analysis|findings)|this (?:paper|work|study))\s+(?:also\s+|further\s+)?"
    r"(?:show|find|found|demonstrate|observe|confirm|report|conclude|reveal|argue|establish)(?:s|ed)?\s+that\s+",
    re.IGNORECASE,
)


def finding_core(text: str) -> str:
    """The finding a sentence reports, without its reporting frame ("In this paper, we show that ...")."""
    return REPORTING_FRAME.sub("", text.strip(), count=1)


def self_referential(text: str) -> bool:
    """True when the finding talks about "our approach" / "this work": its referent depends on the paper."""
    return SELF_REFERENCE.search(finding_core(text)) is not None


# The review's test of two claims of one report that say opposite things: a negation in one only, or a pair of
# opposite words (stems) split between them.
CLAIM_NEGATIONS = frozenset({"not", "no", "never", "cannot", "fail", "fails", "failed", "without", "neither", "nor"})
POLARITY_PAIRS = (
    ("outperform", "underperform"),
    ("improv", "degrad"),
    ("improv", "hurt"),
    ("increas", "decreas"),
    ("higher", "lower"),
    ("better", "worse"),
    ("more", "less"),
    ("effective", "ineffective"),
    ("help", "hurt"),
    ("gain", "loss"),
)


def opposite_polarity(a: set[str], b: set[str]) -> str | None:
    """Why two claims' word sets read as opposite ("one is negated", "“improv…” against “degrad…”"), or None."""
    neg_a, neg_b = bool(a & CLAIM_NEGATIONS), bool(b & CLAIM_NEGATIONS)
    if neg_a != neg_b:
        return "one is negated"
    for left, right in POLARITY_PAIRS:
        has = [any(w.startswith(left) for w in s) for s in (a, b)]
        has_r = [any(w.startswith(right) for w in s) for s in (a, b)]
        if (has[0] and has_r[1] and not has[1]) or (has[1] and has_r[0] and not has[0]):
            return f"“{left}…” against “{right}…”"
    return None
