"""The PDF's "Evidence Matrix" section: `Report.evidence_matrix` as compact tables, a claim per row, a paper per
column ([n], linked to its reference), ✓ support, ✗ contradict, · no evidence, the claim's own source shaded.

More papers than fit the page's width are cut into several tables of at most `PDF_MATRIX_PAPERS` columns
(`EvidenceMatrix.column_groups`), each a longtable that breaks across pages; the counts per claim close the
last of them, the counts per paper close each one. Part of `builder/render/latex/sections.py`'s `_SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

from pylatex import Document, LongTable, Section
from pylatex.utils import NoEscape

from builder.matrix import EvidenceMatrix
from builder.models import Report, Stance
from builder.render.latex.escape import tex_escape
from builder.render.latex.tables import long_table

PDF_MATRIX_PAPERS = 12  # columns of papers per table: 12 of "[10]" and the counts fit the text width

_MARKS = {Stance.SUPPORT: r"\builderyes{}", Stance.CONTRADICT: r"\builderno{}", Stance.NEI: r"\textcolor{muted}{·}"}
_OWN = r"\cellcolor{brand!12}"
LEGEND = (
    r"Every claim (a row) against every paper of the references (a column, in reference order), as the verifier "
    r"judged them: \builderyes{} the paper supports the claim, \builderno{} it contradicts it, "
    r"\textcolor{muted}{·} it holds no evidence either way. A shaded cell is the claim's own source (the paper it "
    r"comes from or cites): its \builderyes{} says that source states the claim, not that another paper "
    r"corroborates it. The last two columns count the papers that support and contradict each claim, the last two "
    r"rows the claims each paper supports and contradicts."
)


def _table(matrix: EvidenceMatrix, columns: tuple[int, ...], last: bool, escape: Callable[[str], str]) -> LongTable:
    counts = 2 if last else 0
    width = 1 + len(columns) + counts
    spec = "@{}l" + "c" * len(columns) + ("rr" if last else "") + "@{}"
    header = (
        " & ".join(
            [r"\textsf{\textbf{Claim}}"]
            + [rf"\hyperref[ref:{matrix.columns[i].number}]{{[{matrix.columns[i].number}]}}" for i in columns]
            + ([r"\builderyes{}", r"\builderno{}"] if last else [])
        )
        + r" \\"
    )
    table = long_table(spec, header, width, "Evidence matrix")
    for row in matrix.rows:
        cells = [(_OWN if i == row.source else "") + _MARKS[row.cells[i]] for i in columns]
        totals = [str(row.supports), str(row.contradicts)] if last else []
        table.append(NoEscape(" & ".join([rf"\textbf{{{escape(row.claim_id)}}}", *cells, *totals]) + r" \\"))
    table.append(NoEscape(r"\midrule"))
    for label, attribute, total in (
        ("supported", "supports", matrix.supports),
        ("contradicted", "contradicts", matrix.contradicts),
    ):
        counts_row = [str(getattr(matrix.columns[i], attribute)) for i in columns]
        end = ([str(total), ""] if attribute == "supports" else ["", str(total)]) if last else []
        table.append(NoEscape(" & ".join([rf"\textsf{{Claims {label}}}", *counts_row, *end]) + r" \\"))
    return table


def evidence_matrix(doc: Document, report: Report) -> None:
    """The section: its legend, then one table per group of at most `PDF_MATRIX_PAPERS` papers."""

    matrix = report.evidence_matrix
    with doc.create(Section("Evidence Matrix", label=False)):
        doc.append(NoEscape(LEGEND + "\n\n"))
        if matrix.empty:
            what = "claims" if not matrix.rows else "papers"
            doc.append(NoEscape(rf"\emph{{This report has no {what}, so there is no matrix.}}"))
            return
        groups = matrix.column_groups(PDF_MATRIX_PAPERS)
        for n, columns in enumerate(groups, start=1):
            if len(groups) > 1:
                first, end = matrix.columns[columns[0]].number, matrix.columns[columns[-1]].number
                doc.append(
                    NoEscape(
                        rf"\par\noindent\textsf{{\small Papers [{first}]–[{end}] (table {n} of {len(groups)})}}" "\n"
                    )
                )
            doc.append(NoEscape(r"{\small"))
            doc.append(_table(matrix, columns, n == len(groups), tex_escape))
            doc.append(NoEscape("}\n"))
