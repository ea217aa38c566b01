"""Escaping and the URLs the site writes: every string of data reaches a page through one of these.

`esc` is what the templates' autoescape applies to every `{{ value }}` (see `templates.py`): it folds runs of
whitespace into one space before it HTML-escapes, because a blank line inside a raw HTML block would end the
block and let Markdown read the rest of it as Markdown. `md_text` is for the one place data is Markdown, the
page heading. The only URLs written are built here: arxiv.org, doi.org and links inside the site.
"""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import quote

from markupsafe import Markup

from builder.models import Paper

# Characters Python-Markdown un-escapes after a backslash; escaping any other one would show the backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_WS = re.compile(r"\s+")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def esc(text: object) -> str:
    """Escape data for HTML text or a quoted attribute, and fold whitespace so no blank line ends a raw block."""
    return html.escape(_WS.sub(" ", str(text)).strip(), quote=True)


def esc_part(text: object) -> str:
    """`esc` for a piece of a longer text (a run of prose between two links): whitespace folded, ends kept."""
    return html.escape(_WS.sub(" ", str(text)), quote=True)


def esc_pre(text: object) -> Markup:
    """Escape text shown in `<pre>`: its line breaks are kept (the raw block drops blank lines, `markdown.raw`)."""
    return Markup(html.escape(str(text).strip(), quote=True))


def md_text(text: str) -> str:
    """Escape data for a Markdown heading: backslash-escape Markdown syntax, then HTML-escape."""
    folded = _WS.sub(" ", text).strip()
    return html.escape(_MD_SPECIAL.sub(r"\\\1", folded), quote=True)


def html_id(*parts: str) -> str:
    """An id attribute built from data that cannot break out of the attribute or collide across parts."""
    return "-".join(_ID_UNSAFE.sub("-", part).strip("-") or "x" for part in parts)


# -------------------------------------------------------------------------------------------------- URLs


def arxiv_abs(arxiv_id: str, version: int | None = None) -> str:
    ident = f"{arxiv_id}v{version}" if version else arxiv_id
    return "https://arxiv.org/abs/" + quote(ident, safe="/.")


def paper_abs(paper: Paper) -> str:
    """The paper's abstract page on arXiv, at the version the store holds."""
    return arxiv_abs(paper.arxiv_id, paper.version)


def arxiv_pdf(paper: Paper) -> str:
    return "https://arxiv.org/pdf/" + quote(paper.versioned_id, safe="/.")


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def relative(target: str, page: str) -> str | None:
    """Link from page (docs-relative, e.g. 'reports/x.md') to a docs-relative file; None for unsafe targets."""
    target = target.replace("\\", "/")
    if not target or target.startswith("/") or _SCHEME.match(target):
        return None
    normal = posixpath.normpath(target)
    if normal.startswith("../") or normal == "..":
        return None
    return quote(relpath(normal, posixpath.dirname(page) or "."), safe="/._-~")


def relpath(path: str, start: str) -> str:
    """`posixpath.relpath` of two relative paths, without the two `os.getcwd()` calls it makes to find their
    common part (a fifth of the site index's time at 200 reports). Either path climbing (`..`), where the answer
    depends on the working folder, is left to `posixpath.relpath`."""
    start = posixpath.normpath(start)
    path = posixpath.normpath(path)
    if any(p.startswith("/") or p == ".." or p.startswith("../") for p in (path, start)):
        return posixpath.relpath(path, start)
    to = [] if path == "." else path.split("/")
    at = [] if start == "." else start.split("/")
    common = 0
    while common < min(len(to), len(at)) and to[common] == at[common]:
        common += 1
    return "/".join([".."] * (len(at) - common) + to[common:]) or "."


def report_page(slug: str) -> str:
    """The report's page, relative to the docs folder."""
    return f"reports/{slug}.md"


def report_href(slug: str, page: str) -> str:
    """Link to a report page; `.html` because raw HTML links are not rewritten and use_directory_urls is off."""
    return quote(relpath(f"reports/{slug}.html", posixpath.dirname(page) or "."), safe="/._-~")
