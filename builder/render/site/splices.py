"""The site-wide pages' big tables, kept from the site engine and put into the pages it built (`markdown.Spliced`).

`write_docs` writes each such table to `SPLICES/<page without .md>/<name>.html` and its page with a marker in its
place. After the engine ran, `place` replaces each marker in the built page with its table, byte for byte as the
engine would have written the table (a raw block that passes `raw_blocks.verbatim` comes out of Python-Markdown
unchanged). That holds only when nothing but Python-Markdown and the theme touches a page's HTML, so a base config
with hooks of its own, a plugin other than search and offline, or a Markdown extension that may read across blocks
gets the tables `inline` before the engine runs instead (`can_splice`): slower, never different.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builder.errors import RenderError
from builder.render.raw_blocks import SAFE_EXTENSIONS, extension_name
from builder.render.site.markdown import SPLICES, marker

KNOWN_PLUGINS = frozenset({"search", "offline"})  # neither reads a page's article, nor writes to it


def can_splice(base: dict, engine: str) -> bool:
    """Whether the base config (`build._base_config`) lets the engine's output of a marker stand for its table: no
    hooks, no plugin but search and offline, and Markdown extensions known not to read across blocks (Zensical
    brings its own defaults when the config names none, so it needs them named)."""
    extensions = base.get("markdown_extensions")
    if extensions is None and engine == "zensical":
        return False
    return (
        not base.get("hooks")
        and _names(base.get("plugins", ["search"])) <= KNOWN_PLUGINS
        and {extension_name(name) for name in _names(extensions or [])} <= SAFE_EXTENSIONS
    )


def _names(entries: object) -> set[str]:
    """The names of a config list (`- name` or `- name: {options}`) or mapping (`name: {options}`)."""
    if isinstance(entries, dict):
        return {str(name) for name in entries}
    if not isinstance(entries, list):
        return {repr(entries)}  # nothing a known name: not spliced
    return {entry if isinstance(entry, str) else str(next(iter(entry), "")) for entry in entries}


def _blocks(docs_dir: Path) -> dict[str, list[Path]]:
    """Page (docs-relative, without its suffix) -> its blocks' files."""
    root = docs_dir / SPLICES
    pages: dict[str, list[Path]] = {}
    if root.is_dir():
        for block in sorted(root.rglob("*.html")):
            pages.setdefault(block.parent.relative_to(root).as_posix(), []).append(block)
    return pages


def _replace(path: Path, blocks: list[Path], what: str) -> None:
    """`path` with each block's marker replaced by the block, as bytes (line endings untouched), into a new file
    (the old one may be linked to the engine's cache); RenderError unless each marker is there exactly once."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"{path}: the {what} that {blocks[0].parent} is for cannot be read: {exc}") from exc
    for block in blocks:
        placeholder = marker(block.stem).encode("utf-8")
        count = data.count(placeholder)
        if count != 1:
            raise RenderError(f"{path}: holds {placeholder.decode()} {count} times, expected once")
        data = data.replace(placeholder, block.read_bytes())
    temporary = path.with_name(f"{path.name}.splice.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def place(docs_dir: Path, site_dir: Path) -> None:
    """Each block of `docs_dir` into its page as the engine built it in `site_dir`."""
    for page, blocks in _blocks(docs_dir).items():
        _replace(site_dir / f"{page}.html", blocks, "built page")


def inline(docs_dir: Path) -> None:
    """Each block of `docs_dir` back into its Markdown page, for an engine that must see it; `SPLICES` removed."""
    for page, blocks in _blocks(docs_dir).items():
        _replace(docs_dir / f"{page}.md", blocks, "page")
    shutil.rmtree(docs_dir / SPLICES, ignore_errors=True)
