"""The MkDocs Material site: generated Markdown pages for every report, then a real `mkdocs build --strict`.

Every piece of text that comes from data (titles, claims, abstracts, author names, error messages) is
HTML-escaped and emitted inside raw HTML blocks, so Markdown syntax, `|`, `{{ }}` and `<script>` in a
claim come out literally. The only URLs written are ones built here (arxiv.org, doi.org and relative
links inside the site), never URLs taken from data. Tables are plain HTML that `site_assets/litreport.js`
makes sortable and filterable; without JavaScript they still show everything.

Page titles go into the front matter already escaped: Material inserts `page.meta.title` into `<title>`
and the navigation without escaping, whereas a title taken from a Markdown heading goes through Jinja's
`striptags`, which would turn `&lt;` back into `<`.

The package, by concern:
- `escape.py`: `esc` (whitespace folded, then HTML-escaped), `md_text` for headings, ids and the URLs written;
- `model.py`: `site_index(...)` -> `SiteIndex`, everything the pages show that is selected, ordered, counted or
  looked up (report order and navigation, papers with their uses, claims rows, filter options, figure numbers);
- `templates.py` and `templates/*.html.j2`: the Jinja2 environment (autoescape, `StrictUndefined`, every
  `{{ value }}` through `esc` exactly once, no `safe` filter) and the HTML of every block;
- `markdown.py`: front matter, raw HTML blocks (never a blank line inside) and pages, with the blocks kept from
  the engine (`Spliced`);
- `report.py`: the report page, one function per section; `pages.py`: the home, papers and claims pages;
- `build.py`: `write_docs` (pages, figures, assets; returns the `SiteIndex`) and `build_site` (the engine, then
  `splices.py`, which puts the site-wide tables into the built pages, and the link check of `links.py`).
"""

from builder.render.site.build import ASSETS_DIR, ASSETS_SRC, FIGURES_DIR, build_site, write_docs
from builder.render.site.escape import (
    arxiv_abs,
    arxiv_pdf,
    doi_url,
    esc,
    html_id,
    md_text,
    relative,
    report_href,
    report_page,
)
from builder.render.site.markdown import front_matter, raw
from builder.render.site.model import SiteIndex, site_index
from builder.render.site.pages import SITE_NAME, claims_markdown, index_markdown, papers_markdown
from builder.render.site.prose import prose
from builder.render.site.report import report_markdown

__all__ = [
    "ASSETS_DIR",
    "ASSETS_SRC",
    "FIGURES_DIR",
    "SITE_NAME",
    "SiteIndex",
    "arxiv_abs",
    "arxiv_pdf",
    "build_site",
    "claims_markdown",
    "doi_url",
    "esc",
    "front_matter",
    "html_id",
    "index_markdown",
    "md_text",
    "papers_markdown",
    "prose",
    "raw",
    "relative",
    "report_href",
    "report_markdown",
    "report_page",
    "site_index",
    "write_docs",
]
