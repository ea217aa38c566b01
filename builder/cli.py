"""Command line: `python -m builder {build,check,refresh,verify,store,schema}`.

Exit codes: 0 all built, 1 a report failed (or, with --strict, is below the publication gate), 2 invalid input.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from builder import __version__
from builder.errors import BuilderError, SpecErrors
from builder.settings import ProjectSettings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m builder", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, default=None, help="project folder (default: current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build reports into PDFs, .bib, .json and the site")
    build.add_argument("specs", nargs="*", type=Path, help="specs to build (default: reports/*.yaml)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: build/)")
    build.add_argument("--offline", action="store_true", help="accepted for clarity: builds never use the network")
    build.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="reports built in parallel")
    build.add_argument("--strict", action="store_true", help="exit 1 when a report is below the publication gate")
    build.add_argument("--site-url", default=None, help="public URL of the site, e.g. https://host/team/reports/")
    build.add_argument("--no-site", action="store_true", help="skip the MkDocs site")
    build.add_argument("--quiet", action="store_true", help="plain log lines, no progress display")
    build.add_argument("--timings", action="store_true", help="print where the time went")
    build.add_argument("--shard", default=None, metavar="I/N", help="build only shard I of N (for a CI matrix)")
    build.add_argument("--merge", nargs="+", type=Path, metavar="DIR", help="assemble the site from shard outputs")

    check = sub.add_parser("check", help="validate specs without building")
    check.add_argument("specs", nargs="*", type=Path)

    sub.add_parser("refresh", help="fetch new papers from arXiv into the store and lock", add_help=False)
    sub.add_parser("verify", help="verify SciFact-format claims (batch evaluation)", add_help=False)

    schema = sub.add_parser("schema", help="write the manifest's JSON Schema, generated from its typed classes")
    schema.add_argument("--out", type=Path, default=None, help="file to write (default: docs/manifest.schema.json)")
    schema.add_argument("--check", action="store_true", help="write nothing; exit 1 when the file is out of date")

    store = sub.add_parser("store", help="manage the paper store")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    imp = store_sub.add_parser("import", help="import arXiv records from a JSONL file")
    imp.add_argument("jsonl", type=Path)
    return parser


def _specs(args: argparse.Namespace, settings: ProjectSettings) -> list[Path]:
    from builder.build import discover_specs

    return list(args.specs) if args.specs else discover_specs(settings)


def _cmd_check(args: argparse.Namespace, settings: ProjectSettings) -> int:
    """Validate specs (a folder means every spec in it); exit 0 all valid, 2 any invalid."""
    from builder.spec import run_check

    return run_check(list(args.specs) or [settings.reports_dir], settings.default_author)


def _cmd_build(args: argparse.Namespace, settings: ProjectSettings) -> int:
    from builder.build import BuildOptions, build, merge, select_shard
    from builder.console import BuildConsole

    options = BuildOptions(
        out_dir=args.out or settings.out_dir,
        jobs=max(1, args.jobs),
        strict=args.strict,
        site_url=args.site_url or settings.site_url,
        site=not args.no_site,
        timings=args.timings,
    )
    specs = _specs(args, settings)
    if args.shard:
        index, _, count = args.shard.partition("/")
        if not (index.isdigit() and count.isdigit()):
            raise BuilderError(f"--shard {args.shard}: expected I/N, e.g. 2/4")
        specs = select_shard(specs, int(index), int(count))
        options = replace(options, site=False)
    console = BuildConsole(quiet=args.quiet or not sys.stderr.isatty(), total=len(specs))
    with console:
        if args.merge:
            result = merge(args.merge, settings, options)
        else:
            result = build(specs, settings, options, progress=console.report_done)
    console.summary(result, options)
    return result.exit_code


def _cmd_store(args: argparse.Namespace, settings: ProjectSettings) -> int:
    from builder.papers import PaperStore, import_jsonl

    added, changed, warnings = import_jsonl(PaperStore(settings.store_dir), args.jsonl)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{added} papers added, {changed} updated in {settings.store_dir / 'papers'}")
    return 0


def _cmd_schema(args: argparse.Namespace, settings: ProjectSettings) -> int:
    from builder.papers import atomic_write_text
    from builder.render.manifest import SCHEMA_FILE, render_schema

    path = args.out or settings.root / SCHEMA_FILE
    text = render_schema()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if args.check:
        if current != text:
            print(f"{path} is out of date: run `python -m builder schema`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if current != text:
        atomic_write_text(path, text)
    print(f"{path} {'unchanged' if current == text else 'written'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Subcommands with their own parsers are handed the rest of the line untouched.
    passthrough = {"refresh": "builder.gather.refresh", "verify": "builder.verify.batch"}
    for index, word in enumerate(argv):
        if word in passthrough:
            import importlib

            return int(importlib.import_module(passthrough[word]).main(argv[index + 1 :]))
        if not word.startswith("-"):
            break
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.root)  # a bad [tool.builder] is an input error, not a traceback
        if args.command == "check":
            return _cmd_check(args, settings)
        if args.command == "build":
            return _cmd_build(args, settings)
        if args.command == "store":
            return _cmd_store(args, settings)
        if args.command == "schema":
            return _cmd_schema(args, settings)
    except SpecErrors as exc:
        print(exc, file=sys.stderr)
        return 2
    except BuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2
