"""`review()`: the three reviewers. The challenger runs the checks of what is wrong, the confirmer reports the
evidence base, both score the dimensions of their mandate, and the integrator (`gate.py`) combines them and
decides the tier (docs/review.md, "Reviewers and the consensus score")."""

from __future__ import annotations

from builder.models import Finding, FindingCode, Report, Review, ReviewerReport
from builder.review.base import sort_findings
from builder.review.claims import check_claim_pairs, check_contested, check_verdicts
from builder.review.config import DEFAULT_CONFIG, ReviewConfig
from builder.review.context import Check, ReviewContext
from builder.review.gate import integrate
from builder.review.numbers import check_counts, check_numbers
from builder.review.references import check_references
from builder.review.relevance import check_copied_abstract, check_relevance
from builder.review.scoring import Measurements, dimensions_for, measure
from builder.review.textfaults import check_mangled, check_truncation

# The challenger's checks, in the order they run (the findings are sorted afterwards, so the order is not
# visible). `check_references` runs apart: its errors are the challenger's, its info findings (listed papers
# no claim uses) the confirmer's.
CHALLENGER_CHECKS: tuple[Check, ...] = (
    check_relevance,
    check_copied_abstract,
    check_counts,
    check_numbers,
    check_truncation,
    check_mangled,
    check_claim_pairs,
    check_contested,
    check_verdicts,
)


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
    ctx = ReviewContext.of(report, config)
    results = {check: check(ctx) for check in CHALLENGER_CHECKS}
    references = check_references(ctx)
    challenger_findings = [
        *(f for result in results.values() for f in result.findings),
        *(f for f in references.findings if f.severity != "info"),
    ]
    m = measure(ctx, challenger_findings, results[check_relevance], results[check_numbers], references)
    dims = dimensions_for(m, config)
    confirmer_findings = [*evidence_base_findings(m, config), *(f for f in references.findings if f.severity == "info")]

    consensus = integrate(dims, challenger_findings, min(report.counts.corroborated, m.corroborated), config)
    weakest = sorted(dims, key=lambda d: (d.score, d.name))[:2]
    reasons = (
        *consensus.reasons,
        f"{m.verified} of {m.claims} claims verified, {m.corroborated} corroborated by a second paper",
        "weakest: " + "; ".join(f"{d.name} {d.score:.1f} ({d.basis})" for d in weakest),
    )
    reviewers = (
        ReviewerReport("challenger", consensus.challenger, sort_findings(challenger_findings)),
        ReviewerReport("confirmer", consensus.confirmer, sort_findings(confirmer_findings)),
        ReviewerReport("integrator", consensus.score, sort_findings(consensus.findings)),
    )
    return Review(
        score=consensus.score,
        tier=consensus.tier,
        gate_passed=consensus.gate_passed,
        reasons=reasons,
        dimensions=dims,
        reviewers=reviewers,
        findings=sort_findings([*challenger_findings, *confirmer_findings, *consensus.findings]),
    )
