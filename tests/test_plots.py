"""The report figures: one SVG + one PDF each, byte-identical between runs, valid, and described in words."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from factories import MAYHEW, POLITOV, make_report
from pypdf import PdfReader

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
        assert plot.pdf_path.suffix == ".pdf" and plot.pdf_path.stat().st_size > 1000
        assert plot.svg_path.stem == plot.pdf_path.stem == f"projection-ner-low-resource-{plot.name}"
        assert plot.caption.strip() and plot.alt.strip()


def test_byte_identical_between_runs(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    for a, b in zip(*two_runs, strict=True):
        assert a.svg_path.read_bytes() == b.svg_path.read_bytes(), a.name
        assert a.pdf_path.read_bytes() == b.pdf_path.read_bytes(), a.name


def test_valid_svg_without_dates(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    for plot in two_runs[0]:
        text = plot.svg_path.read_text(encoding="utf-8")
        root = ET.fromstring(text)  # raises on malformed XML
        assert root.tag == f"{SVG_NS}svg"
        assert root.get("viewBox")
        assert "<dc:date>" not in text
        assert "http://" not in text.replace("http://www.w3.org/", "").replace("http://purl.org/dc/", "").replace(
            "http://creativecommons.org/ns#", ""
        ).replace("http://matplotlib.org/", "")


def test_valid_pdf_without_dates(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    for plot in two_runs[0]:
        data = plot.pdf_path.read_bytes()
        assert data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1
        info = reader.metadata or {}
        assert "/CreationDate" not in info and "/ModDate" not in info


def test_pdf_text_is_searchable(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    """The PDF twin keeps its labels as text (Type 3 glyphs), so the report's PDF can be searched for them."""
    confidence = two_runs[0][0]
    text = PdfReader(confidence.pdf_path).pages[0].extract_text()
    assert "verified" in text and "claims" in text, text


def test_alt_text_states_the_data(two_runs: tuple[list[PlotFile], list[PlotFile]]) -> None:
    confidence, per_paper, years = two_runs[0]
    assert "6 claims" in confidence.alt and "4 verified" in confidence.alt and "2 not verified" in confidence.alt
    assert "0.72–0.91" in confidence.alt and "0.08–0.41" in confidence.alt
    assert "[1] Politov et al. 2025: 3 verified, 0 not verified" in per_paper.alt
    assert "[2] García-Ferrero et al. 2022: 0 verified, 1 not verified" in per_paper.alt
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
