"""Benchmark the claim verifier on SciFact train: 5-fold CV quality and whole-run time (`make bench-verify`).

For each configuration (the numpy-only lexical default, and the NLI extra when installed) it prints
claim-grouped 5-fold cross-validated F1 (at the cut each fold chose on its own training data, and at
0.5), AUROC and expected calibration error, then times a cold-start batch run
(`python -m builder.verify.batch`, a fresh process) on a held-out-sized slice of ~340 claim-document
pairs against the whole corpus. Results go to stdout and, with --json, to a file.

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

from builder.verify import nli as nli_module
from builder.verify.train import DEFAULT_DATA, build_pairs, cross_validate, load_corpus, load_nli, read_jsonl


def quality(data: Path, use_nli: bool, nli_cache: Path | None = None) -> dict[str, Any]:
    """Pooled out-of-fold metrics (learned model only, as the batch interface runs it)."""
    start = time.perf_counter()
    nli = load_nli(nli_cache) if use_nli else None
    pairs, idf = build_pairs(read_jsonl(data / "claims_train.jsonl"), load_corpus(data / "corpus.jsonl"))
    result, _ = cross_validate(pairs, idf, checks=False, nli=nli)
    result["cv_seconds"] = round(time.perf_counter() - start, 1)
    return result


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


def timed_run(data: Path, claims: Path, use_nli: bool) -> dict[str, Any]:
    """Wall time of a cold-start batch run in a fresh interpreter, on the whole corpus."""
    env = dict(os.environ)
    if not use_nli:
        env[nli_module.ENV_DISABLE] = "1"
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
        ]
        load = os.getloadavg()[0]  # other jobs on the machine make the time noisy: report what they were
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
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
    configs = [("lexical (default, numpy only)", False)]
    if nli_module.available():
        configs.append(("lexical + NLI (optional extra)", True))
    else:
        print("NLI extra not installed: benchmarking the default configuration only", file=sys.stderr)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        claims = Path(tmp) / "claims.jsonl"
        n_pairs = slice_claims(args.data, args.pairs, claims)
        for name, use_nli in configs:
            row: dict[str, Any] = {} if args.skip_cv else quality(args.data, use_nli, args.nli_cache)
            row.update(timed_run(args.data, claims, use_nli))
            row["timed_pairs"] = n_pairs
            results[name] = row
            print(f"{name}: {row}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
