"""Faults through the whole build: SIGKILL at named points, two builds at once, TeX or a TeX package missing,
a read-only or full output disk, unreadable specs.

Every case checks the same promises: the previously published PDFs and site are byte-for-byte whole, the message
says what to do, no Python traceback is printed, the exit code is 1 (a report or the build failed) or 2 (invalid
input), and the next build completes normally. Kills are made deterministic with the test-only hook
`BUILDER_TEST_PAUSE_AT=<render|stage|swap>` of builder/build.py; the kill during TeX waits for a real pdflatex child.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_pipeline import _project, pdftotext, run_builder, squash

from builder.build import recover_interrupted
from builder.cache import last_good

# What readers see; `docs/` is only the site's source and is rewritten by every build.
OUTPUTS_TO_KEEP = ("pdf", "tex", "data", "bib", "site")


def small_spec(title: str, *, publishable: bool = False) -> str:
    """A cheap report (two papers, two claims); `publishable` lowers its gate so it is not a draft."""
    spec: dict[str, object] = {
        "title": title,
        "date": "2026-06-27",
        "question": "Does projection-based data transfer help cross-lingual NER in low-resource languages?",
        "primary": "2501.18750",
        "papers": ["2106.09063"],
        "claims": [
            {
                "text": "Projection-based data transfer can outperform multilingual language models for "
                "cross-lingual NER in low-resource languages.",
                "source": "2501.18750",
            }
        ],
        "settings": {"max_claims": 2},
    }
    if publishable:
        spec["settings"] = {"max_claims": 2, "publishable_score": 0.0, "flagship_score": 0.0, "min_corroborated": 0}
    return yaml.safe_dump(spec, sort_keys=False)


def clean(result: subprocess.CompletedProcess[str] | tuple[str, str]) -> str:
    """Both streams; asserting on them also asserts that no traceback leaked."""
    text = result.stdout + result.stderr if isinstance(result, subprocess.CompletedProcess) else "".join(result)
    assert "Traceback" not in text, text
    return text


def snapshot(out: Path) -> dict[str, bytes]:
    """Every published file's bytes: what a reader of the site or the PDFs sees."""
    files: dict[str, bytes] = {}
    for name in OUTPUTS_TO_KEEP:
        for path in sorted((out / name).rglob("*")):
            if path.is_file():
                files[str(path.relative_to(out))] = path.read_bytes()
    return files


def leftovers(out: Path) -> list[Path]:
    """What an interrupted build may leave behind and the next one must clear."""
    return [*out.glob(".staging-*"), *out.glob(".old-*"), *out.glob(".cache/reports/*/*.tmp*")]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built project: `alpha` (a draft) and `beta` (publishable), PDFs and site in project/build."""
    project = _project(
        tmp_path_factory.mktemp("faults"),
        {"alpha.yaml": small_spec("Alpha Original"), "beta.yaml": small_spec("Beta Report", publishable=True)},
    )
    result = run_builder("--root", str(project), "build", "--quiet", "-j", "2", "--out", str(project / "build"))
    assert result.returncode == 0, clean(result)
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("built ")}
    assert "(draft)" in lines["alpha"] and "(draft)" not in lines["beta"], result.stdout
    return project


@pytest.fixture
def project(baseline: Path, tmp_path: Path) -> Path:
    """A private copy of the built baseline (outputs and cache included), so each fault starts from good outputs."""
    copy = tmp_path / "project"
    shutil.copytree(baseline, copy, symlinks=True)
    return copy


def build(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "builder", "--root", str(project), "build", "--quiet"]
    return subprocess.run(
        [*command, "--out", str(project / "build"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def start(project: Path, env: dict[str, str], jobs: int = 1) -> subprocess.Popen[str]:
    """A build in its own process group (so SIGKILL reaches it and its MkDocs child), stderr line-readable."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "builder",
            "--root",
            str(project),
            "build",
            "--quiet",
            "-j",
            str(jobs),
            "--out",
            str(project / "build"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        start_new_session=True,
    )


def wait_for_pause(proc: subprocess.Popen[str], point: str) -> None:
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.strip() == f"BUILDER_TEST_PAUSED {point}":
            return
    pytest.fail(f"build ended (rc {proc.wait()}) before reaching {point}:\n{''.join(seen)}")


def descendants(pid: int) -> dict[int, str]:
    """Every live descendant of pid with its command name, from /proc."""
    parents: dict[int, tuple[int, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        parents[int(stat.parent.name)] = (ppid, name)
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        for child, (ppid, name) in parents.items():
            if ppid == current and child not in found:
                found[child] = name
                frontier.append(child)
    return found


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the build's process group, then any TeX run it started in a session of its own."""
    children = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for pid, name in children.items():
        if name in ("latexmk", "pdflatex", "xelatex", "xdvipdfmx", "perl"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if proc.stderr is not None:
        proc.stderr.close()


def wait_for_child(proc: subprocess.Popen[str], name: str, timeout: float = 600) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if name in descendants(proc.pid).values():
            return
        if proc.poll() is not None:
            pytest.fail(f"build ended (rc {proc.returncode}) before {name} started")
        time.sleep(0.02)
    pytest.fail(f"{name} did not start within {timeout} s")


# --- SIGKILL ----------------------------------------------------------------------------------------------------


def test_sigkill_at_every_stage_keeps_the_previous_outputs_and_the_next_build_completes(project: Path) -> None:
    out = project / "build"
    before = snapshot(out)
    assert any(name.startswith("site/") for name in before) and "pdf/alpha.pdf" in before
    (project / "reports" / "alpha.yaml").write_text(small_spec("Alpha Revised"), encoding="utf-8")
    alpha_cache = out / ".cache" / "reports" / "alpha"
    last_entry = last_good(alpha_cache)

    for point in ("render", "tex", "stage", "swap"):
        if point == "tex":  # the small specs are plain Latin text, so pdfLaTeX compiles them
            proc = start(project, {})
            wait_for_child(proc, "pdflatex")
        else:
            proc = start(project, {"BUILDER_TEST_PAUSE_AT": point})
            wait_for_pause(proc, point)
        kill(proc)
        if point == "render":
            # Killed while writing alpha's new cache entry: it exists only as a temporary folder, and the entry
            # published last is still alpha's last good one.
            assert list(alpha_cache.glob("*.tmp*")) and last_good(alpha_cache) == last_entry
        if point == "swap":
            # Killed between the two renames of pdf/: the old folder waits under .old-pdf-*, whole;
            # recover_interrupted (the first thing every build does) puts it back.
            assert not (out / "pdf").exists() and list(out.glob(".old-pdf-*"))
            recover_interrupted(out)
        assert snapshot(out) == before, f"published outputs changed after a SIGKILL at {point}"

    result = build(project)
    assert result.returncode == 0, clean(result)
    clean(result)
    assert leftovers(out) == []
    assert "AlphaRevised" in squash(pdftotext(out / "pdf" / "alpha.pdf"))
    page = (out / "site" / "reports" / "alpha.html").read_text(encoding="utf-8")
    assert "Alpha Revised" in page and "Alpha Original" not in page  # the site was rebuilt, not taken as current
    assert (out / "pdf" / "beta.pdf").read_bytes() == before["pdf/beta.pdf"]


def test_recovery_puts_back_every_folder_a_kill_between_renames_can_leave_and_clears_the_rest(tmp_path: Path) -> None:
    """What SIGKILL can leave, laid out by hand: recover_interrupted (run first by every build and merge)
    restores each published folder whole and removes every leftover, without touching complete cache entries."""
    out = tmp_path / "build"
    entry = out / ".cache" / "reports" / "alpha" / "k1"
    entry.mkdir(parents=True)
    (entry / "done").write_text("ok\n")
    layout = {
        ".old-pdf-101/alpha.pdf": "old pdf",  # killed between the renames of pdf/: no pdf/ at all
        "tex/alpha.tex": "new tex",  # killed after tex/'s second rename: the old one still waits
        ".old-tex-101/alpha.tex": "old tex",
        ".old-data-99/alpha.json": "older data",  # two kills in a row: the newest old folder is the live one
        ".old-data-101/alpha.json": "old data",
        ".staging-101/bib/alpha.bib": "staged bib",
        ".cache/reports/alpha/k2.tmp101/alpha.pdf": "half an entry",
    }
    for index, (name, text) in enumerate(layout.items()):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
        os.utime((out / name).parent, ns=(index * 10**9, index * 10**9))
    recover_interrupted(out)
    assert (out / "pdf" / "alpha.pdf").read_text() == "old pdf"
    assert (out / "tex" / "alpha.tex").read_text() == "new tex"
    assert (out / "data" / "alpha.json").read_text() == "old data"
    assert leftovers(out) == [] and not (out / "bib").exists()
    assert last_good(entry.parent) == entry and sorted(p.name for p in entry.parent.iterdir()) == ["k1"]


def test_a_killed_worker_fails_its_reports_and_the_build_still_publishes(project: Path) -> None:
    """The OOM killer's case: one worker of the process pool dies; the build reports it and keeps the last PDFs."""
    out = project / "build"
    before = snapshot(out)
    (project / "reports" / "alpha.yaml").write_text(small_spec("Alpha Again"), encoding="utf-8")
    proc = start(project, {"BUILDER_TEST_PAUSE_AT": "render", "BUILDER_TEST_PAUSE_SECONDS": "30"}, jobs=2)
    try:
        wait_for_pause(proc, "render")
        workers = [pid for pid, name in descendants(proc.pid).items() if name.startswith("python")]
        assert workers, "no pool worker found"
        os.kill(workers[0], signal.SIGKILL)
        assert proc.stderr is not None
        rest = proc.stderr.read()
        assert proc.wait(timeout=300) == 1, rest
    finally:
        if proc.poll() is None:
            kill(proc)
    assert "Traceback" not in rest and "failed: alpha\nthe process building this report was killed" in rest, rest
    for name in ("pdf", "tex", "data", "bib"):
        assert {k: v for k, v in snapshot(out).items() if k.startswith(name)} == {
            k: v for k, v in before.items() if k.startswith(name)
        }
    assert (out / "site" / "reports" / "alpha.html").is_file()
    again = build(project)
    assert again.returncode == 0, clean(again)


@contextlib.contextmanager
def three_reports_at_two_jobs(project: Path) -> Iterator[tuple[subprocess.Popen[str], list[int], Path]]:
    """A -j 2 build of three changed reports, held once two of them wait at `render`: the build, its workers'
    pids (in the order they were forked) and the file that lets them go on. The build is killed if left running."""
    for name in ("alpha", "beta", "gamma"):
        (project / "reports" / f"{name}.yaml").write_text(small_spec(f"{name.title()} Again"), encoding="utf-8")
    resume = project / "resume"
    proc = start(project, {"BUILDER_TEST_PAUSE_AT": "render", "BUILDER_TEST_RESUME_FILE": str(resume)}, jobs=2)
    try:
        wait_for_pause(proc, "render")
        wait_for_pause(proc, "render")  # two reports are at TeX's door, each in a worker
        time.sleep(1)  # a third worker, if there were one, would have started by now
        yield proc, sorted(pid for pid, name in descendants(proc.pid).items() if name.startswith("python")), resume
    finally:
        if proc.poll() is None:
            kill(proc)


def rest_of_stderr(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    return proc.stderr.read()


def test_two_jobs_build_at_most_two_reports_at_once(project: Path) -> None:
    """The first report to build starts before the other specs are checked, in a pool of its own; the rest share
    `-j` with it: three reports to build at -j 2 are never three workers."""
    with three_reports_at_two_jobs(project) as (proc, workers, resume):
        assert len(workers) == 2, descendants(proc.pid)
        resume.touch()
        rest = rest_of_stderr(proc)
        assert proc.wait(timeout=300) == 0, rest


def test_a_killed_first_worker_leaves_the_other_reports_to_the_other(project: Path) -> None:
    """The first report to build has a worker of its own; when the OOM killer takes it, that report fails and the
    rest are built by the other pool, the one still waiting included."""
    with three_reports_at_two_jobs(project) as (proc, workers, resume):
        assert len(workers) == 2, descendants(proc.pid)
        os.kill(workers[0], signal.SIGKILL)  # the first forked: alpha's, in its pool of one
        resume.touch()
        rest = rest_of_stderr(proc)
        assert proc.wait(timeout=300) == 1, rest
    assert "failed: alpha\nthe process building this report was killed" in rest, rest
    assert "failed: beta" not in rest and "failed: gamma" not in rest, rest
    assert "Gamma Again" in (project / "build" / "site" / "reports" / "gamma.html").read_text(encoding="utf-8")


# --- concurrency -----------------------------------------------------------------------------------------------


def test_a_second_build_at_the_same_time_refuses_clearly_and_nothing_is_mixed(project: Path, tmp_path: Path) -> None:
    out = project / "build"
    before = snapshot(out)
    resume = tmp_path / "resume"
    (out / ".cache" / "publish-key").unlink()  # nothing changed, but make the first build publish (and so stage)
    first = start(project, {"BUILDER_TEST_PAUSE_AT": "stage", "BUILDER_TEST_RESUME_FILE": str(resume)})
    try:
        wait_for_pause(first, "stage")
        second = build(project)
        assert second.returncode == 1, clean(second)
        text = clean(second)
        assert "another build is running" in text and "wait for it to finish" in text
        assert len(list(out.glob(".staging-*"))) == 1  # only the first build's
        resume.touch()
        assert first.wait(timeout=300) == 0
    finally:
        if first.poll() is None:
            kill(first)
    assert first.stderr is not None and "Traceback" not in first.stderr.read()
    assert snapshot(out) == before and leftovers(out) == []
    third = build(project)
    assert third.returncode == 0, clean(third)


# --- TeX missing, a TeX package missing ---------------------------------------------------------------------------


def test_without_tex_the_report_fails_with_advice_and_the_rest_is_published(project: Path) -> None:
    out = project / "build"
    assert build(project).returncode == 0  # current outputs (a no-op unless builder/ changed since the baseline)
    before = snapshot(out)
    (project / "reports" / "alpha.yaml").write_text(small_spec("Alpha Without TeX"), encoding="utf-8")
    result = build(project, env={"PATH": str(project / "no-such-bin")})
    text = clean(result)
    assert result.returncode == 1, text
    assert "failed: alpha" in text and "latexmk and pdflatex are required" in text and "texlive-latex-base" in text
    assert re.search(r"(cached|built) +beta", text) and "site rebuilt" in text
    # The last good PDF stays published; the site lists the failure.
    assert (out / "pdf" / "alpha.pdf").read_bytes() == before["pdf/alpha.pdf"]
    assert (out / "pdf" / "beta.pdf").read_bytes() == before["pdf/beta.pdf"]
    assert "latexmk and pdflatex are required" in (out / "site" / "index.html").read_text(encoding="utf-8")
    assert build(project).returncode == 0


LATEX_WRAPPER = """
import sys
from pathlib import Path
import builder.render.latex.templates as latex
latex.LATEX_DIR = Path(sys.argv[1])
from builder.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_missing_tex_package_fails_only_that_report_with_the_lines_that_matter(project: Path) -> None:
    out = project / "build"
    before = snapshot(out)
    # The project's own LaTeX folder: draft reports now need a package TeX Live does not have.
    draft = project / "latex" / "draft.tex"
    draft.write_text(draft.read_text(encoding="utf-8") + "\\usepackage{no-such-package-xyz}\n", encoding="utf-8")
    # builder.render.latex reads templates from the checkout's latex/ (see docs/robustness.md), so point it at
    # the project's copy; everything else, TeX included, is the real pipeline.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LATEX_WRAPPER,
            str(project / "latex"),
            "--root",
            str(project),
            "build",
            "--quiet",
            "-j",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    text = clean(result)
    assert result.returncode == 1, text
    assert "built    beta" in text and "failed   alpha" in text and "site rebuilt" in text
    failure = result.stderr.split("failed: alpha", 1)[1].split("warning", 1)[0]
    assert "no-such-package-xyz.sty' not found" in failure
    assert "l." in failure and len(failure.strip().splitlines()) <= 8, failure  # the lines that matter, not the log
    assert (out / "pdf" / "alpha.pdf").read_bytes() == before["pdf/alpha.pdf"]
    assert "no-such-package-xyz" in (out / "site" / "index.html").read_text(encoding="utf-8")
    assert (out / "site" / "reports" / "beta.html").is_file()


# --- read-only and full output disks --------------------------------------------------------------------------------


def _mount_tmpfs(target: Path, size: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); needs root or CAP_SYS_ADMIN")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_an_output_path_that_is_a_file_gives_a_clear_message(project: Path) -> None:
    blocker = project / "not-a-folder"
    blocker.write_text("x")
    result = run_builder("--root", str(project), "build", "--quiet", "--out", str(blocker))
    text = clean(result)
    assert result.returncode == 1 and f"cannot build into {blocker}" in text, text


def test_a_read_only_output_folder_gives_a_clear_message_and_keeps_the_outputs(project: Path) -> None:
    out = project / "build"
    ro = project / "ro"
    _mount_tmpfs(ro, "64m")
    try:
        subprocess.run(["cp", "-a", f"{out}/.", str(ro)], check=True)
        before = snapshot(ro)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        result = run_builder("--root", str(project), "build", "--quiet", "--out", str(ro))
        text = clean(result)
        assert result.returncode == 1, text
        assert "read-only" in text and "use --out with a writable folder" in text
        assert snapshot(ro) == before
    finally:
        _umount(ro)


def test_a_full_disk_fails_the_build_with_advice_keeps_the_outputs_and_recovers(project: Path) -> None:
    out = project / "full"
    _mount_tmpfs(out, "64m")  # the copied cache holds two pdfLaTeX formats (draft and not) of 18 MB each
    try:
        subprocess.run(["cp", "-a", f"{project / 'build'}/.", str(out)], check=True)
        before = snapshot(out)
        filler = out / "filler"
        free = shutil.disk_usage(out).free
        with filler.open("wb") as handle:  # leave a few kB: enough to start, not to write a PDF
            handle.write(b"\0" * max(0, free - 8 * 1024))
        (project / "reports" / "alpha.yaml").write_text(small_spec("Alpha On A Full Disk"), encoding="utf-8")
        result = run_builder("--root", str(project), "build", "--quiet", "-j", "1", "--out", str(out))
        text = clean(result)
        assert result.returncode == 1, text
        assert "No space left on device" in text and "free some space" in text, text
        assert snapshot(out) == before

        filler.unlink()
        again = run_builder("--root", str(project), "build", "--quiet", "-j", "1", "--out", str(out))
        assert again.returncode == 0, clean(again)
        assert "AlphaOnAFullDisk" in squash(pdftotext(out / "pdf" / "alpha.pdf"))
        assert leftovers(out) == []
    finally:
        _umount(out)


# --- unreadable specs -------------------------------------------------------------------------------------------


def test_unreadable_specs_are_named_with_advice_and_the_others_publish(project: Path) -> None:
    """Tests run as root, so chmod 000 cannot make a file unreadable: a folder and a dangling symlink stand in."""
    (project / "reports" / "folder.yaml").mkdir()
    (project / "reports" / "dangling.yaml").symlink_to(project / "reports" / "deleted-target.yaml")
    result = build(project)
    text = clean(result)
    assert result.returncode == 2, text
    assert "folder.yaml: cannot read the spec" in text and "dangling.yaml: cannot read the spec" in text
    # Not failed; cached unless builder/ changed since the baseline (which reruns the reports: still fine).
    assert re.search(r"(cached|built) +alpha", text) and re.search(r"(cached|built) +beta", text), text
    assert (project / "build" / "pdf" / "alpha.pdf").is_file()
    assert (project / "build" / "site" / "reports" / "beta.html").is_file()
