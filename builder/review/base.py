"""What the checks share: prose word lists, the labels and quotes of messages, and the order of findings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from builder.hygiene import balance_bidi
from builder.models import ClaimResult, Finding
from builder.text import normalise_space

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def words(text: str) -> list[str]:
    """A word list written as prose, so long vocabularies stay readable."""
    return text.split()


def claim_label(result: ClaimResult) -> str:
    return result.claim.id or "claim"


def short(text: str, limit: int = 70) -> str:
    text = normalise_space(text)
    return text if len(text) <= limit else balance_bidi(text[: limit - 1].rstrip() + "…")  # a cut may split an isolate


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
