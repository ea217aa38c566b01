"""Benchmark: requests and wall time of `refresh` for five example-like specs against the local fake arXiv.

The five specs are the project's `reports/*.yaml`, each given one arXiv query like those a user would
write, so a run exercises both queries and listed ids. We refresh them with ids batched into `id_list`
requests (the default) and with one request per id, and print what batching saves. Wall time here uses
no politeness delay; the last column projects it with arXiv's 3 s between requests, which dominates
real runs.

    .venv/bin/python bench/bench_refresh.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_server import FakeArxiv  # noqa: E402

from builder.gather.client import ArxivClient, ClientConfig  # noqa: E402
from builder.gather.refresh import Progress, Refresher  # noqa: E402
from builder.spec import load_spec  # noqa: E402

QUERIES = (
    'abs:"named entity recognition" AND abs:"adversarial"',
    'ti:"domain adaptation" OR abs:"cross-domain"',
    'abs:"projection" AND abs:"named entity"',
    'abs:"multi-source" OR ti:"multilingual"',
    'abs:"unlabeled" AND cat:cs.CL',
)
POLITE_DELAY = 3.0


def make_specs(folder: Path) -> list[Path]:
    specs = sorted((ROOT / "reports").glob("*.yaml"))[:5]
    out = []
    for index, source in enumerate(specs):
        text = source.read_text(encoding="utf-8").rstrip("\n")
        text += f"\nqueries:\n  - query: '{QUERIES[index % len(QUERIES)]}'\n    max_results: 10\n"
        target = folder / "reports" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        out.append(target)
    return out


def run(server: FakeArxiv, folder: Path, batch_size: int, store: str) -> tuple[int, int, float, int]:
    """One refresh of all specs; returns (requests, id_list requests, seconds, papers stored)."""
    specs = [load_spec(p, "Benchmark") for p in make_specs(folder)]
    server.reset_hits()
    config = ClientConfig(api_url=server.api_url, pdf_url=server.pdf_url, delay_seconds=0.0, batch_size=batch_size)
    client = ArxivClient(config)
    started = time.perf_counter()
    with Progress(quiet=True, silent=True) as progress:
        outcomes = Refresher(folder / store, client, progress).run(specs)
    seconds = time.perf_counter() - started
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    id_requests = sum(1 for h in server.api_hits() if h.params.get("id_list"))
    papers = len(list((folder / store / "papers").glob("*.json")))
    return client.stats.requests, id_requests, seconds, papers


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    try:
        with FakeArxiv() as server:
            rows = [
                ("batched (50 ids/request)", *run(server, folder, 50, "store-batched")),
                ("batched, second run", *run(server, folder, 50, "store-batched")),
                ("one request per id", *run(server, folder, 1, "store-single")),
            ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("refresh of 5 example-like specs (one query each) against the local fake arXiv")
    print(f"{'mode':<26} {'requests':>8} {'id_list':>8} {'papers':>7} {'wall s':>8} {'at 3 s/request':>15}")
    for name, requests, id_requests, seconds, papers in rows:
        projected = seconds + max(0, requests - 1) * POLITE_DELAY
        print(f"{name:<26} {requests:>8} {id_requests:>8} {papers:>7} {seconds:>8.2f} {projected:>13.0f} s")
    saved = rows[2][1] - rows[0][1]
    print(
        f"batching saves {saved} of {rows[2][1]} requests ({saved / rows[2][1]:.0%}), "
        f"about {saved * POLITE_DELAY:.0f} s of arXiv's politeness delay per refresh"
    )


if __name__ == "__main__":
    main()
