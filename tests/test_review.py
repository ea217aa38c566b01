"""The automated review: each seed fault is caught by its finding code, and a sound report outscores them all.

Reports are built for the purpose from `tests/factories.py` (real arXiv records) with `dataclasses.replace`;
nothing here needs TeX or the network. The last test replays the five shared seed reports when they exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from factories import GARCIA_FERRERO, MAYHEW, POLITOV, WU, counts_for, make_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.models import Claim, ClaimResult, Counts, Evidence, Finding, FindingCode, Paper, Report, Verdict
from builder.review import (
    CHALLENGER_CHECKS,
    CheckResult,
    ReviewConfig,
    ReviewContext,
    check_counts,
    check_numbers,
    check_references,
    check_relevance,
    integrate,
    numbers_in,
    review,
    round1,
    stated_counts,
    tier_of,
    truncation_reasons,
    vocabulary_of,
)
from builder.spec import Settings, Spec
from builder.text import split_sentences

PAPERS = (POLITOV, GARCIA_FERRERO, WU, MAYHEW)

# The primary paper of seed 000: speech recognition, cited by a report whose question is about NER.
SPEECH = Paper(
    arxiv_id="1910.02168",
    title="Cross lingual transfer learning for zero-resource domain adaptation",
    authors=("Alberto Abad", "Peter Bell", "Andrea Carmantini", "Steve Renals"),
    abstract=(
        "We propose a method for zero-resource domain adaptation of DNN acoustic models, for use in low-resource "
        "situations where the only in-language training data available may be poorly matched to the intended "
        "target domain. Our method uses a multi-lingual model in which several DNN layers are shared between "
        "languages. This architecture enables domain adaptation transforms learned for one well-resourced language "
        "to be applied to an entirely different low-resource language. First, to develop the technique we use "
        "English as a well-resourced language and take Spanish to mimic a low-resource language. Experiments in "
        "domain adaptation between the conversational telephone speech (CTS) domain and broadcast news (BN) domain "
        "demonstrate a 29% relative WER improvement on Spanish BN test data by using only English adaptation data. "
        "Second, we demonstrate the effectiveness of the method for low-resource languages with a poor match to the "
        "well-resourced language. Even in this scenario, the proposed method achieves relative WER improvements of "
        "18-27% by using solely English data for domain adaptation."
    ),
    version=2,
)


def sentence(paper: Paper, index: int) -> str:
    return split_sentences(paper.abstract)[index]


def evidence(paper: Paper, index: int, score: float) -> Evidence:
    return Evidence(paper.arxiv_id, index, sentence(paper, index), score)


def row(
    number: int,
    text: str,
    source: Paper,
    index: int,
    *,
    verified: bool = True,
    confidence: float = 0.86,
    corroborating: tuple[Paper, int] | None = None,
    origin: str = "extracted",
) -> ClaimResult:
    """One claim and its verdict, with evidence pointing at real sentences of the papers."""
    claim_id = f"C{number}"
    items = [evidence(source, index, confidence)]
    if corroborating:
        items.append(evidence(corroborating[0], corroborating[1], round(confidence - 0.1, 2)))
    claim = Claim(
        claim_id,
        text,
        origin,
        source.arxiv_id,
        sentence_index=index if origin == "extracted" else None,
        spec_line=12 + number if origin == "spec" else None,
    )
    verdict = Verdict(
        claim_id,
        verified,
        confidence,
        grounded=verified,
        corroborated=verified and corroborating is not None,
        evidence=tuple(items),
        rationale=f"sentence {index + 1} of arXiv:{source.arxiv_id} supports it (entailment {confidence:.2f})"
        if verified
        else f"no sentence supports it; best is sentence {index + 1} of arXiv:{source.arxiv_id} ({confidence:.2f})",
    )
    return ClaimResult(claim, verdict)


def good_claims() -> tuple[ClaimResult, ...]:
    return (
        row(
            1,
            "Cross-lingual named entity recognition transfers knowledge between languages and is particularly "
            "useful for low-resource languages.",
            POLITOV,
            0,
            confidence=0.91,
            corroborating=(WU, 0),
        ),
        row(
            2,
            "Data-based cross-lingual transfer can outperform multilingual language models for low-resource languages.",
            POLITOV,
            1,
            confidence=0.88,
        ),
        row(3, "Experiments on two datasets span 57 languages.", POLITOV, 5, confidence=0.84),
        row(
            4,
            "Cross-lingual NER must leverage knowledge learned from source languages with rich labeled data.",
            WU,
            0,
            confidence=0.87,
            corroborating=(POLITOV, 0),
        ),
        row(
            5,
            "Teacher-student learning trains a student NER model on unlabeled data in the target language.",
            WU,
            1,
            confidence=0.83,
            corroborating=(GARCIA_FERRERO, 0),
        ),
        row(
            6,
            "UNER v1 contains 18 datasets annotated with named entities across 12 diverse languages.",
            MAYHEW,
            1,
            confidence=0.9,
            corroborating=(MAYHEW, 0),
        ),
        row(
            7,
            "Zero-resource cross-lingual transfer applies supervised models from a source language to "
            "unlabelled target languages.",
            GARCIA_FERRERO,
            0,
            confidence=0.85,
            corroborating=(WU, 1),
        ),
        row(
            8,
            "Refining word alignments with back-translation improves annotation projection for cross-lingual NER.",
            POLITOV,
            3,
            confidence=0.8,
            corroborating=(GARCIA_FERRERO, 1),
        ),
    )


def prose(report: Report) -> Report:
    """Abstract, methodology, results and limitations written from the report's own counts, as report.py does."""
    c = report.counts
    extracted = sum(r.claim.origin == "extracted" for r in report.claims)
    best = sorted((r for r in report.claims if r.verdict.verified), key=lambda r: (-r.verdict.confidence, r.claim.id))
    findings = " ".join(f"{r.claim.text} ({r.claim.id})" for r in best[:2])
    unverified = c.claims - c.verified
    return dataclasses.replace(
        report,
        abstract=(
            f"This report asks: {report.question} It synthesises {c.papers} arXiv papers and checks {c.claims} "
            f"claims against them: {c.verified} verified, {c.corroborated} of them independently corroborated by a "
            f"paper other than their source. The best-supported findings: {findings}"
        ),
        methodology=(
            f"The paper set ({c.papers} papers) comes from the arXiv ids listed in the spec. {extracted} claims were "
            f"extracted from the papers; {c.claims - extracted} were written in the spec. A claim counts as verified "
            f"at a confidence of 0.50 or more."
        ),
        results=(
            f"{c.papers} papers retrieved. {c.claims} claims extracted or stated; {c.verified} verified, of which "
            f"{c.grounded} grounded in their own source and {c.corroborated} independently corroborated."
        ),
        limitations=(
            "This report is a machine-generated literature synthesis and does not constitute original research. "
            "Confidences are calibrated on SciFact; on other domains they are indicative."
            + (f" {unverified} claims could not be verified and should not be relied on." if unverified else "")
        ),
    )


def build(claims: tuple[ClaimResult, ...] | None = None, **overrides) -> Report:
    """A self-consistent report: counts and prose follow the claims unless a test overrides them."""
    claims = good_claims() if claims is None else claims
    papers = overrides.pop("papers", PAPERS)
    report = make_report(papers=papers, claims=claims, bib_keys={p.arxiv_id: p.arxiv_id for p in papers})
    report = dataclasses.replace(report, counts=_counts(papers, claims))
    report = prose(report)
    return dataclasses.replace(report, **overrides)


def _counts(papers: tuple[Paper, ...], claims: tuple[ClaimResult, ...]) -> Counts:
    base = counts_for(papers, claims)
    return dataclasses.replace(
        base,
        grounded=sum(r.verdict.verified and r.verdict.grounded for r in claims),
        corroborated=sum(r.verdict.verified and r.verdict.corroborated for r in claims),
    )


def codes(report_review, severity: str | None = None) -> set[str]:
    return {f.code for f in report_review.findings if severity is None or f.severity == severity}


def with_claims(extra: list[ClaimResult], base: tuple[ClaimResult, ...] | None = None) -> Report:
    return build((*(base or good_claims()), *extra))


# --- the seven reports the task names ------------------------------------------------------------------------


def seed000_like() -> Report:
    """NER question; the primary paper and the abstract are about speech-recognition acoustic models."""
    papers = (SPEECH, WU, POLITOV, GARCIA_FERRERO, MAYHEW)
    report = build(papers=papers)
    return dataclasses.replace(
        report,
        title="Impact of Domain Adaptation on Cross-Lingual NER Model Transferability",
        question=(
            "What is the impact of domain adaptation techniques on the cross-lingual transferability of "
            "teacher-student NER models, measured by F1 score improvements across domain-shifted low-resource "
            "language datasets?"
        ),
        primary=SPEECH,
        abstract=" ".join(split_sentences(SPEECH.abstract)[:4]),
    )


def test_good_report_passes_the_gate_without_errors() -> None:
    result = review(build())
    assert result.gate_passed
    assert result.tier in {"publishable", "flagship"}
    assert result.score >= ReviewConfig().publishable_score
    assert not codes(result, "error"), [f for f in result.findings if f.severity == "error"]
    assert [r.role for r in result.reviewers] == ["challenger", "confirmer", "integrator"]
    assert len(result.dimensions) == 8
    assert all(0 <= d.score <= 10 and d.level in {"low", "medium", "high"} and d.basis for d in result.dimensions)


def test_off_topic_primary_and_abstract_like_seed_000() -> None:
    result = review(seed000_like())
    off_topic = [f for f in result.findings if f.code == "off-topic-source"]
    primary = [f for f in off_topic if "primary paper arXiv:1910.02168" in f.message]
    assert primary and primary[0].severity == "error"
    # The message explains the overlap: what the paper shares with the question and what it lacks.
    assert "NER (named entity recognition)" in primary[0].message
    assert re.search(r"covers \d+% of the question's weighted terms", primary[0].message)
    assert any(f.message.startswith("the abstract does not match") and f.severity == "error" for f in off_topic)
    assert "copied-abstract" in codes(result)
    assert codes(result, "error") == {"off-topic-source"}  # nothing else is wrong with this report
    assert not result.gate_passed
    relevance = next(d for d in result.dimensions if d.name == "relevance of sources")
    assert relevance.score <= 3.0


def test_on_topic_papers_are_not_flagged() -> None:
    result = review(build())
    flagged = [f.message for f in result.findings if f.code == "off-topic-source"]
    assert not any("primary" in m or "abstract" in m for m in flagged)
    assert not any("2004.12440" in m or "2311.09122" in m for m in flagged)


def test_too_few_verified_is_a_draft() -> None:
    claims = tuple(
        dataclasses.replace(
            r,
            verdict=dataclasses.replace(r.verdict, verified=False, confidence=0.2, grounded=False, corroborated=False),
        )
        if i >= 2
        else r
        for i, r in enumerate(good_claims())
    )
    result = review(build(claims))
    assert "too-few-verified" in codes(result, "error")
    assert result.tier == "draft" and not result.gate_passed


def test_wrong_number_in_a_spec_claim() -> None:
    wrong = row(
        9, "Experiments on two datasets span 75 languages.", POLITOV, 5, verified=False, confidence=0.31, origin="spec"
    )
    result = review(with_claims([wrong]))
    found = [f for f in result.findings if f.code == "unsupported-number"]
    assert [f.claim_id for f in found] == ["C9"]
    assert "75" in found[0].message
    # The right number, a number word ("two") and a count the abstract states are not flagged.
    assert not any(f.claim_id == "C3" for f in found)


def test_number_extraction_is_digit_based_and_skips_years_ids_and_scores() -> None:
    values = [v for _, v, _, _ in numbers_in("In 2020 (arXiv:2501.18750) 57% of 1,200 runs scored 7.5/10 [3] (C4).")]
    assert values == [57.0, 1200.0]


def test_truncated_claim() -> None:
    cut = row(
        9,
        "The evaluation was performed across a total of 57 languages using the XTREME (39 languages) and "
        "MasakhaNER2 datasets (18",
        POLITOV,
        5,
    )
    result = review(with_claims([cut]))
    found = [f for f in result.findings if f.code == "truncated-text" and f.claim_id == "C9"]
    assert found and found[0].severity == "error"
    assert "unbalanced parentheses" in found[0].message
    assert not result.gate_passed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The WER of baseline systems using BN target in-domain acoustic models for", "ends with “for”"),
        ("The WER for Spanish (LR) is 40.0% and for E", "mid-word with “E”"),
        ("Projection outperforms model transfer for low-resource langua", "mid-word with “langua”"),
        ("Results hold for cross-", "dangling hyphen"),
        ("The model reaches “state of the art results.", "unbalanced quotes"),
        ("Second, we pres", "mid-word with “pres”"),
    ],
)
def test_truncation_reasons(text: str, expected: str) -> None:
    vocabulary = vocabulary_of([POLITOV.abstract, SPEECH.abstract, "we present results"])
    reasons, strong = truncation_reasons(text, vocabulary)
    assert strong and any(expected in r for r in reasons), reasons


def test_complete_texts_are_not_truncated() -> None:
    vocabulary = vocabulary_of([POLITOV.abstract])
    assert truncation_reasons("Projection helps low-resource languages.", vocabulary) == ([], False)
    assert truncation_reasons("The best findings are these. (C10)", vocabulary) == ([], False)
    assert truncation_reasons("Performance Degradation Under Adversarial Domain Shift", vocabulary, True) == (
        [],
        False,
    )
    reasons, strong = truncation_reasons("A claim without a full stop", vocabulary)
    assert reasons == ["it has no final punctuation"] and not strong


def test_count_mismatch_between_prose_and_counts() -> None:
    report = build()
    report = dataclasses.replace(report, results=report.results + " In total 13 verified claims support the answer.")
    result = review(report)
    found = [f for f in result.findings if f.code == "count-mismatch"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "13 verified" in found[0].message and "verified = 8" in found[0].message


def test_count_mismatch_between_counts_and_claims_table() -> None:
    report = build()
    result = review(dataclasses.replace(report, counts=dataclasses.replace(report.counts, verified=1)))
    messages = [f.message for f in result.findings if f.code == "count-mismatch"]
    assert any("counts.verified is 1 but the claims table has 8" in m for m in messages)
    assert any("“8 verified”" in m for m in messages)  # the abstract now disagrees with counts too


def test_count_phrases_parse_words_and_ignore_conditions() -> None:
    kinds = [
        (k, v)
        for k, v, _, _, _ in stated_counts(
            "We synthesise four arXiv papers. Six claims were extracted; four are verified, of which 3 grounded and "
            "2 independently corroborated; 1 claim could not be verified. Each finding needs at least one paper."
        )
    ]
    assert kinds == [
        ("papers", 4),
        ("extracted", 6),
        ("verified", 4),
        ("grounded", 3),
        ("corroborated", 2),
        ("unverified", 1),
    ]


def test_duplicate_claims() -> None:
    again = row(
        9,
        "Cross-lingual named entity recognition transfers knowledge between languages and is "
        "particularly useful for low-resource languages!",
        POLITOV,
        0,
    )
    result = review(with_claims([again]))
    found = [f for f in result.findings if f.code == "duplicate-claim"]
    assert [f.claim_id for f in found] == ["C9"] and "C1" in found[0].message


def test_lost_accent_is_mangled_text() -> None:
    lost = row(
        9,
        "The heuristic alignment approach by Garca-Ferrero et al. was reimplemented.",
        GARCIA_FERRERO,
        1,
        confidence=0.7,
    )
    result = review(with_claims([lost]))
    found = [f for f in result.findings if f.code == "mangled-text"]
    assert found and found[0].claim_id == "C9" and "García" in found[0].message


def test_missing_reference() -> None:
    stray = row(
        9, "Teacher-student learning trains a student NER model on unlabeled data in the target language.", WU, 1
    )
    stray = dataclasses.replace(stray, claim=dataclasses.replace(stray.claim, source="2106.00241"))
    result = review(with_claims([stray]))
    found = [f for f in result.findings if f.code == "missing-reference" and f.severity == "error"]
    assert [f.claim_id for f in found] == ["C9"] and "2106.00241" in found[0].message


def test_unused_paper_is_info() -> None:
    extra = dataclasses.replace(MAYHEW, arxiv_id="2604.12744", title="Universal NER v2")
    result = review(build(papers=(*PAPERS, extra)))
    found = [f for f in result.findings if f.code == "missing-reference"]
    assert [f.severity for f in found] == ["info"] and "2604.12744" in found[0].message


def test_verified_below_threshold_is_an_error() -> None:
    claims = list(good_claims())
    claims[2] = dataclasses.replace(claims[2], verdict=dataclasses.replace(claims[2].verdict, confidence=0.16))
    result = review(build(tuple(claims)))
    assert any(f.code == "confidence-mismatch" and f.claim_id == "C3" for f in result.findings)


def test_good_report_outscores_every_faulty_one() -> None:
    good = review(build()).score
    faulty = {
        "off-topic": seed000_like(),
        "too-few": build(
            tuple(
                dataclasses.replace(
                    r,
                    verdict=dataclasses.replace(
                        r.verdict, verified=False, confidence=0.2, grounded=False, corroborated=False
                    ),
                )
                if i >= 2
                else r
                for i, r in enumerate(good_claims())
            )
        ),
        "number": with_claims(
            [
                row(
                    9,
                    "Experiments on two datasets span 75 languages.",
                    POLITOV,
                    5,
                    verified=True,
                    confidence=0.6,
                    origin="spec",
                )
            ]
        ),
        "truncated": with_claims([row(9, "Experiments on two datasets spanning 57 languages for E", POLITOV, 5)]),
        "counts": dataclasses.replace(build(), results=build().results + " 13 verified claims."),
        "duplicate": with_claims([row(9, good_claims()[0].claim.text, POLITOV, 0)]),
    }
    for name, report in faulty.items():
        result = review(report)
        assert result.score < good, (name, result.score, good)
        # A duplicate is a warning; every other fault here is an error and blocks the gate.
        assert name == "duplicate" or not result.gate_passed, name


def test_review_is_deterministic() -> None:
    report = seed000_like()
    first = review(report)
    again = review(dataclasses.replace(report, claims=tuple(report.claims)))
    assert first == again
    assert review(build()) == review(build())


def test_findings_are_sorted_and_deduplicated() -> None:
    result = review(seed000_like())
    order = {"error": 0, "warning": 1, "info": 2}
    keys = [(order[f.severity], f.code) for f in result.findings]
    assert keys == sorted(keys)
    assert len(set(result.findings)) == len(result.findings)
    for reviewer in result.reviewers:
        assert set(reviewer.findings) <= set(result.findings)


def test_score_follows_the_documented_formula() -> None:
    """docs/review.md: with no error finding and no disagreement the score is the weighted dimension mean."""
    result = review(build())
    weights = dict(ReviewConfig().dimension_weights)
    assert abs(sum(weights.values()) - 1.0) < 1e-9
    recomputed = sum(weights[d.name] * d.score for d in result.dimensions)
    assert abs(recomputed - result.score) <= 0.1
    assert result.score == round1(result.score)


def test_tiers_follow_the_config() -> None:
    report = build()
    score = review(report).score
    assert review(report, ReviewConfig(publishable_score=score + 0.1, flagship_score=score + 0.5)).tier == "draft"
    assert review(report, ReviewConfig(publishable_score=score, flagship_score=score)).tier == "flagship"
    assert review(report, ReviewConfig(min_corroborated=7)).tier == "draft"


GATE_SETTINGS = {"verify_threshold", "publishable_score", "flagship_score", "min_corroborated"}


def spec_with(**settings: object) -> Spec:
    return Spec.model_validate(
        {"title": "T", "date": "2026-01-31", "question": "Q?", "primary": "2501.18750", "settings": settings}
    )


def test_review_config_comes_from_the_spec_settings() -> None:
    config = ReviewConfig.from_spec(
        spec_with(min_confidence=0.7, publishable_score=6, flagship_score=9, min_corroborated=3)
    )
    gate = (config.verify_threshold, config.publishable_score, config.flagship_score, config.min_corroborated)
    assert gate == (0.7, 6.0, 9.0, 3)
    # Every other threshold is the review's own default.
    others = [f.name for f in dataclasses.fields(ReviewConfig) if f.name not in GATE_SETTINGS]
    assert len(others) > 10
    assert [getattr(config, name) for name in others] == [getattr(ReviewConfig(), name) for name in others]
    # One source for the gate's defaults: a spec without settings is reviewed as the defaults review.
    assert ReviewConfig.from_spec(spec_with()) == ReviewConfig()
    defaults = Settings()
    assert (ReviewConfig().publishable_score, ReviewConfig().flagship_score) == (
        defaults.publishable_score,
        defaults.flagship_score,
    )
    assert (ReviewConfig().min_corroborated, ReviewConfig().verify_threshold) == (
        defaults.min_corroborated,
        defaults.min_confidence,
    )


def test_spec_settings_decide_the_tier_and_the_threshold() -> None:
    report = build()
    score = review(report).score
    assert review(report, ReviewConfig.from_spec(spec_with())).tier == "flagship"
    strict = spec_with(publishable_score=score + 0.1, flagship_score=10)
    assert review(report, ReviewConfig.from_spec(strict)).tier == "draft"
    assert review(report, ReviewConfig.from_spec(spec_with(flagship_score=10))).tier == "publishable"
    assert review(report, ReviewConfig.from_spec(spec_with(min_corroborated=7))).tier == "draft"
    # Without a threshold in the methodology, the spec's min_confidence decides what "verified" needs.
    silent = dataclasses.replace(report, methodology=report.methodology.replace("at a confidence of 0.50", "when"))
    assert "confidence-mismatch" not in codes(review(silent, ReviewConfig.from_spec(spec_with())))
    found = review(silent, ReviewConfig.from_spec(spec_with(min_confidence=0.99)))
    assert "confidence-mismatch" in codes(found, "error")


def test_derived_thresholds_follow_their_fields() -> None:
    config = ReviewConfig(min_relevance=0.3, publishable_score=7.0)
    assert config.full_relevance == 0.6
    assert config.gate_cap == 7.0 - 0.1
    # A report with an error finding is capped just under the configured gate.
    faulty = dataclasses.replace(build(), counts=dataclasses.replace(build().counts, verified=1))
    assert review(faulty).score == 6.4
    assert review(faulty, config).score == 6.9
    assert "capped at 6.9" in " ".join(review(faulty, config).reasons)


# --- the package's parts: checks, context, finding codes and the gate -------------------------------------------

ALL_CHECKS = (*CHALLENGER_CHECKS, check_references)


@pytest.mark.parametrize("make", [build, seed000_like], ids=["sound", "seed000"])
def test_every_check_returns_a_check_result(make) -> None:
    ctx = ReviewContext.of(make(), ReviewConfig())
    raised: list[Finding] = []
    for check in ALL_CHECKS:
        result = check(ctx)
        assert isinstance(result, CheckResult), check.__name__
        assert isinstance(result.findings, tuple), check.__name__
        assert all(isinstance(f, Finding) and isinstance(f.code, FindingCode) for f in result.findings)
        raised += result.findings
    # review() reports exactly what the checks found, plus what the confirmer and the integrator add.
    own = {FindingCode.EVIDENCE_BASE, FindingCode.FEW_CORROBORATED, FindingCode.LOW_DIVERSITY}
    own |= {FindingCode.DATED_SOURCES, FindingCode.REVIEWER_DISAGREEMENT, FindingCode.GATE_BLOCKED}
    assert {f for f in review(make()).findings if f.code not in own} == set(raised)


def test_checks_measure_what_the_dimensions_read() -> None:
    wrong = row(9, "Experiments on two datasets span 75 languages.", POLITOV, 5, verified=False, confidence=0.31)
    report = with_claims([wrong])
    ctx = ReviewContext.of(report, ReviewConfig())
    numbers = check_numbers(ctx)
    assert numbers.measures["unsupported"] == 1
    assert numbers.measures["checked"] >= 4  # 57, 18, 12 and 75 at least
    relevance = check_relevance(ctx)
    assert set(relevance.measures) == {p.arxiv_id for p in ctx.papers} | {"abstract"}
    assert all(0.0 <= v <= 1.0 for v in relevance.measures.values())
    assert check_references(ctx).measures == {"traceable": 1.0}
    stray = dataclasses.replace(wrong, claim=dataclasses.replace(wrong.claim, id="C10", source="2401.00001"))
    half = ReviewContext.of(build((wrong, stray)), ReviewConfig())
    assert check_references(half).measures == {"traceable": 0.5}


def test_count_phrases_of_the_abstract_are_not_unsupported_numbers() -> None:
    report = build()
    report = dataclasses.replace(report, abstract=report.abstract + " It checks 97 claims in 97 languages.")
    ctx = ReviewContext.of(report, ReviewConfig())
    numbers = [f.message for f in check_numbers(ctx).findings]
    assert numbers == ["the abstract states 97, which no paper of the report contains"]  # the languages only
    counts = [f.message for f in check_counts(ctx).findings]
    assert any("“97 claims”" in m for m in counts)


def test_review_context_is_computed_once_from_the_report() -> None:
    report = build(papers=(POLITOV, WU, POLITOV, MAYHEW, GARCIA_FERRERO))
    ctx = ReviewContext.of(report, ReviewConfig(verify_threshold=0.7))
    assert [p.arxiv_id for p in ctx.papers] == [p.arxiv_id for p in (POLITOV, WU, MAYHEW, GARCIA_FERRERO)]
    assert ctx.threshold == 0.5  # the methodology states "a confidence of 0.50"
    silent = dataclasses.replace(report, methodology="Claims were checked.")
    assert ReviewContext.of(silent, ReviewConfig(verify_threshold=0.7)).threshold == 0.7
    assert "languages" in ctx.vocabulary and "Languages" not in ctx.vocabulary
    assert ctx.topic.anchor_share == ReviewConfig().anchor_share


def test_finding_codes_are_a_closed_documented_vocabulary() -> None:
    assert Finding("off-topic-source", "error", "m").code is FindingCode.OFF_TOPIC_SOURCE
    with pytest.raises(ValueError, match="no-such-code"):
        Finding("no-such-code", "info", "m")
    # Members serialise as the strings the manifests have always had.
    assert json.dumps({"code": FindingCode.CONTESTED_CLAIM}) == '{"code": "contested-claim"}'
    assert f"{FindingCode.GATE_BLOCKED}" == "gate-blocked" and FindingCode.GATE_BLOCKED == "gate-blocked"
    # docs/review.md names every code in its Findings table, and no other.
    text = (Path(__file__).resolve().parents[1] / "docs" / "review.md").read_text(encoding="utf-8")
    table = text.split("## Findings", 1)[1].split("### Numbers", 1)[0]
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", table))
    assert documented == {code.value for code in FindingCode}


def test_the_tier_needs_the_score_and_the_corroborated_claims() -> None:
    config = ReviewConfig()
    assert tier_of(8.5, 5, config) == "flagship"
    assert tier_of(8.4, 5, config) == "publishable"
    assert tier_of(6.5, 5, config) == "publishable"
    assert tier_of(6.4, 5, config) == "draft"
    assert tier_of(9.9, 4, config) == "draft"
    assert tier_of(9.9, 4, ReviewConfig(min_corroborated=4)) == "flagship"
    dims = review(build()).dimensions
    lean = integrate(dims, [], 9, config)
    assert (lean.tier, lean.gate_passed, lean.findings) == ("flagship", True, ())
    error = Finding(FindingCode.COUNT_MISMATCH, "error", "counts.verified is 1 but the claims table has 8")
    blocked = integrate(dims, [error, error], 9, config)
    assert blocked.score == config.gate_cap and blocked.tier == "draft" and not blocked.gate_passed
    assert [f.code for f in blocked.findings] == [FindingCode.GATE_BLOCKED]
    assert "-0.5: error findings: 1 (count-mismatch)" in blocked.reasons


# --- the five seed reports, when the shared folder is present ------------------------------------------------

SEEDS = Path("/work/shared/seeds")
STORE = Path(__file__).resolve().parents[1] / "store"


def seed_report(path: Path) -> Report:
    """Rebuild a seed report as the model it would have been: its texts, claims, confidences and references."""
    from builder.papers import PaperStore

    store = PaperStore(STORE)
    text = path.read_text(encoding="utf-8")

    def section(start: str, end: str) -> str:
        return text.split(start, 1)[1].split(end, 1)[0].strip()

    title = next(line.strip() for line in text.splitlines() if line.strip())
    intro = section("1 Introduction", "2 Methodology")
    examined = intro.split("This paper examines: ", 1)[1].split(". Research question", 1)[0]
    question = intro.split("Research question: ", 1)[1].rstrip(".")
    refs = re.findall(r"abs/(\d{4}\.\d{4,5})v\d", text)
    papers = [store.get(r) for r in refs if store.has(r)]
    primary = next(
        (store.get(i) for i in store.all_ids() if store.get(i).title.lower() == examined.lower()), papers[-1]
    )
    if primary not in papers:
        papers.insert(0, primary)
    rows = []
    for line in section("5 Extracted Claims", "References").splitlines()[1:]:
        cells = [c.strip() for c in (line.strip().strip("|").split("|") if "|" in line else line.split("\t"))]
        if len(cells) >= 3 and cells[1] in {"✓", "×"}:
            rows.append((cells[0], cells[1] == "✓", float(cells[2])))
    claims = tuple(
        ClaimResult(
            Claim(f"C{i}", claim, "extracted", primary.arxiv_id),
            Verdict(f"C{i}", ok, conf, ok, False, (), ""),
        )
        for i, (claim, ok, conf) in enumerate(rows, start=1)
    )
    results = section("3 Results", "4 Limitations")
    n_papers, n_claims = (int(x) for x in re.findall(r"(\d+) (?:papers|claims)", results)[:2])
    verified = int(re.search(r"(\d+) independently verified", results).group(1))
    return Report(
        slug=path.stem,
        title=title,
        date=dt.date(2026, 7, 1),
        author="Assignee Research",
        question=question,
        primary=primary,
        papers=tuple(papers),
        claims=claims,
        counts=Counts(n_papers, n_claims, verified, verified, 0),
        review=build().review,
        abstract=section("Abstract", "1 Introduction"),
        introduction=intro,
        methodology=section("2 Methodology", "3 Results"),
        results=results,
        limitations=section("4 Limitations", "5 Extracted Claims"),
    )


@pytest.mark.skipif(not SEEDS.is_dir() or not (STORE / "papers").is_dir(), reason="shared seeds or store absent")
def test_every_seed_report_is_a_draft_with_its_faults_named() -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    good = review(build()).score
    for path in seeds:
        result = review(seed_report(path))
        found = codes(result, "error")
        assert result.tier == "draft" and result.score < good, path.name
        assert {"truncated-text", "count-mismatch", "confidence-mismatch"} <= found, (path.name, found)
        assert "copied-abstract" in codes(result), path.name
        if path.name.startswith("000_"):
            assert "off-topic-source" in found


def test_opposite_claims_conflict_rather_than_repeat() -> None:
    negated = row(
        9,
        "Data-based cross-lingual transfer cannot outperform multilingual language models for low-resource languages.",
        GARCIA_FERRERO,
        2,
        verified=False,
        confidence=0.2,
    )
    result = review(with_claims([negated]))
    found = [f for f in result.findings if f.code in {"conflicting-claims", "duplicate-claim"}]
    assert [(f.code, f.claim_id) for f in found] == [("conflicting-claims", "C9")]
    assert "C2" in found[0].message


WORDS = ("cross-lingual", "NER", "transfer", "improves", "57", "languages", "the", "for", "model", "(18", "E", "data")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=0, max_size=6),
    confidences=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=6, max_size=6),
    verified=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_report_gets_a_consistent_review(texts, confidences, verified) -> None:
    claims = tuple(
        row(i + 1, " ".join(words), POLITOV, 0, verified=verified[i], confidence=round(confidences[i], 2))
        for i, words in enumerate(texts)
    )
    report = build(claims)
    result = review(report)
    assert 0.0 <= result.score <= 10.0 and result.score == round1(result.score)
    assert result.gate_passed == (result.tier != "draft")
    if result.tier != "draft":
        assert result.score >= ReviewConfig().publishable_score and not codes(result, "error")
    assert result == review(report)
