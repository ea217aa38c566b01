"""An RLO in an author name, rendered by headless Chromium (issue 16, fault 7): cleaned at the store's door it
reverses only the name; raw, as it used to reach the page, it reverses the rest of the reference, arXiv id
included. The order is measured, not assumed: the x position of each character of the id as laid out.
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from factories import make_report

from builder.hygiene import clean_text
from builder.render.site import build_site, write_docs

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("chromium is not installed (make browser-deps)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
ROOT = Path(__file__).resolve().parents[1]

POSITIONS = """(needle) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const xs = [];
    for (let k = 0; k < needle.length; k++) {
      const range = document.createRange();
      range.setStart(node, at + k);
      range.setEnd(node, at + k + 1);
      xs.push(range.getBoundingClientRect().left);
    }
    found.push(xs);
  }
  return found;
}"""


def _laid_out_in_order(page: Any, needle: str) -> list[bool]:
    return [all(a < b for a, b in pairwise(xs)) for xs in page.evaluate(POSITIONS, needle)]


def test_an_override_in_a_name_stays_inside_the_name(tmp_path: Path, site_engine: str) -> None:
    report = make_report()
    clean_paper = dataclasses.replace(report.papers[1], authors=(clean_text("Evil \u202eOverride Name"),))
    raw_paper = dataclasses.replace(report.papers[2], authors=("Evil \u202eOverride Name",))  # never cleaned
    report = dataclasses.replace(report, papers=(report.papers[0], clean_paper, raw_paper, *report.papers[3:]))
    docs = tmp_path / "docs"
    index = write_docs([report], docs, {report.slug: {}}, {report.slug: []})
    site = tmp_path / "site"
    build_site(docs, site, nav=index.nav, site_url="http://127.0.0.1/", config=ROOT / "mkdocs.yml", engine=site_engine)
    page_path = site / "reports" / f"{report.slug}.html"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            clean_order = _laid_out_in_order(page, f"arXiv:{clean_paper.versioned_id}")
            raw_order = _laid_out_in_order(page, f"arXiv:{raw_paper.versioned_id}")
        finally:
            browser.close()
    assert clean_order and all(clean_order), clean_order  # the cleaned name's reference reads left to right
    assert raw_order and not any(raw_order), raw_order  # the control: raw, the id is laid out reversed
