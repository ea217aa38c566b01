"""The Markdown a page is made of: front matter, headings, and raw HTML blocks rendered by the templates.

A page is a list of parts joined by blank lines: the front matter, Markdown headings (`## Abstract`, with data
escaped by `md_text`) and raw HTML blocks. Python-Markdown passes a raw block through untouched only when
blank lines surround it and none is inside it, so `raw` drops every blank line of the HTML it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from builder.render.site.escape import esc


def raw(fragment: str) -> str:
    """A raw HTML block: the fragment's lines without blank ones, surrounded by blank lines."""
    body = "\n".join(line for line in fragment.split("\n") if line.strip())
    return f"\n\n{body}\n\n" if body else ""


def front_matter(title: str | None, hide: Sequence[str] = (), searchable: bool = True) -> str:
    """YAML front matter whose title is already HTML-escaped (see the package docstring); `hide` frees width.

    The home page passes no title, so its browser title is the site name alone rather than "name - name".
    `searchable=False` keeps a page out of the search index (Material's `search: exclude`).
    """
    meta: dict[str, object] = {"title": esc(title)} if title else {}
    if hide:
        meta["hide"] = list(hide)
    if not searchable:
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, width=10_000) + "---\n\n"


def page(*parts: str) -> str:
    """The page's text: its non-empty parts, each trimmed of blank lines at its ends, one blank line apart."""
    return "\n\n".join(p.strip("\n") for p in parts if p.strip("\n")) + "\n"
