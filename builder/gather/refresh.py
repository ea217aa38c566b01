"""`python -m builder refresh`: fetch the papers the specs ask for from arXiv into the store, and lock them.

This is the only command that uses the network. For each report it resolves the spec's queries, fetches
every listed id (batched `id_list` requests shared by all reports), optionally downloads and splits the
PDFs, then writes the paper files and finally `store/locks/<slug>.json`, each atomically. A report whose
fetch fails writes nothing, so the store and lock always describe one consistent refresh; other reports
still go ahead. `build` then needs only the store and the locks.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import arxiv

from builder.errors import BuilderError, SpecErrors, StoreError
from builder.gather.client import ArxivClient, ClientConfig, GatherError, chunks, pdf_url
from builder.gather.fulltext import FullText, FullTextError, extract_fulltext, outline_path, write_outline
from builder.gather.lock import Lock, LockedPaper, LockedQuery, lock_path, query_key, read_lock, write_lock
from builder.models import Paper, split_arxiv_id
from builder.papers import PaperStore
from builder.record import parse_record
from builder.spec import LoadedSpec, Query, load_spec

log = logging.getLogger(__name__)


# --- turning API results into store records ------------------------------------------------------------


def paper_from_result(result: arxiv.Result) -> Paper:
    """An arXiv API entry as a store Paper (base id + version), validated like any store record."""
    short = str(result.get_short_id())
    try:
        base, version = split_arxiv_id(short)
    except ValueError as exc:
        raise StoreError(f"arXiv entry {short[:80]!r}: field 'id': {exc}") from None
    record = {
        "arxiv_id": base,
        "version": version,
        "title": result.title,
        "authors": [a.name for a in result.authors],
        "abstract": result.summary,
        "published": result.published.date().isoformat() if result.published else None,
        "updated": result.updated.date().isoformat() if result.updated else None,
        "primary_category": result.primary_category or None,
        "categories": result.categories,
        "doi": result.doi or None,
        "journal_ref": result.journal_ref or None,
        "comments": result.comment or None,
    }
    parsed = parse_record(record, f"arXiv entry {short}")
    for warning in parsed.warnings:
        log.warning("warning: %s", warning)
    return parsed.paper


def _key(query: Query) -> str:
    return json.dumps(query_key(query), sort_keys=True)


# --- progress -------------------------------------------------------------------------------------------


class Progress:
    """A rich progress bar on a terminal; plain, timestamp-free lines with --quiet (CI logs)."""

    def __init__(self, quiet: bool, silent: bool = False) -> None:
        self.quiet = quiet or silent
        self.silent = silent  # no output at all (benchmarks, library use)
        self._bar = None
        self._tasks: dict[str, object] = {}

    def __enter__(self) -> Progress:
        # Retry notices from the client go through here, so they neither break the bar nor vanish.
        self._handler = _SayHandler(self)
        logging.getLogger("builder.gather").addHandler(self._handler)
        if not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("builder.gather").removeHandler(self._handler)
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def phase(self, name: str, total: int) -> None:
        if self._bar is not None and total:
            self._tasks[name] = self._bar.add_task(name, total=total)

    def advance(self, name: str) -> None:
        if self._bar is not None and name in self._tasks:
            self._bar.advance(self._tasks[name])  # type: ignore[arg-type]

    def say(self, message: str) -> None:
        if self.silent:
            return
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)


class _SayHandler(logging.Handler):
    def __init__(self, progress: Progress) -> None:
        super().__init__(level=logging.WARNING)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.say(record.getMessage())


# --- the refresh ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one report."""

    slug: str
    ok: bool
    message: str
    papers: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    lock_changed: bool = False


def _asked_ids(loaded: LoadedSpec) -> list[str]:
    """The spec's ids as written (a pinned version stays pinned), primary first, one per paper."""
    spec = loaded.spec
    seen: dict[str, str] = {}
    for value in [spec.primary, *spec.papers, *(c.source for c in spec.claims)]:
        base, version = split_arxiv_id(value)
        if base not in seen or version is not None:
            seen[base] = f"{base}v{version}" if version is not None else base
    return list(seen.values())


class Refresher:
    """One refresh run over a set of specs, sharing one client (politeness clock, session, counts)."""

    def __init__(self, store_root: Path, client: ArxivClient, progress: Progress) -> None:
        self.store_root = Path(store_root)
        self.store = PaperStore(self.store_root)
        self.client = client
        self.progress = progress
        self.query_results: dict[str, list[Paper]] = {}
        self.query_errors: dict[str, str] = {}
        self.fetched: dict[str, Paper] = {}  # asked id (base or versioned) -> paper
        self.fetch_errors: dict[str, str] = {}
        self.unreachable: str | None = None  # set once arXiv cannot be reached: stop asking for this run

    def _note_failure(self, exc: GatherError) -> None:
        if exc.status is None and "gave up" in str(exc):
            self.unreachable = f"skipped, arXiv unreachable ({exc})"

    def run(self, specs: Sequence[LoadedSpec]) -> list[Outcome]:
        self._run_queries(specs)
        self._fetch_ids(specs)
        return [self._finish(loaded) for loaded in specs]

    # network phases ---------------------------------------------------------------------------------------

    def _run_queries(self, specs: Sequence[LoadedSpec]) -> None:
        unique: dict[str, Query] = {}
        for loaded in specs:
            for query in loaded.spec.queries:
                unique.setdefault(_key(query), query)
        self.progress.phase("queries", len(unique))
        for key, query in unique.items():
            if self.unreachable:
                self.query_errors[key] = self.unreachable
                self.progress.advance("queries")
                continue
            try:
                results = self.client.search(query.query, query.max_results, query.sort_by, query.sort_order)
                papers = [paper_from_result(r) for r in results]
            except (GatherError, StoreError) as exc:
                self.query_errors[key] = str(exc)
                self.progress.say(f"query {query.query!r} failed: {exc}")
                if isinstance(exc, GatherError):
                    self._note_failure(exc)
            else:
                self.query_results[key] = papers
                for paper in papers:
                    self.fetched.setdefault(paper.arxiv_id, paper)
                if self.progress.quiet:
                    self.progress.say(f"query {query.query!r}: {len(papers)} papers")
            self.progress.advance("queries")

    def _fetch_ids(self, specs: Sequence[LoadedSpec]) -> None:
        needed: dict[str, None] = {}
        for loaded in specs:
            for asked in _asked_ids(loaded):
                if asked in self.fetched:
                    continue
                base, version = split_arxiv_id(asked)
                have = self.fetched.get(base)
                if have is not None and version is not None and have.version == version:
                    self.fetched[asked] = have
                    continue
                needed[asked] = None
        batches = chunks(needed, self.client.config.batch_size)
        self.progress.phase("papers", len(batches))
        for batch in batches:
            if self.unreachable:
                self.fetch_errors.update(dict.fromkeys(batch, self.unreachable))
                self.progress.advance("papers")
                continue
            try:
                found = self.client.fetch_ids(batch)
            except GatherError as exc:
                self.fetch_errors.update(dict.fromkeys(batch, str(exc)))
                self.progress.say(f"fetching {len(batch)} papers failed: {exc}")
                self._note_failure(exc)
            else:
                for asked in batch:
                    if asked in found:
                        try:
                            self.fetched[asked] = paper_from_result(found[asked])
                        except StoreError as exc:
                            self.fetch_errors[asked] = f"arXiv sent an unusable record: {exc}"
                    else:
                        self.fetch_errors[asked] = "not found on arXiv"
                if self.progress.quiet:
                    self.progress.say(f"fetched {len(batch)} ids in one request batch")
            self.progress.advance("papers")

    # per report -------------------------------------------------------------------------------------------

    def _existing(self, arxiv_id: str) -> Paper | None:
        """The stored record, or None; a corrupt file is named and then repaired by this refresh."""
        if not self.store.has(arxiv_id):
            return None
        try:
            return self.store.get(arxiv_id)
        except StoreError as exc:
            self.progress.say(f"warning: {exc}; it will be rewritten")
            return None

    def _finish(self, loaded: LoadedSpec) -> Outcome:
        slug = loaded.slug
        spec = loaded.spec
        problems: dict[str, list[str]] = {}  # error -> what it hit, so one outage is reported once
        for query in spec.queries:
            if _key(query) in self.query_errors:
                problems.setdefault(self.query_errors[_key(query)], []).append(f"query {query.query!r}")
        for asked in _asked_ids(loaded):
            if asked in self.fetch_errors:
                problems.setdefault(self.fetch_errors[asked], []).append(asked)
        if problems:
            listed = "; ".join(f"{', '.join(what)}: {error}" for error, what in problems.items())
            return Outcome(slug, False, "nothing written; " + listed)

        papers: dict[str, Paper] = {}
        for asked in _asked_ids(loaded):
            paper = self.fetched[asked]
            papers[paper.arxiv_id] = paper
        locked_queries = []
        for query in spec.queries:
            results = self.query_results[_key(query)]
            for paper in results:
                papers.setdefault(paper.arxiv_id, paper)
            locked_queries.append(
                LockedQuery(
                    query=query.query,
                    max_results=query.max_results,
                    sort_by=query.sort_by,
                    sort_order=query.sort_order,
                    ids=tuple(p.arxiv_id for p in results),
                )
            )

        notes: list[str] = []
        outlines: dict[str, FullText] = {}
        final: dict[str, Paper] = {}
        for arxiv_id, paper in papers.items():
            existing = self._existing(arxiv_id)
            same_version = existing is not None and existing.version == paper.version
            if same_version and existing is not None and existing.fulltext_sentences:
                # Keep full text fetched earlier for this very version (by this or another report).
                paper = dataclasses.replace(paper, fulltext_sentences=existing.fulltext_sentences)
            elif spec.settings.fulltext:
                try:
                    text = self._fulltext(paper)
                except GatherError as exc:
                    self._note_failure(exc)
                    return Outcome(slug, False, f"nothing written; full text of {paper.versioned_id}: {exc}")
                except FullTextError as exc:
                    notes.append(f"{paper.versioned_id}: no full text ({exc})")
                else:
                    paper = dataclasses.replace(paper, fulltext_sentences=text.sentences)
                    outlines[arxiv_id] = text
            final[arxiv_id] = paper

        # Writes: papers first, the lock last, each atomic; a crash in between leaves a lock that
        # `resolve_offline` reports as stale rather than a store that lies.
        added = updated = 0
        for arxiv_id, paper in final.items():
            existed = self.store.has(arxiv_id)
            if self.store.put(paper):
                updated += int(existed)
                added += int(not existed)
            if arxiv_id in outlines:
                write_outline(self.store_root, arxiv_id, paper.version, outlines[arxiv_id])
            elif not paper.fulltext_sentences:
                outline_path(self.store_root, arxiv_id).unlink(missing_ok=True)
        lock = Lock(
            report=slug,
            queries=tuple(locked_queries),
            papers=tuple(
                LockedPaper(p.arxiv_id, p.version, fulltext=bool(p.fulltext_sentences)) for p in final.values()
            ),
            fulltext=spec.settings.fulltext,
            notes=tuple(notes),
        )
        changed = write_lock(self.store_root, lock)
        message = (
            f"{len(final)} papers ({added} new, {updated} updated), {len(spec.queries)} queries; "
            f"lock {lock_path(self.store_root, slug)} {'written' if changed else 'unchanged'}"
        )
        if notes:
            message += "; " + "; ".join(notes)
        return Outcome(slug, True, message, list(final), added, updated, changed)

    def _fulltext(self, paper: Paper) -> FullText:
        if self.unreachable:
            raise GatherError(self.unreachable)
        url = pdf_url(self.client.config, paper.versioned_id)
        self.progress.say(f"downloading full text of {paper.versioned_id}")
        try:
            data = self.client.download(url, f"PDF of {paper.versioned_id}")
        except GatherError as exc:
            if exc.status in (403, 404, 410):  # withdrawn or never had a PDF: a fact, not a hiccup
                raise FullTextError(f"arXiv has no PDF (HTTP {exc.status})") from None
            raise
        return extract_fulltext(data)


def stale_locks(store_root: Path) -> list[str]:
    """Reports whose lock recorded a version the store no longer holds: another report refreshed the paper,
    or two reports of this run want different versions of it."""
    store = PaperStore(Path(store_root))
    out = []
    for path in sorted((Path(store_root) / "locks").glob("*.json")):
        slug = path.stem
        try:
            lock = read_lock(store_root, slug)
        except StoreError as exc:
            out.append(str(exc))
            continue
        if lock is None:
            continue
        for paper in lock.papers:
            try:
                have = store.get(paper.arxiv_id).version if store.has(paper.arxiv_id) else None
            except StoreError:
                have = None
            if have != paper.version:
                out.append(f"{slug} (its lock has {paper.arxiv_id} v{paper.version}, the store v{have})")
                break
    return out


# --- command line ---------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builder refresh",
        description="Fetch the papers and query results the specs need from arXiv into the store, and lock them.",
    )
    parser.add_argument("--report", action="append", default=[], metavar="SLUG", help="only this report (repeatable)")
    parser.add_argument("--reports-dir", type=Path, default=None, help="folder of specs (default: reports/)")
    parser.add_argument("--store", type=Path, default=None, help="paper store folder (default: store/)")
    parser.add_argument("--root", type=Path, default=None, help="project folder (default: current folder)")
    parser.add_argument("--quiet", action="store_true", help="plain log lines instead of a progress bar")
    return parser


def main(argv: list[str] | None = None, default_author: str | None = None, config: ClientConfig | None = None) -> int:
    """Exit 0 when every report refreshed, 1 when one failed (network, not found), 2 on bad input."""
    from builder.settings import load_settings

    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_settings(args.root)
    reports_dir = args.reports_dir or settings.reports_dir
    store_root = args.store or settings.store_dir
    author = default_author or settings.default_author

    paths = sorted(Path(reports_dir).glob("*.yaml"))
    if args.report:
        by_slug = {p.stem: p for p in paths}
        unknown = [s for s in args.report if s not in by_slug]
        if unknown:
            print(f"error: no spec {', '.join(unknown)} in {reports_dir}", file=sys.stderr)
            return 2
        paths = [by_slug[s] for s in dict.fromkeys(args.report)]
    if not paths:
        print(f"error: no specs found in {reports_dir}", file=sys.stderr)
        return 2
    specs = []
    for path in paths:
        try:
            specs.append(load_spec(path, author))
        except SpecErrors as exc:
            print(exc, file=sys.stderr)
            return 2

    started = time.monotonic()
    try:
        client = ArxivClient(config or ClientConfig.from_env())
        with Progress(quiet=args.quiet or not sys.stderr.isatty()) as progress:
            outcomes = Refresher(store_root, client, progress).run(specs)
    except BuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; files already written are complete, the rest unchanged", file=sys.stderr)
        return 130

    for outcome in outcomes:
        stream = sys.stdout if outcome.ok else sys.stderr
        print(f"{'refreshed' if outcome.ok else 'FAILED'} {outcome.slug}: {outcome.message}", file=stream)
    stats = client.stats
    print(
        f"{stats.requests} requests to arXiv ({stats.retries} retries), {stats.bytes / 1024:.0f} KiB, "
        f"{time.monotonic() - started:.1f} s ({stats.waited:.1f} s waiting politely or backing off)"
    )
    stale = stale_locks(store_root)
    if stale:
        print(
            "warning: these locks now disagree with the store; refresh them too: " + "; ".join(stale),
            file=sys.stderr,
        )
    failed = [o.slug for o in outcomes if not o.ok]
    if failed:
        print(f"{len(failed)} of {len(outcomes)} reports failed; run refresh again for them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
