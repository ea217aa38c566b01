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

from builder.render.latex.compile import compile_pdf
from builder.render.latex.document import render_tex
from builder.render.latex.escape import (
    ENGINES,
    MONTHS,
    PDF_AUTHOR_LIMIT,
    PDFLATEX_CHARS,
    choose_engine,
    cite,
    format_date,
    full_authors,
    report_epoch,
    source_date_epoch,
    tex_breakable,
    tex_engine,
    tex_escape,
    tex_paragraphs,
    tex_url,
)
from builder.render.latex.sections import Figure
from builder.render.latex.templates import LATEX_DIR, read_template
from builder.render.texlog import missing_glyphs, tex_errors

__all__ = [
    "ENGINES",
    "LATEX_DIR",
    "MONTHS",
    "PDFLATEX_CHARS",
    "PDF_AUTHOR_LIMIT",
    "Figure",
    "choose_engine",
    "cite",
    "compile_pdf",
    "format_date",
    "full_authors",
    "missing_glyphs",
    "read_template",
    "render_tex",
    "report_epoch",
    "source_date_epoch",
    "tex_breakable",
    "tex_engine",
    "tex_errors",
    "tex_escape",
    "tex_paragraphs",
    "tex_url",
]
