"""Extraction keeps whole finding sentences, respects the caps, drops duplicates and follows the question."""

from __future__ import annotations

from builder.extract import extract_claims
from builder.models import Paper
from builder.text import split_sentences


def paper(arxiv_id: str, abstract: str, title: str = "A study") -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, authors=("A. Author",), abstract=abstract)


NER = paper(
    "2501.00001",
    "Named entity recognition has become an important task in recent years. "
    "However, models typically degrade under domain shift. "
    "We propose a distillation method for cross-domain named entity recognition. "
    "Our method improves F1 by 5.2 points over the strongest baseline on the WNUT benchmark. "
    "Distillation outperforms fine-tuning on all five target domains. "
    "Code is available at https://github.com/x/y.",
    title="Distillation for cross-domain NER",
)
VISION = paper(
    "2501.00002",
    "Image classification is a central problem in vision. "
    "Our convolutional model achieves 91.3% top-1 accuracy on ImageNet, outperforming prior work by 2 points. "
    "Training is 3x faster than with transformers.",
    title="Fast image classifiers",
)


def test_claims_are_whole_source_sentences_with_provenance() -> None:
    claims = extract_claims([NER, VISION], "Does distillation help cross-domain NER?", max_claims=10, per_paper=2)
    assert claims
    for claim in claims:
        source = NER if claim.source == NER.arxiv_id else VISION
        # The quote is the whole source sentence; the text is it rewritten to stand alone (test_standalone.py).
        assert claim.quote == split_sentences(source.abstract)[claim.sentence_index]
        assert claim.origin == "extracted" and claim.text.endswith(claim.quote[-12:])
    assert [c.id for c in claims] == [f"E{i}" for i in range(1, len(claims) + 1)]


def test_findings_beat_background() -> None:
    claims = extract_claims([NER], "Does distillation help cross-domain NER?", max_claims=2, per_paper=2)
    assert {c.sentence_index for c in claims} == {3, 4}


def test_caps_and_deterministic_order() -> None:
    claims = extract_claims([NER, VISION], "image classification accuracy", max_claims=3, per_paper=1)
    assert len(claims) == 2
    assert [c.source for c in claims] == [NER.arxiv_id, VISION.arxiv_id]
    many = extract_claims([NER, VISION], "image classification accuracy", max_claims=3, per_paper=5)
    assert len(many) == 3
    keys = [([NER.arxiv_id, VISION.arxiv_id].index(c.source), c.sentence_index) for c in many]
    assert keys == sorted(keys)
    assert extract_claims([NER], "x", max_claims=0, per_paper=3) == []


def test_near_duplicates_removed() -> None:
    copy = paper("2501.00003", NER.abstract, title=NER.title)
    claims = extract_claims([NER, copy], "distillation cross-domain NER", max_claims=10, per_paper=3)
    texts = [c.text for c in claims]
    assert len(texts) == len(set(texts))


def test_question_relevance_changes_the_choice() -> None:
    mixed = paper(
        "2501.00004",
        "Our parser improves parsing accuracy by 3 points on the Penn Treebank. "
        "Our tagger improves named entity recognition F1 by 4 points on CoNLL.",
    )
    on_ner = extract_claims([mixed], "named entity recognition", max_claims=1, per_paper=1)
    on_parsing = extract_claims([mixed], "syntactic parsing treebank", max_claims=1, per_paper=1)
    assert on_ner[0].sentence_index == 1
    assert on_parsing[0].sentence_index == 0
