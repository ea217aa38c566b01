"""Claim verification against the report's papers: evidence retrieval, calibrated confidence, rationale.

`Verifier.load()` reads the committed coefficients (`model.json`); `verify()` judges every claim against
the report's papers: its own source in the cited setting, every other paper in the open setting (where
evidence is rare, so support needs more), each as SUPPORT, CONTRADICT or NEI with the deciding sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from builder.models import Claim, Evidence, Paper, PaperVerdict, Sentence, Stance, Verdict
from builder.text import paper_sentences, self_referential
from builder.verify.checks import CONFLICT_CAP
from builder.verify.features import Idf, Unit
from builder.verify.model import DocResult, Document, Scorer, Setting

MAX_EVIDENCE = 3
CANDIDATE_PAPERS = 6  # papers fully scored per claim: its own source plus the most relevant others

__all__ = ["Verifier", "judge"]


def judge(
    scorer: Scorer,
    claim_text: str,
    origin: str,
    unit: Unit,
    norm: float,
    doc: Document,
    idf: Idf,
    setting: Setting,
    min_confidence: float,
    quote: str | None = None,
) -> DocResult:
    """One paper's verdict on one claim, exactly as builds and `python -m builder verify` both give it.

    The scorer's calibrated label for `setting`, then the rules that only a second paper needs: an extracted
    claim's own sentence copied into another paper (the same abstract stored twice) is left out before that
    paper is scored, wherever it ranks; a claim about "our method" is not supported by another paper's "our
    method" (two different methods). Support needs `min_confidence` (the spec's cut), for another paper the
    open setting's own cut as well, and never less probability than contradiction. Decided on the rounded
    probabilities the verdict shows.
    """
    copied = " ".join((quote or claim_text).split()).lower()
    copies = (
        [i for i, u in enumerate(doc.sentences) if " ".join(u.text.split()).lower() == copied]
        if setting is Setting.OPEN and origin == "extracted"
        else []
    )
    if copies and len(copies) < len(doc.sentences):
        result = _score_without(scorer, unit, norm, doc, idf, setting, copies)
    else:
        result = scorer.score(unit, norm, doc, idf, setting)
    if not result.ranked:
        return result
    p, q, label = round(result.probability, 4), round(result.p_contradict, 4), result.label
    if setting is Setting.OPEN:
        best_text = doc.sentences[result.ranked[0][0]].text
        if self_referential(claim_text) and self_referential(best_text):
            p = min(p, CONFLICT_CAP)
    cut = min_confidence
    if setting is Setting.OPEN:
        cut = max(cut, scorer.calibration(setting).support_threshold)
    if label is Stance.SUPPORT and p < cut:
        label = Stance.NEI
    elif label is Stance.NEI and p >= cut and p >= q:
        label = Stance.SUPPORT
    return replace(result, probability=p, p_contradict=q, label=label)


def _score_without(
    scorer: Scorer, unit: Unit, norm: float, doc: Document, idf: Idf, setting: Setting, drop: list[int]
) -> DocResult:
    """Score `doc` without the sentences `drop` (copies of the claim's own sentence), positions mapped back."""
    kept = [i for i in range(len(doc.sentences)) if i not in set(drop)]
    reduced = Document(doc.doc_id, doc.title, [doc.sentences[i] for i in kept], [doc.norms[i] for i in kept])
    result = scorer.score(unit, norm, reduced, idf, setting)
    conflict = kept[result.conflict_sentence] if result.conflict_sentence is not None else None
    return replace(result, ranked=[(kept[i], v) for i, v in result.ranked], conflict_sentence=conflict)


@dataclass
class Verifier:
    """Scores claims against papers with the committed sentence/document models."""

    scorer: Scorer

    @classmethod
    def load(cls, path: Path | None = None, verifier: str = "lexical") -> Verifier:
        """Load the committed coefficients (a small JSON file) of `verifier`: "lexical" (numpy only), "embed" or
        "nli" (optional extras, ~2 s of start-up)."""
        return cls(Scorer.load(path, checks=True, verifier=verifier))

    def verify(self, claims: list[Claim], papers: list[Paper], threshold: float = 0.5) -> list[Verdict]:
        """One Verdict per claim, in the same order; evidence is searched across all `papers`.

        `threshold` is the spec's `min_confidence`: the cut for the claim's own source. Another paper supports
        the claim when its open-setting probability reaches the open cut (and `threshold`).
        """
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
            unit = Unit.of(claim.statement)
            norm = idf.vector_norm(unit)
            plans.append((claim, unit, norm, self._candidates(claim, unit, norm, documents, idf)))
        # One pass of the entailment model (when installed) over every pair to score.
        self.scorer.prefetch([(u, n, documents[pid]) for _, u, n, cands in plans for pid in cands], idf)
        verdicts = []
        for claim, unit, norm, candidates in plans:
            judged = [
                self._judge(claim, unit, norm, documents[pid], sentences[pid], idf, threshold) for pid in candidates
            ]
            verdicts.append(self._verdict(claim, judged, sentences))
        return verdicts

    def _judge(
        self,
        claim: Claim,
        unit: Unit,
        norm: float,
        doc: Document,
        sentences: list[Sentence],
        idf: Idf,
        threshold: float,
    ) -> tuple[DocResult, PaperVerdict | None]:
        """Score one paper for one claim in its setting, with the cross-paper rules (`judge`)."""
        setting = Setting.CITED if doc.doc_id == claim.source else Setting.OPEN
        result = judge(
            self.scorer, claim.statement, claim.origin, unit, norm, doc, idf, setting, threshold, claim.quote
        )
        if not result.ranked:
            return result, None
        index = result.deciding_sentence
        sentence = sentences[index]
        judgement = PaperVerdict(
            arxiv_id=doc.doc_id,
            stance=result.label,
            p_support=result.probability,  # rounded by `judge`, which decided on these values
            p_contradict=result.p_contradict,
            setting=setting.value,
            sentence_index=sentence.index,
            sentence=sentence.text,
            note=result.note,
        )
        return result, judgement

    def _verdict(
        self,
        claim: Claim,
        judged: list[tuple[DocResult, PaperVerdict | None]],
        sentences: dict[str, list[Sentence]],
    ) -> Verdict:
        papers = [j for _, j in judged if j is not None]
        own = next((j for j in papers if j.arxiv_id == claim.source), None)
        others = [j for j in papers if j.arxiv_id != claim.source]
        supports = sorted((j for j in others if j.stance is Stance.SUPPORT), key=lambda j: (-j.p_support, j.arxiv_id))
        contradicts = sorted(
            (j for j in papers if j.stance is Stance.CONTRADICT), key=lambda j: (-j.p_contradict, j.arxiv_id)
        )
        grounded = own is not None and own.stance is Stance.SUPPORT
        corroborated = bool(supports)
        own_p = own.p_support if own else 0.0
        confidence = max([own_p] + [j.p_support for j in supports])
        evidence = sorted(
            (
                Evidence(r.doc_id, sentences[r.doc_id][i].index, sentences[r.doc_id][i].text, round(score, 4))
                for r, _ in judged
                for i, score in r.ranked[:MAX_EVIDENCE]
            ),
            key=lambda e: (-e.score, e.arxiv_id, e.sentence_index),
        )[:MAX_EVIDENCE]
        if grounded or corroborated:
            deciding = own if grounded and (not supports or own_p >= supports[0].p_support) else supports[0]
        elif contradicts:
            deciding = contradicts[0]
        else:  # explain the failure with the sentence most about the claim
            best = max((r for r, j in judged if j is not None), key=lambda r: (r.relevance, r.doc_id), default=None)
            deciding = next((j for j in papers if best is not None and j.arxiv_id == best.doc_id), None)
        return Verdict(
            claim_id=claim.id,
            verified=grounded or corroborated,
            confidence=round(confidence, 4),
            grounded=grounded,
            corroborated=corroborated,
            evidence=tuple(evidence),
            rationale=self._rationale(deciding),
            contested=bool(contradicts),
            supports=tuple(supports),
            contradicts=tuple(contradicts),
            decided_by=deciding,
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

    @staticmethod
    def _rationale(deciding: PaperVerdict | None) -> str:
        """One line a reader can check; sentences are numbered from 1 here as in every renderer (the data keep
        `paper_sentences`' positions from 0)."""
        if deciding is None:
            return "no paper has a sentence that matches this claim"
        words = {Stance.SUPPORT: "supports", Stance.CONTRADICT: "contradicts", Stance.NEI: "does not support"}
        line = (
            f"best match: {deciding.arxiv_id} sentence {deciding.sentence_index + 1} (p={deciding.probability:.2f}) "
            f"{words[deciding.stance]} the claim"
        )
        if deciding.note:
            line += f"; {deciding.note}"
        return line
