"""The PDF and the page say the same thing, in the same order: sections, evidence sentence numbers, reference
labels, warnings, counts and status, read back from the built PDF (pdftotext) and the built HTML page.

Both are read as a reader gets them, not from the .tex or the Markdown: what this test compares is what
the two documents show.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

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


class _MatrixTable(HTMLParser):
    """The page's evidence matrix as a reader gets it: the text of each cell of each row, body and foot."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == "matrix-table":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th") and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


MARKS = "✓✗·"
STANCE_MARK = {"SUPPORT": "✓", "CONTRADICT": "✗", "NEI": "·"}


def _pdf_table_lines(pdf: Path, first: str, last: str) -> list[str]:
    """The lines of the PDF between the headings `first` and `last`, rebuilt from each word's position: words of
    a page whose vertical centres follow each other within 3 pt make a line, read left to right. pdftotext's own
    layout mode lets a draft's diagonal watermark pull a table apart into columns; its pieces are left out here
    (their boxes are far taller than a line of text)."""
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    words = []  # (page, vertical centre, left, word), in reading order
    for page, body in enumerate(out.split("<page ")[1:], start=1):
        for x0, y0, y1, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" '
                                           r'yMax="([\d.]+)">([^<]*)</word>', body):
            if float(y1) - float(y0) < 20:
                words.append((page, (float(y0) + float(y1)) / 2, float(x0), html.unescape(word)))
    text = [w[3] for w in words]
    start = words[next(i for i in range(1, len(text)) if text[i - 1 : i + 1] == first.split())][:2]
    end = words[next(i for i in range(len(text)) if text[i : i + 2] == last.split() and words[i][:2] > start)][:2]
    lines: list[list[tuple[int, float, float, str]]] = []
    for word in sorted(w for w in words if start < w[:2] < end):  # by place: reading order can put a column last
        if lines and lines[-1][-1][0] == word[0] and word[1] - lines[-1][-1][1] <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [" ".join(w[3] for w in sorted(line, key=lambda w: w[2])) for line in lines]


def _pdf_matrix(pdf: Path) -> tuple[dict[str, tuple[str, list[int]]], dict[str, list[int]]]:
    """Claim id -> (its marks, in column order over every table of the section, and the numbers after them),
    and "supported"/"contradicted" -> the counts of the foot rows, read from the PDF's Evidence Matrix section."""
    rows: dict[str, tuple[str, list[int]]] = {}
    foot: dict[str, list[int]] = {"supported": [], "contradicted": []}
    for line in _pdf_table_lines(pdf, "Evidence Matrix", "Extracted Claims"):
        if match := re.search(r"(?:^|\s)(C\d+) (.*[✓✗·].*)", line):  # after any piece of the watermark ("D C5")
            marks, numbers = rows.get(match.group(1), ("", []))
            rest = match.group(2)
            marks += re.sub(f"[^{MARKS}]", "", rest)
            rows[match.group(1)] = (marks, numbers + [int(n) for n in re.findall(r"\d+", rest)])
        elif match := re.match(r"Claims (supported|contradicted) (.*)$", line):
            foot[match.group(1)] += [int(n) for n in re.findall(r"\d+", match.group(2))]
    return rows, foot


def _page_matrix(html: str) -> tuple[dict[str, tuple[str, list[int]]], dict[str, list[int]]]:
    """The same, read from the page's table: each row's marks (the cells' visible text) and its counts."""
    table = _MatrixTable()
    table.feed(html)
    rows: dict[str, tuple[str, list[int]]] = {}
    foot: dict[str, list[int]] = {}
    for cells in table.rows[1:]:  # the first is the header
        head, rest = cells[0].strip(), cells[1:]
        numbers = [int(c) for c in rest if c.strip().isdigit()]
        if match := re.fullmatch(r"Claims (supported|contradicted)", head):
            foot[match.group(1)] = numbers
        else:
            rows[head] = ("".join(c for cell in rest for c in cell if c in MARKS), numbers)
    return rows, foot


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
            "html": (out / "site" / "reports" / f"{slug}.html").read_text(encoding="utf-8"),
            "pdf_path": out / "pdf" / f"{slug}.pdf",
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


@pytest.mark.parametrize("slug", [spec.stem for spec in EXAMPLES])
def test_same_evidence_matrix(documents: dict[str, dict], slug: str) -> None:
    """Every cell of the matrix, and its counts, read back from the PDF's tables and from the page's table, are
    the manifest's; and the manifest's cells are the verdicts' (supported_by, contradicted_by, grounded)."""
    doc = documents[slug]
    data = doc["data"]
    matrix = data["evidence_matrix"]
    expected = {
        r["claim"]: ("".join(STANCE_MARK[c] for c in r["cells"]), [r["supports"], r["contradicts"]])
        for r in matrix["rows"]
    }
    pdf_rows, pdf_foot = _pdf_matrix(doc["pdf_path"])
    page_rows, page_foot = _page_matrix(doc["html"])
    assert pdf_rows == expected
    assert page_rows == expected
    assert len(expected) == len(data["claims"]) and all(len(m) == len(data["papers"]) for m, _ in expected.values())
    columns = matrix["columns"]
    foot = {
        "supported": [c["supports"] for c in columns] + [sum(c["supports"] for c in columns)],
        "contradicted": [c["contradicts"] for c in columns] + [sum(c["contradicts"] for c in columns)],
    }
    assert pdf_foot == foot and page_foot == foot
    # The cells are the verdicts: contradictions are `contradicted_by`, supports the source's (grounded) and
    # `supported_by`'s.
    ids = [p["arxiv_id"] for p in data["papers"]]
    for claim, row in zip(data["claims"], matrix["rows"], strict=True):
        cells = dict(zip(ids, row["cells"], strict=True))
        assert {p for p, c in cells.items() if c == "CONTRADICT"} == {j["arxiv_id"] for j in claim["contradicted_by"]}
        others = {p for p, c in cells.items() if c == "SUPPORT" and p != claim["source"]}
        assert others == {j["arxiv_id"] for j in claim["supported_by"]}
        assert (cells.get(claim["source"]) == "SUPPORT") == claim["grounded"]
    # Each disagreement shows as a cross: the other paper's column of the claim's row, in the PDF and on the page.
    for d in data["disagreements"]:
        column = ids.index(d["papers"][1])
        assert pdf_rows[d["claims"][0]][0][column] == "✗" == page_rows[d["claims"][0]][0][column], d["claims"]
