"""The paper store: one committed, diffable JSON file per arXiv paper under `store/papers/`.

Builds read only this store (and the lock), so CI never needs the network. `refresh` and
`store import` are the only writers, and every write is atomic (temp file + rename).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import StoreError
from builder.models import Paper, split_arxiv_id

STORE_FIELDS = (
    "arxiv_id",
    "version",
    "title",
    "authors",
    "abstract",
    "published",
    "updated",
    "primary_category",
    "categories",
    "doi",
    "journal_ref",
    "comments",
)


def file_name(arxiv_id: str) -> str:
    """Old-style ids hold a '/', which may not reach the file system: 'hep-th/9901001' -> 'hep-th_9901001.json'."""
    base, _ = split_arxiv_id(arxiv_id)
    return base.replace("/", "_") + ".json"


def _date(value: Any, field: str, path: Path) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise StoreError(f"{path}: field '{field}' is not a date (YYYY-MM-DD): {value!r}") from None


def _version(value: Any) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).lstrip("v")
    return int(text) if text.isdigit() else None


def paper_from_record(record: dict[str, Any], path: Path) -> Paper:
    """Build a Paper from a store or corpus record; raise StoreError naming the file on bad data."""
    try:
        arxiv_id = split_arxiv_id(str(record["arxiv_id"]))[0]
        title = str(record["title"]).strip()
        authors = record["authors"]
        abstract = str(record["abstract"]).strip()
    except (KeyError, ValueError, TypeError) as exc:
        raise StoreError(f"{path}: missing or invalid field: {exc}") from None
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise StoreError(f"{path}: field 'authors' must be a list of names")
    if not title or not abstract:
        raise StoreError(f"{path}: 'title' and 'abstract' must not be empty")
    return Paper(
        arxiv_id=arxiv_id,
        title=" ".join(title.split()),
        authors=tuple(" ".join(a.split()) for a in authors),
        abstract=" ".join(abstract.split()),
        version=_version(record.get("version")),
        published=_date(record.get("published"), "published", path),
        updated=_date(record.get("updated"), "updated", path),
        primary_category=record.get("primary_category") or None,
        categories=tuple(record.get("categories") or ()),
        doi=record.get("doi") or None,
        journal_ref=record.get("journal_ref") or None,
        comments=record.get("comments") or None,
        fulltext_sentences=tuple(record.get("fulltext_sentences") or ()),
    )


def paper_to_record(paper: Paper) -> dict[str, Any]:
    record: dict[str, Any] = {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "published": paper.published.isoformat() if paper.published else None,
        "updated": paper.updated.isoformat() if paper.updated else None,
        "primary_category": paper.primary_category,
        "categories": list(paper.categories),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comments": paper.comments,
    }
    if paper.fulltext_sentences:
        record["fulltext_sentences"] = list(paper.fulltext_sentences)
    return record


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class PaperStore:
    """Reads and writes `store/papers/*.json`; one file per paper keeps diffs small and reviewable."""

    root: Path

    @property
    def papers_dir(self) -> Path:
        return self.root / "papers"

    def path_for(self, arxiv_id: str) -> Path:
        return self.papers_dir / file_name(arxiv_id)

    def has(self, arxiv_id: str) -> bool:
        return self.path_for(arxiv_id).is_file()

    def get(self, arxiv_id: str) -> Paper:
        path = self.path_for(arxiv_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise StoreError(f"paper {arxiv_id} is not in the store ({path})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: cannot read: {exc}") from None
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{path}: corrupt JSON at line {exc.lineno}: {exc.msg}") from None
        if not isinstance(record, dict):
            raise StoreError(f"{path}: expected a JSON object")
        return paper_from_record(record, path)

    def get_many(self, arxiv_ids: Iterable[str]) -> list[Paper]:
        """All the papers asked for, or one StoreError naming every missing id."""
        ids = list(arxiv_ids)
        missing = [i for i in ids if not self.has(i)]
        if missing:
            raise StoreError(
                f"missing from the paper store ({self.papers_dir}): {', '.join(missing)}. "
                "Run `python -m builder refresh` to fetch them from arXiv."
            )
        return [self.get(i) for i in ids]

    def put(self, paper: Paper) -> bool:
        """Store a paper; return True when the file changed."""
        path = self.path_for(paper.arxiv_id)
        text = json.dumps(paper_to_record(paper), ensure_ascii=False, indent=2) + "\n"
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return False
        atomic_write_text(path, text)
        return True

    def all_ids(self) -> list[str]:
        if not self.papers_dir.is_dir():
            return []
        ids = []
        for path in sorted(self.papers_dir.glob("*.json")):
            stem = path.stem
            ids.append(stem.replace("_", "/", 1) if "_" in stem else stem)
        return ids

    def fingerprint(self, arxiv_id: str) -> bytes:
        """The raw bytes of a paper's file, for cache keys."""
        return self.path_for(arxiv_id).read_bytes()


def import_jsonl(store: PaperStore, source: Path) -> tuple[int, int]:
    """Fill the store from a JSONL file of arXiv records (e.g. shared/corpus/papers.jsonl)."""
    added = changed = 0
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{source}:{number}: invalid JSON: {exc.msg}") from None
        paper = paper_from_record(record, Path(f"{source}:{number}"))
        existed = store.has(paper.arxiv_id)
        if store.put(paper):
            changed += int(existed)
            added += int(not existed)
    return added, changed
