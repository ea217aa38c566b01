"""MkDocs hooks (`hooks:` in the generated config): what a page costs MkDocs is done once, then cached.

Two steps made `mkdocs build` grow with the bytes of every page, changed or not (issue 17; 60 report pages, one
changed: 3.3 s, of which half Markdown and a third the search index):

* **Raw HTML blocks.** A report page is Markdown headings around raw HTML blocks that the templates rendered
  (`markdown.raw`). Python-Markdown passes such a block through only after parsing all of it twice (MkDocs'
  anchor scan and its own `html_block`). `on_page_markdown` puts a one-word paragraph in place of each block that
  opens with a block-level tag; `on_page_content` puts back there the block as Python-Markdown converts it on its
  own with the project's extensions, plus the newline Python-Markdown ends a raw block with, and hands the
  block's ids to MkDocs' anchor check.
* **The search index.** Material's search plugin parses each page's HTML into sections; the sections of a page
  whose HTML, table of contents, URL and metadata are unchanged are the same.

Both are cached by their inputs and the setup that makes them (Markdown and Material versions, the extensions,
this file) in `LITREPORT_MKDOCS_CACHE`, a folder under build/.cache, one file per page and step; a stale entry can
only miss, never be used. Material's templates are compiled once too (Jinja's bytecode cache, in `jinja/` there,
keyed by each template's source). Why the output is the same: `raw` surrounds a block with blank lines and puts
none inside, so Python-Markdown takes it as one raw block alone or in the page; tests/test_site_caches.py builds a
site with and without the hooks, cold and warm, and finds every file byte-identical. Zensical does not load these
hooks.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from importlib.metadata import version
from pathlib import Path

import markdown
from jinja2 import FileSystemBytecodeCache
from markdown.util import BLOCK_LEVEL_ELEMENTS
from material.plugins.search.plugin import SearchIndex
from mkdocs.exceptions import PluginError

CACHE_ENV = "LITREPORT_MKDOCS_CACHE"  # the cache folder; unset: every block is converted, nothing is kept
_OPENING_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)[\s>/]")
_ANCHOR = re.compile(r"<[A-Za-z][^>]*?\s(?:id|name)=\"([^\"]*)\"")
_SETUP = [
    markdown.__version__,
    version("mkdocs"),
    version("mkdocs-material"),
    hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
]


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode("utf-8")).hexdigest()


def opens_block(part: str) -> bool:
    """Whether `part` (text between blank lines) is a raw HTML block: it opens with a block-level tag."""
    opening = _OPENING_TAG.match(part)
    return bool(opening) and opening.group(1).lower() in BLOCK_LEVEL_ELEMENTS and "\n\n" not in part


class PageCache:
    """One build's conversions and search sections, with one JSON file per page and step under `folder`."""

    def __init__(self, extensions: list[object], configs: dict[str, object], folder: Path | None) -> None:
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        self.setup = _digest(_SETUP, extensions, sorted(configs.items()))
        self.folder = folder
        self.written: set[str] = set()
        self.pending: dict[str, tuple[str, list[str]]] = {}  # page -> (placeholder stem, its blocks in order)

    def stash(self, page: str, text: str) -> str:
        """`text` with each raw HTML block replaced by a placeholder word."""
        stem = "litreportblock" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        if stem in text:  # the placeholder is in the page's own words: leave the page to Python-Markdown
            return text
        parts = text.split("\n\n")
        blocks: list[str] = []
        for index, part in enumerate(parts):
            if opens_block(part):
                parts[index] = f"{stem}x{len(blocks)}"
                blocks.append(part)
        self.pending[page] = (stem, blocks)
        return "\n\n".join(parts)

    def restore(self, page: str, content: str) -> tuple[str, set[str]]:
        """`content` with the blocks of `page` put back, converted or from the cache; and the blocks' ids."""
        stashed = self.pending.pop(page, None)
        if stashed is None:
            return content, set()
        stem, blocks = stashed
        pieces = re.split(rf"<p>{stem}x(\d+)</p>", content)
        if [int(number) for number in pieces[1::2]] != list(range(len(blocks))):
            raise PluginError(f"{page}: {len(blocks)} raw HTML blocks stashed, {len(pieces) // 2} came back")
        cached = self.load(page, "blocks")
        converted = {key: cached.get(key) or self._convert(block) for key, block in self._keyed(blocks)}
        if converted != cached:
            self.save(page, "blocks", converted)
        # In a page, Python-Markdown ends a raw block with a newline, which its output loses at the page's end.
        pieces[1::2] = [converted[key] + "\n" for key, _ in self._keyed(blocks)]
        restored = "".join(pieces)
        ids = {html.unescape(found) for fragment in converted.values() for found in _ANCHOR.findall(fragment)}
        return (restored.rstrip("\n") if pieces[-1] == "" else restored), ids

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
        """Drop the files of pages this build did not have."""
        if self.folder and self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                if path.name not in self.written:
                    path.unlink(missing_ok=True)

    def _convert(self, block: str) -> str:
        self.md.reset()
        return self.md.convert(block)

    @staticmethod
    def _keyed(blocks: list[str]) -> list[tuple[str, str]]:
        return [(hashlib.sha256(block.encode("utf-8")).hexdigest(), block) for block in blocks]

    def _path(self, page: str, step: str) -> Path | None:
        if self.folder is None:
            return None
        name = f"{hashlib.sha256(page.encode('utf-8')).hexdigest()[:32]}.{step}.json"
        self.written.add(name)
        return self.folder / name


_CACHE: PageCache | None = None
_add_sections = SearchIndex.add_entry_from_context


def _add_cached_sections(index: SearchIndex, page) -> None:
    """Material's `SearchIndex.add_entry_from_context`, its sections cached by what they are made of."""
    if _CACHE is None:
        return _add_sections(index, page)
    key = _digest(page.content, _toc(page.toc), page.url, page.title, page.meta, jieba_loaded())
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
    _CACHE = PageCache(config.markdown_extensions, config.mdx_configs or {}, Path(folder) if folder else None)
    SearchIndex.add_entry_from_context = _add_cached_sections
    return config


def on_env(env, config, files):
    """Material's templates compiled once: Jinja's bytecode cache, keyed by each template's source."""
    if _CACHE is not None and _CACHE.folder is not None:
        (_CACHE.folder / "jinja").mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(_CACHE.folder / "jinja"))
    return env


def on_page_markdown(markdown, page, config, files):
    return _CACHE.stash(page.file.src_uri, markdown) if _CACHE else markdown


def on_page_content(html, page, config, files):
    if _CACHE is None:
        return html
    content, ids = _CACHE.restore(page.file.src_uri, html)
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= ids
    return content


def on_post_build(config):
    if _CACHE is not None:
        _CACHE.prune()
