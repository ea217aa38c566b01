"""The whole .tex of a report: the template preamble, the engine's fonts, the sections in `Report.sections` order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pylatex import Document
from pylatex.utils import NoEscape

from builder.models import Report
from builder.render.latex.escape import ENGINES, choose_engine, tex_escape
from builder.render.latex.sections import _SECTIONS, Figure, _title_block
from builder.render.latex.templates import read_template
from builder.render.texformat import DUMP_MARK
from builder.render.texlog import wrap_long_lines

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
    doc.preamble.append(NoEscape(read_template("preamble.tex", latex_dir)))
    if report.is_draft:
        doc.preamble.append(NoEscape(read_template("draft.tex", latex_dir)))
    # Above: the same for every report of a kind, dumped once as a format (builder/render/texformat.py).
    doc.preamble.append(NoEscape(f"\n{DUMP_MARK}\n"))
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
    fonts = read_template(f"fonts-{engine}.tex", latex_dir).rstrip("\n")
    return wrap_long_lines(f"% !TEX program = {engine}\n" + body.replace(_FONTS_MARK, fonts, 1))


