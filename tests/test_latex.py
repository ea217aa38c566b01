"""The LaTeX/PDF renderer, end to end with real XeLaTeX, latexmk and pdftotext.

Few documents are compiled (module-scoped fixtures) and each is checked many ways:
a full report carrying hostile text, several scripts, a missing glyph and a figure; a draft report;
a second compile for byte-identity; a broken .tex for the error message.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from factories import PAPERS, make_claims, make_draft_report, make_report, make_review
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from builder.errors import RenderError
from builder.models import Claim, ClaimResult, Evidence, Finding, PaperVerdict, Report, Stance, Verdict
from builder.render.latex import (
    PDFLATEX_CHARS,
    Figure,
    choose_engine,
    compile_pdf,
    missing_glyphs,
    render_tex,
    report_epoch,
    tex_engine,
    tex_errors,
    tex_escape,
)
from builder.render.plots import chart_tex, confidence_chart

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("latexmk", "xelatex", "pdflatex", "pdftotext")),
    reason="needs latexmk, xelatex, pdflatex and pdftotext",
)

SPECIALS = "#$%&_{}~^\\"
HOSTILE = (
    r"Hostile: \input{/etc/passwd} \write18{touch /tmp/pwned-by-tex} \catcode`\{=12 \def\x{y} "
    "<script>alert('x')</script> a|b \"quoted\" `tick` [opt] -- --- }}{ 100% & more"
)
SCRIPTS = "Scripts: Jäkel García Ελληνικά Кириллица हिन्दी नमस्ते ✓ ✗"
MISSING = "Missing: 漢 and 😀"


def text_of(pdf: Path, page: int | None = None) -> str:
    """pdftotext output (reading order, not layout), optionally of one page."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def squash(text: str) -> str:
    """Drop whitespace and hyphens, so line breaks and hyphenation in the PDF do not matter."""
    return re.sub(r"[\s\-‐]+", "", text)


def make_figure(report: Report) -> Figure:
    """The report's confidence chart, as the plots module draws it, with a caption that needs escaping."""
    chart = confidence_chart(report)
    return Figure(name="calibration", tex=chart_tex(chart, tex_escape),
                  caption="Calibration of confidences (50% & more)", alt=chart.alt)


def full_report() -> Report:
    claims = (
        *make_claims(),
        ClaimResult(
            Claim("C7", f"{HOSTILE} {SPECIALS} {SCRIPTS}", "spec", PAPERS[1].arxiv_id, spec_line=30),
            Verdict("C7", False, 0.12, False, False,
                    (Evidence(PAPERS[1].arxiv_id, 0, f"Evidence with {SPECIALS} inside.", 0.12),),
                    f"Rationale with {SPECIALS} and {SCRIPTS}.",
                    decided_by=PaperVerdict(PAPERS[1].arxiv_id, Stance.NEI, 0.12, 0.01, "cited", 0,
                                            f"Evidence with {SPECIALS} inside.")),
        ),
    )
    review = make_review(findings=(*make_review().findings, Finding("missing-reference", "error", HOSTILE, "C7")))
    return make_report(claims=claims, review=review, limitations=f"{HOSTILE}\n\n{SCRIPTS}\n\n{MISSING}",
                       warnings=(f"note with {SPECIALS}",))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Compile the full report once: tex, pdf, text and warnings."""
    tmp = tmp_path_factory.mktemp("latex")
    report = full_report()
    tex = render_tex(report, [make_figure(report)])
    tex_path = tmp / "report.tex"
    tex_path.write_text(tex, encoding="utf-8")
    pdf = tmp / "out" / "report.pdf"
    warnings = compile_pdf(tex_path, pdf, epoch=report_epoch(report))
    return {"report": report, "tex": tex, "pdf": pdf, "text": text_of(pdf), "warnings": warnings, "dir": tmp}


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("draft")
    report = make_draft_report()
    tex_path = tmp / "draft.tex"
    tex_path.write_text(render_tex(report), encoding="utf-8")
    pdf = tmp / "draft.pdf"
    compile_pdf(tex_path, pdf, epoch=report_epoch(report))
    return {"report": report, "tex_path": tex_path, "pdf": pdf}


# --- the full report ----------------------------------------------------------------------------------------------


def test_compiles_to_a_multi_page_pdf(built: dict) -> None:
    reader = PdfReader(built["pdf"])
    assert len(reader.pages) >= 3
    assert reader.metadata.title == built["report"].title


def test_sections_in_order(built: dict) -> None:
    text = built["text"]
    headings = ["Abstract", "1 Synthesis", "2 Introduction", "3 Methodology", "4 Results", "5 Review",
                "6 Limitations", "7 Disagreements", "8 Quantitative Results", "9 Evidence Matrix",
                "10 Extracted Claims", "11 Figures", "References"]
    positions = [text.find(h) for h in headings]
    assert -1 not in positions, dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    for sub in ("5.1 Dimensions", "5.2 Reviewers", "5.3 Findings"):  # models.REVIEW_PARTS
        assert sub in text


def test_title_block(built: dict) -> None:
    text = built["text"]
    report = built["report"]
    assert squash(report.title) in squash(text)
    assert report.author in text
    assert "5 July 2026" in text
    assert "DRAFT" not in text


def test_every_claim_in_full_with_marks_evidence_and_rationale(built: dict) -> None:
    flat = squash(built["text"])
    numbers = built["report"].reference_numbers
    for result in built["report"].claims:
        assert squash(result.claim.text) in flat, result.claim.id
        assert squash(result.verdict.rationale) in flat, result.claim.id
        assert result.verdict.shown, result.claim.id
        for heading, judgement in result.verdict.shown:  # the deciding sentence and every other paper's
            assert squash(f"{heading} [{numbers[judgement.arxiv_id]}], sentence {judgement.sentence_index + 1}") in flat
            assert squash(judgement.sentence) in flat, result.claim.id
        assert squash(built["report"].origin(result.claim)) in flat
        assert f"{result.verdict.confidence:.2f}" in built["text"]
    assert "✓" in built["text"] and "✗" in built["text"]
    assert squash("[1] Politov et al. (2025)") in flat
    assert squash("[2] García-Ferrero et al. (2022)") in flat


def test_every_reference_with_accented_authors_links_and_doi(built: dict) -> None:
    text = built["text"]
    flat = squash(text)
    for number, paper in enumerate(built["report"].papers, start=1):
        for author in paper.authors:
            assert squash(author) in flat, author
        assert squash(paper.title) in flat
        assert squash(f"[{number}]") in flat
        assert squash(paper.versioned_id) in flat
        if paper.doi:
            assert squash(paper.doi) in flat
    for name in ("René Jäkel", "Michael Färber", "Iker García-Ferrero", "Marek Šuppa", "Nikola Ljubešić"):
        assert squash(name) in flat
    links = {
        annot.get_object()["/A"].get("/URI")
        for page in PdfReader(built["pdf"]).pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/A", {}).get("/URI")
    }
    for paper in built["report"].papers:
        assert paper.abs_url in links
    assert "https://doi.org/10.18653/v1/2022.findings-emnlp.478" in links


def test_special_characters_and_scripts_come_out_literally(built: dict) -> None:
    text = built["text"]
    flat = squash(text)
    assert squash(SPECIALS) in flat
    assert squash(HOSTILE) in flat
    for literal in ("Ελληνικά", "Кириллица", "हिन्दी", "नमस्ते", "Jäkel", "García", "<script>alert('x')</script>",
                    '"quoted"', "`tick`", "[opt]", "100% & more"):
        assert literal in text, literal
    # TeX ligatures are off: '--' and '---' stay hyphens rather than turning into dashes.
    assert "-- ---" in text


def test_hostile_text_does_not_execute(built: dict) -> None:
    assert "root:x:0" not in built["text"]
    assert not Path("/tmp/pwned-by-tex").exists()
    assert r"\input{/etc/passwd}" in built["text"]
    assert r"\write18{touch" in built["text"]


def test_missing_glyph_is_a_warning_naming_it(built: dict) -> None:
    joined = "\n".join(built["warnings"])
    assert "'漢' (U+6F22)" in joined
    assert "(U+1F600)" in joined
    assert "FreeSerif" in joined
    # Everything else still rendered.
    assert "Missing:" in built["text"]


def test_figure_is_included_with_caption(built: dict) -> None:
    text = built["text"]
    assert "calibrated confidence that the claim is supported" in text  # the chart's labels are text in the PDF
    assert "0.8–0.9" in text
    assert "Figure 1: Calibration of confidences (50% & more)" in text
    assert "\\includegraphics" not in built["tex"]  # drawn in the document: the source needs no other file
    assert str(built["dir"]) not in built["tex"]


def test_pdf_date_comes_from_the_epoch(built: dict) -> None:
    assert PdfReader(built["pdf"]).metadata["/CreationDate"].startswith("D:20260705000000")


# --- the pdfLaTeX path: the default engine for text its T1 fonts print exactly -------------------------------------

_T1_SORTED = "".join(sorted(PDFLATEX_CHARS))
T1_TEXT = " ".join(_T1_SORTED[i : i + 8] for i in range(0, len(_T1_SORTED), 8))  # words short enough to wrap


@pytest.fixture(scope="module")
def built_pdflatex(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A report with hostile text and every character of PDFLATEX_CHARS (in the claims table, the title and the
    question, so in the serif, the bold sans and the small fonts), compiled by the engine render_tex picks."""
    tmp = tmp_path_factory.mktemp("pdflatex")
    claims = (
        *make_claims(),
        ClaimResult(
            Claim("C7", f"{HOSTILE} {SPECIALS} ,,low'' {T1_TEXT}", "spec", PAPERS[1].arxiv_id, spec_line=30),
            Verdict("C7", False, 0.12, False, False,
                    (Evidence(PAPERS[1].arxiv_id, 0, f"Evidence {T1_TEXT}", 0.12),), f"Rationale {T1_TEXT}",
                    decided_by=PaperVerdict(PAPERS[1].arxiv_id, Stance.NEI, 0.12, 0.01, "cited", 0,
                                            f"Evidence {T1_TEXT}")),
        ),
    )
    report = make_report(claims=claims, title=f"T1 title {T1_TEXT}", question=f"Question {T1_TEXT}?")
    tex = render_tex(report, [make_figure(report)])
    tex_path = tmp / "report.tex"
    tex_path.write_text(tex, encoding="utf-8")
    pdf = tmp / "report.pdf"
    warnings = compile_pdf(tex_path, pdf, epoch=report_epoch(report))
    return {"report": report, "tex": tex, "tex_path": tex_path, "pdf": pdf, "text": text_of(pdf),
            "warnings": warnings}


def test_latin_text_is_compiled_with_pdflatex(built_pdflatex: dict) -> None:
    assert built_pdflatex["tex"].startswith("% !TEX program = pdflatex\n")
    assert "fontspec" not in built_pdflatex["tex"]
    assert built_pdflatex["warnings"] == []
    producer = PdfReader(built_pdflatex["pdf"]).metadata["/Producer"]
    assert "pdfTeX" in producer, producer


def test_pdflatex_characters_read_back(built_pdflatex: dict) -> None:
    """Every character pdfLaTeX is trusted with comes back from pdftotext exactly, in every place it was put."""
    flat = squash(built_pdflatex["text"])
    for label in ("T1 title ", "Question ", "Evidence ", "Rationale "):
        assert squash(label + T1_TEXT) in flat, label
    assert PdfReader(built_pdflatex["pdf"]).metadata.title == built_pdflatex["report"].title


def test_pdflatex_prints_hostile_text_literally(built_pdflatex: dict) -> None:
    text = built_pdflatex["text"]
    assert squash(HOSTILE) in squash(text) and squash(SPECIALS) in squash(text)
    # T1 ligatures are suppressed: '--', '---' and ',,' stay as typed.
    assert "-- ---" in text and ",,low" in text
    assert "✓" in text and "✗" in text
    assert not Path("/tmp/pwned-by-tex").exists()


def test_pdflatex_compiles_are_byte_identical(built_pdflatex: dict, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    compile_pdf(built_pdflatex["tex_path"], again, epoch=report_epoch(built_pdflatex["report"]))
    assert again.read_bytes() == built_pdflatex["pdf"].read_bytes()


def test_engine_choice() -> None:
    assert choose_engine("plain ASCII, García, Jäkel, Čech, ≥ 5 … ✓") == "pdflatex"
    for text in ("Ελληνικά", "Кириллица", "हिन्दी", "漢", "x²", "e\u0301"):  # the last: a combining accent
        assert choose_engine(f"García {text}") == "xelatex", text
    assert tex_engine("% !TEX program = pdflatex\n\\documentclass{article}") == "pdflatex"
    # A file that names no engine gets the one that takes any text.
    assert tex_engine("\\documentclass{article}") == "xelatex"
    assert render_tex(full_report()).startswith("% !TEX program = xelatex\n")
    assert render_tex(make_report(), engine="xelatex").startswith("% !TEX program = xelatex\n")
    with pytest.raises(ValueError, match="unknown TeX engine"):
        render_tex(make_report(), engine="lualatex")


# --- draft, determinism, failures ---------------------------------------------------------------------------------


def test_draft_has_watermark_on_every_page(draft: dict) -> None:
    pages = len(PdfReader(draft["pdf"]).pages)
    assert pages >= 3
    for page in range(1, pages + 1):
        assert "DRAFT" in text_of(draft["pdf"], page), f"page {page}"
    assert "did not pass the quality gate" in text_of(draft["pdf"], 1)


def test_two_compiles_are_byte_identical(draft: dict, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    compile_pdf(draft["tex_path"], again, epoch=report_epoch(draft["report"]))
    assert again.read_bytes() == draft["pdf"].read_bytes()


def test_broken_tex_raises_render_error_with_the_tex_error(tmp_path: Path) -> None:
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\nHello\n\\undefinedmacro\n\\end{document}\n")
    with pytest.raises(RenderError) as info:
        compile_pdf(tex, tmp_path / "broken.pdf", timeout=60)
    message = str(info.value)
    assert "! Undefined control sequence." in message
    assert "l.4 \\undefinedmacro" in message
    assert len(message.splitlines()) <= 6  # the lines that matter, not the log
    assert not (tmp_path / "broken.pdf").exists()


def test_paranoid_sandbox_refuses_absolute_reads(tmp_path: Path) -> None:
    secret = tmp_path / "secret.tex"
    secret.write_text("SECRETTEXT\n")
    tex = tmp_path / "reads.tex"
    tex.write_text(f"\\documentclass{{article}}\n\\begin{{document}}\n\\input{{{secret}}}\n\\end{{document}}\n")
    with pytest.raises(RenderError, match=r"secret\.tex' not found"):
        compile_pdf(tex, tmp_path / "reads.pdf", timeout=60)


def test_timeout_raises_render_error(tmp_path: Path) -> None:
    tex = tmp_path / "loop.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\def\\x{\\x}\\x\n\\end{document}\n")
    with pytest.raises(RenderError, match="did not finish within"):
        compile_pdf(tex, tmp_path / "loop.pdf", timeout=3)


# --- pure functions ------------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_leaves_no_active_syntax(text: str) -> None:
    escaped = str(tex_escape(text))
    # Remove the escape sequences we emit; what is left must hold no TeX-special character at all.
    rest = re.sub("\\\\builderdeva\\{[0-9A-F]+\\}\\{[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+\\}", "",
                  escaped)
    rest = re.sub(r"\\text[a-z]+\{\}|\\[#$%&_{}]|\{\[\}|\{\]\}|(?<=[-,])\{\}(?=[-,])", "", rest)
    assert not set(rest) & set("\\{}#$%&_~^"), rest
    assert not re.search(r"[\x00-\x1f\x7f]", escaped)


def test_escape_examples() -> None:
    assert tex_escape(SPECIALS) == (r"\#\$\%\&\_\{\}\textasciitilde{}\textasciicircum{}\textbackslash{}")
    assert tex_escape("a<b>c|d") == r"a\textless{}b\textgreater{}c\textbar{}d"
    assert tex_escape("bell\x07") == "bell{[}U+0007{]}"
    assert tex_escape("a -- b --- c ,, d - e, f") == "a -{}- b -{}-{}- c ,{}, d - e, f"
    assert tex_escape("हिन्दी").startswith(r"\builderdeva{FEFF0939")


def test_tex_errors_picks_bang_and_context_lines() -> None:
    log = "\n".join([
        "This is XeTeX", "(./report.tex", "! Undefined control sequence.", "l.12 \\foo", "            bar",
        "Here is how much of TeX's memory you used:", "more noise",
    ])
    assert tex_errors(log) == "! Undefined control sequence.\nl.12 \\foo\n            bar"
    assert tex_errors("no errors here") == ""


def test_missing_glyphs_parses_and_dedupes() -> None:
    log = ("Missing character: There is no 漢 (U+6F22) in font FreeSerif/OT:script=latn;language=dflt;!\n"
           "Missing character: There is no 漢 (U+6F22) in font FreeSerif/OT:script=latn;language=dflt;!\n"
           "Missing character: There is no ☃ in font FreeSans:mapping=tex-text;!\n")
    warnings = missing_glyphs(log)
    assert len(warnings) == 2
    assert "'漢' (U+6F22)" in warnings[0] and "FreeSerif" in warnings[0]
    assert "'☃' (U+2603)" in warnings[1] and "FreeSans" in warnings[1]


def test_non_draft_and_draft_tex_differ_only_by_intent() -> None:
    plain = render_tex(make_report())
    drafted = render_tex(make_report(review=dataclasses.replace(make_review(), gate_passed=False)))
    assert "draftwatermark" not in plain
    assert "draftwatermark" in drafted


def test_empty_report_still_renders_valid_tex(tmp_path: Path) -> None:
    """No claims, no papers, no review details: the document must still compile (no empty lists or tables)."""
    from builder.models import Review

    report = make_report(claims=(), papers=(), primary=PAPERS[0], warnings=(),
                         review=Review(score=0.0, tier="draft", gate_passed=False, reasons=()))
    tex = tmp_path / "empty.tex"
    tex.write_text(render_tex(report), encoding="utf-8")
    compile_pdf(tex, tmp_path / "empty.pdf", timeout=120)
    text = text_of(tmp_path / "empty.pdf")
    assert "No claims were extracted." in text
    assert "No papers were used." in text
