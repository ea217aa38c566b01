"""The site's model (`builder.render.site.model.site_index`): what the pages select, order, count and link,
decided before any template runs, and the navigation handed to MkDocs instead of read back from a page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import yaml
from factories import GARCIA_FERRERO, MAYHEW, POLITOV, WU, make_report

from builder.render.site import build_site, site_index, write_docs
from builder.render.site.markdown import SPLICES
from builder.render.site.prose import Segment, prose

ROOT = Path(__file__).resolve().parents[1]


def reports() -> list:
    older = make_report(slug="older", title="Older", date=dt.date(2025, 1, 1), papers=(WU, MAYHEW), claims=())
    newer = make_report()  # 2026-07-05, four papers, six claims from three of them
    same_day = make_report(slug="also-new", title="Also new")
    return [older, newer, same_day]


def test_reports_newest_first_and_the_nav_follows() -> None:
    site = site_index(reports(), {}, {}, {"zz": "b", "aa": "a"})
    assert [p.report.slug for p in site.reports] == ["also-new", "projection-ner-low-resource", "older"]
    assert site.nav == [
        {"Home": "index.md"},
        {"Reports": ["reports/also-new.md", "reports/projection-ner-low-resource.md", "reports/older.md"]},
        "papers.md",
        "claims.md",
    ]
    assert site.failed == (("aa", "a"), ("zz", "b"))
    assert (site.report_count, site.claim_count, site.failed_count) == (3, 12, 2)
    # The home page's headline: the claims by status, which add up to the claims (each factory report: C4
    # corroborated, C5 contested, C1-C3 stated, C6 unsupported), in the abstract's order.
    assert [(status, count) for status, count, _ in site.status_counts] == [
        ("corroborated", 2),
        ("contested", 2),
        ("stated", 6),
        ("unsupported", 2),
    ]
    assert site_index([], {}, {}, {}).nav == [{"Home": "index.md"}, "papers.md", "claims.md"]


def test_papers_with_the_reports_and_claims_that_use_them() -> None:
    site = site_index(reports(), {}, {}, {})
    assert [e.paper.arxiv_id for e in site.papers] == [
        POLITOV.arxiv_id,
        MAYHEW.arxiv_id,
        GARCIA_FERRERO.arxiv_id,
        WU.arxiv_id,
    ]  # newest first
    wu = site.papers[-1]
    assert [(u.report.slug, u.number, [c.id for c in u.claims]) for u in wu.uses] == [
        ("also-new", 3, ["C4"]),
        ("projection-ner-low-resource", 3, ["C4"]),
        ("older", 1, []),
    ]
    assert (wu.report_count, wu.claim_count) == (3, 2)


def test_claims_tables_rows_and_filters() -> None:
    report = make_report()
    site = site_index([report], {}, {}, {})
    table = site.reports[0].claims
    assert [p.arxiv_id for p in table.sources] == [
        POLITOV.arxiv_id,
        GARCIA_FERRERO.arxiv_id,
        WU.arxiv_id,
        MAYHEW.arxiv_id,
    ]
    row = table.rows[3]  # C4, a spec claim citing [3], corroborated by [4]
    assert (row.row_id, row.detail_id, row.source_sort, row.id_sort, row.status_rank) == (
        "claim-C4",
        "claim-C4-evidence",
        "003",
        "C000004",
        3,
    )
    assert row.source_href == "https://arxiv.org/abs/2004.12440v2" and row.source_citation.startswith("[3] Wu")
    assert [(j.heading, j.href) for j in row.judgements] == [
        ("Supported by", "https://arxiv.org/abs/2004.12440v2"),
        ("Supported by", "https://arxiv.org/abs/2311.09122v3"),
    ]
    assert (table.total, table.verified, table.columns) == (6, 4, 6)
    everything = site.claims
    assert everything.rows[0].row_id == "c-projection-ner-low-resource-C1" and everything.columns == 7
    assert everything.report_options == (("projection-ner-low-resource", report.title),)
    assert [v for v, _ in everything.source_options] == sorted(p.arxiv_id for p in report.papers)
    one_source = dataclasses.replace(report, claims=report.claims[:1])
    assert [p.arxiv_id for p in site_index([one_source], {}, {}, {}).reports[0].claims.sources] == [POLITOV.arxiv_id]


def test_downloads_and_figures_are_decided_in_the_model() -> None:
    downloads = {"projection-ner-low-resource": {"pdf": "downloads/x.pdf", "bib": "../x.bib", "json": "javascript:1"}}
    site = site_index([make_report()], downloads, {}, {})
    assert site.reports[0].downloads == (("PDF", "../downloads/x.pdf"),)  # unsafe paths are not linked
    assert site.home[0].pdf == "downloads/x.pdf" and site.home[0].href == "reports/projection-ner-low-resource.html"


def test_prose_links_only_known_references_and_claims() -> None:
    paragraphs = prose("See [1] and C2,\n  not [9] or C99.\n\n\nNext", {1: "#ref-1"}, {"C2": "#claim-C2"})
    assert paragraphs == (
        (
            Segment("See "),
            Segment("[1]", "#ref-1"),
            Segment(" and "),
            Segment("C2", "#claim-C2"),
            Segment(", not [9] or C99."),
        ),
        (Segment("Next"),),
    )
    assert prose("  \n\n ") == ()


def _nav_order(site: Path) -> list[str]:
    """The report pages in the order the home page's navigation links them (the page itself links none; Zensical
    writes the nav's links as `./reports/...`)."""
    html = (site / "index.html").read_text(encoding="utf-8")
    return list(dict.fromkeys(re.findall(r'href="(?:\./)?(reports/[^"#]+\.html)"', html)))


def test_build_site_takes_the_nav_it_is_given(tmp_path: Path, site_engine: str) -> None:
    docs = tmp_path / "docs"
    site = write_docs(reports(), docs, {}, {})
    (docs / "index.md").write_text("# Home\n\nNo links to any report here.\n", encoding="utf-8")  # not read back
    shutil.rmtree(docs / SPLICES / "index")  # its table of every report, which would go into the page
    options = {"config": ROOT / "mkdocs.yml", "engine": site_engine, "work_dir": tmp_path / "work"}
    generated = tmp_path / ("mkdocs.docs.yml" if site_engine == "mkdocs" else "work/mkdocs.yml")
    build_site(docs, tmp_path / "site", nav=site.nav, **options)
    config = yaml.safe_load(generated.read_text(encoding="utf-8"))
    assert config["nav"] == site.nav
    assert not (tmp_path / "site" / ".nav.json").exists()  # the recorded nav stays out of the site
    pages = [page.removesuffix(".md") + ".html" for page in site.nav[1]["Reports"]]
    assert _nav_order(tmp_path / "site") == pages
    reordered = [site.nav[0], {"Reports": site.nav[1]["Reports"][::-1]}, "claims.md", "papers.md"]
    build_site(docs, tmp_path / "site2", nav=reordered, **options)
    assert yaml.safe_load(generated.read_text(encoding="utf-8"))["nav"] == reordered
    assert _nav_order(tmp_path / "site2") == pages[::-1]


def many_reports(count: int) -> list:
    """`count` small reports, two a month from December 2026 back."""
    months = [2026 * 12 + 11 - number // 2 for number in range(count)]  # December 2026 = 2026 * 12 + 11
    return [
        make_report(slug=f"r{n:02d}", title=f"Report {n:02d}", date=dt.date(m // 12, m % 12 + 1, 1), claims=())
        for n, m in enumerate(months)
    ]


def test_more_than_thirty_reports_are_grouped_by_month_in_the_nav() -> None:
    flat = site_index(many_reports(30), {}, {}, {}).nav
    assert flat[1] == {"Reports": [f"reports/r{n:02d}.md" for n in range(30)]}
    grouped = site_index(many_reports(31), {}, {}, {}).nav
    months = grouped[1]["Reports"]
    assert months[0] == {"December 2026": ["reports/r00.md", "reports/r01.md"]}
    assert list(months[-1]) == ["September 2025"] and len(months) == 16  # newest first, as on the home page
    assert [page for month in months for page in next(iter(month.values()))] == [
        f"reports/r{n:02d}.md" for n in range(31)
    ]


def test_a_grouped_nav_shows_a_page_its_own_months_reports_only(tmp_path: Path, site_engine: str) -> None:
    docs = tmp_path / "docs"
    site = write_docs(many_reports(31), docs, {}, {})
    options = {"config": ROOT / "mkdocs.yml", "engine": site_engine, "work_dir": tmp_path / "work"}
    build_site(docs, tmp_path / "site", nav=site.nav, **options)
    page = (tmp_path / "site" / "reports" / "r05.html").read_text(encoding="utf-8")
    sidebar = set(re.findall(r'href="(?:\./|\.\./)?(?:reports/)?(r\d\d)\.html"', page))
    assert {"r04", "r05"} <= sidebar  # its own month, October 2026
    # Another month is pruned to its name, a link to its first report (r10 for July 2026): not its others.
    assert {"r10", "r30"} <= sidebar and "r11" not in sidebar and "r29" not in sidebar
    assert "December 2026" in page and "September 2025" in page
