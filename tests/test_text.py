"""Sentence splitting: abbreviations, decimals, citations and initials must not split; nothing may be lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.models import Paper
from builder.text import content_tokens, normalise_space, paper_sentences, split_sentences


def test_abbreviations_do_not_split() -> None:
    text = "We use e.g. BERT and i.e. a transformer. Results vs. baselines are in Fig. 3 and Tab. 2 of Sec. 4."
    assert split_sentences(text) == [
        "We use e.g. BERT and i.e. a transformer.",
        "Results vs. baselines are in Fig. 3 and Tab. 2 of Sec. 4.",
    ]


def test_citations_and_et_al() -> None:
    text = "This was shown before (Smith et al., 2020). Jones et al. found the opposite. We agree."
    assert split_sentences(text) == [
        "This was shown before (Smith et al., 2020).",
        "Jones et al. found the opposite.",
        "We agree.",
    ]


def test_decimals_versions_and_initials() -> None:
    text = "Accuracy rose from 3.5% to 91.2% with version 2.0. J. R. Smith and A. Jones ran v1.2.3 of it. Done!"
    assert split_sentences(text) == [
        "Accuracy rose from 3.5% to 91.2% with version 2.0.",
        "J. R. Smith and A. Jones ran v1.2.3 of it.",
        "Done!",
    ]


def test_questions_quotes_and_lowercase_continuation() -> None:
    text = 'Does it work? "Yes." The gain was approx. three points, cf. the table.'
    assert split_sentences(text) == ["Does it work?", '"Yes."', "The gain was approx. three points, cf. the table."]


def test_a_name_with_a_lower_case_first_letter_starts_a_sentence() -> None:
    # Seen in 2005.09093's abstract: the claim took two sentences as one.
    text = "Parsing (54 languages each). mBERT does better than baselines. Models like e.g. mT5 work."
    assert split_sentences(text) == ["Parsing (54 languages each).", "mBERT does better than baselines.",
                                     "Models like e.g. mT5 work."]


def test_brackets_keep_sentence_together() -> None:
    text = "The effect holds (see Fig. 2. Left panel). It is large."
    assert split_sentences(text) == ["The effect holds (see Fig. 2. Left panel).", "It is large."]


def test_whitespace_is_normalised_and_empty_input() -> None:
    assert split_sentences("  One  sentence\n here.\tTwo   here. ") == ["One sentence here.", "Two here."]
    assert split_sentences("") == []
    assert split_sentences("   ") == []
    assert split_sentences("No final stop") == ["No final stop"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab AB.?!()e,g19 \n\"'")), max_size=80))
def test_never_loses_characters(text: str) -> None:
    sentences = split_sentences(text)
    assert " ".join(sentences) == normalise_space(text)
    assert all(s == s.strip() and s for s in sentences)


def test_paper_sentences_indexes_abstract_then_body() -> None:
    paper = Paper(
        arxiv_id="2501.00001",
        title="T",
        authors=("A",),
        abstract="First sentence here. Second one.",
        fulltext_sentences=("Body  sentence.", "  "),
    )
    sentences = paper_sentences(paper)
    assert [(s.index, s.section, s.text) for s in sentences] == [
        (0, "abstract", "First sentence here."),
        (1, "abstract", "Second one."),
        (2, "body", "Body sentence."),
    ]
    assert all(s.arxiv_id == "2501.00001" for s in sentences)


def test_content_tokens_stem_and_drop_stopwords() -> None:
    assert content_tokens("The model improves results") == content_tokens("models improved the result")
    assert "the" not in content_tokens("the cat")
