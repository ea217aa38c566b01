"""The MkDocs Material site: generated Markdown pages for every report, then a real `mkdocs build --strict`.

Every piece of text that comes from data (titles, claims, abstracts, author names, error messages) is
HTML-escaped and emitted inside raw HTML blocks, so Markdown syntax, `|`, `{{ }}` and `<script>` in a
claim come out literally. The only URLs written are ones built here (arxiv.org, doi.org and relative
links inside the site), never URLs taken from data. Tables are plain HTML that `site_assets/litreport.js`
makes sortable and filterable; without JavaScript they still show everything.

Page titles go into the front matter already escaped: Material inserts `page.meta.title` into `<title>`
and the navigation without escaping, whereas a title taken from a Markdown heading goes through Jinja's
`striptags`, which would turn `&lt;` back into `<`.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import quote

import yaml

from builder.errors import RenderError
from builder.models import REVIEW_PARTS, ClaimResult, Paper, PaperVerdict, Reference, Report, Review, Verdict
from builder.render.plots import PlotFile

ASSETS_SRC = Path(__file__).parent.parent / "site_assets"
ASSETS_DIR = "assets/litreport"  # inside docs_dir; mkdocs.yml names the files in extra_css / extra_javascript
FIGURES_DIR = "figures"
SITE_NAME = "Literature-synthesis reports"
DOWNLOAD_LABELS = (("pdf", "PDF"), ("bib", "BibTeX (.bib)"), ("json", "JSON manifest"))
# Characters Python-Markdown un-escapes after a backslash; escaping any other one would show the backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_WS = re.compile(r"\s+")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_CITATION = re.compile(r"\[(\d{1,3})\]")
_CLAIM_REF = re.compile(r"\bC\d{1,4}\b")


# ----------------------------------------------------------------------------------------------- escaping


def esc(text: object) -> str:
    """Escape data for HTML text or a quoted attribute, and fold whitespace so no blank line ends a raw block."""
    return html.escape(_WS.sub(" ", str(text)).strip(), quote=True)


def md_text(text: str) -> str:
    """Escape data for a Markdown heading: backslash-escape Markdown syntax, then HTML-escape."""
    folded = _WS.sub(" ", text).strip()
    return html.escape(_MD_SPECIAL.sub(r"\\\1", folded), quote=True)


def html_id(*parts: str) -> str:
    """An id attribute built from data that cannot break out of the attribute or collide across parts."""
    return "-".join(_ID_UNSAFE.sub("-", part).strip("-") or "x" for part in parts)


def paragraphs(text: str, cite: dict[int, str] | None = None, claims: dict[str, str] | None = None) -> str:
    """Prose as escaped `<p>` elements; "[3]" links to reference 3 (`cite`) and "C7" to claim C7 (`claims`)."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        if not block.strip():
            continue
        body = esc(block)
        if cite:
            body = _CITATION.sub(
                lambda m: f'<a href="{cite[int(m.group(1))]}">[{m.group(1)}]</a>' if int(m.group(1)) in cite
                else m.group(0),
                body,
            )
        if claims:
            body = _CLAIM_REF.sub(
                lambda m: f'<a href="{claims[m.group(0)]}">{m.group(0)}</a>' if m.group(0) in claims else m.group(0),
                body,
            )
        out.append(f"<p>{body}</p>")
    return "\n".join(out) if out else "<p><em>(empty)</em></p>"


def raw(*lines: str) -> str:
    """A raw HTML block: Markdown passes it through untouched only when blank lines surround it."""
    body = "\n".join(line for line in lines if line)
    return f"\n\n{body}\n\n"


def front_matter(title: str | None, hide: Sequence[str] = (), searchable: bool = True) -> str:
    """YAML front matter whose title is already HTML-escaped (see the module docstring); `hide` frees width.

    The home page passes no title, so its browser title is the site name alone rather than "name - name".
    `searchable=False` keeps a page out of the search index (Material's `search: exclude`).
    """
    meta: dict[str, object] = {"title": esc(title)} if title else {}
    if hide:
        meta["hide"] = list(hide)
    if not searchable:
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, width=10_000) + "---\n\n"


# -------------------------------------------------------------------------------------------------- URLs


def arxiv_abs(arxiv_id: str, version: int | None = None) -> str:
    ident = f"{arxiv_id}v{version}" if version else arxiv_id
    return "https://arxiv.org/abs/" + quote(ident, safe="/.")


def arxiv_pdf(paper: Paper) -> str:
    return "https://arxiv.org/pdf/" + quote(paper.versioned_id, safe="/.")


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def relative(target: str, page: str) -> str | None:
    """Link from page (docs-relative, e.g. 'reports/x.md') to a docs-relative file; None for unsafe targets."""
    target = target.replace("\\", "/")
    if not target or target.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
        return None
    normal = posixpath.normpath(target)
    if normal.startswith("../") or normal == "..":
        return None
    return quote(posixpath.relpath(normal, posixpath.dirname(page) or "."), safe="/._-~")


def report_page(slug: str) -> str:
    return f"reports/{slug}.md"


def report_href(slug: str, page: str) -> str:
    """Link to a report page; `.html` because raw HTML links are not rewritten and use_directory_urls is off."""
    return quote(posixpath.relpath(f"reports/{slug}.html", posixpath.dirname(page) or "."), safe="/._-~")


# ------------------------------------------------------------------------------------------- small pieces


def author_list(paper: Paper, limit: int = 0) -> str:
    names = list(paper.authors)
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + " et al."
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "Unknown author"


def short_cite(paper: Paper) -> str:
    """The paper's one author-year label (`Paper.label`)."""
    return paper.label


def yes_no(value: bool, yes: str, no: str) -> str:
    return f'<span class="lr-yes">✓ {yes}</span>' if value else f'<span class="lr-no">✗ {no}</span>'


def confidence_cell(result: ClaimResult) -> str:
    value = min(1.0, max(0.0, result.verdict.confidence))
    kind = "" if result.verdict.verified else " lr-bar--no"
    return (
        f'<td class="lr-nowrap" data-sort="{value:.4f}"><span class="lr-bar{kind}" aria-hidden="true">'
        f'<span class="lr-bar__fill" style="width: {value * 100:.0f}%"></span></span>'
        f'<span class="lr-num">{value:.2f}</span></td>'
    )


def support_cell(result: ClaimResult) -> str:
    verdict = result.verdict
    status = verdict.status
    rank = {"corroborated": 3, "stated": 2, "unsupported": 1, "contested": 0}[status.value]
    return f'<td data-sort="{rank}" class="lr-status lr-status--{status.value}">{status.value}</td>'


def sort_header(label: str, kind: str = "text") -> str:
    return (
        f'<th scope="col" aria-sort="none" data-type="{kind}">'
        f'<button type="button" class="lr-sort">{label}</button></th>'
    )


def table_head(caption: str, headers: Sequence[tuple[str, str]]) -> str:
    cells = "".join(sort_header(label, kind) for label, kind in headers)
    return f"<caption>{caption}</caption>\n<thead><tr>{cells}</tr></thead>"


def count_line(table_id: str, total: int) -> str:
    return f'<p class="lr-count" data-table="{table_id}" aria-live="polite">Showing {total} of {total}.</p>'


def text_filter(table_id: str, label: str) -> str:
    return (
        f'<span class="lr-field"><label for="{table_id}-q">{label}</label>'
        f'<input type="search" id="{table_id}-q" data-filter="text" placeholder="Type to filter" autocomplete="off">'
        "</span>"
    )


def select_filter(table_id: str, name: str, label: str, options: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{esc(value)}">{esc(text)}</option>' for value, text in options)
    return (
        f'<span class="lr-field"><label for="{table_id}-{name}">{label}</label>'
        f'<select id="{table_id}-{name}" data-match="{name}"><option value="">all</option>{items}</select></span>'
    )


def claim_filters(table_id: str, papers: Sequence[Paper], reports: Sequence[Report] = ()) -> str:
    """Controls for a claims table: text, verified only, by report, by paper, minimum confidence."""
    controls = [
        text_filter(table_id, "Filter claims"),
        f'<label><input type="checkbox" id="{table_id}-verified" data-require="verified"> verified only</label>',
    ]
    if reports:
        controls.append(select_filter(table_id, "report", "Report", ((r.slug, r.title) for r in reports)))
    controls.append(
        select_filter(table_id, "paper", "Source paper", ((p.arxiv_id, f"{short_cite(p)}: {p.title}") for p in papers))
    )
    controls.append(
        f'<span class="lr-field"><label for="{table_id}-min">Minimum confidence</label>'
        f'<input type="range" id="{table_id}-min" data-min="confidence" min="0" max="1" step="0.05" value="0">'
        f'<output for="{table_id}-min">0.00</output></span>'
        '<button type="reset">Clear filters</button>'
    )
    return f'<form class="lr-filters" data-table="{table_id}" hidden>' + "".join(controls) + "</form>"


# ------------------------------------------------------------------------------------------------ claims


def paper_link(arxiv_id: str, report: Report, numbers: dict[str, int]) -> str:
    """'[3] Politov et al. 2025' linked to the paper on arXiv, then its id; an unknown id links as itself."""
    try:
        paper: Paper | None = report.paper(arxiv_id)
    except KeyError:
        paper = None
    href = arxiv_abs(paper.arxiv_id, paper.version) if paper else arxiv_abs(arxiv_id)
    name = report.citation(arxiv_id)
    return f'<a href="{esc(href)}">{esc(name)}</a> (arXiv:{esc(arxiv_id)})'


def judgement_item(heading: str, judgement: PaperVerdict, report: Report, numbers: dict[str, int]) -> str:
    """One paper's judgement of the claim: its deciding sentence, the probability of the label and the reason."""
    note = f"; {esc(judgement.note)}" if judgement.note else ""
    return (
        f'<li><p class="lr-judgement lr-judgement--{judgement.stance.value.lower()}"><strong>{esc(heading)}</strong> '
        f"{paper_link(judgement.arxiv_id, report, numbers)}, "
        f"sentence {judgement.sentence_index + 1} (p={judgement.probability:.2f}){note}</p>"
        f"<blockquote>{esc(judgement.sentence)}</blockquote></li>"
    )


def judgements_html(verdict: Verdict, report: Report, numbers: dict[str, int]) -> str:
    """The judgements the model shows under a claim (`Verdict.shown`), as the PDF lists them."""
    if not verdict.shown:
        return "<p>No paper has a sentence that matches this claim.</p>"
    items = "".join(judgement_item(heading, j, report, numbers) for heading, j in verdict.shown)
    return f'<ul class="lr-judgements">{items}</ul>'


def synthesis_html(report: Report, cite: dict[int, str], claim_refs: dict[str, str]) -> str:
    """The answer, theme by theme: "[3]" links to the reference, "(C7)" to the claim's row."""
    if not report.synthesis.themes:
        return "<p>No claim of this report is supported, so it gives no answer.</p>"
    parts = []
    for theme in report.synthesis.themes:
        body = paragraphs(" ".join(x.text for x in theme.sentences), cite, claim_refs)
        parts.append(f'<h3 class="lr-theme">{esc(theme.title)}</h3>{body}<p><em>{esc(theme.consensus)}</em></p>')
    if report.synthesis.gaps:
        parts.append(
            "<p><strong>Not covered.</strong> No verified claim addresses these terms of the question: "
            f"{esc(', '.join(report.synthesis.gaps))}.</p>"
        )
    return "".join(parts)


def disagreements_html(report: Report) -> str:
    """Each pair of papers that contradict each other, both sentences quoted, linked to the claims and references."""
    if not report.disagreements:
        return "<p>No two papers of this report contradict each other on a claim.</p>"
    numbers = report.reference_numbers

    def who(arxiv_id: str) -> str:
        try:
            paper = report.paper(arxiv_id)
        except KeyError:
            return f"arXiv:{esc(arxiv_id)}"
        return f'<a href="#ref-{numbers[arxiv_id]}">[{numbers[arxiv_id]}] {esc(short_cite(paper))}</a>'

    items = []
    for d in report.disagreements:
        claims = " and ".join(f'<a href="#{html_id("claim", c)}">{esc(c)}</a>' for c in d.claim_ids)
        note = f" <em>({esc(d.note)})</em>" if d.note else ""
        items.append(
            f"<li><p>{claims}: {who(d.claim_paper)} and {who(d.other_paper)} disagree{note}.</p>"
            f"<blockquote>{esc(d.claim_sentence)}</blockquote>"
            f"<p>against sentence {d.other_sentence_index + 1} of {who(d.other_paper)}:</p>"
            f"<blockquote>{esc(d.other_sentence)}</blockquote></li>"
        )
    return f'<ol class="lr-disagreements">{"".join(items)}</ol>'


def claims_rows(
    results: Sequence[tuple[Report, ClaimResult]], page: str, *, with_report: bool, id_prefix: str
) -> list[str]:
    """One `<tbody>` per claim: the claim row and its evidence row, carrying the attributes filters read."""
    rows = []
    for report, result in results:
        claim, verdict = result.claim, result.verdict
        numbers = report.reference_numbers
        row_id = html_id(id_prefix, report.slug, claim.id) if with_report else html_id(id_prefix, claim.id)
        detail_id = row_id + "-evidence"
        ncols = 7 if with_report else 6
        try:
            source_paper: Paper | None = report.paper(claim.source)
        except KeyError:
            source_paper = None
        source = (
            f'<a href="{esc(arxiv_abs(source_paper.arxiv_id, source_paper.version))}">'
            f"[{numbers[claim.source]}] {esc(short_cite(source_paper))}</a>"
            if source_paper
            else f"arXiv:{esc(claim.source)}"
        )
        source_sort = f"{numbers.get(claim.source, 999):03d}"
        report_cell = (
            f'<td><a href="{report_href(report.slug, page)}#{html_id("claim", claim.id)}">{esc(report.title)}</a></td>'
            if with_report
            else ""
        )
        id_sort = re.sub(r"\d+", lambda m: m.group(0).zfill(6), claim.id)
        rows.append(
            f'<tbody data-verified="{int(verdict.verified)}" data-paper="{esc(claim.source)}" '
            f'data-report="{esc(report.slug)}" data-confidence="{verdict.confidence:.4f}">'
            f'<tr id="{row_id}">{report_cell}'
            f'<th scope="row" class="lr-id" data-sort="{esc(id_sort)}">{esc(claim.id)}</th>'
            f'<td class="lr-claim">{esc(claim.text)}<br>'
            f'<button type="button" class="lr-expand" aria-expanded="false" aria-controls="{detail_id}" '
            f'data-show="Show evidence" data-hide="Hide evidence" hidden>'
            f'<span class="lr-expand__label">Show evidence</span>'
            f'<span class="lr-sr-only"> for claim {esc(claim.id)}</span></button></td>'
            f'<td class="lr-nowrap" data-sort="{int(verdict.verified)}">'
            f'{yes_no(verdict.verified, "verified", "not verified")}</td>'
            f"{confidence_cell(result)}{support_cell(result)}"
            f'<td data-sort="{source_sort}">{source}</td></tr>'
            f'<tr class="lr-detail" id="{detail_id}"><td colspan="{ncols}"><div class="lr-evidence">'
            f"<p>{esc(report.origin(claim))}</p>"
            f"{judgements_html(verdict, report, numbers)}"
            f"<p><strong>Why:</strong> {esc(verdict.rationale)}</p></div></td></tr></tbody>"
        )
    return rows


def claims_table(
    results: Sequence[tuple[Report, ClaimResult]], page: str, table_id: str, caption: str, *, with_report: bool
) -> str:
    headers = [("Claim", "text"), ("Statement", "text"), ("Verified", "number"), ("Confidence", "number"),
               ("Support", "number"), ("Source", "number")]
    if with_report:
        headers.insert(0, ("Report", "text"))
    rows = claims_rows(results, page, with_report=with_report, id_prefix="claim" if not with_report else "c")
    expand_all = (
        f'<button type="button" class="lr-expand-all" data-table="{table_id}" data-expanded="false" hidden>'
        "Expand all evidence</button>"
    )
    return raw(
        expand_all,
        count_line(table_id, len(rows)),
        f'<table data-lr-table id="{table_id}">',
        table_head(caption, headers),
        *rows,
        "</table>",
    )


# ----------------------------------------------------------------------------------------------- reports


def downloads_block(slug: str, downloads: dict[str, dict[str, str]], page: str) -> str:
    links = []
    for key, label in DOWNLOAD_LABELS:
        href = relative(downloads.get(slug, {}).get(key, ""), page)
        if href:
            links.append(f'<a class="md-button" href="{esc(href)}" download>{label}</a>')
    if not links:
        return ""
    return raw('<p class="lr-downloads">Download: ' + " ".join(links) + "</p>")


def draft_banner(report: Report) -> str:
    if not report.is_draft:
        return ""
    reasons = "".join(f"<li>{esc(r)}</li>" for r in report.review.reasons)
    return raw(
        '<div class="admonition warning lr-draft" role="note">',
        f'<p class="admonition-title">Draft: this report {esc(report.status_line)}</p>',
        f"<p>Review score {report.review.score:.1f}/10, tier {esc(report.review.tier)}. "
        "Treat its conclusions as provisional.</p>",
        f"<ul>{reasons}</ul>" if reasons else "",
        "</div>",
    )


def _review_dimensions(review: Review) -> list[str]:
    if not review.dimensions:
        return []
    rows = "".join(
        f'<tr><th scope="row">{esc(d.name)}</th><td>{d.score:.1f}</td><td>{esc(d.level)}</td>'
        f"<td>{esc(d.basis)}</td></tr>"
        for d in review.dimensions
    )
    return ["### Dimensions", raw(
        "<table>", "<caption>Review dimensions, each scored 0–10</caption>",
        '<thead><tr><th scope="col">Dimension</th><th scope="col">Score</th><th scope="col">Level</th>'
        '<th scope="col">Basis</th></tr></thead>',
        f"<tbody>{rows}</tbody>", "</table>",
    )]


def _review_reviewers(review: Review) -> list[str]:
    if not review.reviewers:
        return []
    rows = "".join(
        f'<tr><th scope="row">{esc(r.role)}</th><td>{r.score:.1f}/10</td><td>{len(r.findings)}</td></tr>'
        for r in review.reviewers
    )
    return ["### Reviewers", raw(
        "<table>", "<caption>Independent reviewers</caption>",
        '<thead><tr><th scope="col">Reviewer</th><th scope="col">Score</th><th scope="col">Findings</th></tr>'
        "</thead>", f"<tbody>{rows}</tbody>", "</table>",
    )]


def _review_findings(review: Review, claim_link: dict[str, str]) -> list[str]:
    if not review.findings:
        return ["### Findings", raw("<p>The reviewers raised no findings.</p>")]
    rows = "".join(
        f"<tr><td>{esc(f.severity)}</td><td><code>{esc(f.code)}</code></td><td>"
        + (f'<a href="#{claim_link[f.claim_id]}">{esc(f.claim_id)}</a>' if f.claim_id in claim_link
           else esc(f.claim_id or "—"))
        + f"</td><td>{esc(f.message)}</td></tr>"
        for f in review.findings
    )
    return ["### Findings", raw(
        "<table>", "<caption>Findings of the review</caption>",
        '<thead><tr><th scope="col">Severity</th><th scope="col">Code</th><th scope="col">Claim</th>'
        '<th scope="col">Message</th></tr></thead>',
        f"<tbody>{rows}</tbody>", "</table>",
    )]


def review_section(report: Report) -> str:
    review = report.review
    claim_link = {r.claim.id: html_id("claim", r.claim.id) for r in report.claims}
    parts = [
        "## Review",
        raw(
            '<ul class="lr-stats">',
            f"<li>Overall score <strong>{review.score:.1f}</strong>/10</li>",
            f"<li>Tier <strong>{esc(review.tier)}</strong></li>",
            f"<li>Quality gate {yes_no(review.gate_passed, 'passed', 'not passed')}</li>",
            "</ul>",
            "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in review.reasons) + "</ul>" if review.reasons else "",
        ),
    ]
    render = {
        "Dimensions": lambda: _review_dimensions(review),
        "Reviewers": lambda: _review_reviewers(review),
        "Findings": lambda: _review_findings(review, claim_link),
    }
    for part in REVIEW_PARTS:
        parts += render[part]()
    return "\n\n".join(parts)


def figures_section(report: Report, figures: Sequence[tuple[PlotFile, str]]) -> str:
    if not figures:
        return "## Figures" + raw("<p>No figures were drawn for this report.</p>")
    items = [
        f'<figure class="lr-figure" id="{html_id("figure", plot.name)}"><img src="{esc(src)}" alt="{esc(plot.alt)}">'
        f"<figcaption>Figure {n}: {esc(plot.caption)}</figcaption></figure>"
        for n, (plot, src) in enumerate(figures, start=1)
    ]
    return "## Figures" + raw(*items)


def reference_item(ref: Reference) -> str:
    paper = ref.paper
    links = [f'<a href="{esc(arxiv_abs(paper.arxiv_id, paper.version))}">abs</a>',
             f'<a href="{esc(arxiv_pdf(paper))}">pdf</a>']
    if paper.doi:
        links.append(f'<a href="{esc(doi_url(paper.doi))}">doi:{esc(paper.doi)}</a>')
    extra = [esc(x) for x in (ref.venue, paper.primary_category) if x]
    key = f" BibTeX key <code>{esc(ref.bib_key)}</code>." if ref.bib_key else ""
    return (
        f'<li id="ref-{ref.number}" value="{ref.number}">{esc(author_list(paper))}. '
        f"<em>{esc(paper.title)}</em>. arXiv:{esc(paper.versioned_id)}, {paper.year}."
        + (f" {'; '.join(extra)}." if extra else "")
        + f'{key} <span class="lr-links">{" ".join(links)}</span></li>'
    )


def status_badge(report: Report) -> str:
    """'draft' or 'final' (`Report.status_word`), the same word on the report page and the home page."""
    word = report.status_word
    return f'<span class="lr-badge lr-badge--{word}" title="{esc(report.status_line)}">{word}</span>'


def report_markdown(
    report: Report, downloads: dict[str, dict[str, str]], figures: Sequence[tuple[PlotFile, str]]
) -> str:
    """The report page: the sections of `Report.sections`, in that order, as the PDF prints them."""
    page = report_page(report.slug)
    cite = {n: f"#ref-{n}" for n in range(1, len(report.papers) + 1)}
    claim_refs = {r.claim.id: f"#{html_id('claim', r.claim.id)}" for r in report.claims}
    counts = report.counts
    header = raw(
        f'<p class="lr-meta">{esc(report.author)} · <time datetime="{report.date.isoformat()}">'
        f"{report.date.isoformat()}</time> · {status_badge(report)}</p>",
        f"<p><strong>Question:</strong> {esc(report.question)}</p>",
    )

    def results() -> str:
        rows = "".join(f'<tr><th scope="row">{esc(a)}</th><td>{esc(b)}</td></tr>' for a, b in report.headline)
        return "## Results" + raw(
            paragraphs(report.results, cite, claim_refs),
            '<table class="lr-headline">', "<caption>The report in figures</caption>",
            '<thead><tr><th scope="col">Measure</th><th scope="col">Value</th></tr></thead>',
            f"<tbody>{rows}</tbody>", "</table>",
        )

    def limitations() -> str:
        text = paragraphs(report.limitations)
        if report.warnings:
            text += "\n<p><strong>Build warnings.</strong></p><ul>" + "".join(
                f"<li>{esc(w)}</li>" for w in report.warnings
            ) + "</ul>"
        return "## Limitations" + raw(text)

    def claims() -> str:
        table_id = "claims-table"
        papers_with_claims = [p for p in report.papers if any(r.claim.source == p.arxiv_id for r in report.claims)]
        body = (
            raw(claim_filters(table_id, papers_with_claims))
            + claims_table([(report, r) for r in report.claims], page, table_id,
                           f"{counts.claims} claims, {counts.verified} verified", with_report=False)
            if report.claims
            else raw("<p>No claims were extracted.</p>")
        )
        return "## Extracted Claims" + body

    def references() -> str:
        if not report.papers:
            return "## References" + raw("<p>No papers were used.</p>")
        return "## References" + raw('<ol class="lr-refs">', *(reference_item(r) for r in report.references), "</ol>")

    render = {
        "Abstract": lambda: "## Abstract" + raw(paragraphs(report.abstract, cite, claim_refs)),
        "Synthesis": lambda: "## Synthesis" + raw(synthesis_html(report, cite, claim_refs)),
        "Introduction": lambda: "## Introduction" + raw(paragraphs(report.introduction, cite, claim_refs)),
        "Methodology": lambda: "## Methodology" + raw(paragraphs(report.methodology, cite, claim_refs)),
        "Results": results,
        "Review": lambda: review_section(report),
        "Limitations": limitations,
        "Disagreements": lambda: "## Disagreements" + raw(disagreements_html(report)),
        "Extracted Claims": claims,
        "Figures": lambda: figures_section(report, figures),
        "References": references,
    }
    sections = [
        front_matter(report.title) + f"# {md_text(report.title)}",
        draft_banner(report),
        header,
        downloads_block(report.slug, downloads, page),
        *(render[name]() for name in report.sections),
    ]
    return "\n\n".join(s.strip("\n") for s in sections if s) + "\n"


# ------------------------------------------------------------------------------------------ index pages


def index_markdown(
    reports: Sequence[Report], downloads: dict[str, dict[str, str]], failed: dict[str, str]
) -> str:
    page = "index.md"
    rows = []
    for report in reports:
        pdf = relative(downloads.get(report.slug, {}).get("pdf", ""), page)
        pdf_link = f'<a href="{esc(pdf)}" download>PDF</a>' if pdf else "—"
        status = status_badge(report)
        rows.append(
            f'<tbody data-draft="{int(report.is_draft)}" data-final="{int(not report.is_draft)}">'
            f'<tr><th scope="row"><a href="{report_href(report.slug, page)}">{esc(report.title)}</a></th>'
            f'<td class="lr-nowrap" data-sort="{report.date.isoformat()}"><time datetime="{report.date.isoformat()}">'
            f"{report.date.isoformat()}</time></td>"
            f'<td class="lr-wide">{esc(report.question)}</td>'
            f'<td data-sort="{report.review.score:.2f}">{report.review.score:.1f}</td>'
            f"<td>{esc(report.review.tier)}</td>"
            f"<td>{report.counts.papers}</td><td>{report.counts.claims}</td><td>{report.counts.verified}</td>"
            f'<td data-sort="{int(report.is_draft)}">{status}</td><td>{pdf_link}</td></tr></tbody>'
        )
    headers = [("Title", "text"), ("Date", "text"), ("Question", "text"), ("Score", "number"), ("Tier", "text"),
               ("Papers", "number"), ("Claims", "number"), ("Verified", "number"), ("Status", "number"),
               ("PDF", "text")]
    total_claims = sum(r.counts.claims for r in reports)
    total_verified = sum(r.counts.verified for r in reports)
    parts = [
        front_matter(None, hide=["toc"]) + f"# {SITE_NAME}",
        raw(
            f"<p>{len(reports)} machine-assisted literature syntheses built from a committed store of arXiv papers. "
            f"Every claim was checked sentence by sentence against the papers: {total_verified} of {total_claims} "
            "claims are verified. Each report links its evidence, its review and its PDF, BibTeX and JSON "
            'downloads. See also <a href="papers.html">all papers</a> and <a href="claims.html">all claims</a>.</p>'
        ),
        "## Reports",
    ]
    if reports:
        parts.append(raw(
            '<form class="lr-filters" data-table="reports-table" hidden>',
            text_filter("reports-table", "Filter reports"),
            '<label><input type="checkbox" id="reports-table-final" data-require="final"> hide drafts</label>',
            '<button type="reset">Clear filters</button></form>',
            count_line("reports-table", len(rows)),
            '<table data-lr-table id="reports-table">',
            table_head("All reports; select a column header to sort", headers),
            *rows,
            "</table>",
        ))
    else:
        parts.append(raw("<p>No report was built.</p>"))
    if failed:
        items = "".join(
            f"<li><strong>{esc(slug)}</strong><pre><code>{html.escape(message.strip())}</code></pre></li>"
            for slug, message in sorted(failed.items())
        ).replace("\n\n", "\n")
        parts += ["## Failed builds", raw(
            '<div class="admonition failure lr-failed" role="note">',
            f'<p class="admonition-title">{len(failed)} report{"s" if len(failed) != 1 else ""} failed to build</p>',
            f"<ul>{items}</ul></div>",
        )]
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def papers_markdown(reports: Sequence[Report]) -> str:
    page = "papers.md"
    papers: dict[str, Paper] = {}
    uses: dict[str, list[tuple[Report, int]]] = {}
    for report in reports:
        for number, paper in enumerate(report.papers, start=1):
            papers.setdefault(paper.arxiv_id, paper)
            uses.setdefault(paper.arxiv_id, []).append((report, number))
    rows = []
    for arxiv_id, paper in sorted(papers.items(), key=lambda kv: (-kv[1].year, kv[1].title.lower(), kv[0])):
        used = []
        n_claims = 0
        for report, number in uses[arxiv_id]:
            claims = [r.claim for r in report.claims if r.claim.source == arxiv_id]
            n_claims += len(claims)
            href = report_href(report.slug, page)
            links = ", ".join(
                f'<a href="{href}#{html_id("claim", c.id)}">{esc(c.id)}</a>' for c in claims
            )
            used.append(
                f'<li><a href="{href}#ref-{number}">{esc(report.title)}</a> [{number}]'
                + (f"; claims {links}" if links else "; no claims")
                + "</li>"
            )
        doi = f' <a href="{esc(doi_url(paper.doi))}">doi</a>' if paper.doi else ""
        rows.append(
            f'<tbody><tr id="{html_id("paper", arxiv_id)}">'
            f'<th scope="row"><a href="{esc(arxiv_abs(paper.arxiv_id, paper.version))}">{esc(paper.title)}</a><br>'
            f"<small>{esc(author_list(paper, limit=6))}</small></th>"
            f"<td>{paper.year}</td>"
            f'<td><a href="{esc(arxiv_pdf(paper))}">{esc(paper.versioned_id)}</a>{doi}</td>'
            f'<td data-sort="{len(uses[arxiv_id])}"><ul>{"".join(used)}</ul></td>'
            f"<td>{n_claims}</td></tr></tbody>"
        )
    headers = [("Paper", "text"), ("Year", "number"), ("arXiv", "text"), ("Used in", "number"),
               ("Claims", "number")]
    return "\n\n".join([
        front_matter("Papers", hide=["toc", "navigation"]) + "# Papers",
        raw(f"<p>All {len(papers)} papers used by the reports, with the reports and claims that cite them.</p>"),
        raw(
            '<form class="lr-filters" data-table="papers-table" hidden>',
            text_filter("papers-table", "Filter papers"),
            '<button type="reset">Clear filters</button></form>',
            count_line("papers-table", len(rows)),
            '<table data-lr-table id="papers-table">',
            table_head("Papers, newest first", headers),
            *rows,
            "</table>",
        ).strip("\n"),
    ]) + "\n"


def claims_markdown(reports: Sequence[Report]) -> str:
    results = [(report, result) for report in reports for result in report.claims]
    papers: dict[str, Paper] = {}
    for report, result in results:
        try:
            papers.setdefault(result.claim.source, report.paper(result.claim.source))
        except KeyError:
            continue
    verified = sum(r.verdict.verified for _, r in results)
    body = (
        raw(claim_filters("all-claims", sorted(papers.values(), key=lambda p: p.arxiv_id), reports))
        + claims_table(results, "claims.md", "all-claims", f"{len(results)} claims from {len(reports)} reports",
                       with_report=True)
        if results
        else raw("<p>No claims.</p>")
    )
    return "\n\n".join([
        # Every claim here is also on its report's page: indexing it twice would double the search index and
        # send a reader to a page of thousands of rows instead of the claim's report (and costs 10% of the build).
        front_matter("Claims", hide=["toc", "navigation"], searchable=False) + "# Claims",
        raw(f"<p>Every claim of every report: {verified} of {len(results)} verified. Select <em>Show evidence</em> "
            "on a row to read the sentences that decided it.</p>"),
        body.strip("\n"),
    ]) + "\n"


# ------------------------------------------------------------------------------------------------ driver


def write_docs(
    reports: list[Report],
    docs_dir: Path,
    downloads: dict[str, dict[str, str]],
    plots: dict[str, list[PlotFile]],
    failed: dict[str, str] | None = None,
) -> None:
    """Write the site's Markdown pages, figures and assets into `docs_dir` (created empty by the build)."""
    failed = failed or {}
    docs_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS_SRC, docs_dir / ASSETS_DIR, dirs_exist_ok=True)
    ordered = sorted(reports, key=lambda r: (-r.date.toordinal(), r.title.lower(), r.slug))
    (docs_dir / "reports").mkdir(exist_ok=True)
    for report in ordered:
        figures: list[tuple[PlotFile, str]] = []
        figure_dir = docs_dir / FIGURES_DIR / report.slug
        for plot in plots.get(report.slug, []):
            figure_dir.mkdir(parents=True, exist_ok=True)
            target = figure_dir / f"{html_id(plot.name)}.svg"
            shutil.copyfile(plot.svg_path, target)
            rel = target.relative_to(docs_dir).as_posix()
            figures.append((plot, relative(rel, report_page(report.slug)) or rel))
        _write(docs_dir / report_page(report.slug), report_markdown(report, downloads, figures))
    _write(docs_dir / "index.md", index_markdown(ordered, downloads, failed))
    _write(docs_dir / "papers.md", papers_markdown(ordered))
    _write(docs_dir / "claims.md", claims_markdown(ordered))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _nav(docs_dir: Path) -> list[object]:
    """Home, the reports (newest first, as on the home page), then the papers and claims pages."""
    index = (docs_dir / "index.md").read_text(encoding="utf-8") if (docs_dir / "index.md").exists() else ""
    listed = re.findall(r'href="reports/([^"#]+)\.html"', index)
    present = sorted(p.stem for p in (docs_dir / "reports").glob("*.md")) if (docs_dir / "reports").is_dir() else []
    order = [s for s in dict.fromkeys(listed) if s in present] + [s for s in present if s not in listed]
    nav: list[object] = [{"Home": "index.md"}]
    if order:
        nav.append({"Reports": [f"reports/{slug}.md" for slug in order]})
    nav += [p for p in ("papers.md", "claims.md") if (docs_dir / p).exists()]
    return nav


def build_site(
    docs_dir: Path, site_dir: Path, *, site_url: str | None = None, config: Path = Path("mkdocs.yml")
) -> None:
    """Run `mkdocs build --strict` on `docs_dir` with a config that INHERITs `config`; RenderError on failure."""
    docs_dir, site_dir, config = docs_dir.resolve(), site_dir.resolve(), config.resolve()
    if not config.is_file():
        raise RenderError(f"{config}: MkDocs base config not found")
    if not (docs_dir / "index.md").is_file():
        raise RenderError(f"{docs_dir}: no index.md; write the pages (write_docs) before building the site")
    generated = docs_dir.parent / f"mkdocs.{docs_dir.name}.yml"
    settings: dict[str, object] = {
        "INHERIT": str(config),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": False,
        "nav": _nav(docs_dir),
    }
    if site_url:
        settings["site_url"] = site_url
    generated.write_text(
        "# Generated by builder.render.site.build_site; edit the top-level mkdocs.yml instead.\n"
        + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONHASHSEED="0", NO_COLOR="1", DISABLE_MKDOCS_2_WARNING="true")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--config-file", str(generated)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=generated.parent, check=False)
    if proc.returncode != 0:
        output = (proc.stderr + "\n" + proc.stdout).splitlines()
        relevant = [line for line in output if re.search(r"WARNING|ERROR|Error|Aborted|Traceback|rror:", line)]
        detail = "\n".join((relevant or output)[-30:])
        raise RenderError(f"mkdocs build --strict failed for {docs_dir} (config {generated}):\n{detail}")
    if not (site_dir / "index.html").is_file():
        raise RenderError(f"mkdocs build produced no {site_dir / 'index.html'}")
