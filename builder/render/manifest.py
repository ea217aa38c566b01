"""The JSON manifest (`build/data/<slug>.json`): the Report as data, for tools and for the site's downloads."""

from __future__ import annotations

import json
from typing import Any

from builder import __version__
from builder.models import ClaimResult, Paper, PaperVerdict, Report, Result, Review


def _paper(paper: Paper, bib_key: str | None) -> dict[str, Any]:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "year": paper.year,
        "primary_category": paper.primary_category,
        "categories": list(paper.categories),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "bib_key": bib_key,
    }


def _claim(result: ClaimResult) -> dict[str, Any]:
    claim, verdict = result.claim, result.verdict
    return {
        "id": claim.id,
        "text": claim.text,
        "quote": claim.quote,
        "origin": claim.origin,
        "source": claim.source,
        "sentence_index": claim.sentence_index,
        "status": verdict.status.value,
        "verified": verdict.verified,
        "confidence": round(verdict.confidence, 4),
        "grounded": verdict.grounded,
        "corroborated": verdict.corroborated,
        "contested": verdict.contested,
        "supported_by": [_judgement(j) for j in verdict.supports],
        "contradicted_by": [_judgement(j) for j in verdict.contradicts],
        "rationale": verdict.rationale,
        "evidence": [
            {
                "arxiv_id": e.arxiv_id,
                "sentence_index": e.sentence_index,
                "sentence": e.sentence,
                "score": round(e.score, 4),
            }
            for e in verdict.evidence
        ],
    }


def _judgement(j: PaperVerdict) -> dict[str, Any]:
    return {
        "arxiv_id": j.arxiv_id,
        "label": j.stance.value,
        "setting": j.setting,
        "p_support": j.p_support,
        "p_contradict": j.p_contradict,
        "sentence_index": j.sentence_index,
        "sentence": j.sentence,
        "note": j.note,
    }


def _result(row: Result) -> dict[str, Any]:
    return {
        "paper": row.paper,
        "task": row.task,
        "metric": row.metric,
        "value": row.value,
        "condition": row.condition,
        "sentence": row.sentence,
        "sentence_index": row.sentence_index,
    }


def _review(review: Review) -> dict[str, Any]:
    def finding(f: Any) -> dict[str, Any]:
        item = {"code": f.code, "severity": f.severity, "message": f.message}
        if f.claim_id:
            item["claim_id"] = f.claim_id
        return item

    return {
        "score": review.score,
        "tier": review.tier,
        "gate_passed": review.gate_passed,
        "reasons": list(review.reasons),
        "dimensions": {d.name: {"score": d.score, "level": d.level, "basis": d.basis} for d in review.dimensions},
        "reviewers": [
            {"role": r.role, "score": r.score, "findings": [finding(f) for f in r.findings]} for r in review.reviewers
        ],
        "findings": [finding(f) for f in review.findings],
    }


def manifest(report: Report) -> dict[str, Any]:
    return {
        "builder_version": __version__,
        "slug": report.slug,
        "title": report.title,
        "date": report.date.isoformat(),
        "author": report.author,
        "question": report.question,
        "draft": report.is_draft,
        "primary": report.primary.arxiv_id,
        "abstract": report.abstract,
        "sections": {
            "introduction": report.introduction,
            "methodology": report.methodology,
            "results": report.results,
            "limitations": report.limitations,
        },
        "counts": {
            "papers": report.counts.papers,
            "claims": report.counts.claims,
            "verified": report.counts.verified,
            "grounded": report.counts.grounded,
            "corroborated": report.counts.corroborated,
            "contested": report.counts.contested,
            "stated": report.counts.stated,
            "unsupported": report.counts.unsupported,
        },
        "papers": [_paper(p, report.bib_keys.get(p.arxiv_id)) for p in report.papers],
        "claims": [_claim(r) for r in report.claims],
        "synthesis": {
            "themes": [
                {
                    "title": t.title,
                    "sentences": [{"text": x.text, "cites": list(x.cites), "claim": x.claim_id} for x in t.sentences],
                    "claims": list(t.claims),
                    "consensus": t.consensus,
                }
                for t in report.synthesis.themes
            ],
            "gaps": list(report.synthesis.gaps),
        },
        "disagreements": [
            {
                "claims": list(d.claim_ids),
                "papers": [d.claim_paper, d.other_paper],
                "sentences": [d.claim_sentence, d.other_sentence],
                "other_sentence_index": d.other_sentence_index,
                "note": d.note,
            }
            for d in report.disagreements
        ],
        "results": [_result(row) for row in report.results_table],
        "review": _review(report.review),
        "warnings": list(report.warnings),
    }


def render_json(report: Report) -> str:
    """Deterministic: fixed key order, UTF-8 kept as is, trailing newline."""
    return json.dumps(manifest(report), ensure_ascii=False, indent=2) + "\n"
