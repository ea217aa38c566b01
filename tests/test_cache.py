"""Cache keys and cache entries (builder/cache.py, the keys of builder/publish.py), without building anything.

Each key must change when an input it stands for changes (a spec, a paper, a lock, the builder's source or
templates, the verifier, the site's pages or config, a report's failure) and must not change for anything else
(another report's spec, paper or lock, a paper no report uses, bytes rewritten unchanged, compiled Python).
A cache entry appears only whole: a writer that fails leaves nothing, and the previous entry stays readable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from factories import make_report
from test_pipeline import _project

import builder.cache as cache
from builder.build import BuildContext, ReportOutcome, locate
from builder.cache import CacheEntry, Tree, fingerprint, last_good, report_key, source_fingerprint
from builder.gather.lock import Lock, LockedPaper, lock_path, write_lock
from builder.publish import publish_key, site_key
from builder.settings import ProjectSettings, load_settings
from builder.spec import load_spec

SPEC_A = """title: Alpha
date: 2026-06-27
question: Does projection-based data transfer help cross-lingual NER in low-resource languages?
primary: 2501.18750
papers: [2106.09063]
"""
SPEC_B = """title: Beta
date: 2026-06-27
question: Does unlabeled target-language data help cross-lingual NER?
primary: 2403.20056
papers: [2003.11080]
"""
UNUSED_PAPER = "1707.02483"  # in the store, in neither spec


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path, {"a.yaml": SPEC_A, "b.yaml": SPEC_B})


def keys(project: Path, source: str = "source") -> dict[str, str]:
    """Each report's key, as the build computes it."""
    settings = load_settings(project)
    ctx = BuildContext(settings, project / "build" / ".cache" / "reports", source)
    return {slug: locate(settings.reports_dir / f"{slug}.yaml", ctx)[2].path.name for slug in ("a", "b")}


def append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


def write_a_lock(project: Path, slug: str, notes: tuple[str, ...] = ()) -> None:
    settings = load_settings(project)
    loaded = load_spec(settings.reports_dir / f"{slug}.yaml", settings.default_author)
    papers = tuple(LockedPaper(i, None) for i in loaded.paper_ids)
    write_lock(settings.store_dir, Lock(report=slug, papers=papers, notes=notes))


CHANGES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    # what is changed: (the change, the reports whose key must change)
    "a comment in spec a": (lambda p: append(p / "reports" / "a.yaml", "# reviewed\n"), {"a"}),
    "spec b's title": (
        lambda p: (p / "reports" / "b.yaml").write_text(SPEC_B.replace("Beta", "Beta 2"), encoding="utf-8"),
        {"b"},
    ),
    "a paper of a": (lambda p: append(p / "store" / "papers" / "2106.09063.json", "\n"), {"a"}),
    "a's primary paper": (lambda p: append(p / "store" / "papers" / "2501.18750.json", " "), {"a"}),
    "a paper no report uses": (lambda p: append(p / "store" / "papers" / f"{UNUSED_PAPER}.json", "\n"), set()),
    "a new lock for b": (lambda p: write_a_lock(p, "b"), {"b"}),
    "a spec rewritten with the same bytes": (
        lambda p: (p / "reports" / "a.yaml").write_bytes((p / "reports" / "a.yaml").read_bytes()),
        set(),
    ),
    "a new spec c": (lambda p: (p / "reports" / "c.yaml").write_text(SPEC_B, encoding="utf-8"), set()),
    "the project's README": (lambda p: (p / "README.md").write_text("notes\n", encoding="utf-8"), set()),
    "the mkdocs config": (lambda p: append(p / "mkdocs.yml", "\n# more\n"), set()),  # the site's key, not a report's
    "the verifier": (
        lambda p: (p / "pyproject.toml").write_text(
            (p / "pyproject.toml").read_text(encoding="utf-8").replace('verifier = "lexical"', 'verifier = "embed"'),
            encoding="utf-8",
        ),
        {"a", "b"},
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_report_key_changes_with_its_own_inputs_only(project: Path, change: str) -> None:
    apply, affected = CHANGES[change]
    before = keys(project)
    assert before == keys(project)  # stable
    assert all(len(key) == 20 for key in before.values())
    apply(project)
    after = keys(project)
    assert {slug for slug in before if before[slug] != after[slug]} == affected


def test_a_changed_lock_changes_only_its_reports_key(project: Path) -> None:
    write_a_lock(project, "a")
    before = keys(project)
    write_a_lock(project, "a", notes=("2106.09063: the PDF could not be read",))
    after = keys(project)
    assert after["a"] != before["a"] and after["b"] == before["b"]
    lock_path(project / "store", "a").unlink()
    assert keys(project)["a"] not in (before["a"], after["a"])


def test_a_changed_builder_changes_every_key(project: Path) -> None:
    before = keys(project, source="one")
    after = keys(project, source="two")
    assert all(before[slug] != after[slug] for slug in before)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the builder's own folder, so its source can be edited."""
    package = tmp_path / "checkout" / "builder"
    (package / "__pycache__").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    return package


def test_the_source_fingerprint_covers_code_models_and_templates_but_not_compiled_python(
    tmp_path: Path, package: Path
) -> None:
    project = tmp_path / "project"
    (project / "latex").mkdir(parents=True)
    (project / "latex" / "report.tex").write_text("\\documentclass{article}\n")
    settings = ProjectSettings(root=project)
    start = source_fingerprint(settings)
    assert source_fingerprint(settings) == start

    (package / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"more compiled")
    (project / "README.md").write_text("unrelated\n")
    assert source_fingerprint(settings) == start

    seen = {start}
    for change in (
        lambda: (package / "a.py").write_text("A = 2\n"),
        lambda: (package / "model.json").write_text("{}\n"),  # a model file beside the code
        lambda: (project / "latex" / "report.tex").write_text("\\documentclass{report}\n"),
        lambda: (project / "latex" / "report.tex").rename(project / "latex" / "main.tex"),  # names count too
    ):
        change()
        now = source_fingerprint(settings)
        assert now not in seen
        seen.add(now)


def test_without_its_own_templates_a_project_uses_the_ones_beside_the_package(tmp_path: Path, package: Path) -> None:
    settings = ProjectSettings(root=tmp_path / "project")
    assert cache.templates_dir(settings) == package.parent / "latex"
    start = source_fingerprint(settings)
    (package.parent / "latex").mkdir()
    (package.parent / "latex" / "report.tex").write_text("x\n")
    assert source_fingerprint(settings) != start


def test_fingerprint_reads_strings_bytes_files_and_trees(tmp_path: Path) -> None:
    assert fingerprint("ab") == fingerprint(b"a", "b") == fingerprint("a", b"b")
    assert fingerprint("ab", length=20) == fingerprint("ab")[:20]
    missing = tmp_path / "missing.json"
    assert fingerprint("x", missing) == fingerprint("x")  # an optional file that is not there adds nothing
    missing.write_text("")
    assert fingerprint("x", missing) == fingerprint("x")
    missing.write_text("y")
    assert fingerprint("x", missing) == fingerprint("xy")

    one, two = tmp_path / "one", tmp_path / "two"
    for root, names in ((one, ("b/c.txt", "a.txt")), (two, ("a.txt", "b/c.txt"))):  # created in another order
        for name in names:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(name)
    assert Tree(one).fingerprint() == Tree(two).fingerprint()
    assert fingerprint(Tree(one)) == fingerprint(Tree(one).fingerprint())
    assert Tree(tmp_path / "nowhere").fingerprint() == fingerprint()
    (two / "b" / "c.txt").rename(two / "b" / "d.txt")
    assert Tree(one).fingerprint() != Tree(two).fingerprint()


def _outcome(slug: str, status: str, key: str, message: str = "") -> ReportOutcome:
    return ReportOutcome(slug, Path(f"{slug}.yaml"), status, message, cache_dir=Path("cache") / slug / key)


def test_the_publish_key_follows_the_entries_failures_and_site_options(tmp_path: Path) -> None:
    settings = ProjectSettings(root=tmp_path, mkdocs_config=tmp_path / "mkdocs.yml")
    outcomes = [_outcome("a", "built", "k1"), _outcome("b", "cached", "k2")]

    def key(outcomes: list[ReportOutcome], source: str = "s", site: bool = True, url: str | None = None) -> str:
        return publish_key(outcomes, settings, source, site=site, site_url=url)

    start = key(outcomes)
    # Built or cached (or merged) from the same entries: the same published folders.
    assert key([replace(outcomes[0], status="cached"), replace(outcomes[1], status="merged")]) == start
    assert key([replace(outcomes[0], warnings=["w"], score=1.0), outcomes[1]]) == start
    different = [
        key([_outcome("a", "built", "k3"), outcomes[1]]),
        key([_outcome("a", "failed", "k1", "TeX failed"), outcomes[1]]),
        key([_outcome("a", "failed", "k1", "another error"), outcomes[1]]),
        key([outcomes[0]]),
        key(outcomes, source="t"),
        key(outcomes, site=False),
        key(outcomes, url="https://example.org/reports/"),
    ]
    assert len({start, *different}) == 1 + len(different)
    (tmp_path / "mkdocs.yml").write_text("site_name: Reports\n")
    assert key(outcomes) != start


def test_the_site_key_follows_the_pages_url_source_and_config(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "reports").mkdir(parents=True)
    (docs / "index.md").write_text("# Reports\n")
    settings = ProjectSettings(root=tmp_path, mkdocs_config=tmp_path / "mkdocs.yml")
    start = site_key(docs, settings, "s", None)
    assert site_key(docs, settings, "s", None) == start
    seen = {start, site_key(docs, settings, "t", None), site_key(docs, settings, "s", "https://example.org/")}
    (docs / "reports" / "a.md").write_text("# A\n")
    seen.add(site_key(docs, settings, "s", None))
    (tmp_path / "mkdocs.yml").write_text("site_name: Reports\n")
    seen.add(site_key(docs, settings, "s", None))
    assert len(seen) == 5


def test_the_site_key_follows_a_page_linked_from_the_page_cache_by_its_file(tmp_path: Path) -> None:
    """A report page hard-linked from the page cache counts by its file: a changed text is a new file, and the
    same text kept is the same file, whose bytes need not be read again."""
    docs = tmp_path / "docs"
    (docs / "reports").mkdir(parents=True)
    (docs / "index.md").write_text("# Reports\n")
    kept = tmp_path / "pages" / "a.k1.4.md"
    kept.parent.mkdir()
    kept.write_text("# A\n")
    os.link(kept, docs / "reports" / "a.md")
    settings = ProjectSettings(root=tmp_path, mkdocs_config=tmp_path / "mkdocs.yml")
    start = site_key(docs, settings, "s", None)
    assert site_key(docs, settings, "s", None) == start
    (docs / "reports" / "a.md").unlink()
    changed = tmp_path / "pages" / "a.k2.4.md"
    changed.write_text("# B\n")
    os.link(changed, docs / "reports" / "a.md")
    assert site_key(docs, settings, "s", None) != start
    (docs / "reports" / "a.md").unlink()
    os.link(kept, docs / "reports" / "a.md")
    assert site_key(docs, settings, "s", None) == start


def test_the_site_key_follows_a_download_made_again(tmp_path: Path) -> None:
    """A download counts by its file (path, size, mtime, inode): a report built again links a new file."""
    docs = tmp_path / "docs"
    (docs / "downloads").mkdir(parents=True)
    (docs / "index.md").write_text("# Reports\n")
    entry = tmp_path / "entry-1.pdf"
    entry.write_bytes(b"%PDF one")
    os.link(entry, docs / "downloads" / "a.pdf")
    settings = ProjectSettings(root=tmp_path, mkdocs_config=tmp_path / "mkdocs.yml")
    start = site_key(docs, settings, "s", None)
    assert site_key(docs, settings, "s", None) == start
    again = tmp_path / "entry-2.pdf"
    again.write_bytes(b"%PDF two")  # the same size: only the file tells them apart
    (docs / "downloads" / "a.pdf").unlink()
    os.link(again, docs / "downloads" / "a.pdf")
    assert site_key(docs, settings, "s", None) != start


# --- cache entries ----------------------------------------------------------------------------------------------


def fill_with(text: str) -> Callable[[Path], tuple[object, list[object]]]:
    def fill(folder: Path) -> tuple[object, list[object]]:
        (folder / "a.pdf").write_text(text)
        return make_report(slug="a", title=text), []

    return fill


def test_an_entry_is_renamed_into_place_only_when_written_and_replaces_the_older_keys(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    old = CacheEntry.of(root, "a", "old")
    old.write(fill_with("old"))
    assert old.done and (old.path / "a.pdf").read_text() == "old" and old.load()[0].title == "old"

    def fail(folder: Path) -> tuple[object, list[object]]:
        (folder / "a.pdf").write_text("half")
        raise OSError(28, "No space left on device")

    new = CacheEntry.of(root, "a", "new")
    with pytest.raises(OSError):
        new.write(fail)
    # Nothing of the failed writer is left; the older entry is whole and still the last good one.
    assert sorted(p.name for p in (root / "a").iterdir()) == ["old"]
    assert last_good(root / "a") == old.path and old.load()[0].title == "old"

    new.write(fill_with("new"))
    assert sorted(p.name for p in (root / "a").iterdir()) == ["new"]
    assert last_good(root / "a") == new.path and new.load()[0].title == "new"


def test_an_entrys_summary_is_what_its_report_says_without_unpickling_it(tmp_path: Path) -> None:
    """A cached report's outcome line reads the entry's summary file; an entry without one (written by an older
    builder) is summarised from its report."""
    entry = CacheEntry.of(tmp_path / "reports", "a", "k")
    entry.write(fill_with("one"))
    report, _ = entry.load()
    review = report.review
    expected = {"warnings": list(report.warnings), "gate_passed": review.gate_passed, "score": review.score}
    cache._LOADED.clear()
    assert entry.summary() == expected and not cache._LOADED  # the report was not unpickled
    (entry.path / cache.SUMMARY_FILE).unlink()
    assert entry.summary() == expected and cache._LOADED


def test_an_entry_ignores_what_another_writer_leaves_and_a_folder_without_done(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    half = root / "a" / "k2"
    half.mkdir(parents=True)
    (half / "a.pdf").write_text("half")  # no `done`: never read
    other = root / "a" / "k1.tmp99999"
    other.mkdir()
    assert last_good(root / "a") is None and not CacheEntry(half).done
    entry = CacheEntry.of(root, "a", "k1")
    entry.write(fill_with("one"))
    assert other.is_dir() and not half.exists()  # a writer's temporary folder is not a stale key
    cache.remove_temporaries(root)
    assert sorted(p.name for p in (root / "a").iterdir()) == ["k1"]


def test_a_moved_entry_loads_its_plots_from_where_it_is_now(tmp_path: Path) -> None:
    from builder.render.plots import PlotFile

    entry = CacheEntry.of(tmp_path / "one", "a", "k")

    def fill(folder: Path) -> tuple[object, list[object]]:
        (folder / "plots").mkdir()
        (folder / "plots" / "a-support.svg").write_text("<svg/>")
        return make_report(slug="a"), [PlotFile("support", folder / "plots" / "a-support.svg", "", "", "")]

    entry.write(fill)
    moved = tmp_path / "two" / "a" / "k"
    moved.parent.mkdir(parents=True)
    os.replace(entry.path, moved)
    _, plots = CacheEntry(moved).load()
    assert plots[0].svg_path == moved / "plots" / "a-support.svg" and plots[0].svg_path.is_file()


def test_report_key_reads_the_store_file_of_each_id(project: Path) -> None:
    settings = load_settings(project)
    loaded = load_spec(settings.reports_dir / "a.yaml", settings.default_author)
    key = report_key(loaded, ["2501.18750", "2106.09063"], settings, "s")
    assert key == keys(project, source="s")["a"]
    # The order of the ids is the report's reference order: it is part of the key.
    assert report_key(loaded, ["2106.09063", "2501.18750"], settings, "s") != key


def test_the_spec_memo_returns_what_load_spec_gives_and_misses_on_any_change(tmp_path: Path) -> None:
    from builder.cache import SpecMemo
    from builder.errors import SpecErrors

    spec = tmp_path / "a.yaml"
    spec.write_text(SPEC_A, encoding="utf-8")
    memo = SpecMemo(tmp_path / "specs.pickle", "salt")
    assert memo.load(spec, "Team") == load_spec(spec, "Team")
    memo.save()
    warm = SpecMemo(tmp_path / "specs.pickle", "salt")
    assert warm.entries and warm.load(spec, "Team") == load_spec(spec, "Team") and not warm.missed
    assert warm.load(spec, "Other team").author == "Other team" and warm.missed  # the author is part of the key
    assert not SpecMemo(tmp_path / "specs.pickle", "another builder").entries
    spec.write_text(SPEC_A.replace("title: Alpha", "title: Beta"), encoding="utf-8")
    assert SpecMemo(tmp_path / "specs.pickle", "salt").load(spec, "Team").spec.title == "Beta"
    spec.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecErrors):  # an invalid spec meets load_spec and its errors, memo or not
        SpecMemo(tmp_path / "specs.pickle", "salt").load(spec, "Team")
    (tmp_path / "specs.pickle").write_bytes(b"cut short")
    assert not SpecMemo(tmp_path / "specs.pickle", "salt").entries


def test_the_verdict_memo_is_keyed_by_claims_papers_threshold_builder_and_verifier(tmp_path: Path) -> None:
    report = make_report()
    claims, papers = tuple(r.claim for r in report.claims), report.papers
    memo = cache.VerdictMemo(tmp_path / "memo", "source|lexical")
    key = memo.key(claims, papers, 0.5)
    assert memo.get(key) is None
    memo.put(key, ("verdicts",))
    assert memo.get(key) == ("verdicts",)
    assert key == cache.VerdictMemo(tmp_path / "memo", "source|lexical").key(claims, papers, 0.5)
    for other in (
        memo.key(claims[1:], papers, 0.5),
        memo.key(claims, papers[1:], 0.5),
        memo.key(claims, papers, 0.6),
        cache.VerdictMemo(tmp_path / "memo", "other source|lexical").key(claims, papers, 0.5),
        cache.VerdictMemo(tmp_path / "memo", "source|embed").key(claims, papers, 0.5),
    ):
        assert other != key and memo.get(other) is None
    (tmp_path / "memo" / "memo.pickle").write_bytes(b"\x80\x05not a pickle")  # cut short by a kill
    assert memo.get(key) is None


def test_a_title_edit_reuses_the_verdicts_and_gives_the_cold_builds_report(tmp_path: Path) -> None:
    from test_faults import build, small_spec

    project = _project(tmp_path, {"alpha.yaml": small_spec("Alpha Original")})
    assert build(project).returncode == 0
    memo = project / "build" / ".cache" / cache.VERDICTS / "alpha" / "memo.pickle"
    kept = memo.stat().st_mtime_ns
    (project / "reports" / "alpha.yaml").write_text(small_spec("Alpha Revised"), encoding="utf-8")
    assert build(project).returncode == 0
    assert memo.stat().st_mtime_ns == kept  # the verdicts were read back, not verified and written again
    cold = build(project, "--out", str(tmp_path / "cold"))
    assert cold.returncode == 0
    warm_json = (project / "build" / "data" / "alpha.json").read_text(encoding="utf-8")
    assert "Alpha Revised" in warm_json
    assert warm_json == (tmp_path / "cold" / "data" / "alpha.json").read_text(encoding="utf-8")
    (project / "reports" / "alpha.yaml").unlink()
    assert build(project).returncode == 0
    assert not memo.parent.exists()  # a deleted spec's verdicts go with it
