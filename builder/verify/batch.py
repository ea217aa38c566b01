"""Batch verification in SciFact format: `python -m builder verify --corpus C --claims Q --out P [--open]`.

Reads `corpus.jsonl` (doc_id, title, abstract as a list of sentences) and `claims.jsonl` (id, claim,
cited_doc_ids; gold labels, if present, are ignored) and writes one JSON line per (claim, document):
`{"id", "doc_id", "supported", "confidence", "evidence"}`. With `--open` the documents are retrieved
from the whole corpus (top 3 per claim) instead of taken from cited_doc_ids. `--verifier` picks the
configuration (lexical, embed, nli); by default the most accurate one whose optional extras are installed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from builder.verify.features import Unit
from builder.verify.model import VERIFIERS, Document, MissingExtra, Scorer
from builder.verify.train import corpus_idf, load_corpus, make_document, read_jsonl

OPEN_TOP = 3
OPEN_CANDIDATES = 20  # BM25's top documents per claim, all scored by the lexical model; with the embed or nli
OPEN_SCORED = 6  # configuration, the lexical model's best 6 then get the full model (entailment calls are dear)
EVIDENCE_MAX = 3
EVIDENCE_RELATIVE = 0.5  # keep sentences scoring at least half the best one


class Retriever:
    """BM25 over whole documents (title + abstract), for open-corpus verification."""

    def __init__(self, docs: dict[str, list[Unit]], titles: dict[str, Unit | None]) -> None:
        self.postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.lengths: dict[str, int] = {}
        for doc_id, units in docs.items():
            counts: Counter[str] = Counter()
            for unit in units:
                counts.update(unit.counts)
            title = titles.get(doc_id)
            if title is not None:
                counts.update(title.counts)
            self.lengths[doc_id] = sum(counts.values())
            for token, count in counts.items():
                self.postings[token].append((doc_id, count))
        self.n = len(docs)
        self.avg = sum(self.lengths.values()) / max(1, self.n)

    def search(self, query: Unit, k: int) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for token in set(query.tokens):
            posting = self.postings.get(token)
            if not posting:
                continue
            idf = math.log(1 + (self.n - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc_id, tf in posting:
                norm = tf + 1.2 * (0.25 + 0.75 * self.lengths[doc_id] / self.avg)
                scores[doc_id] += idf * tf * 2.2 / norm
        return [d for d, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]]


def evidence_indices(ranked: list[tuple[int, float]]) -> list[int]:
    if not ranked:
        return []
    best = ranked[0][1]
    return [i for i, s in ranked[:EVIDENCE_MAX] if s >= EVIDENCE_RELATIVE * best]


def run(
    corpus_path: Path,
    claims_path: Path,
    out_path: Path,
    open_mode: bool,
    model_path: Path | None = None,
    verifier: str | None = None,
) -> int:
    """Verify every claim; return the number of lines written (default model: the best one installed)."""
    # SciFact claims paraphrase their numbers and negations, so the batch uses the learned model alone.
    scorer = Scorer.load(model_path, checks=False, verifier=verifier)
    threshold = scorer.threshold
    corpus = load_corpus(corpus_path)
    claims = read_jsonl(claims_path)
    idf, units = corpus_idf(corpus)
    docs: dict[str, Document] = {}

    def document(doc_id: str) -> Document:
        if doc_id not in docs:
            docs[doc_id] = make_document(doc_id, corpus[doc_id][0], units[doc_id], idf)
        return docs[doc_id]

    retriever = prerank = None
    if open_mode:
        titles = {d: (Unit.of(t) if t else None) for d, (t, _) in corpus.items()}
        retriever = Retriever(units, titles)
        if scorer.uses_nli or scorer.uses_embeddings:  # only the lexical model's favourites get the full model
            prerank = Scorer.load(verifier="lexical", checks=False)
    lines: list[str] = []
    plans = []
    for record in claims:
        claim = Unit.of(str(record["claim"]))
        norm = idf.vector_norm(claim)
        if retriever is not None:
            candidates = retriever.search(claim, OPEN_CANDIDATES)
            if prerank is not None:
                cheap = {d: prerank.score(claim, norm, document(d), idf).probability for d in candidates}
                candidates = sorted(candidates, key=lambda d: -cheap[d])[:OPEN_SCORED]  # stable: BM25 order on ties
        else:
            candidates = [str(d) for d in record.get("cited_doc_ids") or [] if str(d) in corpus]
        plans.append((record, claim, norm, candidates))
    # One pass of the entailment and embedding models (when used) over every pair to score, before scoring them.
    scorer.prefetch([(claim, norm, document(d)) for _, claim, norm, cands in plans for d in cands], idf)
    for record, claim, norm, candidates in plans:
        results = [scorer.score(claim, norm, document(d), idf) for d in candidates]
        if retriever is not None:
            results = sorted(results, key=lambda r: -r.probability)[:OPEN_TOP]
        for result in results:
            lines.append(json.dumps(_row(record["id"], result.doc_id, result.probability, result.ranked, threshold)))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def _row(claim_id: Any, doc_id: str, probability: float, ranked: list[tuple[int, float]], threshold: float) -> dict:
    return {
        "id": claim_id,
        "doc_id": int(doc_id) if doc_id.isdigit() else doc_id,
        "supported": probability >= threshold,
        "confidence": round(probability, 4),
        "evidence": evidence_indices(ranked),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m builder verify", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="SciFact-format corpus.jsonl")
    parser.add_argument("--claims", type=Path, required=True, help="SciFact-format claims.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="predictions JSONL to write")
    parser.add_argument("--open", action="store_true", help="retrieve documents from the whole corpus")
    parser.add_argument(
        "--verifier", choices=tuple(VERIFIERS), default=None, help="default: the best one whose extras are installed"
    )
    args = parser.parse_args(argv)
    for path in (args.corpus, args.claims):
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    start = time.perf_counter()
    try:
        count = run(args.corpus, args.claims, args.out, args.open, verifier=args.verifier)
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        print(f"error: malformed SciFact input: {exc}", file=sys.stderr)
        return 2
    except MissingExtra as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} predictions to {args.out} in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
