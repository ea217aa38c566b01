"""The Markdown of report pages, kept between builds: a page whose model is unchanged is not rendered again.

The all-claims page is kept the same way in chunks, one per report (`pages.claims_markdown`).

Rendering a report page's templates was most of writing the site's pages (0.5 of 0.8 s for 60 reports, issue 17),
and after one spec changed all but one page come out the same. A page is a function of its model
(`model.ReportPage`: the report, its downloads and its figures) and of the builder's code and templates, so its key
is a hash of the pickled model and of `salt` (the builder's source hash); a page whose key is unchanged is read
back instead. A stale file can only miss: its key no longer matches. Pickling a report costs more than reading its
page back (0.2 s for 200 reports), so a caller that knows a cheaper value that changes whenever the model does (the
name of the report's cache entry, with the page's downloads and figures) passes it as the key's stand-in.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

Model = TypeVar("Model")


class PageCache:
    """One JSON file per page (`{"key": ..., "markdown": ...}`) under `folder`; `prune` drops pages not asked for."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt.encode("utf-8")
        self.used: set[str] = set()
        self.hits = 0

    def text(self, page: str, model: Model, render: Callable[[Model], str], stand_in: object = None) -> str:
        """`render(model)`, or the text it gave last time for an equal `model` (an equal `stand_in`, when one is
        given: a value that changes whenever the model does); `page` names the text."""
        keyed = model if stand_in is None else ("stand-in", stand_in)
        key = hashlib.sha256(self.salt + pickle.dumps(keyed, protocol=5)).hexdigest()
        name = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32] + ".json"
        self.used.add(name)
        path = self.folder / name
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached.get("key") == key and isinstance(cached.get("markdown"), str):
                self.hits += 1
                return cached["markdown"]
        except (OSError, ValueError, AttributeError):
            pass
        text = render(model)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"key": key, "markdown": text}, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
        return text

    def prune(self) -> None:
        """Remove the files of pages this build did not write (a report removed or renamed)."""
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in self.used:
                    path.unlink(missing_ok=True)
