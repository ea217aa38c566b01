"""What the optional ONNX models (`embed.py`, `nli.py`) share: finding their data packages, a CPU session, and
running many inputs once each, in parallel, through a cache.

Each input runs in a call of its own on one thread, several calls at a time: onnxruntime releases the GIL, so
on two cores this gives 1.8x the throughput of one call at a time on two threads, and an input's result never
depends on what else was in its batch (the int8 NLI graph quantises activations per call).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

WORKERS = max(1, min(4, os.cpu_count() or 1))


def package_dir(name: str) -> Path | None:
    """Where an installed package's files are, found without importing it; None when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def usable(env_disable: str, *packages: str) -> bool:
    """True when every package is installed and the environment variable `env_disable` is unset or 0."""
    if os.environ.get(env_disable, "") not in ("", "0"):
        return False
    return all(importlib.util.find_spec(name) is not None for name in packages)


def cpu_session(model: bytes | Path) -> Any:
    """An onnxruntime CPU session with one intra-op thread that does not spin between calls."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # parallel across inputs instead (`run_cached`)
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def run_cached(cache: dict[Key, Value], items: Sequence[Key], compute: Callable[[Key], Value]) -> list[Value]:
    """`compute` for each item, each distinct new item once, on WORKERS threads; results are kept in `cache`."""
    todo = list(dict.fromkeys(item for item in items if item not in cache))
    if len(todo) > 1 and WORKERS > 1:
        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(compute, todo))
    else:
        results = [compute(item) for item in todo]
    cache.update(zip(todo, results, strict=True))
    return [cache[item] for item in items]
