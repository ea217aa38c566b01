"""Claim extraction: pick the sentences of each abstract that state findings, weighted by the question.

A literature synthesis should quote what papers found (results, comparisons, numbers), not what
motivated them. Each sentence gets a transparent score: finding cues and numbers raise it, background
and motivation cues lower it, and overlap with the research question scales it. The best sentences per
paper are kept whole (never truncated) with their paper and sentence index, so verification can always
point back at the source; each is rewritten to stand alone (`builder/standalone.py`), its sentence kept as
its quote, and a sentence whose subject cannot be resolved ("It also improves ...") is not taken.
"""

from __future__ import annotations

import math
import re

from builder.models import Claim, Paper
from builder.standalone import split_findings, standalone
from builder.text import content_tokens, measures, paper_sentences

# Cues that a sentence reports a finding; weights are deliberately simple and documented in docs/verification.md.
FINDING_CUES: dict[str, float] = {
    r"\b(we|our results?|results|experiments?|analys[ie]s|evaluations?) (show|shows|showed|demonstrate|demonstrates|"
    r"indicate|indicates|reveal|reveals|suggest|suggests|confirm|confirms)\b": 2.0,
    r"\b(we|they) (find|found|observe|observed|report)\b": 2.0,
    r"\boutperform(s|ed|ing)?\b": 2.0,
    r"\b(achiev|attain|obtain|reach)(es|ed|ing|s)?\b": 1.2,
    r"\b(improv|increas|reduc|decreas|lower|boost|surpass|exceed)(e|es|ed|ing|s|ement|ements)?\b": 1.2,
    r"\b(significant(ly)?|substantial(ly)?|consistent(ly)?)\b": 0.8,
    r"\b(state[- ]of[- ]the[- ]art|sota|best|higher|lower|better|worse|faster|slower)\b": 0.8,
    r"\b(accuracy|f1|auroc|auc|bleu|precision|recall|error|speedup|performance|gain)\b": 0.6,
    r"\b(compared (to|with)|relative to|than|versus|vs\.)\b": 0.6,
    r"\b(leads? to|results? in|associated with|correlat\w*|causes?)\b": 0.8,
}
BACKGROUND_CUES: dict[str, float] = {
    r"\b(recent(ly)?|in recent years|has (been|become)|have (been|become)|is (a|an) (key|important|critical|"
    r"fundamental|central))\b": -1.2,
    r"\b(remains? (a|an|challenging|unclear|open)|challenge|challenging|however, )\b": -0.8,
    r"\b(in this (paper|work|study)|this (paper|work|study)|here,? we) (propose|present|introduce|describe|study|"
    r"investigate|explore|address)\b": -0.6,
    r"\b(code|data|models?) (is|are) (publicly )?available\b": -2.5,
    r"\b(github\.com|https?://)": -2.5,
    r"\b(we propose|we present|we introduce)\b": -0.3,
    r"^(to|in order to) (improve|increase|reduce|address|overcome|enable|tackle|mitigate)\b": -1.5,
    r"\b(typically|usually|often|commonly|traditionally|require|requires|despite)\b": -0.6,
}
VAGUE_PENALTY = 1.5  # "our approach outperforms state-of-the-art methods": self-referential, nothing specific
FIRST_SENTENCE_PENALTY = 1.0  # opening sentences of abstracts are background far more often than findings
_VAGUE_SUBJECT = re.compile(
    r"\b(our|the proposed|these|this) (approach|method|methods|model|models|system|framework|technique)\b", re.I
)
_NAMED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9\-]*\b|\b[A-Z][a-z]+\b")  # acronyms, names
_FINDING = [(re.compile(p, re.IGNORECASE), w) for p, w in FINDING_CUES.items()]
_BACKGROUND = [(re.compile(p, re.IGNORECASE), w) for p, w in BACKGROUND_CUES.items()]
MIN_WORDS = 6
MAX_WORDS = 90
DUPLICATE_JACCARD = 0.6


def claim_worthiness(sentence: str) -> float:
    """How much a sentence reads like a finding (positive) rather than background (negative)."""
    score = sum(w for rx, w in _FINDING if rx.search(sentence))
    score += sum(w for rx, w in _BACKGROUND if rx.search(sentence))
    numbers = measures(sentence)
    if numbers:
        score += 1.0 + 0.3 * min(len(numbers), 4)
    if any(sym in sentence for sym in ("%", "×")):
        score += 0.5
    if not numbers and _VAGUE_SUBJECT.search(sentence) and not _NAMED.search(sentence.split(" ", 1)[-1]):
        score -= VAGUE_PENALTY
    return score


def relevance(sentence_tokens: set[str], question_tokens: set[str], title_tokens: set[str]) -> float:
    """Overlap with the question (and weakly the title), in [0, 1]."""
    if not question_tokens:
        return 0.0
    q = len(sentence_tokens & question_tokens) / len(question_tokens)
    t = len(sentence_tokens & title_tokens) / len(title_tokens) if title_tokens else 0.0
    return min(1.0, q + 0.25 * t)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def extract_claims(papers: list[Paper], question: str, max_claims: int, per_paper: int) -> list[Claim]:
    """Claim-worthy abstract sentences, at most `per_paper` per paper and `max_claims` in all.

    Order is deterministic: by the order of `papers`, then sentence index. Ids are E1, E2, ... in that order.
    """
    if max_claims <= 0 or per_paper <= 0:
        return []
    question_tokens = set(content_tokens(question))
    candidates: list[tuple[float, int, int, str, set[str]]] = []  # (score, paper_pos, index, text, tokens)
    for pos, paper in enumerate(papers):
        title_tokens = set(content_tokens(paper.title))
        scored = []
        for sentence in paper_sentences(paper):
            if sentence.section != "abstract":
                continue
            words = sentence.text.split()
            if not MIN_WORDS <= len(words) <= MAX_WORDS:
                continue
            if not standalone(sentence.text, paper).resolvable:  # "It also improves ...": not a claim alone
                continue
            tokens = set(content_tokens(sentence.text))
            worth = claim_worthiness(sentence.text) - (FIRST_SENTENCE_PENALTY if sentence.index == 0 else 0.0)
            if worth <= 0:
                continue
            rel = relevance(tokens, question_tokens, title_tokens)
            # Relevance scales the score, but never to zero: a strong finding of an on-topic paper still counts.
            score = worth * (0.5 + rel) + 0.1 * math.log1p(len(tokens))
            scored.append((score, pos, sentence.index, sentence.text, tokens))
        scored.sort(key=lambda item: (-item[0], item[2]))
        kept: list[tuple[float, int, int, str, set[str]]] = []
        for item in scored:
            if len(kept) >= per_paper:
                break
            if any(_jaccard(item[4], other[4]) >= DUPLICATE_JACCARD for other in kept):
                continue
            kept.append(item)
        candidates.extend(kept)
    # Cross-paper near-duplicates (e.g. two versions of one abstract): keep the better-scored one.
    candidates.sort(key=lambda item: (-item[0], item[1], item[2]))
    chosen: list[tuple[float, int, int, str, set[str]]] = []
    for item in candidates:
        if len(chosen) >= max_claims:
            break
        if any(_jaccard(item[4], other[4]) >= DUPLICATE_JACCARD for other in chosen):
            continue
        chosen.append(item)
    chosen.sort(key=lambda item: (item[1], item[2]))
    claims: list[Claim] = []
    for _, pos, index, text, _ in chosen:
        # A sentence stating two findings becomes two claims, both quoting it (`split_findings`).
        for rewritten in split_findings(text, papers[pos]):
            claims.append(
                Claim(
                    id=f"E{len(claims) + 1}",
                    text=rewritten.text,
                    origin="extracted",
                    source=papers[pos].arxiv_id,
                    sentence_index=index,
                    quote=text,
                    finding=rewritten.finding,
                )
            )
    return claims[:max_claims]
