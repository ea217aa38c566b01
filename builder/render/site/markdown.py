"""The Markdown a page is made of: front matter, headings, and raw HTML blocks rendered by the templates.

A page is a list of parts joined by blank lines: the front matter, Markdown headings (`## Abstract`, with data
escaped by `md_text`) and raw HTML blocks. Python-Markdown passes a raw block through untouched only when
blank lines surround it and none is inside it, so `raw` drops every blank line of the HTML it is given.

The site-wide pages' big tables (every report, paper or claim: 6 MB at 200 reports) are `Spliced`: the page the
engine reads holds a small marker in their place, and `splices.place` puts each table into the built page
after the engine ran, as the engine would have written it (a raw block that passes `raw_blocks.verbatim` comes out
unchanged; `splices.py`). So the engine's work for those pages no longer grows with the number of reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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


SPLICES = "_splices"  # in docs_dir: `<page path without .md>/<name>.html`, one file per `Spliced` block
SPLICE_NAME = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Spliced:
    """A raw block kept from the site engine: the page holds `marker` where it goes; `splices.place` puts it
    there in the built page. Only for pages kept out of the search index and with no heading in the block: the
    engine never sees what it holds."""

    name: str  # unique on its page: the file's name under `SPLICES`
    html: str  # the block, as `raw` makes it

    def __post_init__(self) -> None:
        if not SPLICE_NAME.fullmatch(self.name):
            raise ValueError(f"splice name {self.name!r}: expected lower-case letters, digits and hyphens")
        if self.body and not (self.body.startswith("<") and self.body.endswith(">")):
            raise ValueError(f"spliced block {self.name!r} is not HTML elements alone")

    @property
    def marker(self) -> str:
        """What the engine gets instead: an empty element, which it writes out as it is."""
        return marker(self.name)

    @property
    def body(self) -> str:
        """The block without the blank lines around it: what replaces the marker in the built page."""
        return self.html.strip("\n")


def marker(name: str) -> str:
    return f'<div data-lr-splice="{name}"></div>'


@dataclass(frozen=True)
class PageText:
    """A page's Markdown and the blocks spliced into it after the engine (`Spliced`)."""

    markdown: str
    splices: tuple[Spliced, ...] = ()


def spliced_page(*parts: str | Spliced) -> PageText:
    """`page` of `parts`, each `Spliced` one replaced by its marker (or left out when it is empty)."""
    kept = [p for p in parts if not isinstance(p, Spliced) or p.body]
    splices = tuple(p for p in kept if isinstance(p, Spliced))
    if len({s.name for s in splices}) != len(splices):
        raise ValueError(f"two spliced blocks share a name: {[s.name for s in splices]}")
    return PageText(page(*(raw(p.marker) if isinstance(p, Spliced) else p for p in kept)), splices)
