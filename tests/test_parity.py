"""The PDF and the page say the same thing, in the same order: sections, evidence sentence numbers, reference
labels, warnings, counts and status, read back from the built PDF (pdftotext) and the built HTML page.

Both are read as a reader gets them, not from the .tex or the Markdown: what this test compares is what
the two documents show.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser

import pytest
from test_pipeline import EXAMPLES, pdftotext, run_builder

from builder.models import REVIEW_PARTS, SECTIONS

# "Supported by [1], sentence 2 (p=0.85)" in the PDF; "Supported by [1] Politov et al. (2025) (arXiv:2501.18750),
# sentence 2 (p=0.85)" on the page: heading, reference number, sentence number and probability.
JUDGEMENT = re.compile(
    r"(Supported by|Contradicted by|Closest match) \[(\d+)\][^\[\]]*?, sentence (\d+) \(p=(\d\.\d\d)\)"
)
ORIGIN = re.compile(r"(Extracted from (?:sentence \d+ of )?\[\d+\]|Written in the question spec[^,]*, citing \[\d+\])")
RATIONALE = re.compile(r"best match: (\S+) sentence (\d+) \(p=(\d\.\d\d)\)")
# An author-year label printed in any other way than `Paper.label` ("Politov et al. 2025").
OTHER_LABEL = re.compile(r"\bet al\.,? \d{4}\b|\] [A-Z][\w-]+ \d{4}\b")


class _PageText(HTMLParser):
    """The text of a page's article, and its h2/h3 headings in order (MkDocs' permalink anchors left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside <article>
        self.heading: str | None = None
        self.headings: list[tuple[str, str]] = []
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article":
            self.depth += 1
        if not self.depth:
            return
        if tag == "a" and "headerlink" in (attributes.get("class") or ""):
            self.skip += 1
        if tag in ("h2", "h3"):
            self.heading = tag
            self.headings.append((tag, ""))
        if tag in ("p", "li", "tr", "td", "th", "h1", "h2", "h3", "blockquote", "br"):
            self.parts.append(" ")
        if tag == "img" and attributes.get("alt"):  # a figure's words are in the PDF's drawing, here in its alt
            self.parts.append(f" {attributes['alt']} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        if tag == "a" and self.skip:
            self.skip -= 1
        if tag in ("h2", "h3"):
            self.heading = None
        if tag in ("p", "li", "tr", "td", "th", "blockquote"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.depth or self.skip:
            return
        self.parts.append(data)
        if self.heading is not None:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, (text + data).strip())

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts))


def _flat(text: str) -> str:
    """Whitespace folded, and the hyphenation pdftotext keeps at line ends undone."""
    return re.sub(r"\s+", " ", re.sub(r"-\n(?=[a-z])", "", text))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("parity")
    result = run_builder("build", "--offline", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    docs = {}
    for spec in EXAMPLES:
        slug = spec.stem
        page = _PageText()
        page.feed((out / "site" / "reports" / f"{slug}.html").read_text(encoding="utf-8"))
        raw_pdf = pdftotext(out / "pdf" / f"{slug}.pdf")
        # Headings in reading order need the layout mode: the default mode can read a heading placed
        # beside a float or watermark before the text above it.
        layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(out / "pdf" / f"{slug}.pdf"), "-"],
                                capture_output=True, text=True, check=True).stdout
        docs[slug] = {
            "pdf_lines": [line.strip() for line in layout.splitlines()],
            "pdf": _flat(raw_pdf),
            "page": page.text,
            "headings": page.headings,
            "data": json.loads((out / "data" / f"{slug}.json").read_text(encoding="utf-8")),
        }
    return docs


def _pdf_sections(lines: list[str]) -> list[str]:
    """Section headings as pdftotext prints them: 'Abstract', '3 Methodology', '5.2 Reviewers', 'References'."""
    titles = (*SECTIONS, *REVIEW_PARTS)
    found = []
    for line in lines:
        match = re.fullmatch(r"(?:\d+(?:\.\d+)? )?(.+)", line)
        if match and match.group(1) in titles and (line[0].isdigit() or line in ("Abstract", "References")):
            found.append(match.group(1))
    return found


@pytest.mark.parametrize("slug", [spec.stem for spec in EXAMPLES])
def test_same_sections_in_the_same_order(documents: dict[str, dict], slug: str) -> None:
    doc = documents[slug]
    page_sections = [text for tag, text in doc["headings"]]
    assert [t for tag, t in doc["headings"] if tag == "h2"] == list(SECTIONS)
    assert _pdf_sections(doc["pdf_lines"]) == [t for t in page_sections if t in (*SECTIONS, *REVIEW_PARTS)]


@pytest.mark.parametrize("slug", [spec.stem for spec in EXAMPLES])
def test_same_evidence_sentences_with_the_same_numbers(documents: dict[str, dict], slug: str) -> None:
    doc = documents[slug]
    for pattern in (JUDGEMENT, ORIGIN, RATIONALE):
        in_pdf, on_page = Counter(pattern.findall(doc["pdf"])), Counter(pattern.findall(doc["page"]))
        assert in_pdf == on_page, (pattern.pattern, in_pdf - on_page, on_page - in_pdf)
    claims = doc["data"]["claims"]
    assert len(ORIGIN.findall(doc["page"])) == len(claims)
    assert len(RATIONALE.findall(doc["page"])) == sum("best match" in c["rationale"] for c in claims)
    # Every sentence number shown is the manifest's position + 1 (one numbering, from 1).
    shown = {(j["arxiv_id"], j["sentence_index"] + 1) for c in claims for j in c["supported_by"] + c["contradicted_by"]}
    numbers = {p["arxiv_id"]: n for n, p in enumerate(doc["data"]["papers"], start=1)}
    printed = {(int(ref), int(sentence)) for _, ref, sentence, _ in JUDGEMENT.findall(doc["page"])}
    assert {(numbers[a], s) for a, s in shown} <= printed


@pytest.mark.parametrize("slug", [spec.stem for spec in EXAMPLES])
def test_same_reference_labels(documents: dict[str, dict], slug: str) -> None:
    doc = documents[slug]
    for text in (doc["pdf"], doc["page"]):
        assert not OTHER_LABEL.findall(text)
    label = re.compile(r"\[\d+\] [A-Z][^\[\]().;:]{0,60}? \(\d{4}\)")  # "[2] García-Ferrero et al. (2022)"
    labels, page_labels = Counter(label.findall(doc["pdf"])), Counter(label.findall(doc["page"]))
    assert set(labels) == set(page_labels), (set(labels) ^ set(page_labels))


@pytest.mark.parametrize("slug", [spec.stem for spec in EXAMPLES])
def test_same_warnings_counts_and_status(documents: dict[str, dict], slug: str) -> None:
    doc = documents[slug]
    data = doc["data"]
    for warning in data.get("warnings", []):
        assert _flat(warning) in doc["pdf"] and _flat(warning) in doc["page"], warning
    counts = data["counts"]
    for label, value in (
        ("Papers in the synthesis", str(counts["papers"])),
        ("Verified", f"{counts['verified']} of {counts['claims']}"),
        ("Corroborated by another paper", f"{counts['corroborated']} of {counts['claims']}"),
        ("Contested by a paper", f"{counts['contested']} of {counts['claims']}"),
        ("Review score", f"{data['review']['score']:.1f}/10 ({data['review']['tier']})"),
    ):
        assert f"{label} {value}" in doc["pdf"] and f"{label} {value}" in doc["page"], label
    gate = "did not pass the quality gate" if not data["review"]["gate_passed"] else None
    if gate:
        assert gate in doc["pdf"] and gate in doc["page"]
    assert ("Quality gate ✓ passed" if data["review"]["gate_passed"] else "Quality gate ✗ not passed") in _flat(
        doc["page"]
    )
    assert ("Quality gate: ✓ passed" if data["review"]["gate_passed"] else "Quality gate: ✗ not passed") in doc["pdf"]
