"""The evidence matrix: every claim against every paper of a report, each cell what that paper says about it.

The cells are read from the verdicts, never judged again: a paper that contradicts the claim
(`Verdict.contradicts`, its own source included) is CONTRADICT; one that supports it (`Verdict.supports`, the
judgement the rationale names, `Verdict.decided_by`, or for the claim's own source `Verdict.grounded`) is
SUPPORT; a paper in none of them holds no evidence either way (NEI). So a row's contradictions are exactly the
papers that make the claim contested, and its supports other than the source are exactly those that make it
corroborated. `Report.evidence_matrix` builds it once; the PDF, the page and the manifest print it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from builder.models import ClaimResult, Paper, Stance, Verdict


@dataclass(frozen=True)
class MatrixColumn:
    """One paper of the report: a column, in reference order, with the claims it supports and contradicts."""

    number: int  # its reference number [n]
    arxiv_id: str
    supports: int
    contradicts: int


@dataclass(frozen=True)
class MatrixRow:
    """One claim: a row, in claim order, with one cell per column."""

    claim_id: str
    cells: tuple[Stance, ...]  # one per column, in column order
    source: int | None  # the column of the claim's own source; None when it is not a paper of the report

    @property
    def supports(self) -> int:
        """Papers that support the claim, its own source included."""
        return self.cells.count(Stance.SUPPORT)

    @property
    def contradicts(self) -> int:
        return self.cells.count(Stance.CONTRADICT)


@dataclass(frozen=True)
class EvidenceMatrix:
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]

    @property
    def supports(self) -> int:
        """SUPPORT cells in all."""
        return sum(row.supports for row in self.rows)

    @property
    def contradicts(self) -> int:
        return sum(row.contradicts for row in self.rows)

    @property
    def empty(self) -> bool:
        """No claim or no paper: nothing to show."""
        return not self.rows or not self.columns

    def column_groups(self, most: int) -> tuple[tuple[int, ...], ...]:
        """The column indexes cut into as few runs as keep each at `most` columns or fewer, their sizes as even
        as can be (13 columns in at most 12: 7 and 6), in order: the PDF prints one table per run."""
        if most < 1:
            raise ValueError("a group needs at least one column")
        count = len(self.columns)
        groups = math.ceil(count / most)
        if not groups:
            return ()
        size, extra = divmod(count, groups)
        runs, start = [], 0
        for i in range(groups):
            end = start + size + (1 if i < extra else 0)
            runs.append(tuple(range(start, end)))
            start = end
        return tuple(runs)


def cell(verdict: Verdict, source: str, arxiv_id: str) -> Stance:
    """What the paper `arxiv_id` says about the claim whose verdict this is and whose source is `source`."""
    judged = [
        j
        for j in (*verdict.contradicts, *verdict.supports, verdict.decided_by)
        if j is not None and j.arxiv_id == arxiv_id
    ]
    if any(j.stance is Stance.CONTRADICT for j in judged):
        return Stance.CONTRADICT
    if any(j.stance is Stance.SUPPORT for j in judged) or (arxiv_id == source and verdict.grounded):
        return Stance.SUPPORT
    return Stance.NEI


def evidence_matrix(papers: Sequence[Paper], claims: Sequence[ClaimResult]) -> EvidenceMatrix:
    """The matrix of `claims` (rows, in claim order) against `papers` (columns, in reference order)."""
    ids = [p.arxiv_id for p in papers]
    rows = tuple(
        MatrixRow(
            claim_id=r.claim.id,
            cells=tuple(cell(r.verdict, r.claim.source, arxiv_id) for arxiv_id in ids),
            source=ids.index(r.claim.source) if r.claim.source in ids else None,
        )
        for r in claims
    )
    columns = tuple(
        MatrixColumn(
            number=n,
            arxiv_id=arxiv_id,
            supports=sum(row.cells[n - 1] is Stance.SUPPORT for row in rows),
            contradicts=sum(row.cells[n - 1] is Stance.CONTRADICT for row in rows),
        )
        for n, arxiv_id in enumerate(ids, start=1)
    )
    return EvidenceMatrix(columns, rows)
