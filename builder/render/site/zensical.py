"""Zensical, the second site engine: the same mkdocs.yml, run on a docs folder whose path stays the same.

How Zensical 0.0.73 caches (read in its sources, `zensical/config.py` and the Rust `workflow` and `config`
modules, and measured): its cache is the folder `.cache/` beside the config file it is given. A page's rendered
Markdown is stored under a hash of the page's id and reused when a hash of (the whole configuration, the page's
bytes, its URL) is unchanged; its HTML, under the page's URL, when (the configuration, the navigation, the page's
content and meta) are. "The whole configuration" includes the project folder, `docs_dir`, `site_dir`, `site_url`,
the `nav`, the theme's template files (path and mtime) and the plugins. The mtimes of the docs are not used (only
their bytes), and every build still copies every asset and writes every page into a `site_dir` it first empties.

So a fresh `build/.staging-<pid>/` per build, as MkDocs is run on, makes every Zensical build cold. Instead the
pages are synced into a fixed folder, `<work>/docs/` (`sync_tree`: changed files linked in, removed ones deleted,
unchanged ones left as they are), the config is `<work>/mkdocs.yml` and the site is written to `<work>/site/`;
`publish` passes `build/.cache/zensical/` as `<work>`. Once Zensical and the link check succeed, `<work>/site/` is
renamed to the `site_dir` asked for (the staging folder's `site/`), so the staging and swap are unchanged: a
failed or killed build leaves its half-written output in `<work>/site/`, which is never published and which the
next Zensical run empties, and the published site is only ever replaced by the swap. A build killed while Zensical
writes its cache leaves at worst an entry that no longer parses, which Zensical ignores and recomputes.

What still makes a build cold: a change of the navigation (a report added, removed, or moved by its date), of
the site URL, of mkdocs.yml's settings or of the installed theme. Zensical's own link validation is turned off
(`validation`), as it costs more than the rest of a warm build; `links.check_links` runs instead. The theme's
`variant` is `classic`, Material for MkDocs' look, so the site looks the same on either engine (the palette and
contrast fixes of `site_assets/` were made for it).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.cache import link_or_copy
from builder.errors import RenderError
from builder.render.site.engine import run_engine

INSTALL_HINT = "pip install -e '.[zensical]'"
CONFIG_FILE = "mkdocs.yml"  # inside the work folder; Zensical keeps its cache in `.cache/` beside it
DOCS = "docs"
SITE = "site"
# Zensical's link checks (its own keys, which win over the MkDocs ones it maps): off; `links.check_links` runs.
VALIDATION_OFF = {"invalid_links": False, "invalid_link_anchors": False}
# Our Python-Markdown extension: raw HTML blocks that come out unchanged skip Python-Markdown (raw_blocks.py).
RAW_BLOCKS_EXTENSION = "builder.render.raw_blocks"


def zensical_installed() -> bool:
    return importlib.util.find_spec("zensical") is not None


def missing_message(setting: str) -> str:
    """The error for `site_engine = "zensical"` when the package is not installed; `setting` names where it is set."""
    return (
        f"{setting} site_engine = 'zensical' needs the zensical extra, which is not installed: "
        f"{INSTALL_HINT} (or set site_engine = \"mkdocs\")"
    )


@dataclass(frozen=True)
class Synced:
    copied: int
    removed: int
    kept: int


def _same_file(src: Path, dst: Path) -> bool:
    try:
        a, b = src.stat(), dst.stat()
    except OSError:
        return False
    if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
        return True
    if a.st_size != b.st_size or not dst.is_file():
        return False
    return src.read_bytes() == dst.read_bytes()


def sync_tree(src: Path, dst: Path, skip: Sequence[str] = ()) -> Synced:
    """Make `dst` hold exactly the files of `src` but its top-level folders `skip`: changed and new files put in
    (hard-linked where the disk allows: the pages are written once and never again, and a report page linked from
    the page cache is then the same file in both, found unchanged without reading it), files and folders `src`
    does not have (or that are skipped) removed, unchanged files (same bytes) left untouched, mtimes included."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    copied = kept = removed = 0
    for folder, subfolders, files in os.walk(src):  # folders before what they hold; skipped ones not entered
        here = Path(folder)
        if here == src:
            subfolders[:] = [name for name in subfolders if name not in skip]
        subfolders.sort()
        for name in subfolders:
            rel = (here / name).relative_to(src)
            target = dst / rel
            wanted.add(rel)
            if target.exists() and not target.is_dir():
                target.unlink()
            target.mkdir(exist_ok=True)
        for name in sorted(files):
            path = here / name
            rel = path.relative_to(src)
            if here == src and name in skip:
                continue
            target = dst / rel
            wanted.add(rel)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            if _same_file(path, target):
                kept += 1
                continue
            target.unlink(missing_ok=True)
            link_or_copy(path, target)
            copied += 1
    for path in sorted(dst.rglob("*"), reverse=True):  # children before their folders
        if path.relative_to(dst) in wanted:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        removed += 1
    return Synced(copied, removed, kept)


def markdown_extensions(base: object) -> list[object] | dict[str, object] | None:
    """The generated config's `markdown_extensions`, given the base config's: Zensical's INHERIT appends a list to
    the inherited list and merges a mapping into the inherited mapping, so ours alone is added either way. None
    (nothing added) when the base config has none: Zensical's defaults then apply, which would read across blocks
    anyway, and naming ours would replace them."""
    if base is None:
        return None
    if isinstance(base, dict):
        return {RAW_BLOCKS_EXTENSION: {}}
    return [RAW_BLOCKS_EXTENSION]


def write_config(
    work: Path,
    config: Path,
    nav: Sequence[object],
    site_url: str | None,
    base_extensions: object = None,
    raw_blocks: bool = True,
) -> Path:
    """`<work>/mkdocs.yml`: INHERITs the project's config with the fixed docs and site folders, the nav and (unless
    `raw_blocks` is False, which gives the same site more slowly) our Markdown extension (`base_extensions`: the
    base config's `markdown_extensions`)."""
    settings: dict[str, object] = {
        "INHERIT": str(config),
        "docs_dir": DOCS,
        "site_dir": SITE,
        "use_directory_urls": False,
        "nav": list(nav),
        "theme": {"variant": "classic"},
        "validation": dict(VALIDATION_OFF),
    }
    extensions = markdown_extensions(base_extensions) if raw_blocks else None
    if extensions is not None:
        settings["markdown_extensions"] = extensions
    if site_url:
        settings["site_url"] = site_url
    text = "# Generated by builder.render.site (Zensical); edit the top-level mkdocs.yml instead.\n" + yaml.safe_dump(
        settings, allow_unicode=True, sort_keys=False
    )
    generated = work / CONFIG_FILE
    if not generated.is_file() or generated.read_text(encoding="utf-8") != text:
        generated.write_text(text, encoding="utf-8")
    return generated


def _command(work: Path) -> list[str]:
    return [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", str(work / CONFIG_FILE)]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONHASHSEED="0", NO_COLOR="1")


# What a `Standby` process runs: Zensical's modules imported, then one line read from stdin, "build" to go on as
# `python -m zensical build ...` would with the arguments after `-c`, anything else (end of input: the build that
# started it is gone) to end.
STANDBY = (
    "import sys\n"
    "import zensical.main\n"
    "if sys.stdin.readline() == 'build\\n':\n"
    "    sys.argv[0] = 'zensical'\n"
    "    zensical.main.cli()\n"
)


class Standby:
    """`zensical build` started before its pages are written, waiting to be told to go on (`run_zensical`).

    Starting Python and importing Zensical takes about 0.15 s, which then passes while the pages are written rather
    than after. The process gets the same arguments, environment and folder as the one `run_zensical` starts, and
    reads its config and docs only once told to go on. `close` ends it if it was not used (the site need not be
    built after all); a build that dies before telling it closes its stdin, which ends it too. One that dies after
    leaves it to finish its run into `<work>/site/`, as a plain `zensical build` would be left."""

    def __init__(self, work_dir: Path) -> None:
        self.work = work_dir.resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.args = _command(self.work)[3:]  # build --strict --config-file <work>/mkdocs.yml
        self.process = subprocess.Popen(
            [sys.executable, "-c", STANDBY, *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=self.work,
        )

    def go(self) -> subprocess.Popen[str]:
        """Let it build; the caller waits for it (`run_engine`)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("build\n")
            self.process.stdin.flush()
        except BrokenPipeError:  # it ended already: waiting for it gives its output and exit status
            pass
        return self.process

    def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            self.process.communicate()

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_zensical(
    docs_dir: Path,
    *,
    work_dir: Path,
    config: Path,
    nav: Sequence[object],
    site_url: str | None,
    skip: Sequence[str] = (),
    base_extensions: object = None,
    raw_blocks: bool = True,
    standby: Standby | None = None,
    while_running: Callable[[], None] | None = None,
) -> Path:
    """Sync `docs_dir` (but its top-level folders `skip`) into `<work_dir>/docs`, run `zensical build --strict`
    there; returns `<work_dir>/site`. `base_extensions` and `raw_blocks`: as `write_config` takes them. `standby`:
    the Zensical process started ahead for this `work_dir`, which is used instead of starting one.
    `while_running` is called while Zensical runs."""
    if not zensical_installed():
        raise RenderError(missing_message("[tool.builder]"))
    work = work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if docs_dir.resolve() != work / DOCS:
        sync_tree(docs_dir, work / DOCS, skip)
    generated = write_config(work, config, nav, site_url, base_extensions, raw_blocks)
    command = _command(work)
    started = standby.go() if standby is not None and standby.work == work else None
    site = work / SITE
    run_engine(
        command,
        env=_env(),
        cwd=work,
        docs_dir=docs_dir,
        config=generated,
        site=site,
        started=started,
        while_running=while_running,
    )
    return site


def move_site(built: Path, site_dir: Path) -> None:
    """Put the built site at `site_dir` (replacing what is there): a rename on the same disk, else a copy."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    if site_dir.exists():
        shutil.rmtree(site_dir)
    try:
        os.replace(built, site_dir)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copytree(built, site_dir)
        shutil.rmtree(built, ignore_errors=True)
