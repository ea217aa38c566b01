"""One spec to its one `Report`: Spec -> Papers -> Claims -> Verdicts -> Review -> Report.

`make_report` writes no file and keeps no cache: it reads the paper store and returns the finished model, which
the build then renders into a cache entry (`builder.build`) and publishes (`builder.publish`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from builder.errors import BuilderError
from builder.papers import PaperStore
from builder.settings import ProjectSettings
from builder.spec import LoadedSpec

if TYPE_CHECKING:
    from builder.cache import VerdictMemo
    from builder.models import Report
    from builder.verify import Verifier


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the block's wall time to `timings[stage]` (what `--timings` prints) when it completes."""
    start = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def make_report(
    loaded: LoadedSpec,
    paper_ids: list[str],
    settings: ProjectSettings,
    timings: dict[str, float] | None = None,
    memo: VerdictMemo | None = None,
) -> Report:
    """The report of one spec, from its papers in the store (`paper_ids`, resolved from the spec and its lock).
    `memo` holds the report's last verdicts: reused when its claims, papers and threshold are the same."""
    # Heavy imports live here so a fully cached build never pays for them.
    from builder.claims import collect_claims
    from builder.render.bibtex import bib_keys
    from builder.report import assemble

    timings = {} if timings is None else timings

    # Gather the papers from the store (the network is only for `refresh`).
    with timed(timings, "papers"):
        papers, store_warnings = PaperStore(settings.store_dir).read_many(paper_ids)

    # Extract claims from the papers and take the spec's own.
    with timed(timings, "claims"):
        claims = collect_claims(loaded, papers)

    # Verify every claim against every paper.
    with timed(timings, "verify"):
        threshold = loaded.spec.settings.min_confidence
        key = memo.key(claims, papers, threshold) if memo else ""
        verdicts = memo.get(key) if memo else None
        if verdicts is None:
            verdicts = load_verifier(settings).verify(claims, papers, threshold=threshold)
            if memo:
                memo.put(key, verdicts)

    # Synthesise, review and assemble the one Report (`assemble` writes the synthesis and the prose from the
    # counts, has the reviewers score that draft, then writes the prose again with the score).
    with timed(timings, "review"):
        keys = bib_keys(papers)
        report = assemble(loaded, papers, claims, verdicts, warnings=store_warnings, bib_keys=keys)
    return report


def load_verifier(settings: ProjectSettings) -> Verifier:
    """The project's verifier; a missing optional extra names the setting and how to install it."""
    from builder.verify import Verifier
    from builder.verify.model import MissingExtra

    try:
        return Verifier.load(verifier=settings.verifier)
    except MissingExtra as exc:
        raise BuilderError(
            f"{settings.root / 'pyproject.toml'}: [tool.builder] verifier = {settings.verifier!r} needs the "
            f"{exc.what}, which is not installed: pip install -e '.[{exc.extra}]' (or set verifier = 'lexical')"
        ) from None
