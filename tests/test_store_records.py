"""Hostile store records (issue 16, faults 4-7) through the real CLI: `store import`, `build`, and `refresh`
against the fake arXiv server. Each gets one clear error naming the file (and line), the field and what was
expected, exit code 2, nothing half-written; or, for what can be cleaned, a safe build and a warning.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from arxiv_server import FakeArxiv, record_from_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from test_gather import config_for, refresh, write_spec
from test_pipeline import ROOT, _project, run_builder

from builder.cli import main as cli_main
from builder.hygiene import BIDI_CONTROLS, FSI, balance_bidi, clean_text
from builder.papers import PaperStore
from builder.record import RecordError, parse_record

GOOD_RECORD = json.loads((ROOT / "store" / "papers" / "2003.11080.json").read_text(encoding="utf-8"))


def record(**changes: object) -> dict[str, object]:
    data = dict(GOOD_RECORD)
    data["arxiv_id"] = "2999.00001"
    data.update(changes)
    return data


def nested(depth: int) -> str:
    return '{"arxiv_id": ' + "[" * depth + "]" * depth + "}"


# (JSONL line, field the error must name, words it must contain). Issue 16, faults 4 and 5.
BAD_LINES = [
    (json.dumps(record(title="Lone \ud800 surrogate")), "title", "lone surrogate U+D800"),
    (json.dumps(record(version="²")), "version", "version number"),
    (json.dumps(record(version=0)).replace('"version": 0', '"version": ' + "9" * 5000), "version", "version number"),
    (json.dumps(record(categories=5)), "categories", "expected a list of arXiv categories, got the number 5"),
    (json.dumps(record(categories="cs.CL")), "categories", "expected a list of arXiv categories, got the text"),
    (nested(100_000), "(record)", "nested too deeply"),
    (json.dumps(record(doi=10.1234)), "doi", "expected a DOI as text, got the number"),
    (json.dumps(record(journal_ref=["a", "b"])), "journal_ref", "got a list"),
    (json.dumps(record(title=None)), "title", "expected the title as text, got null"),
    (json.dumps(record(authors="Ann Smith")), "authors", "expected a list of author names"),
    (json.dumps(record(authors=["Ann", 7])), "authors", "author 2: expected a name as text, got the number 7"),
    (json.dumps(record(arxiv_id="../../etc/passwd")), "arxiv_id", "is not an arXiv id"),
    (json.dumps(record(primary_category="cs.CL}, note = {X")), "primary_category", "arXiv category"),
    (json.dumps(record(published="yesterday")), "published", "YYYY-MM-DD"),
    (json.dumps(record(abstract="x" * 330_000)), "abstract", "330000 characters, at most 20000"),
    (json.dumps(record(extra_field=1)), "extra_field", "unknown field"),
    (json.dumps(record()).replace('"title"', '"title_"'), "title", "required field is missing"),
    (json.dumps(record(title="\u200b\u2066\u2069 \u0301")), "title", "must not be empty or invisible"),
    (json.dumps(record()).replace('"title"', '"t\\u0000\\ud800' + "x" * 100 + '"'), "t??xxx", "unknown field"),
    (json.dumps(record(arxiv_id="2999.00001v2", version=3)), "version", "names version 2; keep one"),
    ("[1, 2]", "(record)", "expected a JSON object"),
    ('{"arxiv_id": "2999.00001", ', "(record)", "corrupt JSON"),
]


def _settings_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "store" / "papers").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


@pytest.mark.parametrize(("line", "field", "words"), BAD_LINES, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD_LINES)])
def test_store_import_refuses_a_bad_record_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, field: str, words: str
) -> None:
    project = _settings_project(tmp_path)
    source = tmp_path / "papers.jsonl"
    good = json.dumps(record(arxiv_id="2999.00002"))
    source.write_text(f"{good}\n{line}\n", encoding="utf-8", errors="surrogatepass")
    code = cli_main(["--root", str(project), "store", "import", str(source)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{source}:2" in err and words in err, err
    if field != "(record)":
        assert f"field '{field}" in err, err
    assert "Traceback" not in err and "nothing imported" in err
    assert list((project / "store" / "papers").iterdir()) == []  # the good line 1 was not imported either


def test_store_import_drops_blank_author_names_with_a_warning_and_cleans_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _settings_project(tmp_path)
    source = tmp_path / "papers.jsonl"
    hostile = record(
        authors=["Ann Smith", "   ", "\u00a0\t", "Bob\x00 Jones\x1b", "\u200b\u200d"],
        title="Title with \u202eevil override and a bell\x07",
        comments="line\nbreak\ufeff",
    )
    source.write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    assert cli_main(["--root", str(project), "store", "import", str(source)]) == 0
    err = capsys.readouterr().err
    assert f"{source}:1: author 2 has a blank name; left out" in err and "author 3 has a blank name" in err
    assert "author 5 has a blank name" in err  # zero-width characters only
    stored = json.loads((project / "store" / "papers" / "2999.00001.json").read_text(encoding="utf-8"))
    assert stored["authors"] == ["Ann Smith", "Bob Jones"]
    assert stored["title"] == FSI + "Title with \u202eevil override and a bell\u202c\u2069"
    assert stored["comments"] == "line break"


def test_a_jsonl_line_holding_unicode_line_separators_is_one_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the held-out run: splitlines() cut a record at a U+2028 inside a string ("corrupt JSON")."""
    project = _settings_project(tmp_path)
    source = tmp_path / "papers.jsonl"
    line = json.dumps(record(title="a\u2028b\u2029c\x85d\x1ce\x1df\x1eg"), ensure_ascii=False)
    source.write_text(line + "\r\n", encoding="utf-8")
    assert cli_main(["--root", str(project), "store", "import", str(source)]) == 0, capsys.readouterr().err
    stored = json.loads((project / "store" / "papers" / "2999.00001.json").read_text(encoding="utf-8"))
    assert stored["title"] == "a b c defg"  # separators become spaces, the C0 controls \x1c-\x1e go


def test_text_hygiene_balances_every_bidi_control() -> None:
    assert balance_bidi("plain") == "plain"
    assert balance_bidi("a\u202cb\u2069c") == FSI + "abc\u2069"  # closers that open nothing are dropped
    assert balance_bidi("\u2067x\u202ey\u2069z") == FSI + "\u2067x\u202ey\u202c\u2069z\u2069"
    assert clean_text("  Ann \x00\x85 Smith ") == "Ann Smith"
    with pytest.raises(RecordError, match="lone surrogate"):
        parse_record(record(authors=["\udfff"]), "x.json")
    samples = ["\u202e", "\u202a\u202b\u2066", "\u2069\u202c\u202e\u2068", "a\u202eb\u2066c\u202cd", "\u2068a\u2069b"]
    for text in samples:
        cleaned = balance_bidi(text)
        assert balance_bidi(cleaned) == cleaned  # the store reads back what it wrote
        depth = 0
        for char in cleaned:
            depth += char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
            depth -= char in "\u202c\u2069"
            assert depth >= 0
        assert depth == 0 and set(cleaned) <= BIDI_CONTROLS | set("abcd")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["arxiv_id", "version", "title", "authors", "abstract", "published", "updated", "primary_category",
          "categories", "doi", "journal_ref", "comments", "fulltext_sentences"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4), text=st.text(max_size=40))
def test_any_value_in_any_field_is_accepted_clean_or_refused_by_name(changes: dict[str, object], text: str) -> None:
    """Hypothesis over every field: a Paper whose text is clean and stays clean, or a RecordError naming a field."""
    try:
        paper = parse_record({**record(title=text or "t"), **changes}, "x.json").paper
    except RecordError as exc:
        assert str(exc).startswith("x.json: field '"), exc
        return
    strings = [paper.title, paper.abstract, *paper.authors, paper.doi or "", paper.journal_ref or "",
               paper.comments or "", paper.primary_category or "", *paper.categories, *paper.fulltext_sentences]
    for value in strings:
        assert clean_text(value, one_line=value not in paper.fulltext_sentences) == value
        assert not any(unicodedata.category(ch) == "Cc" for ch in value.replace("\n", "").replace("\t", ""))
    assert all(a.strip() for a in paper.authors)


# --- the build: a bad or impostor record fails only the reports that use it -----------------------------------

MISMATCH = (ROOT / "reports" / "domain-mismatch-multisource-ner.yaml").read_text(encoding="utf-8")  # uses 2003.11080
ADAPTATION = (ROOT / "reports" / "domain-adaptation-ner-transfer.yaml").read_text(encoding="utf-8")  # does not


def _outputs(out: Path, slug: str) -> dict[str, bytes]:
    return {kind: (out / kind / f"{slug}.{ext}").read_bytes() for kind, ext in (("bib", "bib"), ("data", "json"),
                                                                              ("tex", "tex"))}


@pytest.fixture(scope="module")
def clean_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    project = _project(tmp_path_factory.mktemp("clean"), {"adaptation.yaml": ADAPTATION})
    result = run_builder("--root", str(project), "build", "--quiet", "--no-site", "--out", str(project / "build"))
    assert result.returncode == 0, result.stderr
    return _outputs(project / "build", "adaptation")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"categories": 5}, "field 'categories': expected a list of arXiv categories, got the number 5"),
        (
            {"arxiv_id": "2004.12440"},
            "field 'arxiv_id': the file is named for 2003.11080 but the record says 2004.12440",
        ),
    ],
    ids=["categories-5", "impostor"],
)
def test_a_bad_store_record_fails_only_its_reports(
    tmp_path: Path, clean_outputs: dict[str, bytes], change: dict[str, object], words: str
) -> None:
    version = GOOD_RECORD["version"]
    pinned = MISMATCH.replace("- 2003.11080", f"- 2003.11080v{version}")  # a pinned id made the whole build stop
    assert pinned != MISMATCH
    project = _project(tmp_path, {"mismatch.yaml": pinned, "adaptation.yaml": ADAPTATION})
    path = project / "store" / "papers" / "2003.11080.json"
    path.write_text(json.dumps({**GOOD_RECORD, **change}, indent=2), encoding="utf-8")
    result = run_builder("--root", str(project), "build", "--quiet", "--no-site", "--out", str(project / "build"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}: {words}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (project / "build" / "bib" / "mismatch.bib").exists()
    assert _outputs(project / "build", "adaptation") == clean_outputs


def test_a_whitespace_author_in_a_committed_record_is_dropped_with_a_warning(tmp_path: Path) -> None:
    """Issue 16, fault 5: such a name made the report fail with 'internal error: IndexError'."""
    project = _project(tmp_path, {"mismatch.yaml": MISMATCH})
    path = project / "store" / "papers" / "2003.11080.json"
    path.write_text(json.dumps({**GOOD_RECORD, "authors": ["  ", *GOOD_RECORD["authors"]]}), encoding="utf-8")
    result = run_builder("--root", str(project), "build", "--quiet", "--no-site", "--out", str(project / "build"))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((project / "build" / "data" / "mismatch.json").read_text(encoding="utf-8"))
    assert f"{path}: author 1 has a blank name; left out" in json.dumps(manifest, ensure_ascii=False)


# --- refresh: what arXiv sends goes through the same door --------------------------------------------------------

SPEC = """\
title: Hostile arXiv records
date: 2026-07-05
question: Does a hostile arXiv record stay harmless?
primary: 2004.12440
papers: [2501.18750]
queries:
  - query: 'ti:zzhostilezz'
    max_results: 5
"""


def _add(server: FakeArxiv, arxiv_id: str, **changes: object) -> None:
    base = record_from_corpus({**GOOD_RECORD, "arxiv_id": arxiv_id, "title": "zzhostilezz paper"})
    for name, value in changes.items():
        setattr(base.versions[-1], name, value)
    server.add_record(base)


def test_refresh_refuses_a_result_whose_id_is_not_an_arxiv_id(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with FakeArxiv(hang_seconds=3) as server:
        _add(server, "not-an-id")
        write_spec(tmp_path / "reports", "hostile", SPEC)
        assert refresh(tmp_path, config_for(server)) == 1
    err = capsys.readouterr().err
    assert "FAILED hostile: nothing written" in err and "arXiv entry 'not-an-idv" in err and "is not an arXiv id" in err
    assert not (tmp_path / "store" / "papers").exists()


def test_refresh_cleans_a_hostile_record_and_the_build_cites_it_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with FakeArxiv(hang_seconds=3) as server:
        _add(server, "2999.00009", doi="10.1000/a}, note = {INJECTED", authors=["Ann Smith", " ", "Rtl\u202eName"])
        write_spec(tmp_path / "reports", "hostile", SPEC)
        assert refresh(tmp_path, config_for(server)) == 0
    version = GOOD_RECORD["version"]
    assert f"arXiv entry 2999.00009v{version}: author 2 has a blank name; left out" in capsys.readouterr().err
    paper = PaperStore(tmp_path / "store").get("2999.00009")
    assert paper.authors == ("Ann Smith", FSI + "Rtl\u202eName\u202c\u2069")
    assert paper.doi == "10.1000/a}, note = {INJECTED"  # kept as sent in the store; escaped in the .bib

    result = run_builder("--root", str(tmp_path), "build", "--quiet", "--no-site", "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    library = bibtexparser.parse_string((tmp_path / "build" / "bib" / "hostile.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    entry = next(e for e in library.entries if e.fields_dict["eprint"].value == "2999.00009")
    assert "note" not in entry.fields_dict
    assert entry.fields_dict["doi"].value == "10.1000/a%7D, note = %7BINJECTED"
    assert entry.fields_dict["author"].value == "Ann Smith and RtlName"  # no bidi control in the .bib
