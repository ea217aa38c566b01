"""Judge the verifier on hand-labelled claims over NLP abstracts, as a report uses it.

The labelled set (`tests/fixtures/nlp_open/claims.jsonl`) holds claims written over the 59 abstracts of the
paper store, each labelled by reading against every abstract: SUPPORT, CONTRADICT, or (left out) no evidence.
`evaluate` runs the build's own `Verifier` on each claim against all the papers, so the figures are those of
a report whose paper set is the whole store:

* `open`: the claim against every paper but its source (does another paper support / contradict it?);
* `cited`: the claim against its own source;
* `perturbed`: the claims made from a source finding by one edit (a changed number, a reversed direction or
  comparison, an added or dropped negation): how often the source is *not* taken as support.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.models import Claim, Paper, Stance, Verdict

PERTURBED = ("number", "reversed", "comparison", "negation", "universal")
DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "nlp_open" / "claims.jsonl"


@dataclass(frozen=True)
class LabelledClaim:
    id: str
    text: str
    source: str | None
    kind: str
    labels: dict[str, Stance]  # arxiv_id -> SUPPORT / CONTRADICT; every other paper is NEI
    split: str  # "dev" or "test", from a hash of the id

    def claim(self) -> Claim:
        origin = "extracted" if self.kind == "sentence" else "spec"
        return Claim(id=self.id, text=self.text, origin=origin, source=self.source or "")


def split_of(claim_id: str) -> str:
    """A stable half of the set: choices are made on `dev`, figures quoted on `test` too."""
    return "dev" if hashlib.sha256(claim_id.encode()).digest()[0] % 2 == 0 else "test"


def load_labelled(path: Path = DEFAULT_SET) -> list[LabelledClaim]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        labels = {str(k): Stance(v) for k, v in (r.get("labels") or {}).items()}
        out.append(LabelledClaim(r["id"], r["claim"], r.get("source"), r["kind"], labels, split_of(r["id"])))
    return out


def _stances(verdict: Verdict) -> dict[str, Stance]:
    found = {j.arxiv_id: Stance.SUPPORT for j in verdict.supports}
    found.update({j.arxiv_id: Stance.CONTRADICT for j in verdict.contradicts})
    return found


def score(items: Iterable[tuple[LabelledClaim, Verdict]]) -> dict[str, Any]:
    """Pair-level figures over (labelled claim, verdict) for every paper of the collection."""
    open_counts: Counter[str] = Counter()
    cited_counts: Counter[str] = Counter()
    perturbed: Counter[str] = Counter()
    for labelled, verdict in items:
        predicted = _stances(verdict)
        own = Stance.SUPPORT if verdict.grounded else predicted.get(labelled.source or "", Stance.NEI)
        if labelled.source:
            predicted[labelled.source] = own
        for pid in set(labelled.labels) | set(predicted):
            gold, got = labelled.labels.get(pid, Stance.NEI), predicted.get(pid, Stance.NEI)
            counts = cited_counts if pid == labelled.source else open_counts
            counts[f"{gold.value}->{got.value}"] += 1
        if labelled.kind in PERTURBED and labelled.source:
            perturbed[f"{labelled.kind}_total"] += 1
            perturbed[f"{labelled.kind}_rejected"] += own is not Stance.SUPPORT
            perturbed[f"{labelled.kind}_contradicted"] += own is Stance.CONTRADICT
    return {"open": _figures(open_counts), "cited": _figures(cited_counts), "perturbed": _rates(perturbed)}


def _figures(c: Counter[str]) -> dict[str, Any]:
    s_pred = sum(v for k, v in c.items() if k.endswith("->SUPPORT"))
    s_gold = sum(v for k, v in c.items() if k.startswith("SUPPORT->"))
    s_right = c["SUPPORT->SUPPORT"]
    c_pred = sum(v for k, v in c.items() if k.endswith("->CONTRADICT"))
    c_gold = sum(v for k, v in c.items() if k.startswith("CONTRADICT->"))
    return {
        "support_precision": round(s_right / s_pred, 3) if s_pred else None,
        "support_recall": round(s_right / s_gold, 3) if s_gold else None,
        "supported_said": s_pred,
        "supporting_pairs": s_gold,
        "contradict_precision": round(c["CONTRADICT->CONTRADICT"] / c_pred, 3) if c_pred else None,
        "contradicting_pairs": c_gold,
        "contradicting_labelled_contradict": round(c["CONTRADICT->CONTRADICT"] / c_gold, 3) if c_gold else None,
        "contradicting_taken_as_support": round(c["CONTRADICT->SUPPORT"] / c_gold, 3) if c_gold else None,
        "confusion": dict(sorted(c.items())),
    }


def _rates(c: Counter[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in PERTURBED:
        total = c[f"{kind}_total"]
        if total:
            out[kind] = {
                "claims": total,
                "rejected": round(c[f"{kind}_rejected"] / total, 3),
                "contradicted": round(c[f"{kind}_contradicted"] / total, 3),
            }
    return out


def evaluate(
    verifier: Any, papers: list[Paper], labelled: list[LabelledClaim], threshold: float = 0.5
) -> tuple[dict[str, Any], list[tuple[LabelledClaim, Verdict]]]:
    """Run `verifier` (a `builder.verify.Verifier`) over every claim against all `papers`; figures and verdicts."""
    verdicts = verifier.verify([x.claim() for x in labelled], papers, threshold=threshold)
    items = list(zip(labelled, verdicts, strict=True))
    return score(items), items


def perturbation_rates(verifier: Any, papers: list[Paper], perturbed: list[Any], threshold: float = 0.5) -> dict:
    """How often the build's verifier rejects each kind of `builder.verify.perturb` claim (not verified by any
    paper) and labels it a contradiction of its source; for the unedited controls, how often it is grounded."""
    claims = [Claim(id=p.id, text=p.claim, origin="spec", source=p.source) for p in perturbed]
    verdicts = verifier.verify(claims, papers, threshold=threshold)
    out: dict[str, Any] = {}
    for kind in sorted({p.kind for p in perturbed}):
        mine = [(p, v) for p, v in zip(perturbed, verdicts, strict=True) if p.kind == kind]
        rejected = sum(not v.verified for _, v in mine)
        contradicted = sum(any(j.arxiv_id == p.source for j in v.contradicts) for p, v in mine)
        grounded = sum(v.grounded for _, v in mine)
        out[kind] = {
            "claims": len(mine),
            "rejected": round(rejected / len(mine), 3),
            "source_contradicts": round(contradicted / len(mine), 3),
            "grounded": round(grounded / len(mine), 3),
        }
    return out
