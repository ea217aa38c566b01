"""The built site in a real browser: Debian chromium driven by Playwright against a server on 127.0.0.1.

The site is built once, with `site_url` under a subpath (`/team/reports/`), and served from the parent
folder, as it would be deployed. Checks what only a browser can: the home table sorts and filters (also by
keyboard), the claims table filters to verified claims and a row expands to its evidence, the results table
sorts by value and filters by metric, the evidence matrix sorts by a paper (its foot stays last) and links to
the references and claims, the PDF and .bib downloads return 200, search finds a report by a word of one of
its claims (over HTTP and from file://), axe-core (shipped inside the axe-playwright-python wheel, injected
locally) reports no serious or critical violation on any page type in either palette or on a phone-sized
screen, no console error, no failed request and no request to any host but the local server. One screenshot
per page type goes to `build/screenshots/` for people to review. Every test runs on the site of each engine
(`site_engine`: MkDocs, then Zensical); only the search box differs between them (`search`). Skipped, with the
reason, when chromium or the playwright package is not installed (never downloads a browser).
"""

from __future__ import annotations

import functools
import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import make_draft_report, make_report

from builder.models import Result
from builder.render.plots import make_plots
from builder.render.site import build_site, write_docs

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
axe_module = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed (pip install it)"
)

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WORD = "heterotopical"  # in one claim of the draft report only
SUBPATH = "team/reports/"
SHOTS = ROOT / "build" / "screenshots"
PAGE_TYPES = {"home": "index.html", "report": "reports/projection-ner-low-resource.html", "papers": "papers.html",
              "claims": "claims.html"}
BIB = "@misc{politov2025revisiting,\n  title = {Revisiting Projection-based Data Transfer},\n}\n"
RESULTS = (  # the report page's Quantitative Results, to sort and filter
    Result("2501.18750", "WikiANN", "F1", "+2.3 F1", "over mBERT", "It gains +2.3 F1 on WikiANN over mBERT.", 3),
    Result("2501.18750", "MasakhaNER", "F1", "10.5 F1", "", "It gains 10.5 F1 on MasakhaNER.", 4),
    Result("2004.12440", "XNLI", "accuracy", "71.4%", "", "XLM-R reaches 71.4% accuracy on XNLI.", 0),
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the served folder; a missing file gets the site's 404 page, as static hosts do."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / SUBPATH / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, site_engine: str) -> Iterator[tuple[str, Path]]:
    """(base URL of the site, site folder): built for and served under http://127.0.0.1:PORT/team/reports/."""
    root = tmp_path_factory.mktemp(f"browser-{site_engine}")
    www = root / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(www)))
    base = f"http://127.0.0.1:{httpd.server_port}/{SUBPATH}"
    good = make_report(results_table=RESULTS)
    claims = list(make_report().claims)
    first = claims[0]
    claims[0] = type(first)(type(first.claim)(**{**first.claim.__dict__, "text": f"A {WORD} transfer claim."}),
                            first.verdict)
    draft = make_draft_report(slug="draft-report", title="Zero-shot transfer draft", claims=tuple(claims))
    reports = [good, draft]
    docs = root / "docs"
    downloads = {}
    for report in reports:
        (docs / "downloads").mkdir(parents=True, exist_ok=True)
        (docs / "downloads" / f"{report.slug}.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        (docs / "downloads" / f"{report.slug}.bib").write_text(BIB, encoding="utf-8")
        (docs / "downloads" / f"{report.slug}.json").write_text(f'{{"slug": "{report.slug}"}}\n', encoding="utf-8")
        downloads[report.slug] = {ext: f"downloads/{report.slug}.{ext}" for ext in ("pdf", "bib", "json")}
    plots = {r.slug: make_plots(r, root / "plots") for r in reports}
    index = write_docs(reports, docs, downloads, plots)
    site = www / SUBPATH
    build_site(
        docs, site, nav=index.nav, site_url=base, config=ROOT / "mkdocs.yml", engine=site_engine, work_dir=root / "work"
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base, site
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server(served: tuple[str, Path]) -> str:
    return served[0]


@pytest.fixture(scope="module")
def site(served: tuple[str, Path]) -> Path:
    return served[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Recorder:
    """Console errors, page errors, failed requests, and requests to anything but the site or file://.

    `base` is the site's own URL, so under a subpath even a request to another path of the same server
    (a root-absolute link that escaped the subpath) counts as foreign.
    """

    def _request_failed(self, request: Any) -> None:
        # A request the browser itself cancels because the page moved on (the search worker's script, still
        # loading when a test navigates to the next page) is not a failure of the site; anything else is.
        if request.failure == "net::ERR_ABORTED" and "/workers/search" in request.url:
            return
        self.failed.append(f"{request.url}: {request.failure}")

    def __init__(self, page: Any, base: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith((base, "file://", "data:", "blob:", "about:"))
                else self.foreign.append(r.url))
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda r: self.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None)


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[tuple[Any, Recorder]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    recorder = Recorder(tab, server)
    yield tab, recorder
    context.close()
    assert recorder.errors == [], recorder.errors
    assert recorder.foreign == [], recorder.foreign
    assert recorder.failed == [], recorder.failed


def visible_titles(tab: Any) -> list[str]:
    return tab.eval_on_selector_all(
        "#reports-table tbody:not([hidden]) th[scope=row]", "cells => cells.map(c => c.textContent.trim())"
    )


def test_home_table_sorts_and_filters(page: tuple[Any, Recorder], server: str) -> None:
    tab, _ = page
    tab.goto(server + "index.html")
    score = tab.locator("#reports-table thead th", has_text="Score")
    score.locator("button").click()
    assert score.get_attribute("aria-sort") == "ascending"
    assert visible_titles(tab)[0] == "Zero-shot transfer draft"  # 4.2 before 7.8
    score.locator("button").click()
    assert score.get_attribute("aria-sort") == "descending"
    assert visible_titles(tab)[0].startswith("Projection-Based Data Transfer")
    tab.get_by_label("Filter reports").fill("zero-shot transfer draft")
    assert visible_titles(tab) == ["Zero-shot transfer draft"]
    assert tab.locator('.lr-count[data-table="reports-table"]').inner_text() == "Showing 1 of 2."
    tab.get_by_label("Filter reports").fill("")
    tab.get_by_label("hide drafts").check()
    assert len(visible_titles(tab)) == 1 and visible_titles(tab)[0].startswith("Projection-Based")
    tab.get_by_role("link", name="Projection-Based Data Transfer for Low-Resource Cross-Lingual NER").first.click()
    tab.wait_for_url("**/reports/projection-ner-low-resource.html")


def test_claims_filter_to_verified_and_row_expands(page: tuple[Any, Recorder], server: str) -> None:
    tab, _ = page
    tab.goto(server + "reports/projection-ner-low-resource.html")
    bodies = tab.locator("#claims-table tbody")
    assert bodies.count() == 6
    tab.get_by_label("verified only").check()
    shown = tab.locator("#claims-table tbody:not([hidden])")
    assert shown.count() == 4
    assert set(shown.evaluate_all("bs => bs.map(b => b.dataset.verified)")) == {"1"}
    tab.get_by_label("Source paper").select_option("2004.12440")
    assert tab.locator("#claims-table tbody:not([hidden]) th[scope=row]").all_inner_texts() == ["C4"]
    tab.locator('form[data-table="claims-table"]').get_by_role("button", name="Clear filters").click()
    tab.wait_for_function("document.querySelectorAll('#claims-table tbody:not([hidden])').length === 6")

    evidence = tab.locator("#claim-C1-evidence")
    assert evidence.is_hidden()
    button = tab.locator("#claim-C1 button.lr-expand")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    tab.keyboard.press("Enter")  # keyboard-usable: a real <button>
    assert button.get_attribute("aria-expanded") == "true"
    assert evidence.is_visible()
    assert "We show that the data-based cross-lingual transfer method" in evidence.inner_text()
    assert evidence.locator('a[href="https://arxiv.org/abs/2501.18750v1"]').count() == 1
    assert "Why:" in evidence.inner_text()
    button.click()
    assert evidence.is_hidden()


def test_sort_claims_by_confidence_keeps_evidence_with_its_claim(page: tuple[Any, Recorder], server: str) -> None:
    tab, _ = page
    tab.goto(server + "claims.html")
    header = tab.locator("#all-claims thead th", has_text="Confidence")
    header.locator("button").click()
    values = tab.eval_on_selector_all("#all-claims tbody", "bs => bs.map(b => parseFloat(b.dataset.confidence))")
    assert values == sorted(values)
    firsts = tab.eval_on_selector_all(
        "#all-claims tbody", "bs => bs.map(b => [b.rows[0].id, b.rows[1].id])"
    )
    assert all(detail == f"{row}-evidence" for row, detail in firsts)
    tab.get_by_label("Minimum confidence").fill("0.8")
    shown = tab.eval_on_selector_all(
        "#all-claims tbody:not([hidden])", "bs => bs.map(b => parseFloat(b.dataset.confidence))"
    )
    assert shown and min(shown) >= 0.8 and len(shown) < len(values)


def test_results_table_sorts_and_filters(page: tuple[Any, Recorder], server: str) -> None:
    tab, _ = page
    tab.goto(server + "reports/projection-ner-low-resource.html")
    values = "#results-table tbody:not([hidden]) td:nth-child(4)"
    assert tab.locator(values).all_inner_texts() == ["+2.3 F1", "10.5 F1", "71.4%"]  # reference order
    header = tab.locator("#results-table thead th", has_text="Value")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert tab.locator(values).all_inner_texts() == ["+2.3 F1", "10.5 F1", "71.4%"]  # by number, not by text
    header.locator("button").click()
    assert tab.locator(values).all_inner_texts() == ["71.4%", "10.5 F1", "+2.3 F1"]
    tab.get_by_label("Metric").select_option("F1")
    assert tab.locator(values).all_inner_texts() == ["10.5 F1", "+2.3 F1"]
    assert tab.locator('.lr-count[data-table="results-table"]').inner_text() == "Showing 2 of 3."
    tab.get_by_label("Filter results").fill("masakhaner")
    assert tab.locator(values).all_inner_texts() == ["10.5 F1"]


def test_evidence_matrix_sorts_and_links(page: tuple[Any, Recorder], server: str) -> None:
    """The matrix sorts by a paper's column (its foot stays last), and its ids and headers are links."""
    tab, _ = page
    tab.goto(server + "reports/projection-ner-low-resource.html")
    ids = "#matrix-table tbody th[scope=row]"
    assert tab.locator(ids).all_inner_texts() == ["C1", "C2", "C3", "C4", "C5", "C6"]
    column = tab.locator("#matrix-table thead th").nth(2)  # [2] García-Ferrero et al. (2022)
    column.get_by_role("button", name="Sort by [2] García-Ferrero et al. (2022)").click()
    assert column.get_attribute("aria-sort") == "ascending"
    assert tab.locator(ids).all_inner_texts()[0] == "C5"  # contradicted by [2]: ✗ sorts lowest
    marks = tab.eval_on_selector_all(
        "#matrix-table tbody tr", "rows => rows.map(r => r.cells[2].querySelector('[aria-hidden]').textContent)"
    )
    assert marks == ["✗", "·", "·", "·", "·", "·"]
    last = tab.evaluate("() => [...document.querySelectorAll('#matrix-table tr')].pop().cells[0].textContent")
    assert last == "Claims contradicted"
    tab.locator("#matrix-table thead th", has_text="Supports").locator("button").click()
    tab.locator("#matrix-table thead th", has_text="Supports").locator("button").click()
    assert tab.locator(ids).all_inner_texts()[0] == "C4"  # supported by [3] and [4]
    assert tab.locator(".lr-count[data-table='matrix-table']").inner_text().startswith("Sorted by ✓ Supports")
    tab.locator("#matrix-table thead a", has_text="[4]").click()
    tab.wait_for_url("**#ref-4")
    tab.locator(ids + " a", has_text="C5").click()
    tab.wait_for_url("**#claim-C5")
    assert tab.locator("#claim-C5").is_visible()


def search(tab: Any, word: str, engine: str) -> list[str]:
    """The links of the search results for `word`, typed key by key (both search boxes listen to key events).

    Material for MkDocs has a search input in the page; Zensical opens a dialog (in a shadow root, which
    Playwright's locators enter) whose input is a combobox named Search and whose results a listbox's options.
    """
    if engine == "mkdocs":
        tab.locator("label.md-search__icon, .md-search__input").first.click()
        tab.locator(".md-search__input").press_sequentially(word, delay=20)
        results = ".md-search-result__item a"
    else:
        tab.locator(".md-search__button").click()
        tab.get_by_role("combobox", name="Search").press_sequentially(word, delay=20)
        results = "[role=listbox] a[role=option]"
    tab.locator(results).first.wait_for(timeout=15_000)
    return tab.locator(results).evaluate_all("as => as.map(a => a.getAttribute('href'))")


def test_search_finds_a_report_by_a_word_of_its_claim(
    page: tuple[Any, Recorder], server: str, site_engine: str
) -> None:
    tab, _ = page
    tab.goto(server + "index.html")
    hrefs = search(tab, WORD, site_engine)
    assert any("reports/draft-report.html" in h for h in hrefs), hrefs
    assert not any("projection-ner-low-resource" in h for h in hrefs), hrefs


def test_site_works_from_file_url(browser: Any, site: Path, site_engine: str) -> None:
    """Opened straight from disk: search (offline index, vendored worker shim), tables, evidence and figures."""
    context = browser.new_context()
    tab = context.new_page()
    recorder = Recorder(tab, "file://")
    tab.goto((site / "index.html").as_uri())
    hrefs = search(tab, WORD, site_engine)
    assert any("draft-report.html" in h for h in hrefs), hrefs
    tab.goto((site / "reports" / "projection-ner-low-resource.html").as_uri())
    header = tab.locator("#claims-table thead th", has_text="Confidence")
    header.locator("button").click()
    values = tab.eval_on_selector_all("#claims-table tbody", "bs => bs.map(b => parseFloat(b.dataset.confidence))")
    assert values == sorted(values) and len(values) == 6
    tab.locator("#claim-C2 button.lr-expand").click()
    assert tab.locator("#claim-C2-evidence").is_visible()
    widths = tab.eval_on_selector_all("figure.lr-figure img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 3 and all(widths), widths
    context.close()
    assert recorder.errors == [] and recorder.foreign == [] and recorder.failed == [], vars(recorder)


def test_controls_are_reachable_and_operable_by_keyboard(page: tuple[Any, Recorder], server: str) -> None:
    """Tab alone reaches every sort button and filter; Enter and Space sort, Enter opens evidence."""
    tab, _ = page
    tab.goto(server + "reports/projection-ner-low-resource.html")
    total = tab.eval_on_selector_all(
        "#claims-table button.lr-sort, #claims-table button.lr-expand, form.lr-filters input, "
        "form.lr-filters select, form.lr-filters button, button.lr-expand-all",
        "els => { els.forEach((e, i) => { e.dataset.kb = String(i); }); return els.length; }",
    )
    reached: set[str] = set()
    for _ in range(250):
        tab.keyboard.press("Tab")
        reached.add(tab.evaluate("() => (document.activeElement && document.activeElement.dataset.kb) || ''"))
        if len(reached - {""}) == total:
            break
    assert total >= 6 + 6 + 6 and len(reached - {""}) == total, (total, sorted(reached))

    tab.goto(server + "index.html")
    score = tab.locator("#reports-table thead th", has_text="Score")
    for _ in range(80):
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement.textContent.trim() === 'Score'"):
            break
    focused = tab.evaluate(
        "() => [document.activeElement.tagName, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused[0] == "BUTTON" and focused[1] != "none", focused  # a visible focus ring
    tab.keyboard.press("Enter")
    assert score.get_attribute("aria-sort") == "ascending"
    assert visible_titles(tab)[0] == "Zero-shot transfer draft"
    tab.keyboard.press("Space")
    assert score.get_attribute("aria-sort") == "descending"
    assert visible_titles(tab)[0].startswith("Projection-Based")
    assert "Sorted by Score, descending." in tab.locator('.lr-count[data-table="reports-table"]').inner_text()


def test_downloads_return_200(page: tuple[Any, Recorder], server: str, site: Path) -> None:
    """The report page's PDF, .bib and JSON links, fetched by the browser; the PDF link really downloads."""
    tab, _ = page
    tab.goto(server + "reports/projection-ner-low-resource.html")
    links = tab.locator(".lr-downloads a[download]")
    assert links.all_inner_texts() == ["PDF", "BibTeX (.bib)", "JSON manifest"]
    fetched = tab.evaluate(
        "async () => Promise.all([...document.querySelectorAll('.lr-downloads a[download]')].map(async a => {"
        " const r = await fetch(a.href); return [a.href, r.status, r.headers.get('content-type'), await r.text()]; }))"
    )
    by_ext = {href.rsplit(".", 1)[1]: (status, kind, body) for href, status, kind, body in fetched}
    assert {ext: v[0] for ext, v in by_ext.items()} == {"pdf": 200, "bib": 200, "json": 200}
    assert by_ext["bib"][2] == BIB and by_ext["pdf"][1] == "application/pdf"
    assert all(href.startswith(server + "downloads/") for href, *_ in fetched)
    with tab.expect_download() as info:
        links.first.click()
    download = info.value
    assert download.suggested_filename == "projection-ner-low-resource.pdf"
    assert Path(download.path()).read_bytes() == (site / "downloads/projection-ner-low-resource.pdf").read_bytes()
    tab.goto(server + "index.html")
    href = tab.locator("#reports-table a[download]").first.get_attribute("href")
    assert tab.request.get(server + href).status == 200


def test_missing_page_under_the_subpath_gets_a_styled_404(browser: Any, server: str) -> None:
    """`site_url` makes either engine write the 404 page's links under the subpath, so it is styled at any depth."""
    context = browser.new_context()
    tab = context.new_page()
    recorder = Recorder(tab, server)
    response = tab.goto(server + "reports/no/such/page.html")
    assert response is not None and response.status == 404
    assert "404" in tab.locator("article").inner_text()
    assert tab.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    context.close()
    assert recorder.failed == [f"{server}reports/no/such/page.html: HTTP 404"], recorder.failed
    assert recorder.errors in ([], ["Failed to load resource: the server responded with a status of 404 (Not Found)"])
    assert recorder.foreign == []


def settle(tab: Any) -> None:
    """Back to the top, and wait until the header's fade between site name and page title has finished.

    Clicking scrolls the page, which starts Material's header transition; axe measuring contrast halfway
    through a fade would report a colour nobody sees for more than a quarter of a second.
    """
    tab.evaluate("() => window.scrollTo(0, 0)")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('[data-md-component=header-topic]')]"
        ".every(e => ['0', '1'].includes(getComputedStyle(e).opacity))"
    )
    tab.wait_for_timeout(300)  # the transform half of the same transition has no end state to poll for


def axe_problems(tab: Any) -> tuple[list[str], int]:
    """axe-core's serious and critical violations on the current page, and how many rules passed."""
    results = axe_module.Axe().run(tab, options={"resultTypes": ["violations"]}).response
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]
    return problems, len(results["passes"])


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("light", 390)])
def test_axe_finds_no_serious_or_critical_violation(browser: Any, server: str, scheme: str, width: int) -> None:
    """Every page type, with every evidence row open, in the light and dark palettes and on a phone."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    recorder = Recorder(tab, server)
    problems = {}
    for name, path in PAGE_TYPES.items():
        tab.goto(server + path)
        expand_all = tab.locator("button.lr-expand-all")
        if expand_all.count():
            expand_all.click()
        settle(tab)
        # The pointer rests on a download button, so axe also sees their hover style (where the pointer lands
        # otherwise depends on the layout).
        downloads = tab.locator(".lr-downloads .md-button")
        if downloads.count():
            downloads.first.hover()
            tab.wait_for_timeout(300)  # Material's colour transition on buttons lasts 125 ms
        found, passed = axe_problems(tab)
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
        assert passed > 20, f"axe ran only {passed} rules on {path}"
        if found:
            problems[name] = found
    context.close()
    assert problems == {}, problems
    assert recorder.errors == [] and recorder.foreign == [] and recorder.failed == [], vars(recorder)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_of_every_page_type(
    page: tuple[Any, Recorder], server: str, browser: Any, site_engine: str
) -> None:
    """build/screenshots/<type>.png for review (a report with one claim's evidence open), plus dark and phone;
    Zensical's site's in build/screenshots/zensical/."""
    tab, _ = page
    shots = SHOTS if site_engine == "mkdocs" else SHOTS / site_engine
    shots.mkdir(parents=True, exist_ok=True)
    for name, path in PAGE_TYPES.items():
        target = shots / f"{name}.png"
        target.unlink(missing_ok=True)
        tab.goto(server + path)
        if name == "report":
            tab.locator("#claim-C1 button.lr-expand").click()
        tab.evaluate("() => window.scrollTo(0, 0)")
        tab.screenshot(path=str(target), full_page=True)
        width, height = png_size(target)
        assert width == 1280 and height >= 900, (name, width, height)
    for suffix, options in (("dark", {"color_scheme": "dark"}), ("phone", {"viewport": {"width": 390, "height": 844}})):
        context = browser.new_context(**options)
        other = context.new_page()
        other.goto(server + PAGE_TYPES["report"])
        other.screenshot(path=str(shots / f"report-{suffix}.png"), full_page=True)
        context.close()
        assert png_size(shots / f"report-{suffix}.png")[1] > 900
    assert png_size(shots / "report-phone.png")[0] == 390  # nothing widens the page on a phone
