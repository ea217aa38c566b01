"""The build's cache: one fingerprint for every key, and one report's outputs per key in a folder of its own.

`build/.cache/reports/<slug>/<key>/` holds a report's PDF, .tex, .bib, .json, plots and its pickled `Report`;
`<key>` is `report_key`, a fingerprint of everything the report depends on. An entry is written in a temporary
folder beside it and renamed into place only when every file is written (`CacheEntry.write`), so a folder
without `done` is never read and a killed build leaves only a `*.tmp*` folder, which the next build removes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.gather.lock import lock_path
from builder.papers import PaperStore, atomic_write_bytes
from builder.settings import ProjectSettings
from builder.spec import LoadedSpec

if TYPE_CHECKING:
    from builder.models import Report
    from builder.render.plots import PlotFile

PACKAGE_DIR = Path(__file__).resolve().parent
DONE = "done"
REPORT_FILE = "report.pickle"
SUMMARY_FILE = "summary.json"  # what a build prints of a cached report, so it need not unpickle the report


# --- fingerprints -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """Every file under `root` (none when it is not a folder), by relative path and content."""

    root: Path
    skip: str | None = None  # a folder name left out wherever it occurs, e.g. "__pycache__"

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.rglob("*") if p.is_file()]
        return sorted(p for p in found if self.skip is None or self.skip not in p.relative_to(self.root).parts)

    def fingerprint(self) -> str:
        """The fingerprint of each file's relative path and bytes, in path order."""
        return fingerprint(*(x for f in self.files() for x in (str(f.relative_to(self.root)), b"\0", f, b"\0")))


Part = str | bytes | Path | Tree


def walk_relative(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(root)`, each folder given as its POSIX path relative to `root` with a trailing slash ("" for `root`
    itself), so a name found there is `prefix + name`: thousands of files listed without a Path object each."""
    for folder, subfolders, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        yield ("" if relative == "." else relative.replace(os.sep, "/") + "/"), subfolders, files


def fingerprint(*parts: Part, length: int | None = None) -> str:
    """SHA-256 (hex, cut to `length`) of the parts in order: a str by its UTF-8 bytes, bytes as they are, a Path
    by its file's bytes (nothing when there is no such file), a Tree by its own fingerprint (as hex text).
    Every key of the build is made here: report keys, the source, the site and the publish key."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Tree):
            data = part.fingerprint().encode()
        elif isinstance(part, Path):
            data = part.read_bytes() if part.is_file() else b""
        else:
            data = part.encode() if isinstance(part, str) else part
        digest.update(data)
    return digest.hexdigest()[:length]


def templates_dir(settings: ProjectSettings) -> Path:
    """The project's LaTeX templates (`latex/`), else the ones beside the package."""
    own = settings.root / "latex"
    return own if own.is_dir() else PACKAGE_DIR.parent / "latex"


def source_fingerprint(settings: ProjectSettings) -> str:
    """Builder code, model files and LaTeX templates: a change to any rebuilds every report."""
    return fingerprint(__version__, Tree(PACKAGE_DIR, skip="__pycache__"), Tree(templates_dir(settings)))


def report_key(loaded: LoadedSpec, ids: list[str], settings: ProjectSettings, source_hash: str) -> str:
    """What one report is a function of: the builder (`source_hash`), the spec's bytes, its author, the verifier,
    its lock, and each paper's id and store file."""
    store = PaperStore(settings.store_dir)
    papers = (x for i in ids for x in (i, store.fingerprint(i) if store.has(i) else b""))
    return fingerprint(
        source_hash,
        loaded.path.read_bytes(),
        loaded.author,
        settings.verifier,
        lock_path(settings.store_dir, loaded.slug),
        *papers,
        length=20,
    )


# --- entries ------------------------------------------------------------------------------------------------


def reports_cache(out: Path) -> Path:
    """Where an output folder keeps its reports' cache entries."""
    return out / ".cache" / "reports"


_LOADED: dict[Path, tuple[tuple[int, int, int], tuple[Report, list[PlotFile]]]] = {}  # CacheEntry.load's


def forget_loaded() -> None:
    """Let go of the reports `CacheEntry.load` kept: once the pages are written the build needs none of them."""
    _LOADED.clear()


@dataclass(frozen=True)
class CacheEntry:
    """One report's outputs for one key: `<cache>/<slug>/<key>/`, complete once it holds `done`."""

    path: Path

    @classmethod
    def of(cls, cache_root: Path, slug: str, key: str) -> CacheEntry:
        return cls(cache_root / slug / key)

    @property
    def done(self) -> bool:
        return (self.path / DONE).is_file()

    def load(self) -> tuple[Report, list[PlotFile]]:
        """The Report and its plots; plot paths are re-anchored here, since entries move (rename, merge).

        A build reads each entry twice (the report's outcome, then the publishing), so what a file gave is kept for
        the process, by the file's path, size, mtime and inode; the models are frozen, so sharing them is safe."""
        file = self.path / REPORT_FILE
        stat = file.stat()
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        kept = _LOADED.get(file)
        if kept is None or kept[0] != stamp:
            with file.open("rb") as handle:
                kept = _LOADED[file] = (stamp, pickle.load(handle))
        report, plots = kept[1]
        return report, [replace(p, svg_path=self.path / "plots" / p.svg_path.name) for p in plots]

    def summary(self) -> dict:
        """What the build's outcome line shows of the report: `warnings`, `gate_passed` and `score`, read from
        `SUMMARY_FILE` (0.05 ms against 0.8 ms for the whole report: a build where nothing changed reads nothing
        else of 1,000 reports); from the report itself for an entry written before it existed."""
        try:
            data = json.loads((self.path / SUMMARY_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict) and {"warnings", "gate_passed", "score"} <= data.keys():
                return data
        except (OSError, ValueError):
            pass
        report, _ = self.load()
        return summarise(report)

    def write(self, fill: Callable[[Path], tuple[Report, list[PlotFile]]]) -> None:
        """`fill` writes the report's files into a fresh temporary folder and returns what they show; only when it
        succeeds is the folder marked done and renamed into place, and the report's older keys removed."""
        work = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            report, plots = fill(work)
            with (work / REPORT_FILE).open("wb") as handle:
                pickle.dump((report, plots), handle)
            (work / SUMMARY_FILE).write_text(json.dumps(summarise(report)), encoding="utf-8")
            (work / DONE).write_text("ok\n")
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        # Commit: one rename; the older keys of this report are stale now.
        shutil.rmtree(self.path, ignore_errors=True)
        os.replace(work, self.path)
        for stale in self.path.parent.iterdir():
            if stale != self.path and ".tmp" not in stale.name:
                shutil.rmtree(stale, ignore_errors=True)


def summarise(report: Report) -> dict:
    return {"warnings": list(report.warnings), "gate_passed": report.review.gate_passed, "score": report.review.score}


def last_good(slug_dir: Path) -> Path | None:
    """The report's most recent complete cache folder, if any."""
    if not slug_dir.is_dir():
        return None
    done = [d for d in slug_dir.iterdir() if (d / DONE).is_file()]
    return max(done, key=lambda d: (d / DONE).stat().st_mtime_ns) if done else None


def prune(cache_root: Path, live: set[str]) -> None:
    """A deleted spec's cached outputs go with it."""
    if cache_root.is_dir():
        for entry in cache_root.iterdir():
            if entry.name not in live:
                shutil.rmtree(entry, ignore_errors=True)


def remove_temporaries(cache_root: Path) -> None:
    """The temporary folders of entries a killed build was writing."""
    if cache_root.is_dir():
        for tmp in cache_root.glob("*/*.tmp*"):
            shutil.rmtree(tmp, ignore_errors=True)


def link_or_copy(src: Path, dst: Path) -> None:
    """`dst` as a hard link to `src` where the file system allows, else a copy. Safe for a cache entry's files,
    which are never written again once the entry is committed. `dst`'s folder is made when it is missing (tried
    after the link: thousands of files go into a few folders). A file already at `dst` is replaced, never written
    into: it may itself be a link to a cache's file."""
    try:
        os.link(src, dst)
        return
    except FileNotFoundError:
        if not src.exists():
            raise
        dst.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        dst.unlink()
    except OSError:
        pass
    try:
        os.link(src, dst)
    except OSError:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.unlink(missing_ok=True)
        shutil.copy2(src, dst)


VERDICTS = "verdicts"  # under build/.cache/: each report's last verdicts, one folder per report (`VerdictMemo`)


def verdicts_cache(out: Path) -> Path:
    """Where an output folder keeps each report's last verdicts (`VerdictMemo`)."""
    return out / ".cache" / VERDICTS


@dataclass(frozen=True)
class VerdictMemo:
    """A report's last verdicts, kept by what they are a function of: its claims, its papers and the threshold, with
    the builder and the verifier (`salt`). A spec edit that changes none of them (its title, its date) builds the
    report again without verifying again; any other edit misses. One file per report, `<folder>/memo.pickle`."""

    folder: Path
    salt: str

    def key(self, claims: object, papers: object, threshold: float) -> str:
        data = pickle.dumps((claims, papers, threshold), protocol=5)
        return hashlib.sha256(self.salt.encode("utf-8") + data).hexdigest()

    def get(self, key: str) -> object | None:
        try:
            with (self.folder / "memo.pickle").open("rb") as handle:
                kept = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
            return None
        return kept.get("verdicts") if isinstance(kept, dict) and kept.get("key") == key else None

    def put(self, key: str, verdicts: object) -> None:
        atomic_write_bytes(self.folder / "memo.pickle", pickle.dumps({"key": key, "verdicts": verdicts}, protocol=5))


SPECS = "specs.pickle"  # under build/.cache/: the specs as validated, by their bytes (`SpecMemo`)


class SpecMemo:
    """Each spec as `load_spec` validated it, kept by its file's bytes, with the builder's source hash (`salt`): a
    spec unchanged since the last build is not parsed and validated again (0.1 s for 200 specs, in every build
    that changed one). Only valid specs are kept; an invalid one meets `load_spec` again and its errors. `save`
    keeps the specs this build asked for. A file that does not load is an empty memo."""

    def __init__(self, path: Path, salt: str) -> None:
        from importlib.metadata import version

        self.path = path
        # The schema is in the builder's source; the parser and validator are these packages.
        self.salt = f"{salt}|pydantic {version('pydantic')}|PyYAML {version('PyYAML')}"
        self.entries: dict[tuple[str, str], tuple[bytes, LoadedSpec]] = {}
        self.used: dict[tuple[str, str], tuple[bytes, LoadedSpec]] = {}
        self.missed = False
        try:
            salt_kept, entries = pickle.loads(path.read_bytes())
        except Exception:  # missing, cut short by a kill, or from another version: only misses
            return
        if salt_kept == self.salt and isinstance(entries, dict):
            self.entries = entries

    def load(self, spec_path: Path, default_author: str) -> LoadedSpec:
        """`load_spec(spec_path, default_author)`, from the memo when the file's bytes are those it validated."""
        from builder.spec import MAX_SPEC_BYTES, load_spec

        try:
            with spec_path.open("rb") as handle:
                raw = handle.read(MAX_SPEC_BYTES + 1)
        except OSError:
            return load_spec(spec_path, default_author)  # which says what is wrong with the file
        key = (str(spec_path), default_author)
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        kept = self.entries.get(key)
        if kept is not None and kept[0] == digest:
            self.used[key] = kept
            return kept[1]
        loaded = load_spec(spec_path, default_author)
        self.missed = True
        try:
            with spec_path.open("rb") as handle:
                unchanged = handle.read(MAX_SPEC_BYTES + 1) == raw  # not edited while it was being read
        except OSError:
            unchanged = False
        if unchanged:
            self.used[key] = (digest, loaded)
        return loaded

    def save(self) -> None:
        if not self.missed and self.used.keys() == self.entries.keys():
            return
        atomic_write_bytes(self.path, pickle.dumps((self.salt, self.used), protocol=pickle.HIGHEST_PROTOCOL))
