"""Checks of the claims and their verdicts: duplicate-claim, conflicting-claims, too-few-verified,
unverified-claims, confidence-mismatch, weak-evidence, unexplained-confidence and contradicted-claim; and
contested-claim, whose findings `builder.disagreements` writes."""

from __future__ import annotations

import re

from builder.disagreements import contested_findings
from builder.models import Finding, FindingCode
from builder.review.base import short
from builder.review.context import CheckResult, ReviewContext
from builder.review.topic import norm_stem
from builder.text import STOPWORDS
from builder.text.cues import CLAIM_NEGATIONS, opposite_polarity


def _claim_tokens(text: str) -> set[str]:
    return {norm_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS or w in CLAIM_NEGATIONS}


def check_claim_pairs(ctx: ReviewContext) -> CheckResult:
    """duplicate-claim for near-identical texts; conflicting-claims for similar texts of opposite polarity."""
    config = ctx.config
    findings: list[Finding] = []
    claims = list(ctx.report.claims)
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
                containment >= config.duplicate_containment and len(shorter) >= config.duplicate_min_words
            )
            # Near-identical texts of opposite polarity ("can" / "cannot outperform") conflict; they do not repeat.
            polarity = (
                opposite_polarity(words[i], words[j]) if duplicate or jaccard >= config.conflict_jaccard else None
            )
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
                        f"“{short(claims[j].claim.text)}”",
                        second,
                    )
                )
    return CheckResult(tuple(findings))


def check_verdicts(ctx: ReviewContext) -> CheckResult:
    """too-few-verified, unverified/weak/contradicted claims, and confidences that contradict or lack a reason."""
    config, threshold = ctx.config, ctx.threshold
    findings: list[Finding] = []
    claims = ctx.report.claims
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
        elif v.verified and v.confidence < threshold + config.weak_margin:
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
    return CheckResult(tuple(findings))


def check_contested(ctx: ReviewContext) -> CheckResult:
    """contested-claim: one warning per claim and paper of the report that contradicts it."""
    return CheckResult(tuple(contested_findings(ctx.report)))
