"""The results table (`builder/results.py`): hand-written sentences with the rows they must and must not give,
the rows of every example report located in their sentences, and the table in the .tex, the page and the
manifest."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from factories import GARCIA_FERRERO, PAPERS, POLITOV, WU, make_report

from builder.claims import collect_claims
from builder.gather.lock import resolve_offline
from builder.models import Claim, Result
from builder.papers import PaperStore
from builder.render.latex import render_tex
from builder.render.manifest import manifest
from builder.render.site.model import report_view
from builder.render.site.report import report_markdown
from builder.results import extract_results, sentence_results
from builder.settings import load_settings
from builder.spec import load_spec
from builder.text import paper_sentences

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "reports").glob("*.yaml"))

# (sentence, [(value, metric, task, condition), ...]): every row the rules must give, in order.
CASES = [
    (
        "Our model improves over mBERT by +2.3 F1 on WikiANN for low-resource languages.",
        [("+2.3 F1", "F1", "WikiANN", "improvement; over mBERT; for low-resource languages")],
    ),
    ("XLM-R reaches 71.4% accuracy on XNLI.", [("71.4%", "accuracy", "XNLI", "")]),
    ("The distilled model is 3x faster than the teacher.", [("3x faster", "speed", "", "")]),
    ("It achieves a BLEU of 31.2 on WMT14 English-German.", [("31.2", "BLEU", "WMT14", "")]),
    (
        "The model obtains 85.3 F1 on CoNLL-2003 and 90.1 F1 on OntoNotes.",
        [("85.3 F1", "F1", "CoNLL-2003", ""), ("90.1 F1", "F1", "OntoNotes", "")],
    ),
    ("Accuracy improves from 70.2 to 75.4 when adding 1,000 examples.", [("70.2 to 75.4", "accuracy", "", "")]),
    (
        "Our approach yields a 2.5 times smaller model with a 12.5% lower WER than the baseline.",
        [("2.5 times smaller", "size", "", "than the baseline"), ("12.5%", "WER", "", "than the baseline")],
    ),
    ("The speedup is 4.2x on GPUs.", [("4.2x", "speedup", "", "")]),
    ("F1 improves by 3 points for Armenian.", [("3 points", "F1", "", "improvement; for Armenian")]),
    (
        "chrF++ rises by 1.8 points and COMET by 0.9 over the NLLB baseline.",
        [("1.8 points", "chrF", "", "over the NLLB baseline"), ("0.9", "COMET", "", "over the NLLB baseline")],
    ),
    # A measure of its own that the lexicon does not name: no metric borrowed from the other value.
    ("It achieves 85% F1 while using 30% fewer parameters.", [("85%", "F1", "", ""), ("30%", "", "", "")]),
    ("Transfer from English to Swahili gains 4.5 F1.", [("4.5 F1", "F1", "", "from English to Swahili")]),
    ("The exact match score is 65.0 on SQuAD 2.0.", [("65.0", "exact match", "SQuAD 2.0", "")]),
    (
        "It reduces the error rate by 30% relative to the previous system on the CTS test set.",
        [("30%", "error rate", "", "reduction; relative to the previous system")],
    ),
    ("As shown in Figure 2, accuracy is 91.2% on MLQA.", [("91.2%", "accuracy", "MLQA", "")]),
    # From the example corpus: a list after a colon, a change named after the value, a change leading up to it.
    (
        "These results outperform the mean and median F1 scores in the test leaderboard across all subtasks, with "
        "the mean/median values being: 69.61%/75.66% for SDR, 81.22%/90.18% for SMR.",
        [
            ("69.61%/75.66%", "F1", "SDR", "the mean/median values"),
            ("81.22%/90.18%", "F1", "SMR", "the mean/median values"),
        ],
    ),
    (
        "Experiments demonstrate a 29% relative WER improvement on Spanish BN test data by using only English "
        "adaptation data.",
        [("29% relative WER improvement", "WER", "Spanish BN test data", "using only English adaptation data")],
    ),
    (
        "The proposed method achieves relative WER improvements of 18-27% by using solely English data for domain "
        "adaptation.",
        [("18-27%", "WER", "", "relative improvement; using solely English data")],
    ),
    (
        "Thus reducing the model size by around 50%.",
        [("around 50%", "model size", "", "reduction")],
    ),
    (
        "Our method outperforms the previous strong baseline by a large margin of +3~7 F1 scores.",
        [("+3~7 F1 scores", "F1", "", "outperforms the previous strong baseline")],
    ),
    (
        "Our approach improves upon current state-of-the-art methods for cross-lingual named entity recognition on 5 "
        "diverse languages by an average of 4.1 points.",
        [
            (
                "an average of 4.1 points",
                "",  # the sentence names no metric: left empty, not guessed
                "named entity recognition",
                "improves upon current state-of-the-art methods; on 5 diverse languages",
            )
        ],
    ),
    (
        "We achieved an F1-score of 77.88% on Spanish Diseases Recognition (SDR), 92.09% on Spanish Medications "
        "Recognition (SMR).",
        [
            ("77.88%", "F1", "Spanish Diseases Recognition (SDR)", ""),
            ("92.09%", "F1", "Spanish Medications Recognition (SMR)", ""),
        ],
    ),
    (
        r"Consistently revealing over 50\% accuracy drops in target languages.",
        [(r"over 50\% accuracy drops", "accuracy", "", "in target languages")],
    ),
]

# Sentences with numbers that are not results: counts, years, section and table numbers, citations, model
# names, amounts of input, URLs and numbers written as words.
NOT_RESULTS = [
    "We evaluate on 57 languages and 3 tasks.",
    "Through extensive experiments on two datasets spanning 57 languages, our approach surpasses existing methods.",
    "We report results on the CoNLL 2002/2003 named entity recognition tasks.",
    "CoNLL 2003 F1 results are reported in Table 3.",
    "Results in Table 3 F1 show gains.",
    "Section 4.2 describes 5 BLEU experiments.",
    "Using only 10% of the training data, the model matches the full baseline.",
    "With 1% of labelled examples we train a tagger.",
    "T5 and mT5 are compared on 40 languages [12].",
    "As reported before [3 F1], the method is strong.",
    "We release 3 datasets covering 20 African languages in 2022.",
    "We construct a new dataset of over 6,000 bilingual pairs across 16 languages.",
    "We used 3x3 convolutions and 8 heads.",
    "Our method achieves state-of-the-art F_1 scores for Armenian.",
    "Code is available at https://github.com/xzx34/Cross-Lingual-Pitfalls.",
    "The model gains two points of F1.",
    "Named Entity Recognition (99 languages) and Dependency Parsing (54 languages each) are considered.",
    "The accuracy of 12 languages was measured.",
]


def rows(sentence: str) -> list[tuple[str, str, str, str]]:
    return [(r.value, r.metric, r.task, r.condition) for r in sentence_results("0000.00000", 0, sentence)]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_hand_written_sentences_give_their_rows(sentence: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert rows(sentence) == expected
    for row in sentence_results("0000.00000", 7, sentence):
        assert row.value in row.sentence and row.sentence == sentence and row.sentence_index == 7


@pytest.mark.parametrize("sentence", NOT_RESULTS, ids=[s[:40] for s in NOT_RESULTS])
def test_numbers_that_are_not_results_give_no_row(sentence: str) -> None:
    assert rows(sentence) == []


def test_rows_come_from_abstracts_and_claim_sentences_once_in_reference_order() -> None:
    first = dataclasses.replace(POLITOV, abstract="Our model is 2x faster. It reaches 90.1 F1 on WikiANN.")
    second = dataclasses.replace(GARCIA_FERRERO, abstract="No numbers here. Accuracy rises by 4.5 points.")
    quote = "It reaches 90.1 F1 on WikiANN."
    claims = [
        Claim("C1", "Politov et al. (2025) reach 90.1 F1 on WikiANN.", "extracted", first.arxiv_id, 1, quote=quote),
        # A spec claim is a person's words, not a paper's: no row, whatever numbers it holds.
        Claim("C2", "Model transfer wins by 12.5% accuracy.", "spec", second.arxiv_id, spec_line=9),
        # A claim's sentence the abstract does not hold (e.g. from the full text) is read too.
        Claim("C3", "Recall is 77.0%.", "extracted", second.arxiv_id, 40, quote="Recall is 77.0%."),
    ]
    table = extract_results([first, second, WU], claims)
    assert [(r.paper, r.sentence_index, r.value) for r in table] == [
        (first.arxiv_id, 0, "2x faster"),
        (first.arxiv_id, 1, "90.1 F1"),
        (second.arxiv_id, 1, "4.5 points"),
        (second.arxiv_id, 40, "77.0%"),
    ]
    assert table == extract_results([first, second, WU], list(reversed(claims)))  # deterministic
    assert all(isinstance(r, Result) for r in table)
    # Papers in the other order: rows follow the reference numbers.
    assert extract_results([second, first], claims)[0].paper == second.arxiv_id


@pytest.mark.parametrize("spec_path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_row_of_every_example_is_located_in_its_sentence(spec_path: Path) -> None:
    settings = load_settings(ROOT)
    loaded = load_spec(spec_path, settings.default_author)
    papers = PaperStore(settings.store_dir).get_many(resolve_offline(loaded, settings.store_dir))
    table = extract_results(papers, collect_claims(loaded, papers))
    assert table, "every example paper set states some quantitative result"
    numbers = {p.arxiv_id: n for n, p in enumerate(papers, start=1)}
    sentences = {(p.arxiv_id, s.index): s.text for p in papers for s in paper_sentences(p)}
    for row in table:
        assert sentences[(row.paper, row.sentence_index)] == row.sentence
        assert row.value and row.value in row.sentence
        assert row.task in row.sentence  # a task is the sentence's own words, or empty
        for part in row.condition.split("; "):
            assert part in row.sentence or part in {"improvement", "reduction", "relative improvement"}
    keys = [(numbers[r.paper], r.sentence_index, r.sentence.index(r.value)) for r in table]
    assert keys == sorted(keys)


# ------------------------------------------------------------------------------------------------- renderers

HOSTILE = r"50% & \input{/etc/passwd} <script>x</script> | {}"
TABLE = (
    Result(POLITOV.arxiv_id, "WikiANN", "F1", "+2.3 F1", "over mBERT", "It gains +2.3 F1 on WikiANN over mBERT.", 3),
    Result(POLITOV.arxiv_id, "", "", "50%", HOSTILE, f"A hostile sentence: {HOSTILE}.", 4),
    Result(PAPERS[2].arxiv_id, "XNLI", "accuracy", "71.4%", "", "XLM-R reaches 71.4% accuracy on XNLI.", 0),
)


def test_the_tex_has_the_table_before_the_claims_with_every_value_escaped() -> None:
    tex = render_tex(make_report(results_table=TABLE))
    section = tex.split(r"\section{Quantitative Results}", 1)[1].split(r"\section{Extracted Claims}", 1)[0]
    assert tex.index(r"\section{Disagreements}") < tex.index(r"\section{Quantitative Results}")
    assert r"\begin{longtable}" in section
    assert r"\hyperref[ref:1]{[1]} & WikiANN & F1 & \textbf{+2.3 F1} & over mBERT" in section
    assert r"\hyperref[ref:3]{[3]} & XNLI & accuracy & \textbf{71.4\%}" in section
    assert r"\input{" not in section and r"\textbackslash{}input\{/etc/passwd\}" in section
    assert r"\textsf{Sentence} 4:" in section  # numbered from 1, as everywhere in the PDF
    empty = render_tex(make_report())
    assert "No sentence of this report's papers states a quantitative result" in empty


def test_the_page_has_the_table_with_an_id_and_escaped_cells() -> None:
    page = report_markdown(report_view(make_report(results_table=TABLE), {}, []))
    html = page[page.index("## Quantitative Results") : page.index("## Evidence Matrix")]
    assert '<table data-lr-table id="results-table">' in html
    assert "<caption>3 quantitative results stated by the papers; select a column header to sort</caption>" in html
    # Sortable and filterable as the claims table is (litreport.js): a sort button in every header, the paper and
    # value cells sorted by their keys, filters by text, paper and metric, and the live count.
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'data-type="(\w+)"><button type="button" class="lr-sort">([^<]+)<', head) == [
        ("number", "Paper"), ("text", "Task or dataset"), ("text", "Metric"), ("number", "Value"),
        ("text", "Condition"), ("text", "Sentence")]
    assert re.findall(r'data-sort="([^"]*)"><a href="#ref-\d">', html) == ["001", "001", "003"]
    assert re.findall(r'data-sort="([^"]*)"><strong>', html) == ["+2.3", "50", "71.4"]
    assert '<form class="lr-filters" data-table="results-table" hidden>' in html
    assert re.findall(r'<select id="results-table-(\w+)" data-match="\1">', html) == ["paper", "metric"]
    assert re.findall(r'<option value="([^"]+)">', html) == [POLITOV.arxiv_id, PAPERS[2].arxiv_id, "F1", "accuracy"]
    assert '<p class="lr-count" data-table="results-table" aria-live="polite">Showing 3 of 3.</p>' in html
    assert re.findall(r'<tbody data-paper="[^"]+" data-metric="([^"]*)">', html) == ["F1", "", "accuracy"]
    assert '<a href="#ref-1">[1]</a>' in html and '<a href="#ref-3">[3]</a>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('<tbody data-paper="') == 3  # one per row, as litreport.js sorts tables
    assert page.index("## Disagreements") < page.index("## Quantitative Results") < page.index("## Extracted Claims")


def test_the_manifest_lists_the_rows_with_the_promised_keys() -> None:
    data = manifest(make_report(results_table=TABLE))
    assert data["results"][0] == {
        "paper": POLITOV.arxiv_id,
        "task": "WikiANN",
        "metric": "F1",
        "value": "+2.3 F1",
        "condition": "over mBERT",
        "sentence": "It gains +2.3 F1 on WikiANN over mBERT.",
        "sentence_index": 3,
    }
    assert len(data["results"]) == 3
    assert manifest(make_report())["results"] == []
