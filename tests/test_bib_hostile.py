"""Hostile metadata through the .bib writer, read back by the real `bibtex` and by bibtexparser, cited by real TeX.

The .bib is cited in other people's documents, so three things must hold for any value in any field:
- BibTeX and bibtexparser see the same entries with the same fields (no value closes early and adds a `note`);
  BibTeX's view comes from `dump.bst` below, a style that writes out every field it read;
- no TeX command outside a short harmless list reaches the file (`\\input{...}` prints, never runs);
- a document citing the file compiles, and a secret file named in an `\\input` never shows in its PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.hygiene import BIDI_CONTROLS, clean_text
from builder.models import Paper
from builder.render.bibtex import BIB_AUTHOR_LIMIT, FIELD_ORDER, bib_keys, render_bibtex
from builder.render.bibvalue import SAFE_MATH_COMMANDS, SAFE_TEXT_COMMANDS, bibtex_balanced

HAVE_BIBTEX = shutil.which("bibtex") is not None
HAVE_TEX = HAVE_BIBTEX and shutil.which("pdflatex") is not None and shutil.which("pdftotext") is not None

BIB_FIELDS = [name.lower() for name in FIELD_ORDER] + ["note", "howpublished", "publisher"]
DUMP_BST = (
    "ENTRY { " + " ".join(BIB_FIELDS) + " } {} {}\n"
    'FUNCTION {show} { duplicate$ missing$ { pop$ "<none>" } { } if$ }\n'
    "FUNCTION {dump} {\n"
    '  "@@entry " cite$ * write$ newline$\n'
    + "".join(f'  "@@{name} " {name} show * write$ newline$\n' for name in BIB_FIELDS)
    + "}\n"
    "FUNCTION {misc} { dump }\nFUNCTION {article} { dump }\nFUNCTION {default.type} { dump }\n"
    "READ\nITERATE {call.type$}\n"
)


def bibtex_view(bib: str, folder: Path) -> tuple[dict[str, dict[str, str]], str]:
    """Run the real bibtex over `bib` with dump.bst: {key: {field: value}} as BibTeX read it, and its log."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "dump.bst").write_text(DUMP_BST, encoding="utf-8")
    (folder / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{dump}\n\\bibdata{refs}\n", encoding="utf-8")
    run = subprocess.run(["bibtex", "doc"], cwd=folder, capture_output=True, text=True, timeout=60)
    bbl = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    entries: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    # bibtex wraps long output lines at a space, or without one at any character followed by "%";
    # a new record starts only at "@@name".
    bbl = re.sub(r"(?<!\\)%\n", "", bbl)
    for chunk in re.split(r"\n(?=@@)", bbl.strip()):
        name, _, value = chunk.removeprefix("@@").partition(" ") if " " in chunk.split("\n")[0] else (
            chunk.removeprefix("@@").partition("\n"))
        value = " ".join(value.split())
        if name == "entry":
            current = entries.setdefault(value, {})
        elif value != "<none>":
            current[name] = value
    return entries, run.stdout + run.stderr


def parser_view(bib: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {e.key: {f.key.lower(): " ".join(f.value.split()) for f in e.fields} for e in library.entries}


def unsafe_commands(bib: str) -> list[str]:
    """TeX commands in the file outside the harmless lists, and any ^^ notation (which TeX turns into a \\)."""
    names = set(re.findall(r"\\([A-Za-z]+)", bib)) - SAFE_TEXT_COMMANDS - SAFE_MATH_COMMANDS
    return sorted(names) + (["^^"] if "^^" in bib else [])


def check_bib(bib: str, papers: list[Paper], folder: Path) -> dict[str, dict[str, str]]:
    """Every promise about one .bib; returns the parsed entries."""
    parsed = parser_view(bib)
    assert len(parsed) == len({p.arxiv_id for p in papers})
    for fields in parsed.values():
        assert set(fields) <= {name.lower() for name in FIELD_ORDER}, fields
        for name, value in fields.items():
            assert bibtex_balanced(value), (name, value)
            assert not value.endswith("\\"), (name, value)
    assert unsafe_commands(bib) == []
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in bib)
    assert not set(bib) & BIDI_CONTROLS
    if HAVE_BIBTEX:
        seen, log = bibtex_view(bib, folder)
        assert "error" not in log.lower(), log
        assert seen == parsed, (seen, parsed)
        # A real style formats names (format.name$) and titles (change.case$): their grammar must hold too.
        (folder / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
        plain = subprocess.run(["bibtex", "doc"], cwd=folder, capture_output=True, text=True, timeout=60)
        assert "error message" not in plain.stdout, plain.stdout
    return parsed


def paper(arxiv_id: str = "2101.00001", **fields: object) -> Paper:
    base: dict[str, object] = {
        "arxiv_id": arxiv_id, "title": "A Title", "authors": ("Ann Smith",), "abstract": "An abstract.",
        "published": dt.date(2021, 1, 1),
    }
    base.update(fields)
    return Paper(**base)  # type: ignore[arg-type]


TOKEN = uuid.uuid4().hex[:10]

# The faults of issue 16 (1-3, 7), each as the field that carried it.
CURATED = [
    paper("2101.00001", doi="10.1000/a}, note = {INJECTED-DOI"),
    paper("2101.00002", primary_category="cs.CL}, note = {INJECTED-CAT"),
    paper("2101.00003", title=r"Escaped \} brace }, note = {INJECTED-TITLE"),
    paper("2101.00004", title="A title ending in a backslash \\"),
    paper("2101.00005", title=r"Reads \input{/etc/hostname} and \csname input\endcsname"),
    paper("2101.00006", title=r"Caret notation ^^5cinput{/etc/hostname} and $\input{x}$ and \^^5c"),
    paper("2101.00007", authors=("Ann {Smith", r"Bob \}, note = {X", "Cy and Dee", "Dee, Ed, Jr, X"), title="Names"),
    paper("2101.00008", journal_ref=r"J. of Hacks }, note = {INJECTED-JOURNAL \def\x{y}"),
    paper("2101.00009", journal_ref="journal={Real J\\}, volume={9}, pages={1--2},", title="Unpacked"),
    paper("2101.00010", title=clean_text("Right\u202eto left then id"), authors=(clean_text("Ann\u202eSmith"),)),
    paper("2101.00011", title=r"Fine LaTeX: \textit{Deep} na\"ive caf\'{e} $O(n^2)$ 50\% \& co"),
    paper("2101.00012", authors=tuple(f"Author Number{i}" for i in range(BIB_AUTHOR_LIMIT + 50))),
]


def test_curated_hostile_values_round_trip_through_bibtex_and_bibtexparser(tmp_path: Path) -> None:
    bib = render_bibtex(CURATED, bib_keys(CURATED))
    entries = check_bib(bib, CURATED, tmp_path / "bib")
    assert "INJECTED" not in " ".join(v for e in entries.values() for k, v in e.items() if k not in (
        "doi", "primaryclass", "title", "author", "journal"))
    by_id = {e["eprint"]: e for e in entries.values()}
    assert by_id["2101.00001"]["doi"] == "10.1000/a%7D, note = %7BINJECTED-DOI"  # percent-encoded, same DOI
    assert by_id["2101.00005"]["title"].startswith(r"Reads {\textbackslash}input{/etc/hostname}")
    assert by_id["2101.00011"]["title"] == r"Fine {LaTeX}: \textit{Deep} na\"ive caf\'{e} $O(n^2)$ 50\% \& co"
    assert by_id["2101.00012"]["author"].endswith("Author Number99 and others")
    # Four authors: a stray brace dropped, an escaped one printed, "Cy and Dee" and the two-comma name braced.
    assert by_id["2101.00007"]["author"] == (
        r"Ann Smith and Bob {\textbraceright}, note = X and {Cy and Dee} and {Dee, Ed, Jr, X}"
    )
    assert by_id["2101.00009"]["journal"] == r"Real J{\textbackslash}"  # the trailing backslash prints


@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live (pdflatex, bibtex) and pdftotext are needed")
def test_a_document_citing_the_bib_compiles_and_runs_no_command(tmp_path: Path) -> None:
    """The issue's demonstration: `\\input{secret}` in a title printed a local file into the citer's PDF."""
    secret = tmp_path / "outside" / "secret.tex"
    secret.parent.mkdir()
    secret.write_text(f"SECRET{TOKEN}\n", encoding="utf-8")
    hostile = [
        *CURATED,
        paper("2101.00099", title=f"Leak \\input{{{secret}}} here", journal_ref=f"\\input{{{secret}}}"),
    ]
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "refs.bib").write_text(render_bibtex(hostile, bib_keys(hostile)), encoding="utf-8")
    (doc / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}\\usepackage{url}\n"
        "\\begin{document}\\nocite{*}\\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "shell_escape": "f"}  # TeX Live's defaults otherwise: openin_any=a, as a citer has
    run = {"cwd": doc, "capture_output": True, "text": True, "timeout": 120, "env": env}
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    subprocess.run(latex, **run)  # type: ignore[call-overload]
    bib = subprocess.run(["bibtex", "doc"], **run)  # type: ignore[call-overload]
    assert bib.returncode == 0 and "error" not in bib.stdout.lower(), bib.stdout
    for _ in range(2):
        final = subprocess.run(latex, **run)  # type: ignore[call-overload]
    assert final.returncode == 0, final.stdout[-3000:]
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=doc, capture_output=True, text=True).stdout
    assert f"SECRET{TOKEN}" not in text
    assert "\\input" in text and "INJECTED-DOI" not in text  # the title prints its command; plain ignores doi
    assert str(secret.name) in text


# --- property: any value in any field ------------------------------------------------------------------------

FRAGMENTS = [
    "}", "{", "\\", "\\}", "\\{", "}, note = {X", "\\input{/etc/passwd}", "^^5c", "^", "$", "$x_1$", "$\\input$",
    "%", "#", "&", "_", "~", "@misc{y,", "\"", ",", " and ", "others", "\\textit{", "\\'", "\\\\", "\x00", "\x1b",
    "\u202e", "\u2066", "\u202c", "\u2069", "\ufeff", "\u00a0", "é", "Ł", "中文", "😀", "\n", "\t", "  ",
    "\\LaTeX", "\\O", "\\ss", "\\'e", "\\c{c}", "\\textit{x}", "$\\alpha$", "Þ", ",~", "-",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(min_size=1, max_size=6)), min_size=1, max_size=8
).map("".join)


def _door(text: str) -> str:
    """What the store's door lets through: cleaned text (hypothesis text never holds a lone surrogate)."""
    return clean_text(text) or "x"


@st.composite
def hostile_papers(draw: st.DrawFn) -> Paper:
    maybe = st.one_of(st.none(), hostile_text.map(_door))
    return paper(
        f"2101.{draw(st.integers(1, 99999)):05d}",
        title=_door(draw(hostile_text)),
        authors=tuple(_door(a) for a in draw(st.lists(hostile_text, max_size=4))),
        doi=draw(maybe),
        journal_ref=draw(maybe),
        primary_category=draw(maybe),  # the writer must hold even for values the store would refuse
        version=draw(st.one_of(st.none(), st.integers(1, 9999))),
    )


@settings(
    max_examples=int(os.environ.get("BUILDER_HOSTILE_EXAMPLES", "40")),
    deadline=None,
    derandomize="BUILDER_HOSTILE_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(papers=st.lists(hostile_papers(), min_size=1, max_size=3, unique_by=lambda p: p.arxiv_id))
def test_any_value_in_any_field_keeps_the_bib_grammar(papers: list[Paper], tmp_path: Path) -> None:
    folder = tmp_path / uuid.uuid4().hex[:8]
    bib = render_bibtex(papers, bib_keys(papers))
    entries = check_bib(bib, papers, folder)
    by_id = {e["eprint"]: e for e in entries.values()}
    for item in papers:
        fields = by_id[item.arxiv_id]
        expected = {"author", "title", "year", "eprint", "archiveprefix", "url"}
        assert expected <= set(fields)
        assert ("doi" in fields) == bool(item.doi and item.doi.strip())
        assert fields["url"] == dataclasses.replace(item).abs_url


@pytest.mark.skipif(not (HAVE_BIBTEX and shutil.which("xelatex") and shutil.which("pdftotext")), reason="TeX Live")
@settings(
    max_examples=int(os.environ.get("BUILDER_HOSTILE_EXAMPLES", "8")),
    deadline=None,
    derandomize="BUILDER_HOSTILE_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    papers=st.lists(hostile_papers(), min_size=3, max_size=6, unique_by=lambda p: p.arxiv_id),
    style=st.sampled_from(["plain", "alpha", "abbrv"]),
)
def test_a_document_citing_any_hostile_bib_compiles(papers: list[Paper], style: str, tmp_path: Path) -> None:
    """The citer's side of the property: a standard style formats every name (alpha cuts them into labels, abbrv
    into initials) and title, XeLaTeX (any Unicode) compiles the bibliography, and `\\input{/etc/passwd}` in a
    value never shows the file."""
    doc = tmp_path / uuid.uuid4().hex[:8]
    doc.mkdir()
    (doc / "refs.bib").write_text(render_bibtex(papers, bib_keys(papers)), encoding="utf-8")
    (doc / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{fontspec}\\setmainfont{FreeSerif}\\usepackage{url}\n"
        f"\\begin{{document}}\\nocite{{*}}\\bibliographystyle{{{style}}}\\bibliography{{refs}}\\end{{document}}\n",
        encoding="utf-8",
    )
    run = {"cwd": doc, "capture_output": True, "text": True, "timeout": 120}
    latex = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    subprocess.run(latex, **run)  # type: ignore[call-overload]
    bib = subprocess.run(["bibtex", "doc"], **run)  # type: ignore[call-overload]
    assert "error message" not in bib.stdout, bib.stdout
    final = subprocess.run(latex, **run)  # type: ignore[call-overload]
    assert final.returncode == 0, [line for line in final.stdout.splitlines() if line.startswith("!")]
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=doc, capture_output=True, text=True).stdout
    assert "root:x:0:0" not in text
