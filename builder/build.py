"""`python -m builder build`: every spec to PDF, .bib, .json and site pages, read top to bottom as the pipeline.

Each report is built by `build_report` (a pure-ish function of its inputs, run in a process pool) into a
cache folder keyed by a hash of everything it depends on, so an unchanged report is neither re-verified nor
recompiled. The site is then assembled from those folders in a staging area and swapped into place only
when everything is written: a failed or killed build leaves the previous site and PDFs whole.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import pickle
import re
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.errors import BuilderError, RenderError, SpecErrors
from builder.gather.lock import lock_path
from builder.models import Report
from builder.papers import PaperStore, atomic_write_text
from builder.record import RecordError
from builder.settings import ProjectSettings
from builder.spec import LoadedSpec, load_spec, spec_files

if TYPE_CHECKING:
    from builder.render.plots import PlotFile

OUTPUT_DIRS = ("pdf", "tex", "data", "bib", "docs", "site")
PACKAGE_DIR = Path(__file__).resolve().parent


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
    status: str  # built, cached, failed, invalid
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


def pause_for_test(point: str) -> None:
    """Test-only hook: with BUILDER_TEST_PAUSE_AT=<point> the build stops here so a test can SIGKILL it there.

    Points: `render` (report built, before TeX), `stage` (outputs staged, before the swap), `swap` (between the
    two renames of an output folder). It announces itself on stderr and sleeps up to BUILDER_TEST_PAUSE_SECONDS
    (default 60), or until the file BUILDER_TEST_RESUME_FILE exists; unset, it costs one lookup.
    """
    if os.environ.get("BUILDER_TEST_PAUSE_AT") == point:
        print(f"BUILDER_TEST_PAUSED {point}", file=sys.stderr, flush=True)
        resume = Path(os.environ.get("BUILDER_TEST_RESUME_FILE", "/nonexistent/resume"))
        deadline = time.monotonic() + float(os.environ.get("BUILDER_TEST_PAUSE_SECONDS", "60"))
        while time.monotonic() < deadline and not resume.exists():
            time.sleep(0.05)


def os_error_message(exc: OSError, doing: str) -> str:
    """An OSError as one sentence that says what failed and what to do, instead of a traceback."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        # copytree gathers (source, target, "[Errno N] reason: ...") triples; the first one stands for all.
        _, target, why = exc.args[0][0]
        found = re.match(r"\[Errno (\d+)\] ([^:]+)", str(why))
        exc = OSError(int(found[1]), found[2], target) if found else OSError(None, str(why), target)
    where = f" {exc.filename}:" if exc.filename else ""
    advice = {
        errno.ENOSPC: "the disk is full; free some space (or use --out on another disk) and build again",
        errno.EDQUOT: "the disk quota is exhausted; free some space and build again",
        errno.EROFS: "the file system is read-only; use --out with a writable folder",
        errno.EACCES: "permission denied; make the folder writable or use --out with another folder",
        errno.EPERM: "operation not permitted; make the folder writable or use --out with another folder",
    }.get(exc.errno or 0, "check the path and build again")
    return f"cannot {doing}:{where} {exc.strerror or exc}; {advice}"


# --- cache keys ------------------------------------------------------------------------------------------


def _hash_tree(paths: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def source_fingerprint(settings: ProjectSettings) -> str:
    """Builder code, model files, LaTeX templates and site config: a change to any rebuilds every report."""
    files = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    latex_dir = templates_dir(settings)
    if latex_dir.is_dir():
        files += [p for p in latex_dir.rglob("*") if p.is_file()]
    digest = hashlib.sha256(__version__.encode())
    digest.update(_hash_tree([p for p in files if p.is_relative_to(PACKAGE_DIR)], PACKAGE_DIR).encode())
    digest.update(_hash_tree([p for p in files if not p.is_relative_to(PACKAGE_DIR)], latex_dir).encode())
    return digest.hexdigest()


def templates_dir(settings: ProjectSettings) -> Path:
    """The project's LaTeX templates (`latex/`), else the ones beside the package."""
    own = settings.root / "latex"
    return own if own.is_dir() else PACKAGE_DIR.parent / "latex"


def resolve_paper_ids(loaded: LoadedSpec, settings: ProjectSettings) -> list[str]:
    """The report's arXiv ids: listed ids plus what its queries resolved to in the lock (never the network)."""
    from builder.gather.lock import resolve_offline

    return resolve_offline(loaded, settings.store_dir)


def report_key(loaded: LoadedSpec, ids: list[str], ctx: BuildContext) -> str:
    store = PaperStore(ctx.settings.store_dir)
    digest = hashlib.sha256(ctx.source_hash.encode())
    digest.update(loaded.path.read_bytes())
    digest.update(loaded.author.encode())
    digest.update(ctx.settings.verifier.encode())
    lock = lock_path(ctx.settings.store_dir, loaded.slug)
    if lock.is_file():
        digest.update(lock.read_bytes())
    for arxiv_id in ids:
        digest.update(arxiv_id.encode())
        if store.has(arxiv_id):
            digest.update(store.fingerprint(arxiv_id))
    return digest.hexdigest()[:20]


# --- one report --------------------------------------------------------------------------------------------


def _timed(timings: dict[str, float], stage: str) -> Callable[[], None]:
    start = time.perf_counter()

    def stop() -> None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

    return stop


def cached_outcome(spec_path: Path, ctx: BuildContext) -> ReportOutcome | None:
    """The report's outcome when its outputs for the current inputs are already built, else None.

    Runs in the main process before any worker starts, so a build where nothing changed forks no process.
    Any error returns None: build_report then meets it again and reports it in the usual way.
    """
    timings: dict[str, float] = {}
    try:
        stop = _timed(timings, "spec")
        loaded = load_spec(spec_path, ctx.settings.default_author)
        key = report_key(loaded, resolve_paper_ids(loaded, ctx.settings), ctx)
        stop()
        cache_dir = ctx.cache_root / spec_path.stem / key
        if (cache_dir / "done").is_file():
            return _outcome_from_cache(spec_path.stem, spec_path, cache_dir, "cached", timings)
    except Exception:  # whatever it is, build_report meets it again and fails only this report
        pass
    return None


def build_report(spec_path: Path, ctx: BuildContext) -> ReportOutcome:
    """Spec -> Papers -> Claims -> Verdicts -> Review -> Report -> files in the report's cache folder."""
    slug = spec_path.stem
    timings: dict[str, float] = {}
    try:
        # Read and validate the spec.
        stop = _timed(timings, "spec")
        loaded = load_spec(spec_path, ctx.settings.default_author)
        ids = resolve_paper_ids(loaded, ctx.settings)
        key = report_key(loaded, ids, ctx)
        cache_dir = ctx.cache_root / slug / key
        stop()
        if (cache_dir / "done").is_file():
            return _outcome_from_cache(slug, spec_path, cache_dir, "cached", timings)
        return _build_fresh(loaded, ids, cache_dir, ctx, timings)
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


def last_good(slug_dir: Path) -> Path | None:
    """The report's most recent complete cache folder, if any."""
    if not slug_dir.is_dir():
        return None
    done = [d for d in slug_dir.iterdir() if (d / "done").is_file()]
    return max(done, key=lambda d: (d / "done").stat().st_mtime_ns) if done else None


def _build_fresh(
    loaded: LoadedSpec, ids: list[str], cache_dir: Path, ctx: BuildContext, timings: dict[str, float]
) -> ReportOutcome:
    # Heavy imports live here so a fully cached build never pays for them.
    from builder.claims import collect_claims
    from builder.render.bibtex import bib_keys, render_bibtex
    from builder.render.latex import Figure, compile_pdf, render_tex, report_epoch, tex_escape
    from builder.render.manifest import render_json
    from builder.render.plots import make_plots
    from builder.render.texlog import blame
    from builder.report import assemble
    from builder.verify import Verifier
    from builder.verify.model import MissingExtra

    slug = loaded.slug

    # Gather the papers from the store (the network is only for `refresh`).
    stop = _timed(timings, "papers")
    papers, store_warnings = PaperStore(ctx.settings.store_dir).read_many(ids)
    stop()

    # Extract claims and take the spec's own.
    stop = _timed(timings, "claims")
    claims = collect_claims(loaded, papers)
    stop()

    # Verify every claim against every paper.
    stop = _timed(timings, "verify")
    try:
        verifier = Verifier.load(verifier=ctx.settings.verifier)
    except MissingExtra as exc:
        raise BuilderError(
            f"{ctx.settings.root / 'pyproject.toml'}: [tool.builder] verifier = {ctx.settings.verifier!r} needs the "
            f"{exc.what}, which is not installed: pip install -e '.[{exc.extra}]' (or set verifier = 'lexical')"
        ) from None
    verdicts = verifier.verify(claims, papers, threshold=loaded.spec.settings.min_confidence)
    stop()

    # Review and assemble the one Report model.
    stop = _timed(timings, "review")
    keys = bib_keys(papers)
    report = assemble(loaded, papers, claims, verdicts, warnings=store_warnings, bib_keys=keys)
    stop()

    # Render: plots, .bib, .tex, PDF, then the manifest (which also records TeX's warnings).
    work = cache_dir.with_name(cache_dir.name + f".tmp{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    (work / "plots").mkdir(parents=True)
    stop = _timed(timings, "plots")
    plots = make_plots(report, work / "plots")
    stop()
    stop = _timed(timings, "tex")
    atomic_write_text(work / f"{slug}.bib", render_bibtex(papers, keys))
    pause_for_test("render")
    figures = [Figure(name=p.name, tex=p.tex, caption=p.caption, alt=p.alt) for p in plots]
    tex_path = work / f"{slug}.tex"
    atomic_write_text(tex_path, render_tex(report, figures, latex_dir=templates_dir(ctx.settings)))
    try:
        warnings = compile_pdf(
            tex_path, work / f"{slug}.pdf", epoch=report_epoch(report), latex_dir=templates_dir(ctx.settings)
        )
    except RenderError as exc:  # name the data field on the failing line, when there is one
        raise blame(exc, report, tex_path.read_text(encoding="utf-8"), tex_escape) from None
    stop()
    if warnings:
        report = replace(report, warnings=(*report.warnings, *warnings))
    atomic_write_text(work / f"{slug}.json", render_json(report))
    with (work / "report.pickle").open("wb") as handle:
        pickle.dump((report, plots), handle)
    (work / "done").write_text("ok\n")
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, cache_dir)
    # Older keys of this report are stale now.
    for stale in cache_dir.parent.iterdir():
        if stale != cache_dir and ".tmp" not in stale.name:
            shutil.rmtree(stale, ignore_errors=True)
    return _outcome_from_cache(slug, loaded.path, cache_dir, "built", timings)


def _outcome_from_cache(slug: str, spec_path: Path, cache_dir: Path, status: str, timings: dict) -> ReportOutcome:
    report, _ = load_cached(cache_dir)
    return ReportOutcome(
        slug,
        spec_path,
        status,
        cache_dir=cache_dir,
        warnings=list(report.warnings),
        timings=timings,
        gate_passed=report.review.gate_passed,
        score=report.review.score,
    )


def load_cached(cache_dir: Path) -> tuple[Report, list[PlotFile]]:
    """The Report and its plots; plot paths are re-anchored here, since cache folders move (rename, merge)."""
    with (cache_dir / "report.pickle").open("rb") as handle:
        report, plots = pickle.load(handle)
    plots = [replace(p, svg_path=cache_dir / "plots" / p.svg_path.name) for p in plots]
    return report, plots


# --- the whole build ----------------------------------------------------------------------------------------


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


def build(
    spec_paths: list[Path],
    settings: ProjectSettings,
    options: BuildOptions,
    progress: Callable[[ReportOutcome], None] | None = None,
) -> BuildResult:
    out = options.out_dir.resolve()
    try:
        with build_lock(out):
            return _build_locked(spec_paths, settings, options, out, progress)
    except OSError as exc:
        raise BuilderError(os_error_message(exc, f"build into {out}")) from None


def _build_locked(
    spec_paths: list[Path],
    settings: ProjectSettings,
    options: BuildOptions,
    out: Path,
    progress: Callable[[ReportOutcome], None] | None,
) -> BuildResult:
    started = time.perf_counter()
    recover_interrupted(out)
    ctx = BuildContext(
        settings=settings, cache_root=out / ".cache" / "reports", source_hash=source_fingerprint(settings)
    )

    # Build (or reuse) every report, in parallel when there is more than one to build.
    outcomes = _run_reports(spec_paths, ctx, options.jobs, progress)
    result = BuildResult(outcomes=outcomes, strict=options.strict)
    result.timings["reports"] = time.perf_counter() - started
    _publish(result, ctx, settings, options, out)
    result.timings["total"] = time.perf_counter() - started
    return result


def _publish(
    result: BuildResult, ctx: BuildContext, settings: ProjectSettings, options: BuildOptions, out: Path
) -> None:
    """Assemble every output folder in a staging area beside the old ones, then swap them in.

    When the published outputs already come from exactly these cache folders (same messages, same builder,
    same site options), there is nothing to assemble: a build where nothing changed stops here.
    """
    stage_start = time.perf_counter()
    publish_key = _publish_key(result.outcomes, settings, options, ctx.source_hash)
    marker = out / ".cache" / "publish-key"
    published = [out / name for name in ("pdf", "tex", "data", "bib", "docs")]
    if options.site:
        published.append(out / "site" / "index.html")
    if marker.is_file() and marker.read_text() == publish_key and all(p.exists() for p in published):
        result.timings["site"] = time.perf_counter() - stage_start
        _prune_cache(ctx.cache_root, {o.slug for o in result.outcomes})
        return
    marker.unlink(missing_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        site_key = _stage(result.outcomes, staging, out, settings, options, result, ctx.source_hash)
        result.timings["site"] = time.perf_counter() - stage_start
        pause_for_test("stage")
        # Each rename is atomic; an old folder is removed only after its replacement is in place.
        _swap(staging, out, skip=() if site_key else ("site",))
        if site_key:
            # Only now: a build killed before the swap must not leave a key claiming the new site is live.
            atomic_write_text(_site_key_path(out), site_key)
        if not result.site_message:  # a site that failed to build is retried next time
            atomic_write_text(marker, publish_key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune_cache(ctx.cache_root, {o.slug for o in result.outcomes})


def _publish_key(outcomes: list[ReportOutcome], settings: ProjectSettings, options: BuildOptions, source: str) -> str:
    """What the published folders are a function of: each report's cache folder and failure message, the builder
    and templates (`source`), and the site options."""
    digest = hashlib.sha256(f"{source}|{options.site}|{options.site_url}".encode())
    if settings.mkdocs_config.is_file():
        digest.update(settings.mkdocs_config.read_bytes())
    for outcome in outcomes:
        failed = outcome.status in ("failed", "invalid")
        folder = outcome.cache_dir.name if outcome.cache_dir else ""
        digest.update(f"\0{outcome.slug}|{folder}|{failed}|{outcome.message if failed else ''}".encode())
    return digest.hexdigest()


def select_shard(spec_paths: list[Path], index: int, count: int) -> list[Path]:
    """Shard I of N (1-based): every N-th spec in slug order, so shards are balanced and disjoint."""
    if not 1 <= index <= count:
        raise BuilderError(f"--shard {index}/{count}: expected 1 <= I <= N")
    ordered = sorted(spec_paths, key=lambda p: (p.stem, str(p)))
    return ordered[index - 1 :: count]


def merge(
    shard_dirs: list[Path],
    settings: ProjectSettings,
    options: BuildOptions,
) -> BuildResult:
    """Assemble one site from the output folders of `build --shard I/N` runs (a CI matrix's artifacts)."""
    out = options.out_dir.resolve()
    try:
        return _merge_locked(shard_dirs, settings, options, out)
    except OSError as exc:
        raise BuilderError(os_error_message(exc, f"merge into {out}")) from None


def _merge_locked(shard_dirs: list[Path], settings: ProjectSettings, options: BuildOptions, out: Path) -> BuildResult:
    with build_lock(out):
        started = time.perf_counter()
        recover_interrupted(out)
        ctx = BuildContext(
            settings=settings, cache_root=out / ".cache" / "reports", source_hash=source_fingerprint(settings)
        )
        outcomes: dict[str, ReportOutcome] = {}
        for shard in shard_dirs:
            reports_dir = shard / ".cache" / "reports"
            if not reports_dir.is_dir():
                raise BuilderError(f"{shard} holds no built reports (expected {reports_dir})")
            for slug_dir in sorted(reports_dir.iterdir()):
                good = last_good(slug_dir)
                if good is None:
                    continue
                if slug_dir.name in outcomes:
                    raise BuilderError(f"report '{slug_dir.name}' is in more than one shard ({shard})")
                target = ctx.cache_root / slug_dir.name / good.name
                if not (target / "done").is_file():
                    shutil.rmtree(target, ignore_errors=True)
                    shutil.copytree(good, target)
                outcomes[slug_dir.name] = _outcome_from_cache(slug_dir.name, target, target, "merged", {})
        result = BuildResult(outcomes=sorted(outcomes.values(), key=lambda o: o.slug), strict=options.strict)
        _publish(result, ctx, settings, options, out)
        result.timings["total"] = time.perf_counter() - started
        return result


def _run_reports(
    spec_paths: list[Path], ctx: BuildContext, jobs: int, progress: Callable[[ReportOutcome], None] | None
) -> list[ReportOutcome]:
    by_slug: dict[str, ReportOutcome] = {}
    seen: dict[str, Path] = {}
    todo: list[Path] = []
    for path in spec_paths:
        if path.stem in seen:
            by_slug[f"{path}"] = ReportOutcome(
                path.stem, path, "invalid", f"{path}: slug '{path.stem}' is already used by {seen[path.stem]}"
            )
            continue
        seen[path.stem] = path
        cached = cached_outcome(path, ctx)
        if cached is None:
            todo.append(path)
            continue
        by_slug[cached.slug] = cached
        if progress:
            progress(cached)
    if jobs > 1 and todo:  # even one report: a worker killed by the OOM killer then fails only that report
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = {pool.submit(build_report, path, ctx): path for path in todo}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker was killed (OOM killer, SIGKILL): fail its reports only
                    path = futures[future]
                    outcome = ReportOutcome(
                        path.stem,
                        path,
                        "failed",
                        "the process building this report was killed (out of memory?); build again",
                        cache_dir=last_good(ctx.cache_root / path.stem),
                    )
                by_slug[outcome.slug] = outcome
                if progress:
                    progress(outcome)
    else:
        for path in todo:
            outcome = build_report(path, ctx)
            by_slug[outcome.slug] = outcome
            if progress:
                progress(outcome)
    return sorted(by_slug.values(), key=lambda o: (o.slug, str(o.spec_path)))


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _stage(
    outcomes: list[ReportOutcome],
    staging: Path,
    out: Path,
    settings: ProjectSettings,
    options: BuildOptions,
    result: BuildResult,
    source_hash: str,
) -> str | None:
    """Write pdf/ tex/ data/ bib/ docs/ (and site/ when a page changed) under `staging`; the new site's key or None."""
    from builder.render.site import build_site, write_docs

    reports = []
    plots = {}
    downloads: dict[str, dict[str, str]] = {}
    failed: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.status in ("failed", "invalid"):
            failed[outcome.slug] = outcome.message
        if outcome.cache_dir is None:
            continue
        report, report_plots = load_cached(outcome.cache_dir)
        reports.append(report)
        plots[report.slug] = report_plots
        files = {"pdf": "pdf", "tex": "tex", "data": "json", "bib": "bib"}
        for kind, suffix in files.items():
            _link_or_copy(outcome.cache_dir / f"{report.slug}.{suffix}", staging / kind / f"{report.slug}.{suffix}")
        downloads[report.slug] = {
            "pdf": f"downloads/{report.slug}.pdf",
            "bib": f"downloads/{report.slug}.bib",
            "json": f"downloads/{report.slug}.json",
        }
    reports.sort(key=lambda r: (-r.date.toordinal(), r.slug))

    docs = staging / "docs"
    docs.mkdir(parents=True)
    for report in reports:
        for kind, suffix in (("pdf", "pdf"), ("bib", "bib"), ("data", "json")):
            _link_or_copy(staging / kind / f"{report.slug}.{suffix}", docs / "downloads" / f"{report.slug}.{suffix}")
    write_docs(reports, docs, downloads, plots, failed or None)
    if not options.site:
        return None
    docs_hash = _hash_tree([p for p in docs.rglob("*") if p.is_file()], docs)
    site_key = hashlib.sha256(
        f"{docs_hash}|{options.site_url}|{source_hash}".encode()
        + (settings.mkdocs_config.read_bytes() if settings.mkdocs_config.is_file() else b"")
    ).hexdigest()
    marker = _site_key_path(out)
    if (out / "site" / "index.html").is_file() and marker.is_file() and marker.read_text() == site_key:
        return None
    try:
        build_site(docs, staging / "site", site_url=options.site_url, config=settings.mkdocs_config)
    except BuilderError as exc:
        result.site_message = str(exc)
        shutil.rmtree(staging / "site", ignore_errors=True)
        return None
    result.site_built = True
    return site_key


def _site_key_path(out: Path) -> Path:
    """Hash of the live site's inputs: equal to the next build's means the site need not be rebuilt."""
    return out / ".cache" / "site.key"


def _swap(staging: Path, out: Path, skip: tuple[str, ...]) -> None:
    for name in OUTPUT_DIRS:
        new = staging / name
        if name in skip or not new.exists():
            continue
        target = out / name
        old = out / f".old-{name}-{os.getpid()}"
        if target.exists():
            os.replace(target, old)
            pause_for_test("swap")
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)


def recover_interrupted(out: Path) -> None:
    """Undo what a killed build left: put back an output folder caught between its two renames, drop temp dirs."""
    for name in OUTPUT_DIRS:
        olds = sorted(out.glob(f".old-{name}-*"), key=lambda p: p.stat().st_mtime_ns)
        if olds and not (out / name).exists():
            os.replace(olds.pop(), out / name)
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in out.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    cache = out / ".cache" / "reports"
    if cache.is_dir():
        for tmp in cache.glob("*/*.tmp*"):
            shutil.rmtree(tmp, ignore_errors=True)


def _prune_cache(cache_root: Path, live: set[str]) -> None:
    """A deleted spec's cached outputs go with it."""
    if cache_root.is_dir():
        for entry in cache_root.iterdir():
            if entry.name not in live:
                shutil.rmtree(entry, ignore_errors=True)
