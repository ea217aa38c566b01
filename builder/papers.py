"""The paper store: one committed, diffable JSON file per arXiv paper under `store/papers/`.

Builds read only this store (and the lock), so CI never needs the network. `refresh` and
`store import` are the only writers, and every write is atomic (temp file + rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import StoreError
from builder.models import Paper, split_arxiv_id
from builder.record import MAX_RECORD_BYTES, Parsed, RecordError, json_int, parse_record


def file_name(arxiv_id: str) -> str:
    """Old-style ids hold a '/', which may not reach the file system: 'hep-th/9901001' -> 'hep-th_9901001.json'."""
    base, _ = split_arxiv_id(arxiv_id)
    return base.replace("/", "_") + ".json"


def paper_from_record(record: Any, path: Path | str, *, corpus: bool = False) -> Paper:
    """A Paper from a store or corpus record, validated by `builder.record`; RecordError names the file and field."""
    return parse_record(record, str(path), corpus=corpus).paper


def _load_json(text: str, where: str) -> Any:
    """JSON, or a RecordError naming the place: corrupt text and absurd nesting are input errors, not crashes."""
    try:
        return json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{where}: corrupt JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RecordError(f"{where}: JSON nested too deeply (a paper record is one flat object)") from None


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
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """`atomic_write_text` for bytes (the build's pickled caches): the temp file is `.<name>.<random>.tmp`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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

    def read(self, arxiv_id: str) -> Parsed:
        """The validated record of one paper; the file must hold the paper its name gives (no impostors)."""
        path = self.path_for(arxiv_id)
        try:
            if path.stat().st_size > MAX_RECORD_BYTES:
                raise RecordError(f"{path}: {path.stat().st_size} bytes, more than one record may hold "
                                  f"({MAX_RECORD_BYTES} bytes)")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise StoreError(f"paper {arxiv_id} is not in the store ({path})") from None
        except UnicodeDecodeError as exc:
            raise RecordError(f"{path}: not UTF-8 text (byte {exc.start + 1}): {exc.reason}") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
        base = split_arxiv_id(arxiv_id)[0]
        return parse_record(_load_json(text, str(path)), str(path), expect_id=base)

    def get(self, arxiv_id: str) -> Paper:
        return self.read(arxiv_id).paper

    def read_many(self, arxiv_ids: Iterable[str]) -> tuple[list[Paper], list[str]]:
        """All the papers asked for and the warnings their records gave, or one StoreError naming every missing id."""
        ids = list(arxiv_ids)
        missing = [i for i in ids if not self.has(i)]
        if missing:
            raise StoreError(
                f"missing from the paper store ({self.papers_dir}): {', '.join(missing)}. "
                "Run `python -m builder refresh` to fetch them from arXiv."
            )
        parsed = [self.read(i) for i in ids]
        return [p.paper for p in parsed], [w for p in parsed for w in p.warnings]

    def get_many(self, arxiv_ids: Iterable[str]) -> list[Paper]:
        return self.read_many(arxiv_ids)[0]

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
        """The raw bytes of a paper's file, for cache keys. A build asks for each paper once per report that cites
        it (2,200 times for 200 reports over 59 papers), so what a file gave is kept, by its path, size, mtime and
        inode (the store is written by renames, so a new version is a new file), for one build: `forget_files`
        empties it when a build starts."""
        path = os.fspath(self.path_for(arxiv_id))
        stat = os.stat(path)
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        kept = _FINGERPRINTS.get(path)
        if kept is None or kept[0] != stamp:
            with open(path, "rb") as handle:
                kept = _FINGERPRINTS[path] = (stamp, handle.read())
        return kept[1]


_FINGERPRINTS: dict[str, tuple[tuple[int, int, int], bytes]] = {}  # PaperStore.fingerprint's, by path


def forget_files() -> None:
    """Empty `PaperStore.fingerprint`'s memo: a process that builds again (a test, a long-running caller) reads
    the store afresh."""
    _FINGERPRINTS.clear()


def read_jsonl(source: Path) -> tuple[list[Paper], list[str]]:
    """Every record of a JSONL file validated, or one RecordError listing each bad line (file:line, field)."""
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{source}: not UTF-8 text (byte {exc.start + 1}): {exc.reason}") from None
    except OSError as exc:
        raise StoreError(f"{source}: cannot read: {exc.strerror or exc}") from None
    papers: list[Paper] = []
    warnings: list[str] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    # JSON Lines end at "\n" only: splitlines() would also cut at U+2028, U+0085 or \x1c inside a string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        if len(line) > MAX_RECORD_BYTES:
            problems.append(f"{where}: {len(line)} characters, more than one record may hold ({MAX_RECORD_BYTES})")
            continue
        try:
            parsed = parse_record(_load_json(line, where), where, corpus=True)
        except RecordError as exc:
            problems.append(str(exc))
            continue
        arxiv_id = parsed.paper.arxiv_id
        if arxiv_id in first_line:
            problems.append(f"{where}: field 'arxiv_id': {arxiv_id} is already on line {first_line[arxiv_id]}")
            continue
        first_line[arxiv_id] = number
        papers.append(parsed.paper)
        warnings.extend(parsed.warnings)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise RecordError("\n".join(shown) + f"\nnothing imported ({len(problems)} bad records in {source})")
    return papers, warnings


def import_jsonl(store: PaperStore, source: Path) -> tuple[int, int, list[str]]:
    """Fill the store from a JSONL file of arXiv records (e.g. shared/corpus/papers.jsonl).

    Every line is validated before the first file is written: one bad record imports nothing.
    Returns (added, changed, warnings).
    """
    papers, warnings = read_jsonl(source)
    added = changed = 0
    for paper in papers:
        existed = store.has(paper.arxiv_id)
        if store.put(paper):
            changed += int(existed)
            added += int(not existed)
    return added, changed, warnings
