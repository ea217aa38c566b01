"""Assemble the one `Report` every renderer reads, and write its prose from its own numbers.

All counts in the prose come from one `Counts` value, so header, abstract, results and table agree.
The abstract is written for this report from its verified findings, never copied from a paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from builder.disagreements import find_disagreements
from builder.models import Claim, ClaimResult, ClaimStatus, Counts, Paper, Report, Review, Synthesis, Verdict
from builder.results import extract_results
from builder.review import ReviewConfig, review
from builder.spec import LoadedSpec
from builder.standalone import author_label
from builder.synthesis import synthesise

PLACEHOLDER_REVIEW = Review(score=0.0, tier="draft", gate_passed=False, reasons=())


def cite(paper: Paper) -> str:
    """'Politov et al. (2025)' style: enough for a reader to find the reference (the claims' label too)."""
    return author_label(paper)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def count(claims: list[ClaimResult], papers: list[Paper]) -> Counts:
    return Counts(
        papers=len(papers),
        claims=len(claims),
        verified=sum(r.verdict.verified for r in claims),
        grounded=sum(r.verdict.verified and r.verdict.grounded for r in claims),
        corroborated=sum(r.verdict.verified and r.verdict.corroborated for r in claims),
        contested=sum(r.verdict.contested for r in claims),
        stated=sum(r.verdict.status is ClaimStatus.STATED for r in claims),
        unsupported=sum(r.verdict.status is ClaimStatus.UNSUPPORTED for r in claims),
    )


def _abstract(loaded: LoadedSpec, counts: Counts, synthesis: Synthesis, rev: Review | None) -> str:
    question = _sentence(loaded.spec.question)
    parts = [
        f"This report asks: {question}",
        f"It synthesises {_plural(counts.papers, 'arXiv paper')} and checks "
        f"{_plural(counts.claims, 'claim')} against them: {counts.corroborated_status} corroborated by a paper "
        f"other than their source, {counts.contested} contested by a paper, {counts.stated} stated only by their "
        f"own source and {counts.unsupported} supported by no paper.",
    ]
    # The answer in brief. When the papers disagree on a finding of the synthesis, that is the answer: both
    # sides, from two different papers, as the synthesis cites them. Otherwise the leading finding of each of
    # the first two themes.
    contested = [x for t in synthesis.themes for x in t.sentences if x.contested]
    first_side = contested[0] if contested else None
    other_side = next((x for x in contested[1:] if first_side and x.cites[:1] != first_side.cites[:1]), None)
    leads = [next((x for x in t.sentences if not x.contested), None) for t in synthesis.themes[:2]]
    leads = [x for x in leads if x is not None]
    if first_side is not None and other_side is not None:
        parts.append(f"In brief, the papers disagree: {first_side.lead} Against this: {other_side.lead}")
    elif leads:
        findings = " ".join(x.lead for x in leads)
        parts.append(f"In brief: {findings}")
    else:
        parts.append("No claim is supported by a paper of the report, so the report states no finding.")
    if rev is not None:
        verdict = "passes" if rev.gate_passed else "does not pass"
        parts.append(
            f"The automated review scores it {rev.score:.1f}/10 ({rev.tier}); it {verdict} the publication gate."
        )
    return " ".join(parts)


def _introduction(loaded: LoadedSpec, primary: Paper) -> str:
    return (
        f"This report examines {primary.title} by {cite(primary)}, arXiv:{primary.versioned_id}, "
        f"and the work around it. Research question: {_sentence(loaded.spec.question)}"
    )


def _methodology(loaded: LoadedSpec, counts: Counts, claims: list[ClaimResult]) -> str:
    settings = loaded.spec.settings
    extracted = sum(r.claim.origin == "extracted" for r in claims)
    written = counts.claims - extracted
    queries = len(loaded.spec.queries)
    source = "the arXiv ids listed in the spec" + (
        f" and {_plural(queries, 'arXiv search query', 'arXiv search queries')} resolved through the lock file"
        if queries
        else ""
    )
    text = "full text where stored, else abstracts" if settings.fulltext else "titles and abstracts"
    return (
        f"The paper set ({_plural(counts.papers, 'paper')}) comes from {source}, read offline from the "
        f"committed paper store ({text}). {_plural(extracted, 'claim')} were extracted from the papers by ranking "
        f"sentences that state findings, results or comparisons by their relevance to the research question, at "
        f"most {settings.claims_per_paper} per paper and {settings.max_claims} in all; {written} were written in the "
        f"spec. Every claim was checked against every sentence of every paper: the verifier scores each candidate "
        f"evidence sentence, checks that numbers, negation and direction agree, and returns a calibrated probability "
        f"that the claim is supported, and contradicted. A claim counts as verified at a confidence of "
        f"{settings.min_confidence:.2f} or more; it is grounded when its own source supports it, corroborated when "
        f"another paper does (judged with a stricter cut, since other papers rarely hold evidence for a claim) "
        f"and contested when a paper contradicts it. Three "
        f"automated reviewers (challenger, confirmer, integrator) then score the report on eight quality dimensions."
    )


def _results(counts: Counts, rev: Review | None) -> str:
    text = (
        f"{_plural(counts.papers, 'paper')} retrieved. {_plural(counts.claims, 'claim')} extracted or stated; "
        f"{counts.verified} verified, of which {counts.grounded} grounded in their own source and "
        f"{counts.corroborated} independently corroborated."
    )
    if rev is not None:
        text += f" Quality review score: {rev.score:.1f}/10 ({rev.tier})."
    return text


def _limitations(loaded: LoadedSpec, counts: Counts, warnings: list[str]) -> str:
    parts = [
        "This report is a machine-generated literature synthesis and does not constitute original research.",
        "Evidence comes from "
        + ("the stored full text and abstracts" if loaded.spec.settings.fulltext else "titles and abstracts only")
        + ": a claim that a paper supports only in its body may be marked unverified.",
        "Confidences are calibrated on SciFact (biomedical claims); on other domains they are indicative.",
        "Review scores reflect automated assessment, not human peer review; consult the primary sources.",
    ]
    unverified = counts.claims - counts.verified
    if unverified:
        parts.append(f"{_plural(unverified, 'claim')} could not be verified and should not be relied on.")
    if warnings:
        parts.append(_warnings_sentence(len(warnings)))
    return " ".join(parts)


def _warnings_sentence(n: int) -> str:
    return f"The build raised {_plural(n, 'warning')}, listed below." if n else ""


def add_warnings(report: Report, extra: Sequence[str]) -> Report:
    """The report with warnings found after it was assembled (TeX's), in its warnings and its Limitations alike,
    so a renderer that runs again after them (the PDF) states what the manifest and the page state."""
    if not extra:
        return report
    warnings = (*report.warnings, *extra)
    base = report.limitations
    old = _warnings_sentence(len(report.warnings))
    if old and base.endswith(old):
        base = base[: -len(old)].rstrip()
    return replace(report, warnings=warnings, limitations=f"{base} {_warnings_sentence(len(warnings))}")


def assemble(
    loaded: LoadedSpec,
    papers: list[Paper],
    claims: list[Claim],
    verdicts: list[Verdict],
    warnings: list[str],
    bib_keys: dict[str, str],
) -> Report:
    """Build the Report: prose from counts, then the review, then the prose again with the score."""
    results = [ClaimResult(claim=c, verdict=v) for c, v in zip(claims, verdicts, strict=True)]
    counts = count(results, papers)
    synthesis = synthesise(loaded.spec.question, results, papers)
    primary = papers[0]
    draft = Report(
        slug=loaded.slug,
        title=" ".join(loaded.spec.title.split()),
        date=loaded.spec.date,
        author=loaded.author,
        question=" ".join(loaded.spec.question.split()),
        primary=primary,
        papers=tuple(papers),
        claims=tuple(results),
        counts=counts,
        review=PLACEHOLDER_REVIEW,
        abstract=_abstract(loaded, counts, synthesis, None),
        introduction=_introduction(loaded, primary),
        methodology=_methodology(loaded, counts, results),
        results=_results(counts, None),
        limitations=_limitations(loaded, counts, warnings),
        warnings=tuple(warnings),
        bib_keys=bib_keys,
        disagreements=find_disagreements(results),
        synthesis=synthesis,
        results_table=extract_results(papers, claims),
    )
    final_review = review(draft, ReviewConfig.from_spec(loaded.spec))
    return replace(
        draft,
        review=final_review,
        abstract=_abstract(loaded, counts, draft.synthesis, final_review),
        results=_results(counts, final_review),
    )
