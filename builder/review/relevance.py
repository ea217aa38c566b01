"""Checks of the report's sources against its topic: off-topic-source and copied-abstract."""

from __future__ import annotations

from builder.models import Finding, FindingCode
from builder.review.base import short
from builder.review.config import ReviewConfig
from builder.review.context import CheckResult, ReviewContext
from builder.review.topic import Relevance, Topic, paper_text
from builder.text import normalise_space, split_sentences


def check_relevance(ctx: ReviewContext) -> CheckResult:
    """off-topic-source for the primary paper, any other paper, and the abstract.

    Measures: the relevance (0-1) of each paper, by arXiv id, and of the abstract ("abstract") when there is one.
    """
    report, topic, config = ctx.report, ctx.topic, ctx.config
    findings: list[Finding] = []
    scores: dict[str, float] = {}
    for paper in ctx.papers:
        rel = topic.relevance(paper_text(paper), exclude=paper.arxiv_id)
        scores[paper.arxiv_id] = rel.score
        is_primary = paper.arxiv_id == report.primary.arxiv_id
        reason = _off_topic_reason(rel, topic, config)
        if reason:
            who = "primary paper" if is_primary else "paper"
            findings.append(
                Finding(
                    FindingCode.OFF_TOPIC_SOURCE,
                    "error" if is_primary else "warning",
                    f"{who} arXiv:{paper.arxiv_id} “{short(paper.title, 60)}” does not match the title and "
                    f"question: {reason}",
                )
            )
    if report.abstract.strip():
        rel = topic.relevance(report.abstract)
        scores["abstract"] = rel.score
        reason = _off_topic_reason(rel, topic, config)
        if reason:
            findings.append(
                Finding(
                    FindingCode.OFF_TOPIC_SOURCE,
                    "error",
                    f"the abstract does not match the title and question: {reason}",
                )
            )
    return CheckResult(tuple(findings), scores)


def _off_topic_reason(rel: Relevance, topic: Topic, config: ReviewConfig) -> str | None:
    overlap = (
        f"it covers {rel.score:.0%} of the question's weighted terms"
        + (f" ({', '.join(topic.describe(t) for t in rel.matched[:5])})" if rel.matched else "")
        + (f" but misses {', '.join(topic.describe(t) for t in rel.missing[:4])}" if rel.missing else "")
    )
    if rel.missing_anchors:
        names = ", ".join(topic.describe(a) for a in rel.missing_anchors)
        return f"it never mentions {names}, the topic of the title and of most other papers; {overlap}"
    if rel.score < config.min_relevance:
        return f"{overlap}, below the {config.min_relevance:.0%} needed"
    return None


def check_copied_abstract(ctx: ReviewContext) -> CheckResult:
    """copied-abstract: an abstract made of a paper's abstract sentences summarises that paper, not this report."""
    report = ctx.report
    sentences = [normalise_space(s).lower() for s in split_sentences(report.abstract)]
    # Quoting one of the report's own claims (extracted claims are paper sentences) is not copying.
    claims = [normalise_space(r.claim.text).lower() for r in report.claims]
    sentences = [s for s in sentences if not any(c in s or s in c for c in claims)]
    if len(sentences) < 2:
        return CheckResult()
    findings = []
    for paper in ctx.papers:
        own = {normalise_space(s).lower() for s in split_sentences(paper.abstract)}
        # A truncated last sentence still counts when it is the start of one of the paper's sentences.
        copied = sum(1 for s in sentences if s in own or any(o.startswith(s) and len(s) > 20 for o in own))
        if copied >= 2 and copied * 2 >= len(sentences):
            findings.append(
                Finding(
                    FindingCode.COPIED_ABSTRACT,
                    "warning",
                    f"the abstract copies {copied} of its {len(sentences)} sentences from the abstract of "
                    f"arXiv:{paper.arxiv_id} instead of summarising this report",
                )
            )
    return CheckResult(tuple(findings))
