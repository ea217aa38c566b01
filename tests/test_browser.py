"""The built site in a real browser: Debian chromium driven by Playwright against a server on 127.0.0.1.

Checks what only a browser can: the home table sorts and filters, the claims table filters to verified
claims and a row expands to its evidence, the search box finds a report by a word of one of its claims
(over HTTP and from file://), no console errors, and no request to any host but the local server.
Skipped, with the reason, when chromium or the playwright package is not installed (never downloads one).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import make_draft_report, make_report

from builder.render.plots import make_plots
from builder.render.site import build_site, write_docs

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WORD = "heterotopical"  # in one claim of the draft report only


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    good = make_report()
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
        (docs / "downloads" / f"{report.slug}.pdf").write_bytes(b"%PDF-1.4\n")
        downloads[report.slug] = {"pdf": f"downloads/{report.slug}.pdf"}
    plots = {r.slug: make_plots(r, root / "plots") for r in reports}
    write_docs(reports, docs, downloads, plots)
    build_site(docs, root / "site", config=ROOT / "mkdocs.yml")
    return root / "site"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Recorder:
    """Console errors, page errors and requests to anything but the local server or file://."""

    def __init__(self, page: Any, base: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith((base, "file://", "data:", "blob:", "about:"))
                else self.foreign.append(r.url))


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[tuple[Any, Recorder]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    recorder = Recorder(tab, server)
    yield tab, recorder
    context.close()
    assert recorder.errors == [], recorder.errors
    assert recorder.foreign == [], recorder.foreign


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
    tab.get_by_role("button", name="Clear filters").click()
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
    assert "Rationale:" in evidence.inner_text()
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


def search(tab: Any, word: str) -> list[str]:
    tab.locator("label.md-search__icon, .md-search__input").first.click()
    tab.locator(".md-search__input").press_sequentially(word, delay=20)  # Material listens to key events
    tab.wait_for_selector(".md-search-result__item a", timeout=15_000)
    return tab.eval_on_selector_all(".md-search-result__item a", "as => as.map(a => a.getAttribute('href'))")


def test_search_finds_a_report_by_a_word_of_its_claim(page: tuple[Any, Recorder], server: str) -> None:
    tab, _ = page
    tab.goto(server + "index.html")
    hrefs = search(tab, WORD)
    assert any("reports/draft-report.html" in h for h in hrefs), hrefs
    assert not any("projection-ner-low-resource" in h for h in hrefs), hrefs


def test_search_works_from_file_url(browser: Any, site: Path) -> None:
    """Opened straight from disk: the offline index and the vendored worker shim make search work."""
    context = browser.new_context()
    tab = context.new_page()
    recorder = Recorder(tab, "file://")
    tab.goto((site / "index.html").as_uri())
    hrefs = search(tab, WORD)
    assert any("draft-report.html" in h for h in hrefs), hrefs
    context.close()
    assert recorder.foreign == []
