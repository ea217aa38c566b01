"""The eight dimensions: the measurements taken from a report and its findings, and each 0-10 score
(the formulas of docs/review.md, "Dimensions")."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.models import Dimension, Finding, FindingCode
from builder.review.config import ReviewConfig
from builder.review.context import CheckResult, ReviewContext

CHALLENGER_DIMENSIONS = (
    "evidence strength",
    "numerical consistency",
    "relevance of sources",
    "uncertainty disclosure",
    "internal consistency",
)
CONFIRMER_DIMENSIONS = ("citation grounding", "coverage of the question", "reproducibility")


def round1(value: float) -> float:
    """Round half up to one decimal (Python's round() is half-even, which surprises readers recomputing)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def clamp10(value: float) -> float:
    return max(0.0, min(10.0, value))


def level_of(score: float) -> str:
    return "low" if score < 4.0 else "medium" if score < 7.0 else "high"


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
        sum(min(1.0, s / config.full_relevance) for s in paper_scores) / len(paper_scores) if paper_scores else 0.0
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


def measure(
    ctx: ReviewContext,
    findings: Sequence[Finding],
    relevance: CheckResult,
    numbers: CheckResult,
    references: CheckResult,
) -> Measurements:
    """The measurements of a report: `findings` are the challenger's; the results of `check_relevance`,
    `check_numbers` and `check_references` give the relevance scores, the numbers and the traceable share."""
    report, topic, config, threshold = ctx.report, ctx.topic, ctx.config, ctx.threshold
    claims = report.claims
    verified = [r for r in claims if r.verdict.verified]
    papers = ctx.papers
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
    diversity = min(1.0, len(first_authors) / config.diverse_authors)
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
        traceable=references.measures["traceable"],
        numbers_checked=int(numbers.measures["checked"]),
        numbers_unsupported=int(numbers.measures["unsupported"]),
        count_mismatches=len(by_code.get(FindingCode.COUNT_MISMATCH, [])),
        relevance=dict(relevance.measures),
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


def weighted(dims: dict[str, Dimension], names: Sequence[str], weights: dict[str, float]) -> float:
    total = sum(weights[n] for n in names)
    return sum(dims[n].score * weights[n] for n in names) / total if total else 0.0
