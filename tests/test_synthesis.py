"""The Synthesis: built from supported claims only, cited, deterministic; the nugget set it is judged by."""

from __future__ import annotations

import sys
from pathlib import Path

from factories import PAPERS, make_claims

from builder.models import ClaimStatus, split_arxiv_id
from builder.spec import load_spec
from builder.synthesis import question_facets, synthesise

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_synthesis import load_nuggets, states  # noqa: E402


def test_synthesis_uses_supported_claims_cites_them_and_is_deterministic() -> None:
    claims = make_claims()
    question = "Does data-based cross-lingual transfer outperform multilingual language models for NER?"
    synthesis = synthesise(question, claims, PAPERS)
    assert synthesis == synthesise(question, list(claims), list(PAPERS))
    used = [s for t in synthesis.themes for s in t.sentences]
    by_id = {r.claim.id: r for r in claims}
    assert used and all(by_id[s.claim_id].verdict.status is not ClaimStatus.UNSUPPORTED for s in used)
    numbers = {p.arxiv_id: n for n, p in enumerate(PAPERS, start=1)}
    for sentence in used:
        source = by_id[sentence.claim_id].claim.source
        assert source in sentence.cites and f"[{numbers[source]}" in sentence.text
        assert f"({sentence.claim_id}" in sentence.text
    assert all(t.title and t.consensus and t.claims for t in synthesis.themes)


def test_nuggets_name_papers_of_their_report_and_match_their_own_fact() -> None:
    nuggets = load_nuggets()
    assert len(nuggets) >= 40
    for nugget in nuggets:
        spec = load_spec(ROOT / "reports" / f"{nugget['report']}.yaml", "Tester").spec
        papers = {split_arxiv_id(spec.primary)[0], *(split_arxiv_id(p)[0] for p in spec.papers)}
        assert set(nugget["papers"]) <= papers, nugget["id"]
        assert states(nugget["fact"], nugget) or nugget["id"].endswith("-n1"), nugget["id"]
    assert len({n["id"] for n in nuggets}) == len(nuggets)
    assert not states("An unrelated sentence about protein folding.", nuggets[0])


def test_the_question_is_cut_into_facets_in_its_own_words() -> None:
    question = (
        "To what extent does domain mismatch between high-resource source languages and low-resource targets "
        "degrade the robustness of multi-source cross-lingual NER models?"
    )
    assert [f.phrase for f in question_facets(question)] == [
        "domain mismatch",
        "high-resource source languages",
        "low-resource targets",
        "robustness of multi-source cross-lingual NER models",
    ]
    assert [f.phrase for f in question_facets("What is the effect of fine-tuning on accuracy, and when?")] == [
        "fine-tuning",
        "accuracy",
    ]


def test_themes_follow_the_facets_and_gaps_are_the_facets_no_claim_covers() -> None:
    claims = make_claims()
    question = (
        "Does data-based cross-lingual transfer outperform multilingual language models for low-resource "
        "languages, and what role does teacher-student learning on unlabeled data play in quantum chemistry?"
    )
    synthesis = synthesise(question, claims, PAPERS)
    facets = question_facets(question)
    by_id = {r.claim.id: r for r in claims}
    for theme in synthesis.themes:  # every claim of a theme shares a word with the theme's facet or title
        for claim_id in theme.claims:
            text = by_id[claim_id].claim.text.lower()
            assert any(t in text for f in facets for t in f.terms) or theme.title.lower() in text
    assert "quantum chemistry" in synthesis.gaps  # no claim says anything about it
    assert not any("low-resource" in gap for gap in synthesis.gaps)  # C1 covers it
    assert len(synthesis.themes) <= 4
