"""The site's two caches give the same site as none: the report pages' Markdown, and MkDocs' hooks.

`page_cache.PageCache` keeps each report page's Markdown (and each report's chunk of the all-claims page) keyed by
its pickled model; `mkdocs_hooks.py` keeps raw HTML blocks out of Python-Markdown and caches each page's search
sections. Both are checked here against the real thing: the docs written with no cache, a cold one and a warm one
are byte-identical, and so are the sites of a plain `mkdocs build --strict` (no hooks) and of `build_site` with the
hooks, cold and warm, search index included, on pages whose data carries HTML, Markdown and template syntax.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from factories import make_claims, make_draft_report, make_report

from builder.errors import RenderError
from builder.models import ClaimResult, Report
from builder.render.plots import make_plots
from builder.render.site import build as site_build
from builder.render.site import build_site, mkdocs_hooks, splices, write_docs
from builder.render.site.page_cache import PageCache
from builder.render.site.zensical import zensical_installed

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<b>x</b> **bold** | {{ config }} [a](b.md#c) <!-- c --> litreportblock"


def reports() -> list[Report]:
    first, *rest = make_claims()
    hostile = ClaimResult(dataclasses.replace(first.claim, text=f"Models {HOSTILE} win."), first.verdict)
    return [
        make_report(),
        make_draft_report(slug="hostile", title=f"Title {HOSTILE}", claims=(hostile, *rest), abstract=HOSTILE),
    ]


def write(
    docs: Path, items: list[Report], cache: PageCache | None, identities: dict[str, str] | None = None
) -> dict[str, bytes]:
    downloads = {r.slug: {} for r in items}
    write_docs(items, docs, downloads, {}, {"broken": "reports/broken.yaml:1:1: bad"}, cache, identities)
    return tree(docs)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_read_in_pieces_as_whole(site: Path) -> None:
    """The link check reads a built page's article apart from its theme (links.read_page): it finds the same."""
    from builder.render.site import links
    from builder.render.site.links import LinkCache, Page, parse_html, read_page

    for cut_above in (links.CUT_ABOVE, 0):  # as sites of a few reports are read, and cut at every row group
        cache = LinkCache(None)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(links, "CUT_ABOVE", cut_above)
            for path in sorted(site.rglob("*.html")):
                whole = Page()
                parse_html(path.read_bytes(), whole)
                pieces = read_page(path, cache)
                assert (pieces.ids, pieces.links) == (whole.ids, whole.links), path
        assert len(cache.used) >= 3, "the pages' articles were not cut out"


def test_page_cache_hits_misses_and_prunes(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages", "salt")
    calls: list[str] = []

    def render(model: tuple[str, int]) -> str:
        calls.append(model[0])
        return f"{model[0]} {model[1]}"

    assert cache.text("a.md", ("a", 1), render) == "a 1"
    again = PageCache(tmp_path / "pages", "salt")
    assert again.text("a.md", ("a", 1), render) == "a 1" and again.hits == 1
    assert again.text("a.md", ("a", 2), render) == "a 2"  # the model changed: rendered again
    assert PageCache(tmp_path / "pages", "other builder").text("a.md", ("a", 2), render) == "a 2"
    assert calls == ["a", "a", "a"]
    for path in (tmp_path / "pages").iterdir():
        path.write_text("a 2 and more", encoding="utf-8")  # not the size its name says: damaged, not used
    assert PageCache(tmp_path / "pages", "salt").text("a.md", ("a", 2), render) == "a 2"
    placed = PageCache(tmp_path / "pages", "salt")
    placed.place("a.md", ("a", 2), render, tmp_path / "a.md")
    assert placed.hits == 1 and (tmp_path / "a.md").read_text(encoding="utf-8") == "a 2"
    kept = next((tmp_path / "pages").iterdir())
    assert (tmp_path / "a.md").stat().st_ino == kept.stat().st_ino  # linked, not written
    pruned = PageCache(tmp_path / "pages", "salt")
    pruned.text("b.md", ("b", 1), render)
    pruned.prune()
    assert len(list((tmp_path / "pages").iterdir())) == 1  # a.md's file was not asked for


@pytest.mark.parametrize("keyed_by", ["model", "identity"])
def test_docs_are_the_same_with_no_cache_a_cold_one_and_a_warm_one(tmp_path: Path, keyed_by: str) -> None:
    """Keyed by the pickled models, or by the reports' identities (what publish passes: their cache entries' names)."""
    items = reports()
    ids = {r.slug: f"entry-of-{r.slug}" for r in items} if keyed_by == "identity" else None
    papers = {p.arxiv_id for r in items for p in r.papers}
    plain = write(tmp_path / "plain", items, None)
    cold = write(tmp_path / "cold", items, PageCache(tmp_path / "pages", "salt"), ids)
    warm_cache = PageCache(tmp_path / "pages", "salt")
    warm = write(tmp_path / "warm", items, warm_cache, ids)
    assert plain == cold == warm
    # Each report page, its row of the home page, its chunk of the claims page; each paper's row of the papers page.
    assert warm_cache.hits == 3 * len(items) + len(papers)
    changed = [dataclasses.replace(items[0], title="A new title"), items[1]]
    after_cache = PageCache(tmp_path / "pages", "salt")
    changed_ids = {**ids, items[0].slug: "a new entry"} if ids else None
    after = write(tmp_path / "after", changed, after_cache, changed_ids)
    assert after == write(tmp_path / "after-plain", changed, None)
    # The unchanged report's page, home row and chunk, and the rows of the papers only it uses.
    only_second = {p.arxiv_id for p in items[1].papers} - {p.arxiv_id for p in items[0].papers}
    assert after_cache.hits == 3 + len(only_second)


def inlined(docs: Path, to: Path) -> Path:
    """A copy of `docs` at `to` with the spliced tables in their pages: what an engine reads without splicing."""
    shutil.copytree(docs, to)
    splices.inline(to)
    return to


def plain_mkdocs(docs: Path, site: Path, nav: list[object]) -> None:
    """`mkdocs build --strict` as `run_mkdocs` runs it, without the hooks, on the pages with their blocks inline."""
    docs = inlined(docs, docs.parent / f"{docs.name}-inline")
    config = docs.parent / "plain.yml"
    settings = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(docs), "site_dir": str(site), "nav": nav}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    env = dict(os.environ, PYTHONHASHSEED="0", NO_COLOR="1", DISABLE_MKDOCS_2_WARNING="true")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(config)]
    subprocess.run(command, check=True, env=env, capture_output=True)


def test_hooks_give_the_site_of_plain_mkdocs_cold_and_warm(tmp_path: Path) -> None:
    """Every kind of page and block: reports with figures and downloads, a failed report, hostile data."""
    docs = tmp_path / "docs"
    items = reports()
    downloads = {}
    for report in items:
        downloads[report.slug] = {}
        for suffix in ("pdf", "bib", "json"):
            target = docs / "downloads" / f"{report.slug}.{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"{suffix} of {report.slug}\n", encoding="utf-8")
            downloads[report.slug][suffix] = f"downloads/{report.slug}.{suffix}"
    plots = {r.slug: make_plots(r, tmp_path / "plots") for r in items}
    index = write_docs(items, docs, downloads, plots, {"broken": "reports/broken.yaml:3:7: field 'papers' <bad>"})
    assert any((docs / "figures").rglob("*.svg"))
    plain_mkdocs(docs, tmp_path / "plain", index.nav)
    cache = tmp_path / "hooks-cache"
    build_site(docs, tmp_path / "cold", nav=index.nav, config=ROOT / "mkdocs.yml", work_dir=cache)
    kinds = sorted({p.name.split(".")[1] for p in cache.glob("*.json")})
    assert any((cache / "jinja").iterdir()), "Material's templates were not cached"
    assert kinds == ["search", "verbatim"], "the hooks did not run"
    build_site(docs, tmp_path / "warm", nav=index.nav, config=ROOT / "mkdocs.yml", work_dir=cache)
    plain, cold, warm = (tree(tmp_path / name) for name in ("plain", "cold", "warm"))
    assert plain.keys() == cold.keys() == warm.keys()
    for name in plain:
        assert plain[name] == cold[name] == warm[name], name
    assert "search/search_index.json" in plain
    assert_read_in_pieces_as_whole(tmp_path / "cold")


def test_blocks_spliced_after_the_engine_give_the_site_of_blocks_inline(tmp_path: Path, site_engine: str) -> None:
    """The home, papers and claims pages' tables are kept from the engine and put into the built pages after it
    (`markdown.Spliced`, `splices.place`): the site is the one the engine makes of the pages with them inline."""
    docs = tmp_path / "docs"
    index = write_docs(reports(), docs, {}, {}, {"broken": "reports/broken.yaml:3:7: field 'papers' <bad>"})
    spliced = sorted(p.relative_to(docs / "_splices").as_posix() for p in (docs / "_splices").rglob("*.html"))
    assert spliced == ["claims/claims.html", "claims/filters.html", "index/reports.html", "papers/papers.html"]
    sites = {}
    for name, folder in (("spliced", docs), ("inline", inlined(docs, tmp_path / "inline"))):
        options = {"nav": index.nav, "config": ROOT / "mkdocs.yml", "engine": site_engine}
        build_site(folder, tmp_path / f"site-{name}", work_dir=tmp_path / f"work-{name}", **options)
        sites[name] = tree(tmp_path / f"site-{name}")
    assert sites["spliced"].keys() == sites["inline"].keys()
    for name in sites["spliced"]:
        assert sites["spliced"][name] == sites["inline"][name], name
    assert b"data-lr-splice" not in b"".join(sites["spliced"].values())
    assert b'id="all-claims"' in sites["spliced"]["claims.html"]


def test_a_base_config_with_its_own_hook_gets_the_tables_inline(tmp_path: Path) -> None:
    """A hook, a plugin or an extension that may read a page's HTML must see the tables: they go into the pages
    before the engine runs (`splices.can_splice`), and the site is the same."""
    hook = tmp_path / "hook.py"
    hook.write_text("def on_page_content(html, page, config, files):\n    return html\n", encoding="utf-8")
    base = tmp_path / "mkdocs.yml"
    base.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nhooks:\n  - {hook}\n", encoding="utf-8")
    sites = {}
    for name, config in (("spliced", ROOT / "mkdocs.yml"), ("hooked", base)):
        docs = tmp_path / f"docs-{name}"
        index = write_docs(reports(), docs, {}, {}, {})
        build_site(docs, tmp_path / f"site-{name}", nav=index.nav, config=config)
        assert (docs / "_splices").is_dir() is (name == "spliced")
        sites[name] = tree(tmp_path / f"site-{name}")
    assert 'id="all-claims"' in (tmp_path / "docs-hooked" / "claims.md").read_text(encoding="utf-8")
    assert sites["spliced"] == sites["hooked"]


def test_which_base_configs_let_tables_be_spliced() -> None:
    ours = site_build._base_config(ROOT / "mkdocs.yml")
    assert splices.can_splice(ours, "mkdocs") and splices.can_splice(ours, "zensical")
    assert splices.can_splice({}, "mkdocs")  # MkDocs' defaults: search, no extensions
    assert not splices.can_splice({}, "zensical")  # Zensical's own default extensions
    assert not splices.can_splice({**ours, "hooks": ["mine.py"]}, "mkdocs")
    assert not splices.can_splice({**ours, "plugins": ["search", {"privacy": {}}]}, "mkdocs")
    assert not splices.can_splice({**ours, "markdown_extensions": ["toc", "md_in_html"]}, "mkdocs")
    assert splices.can_splice({"plugins": {"search": {}}, "markdown_extensions": {"toc": None}}, "zensical")


def test_the_engine_writing_a_folder_it_must_not_read_fails_the_build(tmp_path: Path) -> None:
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "_splices" / "claims").mkdir(parents=True)
    (site / "_splices").mkdir(parents=True)
    with pytest.raises(RenderError, match="_splices: the site engine wrote this folder"):
        site_build.move_passthrough(docs, tmp_path / "aside", site)


def test_a_page_without_its_marker_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    index = write_docs([make_report()], docs, {}, {}, {})
    claims = docs / "claims.md"
    claims.write_text(claims.read_text(encoding="utf-8").replace('data-lr-splice="claims"', 'data-x="y"'))
    with pytest.raises(RenderError, match=r'claims.html: holds <div data-lr-splice="claims"></div> 0 times'):
        build_site(docs, tmp_path / "site", nav=index.nav, config=ROOT / "mkdocs.yml")


@pytest.mark.skipif(not zensical_installed(), reason="needs the zensical extra")
def test_zensical_gives_the_same_site_with_and_without_the_raw_blocks_extension(tmp_path: Path) -> None:
    from builder.render.site.zensical import run_zensical

    docs = tmp_path / "docs"
    index = write_docs(reports(), docs, {}, {}, {"broken": "reports/broken.yaml:3:7: field 'papers' <bad>"})
    sites = {}
    for stash in (False, True):
        work = tmp_path / f"work-{stash}"
        base = site_build._base_config(ROOT / "mkdocs.yml").get("markdown_extensions")
        options = {"work_dir": work, "config": ROOT / "mkdocs.yml", "nav": index.nav, "site_url": None}
        options["base_extensions"] = base
        sites[stash] = tree(run_zensical(docs, **options, raw_blocks=stash))
        assert ("raw_blocks" in (work / "mkdocs.yml").read_text(encoding="utf-8")) is stash
    assert sites[True].keys() == sites[False].keys()
    for name in sites[True]:
        assert sites[True][name] == sites[False][name], name
    assert_read_in_pieces_as_whole(tmp_path / "work-True" / "site")
    # And the extension takes the blocks out in Zensical's own Markdown setup (its extensions, in its order).
    from zensical import config as zensical_config
    from zensical.extensions.context import ContextExtension, Page

    setup = zensical_config.parse_config(str(tmp_path / "work-True" / "mkdocs.yml"))
    page = Page(url="index.html", path="index.md", title=None, fallback_title=None, meta={})
    extensions = [ContextExtension(page=page, config=setup), *setup["markdown_extensions"]]
    md = mkdocs_hooks.markdown.Markdown(extensions=extensions, extension_configs=setup["mdx_configs"])
    md.convert((docs / "index.md").read_text(encoding="utf-8"))
    assert md.preprocessors["litreport_stash_blocks"].stashed, "Zensical's Markdown did not stash the blocks"


def test_warm_hooks_use_what_they_cached(tmp_path: Path) -> None:
    """The warm build reads its cache back: cached search sections changed by hand show in the site."""
    docs = tmp_path / "docs"
    index = write_docs([make_report()], docs, {}, {}, {})
    cache = tmp_path / "hooks-cache"
    build_site(docs, tmp_path / "cold", nav=index.nav, config=ROOT / "mkdocs.yml", work_dir=cache)
    for path in cache.glob("*.search.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for sections in data["entries"].values():
            for section in sections:
                section["text"] += " sentinelword"
        path.write_text(json.dumps(data), encoding="utf-8")
    build_site(docs, tmp_path / "warm", nav=index.nav, config=ROOT / "mkdocs.yml", work_dir=cache)
    assert "sentinelword" in (tmp_path / "warm" / "search" / "search_index.json").read_text(encoding="utf-8")


def test_every_page_the_builder_writes_has_its_blocks_stashed(tmp_path: Path) -> None:
    """Else MkDocs and Zensical convert the page's HTML again (raw_blocks.py): hostile data included."""
    from builder.render.raw_blocks import stash_page, verbatim

    hooks = mkdocs_hooks.BlockCache(EXTENSIONS, {}, None)
    written = write(tmp_path / "docs", reports(), None)
    for name, data in written.items():
        if name.endswith(".md"):
            text = data.decode("utf-8")
            assert stash_page(text) is not None, name
            assert "<" not in hooks.stash(name, text), name
    # The tables put into the built pages after the engine come out of it unchanged when they are inline, too.
    spliced = [name for name in written if name.startswith("_splices/")]
    assert len(spliced) == 4
    for name in spliced:
        assert verbatim(written[name].decode("utf-8")), name


def test_generated_config_keeps_the_base_configs_hooks(tmp_path: Path) -> None:
    base = tmp_path / "mkdocs.yml"
    base.write_text("site_name: x\nhooks:\n  - hooks/mine.py\n", encoding="utf-8")
    assert site_build._base_hooks(base) == [str(tmp_path / "hooks" / "mine.py")]
    assert site_build._base_hooks(ROOT / "mkdocs.yml") == []
    assert site_build.CACHE_ENV == mkdocs_hooks.CACHE_ENV


EXTENSIONS = ["toc", "tables", "fenced_code", "admonition", "attr_list"]  # mkdocs.yml's, with MkDocs' defaults
CRAFTED = {
    "blocks around headings": '# T\n\n<div class="a">\n<p>x</p>\n</div>\n\n## H\n\n<p>y</p>\n',
    "a block last, no newline": "<p>a</p>\n\n<table>\n<tr><td>1</td></tr>\n</table>",
    "elements on one line": "<h3 class='x'>T</h3><p>a</p><p>b</p>\n\n<p>c</p>\n",
    "a block ending in inline HTML": "<div>a</div>\n<span>x</span>\n\nafter\n",
    "text after the closing tag": "<div>a</div> tail text\n\n## H\n",
    "a blank line of spaces": "<div>a</div>\n \t\n## Heading [link](x.md)\n\n<p>b</p>\n",
    "a fence holding a blank line": "```\ncode\n\n<div>in the fence</div>\n```\n\n<p>after</p>\n",
    "an unclosed block": "<div>\n<p>open\n\n## Inside\n\n</div>\n",
    "carriage returns": "<p>a</p>\r\n\r\n## H\r\n",
    "inline HTML first": "<button>x</button>\n\n<p>b</p>\n",
    "an indented block": "    <div>code</div>\n\n<p>b</p>\n",
    "the placeholder's word": "<p>litreportsentinel</p>\n\n<p>b</p>\n",
    "nothing to stash": "just *text*\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_page_converts_the_same_with_its_blocks_stashed(name: str) -> None:
    text = CRAFTED[name]
    plain = mkdocs_hooks.markdown.Markdown(extensions=EXTENSIONS).convert(text)
    cache = mkdocs_hooks.BlockCache(EXTENSIONS, {}, None)
    converted = mkdocs_hooks.markdown.Markdown(extensions=EXTENSIONS).convert(cache.stash("p.md", text))
    assert cache.restore("p.md", converted)[0] == plain


def test_blocks_are_stashed_only_with_context_free_extensions() -> None:
    text = "<div>a</div>\n\n<p>b</p>\n"
    assert mkdocs_hooks.BlockCache(EXTENSIONS, {}, None).stash("p.md", text) != text
    assert mkdocs_hooks.BlockCache([*EXTENSIONS, "md_in_html"], {}, None).stash("p.md", text) == text


def test_a_blocks_ids_are_the_ones_mkdocs_anchor_check_finds() -> None:
    block = '<form><input name="q" id="x"><a name="n">a</a><span name="not-an-anchor"></span></form>'
    assert mkdocs_hooks.anchor_ids(block) == ["n", "x"]


def test_compiled_templates_are_kept_per_builder_version(tmp_path: Path) -> None:
    """Jinja keys a compiled template by its source alone, so the builder's source hash names the folder."""
    from builder.render.site import templates

    templates.ENV.cache.clear()  # compiled already in this process: loaded again, through the bytecode cache
    with templates.bytecode_cache(tmp_path, "one"):
        templates.ENV.get_template("macros.html.j2")
    assert any((tmp_path / "one").iterdir())
    assert templates.ENV.bytecode_cache is None  # nothing left behind in the process
    templates.ENV.cache.clear()
    with templates.bytecode_cache(tmp_path, "two"):
        templates.ENV.get_template("macros.html.j2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two"]  # another builder's templates are gone


@pytest.mark.parametrize("anchor, fails", [("in-block", False), ("nowhere", True)])
def test_mkdocs_checks_anchors_inside_stashed_blocks(tmp_path: Path, anchor: str, fails: bool) -> None:
    """A Markdown link to an id of another page's raw block: found with the hooks as without (MkDocs' own scan)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Home\n\nSee [the block](other.md#{anchor}).\n", encoding="utf-8")
    (docs / "other.md").write_text('# Other\n\n<div id="in-block">\n<p>x</p>\n</div>\n', encoding="utf-8")
    nav = [{"Home": "index.md"}, "other.md"]
    options = {"site_url": None, "config": ROOT / "mkdocs.yml", "nav": nav, "page_cache": tmp_path / "cache"}
    for attempt in ("cold", "warm"):
        if fails:
            with pytest.raises(RenderError, match="does not contain an anchor '#nowhere'"):
                site_build.run_mkdocs(docs, tmp_path / attempt, **options)
        else:
            site_build.run_mkdocs(docs, tmp_path / attempt, **options)
    assert any((tmp_path / "cache").glob("*.search.json"))
