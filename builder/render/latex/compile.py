"""Compile a .tex to PDF: pdfLaTeX with the cached format of its preamble (`builder.render.texformat`), or latexmk,
in a throw-away directory with shell escape off, paranoid file access, a time limit and a fixed SOURCE_DATE_EPOCH."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from builder.errors import RenderError
from builder.render.latex import templates
from builder.render.latex.escape import tex_engine
from builder.render.texformat import aux_state, compile_with_format, formats_dir_for
from builder.render.texlog import error_line, hint, missing_glyphs, tex_errors

# ---------------------------------------------------------------------------------------------------------------
# Compilation.

_INCLUDE_RE = re.compile(r"(\\includegraphics(?:\[[^\]]*\])?\{)([^{}]+)(\})")
_ASSET_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg"}
_JOB = "report"
_ENGINE_PACKAGES = {"pdflatex": "texlive-latex-base, tex-gyre", "xelatex": "texlive-xetex, fonts-freefont-otf"}


def _stage_assets(tex: str, base: Path, workdir: Path) -> str:
    """Copy each \\includegraphics file into the work dir (paranoid TeX reads nothing outside it)."""
    assets = workdir / "assets"
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        source = Path(match.group(2).strip())
        source = source if source.is_absolute() else base / source
        if source.suffix.lower() not in _ASSET_SUFFIXES:
            return match.group(0)
        if not source.is_file():
            raise RenderError(f"figure file not found: {source}")
        counter += 1
        assets.mkdir(exist_ok=True)
        target = assets / f"fig{counter}{source.suffix.lower()}"
        shutil.copyfile(source, target)
        return f"{match.group(1)}assets/{target.name}{match.group(3)}"

    return _INCLUDE_RE.sub(replace, tex)


def _env(epoch: int, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        openin_any="p",
        openout_any="p",
        shell_escape="f",
        SOURCE_DATE_EPOCH=str(epoch),
        FORCE_SOURCE_DATE="1",
        max_print_line="10000",
        error_line="254",
        half_error_line="238",
        TEXMFOUTPUT=str(workdir),
        TEXMFVAR=str(workdir / ".texmf-var"),
    )
    env.pop("TEXINPUTS", None)
    return env


def _read_aux(folder: Path | None) -> dict[str, bytes] | None:
    """The auxiliary files a last build kept (`keep_aux`), None when there are none to read."""
    if folder is None or not folder.is_dir():
        return None
    try:
        found = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name.startswith(f"{_JOB}.")}
    except OSError:
        return None
    return found or None


def compile_pdf(
    tex_path: Path,
    pdf_path: Path,
    *,
    timeout: float = 180,
    epoch: int | None = None,
    latex_dir: Path | None = None,
    formats: Path | None = None,
    seed_aux: Path | None = None,
    keep_aux: Path | None = None,
) -> list[str]:
    """Compile tex_path to pdf_path in a sandbox dir; return warnings, raise RenderError.

    The engine is the one the file names on its first line (`tex_engine`). `epoch` fixes the PDF dates and
    ID (SOURCE_DATE_EPOCH); None falls back to $SOURCE_DATE_EPOCH, then 0, so the output is reproducible
    either way. pdfLaTeX runs with a format of the file's preamble cached in `formats` (default: the build's
    `.cache/tex-formats` when tex_path is in the build's cache, see builder.render.texformat); without one,
    latexmk runs the engine's own format. The PDF is the same either way. `seed_aux`: a folder of auxiliary files
    (.aux, .out) from this report's last build, which the formatted run starts from; `keep_aux`: the folder to put
    this run's final ones in (nothing is put there after a latexmk run).
    """
    if epoch is None:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    tex_path = Path(tex_path)
    try:
        tex = tex_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot read {tex_path}: {exc.strerror}") from exc
    engine = tex_engine(tex)
    if shutil.which("latexmk") is None or shutil.which(engine) is None:
        raise RenderError(f"latexmk and {engine} are required to build the PDF "
                          f"(Debian: latexmk, {_ENGINE_PACKAGES[engine]}; or run scripts/system-deps.sh tex)")
    with tempfile.TemporaryDirectory(prefix="builder-tex-") as tmp:
        workdir = Path(tmp)
        (workdir / f"{_JOB}.tex").write_text(_stage_assets(tex, tex_path.parent.resolve(), workdir), encoding="utf-8")
        output = compile_with_format(workdir, _JOB, engine, _env(epoch, workdir), timeout=timeout,
                                     formats=formats or formats_dir_for(tex_path), label=str(tex_path),
                                     seed=_read_aux(seed_aux))
        if keep_aux is not None:
            shutil.rmtree(keep_aux, ignore_errors=True)  # files of an earlier run are no seed for this one
            if output is not None:  # after latexmk, none: its files are not what a formatted pass leaves
                keep_aux.mkdir(parents=True)
                for name, data in aux_state(workdir, _JOB).items():
                    (keep_aux / name).write_bytes(data)
        returncode = 0
        if output is None:
            rc_file = str((latex_dir or templates.LATEX_DIR) / "latexmkrc")
            command = ["latexmk", "-norc", "-r", rc_file, "-pdf" if engine == "pdflatex" else "-xelatex",
                       "-interaction=nonstopmode",
                       "-halt-on-error", "-no-shell-escape", f"{_JOB}.tex"]
            proc = subprocess.Popen(command, cwd=workdir, env=_env(epoch, workdir), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise RenderError(f"{tex_path}: LaTeX did not finish within {timeout:g} s") from exc
            returncode = proc.returncode
        log_file = workdir / f"{_JOB}.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        pdf = workdir / f"{_JOB}.pdf"
        if returncode != 0 or not pdf.exists():
            terminal = output.decode("utf-8", "replace")
            detail = tex_errors(log, output=terminal) or "\n".join(terminal.strip().splitlines()[-8:])
            meaning = hint(detail)
            raise RenderError(f"{tex_path}: LaTeX failed{' (' + meaning + ')' if meaning else ''}\n{detail}",
                              tex_line=error_line(log, terminal, tex))
        warnings = missing_glyphs(log)
        if re.search(r"LaTeX Warning: (There were undefined references|Label\(s\) may have changed)", log):
            warnings.append(f"{tex_path}: unresolved cross-references remain after the final LaTeX pass")
        pdf_path = Path(pdf_path)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        staged = pdf_path.with_name(pdf_path.name + ".tmp")
        shutil.copyfile(pdf, staged)
        staged.replace(pdf_path)
    return warnings
