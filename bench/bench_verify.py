"""Benchmark the claim verifier (`make bench-verify`): SciFact CV, the NLP claims set, perturbations, run time.

For each configuration (the numpy-only lexical default, then the embedding and NLI extras when installed) it prints
* claim-grouped 5-fold cross-validation on SciFact train, as builds and the batch command run the verifier
  (consistency checks on): F1 of "supported" (at each fold's own cut, and at 0.5), AUROC, ECE, and SciFact's
  label-only F1 of SUPPORT and CONTRADICT in the cited setting and in the open one (BM25's top 10 abstracts
  of the whole corpus, calibrated with hard negatives);
* the hand-labelled NLP claims (`tests/fixtures/nlp_open/`) judged by the build's `Verifier` against all 59
  store abstracts, per split: precision and recall of "supports" among the other papers (what "corroborated"
  counts), how contradicting pairs are labelled, and the claims made from a source by one edit;
* generated perturbations of the store's sentences (`builder.verify.perturb`): changed numbers and reversed
  directions rejected, unedited controls grounded;
* the wall time of a cold-start batch run (`python -m builder.verify.batch`, a fresh process) on a
  held-out-sized slice of ~340 claim-document pairs against the whole corpus.
Results go to stdout and, with --json, to a file.

    python bench/bench_verify.py [--data /work/shared/eval/scifact] [--pairs 340] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from builder.papers import PaperStore
from builder.verify import Verifier
from builder.verify import embed as embed_module
from builder.verify import nli as nli_module
from builder.verify.evaluate import evaluate, load_labelled, perturbation_rates
from builder.verify.perturb import perturbations
from builder.verify.train import (
    DEFAULT_DATA,
    HARD_NEGATIVES,
    build_pairs,
    cross_validate,
    engines,
    load_corpus,
    read_jsonl,
)

STORE = Path(__file__).resolve().parents[1] / "store"


def quality(data: Path, verifier: str, nli_cache: Path | None = None) -> dict[str, Any]:
    """Pooled out-of-fold metrics (learned model only, as the batch interface runs it)."""
    start = time.perf_counter()
    nli, embedder = engines(verifier, nli_cache)
    claims, corpus = read_jsonl(data / "claims_train.jsonl"), load_corpus(data / "corpus.jsonl")
    pairs, idf = build_pairs(claims, corpus, hard_negatives=HARD_NEGATIVES)
    result, _ = cross_validate(pairs, idf, checks=True, nli=nli, embedder=embedder)
    result["cv_seconds"] = round(time.perf_counter() - start, 1)
    return result


def nlp_figures(verifier: str) -> dict[str, Any]:
    """The build's verifier on the hand-labelled NLP claims (per split) and on generated perturbations."""
    store = PaperStore(STORE)
    papers = store.get_many(store.all_ids())
    model = Verifier.load(verifier=verifier)
    labelled = load_labelled()
    out: dict[str, Any] = {}
    for split in ("dev", "test"):
        figures, _ = evaluate(model, papers, [x for x in labelled if x.split == split])
        for setting in ("open", "cited"):
            figures[setting].pop("confusion")
        out[f"nlp_{split}"] = figures
    out["generated_perturbations"] = perturbation_rates(model, papers, perturbations(papers))
    return out


def slice_claims(data: Path, pairs: int, out: Path) -> int:
    """Write the last claims of claims_train.jsonl until they cite `pairs` documents; return the pair count."""
    claims = read_jsonl(data / "claims_train.jsonl")
    chosen: list[dict[str, Any]] = []
    count = 0
    for record in reversed(claims):
        if count >= pairs:
            break
        chosen.append(record)
        count += len(record.get("cited_doc_ids") or [])
    out.write_text("".join(json.dumps(r) + "\n" for r in reversed(chosen)), encoding="utf-8")
    return count


def timed_run(data: Path, claims: Path, verifier: str) -> dict[str, Any]:
    """Wall time of a cold-start batch run in a fresh interpreter, on the whole corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pred.jsonl"
        command = [
            sys.executable,
            "-m",
            "builder.verify.batch",
            "--corpus",
            str(data / "corpus.jsonl"),
            "--claims",
            str(claims),
            "--out",
            str(out),
            "--verifier",
            verifier,
        ]
        load = os.getloadavg()[0]  # other jobs on the machine make the time noisy: report what they were
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"batch run failed: {done.stderr}")
        lines = len(out.read_text(encoding="utf-8").splitlines())
    return {"run_seconds": round(seconds, 1), "predictions": lines, "load_before": round(load, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pairs", type=int, default=340, help="claim-document pairs in the timed run")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--skip-cv", action="store_true", help="only time the run")
    parser.add_argument("--nli-cache", type=Path, default=None, help="reuse entailment scores (see train --nli-cache)")
    args = parser.parse_args(argv)
    configs = [("lexical (default, numpy only)", "lexical")]
    if embed_module.available():
        configs.append(("lexical + embeddings (embed extra)", "embed"))
        if nli_module.available():
            configs.append(("lexical + NLI + embeddings (nli extra)", "nli"))
    if len(configs) < 3:
        print("embed/nli extras not installed: benchmarking what is", file=sys.stderr)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        claims = Path(tmp) / "claims.jsonl"
        n_pairs = slice_claims(args.data, args.pairs, claims)
        for name, verifier in configs:
            row: dict[str, Any] = {} if args.skip_cv else quality(args.data, verifier, args.nli_cache)
            row.update(nlp_figures(verifier))
            row.update(timed_run(args.data, claims, verifier))
            row["timed_pairs"] = n_pairs
            results[name] = row
            print(f"{name}: {row}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
