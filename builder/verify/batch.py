"""Batch verification in SciFact format: `python -m builder verify --corpus C --claims Q --out P [--open]`.

Reads `corpus.jsonl` (doc_id, title, abstract as a list of sentences) and `claims.jsonl` (id, claim,
cited_doc_ids; gold labels, if present, are ignored) and writes one JSON line per (claim, document):
`{"id", "doc_id", "label", "supported", "confidence", "p_contradict", "evidence"}`, `label` in SciFact's
vocabulary (SUPPORT, CONTRADICT, NEI). The verdicts are the build's: the configuration named by
`[tool.builder] verifier` (another with `--verifier`), the same consistency checks and cross-paper rules, and the
cut of a spec's `min_confidence` (`--min-confidence`). Cited documents are judged as a claim's own source is;
with `--open`, BM25's best documents of the whole corpus are judged as a report's other papers are, and the
ones that support or contradict the claim are written (the closest one when none does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from builder.errors import BuilderError
from builder.models import Stance
from builder.settings import load_settings
from builder.spec import Settings
from builder.verify import judge
from builder.verify.features import Unit
from builder.verify.model import VERIFIERS, DocResult, Document, MissingExtra, Scorer, Setting
from builder.verify.retrieval import Retriever
from builder.verify.train import corpus_idf, load_corpus, make_document, read_jsonl

DEFAULT_MIN_CONFIDENCE = Settings().min_confidence  # a spec's cut when it sets none, so the batch judges alike
OPEN_CANDIDATES = 20  # BM25's top documents per claim, all scored by the lexical model; with the embed or nli
OPEN_SCORED = 6  # configuration, the lexical model's best 6 then get the full model (entailment calls are dear)
EVIDENCE_MAX = 3
EVIDENCE_RELATIVE = 0.5  # keep sentences scoring at least half the best one


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
    verifier: str = "lexical",
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> int:
    """Verify every claim as a build would; return the number of lines written.

    Cited mode judges each claim against its cited documents (the build's claim-against-its-source setting);
    `--open` judges it against BM25's best documents of the whole corpus (the build's other papers).
    """
    scorer = Scorer.load(model_path, checks=True, verifier=verifier)
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
    setting = Setting.OPEN if open_mode else Setting.CITED
    lines: list[str] = []
    plans = []
    for record in claims:
        text = str(record["claim"])
        claim = Unit.of(text)
        norm = idf.vector_norm(claim)
        if retriever is not None:
            candidates = retriever.search(claim, OPEN_CANDIDATES)
            if prerank is not None:
                cheap = {d: prerank.score(claim, norm, document(d), idf, Setting.OPEN).probability for d in candidates}
                candidates = sorted(candidates, key=lambda d: -cheap[d])[:OPEN_SCORED]  # stable: BM25 order on ties
        else:
            candidates = [str(d) for d in record.get("cited_doc_ids") or [] if str(d) in corpus]
        plans.append((record, text, claim, norm, candidates))
    # One pass of the entailment and embedding models (when used) over every pair to score, before scoring them.
    scorer.prefetch([(claim, norm, document(d)) for _, _, claim, norm, cands in plans for d in cands], idf)
    for record, text, claim, norm, candidates in plans:
        origin = str(record.get("origin") or "spec")
        results = [
            judge(scorer, text, origin, claim, norm, document(d), idf, setting, min_confidence) for d in candidates
        ]
        if retriever is not None:  # the documents that bear on the claim, or else the closest one
            decided = [r for r in results if r.label is not Stance.NEI]
            results = decided or sorted(results, key=lambda r: (-r.probability, r.doc_id))[:1]
        lines.extend(json.dumps(_row(record["id"], result)) for result in results)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def _row(claim_id: Any, result: DocResult) -> dict:
    evidence = evidence_indices(result.ranked)
    if result.label is Stance.CONTRADICT and result.conflict_sentence is not None:
        evidence = [result.conflict_sentence, *[i for i in evidence if i != result.conflict_sentence][:2]]
    return {
        "id": claim_id,
        "doc_id": int(result.doc_id) if result.doc_id.isdigit() else result.doc_id,
        "label": result.label.value,
        "supported": result.label is Stance.SUPPORT,
        "confidence": round(result.probability, 4),
        "p_contradict": round(result.p_contradict, 4),
        "evidence": evidence,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m builder verify", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="SciFact-format corpus.jsonl")
    parser.add_argument("--claims", type=Path, required=True, help="SciFact-format claims.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="predictions JSONL to write")
    parser.add_argument("--open", action="store_true", help="retrieve documents from the whole corpus")
    parser.add_argument(
        "--verifier",
        choices=tuple(VERIFIERS),
        default=None,
        help="default: the project's [tool.builder] verifier, as builds use it",
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=DEFAULT_MIN_CONFIDENCE,
        help=f"a spec's settings.min_confidence (default {DEFAULT_MIN_CONFIDENCE}, as in a spec without it)",
    )
    parser.add_argument("--root", type=Path, default=None, help="project folder whose pyproject.toml to read")
    args = parser.parse_args(argv)
    try:
        verifier = args.verifier or load_settings(args.root).verifier
    except BuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not 0.0 < args.min_confidence < 1.0:
        print(f"error: --min-confidence must be between 0 and 1, got {args.min_confidence}", file=sys.stderr)
        return 2
    for path in (args.corpus, args.claims):
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    start = time.perf_counter()
    try:
        count = run(args.corpus, args.claims, args.out, args.open, None, verifier, args.min_confidence)
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
