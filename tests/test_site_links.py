"""The built site's link check (builder/render/site/links.py) on small hand-made sites: what it accepts and what it
names as broken; and `sync_tree`, which keeps Zensical's docs folder in step with the staged pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.errors import RenderError
from builder.render.site.links import base_path, check_links
from builder.render.site.zensical import sync_tree


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>\n"


def make_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_sound_site_passes(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="reports/a.html#claim-C1">a</a> <a href="#top" id="top">top</a> <img src="figures/x%20y.svg">'
                '<a href="https://arxiv.org/abs/1">ext</a> <a href="mailto:x@example.org">m</a>'
                '<a href="reports/">r</a>'
                '<link rel="canonical" href="https://example.org/sub/index.html"> <a href="?q=1">self</a>'
                '<script src="assets/app.js?v=2"></script> <a name="old">named</a> <a href="papers.html#old2">p</a>'
            ),
            "papers.html": page('<a name="old2"></a><a href="index.html#old">back</a>'),
            "reports/a.html": page('<tr id="claim-C1"></tr><a href="../index.html">home</a>'),
            "reports/index.html": page('<a href="a.html">a</a>'),
            "figures/x y.svg": "<svg/>",
            "assets/app.js": "",
            # The 404 page is served at any depth, so both engines give it root-absolute links under the site's path.
            "404.html": page('<a href="/sub/index.html">home</a><link href="/sub/assets/app.js">'),
        },
    )
    result = check_links(site, "https://example.org/sub/")
    assert result.problems == []
    assert result.checked == 12  # the two with a scheme and the canonical URL are not the site's
    result.raise_for("site")  # nothing to raise


def test_every_kind_of_broken_link_is_named_with_its_page(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="nowhere.html">missing page</a><a href="papers.html#no-such">missing anchor</a>'
                '<a href="#also-missing">self anchor</a><img src="figures/none.svg"><a href="/papers.html">absolute</a>'
                '<a href="../../etc/passwd">outside</a>'
            ),
            "papers.html": page(""),
            "404.html": page('<a href="/other/index.html">wrong base</a>'),
        },
    )
    result = check_links(site, "https://example.org/sub/")
    assert result.problems == [
        "404.html: <a href='/other/index.html'>: outside the site's path /sub/",
        "index.html (from index.md): <a href='nowhere.html'>: no such file nowhere.html",
        "index.html (from index.md): <a href='papers.html#no-such'>: no id 'no-such' in papers.html",
        "index.html (from index.md): <a href='#also-missing'>: no id 'also-missing' in index.html",
        "index.html (from index.md): <img src='figures/none.svg'>: no such file figures/none.svg",
        "index.html (from index.md): <a href='/papers.html'>: a root-absolute link breaks under a subpath and from "
        "file://",
        "index.html (from index.md): <a href='../../etc/passwd'>: points outside the site",
    ]
    with pytest.raises(RenderError, match=r"zensical build of docs: 7 broken link\(s\) inside the site:\n404\.html"):
        result.raise_for("zensical build of docs")


def test_the_error_lists_thirty_problems_and_counts_the_rest(tmp_path: Path) -> None:
    links = "".join(f'<a href="missing-{n}.html">{n}</a>' for n in range(45))
    result = check_links(make_site(tmp_path, {"index.html": page(links)}))
    with pytest.raises(RenderError) as error:
        result.raise_for("site")
    assert "45 broken link(s)" in str(error.value) and "... and 15 more" in str(error.value)
    assert str(error.value).count("no such file") == 30


def test_base_path_of_the_site_url() -> None:
    assert base_path(None) == "/"
    assert base_path("https://example.org") == "/"
    assert base_path("https://example.org/team/reports") == "/team/reports/"
    assert base_path("http://127.0.0.1:8000/team/reports/") == "/team/reports/"


def test_sync_tree_copies_changes_removes_the_rest_and_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    make_site(src, {"index.md": "home", "reports/a.md": "a", "reports/b.md": "b", ".nav.json": "[]"})
    first = sync_tree(src, dst)
    assert (first.copied, first.removed, first.kept) == (4, 0, 0)
    old = 1_000_000_000
    for path in dst.rglob("*"):
        os.utime(path, ns=(old, old))
    inode = (dst / "reports" / "a.md").stat().st_ino
    assert inode == (src / "reports" / "a.md").stat().st_ino  # linked: the next sync knows it without reading it

    # A changed page is a new file, as each build writes its pages afresh (a linked file is never written again).
    (src / "reports" / "b.md").unlink()
    (src / "reports" / "b.md").write_text("b changed", encoding="utf-8")
    (src / "index.md").unlink()
    (src / "new" / "c.md").parent.mkdir()
    (src / "new" / "c.md").write_text("c", encoding="utf-8")
    make_site(dst, {"stale/x.md": "left by an older build"})
    second = sync_tree(src, dst)
    assert (second.copied, second.kept) == (2, 2)
    files = sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*") if p.is_file())
    assert files == [".nav.json", "new/c.md", "reports/a.md", "reports/b.md"]
    assert not (dst / "stale").exists()
    assert (dst / "reports" / "b.md").read_text(encoding="utf-8") == "b changed"
    unchanged = dst / "reports" / "a.md"
    assert unchanged.stat().st_mtime_ns == old and unchanged.stat().st_ino == inode  # not rewritten
    # A folder where a file was (and the other way round) is replaced.
    (src / "reports" / "a.md").unlink()
    (src / "reports" / "a.md").mkdir()
    (src / "reports" / "a.md" / "inner.md").write_text("i", encoding="utf-8")
    sync_tree(src, dst)
    assert (dst / "reports" / "a.md" / "inner.md").read_text(encoding="utf-8") == "i"


ARTICLE = '<article class="md-content__inner md-typeset">'


def material_page(nav: str, body: str) -> str:
    return page(f'<nav id="top">{nav}</nav><div class="md-content">{ARTICLE}{body}</article></div><a href="#top">t</a>')


def test_pages_read_in_pieces_hold_what_they_hold_read_whole(tmp_path: Path) -> None:
    from builder.render.site.links import LinkCache, Page, parse_html, read_page

    files = {
        "a.html": material_page('<a href="b.html" id="nav">b</a>', '<h1 id="h">A</h1><a href="b.html#x">x</a>'),
        "b.html": material_page('<a href="a.html">a</a>', '<p id="x"><img src="f.svg"></p>' + ARTICLE),  # twice
        "c.html": page('<a href="a.html#top">no article</a>'),
    }
    site = make_site(tmp_path / "site", files)
    cache = LinkCache(None)
    for name in files:
        whole = Page()
        parse_html((site / name).read_bytes(), whole)
        pieces = read_page(site / name, cache)
        assert (pieces.ids, pieces.links) == (whole.ids, whole.links), name
    assert len(cache.used) == 3  # only a.html was cut in pieces: b.html has two article tags, c.html none


def test_a_long_article_is_read_row_group_by_row_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above `CUT_ABOVE` bytes an article is cut before each `<tbody`; it holds what it holds read whole, and a
    changed row is the only piece parsed again."""
    from builder.render.site import links

    monkeypatch.setattr(links, "CUT_ABOVE", 100)
    rows = "".join(
        f'<tbody data-row="{n}"><tr id="r{n}"><td><a href="b.html#x">b</a><img src="f{n}.svg"></td></tr></tbody>\n'
        for n in range(5)
    )
    body = f'<table id="t"><thead><tr><th>x</th></tr></thead>\n{rows}</table><p id="after">end</p>'
    site = make_site(tmp_path / "site", {"a.html": material_page('<a href="b.html">b</a>', body)})
    whole = links.Page()
    links.parse_html((site / "a.html").read_bytes(), whole)
    cache = links.LinkCache(None)
    pieces = links.read_page(site / "a.html", cache)
    assert (pieces.ids, pieces.links) == (whole.ids, whole.links)
    assert len(cache.used) == 2 + 6  # the themes, the table's head and each row group
    (site / "a.html").write_text(material_page('<a href="b.html">b</a>', body.replace('"r3"', '"r3b"')))
    again = links.LinkCache(None)
    again.entries = dict(cache.used)
    assert "r3b" in links.read_page(site / "a.html", again).ids
    assert len(again.used.keys() - cache.used.keys()) == 1


def test_the_link_cache_is_read_back_and_still_finds_a_link_that_broke(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "a.html": material_page('<a href="b.html">b</a>', '<img src="f.svg"><a href="b.html#x">x</a>'),
            "b.html": material_page('<a href="a.html">a</a>', '<p id="x">x</p>'),
            "f.svg": "<svg/>",
        },
    )
    cache = tmp_path / "links.pickle"
    assert check_links(site, None, cache).problems == [] and cache.is_file()
    from builder.render.site.links import LinkCache

    assert len(LinkCache(cache).entries) == 5  # two articles, two themes before them, one (the same) after
    (site / "f.svg").unlink()  # the articles are unchanged, and read from the cache; the target is gone
    (site / "b.html").write_text(material_page('<a href="a.html">a</a>', "<p>no id</p>"), encoding="utf-8")
    assert check_links(site, None, cache).problems == [
        "a.html (from a.md): <img src='f.svg'>: no such file f.svg",
        "a.html (from a.md): <a href='b.html#x'>: no id 'x' in b.html",
    ]
    cache.write_bytes(b"cut short")  # a kill while it was written: an empty cache
    assert len(check_links(site, None, cache).problems) == 2
