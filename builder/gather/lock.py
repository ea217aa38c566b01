"""Locks: what `refresh` saw on arXiv, per report, so offline builds resolve queries the same way every time.

`store/locks/<slug>.json` records each query (with its parameters) and the ids it resolved to, in arXiv's
order, and the version of every paper the report uses as it was stored. The file is sorted and indented
the same way on every run, so a refresh that changed nothing leaves it byte-identical and a refresh that
did change something shows up as a small, reviewable diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import StoreError
from builder.models import split_arxiv_id
from builder.papers import PaperStore, atomic_write_text
from builder.spec import LoadedSpec, Query

LOCK_FORMAT = 1


def lock_path(store_root: Path, slug: str) -> Path:
    return Path(store_root) / "locks" / f"{slug}.json"


def query_key(query: Query) -> dict[str, Any]:
    """The parameters that decide a query's results; a lock entry matches a spec query only if all agree."""
    return {
        "query": query.query,
        "max_results": query.max_results,
        "sort_by": query.sort_by,
        "sort_order": query.sort_order,
    }


@dataclass(frozen=True)
class LockedQuery:
    query: str
    max_results: int
    sort_by: str
    sort_order: str
    ids: tuple[str, ...]  # base ids, in the order arXiv returned them

    def matches(self, query: Query) -> bool:
        key = query_key(query)
        return (self.query, self.max_results, self.sort_by, self.sort_order) == (
            key["query"],
            key["max_results"],
            key["sort_by"],
            key["sort_order"],
        )


@dataclass(frozen=True)
class LockedPaper:
    arxiv_id: str
    version: int | None
    fulltext: bool = False  # whether the stored record holds the paper's full text


@dataclass(frozen=True)
class Lock:
    report: str
    queries: tuple[LockedQuery, ...] = ()
    papers: tuple[LockedPaper, ...] = ()
    fulltext: bool = False  # the spec asked for full text when the lock was written
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. PDFs that could not be read

    def find(self, query: Query) -> LockedQuery | None:
        return next((q for q in self.queries if q.matches(query)), None)

    def paper(self, arxiv_id: str) -> LockedPaper | None:
        return next((p for p in self.papers if p.arxiv_id == arxiv_id), None)

    def to_json(self) -> str:
        """Deterministic text: same lock, same bytes."""
        data: dict[str, Any] = {
            "format": LOCK_FORMAT,
            "report": self.report,
            "fulltext": self.fulltext,
            "queries": [
                {
                    "query": q.query,
                    "max_results": q.max_results,
                    "sort_by": q.sort_by,
                    "sort_order": q.sort_order,
                    "ids": list(q.ids),
                }
                for q in self.queries
            ],
            "papers": "@papers@",
        }
        if self.notes:
            data["notes"] = list(self.notes)
        # One line per paper: a version bump is then a one-line diff.
        rows = [
            json.dumps({"id": p.arxiv_id, "version": p.version, "fulltext": p.fulltext}, ensure_ascii=False)
            for p in self.papers
        ]
        papers = "[\n" + ",\n".join("    " + row for row in rows) + "\n  ]" if rows else "[]"
        return json.dumps(data, ensure_ascii=False, indent=2).replace('"@papers@"', papers, 1) + "\n"


def parse_lock(text: str, path: Path) -> Lock:
    """Read a lock file; a damaged one is reported by name, never half-used."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: corrupt lock (JSON error at line {exc.lineno}: {exc.msg})") from None
    try:
        if data.get("format") != LOCK_FORMAT:
            raise StoreError(f"{path}: unknown lock format {data.get('format')!r} (expected {LOCK_FORMAT})")
        queries = tuple(
            LockedQuery(
                query=str(q["query"]),
                max_results=int(q["max_results"]),
                sort_by=str(q["sort_by"]),
                sort_order=str(q["sort_order"]),
                ids=tuple(split_arxiv_id(str(i))[0] for i in q["ids"]),
            )
            for q in data.get("queries", [])
        )
        papers = tuple(
            LockedPaper(
                arxiv_id=split_arxiv_id(str(p["id"]))[0],
                version=int(p["version"]) if p.get("version") is not None else None,
                fulltext=bool(p.get("fulltext", False)),
            )
            for p in data.get("papers", [])
        )
        return Lock(
            report=str(data["report"]),
            queries=queries,
            papers=papers,
            fulltext=bool(data.get("fulltext", False)),
            notes=tuple(str(n) for n in data.get("notes", [])),
        )
    except StoreError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{path}: invalid lock: {type(exc).__name__}: {exc}") from None


def read_lock(store_root: Path, slug: str) -> Lock | None:
    path = lock_path(store_root, slug)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read lock: {exc}") from None
    return parse_lock(text, path)


def write_lock(store_root: Path, lock: Lock) -> bool:
    """Write atomically; return True when the file changed."""
    path = lock_path(store_root, lock.report)
    text = lock.to_json()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write_text(path, text)
    return True


def _pinned_versions(loaded: LoadedSpec) -> dict[str, int]:
    """Ids the spec wrote with a version ('2501.18750v2'): the build must use exactly that version."""
    spec = loaded.spec
    pinned: dict[str, int] = {}
    for value in [spec.primary, *spec.papers, *(c.source for c in spec.claims)]:
        base, version = split_arxiv_id(value)
        if version is not None:
            pinned[base] = version
    return pinned


def resolve_offline(loaded_spec: LoadedSpec, store_root: Path) -> list[str]:
    """The report's arXiv ids (no versions) from the spec and the lock alone; StoreError says what to refresh.

    Order: the spec's own ids (primary first), then each query's results in the locked order, without duplicates.
    """
    slug = loaded_spec.slug
    advice = f"run `python -m builder refresh --report {slug}`"
    spec = loaded_spec.spec
    store = PaperStore(Path(store_root))
    lock = read_lock(store_root, slug)
    ids: dict[str, None] = dict.fromkeys(loaded_spec.paper_ids)

    if spec.queries or spec.settings.fulltext:
        if lock is None:
            why = f"{len(spec.queries)} arXiv queries" if spec.queries else "full text"
            raise StoreError(
                f"report '{slug}' needs {why} but has no lock ({lock_path(store_root, slug)}); {advice}"
            )
        missing_queries = [q.query for q in spec.queries if lock.find(q) is None]
        if missing_queries:
            listed = "; ".join(repr(q) for q in missing_queries)
            raise StoreError(
                f"report '{slug}': the lock has no result for query {listed} "
                f"(new or changed since the last refresh); {advice}"
            )
        if spec.settings.fulltext and not lock.fulltext:
            raise StoreError(f"report '{slug}' asks for full text, which the lock does not record; {advice}")
        for query in spec.queries:
            located = lock.find(query)
            assert located is not None
            ids.update(dict.fromkeys(located.ids))

    result = list(ids)
    missing = [i for i in result if not store.has(i)]
    if missing:
        raise StoreError(
            f"report '{slug}': missing from the paper store ({store.papers_dir}): {', '.join(missing)}; {advice}"
        )

    stale: list[str] = []
    pinned = _pinned_versions(loaded_spec)
    for arxiv_id in result:
        want = pinned.get(arxiv_id)
        locked = lock.paper(arxiv_id) if lock else None
        if want is None and locked is not None:
            want = locked.version
        if want is None:
            continue
        have = store.get(arxiv_id).version
        if have != want:
            source = "the spec pins" if arxiv_id in pinned else "the lock recorded"
            stale.append(f"{arxiv_id} ({source} v{want}, the store has v{have})")
    if stale:
        raise StoreError(f"report '{slug}': the store holds other versions than expected: {'; '.join(stale)}; {advice}")
    return result
