"""Checks of the report's wording: truncated-text (a title, claim or abstract cut off) and mangled-text
(letters lost to an encoding fault)."""

from __future__ import annotations

import re

from builder.models import Finding, FindingCode
from builder.review.base import claim_label, words
from builder.review.context import CheckResult, ReviewContext
from builder.review.topic import paper_text, vocabulary_of
from builder.text import normalise_space

_ENDING_WORDS = frozenset(
    words(
        """a an the of for to in on at by with from and or but nor as into onto than that which whose who is are was
    were be been being via its their our his her this these those between among per over under about such
    both either neither if while when where whether using"""
    )
)
_FINAL_PUNCT = (".", "!", "?", "…")
_TRAILING_REFERENCE_RE = re.compile(r"(?<=[.!?])\s*(?:\([A-Z]?\d+(?:[,;]\s*[A-Z]?\d+)*\)|\[\d+(?:\s*[,–-]\s*\d+)*\])$")
_CLOSERS = "\"'”’)]"


def truncation_reasons(text: str, vocabulary: frozenset[str], is_title: bool = False) -> tuple[list[str], bool]:
    """Why a text looks cut off, and whether the evidence is strong (an error) or only a missing full stop."""
    text = normalise_space(text)
    if not text:
        return ["it is empty"], True
    strong: list[str] = []
    if text.count("(") != text.count(")"):
        strong.append("unbalanced parentheses")
    if text.count("[") != text.count("]"):
        strong.append("unbalanced brackets")
    if text.count('"') % 2 or text.count("“") != text.count("”"):
        strong.append("unbalanced quotes")
    if text.endswith(("...", "…")):
        strong.append("it ends with an ellipsis")
    if re.search(r"[A-Za-z][\-‐]$", text):
        strong.append("a dangling hyphen at the end")
    if text.endswith((",", ";", ":")):
        strong.append(f"it ends with “{text[-1]}”")
    # A reference after the full stop ("... tasks. (C10)" or "... [3]") does not make a sentence unfinished.
    body = _TRAILING_REFERENCE_RE.sub("", text)
    stripped = body.rstrip(_CLOSERS + ".!?…")
    last = re.findall(r"[A-Za-z][A-Za-z'’]*$", stripped)
    ends_clean = body.rstrip(_CLOSERS).endswith(_FINAL_PUNCT)
    if last and not ends_clean:
        word = last[0]
        if word.lower() in _ENDING_WORDS:
            strong.append(f"it ends with “{word}”")
        elif (len(word) == 1 and word != "I") or (
            # Titles end without a full stop, so a short final word ("Shift") is no evidence there.
            not is_title and word.lower() not in vocabulary and _is_prefix_of_vocabulary(word.lower(), vocabulary)
        ):
            strong.append(f"it ends mid-word with “{word}”")
    weak = not ends_clean and not is_title
    if strong:
        return strong, True
    return (["it has no final punctuation"], False) if weak else ([], False)


def _is_prefix_of_vocabulary(word: str, vocabulary: frozenset[str]) -> bool:
    return len(word) >= 2 and any(v.startswith(word) and len(v) > len(word) for v in vocabulary)


def check_truncation(ctx: ReviewContext) -> CheckResult:
    """truncated-text: a title, claim or abstract cut mid-word or mid-sentence."""
    report = ctx.report
    findings: list[Finding] = []
    items: list[tuple[str, str, str | None, bool]] = [("the title", report.title, None, True)]
    items += [(claim_label(r), r.claim.text, r.claim.id, False) for r in report.claims]
    items.append(("the abstract", report.abstract, None, False))
    for label, text, claim_id, is_title in items:
        reasons, strong = truncation_reasons(text, ctx.vocabulary, is_title)
        if reasons:
            tail = normalise_space(text)[-40:]
            findings.append(
                Finding(
                    FindingCode.TRUNCATED_TEXT,
                    "error" if strong else "warning",
                    f"{label} looks cut off ({'; '.join(reasons)}): “…{tail}”",
                    claim_id,
                )
            )
    return CheckResult(tuple(findings))


def check_mangled(ctx: ReviewContext) -> CheckResult:
    """mangled-text: 'Garca' for 'García' (an accent lost, and the letter with it) or replacement characters."""
    report = ctx.report
    accented: dict[str, str] = {}
    for paper in ctx.papers:
        for text in (paper_text(paper), " ".join(paper.authors)):
            for word in re.findall(r"[^\W\d_]+", text):
                if not word.isascii():
                    ascii_only = "".join(ch for ch in word if ch.isascii())
                    if len(ascii_only) >= 3:
                        accented.setdefault(ascii_only.lower(), word)
    known = vocabulary_of(paper_text(p) + " " + " ".join(p.authors) for p in ctx.papers)
    findings: list[Finding] = []
    items: list[tuple[str, str, str | None]] = [("the title", report.title, None)]
    items += [(claim_label(r), r.claim.text, r.claim.id) for r in report.claims]
    items.append(("the abstract", report.abstract, None))
    for label, text, claim_id in items:
        problems = []
        if "\ufffd" in text:
            problems.append("a replacement character (�)")
        for word in sorted(set(re.findall(r"[A-Za-z]{3,}", text))):
            if word.lower() in accented and word.lower() not in known:
                problems.append(f"“{word}” for “{accented[word.lower()]}”")
        if problems:
            findings.append(
                Finding(
                    FindingCode.MANGLED_TEXT, "warning", f"{label} has lost characters: {', '.join(problems)}", claim_id
                )
            )
    return CheckResult(tuple(findings))
