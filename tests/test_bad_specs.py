"""Hostile and broken specs: each must stop with SpecErrors that name file, line, column and field, never a traceback.

The committed corpus lives in tests/bad_specs/ with the exact expected errors in expected.yaml; cases that
cannot be committed sensibly (over 1 MB, not UTF-8, raw control bytes, bad file names) are generated here.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from builder import spec as spec_module
from builder.errors import SpecErrors
from builder.spec import MAX_SPEC_BYTES, check_specs, load_spec, run_check
from builder.spec.yamlread import Loader

BAD = Path(__file__).parent / "bad_specs"
EXPECTED: dict[str, list[dict[str, object]]] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
CASES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "expected.yaml")

VALID = (
    "title: Cross-lingual NER transfer\n"
    "date: 2026-06-26\n"
    "question: How well does cross-lingual NER transfer?\n"
    "primary: 2501.18750\n"
)


def _errors(path: Path) -> SpecErrors:
    with pytest.raises(SpecErrors) as caught:
        load_spec(path, "Default Author")
    return caught.value


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    assert sorted(EXPECTED) == CASES, "every bad spec needs an entry in expected.yaml, and only those"


@pytest.mark.parametrize("name", CASES)
def test_bad_spec_gives_the_expected_errors(name: str) -> None:
    path = BAD / name
    errors = _errors(path).errors
    got = [
        {"line": e.location.line, "column": e.location.column, "field": e.location.field, "message": e.message}
        for e in errors
    ]
    assert got == EXPECTED[name]
    for error in errors:
        assert error.location.file == path
        rendered = str(error)
        assert rendered.startswith(str(path))
        assert "Traceback" not in rendered and "pydantic" not in rendered.lower()
        assert len(error.message) < 200, "messages must stay short"
        if error.location.line is not None:
            assert 1 <= error.location.line <= path.read_text(encoding="utf-8").count("\n") + 1


def test_message_format_matches_the_documented_example(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(VALID + "papers:\n  - 2004.12440\n  - 2501.1875\n", encoding="utf-8")
    (error,) = _errors(path).errors
    assert str(error) == (
        f"{path}:7:5: field 'papers[1]': '2501.1875' is not an arXiv id "
        "(expected e.g. 2501.18750, 2501.18750v2 or hep-th/9901001)"
    )


def test_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(VALID + "# " + "x" * MAX_SPEC_BYTES + "\n", encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    (error,) = _errors(path).errors
    assert error.location.line is None
    assert error.message == f"spec is larger than {MAX_SPEC_BYTES} bytes; a spec is a short text"


def test_many_values_under_the_size_limit_are_refused_early(tmp_path: Path) -> None:
    path = tmp_path / "bulk.yaml"
    path.write_text(VALID + "papers: [" + ", ".join(["2004.12440"] * 30_000) + "]\n", encoding="utf-8")
    assert path.stat().st_size < MAX_SPEC_BYTES
    (error,) = _errors(path).errors
    assert (error.location.line, error.message) == (5, "the spec holds more than 20000 values; a spec is a short text")


def test_latin1_bytes_are_reported_with_their_position(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("Cross-lingual", "Caf\u00e9 cross-lingual").encode("latin-1"))
    (error,) = _errors(path).errors
    assert (error.location.line, error.location.column) == (1, 11)
    assert error.message == "not valid UTF-8 (byte 0xe9); save the file as UTF-8"


@pytest.mark.parametrize(("raw", "code"), [(b"\x00", "0000"), (b"\x07", "0007"), (b"\x1b", "001B")])
def test_raw_control_bytes_are_reported(tmp_path: Path, raw: bytes, code: str) -> None:
    path = tmp_path / "control.yaml"
    path.write_bytes(VALID.encode() + b"author: Ann" + raw + b"\n")
    (error,) = _errors(path).errors
    assert (error.location.line, error.location.column) == (5, 12)
    assert error.message == f"invalid YAML: the character U+{code} is not allowed"


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_spec(path, "A").spec.title == "Cross-lingual NER transfer"


def _laughs(levels: int) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n" + VALID


def test_billion_laughs_is_refused_before_anything_expands(tmp_path: Path) -> None:
    # 9**40 values if expanded: only a refusal at the first alias can return at all.
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs(40), encoding="utf-8")
    (error,) = _errors(path).errors
    assert (error.location.line, error.location.column) == (2, 10)
    assert error.message == "YAML aliases (*l0) are not allowed in a spec; write the value out"
    # The bound is structural: the loader stops after composing the few nodes before the first alias.
    loader = Loader(_laughs(40))
    with pytest.raises(yaml.MarkedYAMLError):
        loader.get_single_node()
    assert loader._nodes < 20


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(VALID + "papers: &p [2004.12440, *p]\n", encoding="utf-8")
    (error,) = _errors(path).errors
    assert (error.location.line, error.location.column) == (5, 25)


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(VALID + "papers: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (error,) = _errors(path).errors
    assert error.message == "the YAML is nested deeper than 16 levels"


def test_too_many_errors_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(VALID + "papers:\n" + "".join(f"  - bad{i}\n" for i in range(60)), encoding="utf-8")
    errors = _errors(path).errors
    assert len(errors) == spec_module.MAX_ERRORS + 1
    assert errors[0].location.field == "papers[0]" and errors[0].location.line == 6
    assert errors[-1].message == f"... and {60 - spec_module.MAX_ERRORS} more errors"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Upper.yaml", "file name 'Upper.yaml' must be a slug"),
        ("has space.yaml", "file name 'has space.yaml' must be a slug"),
        ("..yaml", "file name '..yaml' must be a slug"),
        ("-dash.yaml", "file name '-dash.yaml' must be a slug"),
        ("report.yml", "a spec file must end in .yaml; rename it to report.yaml"),
        ("report.json", "a spec file must end in .yaml; rename it to report.yaml"),
        ("report", "a spec file must end in .yaml; rename it to report.yaml"),
    ],
)
def test_file_names_must_be_slugs_ending_in_yaml(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(VALID, encoding="utf-8")
    (error,) = _errors(path).errors
    assert error.location.line is None
    assert error.message.startswith(message)


def test_unreadable_paths_are_spec_errors(tmp_path: Path) -> None:
    (missing,) = _errors(tmp_path / "missing.yaml").errors
    assert missing.message == "cannot read the spec: No such file or directory"
    (tmp_path / "folder.yaml").mkdir()
    (folder,) = _errors(tmp_path / "folder.yaml").errors
    assert folder.message == "cannot read the spec: Is a directory"


def test_check_specs_reports_every_bad_file_and_duplicate_slugs(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    other = tmp_path / "other"
    reports.mkdir()
    other.mkdir()
    (reports / "good.yaml").write_text(VALID, encoding="utf-8")
    (reports / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    (reports / "good.yml").write_text(VALID, encoding="utf-8")
    (other / "good.yaml").write_text(VALID, encoding="utf-8")
    loaded, failed = check_specs([reports, reports / "good.yaml", other / "good.yaml"], "A")
    assert [s.slug for s in loaded] == ["good"]
    messages = {str(e.location.file.relative_to(tmp_path)): e.message for f in failed for e in f.errors}
    assert set(messages) == {"reports/broken.yaml", "reports/good.yml", "other/good.yaml"}
    assert messages["reports/good.yml"] == "a spec file must end in .yaml; rename it to good.yaml"
    assert (
        messages["other/good.yaml"]
        == f"slug 'good' is already used by {reports / 'good.yaml'}; rename one of the files"
    )
    assert messages["reports/broken.yaml"].startswith("invalid YAML:")


def test_check_over_the_whole_bad_corpus_never_raises() -> None:
    loaded, failed = check_specs([BAD / name for name in CASES], "A")
    assert loaded == []
    assert len(failed) == len(CASES)


def test_run_check_exit_codes_and_output(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    out = io.StringIO()
    assert run_check([good], "A", out) == 0
    assert out.getvalue() == "1 of 1 spec valid\n"
    out = io.StringIO()
    assert run_check([good, BAD / "date-number.yaml"], "A", out) == 2
    assert out.getvalue() == (
        f"{BAD / 'date-number.yaml'}:2:7: field 'date': expected a date written YYYY-MM-DD, got the number 20260626\n"
        "1 of 2 specs valid\n"
    )
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    out = io.StringIO()
    assert run_check([empty], "A", out) == 2
    assert out.getvalue() == "no specs found: a spec is a file ending in .yaml\n"


def test_cli_check_exits_2_without_a_traceback(tmp_path: Path) -> None:
    # The whole corpus plus the generated cases through the real command line, in one process.
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(VALID.replace("Cross", "Caf\u00e9").encode("latin-1"))
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(_laughs(40), encoding="utf-8")
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    paths = [str(BAD / name) for name in CASES] + [str(latin1), str(laughs), str(huge)]
    result = subprocess.run(
        [sys.executable, "-m", "builder", "check", *paths], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    for path in paths:
        assert f"{path}:" in result.stderr, f"no error printed for {path}"
