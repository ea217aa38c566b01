"""Claims that stand alone: openers removed, the writers resolved to their paper, every word of substance kept."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from factories import GARCIA_FERRERO, POLITOV

from builder.extract import extract_claims
from builder.models import Paper
from builder.papers import PaperStore
from builder.standalone import author_label, method_name, split_findings, standalone

STORE = Path(__file__).resolve().parents[1] / "store"
OPENS_WITH_PRONOUN_OR_CONNECTIVE = re.compile(
    r"^(?:we|our|us|it|they|these|this|those|such|finally|moreover|furthermore|additionally|also|however|"
    r"thus|therefore|first|second|third|then|in this (?:paper|work|study)|here)\b",
    re.IGNORECASE,
)

CROP = Paper("2210.07022", "CROP: Zero-shot Cross-lingual Named Entity Recognition", ("J. Yang", "S. Huang"), "x")
ONE = Paper(
    "2001.00001", "A study", ("Ada Lovelace",), "We propose a framework called Mixture of Entity Experts (MoEE)."
)


@pytest.mark.parametrize(
    ("paper", "sentence", "expected"),
    [
        (
            POLITOV,
            "We show that the data-based cross-lingual transfer method is an effective technique for crosslingual "
            "NER and can outperform multilingual language models for low-resource languages.",
            "Politov et al. (2025) show that the data-based cross-lingual transfer method is an effective technique "
            "for crosslingual NER and can outperform multilingual language models for low-resource languages.",
        ),
        (
            POLITOV,
            "First, we explore refining word alignments using back-translation to improve accuracy.",
            "Politov et al. (2025) explore refining word alignments using back-translation to improve accuracy.",
        ),
        (
            POLITOV,
            "Through extensive experiments on two datasets spanning 57 languages, we demonstrated that our approach "
            "surpasses existing projectionbased methods in low-resource settings.",
            "Through extensive experiments on two datasets spanning 57 languages, Politov et al. (2025) demonstrated "
            "that their approach surpasses existing projectionbased methods in low-resource settings.",
        ),
        (
            CROP,
            "Experimental results on two benchmarks demonstrate that our method substantially outperforms the "
            "previous strong baseline by a large margin of +3~7 F1 scores.",
            "Yang and Huang (2022) demonstrate that CROP substantially outperforms the previous strong baseline by a "
            "large margin of +3~7 F1 scores.",
        ),
        (
            ONE,
            "Moreover, this paper introduces a benchmark, and the proposed method improves F1 by 2.5 points.",
            "Lovelace (2020) introduces a benchmark, and MoEE improves F1 by 2.5 points.",
        ),
        (
            GARCIA_FERRERO,
            "Evaluating on NER, we show that our techniques are much more effective than strong baselines.",
            "Evaluating on NER, García-Ferrero et al. (2022) show that their techniques are much more effective than "
            "strong baselines.",
        ),
        (
            GARCIA_FERRERO,
            "Although earlier work proposed projection, in this paper we demonstrate that model transfer wins.",
            "García-Ferrero et al. (2022) demonstrate that model transfer wins, although earlier work proposed "
            "projection.",
        ),
        (
            GARCIA_FERRERO,
            "A detailed analysis of our results suggests that this might be due to important differences in "
            "language use.",
            "A detailed analysis of García-Ferrero et al. (2022)'s results suggests that this might be due to "
            "important differences in language use.",
        ),
    ],
)
def test_rewrites_keep_every_number_hedge_and_condition(paper: Paper, sentence: str, expected: str) -> None:
    result = standalone(sentence, paper)
    assert result.text == expected and result.resolvable
    # Nothing of substance is lost: every number and every word but the writers' is still there.
    assert re.findall(r"\d+(?:\.\d+)?", sentence) == re.findall(r"\d+(?:\.\d+)?", result.finding)
    assert not re.search(r"\(\d{4}\)", result.finding)  # no author-year label in what is verified


def test_unresolvable_subjects_and_names() -> None:
    assert not standalone("It also improves F1 by 2 points.", POLITOV).resolvable
    assert not standalone("These results show that it helps.", POLITOV).resolvable
    # An opening phrase that points back at the sentence before cannot be resolved, and dropping it would lose
    # its condition (seen in the example reports).
    for sentence in (
        "Motivated by this fact, we leverage machine translation to improve annotation projection.",
        "For the latter, we further propose a similarity measuring method.",
        "Even in this scenario, the method achieves relative WER improvements of 18-27%.",
        "Finally, based on these observations, we propose a new loss.",
        "Combining it with two other training strategies, data augmentation and parameter freezing, leads to gains.",
    ):
        assert not standalone(sentence, POLITOV).resolvable, sentence
    for sentence in (
        "While previous works have shown that unlabeled data can be used, we propose AdvPicker.",
        "In this paper, we show that projection helps low-resource languages.",
    ):
        assert standalone(sentence, POLITOV).resolvable, sentence
    assert method_name(CROP) == "CROP" and method_name(ONE) == "MoEE" and method_name(POLITOV) is None
    # A benchmark's name is not a method's.
    assert method_name(Paper("2003.11080", "XTREME: A Massively Multilingual Benchmark", ("A",), "x")) is None
    assert author_label(ONE) == "Lovelace (2020)" and author_label(GARCIA_FERRERO) == "García-Ferrero et al. (2022)"


def test_no_extracted_claim_opens_with_a_pronoun_or_connective() -> None:
    store = PaperStore(STORE)
    papers = store.get_many(store.all_ids())
    claims = extract_claims(papers, "cross-lingual named entity recognition transfer", max_claims=200, per_paper=3)
    assert len(claims) >= 120
    for claim in claims:
        assert not OPENS_WITH_PRONOUN_OR_CONNECTIVE.match(claim.text), claim.text
        assert claim.quote and claim.quote in next(p.abstract for p in papers if p.arxiv_id == claim.source)
        assert claim.finding and claim.text[-1] == claim.quote[-1]  # never cut: the same ending as the quote


def test_a_sentence_with_two_findings_becomes_two_claims() -> None:
    # Seen in 2010.12567 (Liu et al. 2020) and 2210.12620 (Adelani et al. 2022).
    moee = Paper("2010.00001", "MoEE: entity experts", ("A Liu", "B Wang", "C Zhu"),
                 "We propose a framework called Mixture of Entity Experts (MoEE).", published=dt.date(2020, 10, 1))
    two = split_findings(
        "Experimental results show that MoEE outperforms strong unsupervised cross-domain sequence labeling models, "
        "and the performance of MoEE is close to that of the state-of-the-art model which leverages extensive "
        "resources.", moee)
    assert [x.text for x in two] == [
        "Liu et al. (2020) show that MoEE outperforms strong unsupervised cross-domain sequence labeling models.",
        "Liu et al. (2020) show that the performance of MoEE is close to that of the state-of-the-art model which "
        "leverages extensive resources.",
    ]
    assert two[0].finding == "MoEE outperforms strong unsupervised cross-domain sequence labeling models."
    datasets = split_findings(
        "We create the largest human-annotated NER dataset for 20 African languages, and we study the behavior of "
        "state-of-the-art cross-lingual transfer methods, demonstrating that the choice of source language matters.",
        moee)
    assert [x.text for x in datasets] == [
        "Liu et al. (2020) create the largest human-annotated NER dataset for 20 African languages.",
        "Liu et al. (2020) study the behavior of state-of-the-art cross-lingual transfer methods, demonstrating that "
        "the choice of source language matters.",
    ]


def test_sentences_that_are_one_finding_stay_whole() -> None:
    paper = ONE
    for sentence in (
        # one subject, two verbs: one finding about one thing
        "We show that data-based transfer is effective and can outperform multilingual models for low-resource "
        "languages.",
        "Our method improves F1 by 2 points on CoNLL, and reduces errors on WNUT by 10%.",
        # a condition before the join would be lost by the second part
        "Evaluating on NER, we show that our techniques beat strong baselines, and our unsupervised method rivals "
        "oracle selection of the single best model.",
        # the join is inside brackets
        "Models trained on English (tested on German, and the gap is small) do well on every language we tried.",
        # the second part is too short to be a finding
        "We propose a new loss that improves results, and it works.",
    ):
        parts = split_findings(sentence, paper)
        assert len(parts) == 1 and parts[0] == standalone(sentence, paper), sentence


def test_a_name_with_a_lower_case_first_letter_keeps_it() -> None:
    result = standalone("mBERT does better than baselines on high resource languages.", ONE)
    assert result.text.startswith("mBERT does better") and result.finding.startswith("mBERT")


def test_a_concession_moves_after_the_main_clause() -> None:
    # Seen in 2210.12623 (García-Ferrero et al. 2022): the claim opened with "Although".
    result = standalone(
        "Although previous research has proposed annotation projection as an effective technique, in this paper we "
        "experimentally demonstrate that high capacity multilingual language models consistently outperform it.",
        GARCIA_FERRERO,
    )
    assert result.text == (
        "García-Ferrero et al. (2022) experimentally demonstrate that high capacity multilingual language models "
        "consistently outperform it, although previous research has proposed annotation projection as an effective "
        "technique."
    )
    assert result.resolvable
    # A second comma before the main clause's subject ("due to X, Y can ..."): moving the concession could change
    # what is said, so the sentence is not a claim that stands alone.
    tangled = standalone(
        "Although deep neural networks greatly improve NER, due to the need for much training data, deep neural "
        "networks can hardly scale out to many languages.",
        GARCIA_FERRERO,
    )
    assert tangled.text.startswith("Although") and not tangled.resolvable
