"""Writing the pages into the docs folder, then the site engine on them, then the link check.

`write_docs` copies the assets and figures, builds the site's model (`model.site_index`) and writes one
Markdown file per page; it returns that model, whose `nav` is the navigation. `build_site` runs the engine on
a config that INHERITs the project's `mkdocs.yml` with that navigation: MkDocs (`mkdocs build --strict`, the
default) or Zensical (`zensical.py`, from a docs folder whose path stays the same between builds), then checks
every internal link and asset of the built site (`links.py`). The navigation is always handed over, never read
back from the pages.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import yaml
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import yaml_load

from builder.cache import link_or_copy
from builder.errors import RenderError
from builder.faults import pause_for_test
from builder.models import Report
from builder.render.plots import PlotFile
from builder.render.site import splices
from builder.render.site.engine import run_engine
from builder.render.site.escape import html_id
from builder.render.site.links import LinkCache, check_links
from builder.render.site.markdown import SPLICES, PageText
from builder.render.site.model import SiteIndex, site_index
from builder.render.site.page_cache import PageCache
from builder.render.site.pages import claims_markdown, index_markdown, papers_markdown
from builder.render.site.report import report_markdown
from builder.render.site.zensical import SITE as ZENSICAL_SITE
from builder.render.site.zensical import Standby, move_site, run_zensical

ASSETS_SRC = Path(__file__).resolve().parent.parent / "site_assets"
ASSETS_DIR = "assets/litreport"  # inside docs_dir; mkdocs.yml names the files in extra_css / extra_javascript
FIGURES_DIR = "figures"
DOWNLOADS_DIR = "downloads"  # inside docs_dir: each report's PDF, .bib and JSON (publish.stage puts them there)
# Folders of docs_dir that the pages only link to: the engine would copy their files unread (49 MB at 200 reports,
# more than the rest of a warm Zensical build), so they are kept from it and hard-linked into the site it built.
PASSTHROUGH_DIRS = (FIGURES_DIR, DOWNLOADS_DIR)
# And every folder the engine never reads: those and the blocks placed into the built pages (`splices.place`).
HIDDEN_DIRS = (*PASSTHROUGH_DIRS, SPLICES)
HOOKS = Path(__file__).resolve().parent / "mkdocs_hooks.py"
CACHE_ENV = "LITREPORT_MKDOCS_CACHE"  # mkdocs_hooks.CACHE_ENV, not imported here: that module loads MkDocs and Material
ENGINES = ("mkdocs", "zensical")  # builder.settings.SITE_ENGINES


def write_docs(
    reports: list[Report],
    docs_dir: Path,
    downloads: dict[str, dict[str, str]],
    plots: dict[str, list[PlotFile]],
    failed: dict[str, str] | None = None,
    cache: PageCache | None = None,
    identities: Mapping[str, str] | None = None,
) -> SiteIndex:
    """Write the site's Markdown pages, figures and assets into `docs_dir` (created empty by the build); a report
    page whose model is unchanged since the build that filled `cache` is read back from it. `identities`: slug ->
    a name that changes whenever the report does (its cache entry's), which then keys its page for the cache."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(docs_dir / SPLICES, ignore_errors=True)  # a folder written before holds no table of this one
    shutil.copytree(ASSETS_SRC, docs_dir / ASSETS_DIR, dirs_exist_ok=True)
    figures: dict[str, list[tuple[PlotFile, str]]] = {}
    for report in reports:
        # One folder per report, made once (creating files and folders is what writing the pages costs most).
        folder = f"{FIGURES_DIR}/{report.slug}"
        for plot in plots.get(report.slug, []):
            if report.slug not in figures:
                (docs_dir / folder).mkdir(parents=True, exist_ok=True)
            target = f"{folder}/{html_id(plot.name)}.svg"
            link_or_copy(plot.svg_path, docs_dir / target)
            figures.setdefault(report.slug, []).append((plot, target))
    site = site_index(reports, downloads, figures, failed or {})
    (docs_dir / "reports").mkdir(exist_ok=True)
    for view in site.reports:
        target = docs_dir / view.page
        if cache is None:
            target.write_text(report_markdown(view), encoding="utf-8")
            continue
        identity = (identities or {}).get(view.report.slug)
        stand_in = (identity, view.page, view.downloads, [f.src for f in view.figures]) if identity else None
        cache.place(view.page, view, report_markdown, target, stand_in)  # a link to the kept page, mostly
    _write_page(docs_dir, "index.md", index_markdown(site, cache, identities))
    _write_page(docs_dir, "papers.md", papers_markdown(site, cache, identities))
    _write_page(docs_dir, "claims.md", claims_markdown(site, cache, identities))
    if cache:
        cache.prune()
    return site


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_page(docs_dir: Path, name: str, page: PageText) -> None:
    """The page's Markdown at `name`, and each of its spliced blocks at `SPLICES/<name without .md>/<block>.html`."""
    _write(docs_dir / name, page.markdown)
    for block in page.splices:
        _write(docs_dir / SPLICES / name.removesuffix(".md") / f"{block.name}.html", block.body)


def build_site(
    docs_dir: Path,
    site_dir: Path,
    *,
    site_url: str | None = None,
    config: Path = Path("mkdocs.yml"),
    nav: Sequence[object],
    engine: str = "mkdocs",
    work_dir: Path | None = None,
    links_cache: Path | None = None,
    timings: dict[str, float] | None = None,
    standby: Standby | None = None,
) -> None:
    """Build the site of `docs_dir` into `site_dir` with `engine`, then check its links; RenderError on failure.

    `nav` is the navigation (`SiteIndex.nav`, as `write_docs` returns it). `work_dir` is the engine's folder kept
    between builds: Zensical's fixed folder (docs, config, cache and output; by default `.zensical` beside
    `docs_dir`), or the page cache of MkDocs' hooks (`mkdocs_hooks.py`; none by default, which gives the same site
    more slowly). MkDocs' config is written beside `docs_dir`. `links_cache`: the link check's file of what each
    page's article held (`links.LinkCache`; none by default). `timings`, when given, gets the seconds of the
    `engine` and of the `links` check (what `--timings` prints). The spliced tables of `docs_dir` go into the built
    pages; under a base config that must see them (`splices.can_splice`) they are put back into `docs_dir`'s pages
    first, which changes `docs_dir`. `standby`: a Zensical process started ahead for `work_dir`, to use.
    """
    timings = {} if timings is None else timings
    start = time.perf_counter()
    docs_dir, site_dir, config = docs_dir.resolve(), site_dir.resolve(), config.resolve()
    if engine not in ENGINES:
        raise RenderError(f"unknown site engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if not config.is_file():
        raise RenderError(f"{config}: MkDocs base config not found")
    if not (docs_dir / "index.md").is_file():
        raise RenderError(f"{docs_dir}: no index.md; write the pages (write_docs) before building the site")
    base = _base_config(config)
    if not splices.can_splice(base, engine):
        splices.inline(docs_dir)
    work = (work_dir or docs_dir.parent / ".zensical").resolve() if engine == "zensical" else None
    built = work / ZENSICAL_SITE if work else site_dir
    # While the engine runs: the downloads and figures linked into a folder beside the site, to be moved in after
    # it (a killed build's is removed by the next: publish.recover_interrupted), and the link check's cache read.
    aside = built.parent / f".{built.name}-passthrough"
    shutil.rmtree(aside, ignore_errors=True)
    read: list[LinkCache] = []

    def while_running() -> None:
        link_passthrough(docs_dir, aside)
        read.append(LinkCache(links_cache))

    try:
        if work:
            run_zensical(
                docs_dir,
                work_dir=work,
                config=config,
                nav=nav,
                site_url=site_url,
                skip=HIDDEN_DIRS,
                base_extensions=base.get("markdown_extensions"),
                standby=standby,
                while_running=while_running,
            )
            pause_for_test("site")  # test-only kill point: Zensical's output written, not yet checked or moved
        else:
            run_mkdocs(
                docs_dir,
                site_dir,
                site_url=site_url,
                config=config,
                nav=nav,
                page_cache=work_dir,
                base=base,
                while_running=while_running,
            )
        splices.place(docs_dir, built)
        move_passthrough(docs_dir, aside, built)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    checked = time.perf_counter()
    timings["engine"] = timings.get("engine", 0.0) + checked - start
    check_links(built, site_url, read[0] if read else links_cache).raise_for(f"{engine} build of {docs_dir}")
    timings["links"] = timings.get("links", 0.0) + time.perf_counter() - checked
    if built != site_dir:
        move_site(built, site_dir)


def link_passthrough(docs_dir: Path, site_dir: Path) -> None:
    """The files of `PASSTHROUGH_DIRS` put into `site_dir`, hard-linked where the disk allows, as the engine would
    have copied them into the site."""
    for name in PASSTHROUGH_DIRS:
        # os.walk, not Path.rglob: 1,200 files at 200 reports, and rglob's paths cost more than the links.
        for folder, _, files in os.walk(docs_dir / name):
            target = site_dir / os.path.relpath(folder, docs_dir)
            for file in sorted(files):
                if os.path.isfile(source := os.path.join(folder, file)):  # not a dangling link
                    link_or_copy(Path(source), target / file)


def move_passthrough(docs_dir: Path, aside: Path, site_dir: Path) -> None:
    """The folders `link_passthrough` made in `aside` moved into the built site; RenderError if the engine wrote a
    folder of `HIDDEN_DIRS` itself."""
    for name in HIDDEN_DIRS:
        if (docs_dir / name).is_dir() and (site_dir / name).exists():
            raise RenderError(f"{site_dir / name}: the site engine wrote this folder, which it must not read")
    for name in PASSTHROUGH_DIRS:
        if (aside / name).is_dir():
            os.replace(aside / name, site_dir / name)  # `aside` is beside the site: one rename


def run_mkdocs(
    docs_dir: Path,
    site_dir: Path,
    *,
    site_url: str | None,
    config: Path,
    nav: Sequence[object],
    page_cache: Path | None = None,
    base: dict | None = None,
    while_running: Callable[[], None] | None = None,
) -> None:
    """`mkdocs build --strict` with `mkdocs.<docs-dir-name>.yml`, written beside `docs_dir`, and the project's hooks
    (`mkdocs_hooks.py`, after any of the base config's own), their cache in `page_cache`. `base`: the base config as
    `_base_config` read it, when the caller has it already."""
    base = _base_config(config) if base is None else base
    generated = docs_dir.parent / f"mkdocs.{docs_dir.name}.yml"
    settings: dict[str, object] = {
        "INHERIT": str(config),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": False,
        "nav": list(nav),
        "hooks": [*_base_hooks(config, base), str(HOOKS)],
        # Added after the engine (`link_passthrough`), with any of the base config's own exclusions kept.
        "exclude_docs": "\n".join([*filter(None, [_base_exclusions(config, base)]), *EXCLUDED]) + "\n",
    }
    if site_url:
        settings["site_url"] = site_url
    generated.write_text(
        "# Generated by builder.render.site.build_site; edit the top-level mkdocs.yml instead.\n"
        + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONHASHSEED="0", NO_COLOR="1", DISABLE_MKDOCS_2_WARNING="true")
    env.pop(CACHE_ENV, None)
    if page_cache is not None:
        env[CACHE_ENV] = str(page_cache.resolve())
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--config-file", str(generated)]
    run_engine(
        command,
        env=env,
        cwd=generated.parent,
        docs_dir=docs_dir,
        config=generated,
        site=site_dir,
        while_running=while_running,
    )


EXCLUDED = tuple(f"/{name}/" for name in HIDDEN_DIRS)  # MkDocs' `exclude_docs` lines (.gitignore syntax)


def _base_config(config: Path) -> dict:
    """The base config as MkDocs reads it, its own `INHERIT` followed: a key the generated config sets replaces the
    inherited one, so lists and strings that must be extended are read from here."""
    try:
        with config.open(encoding="utf-8") as source:  # a file, not its text: MkDocs follows INHERIT from its name
            base = yaml_load(source) or {}
    except (OSError, yaml.YAMLError, ConfigurationError) as exc:
        raise RenderError(f"{config}: cannot be read as MkDocs config: {exc}") from exc
    return base if isinstance(base, dict) else {}


def _base_exclusions(config: Path, base: dict | None = None) -> str | None:
    """The base config's `exclude_docs` (.gitignore lines), which the generated config's replaces."""
    value = (_base_config(config) if base is None else base).get("exclude_docs")
    if value is not None and not isinstance(value, str):
        raise RenderError(f"{config}: exclude_docs must be a string of .gitignore-style lines, got {value!r}")
    return value


def _base_hooks(config: Path, base: dict | None = None) -> list[str]:
    """The `hooks` of the base config, as absolute paths."""
    hooks = (_base_config(config) if base is None else base).get("hooks") or []
    return [str((config.parent / hook).resolve()) for hook in hooks]
