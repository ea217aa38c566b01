"""The report's claims: extracted from its papers, then the ones a person wrote in the spec."""

from __future__ import annotations

from dataclasses import replace

from builder.extract import extract_claims
from builder.models import Claim, Paper, split_arxiv_id
from builder.spec import LoadedSpec


def collect_claims(loaded: LoadedSpec, papers: list[Paper]) -> list[Claim]:
    """Extracted claims first (paper order), spec claims after; ids C1..Cn follow that order."""
    settings = loaded.spec.settings
    extracted = extract_claims(
        papers, loaded.spec.question, max_claims=settings.max_claims, per_paper=settings.claims_per_paper
    )
    written = [
        Claim(
            id="",
            text=" ".join(item.text.split()),
            origin="spec",
            source=split_arxiv_id(item.source)[0],
            spec_line=line or None,
        )
        for item, line in zip(loaded.spec.claims, loaded.claim_lines or [0] * len(loaded.spec.claims), strict=False)
    ]
    return [replace(claim, id=f"C{number}") for number, claim in enumerate([*extracted, *written], start=1)]
