"""End to end: the five example specs through the real pipeline (real TeX, real MkDocs), read back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.hygiene import clean_text
from builder.render.site.links import check_links

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "reports").glob("*.yaml"))


def run_builder(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def pdftotext(pdf: Path) -> str:
    """The PDF's text without the page furniture (running head, page number) that a page break puts inside it."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = re.sub(r"\f?Literature synthesis report(?: — DRAFT)?\s+\d+ / \d+\s*", " ", out.stdout)
    # A draft's diagonal watermark comes back as lines holding pieces of "DRAFT" ("D", "RA", "FT"), wherever
    # pdftotext places them, even inside a sentence.
    return re.sub(r"(?m)^(?:D|DR|DRA|DRAF|DRAFT|R|RA|RAF|RAFT|A|AF|AFT|F|FT|T)\n", "", text)


def squash(text: str) -> str:
    """Compare text modulo layout: pdftotext breaks lines, joins 'Cross-' + 'lingual' as 'Crosslingual' and can
    read a claims-table row's ✓/✗ marks into the middle of the claim's wrapped text."""
    return re.sub(r"[\s\-\u00ad\u2010✓✗]+", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = run_builder("build", "--offline", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_every_example_has_all_outputs(built: Path) -> None:
    assert len(EXAMPLES) == 6  # the five seed reports and one question the corpus disagrees on
    for spec in EXAMPLES:
        slug = spec.stem
        for path in (
            built / "pdf" / f"{slug}.pdf",
            built / "tex" / f"{slug}.tex",
            built / "data" / f"{slug}.json",
            built / "bib" / f"{slug}.bib",
            built / "site" / "downloads" / f"{slug}.pdf",
            built / "site" / "downloads" / f"{slug}.bib",
            built / "site" / "downloads" / f"{slug}.json",
        ):
            assert path.is_file() and path.stat().st_size > 0, path


def test_manifest_has_the_promised_shape(built: Path) -> None:
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        for key in ("slug", "title", "date", "author", "question", "abstract", "papers", "claims", "counts", "review"):
            assert key in data, key
        assert data["counts"]["papers"] == len(data["papers"])
        assert data["counts"]["claims"] == len(data["claims"])
        assert data["counts"]["verified"] == sum(c["verified"] for c in data["claims"])
        for paper in data["papers"]:
            assert paper["abs_url"].startswith("https://arxiv.org/abs/")
            assert set(paper) >= {"arxiv_id", "title", "authors", "published", "abs_url", "pdf_url"}
        for claim in data["claims"]:
            assert claim["origin"] in ("extracted", "spec")
            assert 0.0 <= claim["confidence"] <= 1.0
            assert set(claim) >= {"id", "text", "source", "verified", "confidence", "evidence"}
            for evidence in claim["evidence"]:
                assert {"arxiv_id", "sentence", "score"} <= set(evidence)
        assert 0 <= data["review"]["score"] <= 10 and data["review"]["reasons"]


def test_pdf_reads_back_with_sections_claims_references_and_accents(built: Path) -> None:
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        text = pdftotext(built / "pdf" / f"{spec.stem}.pdf")
        flat = squash(text)
        for heading in ("Abstract", "Introduction", "Methodology", "Results", "Limitations", "Claims", "References"):
            assert heading in text, (spec.stem, heading)
        assert squash(data["title"]) in flat
        for claim in data["claims"]:
            assert squash(claim["text"]) in flat, (spec.stem, claim["id"], claim["text"])
        for paper in data["papers"]:
            assert squash(paper["title"]) in flat, (spec.stem, paper["title"])
            assert paper["arxiv_id"] in text
            for author in paper["authors"]:
                assert squash(author) in flat, (spec.stem, author)


def test_the_disagreement_is_shown_with_both_papers_everywhere(built: Path) -> None:
    """2210.12623 (model transfer consistently better) and 2501.18750 (projection can be better for
    low-resource languages) contradict each other: manifest, review, PDF and page all say so."""
    slug = "projection-vs-model-transfer"
    data = json.loads((built / "data" / f"{slug}.json").read_text(encoding="utf-8"))
    contested = {c["id"]: c for c in data["claims"] if c["contested"]}
    assert data["counts"]["contested"] == len(contested) >= 2
    pairs = {(c["source"], j["arxiv_id"]) for c in contested.values() for j in c["contradicted_by"]}
    assert {("2210.12623", "2501.18750"), ("2501.18750", "2210.12623")} <= pairs
    findings = [f for f in data["review"]["findings"] if f["code"] == "contested-claim"]
    assert {f["claim_id"] for f in findings} == set(contested)
    assert all("García-Ferrero" in f["message"] and "Politov" in f["message"] for f in findings)
    flat = squash(pdftotext(built / "pdf" / f"{slug}.pdf"))
    page = (built / "site" / "reports" / f"{slug}.html").read_text(encoding="utf-8")
    assert flat.count(squash("Contradicted by")) == len(contested) == page.count("Contradicted by")
    quote = "can outperform multilingual language models for low-resource languages"
    assert squash(quote) in flat and quote in page
    # The Disagreements section lists each pair of papers once, in the PDF and on the page alike.
    disagreements = data["disagreements"]
    assert disagreements and all(set(d["papers"]) == {"2210.12623", "2501.18750"} for d in disagreements)
    sides = [frozenset(zip(d["papers"], d["sentences"], strict=True)) for d in disagreements]
    assert len(sides) == len(set(sides))
    assert flat.count(squash("disagree (comparison reversed")) == len(disagreements)
    assert page.count("disagree <em>(comparison reversed") == len(disagreements)


def test_honest_statuses_and_claims_that_stand_alone(built: Path) -> None:
    """Every claim has one status the counts add up to; no extracted claim opens with a pronoun or a
    connective, and each keeps the sentence it came from as its quote."""
    opener = re.compile(
        r"^(?:we|our|it|they|these|this|those|such|finally|moreover|furthermore|additionally|also|then|thus|"
        r"therefore|hence|however|first|second|third|in this paper|here|although|though|while|whereas)\b",
        re.I,
    )
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        counts = data["counts"]
        statuses = [c["status"] for c in data["claims"]]
        for status in ("stated", "corroborated", "contested", "unsupported"):
            assert statuses.count(status) == counts[status], (spec.stem, status)
        assert sum(counts[s] for s in ("stated", "corroborated", "contested", "unsupported")) == counts["claims"]
        for claim in data["claims"]:
            if claim["origin"] == "extracted":
                assert not opener.match(claim["text"]), claim["text"]
                stored = json.loads((ROOT / "store" / "papers" / f"{claim['source']}.json").read_text())["abstract"]
                assert claim["quote"] and claim["quote"] in clean_text(stored)  # the abstract as the build reads it


def test_the_synthesis_answers_from_cited_claims_in_pdf_page_and_manifest(built: Path) -> None:
    """Each synthesis sentence is a supported claim citing its papers; every number in it is in a paper it
    cites; the PDF and the page show the same themes in the same order."""
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        claims = {c["id"]: c for c in data["claims"]}
        themes = data["synthesis"]["themes"]
        assert themes, spec.stem
        flat = squash(pdftotext(built / "pdf" / f"{spec.stem}.pdf"))
        page = (built / "site" / "reports" / f"{spec.stem}.html").read_text(encoding="utf-8")
        position = flat.find("1Synthesis")
        for theme in themes:  # in order, inside the Synthesis section
            position = flat.find(squash(theme["title"]) + ".", position + 1)
            assert position != -1, (spec.stem, theme["title"])
        assert [t["title"] for t in themes] == re.findall(r'<h3 class="lr-theme"[^>]*>([^<]+)</h3>', page)
        for theme in themes:
            for sentence in theme["sentences"]:
                claim = claims[sentence["claim"]]
                assert claim["status"] != "unsupported" and claim["source"] in sentence["cites"]
                cited = " ".join(
                    json.loads((ROOT / "store" / "papers" / f"{p}.json").read_text(encoding="utf-8"))["abstract"]
                    for p in sentence["cites"]
                )
                # Citations [n], claim ids (Cn) and author-year labels are not statements of the papers.
                prose = re.sub(r"\[[\d, ]+\]|\((?:C\d+(?:, )?)+\)|\(\d{4}\)", " ", sentence["text"])
                for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", prose):
                    assert number in cited, (spec.stem, number, sentence["text"])


def test_every_manifest_validates_against_the_committed_schema_and_its_results_are_in_the_pdf(built: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "docs" / "manifest.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, (spec.stem, errors[:5])
        assert data["results"], spec.stem
        flat = squash(pdftotext(built / "pdf" / f"{spec.stem}.pdf"))
        page = (built / "site" / "reports" / f"{spec.stem}.html").read_text(encoding="utf-8")
        assert 'id="results-table"' in page
        for row in data["results"]:
            assert row["value"] in row["sentence"], (spec.stem, row)
            assert squash(row["value"]) in flat and squash(row["sentence"]) in flat, (spec.stem, row["value"])


def test_accented_names_survive_everywhere(built: Path) -> None:
    slug = "domain-mismatch-multisource-ner"  # cites 2501.18750 by Politov, Shkalikov, Jäkel, Färber
    pdf_text = squash(pdftotext(built / "pdf" / f"{slug}.pdf"))
    bib = (built / "bib" / f"{slug}.bib").read_text(encoding="utf-8")
    page = (built / "site" / "reports" / f"{slug}.html").read_text(encoding="utf-8")
    for name in ("René Jäkel", "Michael Färber"):
        assert squash(name) in pdf_text
        assert name in bib
        assert name in page


def test_counts_agree_between_header_abstract_results_and_table(built: Path) -> None:
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        counts = data["counts"]
        results = data["sections"]["results"]
        assert f"{counts['papers']} paper" in results
        assert f"{counts['verified']} verified" in results
        for status in ("corroborated", "contested", "stated", "unsupported"):
            assert f"{counts[status]} {status}" in data["abstract"] or f"{counts[status]} supported by no" in (
                data["abstract"]
            )
        assert f"{data['review']['score']:.1f}/10" in results


def test_abstract_is_written_for_the_report_not_copied(built: Path) -> None:
    store = ROOT / "store" / "papers"
    abstracts = [json.loads(p.read_text(encoding="utf-8"))["abstract"] for p in store.glob("*.json")]
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        first = data["abstract"].split(". ")[0]
        assert not any(first in abstract for abstract in abstracts)
        assert data["question"].split()[0] in data["abstract"]


def test_every_link_inside_the_site_resolves(built: Path) -> None:
    """The product's link check (builder/render/site/links.py: files, assets and #anchors, the 404 page's
    root-absolute links under the site's path), which the build ran already, finds nothing."""
    result = check_links(built / "site")
    assert result.problems == []
    assert result.checked > 50


def test_site_has_home_and_one_page_per_report(built: Path) -> None:
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    for spec in EXAMPLES:
        data = json.loads((built / "data" / f"{spec.stem}.json").read_text(encoding="utf-8"))
        page = built / "site" / "reports" / f"{spec.stem}.html"
        assert page.is_file()
        assert data["title"] in home.replace("&amp;", "&")
        html = page.read_text(encoding="utf-8")
        for claim in data["claims"][:3]:
            assert claim["text"].split()[0] in html


def test_second_run_reuses_everything(built: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (built / "pdf").glob("*.pdf")}
    result = run_builder("build", "--offline", "--quiet", "--out", str(built))
    assert result.returncode == 0, result.stderr
    assert f"{len(EXAMPLES)} cached" in result.stdout and "site unchanged" in result.stdout
    after = {p: p.stat().st_mtime_ns for p in (built / "pdf").glob("*.pdf")}
    assert before == after


def test_nothing_changed_publishes_nothing_but_a_deleted_folder_comes_back(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.yaml": GOOD})
    out = project / "build"
    assert run_builder("--root", str(project), "build", "--quiet", "--out", str(out)).returncode == 0
    folders = {p: p.stat().st_ino for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}
    again = run_builder("--root", str(project), "build", "--quiet", "--out", str(out))
    assert "1 cached" in again.stdout and "site unchanged" in again.stdout
    # No staging and no swap: the very same folders are still in place.
    assert {p: p.stat().st_ino for p in folders} == folders
    shutil.rmtree(out / "bib")
    shutil.rmtree(out / "site")
    third = run_builder("--root", str(project), "build", "--quiet", "--out", str(out))
    assert third.returncode == 0 and "site rebuilt" in third.stdout, third.stdout
    assert (out / "bib" / "good.bib").is_file() and (out / "site" / "reports" / "good.html").is_file()


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    slug = EXAMPLES[0].stem
    result = run_builder("build", "--offline", "--quiet", "--no-site", "--out", str(tmp_path), str(EXAMPLES[0]))
    assert result.returncode == 0, result.stderr
    for kind, suffix in (("pdf", "pdf"), ("tex", "tex"), ("data", "json"), ("bib", "bib")):
        assert (tmp_path / kind / f"{slug}.{suffix}").read_bytes() == (built / kind / f"{slug}.{suffix}").read_bytes()


def _project(tmp_path: Path, specs: dict[str, str]) -> Path:
    """A small project folder: the real store and config, with specs of the test's own."""
    project = tmp_path / "project"
    (project / "reports").mkdir(parents=True)
    shutil.copytree(ROOT / "store", project / "store")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    if (ROOT / "latex").is_dir():
        shutil.copytree(ROOT / "latex", project / "latex")
    for name, text in specs.items():
        (project / "reports" / name).write_text(text, encoding="utf-8")
    return project


GOOD = (ROOT / "reports" / "domain-mismatch-multisource-ner.yaml").read_text(encoding="utf-8")


def test_a_bad_spec_fails_alone_with_file_line_and_field(tmp_path: Path) -> None:
    bad = "title: A report\ndate: 2026-02-30\nquestion: Why?\nprimary: 2501.18750\npapers: [2501.1875x]\n"
    project = _project(tmp_path, {"good.yaml": GOOD, "bad.yaml": bad})
    result = run_builder("--root", str(project), "build", "--quiet", "--out", str(project / "build"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "reports/bad.yaml:2" in result.stderr and "date" in result.stderr
    assert "papers[0]" in result.stderr and "Traceback" not in result.stderr
    assert (project / "build" / "pdf" / "good.pdf").is_file()
    assert (project / "build" / "site" / "reports" / "good.html").is_file()

    check = run_builder("--root", str(project), "check")
    assert check.returncode == 2 and "bad.yaml:5" in check.stderr


def test_a_missing_paper_fails_that_report_and_keeps_the_previous_outputs(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.yaml": GOOD})
    out = project / "build"
    assert run_builder("--root", str(project), "build", "--quiet", "--out", str(out)).returncode == 0
    pdf_before = (out / "pdf" / "good.pdf").read_bytes()

    (project / "reports" / "good.yaml").write_text(GOOD.replace("- 2003.11080", "- 2003.99999"), encoding="utf-8")
    result = run_builder("--root", str(project), "build", "--quiet", "--out", str(out))
    assert result.returncode == 1
    assert "2003.99999" in result.stderr and "refresh" in result.stderr
    assert (out / "pdf" / "good.pdf").read_bytes() == pdf_before
    assert (out / "site" / "reports" / "good.html").is_file()
    assert "2003.99999" in (out / "site" / "index.html").read_text(encoding="utf-8")


def test_a_verifier_whose_extra_is_missing_names_the_setting_and_keeps_the_outputs(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.yaml": GOOD})
    out = project / "build"
    assert run_builder("--root", str(project), "build", "--quiet", "--out", str(out)).returncode == 0
    pdf_before = (out / "pdf" / "good.pdf").read_bytes()

    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('verifier = "lexical"', 'verifier = "embed"'))
    result = run_builder("--root", str(project), "build", "--out", str(out), env={"BUILDER_NO_EMBED": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert f"{pyproject}: [tool.builder] verifier = 'embed' needs the embedding extra, which is not" in message
    assert "pip install -e '.[embed]'" in message
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (out / "pdf" / "good.pdf").read_bytes() == pdf_before


def test_deleting_a_spec_removes_its_outputs(tmp_path: Path) -> None:
    other = GOOD.replace("Domain Mismatch Impact", "Another Look at Domain Mismatch")
    project = _project(tmp_path, {"good.yaml": GOOD, "other.yaml": other})
    out = project / "build"
    assert run_builder("--root", str(project), "build", "--quiet", "--out", str(out)).returncode == 0
    assert (out / "pdf" / "other.pdf").is_file()
    (project / "reports" / "other.yaml").unlink()
    assert run_builder("--root", str(project), "build", "--quiet", "--out", str(out)).returncode == 0
    assert not (out / "pdf" / "other.pdf").exists()
    assert not (out / "site" / "reports" / "other.html").exists()
    assert (out / "pdf" / "good.pdf").is_file()
