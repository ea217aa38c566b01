"""The verifier: two small logistic models with committed coefficients, plus Platt calibration.

`model.json` holds everything (feature names, standardisation, weights, calibration) and is written by
`python -m builder.verify.train`; loading it is cheap and needs only numpy, so every build can verify.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from builder.models import Stance
from builder.verify.checks import apply_checks, contradicting
from builder.verify.features import (
    DOC_FEATURES,
    DocScore,
    Idf,
    Unit,
    coverage,
    doc_features,
    sentence_features,
)

MODEL_PATH = Path(__file__).with_name("model.json")
NLI_MODEL_PATH = Path(__file__).with_name("model_nli.json")
# The entailment model reads three premises per document (see `Scorer.nli_premises`); each gives its two raw
# logits (`NliModel.logits`), scaled by 1/5 like the other logit features.
NLI_PREMISES = ("best", "top3", "title")
NLI_FEATURES = tuple(f"nli_{premise}_{k}" for premise in NLI_PREMISES for k in (0, 1))
NLI_TOP = 3  # sentences per document read together, in document order, after the title
# The sentence-embedding model gives the cosine of the claim with the best sentence and with the title.
# (Also tried: the best three sentences' mean and the maximum over all sentences; neither added to these two.)
EMB_FEATURES = ("emb_best", "emb_title")
EMBED_MODEL_PATH = Path(__file__).with_name("model_embed.json")
# The verifier configurations: the coefficients each reads. "embed" adds the embedding features to the
# lexical ones, "nli" adds both the entailment and the embedding features.
VERIFIERS = {"lexical": MODEL_PATH, "embed": EMBED_MODEL_PATH, "nli": NLI_MODEL_PATH}


class MissingExtra(RuntimeError):
    """A configuration's coefficients need a model whose optional extra is not installed."""

    def __init__(self, path: Path, extra: str, what: str) -> None:
        install = f"pip install 'litreport-builder[{extra}]'"
        super().__init__(f"{path.name} needs the {what}, which is not installed: {install}")
        self.extra = extra
        self.what = what


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def pick(row: Sequence[float], row_names: Sequence[str], wanted: Sequence[str]) -> list[float]:
    """The values of `wanted` features from a row laid out as `row_names` (each head uses its own subset)."""
    index = {name: i for i, name in enumerate(row_names)}
    missing = [name for name in wanted if name not in index]
    if missing:
        raise ValueError(f"model expects features this code does not compute: {', '.join(missing)}; retrain it")
    return [row[index[name]] for name in wanted]


@dataclass
class LogisticModel:
    """Standardised logistic regression: logit = w . (x - mean) / scale + b."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, names: Sequence[str], x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> LogisticModel:
        """Fit by Newton's method (IRLS) with an L2 penalty; deterministic, no solver dependency."""
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = (x - mean) / scale
        n, d = z.shape
        a = np.hstack([z, np.ones((n, 1))])
        w = np.zeros(d + 1)
        penalty = np.full(d + 1, l2)
        penalty[-1] = 0.0
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30, 30)))
            grad = a.T @ (p - y) + penalty * w
            hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty) + 1e-9 * np.eye(d + 1)
            step = np.linalg.solve(hess, grad)
            w -= step
            if np.max(np.abs(step)) < 1e-8:
                break
        return cls(tuple(names), mean, scale, w[:-1].copy(), float(w[-1]))

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def logit(self, row: Sequence[float]) -> float:
        return float(self.logits(np.asarray([row], dtype=float))[0])

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.names),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "weights": [round(float(v), 8) for v in self.weights],
            "bias": round(self.bias, 8),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=float),
            np.asarray(data["scale"], dtype=float),
            np.asarray(data["weights"], dtype=float),
            float(data["bias"]),
        )


@dataclass
class Platt:
    """P = sigmoid(a * logit + b), fitted on out-of-fold logits so confidences mean what they say."""

    a: float = 1.0
    b: float = 0.0

    @classmethod
    def fit(cls, logits: np.ndarray, y: np.ndarray) -> Platt:
        model = LogisticModel.fit(["logit"], logits.reshape(-1, 1), y, l2=1e-3)
        a = float(model.weights[0] / model.scale[0])
        b = float(model.bias - model.weights[0] * model.mean[0] / model.scale[0])
        return cls(a, b)

    def __call__(self, logit: float) -> float:
        return sigmoid(self.a * logit + self.b)


@dataclass
class Document:
    """A document prepared for scoring: title and sentences as feature units."""

    doc_id: str
    title: Unit | None
    sentences: list[Unit]
    norms: list[float]

    @classmethod
    def of(cls, doc_id: str, title: str, sentences: Sequence[str], idf: Idf) -> Document:
        units = [Unit.of(s) for s in sentences]
        return cls(doc_id, Unit.of(title) if title else None, units, [idf.vector_norm(u) for u in units])


# The heads alone call a contradiction only when it is more likely than not and clearly more likely than support:
# lexical stance separates the two weakly (AUROC 0.73), and a "contested" claim is a finding that names a paper.
LEARNED_CONTRADICTION = 0.5
CONTRADICTION_MARGIN = 1.5


class Setting(StrEnum):
    """Where a (claim, paper) pair comes from, which sets how often the paper is evidence at all.

    * `cited`: the paper the claim comes from or cites (SciFact's cited documents: about 4 in 10 support);
    * `open`: any other paper of the collection (about 1 in 40 supports), calibrated with retrieval hard
      negatives, so a decision there needs much stronger evidence.
    """

    CITED = "cited"
    OPEN = "open"


@dataclass
class Calibration:
    """How one setting turns the two heads into calibrated probabilities and a decision."""

    support: Platt
    contradict: Platt
    support_threshold: float = 0.5
    contradict_threshold: float = 0.5

    def to_json(self) -> dict[str, Any]:
        return {
            "support": {"a": round(self.support.a, 8), "b": round(self.support.b, 8)},
            "contradict": {"a": round(self.contradict.a, 8), "b": round(self.contradict.b, 8)},
            "support_threshold": self.support_threshold,
            "contradict_threshold": self.contradict_threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        return cls(
            Platt(**data["support"]),
            Platt(**data["contradict"]),
            float(data["support_threshold"]),
            float(data["contradict_threshold"]),
        )


@dataclass
class DocResult:
    """How one document bears on one claim."""

    doc_id: str
    probability: float  # calibrated P(the document supports the claim)
    ranked: list[tuple[int, float]]  # (sentence position, evidence score), best first
    note: str  # numbers agree/disagree, conflicts found, for the rationale
    relevance: float = 0.0  # logit of the best sentence being about the claim
    p_contradict: float = 0.0  # calibrated P(the document contradicts the claim)
    label: Stance = Stance.NEI
    conflict_sentence: int | None = None  # the sentence a strong conflict was found in

    @property
    def deciding_sentence(self) -> int | None:
        """The sentence that decided the label: the conflicting one for a rule-made contradiction."""
        if self.label is Stance.CONTRADICT and self.conflict_sentence is not None:
            return self.conflict_sentence
        return self.ranked[0][0] if self.ranked else None


@dataclass
class Scorer:
    """Sentence model + document model + calibration."""

    sentence_model: LogisticModel
    doc_model: LogisticModel
    platt: Platt
    threshold: float = 0.5  # F1-optimal decision cut for batch use, found on out-of-fold predictions
    checks: bool = True  # apply `consistency_checks` after the learned model
    nli: Any = None  # an `NliModel` when the document models use entailment features
    # Two heads: `doc_model` says whether the document holds evidence about the claim at all (relevance);
    # `stance_model`, trained on documents with evidence only, says whether that evidence supports it.
    # P(supported) = P(relevant) * P(support | relevant), then Platt-calibrated.
    stance_model: LogisticModel | None = None
    embedder: Any = None  # an `EmbeddingModel` when the document models use embedding features
    # Per setting: calibrated P(support) and P(contradict) and the cuts that decide. `cited` comes from
    # `platt` and `threshold` plus a contradiction calibration; `open` was fitted with retrieval hard negatives.
    calibrations: dict[Setting, Calibration] = field(default_factory=dict)
    # The open setting's relevance head, trained with retrieval hard negatives as well: among many on-topic
    # papers, "about the claim" needs more than topical overlap (SciFact open AUROC 0.86 -> 0.91). The cited
    # setting keeps `doc_model`, which that training made worse on cited documents (F1 0.68 -> 0.65).
    open_doc_model: LogisticModel | None = None

    def _reads(self, prefix: str) -> bool:
        models = (self.doc_model, self.stance_model, self.open_doc_model)
        return any(n.startswith(prefix) for m in models if m is not None for n in m.names)

    @property
    def uses_nli(self) -> bool:
        return self._reads("nli_")

    @property
    def uses_embeddings(self) -> bool:
        return self._reads("emb_")

    @property
    def row_names(self) -> tuple[str, ...]:
        """The columns of a document row: DOC_FEATURES, then NLI_FEATURES and EMB_FEATURES when used."""
        return DOC_FEATURES + (NLI_FEATURES if self.uses_nli else ()) + (EMB_FEATURES if self.uses_embeddings else ())

    def head_logits(self, row: Sequence[float], setting: Setting = Setting.CITED) -> tuple[float, float]:
        """The relevance and stance logits of one document row (stance 0 when there is a single head)."""
        names = self.row_names
        head = self.open_doc_model if setting is Setting.OPEN and self.open_doc_model else self.doc_model
        relevance = head.logit(pick(row, names, head.names))
        if self.stance_model is None:
            return relevance, 0.0
        return relevance, self.stance_model.logit(pick(row, names, self.stance_model.names))

    def combined_logit(self, row: Sequence[float], setting: Setting = Setting.CITED) -> float:
        """logit P(relevant) * P(support | relevant): the support score before calibration."""
        relevance, stance = self.head_logits(row, setting)
        if self.stance_model is None:
            return relevance
        return _logit(sigmoid(relevance) * sigmoid(stance))

    def contradiction_logit(self, row: Sequence[float], setting: Setting = Setting.CITED) -> float:
        """logit P(relevant) * P(not support | relevant): the contradiction score before calibration."""
        relevance, stance = self.head_logits(row, setting)
        return _logit(sigmoid(relevance) * (1.0 - sigmoid(stance)))

    def calibration(self, setting: Setting) -> Calibration:
        if setting not in self.calibrations:
            raise ValueError(f"these coefficients have no {setting.value!r} calibration; retrain them")
        return self.calibrations[setting]

    @classmethod
    def load(cls, path: Path | None = None, checks: bool = True, verifier: str = "lexical") -> Scorer:
        """Read the coefficients of `verifier` (a name in VERIFIERS) or of the file `path`.

        The configuration is always named (builds and the batch command take it from `[tool.builder]`), never
        guessed from what is installed. `checks` turns the rule-based consistency checks on (as builds and the
        batch command run) or off (training). The models a file's features need (entailment, embeddings) are
        loaded with it; a missing extra is an error that names it.
        """
        from builder.verify.embed import EmbeddingModel
        from builder.verify.nli import NliModel

        if path is None:
            path = VERIFIERS[verifier]
        data = json.loads(path.read_text(encoding="utf-8"))
        stance = data.get("stance_model")
        names = [
            n for key in ("doc_model", "stance_model", "open_doc_model") if data.get(key) for n in data[key]["features"]
        ]
        engine = embedder = None
        if any(n.startswith("nli_") for n in names):
            engine = NliModel.load()
            if engine is None:
                raise MissingExtra(path, "nli", "NLI extra")
        if any(n.startswith("emb_") for n in names):
            embedder = EmbeddingModel.load()
            if embedder is None:
                raise MissingExtra(path, "embed", "embedding extra")
        return cls(
            LogisticModel.from_json(data["sentence_model"]),
            LogisticModel.from_json(data["doc_model"]),
            Platt(**data["platt"]),
            float(data.get("decision_threshold", 0.5)),
            checks,
            engine,
            LogisticModel.from_json(stance) if stance else None,
            embedder,
            {Setting(k): Calibration.from_json(v) for k, v in (data.get("calibrations") or {}).items()},
            LogisticModel.from_json(data["open_doc_model"]) if data.get("open_doc_model") else None,
        )

    def sentence_logits(self, claim: Unit, claim_norm: float, doc: Document, idf: Idf) -> list[float]:
        if not doc.sentences:
            return []
        title_cov = coverage(claim, doc.title, idf) if doc.title is not None else 0.0
        n = len(doc.sentences)
        rows = [
            sentence_features(claim, claim_norm, s, doc.norms[i], idf, i / max(1, n - 1), title_cov)
            for i, s in enumerate(doc.sentences)
        ]
        return [float(v) for v in self.sentence_model.logits(np.asarray(rows, dtype=float))]

    def doc_row(self, claim: Unit, claim_norm: float, doc: Document, idf: Idf) -> tuple[list[float], Any]:
        logits = self.sentence_logits(claim, claim_norm, doc, idf)
        scored = doc_features(claim, doc.sentences, logits, idf, claim_norm, doc.norms, doc.title)
        row = scored.features
        if self.uses_nli:
            row = row + self.nli_features(claim, doc, scored)
        if self.uses_embeddings:
            row = row + self.embedding_features(claim, doc, scored)
        return row, scored

    @staticmethod
    def nli_premises(doc: Document, ranked: Sequence[tuple[int, float]]) -> list[str]:
        """What the entailment model reads for one document, in NLI_PREMISES order (the claim is the hypothesis).

        * the best sentence alone;
        * the title and the best three sentences together, in document order: SciFact-style evidence often
          spans sentences, and the three hold a rationale sentence for 88% of the documents with evidence
          against 62% for the best one (the whole abstract did no better in CV and costs 3x the time);
        * the title alone, a cheap reading of what the paper is about.
        """
        if not ranked:
            return []
        title = doc.title.text if doc.title is not None and doc.title.text.strip() else doc.sentences[0].text
        top = sorted(i for i, _ in ranked[:NLI_TOP])
        context = " ".join([title.rstrip().rstrip(".") + "."] + [doc.sentences[i].text for i in top])
        return [doc.sentences[ranked[0][0]].text, context, title]

    @staticmethod
    def embedding_texts(doc: Document, ranked: Sequence[tuple[int, float]]) -> list[str]:
        """What the claim is compared with, in EMB_FEATURES order: the best sentence and the title."""
        if not ranked:
            return []
        title = doc.title.text if doc.title is not None and doc.title.text.strip() else doc.sentences[0].text
        return [doc.sentences[ranked[0][0]].text, title]

    def embedding_features(self, claim: Unit, doc: Document, scored: DocScore) -> list[float]:
        """Cosine similarity of the claim's embedding with each of `embedding_texts` (EMB_FEATURES order)."""
        texts = self.embedding_texts(doc, scored.ranked)
        if not texts or self.embedder is None:
            return [0.0] * len(EMB_FEATURES)
        claim_vector, *others = self.embedder.vectors([claim.text, *texts])
        return [float(claim_vector @ v) for v in others]

    def prefetch(self, items: Sequence[tuple[Unit, float, Document]], idf: Idf) -> None:
        """Run the entailment and embedding models once over every (claim, document) to score, before scoring
        them one by one: all the pairs and texts at once keep every core busy."""
        nli = self.nli if self.uses_nli else None
        embedder = self.embedder if self.uses_embeddings else None
        if nli is None and embedder is None:
            return
        pairs: list[tuple[str, str]] = []
        texts: list[str] = []
        for claim, claim_norm, doc in items:
            logits = self.sentence_logits(claim, claim_norm, doc, idf)
            ranked = sorted(enumerate(logits), key=lambda item: (-item[1], item[0]))
            pairs.extend((premise, claim.text) for premise in self.nli_premises(doc, ranked))
            if ranked:
                texts.extend([claim.text, *self.embedding_texts(doc, ranked)])
        if nli is not None:
            nli.logits(pairs)
        if embedder is not None:
            embedder.vectors(texts)

    def nli_features(self, claim: Unit, doc: Document, scored: DocScore) -> list[float]:
        """The entailment model's two raw logits for each premise of `nli_premises`, over 5 (NLI_FEATURES order)."""
        premises = self.nli_premises(doc, scored.ranked)
        if not premises or self.nli is None:
            return [0.0] * len(NLI_FEATURES)
        logits = self.nli.logits([(premise, claim.text) for premise in premises])
        return [v / 5.0 for pair in logits for v in pair]

    def score(
        self, claim: Unit, claim_norm: float, doc: Document, idf: Idf, setting: Setting = Setting.CITED
    ) -> DocResult:
        """P(support), P(contradict) and the label of one document, calibrated for `setting`."""
        row, scored = self.doc_row(claim, claim_norm, doc, idf)
        if not scored.ranked:
            return DocResult(doc.doc_id, 0.0, [], "", -30.0)
        calibration = self.calibrations.get(setting)
        support_logit = self.combined_logit(row, setting)
        if calibration is None:  # coefficients without per-setting calibration: support only, cited setting
            calibration = Calibration(self.platt, Platt(0.0, -30.0), self.threshold, 1.0)
        p_support = calibration.support(support_logit)
        p_contradict = calibration.contradict(self.contradiction_logit(row, setting)) if self.stance_model else 0.0
        note = scored.numbers_note
        conflict_sentence = None
        if self.checks:
            across = setting is Setting.OPEN
            p_support, p_contradict, found = apply_checks(
                scored.conflicts, scored.verbatim, p_support, p_contradict, across
            )
            deciding = contradicting(scored.conflicts, across)
            conflict_sentence = deciding[0].sentence if deciding else None
            strong = any(c.strong for c in scored.conflicts)
            note = found if strong else "; ".join(part for part in (note, found) if part)
        # A strong conflict with close evidence is a contradiction by rule; otherwise the calibrated heads decide,
        # and each label needs its own cut and the larger probability.
        if conflict_sentence is not None:
            label = Stance.CONTRADICT
        elif p_support >= calibration.support_threshold and p_support >= p_contradict:
            label = Stance.SUPPORT
        elif p_contradict >= max(calibration.contradict_threshold, LEARNED_CONTRADICTION) and (
            p_contradict >= CONTRADICTION_MARGIN * p_support
        ):
            label = Stance.CONTRADICT
        else:
            label = Stance.NEI
        best_logit = scored.ranked[0][1]
        # A sentence's evidence score: the document's support probability, discounted by how much less
        # relevant the sentence is than the document's best sentence.
        ranked = [(i, p_support * sigmoid(lg) / sigmoid(best_logit)) for i, lg in scored.ranked]
        return DocResult(doc.doc_id, p_support, ranked, note, best_logit, p_contradict, label, conflict_sentence)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
