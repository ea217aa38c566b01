"""The three reviewers: the challenger and the confirmer score the dimensions of their mandate, the integrator
combines them, applies penalties and caps, and decides the tier (docs/review.md, "Reviewers")."""

from __future__ import annotations

from builder.disagreements import contested_findings
from builder.models import Finding, FindingCode, Report, Review, ReviewerReport
from builder.review.base import sort_findings
from builder.review.claims import check_claim_pairs, check_verdicts, stated_threshold
from builder.review.config import DEFAULT_CONFIG, ReviewConfig
from builder.review.numbers import check_counts, check_numbers
from builder.review.references import check_references
from builder.review.relevance import check_copied_abstract, check_relevance
from builder.review.scoring import (
    CHALLENGER_DIMENSIONS,
    CONFIRMER_DIMENSIONS,
    Measurements,
    clamp10,
    dimensions_for,
    measure,
    round1,
    weighted,
)
from builder.review.textfaults import check_mangled, check_truncation, vocabulary_of
from builder.review.topic import Topic, paper_text, unique_papers


def evidence_base_findings(m: Measurements, config: ReviewConfig) -> list[Finding]:
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
    if m.diversity < config.low_diversity:
        out.append(
            Finding(
                FindingCode.LOW_DIVERSITY,
                "info",
                f"the papers come from few author groups (diversity {m.diversity:.2f})",
            )
        )
    if m.recency < config.dated_share:
        out.append(
            Finding(
                FindingCode.DATED_SOURCES,
                "info",
                f"only {m.recency:.0%} of the papers are from the last {config.recent_years} years",
            )
        )
    return out


def review(report: Report, config: ReviewConfig = DEFAULT_CONFIG) -> Review:
    """Review a report: run every check, score eight dimensions, let three reviewers agree on a score and tier."""
    weights = dict(config.dimension_weights)
    topic = Topic.build(report, config.anchor_share)
    threshold = stated_threshold(report, config.verify_threshold)
    papers = unique_papers(report)
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
    m = measure(report, topic, config, threshold, relevance, challenger_findings, (checked, unsupported), traceable)
    dims = dimensions_for(m, config)
    by_name = {d.name: d for d in dims}
    confirmer_findings = [*evidence_base_findings(m, config), *(f for f in reference_findings if f.severity == "info")]

    challenger = round1(weighted(by_name, CHALLENGER_DIMENSIONS, weights))
    confirmer = round1(weighted(by_name, CONFIRMER_DIMENSIONS, weights))
    w_ch = sum(weights[n] for n in CHALLENGER_DIMENSIONS)
    w_co = sum(weights[n] for n in CONFIRMER_DIMENSIONS)
    base = (
        w_ch * weighted(by_name, CHALLENGER_DIMENSIONS, weights)
        + w_co * weighted(by_name, CONFIRMER_DIMENSIONS, weights)
    ) / (w_ch + w_co)
    reasons = [
        f"consensus {round1(base):.1f} = {w_ch:.2f}×challenger {challenger:.1f} + {w_co:.2f}×confirmer {confirmer:.1f} "
        f"(weighted mean of the eight dimensions)"
    ]
    integrator_findings: list[Finding] = []
    score = base
    gap = abs(challenger - confirmer)
    if gap > config.disagreement_gap:
        cut = config.disagreement_lean * (gap - config.disagreement_gap)
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
        cap = config.gate_cap
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
    reasons.append(tier_reason(tier, score, corroborated, config))
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


def tier_reason(tier: str, score: float, corroborated: int, config: ReviewConfig) -> str:
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
