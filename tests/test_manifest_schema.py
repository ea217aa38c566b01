"""The manifest's JSON Schema (docs/manifest.schema.json) is generated from the typed classes that build the
manifest: the committed file is the generated one, manifests of hand-built reports validate against it, and it
refuses what the contract does not allow. Every example manifest is validated in test_pipeline.py."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from factories import POLITOV, make_draft_report, make_report
from jsonschema import Draft202012Validator

from builder.models import Finding, Result
from builder.render.manifest import (
    SCHEMA_FILE,
    manifest,
    manifest_adapter,
    manifest_schema,
    render_json,
    render_schema,
)

ROOT = Path(__file__).resolve().parents[1]


def validator() -> Draft202012Validator:
    schema = json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def reports() -> list:
    rows = (Result(POLITOV.arxiv_id, "", "F1", "+2.3 F1", "", "It gains +2.3 F1 on WikiANN.", 2),)
    review = make_draft_report().review
    review = dataclasses.replace(review, findings=(*review.findings, Finding("evidence-base", "info", "no claim id")))
    return [make_report(), make_draft_report(review=review), make_report(results_table=rows, claims=(), papers=())]


def test_the_committed_schema_is_the_generated_one() -> None:
    assert (ROOT / SCHEMA_FILE).read_text(encoding="utf-8") == render_schema(), "run `python -m builder schema`"
    check = subprocess.run(
        [sys.executable, "-m", "builder", "schema", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr


def test_the_schema_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    args = [sys.executable, "-m", "builder", "schema", "--out", str(out)]
    assert subprocess.run(args, cwd=ROOT, capture_output=True, timeout=60).returncode == 0
    assert out.read_text(encoding="utf-8") == render_schema()
    stale = [sys.executable, "-m", "builder", "schema", "--check", "--out", str(tmp_path / "missing.json")]
    assert subprocess.run(stale, cwd=ROOT, capture_output=True, timeout=60).returncode == 1


def test_manifests_of_hand_built_reports_validate_and_keep_the_schema_key_order() -> None:
    check = validator()
    for report in reports():
        text = render_json(report)
        data = json.loads(text)
        assert data == manifest(report)
        assert not [e.message for e in check.iter_errors(data)]
        manifest_adapter().validate_json(text, strict=True)  # the typed classes accept what they built
        assert list(data) == list(manifest_schema()["properties"])  # the order the classes declare


def test_the_schema_refuses_what_the_contract_does_not_allow() -> None:
    check = validator()
    good = json.loads(json.dumps(manifest(make_report())))
    extra = {**good, "surprise": 1}
    missing = {k: v for k, v in good.items() if k != "results"}
    wrong_status = json.loads(json.dumps(good))
    wrong_status["claims"][0]["status"] = "maybe"
    bad_date = {**good, "date": "5 July 2026"}
    bad_row = json.loads(json.dumps(good))
    bad_row["results"] = [{"paper": "x", "value": "1%"}]
    for bad in (extra, missing, wrong_status, bad_date, bad_row):
        assert not check.is_valid(bad)
