"""Full text from arXiv PDFs (opt-in per spec with `settings.fulltext: true`): sections and sentences.

The sentences go into the paper's store record as `fulltext_sentences`, so verification can cite body text
exactly as it cites the abstract. The section outline (title, first sentence index, sentence count) and the
PDF's SHA-256 go into a sibling file, `store/fulltext/<id>.json`, so a reader can tell where a sentence came
from and whether the PDF changed, without bloating the paper record.

Extraction is deliberately conservative: front matter (title, authors, abstract - the abstract is already
stored) and everything from the references on are dropped; running heads, page numbers and lines that are
mostly symbols (tables, equations) are discarded, and words hyphenated across lines are rejoined.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import BuilderError
from builder.papers import atomic_write_text, file_name
from builder.text import split_sentences

log = logging.getLogger(__name__)

MAX_SENTENCES = 3000
KNOWN_HEADINGS = (
    "abstract",
    "introduction",
    "background",
    "related work",
    "related works",
    "preliminaries",
    "method",
    "methods",
    "methodology",
    "approach",
    "model",
    "data",
    "datasets",
    "experiments",
    "experimental setup",
    "experimental results",
    "evaluation",
    "results",
    "analysis",
    "discussion",
    "conclusion",
    "conclusions",
    "limitations",
    "ethics statement",
    "acknowledgments",
    "acknowledgements",
    "references",
    "bibliography",
    "appendix",
)
END_HEADINGS = ("references", "bibliography", "acknowledgments", "acknowledgements", "appendix")
_NUMBER = r"(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,2})"
_NUMBERED = re.compile(rf"^(?P<num>{_NUMBER})\.?\s+(?P<title>[A-Z][^\n]{{1,78}})$")


class FullTextError(BuilderError):
    """A PDF that pypdf cannot read or that holds no extractable text."""


@dataclass(frozen=True)
class Section:
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class FullText:
    sections: tuple[Section, ...]
    pages: int
    sha256: str

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for section in self.sections for s in section.sentences)

    def outline(self) -> list[dict[str, Any]]:
        """Where each section's sentences sit in `sentences`: enough to label evidence by section."""
        out, first = [], 0
        for section in self.sections:
            out.append({"title": section.title, "first": first, "count": len(section.sentences)})
            first += len(section.sentences)
        return out


def pdf_pages(data: bytes) -> list[str]:
    """The text of every page; FullTextError when the bytes are not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FullTextError(f"cannot read PDF: {type(exc).__name__}: {exc}") from None


def _heading(line: str) -> str | None:
    """The line's heading text if it looks like one ('3.1 Data Sets', 'Conclusion'), else None."""
    text = line.strip()
    if not text or len(text) > 80:
        return None
    bare = re.sub(rf"^{_NUMBER}\.?\s+", "", text)
    if bare.lower().rstrip(":") in KNOWN_HEADINGS:
        return text.rstrip(":")
    match = _NUMBERED.match(text)
    if not match:
        return None
    title = match.group("title")
    words = title.split()
    if len(words) > 10 or title.endswith((".", ",", ";")) or re.search(r"\d{3,}|[=<>%$]", title):
        return None
    if sum(ch.isalpha() for ch in title) < 0.7 * len(title.replace(" ", "")):
        return None
    # Headings are short and mostly capitalised words; a numbered sentence fragment is not.
    capitalised = sum(1 for w in words if w[0].isupper() or w.lower() in {"and", "of", "for", "the", "in", "on", "a"})
    return text if capitalised >= max(1, len(words) - 1) else None


def _clean_lines(pages: list[str]) -> list[list[str]]:
    """Drop page numbers and running heads (lines that repeat on most pages)."""
    split = [[line.strip() for line in page.splitlines()] for page in pages]
    counts = Counter(line for page in split for line in set(page) if line)
    repeated = {line for line, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    return [[line for line in page if line and line not in repeated and not line.isdigit()] for page in split]


def _tabular(line: str) -> bool:
    """A table row: mostly numbers ('Direct 69.1 74.2'). Checked after headings, which are numbered too."""
    tokens = line.split()
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-+±]?\d[\d.,%]*", t))
    return numeric >= 1 and numeric >= 0.4 * len(tokens)


def _join(lines: list[str]) -> str:
    """Rejoin lines into running text, undoing hyphenation at line ends ('trans-' + 'fer' -> 'transfer')."""
    out = ""
    for line in lines:
        if out.endswith("-") and line[:1].islower() and len(out) > 1 and out[-2].isalpha():
            out = out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def _usable(sentence: str) -> bool:
    """Keep prose; drop table rows, equations and stray fragments that would only add noise to verification."""
    words = sentence.split()
    if len(words) < 4 or len(sentence) > 1500:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.6 * len(sentence.replace(" ", ""))


def split_sections(pages: list[str]) -> list[Section]:
    """Body sections in reading order, from the first heading up to the references."""
    sections: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for page in _clean_lines(pages):
        for line in page:
            heading = _heading(line)
            if heading is not None:
                bare = re.sub(r"^[\dA-H.]+\s+", "", heading).lower()
                if bare in END_HEADINGS:
                    current = None
                    if sections:
                        return _finish(sections)
                    continue
                current = (heading, [])
                sections.append(current)
            elif current is not None and not _tabular(line):
                current[1].append(line)
    if not sections:  # no recognisable headings: keep the whole text as one body
        body = [line for page in _clean_lines(pages) for line in page if not _tabular(line)]
        sections = [("Body", body)]
    return _finish(sections)


def _finish(sections: list[tuple[str, list[str]]]) -> list[Section]:
    out = []
    for title, lines in sections:
        if re.sub(r"^[\dA-H.]+\s+", "", title).lower() == "abstract":
            continue  # the store already holds the abstract
        sentences = tuple(s for s in split_sentences(_join(lines)) if _usable(s))
        if sentences:
            out.append(Section(title=" ".join(title.split()), sentences=sentences))
    return out


def extract_fulltext(data: bytes) -> FullText:
    """PDF bytes -> sections of sentences, capped at MAX_SENTENCES so one huge paper cannot swamp a report."""
    pages = pdf_pages(data)
    sections = split_sections(pages)
    if not sections:
        raise FullTextError("the PDF holds no extractable text (scanned images?)")
    kept: list[Section] = []
    budget = MAX_SENTENCES
    for section in sections:
        if budget <= 0:
            break
        kept.append(Section(section.title, section.sentences[:budget]))
        budget -= len(kept[-1].sentences)
    return FullText(sections=tuple(kept), pages=len(pages), sha256=hashlib.sha256(data).hexdigest())


def outline_path(store_root: Path, arxiv_id: str) -> Path:
    return Path(store_root) / "fulltext" / file_name(arxiv_id)


def write_outline(store_root: Path, arxiv_id: str, version: int | None, fulltext: FullText) -> bool:
    """The sibling file `store/fulltext/<id>.json`; written atomically, only when it changed."""
    path = outline_path(store_root, arxiv_id)
    record = {
        "arxiv_id": arxiv_id,
        "version": version,
        "pdf_sha256": fulltext.sha256,
        "pages": fulltext.pages,
        "sentences": len(fulltext.sentences),
        "sections": fulltext.outline(),
    }
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write_text(path, text)
    return True


def section_of(store_root: Path, arxiv_id: str, fulltext_index: int) -> str | None:
    """The title of the section holding full-text sentence `fulltext_index`, from the sibling outline file."""
    path = outline_path(store_root, arxiv_id)
    try:
        outline = json.loads(path.read_text(encoding="utf-8"))["sections"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for section in outline:
        if section["first"] <= fulltext_index < section["first"] + section["count"]:
            return str(section["title"])
    return None
