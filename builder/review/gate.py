"""The integrator: the consensus of the two reviewers, its penalties and caps, and the tier that decides the
publication gate (docs/review.md, "Reviewers and the consensus score")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from builder.models import Dimension, Finding, FindingCode
from builder.review.config import ReviewConfig
from builder.review.scoring import CHALLENGER_DIMENSIONS, CONFIRMER_DIMENSIONS, clamp10, round1, weighted

FLAGSHIP, PUBLISHABLE, DRAFT = "flagship", "publishable", "draft"


@dataclass(frozen=True)
class Consensus:
    """The integrator's decision: both reviewers' scores, the final score and tier, and the arithmetic."""

    challenger: float
    confirmer: float
    score: float
    tier: str
    reasons: tuple[str, ...]  # the consensus, every penalty and cap, the tier decision
    findings: tuple[Finding, ...]  # reviewer-disagreement, gate-blocked

    @property
    def gate_passed(self) -> bool:
        return self.tier != DRAFT


def integrate(
    dims: Sequence[Dimension], challenger_findings: Sequence[Finding], corroborated: int, config: ReviewConfig
) -> Consensus:
    """Combine the reviewers: the weighted mean of the dimensions, leaning low when the reviewers disagree, less
    a penalty per error finding, capped under the gate while an error remains; then the tier."""
    weights = dict(config.dimension_weights)
    by_name = {d.name: d for d in dims}
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
    findings: list[Finding] = []
    score = base
    gap = abs(challenger - confirmer)
    if gap > config.disagreement_gap:
        cut = config.disagreement_lean * (gap - config.disagreement_gap)
        score -= cut
        findings.append(
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
            findings.append(
                Finding(
                    FindingCode.GATE_BLOCKED,
                    "info",
                    f"score capped at {cap:.1f} because of errors: {', '.join(errors)}",
                )
            )
    score = round1(clamp10(score))
    tier = tier_of(score, corroborated, config)
    reasons.append(tier_reason(tier, score, corroborated, config))
    return Consensus(challenger, confirmer, score, tier, tuple(reasons), tuple(findings))


def tier_of(score: float, corroborated: int, config: ReviewConfig) -> str:
    """flagship or publishable by score, both needing `min_corroborated` corroborated claims; draft otherwise."""
    if score >= config.flagship_score and corroborated >= config.min_corroborated:
        return FLAGSHIP
    if score >= config.publishable_score and corroborated >= config.min_corroborated:
        return PUBLISHABLE
    return DRAFT


def tier_reason(tier: str, score: float, corroborated: int, config: ReviewConfig) -> str:
    if tier == FLAGSHIP:
        return f"tier flagship: score {score:.1f} ≥ {config.flagship_score} and {corroborated} corroborated"
    if tier == PUBLISHABLE:
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
