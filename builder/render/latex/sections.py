"""The sections of the PDF, one function each, in `SECTIONS` (their order is `Report.sections`, the page's too).
Each formats what the model decided; none counts, selects or numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pylatex import Document, Section, Subsection, Tabularx
from pylatex.utils import NoEscape

from builder.models import REVIEW_PARTS, Finding, Reference, Report, Review
from builder.render.latex.escape import (
    _cite_number,
    _ref_numbers,
    cite,
    format_date,
    full_authors,
    mark,
    tex_breakable,
    tex_escape,
    tex_paragraphs,
    tex_url,
)
from builder.render.latex.matrix import evidence_matrix as _evidence_matrix
from builder.render.latex.tables import long_table


@dataclass(frozen=True)
class Figure:
    """A chart for the "Figures" section: LaTeX drawing code from builder.render.plots (labels already escaped)."""

    name: str
    tex: str
    caption: str
    alt: str


# ---------------------------------------------------------------------------------------------------------------
# The document.



def _title_block(report: Report) -> str:
    lines = [
        r"\thispagestyle{plain}",
        r"\begin{center}",
        rf"{{\sffamily\bfseries\LARGE\color{{brand}}{tex_escape(report.title)}\par}}",
        r"\vspace{0.9em}",
        rf"{{\large {tex_escape(report.author)}\par}}",
        r"\vspace{0.3em}",
        rf"{{\normalsize\color{{muted}}{format_date(report.date)}\par}}",
    ]
    if report.is_draft:
        lines += [
            r"\vspace{0.7em}",
            rf"\fcolorbox{{badred}}{{badred!8}}{{\sffamily\bfseries\color{{badred}}DRAFT — {report.status_line} "
            rf"(review score {report.review.score:.1f}/10)}}",
        ]
    lines += [
        r"\end{center}",
        r"\vspace{0.4em}",
        r"\noindent\colorbox{brand!6}{\parbox{\dimexpr\linewidth-2\fboxsep\relax}{\small"
        rf"\textsf{{\textbf{{Research question.}}}} {tex_escape(report.question)}}}}}",
        r"\vspace{0.6em}",
    ]
    return "\n".join(lines)


def _results_summary(report: Report) -> str:
    body = "\n".join(rf"{tex_escape(a)} & {tex_escape(b)} \\" for a, b in report.headline)
    return (r"\begin{center}\begin{tabular}{@{}lr@{}}\toprule" "\n"
            r"\textsf{\textbf{Measure}} & \textsf{\textbf{Value}} \\ \midrule" "\n"
            f"{body}\n" r"\bottomrule\end{tabular}\end{center}")


def _finding_line(finding: Finding) -> str:
    colour = {"error": "badred", "warning": "orange", "info": "brand"}.get(finding.severity, "muted")
    claim = f" ({tex_escape(finding.claim_id)})" if finding.claim_id else ""
    return (rf"\item \buildertag{{{colour}}}{{{tex_escape(finding.severity)}}} "
            rf"\textsf{{{tex_escape(finding.code)}}}{claim}: {tex_escape(finding.message)}")


def _review_dimensions(doc: Document, review: Review) -> None:
    if not review.dimensions:
        return
    with doc.create(Subsection("Dimensions", label=False)):
        table = Tabularx(NoEscape(r"@{}l r l >{\raggedright\arraybackslash}X@{}"))
        table.append(NoEscape(r"\toprule"))
        table.append(NoEscape(r"\textsf{\textbf{Dimension}} & \textsf{\textbf{Score}} & "
                              r"\textsf{\textbf{Level}} & \textsf{\textbf{Basis}} \\ \midrule"))
        for dim in review.dimensions:
            table.append(NoEscape(rf"{tex_escape(dim.name)} & {dim.score:.1f} & {tex_escape(dim.level)} & "
                                  rf"{tex_escape(dim.basis)} \\"))
        table.append(NoEscape(r"\bottomrule"))
        doc.append(NoEscape(r"\begin{center}"))
        doc.append(table)
        doc.append(NoEscape(r"\end{center}"))


def _review_reviewers(doc: Document, review: Review) -> None:
    if not review.reviewers:
        return
    with doc.create(Subsection("Reviewers", label=False)):
        rows = "\n".join(rf"{tex_escape(r.role)} & {r.score:.1f}/10 & {len(r.findings)} \\" for r in review.reviewers)
        doc.append(NoEscape(
            r"\begin{center}\begin{tabular}{@{}lrr@{}}\toprule" "\n"
            r"\textsf{\textbf{Reviewer}} & \textsf{\textbf{Score}} & \textsf{\textbf{Findings}} \\ \midrule"
            f"\n{rows}\n" r"\bottomrule\end{tabular}\end{center}"))


def _review_findings(doc: Document, review: Review) -> None:
    with doc.create(Subsection("Findings", label=False)):
        if not review.findings:
            doc.append(NoEscape(r"The reviewers raised no findings."))
            return
        doc.append(NoEscape(r"\begin{itemize}[leftmargin=1.2em]" "\n"
                            + "\n".join(_finding_line(f) for f in review.findings) + "\n" r"\end{itemize}"))


_REVIEW_PARTS = {"Dimensions": _review_dimensions, "Reviewers": _review_reviewers, "Findings": _review_findings}


def _review(doc: Document, report: Report) -> None:
    review = report.review
    with doc.create(Section("Review", label=False)):
        gate = r"\builderyes{} passed" if review.gate_passed else r"\builderno{} not passed"
        doc.append(NoEscape(
            rf"\textbf{{Overall score: {review.score:.1f}/10}} \quad Tier: \textbf{{{tex_escape(review.tier)}}}"
            rf" \quad Quality gate: {gate}" "\n\n"))
        if review.reasons:
            doc.append(NoEscape(r"\begin{itemize}" + "".join(
                rf"\item {tex_escape(reason)}" "\n" for reason in review.reasons) + r"\end{itemize}"))
        for part in REVIEW_PARTS:
            _REVIEW_PARTS[part](doc, review)


_ALIGN = {"l": r"\raggedright", "c": r"\centering", "r": r"\raggedleft"}


def _column_spec(columns: Sequence[tuple[str, str | None]], aligns: str) -> str:
    """A longtable's column spec of fixed-width paragraph columns flush with the margins (`@{}` at both ends),
    aligned by `aligns` (l, c, r per column); the one column without a width takes what the others leave."""
    fixed = " - ".join(width for _, width in columns if width)
    rest = rf"\dimexpr\linewidth - {fixed} - {2 * (len(columns) - 1)}\tabcolsep\relax"
    cells = "".join(
        rf">{{{_ALIGN[align]}\arraybackslash}}p{{{width or rest}}}"
        for (_, width), align in zip(columns, aligns, strict=True)
    )
    return f"@{{}}{cells}@{{}}"


_CLAIM_COLUMNS = (
    # (header, width) — the claim column takes what is left of \linewidth.
    ("ID", "4.8em"),  # the id and, under it, the claim's status ("corroborated")
    ("Claim", None),
    ("V", "1.4em"),
    ("Conf.", "2.7em"),
    ("G", "1.2em"),
    ("C", "1.2em"),
    ("Source", "0.22\\linewidth"),
)


def _claims(doc: Document, report: Report) -> None:
    numbers = _ref_numbers(report)
    spec = _column_spec(_CLAIM_COLUMNS, "llcrccl")
    evidence_width = rf"\dimexpr\linewidth - {_CLAIM_COLUMNS[0][1]} - 2\tabcolsep\relax"
    with doc.create(Section("Extracted Claims", label=False)):
        doc.append(NoEscape(
            r"Each claim was checked against every sentence of the papers. "
            r"\textbf{V}: \builderyes{} verified, \builderno{} not verified; "
            r"\textbf{Conf.}: calibrated probability that the claim is supported; "
            r"\textbf{G}: grounded in the paper it comes from; \textbf{C}: corroborated by a different paper, "
            r"judged with the stricter cut for papers other than the source. Under each ID, the claim's status: "
            r"contested (a paper contradicts it), corroborated (another paper supports it), stated (only its "
            r"own source states it) or unsupported. "
            r"Below each claim: where it comes from, the papers that support or contradict it, each with its "
            r"deciding sentence (or the closest sentence when no paper does), and why."
            "\n\n"))
        if not report.claims:
            doc.append(NoEscape(r"\emph{No claims were extracted.}"))
            return
        header = " & ".join(rf"\textsf{{\textbf{{{name}}}}}" for name, _ in _CLAIM_COLUMNS) + r" \\"
        table = long_table(spec, header, len(_CLAIM_COLUMNS), "Extracted claims")
        for i, result in enumerate(report.claims):
            claim, verdict = result.claim, result.verdict
            table.append(NoEscape(
                rf"\textbf{{{tex_escape(claim.id)}}}\newline{{\scriptsize\color{{muted}}{verdict.status.value}}} & "
                rf"{tex_escape(claim.text)} & {mark(verdict.verified)} & "
                rf"{verdict.confidence:.2f} & {mark(verdict.grounded)} & {mark(verdict.corroborated)} & "
                rf"{cite(report, claim.source, numbers=numbers)} \\*"))
            shown = [
                rf"\textsf{{\color{{{'badred' if heading == 'Contradicted by' else 'brand'}}}{heading}}} "
                rf"{_cite_number(numbers, j.arxiv_id)}, sentence {j.sentence_index + 1} (p={j.probability:.2f}): "
                rf"“{tex_escape(j.sentence)}”" + (rf" — {tex_escape(j.note)}" if j.note else "")
                for heading, j in verdict.shown
            ]
            evidence = r" \newline ".join(shown) or r"\textit{No paper has a sentence that matches this claim.}"
            table.append(NoEscape(
                rf" & \multicolumn{{6}}{{>{{\raggedright\arraybackslash}}p{{{evidence_width}}}@{{}}}}"
                rf"{{\footnotesize\color{{muted}}{tex_escape(report.origin(claim))}\newline {evidence}\newline "
                rf"\textsf{{Why}}: {tex_escape(verdict.rationale)}}} \\"))
            if i < len(report.claims) - 1:
                table.append(NoEscape(r"\arrayrulecolor{black!15}\midrule\arrayrulecolor{black}"))
        doc.append(table)


_RESULT_COLUMNS = (
    # (header, width): the condition column takes what is left of \linewidth.
    ("Ref.", "2.6em"),
    ("Task or dataset", "0.2\\linewidth"),
    ("Metric", "5.4em"),
    ("Value", "8.6em"),
    ("Condition", None),
)


def _results_table(doc: Document, report: Report) -> None:
    """The quantitative results the papers state (`Report.results_table`), each with the sentence stating it."""
    numbers = _ref_numbers(report)
    spec = _column_spec(_RESULT_COLUMNS, "lllll")
    sentence_width = rf"\dimexpr\linewidth - {_RESULT_COLUMNS[0][1]} - 2\tabcolsep\relax"
    with doc.create(Section("Quantitative Results", label=False)):
        doc.append(NoEscape(
            r"The quantitative results the papers state in the sentences this report reads (their abstracts and "
            r"the claims' sentences), one row per value, found by fixed rules: the value exactly as written, with "
            r"the metric, the task or dataset and the condition when the sentence names them; an empty cell means "
            r"the rules could not tell. Below each row (once for the rows of one sentence), the sentence that states "
            r"it, numbered in its paper."
            "\n\n"))
        if not report.results_table:
            doc.append(NoEscape(r"\emph{No sentence of this report's papers states a quantitative result the rules "
                                r"recognise.}"))
            return
        header = " & ".join(rf"\textsf{{\textbf{{{name}}}}}" for name, _ in _RESULT_COLUMNS) + r" \\"
        table = long_table(spec, header, len(_RESULT_COLUMNS), "Quantitative results")
        rows = report.results_table
        for i, row in enumerate(rows):
            table.append(NoEscape(
                rf"{_cite_number(numbers, row.paper)} & {tex_escape(row.task)} & {tex_escape(row.metric)} & "
                rf"\textbf{{{tex_escape(row.value)}}} & {tex_escape(row.condition)} \\*"))
            following = rows[i + 1] if i + 1 < len(rows) else None
            if following and (following.paper, following.sentence_index) == (row.paper, row.sentence_index):
                continue  # rows of one sentence share it: it is printed once, under the last of them
            table.append(NoEscape(
                rf" & \multicolumn{{4}}{{>{{\raggedright\arraybackslash}}p{{{sentence_width}}}@{{}}}}"
                rf"{{\footnotesize\color{{muted}}\textsf{{Sentence}} {row.sentence_index + 1}: "
                rf"“{tex_escape(row.sentence)}”}} \\"))
            if following:
                table.append(NoEscape(r"\arrayrulecolor{black!15}\midrule\arrayrulecolor{black}"))
        doc.append(table)


def _synthesis(doc: Document, report: Report) -> None:
    """The answer, theme by theme, each sentence a cited claim; then the question's terms no claim covers."""
    with doc.create(Section("Synthesis", label=False)):
        if not report.synthesis.themes:
            doc.append(NoEscape(r"No claim of this report is supported, so it gives no answer."))
        for theme in report.synthesis.themes:
            body = " ".join(tex_escape(x.text) for x in theme.sentences)
            doc.append(NoEscape(
                rf"\paragraph{{{tex_escape(theme.title)}.}} {body} \emph{{{tex_escape(theme.consensus)}}}" "\n\n"))
        if report.synthesis.gaps:
            doc.append(NoEscape(
                r"\paragraph{Not covered.} No claim of the synthesis addresses these parts of the question: "
                + tex_escape(", ".join(report.synthesis.gaps)) + "."))


def _disagreements(doc: Document, report: Report) -> None:
    """Each pair of papers that contradict each other, both sentences quoted (the page lists the same)."""
    numbers = _ref_numbers(report)
    with doc.create(Section("Disagreements", label=False)):
        if not report.disagreements:
            doc.append(NoEscape(r"No two papers of this report contradict each other on a claim."))
            return
        items = []
        for d in report.disagreements:
            claims = " and ".join(tex_escape(c) for c in d.claim_ids)
            note = rf" \emph{{({tex_escape(d.note)})}}" if d.note else ""
            items.append(
                rf"\item \textbf{{{claims}}}: {cite(report, d.claim_paper, numbers=numbers)} and "
                rf"{cite(report, d.other_paper, numbers=numbers)} disagree{note}. "
                rf"“{tex_escape(d.claim_sentence)}” against sentence {d.other_sentence_index + 1} of "
                rf"{_cite_number(numbers, d.other_paper)}: “{tex_escape(d.other_sentence)}”"
            )
        doc.append(NoEscape(r"\begin{itemize}[leftmargin=1.2em]" "\n" + "\n".join(items) + "\n" r"\end{itemize}"))


def _figures(doc: Document, figures: Sequence[Figure]) -> None:
    with doc.create(Section("Figures", label=False)):
        if not figures:
            doc.append(NoEscape(r"No figures were drawn for this report."))
            return
        for figure in figures:
            doc.append(NoEscape(
                r"\begin{figure}[htbp]\centering" "\n"
                f"{figure.tex}\n"
                rf"\caption{{{tex_escape(figure.caption)}}}" "\n"
                rf"% alt: {tex_escape(figure.alt)}" "\n"
                r"\end{figure}"))
        doc.append(NoEscape(r"\FloatBarrier"))


def _reference(ref: Reference) -> str:
    paper = ref.paper
    parts = [
        rf"\item\label{{ref:{ref.number}}}{tex_escape(full_authors(paper))}. “{tex_escape(paper.title)}”. "
        rf"{paper.year}.",
        rf"arXiv:\,\href{{{tex_url(paper.abs_url)}}}{{\textsf{{{tex_breakable(paper.versioned_id)}}}}}"
        + (rf" [{tex_escape(paper.primary_category)}]" if paper.primary_category else "") + ".",
    ]
    if paper.doi:
        doi_url = tex_url("https://doi.org/" + paper.doi)
        parts.append(rf"DOI:\,\href{{{doi_url}}}{{\textsf{{{tex_breakable(paper.doi)}}}}}.")
    if ref.venue:
        parts.append(rf"{tex_escape(ref.venue)}.")
    if ref.bib_key:
        parts.append(rf"{{\footnotesize\color{{muted}}BibTeX key: \textsf{{{tex_breakable(ref.bib_key)}}}}}")
    return " ".join(parts)


def _references(doc: Document, report: Report) -> None:
    with doc.create(Section("References", numbering=False, label=False)):
        doc.append(NoEscape(r"\addcontentsline{toc}{section}{References}"))
        if not report.papers:
            doc.append(NoEscape(r"\emph{No papers were used.}"))
            return
        width = "[" + "9" * len(str(max(len(report.papers), 1))) + "]"
        doc.append(NoEscape(
            rf"\begin{{enumerate}}[label={{[\arabic*]}},widest={{{width}}},leftmargin=*,itemsep=0.5em]" "\n"
            + "\n".join(_reference(ref) for ref in report.references)
            + "\n" r"\end{enumerate}"))


def _abstract(doc: Document, report: Report) -> None:
    doc.append(NoEscape(r"\begin{abstract}" "\n" + tex_paragraphs(report.abstract) + "\n" r"\end{abstract}"))


def _prose(title: str, text: Callable[[Report], str]) -> Callable[[Document, Report], None]:
    def section(doc: Document, report: Report) -> None:
        with doc.create(Section(title, label=False)):
            doc.append(tex_paragraphs(text(report)))

    return section


def _results(doc: Document, report: Report) -> None:
    with doc.create(Section("Results", label=False)):
        doc.append(tex_paragraphs(report.results))
        doc.append(NoEscape(_results_summary(report)))


def _limitations(doc: Document, report: Report) -> None:
    with doc.create(Section("Limitations", label=False)):
        doc.append(tex_paragraphs(report.limitations))
        if report.warnings:
            doc.append(NoEscape(
                "\n\n" r"\paragraph{Build warnings.}" "\n" r"\begin{itemize}[leftmargin=1.2em]\small" "\n"
                + "\n".join(rf"\item {tex_escape(w)}" for w in report.warnings) + "\n" r"\end{itemize}"))


_Section = Callable[[Document, Report, Sequence["Figure"]], None]


def _without_figures(render: Callable[[Document, Report], None]) -> _Section:
    return lambda doc, report, _figures: render(doc, report)


# One function per section; `Report.sections` gives their order.
_SECTIONS: dict[str, _Section] = {
    "Abstract": _without_figures(_abstract),
    "Synthesis": _without_figures(_synthesis),
    "Introduction": _without_figures(_prose("Introduction", lambda r: r.introduction)),
    "Methodology": _without_figures(_prose("Methodology", lambda r: r.methodology)),
    "Results": _without_figures(_results),
    "Review": _without_figures(_review),
    "Limitations": _without_figures(_limitations),
    "Disagreements": _without_figures(_disagreements),
    "Quantitative Results": _without_figures(_results_table),
    "Evidence Matrix": _without_figures(_evidence_matrix),
    "Extracted Claims": _without_figures(_claims),
    "Figures": lambda doc, _report, figures: _figures(doc, figures),
    "References": _without_figures(_references),
}


