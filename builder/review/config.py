"""The review's thresholds: one frozen `ReviewConfig`, whose defaults are what `docs/review.md` documents."""

from __future__ import annotations

from dataclasses import dataclass, field


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


DEFAULT_CONFIG = ReviewConfig()
