"""BibTeX rendering: keys are stable, entries parse back field for field, accents survive, TeX accepts the file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from builder.models import Paper
from builder.papers import paper_from_record
from builder.render.bibtex import ascii_fold, bib_keys, escape_value, protect_title, render_bibtex

CORPUS = Path("/work/shared/corpus/papers.jsonl")


def make(arxiv_id: str, title: str, authors: tuple[str, ...], **extra: object) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, authors=authors, abstract="An abstract.", **extra)  # type: ignore[arg-type]


POLITOV = make(
    "2501.18750",
    "Revisiting Projection-based Data Transfer for Cross-Lingual Named Entity Recognition in Low-Resource Languages",
    ("Andrei Politov", "Oleh Shkalikov", "René Jäkel", "Michael Färber"),
    version=2,
    published=dt.date(2025, 1, 30),
    primary_category="cs.CL",
    categories=("cs.CL", "cs.IR"),
)
GARCIA = make(
    "2210.12623",
    "Model and Data Transfer for Cross-Lingual Sequence Labelling in Zero-Resource Settings",
    ("Iker García-Ferrero", "Rodrigo Agerri", "German Rigau"),
    published=dt.date(2022, 10, 23),
    doi="10.18653/v1/2022.findings-emnlp.478",
    journal_ref="Findings of EMNLP 2022",
    primary_category="cs.CL",
)
OLD_STYLE = make("hep-th/9901001", "The Large N Limit of Superconformal Field Theories", ("Łukasz Størmer",), version=3)


def parse(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


def test_key_shape_follows_author_year_title_word() -> None:
    keys = bib_keys([POLITOV, GARCIA, OLD_STYLE])
    assert keys == {
        "2501.18750": "politov2025revisiting",
        "2210.12623": "garciaferrero2022model",
        "hep-th/9901001": "stormer1999large",
    }


def test_keys_do_not_depend_on_input_order_and_collisions_get_suffixes() -> None:
    twin_a = make("2101.00002", "Deep Nets", ("Ann Smith",), published=dt.date(2021, 1, 2))
    twin_b = make("2101.00001", "Deep Learning", ("Bob Smith",), published=dt.date(2021, 1, 1))
    other = make("2101.00003", "Deepa Nets", ("Cy Smith",), published=dt.date(2021, 1, 3))  # base key smith2021deepa
    forward = bib_keys([twin_a, twin_b, other])
    backward = bib_keys([other, twin_b, twin_a])
    assert forward == backward
    # Suffixes follow arXiv-id order, and skip a key another paper already owns.
    assert forward["2101.00001"] == "smith2021deepb"
    assert forward["2101.00002"] == "smith2021deepc"
    assert forward["2101.00003"] == "smith2021deepa"
    assert len(set(forward.values())) == 3


def test_fields_parse_back_and_accents_survive() -> None:
    papers = [POLITOV, GARCIA, OLD_STYLE]
    text = render_bibtex(papers, bib_keys(papers))
    entries = parse(text)
    politov = entries["politov2025revisiting"]
    assert politov["author"] == "Andrei Politov and Oleh Shkalikov and René Jäkel and Michael Färber"
    assert politov["year"] == "2025"
    assert politov["eprint"] == "2501.18750"
    assert politov["archivePrefix"] == "arXiv"
    assert politov["primaryClass"] == "cs.CL"
    assert politov["url"] == "https://arxiv.org/abs/2501.18750v2"
    assert "doi" not in politov and "journal" not in politov
    garcia = entries["garciaferrero2022model"]
    assert garcia["author"].startswith("Iker García-Ferrero and ")
    assert garcia["doi"] == "10.18653/v1/2022.findings-emnlp.478"
    assert garcia["journal"] == "Findings of EMNLP 2022"
    assert entries["stormer1999large"]["author"] == "Łukasz Størmer"
    assert entries["stormer1999large"]["eprint"] == "hep-th/9901001"
    # @article only when arXiv knows a venue.
    assert "@article{garciaferrero2022model," in text and "@misc{politov2025revisiting," in text
    assert "Jakel" not in text and "Garcia" not in text


def test_output_is_byte_identical_and_in_reference_order() -> None:
    papers = [POLITOV, GARCIA, OLD_STYLE]
    first = render_bibtex(papers, bib_keys(papers))
    second = render_bibtex(list(papers), dict(bib_keys(reversed(papers))))
    assert first == second
    assert first.index("politov2025") < first.index("garciaferrero2022") < first.index("stormer1999")
    field_lines = [line.split("=")[0].strip() for line in first.splitlines()[1:8]]
    assert field_lines == ["author", "title", "year", "eprint", "archivePrefix", "primaryClass", "url"]


def test_title_protection_and_escaping() -> None:
    assert protect_title("How multilingual is Multilingual BERT?") == "How multilingual is Multilingual {BERT}?"
    assert protect_title("XLM-R and mBERT on CoNLL") == "{XLM-R} and {mBERT} on {CoNLL}"
    assert protect_title("Scaling $O(n^2)$ Attention") == "Scaling $O(n^2)$ Attention"
    assert escape_value("Q&A at 50% with #tags and snake_case") == r"Q\&A at 50\% with \#tags and snake\_case"
    assert escape_value(r"already 50\% escaped, $x_1$ math") == r"already 50\% escaped, $x_1$ math"
    assert escape_value("broken {brace") == "broken brace"
    assert ascii_fold("García-Ferrero") == "garciaferrero"


def test_journal_ref_holding_bibtex_fields_is_unpacked() -> None:
    paper = make(
        "2107.11610",
        "Context-aware Adversarial Training",
        ("Abbas Ghaddar",),
        journal_ref="journal={Transactions of the ACL}, volume={9}, pages={586--604}, year={2021},",
    )
    entry = parse(render_bibtex([paper], bib_keys([paper])))["ghaddar2021context"]
    assert entry["journal"] == "Transactions of the ACL"
    assert entry["volume"] == "9" and entry["pages"] == "586--604"


def test_whole_corpus_renders_unique_keys_and_parses() -> None:
    lines = [line for line in CORPUS.read_text().splitlines() if line.strip()]
    papers = [paper_from_record(json.loads(line), CORPUS, corpus=True) for line in lines]
    keys = bib_keys(papers)
    assert len(set(keys.values())) == len(papers)
    entries = parse(render_bibtex(papers, keys))
    assert len(entries) == len(papers)
    by_id = {e["eprint"]: e for e in entries.values()}
    for paper in papers:
        assert by_id[paper.arxiv_id]["author"].split(" and ") == list(paper.authors)


@pytest.mark.skipif(not (shutil.which("xelatex") and shutil.which("bibtex")), reason="TeX Live not installed")
def test_tex_and_bibtex_accept_the_file(tmp_path: Path) -> None:
    papers = [POLITOV, GARCIA, OLD_STYLE]
    keys = bib_keys(papers)
    (tmp_path / "refs.bib").write_text(render_bibtex(papers, keys), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{fontspec}\\setmainfont{FreeSerif}\\usepackage{url}\n"
        "\\begin{document}\\nocite{*}\\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n",
        encoding="utf-8",
    )
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(["xelatex", "-interaction=nonstopmode", "doc.tex"], check=True, **run)  # type: ignore[call-overload]
    bib = subprocess.run(["bibtex", "doc"], **run)  # type: ignore[call-overload]
    assert bib.returncode == 0, bib.stdout
    assert "error" not in bib.stdout.lower()
    subprocess.run(["xelatex", "-interaction=nonstopmode", "doc.tex"], check=True, **run)  # type: ignore[call-overload]
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert "Jäkel" in bbl and "García-Ferrero" in bbl


def test_an_author_named_with_and_stays_one_author() -> None:
    paper = make("2101.00001", "A Title", ("Sand Anderson", "Maria and Co"))
    entry = parse(render_bibtex([paper], bib_keys([paper])))["anderson2021title"]
    assert entry["author"] == "Sand Anderson and {Maria and Co}"
