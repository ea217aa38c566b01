"""Question specs: `reports/<slug>.yaml`, validated by a strict typed schema with errors at file:line:column.

A spec is hostile input until proven otherwise. It is read with limits and composed node by node so every
value keeps its position (`yamlread.py`), turned into plain data, then validated by the pydantic schema
(`schema.py`) in strict mode (`title: 123` or `title: yes` is an error, never silently coerced). Every
pydantic error is mapped back to the YAML node it concerns and rewritten as one short message that says what
was expected (`messages.py`), in words generated from the schema's own declarations (`describe.py`), which
also generate docs/spec.md's field tables. The reference for users is docs/spec.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NoReturn, TextIO

import yaml
from pydantic import ValidationError

from builder.errors import Location, SpecError, SpecErrors
from builder.spec.describe import expected, required_fields
from builder.spec.messages import cross_checks, validation_errors
from builder.spec.schema import ArxivId, LoadedSpec, Query, Settings, Spec, SpecClaim, SpecDate
from builder.spec.yamlread import MAX_DEPTH, MAX_NODES, Loader, Positions, mark, yaml_message

__all__ = [
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "SLUG_RE",
    "SPEC_SUFFIX",
    "ArxivId",
    "LoadedSpec",
    "Query",
    "Settings",
    "Spec",
    "SpecClaim",
    "SpecDate",
    "check_specs",
    "load_spec",
    "run_check",
    "slug_for",
    "spec_files",
]

SPEC_SUFFIX = ".yaml"  # the only extension that makes a spec; `.yml` files are reported, not read
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_SPEC_BYTES = 1_000_000
MAX_ERRORS = 25  # per file: enough to fix a spec in one go, few enough to read


def _raise(errors: list[SpecError]) -> NoReturn:
    errors = sorted(errors, key=lambda e: (e.location.line or 0, e.location.column or 0))
    if len(errors) > MAX_ERRORS:
        rest = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], SpecError(Location(errors[0].location.file), f"... and {rest} more errors")]
    raise SpecErrors(errors)


# --- public API ------------------------------------------------------------------------------------


def slug_for(path: Path) -> str:
    """The report's name: the spec's file name without `.yaml`; it names every output of the report."""
    return Path(path).stem


def load_spec(path: Path, default_author: str) -> LoadedSpec:
    """Read and validate one spec; raise SpecErrors (and only SpecErrors) naming file, line, column and field."""
    path = Path(path)
    slug = slug_for(path)
    if path.suffix != SPEC_SUFFIX:
        _raise([SpecError(Location(path), f"a spec file must end in {SPEC_SUFFIX}; rename it to {slug}{SPEC_SUFFIX}")])
    if not SLUG_RE.match(slug):
        _raise(
            [
                SpecError(
                    Location(path),
                    f"file name '{path.name}' must be a slug: lower-case letters, digits, '-' or '_' "
                    "(at most 100, starting with a letter or digit)",
                )
            ]
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)  # never read more than the limit, whatever the file's size
    except OSError as exc:
        _raise([SpecError(Location(path), f"cannot read the spec: {exc.strerror or exc}")])
    if len(raw) > MAX_SPEC_BYTES:
        _raise([SpecError(Location(path), f"spec is larger than {MAX_SPEC_BYTES} bytes; a spec is a short text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        _raise(
            [
                SpecError(
                    Location(path, line, column),
                    f"not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8",
                )
            ]
        )
    try:
        loader = Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        _raise(
            [
                SpecError(
                    Location(path, line, column), f"invalid YAML: the character U+{exc.character:04X} is not allowed"
                )
            ]
        )
    except yaml.MarkedYAMLError as exc:
        at = exc.problem_mark or exc.context_mark
        line, column = (at.line + 1, at.column + 1) if at else (None, None)
        _raise([SpecError(Location(path, line, column), yaml_message(exc))])
    except yaml.YAMLError as exc:
        _raise([SpecError(Location(path), f"invalid YAML: {exc}")])
    if node is None:
        empty = f"the spec is empty; expected a mapping with {', '.join(required_fields())}"
        _raise([SpecError(Location(path), empty)])
    if not isinstance(node, yaml.MappingNode):
        line, column = mark(node)
        kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the single value {str(node.value)[:40]!r}"
        _raise([SpecError(Location(path, line, column), f"expected {expected(())}, got {kind}")])
    built = Positions(path)
    data = built.build(node)
    errors = list(built.errors)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        reported = {e.location.field for e in errors}
        errors += [e for e in validation_errors(exc, built) if e.location.field not in reported]
        _raise(errors)
    errors += cross_checks(spec, built)
    if errors:
        _raise(errors)
    claim_lines = tuple(built.value_at.get(("claims", i), (0, 0))[0] for i in range(len(spec.claims)))
    return LoadedSpec(slug=slug, path=path, spec=spec, author=spec.author or default_author, claim_lines=claim_lines)


def spec_files(directory: Path) -> list[Path]:
    """The spec files of a reports directory: every `*.yaml`, plus `*.yml` so that check can flag them."""
    directory = Path(directory)
    found = [p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")]
    return sorted(found)


def check_specs(paths: list[Path], default_author: str) -> tuple[list[LoadedSpec], list[SpecErrors]]:
    """Validate many specs: every valid one, and one SpecErrors per invalid file. Never raises for a bad file.

    A directory stands for the specs in it. The same file given twice is checked once; two different files
    with one slug (e.g. `reports/a.yaml` and `other/a.yaml`) would write the same outputs, so the second is
    an error naming the first.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(spec_files(path) if path.is_dir() else [path])
    loaded: list[LoadedSpec] = []
    failed: list[SpecErrors] = []
    seen: set[Path] = set()
    slugs: dict[str, Path] = {}
    for path in files:
        identity = path.resolve()
        if identity in seen:
            continue
        seen.add(identity)
        problems: list[SpecError] = []
        slug = slug_for(path)
        if path.suffix == SPEC_SUFFIX and slug in slugs:
            problems.append(
                SpecError(Location(path), f"slug '{slug}' is already used by {slugs[slug]}; rename one of the files")
            )
        elif path.suffix == SPEC_SUFFIX:
            slugs[slug] = path
        try:
            spec = load_spec(path, default_author)
        except SpecErrors as exc:
            problems.extend(exc.errors)
        else:
            if not problems:
                loaded.append(spec)
        if problems:
            failed.append(SpecErrors(problems))
    return loaded, failed


def run_check(paths: list[Path], default_author: str, out: TextIO | None = None) -> int:
    """`check` at the command line: print every error as file:line:column: field: message; exit code 0 or 2.

    Output goes to `out` (stderr by default) so a user can paste a line into an editor's "go to" box.
    """
    out = out or sys.stderr
    loaded, failed = check_specs(paths, default_author)
    for problems in failed:
        for error in problems.errors:
            print(error, file=out)
    total = len(loaded) + len(failed)
    if total == 0:
        print(f"no specs found: a spec is a file ending in {SPEC_SUFFIX}", file=out)
        return 2
    print(f"{len(loaded)} of {total} spec{'s' if total != 1 else ''} valid", file=out)
    return 2 if failed else 0
