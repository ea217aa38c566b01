"""The report page: its title, the header blocks, then the sections of `Report.sections` in that order.

Each section is a function of the page's model (`model.ReportPage`) that returns the section's Markdown parts:
its `## Heading`, then raw HTML blocks rendered from `templates/report/*.html.j2` (and `### Sub-headings` for
the parts of the review). A new section is a template and one entry in `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

from builder.models import REVIEW_PARTS
from builder.render.site.escape import md_text
from builder.render.site.markdown import front_matter, page, raw
from builder.render.site.model import ReportPage
from builder.render.site.templates import render

Section = Callable[[ReportPage], list[str]]


def block(template: str, view: ReportPage, **context: object) -> str:
    """A raw HTML block from one of the report templates."""
    return raw(render(f"report/{template}.html.j2", page=view, **context))


def _prose(heading: str, field: str) -> Section:
    return lambda view: [f"## {heading}", block("prose", view, text=getattr(view.report, field))]


def _review(view: ReportPage) -> list[str]:
    review = view.report.review
    parts = ["## Review", block("review", view)]
    shown = {"Dimensions": bool(review.dimensions), "Reviewers": bool(review.reviewers), "Findings": True}
    for part in REVIEW_PARTS:
        if shown[part]:
            parts += [f"### {part}", block(f"review_{part.lower()}", view)]
    return parts


def _claims(view: ReportPage) -> list[str]:
    return [
        "## Extracted Claims",
        raw(render("claim_filters.html.j2", table=view.claims)),
        raw(render("claims_table.html.j2", table=view.claims, empty="No claims were extracted.")),
    ]


SECTIONS: dict[str, Section] = {
    "Abstract": _prose("Abstract", "abstract"),
    "Synthesis": lambda view: ["## Synthesis", block("synthesis", view)],
    "Introduction": _prose("Introduction", "introduction"),
    "Methodology": _prose("Methodology", "methodology"),
    "Results": lambda view: ["## Results", block("results", view)],
    "Review": _review,
    "Limitations": lambda view: ["## Limitations", block("limitations", view)],
    "Disagreements": lambda view: ["## Disagreements", block("disagreements", view)],
    "Quantitative Results": lambda view: ["## Quantitative Results", block("quantitative", view)],
    "Evidence Matrix": lambda view: ["## Evidence Matrix", block("matrix", view)],
    "Extracted Claims": _claims,
    "Figures": lambda view: ["## Figures", block("figures", view)],
    "References": lambda view: ["## References", block("references", view)],
}


def report_markdown(view: ReportPage) -> str:
    """The report page's Markdown: the sections of `Report.sections`, in that order, as the PDF prints them."""
    report = view.report
    return page(
        front_matter(report.title) + f"# {md_text(report.title)}",
        block("draft", view),
        block("header", view),
        block("downloads", view),
        *(part for name in report.sections for part in SECTIONS[name](view)),
    )
