r"""A pdfLaTeX format per report preamble, dumped once and reused, so each TeX pass skips loading the packages.

Every report of a kind (draft or not) starts with the same preamble: the template of `latex/` up to the
dump mark that `render_tex` puts just before the report's own lines (running head, title and subject in the
PDF metadata). `ensure_format` dumps that shared part once with mylatexformat into
`<build>/.cache/tex-formats/<key>/report.fmt`; `compile_with_format` then runs pdfLaTeX with it until the
auxiliary files settle. TeX still reads the whole .tex file: mylatexformat's format skips the lines above the
mark and runs the rest, so line numbers in TeX's messages stay those of the file.

The key hashes the shared preamble, what is added to it for the dump, the engine, its `--version` and its
binary; `deps.json` lists every file the dump read (packages, font metrics, the engine's own format, texmf.cnf)
with size and mtime, and a format is dumped again when any of them changes, so a TeX Live update never leaves
an old package in the format.
A format is made in a temporary folder and renamed into place under a lock file, so two workers that need it
at once make it once and never see half of it.

The PDF is byte-for-byte the one of a plain run (`tests/test_texformat.py` checks it). Two things a format
would otherwise change are kept as a plain run has them: mylatexformat's preloading of fonts is turned off (it
would load them in an order of its own, and pdfTeX numbers the PDF's font resources in load order); and what
the preamble put on the main vertical list (xcolor's `\color{black}` leaves a colour push there, shipped with
page 1), which `\dump` drops, is saved in a box and put back when the job starts.

A report built again (after an edit) starts from the auxiliary files of its last build (`seed`): its first pass
then writes the PDF, and when the files it leaves are those it read, which is the usual case after an edit that
moves no label or page break (a title, a sentence), that pass is the last: one pass instead of a draft pass and a
final one. The files settle on the same fixed point either way, so the PDF is the same (`tests/test_texformat.py`
builds a report, then again from another version's files, and compares the PDFs byte for byte).

Not covered, so `compile_with_format` returns None and the caller keeps the plain latexmk run: XeLaTeX
(fontspec loads OpenType fonts in the preamble, and XeTeX cannot dump native fonts), a .tex without the mark,
mylatexformat not installed, a dump that fails, a pass that fails or does not start at the mark, and files
that do not settle within MAX_PASSES. A process does not try again a dump that failed in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from builder.errors import RenderError

# The line render_tex puts between the shared preamble and the report's own lines. Without a format it is
# \relax (an undefined \csname); mylatexformat dumps at it, and starts running the document from it.
DUMP_MARK = r"\csname endofdump\endcsname"
ENGINES = ("pdflatex",)
MAX_PASSES = 5  # as latexmk's $max_repeat in latex/latexmkrc
KEEP_FORMATS = 4  # formats kept in the cache, the most recently used (about 18 MB each)
_JOB = "report"

# Appended to the shared preamble for the dump only. \MYLATEX@fontpreloading would load fonts into the format
# in an order of its own, which renumbers the PDF's font resources; it saves no measurable time. The output
# routine catches what the preamble left on the main vertical list (a page of it, with the empty box that fires
# the output); the box and its \topskip glue are dropped, the rest is put back by \everyjob.
_DUMP_TAIL = r"""\makeatletter
\let\MYLATEX@fontpreloading\relax
\newbox\builderpreamblelist
\begingroup\count@\outputpenalty
\output{\global\setbox\builderpreamblelist\box\@cclv}\hbox{}\penalty-\@M
\global\outputpenalty\count@\endgroup
\global\setbox\builderpreamblelist\vbox{\unvbox\builderpreamblelist\setbox\z@\lastbox\unskip}
\everyjob\expandafter{\the\everyjob\unvbox\builderpreamblelist}
\makeatother
"""
# Keys whose dump failed in this process: not tried again for each report (a failure is not kept on disk,
# where it would outlast its cause, e.g. a full disk).
_FAILED: set[str] = set()
_START_RE = re.compile(r"\(mylatexformat\)\s+on input line (\d+)\.\s*\(\\endofdump\)")


def shared_preamble(tex: str) -> str | None:
    """The part of a .tex file a format can hold: every line above the dump mark, or None without a usable mark.

    The mark must be a line of its own below a blank line and above `\\begin{document}`: mylatexformat reads
    the file in lines, and a line ending in `%` would join the mark's line to the ones above (which would then
    run twice).
    """
    at = tex.find(f"\n\n{DUMP_MARK}\n")
    begin = tex.find("\\begin{document}")
    if at < 0 or (0 <= begin < at):
        return None
    return tex[: at + 2]


def formats_dir_for(tex_path: Path) -> Path | None:
    """`<build>/.cache/tex-formats` when tex_path lies in a build's cache (`<build>/.cache/reports/...`), else None."""
    for parent in Path(tex_path).resolve().parents:
        if parent.name == ".cache":
            return parent / "tex-formats"
    return None


@functools.cache
def _engine_identity(engine: str) -> str | None:
    """The engine's version line and binary, or None when the engine or mylatexformat is missing."""
    binary = shutil.which(engine)
    if binary is None:
        return None
    try:
        version = subprocess.run(
            [engine, "--version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        ).stdout.partition("\n")[0]
        found = subprocess.run(
            ["kpsewhich", "mylatexformat.ltx"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not found:
        return None
    real = Path(binary).resolve()
    stat = real.stat()
    return f"{version}\n{real} {stat.st_size} {stat.st_mtime_ns}\n{found}"


def format_key(engine: str, preamble: str) -> str | None:
    """The cache key of the format for this preamble; None when no format can be made (see _engine_identity)."""
    identity = _engine_identity(engine)
    if identity is None:
        return None
    material = f"{engine}\n{identity}\n{_DUMP_TAIL}\n{preamble}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


def _deps_current(folder: Path) -> bool:
    try:
        deps = json.loads((folder / "deps.json").read_text(encoding="utf-8"))
        for path, size, mtime_ns in deps["files"]:
            stat = os.stat(path)
            if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _ready(folder: Path) -> bool:
    """Whether folder holds a whole format made from the files as they are now."""
    return (folder / f"{_JOB}.fmt").is_file() and _deps_current(folder)


@contextlib.contextmanager
def _locked(lock_path: Path, deadline: float) -> Iterator[None]:
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(lock_path) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    command: list[str], cwd: Path, env: dict[str, str], deadline: float, label: str, timeout: float
) -> tuple[int, bytes]:
    """Run TeX in its own process group; on the deadline kill the group and raise RenderError as latex.py does."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=max(deadline - time.monotonic(), 0.01))
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RenderError(f"{label}: LaTeX did not finish within {timeout:g} s") from exc
    return proc.returncode, output


def _recorded_inputs(fls: Path, workdir: Path) -> list[list[object]]:
    """[path, size, mtime_ns] of every file outside workdir that the recorder saw TeX read."""
    seen: dict[str, list[object]] = {}
    for line in fls.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("INPUT "):
            continue
        path = Path(line[6:])
        if not path.is_absolute():
            path = workdir / path
        path = path.resolve()
        if path.is_relative_to(workdir) or str(path) in seen:
            continue
        stat = path.stat()
        seen[str(path)] = [str(path), stat.st_size, stat.st_mtime_ns]
    return sorted(seen.values())


def _decompress(fmt: Path) -> None:
    """Store the format uncompressed: TeX reads formats through zlib, which passes data that is not gzip through
    as it is, and then loading takes 0.03 s instead of 0.07 s a pass (for 18 MB on disk instead of 7)."""
    data = fmt.read_bytes()
    if data[:2] == b"\x1f\x8b":
        fmt.write_bytes(gzip.decompress(data))


def _dump(
    engine: str,
    preamble: str,
    key: str,
    formats: Path,
    env: dict[str, str],
    deadline: float,
    label: str,
    timeout: float,
) -> bool:
    """Make formats/<key>/ (the format, its log and deps.json) through a temporary folder; False if the dump
    fails (nothing is left then)."""
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=formats))
    try:
        (work / "preamble.tex").write_text(preamble + _DUMP_TAIL + DUMP_MARK + "\n", encoding="utf-8")
        dump_env = {**env, "TEXMFOUTPUT": str(work), "TEXMFVAR": str(work / ".texmf-var"), "SOURCE_DATE_EPOCH": "0"}
        command = [
            engine,
            "-ini",
            "-recorder",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-no-shell-escape",
            f"-jobname={_JOB}",
            f"&{engine}",
            "mylatexformat.ltx",
            "preamble.tex",
        ]
        returncode, _ = _run(command, work, dump_env, deadline, label, timeout)
        log = (
            (work / f"{_JOB}.log").read_text(encoding="utf-8", errors="replace")
            if (work / f"{_JOB}.log").exists()
            else ""
        )
        if returncode != 0 or not (work / f"{_JOB}.fmt").is_file() or re.search(r"^! ", log, re.M):
            return False
        files = _recorded_inputs(work / f"{_JOB}.fls", work)
        _decompress(work / f"{_JOB}.fmt")
        for name in (f"{_JOB}.fls", "preamble.tex"):
            (work / name).unlink()
        shutil.rmtree(work / ".texmf-var", ignore_errors=True)
        (work / "deps.json").write_text(
            json.dumps({"engine": engine, "files": files}, indent=0) + "\n", encoding="utf-8"
        )
        final = formats / key
        if final.exists():  # stale (a dependency changed): move it aside first; readers keep their open copy
            aside = Path(tempfile.mkdtemp(prefix=f".old-{key}-", dir=formats))
            os.replace(final, aside / key)
            shutil.rmtree(aside, ignore_errors=True)
        os.replace(work, final)
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prune(formats: Path, keep: str) -> None:
    """Keep the KEEP_FORMATS most recently used formats; drop leftovers of killed dumps older than an hour."""
    entries = [p for p in formats.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_FORMATS:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
            (formats / f"{old.name}.lock").unlink(missing_ok=True)
    for leftover in formats.glob(".*-*"):
        try:
            if time.time() - leftover.stat().st_mtime > 3600:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


def ensure_format(
    engine: str,
    preamble: str,
    formats: Path,
    env: dict[str, str],
    *,
    deadline: float,
    label: str = "format",
    timeout: float = 180,
) -> Path | None:
    """The format for this preamble (path without `.fmt`), dumped now if the cache has no current one; None
    when it cannot be made. Safe for concurrent callers: one dumps, the others wait for it on a lock file."""
    key = format_key(engine, preamble)
    if key is None:
        return None
    folder = formats / key
    if not _ready(folder):
        if key in _FAILED:
            return None
        try:
            formats.mkdir(parents=True, exist_ok=True)
            with _locked(formats / f"{key}.lock", deadline):
                if not _ready(folder):
                    made = _dump(engine, preamble, key, formats, env, deadline, label, timeout)
                    _prune(formats, key)
                    if not made:
                        _FAILED.add(key)
                        return None
        except (OSError, TimeoutError):
            _FAILED.add(key)
            return None
    with contextlib.suppress(OSError):
        os.utime(folder)  # most recently used, for _prune
    return folder / _JOB


def aux_state(workdir: Path, job: str) -> dict[str, bytes]:
    """The files a pass leaves for the next one to read (.aux, .out, ...): everything but the source and the
    outputs."""
    skip = {f"{job}.tex", f"{job}.log", f"{job}.pdf", f"{job}.fls"}
    return {p.name: p.read_bytes() for p in workdir.iterdir() if p.is_file() and p.name not in skip}


def _clean(workdir: Path, job: str) -> None:
    """Leave only the source and its assets, as the plain run expects to find the folder."""
    for entry in workdir.iterdir():
        if entry.name in (f"{job}.tex", "assets"):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def compile_with_format(
    workdir: Path,
    job: str,
    engine: str,
    env: dict[str, str],
    *,
    formats: Path | None,
    timeout: float,
    label: str,
    seed: dict[str, bytes] | None = None,
) -> bytes | None:
    """Compile workdir/<job>.tex with the cached format of its preamble; the final pass's terminal output.

    Passes run until no file the next pass would read has changed (the first pass writes the .aux and .out
    the second one reads). `seed`: the files a pass of this report's last build left (`aux_state`), which the
    first pass then reads. None when no format serves this file or a pass fails: workdir is left as it was,
    and the caller runs latexmk as without a format (so errors read exactly as they do there). RenderError
    when the time limit passes, dump included.
    """
    if formats is None or engine not in ENGINES:
        return None
    preamble = shared_preamble((workdir / f"{job}.tex").read_text(encoding="utf-8"))
    if preamble is None:
        return None
    deadline = time.monotonic() + timeout
    fmt = ensure_format(engine, preamble, formats, env, deadline=deadline, label=label, timeout=timeout)
    if fmt is None:
        return None
    mark_line = preamble.count("\n") + 1
    command = [engine, f"-fmt={fmt}", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", f"{job}.tex"]
    previous: dict[str, bytes] = {}
    if seed:
        for name, data in seed.items():
            (workdir / name).write_bytes(data)
        previous = dict(seed)
    for number in range(MAX_PASSES):
        # Without a seed the first pass cannot be the last (it writes the .aux it did not have): no PDF.
        draft = ["-draftmode"] if number == 0 and not seed else []
        returncode, output = _run([*command[:1], *draft, *command[1:]], workdir, env, deadline, label, timeout)
        log_file = workdir / f"{job}.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        started = _START_RE.search(log)
        if returncode != 0 or started is None or int(started.group(1)) != mark_line:
            break
        current = aux_state(workdir, job)
        if (number > 0 or seed) and current == previous:
            return output
        previous = current
    _clean(workdir, job)
    return None
