"""Run a site engine (`mkdocs build` or `zensical build`) as a subprocess, and turn its failure into one error."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from builder.errors import RenderError

_RELEVANT = re.compile(r"WARNING|ERROR|Error|Aborted|Traceback|rror:")


def run_engine(
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    docs_dir: Path,
    config: Path,
    site: Path,
    started: subprocess.Popen[str] | None = None,
    while_running: Callable[[], None] | None = None,
) -> None:
    """Run `command` (or wait for `started`: the same command, already started and told to go on), calling
    `while_running` meanwhile; raise RenderError with the lines of its output that matter (the last 30 warnings
    and errors, else the last 30 lines) when it fails or writes no `site/index.html`."""
    engine = " ".join(command[2:4])  # "mkdocs build", "zensical build"
    process = started or subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd
    )
    with process:
        try:
            if while_running is not None:
                while_running()
            stdout, stderr = process.communicate()
        except BaseException:
            process.kill()
            raise
    proc = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if proc.returncode != 0:
        output = (proc.stderr + "\n" + proc.stdout).splitlines()
        relevant = [line for line in output if _RELEVANT.search(line)]
        detail = "\n".join((relevant or output)[-30:])
        raise RenderError(f"{engine} --strict failed for {docs_dir} (config {config}):\n{detail}")
    if not (site / "index.html").is_file():
        raise RenderError(f"{engine} produced no {site / 'index.html'}")
