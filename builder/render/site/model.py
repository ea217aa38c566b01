"""What the site's pages show, decided before any template runs: `site_index(...)` builds one `SiteIndex`.

The templates only format. Everything that selects, orders, counts, numbers or looks up is decided here, as
pure functions of the reports: the order of the reports (newest first) and so of the navigation, the papers of
the papers page with the reports and claims that use each, the figure numbers, which download links are safe;
with the rows of the claims tables and their filters (`claim_rows.py`) and which "[3]" and "C7" in the prose
are links (`prose.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property

from builder.models import Claim, ClaimStatus, Counts, Paper, Report, ReviewerReport, Theme
from builder.render.plots import PlotFile
from builder.render.site.claim_rows import ClaimTable, all_claims, report_claims
from builder.render.site.escape import html_id, relative, report_href, report_page
from builder.render.site.prose import Paragraph, prose
from builder.render.site.report_tables import MatrixTable, ResultTable, matrix_table, result_table

DOWNLOAD_LABELS = (("pdf", "PDF"), ("bib", "BibTeX (.bib)"), ("json", "JSON manifest"))
# What each status means for a claim: the home page's headline.
STATUS_PHRASES = {
    ClaimStatus.CORROBORATED: "a paper other than their source supports them",
    ClaimStatus.CONTESTED: "a paper of their report contradicts them",
    ClaimStatus.STATED: "only their own source states them",
    ClaimStatus.UNSUPPORTED: "no paper supports them",
}


# ------------------------------------------------------------------------------------------------ reports


@dataclass(frozen=True)
class Figure:
    number: int  # "Figure 1", in the order the plots were drawn
    plot: PlotFile
    src: str  # relative to the report page


@dataclass(frozen=True)
class ReportPage:
    """One report's page: the report, and what its page links to."""

    report: Report
    page: str  # docs-relative path of the page
    downloads: tuple[tuple[str, str], ...]  # (label, href) of the downloads whose path is safe to link
    figures: tuple[Figure, ...]
    cite: dict[int, str] = field(default_factory=dict)  # reference number -> "#ref-n"
    claim_refs: dict[str, str] = field(default_factory=dict)  # claim id -> "#claim-C7"

    # The page's tables, made when its page is rendered: a page read back from the page cache needs none.
    @cached_property
    def claims(self) -> ClaimTable:
        return report_claims(self.report)

    @cached_property
    def matrix(self) -> MatrixTable:
        """The evidence matrix (`Report.evidence_matrix`)."""
        return matrix_table(self.report)

    @cached_property
    def results(self) -> ResultTable:
        """The quantitative results (`Report.results_table`)."""
        return result_table(self.report)

    def prose(self, text: str, *, links: bool = True) -> tuple[Paragraph, ...]:
        """The report's prose as paragraphs; "[n]" and "C7" link inside the page unless `links` is False."""
        return prose(text, self.cite, self.claim_refs) if links else prose(text)

    def theme_prose(self, theme: Theme) -> tuple[Paragraph, ...]:
        """A theme of the synthesis as one paragraph of its sentences."""
        return self.prose(" ".join(s.text for s in theme.sentences))

    @property
    def reviewers(self) -> tuple[tuple[ReviewerReport, int], ...]:
        """Each reviewer with the number of its findings."""
        return tuple((r, len(r.findings)) for r in self.report.review.reviewers)

    def claim_href(self, claim_id: str | None) -> str | None:
        return self.claim_refs.get(claim_id) if claim_id else None

    def reference_href(self, arxiv_id: str) -> str | None:
        """'#ref-3' for a paper of the report, None for any other id."""
        number = self.report.reference_numbers.get(arxiv_id)
        return f"#ref-{number}" if number else None


def _downloads(slug: str, downloads: Mapping[str, Mapping[str, str]], page: str) -> tuple[tuple[str, str], ...]:
    links = []
    for key, label in DOWNLOAD_LABELS:
        href = relative(downloads.get(slug, {}).get(key, ""), page)
        if href:
            links.append((label, href))
    return tuple(links)


def report_view(
    report: Report, downloads: Mapping[str, Mapping[str, str]], figures: Sequence[tuple[PlotFile, str]]
) -> ReportPage:
    """`figures`: each plot with its SVG's docs-relative path."""
    page = report_page(report.slug)
    return ReportPage(
        report=report,
        page=page,
        downloads=_downloads(report.slug, downloads, page),
        figures=tuple(Figure(n, plot, relative(path, page) or path) for n, (plot, path) in enumerate(figures, start=1)),
        cite={n: f"#ref-{n}" for n in range(1, len(report.papers) + 1)},
        claim_refs={r.claim.id: f"#{html_id('claim', r.claim.id)}" for r in report.claims},
    )


# ------------------------------------------------------------------------------------------------- papers


@dataclass(frozen=True)
class PaperUse:
    """A report that cites a paper: its reference number there and the claims that come from it."""

    report: Report
    number: int
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class PaperEntry:
    paper: Paper
    uses: tuple[PaperUse, ...]

    @property
    def claim_count(self) -> int:
        return sum(len(use.claims) for use in self.uses)

    @property
    def report_count(self) -> int:
        return len(self.uses)


def paper_entries(reports: Sequence[Report]) -> tuple[PaperEntry, ...]:
    """Every paper of the reports (as the first report that uses it holds it), newest first, then by title."""
    papers: dict[str, Paper] = {}
    uses: dict[str, list[PaperUse]] = {}
    for report in reports:
        for number, paper in enumerate(report.papers, start=1):
            papers.setdefault(paper.arxiv_id, paper)
            claims = tuple(r.claim for r in report.claims if r.claim.source == paper.arxiv_id)
            uses.setdefault(paper.arxiv_id, []).append(PaperUse(report, number, claims))
    ordered = sorted(papers.items(), key=lambda kv: (-kv[1].year, kv[1].title.lower(), kv[0]))
    return tuple(PaperEntry(paper, tuple(uses[arxiv_id])) for arxiv_id, paper in ordered)


# --------------------------------------------------------------------------------------------------- site


@dataclass(frozen=True)
class HomeRow:
    report: Report
    href: str  # the report page, from the home page
    pdf: str | None  # the PDF download, from the home page; None when there is none to link


NAV_FLAT_UP_TO = 30  # reports listed one by one in the navigation; more are grouped by month (`SiteIndex.nav`)
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class SiteIndex:
    """Everything the pages show beyond the reports themselves, and the navigation."""

    reports: tuple[ReportPage, ...]  # newest first: the home page's order and the navigation's
    home: tuple[HomeRow, ...]
    failed: tuple[tuple[str, str], ...]  # (slug, message) of the reports that failed to build, by slug
    papers: tuple[PaperEntry, ...]
    claims: ClaimTable

    @property
    def report_count(self) -> int:
        return len(self.reports)

    @property
    def paper_count(self) -> int:
        return len(self.papers)

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    @property
    def claim_count(self) -> int:
        return sum(p.report.counts.claims for p in self.reports)

    @property
    def status_counts(self) -> tuple[tuple[str, int, str], ...]:
        """(status, how many claims of all the reports have it, what it means), in `Counts.by_status` order: the
        home page's headline. The four add up to `claim_count`."""
        total = Counts(*(sum(getattr(p.report.counts, f.name) for p in self.reports) for f in fields(Counts)))
        return tuple((status.value, count, STATUS_PHRASES[status]) for status, count in total.by_status)

    @property
    def nav(self) -> list[object]:
        """MkDocs' `nav`: home, the reports (newest first, as on the home page), then the papers and claims.

        More than `NAV_FLAT_UP_TO` reports are grouped by month ("July 2026"). With Material's
        `navigation.prune` (mkdocs.yml), a page's sidebar then holds the reports of its own month and the other
        months' names, not every report: on 200 reports that made pages a third smaller and `mkdocs build` a
        quarter faster, and a sidebar of hundreds of titles serves no reader (the home page lists them all)."""
        nav: list[object] = [{"Home": "index.md"}]
        if len(self.reports) > NAV_FLAT_UP_TO:
            months: dict[str, list[str]] = {}
            for view in self.reports:
                date = view.report.date
                months.setdefault(f"{MONTHS[date.month - 1]} {date.year}", []).append(view.page)
            nav.append({"Reports": [{month: pages} for month, pages in months.items()]})
        elif self.reports:
            nav.append({"Reports": [p.page for p in self.reports]})
        return [*nav, "papers.md", "claims.md"]


def order_reports(reports: Sequence[Report]) -> list[Report]:
    """Newest first, then by title and slug."""
    return sorted(reports, key=lambda r: (-r.date.toordinal(), r.title.lower(), r.slug))


def site_index(
    reports: Sequence[Report],
    downloads: Mapping[str, Mapping[str, str]],
    figures: Mapping[str, Sequence[tuple[PlotFile, str]]],
    failed: Mapping[str, str],
) -> SiteIndex:
    """The site's model. `downloads`: slug -> kind -> docs-relative path; `figures`: slug -> (plot, SVG path)."""
    ordered = order_reports(reports)
    return SiteIndex(
        reports=tuple(report_view(r, downloads, figures.get(r.slug, ())) for r in ordered),
        home=tuple(
            HomeRow(r, report_href(r.slug, "index.md"), relative(downloads.get(r.slug, {}).get("pdf", ""), "index.md"))
            for r in ordered
        ),
        failed=tuple(sorted(failed.items())),
        papers=paper_entries(ordered),
        claims=all_claims(ordered),
    )
