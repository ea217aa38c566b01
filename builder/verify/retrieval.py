"""BM25 retrieval over whole documents (title + abstract): the open setting's candidate papers.

Used by the batch command's `--open` mode and by training, which takes each SciFact claim's best-ranked
uncited abstracts as hard negatives (on-topic papers that are not evidence).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from builder.verify.features import Unit


class Retriever:
    """BM25 over whole documents (title + abstract), for open-corpus verification."""

    def __init__(self, docs: dict[str, list[Unit]], titles: dict[str, Unit | None]) -> None:
        self.postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.lengths: dict[str, int] = {}
        for doc_id, units in docs.items():
            counts: Counter[str] = Counter()
            for unit in units:
                counts.update(unit.counts)
            title = titles.get(doc_id)
            if title is not None:
                counts.update(title.counts)
            self.lengths[doc_id] = sum(counts.values())
            for token, count in counts.items():
                self.postings[token].append((doc_id, count))
        self.n = len(docs)
        self.avg = sum(self.lengths.values()) / max(1, self.n)

    def search(self, query: Unit, k: int) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for token in sorted(set(query.tokens)):  # a fixed order: float sums do not depend on the hash seed
            posting = self.postings.get(token)
            if not posting:
                continue
            idf = math.log(1 + (self.n - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc_id, tf in posting:
                norm = tf + 1.2 * (0.25 + 0.75 * self.lengths[doc_id] / self.avg)
                scores[doc_id] += idf * tf * 2.2 / norm
        return [d for d, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]]
