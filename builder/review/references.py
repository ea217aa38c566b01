"""The check of the report's references: missing-reference."""

from __future__ import annotations

from builder.models import Finding, FindingCode
from builder.review.context import CheckResult, ReviewContext


def check_references(ctx: ReviewContext) -> CheckResult:
    """missing-reference: a claim's source or evidence not among the papers; a paper no claim uses (info).

    Measures: "traceable", the share of claims whose source and evidence papers are all listed (1 without claims).
    """
    report = ctx.report
    ids = {p.arxiv_id for p in ctx.papers}
    findings: list[Finding] = []
    used: set[str] = set()
    traceable = 0
    for r in report.claims:
        absent = []
        if r.claim.source not in ids:
            absent.append(f"its source arXiv:{r.claim.source}")
        used.add(r.claim.source)
        for ev in r.verdict.evidence:
            used.add(ev.arxiv_id)
            if ev.arxiv_id not in ids and f"evidence arXiv:{ev.arxiv_id}" not in absent:
                absent.append(f"evidence arXiv:{ev.arxiv_id}")
        if absent:
            findings.append(
                Finding(
                    FindingCode.MISSING_REFERENCE,
                    "error",
                    f"{r.claim.id} cites {' and '.join(absent)}, not in the report's references",
                    r.claim.id,
                )
            )
        else:
            traceable += 1
    for paper in ctx.papers:
        if paper.arxiv_id not in used:
            findings.append(
                Finding(
                    FindingCode.MISSING_REFERENCE,
                    "info",
                    f"arXiv:{paper.arxiv_id} is listed in the references but no claim or evidence uses it",
                )
            )
    return CheckResult(tuple(findings), {"traceable": traceable / len(report.claims) if report.claims else 1.0})
