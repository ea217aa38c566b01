"""`python -m builder build`: every spec to PDF, .bib, .json and site pages, read top to bottom as the pipeline.

`build` gathers first, then writes. Each report is made by `builder.pipeline.make_report` (a pure function of
the spec, its papers and the settings) and rendered into its cache entry (`builder.cache`), keyed by a fingerprint
of everything it depends on, so an unchanged report is neither re-verified nor recompiled; the reports that changed
are built in a process pool. Then `builder.publish` assembles every output folder from those entries in a staging
area and swaps them into place only when everything is written: a failed or killed build leaves the previous site
and PDFs whole. `merge` gathers the entries of shard builds instead and publishes them the same way.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cache import (
    SPECS,
    VERDICTS,
    CacheEntry,
    SpecMemo,
    VerdictMemo,
    last_good,
    report_key,
    reports_cache,
    source_fingerprint,
    templates_dir,
)
from builder.errors import BuilderError, RenderError, SpecErrors
from builder.faults import os_error_message, pause_for_test
from builder.gather.lock import resolve_offline
from builder.papers import atomic_write_text, forget_files
from builder.pipeline import make_report, timed
from builder.publish import prefetch, publish, recover_interrupted
from builder.record import RecordError
from builder.settings import ProjectSettings
from builder.spec import LoadedSpec, load_spec, spec_files

if TYPE_CHECKING:
    from builder.models import Report
    from builder.render.plots import PlotFile

__all__ = [
    "BuildOptions",
    "BuildResult",
    "ReportOutcome",
    "build",
    "build_report",
    "discover_specs",
    "merge",
    "recover_interrupted",
    "select_shard",
]


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path
    jobs: int = max(1, os.cpu_count() or 1)
    strict: bool = False
    site_url: str | None = None
    site: bool = True
    timings: bool = False


@dataclass
class ReportOutcome:
    """What happened to one spec; only this (small, picklable) crosses the process boundary."""

    slug: str
    spec_path: Path
    status: str  # built, cached, merged, failed, invalid
    message: str = ""
    cache_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    gate_passed: bool | None = None
    score: float | None = None


@dataclass
class BuildResult:
    outcomes: list[ReportOutcome]
    site_built: bool = False
    site_message: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    strict: bool = False

    @property
    def exit_code(self) -> int:
        if any(o.status == "invalid" for o in self.outcomes):
            return 2
        if any(o.status == "failed" for o in self.outcomes) or self.site_message:
            return 1
        if self.strict and any(o.gate_passed is False for o in self.outcomes):
            return 1
        return 0


@dataclass(frozen=True)
class BuildContext:
    """Everything a worker needs; plain paths and strings so it pickles cheaply."""

    settings: ProjectSettings
    cache_root: Path
    source_hash: str


# --- the whole build ----------------------------------------------------------------------------------------


def build(
    spec_paths: list[Path],
    settings: ProjectSettings,
    options: BuildOptions,
    progress: Callable[[ReportOutcome], None] | None = None,
) -> BuildResult:
    """Build every spec into its cache entry, then publish them all at once."""
    out = options.out_dir.resolve()
    timings: dict[str, float] = {}
    with output_folder(out, "build"), long_lived_heap(), timed(timings, "total"):
        forget_files()
        ctx = BuildContext(settings, reports_cache(out), source_fingerprint(settings))

        # Reports: each key is checked here; only the reports whose inputs changed go to the worker pool. While
        # they build, the cached reports' entries are read for publishing.
        with timed(timings, "reports"):
            outcomes = run_reports(
                spec_paths, ctx, options.jobs, progress, while_building=partial(prefetch, site=options.site)
            )

        # Publish: pdf/ tex/ data/ bib/ docs/ site/ staged from the cache entries, then swapped in.
        published = publish(
            outcomes, out, settings, ctx.source_hash, site=options.site, site_url=options.site_url, timings=timings
        )
    return BuildResult(outcomes, published.site_built, published.site_message, timings, options.strict)


def merge(shard_dirs: list[Path], settings: ProjectSettings, options: BuildOptions) -> BuildResult:
    """Assemble one site from the output folders of `build --shard I/N` runs (a CI matrix's artifacts)."""
    out = options.out_dir.resolve()
    timings: dict[str, float] = {}
    with output_folder(out, "merge"), long_lived_heap(), timed(timings, "total"):
        forget_files()
        ctx = BuildContext(settings, reports_cache(out), source_fingerprint(settings))

        # Reports: each shard's last good cache entries, copied into this folder's cache.
        outcomes = gather_shards(shard_dirs, ctx)

        # Publish: exactly as `build` does.
        published = publish(
            outcomes, out, settings, ctx.source_hash, site=options.site, site_url=options.site_url, timings=timings
        )
    return BuildResult(outcomes, published.site_built, published.site_message, timings, options.strict)


# The cyclic collector's first threshold during a build (Python's default is 700 allocations): a build allocates
# its reports' objects and keeps them, so collections found little to free and cost 0.15 s of a rebuild among 200
# reports. The other two thresholds are raised with it, so full collections are rarer too.
GC_THRESHOLDS = (50_000, 20, 20)
DEFAULT_GC_THRESHOLDS = gc.get_threshold()  # what the workers go back to


@contextmanager
def long_lived_heap() -> Iterator[None]:
    """Collect cyclic garbage less often in the main process while building, and not at all among the objects
    already made (the imported modules, frozen, which the forked workers then share without touching their
    pages). The workers collect as usual (`worker_pool`)."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@contextmanager
def output_folder(out: Path, doing: str) -> Iterator[None]:
    """Hold the output folder's lock, first undo what a killed build left there, and turn an OSError (read-only
    disk, full disk, a path that is a file) into one message with advice."""
    try:
        with build_lock(out):
            recover_interrupted(out)
            yield
    except OSError as exc:
        raise BuilderError(os_error_message(exc, f"{doing} into {out}")) from None


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output folder: a second one refuses at once instead of mixing outputs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    handle = (out_dir / ".lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BuilderError(
            f"another build is running in {out_dir} (lock {out_dir / '.lock'}); wait for it to finish"
        ) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def discover_specs(settings: ProjectSettings) -> list[Path]:
    """Every spec in reports/ (`.yml` included, so it is reported as misnamed rather than silently skipped)."""
    if not settings.reports_dir.is_dir():
        raise BuilderError(f"no reports folder at {settings.reports_dir}")
    found = set(spec_files(settings.reports_dir))
    # A `*.yaml` that is not a readable file (a folder, a dangling symlink) is reported by load_spec, not skipped.
    found.update(p for p in settings.reports_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml") and not p.is_file())
    return sorted(found)


def select_shard(spec_paths: list[Path], index: int, count: int) -> list[Path]:
    """Shard I of N (1-based): every N-th spec in slug order, so shards are balanced and disjoint."""
    if not 1 <= index <= count:
        raise BuilderError(f"--shard {index}/{count}: expected 1 <= I <= N")
    ordered = sorted(spec_paths, key=lambda p: (p.stem, str(p)))
    return ordered[index - 1 :: count]


# --- every report -------------------------------------------------------------------------------------------


def run_reports(
    spec_paths: list[Path],
    ctx: BuildContext,
    jobs: int,
    progress: Callable[[ReportOutcome], None] | None,
    while_building: Callable[[list[ReportOutcome]], None] | None = None,
) -> list[ReportOutcome]:
    """Every spec's outcome, in slug order: cached ones found here, the rest built (in a pool when jobs > 1).
    `while_building` is given the outcomes known so far once the pool has its work, and runs while it builds."""
    by_slug: dict[str, ReportOutcome] = {}
    seen: dict[str, Path] = {}
    todo: list[Path] = []

    def done(outcome: ReportOutcome) -> None:
        by_slug[outcome.slug] = outcome
        if progress:
            progress(outcome)

    # A slug used twice is invalid; a report whose entry for the current inputs exists is done already. The others
    # are built in worker processes when asked for, even one report, so that a worker killed by the OOM killer
    # fails only its report. The first of them goes to a one-worker pool at once, which builds it while the other
    # specs are checked; the rest, once they all are, to that worker and a pool of up to `jobs - 1` more, each
    # given a report when it has finished one: never more than `jobs` at a time.
    specs = SpecMemo(ctx.cache_root.parent / SPECS, ctx.source_hash)
    running: dict[Future[ReportOutcome], tuple[ProcessPoolExecutor, Path]] = {}
    waiting: deque[Path] = deque()

    def feed(pool: ProcessPoolExecutor) -> None:
        """Give `pool` the next waiting report; a pool broken by a killed worker takes none, the other one does."""
        if waiting:
            try:
                running[pool.submit(build_report, waiting[0], ctx)] = (pool, waiting[0])
                waiting.popleft()
            except BrokenProcessPool:
                pass

    with ExitStack() as stack:
        first: ProcessPoolExecutor | None = None
        for path in spec_paths:
            if path.stem in seen:
                by_slug[f"{path}"] = ReportOutcome(
                    path.stem, path, "invalid", f"{path}: slug '{path.stem}' is already used by {seen[path.stem]}"
                )
                continue
            seen[path.stem] = path
            cached = cached_outcome(path, ctx, specs)
            if cached is not None:
                done(cached)
            elif jobs == 1:
                todo.append(path)
            else:
                waiting.append(path)
                if first is None:
                    first = stack.enter_context(worker_pool(1))
                    feed(first)
        specs.save()
        if waiting:
            more = stack.enter_context(worker_pool(min(jobs - 1, len(waiting))))
            for _ in range(min(jobs - 1, len(waiting))):
                feed(more)
        if running and while_building:
            while_building(list(by_slug.values()))
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                pool, path = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker was killed (OOM killer, SIGKILL): fail its reports only
                    outcome = killed(path, ctx)
                done(outcome)
                feed(pool)
        for path in waiting:  # both pools broken: no worker is left to build them
            done(killed(path, ctx))
    for path in todo:  # one job: built here, one after the other
        done(build_report(path, ctx))
    return sorted(by_slug.values(), key=lambda o: (o.slug, str(o.spec_path)))


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers, with Python's own collector thresholds (a report's build frees what it allocates)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=gc.set_threshold, initargs=DEFAULT_GC_THRESHOLDS)


def killed(path: Path, ctx: BuildContext) -> ReportOutcome:
    """The outcome of a report whose worker was killed: failed, its last good outputs kept."""
    return ReportOutcome(
        path.stem,
        path,
        "failed",
        "the process building this report was killed (out of memory?); build again",
        cache_dir=last_good(ctx.cache_root / path.stem),
    )


def gather_shards(shard_dirs: list[Path], ctx: BuildContext) -> list[ReportOutcome]:
    """Each shard's last good entry per report, copied into `ctx.cache_root`; a report in two shards is an error."""
    outcomes: dict[str, ReportOutcome] = {}
    for shard in shard_dirs:
        shard_cache = reports_cache(shard)
        if not shard_cache.is_dir():
            raise BuilderError(f"{shard} holds no built reports (expected {shard_cache})")
        for slug_dir in sorted(shard_cache.iterdir()):
            good = last_good(slug_dir)
            if good is None:
                continue
            if slug_dir.name in outcomes:
                raise BuilderError(f"report '{slug_dir.name}' is in more than one shard ({shard})")
            target = CacheEntry.of(ctx.cache_root, slug_dir.name, good.name)
            if not target.done:
                shutil.rmtree(target.path, ignore_errors=True)
                shutil.copytree(good, target.path)
            outcomes[slug_dir.name] = _outcome(slug_dir.name, target.path, target, "merged", {})
    return sorted(outcomes.values(), key=lambda o: o.slug)


# --- one report ---------------------------------------------------------------------------------------------

TEX_AUX = "tex-aux"  # in a cache entry: TeX's final .aux and .out, which the report's next build starts from


def cached_outcome(spec_path: Path, ctx: BuildContext, specs: SpecMemo | None = None) -> ReportOutcome | None:
    """The report's outcome when its outputs for the current inputs are already built, else None.

    Runs in the main process before any worker starts, so a build where nothing changed forks no process.
    Any error returns None: build_report then meets it again and reports it in the usual way.
    """
    timings: dict[str, float] = {}
    try:
        with timed(timings, "spec"):
            _, _, entry = locate(spec_path, ctx, specs)
        if entry.done:
            return _outcome(spec_path.stem, spec_path, entry, "cached", timings)
    except Exception:  # whatever it is, build_report meets it again and fails only this report
        pass
    return None


def build_report(spec_path: Path, ctx: BuildContext) -> ReportOutcome:
    """Spec -> Papers -> Claims -> Verdicts -> Review -> Report -> files in the report's cache entry."""
    slug = spec_path.stem
    timings: dict[str, float] = {}
    try:
        # Read and validate the spec; find the cache entry for its current inputs.
        with timed(timings, "spec"):
            loaded, ids, entry = locate(spec_path, ctx)
        if entry.done:
            return _outcome(slug, spec_path, entry, "cached", timings)

        # Make the one Report model (no file is written).
        memo = VerdictMemo(ctx.cache_root.parent / VERDICTS / slug, f"{ctx.source_hash}|{ctx.settings.verifier}")
        report = make_report(loaded, ids, ctx.settings, timings, memo)

        # Render it into the cache entry, which is renamed into place once every file is written; TeX starts from
        # the auxiliary files of the report's last build, if it has one.
        previous = last_good(ctx.cache_root / slug)
        seed = previous / TEX_AUX if previous else None
        entry.write(lambda folder: render_report(report, folder, ctx.settings, timings, seed))
        return _outcome(slug, loaded.path, entry, "built", timings)
    except (SpecErrors, RecordError) as exc:
        status, message = "invalid", str(exc)
    except BuilderError as exc:
        status, message = "failed", str(exc)
    except OSError as exc:
        status, message = "failed", os_error_message(exc, "write the report's files")
    except Exception as exc:  # a bug must fail one report, not the whole build
        status, message = "failed", "internal error: " + "".join(traceback.format_exception_only(exc)).strip()
    # The last good outputs stay published (marked as stale) until the report builds again.
    return ReportOutcome(slug, spec_path, status, message, cache_dir=last_good(ctx.cache_root / slug), timings=timings)


def locate(
    spec_path: Path, ctx: BuildContext, specs: SpecMemo | None = None
) -> tuple[LoadedSpec, list[str], CacheEntry]:
    """The spec (from `specs` when its bytes are unchanged), its papers' ids (listed, or what its queries resolved
    to in the lock: never the network) and the cache entry for its current inputs."""
    loaded = (
        specs.load(spec_path, ctx.settings.default_author)
        if specs
        else load_spec(spec_path, ctx.settings.default_author)
    )
    ids = resolve_offline(loaded, ctx.settings.store_dir)
    key = report_key(loaded, ids, ctx.settings, ctx.source_hash)
    return loaded, ids, CacheEntry.of(ctx.cache_root, loaded.slug, key)


def render_report(
    report: Report, folder: Path, settings: ProjectSettings, timings: dict[str, float], seed_aux: Path | None = None
) -> tuple[Report, list[PlotFile]]:
    """Plots, .bib, .tex, PDF, then the manifest (which also records TeX's warnings) into `folder`; TeX's final
    auxiliary files go to `folder/TEX_AUX`, and start from `seed_aux` (a last build's) when given."""
    from builder.render.bibtex import render_bibtex
    from builder.render.latex import Figure, compile_pdf, render_tex, report_epoch, tex_escape
    from builder.render.manifest import render_json
    from builder.render.plots import make_plots
    from builder.render.texlog import blame
    from builder.report import add_warnings

    slug = report.slug
    latex_dir = templates_dir(settings)
    with timed(timings, "plots"):
        (folder / "plots").mkdir()
        plots = make_plots(report, folder / "plots")
    with timed(timings, "tex"):
        atomic_write_text(folder / f"{slug}.bib", render_bibtex(report.papers, report.bib_keys))
        pause_for_test("render")
        figures = [Figure(name=p.name, tex=p.tex, caption=p.caption, alt=p.alt) for p in plots]
        tex_path = folder / f"{slug}.tex"
        # TeX's own warnings (missing glyphs, unresolved references) are known only after a run; when there are
        # any, the report takes them into its Limitations and the PDF is made again, so it lists them as the
        # manifest and the page do. A warning the second run adds on its own is kept in the data too.
        seen: list[str] = []
        for _ in range(2):
            atomic_write_text(tex_path, render_tex(report, figures, latex_dir=latex_dir))
            try:
                found = compile_pdf(
                    tex_path,
                    folder / f"{slug}.pdf",
                    epoch=report_epoch(report),
                    latex_dir=latex_dir,
                    seed_aux=seed_aux,
                    keep_aux=folder / TEX_AUX,
                )
            except RenderError as exc:  # name the data field on the failing line, when there is one
                raise blame(exc, report, tex_path.read_text(encoding="utf-8"), tex_escape) from None
            new = [w for w in found if w not in seen]
            if not new:
                break
            seen += new
            report = add_warnings(report, new)
    atomic_write_text(folder / f"{slug}.json", render_json(report))
    return report, plots


def _outcome(slug: str, spec_path: Path, entry: CacheEntry, status: str, timings: dict) -> ReportOutcome:
    summary = entry.summary()
    return ReportOutcome(
        slug,
        spec_path,
        status,
        cache_dir=entry.path,
        warnings=list(summary["warnings"]),
        timings=timings,
        gate_passed=summary["gate_passed"],
        score=summary["score"],
    )
