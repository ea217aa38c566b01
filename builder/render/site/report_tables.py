"""The report page's evidence matrix and quantitative-results table, with everything they look up, sort or link.

The matrix's cells are the model's (`Report.evidence_matrix`); here each gets its mark, its words for a screen
reader and its sort key, each column its link to the reference and each row its link to the claim. The results
rows are `Report.results_table`'s, in its order, with the sort keys and filter options of the page's script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.matrix import EvidenceMatrix
from builder.models import Report, Result, Stance
from builder.render.site.escape import html_id

# What a cell shows, what a screen reader says for it, and its sort key (supports highest, as in the claims
# table's "Support" column; contradictions lowest).
MARKS = {
    Stance.SUPPORT: ("✓", "supports", 2),
    Stance.NEI: ("·", "no evidence", 1),
    Stance.CONTRADICT: ("✗", "contradicts", 0),
}
_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?")


def sort_id(claim_id: str) -> str:
    """A claim id with its numbers zero-padded, so C10 sorts after C9."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), claim_id)


@dataclass(frozen=True)
class MatrixCell:
    stance: Stance
    own: bool  # the column is the claim's own source
    mark: str  # ✓ ✗ ·
    words: str  # "supports", "contradicts", "no evidence", with ", its source" for the claim's own paper
    sort: int
    title: str  # "[3] Politov et al. (2025) supports C7"


@dataclass(frozen=True)
class MatrixHeader:
    number: int
    href: str  # "#ref-3"
    citation: str  # "[3] Politov et al. (2025)"
    supports: int
    contradicts: int


@dataclass(frozen=True)
class MatrixLine:
    claim_id: str
    href: str  # "#claim-C7"
    id_sort: str
    status: str  # the claim's status, for the row's data-status
    cells: tuple[MatrixCell, ...]
    supports: int
    contradicts: int


@dataclass(frozen=True)
class MatrixTable:
    table_id: str
    caption: str
    columns: tuple[MatrixHeader, ...]
    rows: tuple[MatrixLine, ...]
    supports: int  # SUPPORT cells in all
    contradicts: int

    @property
    def total(self) -> int:
        return len(self.rows)


def matrix_table(report: Report, matrix: EvidenceMatrix | None = None) -> MatrixTable:
    """The page's matrix: `Report.evidence_matrix` with its marks, links and sort keys."""
    matrix = matrix if matrix is not None else report.evidence_matrix
    statuses = {r.claim.id: r.verdict.status.value for r in report.claims}
    citations = [report.citation(c.arxiv_id) for c in matrix.columns]

    def cell(row_claim: str, column: int, stance: Stance, own: bool) -> MatrixCell:
        mark, words, sort = MARKS[stance]
        title = f"{citations[column]} {'has no evidence on' if stance is Stance.NEI else words} {row_claim}"
        return MatrixCell(
            stance, own, mark, words + (", its source" if own else ""), sort, title + (" (its source)" if own else "")
        )

    rows = tuple(
        MatrixLine(
            claim_id=row.claim_id,
            href=f"#{html_id('claim', row.claim_id)}",
            id_sort=sort_id(row.claim_id),
            status=statuses.get(row.claim_id, ""),
            cells=tuple(cell(row.claim_id, i, s, i == row.source) for i, s in enumerate(row.cells)),
            supports=row.supports,
            contradicts=row.contradicts,
        )
        for row in matrix.rows
    )
    columns = tuple(
        MatrixHeader(c.number, f"#ref-{c.number}", citations[i], c.supports, c.contradicts)
        for i, c in enumerate(matrix.columns)
    )
    n, m = len(rows), len(columns)
    caption = (
        f"Evidence matrix: {n} {'claim' if n == 1 else 'claims'} against {m} {'paper' if m == 1 else 'papers'}, "
        f"{matrix.supports} supporting and {matrix.contradicts} contradicting; select a column header to sort"
    )
    return MatrixTable("matrix-table", caption, columns, rows, matrix.supports, matrix.contradicts)


@dataclass(frozen=True)
class ResultRow:
    result: Result
    number: int | None  # the paper's reference number
    href: str | None  # "#ref-3"
    paper_sort: str  # the reference number, zero-padded ("999" when none)
    value_sort: str  # the value's first number ("" when it has none: sorted last)


@dataclass(frozen=True)
class ResultTable:
    table_id: str
    caption: str
    rows: tuple[ResultRow, ...]
    paper_options: tuple[tuple[str, str], ...]  # (arXiv id, citation) of the papers with a row, in reference order
    metric_options: tuple[tuple[str, str], ...]  # the metrics named, alphabetically

    @property
    def total(self) -> int:
        return len(self.rows)


def _value_sort(value: str) -> str:
    match = _NUMBER.search(value)
    return match.group(0).replace("−", "-") if match else ""


def result_table(report: Report) -> ResultTable:
    """`Report.results_table` as the page's sortable, filterable table."""
    numbers = report.reference_numbers
    rows = tuple(
        ResultRow(
            result=r,
            number=numbers.get(r.paper),
            href=f"#ref-{numbers[r.paper]}" if r.paper in numbers else None,
            paper_sort=f"{numbers.get(r.paper, 999):03d}",
            value_sort=_value_sort(r.value),
        )
        for r in report.results_table
    )
    papers = {r.paper for r in report.results_table}
    count = len(rows)
    return ResultTable(
        table_id="results-table",
        caption=f"{count} quantitative {'result' if count == 1 else 'results'} stated by the papers; "
        "select a column header to sort",
        rows=rows,
        paper_options=tuple((p.arxiv_id, report.citation(p.arxiv_id)) for p in report.papers if p.arxiv_id in papers),
        metric_options=tuple((m, m) for m in sorted({r.metric for r in report.results_table if r.metric})),
    )
