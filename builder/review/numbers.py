"""Checks of the report's numbers: unsupported-number (a number no paper contains) and count-mismatch (a count
that disagrees with the claims table or the paper list)."""

from __future__ import annotations

import re

from builder.models import Finding, FindingCode
from builder.review.base import claim_label
from builder.review.context import CheckResult, ReviewContext
from builder.review.topic import paper_text
from builder.text import normalise_space
from builder.text.figures import NUMBER_PATTERN as _NUM
from builder.text.figures import NUMBER_WORDS, numbers_in, values_in


def check_numbers(ctx: ReviewContext) -> CheckResult:
    """unsupported-number: digits in a claim or the abstract that no paper of the report contains.

    Measures: "checked", the numbers checked, and "unsupported", those no paper contains.
    """
    report = ctx.report
    paper_values = {p.arxiv_id: values_in(paper_text(p)) for p in ctx.papers}
    all_values = set().union(*paper_values.values()) if paper_values else set()
    findings: list[Finding] = []
    checked = unsupported = 0
    for result in report.claims:
        missing = []
        for written, value, _, _ in numbers_in(result.claim.text):
            checked += 1
            if value not in all_values:
                missing.append(written)
        if missing:
            unsupported += len(missing)
            severity = "error" if result.verdict.verified else "warning"
            findings.append(
                Finding(
                    FindingCode.UNSUPPORTED_NUMBER,
                    severity,
                    f"{claim_label(result)} states {', '.join(missing)}, which no paper of the report contains "
                    f"(its source arXiv:{result.claim.source} included)"
                    + ("; it is marked verified all the same" if result.verdict.verified else ""),
                    result.claim.id,
                )
            )
    # The abstract: skip the counts it states (checked by count-mismatch) and the claims it quotes.
    count_spans = [(start, end) for _, _, start, end, _ in stated_counts(report.abstract)]
    claim_values = set().union(*(values_in(r.claim.text) for r in report.claims)) if report.claims else set()
    missing = []
    for written, value, start, end in numbers_in(report.abstract):
        if any(s <= start and end <= e for s, e in count_spans):
            continue
        checked += 1
        if value not in all_values and value not in claim_values:
            missing.append(written)
    if missing:
        unsupported += len(missing)
        findings.append(
            Finding(
                FindingCode.UNSUPPORTED_NUMBER,
                "error",
                f"the abstract states {', '.join(missing)}, which no paper of the report contains",
            )
        )
    return CheckResult(tuple(findings), {"checked": checked, "unsupported": unsupported})


# -- counts


_COUNT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.IGNORECASE))
    for key, pattern in (
        (
            "unverified",
            rf"\b{_NUM}\s+(?:claims?\s+)?(?:could\s+not\s+be|cannot\s+be|were\s+not|was\s+not|are\s+not|"
            rf"is\s+not|not)\s+verified\b|\b{_NUM}\s+unverified\b",
        ),
        (
            "corroborated",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?corroborated\b",
        ),
        (
            "grounded",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"grounded\b",
        ),
        ("contested", rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?contested\b"),
        ("stated", rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?stated\s+only\b"),
        (
            "unsupported",
            rf"\b{_NUM}\s+(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?(?:unsupported\b|supported\s+by\s+no\s+paper)",
        ),
        (
            "verified_of",
            rf"\b{_NUM}\s+of\s+(?:the\s+)?{_NUM}\s+claims?\s+(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?verified\b",
        ),
        (
            "verified",
            rf"\b{_NUM}\s+(?:of\s+(?:them|which|these)\s+)?(?:claims?\s+)?(?:(?:were|are|was|is)\s+)?"
            rf"(?:independently\s+)?verified\b",
        ),
        ("extracted", rf"\b{_NUM}\s+claims?\s+(?:were\s+|was\s+)?extracted\b(?!\s+or\b)"),
        ("written", rf"\b{_NUM}\s+(?:claims?\s+)?(?:were\s+|was\s+)?(?:written|stated)\s+in\s+the\s+spec"),
        ("claims", rf"\b{_NUM}\s+(?:(?:extracted|checked|stated|candidate)\s+)?claims?\b"),
        (
            "papers",
            rf"\b{_NUM}\s+(?:(?:arxiv|source|distinct|unique|relevant|retrieved|cited|stored|research)\s+)?"
            rf"(?:papers?|references)\b",
        ),
    )
)


def _number_value(token: str) -> int:
    lower = token.lower()
    return NUMBER_WORDS.index(lower) if lower in NUMBER_WORDS else int(lower)


def stated_counts(text: str) -> list[tuple[str, int, int, int, str]]:
    """(kind, value, start, end, phrase) for every count phrase, earlier patterns taking precedence."""
    taken: list[tuple[int, int]] = []
    out = []
    for key, pattern in _COUNT_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if re.search(
                r"\b(?:only|at least|at most|up to|than|per|each|every|single)\s+$", text[max(0, start - 12) : start]
            ):
                continue  # "at least one paper" is a condition, not a count
            taken.append((start, end))
            groups = [g for g in match.groups() if g is not None]
            phrase = normalise_space(match.group(0))
            if key == "verified_of":
                out.append(("verified", _number_value(groups[0]), start, end, phrase))
                out.append(("claims", _number_value(groups[1]), start, end, phrase))
            else:
                out.append((key, _number_value(groups[0]), start, end, phrase))
    out.sort(key=lambda item: (item[2], item[0]))
    return out


def check_counts(ctx: ReviewContext) -> CheckResult:
    """count-mismatch: the counts field vs the claims table, and vs every count the prose states."""
    report = ctx.report
    findings: list[Finding] = []
    c = report.counts
    claims = report.claims
    verified = sum(r.verdict.verified for r in claims)
    actual = {
        "papers": {len(ctx.papers)},
        "claims": {len(claims)},
        "verified": {verified},
        "grounded": {
            sum(r.verdict.verified and r.verdict.grounded for r in claims),
            sum(r.verdict.grounded for r in claims),
        },
        "corroborated": {
            sum(r.verdict.verified and r.verdict.corroborated for r in claims),
            sum(r.verdict.corroborated for r in claims),
        },
    }
    for status in ("contested", "stated", "unsupported"):
        actual[status] = {sum(r.verdict.status.value == status for r in claims)}
    for name in ("papers", "claims", "verified", "grounded", "corroborated", "contested", "stated", "unsupported"):
        value = getattr(c, name)
        if value not in actual[name]:
            table = "paper list" if name == "papers" else "claims table"
            findings.append(
                Finding(
                    FindingCode.COUNT_MISMATCH,
                    "error",
                    f"counts.{name} is {value} but the {table} has {min(actual[name])}",
                )
            )
    extracted = sum(r.claim.origin == "extracted" for r in claims)
    expected = {
        "papers": {c.papers},
        "claims": {c.claims},
        "verified": {c.verified},
        "grounded": {c.grounded},
        "corroborated": {c.corroborated, c.corroborated_status},  # flag count, or status count (not contested)
        "contested": {c.contested},
        "stated": {c.stated},
        "unsupported": {c.unsupported},
        "unverified": {c.claims - c.verified},
        "extracted": {extracted, c.claims},
        "written": {c.claims - extracted},
    }
    for section in ("abstract", "methodology", "results", "limitations"):
        text = getattr(report, section)
        for kind, value, _, _, phrase in stated_counts(text):
            if value not in expected[kind]:
                want = " or ".join(str(v) for v in sorted(expected[kind]))
                findings.append(
                    Finding(
                        FindingCode.COUNT_MISMATCH,
                        "error",
                        f"the {section} says “{phrase}” but the report's counts give {kind} = {want}",
                    )
                )
    return CheckResult(tuple(findings))
