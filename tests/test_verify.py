"""Verification on hand-made papers: support, wrong numbers, negation, unrelated claims, provenance, batch CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import BuilderError
from builder.models import Claim, Paper
from builder.settings import VERIFIER_NAMES, load_settings
from builder.text import antonym_swap, content_tokens, direction, negation_count, numbers, tokens_of, words
from builder.verify import Verifier
from builder.verify.batch import main as batch_main
from builder.verify.embed import EmbeddingModel
from builder.verify.embed import available as embed_available
from builder.verify.features import (
    DOC_FEATURES,
    RELEVANCE_FEATURES,
    STANCE_FEATURES,
    Unit,
    char_grams,
    counter_cosine,
)
from builder.verify.model import (
    EMB_FEATURES,
    NLI_FEATURES,
    VERIFIERS,
    Document,
    LogisticModel,
    MissingExtra,
    Scorer,
    pick,
)
from builder.verify.nli import NliModel
from builder.verify.nli import available as nli_available
from builder.verify.train import auroc, ece

FIXTURES = Path(__file__).parent / "fixtures" / "scifact"

NER = Paper(
    arxiv_id="2501.00001",
    title="Distillation for named entity recognition under domain shift",
    authors=("A. Author",),
    abstract=(
        "Named entity recognition degrades under domain shift. "
        "We propose a distillation method for cross-domain named entity recognition. "
        "Our distillation method improves F1 by 5.2 points on the WNUT benchmark. "
        "The code is available online."
    ),
)
STUDY = Paper(
    arxiv_id="2501.00002",
    title="A study of cross-domain named entity recognition",
    authors=("B. Author",),
    abstract=(
        "We study how named entity recognition models transfer. "
        "Distillation improves F1 by 5.2 points on the WNUT benchmark. "
        "Larger teacher models do not help cross-domain transfer."
    ),
)
FOLD = Paper(
    arxiv_id="2501.00003",
    title="Protein structure prediction",
    authors=("C. Author",),
    abstract="Protein structures are predicted with deep networks. AlphaFold reaches 92.4 GDT on CASP14.",
)
PAPERS = [NER, STUDY, FOLD]


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    """The default, numpy-only configuration."""
    return Verifier.load(verifier="lexical")


@pytest.fixture(scope="module")
def nli_verifier() -> Verifier:
    """The optional entailment configuration, where its extra is installed."""
    if not (nli_available() and embed_available()):
        pytest.skip("NLI extra not installed")
    return Verifier.load(verifier="nli")


@pytest.fixture(scope="module")
def embed_verifier() -> Verifier:
    """The optional embedding configuration, where its extra is installed."""
    if not embed_available():
        pytest.skip("embed extra not installed")
    return Verifier.load(verifier="embed")


def claim(cid: str, text: str, source: str, origin: str = "spec", index: int | None = None) -> Claim:
    return Claim(id=cid, text=text, origin=origin, source=source, sentence_index=index)


def test_supported_claim_points_at_the_right_sentence(verifier: Verifier) -> None:
    [verdict] = verifier.verify([claim("C1", "AlphaFold reaches 92.4 GDT on CASP14.", FOLD.arxiv_id)], PAPERS)
    assert verdict.verified and verdict.grounded
    assert verdict.confidence >= 0.5
    best = verdict.evidence[0]
    assert (best.arxiv_id, best.sentence_index) == (FOLD.arxiv_id, 1)
    # Numbered from 1 where a reader sees it, as the PDF and the page number the evidence (sentence_index + 1).
    assert "2501.00003 sentence 2" in verdict.rationale and "92.4 agree" in verdict.rationale
    assert 1 <= len(verdict.evidence) <= 3
    assert [e.score for e in verdict.evidence] == sorted((e.score for e in verdict.evidence), reverse=True)


def test_wrong_number_is_not_verified(verifier: Verifier) -> None:
    [verdict] = verifier.verify([claim("C1", "AlphaFold reaches 97.1 GDT on CASP14.", FOLD.arxiv_id)], PAPERS)
    assert not verdict.verified
    assert "numbers disagree: claim 97.1 vs evidence 92.4" in verdict.rationale


def test_negated_claim_is_not_verified(verifier: Verifier) -> None:
    text = "Larger teacher models help cross-domain transfer."
    [verdict] = verifier.verify([claim("C1", text, STUDY.arxiv_id)], PAPERS)
    assert not verdict.verified
    assert "negation differs" in verdict.rationale


def test_reversed_direction_is_not_verified(verifier: Verifier) -> None:
    text = "Distillation reduces F1 by 5.2 points on the WNUT benchmark."
    [verdict] = verifier.verify([claim("C1", text, STUDY.arxiv_id)], PAPERS)
    assert not verdict.verified
    assert "direction of effect differs" in verdict.rationale


def test_unrelated_claim_is_not_verified(verifier: Verifier) -> None:
    text = "Graph neural networks solve the travelling salesman problem for cities in Europe."
    [verdict] = verifier.verify([claim("C1", text, NER.arxiv_id)], PAPERS)
    assert not verdict.verified and not verdict.grounded and not verdict.corroborated
    assert verdict.confidence < 0.5


def test_nli_configuration_agrees_on_the_basic_cases(nli_verifier: Verifier) -> None:
    supported = claim("C1", "AlphaFold reaches 92.4 GDT on CASP14.", FOLD.arxiv_id)
    negated = claim("C2", "Larger teacher models help cross-domain transfer.", STUDY.arxiv_id)
    unrelated = claim("C3", "Graph neural networks solve the travelling salesman problem.", NER.arxiv_id)
    v1, v2, v3 = nli_verifier.verify([supported, negated, unrelated], PAPERS)
    assert v1.verified and v1.grounded and v1.evidence[0].sentence_index == 1
    assert not v2.verified and not v3.verified


def test_embed_configuration_agrees_on_the_basic_cases(embed_verifier: Verifier) -> None:
    supported = claim("C1", "AlphaFold reaches 92.4 GDT on CASP14.", FOLD.arxiv_id)
    wrong_number = claim("C2", "AlphaFold reaches 71.0 GDT on CASP14.", FOLD.arxiv_id)
    unrelated = claim("C3", "Graph neural networks solve the travelling salesman problem.", NER.arxiv_id)
    v1, v2, v3 = embed_verifier.verify([supported, wrong_number, unrelated], PAPERS)
    assert v1.verified and v1.grounded and v1.evidence[0].sentence_index == 1
    assert not v2.verified and not v3.verified
    assert embed_verifier.scorer.uses_embeddings and not embed_verifier.scorer.uses_nli


def test_embedding_texts_are_best_sentence_and_title() -> None:
    sentences = [Unit.of(t) for t in ("First.", "Second.", "Third.")]
    ranked = [(2, 1.0), (0, 0.5), (1, 0.0)]
    assert Scorer.embedding_texts(Document("d", Unit.of("A title"), sentences, [1.0] * 3), ranked) == [
        "Third.",
        "A title",
    ]
    assert Scorer.embedding_texts(Document("d", None, sentences, [1.0] * 3), ranked) == ["Third.", "First."]
    assert Scorer.embedding_texts(Document("d", None, sentences, [1.0] * 3), []) == []
    assert len(EMB_FEATURES) == 2


@pytest.fixture(scope="module")
def embedder() -> EmbeddingModel:
    model = EmbeddingModel.load() if embed_available() else None
    if model is None:
        pytest.skip("embed extra not installed")
    return model


def test_embeddings_place_a_paraphrase_near_and_an_unrelated_sentence_far(embedder: EmbeddingModel) -> None:
    claim_text = "Vitamin D supplementation reduces the risk of fractures in elderly women."
    paraphrase = "Older women who took vitamin D supplements had fewer bone fractures."
    unrelated = "The city council approved the construction of a new public library."
    assert embedder.similarity(claim_text, paraphrase) > 0.6 > 0.2 > embedder.similarity(claim_text, unrelated)


def test_embeddings_are_unit_vectors_independent_of_the_other_texts(embedder: EmbeddingModel) -> None:
    texts = ["A short sentence.", "A much longer sentence about protein structure prediction " * 10, "x"]
    together = embedder.vectors(texts)
    embedder.cache.clear()
    alone = [embedder.vectors([t])[0] for t in reversed(texts)][::-1]
    for a, b in zip(together, alone, strict=True):
        assert np.array_equal(a, b) and abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def test_a_configuration_without_its_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BUILDER_NO_EMBED", "1")
    monkeypatch.setenv("BUILDER_NO_NLI", "1")
    with pytest.raises(MissingExtra, match=r"needs the embedding extra, .* pip install 'litreport-builder\[embed\]'"):
        Scorer.load(verifier="embed")
    with pytest.raises(MissingExtra, match="needs the NLI extra"):
        Scorer.load(verifier="nli")
    args = ["--corpus", str(FIXTURES / "corpus.jsonl"), "--claims", str(FIXTURES / "claims.jsonl")]
    assert batch_main([*args, "--out", str(tmp_path / "p.jsonl"), "--verifier", "embed"]) == 2
    # Without --verifier the batch command uses the project's [tool.builder] verifier, as builds do.
    (tmp_path / "pyproject.toml").write_text('[tool.builder]\nverifier = "embed"\n', encoding="utf-8")
    assert batch_main([*args, "--out", str(tmp_path / "p.jsonl"), "--root", str(tmp_path)]) == 2
    (tmp_path / "pyproject.toml").write_text('[tool.builder]\nverifier = "bogus"\n', encoding="utf-8")
    assert batch_main([*args, "--out", str(tmp_path / "p.jsonl"), "--root", str(tmp_path)]) == 2
    (tmp_path / "pyproject.toml").write_text('[tool.builder]\nverifier = "lexical"\n', encoding="utf-8")
    assert batch_main([*args, "--out", str(tmp_path / "q.jsonl"), "--root", str(tmp_path)]) == 0
    assert not (tmp_path / "p.jsonl").exists()


def test_verifier_setting_names_every_configuration(tmp_path: Path) -> None:
    assert tuple(VERIFIERS) == VERIFIER_NAMES
    assert all(path.is_file() for path in VERIFIERS.values())
    for name in VERIFIER_NAMES:
        (tmp_path / "pyproject.toml").write_text(f'[tool.builder]\nverifier = "{name}"\n', encoding="utf-8")
        assert load_settings(tmp_path).verifier == name
    (tmp_path / "pyproject.toml").write_text('[tool.builder]\nverifier = "bert"\n', encoding="utf-8")
    with pytest.raises(BuilderError, match="verifier must be one of 'lexical', 'embed', 'nli', got 'bert'"):
        load_settings(tmp_path)


def test_bad_project_settings_are_input_errors_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from builder.cli import main as cli_main

    for text, message in (
        ('[tool.builder]\nverifier = "bogus"\n', "verifier must be one of"),
        ("[tool.builder\nverifier = 1\n", "not valid TOML"),
    ):
        (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
        for command in (["check"], ["build", "--no-site"]):
            assert cli_main(["--root", str(tmp_path), *command]) == 2
            err = capsys.readouterr().err
            assert message in err and str(tmp_path / "pyproject.toml") in err and "Traceback" not in err


def test_nli_premises_are_best_sentence_context_and_title() -> None:
    sentences = [Unit.of(t) for t in ("First.", "Second.", "Third.", "Fourth.", "Fifth.")]
    doc = Document("d", Unit.of("A title"), sentences, [1.0] * 5)
    ranked = [(3, 2.0), (0, 1.0), (4, 0.5), (1, 0.0), (2, -1.0)]
    assert Scorer.nli_premises(doc, ranked) == ["Fourth.", "A title. First. Fourth. Fifth.", "A title"]
    untitled = Document("d", None, sentences, [1.0] * 5)
    assert Scorer.nli_premises(untitled, ranked)[2] == "First."
    assert Scorer.nli_premises(doc, []) == []


@pytest.fixture(scope="module")
def nli_model() -> NliModel:
    model = NliModel.load() if nli_available() else None
    if model is None:
        pytest.skip("NLI extra not installed")
    return model


def test_nli_outputs_mean_what_the_features_assume(nli_model: NliModel) -> None:
    """The graph has two outputs: output 1 wins for a contradiction, output 0 for an unrelated hypothesis."""
    premise = "Aspirin reduces the risk of heart attack in adults."
    hypotheses = [
        "Aspirin increases the risk of heart attack.",
        "Aspirin lowers the risk of heart attack.",
        "The city council approved a new library.",
    ]
    contradiction, entailed, unrelated = (l0 - l1 for l0, l1 in nli_model.logits([(premise, h) for h in hypotheses]))
    assert contradiction < -3 < entailed < unrelated and unrelated > 1


def test_nli_logits_do_not_depend_on_the_other_pairs(nli_model: NliModel) -> None:
    pairs = [("A short premise.", "A claim."), ("A much longer premise " * 20, "Another claim about it.")]
    together = nli_model.logits(pairs)
    nli_model.cache.clear()
    alone = nli_model.logits(pairs[:1]) + nli_model.logits(pairs[1:])
    assert together == alone


def test_grounded_versus_corroborated(verifier: Verifier) -> None:
    text = "Our distillation method improves F1 by 5.2 points on the WNUT benchmark."
    own = claim("C1", text, NER.arxiv_id, "extracted", 2)
    alone = claim("C2", "AlphaFold reaches 92.4 GDT on CASP14.", FOLD.arxiv_id, "extracted", 1)
    cited_elsewhere = claim("C3", "AlphaFold reaches 92.4 GDT on CASP14.", NER.arxiv_id)
    v_own, v_alone, v_elsewhere = verifier.verify([own, alone, cited_elsewhere], PAPERS)
    # Stated by its own paper and, in other words, by a second paper.
    assert v_own.grounded and v_own.corroborated and v_own.verified
    # Its own sentence is the only support: grounded, but that sentence must not count as corroboration.
    assert v_alone.grounded and not v_alone.corroborated
    # Cited to the wrong paper: supported elsewhere, not grounded.
    assert v_elsewhere.corroborated and not v_elsewhere.grounded and v_elsewhere.verified


def test_verbatim_copy_in_another_paper_is_not_corroboration(verifier: Verifier) -> None:
    copy = Paper(arxiv_id="2501.00009", title=FOLD.title, authors=("D. Author",), abstract=FOLD.abstract)
    extracted = claim("C1", "AlphaFold reaches 92.4 GDT on CASP14.", FOLD.arxiv_id, "extracted", 1)
    [verdict] = verifier.verify([extracted], [FOLD, copy])
    assert verdict.grounded and not verdict.corroborated


def test_order_and_ids_are_kept(verifier: Verifier) -> None:
    claims = [claim(f"C{i}", text, FOLD.arxiv_id) for i, text in enumerate(["AlphaFold reaches 92.4 GDT.", "x y"])]
    verdicts = verifier.verify(claims, PAPERS)
    assert [v.claim_id for v in verdicts] == ["C0", "C1"]
    assert verifier.verify([], PAPERS) == []


def test_cue_detectors() -> None:
    assert numbers("from 1,000 to 57.5% (n = 12)") == {"1000", "57.5", "12"}
    assert negation_count("did not reduce") == 1 and negation_count("reduced") == 0
    assert direction("X increases Y") == 1 and direction("X reduces Y") == -1
    assert direction("X does not increase Y") == -1
    assert Unit.of("Aspirin reduces risk").direction == -1


@given(st.text(alphabet=st.sampled_from(list("aZe-9 .\n\t(é)s")), max_size=60) | st.text(max_size=40))
def test_cached_tokenizer_equals_content_tokens(text: str) -> None:
    assert tokens_of(text) == content_tokens(text)
    assert tokens_of(NER.abstract) == content_tokens(NER.abstract)


def test_char_grams_match_across_morphology() -> None:
    assert char_grams("inhibits") == char_grams("Inhibits!")
    assert counter_cosine(char_grams("inhibition of TNF"), char_grams("TNF inhibitors")) > 0.4
    assert counter_cosine(char_grams("inhibition"), char_grams("galaxy")) == 0.0
    assert counter_cosine(char_grams(""), char_grams("x")) == 0.0


def test_antonym_swap() -> None:
    assert antonym_swap(words("Aspirin increases bleeding"), words("aspirin decreased bleeding risk"))
    assert not antonym_swap(words("Aspirin increases bleeding"), words("aspirin increased bleeding"))
    # Both sides present in the evidence: not a swap.
    assert not antonym_swap(words("X increases Y"), words("X increases Y but decreases Z"))


def test_heads_pick_their_features_by_name() -> None:
    assert set(RELEVANCE_FEATURES) | set(STANCE_FEATURES) == set(DOC_FEATURES)
    assert len(set(DOC_FEATURES)) == len(DOC_FEATURES)
    row = [float(i) for i in range(len(DOC_FEATURES))]
    assert pick(row, DOC_FEATURES, ["cov_doc", "best_logit"]) == [DOC_FEATURES.index("cov_doc"), 0.0]
    with pytest.raises(ValueError, match="retrain"):
        pick(row, DOC_FEATURES, ["no_such_feature"])


@pytest.mark.parametrize("name", list(VERIFIERS))
def test_committed_models_use_the_current_features(name: str) -> None:
    """A feature renamed in code without retraining would otherwise only fail at verification time."""
    data = json.loads(VERIFIERS[name].read_text(encoding="utf-8"))
    extra = {"lexical": (), "embed": EMB_FEATURES, "nli": NLI_FEATURES + EMB_FEATURES}[name]
    for head in ("doc_model", "stance_model"):
        assert set(data[head]["features"]) <= set(DOC_FEATURES) | set(extra)
        assert set(extra) <= set(data[head]["features"])
    assert 0.2 <= data["decision_threshold"] <= 0.6


def test_logistic_model_learns_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=0.3, size=400) > 0).astype(float)
    model = LogisticModel.fit(["a", "b"], x, y)
    probs = 1 / (1 + np.exp(-model.logits(x)))
    assert auroc(probs, y) > 0.95
    assert ece(probs, y) < 0.1
    again = LogisticModel.from_json(model.to_json())
    assert np.allclose(again.logits(x), model.logits(x), atol=1e-5)


def test_metrics() -> None:
    assert auroc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert ece(np.array([0.0, 1.0]), np.array([0, 1])) == 0.0


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def lexical_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch tests check the format; the default numpy-only model keeps them fast."""
    monkeypatch.setenv("BUILDER_NO_NLI", "1")
    monkeypatch.setenv("BUILDER_NO_EMBED", "1")


@pytest.mark.usefixtures("lexical_only")
def test_batch_cli_closed(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    code = batch_main(
        ["--corpus", str(FIXTURES / "corpus.jsonl"), "--claims", str(FIXTURES / "claims.jsonl"), "--out", str(out)]
    )
    assert code == 0
    rows = read_lines(out)
    assert [(r["id"], r["doc_id"]) for r in rows] == [(1, 101), (2, 202), (2, 303), (3, 303)]
    for row in rows:
        assert set(row) == {"id", "doc_id", "label", "supported", "confidence", "p_contradict", "evidence"}
        assert row["label"] in ("SUPPORT", "CONTRADICT", "NEI") and row["supported"] == (row["label"] == "SUPPORT")
        assert isinstance(row["supported"], bool) and 0.0 <= row["confidence"] <= 1.0
        assert all(isinstance(i, int) for i in row["evidence"]) and len(row["evidence"]) <= 3
    by_pair = {(r["id"], r["doc_id"]): r for r in rows}
    assert by_pair[(1, 101)]["evidence"][0] == 2
    assert by_pair[(3, 303)]["evidence"][0] == 2
    assert by_pair[(1, 101)]["confidence"] > by_pair[(2, 303)]["confidence"]


@pytest.mark.usefixtures("lexical_only")
def test_batch_cli_open(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    args = ["--corpus", str(FIXTURES / "corpus.jsonl"), "--claims", str(FIXTURES / "claims.jsonl"), "--out", str(out)]
    assert batch_main([*args, "--open"]) == 0
    rows = read_lines(out)
    assert rows and all(sum(1 for r in rows if r["id"] == cid) <= 3 for cid in (1, 2, 3))
    first = [r for r in rows if r["id"] == 1]
    assert first[0]["doc_id"] == 101


def test_batch_cli_open_with_embeddings_scores_the_lexical_favourites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not embed_available():
        pytest.skip("embed extra not installed")
    import builder.verify.batch as batch

    monkeypatch.setattr(batch, "OPEN_SCORED", 1)  # only the lexical model's favourite gets the full model
    out = tmp_path / "pred.jsonl"
    args = ["--corpus", str(FIXTURES / "corpus.jsonl"), "--claims", str(FIXTURES / "claims.jsonl"), "--out", str(out)]
    assert batch_main([*args, "--open", "--verifier", "embed"]) == 0
    rows = read_lines(out)
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["doc_id"] == 101


def test_batch_cli_missing_file(tmp_path: Path) -> None:
    code = batch_main(["--corpus", str(tmp_path / "no.jsonl"), "--claims", "x", "--out", str(tmp_path / "o")])
    assert code == 2


def test_our_method_in_two_papers_is_not_corroboration(verifier: Verifier) -> None:
    a = Paper(arxiv_id="2501.00011", title="Method A", authors=("A",), abstract=SELF_CLAIM + " It is simple.")
    b = Paper(arxiv_id="2501.00012", title="Method B", authors=("B",), abstract="Our approach clearly " + SELF_TAIL)
    [verdict] = verifier.verify([claim("C1", SELF_CLAIM, a.arxiv_id, "extracted", 0)], [a, b])
    assert verdict.grounded and not verdict.corroborated


SELF_TAIL = "outperforms state-of-the-art methods for named entity recognition."
SELF_CLAIM = "Our approach significantly " + SELF_TAIL


def test_nli_cache_is_reused_only_when_computed_the_same_way(nli_model: NliModel, tmp_path: Path) -> None:
    from builder.verify.train import load_nli, save_nli_cache

    pair = ("Aspirin reduces the risk of heart attack in adults.", "Aspirin lowers the risk of heart attack.")
    nli_model.logits([pair])
    cache = tmp_path / "cache.json"
    save_nli_cache(nli_model, cache)
    assert load_nli(cache).cache[pair] == nli_model.cache[pair]
    data = json.loads(cache.read_text(encoding="utf-8"))
    # Logits from padded batches, or an older list-of-rows file: coefficients fitted on them would not match.
    for stale in ({**data, "scoring": "batches of 32"}, data["rows"]):
        cache.write_text(json.dumps(stale), encoding="utf-8")
        assert load_nli(cache).cache == {}
