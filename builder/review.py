"""Automated review of a finished `Report`: consistency checks, eight quality dimensions and a publication gate.

The seed reports this project must beat were published with truncated claims, an abstract copied from an
unrelated speech-recognition paper, counts in the header that disagree with the abstract, confidences nobody
explained and names with lost accents. Every one of those faults is a check here with a stable finding code,
so a report that has them cannot pass the gate. Three reviewers with distinct mandates score the report: a
challenger (what is wrong), a confirmer (what is well supported) and an integrator that combines the two into
the 0-10 consensus score. `docs/review.md` gives the formula so anyone can recompute a score by hand.

The review is a pure function of the report: no randomness, no I/O, every collection sorted before use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from builder.disagreements import contested_findings
from builder.hygiene import balance_bidi
from builder.models import ClaimResult, Dimension, Finding, FindingCode, Paper, Report, Review, ReviewerReport
from builder.text import STOPWORDS, split_sentences, stem

# --------------------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class ReviewConfig:
    """Thresholds of the gate and of the checks; the defaults are what `docs/review.md` documents."""

    flagship_score: float = 8.5
    publishable_score: float = 6.5
    min_corroborated: int = 5
    # too-few-verified: an error below this many verified claims, a warning below this verified share.
    min_verified: int = 5
    min_verified_fraction: float = 0.5
    # Evidence strength reaches full credit for volume at this many verified claims.
    target_verified: int = 8
    # Verification threshold when the methodology text does not state one.
    verify_threshold: float = 0.5
    # off-topic-source: weighted share of the question's terms a text must cover.
    min_relevance: float = 0.25
    # A title acronym counts as an anchor of the topic when this share of the other papers uses it.
    anchor_share: float = 0.5
    # duplicate-claim: token Jaccard similarity, or containment of the shorter claim in the longer.
    duplicate_jaccard: float = 0.75
    duplicate_containment: float = 0.9
    # Question-term coverage by the verified findings that earns full credit in "coverage of the question".
    full_coverage: float = 0.6
    # Papers at most this many years older than the report count as recent.
    recent_years: int = 6
    # Integrator: penalty per error finding (capped), and the reviewer gap above which it leans low.
    error_penalty: float = 0.5
    max_error_penalty: float = 2.0
    disagreement_gap: float = 3.0
    dimension_weights: tuple[tuple[str, float], ...] = field(
        default=(
            ("evidence strength", 0.20),
            ("citation grounding", 0.15),
            ("numerical consistency", 0.10),
            ("coverage of the question", 0.15),
            ("relevance of sources", 0.15),
            ("uncertainty disclosure", 0.05),
            ("reproducibility", 0.10),
            ("internal consistency", 0.10),
        )
    )


CHALLENGER_DIMENSIONS = (
    "evidence strength",
    "numerical consistency",
    "relevance of sources",
    "uncertainty disclosure",
    "internal consistency",
)
CONFIRMER_DIMENSIONS = ("citation grounding", "coverage of the question", "reproducibility")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _words(text: str) -> list[str]:
    """A word list written as prose, so long vocabularies stay readable."""
    return text.split()


def round1(value: float) -> float:
    """Round half up to one decimal (Python's round() is half-even, which surprises readers recomputing)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def clamp10(value: float) -> float:
    return max(0.0, min(10.0, value))


def level_of(score: float) -> str:
    return "low" if score < 4.0 else "medium" if score < 7.0 else "high"


# --------------------------------------------------------------------------------------------------------
# Tokens: a stemming-lite vocabulary shared by every lexical check


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ACRONYM_DEF_RE = re.compile(r"((?:[A-Za-z][\w']*[\s\-]+){1,8})\(([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*?)s?\)")
_ACRONYM_RE = re.compile(r"\b(?:[A-Z][A-Z0-9]{1,7}|[A-Z][a-z]*[A-Z][A-Za-z0-9]*)\b")
# "crosslingual", "multilingual", "lowresource": split so they meet "cross-lingual" and "low resource".
_COMPOUND_PREFIXES = ("cross", "multi", "mono", "low", "high", "zero", "few", "semi", "self", "non", "well")

# Research vocabulary that says nothing about a topic: it weighs little in relevance.
GENERIC_WORDS = frozenset(
    _words(
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
        for key, words in self.display:
            if key == acronym:
                return words
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


# --------------------------------------------------------------------------------------------------------
# Relevance: does a text match the report's title and question?


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
    anchor_share: float = 0.5
    surface: tuple[tuple[str, str], ...] = ()  # stem -> the word as the question writes it, for messages

    @staticmethod
    def build(report: Report, anchor_share: float = 0.5) -> Topic:
        papers = _unique_papers(report)
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


def _unique_papers(report: Report) -> list[Paper]:
    seen: set[str] = set()
    out: list[Paper] = []
    for paper in (report.primary, *report.papers):
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            out.append(paper)
    return out


# --------------------------------------------------------------------------------------------------------
# Checks. Each returns findings (and, where a dimension needs it, the measurements behind them).


def _claim_label(result: ClaimResult) -> str:
    return result.claim.id or "claim"


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else balance_bidi(text[: limit - 1].rstrip() + "…")  # a cut may split an isolate


def check_relevance(report: Report, topic: Topic, config: ReviewConfig) -> tuple[list[Finding], dict[str, float]]:
    """off-topic-source for the primary paper, any other paper, and the abstract."""
    findings: list[Finding] = []
    scores: dict[str, float] = {}
    for paper in _unique_papers(report):
        rel = topic.relevance(paper_text(paper), exclude=paper.arxiv_id)
        scores[paper.arxiv_id] = rel.score
        is_primary = paper.arxiv_id == report.primary.arxiv_id
        reason = _off_topic_reason(rel, topic, config)
        if reason:
            who = "primary paper" if is_primary else "paper"
            findings.append(
                Finding(
                    FindingCode.OFF_TOPIC_SOURCE,
                    "error" if is_primary else "warning",
                    f"{who} arXiv:{paper.arxiv_id} “{_short(paper.title, 60)}” does not match the title and "
                    f"question: {reason}",
                )
            )
    if report.abstract.strip():
        rel = topic.relevance(report.abstract)
        scores["abstract"] = rel.score
        reason = _off_topic_reason(rel, topic, config)
        if reason:
            findings.append(
                Finding(
                    FindingCode.OFF_TOPIC_SOURCE,
                    "error",
                    f"the abstract does not match the title and question: {reason}",
                )
            )
    return findings, scores


def _off_topic_reason(rel: Relevance, topic: Topic, config: ReviewConfig) -> str | None:
    overlap = (
        f"it covers {rel.score:.0%} of the question's weighted terms"
        + (f" ({', '.join(topic.describe(t) for t in rel.matched[:5])})" if rel.matched else "")
        + (f" but misses {', '.join(topic.describe(t) for t in rel.missing[:4])}" if rel.missing else "")
    )
    if rel.missing_anchors:
        names = ", ".join(topic.describe(a) for a in rel.missing_anchors)
        return f"it never mentions {names}, the topic of the title and of most other papers; {overlap}"
    if rel.score < config.min_relevance:
        return f"{overlap}, below the {config.min_relevance:.0%} needed"
    return None


def check_copied_abstract(report: Report) -> list[Finding]:
    """An abstract made of a paper's abstract sentences summarises that paper, not this report."""
    sentences = [" ".join(s.split()).lower() for s in split_sentences(report.abstract)]
    # Quoting one of the report's own claims (extracted claims are paper sentences) is not copying.
    claims = [" ".join(r.claim.text.split()).lower() for r in report.claims]
    sentences = [s for s in sentences if not any(c in s or s in c for c in claims)]
    if len(sentences) < 2:
        return []
    findings = []
    for paper in _unique_papers(report):
        own = {" ".join(s.split()).lower() for s in split_sentences(paper.abstract)}
        # A truncated last sentence still counts when it is the start of one of the paper's sentences.
        copied = sum(1 for s in sentences if s in own or any(o.startswith(s) and len(s) > 20 for o in own))
        if copied >= 2 and copied * 2 >= len(sentences):
            findings.append(
                Finding(
                    FindingCode.COPIED_ABSTRACT,
                    "warning",
                    f"the abstract copies {copied} of its {len(sentences)} sentences from the abstract of "
                    f"arXiv:{paper.arxiv_id} instead of summarising this report",
                )
            )
    return findings


# -- numbers


_ARXIV_ID_RE = re.compile(r"\b\d{4}\.\d{4,5}(?:v\d+)?\b")
_SCORE_RE = re.compile(r"\d+(?:\.\d+)?\s*/\s*10\b")
_CITATION_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_CLAIM_ID_RE = re.compile(r"\bC\d+\b")
NUMBER_WORDS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_NUM = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"


def numbers_in(text: str) -> list[tuple[str, float, int, int]]:
    """(as written, value, start, end) of every number a reader would check; years and ids are skipped."""
    masked = text
    for pattern in (_ARXIV_ID_RE, _SCORE_RE, _CITATION_RE, _CLAIM_ID_RE):
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    out = []
    for match in re.finditer(r"(?<![A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?", masked):
        written = match.group(0)
        # Inside a longer token like 'v2' or 'CONLL2003', digits still count as a number ('200' in NLLB-200).
        value_text = written.replace(",", "")
        try:
            value = float(value_text)
        except ValueError:
            continue
        if "." not in value_text and len(value_text) == 4 and 1900 <= value <= 2100:
            continue  # a year
        out.append((written, value, match.start(), match.end()))
    return out


def _values_in(text: str) -> set[float]:
    values = {v for _, v, _, _ in numbers_in_raw(text)}
    lower = text.lower()
    for number, word in enumerate(NUMBER_WORDS):
        if re.search(rf"\b{word}\b", lower):
            values.add(float(number))
    return values


def numbers_in_raw(text: str) -> list[tuple[str, float, int, int]]:
    """Every number in a source text, years included (a claim's '2003' may be a dataset name)."""
    out = []
    for match in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        try:
            out.append((match.group(0), float(match.group(0).replace(",", "")), match.start(), match.end()))
        except ValueError:
            continue
    return out


def check_numbers(report: Report, count_spans: list[tuple[int, int]]) -> tuple[list[Finding], int, int]:
    """unsupported-number: digits in a claim or the abstract that no paper of the report contains."""
    papers = _unique_papers(report)
    paper_values = {p.arxiv_id: _values_in(paper_text(p)) for p in papers}
    all_values = set().union(*paper_values.values()) if paper_values else set()
    findings: list[Finding] = []
    checked = unsupported = 0
    for result in report.claims:
        missing = []
        for written, value, _, _ in numbers_in(result.claim.text):
            checked += 1
            if value not in all_values:
                missing.append(written)
        if missing:
            unsupported += len(missing)
            severity = "error" if result.verdict.verified else "warning"
            findings.append(
                Finding(
                    FindingCode.UNSUPPORTED_NUMBER,
                    severity,
                    f"{_claim_label(result)} states {', '.join(missing)}, which no paper of the report contains "
                    f"(its source arXiv:{result.claim.source} included)"
                    + ("; it is marked verified all the same" if result.verdict.verified else ""),
                    result.claim.id,
                )
            )
    # The abstract: skip the counts it states (checked by count-mismatch) and the claims it quotes.
    claim_values = set().union(*(_values_in(r.claim.text) for r in report.claims)) if report.claims else set()
    missing = []
    for written, value, start, end in numbers_in(report.abstract):
        if any(s <= start and end <= e for s, e in count_spans):
            continue
        checked += 1
        if value not in all_values and value not in claim_values:
            missing.append(written)
    if missing:
        unsupported += len(missing)
        findings.append(
            Finding(
                FindingCode.UNSUPPORTED_NUMBER,
                "error",
                f"the abstract states {', '.join(missing)}, which no paper of the report contains",
            )
        )
    return findings, checked, unsupported


# -- counts


_COUNT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.IGNORECASE))
    for key, pattern in (
        (
            "unverified",
            rf"\b{_NUM}\s+(?:claims?\s+)?(?:could\s+not\s+be|cannot\s+be|were\s+not|was\s+not|are\s+not|"
            rf"is\s+not|not)\s+verified\b|\b{_NUM}\s+unverified\b",
        ),
        (
            "corroborated",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?corroborated\b",
        ),
        (
            "grounded",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"grounded\b",
        ),
        ("contested", rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?contested\b"),
        ("stated", rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?stated\s+only\b"),
        (
            "unsupported",
            rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?(?:unsupported\b|supported\s+by\s+no\s+paper)",
        ),
        (
            "verified_of",
            rf"\b{_NUM}\s+of\s+(?:the\s+)?{_NUM}\s+claims?\s+(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?verified\b",
        ),
        (
            "verified",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?verified\b",
        ),
        ("extracted", rf"\b{_NUM}\s+claims?\s+(?:were\s+|was\s+)?extracted\b(?!\s+or\b)"),
        ("written", rf"\b{_NUM}\s+(?:claims?\s+)?(?:were\s+|was\s+)?(?:written|stated)\s+in\s+the\s+spec"),
        ("claims", rf"\b{_NUM}\s+(?:(?:extracted|checked|stated|candidate)\s+)?claims?\b"),
        (
            "papers",
            rf"\b{_NUM}\s+(?:(?:arxiv|source|distinct|unique|relevant|retrieved|cited|stored|research)\s+)?"
            rf"(?:papers?|references)\b",
        ),
    )
)


def _number_value(token: str) -> int:
    lower = token.lower()
    return NUMBER_WORDS.index(lower) if lower in NUMBER_WORDS else int(lower)


def stated_counts(text: str) -> list[tuple[str, int, int, int, str]]:
    """(kind, value, start, end, phrase) for every count phrase, earlier patterns taking precedence."""
    taken: list[tuple[int, int]] = []
    out = []
    for key, pattern in _COUNT_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if re.search(
                r"\b(?:only|at least|at most|up to|than|per|each|every|single)\s+$", text[max(0, start - 12) : start]
            ):
                continue  # "at least one paper" is a condition, not a count
            taken.append((start, end))
            groups = [g for g in match.groups() if g is not None]
            phrase = " ".join(match.group(0).split())
            if key == "verified_of":
                out.append(("verified", _number_value(groups[0]), start, end, phrase))
                out.append(("claims", _number_value(groups[1]), start, end, phrase))
            else:
                out.append((key, _number_value(groups[0]), start, end, phrase))
    out.sort(key=lambda item: (item[2], item[0]))
    return out


def check_counts(report: Report) -> tuple[list[Finding], list[tuple[int, int]]]:
    """count-mismatch: the counts field vs the claims table, and vs every count the prose states."""
    findings: list[Finding] = []
    c = report.counts
    claims = report.claims
    verified = sum(r.verdict.verified for r in claims)
    actual = {
        "papers": {len(_unique_papers(report))},
        "claims": {len(claims)},
        "verified": {verified},
        "grounded": {
            sum(r.verdict.verified and r.verdict.grounded for r in claims),
            sum(r.verdict.grounded for r in claims),
        },
        "corroborated": {
            sum(r.verdict.verified and r.verdict.corroborated for r in claims),
            sum(r.verdict.corroborated for r in claims),
        },
    }
    for status in ("contested", "stated", "unsupported"):
        actual[status] = {sum(r.verdict.status.value == status for r in claims)}
    for name in ("papers", "claims", "verified", "grounded", "corroborated", "contested", "stated", "unsupported"):
        value = getattr(c, name)
        if value not in actual[name]:
            table = "paper list" if name == "papers" else "claims table"
            findings.append(
                Finding(
                    FindingCode.COUNT_MISMATCH,
                    "error",
                    f"counts.{name} is {value} but the {table} has {min(actual[name])}",
                )
            )
    extracted = sum(r.claim.origin == "extracted" for r in claims)
    expected = {
        "papers": {c.papers},
        "claims": {c.claims},
        "verified": {c.verified},
        "grounded": {c.grounded},
        "corroborated": {c.corroborated, c.corroborated_status},  # flag count, or status count (not contested)
        "contested": {c.contested},
        "stated": {c.stated},
        "unsupported": {c.unsupported},
        "unverified": {c.claims - c.verified},
        "extracted": {extracted, c.claims},
        "written": {c.claims - extracted},
    }
    abstract_spans: list[tuple[int, int]] = []
    for section in ("abstract", "methodology", "results", "limitations"):
        text = getattr(report, section)
        for kind, value, start, end, phrase in stated_counts(text):
            if section == "abstract":
                abstract_spans.append((start, end))
            if value not in expected[kind]:
                want = " or ".join(str(v) for v in sorted(expected[kind]))
                findings.append(
                    Finding(
                        FindingCode.COUNT_MISMATCH,
                        "error",
                        f"the {section} says “{phrase}” but the report's counts give {kind} = {want}",
                    )
                )
    return findings, abstract_spans


# -- truncation and mangled text


_ENDING_WORDS = frozenset(
    _words(
        """a an the of for to in on at by with from and or but nor as into onto than that which whose who is are was
    were be been being via its their our his her this these those between among per over under about such
    both either neither if while when where whether using"""
    )
)
_FINAL_PUNCT = (".", "!", "?", "…")
_TRAILING_REFERENCE_RE = re.compile(r"(?<=[.!?])\s*(?:\([A-Z]?\d+(?:[,;]\s*[A-Z]?\d+)*\)|\[\d+(?:\s*[,–-]\s*\d+)*\])$")
_CLOSERS = "\"'”’)]"


def truncation_reasons(text: str, vocabulary: frozenset[str], is_title: bool = False) -> tuple[list[str], bool]:
    """Why a text looks cut off, and whether the evidence is strong (an error) or only a missing full stop."""
    text = " ".join(text.split())
    if not text:
        return ["it is empty"], True
    strong: list[str] = []
    if text.count("(") != text.count(")"):
        strong.append("unbalanced parentheses")
    if text.count("[") != text.count("]"):
        strong.append("unbalanced brackets")
    if text.count('"') % 2 or text.count("“") != text.count("”"):
        strong.append("unbalanced quotes")
    if text.endswith(("...", "…")):
        strong.append("it ends with an ellipsis")
    if re.search(r"[A-Za-z][\-‐]$", text):
        strong.append("a dangling hyphen at the end")
    if text.endswith((",", ";", ":")):
        strong.append(f"it ends with “{text[-1]}”")
    # A reference after the full stop ("... tasks. (C10)" or "... [3]") does not make a sentence unfinished.
    body = _TRAILING_REFERENCE_RE.sub("", text)
    stripped = body.rstrip(_CLOSERS + ".!?…")
    last = re.findall(r"[A-Za-z][A-Za-z'’]*$", stripped)
    ends_clean = body.rstrip(_CLOSERS).endswith(_FINAL_PUNCT)
    if last and not ends_clean:
        word = last[0]
        if word.lower() in _ENDING_WORDS:
            strong.append(f"it ends with “{word}”")
        elif (len(word) == 1 and word != "I") or (
            # Titles end without a full stop, so a short final word ("Shift") is no evidence there.
            not is_title and word.lower() not in vocabulary and _is_prefix_of_vocabulary(word.lower(), vocabulary)
        ):
            strong.append(f"it ends mid-word with “{word}”")
    weak = not ends_clean and not is_title
    if strong:
        return strong, True
    return (["it has no final punctuation"], False) if weak else ([], False)


def _is_prefix_of_vocabulary(word: str, vocabulary: frozenset[str]) -> bool:
    return len(word) >= 2 and any(v.startswith(word) and len(v) > len(word) for v in vocabulary)


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for text in texts for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text))


def check_truncation(report: Report, vocabulary: frozenset[str]) -> list[Finding]:
    """truncated-text: a title, claim or abstract cut mid-word or mid-sentence."""
    findings: list[Finding] = []
    items: list[tuple[str, str, str | None, bool]] = [("the title", report.title, None, True)]
    items += [(_claim_label(r), r.claim.text, r.claim.id, False) for r in report.claims]
    items.append(("the abstract", report.abstract, None, False))
    for label, text, claim_id, is_title in items:
        reasons, strong = truncation_reasons(text, vocabulary, is_title)
        if reasons:
            tail = " ".join(text.split())[-40:]
            findings.append(
                Finding(
                    FindingCode.TRUNCATED_TEXT,
                    "error" if strong else "warning",
                    f"{label} looks cut off ({'; '.join(reasons)}): “…{tail}”",
                    claim_id,
                )
            )
    return findings


def check_mangled(report: Report) -> list[Finding]:
    """mangled-text: 'Garca' for 'García' (an accent lost, and the letter with it) or replacement characters."""
    accented: dict[str, str] = {}
    for paper in _unique_papers(report):
        for text in (paper_text(paper), " ".join(paper.authors)):
            for word in re.findall(r"[^\W\d_]+", text):
                if not word.isascii():
                    ascii_only = "".join(ch for ch in word if ch.isascii())
                    if len(ascii_only) >= 3:
                        accented.setdefault(ascii_only.lower(), word)
    known = vocabulary_of(paper_text(p) + " " + " ".join(p.authors) for p in _unique_papers(report))
    findings: list[Finding] = []
    items: list[tuple[str, str, str | None]] = [("the title", report.title, None)]
    items += [(_claim_label(r), r.claim.text, r.claim.id) for r in report.claims]
    items.append(("the abstract", report.abstract, None))
    for label, text, claim_id in items:
        problems = []
        if "\ufffd" in text:
            problems.append("a replacement character (�)")
        for word in sorted(set(re.findall(r"[A-Za-z]{3,}", text))):
            if word.lower() in accented and word.lower() not in known:
                problems.append(f"“{word}” for “{accented[word.lower()]}”")
        if problems:
            findings.append(
                Finding(
                    FindingCode.MANGLED_TEXT, "warning", f"{label} has lost characters: {', '.join(problems)}", claim_id
                )
            )
    return findings


# -- claims: duplicates, conflicts, weak and unexplained verdicts


_NEGATIONS = frozenset({"not", "no", "never", "cannot", "fail", "fails", "failed", "without", "neither", "nor"})
_ANTONYMS = (
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


def _claim_tokens(text: str) -> set[str]:
    return {norm_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS or w in _NEGATIONS}


def check_claim_pairs(report: Report, config: ReviewConfig) -> list[Finding]:
    """duplicate-claim for near-identical texts; conflicting-claims for similar texts of opposite polarity."""
    findings: list[Finding] = []
    claims = list(report.claims)
    tokens = [_claim_tokens(r.claim.text) for r in claims]
    words = [set(re.findall(r"[a-z]+", r.claim.text.lower())) for r in claims]
    for i in range(len(claims)):
        for j in range(i + 1, len(claims)):
            a, b = tokens[i], tokens[j]
            if not a or not b:
                continue
            union = a | b
            jaccard = len(a & b) / len(union)
            shorter = min(a, b, key=len)
            containment = len(a & b) / len(shorter)
            first, second = claims[i].claim.id, claims[j].claim.id
            duplicate = jaccard >= config.duplicate_jaccard or (
                containment >= config.duplicate_containment and len(shorter) >= 5
            )
            # Near-identical texts of opposite polarity ("can" / "cannot outperform") conflict; they do not repeat.
            polarity = _opposite_polarity(words[i], words[j]) if duplicate or jaccard >= 0.5 else None
            if polarity:
                findings.append(
                    Finding(
                        FindingCode.CONFLICTING_CLAIMS,
                        "warning",
                        f"{first} and {second} say opposite things about the same subject ({polarity})",
                        second,
                    )
                )
            elif duplicate:
                findings.append(
                    Finding(
                        FindingCode.DUPLICATE_CLAIM,
                        "warning",
                        f"{second} repeats {first} ({jaccard:.0%} of their words shared): "
                        f"“{_short(claims[j].claim.text)}”",
                        second,
                    )
                )
    return findings


def _opposite_polarity(a: set[str], b: set[str]) -> str | None:
    neg_a, neg_b = bool(a & _NEGATIONS), bool(b & _NEGATIONS)
    if neg_a != neg_b:
        return "one is negated"
    for left, right in _ANTONYMS:
        has = [any(w.startswith(left) for w in s) for s in (a, b)]
        has_r = [any(w.startswith(right) for w in s) for s in (a, b)]
        if (has[0] and has_r[1] and not has[1]) or (has[1] and has_r[0] and not has[0]):
            return f"“{left}…” against “{right}…”"
    return None


def stated_threshold(report: Report, default: float) -> float:
    """The verification threshold the methodology states ('confidence of 0.50 or more'), else the default."""
    match = re.search(r"confidence (?:of |at least |≥ ?|>= ?)?(0?\.\d+|1\.0+)", report.methodology)
    return float(match.group(1)) if match else default


def check_verdicts(report: Report, config: ReviewConfig, threshold: float) -> list[Finding]:
    """too-few-verified, unverified/weak/contradicted claims, and confidences that contradict or lack a reason."""
    findings: list[Finding] = []
    claims = report.claims
    verified = [r for r in claims if r.verdict.verified]
    share = len(verified) / len(claims) if claims else 0.0
    if len(verified) < config.min_verified:
        findings.append(
            Finding(
                FindingCode.TOO_FEW_VERIFIED,
                "error",
                f"only {len(verified)} of {len(claims)} claims are verified; a publishable report needs at least "
                f"{config.min_verified}",
            )
        )
    elif share < config.min_verified_fraction:
        findings.append(
            Finding(
                FindingCode.TOO_FEW_VERIFIED,
                "warning",
                f"only {len(verified)} of {len(claims)} claims ({share:.0%}) are verified, under "
                f"{config.min_verified_fraction:.0%}",
            )
        )
    unverified = [r.claim.id for r in claims if not r.verdict.verified]
    if unverified:
        findings.append(
            Finding(
                FindingCode.UNVERIFIED_CLAIMS,
                "info",
                f"{len(unverified)} of {len(claims)} claims are not verified: {', '.join(unverified)}",
            )
        )
    for r in claims:
        v = r.verdict
        if v.verified and v.confidence < threshold:
            findings.append(
                Finding(
                    FindingCode.CONFIDENCE_MISMATCH,
                    "error",
                    f"{r.claim.id} is marked verified at confidence {v.confidence:.2f}, below the threshold "
                    f"{threshold:.2f}",
                    r.claim.id,
                )
            )
        elif not v.verified and v.confidence >= threshold:
            findings.append(
                Finding(
                    FindingCode.CONFIDENCE_MISMATCH,
                    "warning",
                    f"{r.claim.id} is not verified although its confidence {v.confidence:.2f} reaches the threshold "
                    f"{threshold:.2f}",
                    r.claim.id,
                )
            )
        elif v.verified and v.confidence < threshold + 0.1:
            findings.append(
                Finding(
                    FindingCode.WEAK_EVIDENCE,
                    "info",
                    f"{r.claim.id} is verified only just (confidence {v.confidence:.2f}, threshold {threshold:.2f})",
                    r.claim.id,
                )
            )
        if not v.rationale.strip() or (v.verified and not v.evidence):
            what = "no rationale" if not v.rationale.strip() else "no evidence sentence"
            findings.append(
                Finding(
                    FindingCode.UNEXPLAINED_CONFIDENCE,
                    "warning",
                    f"{r.claim.id} has confidence {v.confidence:.2f} with {what} a reader could check",
                    r.claim.id,
                )
            )
        if not v.verified and re.search(r"\bcontradict", v.rationale, re.IGNORECASE):
            findings.append(
                Finding(
                    FindingCode.CONTRADICTED_CLAIM, "info", f"{r.claim.id} is contradicted by the evidence", r.claim.id
                )
            )
    return findings


# -- references


def check_references(report: Report) -> tuple[list[Finding], float]:
    """missing-reference: a claim's source or evidence not among the papers; a paper no claim uses (info)."""
    ids = {p.arxiv_id for p in _unique_papers(report)}
    findings: list[Finding] = []
    used: set[str] = set()
    traceable = 0
    for r in report.claims:
        absent = []
        if r.claim.source not in ids:
            absent.append(f"its source arXiv:{r.claim.source}")
        used.add(r.claim.source)
        for ev in r.verdict.evidence:
            used.add(ev.arxiv_id)
            if ev.arxiv_id not in ids and f"evidence arXiv:{ev.arxiv_id}" not in absent:
                absent.append(f"evidence arXiv:{ev.arxiv_id}")
        if absent:
            findings.append(
                Finding(
                    FindingCode.MISSING_REFERENCE,
                    "error",
                    f"{r.claim.id} cites {' and '.join(absent)}, not in the report's references",
                    r.claim.id,
                )
            )
        else:
            traceable += 1
    for paper in _unique_papers(report):
        if paper.arxiv_id not in used:
            findings.append(
                Finding(
                    FindingCode.MISSING_REFERENCE,
                    "info",
                    f"arXiv:{paper.arxiv_id} is listed in the references but no claim or evidence uses it",
                )
            )
    return findings, (traceable / len(report.claims) if report.claims else 1.0)


# --------------------------------------------------------------------------------------------------------
# Dimensions


@dataclass(frozen=True)
class Measurements:
    """Everything the dimension formulas read, gathered once."""

    claims: int
    verified: int
    grounded: int
    corroborated: int
    mean_confidence: float
    traceable: float
    numbers_checked: int
    numbers_unsupported: int
    count_mismatches: int
    relevance: dict[str, float]
    off_topic_primary_or_abstract: bool
    off_topic_others: int
    question_coverage: float
    used_share: float
    diversity: float
    recency: float
    explained: float
    limitations_disclose: float
    unverified_disclosed: float
    confidence_consistent: float
    versioned: float
    located: float
    evidence_valid: float
    bib_covered: float
    clean_claims: float
    text_faults: int


def _dimension(name: str, score: float, basis: str) -> Dimension:
    score = round1(clamp10(score))
    return Dimension(name=name, score=score, level=level_of(score), basis=basis)


def dimensions_for(m: Measurements, config: ReviewConfig) -> tuple[Dimension, ...]:
    """The eight dimensions; each formula is written out in docs/review.md."""
    v = m.verified / m.claims if m.claims else 0.0
    volume = min(1.0, m.verified / config.target_verified) if config.target_verified else 1.0
    evidence = 10 * (0.4 * v + 0.3 * m.mean_confidence + 0.3 * volume)
    g = m.grounded / m.verified if m.verified else 0.0
    k = min(1.0, m.corroborated / config.min_corroborated) if config.min_corroborated else 1.0
    grounding = 10 * (0.35 * g + 0.45 * k + 0.2 * m.traceable)
    numeric_base = 10 * (1 - m.numbers_unsupported / m.numbers_checked) if m.numbers_checked else 10.0
    numeric = numeric_base - 2.5 * m.count_mismatches
    cov = min(1.0, m.question_coverage / config.full_coverage) if config.full_coverage else 1.0
    coverage = 10 * (0.6 * cov + 0.2 * m.used_share + 0.1 * m.diversity + 0.1 * m.recency)
    paper_scores = [s for key, s in sorted(m.relevance.items()) if key != "abstract"]
    mean_rel = (
        sum(min(1.0, s / (2 * config.min_relevance)) for s in paper_scores) / len(paper_scores) if paper_scores else 0.0
    )
    n_papers = max(1, len(paper_scores))
    relevance = 10 * mean_rel * (1 - 0.5 * m.off_topic_others / n_papers)
    if m.off_topic_primary_or_abstract:
        relevance = min(relevance, 3.0)
    uncertainty = 10 * (
        0.35 * m.explained
        + 0.2 * m.limitations_disclose
        + 0.2 * m.unverified_disclosed
        + 0.25 * m.confidence_consistent
    )
    reproducibility = 10 * (0.25 * m.versioned + 0.35 * m.located + 0.25 * m.evidence_valid + 0.15 * m.bib_covered)
    internal = 10 * m.clean_claims - 3 * m.text_faults
    return (
        _dimension(
            "evidence strength",
            evidence,
            f"{m.verified}/{m.claims} claims verified, mean confidence of verified {m.mean_confidence:.2f}, "
            f"volume {m.verified}/{config.target_verified}",
        ),
        _dimension(
            "citation grounding",
            grounding,
            f"{m.grounded}/{m.verified} verified claims grounded in their source, {m.corroborated} corroborated "
            f"(target {config.min_corroborated}), {m.traceable:.0%} traceable to listed papers",
        ),
        _dimension(
            "numerical consistency",
            numeric,
            f"{m.numbers_checked - m.numbers_unsupported}/{m.numbers_checked} numbers found in the papers, "
            f"count mismatches: {m.count_mismatches}",
        ),
        _dimension(
            "coverage of the question",
            coverage,
            f"verified findings cover {m.question_coverage:.0%} of the question's weighted terms, "
            f"{m.used_share:.0%} of papers used, diversity {m.diversity:.2f}, recency {m.recency:.2f}",
        ),
        _dimension(
            "relevance of sources",
            relevance,
            f"mean paper relevance {mean_rel:.2f}, other papers off-topic: {m.off_topic_others}"
            + (", primary paper or abstract off-topic (capped at 3)" if m.off_topic_primary_or_abstract else ""),
        ),
        _dimension(
            "uncertainty disclosure",
            uncertainty,
            f"{m.explained:.0%} of verdicts explained, confidences consistent {m.confidence_consistent:.0%}, "
            f"limitations {'state' if m.limitations_disclose else 'omit'} the method's limits, unverified claims "
            f"{'disclosed' if m.unverified_disclosed else 'not disclosed'}",
        ),
        _dimension(
            "reproducibility",
            reproducibility,
            f"{m.versioned:.0%} papers versioned, {m.located:.0%} claims located, {m.evidence_valid:.0%} evidence "
            f"addressable, {m.bib_covered:.0%} with BibTeX keys",
        ),
        _dimension(
            "internal consistency",
            internal,
            f"{m.clean_claims:.0%} of claims free of truncation, duplication, conflict and lost characters; "
            f"faults in title or abstract: {m.text_faults}",
        ),
    )


def _measure(
    report: Report,
    topic: Topic,
    config: ReviewConfig,
    threshold: float,
    relevance: dict[str, float],
    findings: Sequence[Finding],
    numbers: tuple[int, int],
    traceable: float,
) -> Measurements:
    claims = report.claims
    verified = [r for r in claims if r.verdict.verified]
    papers = _unique_papers(report)
    ids = {p.arxiv_id for p in papers}
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    off_topic = by_code.get(FindingCode.OFF_TOPIC_SOURCE, [])
    primary_or_abstract = any(f.severity == "error" for f in off_topic)
    # Coverage: the verified findings and the sentences that support them, against the question.
    found_text = " ".join([r.claim.text for r in verified] + [e.sentence for r in verified for e in r.verdict.evidence])
    question_coverage = topic.relevance(found_text).score if found_text else 0.0
    used = {r.claim.source for r in verified} | {e.arxiv_id for r in verified for e in r.verdict.evidence}
    used_share = len(used & ids) / len(ids) if ids else 0.0
    first_authors = {p.authors[0].split()[-1].lower() for p in papers if p.authors and p.authors[0].split()}
    diversity = min(1.0, len(first_authors) / 5)
    years = [p.year for p in papers]
    recency = sum(report.date.year - y <= config.recent_years for y in years) / len(years) if years else 0.0
    explained = (
        sum(bool(r.verdict.rationale.strip()) and (bool(r.verdict.evidence) or not r.verdict.verified) for r in claims)
        / len(claims)
        if claims
        else 1.0
    )
    lim = report.limitations.lower()
    limitations_disclose = float(
        bool(re.search(r"limitation|may |might |not constitute|uncertain|error|calibrat|automated|indicative", lim))
    )
    unverified = [r for r in claims if not r.verdict.verified]
    prose = f"{report.results} {report.limitations}".lower()
    unverified_disclosed = (
        float(bool(re.search(r"not (?:be )?verified|unverified|could not be verified|not verified", prose)))
        if unverified
        else 1.0
    )
    consistent = (
        sum(r.verdict.verified == (r.verdict.confidence >= threshold) for r in claims) / len(claims) if claims else 1.0
    )
    versioned = sum(p.version is not None for p in papers) / len(papers) if papers else 0.0
    located = (
        sum(
            (r.claim.origin == "extracted" and r.claim.sentence_index is not None)
            or (r.claim.origin == "spec" and r.claim.spec_line is not None)
            for r in claims
        )
        / len(claims)
        if claims
        else 1.0
    )
    evidence = [e for r in claims for e in r.verdict.evidence]
    evidence_valid = (
        sum(e.arxiv_id in ids and e.sentence_index >= 0 and bool(e.sentence.strip()) for e in evidence) / len(evidence)
        if evidence
        else 0.0
    )
    bib_covered = sum(p.arxiv_id in report.bib_keys for p in papers) / len(papers) if papers else 0.0
    faulty_claims = {
        f.claim_id
        for f in findings
        if f.claim_id
        and (
            (f.code == FindingCode.TRUNCATED_TEXT and f.severity == "error")
            or f.code in {FindingCode.DUPLICATE_CLAIM, FindingCode.CONFLICTING_CLAIMS, FindingCode.MANGLED_TEXT}
        )
    }
    clean = (len(claims) - len(faulty_claims & {r.claim.id for r in claims})) / len(claims) if claims else 1.0
    text_faults = sum(
        1
        for f in findings
        if f.claim_id is None
        and f.code in {FindingCode.TRUNCATED_TEXT, FindingCode.MANGLED_TEXT}
        and f.severity in {"error", "warning"}
    )
    return Measurements(
        claims=len(claims),
        verified=len(verified),
        grounded=sum(r.verdict.grounded for r in verified),
        corroborated=sum(r.verdict.corroborated for r in verified),
        mean_confidence=sum(r.verdict.confidence for r in verified) / len(verified) if verified else 0.0,
        traceable=traceable,
        numbers_checked=numbers[0],
        numbers_unsupported=numbers[1],
        count_mismatches=len(by_code.get(FindingCode.COUNT_MISMATCH, [])),
        relevance=relevance,
        off_topic_primary_or_abstract=primary_or_abstract,
        off_topic_others=sum(f.severity == "warning" for f in off_topic),
        question_coverage=question_coverage,
        used_share=used_share,
        diversity=diversity,
        recency=recency,
        explained=explained,
        limitations_disclose=limitations_disclose,
        unverified_disclosed=unverified_disclosed,
        confidence_consistent=consistent,
        versioned=versioned,
        located=located,
        evidence_valid=evidence_valid,
        bib_covered=bib_covered,
        clean_claims=clean,
        text_faults=text_faults,
    )


# --------------------------------------------------------------------------------------------------------
# Reviewers and the consensus


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Deduplicated, most severe first, then by code, claim and message: a stable order for every renderer."""
    unique = set(findings)
    return tuple(
        sorted(
            unique,
            key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.code, _claim_order(f.claim_id), f.message),
        )
    )


def _claim_order(claim_id: str | None) -> tuple[int, str]:
    if claim_id is None:
        return (-1, "")
    digits = re.sub(r"\D", "", claim_id)
    return (int(digits) if digits else 0, claim_id)


def _weighted(dims: dict[str, Dimension], names: Sequence[str], weights: dict[str, float]) -> float:
    total = sum(weights[n] for n in names)
    return sum(dims[n].score * weights[n] for n in names) / total if total else 0.0


def _confirmer_findings(m: Measurements, config: ReviewConfig) -> list[Finding]:
    """The confirmer reports the evidence base: what supports the report, and where it is thin."""
    out = [
        Finding(
            FindingCode.EVIDENCE_BASE,
            "info",
            f"{m.verified} of {m.claims} claims verified, {m.grounded} grounded in their own source, "
            f"{m.corroborated} corroborated by another paper",
        )
    ]
    if m.corroborated < config.min_corroborated:
        out.append(
            Finding(
                FindingCode.FEW_CORROBORATED,
                "warning",
                f"verified claims corroborated by a second paper: {m.corroborated}; the gate needs "
                f"{config.min_corroborated}",
            )
        )
    if m.diversity < 0.6:
        out.append(
            Finding(
                FindingCode.LOW_DIVERSITY,
                "info",
                f"the papers come from few author groups (diversity {m.diversity:.2f})",
            )
        )
    if m.recency < 0.5:
        out.append(
            Finding(
                FindingCode.DATED_SOURCES,
                "info",
                f"only {m.recency:.0%} of the papers are from the last {config.recent_years} years",
            )
        )
    return out


def review(report: Report, config: ReviewConfig = ReviewConfig()) -> Review:
    """Review a report: run every check, score eight dimensions, let three reviewers agree on a score and tier."""
    weights = dict(config.dimension_weights)
    topic = Topic.build(report, config.anchor_share)
    threshold = stated_threshold(report, config.verify_threshold)
    papers = _unique_papers(report)
    vocabulary = vocabulary_of([paper_text(p) for p in papers])

    relevance_findings, relevance = check_relevance(report, topic, config)
    count_findings, count_spans = check_counts(report)
    number_findings, checked, unsupported = check_numbers(report, count_spans)
    reference_findings, traceable = check_references(report)
    challenger_findings = [
        *relevance_findings,
        *check_copied_abstract(report),
        *count_findings,
        *number_findings,
        *check_truncation(report, vocabulary),
        *check_mangled(report),
        *check_claim_pairs(report, config),
        *contested_findings(report),
        *check_verdicts(report, config, threshold),
        *(f for f in reference_findings if f.severity != "info"),
    ]
    m = _measure(report, topic, config, threshold, relevance, challenger_findings, (checked, unsupported), traceable)
    dims = dimensions_for(m, config)
    by_name = {d.name: d for d in dims}
    confirmer_findings = [*_confirmer_findings(m, config), *(f for f in reference_findings if f.severity == "info")]

    challenger = round1(_weighted(by_name, CHALLENGER_DIMENSIONS, weights))
    confirmer = round1(_weighted(by_name, CONFIRMER_DIMENSIONS, weights))
    w_ch = sum(weights[n] for n in CHALLENGER_DIMENSIONS)
    w_co = sum(weights[n] for n in CONFIRMER_DIMENSIONS)
    base = (
        w_ch * _weighted(by_name, CHALLENGER_DIMENSIONS, weights)
        + w_co * _weighted(by_name, CONFIRMER_DIMENSIONS, weights)
    ) / (w_ch + w_co)
    reasons = [
        f"consensus {round1(base):.1f} = {w_ch:.2f}×challenger {challenger:.1f} + {w_co:.2f}×confirmer {confirmer:.1f} "
        f"(weighted mean of the eight dimensions)"
    ]
    integrator_findings: list[Finding] = []
    score = base
    gap = abs(challenger - confirmer)
    if gap > config.disagreement_gap:
        cut = 0.25 * (gap - config.disagreement_gap)
        score -= cut
        integrator_findings.append(
            Finding(
                FindingCode.REVIEWER_DISAGREEMENT,
                "info",
                f"challenger {challenger:.1f} and confirmer {confirmer:.1f} differ by {gap:.1f}; the integrator "
                f"leans to the lower by {cut:.2f}",
            )
        )
        reasons.append(f"-{cut:.2f}: reviewers disagree by {gap:.1f} points")
    errors = sorted({f.code for f in challenger_findings if f.severity == "error"})
    n_errors = sum(f.severity == "error" for f in set(challenger_findings))
    if n_errors:
        penalty = min(config.max_error_penalty, config.error_penalty * n_errors)
        score -= penalty
        reasons.append(f"-{penalty:.1f}: error findings: {n_errors} ({', '.join(errors)})")
        cap = config.publishable_score - 0.1
        if score > cap:
            score = cap
            reasons.append(f"capped at {cap:.1f}: a report with error findings cannot pass the gate")
            integrator_findings.append(
                Finding(
                    FindingCode.GATE_BLOCKED,
                    "info",
                    f"score capped at {cap:.1f} because of errors: {', '.join(errors)}",
                )
            )
    score = round1(clamp10(score))

    corroborated = min(report.counts.corroborated, m.corroborated)
    if score >= config.flagship_score and corroborated >= config.min_corroborated:
        tier = "flagship"
    elif score >= config.publishable_score and corroborated >= config.min_corroborated:
        tier = "publishable"
    else:
        tier = "draft"
    reasons.append(_tier_reason(tier, score, corroborated, config))
    reasons.append(f"{m.verified} of {m.claims} claims verified, {m.corroborated} corroborated by a second paper")
    weakest = sorted(dims, key=lambda d: (d.score, d.name))[:2]
    reasons.append("weakest: " + "; ".join(f"{d.name} {d.score:.1f} ({d.basis})" for d in weakest))

    reviewers = (
        ReviewerReport("challenger", challenger, sort_findings(challenger_findings)),
        ReviewerReport("confirmer", confirmer, sort_findings(confirmer_findings)),
        ReviewerReport("integrator", score, sort_findings(integrator_findings)),
    )
    return Review(
        score=score,
        tier=tier,
        gate_passed=tier != "draft",
        reasons=tuple(reasons),
        dimensions=dims,
        reviewers=reviewers,
        findings=sort_findings([*challenger_findings, *confirmer_findings, *integrator_findings]),
    )


def _tier_reason(tier: str, score: float, corroborated: int, config: ReviewConfig) -> str:
    if tier == "flagship":
        return f"tier flagship: score {score:.1f} ≥ {config.flagship_score} and {corroborated} corroborated"
    if tier == "publishable":
        return (
            f"tier publishable: score {score:.1f} ≥ {config.publishable_score} and {corroborated} corroborated "
            f"≥ {config.min_corroborated}"
        )
    why = []
    if score < config.publishable_score:
        why.append(f"score {score:.1f} < {config.publishable_score}")
    if corroborated < config.min_corroborated:
        why.append(f"{corroborated} corroborated < {config.min_corroborated}")
    return "tier draft: " + " and ".join(why)
