"""Publishing: every output folder assembled from the reports' cache entries in a staging folder, then swapped in.

`build` and `merge` both end here. `pdf/ tex/ data/ bib/ docs/` (and `site/` when a page changed) are written
under `build/.staging-<pid>/` and each renamed over the published one, so a failed or killed build never leaves a
half-written site. Two keys make an unchanged build cheap: `build/.cache/publish-key` (the published folders
already come from exactly these cache entries: nothing is staged at all) and `build/.cache/site.key` (the pages,
the MkDocs config and the site engine are unchanged: no engine runs). Zensical (`site_engine = "zensical"`) is run
from a folder that stays the same between builds, `build/.cache/zensical/` (`ZENSICAL_WORK`), so that its cache
works; its output is moved into the staging folder before the swap, like MkDocs' (builder/render/site/zensical.py).
MkDocs keeps the converted raw HTML blocks and search sections of each page in `build/.cache/mkdocs/`
(builder/render/site/mkdocs_hooks.py), and the report pages' Markdown is kept in `build/.cache/pages/`.
"""

from __future__ import annotations

import os
import shutil
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cache import (
    SPECS,
    CacheEntry,
    fingerprint,
    forget_loaded,
    link_or_copy,
    prune,
    remove_temporaries,
    reports_cache,
    verdicts_cache,
    walk_relative,
)
from builder.errors import BuilderError
from builder.faults import pause_for_test
from builder.papers import atomic_write_text
from builder.pipeline import timed
from builder.settings import ProjectSettings

if TYPE_CHECKING:
    from builder.build import ReportOutcome

OUTPUT_DIRS = ("pdf", "tex", "data", "bib", "docs", "site")
REPORT_FILES = {"pdf": "pdf", "tex": "tex", "data": "json", "bib": "bib"}  # output folder -> suffix
DOWNLOADS = {"pdf": "pdf", "bib": "bib", "data": "json"}  # what the site offers for download
ZENSICAL_WORK = "zensical"  # under build/.cache/: Zensical's docs, config, cache and output, kept between builds
# Each engine's folder under build/.cache/, kept between builds: Zensical's, and the page cache of MkDocs' hooks.
ENGINE_WORK = {"mkdocs": "mkdocs", "zensical": ZENSICAL_WORK}
PAGES = "pages"  # under build/.cache/: the report pages' Markdown (builder/render/site/page_cache.py)
JINJA = "jinja"  # under build/.cache/: the site templates, compiled
LINKS = "links.pickle"  # under build/.cache/: what each built page's article links to and holds (site/links.py)


@dataclass(frozen=True)
class Published:
    site_built: bool = False
    site_message: str = ""  # why the site failed to build, if it did


def publish(
    outcomes: list[ReportOutcome],
    out: Path,
    settings: ProjectSettings,
    source_hash: str,
    *,
    site: bool,
    site_url: str | None,
    timings: dict[str, float],
) -> Published:
    """Publish every report's outputs (a failed one's last good outputs, listed as failed) and the site."""
    marker = out / ".cache" / "publish-key"
    published = Published()
    with timed(timings, "site"):
        key = publish_key(outcomes, settings, source_hash, site=site, site_url=site_url)
        wanted = [out / name for name in ("pdf", "tex", "data", "bib", "docs")]
        if site:
            wanted.append(out / "site" / "index.html")
        current = marker.is_file() and marker.read_text() == key and all(p.exists() for p in wanted)
    if not current:
        marker.unlink(missing_ok=True)
        staging = out / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            with timed(timings, "site"):
                site_key, message = stage(
                    outcomes, staging, out, settings, source_hash, site=site, site_url=site_url, timings=timings
                )
            published = Published(site_built=site_key is not None, site_message=message)
            pause_for_test("stage")
            # Each rename is atomic; an old folder is removed only after its replacement is in place.
            swap(staging, out, skip=() if site_key else ("site",))
            if site_key:
                # Only now: a build killed before the swap must not leave a key claiming the new site is live.
                atomic_write_text(site_key_path(out), site_key)
            if not message:  # a site that failed to build is retried next time
                atomic_write_text(marker, key)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    prune(reports_cache(out), {o.slug for o in outcomes})
    prune(verdicts_cache(out), {o.slug for o in outcomes})
    return published


def prefetch(outcomes: list[ReportOutcome], *, site: bool) -> None:
    """Make ready what `stage` reads, while the workers build the reports that changed and the main process would
    only wait: the cached reports' entries (`CacheEntry.load` keeps what it read for the process) and the site's
    modules. A tenth to a fifth of a second of a one-report rebuild among 200 reports."""
    if site:
        import builder.render.site  # noqa: F401  (imported for stage, which imports it when it runs)
    for outcome in outcomes:
        if outcome.cache_dir is None:
            continue
        try:
            CacheEntry(outcome.cache_dir).load()
        except Exception:  # stage reads the entry again and reports what is wrong with it
            continue


def publish_key(
    outcomes: list[ReportOutcome], settings: ProjectSettings, source_hash: str, *, site: bool, site_url: str | None
) -> str:
    """What the published folders are a function of: each report's cache folder and failure message, the builder
    and templates (`source_hash`), and the site options."""
    reports = []
    for outcome in outcomes:
        failed = outcome.status in ("failed", "invalid")
        folder = outcome.cache_dir.name if outcome.cache_dir else ""
        reports.append(f"\0{outcome.slug}|{folder}|{failed}|{outcome.message if failed else ''}")
    return fingerprint(f"{source_hash}|{site}|{site_url}|{settings.site_engine}", settings.mkdocs_config, *reports)


def site_key(docs: Path, settings: ProjectSettings, source_hash: str, site_url: str | None) -> str:
    """What the site is a function of: its pages (`docs`), its URL, the builder, the MkDocs config and the engine.

    The pages and assets this build wrote count by their bytes. The downloads and figures (hard links to cache
    entries: 49 MB at 200 reports, a tenth of a second to hash) and the report pages linked from the page cache
    count by their path, size, mtime and inode: those files are never written again, so a changed one is a new file.
    A file of the docs with more than one link is one of these: what this build wrote has one."""
    from builder.render.site.build import PASSTHROUGH_DIRS

    found = sorted(prefix + name for prefix, _, files in walk_relative(docs) for name in files)
    parts: list[str | Path] = []
    for relative in found:
        path = os.path.join(docs, relative)
        stat = os.stat(path)
        if relative.split("/", 1)[0] in PASSTHROUGH_DIRS or stat.st_nlink > 1:
            parts.append(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\0")
        else:
            parts += [f"{relative}\0", Path(path), "\0"]
    return fingerprint(f"{fingerprint(*parts)}|{site_url}|{source_hash}|{settings.site_engine}", settings.mkdocs_config)


def site_key_path(out: Path) -> Path:
    """Hash of the live site's inputs: equal to the next build's means the site need not be rebuilt."""
    return out / ".cache" / "site.key"


def stage(
    outcomes: list[ReportOutcome],
    staging: Path,
    out: Path,
    settings: ProjectSettings,
    source_hash: str,
    *,
    site: bool,
    site_url: str | None,
    timings: dict[str, float] | None = None,
) -> tuple[str | None, str]:
    """Write pdf/ tex/ data/ bib/ docs/ (and site/ when a page changed) under `staging`.

    Returns the new site's key (None when the site is not rebuilt) and why the site failed to build ("" if not).
    Within the `site` phase, `timings` gets `pages` (writing the Markdown), `engine` and `links` (build_site's).
    """
    from builder.render.site import build_site
    from builder.render.site.zensical import Standby, missing_message, zensical_installed

    timings = {} if timings is None else timings
    # Zensical, when it is to build the site, is started first: its start passes while the pages are written.
    # When the pages turn out to be the live site's (rare: the site's inputs are the published outputs'), it is
    # ended unused, having cost a core about 0.15 s.
    ahead = site and settings.site_engine == "zensical" and zensical_installed()
    with Standby(out / ".cache" / ZENSICAL_WORK) if ahead else nullcontext() as standby:
        docs = staging / "docs"
        nav = write_outputs(outcomes, staging, docs, out, source_hash, timings)
        if not site:
            return None, ""

        # Build the site, unless the live one was built from the same pages.
        key = site_key(docs, settings, source_hash, site_url)
        marker = site_key_path(out)
        if (out / "site" / "index.html").is_file() and marker.is_file() and marker.read_text() == key:
            return None, ""
        for engine, folder in ENGINE_WORK.items():  # one engine's folder is of no use to the other
            if engine != settings.site_engine:
                shutil.rmtree(out / ".cache" / folder, ignore_errors=True)
        try:
            if settings.site_engine == "zensical" and not zensical_installed():
                raise BuilderError(missing_message(f"{settings.root / 'pyproject.toml'}: [tool.builder]"))
            build_site(
                docs,
                staging / "site",
                site_url=site_url,
                config=settings.mkdocs_config,
                nav=nav,
                engine=settings.site_engine,
                work_dir=out / ".cache" / ENGINE_WORK[settings.site_engine],
                links_cache=out / ".cache" / LINKS,
                timings=timings,
                standby=standby,
            )
        except BuilderError as exc:
            shutil.rmtree(staging / "site", ignore_errors=True)
            return None, str(exc)
        return key, ""


def write_outputs(
    outcomes: list[ReportOutcome], staging: Path, docs: Path, out: Path, source_hash: str, timings: dict[str, float]
) -> list[object]:
    """pdf/ tex/ data/ bib/ of every report that has outputs (a failed one's last good ones) under `staging`, and
    the site's pages in `docs`; returns the site's navigation. `timings` gets `pages`."""
    from builder.render.site import write_docs
    from builder.render.site.page_cache import PageCache
    from builder.render.site.templates import bytecode_cache

    # Gather: every report that has outputs, and the failures' messages.
    reports = []
    plots = {}
    identities = {}  # slug -> its cache entry's name, which changes whenever the report does (the page cache's key)
    downloads: dict[str, dict[str, str]] = {}
    failed: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.status in ("failed", "invalid"):
            failed[outcome.slug] = outcome.message
        if outcome.cache_dir is None:
            continue
        report, report_plots = CacheEntry(outcome.cache_dir).load()
        reports.append(report)
        identities[report.slug] = outcome.cache_dir.name
        plots[report.slug] = report_plots
        for kind, suffix in REPORT_FILES.items():
            link_or_copy(outcome.cache_dir / f"{report.slug}.{suffix}", staging / kind / f"{report.slug}.{suffix}")
        downloads[report.slug] = {suffix: f"downloads/{report.slug}.{suffix}" for suffix in DOWNLOADS.values()}
    reports.sort(key=lambda r: (-r.date.toordinal(), r.slug))

    # Write the pages, the downloads beside them.
    docs.mkdir(parents=True)
    for report in reports:
        for kind, suffix in DOWNLOADS.items():
            link_or_copy(staging / kind / f"{report.slug}.{suffix}", docs / "downloads" / f"{report.slug}.{suffix}")
    with timed(timings, "pages"):
        pages = PageCache(out / ".cache" / PAGES, source_hash)
        with bytecode_cache(out / ".cache" / JINJA, source_hash):
            index = write_docs(reports, docs, downloads, plots, failed or None, pages, identities)
    # The reports are of no more use: freed, and their memory given back, before the engine runs beside this process.
    nav = index.nav
    del reports, plots, index
    forget_loaded()
    give_back_memory()
    return nav


def give_back_memory() -> None:
    """Return the pages of freed objects to the system (glibc's `malloc_trim`; Python keeps them otherwise), so the
    site engine, which runs beside this process, has them: the builder went from 94 to 67 MB at 200 reports, in
    3 ms. Nothing happens without glibc."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def swap(staging: Path, out: Path, skip: tuple[str, ...]) -> None:
    """Rename each staged folder over the published one; the old one waits under `.old-<name>-<pid>` meanwhile."""
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
    # The downloads and figures linked beside Zensical's output while it ran (site/build.py's `build_site`).
    for leftover in (out / ".cache" / ZENSICAL_WORK).glob(".*-passthrough"):
        shutil.rmtree(leftover, ignore_errors=True)
    for name in (LINKS, SPECS):  # atomic_write_bytes' temporary files
        for leftover in (out / ".cache").glob(f".{name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    remove_temporaries(reports_cache(out))
