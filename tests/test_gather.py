"""`refresh` against a real HTTP server that speaks the arXiv API (tests/arxiv_server.py), never the internet.

What must hold: refresh retries and succeeds where arXiv would recover, says clearly why when it cannot,
never leaves a corrupt store (not even when killed), and the offline resolution that follows is identical
run after run.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from arxiv_server import FakeArxiv, Fault, Record, Version, parse_query, refused_url

from builder.errors import StoreError
from builder.gather.client import ArxivClient, ClientConfig, GatherError, retry_after_seconds
from builder.gather.fulltext import extract_fulltext, outline_path
from builder.gather.lock import read_lock, resolve_offline
from builder.gather.refresh import Progress, main
from builder.papers import PaperStore
from builder.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent

QUERY_SPEC = """\
title: Teacher-student transfer for cross-lingual NER
date: 2026-07-05
question: Does teacher-student learning on unlabeled target-language data improve cross-lingual NER?
primary: 2004.12440
papers: [2501.18750, 1707.02483]
queries:
  - query: 'ti:"named entity recognition" AND abs:"cross-lingual"'
    max_results: 7
  - query: 'cat:cs.CL AND submittedDate:[202001010000 TO 202012312359] ANDNOT ti:BERT'
    max_results: 8
    sort_by: submitted
    sort_order: ascending
"""

LIST_SPEC = """\
title: Domain adaptation for NER
date: 2026-07-05
question: How much does domain adaptation help cross-lingual NER?
primary: 2012.04373
papers: [2004.10964, 1810.06368, 2004.12440]
claims:
  - text: Domain-adaptive pre-training helps NER domain adaptation.
    source: 2012.04373
"""


def write_spec(reports: Path, slug: str, text: str) -> Path:
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f"{slug}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def server() -> Iterator[FakeArxiv]:
    with FakeArxiv(hang_seconds=3) as fake:
        yield fake


def config_for(server: FakeArxiv, **overrides: object) -> ClientConfig:
    values: dict[str, object] = {
        "api_url": server.api_url,
        "pdf_url": server.pdf_url,
        "delay_seconds": 0.0,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "retries": 4,
        "backoff_base": 0.01,
    }
    values.update(overrides)
    return ClientConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_spec(tmp_path / "reports", "teacher-student", QUERY_SPEC)
    write_spec(tmp_path / "reports", "domain-list", LIST_SPEC)
    return tmp_path


def refresh(project: Path, config: ClientConfig, *extra: str, store: str = "store") -> int:
    argv = ["--reports-dir", str(project / "reports"), "--store", str(project / store), "--quiet", *extra]
    return main(argv, default_author="Test Author", config=config)


def snapshot(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


def offline(project: Path, slug: str, store: str = "store") -> list[str]:
    loaded = load_spec(project / "reports" / f"{slug}.yaml", "Test Author")
    return resolve_offline(loaded, project / store)


# --- the happy path ---------------------------------------------------------------------------------------


def test_refresh_fills_store_and_locks_and_offline_resolution_is_stable(server: FakeArxiv, project: Path) -> None:
    assert refresh(project, config_for(server)) == 0
    lock = read_lock(project / "store", "teacher-student")
    assert lock is not None and len(lock.queries) == 2
    first_query = lock.queries[0]
    assert first_query.ids and len(first_query.ids) <= 7
    # The date-range query sorted by submission date, ascending, excluding BERT titles.
    dates = [PaperStore(project / "store").get(i).published for i in lock.queries[1].ids]
    assert dates == sorted(dates) and all(d is not None and d.year == 2020 for d in dates)
    assert not any("BERT" in PaperStore(project / "store").get(i).title for i in lock.queries[1].ids)

    ids = offline(project, "teacher-student")
    assert ids[:3] == ["2004.12440", "2501.18750", "1707.02483"]
    assert set(first_query.ids) <= set(ids)
    assert read_lock(project / "store", "domain-list") is not None

    # Offline resolution touches no network and gives the same answer every time.
    before_hits = len(server.hits)
    assert offline(project, "teacher-student") == ids
    assert len(server.hits) == before_hits

    # A second refresh with nothing changed on arXiv rewrites nothing: the same bytes.
    store_before = snapshot(project / "store")
    assert refresh(project, config_for(server)) == 0
    assert snapshot(project / "store") == store_before
    assert offline(project, "teacher-student") == ids


def test_ids_are_batched_and_shared_across_reports(server: FakeArxiv, project: Path) -> None:
    assert refresh(project, config_for(server, batch_size=50)) == 0
    id_requests = [h for h in server.api_hits() if h.params.get("id_list")]
    query_requests = [h for h in server.api_hits() if h.params.get("search_query")]
    assert len(query_requests) == 2
    assert len(id_requests) == 1  # every listed id of both reports that no query already returned
    asked = id_requests[0].params["id_list"].split(",")
    assert len(asked) == len(set(asked))
    lock = read_lock(project / "store", "teacher-student")
    assert lock is not None
    from_queries = {i for q in lock.queries for i in q.ids}
    listed = {"2004.12440", "2501.18750", "1707.02483", "2012.04373", "2004.10964", "1810.06368"}
    assert set(asked) == listed - from_queries  # query results are not fetched a second time
    assert "2012.04373" in asked
    # Smaller batches mean more requests, never fewer papers.
    server.reset_hits()
    assert refresh(project, config_for(server, batch_size=2), store="store2") == 0
    assert len([h for h in server.api_hits() if h.params.get("id_list")]) == -(-len(asked) // 2)
    assert snapshot(project / "store") == snapshot(project / "store2")


def test_polite_client_sends_user_agent_and_keeps_its_distance(server: FakeArxiv) -> None:
    client = ArxivClient(config_for(server, delay_seconds=0.2, page_size=3))
    results = client.search('abs:"named entity recognition"', 9)
    assert len(results) == 9
    hits = server.api_hits()
    assert len(hits) == 3 == client.stats.requests  # three pages of three
    assert all(h.user_agent.startswith("litreport-builder/") for h in hits)
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert all(gap >= 0.19 for gap in gaps), gaps


def test_versions_and_old_style_ids(server: FakeArxiv, tmp_path: Path) -> None:
    server.add_record(
        Record(
            "hep-th/9711200",
            published=_utc(1997, 11, 27),
            primary_category="hep-th",
            categories=["hep-th"],
            versions=[
                Version(1, "The Large N Limit of Superconformal Field Theories and Supergravity", ["Juan Maldacena"],
                        "We show that the large N limit of certain conformal field theories includes gravity.",
                        _utc(1997, 11, 27)),
            ],
        )
    )
    newest = server.add_version("2501.18750", abstract="A revised abstract for the second version.")
    write_spec(
        tmp_path / "reports",
        "versions",
        """\
        title: Versions
        date: 2026-07-05
        question: Are versions of one paper one paper?
        primary: 2501.18750
        papers: [hep-th/9711200, 2004.12440v1]
        """,
    )
    assert refresh(tmp_path, config_for(server)) == 0
    store = PaperStore(tmp_path / "store")
    assert store.get("2501.18750").version == newest
    assert store.get("2501.18750").abstract == "A revised abstract for the second version."
    assert store.get("2004.12440").version == 1  # the spec pins v1 of this paper
    assert (tmp_path / "store" / "papers" / "hep-th_9711200.json").is_file()
    assert store.get("hep-th/9711200").authors == ("Juan Maldacena",)
    assert offline(tmp_path, "versions") == ["2501.18750", "hep-th/9711200", "2004.12440"]

    # arXiv publishes v3 of the primary: the lock still says v2 until refresh runs, and the build says so.
    server.add_version("2501.18750", title="Revisited Again")
    assert refresh(tmp_path, config_for(server), store="other") == 0  # another store sees v3 ...
    lock_text = (tmp_path / "other" / "locks" / "versions.json").read_text()
    assert '"version": 3' in lock_text
    (tmp_path / "store" / "papers" / "2501.18750.json").write_bytes(
        (tmp_path / "other" / "papers" / "2501.18750.json").read_bytes()
    )
    with pytest.raises(StoreError, match=r"2501\.18750 \(the lock recorded v2, the store has v3\).*refresh --report"):
        offline(tmp_path, "versions")


def _utc(year: int, month: int, day: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


# --- faults: recover where arXiv recovers -----------------------------------------------------------------


def test_refresh_retries_through_transient_faults_and_matches_a_clean_run(server: FakeArxiv, project: Path) -> None:
    clean = config_for(server, page_size=3)
    assert refresh(project, clean, store="clean") == 0
    server.reset_hits()
    server.inject(
        Fault("503", retry_after="1"),
        Fault("429", retry_after="0"),
        Fault("hang"),
        Fault("malformed"),
        Fault("drop"),
        Fault("500"),
        Fault("empty", only_paged=True),
    )
    started = time.monotonic()
    assert refresh(project, config_for(server, page_size=3, retries=8)) == 0
    elapsed = time.monotonic() - started
    faults = [h.fault for h in server.api_hits() if h.fault]
    assert sorted(faults) == sorted(["503", "429", "hang", "malformed", "drop", "500", "empty"])
    assert elapsed >= 1.0  # the 503's Retry-After: 1 was honoured
    assert snapshot(project / "store") == snapshot(project / "clean")
    assert offline(project, "teacher-student") == offline(project, "teacher-student", store="clean")


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# --- faults: clear errors where it cannot ------------------------------------------------------------------


def test_connection_refused_fails_clearly_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = ClientConfig(api_url=refused_url(), delay_seconds=0, retries=2, backoff_base=0.01)
    assert refresh(project, config) == 1
    err = capsys.readouterr().err
    assert "FAILED teacher-student" in err and "FAILED domain-list" in err
    assert "gave up after 3 tries" in err and "connection refused" in err
    assert not (project / "store").exists() or not any((project / "store").rglob("*.json"))
    with pytest.raises(StoreError, match=r"run `python -m builder refresh --report teacher-student`"):
        offline(project, "teacher-student")


def test_persistent_503_and_long_retry_after_give_up(server: FakeArxiv, project: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    server.inject(Fault("503", retry_after="0", times=100))
    assert refresh(project, config_for(server, retries=2)) == 1
    err = capsys.readouterr().err
    assert "gave up after 3 tries; last error: HTTP 503" in err
    # Once arXiv is clearly down, the remaining query and id batch are skipped rather than retried too.
    assert len(server.api_hits()) == 3
    assert "skipped, arXiv unreachable" in err
    server.faults.clear()
    server.inject(Fault("429", retry_after="3600"))
    assert refresh(project, config_for(server), "--report", "domain-list") == 1
    assert "arXiv asked us to wait 3600 s" in capsys.readouterr().err
    assert not any((project / "store").rglob("*.json"))


def test_one_bad_report_does_not_stop_the_others(server: FakeArxiv, project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_spec(
        project / "reports",
        "broken-query",
        """\
        title: Broken
        date: 2026-07-05
        question: What does arXiv say to a broken query?
        primary: 2004.12440
        queries: [{query: 'ti:(cross AND lingual'}]
        """,
    )
    write_spec(
        project / "reports",
        "missing-paper",
        """\
        title: Missing
        date: 2026-07-05
        question: What if a paper does not exist?
        primary: 2004.12440
        papers: [2101.99999]
        """,
    )
    assert refresh(project, config_for(server)) == 1
    captured = capsys.readouterr()
    assert "FAILED broken-query" in captured.err and "HTTP 400: missing ')'" in captured.err
    assert "FAILED missing-paper" in captured.err and "2101.99999: not found on arXiv" in captured.err
    assert "refreshed teacher-student" in captured.out and "refreshed domain-list" in captured.out
    assert read_lock(project / "store", "broken-query") is None
    assert offline(project, "domain-list")[0] == "2012.04373"
    with pytest.raises(StoreError, match=r"2101\.99999.*refresh --report missing-paper"):
        offline(project, "missing-paper")


def test_unknown_report_is_bad_input(server: FakeArxiv, project: Path) -> None:
    assert refresh(project, config_for(server), "--report", "no-such-report") == 2
    assert server.hits == []


# --- the store is never corrupt ----------------------------------------------------------------------------


def test_corrupt_store_file_is_named_and_repaired(server: FakeArxiv, project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = project / "store" / "papers" / "2004.12440.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"arxiv_id": "2004.12440", "title": ', encoding="utf-8")
    with pytest.raises(StoreError, match=r"2004\.12440\.json: corrupt JSON"):
        PaperStore(project / "store").get("2004.12440")
    assert refresh(project, config_for(server), "--report", "domain-list") == 0
    assert "2004.12440.json: corrupt JSON" in capsys.readouterr().err
    assert PaperStore(project / "store").get("2004.12440").title.startswith("Single-/Multi-Source")


def test_killing_refresh_never_leaves_a_half_written_file(server: FakeArxiv, project: Path) -> None:
    """SIGKILL the real command while it writes (first paper file seen, first lock seen): no file is ever partial."""
    script = (
        "import sys; from builder.gather.refresh import main; "
        f"sys.exit(main(['--reports-dir', {str(project / 'reports')!r}, '--store', {str(project / 'store')!r}, "
        "'--quiet'], default_author='T'))"
    )
    env = {**os.environ, "ARXIV_API_URL": server.api_url, "ARXIV_PDF_URL": server.pdf_url,
           "ARXIV_DELAY_SECONDS": "0", "ARXIV_BACKOFF_SECONDS": "0.01"}
    store = project / "store"
    interrupted = []
    for pattern in ("papers/*.json", "locks/*.json"):
        shutil.rmtree(store, ignore_errors=True)
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while proc.poll() is None and not any(store.glob(pattern)) and time.monotonic() < deadline:
            time.sleep(0.0005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        interrupted.append(proc.returncode == -signal.SIGKILL)
        for path in store.rglob("*.json"):
            json.loads(path.read_text(encoding="utf-8"))  # every visible file is complete
        for slug in ("teacher-student", "domain-list"):
            try:
                offline(project, slug)
            except StoreError as exc:
                assert "refresh --report" in str(exc)
    assert any(interrupted), "the kill never landed while refresh was running"
    # And a full run afterwards repairs whatever the kills interrupted.
    assert refresh(project, config_for(server)) == 0
    assert offline(project, "teacher-student")
    # Temp files a kill may leave behind are hidden and never taken for papers.
    assert all(not i.startswith(".") for i in PaperStore(store).all_ids())


# --- full text ------------------------------------------------------------------------------------------------

PAPER_TEX = r"""
\documentclass{article}
\usepackage{fontspec}\setmainfont{FreeSerif}
\title{Single-/Multi-Source Cross-Lingual NER}\author{Qianhui Wu \and Börje F. Karlsson}\date{}
\begin{document}\maketitle
\begin{abstract}We propose teacher-student learning for cross-lingual NER.\end{abstract}
\section{Introduction}
Named entity recognition in low-resource languages lacks annotated data. Teacher-student learning transfers
knowledge from source-language models to a student trained on unlabeled target-language text.
\section{Method}
The teacher labels unlabeled target-language sentences with soft probabilities. The student minimises the
divergence between its predictions and the teacher's soft labels.
\subsection{Training Details}
All models are trained for three epochs with a learning rate of 5e-5 on four target languages.
\section{Results}
The student outperforms direct model transfer on every target language by at least one F1 point.
\begin{thebibliography}{1}\bibitem{x} A. Author. A cited work that is not body text. 2020.\end{thebibliography}
\end{document}
"""


@pytest.fixture(scope="module")
def paper_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if not shutil.which("xelatex"):
        pytest.skip("xelatex is not installed")
    folder = tmp_path_factory.mktemp("pdf")
    (folder / "paper.tex").write_text(PAPER_TEX, encoding="utf-8")
    subprocess.run(["xelatex", "-interaction=nonstopmode", "paper.tex"], cwd=folder, check=True,
                   capture_output=True, timeout=120)
    return (folder / "paper.pdf").read_bytes()


def test_fulltext_is_split_into_sections_and_sentences(paper_pdf: bytes) -> None:
    text = extract_fulltext(paper_pdf)
    titles = [s.title for s in text.sections]
    assert titles == ["1 Introduction", "2 Method", "2.1 Training Details", "3 Results"]
    assert text.sentences[0] == "Named entity recognition in low-resource languages lacks annotated data."
    assert not any("cited work" in s for s in text.sentences)  # references are not body text
    assert not any("We propose teacher-student" in s for s in text.sentences)  # the abstract is stored already


def test_refresh_stores_fulltext_when_the_spec_asks(server: FakeArxiv, tmp_path: Path, paper_pdf: bytes) -> None:
    server.pdfs["2004.12440"] = paper_pdf
    server.pdfs["2012.04373"] = b"%PDF-1.5\nthis is not really a PDF"
    write_spec(
        tmp_path / "reports",
        "fulltext",
        """\
        title: Full text
        date: 2026-07-05
        question: Does the full text support the abstract?
        primary: 2004.12440
        papers: [2012.04373, 1707.02483]
        settings: {fulltext: true}
        """,
    )
    assert refresh(tmp_path, config_for(server)) == 0
    store = PaperStore(tmp_path / "store")
    paper = store.get("2004.12440")
    assert "The student outperforms direct model transfer on every target language by at least one F1 point." in (
        paper.fulltext_sentences
    )
    outline = json.loads(outline_path(tmp_path / "store", "2004.12440").read_text())
    assert next(s["title"] for s in outline["sections"]) == "1 Introduction"
    assert outline["sentences"] == len(paper.fulltext_sentences)
    assert store.get("2012.04373").fulltext_sentences == ()
    lock = read_lock(tmp_path / "store", "fulltext")
    assert lock is not None and lock.fulltext
    assert {p.arxiv_id: p.fulltext for p in lock.papers} == {
        "2004.12440": True, "2012.04373": False, "1707.02483": False}
    assert any("2012.04373" in n and "cannot read PDF" in n for n in lock.notes)
    assert any("1707.02483" in n and "HTTP 404" in n for n in lock.notes)
    assert offline(tmp_path, "fulltext") == ["2004.12440", "2012.04373", "1707.02483"]

    # A second refresh keeps the stored text without downloading the PDF again.
    server.reset_hits()
    before = snapshot(tmp_path / "store")
    assert refresh(tmp_path, config_for(server)) == 0
    assert not [h for h in server.hits if h.path == "/pdf/2004.12440v2"]
    assert snapshot(tmp_path / "store") == before


def test_fulltext_spec_without_lock_asks_for_refresh(tmp_path: Path) -> None:
    write_spec(
        tmp_path / "reports",
        "needs-text",
        """\
        title: Needs text
        date: 2026-07-05
        question: Is the full text there?
        primary: 2004.12440
        settings: {fulltext: true}
        """,
    )
    with pytest.raises(StoreError, match=r"needs full text but has no lock.*refresh --report needs-text"):
        offline(tmp_path, "needs-text")


def test_spec_with_changed_query_asks_for_refresh(server: FakeArxiv, project: Path) -> None:
    assert refresh(project, config_for(server)) == 0
    spec = project / "reports" / "teacher-student.yaml"
    spec.write_text(spec.read_text().replace("max_results: 7", "max_results: 9"))
    with pytest.raises(StoreError, match=r"no result for query .*named entity recognition.*refresh --report"):
        offline(project, "teacher-student")


# --- the fake itself ----------------------------------------------------------------------------------------


def test_fake_server_query_syntax(server: FakeArxiv) -> None:
    records = list(server.records.values())

    def ids(query: str) -> set[str]:
        scorer = parse_query(query)
        return {r.arxiv_id for r in records if scorer(r)}

    assert ids("au:Lample") == {"1901.07291"}
    assert ids('au:"Iker Garc"') == set()
    assert ids("ti:MasakhaNER") == {"2103.11811", "2210.12391"}
    assert ids("ti:MasakhaNER ANDNOT ti:2.0") == {"2103.11811"}
    assert ids("ti:XTREME OR ti:MasakhaNER") == {"2003.11080", "2104.07412", "2103.11811", "2210.12391"}
    assert ids("(ti:XTREME OR ti:MasakhaNER) AND submittedDate:[202101010000 TO 202112312359]") == {
        "2104.07412", "2103.11811"}
    assert ids("cat:cs.CV") == {"1905.11736"}


def test_progress_bar_mode_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(quiet=False) as progress:
        progress.phase("queries", 2)
        progress.advance("queries")
        progress.say("hello from the bar")
        progress.advance("queries")
    assert "hello from the bar" in capsys.readouterr().out


def test_client_errors_are_builder_errors(server: FakeArxiv) -> None:
    client = ArxivClient(config_for(server))
    with pytest.raises(GatherError, match="HTTP 400"):
        client.search("ti:(unclosed", 3)


def test_lock_round_trips_and_a_corrupt_lock_is_named(tmp_path: Path) -> None:
    from builder.gather.lock import Lock, LockedPaper, LockedQuery, lock_path, parse_lock, write_lock

    lock = Lock(
        report="demo",
        queries=(LockedQuery("au:Lample", 5, "submitted", "ascending", ("1901.07291",)),),
        papers=(LockedPaper("1901.07291", 1), LockedPaper("hep-th/9711200", None, fulltext=True)),
        fulltext=True,
        notes=("x: no full text",),
    )
    assert write_lock(tmp_path, lock) is True
    assert write_lock(tmp_path, lock) is False  # same lock, same bytes, no write
    path = lock_path(tmp_path, "demo")
    assert parse_lock(path.read_text(), path) == lock
    path.write_text(path.read_text()[:40])
    with pytest.raises(StoreError, match=r"demo\.json: corrupt lock"):
        read_lock(tmp_path, "demo")


def test_two_reports_wanting_different_versions_are_flagged(server: FakeArxiv, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    server.add_version("2501.18750", abstract="Second version.")
    for slug, primary in (("a-pinned", "2501.18750v1"), ("b-latest", "2501.18750")):
        write_spec(tmp_path / "reports", slug,
                   f"title: T\ndate: 2026-07-05\nquestion: Which version?\nprimary: {primary}\n")
    assert refresh(tmp_path, config_for(server)) == 0
    assert "a-pinned (its lock has 2501.18750 v1, the store v2)" in capsys.readouterr().err
    assert offline(tmp_path, "b-latest") == ["2501.18750"]
    with pytest.raises(StoreError, match=r"the spec pins v1, the store has v2"):
        offline(tmp_path, "a-pinned")
