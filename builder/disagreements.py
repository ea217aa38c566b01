"""Where the papers disagree: pairs of papers that contradict each other, and review findings naming both.

A claim is *contested* when any paper of the report (its own source included) contradicts it
(`Verdict.contradicts`, decided by the verifier). `find_disagreements` turns the contradictions between two
different papers into the report's list of disagreements, each pair once; the findings quote the
contradicting sentence so a reader can check it against the claim.
"""

from __future__ import annotations

from collections.abc import Sequence

from builder.models import ClaimResult, Disagreement, Finding, FindingCode, Report
from builder.standalone import author_label

QUOTE_CHARS = 240  # a contradicting sentence is quoted up to this length in a finding


def _who(report: Report, arxiv_id: str) -> str:
    numbers = report.reference_numbers
    try:
        paper = report.paper(arxiv_id)
    except KeyError:
        return f"arXiv:{arxiv_id}"
    return f"[{numbers[arxiv_id]}] {author_label(paper)}"


def find_disagreements(claims: Sequence[ClaimResult]) -> tuple[Disagreement, ...]:
    """Every (claim, other paper that contradicts it), in claim order; a pair seen from both sides counts once
    (C1 of paper A against sentence 3 of B, and C4 made from that sentence against A)."""
    made_from = {
        (r.claim.source, r.claim.sentence_index): r.claim.id for r in claims if r.claim.sentence_index is not None
    }
    seen: set[frozenset[tuple[str, str]]] = set()
    out = []
    for result in claims:
        claim = result.claim
        for judgement in result.verdict.contradicts:
            if judgement.arxiv_id == claim.source:
                continue
            other_id = made_from.get((judgement.arxiv_id, judgement.sentence_index))
            # The same two sentences, whichever claim came first: a claim's sentence is its quote (or its text).
            mine = (claim.source, " ".join((claim.quote or claim.text).split()).lower())
            theirs = (judgement.arxiv_id, " ".join(judgement.sentence.split()).lower())
            key = frozenset({mine, theirs})
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Disagreement(
                    claim_id=claim.id,
                    claim_paper=claim.source,
                    claim_sentence=claim.quote or claim.text,
                    other_paper=judgement.arxiv_id,
                    other_sentence_index=judgement.sentence_index,
                    other_sentence=judgement.sentence,
                    other_claim_id=other_id,
                    note=judgement.note,
                )
            )
    return tuple(out)


def contested_findings(report: Report) -> list[Finding]:
    """One `contested-claim` warning per (claim, contradicting paper)."""
    findings = []
    for result in report.claims:
        claim = result.claim
        for judgement in result.verdict.contradicts:
            quote = judgement.sentence
            if len(quote) > QUOTE_CHARS:
                quote = quote[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
            if judgement.arxiv_id == claim.source:
                who = f"{claim.id} is contradicted by its own source {_who(report, claim.source)}"
            else:
                who = (
                    f"{claim.id} (from {_who(report, claim.source)}) is contradicted by "
                    f"{_who(report, judgement.arxiv_id)}"
                )
            reason = f" ({judgement.note})" if judgement.note else ""
            where = f"sentence {judgement.sentence_index + 1}"
            message = f"{who}, {where}: “{quote}”{reason}"
            findings.append(Finding(FindingCode.CONTESTED_CLAIM, "warning", message, claim.id))
    return findings
