"""The evidence matrix (`Report.evidence_matrix`, builder/matrix.py): its cells decided once from the verdicts, and
what the PDF (tables of at most 12 papers, read back from a compiled PDF), the page (an accessible, sortable
table) and the manifest make of it.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from factories import GARCIA_FERRERO, MAYHEW, PAPERS, POLITOV, WU, make_report

from builder.matrix import EvidenceMatrix, MatrixColumn, cell, evidence_matrix
from builder.models import Claim, ClaimResult, PaperVerdict, Stance, Verdict
from builder.render.latex import compile_pdf, render_tex, report_epoch
from builder.render.latex.matrix import PDF_MATRIX_PAPERS
from builder.render.manifest import manifest, manifest_adapter
from builder.render.site.model import report_view
from builder.render.site.report import report_markdown

S, C, N = Stance.SUPPORT, Stance.CONTRADICT, Stance.NEI


def judgement(paper: str, stance: Stance, setting: str = "open") -> PaperVerdict:
    return PaperVerdict(paper, stance, 0.8 if stance is S else 0.1, 0.9 if stance is C else 0.0, setting, 0, "s.")


def verdict(**fields: object) -> Verdict:
    base = {
        "claim_id": "C1",
        "verified": False,
        "confidence": 0.1,
        "grounded": False,
        "corroborated": False,
        "evidence": (),
        "rationale": "r",
    }
    return Verdict(**{**base, **fields})


# ------------------------------------------------------------------------------------------------------ the model


def test_cells_come_from_the_verdicts_of_the_factory_report() -> None:
    matrix = make_report().evidence_matrix
    assert [c.arxiv_id for c in matrix.columns] == [p.arxiv_id for p in PAPERS]  # reference order
    assert [c.number for c in matrix.columns] == [1, 2, 3, 4]
    assert [(r.claim_id, r.cells, r.source) for r in matrix.rows] == [
        ("C1", (S, N, N, N), 0),  # grounded in [1]
        ("C2", (S, N, N, N), 0),
        ("C3", (S, N, N, N), 0),
        ("C4", (N, N, S, S), 2),  # a spec claim citing [3], grounded there and supported by [4]
        ("C5", (N, C, N, N), 1),  # contradicted by its own source [2]
        ("C6", (N, N, N, N), 3),  # [4]'s closest sentence, below the cut: no evidence
    ]
    assert [(r.supports, r.contradicts) for r in matrix.rows] == [(1, 0)] * 3 + [(2, 0), (0, 1), (0, 0)]
    assert [(c.supports, c.contradicts) for c in matrix.columns] == [(3, 0), (0, 1), (1, 0), (1, 0)]
    assert (matrix.supports, matrix.contradicts, matrix.empty) == (5, 1, False)


def test_a_cell_reads_supports_contradicts_the_decider_and_the_grounded_flag() -> None:
    source = POLITOV.arxiv_id
    other, third = GARCIA_FERRERO.arxiv_id, WU.arxiv_id
    # Another paper's contradiction, its support, and a paper named nowhere.
    v = verdict(contradicts=(judgement(other, C),), supports=(judgement(third, S),), contested=True)
    assert [cell(v, source, p) for p in (source, other, third, MAYHEW.arxiv_id)] == [N, C, S, N]
    # The own source's support is `grounded` even when the rationale names another paper.
    v = verdict(grounded=True, verified=True, supports=(judgement(other, S),), decided_by=judgement(other, S))
    assert [cell(v, source, p) for p in (source, other)] == [S, S]
    # The decider alone: its support counts, its "closest match" (NEI) does not.
    assert cell(verdict(decided_by=judgement(source, S, "cited")), source, source) is S
    assert cell(verdict(decided_by=judgement(other, N)), source, other) is N
    # Contradiction wins over any support of the same paper, as `Verdict.status` puts contested first.
    v = verdict(grounded=True, contradicts=(judgement(source, C, "cited"),), contested=True)
    assert cell(v, source, source) is C
    # `grounded` speaks for the source only.
    assert cell(verdict(grounded=True), source, other) is N


def test_a_claim_citing_no_paper_of_the_report_has_no_source_column() -> None:
    claim = Claim("C9", "A claim about an unknown paper.", "spec", "9999.99999", spec_line=3)
    matrix = evidence_matrix(PAPERS[:2], (ClaimResult(claim, verdict(claim_id="C9", grounded=True)),))
    assert matrix.rows[0].source is None and matrix.rows[0].cells == (N, N)
    assert evidence_matrix((), ()).empty and evidence_matrix(PAPERS, ()).empty


@pytest.mark.parametrize(
    ("papers", "most", "sizes"),
    [
        (0, 12, []),
        (1, 12, [1]),
        (8, 12, [8]),
        (12, 12, [12]),
        (13, 12, [7, 6]),
        (24, 12, [12, 12]),
        (25, 12, [9, 8, 8]),
        (3, 1, [1, 1, 1]),
    ],
)
def test_column_groups_are_even_runs_in_order(papers: int, most: int, sizes: list[int]) -> None:
    matrix = EvidenceMatrix(tuple(MatrixColumn(n, f"p{n}", 0, 0) for n in range(1, papers + 1)), ())
    groups = matrix.column_groups(most)
    assert [len(g) for g in groups] == sizes
    assert [i for g in groups for i in g] == list(range(papers))


def test_column_groups_need_a_positive_width() -> None:
    with pytest.raises(ValueError):
        EvidenceMatrix((), ()).column_groups(0)


# --------------------------------------------------------------------------------------------------- renderers


def many_papers_report(count: int = 25):
    """The factory report with `count` papers; the last one supports C2 and contradicts C3."""
    extra = tuple(
        dataclasses.replace(POLITOV, arxiv_id=f"2502.{10000 + i}", title=f"Extra paper {i}")
        for i in range(count - len(PAPERS))
    )
    papers = (*PAPERS, *extra)
    last = papers[-1].arxiv_id
    claims = list(make_report().claims)
    claims[1] = dataclasses.replace(
        claims[1], verdict=dataclasses.replace(claims[1].verdict, supports=(judgement(last, S),), corroborated=True)
    )
    claims[2] = dataclasses.replace(
        claims[2], verdict=dataclasses.replace(claims[2].verdict, contradicts=(judgement(last, C),), contested=True)
    )
    return make_report(papers=papers, claims=tuple(claims), bib_keys={})


def test_the_tex_splits_many_papers_into_tables_of_at_most_twelve() -> None:
    tex = render_tex(many_papers_report())
    section = tex.split(r"\section{Evidence Matrix}", 1)[1].split(r"\section{Extracted Claims}", 1)[0]
    tables = section.split(r"\begin{longtable}")[1:]
    assert len(tables) == 3 and PDF_MATRIX_PAPERS == 12
    for table, (first, last) in zip(tables, ((1, 9), (10, 17), (18, 25)), strict=True):
        head = table.split(r"\endfirsthead", 1)[0]
        assert re.findall(r"\\hyperref\[ref:(\d+)\]", head) == [str(n) for n in range(first, last + 1)]
    assert "Papers [1]–[9] (table 1 of 3)" in section and "Papers [18]–[25] (table 3 of 3)" in section
    # The counts per claim close the last table only; every table counts its own papers' claims.
    assert [r"\builderyes{} & \builderno{} \\" in t.split(r"\endfirsthead", 1)[0] for t in tables] == [
        False,
        False,
        True,
    ]
    assert r"\cellcolor{brand!12}\builderyes{}" in tables[0]  # C1's own source, shaded
    single = render_tex(make_report()).split(r"\section{Evidence Matrix}", 1)[1].split(r"\section{Extracted", 1)[0]
    assert single.count(r"\begin{longtable}") == 1 and "(table 1 of" not in single
    assert r"\textbf{C5} & \textcolor{muted}{·} & \cellcolor{brand!12}\builderno{} &" in single
    empty = render_tex(make_report(claims=()))
    assert "This report has no claims, so there is no matrix." in empty


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("latexmk", "pdflatex", "pdftotext")),
    reason="needs latexmk, pdflatex and pdftotext",
)
def test_the_pdf_prints_every_cell_and_fits_the_page_width(tmp_path: Path) -> None:
    report = many_papers_report()
    tex_path = tmp_path / "report.tex"
    tex_path.write_text(render_tex(report), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    compile_pdf(tex_path, pdf, epoch=report_epoch(report))
    layout = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    section = layout.split("Evidence Matrix", 1)[1].split("Extracted Claims", 1)[0]
    marks: dict[str, str] = {}
    for line in section.splitlines():
        match = re.match(r"\s*(C\d+)\s(.*)$", line)
        if match:
            marks[match.group(1)] = marks.get(match.group(1), "") + re.sub(r"[^✓✗·]", "", match.group(2))
    symbol = {S: "✓", C: "✗", N: "·"}
    assert marks == {r.claim_id: "".join(symbol[s] for s in r.cells) for r in report.evidence_matrix.rows}
    assert marks["C2"].endswith("✓") and marks["C3"].endswith("✗")  # paper [25], in the third table
    # Every word of the section lies inside the text block (A4, 2.4 cm margins): nothing runs into the margin.
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    start = next(i for i, w in enumerate(words) if w[2] == "Matrix")
    end = next(i for i, w in enumerate(words) if i > start and w[2] == "Extracted")
    right = 595.28 - 72.27 * 2.4 / 2.54
    assert all(float(x1) <= right + 1.5 and float(x0) >= 595.28 - right - 1.5 for x0, x1, _ in words[start:end])


def matrix_html(report) -> str:
    page = report_markdown(report_view(report, {}, []))
    return page[page.index("## Evidence Matrix") : page.index("## Extracted Claims")]


def test_the_page_has_an_accessible_sortable_table_with_links() -> None:
    html = matrix_html(make_report())
    assert '<table data-lr-table id="matrix-table">' in html
    assert "<caption>Evidence matrix: 6 claims against 4 papers, 5 supporting and 1 contradicting;" in html
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    headers = re.findall(r"<th ([^>]*)>", head)
    assert len(headers) == 1 + 4 + 2 and all('scope="col"' in h and 'aria-sort="none"' in h for h in headers)
    assert head.count('class="lr-sort"') == 7  # every column sorts
    assert re.findall(r'<a href="(#ref-\d+)" title="([^"]+)">', head) == [
        ("#ref-1", "[1] Politov et al. (2025)"),
        ("#ref-2", "[2] García-Ferrero et al. (2022)"),
        ("#ref-3", "[3] Wu et al. (2020)"),
        ("#ref-4", "[4] Mayhew et al. (2023)"),
    ]
    assert 'aria-label="Sort by [2] García-Ferrero et al. (2022)"' in head  # a sort button named for its paper
    rows = re.findall(r"<tbody[^>]*>(.*?)</tbody>", html)
    assert len(rows) == 6
    assert re.findall(r'<th scope="row" class="lr-id" data-sort="(C0+\d)"><a href="(#claim-C\d)">', html) == [
        (f"C{'0' * 5}{n}", f"#claim-C{n}") for n in range(1, 7)
    ]
    # C5: no evidence in [1], contradicted by its own source [2] (framed), as a mark and as words.
    c5 = re.findall(
        r'<td class="lr-cell ([^"]+)" data-sort="(\d)" title="([^"]+)"><span aria-hidden="true">(.)</span>'
        r'<span class="lr-sr-only">([^<]+)</span></td>',
        rows[4],
    )
    assert c5 == [
        ("lr-cell--nei", "1", "[1] Politov et al. (2025) has no evidence on C5", "·", "no evidence"),
        (
            "lr-cell--contradict lr-cell--own",
            "0",
            "[2] García-Ferrero et al. (2022) contradicts C5 (its source)",
            "✗",
            "contradicts, its source",
        ),
        ("lr-cell--nei", "1", "[3] Wu et al. (2020) has no evidence on C5", "·", "no evidence"),
        ("lr-cell--nei", "1", "[4] Mayhew et al. (2023) has no evidence on C5", "·", "no evidence"),
    ]
    assert re.findall(r'<td class="lr-num" data-sort="(\d+)">', rows[3]) == ["2", "0"]  # C4: [3] and [4] support
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r'<th scope="row">([^<]+)</th>', foot) == ["Claims supported", "Claims contradicted"]
    assert re.findall(r'<td class="lr-num">(\d+)</td>', foot) == ["3", "0", "1", "1", "5", "0", "1", "0", "0", "1"]
    assert "there is no matrix" in matrix_html(make_report(claims=()))


def test_the_manifest_holds_the_matrix() -> None:
    data = manifest(make_report())
    matrix = data["evidence_matrix"]
    assert [c["paper"] for c in matrix["columns"]] == [p.arxiv_id for p in PAPERS]
    assert matrix["rows"][4] == {
        "claim": "C5",
        "cells": ["NEI", "CONTRADICT", "NEI", "NEI"],
        "source": 1,
        "supports": 0,
        "contradicts": 1,
    }
    assert matrix["columns"][0] == {"paper": POLITOV.arxiv_id, "supports": 3, "contradicts": 0}
    manifest_adapter().validate_python(data)
    assert list(data).index("evidence_matrix") == list(data).index("results") + 1
