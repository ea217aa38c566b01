"""The project's LaTeX template folder (`latex/`): preamble, draft watermark, fonts per engine, latexmkrc."""

from __future__ import annotations

from pathlib import Path

from builder.errors import RenderError

# The checkout's latex/; a build passes the project's own (`cache.templates_dir`).
LATEX_DIR = Path(__file__).resolve().parents[3] / "latex"


def read_template(name: str, latex_dir: Path | None = None) -> str:
    path = (latex_dir or LATEX_DIR) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"LaTeX template missing: {path} ({exc.strerror})") from exc
