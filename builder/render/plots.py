"""Figures for a report, drawn once and saved twice: SVG for the site, PDF for the LaTeX report.

Both outputs must be byte-identical between runs (the build is reproducible and committed artefacts are
diffed), so the SVG hash salt is fixed, dates are stripped from the metadata and nothing random is used.
matplotlib is imported lazily because its import alone costs about half a second, and only the
object-oriented API is used (no pyplot), so no global figure state leaks between reports or threads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.models import Paper, Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies; hatching adds a
# second cue so "not verified" never depends on colour alone.
VERIFIED_COLOUR = "#0072B2"
UNVERIFIED_COLOUR = "#E69F00"
PAPER_COLOUR = "#009E73"
UNVERIFIED_HATCH = "//"

WIDTH_IN = 6.0
RC = {
    "svg.hashsalt": "litreport",
    "svg.fonttype": "path",
    # Type 3 glyphs: the text stays searchable (pdftotext reads it), and saving skips the fontTools subsetting of
    # a Type 42 embedding, which took two thirds of the plotting time (1.6 s -> 0.5 s for a report's 3 plots).
    "pdf.fonttype": 3,
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10.0,
    "path.simplify": True,
}
SVG_METADATA = {"Date": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None}


@dataclass(frozen=True)
class PlotFile:
    """One figure in both formats, with the words a reader needs when they cannot see it."""

    name: str
    svg_path: Path
    pdf_path: Path
    caption: str
    alt: str


def reference_numbers(report: Report) -> dict[str, int]:
    """Reference number of each paper ([1] is the primary), matching the report's reference list."""
    return {paper.arxiv_id: number for number, paper in enumerate(report.papers, start=1)}


def short_label(paper: Paper, number: int, width: int = 36) -> str:
    """'[2] García-Ferrero 2022' — what fits on a bar's axis and still points at the reference list."""
    surname = paper.authors[0].split()[-1] if paper.authors else paper.arxiv_id
    if len(paper.authors) > 1:
        surname += " et al."
    label = f"[{number}] {surname} {paper.year}"
    return label if len(label) <= width else label[: width - 1] + "…"


def _range_text(values: list[float]) -> str:
    if not values:
        return "none"
    low, high = min(values), max(values)
    return f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}"


def _draw_confidence(fig: Figure, report: Report) -> tuple[str, str]:
    """Stacked histogram of calibrated confidence, verified and not, in ten bins over [0, 1]."""
    ax = fig.add_subplot()
    verified = [r.verdict.confidence for r in report.claims if r.verdict.verified]
    rejected = [r.verdict.confidence for r in report.claims if not r.verdict.verified]
    bins = [i / 10 for i in range(11)]
    _, _, containers = ax.hist(
        [verified, rejected],
        bins=bins,
        stacked=True,
        color=[VERIFIED_COLOUR, UNVERIFIED_COLOUR],
        label=["verified", "not verified"],
        edgecolor="white",
        linewidth=0.8,
    )
    for patch in containers[1]:
        patch.set_hatch(UNVERIFIED_HATCH)
    ax.set_xlim(0, 1)
    ax.set_xticks(bins)
    ax.set_xlabel("calibrated confidence that the claim is supported")
    ax.set_ylabel("claims")
    ax.yaxis.get_major_locator().set_params(integer=True)
    if not report.claims:
        ax.text(0.5, 0.5, "no claims", transform=ax.transAxes, ha="center", va="center")
        ax.set_ylim(0, 1)
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    n = len(report.claims)
    caption = (
        f"Distribution of verification confidence over the {n} claims; "
        f"{len(verified)} verified, {len(rejected)} not verified."
    )
    alt = (
        f"Histogram of calibrated confidence for {n} claims in ten bins from 0 to 1. "
        f"{len(verified)} verified claims (confidence {_range_text(verified)}), "
        f"{len(rejected)} not verified (confidence {_range_text(rejected)})."
    )
    return caption, alt


def _draw_per_paper(fig: Figure, report: Report) -> tuple[str, str]:
    """Horizontal stacked bars: how many claims each paper is the source of, and how many held up."""
    numbers = reference_numbers(report)
    verified = Counter(r.claim.source for r in report.claims if r.verdict.verified)
    rejected = Counter(r.claim.source for r in report.claims if not r.verdict.verified)
    papers = list(report.papers)
    labels = [short_label(p, numbers[p.arxiv_id]) for p in papers]
    ys = list(range(len(papers)))
    good = [verified[p.arxiv_id] for p in papers]
    bad = [rejected[p.arxiv_id] for p in papers]
    fig.set_size_inches(WIDTH_IN, max(2.0, 0.9 + 0.32 * len(papers)))
    ax = fig.add_subplot()
    ax.barh(ys, good, color=VERIFIED_COLOUR, label="verified", edgecolor="white", linewidth=0.8)
    ax.barh(ys, bad, left=good, color=UNVERIFIED_COLOUR, hatch=UNVERIFIED_HATCH, label="not verified",
            edgecolor="white", linewidth=0.8)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    ax.set_xlabel("claims taken from or citing the paper")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if not any(good) and not any(bad):
        ax.set_xlim(0, 1)
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    caption = "Claims per source paper, verified and not; numbers refer to the reference list."
    parts = [
        f"{label}: {g} verified, {b} not verified" for label, g, b in zip(labels, good, bad, strict=True) if g or b
    ]
    without = len(papers) - len(parts)
    alt = "Bar chart of claims per paper. " + ("; ".join(parts) + "." if parts else "No claims.")
    if without:
        alt += f" {without} paper{'s' if without != 1 else ''} without claims."
    return caption, alt


def _draw_years(fig: Figure, report: Report) -> tuple[str, str]:
    """Bar chart of how many papers come from each year, with empty years shown as gaps."""
    years = Counter(p.year for p in report.papers)
    first, last = min(years), max(years)
    xs = list(range(first, last + 1))
    ax = fig.add_subplot()
    ax.bar(xs, [years[y] for y in xs], color=PAPER_COLOUR, edgecolor="white", linewidth=0.8, width=0.8)
    step = max(1, (len(xs) + 9) // 10)
    ax.set_xticks(xs[::step], [str(y) for y in xs[::step]])
    ax.set_xlabel("year (publication date, or the arXiv id's year when no date is stored)")
    ax.set_ylabel("papers")
    ax.yaxis.get_major_locator().set_params(integer=True)
    caption = f"Papers by year: {len(report.papers)} papers from {first}–{last}." if first != last else (
        f"Papers by year: all {len(report.papers)} papers are from {first}."
    )
    alt = "Bar chart of papers per year: " + ", ".join(f"{y}: {years[y]}" for y in sorted(years)) + "."
    return caption, alt


PLOTS: tuple[tuple[str, float, Callable[[Figure, Report], tuple[str, str]]], ...] = (
    ("confidence", 2.8, _draw_confidence),
    ("verified-by-paper", 0.0, _draw_per_paper),  # height depends on the number of papers
    ("papers-by-year", 2.6, _draw_years),
)


def make_plots(report: Report, out_dir: Path) -> list[PlotFile]:
    """Draw the report's figures into `out_dir` as `<slug>-<name>.svg` and `.pdf`; return them in order."""
    import matplotlib
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[PlotFile] = []
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 3.0), layout="constrained")
        for name, height, draw in PLOTS:
            fig.clear()
            if height:
                fig.set_size_inches(WIDTH_IN, height)
            caption, alt = draw(fig, report)
            svg_path = out_dir / f"{report.slug}-{name}.svg"
            pdf_path = out_dir / f"{report.slug}-{name}.pdf"
            fig.savefig(svg_path, format="svg", metadata=SVG_METADATA)
            fig.savefig(pdf_path, format="pdf", metadata=PDF_METADATA)
            files.append(PlotFile(name=name, svg_path=svg_path, pdf_path=pdf_path, caption=caption, alt=alt))
    return files
