"""Render a `Report` to LaTeX with pylatex, and compile it to PDF with latexmk + pdfLaTeX (or XeLaTeX).

The engine is chosen per report from the characters it prints (`choose_engine`): pdfLaTeX, about a sixth
of XeLaTeX's memory and faster, whenever its T1 fonts print every character exactly; XeLaTeX otherwise
(Greek, Cyrillic, Devanagari, math symbols). The .tex file names its engine on its first line.

Two rules keep the PDF honest and safe:
- every string that comes from data goes through `tex_escape`, so it prints literally and can never
  run as TeX (`\\input`, `\\write18`, `\\catcode`, unbalanced braces, `%` all come out as text);
  only our own template code (this module and `latex/*.tex`) is passed as `NoEscape`;
- compilation happens in a throw-away directory with shell escape off and kpathsea's paranoid
  `openin_any=p`/`openout_any=p`, under a time limit, with a fixed SOURCE_DATE_EPOCH so the same
  .tex always gives the same PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pylatex import Document, LongTable, Section, Subsection, Tabularx
from pylatex.utils import NoEscape

from builder.errors import RenderError
from builder.hygiene import strip_bidi
from builder.models import REVIEW_PARTS, Finding, Paper, Reference, Report, Review
from builder.render.latex_matrix import evidence_matrix as _evidence_matrix
from builder.render.texlog import error_line, hint, missing_glyphs, tex_errors, wrap_long_lines

__all__ = ["missing_glyphs", "tex_errors"]  # re-exported: they moved to builder.render.texlog

# Beyond this many authors a reference lists the first ones and "et al." (the manifest keeps every name).
PDF_AUTHOR_LIMIT = 100

LATEX_DIR = Path(__file__).resolve().parents[2] / "latex"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Figure:
    """A chart for the "Figures" section: LaTeX drawing code from builder.render.plots (labels already escaped)."""

    name: str
    tex: str
    caption: str
    alt: str


# ---------------------------------------------------------------------------------------------------------------
# Escaping: the only way data text enters the .tex file.

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    # Brackets can be taken as an optional argument right after \\ or \item: group them.
    "[": "{[}",
    "]": "{]}",
    "\t": " ",
    "\n": " ",
    "\r": " ",
}


# Non-ASCII characters that pdfLaTeX prints with a precomposed T1 glyph (or a mapped dingbat) and that
# pdftotext reads back unchanged, in every font the template uses. Measured, not guessed: the test
# `test_pdflatex_characters_read_back` compiles each one with pdfLaTeX and reads it back. A report that
# uses any other character is compiled with XeLaTeX.
PDFLATEX_CHARS = frozenset(
    "¡¢£¤¥¦§¨©ª«¬®¯°±´µ¶·¸º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"
    "ĂăĄąĆćČčĎďđĘęĚěĞğİıĲĳĹĺĽľŁłŃńŇňŊŋŐőŒœŔŕŘřŚśŞşŠšŢţŤťŮůŰűŸŹźŻżŽž"
    "–—‘’“”„‚•†‡€‰‹›™№℃←→✓✗"
    "…−≈≠≤≥"  # drawn from other glyphs, read back through /ActualText (latex/fonts-pdflatex.tex)
)
ENGINES = ("pdflatex", "xelatex")
_ENGINE_LINE = re.compile(r"\A% !TEX program = (pdflatex|xelatex)\n")


def choose_engine(text: str) -> str:
    """'pdflatex' when every character is ASCII or in PDFLATEX_CHARS, else 'xelatex'."""
    for char in set(text):
        if ord(char) > 0x7E and char not in PDFLATEX_CHARS:
            return "xelatex"
    return "pdflatex"


def tex_engine(tex: str) -> str:
    """The engine a .tex file names on its first line (`% !TEX program = ...`); XeLaTeX when it names none."""
    match = _ENGINE_LINE.match(tex)
    return match.group(1) if match else "xelatex"


_DEVANAGARI_RUN = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+")


def tex_escape(text: object) -> NoEscape:
    """Make any text print literally with either engine; control characters become a visible [U+XXXX].

    Devanagari words go through \\builderdeva (latex/preamble.tex): shaped with the Devanagari script,
    and tagged with /ActualText so the PDF text layer keeps the characters in logical order.
    """
    text = strip_bidi(str(text))  # TeX neither prints nor applies bidi controls
    if _DEVANAGARI_RUN.search(text):
        parts: list[str] = []
        last = 0
        for match in _DEVANAGARI_RUN.finditer(text):
            run = match.group(0)
            parts.append(_escape_chars(text[last:match.start()]))
            if run.strip("\u200c\u200d"):
                hexcode = "FEFF" + run.encode("utf-16-be").hex().upper()
                parts.append(rf"\builderdeva{{{hexcode}}}{{{run}}}")
            else:
                parts.append(run)
            last = match.end()
        parts.append(_escape_chars(text[last:]))
        return NoEscape("".join(parts))
    return NoEscape(_escape_chars(text))


def _escape_chars(text: str) -> str:
    out: list[str] = []
    for i, char in enumerate(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"{{[}}U+{ord(char):04X}{{]}}")
        else:
            out.append(char)
            # T1 fonts turn "--" into a dash and ",," into a low quote: an empty group keeps them literal.
            if char in "-," and text[i + 1 : i + 2] == char:
                out.append("{}")
    return "".join(out)


def tex_breakable(text: object) -> NoEscape:
    """Escape an identifier (DOI, arXiv id, key) and allow line breaks after '/', '.', '-' and '_'."""
    return NoEscape(re.sub(r"(/|\.|-|\\_)", r"\1\\allowbreak{}", tex_escape(text)))


def tex_paragraphs(text: str) -> NoEscape:
    """Escape multi-paragraph text: blank lines separate paragraphs, single newlines are spaces."""
    parts = [p.strip() for p in re.split(r"\n[ \t\r]*\n", text.strip())]
    return NoEscape("\n\n".join(tex_escape(p) for p in parts if p))


def tex_url(url: str) -> NoEscape:
    """A URL safe inside \\href{...}: anything beyond a plain set is percent-encoded, and % is escaped."""
    return NoEscape(quote(url, safe=":/.-_=?&+,;@!*()").replace("%", r"\%").replace("&", r"\&"))


def format_date(day: dt.date) -> str:
    """'5 July 2026', independent of the process locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def source_date_epoch(day: dt.date) -> int:
    """Midnight UTC of a date as SOURCE_DATE_EPOCH: the same inputs give byte-identical PDFs."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def report_epoch(report: Report) -> int:
    """The report date as the PDF timestamp that keeps builds reproducible."""
    return source_date_epoch(report.date)


# ---------------------------------------------------------------------------------------------------------------
# Small formatters shared by the sections.


def full_authors(paper: Paper) -> str:
    """Every author, in order: 'A, B, C and D'; beyond PDF_AUTHOR_LIMIT the first ones and 'et al.'."""
    names = list(paper.authors) or ["Anonymous"]
    if len(names) > PDF_AUTHOR_LIMIT:
        return ", ".join(names[:PDF_AUTHOR_LIMIT]) + " et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ref_numbers(report: Report) -> dict[str, int]:
    return report.reference_numbers


def cite(report: Report, arxiv_id: str, *, numbers: dict[str, int] | None = None) -> str:
    """'[3] Politov et al. (2025)' (`Report.citation`) with [3] linked to reference 3; an unknown id as itself."""
    numbers = numbers if numbers is not None else _ref_numbers(report)
    if arxiv_id not in numbers:
        return tex_escape(f"arXiv:{arxiv_id}")
    number = numbers[arxiv_id]
    return rf"\hyperref[ref:{number}]{{[{number}]}}~{tex_escape(report.papers[number - 1].label)}"


def _cite_number(numbers: dict[str, int], arxiv_id: str) -> str:
    if arxiv_id in numbers:
        return rf"\hyperref[ref:{numbers[arxiv_id]}]{{[{numbers[arxiv_id]}]}}"
    return tex_escape(f"arXiv:{arxiv_id}")


def mark(value: bool) -> str:
    return r"\builderyes{}" if value else r"\builderno{}"


# ---------------------------------------------------------------------------------------------------------------
# The document.


def _read_template(name: str, latex_dir: Path | None = None) -> str:
    path = (latex_dir or LATEX_DIR) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"LaTeX template missing: {path} ({exc.strerror})") from exc


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
    fixed = " - ".join(width for _, width in _CLAIM_COLUMNS if width)
    claim_width = rf"\dimexpr\linewidth - {fixed} - 12\tabcolsep\relax"
    evidence_width = rf"\dimexpr\linewidth - {_CLAIM_COLUMNS[0][1]} - 2\tabcolsep\relax"
    spec = (
        rf"@{{}}>{{\raggedright\arraybackslash}}p{{{_CLAIM_COLUMNS[0][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{claim_width}}}"
        rf">{{\centering\arraybackslash}}p{{{_CLAIM_COLUMNS[2][1]}}}"
        rf">{{\raggedleft\arraybackslash}}p{{{_CLAIM_COLUMNS[3][1]}}}"
        rf">{{\centering\arraybackslash}}p{{{_CLAIM_COLUMNS[4][1]}}}"
        rf">{{\centering\arraybackslash}}p{{{_CLAIM_COLUMNS[5][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{_CLAIM_COLUMNS[6][1]}}}@{{}}"
    )
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
        table = LongTable(NoEscape(spec))
        table.append(NoEscape(rf"\toprule {header} \midrule \endfirsthead"))
        table.append(NoEscape(
            rf"\multicolumn{{7}}{{@{{}}l}}{{\footnotesize\color{{muted}}Extracted claims (continued)}} \\"
            rf"\toprule {header} \midrule \endhead"))
        table.append(NoEscape(
            r"\midrule \multicolumn{7}{@{}r@{}}{\footnotesize\color{muted}continued on next page} \\ \endfoot"))
        table.append(NoEscape(r"\bottomrule \endlastfoot"))
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
    fixed = " - ".join(width for _, width in _RESULT_COLUMNS if width)
    condition_width = rf"\dimexpr\linewidth - {fixed} - 8\tabcolsep\relax"
    sentence_width = rf"\dimexpr\linewidth - {_RESULT_COLUMNS[0][1]} - 2\tabcolsep\relax"
    spec = (
        rf"@{{}}>{{\raggedright\arraybackslash}}p{{{_RESULT_COLUMNS[0][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{_RESULT_COLUMNS[1][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{_RESULT_COLUMNS[2][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{_RESULT_COLUMNS[3][1]}}}"
        rf">{{\raggedright\arraybackslash}}p{{{condition_width}}}@{{}}"
    )
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
        table = LongTable(NoEscape(spec))
        table.append(NoEscape(rf"\toprule {header} \midrule \endfirsthead"))
        table.append(NoEscape(
            rf"\multicolumn{{5}}{{@{{}}l}}{{\footnotesize\color{{muted}}Quantitative results (continued)}} \\"
            rf"\toprule {header} \midrule \endhead"))
        table.append(NoEscape(
            r"\midrule \multicolumn{5}{@{}r@{}}{\footnotesize\color{muted}continued on next page} \\ \endfoot"))
        table.append(NoEscape(r"\bottomrule \endlastfoot"))
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
                r"\paragraph{Not covered.} No verified claim addresses these terms of the question: "
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


_FONTS_MARK = "%BUILDER-ENGINE-FONTS%"


def _pdf_info(text: str) -> str:
    """Escaped text for PDF metadata; '-{}' stops hyperref turning '--' into a dash there."""
    return tex_escape(text).replace("-", "-{}")


def render_tex(
    report: Report,
    figures: Sequence[Figure] = (),
    *,
    latex_dir: Path | None = None,
    engine: str = "auto",
) -> str:
    """The complete .tex source of the report: template code from latex/, every data string escaped.

    `latex_dir` is the project's template folder (default: the checkout's `latex/`). `engine` is
    "pdflatex", "xelatex" or "auto" (pdfLaTeX unless the text needs XeLaTeX, see `choose_engine`); the
    first line of the source names it, and the engine's font file (latex/fonts-<engine>.tex) opens the preamble.
    Figures are drawn in the document itself (see builder.render.plots), so the source needs no other file.
    """
    doc = Document(
        documentclass="article",
        document_options=["11pt", "a4paper"],
        fontenc=None,
        inputenc=None,
        lmodern=False,
        textcomp=False,
        microtype=False,
        page_numbers=True,
        indent=False,
        geometry_options={"margin": "2.4cm", "top": "2.6cm", "headsep": "0.8cm"},
    )
    if engine not in ("auto", *ENGINES):
        raise ValueError(f"unknown TeX engine {engine!r}")
    doc.preamble.append(NoEscape(_FONTS_MARK))
    doc.preamble.append(NoEscape(_read_template("preamble.tex", latex_dir)))
    if report.is_draft:
        doc.preamble.append(NoEscape(_read_template("draft.tex", latex_dir)))
    running = "Literature synthesis report" + (" — DRAFT" if report.is_draft else "")
    doc.preamble.append(NoEscape(rf"\newcommand{{\builderrunninghead}}{{{tex_escape(running)}}}"))
    doc.preamble.append(NoEscape(
        rf"\hypersetup{{pdftitle={{{_pdf_info(report.title)}}},pdfauthor={{{_pdf_info(report.author)}}},"
        rf"pdfsubject={{{_pdf_info(report.question)}}}}}"))

    doc.append(NoEscape(_title_block(report)))
    for section in report.sections:
        _SECTIONS[section](doc, report, figures)
    body = doc.dumps() + "\n"
    if engine == "auto":
        engine = choose_engine(body)
    fonts = _read_template(f"fonts-{engine}.tex", latex_dir).rstrip("\n")
    return wrap_long_lines(f"% !TEX program = {engine}\n" + body.replace(_FONTS_MARK, fonts, 1))


# ---------------------------------------------------------------------------------------------------------------
# Compilation.

_INCLUDE_RE = re.compile(r"(\\includegraphics(?:\[[^\]]*\])?\{)([^{}]+)(\})")
_ASSET_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg"}
_JOB = "report"
_ENGINE_PACKAGES = {"pdflatex": "texlive-latex-base, tex-gyre", "xelatex": "texlive-xetex, fonts-freefont-otf"}


def _stage_assets(tex: str, base: Path, workdir: Path) -> str:
    """Copy each \\includegraphics file into the work dir (paranoid TeX reads nothing outside it)."""
    assets = workdir / "assets"
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        source = Path(match.group(2).strip())
        source = source if source.is_absolute() else base / source
        if source.suffix.lower() not in _ASSET_SUFFIXES:
            return match.group(0)
        if not source.is_file():
            raise RenderError(f"figure file not found: {source}")
        counter += 1
        assets.mkdir(exist_ok=True)
        target = assets / f"fig{counter}{source.suffix.lower()}"
        shutil.copyfile(source, target)
        return f"{match.group(1)}assets/{target.name}{match.group(3)}"

    return _INCLUDE_RE.sub(replace, tex)


def _env(epoch: int, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        openin_any="p",
        openout_any="p",
        shell_escape="f",
        SOURCE_DATE_EPOCH=str(epoch),
        FORCE_SOURCE_DATE="1",
        max_print_line="10000",
        error_line="254",
        half_error_line="238",
        TEXMFOUTPUT=str(workdir),
        TEXMFVAR=str(workdir / ".texmf-var"),
    )
    env.pop("TEXINPUTS", None)
    return env


def compile_pdf(
    tex_path: Path,
    pdf_path: Path,
    *,
    timeout: float = 180,
    epoch: int | None = None,
    latex_dir: Path | None = None,
) -> list[str]:
    """Compile tex_path to pdf_path with latexmk in a sandbox dir; return warnings, raise RenderError.

    The engine is the one the file names on its first line (`tex_engine`). `epoch` fixes the PDF dates and
    ID (SOURCE_DATE_EPOCH); None falls back to $SOURCE_DATE_EPOCH, then 0, so the output is reproducible
    either way.
    """
    if epoch is None:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    tex_path = Path(tex_path)
    try:
        tex = tex_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot read {tex_path}: {exc.strerror}") from exc
    engine = tex_engine(tex)
    if shutil.which("latexmk") is None or shutil.which(engine) is None:
        raise RenderError(f"latexmk and {engine} are required to build the PDF "
                          f"(Debian: latexmk, {_ENGINE_PACKAGES[engine]}; or run scripts/system-deps.sh tex)")
    with tempfile.TemporaryDirectory(prefix="builder-tex-") as tmp:
        workdir = Path(tmp)
        (workdir / f"{_JOB}.tex").write_text(_stage_assets(tex, tex_path.parent.resolve(), workdir), encoding="utf-8")
        rc_file = str((latex_dir or LATEX_DIR) / "latexmkrc")
        command = ["latexmk", "-norc", "-r", rc_file, "-pdf" if engine == "pdflatex" else "-xelatex",
                   "-interaction=nonstopmode",
                   "-halt-on-error", "-no-shell-escape", f"{_JOB}.tex"]
        proc = subprocess.Popen(command, cwd=workdir, env=_env(epoch, workdir), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RenderError(f"{tex_path}: LaTeX did not finish within {timeout:g} s") from exc
        log_file = workdir / f"{_JOB}.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        pdf = workdir / f"{_JOB}.pdf"
        if proc.returncode != 0 or not pdf.exists():
            terminal = output.decode("utf-8", "replace")
            detail = tex_errors(log, output=terminal) or "\n".join(terminal.strip().splitlines()[-8:])
            meaning = hint(detail)
            raise RenderError(f"{tex_path}: LaTeX failed{' (' + meaning + ')' if meaning else ''}\n{detail}",
                              tex_line=error_line(log, terminal, tex))
        warnings = missing_glyphs(log)
        if re.search(r"LaTeX Warning: (There were undefined references|Label\(s\) may have changed)", log):
            warnings.append(f"{tex_path}: unresolved cross-references remain after the final LaTeX pass")
        pdf_path = Path(pdf_path)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        staged = pdf_path.with_name(pdf_path.name + ".tmp")
        shutil.copyfile(pdf, staged)
        staged.replace(pdf_path)
    return warnings
