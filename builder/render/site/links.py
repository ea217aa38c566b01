"""The built site's own link check: every internal link and asset of every page resolves, whichever engine built it.

MkDocs checks the links of the Markdown with `--strict`; Zensical's own check (its `validation`) costs more than
the rest of a warm build, so it is turned off and this one runs on the HTML instead, after either engine. It reads
every `href` and `src` of every `.html` file under the site (lxml's HTML parser, about 0.2 s for 8 MB of pages),
and a link inside the site must name a file that exists, inside the site, and, when it has a `#fragment` and
points at a page, an `id` (or `<a name>`) of that page. Links with a scheme (`https:`, `mailto:`, `data:`) or a
host (`//host/...`) are not the site's; the privacy test watches those. A root-absolute link (`/assets/...`)
breaks under a subpath and from `file://`, so it is a problem on any page but the 404 page, which static hosts
serve at any depth and which both engines write with root-absolute links under the site URL's path.

A page is read in three pieces: the theme before its `<article>` (header, navigation), the article (the page's own
content, three quarters of the site's bytes) and the theme after it, each parsed alone (a start tag's attributes
do not depend on what encloses it). What each piece holds is kept in `LinkCache`, keyed by its bytes, so a rebuild
after one edit parses again only the pieces it changed: the changed article, and after a title edit the themes of
the pages whose navigation shows that title (with more than 30 reports, those of its month). A page whose article
tag is not there exactly once is parsed whole. An article of more than `CUT_ABOVE` bytes (the all-claims page: 6 MB
at 200 reports, of which one report's rows change when it does) is cut further, before each `<tbody`: a row group
of a table, one claim or report or paper, whose tags are all in it.
"""

from __future__ import annotations

import hashlib
import pickle
import posixpath
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from builder.cache import walk_relative
from builder.errors import RenderError
from builder.papers import atomic_write_bytes

LINK_ATTRIBUTES = ("href", "src")
MAX_SHOWN = 30  # problems listed in the error; the count says how many there were


@dataclass
class Page:
    """One built HTML file: the ids it defines and every (tag, attribute, url) it links to."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)


ARTICLE_START = b'<article class="md-content__inner md-typeset">'  # Material's, on both engines
ARTICLE_END = b"</article>"
CUT_ABOVE = 512 * 1024  # bytes of an article cut at its row groups
ROW_GROUP = re.compile(rb"<tbody[ >]")


def parse_html(data: bytes, page: Page) -> None:
    """Add the ids and links of the HTML `data` (a page or a piece of one) to `page`."""
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8")) if data.strip() else None
    if root is None:
        return
    for element in root.iter(etree.Element):  # elements only: no comments or processing instructions
        get = element.get
        if (value := get("id")) is not None:
            page.ids.add(value)
        if element.tag == "a" and (value := get("name")) is not None:
            page.ids.add(value)
        for name in LINK_ATTRIBUTES:
            if (value := get(name)) is not None:
                page.links.append((element.tag, name, value))


# What a cached entry was made with: lxml, libxml2 and this module (what it reads from a page).
PARSER = (etree.LXML_VERSION, etree.LIBXML_VERSION, hashlib.sha256(Path(__file__).read_bytes()).hexdigest())


class LinkCache:
    """What each piece of a page held, by its bytes' hash, in one pickle file (with `PARSER`, what parsed them);
    entries this check did not use are dropped when it is saved. A file that does not load (cut short
    by a kill) or comes from another parser is an empty cache."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[bytes, Page] = {}
        self.used: dict[bytes, Page] = {}
        self.missed = False
        if path is not None and path.is_file():
            try:
                parser, entries = pickle.loads(path.read_bytes())
            except Exception:  # any unreadable file is only a miss
                parser, entries = None, {}
            self.entries = entries if parser == PARSER and isinstance(entries, dict) else {}

    def piece(self, data: bytes) -> Page:
        key = hashlib.blake2b(data, digest_size=16).digest()
        page = self.entries.get(key)
        if not isinstance(page, Page):
            page = Page()
            parse_html(data, page)
            self.missed = True
        self.used[key] = page
        return page

    def save(self) -> None:
        if self.path is None or (not self.missed and self.used.keys() == self.entries.keys()):
            return
        atomic_write_bytes(self.path, pickle.dumps((PARSER, self.used), protocol=pickle.HIGHEST_PROTOCOL))


def read_page(path: Path, cache: LinkCache | None = None) -> Page:
    """The ids and links of one built page: each of its three pieces from `cache` when its bytes are unchanged."""
    page = Page()
    data = path.read_bytes()
    start = data.find(ARTICLE_START)
    end = data.find(ARTICLE_END, start) + len(ARTICLE_END)
    whole = (
        cache is None
        or start < 0
        or end < len(ARTICLE_END)
        or data.count(ARTICLE_START) != 1
        or data.count(ARTICLE_END) != 1
    )
    if whole:
        parse_html(data, page)
        return page
    for piece in (data[:start], *_rows_apart(data[start:end]), data[end:]):  # in the order of the page
        held = cache.piece(piece)
        page.ids |= held.ids
        page.links += held.links
    return page


def _rows_apart(article: bytes) -> list[bytes]:
    """The article, cut before each row group when it is longer than `CUT_ABOVE` (our HTML escapes every `<` of
    text and attribute values, so `<tbody` opens a tag)."""
    if len(article) <= CUT_ABOVE:
        return [article]
    cuts = [0, *(m.start() for m in ROW_GROUP.finditer(article)), len(article)]
    return [article[a:b] for a, b in pairwise(cuts) if b > a]


SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def split_url(url: str) -> tuple[str, str] | None:
    """(path, fragment) of a link inside the site, both %-decoded; None for a link with a scheme or a host."""
    if url.startswith("//") or SCHEME.match(url):
        return None
    rest, _, fragment = url.partition("#")
    path = rest.partition("?")[0]
    return unquote(path), unquote(fragment)


def base_path(site_url: str | None) -> str:
    """The path the site is served under ('/team/reports/'), '/' without a site URL."""
    path = urlsplit(site_url or "").path or "/"
    return path if path.endswith("/") else path + "/"


@dataclass
class LinkCheck:
    """The problems found in one site, and how many links were checked."""

    problems: list[str]
    checked: int

    def raise_for(self, what: str) -> None:
        if self.problems:
            shown = "\n".join(self.problems[:MAX_SHOWN])
            more = len(self.problems) - MAX_SHOWN
            tail = f"\n... and {more} more" if more > 0 else ""
            raise RenderError(f"{what}: {len(self.problems)} broken link(s) inside the site:\n{shown}{tail}")


@dataclass(frozen=True)
class SiteFiles:
    """The files and folders of a built site (relative POSIX paths), and the path it is served under."""

    files: frozenset[str]
    folders: frozenset[str]
    base: str

    def resolve(self, folder: str, path: str, *, on_404: bool) -> tuple[str, str]:
        """The file a link's path names, from a page in `folder`, and "" ; or "" and why the link is broken.

        Resolved as text against the site's files (no file system call per link); a link that climbs out of the
        site (`../..`) is broken whatever is there.
        """
        if path.startswith("/"):
            if not on_404:
                return "", "a root-absolute link breaks under a subpath and from file://"
            if not path.startswith(self.base):
                return "", f"outside the site's path {self.base}"
            target = posixpath.normpath(path[len(self.base) :] or ".")
        else:
            target = posixpath.normpath(posixpath.join(folder, path))
        if target in self.folders:
            target = posixpath.normpath(posixpath.join(target, "index.html"))
        if target == ".." or target.startswith("../"):
            return "", "points outside the site"
        if target not in self.files:
            return "", f"no such file {target}"
        return target, ""


def check_links(
    site_dir: Path, site_url: str | None = None, cache_file: Path | LinkCache | None = None
) -> LinkCheck:
    """Every internal link and asset of every page of `site_dir`, resolved; see the module's docstring. `cache_file`
    keeps what each piece of a page held between checks (`LinkCache`; or the cache itself, read already)."""
    cache = cache_file if isinstance(cache_file, LinkCache) else LinkCache(cache_file)
    site = site_dir.resolve()
    files, folders = set(), {"."}
    for prefix, subfolders, names in walk_relative(site):  # not rglob: 1,400 Path objects at 200 reports cost more
        folders.update(prefix + name for name in subfolders)
        files.update(prefix + name for name in names)
    tree = SiteFiles(frozenset(files), frozenset(folders), base_path(site_url))
    pages: dict[str, Page] = {}

    def page_at(where: str) -> Page:
        if where not in pages:
            pages[where] = read_page(site / where, cache)
        return pages[where]

    problems: list[str] = []
    checked = 0
    resolved: dict[tuple[str, bool, str], tuple[str, str]] = {}  # the nav's links are the same on every page
    split: dict[str, tuple[str, str] | None] = {}
    for where in sorted(f for f in files if f.endswith(".html")):
        on_404 = where == "404.html"
        folder = posixpath.dirname(where) or "."
        source = "" if on_404 else f" (from {where.removesuffix('.html')}.md)"
        for tag, attribute, url in page_at(where).links:
            if url not in split:
                split[url] = split_url(url)
            parts = split[url]
            if parts is None:
                continue
            checked += 1
            path, fragment = parts
            target, why = where, ""
            if path:
                key = (folder, on_404, path)
                if key not in resolved:
                    resolved[key] = tree.resolve(folder, path, on_404=on_404)
                target, why = resolved[key]
            if not why and fragment and target.endswith(".html") and fragment not in page_at(target).ids:
                why = f"no id {fragment!r} in {target}"
            if why:
                problems.append(f"{where}{source}: <{tag} {attribute}={url!r}>: {why}")
    cache.save()
    return LinkCheck(problems, checked)
