"""The report figures: one chart model each, drawn as SVG (site) and LaTeX (PDF); deterministic, valid, in words."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from factories import MAYHEW, POLITOV, make_report

from builder.render.latex import Figure, compile_pdf, render_tex
from builder.render.plots import PlotFile, make_plots

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[PlotFile], list[PlotFile]]:
    report = make_report()
    first = make_plots(report, tmp_path_factory.mktemp("run1"))
    second = make_plots(report, tmp_path_factory.mktemp("run2"))
    return first, second


def test_three_named_plots_in_both_formats(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    plots, _ = two_runs
    assert [p.name for p in plots] == ["confidence", "verified-by-paper", "papers-by-year"]
    for plot in plots:
        assert plot.svg_path.suffix == ".svg" and plot.svg_path.stat().st_size > 1000
        assert plot.svg_path.stem == f"projection-ner-low-resource-{plot.name}"
        assert plot.tex.strip() and plot.caption.strip() and plot.alt.strip()


def test_byte_identical_between_runs(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    for a, b in zip(*two_runs, strict=True):
        assert a.svg_path.read_bytes() == b.svg_path.read_bytes(), a.name
        assert a.tex == b.tex, a.name


def test_valid_svg_with_text_and_no_outside_links(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    for plot in two_runs[0]:
        text = plot.svg_path.read_text(encoding="utf-8")
        root = ET.fromstring(text)  # raises on malformed XML
        assert root.tag == f"{SVG_NS}svg"
        assert root.get("viewBox") and root.get("role") == "img"
        assert root.find(f"{SVG_NS}title").text == plot.caption
        assert root.find(f"{SVG_NS}desc").text == plot.alt
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    per_paper = ET.fromstring(two_runs[0][1].svg_path.read_text(encoding="utf-8"))
    labels = [t.text for t in per_paper.iter(f"{SVG_NS}text")]
    assert "[2] García-Ferrero et al. (2022)" in labels and "0 + 1" in labels  # real text, accents kept


def test_svg_bars_are_proportional_and_not_verified_is_outlined(tmp_path: Path) -> None:
    plots = make_plots(make_report(), tmp_path)
    root = ET.fromstring(plots[1].svg_path.read_text(encoding="utf-8"))
    rects = [r for r in root.iter(f"{SVG_NS}rect") if float(r.get("height")) == 15.0 or float(r.get("height")) == 13.5]
    solid = [float(r.get("width")) for r in rects if r.get("stroke") is None]
    outlined = [r for r in rects if r.get("stroke")]
    # Politov: 3 verified (the longest bar); García-Ferrero: 1 not verified, outlined, a third as long.
    assert max(solid) == pytest.approx(3 * min(solid), rel=0.01)
    assert outlined and all(r.get("fill") == "#ffffff" for r in outlined)


@pytest.mark.skipif(not (shutil.which("latexmk") and shutil.which("pdflatex") and shutil.which("pdftotext")),
                    reason="needs latexmk, pdflatex and pdftotext")
def test_latex_figures_compile_and_read_back(two_runs: tuple[list[PlotFile], list[PlotFile]], tmp_path: Path) -> None:
    """The LaTeX twins compile inside the real report template, and their labels are text in the PDF."""
    report = make_report()
    figures = [Figure(p.name, p.tex, p.caption, p.alt) for p in two_runs[0]]
    tex = tmp_path / "report.tex"
    tex.write_text(render_tex(report, figures), encoding="utf-8")
    compile_pdf(tex, tmp_path / "report.pdf", timeout=120)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    for needle in ("[1] Politov et al. (2025)", "[2] García-Ferrero et al. (2022)", "0.8–0.9", "2023",
                   "calibrated confidence that the claim is supported", "Figure 3: Papers by year"):
        assert needle in flat, needle


def test_alt_text_states_the_data(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    confidence, per_paper, years = two_runs[0]
    assert "6 claims" in confidence.alt and "4 verified" in confidence.alt and "2 not verified" in confidence.alt
    assert "0.72–0.91" in confidence.alt and "0.08–0.41" in confidence.alt
    assert "[1] Politov et al. (2025): 3 verified, 0 not verified" in per_paper.alt
    assert "[2] García-Ferrero et al. (2022): 0 verified, 1 not verified" in per_paper.alt
    assert years.alt == "Bar chart of papers per year: 2020: 1, 2022: 1, 2023: 1, 2025: 1."


def test_plots_change_with_the_data(tmp_path: Path, two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    """Guards against a plot that ignores its input: fewer claims must draw a different histogram."""
    report = make_report(claims=make_report().claims[:2])
    plots = make_plots(report, tmp_path)
    assert plots[0].svg_path.read_bytes() != two_runs[0][0].svg_path.read_bytes()
    assert "2 claims" in plots[0].alt


def test_edge_cases_no_claims_and_one_year(tmp_path: Path) -> None:
    same_year = dataclasses.replace(MAYHEW, published=dt.date(2025, 3, 1))
    report = make_report(claims=(), papers=(POLITOV, same_year), slug="empty")
    plots = make_plots(report, tmp_path)
    assert [p.svg_path.name for p in plots] == [
        "empty-confidence.svg", "empty-verified-by-paper.svg", "empty-papers-by-year.svg"
    ]
    assert "0 claims" in plots[0].alt
    assert plots[1].alt.startswith("Bar chart of claims per paper. No claims.")
    assert "all 2 papers are from 2025" in plots[2].caption
