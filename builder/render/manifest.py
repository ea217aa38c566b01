"""The JSON manifest (`build/data/<slug>.json`): the Report as data, for tools and for the site's downloads.

The manifest's contract is the typed classes below (`Manifest` and the classes it holds): `manifest()` builds
the manifest with them, and `manifest_schema()` generates its JSON Schema from them with pydantic, written to
`docs/manifest.schema.json` by `python -m builder schema` (a test checks the committed file is up to date and
that every example manifest validates against it). Each field's docstring is its description in the schema.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict

from builder import __version__
from builder.matrix import EvidenceMatrix
from builder.models import ClaimResult, ClaimStatus, Paper, PaperVerdict, Report, Result, Review, Stance

SCHEMA_FILE = "docs/manifest.schema.json"  # relative to the project root
_STRICT = ConfigDict(extra="forbid", use_attribute_docstrings=True)

Probability = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=10)]
Count = Annotated[int, Field(ge=0)]
Index = Annotated[int, Field(ge=0)]
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"})]
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]


@with_config(_STRICT)
class ManifestPaper(TypedDict):
    """A paper of the report, in reference order (the primary paper first)."""

    arxiv_id: str
    """arXiv id without version, e.g. 2501.18750."""
    version: int | None
    """arXiv version read, when known."""
    title: str
    authors: list[str]
    """Every author, in order."""
    published: IsoDate | None
    """Date of the first version (YYYY-MM-DD), when known."""
    year: int
    """Publication year (from the arXiv id when no date is known)."""
    primary_category: str | None
    categories: list[str]
    doi: str | None
    journal_ref: str | None
    abs_url: Url
    pdf_url: Url
    bib_key: str | None
    """Key of the paper's entry in the report's .bib."""


@with_config(_STRICT)
class ManifestEvidence(TypedDict):
    """A candidate evidence sentence for a claim."""

    arxiv_id: str
    sentence_index: Index
    """Position of the sentence in its paper (abstract first, then full text), from 0."""
    sentence: str
    score: Probability
    """Probability that this sentence supports the claim (4 decimals)."""


@with_config(_STRICT)
class ManifestJudgement(TypedDict):
    """What one paper says about a claim, with the sentence that decided it."""

    arxiv_id: str
    label: Stance
    """SUPPORT, CONTRADICT or NEI (not enough information)."""
    setting: Literal["cited", "open"]
    """Calibrated for the claim's own source (cited) or for another paper (open)."""
    p_support: Probability
    p_contradict: Probability
    sentence_index: Index
    """Position of the deciding sentence in its paper, from 0."""
    sentence: str
    note: str
    """The conflict or agreement found, or empty."""


@with_config(_STRICT)
class ManifestClaim(TypedDict):
    """A claim and its verdict: one row of the claims table."""

    id: str
    """C1, C2, ... in report order."""
    text: str
    """The claim as shown: an extracted sentence rewritten to stand alone, or the spec's text."""
    quote: str | None
    """An extracted claim's sentence exactly as its paper states it; null for a spec claim."""
    origin: Literal["extracted", "spec"]
    source: str
    """arXiv id of the paper it comes from or cites."""
    sentence_index: Index | None
    """Position of an extracted claim's sentence in its source, from 0; null for a spec claim."""
    status: ClaimStatus
    """contested, corroborated, stated or unsupported (docs/synthesis.md)."""
    verified: bool
    confidence: Probability
    """Calibrated probability that the claim is supported (4 decimals)."""
    grounded: bool
    corroborated: bool
    contested: bool
    supported_by: list[ManifestJudgement]
    """Other papers that support it, most probable first."""
    contradicted_by: list[ManifestJudgement]
    """Papers that contradict it, most probable first."""
    rationale: str
    evidence: list[ManifestEvidence]


@with_config(_STRICT)
class ManifestSections(TypedDict):
    """The report's prose sections."""

    introduction: str
    methodology: str
    results: str
    limitations: str


@with_config(_STRICT)
class ManifestCounts(TypedDict):
    """The counts every part of the report states."""

    papers: Count
    claims: Count
    verified: Count
    grounded: Count
    corroborated: Count
    """Verified claims another paper supports."""
    contested: Count
    stated: Count
    """Claims only their own source states."""
    unsupported: Count


@with_config(_STRICT)
class ManifestSynthesisSentence(TypedDict):
    """One sentence of the synthesis: a standalone claim citing its papers as [n] and itself as (Cn)."""

    text: str
    cites: list[str]
    """arXiv ids, in the order cited."""
    claim: str
    """The claim's id."""


@with_config(_STRICT)
class ManifestTheme(TypedDict):
    """A theme of the synthesis."""

    title: str
    sentences: list[ManifestSynthesisSentence]
    claims: list[str]
    """Ids of the claims the theme uses."""
    consensus: str


@with_config(_STRICT)
class ManifestSynthesis(TypedDict):
    """The report's answer: themes of supported claims, then the question's terms no claim covers."""

    themes: list[ManifestTheme]
    gaps: list[str]


@with_config(_STRICT)
class ManifestDisagreement(TypedDict):
    """Two papers that contradict each other on a claim, with both sentences."""

    claims: list[str]
    """The claim and, when there is one, the claim made from the other paper's sentence."""
    papers: list[str]
    """[the claim's paper, the other paper]."""
    sentences: list[str]
    """[what the claim's paper says, the other paper's sentence]."""
    other_sentence_index: Index
    note: str


@with_config(_STRICT)
class ManifestResult(TypedDict):
    """A quantitative result a paper states (builder/results.py): one row of the results table."""

    paper: str
    """arXiv id of the paper that states it."""
    task: str
    """Task or dataset as the sentence names it; empty when the rules cannot tell."""
    metric: str
    """Canonical metric name (F1, BLEU, accuracy, ...); empty when the sentence names none for the value."""
    value: str
    """The value exactly as written, a substring of `sentence` (e.g. '+2.3 F1', '71.4%', '3x faster')."""
    condition: str
    """Comparison and setting as written (e.g. 'over mBERT; for low-resource languages'), or empty."""
    sentence: str
    """The sentence that states it."""
    sentence_index: Index
    """Position of the sentence in its paper (abstract first), from 0."""


@with_config(_STRICT)
class ManifestMatrixColumn(TypedDict):
    """A column of the evidence matrix: a paper, in reference order."""

    paper: str
    """arXiv id of the paper."""
    supports: Count
    """Claims it supports (their own source's support included)."""
    contradicts: Count
    """Claims it contradicts."""


@with_config(_STRICT)
class ManifestMatrixRow(TypedDict):
    """A row of the evidence matrix: a claim, in claim order."""

    claim: str
    """The claim's id."""
    cells: list[Stance]
    """What each paper of `columns`, in that order, says about the claim: SUPPORT, CONTRADICT or NEI (no
    evidence either way)."""
    source: Index | None
    """Position in `columns` of the claim's own source, from 0; null when it is not a paper of the report."""
    supports: Count
    """Papers that support the claim, its own source included."""
    contradicts: Count
    """Papers that contradict it."""


@with_config(_STRICT)
class ManifestMatrix(TypedDict):
    """Every claim against every paper (docs/synthesis.md#the-evidence-matrix), read from the verdicts."""

    columns: list[ManifestMatrixColumn]
    rows: list[ManifestMatrixRow]


@with_config(_STRICT)
class ManifestFinding(TypedDict):
    """A review finding."""

    code: str
    """Stable code, e.g. off-topic-source, contested-claim."""
    severity: str
    """info, warning or error."""
    message: str
    claim_id: NotRequired[str]
    """The claim the finding is about, when it is about one."""


@with_config(_STRICT)
class ManifestDimension(TypedDict):
    """One quality dimension of the review."""

    score: Score
    level: str
    """low, medium or high."""
    basis: str


@with_config(_STRICT)
class ManifestReviewer(TypedDict):
    """One automated reviewer."""

    role: str
    """challenger, confirmer or integrator."""
    score: Score
    findings: list[ManifestFinding]


@with_config(_STRICT)
class ManifestReview(TypedDict):
    """The automated review (docs/review.md)."""

    score: Score
    tier: str
    """flagship, publishable or draft."""
    gate_passed: bool
    reasons: list[str]
    dimensions: dict[str, ManifestDimension]
    """By dimension name, in review order."""
    reviewers: list[ManifestReviewer]
    findings: list[ManifestFinding]


@with_config(_STRICT)
class Manifest(TypedDict):
    """A literature-synthesis report as data: build/data/<slug>.json."""

    builder_version: str
    slug: str
    """The spec's file name without .yaml."""
    title: str
    date: IsoDate
    """The spec's date (YYYY-MM-DD)."""
    author: str
    question: str
    draft: bool
    """True when the report is below the publication gate."""
    primary: str
    """arXiv id of the primary paper."""
    abstract: str
    sections: ManifestSections
    counts: ManifestCounts
    papers: list[ManifestPaper]
    claims: list[ManifestClaim]
    synthesis: ManifestSynthesis
    disagreements: list[ManifestDisagreement]
    results: list[ManifestResult]
    """Quantitative results the papers state, by reference number then sentence order."""
    evidence_matrix: ManifestMatrix
    """What every paper says about every claim."""
    review: ManifestReview
    warnings: list[str]


# ----------------------------------------------------------------------------------------------- building


def _paper(paper: Paper, bib_key: str | None) -> ManifestPaper:
    return ManifestPaper(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        title=paper.title,
        authors=list(paper.authors),
        published=paper.published.isoformat() if paper.published else None,
        year=paper.year,
        primary_category=paper.primary_category,
        categories=list(paper.categories),
        doi=paper.doi,
        journal_ref=paper.journal_ref,
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        bib_key=bib_key,
    )


def _claim(result: ClaimResult) -> ManifestClaim:
    claim, verdict = result.claim, result.verdict
    return ManifestClaim(
        id=claim.id,
        text=claim.text,
        quote=claim.quote,
        origin=claim.origin,
        source=claim.source,
        sentence_index=claim.sentence_index,
        status=verdict.status.value,
        verified=verdict.verified,
        confidence=round(verdict.confidence, 4),
        grounded=verdict.grounded,
        corroborated=verdict.corroborated,
        contested=verdict.contested,
        supported_by=[_judgement(j) for j in verdict.supports],
        contradicted_by=[_judgement(j) for j in verdict.contradicts],
        rationale=verdict.rationale,
        evidence=[
            ManifestEvidence(
                arxiv_id=e.arxiv_id,
                sentence_index=e.sentence_index,
                sentence=e.sentence,
                score=round(e.score, 4),
            )
            for e in verdict.evidence
        ],
    )


def _judgement(j: PaperVerdict) -> ManifestJudgement:
    return ManifestJudgement(
        arxiv_id=j.arxiv_id,
        label=j.stance.value,
        setting=j.setting,
        p_support=j.p_support,
        p_contradict=j.p_contradict,
        sentence_index=j.sentence_index,
        sentence=j.sentence,
        note=j.note,
    )


def _result(row: Result) -> ManifestResult:
    return ManifestResult(
        paper=row.paper,
        task=row.task,
        metric=row.metric,
        value=row.value,
        condition=row.condition,
        sentence=row.sentence,
        sentence_index=row.sentence_index,
    )


def _matrix(matrix: EvidenceMatrix) -> ManifestMatrix:
    return ManifestMatrix(
        columns=[
            ManifestMatrixColumn(paper=c.arxiv_id, supports=c.supports, contradicts=c.contradicts)
            for c in matrix.columns
        ],
        rows=[
            ManifestMatrixRow(
                claim=r.claim_id,
                cells=[stance.value for stance in r.cells],
                source=r.source,
                supports=r.supports,
                contradicts=r.contradicts,
            )
            for r in matrix.rows
        ],
    )


def _review(review: Review) -> ManifestReview:
    def finding(f: Any) -> ManifestFinding:
        item = ManifestFinding(code=f.code, severity=f.severity, message=f.message)
        if f.claim_id:
            item["claim_id"] = f.claim_id
        return item

    return ManifestReview(
        score=review.score,
        tier=review.tier,
        gate_passed=review.gate_passed,
        reasons=list(review.reasons),
        dimensions={d.name: ManifestDimension(score=d.score, level=d.level, basis=d.basis) for d in review.dimensions},
        reviewers=[
            ManifestReviewer(role=r.role, score=r.score, findings=[finding(f) for f in r.findings])
            for r in review.reviewers
        ],
        findings=[finding(f) for f in review.findings],
    )


def manifest(report: Report) -> Manifest:
    return Manifest(
        builder_version=__version__,
        slug=report.slug,
        title=report.title,
        date=report.date.isoformat(),
        author=report.author,
        question=report.question,
        draft=report.is_draft,
        primary=report.primary.arxiv_id,
        abstract=report.abstract,
        sections=ManifestSections(
            introduction=report.introduction,
            methodology=report.methodology,
            results=report.results,
            limitations=report.limitations,
        ),
        counts=ManifestCounts(
            papers=report.counts.papers,
            claims=report.counts.claims,
            verified=report.counts.verified,
            grounded=report.counts.grounded,
            corroborated=report.counts.corroborated,
            contested=report.counts.contested,
            stated=report.counts.stated,
            unsupported=report.counts.unsupported,
        ),
        papers=[_paper(p, report.bib_keys.get(p.arxiv_id)) for p in report.papers],
        claims=[_claim(r) for r in report.claims],
        synthesis=ManifestSynthesis(
            themes=[
                ManifestTheme(
                    title=t.title,
                    sentences=[
                        ManifestSynthesisSentence(text=x.text, cites=list(x.cites), claim=x.claim_id)
                        for x in t.sentences
                    ],
                    claims=list(t.claims),
                    consensus=t.consensus,
                )
                for t in report.synthesis.themes
            ],
            gaps=list(report.synthesis.gaps),
        ),
        disagreements=[
            ManifestDisagreement(
                claims=list(d.claim_ids),
                papers=[d.claim_paper, d.other_paper],
                sentences=[d.claim_sentence, d.other_sentence],
                other_sentence_index=d.other_sentence_index,
                note=d.note,
            )
            for d in report.disagreements
        ],
        results=[_result(row) for row in report.results_table],
        evidence_matrix=_matrix(report.evidence_matrix),
        review=_review(report.review),
        warnings=list(report.warnings),
    )


def render_json(report: Report) -> str:
    """Deterministic: fixed key order, UTF-8 kept as is, trailing newline."""
    return json.dumps(manifest(report), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------------------------- schema


def manifest_adapter() -> TypeAdapter[Manifest]:
    """Validates a manifest (as Python data) against the typed classes."""
    return TypeAdapter(Manifest)


def manifest_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (draft 2020-12), generated from the typed classes above."""
    schema = manifest_adapter().json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render_schema() -> str:
    """The schema file's text (docs/manifest.schema.json): deterministic, trailing newline."""
    return json.dumps(manifest_schema(), ensure_ascii=False, indent=2) + "\n"
