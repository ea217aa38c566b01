"""Errors a user can act on. Each names where the problem is; none should surface as a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    file: Path
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. "claims[2].source"

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.field:
            where += f": field '{self.field}'"
        return where


class BuilderError(Exception):
    """Base for errors reported to the user as one clear message."""

    exit_code = 1


class SpecError(BuilderError):
    """Invalid input in a question spec. Exit code 2."""

    exit_code = 2

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


class SpecErrors(BuilderError):
    """Every problem found in one spec, so a user fixes them in one go."""

    exit_code = 2

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class SettingsError(BuilderError):
    """Invalid project settings (`[tool.builder]` in pyproject.toml). Exit code 2, like any bad input."""

    exit_code = 2


class StoreError(BuilderError):
    """The paper store lacks a paper or holds a corrupt file."""


class RenderError(BuilderError):
    """A renderer (TeX, MkDocs) failed; the message holds the lines that matter."""

    def __init__(self, message: str, tex_line: int | None = None) -> None:
        super().__init__(message)
        self.tex_line = tex_line  # the .tex line TeX's error points at, so the data on it can be named
