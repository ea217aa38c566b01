"""Golden outputs, in the style of Pelican's output tests: one fixture report rendered to .tex, .json, .bib and
the site's Markdown pages, compared byte for byte with the files under tests/golden/.

A renderer change shows up here as a diff a reviewer can read. When the change is intended, regenerate with
`UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and commit the new files with the change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from factories import make_report

from builder.render.bibtex import render_bibtex
from builder.render.latex import render_tex
from builder.render.manifest import render_json
from builder.render.site import splices, write_docs

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _outputs(tmp: Path) -> dict[str, str]:
    report = make_report()
    docs = tmp / "docs"
    write_docs([report], docs, {report.slug: {"pdf": f"downloads/{report.slug}.pdf"}}, {})
    splices.inline(docs)  # the pages with their tables in them, as the built pages show them
    pages = {
        f"docs/{path.relative_to(docs).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(docs.rglob("*.md"))
    }
    return {
        f"{report.slug}.tex": render_tex(report),
        f"{report.slug}.json": render_json(report),
        f"{report.slug}.bib": render_bibtex(report.papers, report.bib_keys),
        **pages,
    }


def test_outputs_match_the_golden_files(tmp_path: Path) -> None:
    outputs = _outputs(tmp_path)
    if UPDATE:
        for name, text in outputs.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert expected == set(outputs), "golden files and outputs differ in name: run with UPDATE_GOLDEN=1"
    for name, text in outputs.items():
        golden = (GOLDEN / name).read_text(encoding="utf-8")
        if golden != text:
            diff = "".join(
                difflib.unified_diff(golden.splitlines(True), text.splitlines(True), f"golden/{name}", name, n=2)
            )
            pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff[:4000]}")
