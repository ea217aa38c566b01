"""The `site_engine` setting through the real CLI: a bad value, Zensical missing, switching engines, each engine's
caches (MkDocs' hooks and the page cache; Zensical's fixed folder: a rebuild after one spec changed gives the site a
cold build gives), and a build killed while Zensical's output waits in that folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_faults import build, clean, kill, leftovers, small_spec, snapshot, start, wait_for_pause
from test_pipeline import _project, run_builder

from builder.render.site.links import check_links

MKDOCS_SETTING = 'site_engine = "mkdocs"'


def set_engine(project: Path, engine: str) -> Path:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    for name in ("mkdocs", "zensical", "hugo"):
        text = text.replace(f'site_engine = "{name}"', f'site_engine = "{engine}"')
    pyproject.write_text(text, encoding="utf-8")
    return pyproject


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def two_reports(tmp_path: Path) -> Path:
    project = _project(tmp_path, {"alpha.yaml": small_spec("Alpha Original"), "beta.yaml": small_spec("Beta Report")})
    assert MKDOCS_SETTING in (project / "pyproject.toml").read_text(encoding="utf-8")
    return project


def test_a_bad_site_engine_is_an_input_error_naming_pyproject_and_the_field(two_reports: Path) -> None:
    pyproject = set_engine(two_reports, "hugo")
    result = run_builder("--root", str(two_reports), "build", "--quiet", "--out", str(two_reports / "build"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{pyproject}: [tool.builder] site_engine must be one of 'mkdocs', 'zensical', got 'hugo'" in result.stderr
    assert "Traceback" not in result.stderr and not (two_reports / "build" / "pdf").exists()


def test_zensical_chosen_but_not_installed_says_how_to_install_it_and_keeps_the_reports(two_reports: Path) -> None:
    pyproject = set_engine(two_reports, "zensical")
    out = two_reports / "build"
    # The package hidden from this process: `import zensical` (and find_spec) see no such module.
    hide = "import sys; sys.modules['zensical'] = None; from builder.cli import main; raise SystemExit(main())"
    command = [sys.executable, "-c", hide, "--root", str(two_reports), "build", "--quiet", "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert f"{pyproject}: [tool.builder] site_engine = 'zensical' needs the zensical extra" in message
    assert "pip install -e '.[zensical]'" in message
    assert "Traceback" not in result.stdout + result.stderr
    assert (out / "pdf" / "alpha.pdf").is_file() and not (out / "site").exists()


def test_mkdocs_rebuilds_from_its_caches_and_gives_the_site_a_cold_build_gives(two_reports: Path) -> None:
    """The page cache and MkDocs' hooks, through the real CLI: after one spec changed, and changed back, the site is
    the very site a cold build gives, file for file, and only the changed report's page was rendered again."""
    out = two_reports / "build"
    first = build(two_reports)
    assert first.returncode == 0, clean(first)
    original = site_files(out / "site")
    hooks, pages = out / ".cache" / "mkdocs", out / ".cache" / "pages"
    assert sorted(hooks.glob("*.search.json")) and any(pages.iterdir())
    kept = {p: p.stat().st_mtime_ns for p in pages.iterdir()}

    (two_reports / "reports" / "alpha.yaml").write_text(small_spec("Alpha Revised"), encoding="utf-8")
    second = build(two_reports)
    assert second.returncode == 0 and "1 built, 1 cached" in second.stdout and "site rebuilt" in second.stdout
    clean(second)
    assert "Alpha Revised" in (out / "site" / "reports" / "alpha.html").read_text(encoding="utf-8")
    unchanged = [p for p, mtime in kept.items() if p.exists() and p.stat().st_mtime_ns == mtime]
    assert len(unchanged) == 3, "beta's page, its home row and its chunk of the claims page should have been kept"
    cold = build(two_reports, "--out", str(two_reports / "cold"))
    assert cold.returncode == 0, clean(cold)
    assert site_files(two_reports / "cold" / "site") == site_files(out / "site")

    (two_reports / "reports" / "alpha.yaml").write_text(small_spec("Alpha Original"), encoding="utf-8")
    third = build(two_reports)
    assert third.returncode == 0 and "site rebuilt" in third.stdout, clean(third)
    assert site_files(out / "site") == original
    assert check_links(out / "site").problems == []


def test_zensical_rebuilds_from_its_cache_and_gives_the_site_a_cold_build_gives(
    two_reports: Path, zensical: str
) -> None:
    out = two_reports / "build"
    first = build(two_reports)
    assert first.returncode == 0, clean(first)
    mkdocs_site = site_files(out / "site")

    # Switching the engine rebuilds the site with the other engine (its key names the engine).
    set_engine(two_reports, zensical)
    second = build(two_reports)
    assert second.returncode == 0 and "2 cached" in second.stdout and "site rebuilt" in second.stdout, clean(second)
    assert site_files(out / "site") != mkdocs_site
    assert "assets/stylesheets/classic/" in (out / "site" / "index.html").read_text(encoding="utf-8")
    assert not (out / ".cache" / "mkdocs").exists()  # MkDocs' hooks cache is of no use to Zensical
    work = out / ".cache" / "zensical"
    cache = {p: p.stat().st_mtime_ns for p in (work / ".cache").iterdir() if p.name != ".gitignore"}
    assert len(cache) >= 8 and (work / "docs" / "reports" / "beta.md").is_file() and not (work / "site").exists()
    beta_page = (work / "docs" / "reports" / "beta.md").stat().st_mtime_ns

    # One spec changed: Zensical reuses what it cached for the pages that did not change.
    (two_reports / "reports" / "alpha.yaml").write_text(small_spec("Alpha Revised"), encoding="utf-8")
    third = build(two_reports)
    assert third.returncode == 0 and "1 built, 1 cached" in third.stdout and "site rebuilt" in third.stdout
    clean(third)
    page = (out / "site" / "reports" / "alpha.html").read_text(encoding="utf-8")
    assert "Alpha Revised" in page and "Alpha Original" not in page
    untouched = [p for p, mtime in cache.items() if p.is_file() and p.stat().st_mtime_ns == mtime]
    assert untouched, "every cache entry was rewritten: Zensical's cache was not used"
    assert (work / "docs" / "reports" / "beta.md").stat().st_mtime_ns == beta_page  # unchanged page left alone
    assert leftovers(out) == [] and not (work / "site").exists()
    assert check_links(out / "site").problems == []

    # The same inputs built cold, in a fresh output folder: the very same site, file for file.
    cold = build(two_reports, "--out", str(two_reports / "cold"))
    assert cold.returncode == 0, clean(cold)
    assert site_files(two_reports / "cold" / "site") == site_files(out / "site")

    # Back to MkDocs: Zensical's folder goes, and the site is MkDocs' again.
    set_engine(two_reports, "mkdocs")
    (two_reports / "reports" / "alpha.yaml").write_text(small_spec("Alpha Original"), encoding="utf-8")
    fourth = build(two_reports)
    assert fourth.returncode == 0 and "site rebuilt" in fourth.stdout, clean(fourth)
    assert site_files(out / "site") == mkdocs_site and not work.exists()


def test_a_build_killed_with_zensicals_output_unpublished_keeps_the_previous_site(
    two_reports: Path, zensical: str
) -> None:
    set_engine(two_reports, zensical)
    out = two_reports / "build"
    assert build(two_reports).returncode == 0
    before = snapshot(out)
    (two_reports / "reports" / "alpha.yaml").write_text(small_spec("Alpha Revised"), encoding="utf-8")
    proc = start(two_reports, {"BUILDER_TEST_PAUSE_AT": "site"})
    wait_for_pause(proc, "site")  # Zensical has written <work>/site; not yet checked, moved or swapped
    kill(proc)
    assert (out / ".cache" / "zensical" / "site" / "index.html").is_file()
    assert (out / ".cache" / "zensical" / ".site-passthrough" / "downloads").is_dir()
    assert snapshot(out) == before, "the published outputs changed after a SIGKILL during the site build"

    result = build(two_reports)
    assert result.returncode == 0 and "site rebuilt" in result.stdout, clean(result)
    assert leftovers(out) == [] and not (out / ".cache" / "zensical" / "site").exists()
    assert not (out / ".cache" / "zensical" / ".site-passthrough").exists()  # the downloads linked while it ran
    assert "Alpha Revised" in (out / "site" / "reports" / "alpha.html").read_text(encoding="utf-8")


def processes_in(folder: Path) -> list[int]:
    """The processes whose working folder is `folder` (a Zensical started ahead runs there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(entry / "cwd").resolve() == folder.resolve():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_zensical_started_ahead_ends_when_not_needed_or_when_its_build_is_gone(tmp_path: Path, zensical: str) -> None:
    from builder.render.site.zensical import Standby

    unused = Standby(tmp_path / "work")
    assert processes_in(tmp_path / "work") == [unused.process.pid]
    unused.close()  # the site did not need building after all
    assert unused.process.returncode is not None and processes_in(tmp_path / "work") == []
    orphan = Standby(tmp_path / "work")
    assert orphan.process.stdin is not None
    orphan.process.stdin.close()  # what the build's death does to it
    assert orphan.process.wait(timeout=60) == 0 and not (tmp_path / "work" / "site").exists()
    orphan.close()


def test_the_zensical_started_ahead_is_the_one_that_builds_the_site(tmp_path: Path, zensical: str) -> None:
    from factories import make_report

    from builder.render.site import build_site, write_docs
    from builder.render.site.zensical import Standby

    docs, work = tmp_path / "docs", tmp_path / "work"
    index = write_docs([make_report()], docs, {}, {}, {})
    with Standby(work) as standby:
        build_site(docs, tmp_path / "site", nav=index.nav, engine="zensical", work_dir=work, standby=standby)
        assert standby.process.returncode == 0  # it ran to its end: not killed as unused, not left waiting
    assert (tmp_path / "site" / "index.html").is_file() and processes_in(work) == []


def test_a_build_whose_site_needs_no_rebuilding_leaves_no_zensical_running(two_reports: Path, zensical: str) -> None:
    set_engine(two_reports, zensical)
    out = two_reports / "build"
    assert build(two_reports).returncode == 0
    site = site_files(out / "site")
    # Without the key of what was published, the outputs are staged again; the pages are those of the live site.
    (out / ".cache" / "publish-key").unlink()
    result = build(two_reports)
    assert result.returncode == 0 and "2 cached" in result.stdout, clean(result)
    assert "site rebuilt" not in result.stdout and site_files(out / "site") == site, clean(result)
    assert processes_in(out / ".cache" / "zensical") == []
