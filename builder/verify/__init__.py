"""Claim verification against the report's papers: evidence retrieval, calibrated confidence, rationale.

`Verifier.load()` reads the committed coefficients (`model.json`); `verify()` scores every claim against
every paper of the report, so a claim can be grounded in its own paper and corroborated by another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.models import Claim, Evidence, Paper, Verdict
from builder.text import paper_sentences
from builder.verify.features import Idf, Unit, self_referential
from builder.verify.model import CONFLICT_CAP, DocResult, Document, Scorer

MAX_EVIDENCE = 3
CANDIDATE_PAPERS = 6  # papers fully scored per claim: its own source plus the most relevant others

__all__ = ["Verifier"]


@dataclass
class Verifier:
    """Scores claims against papers with the committed sentence/document models."""

    scorer: Scorer

    @classmethod
    def load(cls, path: Path | None = None, verifier: str | None = None) -> Verifier:
        """Load the committed coefficients (a small JSON file) of `verifier`: "lexical" (numpy only), "embed" or
        "nli" (optional extras, ~2 s of start-up); None picks the best one installed (see `Scorer.load`)."""
        return cls(Scorer.load(path, checks=True, verifier=verifier))

    def verify(self, claims: list[Claim], papers: list[Paper], threshold: float = 0.5) -> list[Verdict]:
        """One Verdict per claim, in the same order; evidence is searched across all `papers`."""
        sentences = {p.arxiv_id: paper_sentences(p) for p in papers}
        units = {pid: [Unit.of(s.text) for s in sents] for pid, sents in sentences.items()}
        idf = Idf.fit(u for doc in units.values() for u in doc)
        documents = {
            p.arxiv_id: Document(
                p.arxiv_id,
                Unit.of(p.title) if p.title else None,
                units[p.arxiv_id],
                [idf.vector_norm(u) for u in units[p.arxiv_id]],
            )
            for p in papers
        }
        plans = []
        for claim in claims:
            unit = Unit.of(claim.text)
            norm = idf.vector_norm(unit)
            plans.append((claim, unit, norm, self._candidates(claim, unit, norm, documents, idf)))
        # One pass of the entailment model (when installed) over every pair to score.
        self.scorer.prefetch([(u, n, documents[pid]) for _, u, n, cands in plans for pid in cands], idf)
        verdicts = []
        for claim, unit, norm, candidates in plans:
            results = {pid: self.scorer.score(unit, norm, documents[pid], idf) for pid in candidates}
            verdicts.append(self._verdict(claim, results, sentences, documents, unit, norm, idf, threshold))
        return verdicts

    def _verdict(
        self,
        claim: Claim,
        results: dict[str, DocResult],
        sentences: dict,
        documents: dict[str, Document],
        unit: Unit,
        norm: float,
        idf: Idf,
        threshold: float,
    ) -> Verdict:
        own = results.get(claim.source)
        grounded_p = own.probability if own else 0.0
        # Corroboration: other papers; for an extracted claim its own sentence must not count, and neither may a
        # verbatim copy of it in another paper (the same abstract stored twice).
        other_p = 0.0
        other_best: DocResult | None = None
        for pid, result in results.items():
            if pid == claim.source:
                continue
            p = result.probability
            # "Our method outperforms the state of the art" in two papers is about two different methods.
            if (
                result.ranked
                and self_referential(claim.text)
                and self_referential(sentences[pid][result.ranked[0][0]].text)
            ):
                p = min(p, CONFLICT_CAP)
            if claim.origin == "extracted" and result.ranked:
                best_text = sentences[pid][result.ranked[0][0]].text
                if " ".join(best_text.split()).lower() == " ".join(claim.text.split()).lower():
                    p = self._without(unit, norm, documents[pid], result.ranked[0][0], idf).probability
            if p > other_p:
                other_p, other_best = p, result
        confidence = max(grounded_p, other_p)
        evidence = sorted(
            (
                Evidence(pid, sentences[pid][i].index, sentences[pid][i].text, round(score, 4))
                for pid, result in results.items()
                for i, score in result.ranked[:MAX_EVIDENCE]
            ),
            key=lambda e: (-e.score, e.arxiv_id, e.sentence_index),
        )[:MAX_EVIDENCE]
        if confidence >= threshold:
            deciding = own if grounded_p >= other_p else other_best
        else:  # explain the failure with the sentence most about the claim
            deciding = max(results.values(), key=lambda r: (r.relevance, r.doc_id), default=None)
        rationale = self._rationale(claim, deciding, sentences, confidence, threshold)
        return Verdict(
            claim_id=claim.id,
            verified=confidence >= threshold,
            confidence=round(confidence, 4),
            grounded=grounded_p >= threshold,
            corroborated=other_p >= threshold,
            evidence=tuple(evidence),
            rationale=rationale,
        )

    def _candidates(self, claim: Claim, unit: Unit, norm: float, documents: dict[str, Document], idf: Idf) -> list[str]:
        """Retrieval over all papers (cheap sentence relevance), so the full model runs on a few per claim."""
        relevance = {
            pid: max(self.scorer.sentence_logits(unit, norm, doc, idf), default=-30.0) for pid, doc in documents.items()
        }
        ranked = sorted(relevance, key=lambda pid: (-relevance[pid], pid))
        chosen = ranked[:CANDIDATE_PAPERS]
        if claim.source in documents and claim.source not in chosen:
            chosen.append(claim.source)
        return chosen

    def _without(self, unit: Unit, norm: float, doc: Document, drop: int, idf: Idf) -> DocResult:
        kept = [i for i in range(len(doc.sentences)) if i != drop]
        reduced = Document(doc.doc_id, doc.title, [doc.sentences[i] for i in kept], [doc.norms[i] for i in kept])
        return self.scorer.score(unit, norm, reduced, idf)

    @staticmethod
    def _rationale(
        claim: Claim, deciding: DocResult | None, sentences: dict, confidence: float, threshold: float
    ) -> str:
        if deciding is None or not deciding.ranked:
            return "no paper has a sentence that matches this claim"
        index = sentences[deciding.doc_id][deciding.ranked[0][0]].index
        verdict = "supports" if confidence >= threshold else "does not support"
        line = f"best match: {deciding.doc_id} sentence {index} (p={deciding.probability:.2f}) {verdict} the claim"
        if deciding.note:
            line += f"; {deciding.note}"
        return line
