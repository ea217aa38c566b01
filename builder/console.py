"""What a build prints: a rich progress bar on a terminal, one plain line per report in CI logs."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from builder.build import BuildOptions, BuildResult, ReportOutcome

STATUS_STYLE = {"built": "green", "cached": "cyan", "failed": "red", "invalid": "red"}


class BuildConsole:
    def __init__(self, quiet: bool, total: int) -> None:
        self.quiet = quiet
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.out = Console(file=sys.stdout, highlight=False, soft_wrap=True)
        self.progress: Progress | None = None
        self.total = total
        self.task: Any = None

    def __enter__(self) -> BuildConsole:
        if not self.quiet:
            self.progress = Progress(
                TextColumn("[bold]reports"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("", total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)

    def report_done(self, outcome: ReportOutcome) -> None:
        line = f"{outcome.status:8} {outcome.slug}"
        if outcome.score is not None:
            line += f"  score {outcome.score:.1f}/10" + ("" if outcome.gate_passed else " (draft)")
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=outcome.slug)
            self.progress.console.print(f"[{STATUS_STYLE.get(outcome.status, '')}]{line}")
        else:
            # As it is: a slug is text, not markup; and among hundreds of reports rich's rendering of each line
            # was a tenth of a millisecond's work apiece.
            print(line, file=self.out.file)

    def summary(self, result: BuildResult, options: BuildOptions) -> None:
        for outcome in result.outcomes:
            if outcome.status in ("failed", "invalid"):
                # Messages quote specs and exceptions, where "[...]" is text, not markup.
                self.console.print(f"[red]{outcome.status}: {outcome.slug}[/red]\n{escape(outcome.message)}")
            for warning in outcome.warnings:
                self.console.print(f"[yellow]warning[/yellow] {outcome.slug}: {escape(warning)}")
        if result.site_message:
            self.console.print(f"[red]site failed:[/red] {escape(result.site_message)}")
        counts: dict[str, int] = {}
        for outcome in result.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        drafts = sum(o.gate_passed is False for o in result.outcomes)
        parts = [f"{n} {status}" for status, n in sorted(counts.items())]
        site = "site rebuilt" if result.site_built else "site unchanged"
        self.out.print(
            f"{', '.join(parts) or 'no reports'}; {drafts} below the publication gate; {site}; "
            f"{result.timings.get('total', 0.0):.2f} s -> {escape(str(options.out_dir))}"
        )
        if options.timings:
            self._timings(result)

    def _timings(self, result: BuildResult) -> None:
        """One row per report that was built (or failed); the cached ones in one line: among hundreds of reports
        a row for each would hide the few that cost anything."""
        worked = [o for o in result.outcomes if o.status != "cached"]
        cached = [o for o in result.outcomes if o.status == "cached"]
        stages = sorted({stage for o in worked for stage in o.timings})
        if worked:
            table = Table(title="where the time went (seconds)")
            table.add_column("report")
            for stage in stages:
                table.add_column(stage, justify="right")
            for outcome in worked:
                table.add_row(outcome.slug, *(f"{outcome.timings.get(s, 0.0):.2f}" for s in stages))
            self.out.print(table)
        if cached:
            seconds = sum(sum(o.timings.values()) for o in cached)
            self.out.print(f"{len(cached)} cached reports: {seconds:.2f} s to find their outputs")
        whole = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.timings.items())
        self.out.print(f"build: {whole}")
