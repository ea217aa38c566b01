"""A template change cannot un-escape data: every text field of a report holds markup and template syntax.

`hostile_report()` puts HOSTILE into every string of a report (titles, authors, claims, quotes, rationales,
judgements, synthesis, disagreements, review, warnings, BibTeX keys, DOIs, venues, arXiv and claim ids), into a
failed build's message and a download path. Every page is generated from the templates (each template is
checked to have been used) and built by each engine (MkDocs, then Zensical); the generated Markdown must hold the
data escaped exactly once and never raw, and the built pages must show it as the characters it is. The
environment itself is checked for the ways a template could mark data as markup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factories import make_draft_report
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import TemplateAssertionError, UndefinedError
from jinja2.exceptions import SecurityError

from builder.models import Disagreement, Paper, Report, Synthesis, SynthesisSentence, Theme
from builder.render.plots import make_plots
from builder.render.raw_blocks import verbatim
from builder.render.site import build_site, esc, write_docs
from builder.render.site.templates import ENV

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '<script>alert(1)</script> {{ x }} {% raw %} &amp; " onmouseover="alert(2)'
ONCE = html.escape(HOSTILE, quote=True)  # &lt;script&gt;... {{ x }} {% raw %} &amp;amp; &quot; onmouseover=...
TWICE = ("&amp;lt;", "&amp;amp;amp;", "&amp;quot;")  # what a second escape would leave
RAW = ("<script>alert", 'onmouseover="alert', "<script", "{% endraw %}")
ID_FIELDS = {"arxiv_id", "source", "claim_paper", "other_paper", "cites"}  # arXiv ids, kept consistent
CLAIM_ID_FIELDS = {"id", "claim_id", "other_claim_id", "claims"}  # claim ids ("claims" of a Theme)
KEEP = {"slug", "origin", "setting"}  # file names and the vocabulary the model decides by


def hostile(value: object, name: str = "") -> object:
    """`value` with every string replaced: ids by HOSTILE + the id (so lookups still match), text by HOSTILE."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: hostile(getattr(value, f.name), f.name) for f in dataclasses.fields(value)}
        if isinstance(value, Paper) and value.published is None:
            changes["published"] = dt.date(2022, 1, 1)  # the year would come from the (now hostile) id
        return dataclasses.replace(value, **changes)
    if isinstance(value, enum.Enum) or not isinstance(value, str | tuple | dict):
        return value
    if isinstance(value, tuple):
        return tuple(hostile(item, name) for item in value)
    if isinstance(value, dict):  # bib_keys: arXiv id -> key
        return {hostile(k, "arxiv_id"): hostile(v) for k, v in value.items()}
    if name in KEEP:
        return value
    if name in ID_FIELDS or name in CLAIM_ID_FIELDS:
        return HOSTILE + value
    return HOSTILE


def hostile_report() -> Report:
    base = make_draft_report(slug="hostile")
    first, second = base.claims[0], base.claims[4]
    synthesis = Synthesis(
        themes=(Theme("t", (SynthesisSentence("s [1] (C1).", (first.claim.source,), "C1"),), ("C1",), "c"),),
        gaps=("g", "h"),
    )
    disagreement = Disagreement("C5", second.claim.source, "q", first.claim.source, 2, "o", "C1", "n")
    return hostile(dataclasses.replace(base, synthesis=synthesis, disagreements=(disagreement,)))


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, site_engine: str) -> dict[str, Path]:
    root = tmp_path_factory.mktemp(f"escaping-{site_engine}")
    report = hostile_report()
    docs, site = root / "docs", root / "site"
    ENV.cache.clear()
    index = write_docs(
        [report],
        docs,
        {report.slug: {"pdf": HOSTILE, "bib": "downloads/hostile.bib"}},
        {report.slug: make_plots(report, root / "plots")},
        {"broken": HOSTILE + "\n\n" + HOSTILE},
    )
    used = {key[1] for key in ENV.cache}
    assert set(ENV.list_templates()) <= used, set(ENV.list_templates()) - used
    (docs / "downloads").mkdir()
    (docs / "downloads" / "hostile.bib").write_text("@misc{x}\n", encoding="utf-8")
    # The download named by the hostile path exists too: the built site's link check follows the escaped link to it.
    (docs / HOSTILE).parent.mkdir(parents=True, exist_ok=True)
    (docs / HOSTILE).write_text("%PDF-1.4\n", encoding="utf-8")
    build_site(docs, site, nav=index.nav, config=ROOT / "mkdocs.yml", engine=site_engine, work_dir=root / "work")
    return {"docs": docs, "site": site}


def test_generated_markdown_holds_data_escaped_once(built: dict[str, Path]) -> None:
    pages = sorted(built["docs"].rglob("*.md"))
    assert len(pages) == 4
    spliced = sorted((built["docs"] / "_splices").rglob("*.html"))  # the tables put into the built pages
    assert len(spliced) == 4
    # ... as the engine would write them inline: unchanged, hostile data and all.
    assert all(verbatim(path.read_text(encoding="utf-8")) for path in spliced)
    for path in pages + spliced:
        text = path.read_text(encoding="utf-8")
        for needle in (*RAW, *TWICE):
            assert needle not in text, (path.name, needle)
    report = (built["docs"] / "reports" / "hostile.md").read_text(encoding="utf-8")
    # Titles, authors, claims, quotes, judgements, themes, findings, references...: dozens of fields.
    assert report.count(ONCE) > 60
    # Page title (front matter, escaped for Material) and heading (Markdown-escaped, then HTML-escaped).
    assert f"title: '{ONCE}'" in report or f'title: "{ONCE}"' in report
    assert re.search(r"^# &lt;script&gt;alert\\\(1\\\)&lt;/script&gt; \\\{\\\{ x \\\}\\\}", report, re.M)
    # Data never leaves a blank line inside a raw block: the failed build's two messages share one block.
    home = (built["docs"] / "index.md").read_text(encoding="utf-8")
    assert f"<pre><code>{ONCE}\n{ONCE}</code></pre>" in home


def test_built_pages_show_the_data_as_text(built: dict[str, Path]) -> None:
    site = built["site"]
    for name in ("reports/hostile.html", "index.html", "papers.html", "claims.html"):
        source = (site / name).read_text(encoding="utf-8")
        for needle in ("<script>alert", 'onmouseover="alert', *TWICE):
            assert needle not in source, (name, needle)
        article = source.split('<article class="md-content__inner md-typeset">')[1].split("</article>")[0]
        assert "<script" not in article and "{% endraw %}" not in article, name  # Material's own scripts are outside
        page = Page()
        page.feed(article)
        text = re.sub(r"\s+", " ", " ".join(page.text))
        assert HOSTILE in text, name  # the characters the data held, {{ x }} and {% raw %} included
        assert not [a for a in page.attrs if a[1].startswith("on")], name
    report = Page()
    report.feed((site / "reports/hostile.html").read_text(encoding="utf-8"))
    assert re.sub(r"\s+", " ", " ".join(report.text)).count(HOSTILE) > 60


def test_templates_cannot_mark_data_as_markup() -> None:
    expected = esc(HOSTILE)
    for source in (
        "{{ v }}",
        "{{ v|e }}",
        "{{ v|escape }}",
        "{{ v|forceescape }}",
        "{{ v|string }}",
        "{{ v|trim }}",
        "{{ [v]|join(', ') }}",
        "{% autoescape false %}{{ v }}{% endautoescape %}",
        "{% set w = v %}{{ w }}",
        "{% oneline %}\n  {{ v }}\n{% endoneline %}",
    ):
        assert ENV.from_string(source).render(v=HOSTILE) == expected, source
    for source in ("{{ line_break ~ v }}", "{{ line_break.join([v]) }}", "{{ (line_break ~ '{0}').format(v) }}"):
        out = ENV.from_string(source).render(v=HOSTILE)
        assert "<script" not in out and "&amp;lt;" not in out and "&lt;script&gt;" in out, source
    for source in ("{{ v|safe }}", "{{ v|urlize }}", "{{ {'a': v}|xmlattr }}", "{{ v|tojson }}"):
        with pytest.raises(TemplateAssertionError):
            ENV.from_string(source)
    with pytest.raises(SecurityError):  # the sandbox: no way to reach Markup and wrap data in it
        ENV.from_string("{{ line_break.__class__(v) }}").render(v=HOSTILE)
    with pytest.raises(UndefinedError):
        ENV.from_string("{{ missing }}").render()
    assert ENV.from_string("{{ v }}").render(v="a\n\n  b") == "a b"  # no blank line inside a raw block


_PARTS = st.lists(st.sampled_from(["a", "b", "reports", ".", "..", "x.md", "é"]), min_size=0, max_size=5)


@given(path=_PARTS, start=_PARTS)
def test_relpath_is_posixpaths_without_its_working_folder(path: list[str], start: list[str]) -> None:
    """`escape.relpath` gives what `posixpath.relpath` gives for every pair of relative paths, climbing ones too
    (which it leaves to `posixpath.relpath`: there the answer depends on how deep the working folder is)."""
    import posixpath

    from builder.render.site.escape import relpath

    target, origin = "/".join(path) or ".", "/".join(start) or "."
    assert relpath(target, origin) == posixpath.relpath(target, origin)
