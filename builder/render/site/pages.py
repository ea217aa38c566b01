"""The site's other pages: the home page (every report), the papers page and the all-claims page.

Their tables list every report, paper or claim, so they are `Spliced` into the built pages after the engine ran
(`markdown.py`): none of the three is in the search index, and no table holds a heading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from markupsafe import Markup

from builder.models import Report
from builder.render.site.claim_rows import ReportRows
from builder.render.site.markdown import PageText, Spliced, front_matter, raw, spliced_page
from builder.render.site.model import HomeRow, PaperEntry, SiteIndex
from builder.render.site.page_cache import PageCache
from builder.render.site.templates import render

SITE_NAME = "Literature-synthesis reports"
Model = TypeVar("Model")


def index_markdown(
    site: SiteIndex, cache: PageCache | None = None, identities: Mapping[str, str] | None = None
) -> PageText:
    """The home page: what the site is, every report in one table, and the reports that failed to build. The
    table's rows are rendered one report at a time, each read back from `cache` when the report and its links
    are unchanged (the report keyed by its identity when `identities` has it)."""
    chunks = []
    for row in site.home:
        identity = (identities or {}).get(row.report.slug)
        stand_in = (identity, row.href, row.pdf) if identity else None
        chunks.append(_chunk(cache, f"index.md#{row.report.slug}", row, _home_row, stand_in))
    parts: list[str | Spliced] = [
        # Not in the search index, as the papers and claims pages are not: every report it lists is its own page, which
        # is; and a section listing a thousand reports is more than Zensical's index takes (32,768 token positions).
        front_matter(None, hide=["toc"], searchable=False) + f"# {SITE_NAME}",
        raw(render("home/intro.html.j2", site=site)),
        "## Reports",
        Spliced("reports", raw(render("home/reports.html.j2", site=site, chunks=chunks))),
    ]
    if site.failed:
        parts += ["## Failed builds", raw(render("home/failed.html.j2", site=site))]
    return spliced_page(*parts)


def papers_markdown(
    site: SiteIndex, cache: PageCache | None = None, identities: Mapping[str, str] | None = None
) -> PageText:
    """Every paper with the reports and claims that use it; its rows rendered one per paper, each read back from
    `cache` when the paper and its uses are unchanged (the reports that use it keyed by their identities when
    `identities` has them all)."""
    chunks = []
    known = identities or {}
    for entry in site.papers:
        stand_in = None
        if all(use.report.slug in known for use in entry.uses):
            uses = tuple((known[u.report.slug], u.number, tuple(c.id for c in u.claims)) for u in entry.uses)
            stand_in = (entry.paper, uses)
        chunks.append(_chunk(cache, f"papers.md#{entry.paper.arxiv_id}", entry, _paper_row, stand_in))
    return spliced_page(
        # Not in the search index: each paper is in the references of the report pages that cite it, which are.
        front_matter("Papers", hide=["toc", "navigation"], searchable=False) + "# Papers",
        raw(render("papers/intro.html.j2", site=site)),
        Spliced("papers", raw(render("papers/table.html.j2", site=site, chunks=chunks))),
    )


def _chunk(cache: PageCache | None, name: str, model: Model, make: Callable[[Model], str], stand_in: object) -> Markup:
    """One row group of a table: `make(model)`, or what it gave last time, from `cache` (`PageCache.text`)."""
    text = cache.text(name, model, make, stand_in) if cache else make(model)
    return Markup(text.rstrip("\n"))  # our own HTML, escaped when it was rendered


def _home_row(row: HomeRow) -> str:
    return render("home/row.html.j2", row=row)


def _paper_row(entry: PaperEntry) -> str:
    return render("papers/row.html.j2", entry=entry)


def claims_markdown(
    site: SiteIndex, cache: PageCache | None = None, identities: Mapping[str, str] | None = None
) -> PageText:
    """Every claim of every report in one table; its rows rendered in chunks, one per report, each read back from
    `cache` when the report's rows are unchanged (keyed by the report's identity when `identities` has it: the
    rows are a function of the report and of what of the table `claim_row.html.j2` reads)."""
    table = site.claims
    chunks = []
    for group in table.groups:
        slug = group.report.slug
        if not group.report.claims:
            continue
        # The chunk's model: what its rows are made from (`ReportRows`, made only when the chunk is rendered) and what
        # of the table `claim_row.html.j2` reads.
        model = (table.with_report, table.page, table.columns, group.report, group.id_prefix)
        identity = (identities or {}).get(slug)
        stand_in = (identity, *model[:3]) if identity else None
        chunks.append(_chunk(cache, f"claims.md#{slug}", model, _rows, stand_in))
    return spliced_page(
        # Every claim here is also on its report's page: indexing it twice would double the search index and
        # send a reader to a page of thousands of rows instead of the claim's report (and costs 10% of the build).
        front_matter("Claims", hide=["toc", "navigation"], searchable=False) + "# Claims",
        raw(render("claims/intro.html.j2", table=table, site=site)),
        Spliced("filters", raw(render("claim_filters.html.j2", table=table))),
        Spliced("claims", raw(render("claims_table.html.j2", table=table, chunks=chunks, empty="No claims."))),
    )


def _rows(model: tuple[bool, str, int, Report, tuple[str, ...]]) -> str:
    with_report, on_page, columns, report, id_prefix = model
    table = {"with_report": with_report, "page": on_page, "columns": columns}
    return render("claim_rows.html.j2", table=table, rows=ReportRows(report, id_prefix).rows)
