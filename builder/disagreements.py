"""Where the papers disagree: claims a paper contradicts, as review findings that name both papers.

A claim is *contested* when any paper of the report (its own source included) contradicts it
(`Verdict.contradicts`, decided by the verifier); the finding quotes the contradicting sentence so a reader
can check it against the claim.
"""

from __future__ import annotations

from builder.models import Finding, Report

QUOTE_CHARS = 240  # a contradicting sentence is quoted up to this length in a finding


def _who(report: Report, arxiv_id: str) -> str:
    from builder.report import cite  # report.py builds on the review, which builds on this module

    numbers = {p.arxiv_id: n for n, p in enumerate(report.papers, start=1)}
    try:
        paper = report.paper(arxiv_id)
    except KeyError:
        return f"arXiv:{arxiv_id}"
    return f"[{numbers[arxiv_id]}] {cite(paper)}"


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
            findings.append(Finding("contested-claim", "warning", f"{who}, {where}: “{quote}”{reason}", claim.id))
    return findings
