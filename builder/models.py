"""The data that flows through the pipeline: Spec -> Papers -> Claims -> Verdicts -> Review -> Report.

Every stage returns one of these immutable records, and every renderer (LaTeX, site, BibTeX,
JSON manifest) reads the same `Report`, so the PDF and the page can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from builder.venue import format_venue

if TYPE_CHECKING:
    from builder.matrix import EvidenceMatrix

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"

# New-style ids (YYMM.NNNN[N]) and old-style ids (archive[.SUB]/YYMMNNN), each with an optional version.
ARXIV_ID_RE = re.compile(
    r"^(?P<base>(?:\d{4}\.\d{4,5})|(?:[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}))(?:v(?P<version>[1-9]\d*))?$"
)


def split_arxiv_id(value: str) -> tuple[str, int | None]:
    """Split '2501.18750v2' into ('2501.18750', 2); raise ValueError when malformed."""
    match = ARXIV_ID_RE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not an arXiv id (expected e.g. 2501.18750, 2501.18750v2 or hep-th/9901001)")
    version = match.group("version")
    return match.group("base"), int(version) if version else None


def year_from_arxiv_id(arxiv_id: str) -> int:
    """The year an id was issued: arXiv ids encode YYMM, which stands in when no date is known."""
    base, _ = split_arxiv_id(arxiv_id)
    yymm = base.split("/")[-1][:4] if "/" in base else base[:4]
    yy = int(yymm[:2])
    return (1900 if yy >= 91 else 2000) + yy


@dataclass(frozen=True)
class Paper:
    """One arXiv record as kept in the paper store (`store/papers/`)."""

    arxiv_id: str  # without version
    title: str
    authors: tuple[str, ...]
    abstract: str
    version: int | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    comments: str | None = None
    # Full text split into sentences, when the spec asked for it and the store has it.
    fulltext_sentences: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.published.year if self.published else year_from_arxiv_id(self.arxiv_id)

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    @property
    def abs_url(self) -> str:
        return ARXIV_ABS + self.versioned_id

    @property
    def pdf_url(self) -> str:
        return ARXIV_PDF + self.versioned_id

    @property
    def names(self) -> str:
        """'Politov et al.', 'Pires and Schlinger', 'Wu': the label's authors, for prose that cites [n] beside it."""
        names = [a.split()[-1] for a in self.authors if a.split()]
        if not names:
            return "Anonymous"
        if len(names) <= 2:
            return " and ".join(names)
        return f"{names[0]} et al."

    @property
    def label(self) -> str:
        """'Politov et al. (2025)', 'Pires and Schlinger (2019)', 'Wu (2020)': the one author-year label that
        claims, the tables, the figures and the references all print."""
        return f"{self.names} ({self.year})"


@dataclass(frozen=True)
class Sentence:
    """A sentence of a paper, addressable by (paper, index) so evidence can always be traced."""

    arxiv_id: str
    index: int
    text: str
    section: str = "abstract"


@dataclass(frozen=True)
class Claim:
    """A statement to verify: extracted from a paper's sentence, or written by a person in the spec."""

    id: str  # "C1", "C2", ... in report order
    text: str
    origin: str  # "extracted" or "spec"
    source: str  # arXiv id of the paper it comes from or cites
    sentence_index: int | None = None
    spec_line: int | None = None
    # An extracted claim is its source sentence rewritten to stand alone (`builder/standalone.py`): `quote` is
    # the sentence exactly as the paper states it, `finding` what is verified (no author label or frame).
    quote: str | None = None
    finding: str = ""

    @property
    def statement(self) -> str:
        """The text the verifier checks: the finding, or the claim as written."""
        return self.finding or self.text


@dataclass(frozen=True)
class Evidence:
    arxiv_id: str
    sentence_index: int
    sentence: str
    score: float  # probability that this sentence supports the claim


class Stance(StrEnum):
    """What one paper says about one claim (SciFact's label vocabulary)."""

    SUPPORT = "SUPPORT"
    CONTRADICT = "CONTRADICT"
    NEI = "NEI"  # not enough information: the paper holds no evidence either way


class ClaimStatus(StrEnum):
    """What a reader may take from a claim, most telling first. A claim's own sentence is provenance, not
    verification: only another paper's support makes it corroborated."""

    CONTESTED = "contested"  # some paper of the report contradicts it
    CORROBORATED = "corroborated"  # a paper other than its source supports it
    STATED = "stated"  # its own source states it (an extracted claim's quote, or what a spec claim cites)
    UNSUPPORTED = "unsupported"  # no paper supports it


@dataclass(frozen=True)
class PaperVerdict:
    """What one paper says about a claim, with the sentence that decided it."""

    arxiv_id: str
    stance: Stance
    p_support: float  # calibrated for the setting: the claim's own source ("cited") or another paper ("open")
    p_contradict: float
    setting: str  # "cited" or "open"
    sentence_index: int  # the deciding sentence, numbered as `paper_sentences` numbers them (from 0)
    sentence: str
    note: str = ""  # the conflict or agreement found, e.g. "numbers disagree: claim 57 vs evidence 40"

    @property
    def probability(self) -> float:
        """The probability of the label shown: of contradiction for a contradiction, else of support."""
        return self.p_contradict if self.stance is Stance.CONTRADICT else self.p_support


@dataclass(frozen=True)
class Verdict:
    """What verification decided for one claim, and why."""

    claim_id: str
    verified: bool  # grounded or corroborated
    confidence: float  # calibrated P(supported): the source's or, when higher, the best other paper's
    grounded: bool  # supported by the paper it came from or cites
    corroborated: bool  # supported by a different paper (open-setting decision)
    evidence: tuple[Evidence, ...]
    rationale: str  # one line a reader can check: which sentence decided it, and why
    contested: bool = False  # some paper (its source included) contradicts it
    supports: tuple[PaperVerdict, ...] = ()  # other papers that support it, most probable first
    contradicts: tuple[PaperVerdict, ...] = ()  # papers that contradict it, most probable first
    decided_by: PaperVerdict | None = None  # the judgement the rationale names (its "best match")

    @property
    def shown(self) -> tuple[tuple[str, PaperVerdict], ...]:
        """The judgements every renderer lists under a claim, in this order, each with its heading: the one the
        rationale names (unless it is listed anyway: a claim's own source, or the closest sentence when no paper
        supports or contradicts it), then the other papers that support it, then those that contradict it."""
        heading = {Stance.SUPPORT: "Supported by", Stance.CONTRADICT: "Contradicted by", Stance.NEI: "Closest match"}
        listed = (*self.supports, *self.contradicts)
        rows = [self.decided_by] if self.decided_by is not None and self.decided_by not in listed else []
        return tuple((heading[j.stance], j) for j in (*rows, *listed))

    @property
    def status(self) -> ClaimStatus:
        if self.contested:
            return ClaimStatus.CONTESTED
        if self.corroborated:
            return ClaimStatus.CORROBORATED
        return ClaimStatus.STATED if self.grounded else ClaimStatus.UNSUPPORTED


@dataclass(frozen=True)
class Disagreement:
    """Two papers of a report that say opposite things: a claim and the other paper's sentence against it."""

    claim_id: str
    claim_paper: str  # arXiv id of the claim's source
    claim_sentence: str  # what the claim's paper says: its quote, or the claim as written in the spec
    other_paper: str
    other_sentence_index: int  # numbered from 0, as `paper_sentences` numbers them
    other_sentence: str
    other_claim_id: str | None  # the report's claim made from that sentence, when there is one
    note: str  # the conflict found, e.g. "comparison reversed: ..."

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return (self.claim_id, self.other_claim_id) if self.other_claim_id else (self.claim_id,)


@dataclass(frozen=True)
class SynthesisSentence:
    """One sentence of the synthesis: a claim that stands alone, with the papers it cites."""

    text: str  # cites its papers as [n] and the claim as (Cn)
    cites: tuple[str, ...]  # arXiv ids, in the order cited
    claim_id: str
    lead: str = ""  # the claim and its citations alone, without who else supports or contests it
    contested: bool = False


@dataclass(frozen=True)
class Theme:
    title: str  # in the papers' own words
    sentences: tuple[SynthesisSentence, ...]
    claims: tuple[str, ...]  # claim ids
    consensus: str  # how many papers state or support the theme's findings, how many contradict one


@dataclass(frozen=True)
class Synthesis:
    """The report's answer to its question: themes from its verified claims, then what no claim covers."""

    themes: tuple[Theme, ...] = ()
    gaps: tuple[str, ...] = ()  # terms of the question no claim of the synthesis covers


class FindingCode(StrEnum):
    """Every finding the review can raise: a closed vocabulary, written into manifests as these strings.

    docs/review.md gives each code's severity and the exact condition that raises it.
    """

    # Challenger: what is wrong with the report.
    OFF_TOPIC_SOURCE = "off-topic-source"  # a paper or the abstract misses the topic of the title and question
    COPIED_ABSTRACT = "copied-abstract"  # the abstract is made of one paper's abstract sentences
    COUNT_MISMATCH = "count-mismatch"  # `counts` or a count the prose states disagrees with the claims or papers
    UNSUPPORTED_NUMBER = "unsupported-number"  # a number of a claim or of the abstract is in no paper of the report
    TRUNCATED_TEXT = "truncated-text"  # the title, a claim or the abstract looks cut off
    MANGLED_TEXT = "mangled-text"  # a word lost its non-ASCII letters ("Garca"), or a U+FFFD character
    DUPLICATE_CLAIM = "duplicate-claim"  # a claim repeats an earlier one
    CONFLICTING_CLAIMS = "conflicting-claims"  # two similar claims of opposite polarity
    CONTESTED_CLAIM = "contested-claim"  # a paper of the report contradicts a claim (`Verdict.contradicts`)
    TOO_FEW_VERIFIED = "too-few-verified"  # fewer verified claims, or a smaller verified share, than the gate needs
    UNVERIFIED_CLAIMS = "unverified-claims"  # lists the claims that are not verified
    CONFIDENCE_MISMATCH = "confidence-mismatch"  # a verified flag that disagrees with the confidence threshold
    WEAK_EVIDENCE = "weak-evidence"  # verified with a confidence just above the threshold
    UNEXPLAINED_CONFIDENCE = "unexplained-confidence"  # a verdict without rationale, or verified without evidence
    CONTRADICTED_CLAIM = "contradicted-claim"  # an unverified claim whose rationale says the evidence contradicts it
    MISSING_REFERENCE = "missing-reference"  # a cited paper not in the references, or a listed paper nothing uses
    # Confirmer: the evidence base.
    EVIDENCE_BASE = "evidence-base"  # how many claims are verified, grounded and corroborated
    FEW_CORROBORATED = "few-corroborated"  # fewer corroborated claims than the gate needs
    LOW_DIVERSITY = "low-diversity"  # the papers come from few author groups
    DATED_SOURCES = "dated-sources"  # few of the papers are recent
    # Integrator: its decisions.
    REVIEWER_DISAGREEMENT = "reviewer-disagreement"  # challenger and confirmer differ so much the score leans low
    GATE_BLOCKED = "gate-blocked"  # error findings capped the score below the gate


@dataclass(frozen=True)
class Result:
    """A quantitative result a paper states: one row of the results table (`builder/results.py`)."""

    paper: str  # arXiv id
    task: str  # task or dataset, as the sentence names it; "" when the rules cannot tell
    metric: str  # canonical metric name ("F1", "BLEU", "accuracy"); "" when the sentence names none for it
    value: str  # exactly as written, a substring of `sentence` ("+2.3 F1", "71.4%", "3x faster")
    condition: str  # comparison and setting, as written ("over mBERT; for low-resource languages"), or ""
    sentence: str  # the sentence that states it
    sentence_index: int  # numbered from 0, as `paper_sentences` numbers them


@dataclass(frozen=True)
class Finding:
    code: FindingCode  # a plain string with a code's value is taken too, and turned into the member
    severity: str  # "info", "warning", "error"
    message: str
    claim_id: str | None = None

    def __post_init__(self) -> None:
        # Closes the vocabulary: an unknown code raises ValueError here, not in a renderer.
        object.__setattr__(self, "code", FindingCode(self.code))


@dataclass(frozen=True)
class Dimension:
    name: str
    score: float  # 0-10
    level: str  # low / medium / high
    basis: str


@dataclass(frozen=True)
class ReviewerReport:
    role: str  # challenger, confirmer, integrator
    score: float
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Review:
    score: float  # 0-10, one decimal
    tier: str  # flagship, publishable, draft
    gate_passed: bool
    reasons: tuple[str, ...]
    dimensions: tuple[Dimension, ...] = ()
    reviewers: tuple[ReviewerReport, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its verdict: one row of the claims table."""

    claim: Claim
    verdict: Verdict


@dataclass(frozen=True)
class Counts:
    papers: int
    claims: int
    verified: int
    grounded: int
    corroborated: int  # verified claims another paper supports (open-setting decision)
    contested: int = 0  # claims some paper contradicts
    stated: int = 0  # claims only their own source states (status "stated")
    unsupported: int = 0  # claims no paper supports

    @property
    def corroborated_status(self) -> int:
        """Claims whose status is corroborated (`corroborated` also counts corroborated claims now contested)."""
        return self.claims - self.contested - self.stated - self.unsupported

    @property
    def by_status(self) -> tuple[tuple[ClaimStatus, int], ...]:
        """How many claims have each status, in the order the abstract states them; the four add up to `claims`."""
        return (
            (ClaimStatus.CORROBORATED, self.corroborated_status),
            (ClaimStatus.CONTESTED, self.contested),
            (ClaimStatus.STATED, self.stated),
            (ClaimStatus.UNSUPPORTED, self.unsupported),
        )


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list, numbered and labelled once for every renderer."""

    number: int  # [n], from 1 in reference order (the primary paper first)
    paper: Paper
    bib_key: str | None
    venue: str  # where it appeared, from arXiv's journal_ref (`builder.venue.format_venue`); "" when unknown

    @property
    def citation(self) -> str:
        """'[3] Politov et al. (2025)': how tables, lists and figures point at the reference."""
        return f"[{self.number}] {self.paper.label}"


# The sections of a report, in the order the PDF and the page both print them.
SECTIONS = (
    "Abstract",
    "Synthesis",
    "Introduction",
    "Methodology",
    "Results",
    "Review",
    "Limitations",
    "Disagreements",
    "Quantitative Results",
    "Evidence Matrix",
    "Extracted Claims",
    "Figures",
    "References",
)
# The parts of the Review section, in order.
REVIEW_PARTS = ("Dimensions", "Reviewers", "Findings")


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs, already decided: renderers format, they never compute."""

    slug: str
    title: str
    date: dt.date
    author: str
    question: str
    primary: Paper
    papers: tuple[Paper, ...]  # every paper used, in reference order (primary first)
    claims: tuple[ClaimResult, ...]
    counts: Counts
    review: Review
    abstract: str
    introduction: str
    methodology: str
    results: str
    limitations: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    bib_keys: dict[str, str] = field(default_factory=dict)  # arxiv_id -> BibTeX key
    disagreements: tuple[Disagreement, ...] = ()  # pairs of papers that contradict each other, in claim order
    synthesis: Synthesis = field(default_factory=Synthesis)
    # Quantitative results the papers state (`results` is the Results section's prose).
    results_table: tuple[Result, ...] = ()

    @property
    def is_draft(self) -> bool:
        return not self.review.gate_passed

    @property
    def sections(self) -> tuple[str, ...]:
        """The report's sections in the order every renderer prints them."""
        return SECTIONS

    @property
    def reference_numbers(self) -> dict[str, int]:
        """arXiv id -> reference number [n]: the papers in reference order, from 1."""
        return {paper.arxiv_id: n for n, paper in enumerate(self.papers, start=1)}

    @property
    def references(self) -> tuple[Reference, ...]:
        """The reference list: every paper, numbered, labelled, with its BibTeX key and venue."""
        return tuple(
            Reference(number=n, paper=p, bib_key=self.bib_keys.get(p.arxiv_id), venue=format_venue(p.journal_ref))
            for n, p in enumerate(self.papers, start=1)
        )

    @property
    def evidence_matrix(self) -> EvidenceMatrix:
        """Every claim (rows, in claim order) against every paper (columns, in reference order), each cell the
        paper's stance from the claim's verdict (`builder/matrix.py`), with the counts per row and column."""
        from builder.matrix import evidence_matrix

        return evidence_matrix(self.papers, self.claims)

    def origin(self, claim: Claim) -> str:
        """Where a claim comes from, as both renderers print it: 'Extracted from sentence 2 of [1].'"""
        number = self.reference_numbers.get(claim.source)
        ref = f"[{number}]" if number else f"arXiv:{claim.source}"
        if claim.origin == "spec":
            line = f" (spec line {claim.spec_line})" if claim.spec_line else ""
            return f"Written in the question spec{line}, citing {ref}."
        where = f"sentence {claim.sentence_index + 1} of " if claim.sentence_index is not None else ""
        return f"Extracted from {where}{ref}."

    def citation(self, arxiv_id: str) -> str:
        """'[3] Politov et al. (2025)' for a paper of the report; 'arXiv:<id>' for any other id."""
        number = self.reference_numbers.get(arxiv_id)
        return f"[{number}] {self.papers[number - 1].label}" if number else f"arXiv:{arxiv_id}"

    @property
    def status_word(self) -> str:
        """'final' or 'draft': the one word the PDF, the page and the home page use for the gate's decision."""
        return "draft" if self.is_draft else "final"

    @property
    def status_line(self) -> str:
        """The gate's decision as a phrase: the same words in the PDF's title block and the page's banner."""
        return "did not pass the quality gate" if self.is_draft else "passed the quality gate"

    @property
    def headline(self) -> tuple[tuple[str, str], ...]:
        """The counts a reader sees first, labelled once: the PDF's Results table and the page's figures."""
        c, n = self.counts, self.counts.claims
        return (
            ("Papers in the synthesis", str(c.papers)),
            ("Claims checked", str(n)),
            ("Verified", f"{c.verified} of {n}"),
            ("Grounded in their own source", f"{c.grounded} of {n}"),
            ("Corroborated by another paper", f"{c.corroborated} of {n}"),
            ("Contested by a paper", f"{c.contested} of {n}"),
            ("Stated by their own source only", f"{c.stated} of {n}"),
            ("Supported by no paper", f"{c.unsupported} of {n}"),
            ("Review score", f"{self.review.score:.1f}/10 ({self.review.tier})"),
        )

    def paper(self, arxiv_id: str) -> Paper:
        for paper in self.papers:
            if paper.arxiv_id == arxiv_id:
                return paper
        raise KeyError(arxiv_id)
