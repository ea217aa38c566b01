"""Claims a paper contradicts, made from its own sentences by one edit: `python -m builder.verify.perturb`.

Two kinds, both deterministic (same store, same claims):

* `number`: the first number of a finding sentence replaced by another value of the same form ("57 languages"
  -> "74 languages", "92.4 F1" -> "93.7 F1");
* `reversed`: the first direction word swapped for its opposite ("improves" -> "degrades", "outperforms" ->
  "underperforms", "higher" -> "lower").

Each claim cites the paper its sentence came from, which states the opposite; the unedited sentence is kept
as a control that the paper does support. `builder.verify.evaluate.perturbation_rates` measures how often
the verifier rejects each kind, through the build's `Verifier` and the batch command alike.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.models import Paper
from builder.text import EDITABLE_NUMBER, REVERSALS, YEAR, paper_sentences

MIN_WORDS, MAX_WORDS = 6, 60
_DIRECTION = re.compile(r"\b(" + "|".join(sorted(REVERSALS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Perturbed:
    id: str
    kind: str  # "number", "reversed", or "control" (the sentence unedited)
    claim: str
    source: str  # the paper the sentence comes from
    sentence_index: int
    original: str


def other_value(raw: str) -> str:
    """A different value written the same way (same decimals): far enough that no rounding makes it agree."""
    if "." in raw:
        decimals = len(raw.split(".")[1])
        value = float(raw)
        return f"{value + max(1.3, value * 0.17):.{decimals}f}"
    value = int(raw)
    return str(value + max(3, value // 3))


def number_edit(text: str) -> str | None:
    for match in EDITABLE_NUMBER.finditer(text):  # a number as a finding states it: not in a name, not a year
        if not YEAR.fullmatch(match.group(1)):
            return text[: match.start(1)] + other_value(match.group(1)) + text[match.end(1) :]
    return None


def direction_edit(text: str) -> str | None:
    """The first direction word that states an effect swapped; a purpose ("to improve X") states none."""
    match = next((m for m in _DIRECTION.finditer(text) if not text[: m.start()].lower().endswith("to ")), None)
    if match is None:
        return None
    word = match.group(1)
    swapped = REVERSALS[word.lower()]
    swapped = swapped.capitalize() if word[0].isupper() else swapped
    return text[: match.start(1)] + swapped + text[match.end(1) :]


def perturbations(papers: Iterable[Paper]) -> list[Perturbed]:
    """Every sentence of 6-60 words with a number or a direction word gives a control and its edits."""
    out: list[Perturbed] = []
    for paper in sorted(papers, key=lambda p: p.arxiv_id):
        for sentence in paper_sentences(paper):
            if not MIN_WORDS <= len(sentence.text.split()) <= MAX_WORDS:
                continue
            edits = [("number", number_edit(sentence.text)), ("reversed", direction_edit(sentence.text))]
            edits = [(kind, text) for kind, text in edits if text and text != sentence.text]
            if not edits:
                continue
            base = f"{paper.arxiv_id}-{sentence.index}"
            out.append(
                Perturbed(f"{base}-control", "control", sentence.text, paper.arxiv_id, sentence.index, sentence.text)
            )
            for kind, text in edits:
                out.append(Perturbed(f"{base}-{kind}", kind, text, paper.arxiv_id, sentence.index, sentence.text))
    return out


def main(argv: list[str] | None = None) -> int:
    from builder.papers import PaperStore

    parser = argparse.ArgumentParser(prog="python -m builder.verify.perturb", description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("store"), help="the paper store folder")
    parser.add_argument("--out", type=Path, required=True, help="JSONL of claims to write")
    args = parser.parse_args(argv)
    store = PaperStore(args.store)
    papers = store.get_many(store.all_ids())
    rows = perturbations(papers)
    args.out.write_text("".join(json.dumps(r.__dict__) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} claims from {len(papers)} papers to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
