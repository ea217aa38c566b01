"""The rows of the claims tables, with everything a row shows that is looked up, ordered or numbered.

A report page has one table of its claims (`report_claims`), the all-claims page one of every report's
(`all_claims`). Each row carries its ids, its sort keys, its source paper's link and the judgements the
model shows under it (`Verdict.shown`) with the papers they name linked on arXiv.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from builder.models import Claim, ClaimResult, Paper, PaperVerdict, Report
from builder.render.site.escape import arxiv_abs, html_id, paper_abs, report_page

# Sort rank of a claim's status in the "Support" column: most telling first when sorted descending.
STATUS_RANK = {"corroborated": 3, "stated": 2, "unsupported": 1, "contested": 0}


def paper_of(report: Report, arxiv_id: str) -> Paper | None:
    """The report's paper with that id, or None."""
    try:
        return report.paper(arxiv_id)
    except KeyError:
        return None


@dataclass(frozen=True)
class Judgement:
    """One judgement under a claim (`Verdict.shown`), with the paper it names linked on arXiv."""

    heading: str
    judgement: PaperVerdict
    href: str  # the paper on arXiv, at its stored version when the report has it
    citation: str  # `Report.citation`: '[3] Politov et al. (2025)' or 'arXiv:<id>'


@dataclass(frozen=True)
class ClaimRow:
    """One claim of a claims table: the claim row and its evidence row."""

    report: Report
    result: ClaimResult
    row_id: str
    source_href: str | None  # the source paper on arXiv; None when the id is not a paper of the report
    source_sort: str  # its reference number, zero-padded ("999" when none)
    id_sort: str  # the claim id with its numbers zero-padded, so C10 sorts after C9
    confidence: float  # the verdict's confidence within [0, 1], for the bar
    status_rank: int  # `STATUS_RANK` of the claim's status
    origin: str  # `Report.origin`
    judgements: tuple[Judgement, ...]

    @property
    def claim(self) -> Claim:
        return self.result.claim

    @property
    def detail_id(self) -> str:
        return self.row_id + "-evidence"

    @property
    def source_citation(self) -> str:
        return self.report.citation(self.claim.source)


@dataclass(frozen=True)
class ReportRows:
    """One report's rows of a claims table, made when first read: the all-claims page reads only the rows of the
    reports whose chunk is not cached (`pages.claims_markdown`)."""

    report: Report
    id_prefix: tuple[str, ...]  # `html_id`'s parts before the claim id: ("claim",) on the report's page

    @cached_property
    def rows(self) -> tuple[ClaimRow, ...]:
        return tuple(claim_row(self.report, r, html_id(*self.id_prefix, r.claim.id)) for r in self.report.claims)


@dataclass(frozen=True)
class ClaimTable:
    """A claims table with its filters: one report's (`with_report` False) or every report's."""

    table_id: str
    page: str  # the page it is on, docs-relative, for the links of its report column
    caption: str
    groups: tuple[ReportRows, ...]  # the rows, report by report
    sources: tuple[Paper, ...]  # the papers some claim of the table comes from: the "Source paper" filter
    reports: tuple[Report, ...] = ()  # the "Report" filter of the all-claims table
    with_report: bool = False

    @property
    def rows(self) -> tuple[ClaimRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    @property
    def columns(self) -> int:
        return 7 if self.with_report else 6

    @property
    def total(self) -> int:
        return sum(len(group.report.claims) for group in self.groups)

    @property
    def verified(self) -> int:
        return sum(result.verdict.verified for group in self.groups for result in group.report.claims)

    @property
    def report_options(self) -> tuple[tuple[str, str], ...]:
        """(value, text) of the "Report" filter's options."""
        return tuple((r.slug, r.title) for r in self.reports)

    @property
    def source_options(self) -> tuple[tuple[str, str], ...]:
        """(value, text) of the "Source paper" filter's options."""
        return tuple((p.arxiv_id, f"{p.label}: {p.title}") for p in self.sources)


def _judgement(report: Report, heading: str, judgement: PaperVerdict) -> Judgement:
    paper = paper_of(report, judgement.arxiv_id)
    href = paper_abs(paper) if paper else arxiv_abs(judgement.arxiv_id)
    return Judgement(heading, judgement, href, report.citation(judgement.arxiv_id))


def claim_row(report: Report, result: ClaimResult, row_id: str) -> ClaimRow:
    claim, verdict = result.claim, result.verdict
    source = paper_of(report, claim.source)
    return ClaimRow(
        report=report,
        result=result,
        row_id=row_id,
        source_href=paper_abs(source) if source else None,
        source_sort=f"{report.reference_numbers.get(claim.source, 999):03d}",
        id_sort=re.sub(r"\d+", lambda m: m.group(0).zfill(6), claim.id),
        confidence=min(1.0, max(0.0, verdict.confidence)),
        status_rank=STATUS_RANK[verdict.status.value],
        origin=report.origin(claim),
        judgements=tuple(_judgement(report, heading, j) for heading, j in verdict.shown),
    )


def report_claims(report: Report) -> ClaimTable:
    """The report page's claims table; its source filter lists the report's papers that some claim comes from."""
    sources = {r.claim.source for r in report.claims}
    return ClaimTable(
        table_id="claims-table",
        page=report_page(report.slug),
        caption=f"{report.counts.claims} claims, {report.counts.verified} verified",
        groups=(ReportRows(report, ("claim",)),),
        sources=tuple(p for p in report.papers if p.arxiv_id in sources),
    )


def all_claims(reports: Sequence[Report]) -> ClaimTable:
    """Every claim of every report, in report order; the source filter lists their papers by arXiv id."""
    papers: dict[str, Paper] = {}
    for report in reports:
        for result in report.claims:
            paper = paper_of(report, result.claim.source)
            if paper is not None:
                papers.setdefault(paper.arxiv_id, paper)
    return ClaimTable(
        table_id="all-claims",
        page="claims.md",
        caption=f"{sum(len(r.claims) for r in reports)} claims from {len(reports)} reports",
        groups=tuple(ReportRows(report, ("c", report.slug)) for report in reports),
        sources=tuple(sorted(papers.values(), key=lambda p: p.arxiv_id)),
        reports=tuple(reports),
        with_report=True,
    )
