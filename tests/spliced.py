"""The pages as the engine would read them if nothing were spliced (`builder.render.site.markdown.Spliced`).

Written apart from the builder's `place_splices`, so that a test comparing the two checks one against the other.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def inlined(docs: Path, to: Path) -> Path:
    """A copy of `docs` at `to` with each spliced block written into its page in place of its marker."""
    shutil.copytree(docs, to)
    splices = to / "_splices"
    for block in sorted(splices.rglob("*.html")):
        page = to / f"{block.parent.relative_to(splices).as_posix()}.md"
        text, mark = page.read_text(encoding="utf-8"), f'<div data-lr-splice="{block.stem}"></div>'
        assert text.count(mark) == 1, (page, mark)
        page.write_text(text.replace(mark, block.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.rmtree(splices, ignore_errors=True)
    return to
