"""What every check reads (`ReviewContext`) and returns (`CheckResult`).

A check is a function `ReviewContext -> CheckResult`: the report and its thresholds in, findings and the
measurements a dimension needs out. The context is built once per review, so what several checks read (the
papers, the topic, the vocabulary, the verification threshold) is computed once and is the same for all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from builder.models import Finding, Paper, Report
from builder.review.config import ReviewConfig
from builder.review.topic import Topic, paper_text, unique_papers, vocabulary_of


@dataclass(frozen=True)
class CheckResult:
    """What one check found, and the measurements behind it that a dimension reads (named in each check)."""

    findings: tuple[Finding, ...] = ()
    measures: Mapping[str, float] = field(default_factory=dict)


def stated_threshold(report: Report, default: float) -> float:
    """The verification threshold the methodology states ('confidence of 0.50 or more'), else the default."""
    match = re.search(r"confidence (?:of |at least |≥ ?|>= ?)?(0?\.\d+|1\.0+)", report.methodology)
    return float(match.group(1)) if match else default


@dataclass(frozen=True)
class ReviewContext:
    """The report under review with its thresholds, and what several checks derive from it, computed once."""

    report: Report
    config: ReviewConfig
    papers: tuple[Paper, ...]  # every paper once, the primary first
    topic: Topic
    threshold: float  # the verification threshold the methodology states, else `config.verify_threshold`
    vocabulary: frozenset[str]  # every word of the papers' texts, lower-cased

    @staticmethod
    def of(report: Report, config: ReviewConfig) -> ReviewContext:
        papers = tuple(unique_papers(report))
        return ReviewContext(
            report=report,
            config=config,
            papers=papers,
            topic=Topic.build(report, config.anchor_share),
            threshold=stated_threshold(report, config.verify_threshold),
            vocabulary=vocabulary_of([paper_text(p) for p in papers]),
        )


Check = Callable[[ReviewContext], CheckResult]
