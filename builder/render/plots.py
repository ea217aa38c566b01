"""Figures for a report: one chart model per figure, drawn twice from it: SVG for the site, LaTeX for the PDF.

The charts are simple bar charts, so they are written directly rather than through a plotting library:
matplotlib cost about half a second to import in every worker and half a second per report to draw and save,
as much as TeX itself. The LaTeX twin is kernel `picture` code (no packages), typeset by TeX in the report's
own fonts, so its labels are searchable text with their accents; the SVG twin uses real <text> too.
Both are pure functions of the report: the same report gives the same bytes.

Bars are labelled with their numbers (no value axis to read off), and "not verified" is an outlined bar
while "verified" is solid, so the two never depend on colour alone (Okabe-Ito colours on top).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from builder.hygiene import balance_bidi
from builder.models import Paper, Report

VERIFIED_COLOUR = "0072B2"
UNVERIFIED_COLOUR = "E69F00"
PAPER_COLOUR = "009E73"
TEXT_COLOUR = "333333"
AXIS_COLOUR = "888888"


@dataclass(frozen=True)
class Series:
    """One kind of bar: solid bars are filled, the others drawn as outlines."""

    name: str
    colour: str
    solid: bool = True


@dataclass(frozen=True)
class Chart:
    """What a figure shows, independent of the format: categories, one count per series each, and words.

    `kind` is "columns" (categories along the bottom) or "rows" (one labelled bar per line).
    """

    name: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    values: tuple[tuple[int, ...], ...]
    axis: str
    caption: str
    alt: str
    empty: str = ""


@dataclass(frozen=True)
class PlotFile:
    """One figure: the SVG file for the site, the LaTeX code for the PDF, and the words a reader needs."""

    name: str
    svg_path: Path
    tex: str
    caption: str
    alt: str


def reference_numbers(report: Report) -> dict[str, int]:
    """Reference number of each paper ([1] is the primary), matching the report's reference list."""
    return report.reference_numbers


def short_label(paper: Paper, number: int, width: int = 36) -> str:
    """'[2] García-Ferrero et al. (2022)' (the one label, `Paper.label`), cut to what fits beside a bar."""
    label = f"[{number}] {paper.label}"
    return label if len(label) <= width else balance_bidi(label[: width - 1] + "…")  # a cut may split an isolate


def _range_text(values: list[float]) -> str:
    if not values:
        return "none"
    low, high = min(values), max(values)
    return f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}"


VERIFIED = Series("verified", VERIFIED_COLOUR, solid=True)
NOT_VERIFIED = Series("not verified", UNVERIFIED_COLOUR, solid=False)


# ---------------------------------------------------------------------------------------------------------------
# The charts of a report.


def confidence_chart(report: Report) -> Chart:
    """Stacked histogram of calibrated confidence, verified and not, in ten bins over [0, 1]."""
    verified = [r.verdict.confidence for r in report.claims if r.verdict.verified]
    rejected = [r.verdict.confidence for r in report.claims if not r.verdict.verified]
    counts = [[0, 0] for _ in range(10)]
    for result in report.claims:
        index = min(9, max(0, int(result.verdict.confidence * 10)))
        counts[index][0 if result.verdict.verified else 1] += 1
    n = len(report.claims)
    return Chart(
        name="confidence",
        kind="columns",
        labels=tuple(f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(10)),
        series=(VERIFIED, NOT_VERIFIED),
        values=tuple((a, b) for a, b in counts),
        axis="calibrated confidence that the claim is supported",
        caption=(
            f"Distribution of verification confidence over the {n} claims; "
            f"{len(verified)} verified, {len(rejected)} not verified."
        ),
        alt=(
            f"Histogram of calibrated confidence for {n} claims in ten bins from 0 to 1. "
            f"{len(verified)} verified claims (confidence {_range_text(verified)}), "
            f"{len(rejected)} not verified (confidence {_range_text(rejected)})."
        ),
        empty="no claims",
    )


def per_paper_chart(report: Report) -> Chart:
    """One bar per paper: how many claims it is the source of, and how many held up."""
    numbers = reference_numbers(report)
    verified = Counter(r.claim.source for r in report.claims if r.verdict.verified)
    rejected = Counter(r.claim.source for r in report.claims if not r.verdict.verified)
    papers = list(report.papers)
    labels = tuple(short_label(p, numbers[p.arxiv_id]) for p in papers)
    values = tuple((verified[p.arxiv_id], rejected[p.arxiv_id]) for p in papers)
    parts = [f"{label}: {g} verified, {b} not verified" for label, (g, b) in zip(labels, values, strict=True) if g or b]
    without = [label for label, (g, b) in zip(labels, values, strict=True) if not (g or b)]
    alt = "Bar chart of claims per paper. " + ("; ".join(parts) + "." if parts else "No claims.")
    if without:  # named, as the chart draws their (empty) rows
        alt += f" Without claims: {', '.join(without)}."
    return Chart(
        name="verified-by-paper",
        kind="rows",
        labels=labels,
        series=(VERIFIED, NOT_VERIFIED),
        values=values,
        axis="claims taken from or citing the paper",
        caption="Claims per source paper, verified and not; numbers refer to the reference list.",
        alt=alt,
        empty="no claims",
    )


def years_chart(report: Report) -> Chart:
    """How many papers come from each year, with empty years shown as gaps."""
    years = Counter(p.year for p in report.papers)
    if years:
        first, last = min(years), max(years)
        xs = list(range(first, last + 1))
        caption = f"Papers by year: {len(report.papers)} papers from {first}–{last}." if first != last else (
            f"Papers by year: all {len(report.papers)} papers are from {first}."
        )
    else:
        xs, caption = [], "Papers by year: no papers."
    alt = "Bar chart of papers per year: " + (", ".join(f"{y}: {years[y]}" for y in sorted(years)) or "none") + "."
    return Chart(
        name="papers-by-year",
        kind="columns",
        labels=tuple(str(y) for y in xs),
        series=(Series("papers", PAPER_COLOUR),),
        values=tuple((years[y],) for y in xs),
        axis="year (publication date, or the arXiv id's year when no date is stored)",
        caption=caption,
        alt=alt,
        empty="no papers",
    )


CHARTS: tuple[Callable[[Report], Chart], ...] = (confidence_chart, per_paper_chart, years_chart)


# ---------------------------------------------------------------------------------------------------------------
# SVG (site).

SVG_WIDTH = 640
FONT = "font-family=\"'Helvetica Neue', Helvetica, Arial, sans-serif\""


def _svg_bar(x: float, y: float, w: float, h: float, series: Series) -> str:
    if series.solid:
        return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#{series.colour}"/>'
    return (f'<rect x="{x + 0.75:.1f}" y="{y + 0.75:.1f}" width="{max(w - 1.5, 0):.1f}" height="{max(h - 1.5, 0):.1f}" '
            f'fill="#ffffff" stroke="#{series.colour}" stroke-width="1.5"/>')


def _svg_legend(chart: Chart, y: float) -> list[str]:
    out, x = [], 0.0
    if len(chart.series) < 2:
        return out
    for series in chart.series:
        out.append(_svg_bar(x, y - 9, 12, 10, series))
        out.append(f'<text x="{x + 17:.1f}" y="{y:.1f}">{escape(series.name)}</text>')
        x += 30 + 7 * len(series.name)
    return out


def chart_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document, with its alt text as <title> and <desc>."""
    body: list[str] = _svg_legend(chart, 12)
    top = 26.0 if len(chart.series) > 1 else 8.0
    totals = [sum(v) for v in chart.values]
    peak = max(totals, default=0)
    if chart.kind == "columns":
        plot_h, n = 170.0, max(len(chart.labels), 1)
        slot = SVG_WIDTH / n
        width = slot * 0.78
        base = top + 16 + plot_h
        step = max(1, (n + 11) // 12)
        for i, (label, values) in enumerate(zip(chart.labels, chart.values, strict=True)):
            x, y = i * slot + (slot - width) / 2, base
            for series, value in zip(chart.series, values, strict=True):
                if value:
                    h = plot_h * value / peak
                    y -= h
                    body.append(_svg_bar(x, y, width, h, series))
            if totals[i]:
                body.append(f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{totals[i]}</text>')
            if i % step == 0:
                body.append(f'<text x="{x + width / 2:.1f}" y="{base + 15:.1f}" text-anchor="middle" '
                            f'font-size="10">{escape(label)}</text>')
        body.append(f'<line x1="0" y1="{base:.1f}" x2="{SVG_WIDTH}" y2="{base:.1f}" stroke="#{AXIS_COLOUR}"/>')
        if not peak:
            body.append(f'<text x="{SVG_WIDTH / 2}" y="{base - plot_h / 2:.1f}" text-anchor="middle">'
                        f"{escape(chart.empty)}</text>")
        height = base + 40
        body.append(f'<text x="{SVG_WIDTH / 2}" y="{base + 34:.1f}" text-anchor="middle">{escape(chart.axis)}</text>')
    else:
        label_w = min(260.0, 12 + 6.6 * max((len(label) for label in chart.labels), default=0))
        bar_w = SVG_WIDTH - label_w - 40
        row_h, y = 22.0, top + 8
        for label, values in zip(chart.labels, chart.values, strict=True):
            body.append(f'<text x="{label_w - 8:.1f}" y="{y + 14:.1f}" text-anchor="end">{escape(label)}</text>')
            x = label_w
            for series, value in zip(chart.series, values, strict=True):
                if value:
                    w = bar_w * value / peak
                    body.append(_svg_bar(x, y + 3, w, 15, series))
                    x += w
            body.append(f'<text x="{x + 5:.1f}" y="{y + 14:.1f}">{" + ".join(str(v) for v in values)}</text>')
            y += row_h
        body.append(f'<line x1="{label_w:.1f}" y1="{top + 6:.1f}" x2="{label_w:.1f}" y2="{y + 2:.1f}" '
                    f'stroke="#{AXIS_COLOUR}"/>')
        if not peak:
            body.append(f'<text x="{label_w + 10:.1f}" y="{y + 18:.1f}">{escape(chart.empty)}</text>')
            y += 22
        body.append(f'<text x="{label_w:.1f}" y="{y + 20:.1f}">{escape(chart.axis)}</text>')
        height = y + 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_WIDTH} {height:.0f}" width="{SVG_WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="t d" {FONT} font-size="12" fill="#{TEXT_COLOUR}">\n'
        f'<title id="t">{escape(chart.caption)}</title>\n<desc id="d">{escape(chart.alt)}</desc>\n'
        + "\n".join(body) + "\n</svg>\n"
    )


# ---------------------------------------------------------------------------------------------------------------
# LaTeX (PDF): kernel picture code in points, typeset in the report's fonts.

TEX_WIDTH = 400.0  # pt; the text block is about 450 pt wide


def _tex_bar(x: float, y: float, w: float, h: float, series: Series) -> str:
    if series.solid:
        return rf"\put({x:.1f},{y:.1f}){{\textcolor[HTML]{{{series.colour}}}{{\rule{{{w:.1f}pt}}{{{h:.1f}pt}}}}}}"
    return (rf"\put({x:.1f},{y:.1f}){{{{\color[HTML]{{{series.colour}}}\linethickness{{1pt}}"
            rf"\framebox({w:.1f},{h:.1f}){{}}}}}}")


def _tex_legend(chart: Chart, escape_tex: Callable[[str], str]) -> str:
    if len(chart.series) < 2:
        return ""
    items = []
    for series in chart.series:
        if series.solid:
            swatch = rf"\textcolor[HTML]{{{series.colour}}}{{\rule{{9pt}}{{7pt}}}}"
        else:
            swatch = (rf"{{\color[HTML]{{{series.colour}}}\setlength{{\fboxsep}}{{0pt}}\setlength{{\fboxrule}}{{1pt}}"
                      rf"\fbox{{\rule{{0pt}}{{5pt}}\hspace{{7pt}}}}}}")
        items.append(rf"{swatch}\,{escape_tex(series.name)}")
    return r"{\sffamily\footnotesize " + r"\quad ".join(items) + r"}\par\smallskip" + "\n"


def chart_tex(chart: Chart, escape_tex: Callable[[str], str]) -> str:
    """The chart as LaTeX (a `picture`, or a tabular of bars); `escape_tex` makes each label print literally."""
    totals = [sum(v) for v in chart.values]
    peak = max(totals, default=0)
    out = [_tex_legend(chart, escape_tex)]
    if chart.kind == "columns":
        plot_h, n = 110.0, max(len(chart.labels), 1)
        slot = TEX_WIDTH / n
        width = slot * 0.78
        step = max(1, (n + 11) // 12)
        lines = [rf"\setlength{{\unitlength}}{{1pt}}\begin{{picture}}({TEX_WIDTH:.0f},{plot_h + 42:.0f})(0,-30)",
                 rf"{{\color[HTML]{{{AXIS_COLOUR}}}\put(0,0){{\line(1,0){{{TEX_WIDTH:.0f}}}}}}}"]
        for i, (label, values) in enumerate(zip(chart.labels, chart.values, strict=True)):
            x, y = i * slot + (slot - width) / 2, 0.0
            for series, value in zip(chart.series, values, strict=True):
                if value:
                    h = plot_h * value / peak
                    lines.append(_tex_bar(x, y, width, h, series))
                    y += h
            if totals[i]:
                lines.append(rf"\put({x + width / 2:.1f},{y + 2:.1f}){{\makebox(0,0)[b]{{\footnotesize {totals[i]}}}}}")
            if i % step == 0:
                lines.append(rf"\put({x + width / 2:.1f},-3){{\makebox(0,0)[t]{{\scriptsize {escape_tex(label)}}}}}")
        if not peak:
            lines.append(rf"\put({TEX_WIDTH / 2:.0f},{plot_h / 2:.0f}){{\makebox(0,0){{{escape_tex(chart.empty)}}}}}")
        lines.append(rf"\put({TEX_WIDTH / 2:.0f},-24){{\makebox(0,0)[b]{{\footnotesize {escape_tex(chart.axis)}}}}}")
        lines.append(r"\end{picture}")
        out.append("{\\sffamily\n" + "\n".join(lines) + "}")
    else:
        bar_w = 200.0
        rows = []
        for label, values in zip(chart.labels, chart.values, strict=True):
            bars = []
            for series, value in zip(chart.series, values, strict=True):
                if value:
                    w = bar_w * value / peak
                    if series.solid:
                        bars.append(rf"\textcolor[HTML]{{{series.colour}}}{{\rule{{{w:.1f}pt}}{{8pt}}}}")
                    else:
                        bars.append(rf"{{\color[HTML]{{{series.colour}}}\setlength{{\fboxsep}}{{0pt}}"
                                    rf"\setlength{{\fboxrule}}{{1pt}}\fbox{{\rule{{0pt}}{{6pt}}"
                                    rf"\hspace{{{max(w - 2, 0):.1f}pt}}}}}}")
            rows.append(rf"{escape_tex(label)} & \raisebox{{-0.5pt}}{{{''.join(bars)}}}\ "
                        rf"{' + '.join(str(v) for v in values)} \\")
        if not peak:
            rows.append(rf" & {escape_tex(chart.empty)} \\")
        out.append(r"{\sffamily\footnotesize\begin{tabular}{@{}r|l@{}}" + "\n" + "\n".join(rows) + "\n"
                   + rf"\multicolumn{{1}}{{@{{}}r}}{{}} & {escape_tex(chart.axis)}" + "\n" + r"\end{tabular}}")
    return "".join(out)


def make_plots(report: Report, out_dir: Path) -> list[PlotFile]:
    """Write the report's figures into `out_dir` as `<slug>-<name>.svg`; return them, with their LaTeX, in order."""
    from builder.render.latex import tex_escape

    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[PlotFile] = []
    for make_chart in CHARTS:
        chart = make_chart(report)
        svg_path = out_dir / f"{report.slug}-{chart.name}.svg"
        svg_path.write_text(chart_svg(chart), encoding="utf-8")
        files.append(PlotFile(name=chart.name, svg_path=svg_path, tex=chart_tex(chart, tex_escape),
                              caption=chart.caption, alt=chart.alt))
    return files
