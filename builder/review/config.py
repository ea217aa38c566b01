"""The review's thresholds: one frozen `ReviewConfig`, built from a spec by `ReviewConfig.from_spec`.

The gate's four thresholds are the spec's `settings` (`builder.spec.Settings`): `from_spec` is the one place that
reads them, and the defaults here are the schema's own, so a review without a spec judges as a spec without
settings does. Every other threshold of the checks, the dimensions and the integrator is a field here too, with
the value `docs/review.md` documents; no check restates one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.spec import Settings, Spec

_SPEC_DEFAULTS = Settings()  # what a spec without `settings` gets


@dataclass(frozen=True)
class ReviewConfig:
    """Thresholds of the gate and of the checks; the defaults are what `docs/review.md` documents."""

    # The gate, from the spec's settings (`from_spec`).
    flagship_score: float = _SPEC_DEFAULTS.flagship_score
    publishable_score: float = _SPEC_DEFAULTS.publishable_score
    min_corroborated: int = _SPEC_DEFAULTS.min_corroborated
    # Verification threshold when the methodology text does not state one (the spec's `min_confidence`).
    verify_threshold: float = _SPEC_DEFAULTS.min_confidence
    # too-few-verified: an error below this many verified claims, a warning below this verified share.
    min_verified: int = 5
    min_verified_fraction: float = 0.5
    # Evidence strength reaches full credit for volume at this many verified claims.
    target_verified: int = 8
    # weak-evidence: verified with a confidence below the threshold plus this margin.
    weak_margin: float = 0.1
    # off-topic-source: weighted share of the question's terms a text must cover.
    min_relevance: float = 0.25
    # A title acronym counts as an anchor of the topic when this share of the other papers uses it.
    anchor_share: float = 0.5
    # duplicate-claim: token Jaccard similarity, or containment of the shorter claim (of at least
    # `duplicate_min_words` words) in the longer.
    duplicate_jaccard: float = 0.75
    duplicate_containment: float = 0.9
    duplicate_min_words: int = 5
    # conflicting-claims: the Jaccard similarity at which two claims of opposite polarity conflict.
    conflict_jaccard: float = 0.5
    # Question-term coverage by the verified findings that earns full credit in "coverage of the question".
    full_coverage: float = 0.6
    # Papers at most this many years older than the report count as recent; dated-sources below this share.
    recent_years: int = 6
    dated_share: float = 0.5
    # Distinct first-author surnames that earn full diversity; low-diversity below this diversity.
    diverse_authors: int = 5
    low_diversity: float = 0.6
    # Integrator: penalty per error finding (capped), and the reviewer gap above which it leans low, by this
    # share of the excess.
    error_penalty: float = 0.5
    max_error_penalty: float = 2.0
    disagreement_gap: float = 3.0
    disagreement_lean: float = 0.25
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

    @classmethod
    def from_spec(cls, spec: Spec) -> ReviewConfig:
        """The review a spec asks for: its settings' gate and verification threshold, every other default."""
        settings = spec.settings
        return cls(
            flagship_score=settings.flagship_score,
            publishable_score=settings.publishable_score,
            min_corroborated=settings.min_corroborated,
            verify_threshold=settings.min_confidence,
        )

    @property
    def full_relevance(self) -> float:
        """A paper's relevance that earns full credit in "relevance of sources": twice the off-topic cut."""
        return 2 * self.min_relevance

    @property
    def gate_cap(self) -> float:
        """The highest score of a report with an error finding: one step (0.1) under publishable."""
        return self.publishable_score - 0.1


DEFAULT_CONFIG = ReviewConfig()
