"""Hostile paper metadata through the whole build (issue 16, faults 7 and 8): a store record carrying control
and bidi characters, 10,000 authors and a 19,000-character one-sentence abstract, built by the real CLI with the
site, and read back from every output: the PDF (pdftotext), the page (an HTML parser), the SVG figures (an XML
parser), the .bib (bibtexparser) and the manifest. Then TeX's own failures on lines too long for its buffer.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from factories import make_report
from test_hostile import read_page
from test_pipeline import ROOT, _project, pdftotext, run_builder

from builder.errors import RenderError
from builder.hygiene import BIDI_CONTROLS, clean_text
from builder.render.latex import PDF_AUTHOR_LIMIT, compile_pdf, render_tex, tex_escape
from builder.render.texlog import WRAP_AT, blame, error_line, hint, tex_errors, wrap_long_lines

SPEC = (ROOT / "reports" / "domain-mismatch-multisource-ner.yaml").read_text(encoding="utf-8")  # uses 2003.11080
TARGET = "2003.11080"
MANY = 10_000
OVERRIDE_OPEN = "\u202e"
Built = tuple[Path, dict[str, Any], subprocess.CompletedProcess[str]]


def _bidi_balanced(text: str) -> bool:
    """Every embedding/override/isolate opened in `text` is closed in it (UAX #9 pairs)."""
    stack: list[str] = []
    for char in text:
        if char in "\u202a\u202b\u202d\u202e":
            stack.append("e")
        elif char in "\u2066\u2067\u2068":
            stack.append("i")
        elif char == "\u202c":
            if not stack or stack[-1] != "e":
                continue
            stack.pop()
        elif char == "\u2069":
            while stack and stack.pop() != "i":
                pass
    return not stack


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    project = _project(tmp_path_factory.mktemp("meta"), {"mismatch.yaml": SPEC})
    path = project / "store" / "papers" / f"{TARGET}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    first = record["authors"][0]
    record["authors"] = [
        f"Nul\x00 Byte{first.split()[-1]}",  # a NUL in a surname made a figure invalid XML
        f"Evil {OVERRIDE_OPEN}Override",  # an unterminated RLO reversed the rest of a reference on the site
        "   ",
        *(f"Author{i} Many{i}" for i in range(MANY)),
    ]
    record["title"] = record["title"] + " \u2067unclosed isolate and a bell\x07"
    record["abstract"] = ("word " * 3_800).strip() + "."  # one 19,000-character sentence
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = run_builder("--root", str(project), "build", "--quiet", "--out", str(project / "build"))
    return project / "build", record, result


def test_hostile_record_builds_with_a_warning_and_no_traceback(built: Built) -> None:
    out, _, result = built
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    manifest = json.loads((out / "data" / "mismatch.json").read_text(encoding="utf-8"))
    assert any("author 3 has a blank name; left out" in w for w in manifest["warnings"])


def _every_output(out: Path) -> dict[Path, str]:
    files = [*out.glob("bib/*.bib"), *out.glob("data/*.json"), *out.glob("tex/*.tex"), *out.rglob("site/**/*.html"),
             *out.rglob("site/**/*.svg"), *out.rglob("docs/**/*.md")]
    return {f: f.read_text(encoding="utf-8") for f in files}


def test_no_output_holds_a_control_or_an_unterminated_bidi_character(built: Built) -> None:
    out, _, _ = built
    outputs = _every_output(out)
    assert any(p.suffix == ".svg" for p in outputs) and any(p.suffix == ".html" for p in outputs)
    for path, text in outputs.items():
        bad = [ch for ch in text if (ord(ch) < 0x20 and ch not in "\n\t\r") or ch == "\x7f"]
        assert not bad, (path, bad[:3])
        assert _bidi_balanced(text), path
        if path.suffix in (".bib", ".tex"):
            assert not set(text) & BIDI_CONTROLS, path  # TeX and BibTeX get none at all
        if path.suffix == ".svg":
            ET.fromstring(text)  # valid XML: the NUL is gone


def test_the_page_isolates_names_and_titles(built: Built) -> None:
    out, _, _ = built
    page = read_page(out / "site" / "reports" / "mismatch.html")
    text = page.text
    index = text.index(f"{OVERRIDE_OPEN}Override")
    assert text[index - len("\u2068Evil ") : index] == "\u2068Evil "  # the name sits in its own FSI...PDI isolate


def test_ten_thousand_authors_print_as_et_al_but_the_manifest_keeps_them(built: Built) -> None:
    out, _, _ = built
    manifest = json.loads((out / "data" / "mismatch.json").read_text(encoding="utf-8"))
    paper = next(p for p in manifest["papers"] if p["arxiv_id"] == TARGET)
    assert len(paper["authors"]) == MANY + 2  # every name but the blank one
    bib = bibtexparser.parse_string((out / "bib" / "mismatch.bib").read_text(encoding="utf-8"))
    entry = next(e for e in bib.entries if e.fields_dict["eprint"].value == TARGET)
    names = entry.fields_dict["author"].value.split(" and ")
    assert len(names) == 101 and names[-1] == "others"
    pdf = re.sub(r"\s+", " ", pdftotext(out / "pdf" / "mismatch.pdf"))
    assert f"Author{PDF_AUTHOR_LIMIT - 3} Many{PDF_AUTHOR_LIMIT - 3} et al." in pdf
    assert f"Author{PDF_AUTHOR_LIMIT} Many" not in pdf
    tex = (out / "tex" / "mismatch.tex").read_text(encoding="utf-8")
    assert max(len(line) for line in tex.splitlines() if not line.startswith("%")) <= WRAP_AT


# --- TeX's own failures --------------------------------------------------------------------------------------


def test_a_line_longer_than_texs_buffer_fails_with_texs_real_error(tmp_path: Path) -> None:
    """Issue 16, fault 8: the error went to the terminal only, and the message showed latexmk's summary."""
    tex = tmp_path / "long.tex"
    tex.write_text("% !TEX program = pdflatex\n\\documentclass{article}\\begin{document}\n" + "w" * 330_000
                   + "\n\\end{document}\n", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        compile_pdf(tex, tmp_path / "long.pdf", timeout=120)
    message = str(caught.value)
    assert "! Unable to read an entire line---bufsize=200000." in message
    assert "longer than TeX's input buffer" in message
    assert caught.value.tex_line == 3


def test_the_failing_line_is_blamed_on_the_field_that_is_on_it(tmp_path: Path) -> None:
    report = make_report()
    victim = report.papers[1]
    long_title = victim.title + " " + "x" * 250_000  # a title no store would accept, forced past the door
    report = dataclasses.replace(report, papers=(report.papers[0], dataclasses.replace(victim, title=long_title),
                                                  *report.papers[2:]))
    source = render_tex(report)
    path = tmp_path / "report.tex"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        compile_pdf(path, tmp_path / "report.pdf", timeout=180)
    blamed = str(blame(caught.value, report, source, tex_escape))
    assert f"caused by paper {victim.arxiv_id} field 'title'" in blamed, blamed


def test_long_lines_are_broken_at_spaces_and_comments_are_kept_whole() -> None:
    line = " ".join(["word"] * 3_000)
    wrapped = wrap_long_lines(f"a\n{line}\n% {line}\n")
    lines = wrapped.split("\n")
    assert lines[0] == "a" and all(len(x) <= WRAP_AT for x in lines[1:-2])
    assert " ".join(lines[1:-2]) == line and lines[-2] == f"% {line}"
    assert wrap_long_lines("short\n") == "short\n"


def test_tex_errors_find_errors_anywhere_on_a_line_and_say_what_they_mean() -> None:
    log = "\n".join([
        "(./report.tex", "! TeX capacity exceeded, sorry [main memory size=5000000].", "<argument> ...",
        "l.412 \\item\\label{ref:3}Author0 Many0, Author1", "", "No pages of output.",
    ])
    assert tex_errors(log) == "! TeX capacity exceeded, sorry [main memory size=5000000].\n" \
        "l.412 \\item\\label{ref:3}Author0 Many0, Author1"
    assert hint(tex_errors(log)) == "the text is larger than TeX's memory allows"
    assert error_line(log, "", "a\n" * 500) == 412
    terminal = "(/usr/share/texmf/size11.clo))(./report.aux)! Unable to read an entire line---bufsize=200000.\n" \
        "Please increase buf_size in texmf.cnf.\n"
    assert tex_errors("no error in the log", output=terminal) == (
        "! Unable to read an entire line---bufsize=200000.\nPlease increase buf_size in texmf.cnf.")
    assert error_line("", terminal, "short\n" + "x" * 300 + "\nshort\n") == 2  # the longest line


def test_tex_escaped_characters_read_as_the_characters() -> None:
    # Seen in 2505.18673's abstract: "consistently revealing over 50\% accuracy drops".
    assert clean_text(r"over 50\% accuracy drops, R\&D, a\_b, \#1, \$5") == "over 50% accuracy drops, R&D, a_b, #1, $5"
    # Seen in 2204.06487's abstract: "we perform \textit{multilingual adaptive fine-tuning}".
    assert clean_text(r"we perform \textit{multilingual adaptive fine-tuning} and \emph{MAFT}") == (
        "we perform multilingual adaptive fine-tuning and MAFT"
    )
    kept = r"\alpha, \input{/etc/hostname} and \textbf{\x} stay"
    assert clean_text(kept) == kept
