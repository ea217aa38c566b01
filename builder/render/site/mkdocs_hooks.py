"""MkDocs hooks (`hooks:` in the generated config): what a page costs MkDocs is done once, or not at all.

Two steps made `mkdocs build` grow with the bytes of every page, changed or not (issue 17; 60 report pages, one
changed: 3.3 s, of which half Markdown and a third the search index):

* **Raw HTML blocks.** A report page is Markdown headings around raw HTML blocks that the templates rendered
  (`markdown.raw`). Python-Markdown passes such a block through only after parsing all of it twice (MkDocs'
  anchor scan and its own `html_block`). `on_page_markdown` puts a one-word paragraph in place of each block that
  Python-Markdown would write out unchanged (`builder/render/raw_blocks.py`, which says when that is);
  `on_page_content` puts the block back there, with the separator Python-Markdown writes after one. The blocks'
  ids are found by MkDocs' own anchor scan when MkDocs first asks for them (`LazyAnchorIds`): only to check a
  Markdown link to an anchor of the page, which generated pages never hold.
* **The search index.** Material's search plugin parses each page's HTML into sections; the sections of a page
  whose HTML, table of contents, URL and metadata are unchanged are the same. They are cached by those inputs (and
  which parts of a page are verbatim, by the parts' hashes) with the setup that makes them (the Python, Markdown,
  MkDocs and Material versions, the extensions' source, this file and raw_blocks.py) in `LITREPORT_MKDOCS_CACHE`,
  a folder under build/.cache, one file per page and kind; a stale entry can only miss.

Material's templates are compiled once too (Jinja's bytecode cache, under `jinja/<setup>/` there, since Jinja keys
a template by its source alone). Nothing is stashed when the configured extensions are not all context-free
(`raw_blocks.context_free`: `md_in_html`, `def_list`, footnotes or abbreviations read across blocks).
tests/test_site_caches.py builds a site with and without the hooks, cold and warm, and finds every file
byte-identical, and converts crafted pages both ways. Zensical does not load these hooks; it loads
`raw_blocks.RawBlocksExtension`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import markdown
from jinja2 import FileSystemBytecodeCache
from material.plugins.search.plugin import SearchIndex
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import _RawHTMLPreprocessor

from builder.render import raw_blocks
from builder.render.raw_blocks import (
    context_free,
    extension_name,
    put_back,
    separator,
    stash_page,
    verbatim,
)

CACHE_ENV = "LITREPORT_MKDOCS_CACHE"  # the cache folder; unset: nothing is kept
_SETUP = [
    sys.version,
    markdown.__version__,
    version("mkdocs"),
    version("mkdocs-material"),
    hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    hashlib.sha256(Path(raw_blocks.__file__).read_bytes()).hexdigest(),
]


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode("utf-8")).hexdigest()


def _extension_sources(extensions: list[object]) -> list[str]:
    """Each extension's module by a hash of its source (Python-Markdown's own are in its version too): the code
    that converts a page, whichever package it came in. (Mapping modules to distributions instead read every
    installed package's file list: half a second of every MkDocs run.)"""
    found = []
    for extension in extensions:
        name = extension_name(extension)
        module = name if "." in name else f"markdown.extensions.{name}"
        try:
            origin = importlib.util.find_spec(module).origin
            found.append(f"{module}:{hashlib.sha256(Path(origin).read_bytes()).hexdigest()}")
        except (ImportError, AttributeError, TypeError, ValueError, OSError):
            found.append(f"{module}:?")
    return sorted(found)


def anchor_ids(block: str) -> list[str]:
    """The ids MkDocs' anchor check finds in a raw block (its own scan: `id` on any tag, `name` on `<a>`)."""
    scan = _RawHTMLPreprocessor()
    scan.run(block.split("\n"))
    return sorted(scan.present_anchor_ids)


class LazyAnchorIds(set):
    """A page's anchor ids, those of its raw blocks scanned for when first read: MkDocs reads them only to check a
    Markdown link to an anchor of the page, and the scan costs as much as a conversion."""

    def __init__(self, ids: set[str], blocks: list[str]) -> None:
        super().__init__(ids)
        self._blocks = blocks

    def _scan(self) -> None:
        blocks, self._blocks = self._blocks, []
        for block in blocks:
            super().update(anchor_ids(block))

    def __contains__(self, item: object) -> bool:
        # The headings' ids (a heading's permalink is a link to it) are known without the scan.
        if super().__contains__(item):
            return True
        self._scan()
        return super().__contains__(item)

    def __iter__(self):
        self._scan()
        return super().__iter__()

    def __len__(self) -> int:
        self._scan()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._scan()
        return super().__eq__(other)

    __hash__ = None  # a set, unhashable

    def __or__(self, other):
        self._scan()
        return set(super().__iter__()) | other

    def __and__(self, other):
        self._scan()
        return set(super().__iter__()) & other

    def __sub__(self, other):
        self._scan()
        return set(super().__iter__()) - other

    def copy(self) -> set[str]:
        self._scan()
        return set(super().__iter__())


class BlockCache:
    """One build's stashed blocks, with which parts of each page are verbatim and each page's search sections kept
    in one JSON file per page and kind under `folder`."""

    def __init__(self, extensions: list[object], configs: dict[str, object], folder: Path | None) -> None:
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        self.setup = _digest(_SETUP, _extension_sources(extensions), extensions, sorted(configs.items()))
        self.stashes = context_free(self.md)
        self.folder = folder
        self.written: set[str] = set()
        self.pending: dict[str, tuple[str, list[str]]] = {}  # page -> (placeholder stem, its blocks in order)

    def stash(self, page: str, text: str) -> str:
        """`text` with each raw HTML block replaced by a placeholder word (`raw_blocks.stash_page`). Which parts
        are `verbatim` is kept per page by their hashes: MkDocs renders every page on every build, and the check
        costs more than the rest of the stash."""
        if not self.stashes:
            return text
        known = self.load(page, "verbatim")
        checked: dict[str, bool] = {}

        def take(part: str) -> bool:
            if not part.startswith("<"):
                return False  # Markdown, which `verbatim` turns down at once
            key = hashlib.sha1(part.encode("utf-8")).hexdigest()
            if key not in checked:
                checked[key] = known[key] if isinstance(known.get(key), bool) else verbatim(part)
            return checked[key]

        found = stash_page(text, take)
        if checked != known:
            self.save(page, "verbatim", checked)
        if found is None:
            return text  # left to Python-Markdown whole
        stashed, stem, blocks = found
        self.pending[page] = (stem, blocks)
        return stashed

    def restore(self, page: str, content: str) -> tuple[str, list[str]]:
        """`content` with the blocks of `page` put back as they were; and the blocks."""
        stashed = self.pending.pop(page, None)
        if stashed is None:
            return content, []
        stem, blocks = stashed
        try:
            return put_back(content, stem, (block + separator() for block in blocks)), blocks
        except ValueError as exc:
            raise PluginError(f"{page}: {exc}") from None

    def load(self, page: str, step: str) -> dict:
        path = self._path(page, step)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            return {}
        return data.get("entries", {}) if isinstance(data, dict) and data.get("setup") == self.setup else {}

    def save(self, page: str, step: str, entries: dict) -> None:
        path = self._path(page, step)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"setup": self.setup, "entries": entries}, ensure_ascii=False), "utf-8")
        os.replace(temporary, path)

    def prune(self) -> None:
        """Drop the files of pages this build did not have, temporary files a killed build left, and the compiled
        templates of other setups."""
        if self.folder and self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.is_file() and path.name not in self.written:
                    path.unlink(missing_ok=True)
            for path in (self.folder / "jinja").glob("*"):
                if path.name != self.setup:
                    shutil.rmtree(path, ignore_errors=True)

    def _path(self, page: str, step: str) -> Path | None:
        if self.folder is None:
            return None
        name = f"{hashlib.sha256(page.encode('utf-8')).hexdigest()[:32]}.{step}.json"
        self.written.add(name)
        return self.folder / name


_CACHE: BlockCache | None = None
_add_sections = SearchIndex.add_entry_from_context


def _add_cached_sections(index: SearchIndex, page) -> None:
    """Material's `SearchIndex.add_entry_from_context`, its sections cached by what they are made of."""
    if _CACHE is None:
        return _add_sections(index, page)
    content = hashlib.sha256(page.content.encode("utf-8")).hexdigest()  # not through json.dumps: 29 MB at 200 pages
    key = _digest(content, _toc(page.toc), page.url, page.title, page.meta, jieba_loaded())
    cached = _CACHE.load(page.file.src_uri, "search")
    if key in cached:
        index.entries.extend(cached[key])
        return None
    before = len(index.entries)
    _add_sections(index, page)
    _CACHE.save(page.file.src_uri, "search", {key: index.entries[before:]})
    return None


def _toc(items) -> list[object]:
    return [(item.id, item.url, item.title, item.level, _toc(item.children)) for item in items]


def jieba_loaded() -> bool:
    """Material segments Chinese text when `jieba` is installed, so its sections depend on it."""
    from material.plugins.search import plugin

    return plugin.jieba is not None


def on_config(config):
    global _CACHE
    folder = os.environ.get(CACHE_ENV)
    _CACHE = BlockCache(config.markdown_extensions, config.mdx_configs or {}, Path(folder) if folder else None)
    SearchIndex.add_entry_from_context = _add_cached_sections
    return config


def on_env(env, config, files):
    """Material's templates compiled once: Jinja's bytecode cache, one folder per setup."""
    if _CACHE is not None and _CACHE.folder is not None:
        folder = _CACHE.folder / "jinja" / _CACHE.setup
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env


@event_priority(-100)  # after every other plugin's changes to the Markdown
def on_page_markdown(markdown, page, config, files):
    return _CACHE.stash(page.file.src_uri, markdown) if _CACHE else markdown


@event_priority(100)  # before any other plugin reads the HTML
def on_page_content(html, page, config, files):
    if _CACHE is None:
        return html
    content, blocks = _CACHE.restore(page.file.src_uri, html)
    if page.present_anchor_ids is not None and blocks:
        page.present_anchor_ids = LazyAnchorIds(page.present_anchor_ids, blocks)
    return content


def on_post_build(config):
    if _CACHE is not None:
        _CACHE.prune()


def on_shutdown():
    """Leave nothing behind in the process: Material's method back, no cache."""
    global _CACHE
    SearchIndex.add_entry_from_context = _add_sections
    _CACHE = None
