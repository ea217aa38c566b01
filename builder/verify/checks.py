"""Consistency checks between a claim and the sentences of a paper that talk about it.

SciFact is too small to teach the learned model what a report needs most: that a paper which says the same
thing with another number, the other way round or negated does not support the claim, it contradicts it.
These rules read the document's *close* sentences (the top 3 by relevance that cover at least half of the
claim's idf-weighted words) and report each disagreement as a `Conflict`:

* `number`: the evidence gives another value for the same quantity (a number anchored to the same word:
  "57 languages" against "40 languages", "F1 of 92.4" against "F1 of 97.1"). A paraphrase that drops the
  number is not a conflict;
* `comparison`: the two sides of a comparison swapped ("A outperforms B" against "B outperforms A",
  "A is worse than B", "A does not outperform B");
* `direction`: an effect going the other way ("increases" against "reduces");
* `negation`: a negation only one side has;
* `universal`: a universal claim ("consistently", "regardless of the language") against evidence that states a
  limit or an exception ("substantially less effective for distant languages");
* `opposite`: one word of an opposite pair in the claim, the other in the evidence ("similar"/"distant").

A conflict counts (is *strong*) when the sentence is close enough that the disagreement is about the same
finding: it then caps support and makes the pair a contradiction (`apply_checks`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.text import (
    BETTER,
    NEGATED_BEFORE,
    NUMBER,
    STOPWORDS,
    WORSE,
    alnum_words,
    content_tokens,
    normal_number,
    opposite_words,
)

CLOSE_COVERAGE = 0.5  # a sentence "talks about the claim" when it covers half its idf-weighted content words
# Word-level cues (a universal against a limit, an opposite word) also count at BEST_SENTENCE_COVERAGE in the
# sentence most about the claim; elsewhere in the abstract such a word is usually about something else.
BEST_SENTENCE_COVERAGE = 0.3
# How much of the claim a sentence must cover for each kind of conflict to count: weaker conflicts are left to
# the learned model (on SciFact, capping every negation or direction mismatch lost 0.05 F1: paraphrases
# differ in those cues far more often than contradictions do).
STRONG_COVERAGE = {
    "number": 0.6,
    "comparison": 0.3,
    "universal": 0.5,
    "opposite": 0.5,
    "direction": 0.9,
    "negation": 0.9,
}
CONFLICT_CAP = 0.2  # any conflict with close evidence caps P(supported)
# A strong conflict makes P(contradicted) at least this. Rule-made contradictions were right 21 times of 21 on the
# hand-labelled NLP claims (own source and other papers; docs/verification.md): 0.9 leaves room for the unseen.
CONTRADICTION_FLOOR = 0.9
VERBATIM_FLOOR = 0.85  # close evidence repeating every content word of the claim, with no conflict
VERBATIM_COVERAGE = 0.95
AGREE_COVERAGE = 0.8  # a sentence this close that states all the claim's numbers agrees on them


@dataclass(frozen=True)
class Conflict:
    """One disagreement between the claim and sentence `sentence` (its position in the document)."""

    kind: str  # "number", "comparison", "universal", "opposite", "direction", "negation"
    sentence: int  # the position of the conflicting sentence in the document (the verdict shows which it is)
    coverage: float  # how much of the claim the sentence covers
    detail: str

    @property
    def strong(self) -> bool:
        return self.coverage >= STRONG_COVERAGE[self.kind]


# ----------------------------------------------------------------------------------------------- numbers

ANCHOR_WINDOW = 3  # content words looked at after a number (and the one before it)
NUMBER_ANCHORS = 2  # shared anchor words that make a rival value the same quantity whatever the coverage


def anchored_numbers(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each number of the text with the content words around it (stemmed): what quantity it measures."""
    out = []
    for match in NUMBER.finditer(text):
        value = normal_number(match["value"])
        before = alnum_words(text[max(0, match.start() - 60) : match.start()])
        following = text[match.end() : match.end() + 60]
        later = NUMBER.search(following)  # the words after the next number ("F1" is no number) are its own
        following = following[: later.start()] if later else following
        after = alnum_words(following)
        anchors = set()
        if match["percent"]:
            anchors.add("%")
        for side in (before[::-1], after):
            kept = [t for w in side if w.lower() not in STOPWORDS for t in content_tokens(w)[:1]]
            anchors.update(kept[:ANCHOR_WINDOW] if side is after else kept[:1])
        out.append((value, frozenset(anchors)))
    return out


def number_conflict(claim: str, sentence: str) -> tuple[str, int] | None:
    """The claim's value against another value the sentence gives for the same quantity, with how many words
    anchor the two to the same quantity ("F1 on English medication recognition": 4), or None."""
    claim_numbers = anchored_numbers(claim)
    if not claim_numbers:
        return None
    evidence = anchored_numbers(sentence)
    stated = {value for value, _ in evidence}
    for value, anchors in claim_numbers:
        if value in stated or not anchors:
            continue
        rivals = sorted(((len(a & anchors), v) for v, a in evidence if a & anchors and v != value), reverse=True)
        if rivals:
            shared, rival = rivals[0]
            return f"numbers disagree: claim {value} vs evidence {rival}", shared
    return None


# ----------------------------------------------------------------------------------------------- comparisons

_COMPARISON = re.compile(rf"\b(?:(?P<better>{BETTER})|(?P<worse>{WORSE}))\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[;:]|\b(?:that|which|while|whereas|but|although|though)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"[,;:.]|\b(?:on|in|for|when|across|by|with|while|whereas|but|and|at|under|if|as)\b", re.IGNORECASE
)
SIDE_WORDS = 8
# Words that name no side of a comparison ("the proposed method significantly outperforms existing methods").
_GENERIC = frozenset(
    [
        "method",
        "approach",
        "model",
        "system",
        "baselin",
        "exist",
        "previou",
        "propos",
        "techniqu",
        "significant",
        "consistent",
        "substantial",
        "much",
        "great",
        "clear",
        "even",
        "also",
        "still",
        "often",
    ]
)


@dataclass(frozen=True)
class Comparison:
    """'winner' beats 'loser': content tokens of each side."""

    winner: frozenset[str]
    loser: frozenset[str]


def comparisons(text: str) -> list[Comparison]:
    """Every comparison in the text, sides as content tokens; a negated or reversed verb swaps the sides."""
    found = []
    for match in _COMPARISON.finditer(text):
        left_text = text[: match.start()]
        starts = list(_CLAUSE_START.finditer(left_text))
        left_text = left_text[starts[-1].end() :] if starts else left_text
        right_text = text[match.end() :]
        end = _CLAUSE_END.search(right_text)
        right_text = right_text[: end.start()] if end else right_text
        # The subject opens its clause ("Our model, dubbed XLM-R, significantly outperforms ..."), the object
        # follows the verb up to the next phrase ("... mBERT on XNLI").
        left = [t for t in content_tokens(left_text) if t not in _GENERIC][:SIDE_WORDS]
        right = [t for t in content_tokens(right_text) if t not in _GENERIC][:SIDE_WORDS]
        if not left or not right:
            continue
        flipped = match.group("worse") is not None
        if NEGATED_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            flipped = not flipped
        winner, loser = (right, left) if flipped else (left, right)
        found.append(Comparison(frozenset(winner), frozenset(loser)))
    return found


def comparison_conflict(claim: str, sentence: str) -> str | None:
    """The sentence ranks the claim's two sides the other way round ("B outperforms A" against "A ... B")."""
    for c in comparisons(claim):
        for e in comparisons(sentence):
            crossed_a, crossed_b = c.winner & e.loser, c.loser & e.winner
            aligned = len(c.winner & e.winner) + len(c.loser & e.loser)
            if crossed_a and crossed_b and len(crossed_a) + len(crossed_b) > aligned:
                return "comparison reversed: the evidence ranks the two sides the other way round"
    return None


# ----------------------------------------------------------------------------------------------- universal

_UNIVERSAL = re.compile(
    r"\b(?:regardless of|irrespective of|consistently|always|in all (?:cases|settings|languages)|for all|"
    r"across all|any (?:target )?language|every (?:target )?language|universally)\b",
    re.IGNORECASE,
)
_LIMITATION = re.compile(
    r"\b(?:less effective|substantially less|much less|far less|poor(?:ly)?|fails?|failed|struggles?|limited|"
    r"limitations?|drops?|degrad\w*|worse|not always|only (?:for|when|if|in)|except|challeng\w*|"
    r"depends? (?:largely |heavily |strongly )?on|varies|vary|inconsistent|unreliable|can|may|might)\b",
    re.IGNORECASE,
)


def universal_conflict(claim: str, sentence: str) -> str | None:
    """A universal claim ("consistently", "regardless of ...") against evidence that states a limit or an
    exception ("substantially less effective for distant languages", "can outperform ... for low-resource")."""
    if _UNIVERSAL.search(claim) and not _UNIVERSAL.search(sentence):
        limit = _LIMITATION.search(sentence)
        if limit:
            return f"universal claim against a stated limit: '{limit.group(0)}'"
    return None


def opposite_conflict(claim: str, sentence: str) -> str | None:
    """The claim says one side of an opposite pair (`builder.text.OPPOSITES`) where the sentence says only the other."""
    found = opposite_words(claim, sentence)
    return f"'{found[0]}' in the claim, '{found[1]}' in the evidence" if found else None


# ----------------------------------------------------------------------------------------------- all checks


def find_conflicts(
    claim_text: str,
    claim_negations: int,
    claim_direction: int,
    sentences: Sequence[tuple[int, str, int, int, float, float]],
) -> tuple[list[Conflict], bool]:
    """Conflicts of the claim with each close sentence, and whether one of them states it verbatim.

    `sentences`: for the top 3 by relevance, (position, text, negation count, direction, coverage of the claim
    without its direction words, coverage of the claim without its generic words).
    """
    conflicts: list[Conflict] = []
    close = [s for s in sentences if s[4] >= min(CLOSE_COVERAGE, BEST_SENTENCE_COVERAGE, *STRONG_COVERAGE.values())]
    best = sentences[0][0] if sentences else None
    for position, text, negations, direction, cov, _ in close:
        # Word-level cues in the sentence most about the claim count from a lower coverage (see STRONG_COVERAGE).
        cue_cov = max(cov, STRONG_COVERAGE["opposite"]) if position == best and cov >= BEST_SENTENCE_COVERAGE else cov
        found = comparison_conflict(claim_text, text)
        if found:
            conflicts.append(Conflict("comparison", position, cov, found))
        found = universal_conflict(claim_text, text)
        if found:
            conflicts.append(Conflict("universal", position, cue_cov, found))
        found = opposite_conflict(claim_text, text)
        if found:
            conflicts.append(Conflict("opposite", position, cue_cov, found))
        number = number_conflict(claim_text, text)
        if number:
            detail, shared = number
            # Two or more shared anchor words make it the same quantity even in a sentence about more things.
            strength = max(cov, STRONG_COVERAGE["number"]) if shared >= NUMBER_ANCHORS else cov
            conflicts.append(Conflict("number", position, strength, detail))
        if claim_negations % 2 != negations % 2:
            side = "the claim" if claim_negations % 2 else "the evidence"
            conflicts.append(
                Conflict("negation", position, cov, f"negation differs from the evidence ({side} is negated)")
            )
        if claim_direction and direction and claim_direction != direction:
            conflicts.append(Conflict("direction", position, cov, "direction of effect differs from the evidence"))
    # A close sentence that states the claim (nearly all its words and every one of its numbers) without a
    # conflict of its own settles it: another sentence's other value or opposite word is about another result
    # ("34.3 BLEU on German-English" beside "38.5 BLEU on Romanian-English"; "much worse for low-resource
    # languages" beside "better models for low-resource languages require more data").
    claim_values = {value for value, _ in anchored_numbers(claim_text)}
    conflicted = {c.sentence for c in conflicts if c.strong}
    if any(
        s[5] >= AGREE_COVERAGE
        and s[0] not in conflicted
        and claim_values <= {value for value, _ in anchored_numbers(s[1])}
        for s in close
    ):
        conflicts = []
    verbatim = not any(c.strong for c in conflicts) and any(s[5] >= VERBATIM_COVERAGE for s in close)
    return conflicts, verbatim


def contradicting(conflicts: Sequence[Conflict], across_papers: bool) -> list[Conflict]:
    """The strong conflicts that make a contradiction. Across papers a different number is a different
    experiment far more often than a disagreement ("across 39 languages" against "across 20 languages"), so
    there it only caps support."""
    return [c for c in conflicts if c.strong and not (across_papers and c.kind == "number")]


def apply_checks(
    conflicts: Sequence[Conflict],
    verbatim: bool,
    p_support: float,
    p_contradict: float,
    across_papers: bool = False,
) -> tuple[float, float, str]:
    """(P(supported), P(contradicted), note) after the rules: a strong conflict caps support and (see
    `contradicting`) makes the pair a contradiction; verbatim agreement raises support."""
    strong = [c for c in conflicts if c.strong]
    if strong:
        p_support = min(p_support, CONFLICT_CAP)
        deciding = contradicting(strong, across_papers)
        if deciding:
            p_contradict = max(p_contradict, CONTRADICTION_FLOOR)
        return p_support, p_contradict, "; ".join(dict.fromkeys(c.detail for c in deciding or strong))
    if verbatim:
        return max(p_support, VERBATIM_FLOOR), min(p_contradict, 1.0 - VERBATIM_FLOOR), "evidence states the claim"
    return p_support, p_contradict, ""
