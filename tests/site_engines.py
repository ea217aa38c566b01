"""What differs between the two site engines, for tests that read a built site: where the search index is."""

from __future__ import annotations

import json
from pathlib import Path

# Where each engine writes the search index: the JSON, and the same index as a script, for search from file://.
SEARCH_INDEX = {
    "mkdocs": ("search/search_index.json", "search/search_index.js"),
    "zensical": ("search.json", "search.js"),
}


def search_documents(site: Path, engine: str) -> list[dict[str, object]]:
    """The search index's entries (each with its `location` and `text`): MkDocs' `docs`, Zensical's `items`."""
    index = json.loads((site / SEARCH_INDEX[engine][0]).read_text(encoding="utf-8"))
    return list(index["docs"] if engine == "mkdocs" else index["items"])
