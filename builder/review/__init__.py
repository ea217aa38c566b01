"""Automated review of a finished `Report`: consistency checks, eight quality dimensions and a publication gate.

The seed reports this project must beat were published with truncated claims, an abstract copied from an
unrelated speech-recognition paper, counts in the header that disagree with the abstract, confidences nobody
explained and names with lost accents. Every one of those faults is a check here with a stable finding code,
so a report that has them cannot pass the gate. Three reviewers with distinct mandates score the report: a
challenger (what is wrong), a confirmer (what is well supported) and an integrator that combines the two into
the 0-10 consensus score. `docs/review.md` gives the formula so anyone can recompute a score by hand.

The review is a pure function of the report: no randomness, no I/O, every collection sorted before use.

Modules, in the order the review runs them:

- `config`: `ReviewConfig`, every threshold, built from a spec by `ReviewConfig.from_spec`;
- `topic`: the report's vocabulary, the question's weighted terms and the relevance of a text to them;
- `context`: what a check reads (`ReviewContext`) and returns (`CheckResult`: findings and measurements);
- the checks, each `ReviewContext -> CheckResult`: `relevance` (off-topic sources, a copied abstract),
  `numbers` (numbers and counts), `textfaults` (truncated and mangled text), `claims` (duplicates, conflicts,
  verdicts, contested claims), `references`;
- `scoring`: the measurements and the eight 0-10 dimensions;
- `gate`: the integrator's consensus score, penalties and cap, and the tier;
- `reviewers`: `review()`, which runs them all for the challenger, the confirmer and the integrator.

The finding codes are `builder.models.FindingCode` (re-exported here).
"""

from builder.models import FindingCode
from builder.review.base import SEVERITY_ORDER, sort_findings
from builder.review.claims import check_claim_pairs, check_contested, check_verdicts
from builder.review.config import DEFAULT_CONFIG, ReviewConfig
from builder.review.context import Check, CheckResult, ReviewContext, stated_threshold
from builder.review.gate import Consensus, integrate, tier_of
from builder.review.numbers import check_counts, check_numbers, stated_counts
from builder.review.references import check_references
from builder.review.relevance import check_copied_abstract, check_relevance
from builder.review.reviewers import CHALLENGER_CHECKS, review
from builder.review.scoring import (
    CHALLENGER_DIMENSIONS,
    CONFIRMER_DIMENSIONS,
    Measurements,
    clamp10,
    dimensions_for,
    level_of,
    measure,
    round1,
)
from builder.review.textfaults import check_mangled, check_truncation, truncation_reasons
from builder.review.topic import (
    GENERIC_WORDS,
    Lexicon,
    Relevance,
    Topic,
    norm_stem,
    paper_text,
    raw_words,
    vocabulary_of,
)
from builder.text.figures import NUMBER_WORDS, numbers_in, numbers_in_raw

__all__ = [
    "CHALLENGER_CHECKS",
    "CHALLENGER_DIMENSIONS",
    "CONFIRMER_DIMENSIONS",
    "DEFAULT_CONFIG",
    "GENERIC_WORDS",
    "NUMBER_WORDS",
    "SEVERITY_ORDER",
    "Check",
    "CheckResult",
    "Consensus",
    "FindingCode",
    "Lexicon",
    "Measurements",
    "Relevance",
    "ReviewConfig",
    "ReviewContext",
    "Topic",
    "check_claim_pairs",
    "check_contested",
    "check_copied_abstract",
    "check_counts",
    "check_mangled",
    "check_numbers",
    "check_references",
    "check_relevance",
    "check_truncation",
    "check_verdicts",
    "clamp10",
    "dimensions_for",
    "integrate",
    "level_of",
    "measure",
    "norm_stem",
    "numbers_in",
    "numbers_in_raw",
    "paper_text",
    "raw_words",
    "review",
    "round1",
    "sort_findings",
    "stated_counts",
    "stated_threshold",
    "tier_of",
    "truncation_reasons",
    "vocabulary_of",
]
