"""Nugget recall of the reports' syntheses (TREC RAG style): `python bench/bench_synthesis.py [--out DIR]`.

`bench/nuggets.jsonl` holds, for each example report, the key facts a good answer to its question must state,
each with the paper(s) whose abstract states it and keyword groups (a sentence states the nugget when it holds
one alternative of every group). A nugget is *recalled* when a sentence of the report's Synthesis that cites one
of its papers states it; it is *mentioned* when a claim of the report does (anywhere in the claims table).
The examples are built first (offline, into a temporary folder unless `--out` names a built one).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NUGGETS = Path(__file__).with_name("nuggets.jsonl")


def load_nuggets(path: Path = NUGGETS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def states(sentence: str, nugget: dict[str, Any]) -> bool:
    """One alternative of every keyword group occurs in the sentence (case-insensitive)."""
    text = " ".join(sentence.lower().split())
    return all(any(alt.lower() in text for alt in group) for group in nugget["keywords"])


def recall(manifest: dict[str, Any], nuggets: list[dict[str, Any]]) -> dict[str, Any]:
    sentences = [s for t in manifest["synthesis"]["themes"] for s in t["sentences"]]
    recalled = [
        n["id"] for n in nuggets if any(set(n["papers"]) & set(s["cites"]) and states(s["text"], n) for s in sentences)
    ]
    mentioned = [
        n["id"]
        for n in nuggets
        if any(
            c["source"] in n["papers"] and states(c["text"] + " " + (c.get("quote") or ""), n)
            for c in manifest["claims"]
        )
    ]
    return {
        "nuggets": len(nuggets),
        "recalled_in_synthesis": len(recalled),
        "mentioned_in_claims": len(mentioned),
        "missed": [n["id"] for n in nuggets if n["id"] not in recalled],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="an already built output folder")
    args = parser.parse_args(argv)
    nuggets = load_nuggets()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "build"
        if args.out is None:
            command = [sys.executable, "-m", "builder", "build", "--offline", "--quiet", "--no-site", "--out", str(out)]
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        total = {"nuggets": 0, "recalled_in_synthesis": 0, "mentioned_in_claims": 0}
        for slug in sorted({n["report"] for n in nuggets}):
            manifest = json.loads((out / "data" / f"{slug}.json").read_text(encoding="utf-8"))
            row = recall(manifest, [n for n in nuggets if n["report"] == slug])
            for key in total:
                total[key] += row[key]
            print(f"{slug}: {row}", flush=True)
        share = total["recalled_in_synthesis"] / total["nuggets"] if total["nuggets"] else 0.0
        print(f"all: {total}; recall in the synthesis {share:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
