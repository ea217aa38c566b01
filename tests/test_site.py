"""The Material site: generated pages, a real build by each engine, links, privacy, escaping, search.

One site is built per engine (`site_engine`: a real `mkdocs build --strict`, then a real `zensical build`; about
3 s each) from the factory reports plus a hostile one whose title, claim and rationale carry HTML, Markdown and
template syntax; every test then reads the real built files, so each test runs once per engine.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from factories import make_claims, make_draft_report, make_report
from site_engines import SEARCH_INDEX, search_documents

from builder.errors import RenderError
from builder.models import ClaimResult, Report
from builder.render.plots import make_plots
from builder.render.site import build_site, esc, md_text, relative, write_docs
from builder.render.site.links import check_links

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_HOSTS = {"arxiv.org", "doi.org"}
XSS = "<script>alert(1)</script>"
EVIL_TITLE = "</title><script>alert('t')</script> **Bold** | {{ config }} [x](javascript:alert(2))"
EVIL_CLAIM = f"Models {XSS} beat **baselines** | by {{{{ 5 }}}} points [click](javascript:alert(3)) `code` _x_"
EVIL_RATIONALE = "<img src=x onerror=alert(4)> decided by sentence 1 & more"
UNIQUE_WORD = "zygomorphicity"  # occurs in one claim of one report only, to test search


def evil_report() -> Report:
    base = make_claims()
    first = base[0]
    evil = ClaimResult(
        dataclasses.replace(first.claim, id="C1", text=EVIL_CLAIM),
        dataclasses.replace(first.verdict, claim_id="C1", rationale=EVIL_RATIONALE),
    )
    unique = ClaimResult(
        dataclasses.replace(base[1].claim, text=f"Back-translation shows {UNIQUE_WORD} of alignments."),
        base[1].verdict,
    )
    return make_draft_report(
        slug="evil-draft",
        title=EVIL_TITLE,
        question="Is <b>bold</b> | safe?",
        claims=(evil, unique, *base[2:]),
        abstract="Abstract with <iframe src=https://evil.example/></iframe> and *stars* and [1]; see C2 (not C99).",
    )


class Page(HTMLParser):
    """Every tag with its attributes, the ids defined, and the text, of one built HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, site_engine: str) -> dict[str, object]:
    root = tmp_path_factory.mktemp(f"site-{site_engine}")
    reports = [make_report(), evil_report()]
    docs, site = root / "docs", root / "site"
    downloads: dict[str, dict[str, str]] = {}
    for report in reports:
        folder = docs / "downloads" / report.slug
        folder.mkdir(parents=True)
        for ext in ("pdf", "bib", "json"):
            (folder / f"{report.slug}.{ext}").write_text(f"{ext} of {report.slug}\n", encoding="utf-8")
        downloads[report.slug] = {ext: f"downloads/{report.slug}/{report.slug}.{ext}" for ext in ("pdf", "bib", "json")}
    downloads["evil-draft"]["json"] = "javascript:alert(5)"  # never linked: not a relative path
    plots = {r.slug: make_plots(r, root / "plots") for r in reports}
    failed = {"broken-spec": "reports/broken-spec.yaml:3:7: field 'papers' <must> not be empty"}
    index = write_docs(reports, docs, downloads, plots, failed)
    build_site(docs, site, nav=index.nav, config=ROOT / "mkdocs.yml", engine=site_engine, work_dir=root / "work")
    return {"root": root, "docs": docs, "site": site, "reports": reports, "plots": plots, "engine": site_engine}


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ------------------------------------------------------------------------------------------ generated docs


def test_pages_have_every_section_in_pdf_order(built: dict[str, object]) -> None:
    docs = built["docs"]
    assert isinstance(docs, Path)
    for name in ("index.md", "papers.md", "claims.md", "reports/projection-ner-low-resource.md",
                 "reports/evil-draft.md", "assets/litreport/litreport.js", "assets/litreport/litreport.css"):
        assert (docs / name).is_file(), name
    text = (docs / "reports/projection-ner-low-resource.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == ["Abstract", "Synthesis", "Introduction", "Methodology", "Results", "Review",
                        "Limitations", "Disagreements", "Quantitative Results", "Evidence Matrix", "Extracted Claims",
                        "Figures", "References"]
    assert re.findall(r"^### (.+)$", text, flags=re.M) == ["Dimensions", "Reviewers", "Findings"]


def test_write_docs_is_deterministic(built: dict[str, object], tmp_path: Path) -> None:
    reports = built["reports"]
    assert isinstance(reports, list)
    plots = built["plots"]
    assert isinstance(plots, dict)
    write_docs(reports, tmp_path / "a", {}, plots)
    write_docs(reports, tmp_path / "b", {}, plots)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


# ------------------------------------------------------------------------------------------------- build


def test_build_produces_home_report_and_index_pages(built: dict[str, object]) -> None:
    site = built["site"]
    assert isinstance(site, Path)
    engine = built["engine"]
    assert isinstance(engine, str)
    for name in ("index.html", "papers.html", "claims.html", "reports/projection-ner-low-resource.html",
                 "reports/evil-draft.html", *SEARCH_INDEX[engine], "figures/evil-draft/confidence.svg"):
        assert (site / name).is_file(), name
    home = parse(site / "index.html")
    hrefs = [a.get("href") for tag, a in home.tags if tag == "a"]
    assert "reports/projection-ner-low-resource.html" in hrefs
    assert "downloads/projection-ner-low-resource/projection-ner-low-resource.pdf" in hrefs
    text = " ".join(home.text)
    for column in ("Title", "Date", "Question", "Score", "Tier", "Papers", "Claims", "Status"):
        assert column in text
    # The headline counts are the claims' statuses (`Counts.by_status`), which add up to the claims, not "verified":
    # each report has C4 corroborated, C5 contested, C1-C3 stated and C6 unsupported.
    flat = re.sub(r"\s+", " ", text)
    assert "of the 12 claims:" in flat and "verified" not in flat.lower()
    for count, status, meaning in ((2, "corroborated", "a paper other than their source supports them"),
                                   (2, "contested", "a paper of their report contradicts them"),
                                   (6, "stated", "only their own source states them"),
                                   (2, "unsupported", "no paper supports them")):
        assert f"{count} {status} : {meaning}" in flat or f"{count} {status}: {meaning}" in flat, status
    html = (site / "index.html").read_text(encoding="utf-8")
    head = html.split('id="reports-table"')[1].split("</thead>")[0]
    assert re.findall(r'class="lr-sort">([^<]+)<', head) == [
        "Title", "Date", "Question", "Score", "Tier", "Papers", "Claims", "Status", "PDF"]
    row = html.split('id="reports-table"')[1].split("<tbody")[1].split("</tbody>")[0]
    assert '<td data-sort="6">6<ul class="lr-claim-statuses"><li>1 corroborated</li><li>1 contested</li>' \
           "<li>3 stated</li><li>1 unsupported</li></ul></td>" in row  # each report's claims by status
    assert "broken-spec" in text and "field 'papers' <must> not be empty" in text  # failed build, as text


def test_every_internal_link_resolves_inside_the_site(built: dict[str, object]) -> None:
    """The product's own check (builder/render/site/links.py), which build_site ran already, finds nothing."""
    site = built["site"]
    assert isinstance(site, Path)
    result = check_links(site)
    assert result.checked > 200
    assert result.problems == []


def test_no_request_leaves_the_site(built: dict[str, object]) -> None:
    """Assets are all local; the only absolute links are anchors to arxiv.org and doi.org."""
    site = built["site"]
    assert isinstance(site, Path)
    external_links = set()
    for path in html_files(site):
        for tag, attrs in parse(path).tags:
            for attr in ("src", "href", "srcset", "data", "poster", "action", "formaction"):
                url = attrs.get(attr, "")
                scheme = urlsplit(url).scheme.lower()
                if not url or not (scheme or url.startswith("//")):
                    continue
                assert tag == "a" and attr == "href", f"{path.name}: <{tag} {attr}={url}> requests another host"
                assert scheme == "https", url
                host = urlsplit(url).hostname
                assert host in ALLOWED_HOSTS, f"{path.name}: link to {url}"
                external_links.add(host)
    assert external_links == ALLOWED_HOSTS
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css


def test_data_is_escaped_everywhere(built: dict[str, object]) -> None:
    site = built["site"]
    assert isinstance(site, Path)
    for path in html_files(site):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html, path
        assert "onerror=alert" not in html.replace("onerror=alert(4)&gt;", ""), path
        assert "<iframe" not in html, path
        assert "<b>bold</b>" not in html, path
        for tag, attrs in parse(path).tags:
            for value in attrs.values():
                assert not value.strip().lower().startswith("javascript:"), (path, tag, attrs)
    page = parse(site / "reports/evil-draft.html")
    text = " ".join(page.text)
    # Everything comes out literally, as the characters the data held.
    assert "Models <script>alert(1)</script> beat **baselines** | by {{ 5 }} points [click](javascript:alert(3))" \
        in text
    assert EVIL_RATIONALE in text
    assert "Is <b>bold</b> | safe?" in text
    title = (site / "reports/evil-draft.html").read_text(encoding="utf-8").split("<title>")[1].split("</title>")[0]
    assert title.startswith("&lt;/title&gt;&lt;script&gt;")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", (site / "reports/evil-draft.html").read_text(encoding="utf-8"), re.S)
    assert h1 and "&lt;/title&gt;&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; **Bold** | {{ config }}" in (
        h1.group(1).replace("&#39;", "&#x27;").replace("'", "&#x27;")
    )
    assert "<strong>baselines</strong>" not in (site / "reports/evil-draft.html").read_text(encoding="utf-8")


def test_markdown_escaping_helpers() -> None:
    assert md_text("*a* [b](c) #1 <i>") == "\\*a\\* \\[b\\]\\(c\\) \\#1 &lt;i&gt;"
    assert esc('a\n\n"b" <c>') == "a &quot;b&quot; &lt;c&gt;"
    assert relative("downloads/x.pdf", "reports/x.md") == "../downloads/x.pdf"
    assert relative("javascript:alert(1)", "index.md") is None
    assert relative("https://evil.example/x.pdf", "index.md") is None
    assert relative("/etc/passwd", "index.md") is None
    assert relative("../outside.pdf", "index.md") is None


def test_report_page_content(built: dict[str, object]) -> None:
    site = built["site"]
    assert isinstance(site, Path)
    page = parse(site / "reports/projection-ner-low-resource.html")
    text = " ".join(page.text)
    hrefs = [a["href"] for tag, a in page.tags if tag == "a" and "href" in a]
    for needle in ("../downloads/projection-ner-low-resource/projection-ner-low-resource.pdf",
                   "../downloads/projection-ner-low-resource/projection-ner-low-resource.bib",
                   "../downloads/projection-ner-low-resource/projection-ner-low-resource.json",
                   "https://arxiv.org/abs/2501.18750v1", "https://arxiv.org/pdf/2501.18750v1",
                   "https://doi.org/10.18653/v1/2022.findings-emnlp.478", "#ref-1"):
        assert needle in hrefs, needle
    # Review: score, tier, dimensions, findings; claims with evidence and rationale.
    assert "7.8" in text and "publishable" in text and "verification" in text and "contradicted-claim" in text
    assert "Sentence 3 of [2] contradicts the claim" in text
    tbodies = [a for tag, a in page.tags if tag == "tbody" and "data-verified" in a]
    assert [t["data-verified"] for t in tbodies] == ["1", "1", "1", "1", "0", "0"]
    assert [t["data-paper"] for t in tbodies][:2] == ["2501.18750", "2501.18750"]
    expanders = [a for tag, a in page.tags if tag == "button" and "lr-expand" in a.get("class", "").split()]
    assert len(expanders) == 6 and all(a["aria-controls"] in page.ids for a in expanders)
    images = [a for tag, a in page.tags if tag == "img"]
    assert len(images) == 3 and all(len(a.get("alt", "")) > 20 for a in images)
    assert not any("lr-draft" in a.get("class", "") for _, a in page.tags)
    evil = parse(site / "reports/evil-draft.html")
    assert any("lr-draft" in a.get("class", "") for _, a in evil.tags)
    evil_hrefs = [a.get("href", "") for tag, a in evil.tags if tag == "a"]
    assert not any(h.endswith(".json") and "downloads" in h for h in evil_hrefs)  # unsafe path not linked
    assert "#claim-C2" in evil_hrefs and "#claim-C99" not in evil_hrefs  # prose links only to real claims


def test_accessible_structure(built: dict[str, object]) -> None:
    site = built["site"]
    assert isinstance(site, Path)
    for name in ("index.html", "papers.html", "claims.html", "reports/projection-ner-low-resource.html"):
        html = (site / name).read_text(encoding="utf-8")
        article = html.split('<article class="md-content__inner md-typeset">')[1].split("</article>")[0]
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", article)]
        assert levels[0] == 1 and levels.count(1) == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, levels)
        content = Page()
        content.feed(article)
        for tag, attrs in content.tags:
            if tag == "th":
                assert attrs.get("scope") in ("col", "row"), (name, attrs)
            if tag == "img":
                assert attrs.get("alt"), name
            if tag in ("input", "select"):
                assert attrs.get("id") and (f'for="{attrs["id"]}"' in article or attrs.get("type") == "checkbox"), name
        assert not any(tag == "div" and "onclick" in attrs for tag, attrs in content.tags)


def test_search_finds_a_report_by_a_word_of_its_claim(built: dict[str, object]) -> None:
    site, engine = built["site"], built["engine"]
    assert isinstance(site, Path) and isinstance(engine, str)
    documents = search_documents(site, engine)
    hits = {str(doc["location"]) for doc in documents if UNIQUE_WORD in str(doc["text"]).lower()}
    assert "reports/evil-draft.html#extracted-claims" in hits
    assert not any(h.startswith("reports/projection-ner-low-resource") for h in hits)
    assert not any(h.startswith("claims.html") for h in hits)  # the all-claims page repeats them: not indexed
    # Nor the pages that list every report or paper (Zensical's index refuses a section of a thousand reports).
    locations = {str(doc["location"]).partition("#")[0] for doc in documents}
    assert locations and not locations & {"index.html", "papers.html", "claims.html"}
    script = (site / SEARCH_INDEX[engine][1]).read_text(encoding="utf-8")
    assert script.startswith("var __index = ") and UNIQUE_WORD in script  # offline search from file://


def test_site_url_and_failure_reporting(tmp_path: Path, site_engine: str) -> None:
    docs = tmp_path / "docs"
    index = write_docs([make_report()], docs, {}, {})
    options = {"config": ROOT / "mkdocs.yml", "engine": site_engine, "work_dir": tmp_path / "work", "nav": index.nav}
    build_site(docs, tmp_path / "site", site_url="https://example.org/sub/path/", **options)
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="canonical" href="https://example.org/sub/path/(index.html)?" ?/?>', home), home[:2000]
    assert 'href="reports/projection-ner-low-resource.html"' in home  # relative: works under a subpath
    # A broken link fails the build, named with its page: MkDocs' --strict finds it in the Markdown, and the link
    # check after either engine in the HTML.
    (docs / "extra.md").write_text("# Extra\n\nSee [the missing page](nowhere.md).\n", encoding="utf-8")
    with pytest.raises(RenderError) as error:
        build_site(docs, tmp_path / "site2", **options)
    assert "nowhere" in str(error.value) and "extra" in str(error.value)
    with pytest.raises(RenderError, match=r"no index\.md"):
        build_site(tmp_path / "empty", tmp_path / "site3", **options)
