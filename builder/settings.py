"""Project settings from `pyproject.toml` `[tool.builder]`: defaults that every spec may override."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from builder.errors import SettingsError

DEFAULT_AUTHOR = "Literature Synthesis Team"
# The claim verifier configurations (builder.verify.model.VERIFIERS; named here so reading settings stays
# free of numpy, which the no-op build never imports).
VERIFIER_NAMES = ("lexical", "embed", "nli")
# The engines that turn the generated pages into the site, both from the same mkdocs.yml (docs/site.md):
# MkDocs (the default) and Zensical (the `zensical` extra).
SITE_ENGINES = ("mkdocs", "zensical")


@dataclass(frozen=True)
class ProjectSettings:
    root: Path
    default_author: str = DEFAULT_AUTHOR
    reports_dir: Path = Path("reports")
    store_dir: Path = Path("store")
    out_dir: Path = Path("build")
    mkdocs_config: Path = Path("mkdocs.yml")
    site_url: str | None = None
    # "lexical" (numpy only, the default), "embed" or "nli" (need optional extras); pinned so that every
    # machine builds the same reports whatever happens to be installed.
    verifier: str = "lexical"
    # "mkdocs" (the default) or "zensical" (needs `pip install -e '.[zensical]'`).
    site_engine: str = "mkdocs"


def load_settings(root: Path | None = None) -> ProjectSettings:
    """Read `[tool.builder]` from the project's pyproject.toml; missing file or table means defaults."""
    root = (root or Path.cwd()).resolve()
    table: dict[str, object] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            with pyproject.open("rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get("builder", {})
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{pyproject}: not valid TOML: {exc}") from None
    return ProjectSettings(
        root=root,
        default_author=str(table.get("default_author", DEFAULT_AUTHOR)),
        reports_dir=root / str(table.get("reports_dir", "reports")),
        store_dir=root / str(table.get("store_dir", "store")),
        out_dir=root / str(table.get("out_dir", "build")),
        mkdocs_config=root / str(table.get("mkdocs_config", "mkdocs.yml")),
        site_url=(str(table["site_url"]) if table.get("site_url") else None),
        verifier=_choice("verifier", table.get("verifier", "lexical"), VERIFIER_NAMES, pyproject),
        site_engine=_choice("site_engine", table.get("site_engine", "mkdocs"), SITE_ENGINES, pyproject),
    )


def _choice(field: str, value: object, allowed: tuple[str, ...], pyproject: Path) -> str:
    if value not in allowed:
        names = ", ".join(repr(name) for name in allowed)
        raise SettingsError(f"{pyproject}: [tool.builder] {field} must be one of {names}, got {value!r}")
    return str(value)
