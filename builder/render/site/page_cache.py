"""The Markdown of report pages, kept between builds: a page whose model is unchanged is not rendered again.

The home, all-claims and papers pages' rows are kept the same way in chunks, one per report or paper (`pages.py`).

Rendering a report page's templates was most of writing the site's pages (0.5 of 0.8 s for 60 reports, issue 17),
and after one spec changed all but one page come out the same. A page is a function of its model
(`model.ReportPage`: the report, its downloads and its figures) and of the builder's code and templates, so its key
is a hash of the pickled model and of `salt` (the builder's source hash); a page whose key is unchanged is read
back instead. A stale file can only miss: its key no longer matches. Pickling a report costs more than reading its
page back (0.2 s for 200 reports), so a caller that knows a cheaper value that changes whenever the model does (the
name of the report's cache entry, with the page's downloads and figures) passes it as the key's stand-in.

Each kept text is a file of its own, `<page hash>.<key>.<size in bytes>.md`, holding exactly the text, so a report
page is hard-linked into the docs folder rather than written there (`place`): creating 200 files cost a tenth of a
second of a one-report rebuild among 200, linking them a hundredth, and the site engine's sync then sees the same
file it linked last time without reading it. A file is written once under its final name (a rename), never again,
as a cache entry's files are, so sharing it by a link is safe; one whose size is not the one in its name (cut short)
is not used.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from builder.cache import link_or_copy

Model = TypeVar("Model")
SUFFIX = ".md"


class PageCache:
    """The kept texts under `folder`, one file each; `prune` drops those this build did not ask for."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt.encode("utf-8")
        self.used: set[str] = set()
        self.hits = 0
        # (page hash, key) -> the file's name; one listing instead of a lookup per page.
        self.kept: dict[tuple[str, str], str] = {}
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        for name in names:
            parts = name.split(".")
            if len(parts) == 4 and "." + parts[3] == SUFFIX and parts[2].isdigit():
                self.kept[(parts[0], parts[1])] = name

    def text(self, page: str, model: Model, render: Callable[[Model], str], stand_in: object = None) -> str:
        """`render(model)`, or the text it gave last time for an equal `model` (an equal `stand_in`, when one is
        given: a value that changes whenever the model does); `page` names the text."""
        ids = self._ids(page, model, stand_in)
        path = self._kept(ids)
        if path is not None:
            try:
                data = path.read_bytes()
                if len(data) == _size(path.name):
                    self.hits += 1
                    return data.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                pass
        text = render(model)
        self._keep(ids, text)
        return text

    def place(
        self, page: str, model: Model, render: Callable[[Model], str], target: Path, stand_in: object = None
    ) -> None:
        """What `text` would return, at `target` (which must not exist): a hard link to the kept file where the
        disk allows."""
        ids = self._ids(page, model, stand_in)
        path = self._kept(ids)
        if path is not None:
            try:
                if path.stat().st_size == _size(path.name):
                    link_or_copy(path, target)
                    self.hits += 1
                    return
            except OSError:
                pass
        link_or_copy(self._keep(ids, render(model)), target)

    def prune(self) -> None:
        """Remove the files this build did not ask for (a report removed or renamed, a text changed)."""
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in self.used:
                    path.unlink(missing_ok=True)

    def _ids(self, page: str, model: object, stand_in: object) -> tuple[str, str]:
        keyed = model if stand_in is None else ("stand-in", stand_in)
        key = hashlib.sha256(self.salt + pickle.dumps(keyed, protocol=5)).hexdigest()[:40]
        return hashlib.sha256(page.encode("utf-8")).hexdigest()[:32], key

    def _kept(self, ids: tuple[str, str]) -> Path | None:
        """The kept file for this page and key, if there is one; marked as used."""
        name = self.kept.get(ids)
        if name is None:
            return None
        self.used.add(name)
        return self.folder / name

    def _keep(self, ids: tuple[str, str], text: str) -> Path:
        data = text.encode("utf-8")
        name = f"{ids[0]}.{ids[1]}.{len(data)}{SUFFIX}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, path)  # a new file under the name: one linked before keeps its bytes
        self.kept[ids] = name
        self.used.add(name)
        return path


def _size(name: str) -> int:
    return int(name.split(".")[2])
