"""The data that flows through the pipeline: Spec -> Papers -> Claims -> Verdicts -> Review -> Report.

Every stage returns one of these immutable records, and every renderer (LaTeX, site, BibTeX,
JSON manifest) reads the same `Report`, so the PDF and the page can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

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
    code: str  # stable, e.g. "off-topic-source", "truncated-text"
    severity: str  # "info", "warning", "error"
    message: str
    claim_id: str | None = None


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
    def reference_numbers(self) -> dict[str, int]:
        """arXiv id -> reference number [n]: the papers in reference order, from 1."""
        return {paper.arxiv_id: n for n, paper in enumerate(self.papers, start=1)}

    def paper(self, arxiv_id: str) -> Paper:
        for paper in self.papers:
            if paper.arxiv_id == arxiv_id:
                return paper
        raise KeyError(arxiv_id)
