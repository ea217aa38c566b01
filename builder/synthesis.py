"""The synthesis: the report's answer to its question, theme by theme, built only from its verified claims.

Deterministic and extractive, so every sentence can be checked: each synthesis sentence is one claim that
stands alone (`builder/standalone.py`), cited to the papers that state or support it as [n] and to the claim
as (Cn); nothing is paraphrased, so every number in it is one its source states.

1. **Claims used**: contested, corroborated and stated claims (never unsupported ones), most about the
   question first (the share of the question's weighted terms a claim covers).
2. **Themes follow the question's facets**: the question is cut into facets at its prepositions, conjunctions
   and punctuation ("adversarial domain shift", "standard direct transfer methods", "low-resource languages");
   each claim joins the facet whose terms it covers most (weighted by rarity among the claims); a claim that
   covers none joins the theme it shares most words with (Jaccard of content words). At most `MAX_THEMES`,
   the strongest first; claims of a facet beyond them join their next facet. Each theme is titled with the
   phrase its claims use most (a two-word phrase found in two or more of them, one with a facet's word
   first, else their most frequent word), in the papers' own terms.
3. **Each paragraph**: corroborated claims first, then contested, then stated ones, each by relevance; a
   contested claim says which paper contradicts it and quotes that paper; it ends with a consensus line (how
   many papers state or support the theme's claims, how many contradict one).
4. **Gaps**: the facets of the question the synthesis does not cover (its claims hold less than half of the
   facet's weighted terms between them), as the question words them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from builder.models import ClaimResult, ClaimStatus, Paper, Synthesis, SynthesisSentence, Theme
from builder.text import STOPWORDS, content_tokens

# Words a question uses to ask, not to name what it asks about: never reported as a gap.
QUESTION_WORDS = frozenset(
    {"extent", "effect", "effects", "impact", "degree", "role", "conditions", "techniques", "measured", "evaluated"}
    | {"level", "high", "out", "specific", "compared", "standard", "direct", "teach", "student", "score"}
)
MAX_THEMES = 4
MAX_CLAIMS = 16  # the synthesis reads as prose, not as the claims table again
THEME_SIMILARITY = 0.12
DUPLICATE_SIMILARITY = 0.4  # content-word Jaccard above which two claims of one paper are one finding
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]+")
# Verbs and evaluative words that would make a theme's title a fragment of a claim ("Outperform multilingual").
TITLE_STOP = frozenset(
    {"outperform", "outperforms", "outperforming", "outperformed", "achieve", "achieves", "achieved", "surpass"}
    | {"surpasses", "demonstrated", "introduce", "introduces", "study", "studies", "benchmark", "consistently"}
    | {"significantly", "substantially", "strong", "novel", "existing", "previous", "prior", "current", "simple"}
    | {"state-of-the-art", "across", "among", "both", "well", "much", "more", "less", "best"}
)
GENERIC = frozenset(
    {"show", "shows", "shown", "find", "finds", "demonstrate", "demonstrates", "results", "method", "methods"}
    | {"approach", "approaches", "model", "models", "paper", "work", "study", "propose", "proposed", "performance"}
    | {"et", "al", "their", "they", "improve", "improves", "improved"}
)


# Facets are the phrases between these: prepositions, conjunctions, question words and punctuation.
_FACET_BREAK = re.compile(
    r"[,;:()?]|\b(?:under|compared (?:to|with)|versus|vs\.?|between|and|or|for|with|by|across|when|on|in|than|"
    r"within|measured|evaluated|does|do|is|are|what|which|how|to what extent|whether|"
    r"degrades?|outperforms?|correlates?(?: with)?|affects?|influences?|improves?|hurts?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Facet:
    """One thing the question asks about: its phrase as the question writes it, and its content terms."""

    phrase: str
    terms: frozenset[str]


def question_facets(question: str) -> list[Facet]:
    """The question's facets in its order; a phrase whose terms another facet holds too is left out."""
    found: list[Facet] = []
    for chunk in _FACET_BREAK.split(question):
        phrase = " ".join(chunk.split()).strip(" -.")
        phrase = re.sub(r"^(?:(?:the|a|an|of|to|does|do)\s+|(?:impact|effect|extent|role)\s+of\s+)+", "", phrase,
                        flags=re.IGNORECASE)
        terms = frozenset(
            t
            for w in _WORD.findall(phrase)
            if w.lower() not in QUESTION_WORDS
            for t in content_tokens(w)[:1]
            if t not in GENERIC
        )
        if terms and not any(terms <= f.terms for f in found):
            found = [f for f in found if not f.terms <= terms]
            found.append(Facet(phrase, terms))
    return found


def _facet_score(terms: set[str], facet: Facet, weights: dict[str, float]) -> float:
    return sum(weights.get(t, 1.0) for t in facet.terms & terms)


def _terms(text: str) -> set[str]:
    return {t for t in content_tokens(text) if t not in GENERIC}


def _question_weights(question: str, claims: Sequence[ClaimResult]) -> dict[str, float]:
    """The question's terms, weighted by how rare they are among the claims (a term every claim has says little)."""
    terms = list(dict.fromkeys(t for t in content_tokens(question) if t not in GENERIC))  # question order
    n = max(1, len(claims))
    df = Counter(t for r in claims for t in _terms(r.claim.text) & set(terms))
    return {t: math.log((n + 1) / (df[t] + 1)) + 1.0 for t in terms}


def _relevance(claim_terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in claim_terms) / total if total else 0.0


def _title(results: Sequence[ClaimResult], prefer: frozenset[str] = frozenset()) -> str:
    """A two-word phrase of the theme's claims, in their words: one holding a word of `prefer` (the theme's
    facet) first, then the one found in most claims; else their commonest word. Verbs and reporting words
    ("outperform", "show") never title a theme."""
    phrases: Counter[str] = Counter()
    singles: Counter[str] = Counter()
    skip = STOPWORDS | GENERIC | TITLE_STOP
    for result in results:
        words = [w for w in _WORD.findall(result.claim.finding or result.claim.text)]
        seen_phrases, seen_words = set(), set()
        for a, b in itertools.pairwise(words):
            if a.lower() in skip or b.lower() in skip:
                continue
            seen_phrases.add(f"{a} {b}")
        for w in words:
            if w.lower() not in skip and len(w) > 3:
                seen_words.add(w)
        phrases.update(seen_phrases)
        singles.update(seen_words)
    candidates = [(bool(set(content_tokens(p)) & prefer), n >= 2, n, p) for p, n in phrases.items()]
    candidates = [c for c in candidates if c[0] or c[1]]
    if candidates:
        best = max(candidates, key=lambda item: (item[0], item[1], item[2], len(item[3]), item[3]))[3]
    elif singles:
        best = max(singles.items(), key=lambda item: (item[1], len(item[0]), item[0]))[0]
    else:
        best = "Findings"
    return best[:1].upper() + best[1:]


def _sentence(
    result: ClaimResult,
    also: Sequence[str],
    numbers: dict[str, int],
    papers: dict[str, Paper],
    quoted: set[tuple[str, int]],
) -> SynthesisSentence:
    """One claim as a cited sentence; `also` are near-duplicate claims it stands for. A contradicting sentence is
    quoted the first time only (`quoted` is shared by the whole synthesis)."""
    claim, verdict = result.claim, result.verdict
    cites = [claim.source, *(j.arxiv_id for j in verdict.supports)]
    cites = [c for c in dict.fromkeys(cites) if c in numbers]
    refs = ", ".join(str(numbers[c]) for c in cites)
    ids = ", ".join([claim.id, *also])
    # The prose cites [n], so a paper is named without its year: the only numbers left are the findings' own.
    statement = claim.text
    for paper in papers.values():
        statement = statement.replace(paper.label, paper.names)
    lead = statement.rstrip(".") + (f" [{refs}]" if refs else "") + f" ({ids})."
    text = lead
    backers = [f"{papers[j.arxiv_id].names} [{numbers[j.arxiv_id]}]" for j in verdict.supports if j.arxiv_id in papers]
    if backers:
        text += f" {' and '.join(backers)} {'support' if len(backers) > 1 else 'supports'} this."
    for judgement in [j for j in verdict.contradicts if j.arxiv_id in numbers][:2]:
        who = "its own source" if judgement.arxiv_id == claim.source else papers[judgement.arxiv_id].names
        key = (judgement.arxiv_id, judgement.sentence_index)
        if key in quoted:
            text += f" It is contested by {who} [{numbers[judgement.arxiv_id]}], as quoted above."
        else:
            quoted.add(key)
            text += f" It is contested by {who} [{numbers[judgement.arxiv_id]}]: “{judgement.sentence.rstrip('.')}.”"
        cites.append(judgement.arxiv_id)
    contested = bool(verdict.contradicts)
    return SynthesisSentence(
        text=text, cites=tuple(dict.fromkeys(cites)), claim_id=claim.id, lead=lead, contested=contested
    )


def _merge_duplicates(
    ordered: Sequence[ClaimResult], terms: dict[str, set[str]]
) -> list[tuple[ClaimResult, list[str]]]:
    """Claims of one paper that say the same thing (an extracted sentence and a spec claim restating it) become
    one sentence that cites both ids."""
    kept: list[tuple[ClaimResult, list[str]]] = []
    for result in ordered:
        mine = terms[result.claim.id]
        for other, also in kept:
            theirs = terms[other.claim.id]
            same_paper = other.claim.source == result.claim.source
            if same_paper and mine and theirs and len(mine & theirs) / len(mine | theirs) >= DUPLICATE_SIMILARITY:
                also.append(result.claim.id)
                break
        else:
            kept.append((result, []))
    return kept


def _spread(ranked: Sequence[ClaimResult], limit: int) -> list[ClaimResult]:
    """The first `limit` claims taking each paper's best claim before any paper's second: an answer draws on the
    whole evidence base, not on the one paper whose abstract repeats the question's words most. Within a round,
    and in the result, claims keep their rank."""
    rounds: dict[str, int] = {}
    level = {}
    for result in ranked:
        source = result.claim.source
        level[result.claim.id] = rounds.get(source, 0)
        rounds[source] = level[result.claim.id] + 1
    order = {r.claim.id: i for i, r in enumerate(ranked)}
    picked = sorted(ranked, key=lambda r: (level[r.claim.id], order[r.claim.id]))[:limit]
    return sorted(picked, key=lambda r: order[r.claim.id])


def _group_by_facet(
    chosen: Sequence[ClaimResult], facets: Sequence[Facet], terms: dict[str, set[str]], weights: dict[str, float]
) -> tuple[list[list[ClaimResult]], list[Facet | None]]:
    """Claims grouped by the facet they cover most (see the module's rule 2), strongest group first."""
    ranked_facets: dict[str, list[int]] = {}  # claim id -> facet indexes it covers, best first
    for result in chosen:
        scores = [(_facet_score(terms[result.claim.id], f, weights), -i) for i, f in enumerate(facets)]
        ranked_facets[result.claim.id] = [-i for score, i in sorted(scores, reverse=True) if score > 0]
    by_facet: dict[int, list[ClaimResult]] = {}
    for result in chosen:  # `chosen` is in rank order, so a facet's first claim is its strongest
        if ranked_facets[result.claim.id]:
            by_facet.setdefault(ranked_facets[result.claim.id][0], []).append(result)
    kept = list(by_facet)[:MAX_THEMES]
    groups = [list(by_facet[i]) for i in kept]
    for index in list(by_facet)[MAX_THEMES:]:  # beyond MAX_THEMES: the claim's next facet among those kept
        for result in by_facet[index]:
            nxt = next((kept.index(i) for i in ranked_facets[result.claim.id] if i in kept), None)
            _join(groups, result, terms, nxt)
    labels: list[Facet | None] = [facets[i] for i in kept]
    for result in chosen:
        if not ranked_facets[result.claim.id]:  # covers no facet: the theme it shares most words with
            if len(groups) < MAX_THEMES and _similar_group(groups, result, terms) is None:
                groups.append([result])
                labels.append(None)
            else:
                _join(groups, result, terms, None)
    return groups, labels


def _similar_group(groups: list[list[ClaimResult]], result: ClaimResult, terms: dict[str, set[str]]) -> int | None:
    mine = terms[result.claim.id]
    best, best_score = None, 0.0
    for n, group in enumerate(groups):
        pooled = set().union(*(terms[r.claim.id] for r in group))
        score = len(mine & pooled) / len(mine | pooled) if mine | pooled else 0.0
        if score > best_score:
            best, best_score = n, score
    return best if best_score >= THEME_SIMILARITY else None


def _join(groups: list[list[ClaimResult]], result: ClaimResult, terms: dict[str, set[str]], index: int | None) -> None:
    if index is None:
        index = _similar_group(groups, result, terms)
    if index is None:
        index = len(groups) - 1
    groups[index].append(result)


def synthesise(question: str, claims: Sequence[ClaimResult], papers: Sequence[Paper]) -> Synthesis:
    """Themes with their cited sentences and consensus lines, then the gaps (see the module's rules)."""
    numbers = {p.arxiv_id: n for n, p in enumerate(papers, start=1)}
    by_id = {p.arxiv_id: p for p in papers}
    # A contested claim enters only when a paper supports it (its source or another): the synthesis answers from
    # supported findings, and says where they are contested.
    usable = [r for r in claims if r.verdict.grounded or r.verdict.corroborated]
    weights = _question_weights(question, usable)
    terms = {r.claim.id: _terms(r.claim.text) for r in usable}
    rank = {ClaimStatus.CORROBORATED: 0, ClaimStatus.CONTESTED: 1, ClaimStatus.STATED: 2}
    ranked = sorted(
        usable,
        key=lambda r: (-round(_relevance(terms[r.claim.id], weights), 3), rank[r.verdict.status], r.claim.id),
    )
    chosen = _spread(ranked, MAX_CLAIMS)
    facets = question_facets(question)
    groups, group_facets = _group_by_facet(chosen, facets, terms, weights)
    themes = []
    quoted: set[tuple[str, int]] = set()
    place = {r.claim.id: i for i, r in enumerate(chosen)}  # most about the question first
    for group, facet in zip(groups, group_facets, strict=True):
        ordered = sorted(group, key=lambda r: (rank[r.verdict.status], place[r.claim.id]))
        sentences = [_sentence(r, also, numbers, by_id, quoted) for r, also in _merge_duplicates(ordered, terms)]
        supporting = {r.claim.source for r in group if r.verdict.grounded} | {
            j.arxiv_id for r in group for j in r.verdict.supports
        }
        contradicting = {j.arxiv_id for r in group for j in r.verdict.contradicts}
        verb = "paper states or supports" if len(supporting) == 1 else "papers state or support"
        against = "contradicts" if len(contradicting) == 1 else "contradict"
        consensus = f"{len(supporting)} {verb} these findings; {len(contradicting)} {against} one of them."
        themes.append(
            Theme(
                title=_title(group, facet.terms if facet else frozenset()),
                sentences=tuple(sentences),
                claims=tuple(r.claim.id for r in ordered),
                consensus=consensus,
            )
        )
    # A facet is covered when the synthesis's claims hold half of its weighted terms between them.
    covered = set().union(*(terms[r.claim.id] for r in chosen)) if chosen else set()
    gaps = tuple(
        f.phrase for f in facets if _facet_score(covered, f, weights) * 2 < sum(weights.get(t, 1.0) for t in f.terms)
    )
    return Synthesis(themes=tuple(themes), gaps=gaps)
