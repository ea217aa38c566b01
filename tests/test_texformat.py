"""The cached pdfLaTeX format (builder/render/texformat.py), with real pdfLaTeX, latexmk, pdftotext and pdftoppm.

The reference everywhere is the plain run (latexmk with the engine's own format, as without a format cache):
a PDF made with a cached format must be the same file, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_draft_report, make_report

from builder.errors import RenderError
from builder.render import texformat
from builder.render.latex import compile_pdf, render_tex, report_epoch

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "kpsewhich", "pdftotext", "pdftoppm"))
    or not subprocess.run(["kpsewhich", "mylatexformat.ltx"], capture_output=True, text=True).stdout.strip(),
    reason="needs latexmk, pdflatex, mylatexformat (texlive-latex-extra), pdftotext and pdftoppm",
)

ROOT = Path(__file__).resolve().parents[1]


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def page_images(pdf: Path, folder: Path) -> list[bytes]:
    """Every page drawn at 40 dpi (PPM: the raw pixels, no encoder in between)."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(folder / "page")], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("page*.ppm"))]


def write_tex(folder: Path, name: str, tex: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.tex"
    path.write_text(tex, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports() -> dict:
    """Two reports of one kind (different titles, questions and claims' text) and a draft: pdfLaTeX all three."""
    first = make_report(title="Format Reuse: The First Report")
    second = make_report(title="Format Reuse — A Second, Different Report", question="Does a format carry over?")
    draft = make_draft_report()
    return {
        name: (report, render_tex(report)) for name, report in (("first", first), ("second", second), ("draft", draft))
    }


@pytest.fixture(scope="module")
def plain(reports: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each report compiled without a format: tex outside a build's cache and no `formats`, so latexmk runs."""
    folder = tmp_path_factory.mktemp("plain")
    pdfs = {}
    for name, (report, tex) in reports.items():
        assert tex.startswith("% !TEX program = pdflatex\n")
        pdfs[name] = folder / f"{name}.pdf"
        compile_pdf(write_tex(folder, name, tex), pdfs[name], epoch=report_epoch(report))
    return pdfs


class Spy:
    """Counts the dumps and the TeX runs of builder.render.texformat, and the latexmk runs of compile_pdf."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.dumps = 0
        self.runs: list[list[str]] = []
        self.latexmk = 0
        dump, run, popen = texformat._dump, texformat._run, subprocess.Popen

        def counted_dump(*args: object, **kwargs: object) -> bool:
            self.dumps += 1
            return dump(*args, **kwargs)

        def counted_run(command: list[str], *args: object, **kwargs: object) -> tuple[int, bytes]:
            self.runs.append(command)
            return run(command, *args, **kwargs)

        def counted_popen(command: list[str], *args: object, **kwargs: object) -> subprocess.Popen:
            self.latexmk += command[0] == "latexmk"
            return popen(command, *args, **kwargs)

        monkeypatch.setattr(texformat, "_dump", counted_dump)
        monkeypatch.setattr(texformat, "_run", counted_run)
        monkeypatch.setattr("builder.render.latex.compile.subprocess.Popen", counted_popen)
        monkeypatch.setattr(texformat, "_FAILED", set())

    @property
    def passes(self) -> list[list[str]]:
        return [command for command in self.runs if "-ini" not in command]


def test_second_report_reuses_the_format_and_both_pdfs_equal_the_plain_run(
    reports: dict, plain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    formats = tmp_path / "formats"
    for name in ("first", "second"):
        report, tex = reports[name]
        pdf = tmp_path / f"{name}.pdf"
        assert compile_pdf(write_tex(tmp_path, name, tex), pdf, epoch=report_epoch(report), formats=formats) == []
        assert pdf.read_bytes() == plain[name].read_bytes(), name
        assert text_of(pdf) == text_of(plain[name])
        assert page_images(pdf, tmp_path / f"{name}-pages") == page_images(plain[name], tmp_path / f"{name}-plain")
    assert spy.dumps == 1  # the second report found the first one's format
    assert spy.latexmk == 0
    # Two passes each: the first (no PDF written) makes the .aux and .out that the second reads, and the
    # second leaves them unchanged.
    assert len(spy.passes) == 4 and all("-draftmode" in spy.passes[i] for i in (0, 2))
    assert not any("-draftmode" in spy.passes[i] for i in (1, 3))
    [folder] = [path for path in formats.iterdir() if path.is_dir()]
    assert sorted(path.name for path in folder.iterdir()) == ["deps.json", "report.fmt", "report.log"]
    assert not list(formats.glob(".*"))  # no temporary folder left


def test_format_key_follows_the_shared_preamble_only(reports: dict, tmp_path: Path) -> None:
    keys = {
        name: texformat.format_key("pdflatex", texformat.shared_preamble(tex)) for name, (_, tex) in reports.items()
    }
    assert keys["first"] == keys["second"]  # title, question and metadata come after the mark
    assert keys["draft"] != keys["first"]  # the watermark is in the draft's preamble
    changed = tmp_path / "latex"
    shutil.copytree(ROOT / "latex", changed)
    with (changed / "preamble.tex").open("a", encoding="utf-8") as handle:
        handle.write("\\setlength{\\parskip}{0.5em}\n")
    tex = render_tex(reports["first"][0], latex_dir=changed)
    assert texformat.format_key("pdflatex", texformat.shared_preamble(tex)) not in keys.values()


def test_a_changed_dependency_makes_the_format_again(
    reports: dict, plain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    formats = tmp_path / "formats"
    report, tex = reports["draft"]
    source = write_tex(tmp_path, "draft", tex)
    compile_pdf(source, tmp_path / "one.pdf", epoch=report_epoch(report), formats=formats)
    [deps_file] = formats.glob("*/deps.json")
    deps = json.loads(deps_file.read_text(encoding="utf-8"))
    assert any(path.endswith("/hyperref.sty") for path, _, _ in deps["files"])
    assert any(path.endswith("/pdflatex.fmt") for path, _, _ in deps["files"])
    deps["files"][0][2] += 1  # as if TeX Live had updated the file since the dump
    deps_file.write_text(json.dumps(deps), encoding="utf-8")
    compile_pdf(source, tmp_path / "two.pdf", epoch=report_epoch(report), formats=formats)
    assert spy.dumps == 2 and spy.latexmk == 0
    assert json.loads(deps_file.read_text(encoding="utf-8"))["files"][0][2] == deps["files"][0][2] - 1
    assert (tmp_path / "two.pdf").read_bytes() == plain["draft"].read_bytes()


def test_fallback_to_the_plain_run_when_the_dump_fails(
    reports: dict, plain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    monkeypatch.setattr(texformat, "_DUMP_TAIL", "\\undefinedmacro\n" + texformat._DUMP_TAIL)
    formats = tmp_path / "formats"
    report, tex = reports["first"]
    for attempt in ("one", "two"):
        pdf = tmp_path / f"{attempt}.pdf"
        compile_pdf(write_tex(tmp_path, "first", tex), pdf, epoch=report_epoch(report), formats=formats)
        assert pdf.read_bytes() == plain["first"].read_bytes()
    assert spy.dumps == 1  # not tried again for the next report
    assert spy.latexmk == 2 and spy.passes == []
    assert list(formats.iterdir()) == [next(formats.glob("*.lock"))]  # nothing half-made is left


def test_fallback_when_mylatexformat_is_missing(
    reports: dict, plain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    monkeypatch.setattr(texformat, "_engine_identity", lambda engine: None)
    report, tex = reports["draft"]
    formats = tmp_path / "formats"
    compile_pdf(write_tex(tmp_path, "draft", tex), tmp_path / "draft.pdf", epoch=report_epoch(report), formats=formats)
    assert (tmp_path / "draft.pdf").read_bytes() == plain["draft"].read_bytes()
    assert spy.latexmk == 1 and spy.runs == [] and not formats.exists()


def test_an_error_in_the_document_reads_as_without_a_format(
    reports: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing pass hands over to latexmk, so the message is the one users know (and names the same line)."""
    report, tex = reports["first"]
    broken = write_tex(tmp_path, "broken", tex.replace("\\begin{document}", "\\begin{document}\n\\undefinedmacro", 1))
    errors = []
    for formats in (None, tmp_path / "formats"):
        spy = Spy(monkeypatch)
        with pytest.raises(RenderError) as info:
            compile_pdf(broken, tmp_path / "broken.pdf", epoch=report_epoch(report), formats=formats)
        errors.append((str(info.value), info.value.tex_line))
        assert spy.latexmk == 1
    assert errors[0] == errors[1]
    assert "! Undefined control sequence." in errors[0][0]
    assert not (tmp_path / "broken.pdf").exists()


def test_two_processes_wanting_one_format_make_it_once(reports: dict, plain: dict[str, Path], tmp_path: Path) -> None:
    report, tex = reports["first"]
    formats = tmp_path / "formats"
    script = (
        "import sys; from pathlib import Path; from builder.render.latex import compile_pdf; "
        "compile_pdf(Path(sys.argv[1]), Path(sys.argv[2]), epoch=int(sys.argv[3]), formats=Path(sys.argv[4]))"
    )
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                str(write_tex(tmp_path / name, "first", tex)),
                str(tmp_path / f"{name}.pdf"),
                str(report_epoch(report)),
                str(formats),
            ],
            cwd=ROOT,
        )
        for name in ("a", "b")
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    for name in ("a", "b"):
        assert (tmp_path / f"{name}.pdf").read_bytes() == plain["first"].read_bytes()
    assert len([path for path in formats.iterdir() if path.is_dir()]) == 1
    assert not list(formats.glob(".*"))


def test_only_pdflatex_files_with_a_standalone_mark_get_a_format(tmp_path: Path) -> None:
    mark = texformat.DUMP_MARK
    head = "% !TEX program = pdflatex\n\\documentclass{article}%\n"
    good = f"{head}\n{mark}\n\\newcommand\\x{{y}}\n\\begin{{document}}x\\end{{document}}\n"
    assert texformat.shared_preamble(good) == head + "\n"
    assert texformat.shared_preamble(good.replace(f"\n{mark}", mark)) is None  # joined to the line above
    assert texformat.shared_preamble(f"{head}\\begin{{document}}\n\n{mark}\nx\\end{{document}}\n") is None
    assert texformat.shared_preamble(head + "\\begin{document}x\\end{document}\n") is None
    env: dict[str, str] = {}
    for engine, tex in (("xelatex", good.replace("pdflatex", "xelatex")), ("pdflatex", head)):
        (tmp_path / "report.tex").write_text(tex, encoding="utf-8")
        made = texformat.compile_with_format(
            tmp_path, "report", engine, env, formats=tmp_path / "f", timeout=10, label="x"
        )
        assert made is None
    assert not (tmp_path / "f").exists()


def test_formats_live_in_the_build_cache() -> None:
    tex = Path("/srv/project/build/.cache/reports/alpha/0123abcd.tmp42/alpha.tex")
    assert texformat.formats_dir_for(tex) == Path("/srv/project/build/.cache/tex-formats")
    assert texformat.formats_dir_for(Path("/srv/project/tex/alpha.tex")) is None


def test_render_tex_puts_the_report_s_own_lines_below_the_mark(reports: dict) -> None:
    report, tex = reports["second"]
    preamble = texformat.shared_preamble(tex)
    assert preamble is not None and "Format Reuse" not in preamble and "pdftitle" not in preamble
    assert "builderrunninghead}{" not in preamble
    other = dataclasses.replace(report, title="Another Title", author="Someone Else")
    assert texformat.shared_preamble(render_tex(other)) == preamble


def test_a_report_built_again_starts_from_its_last_aux_files_and_gives_the_same_pdf(
    reports: dict, plain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass when the seed is already the fixed point; from another version's files, the same PDF."""
    formats = tmp_path / "formats"
    first, first_tex = reports["first"]
    second, second_tex = reports["second"]

    def build(report: object, tex: str, seed: Path | None, keep: Path) -> bytes:
        pdf = tmp_path / f"{keep.name}.pdf"
        compile_pdf(
            write_tex(tmp_path / keep.name, "report", tex),
            pdf,
            epoch=report_epoch(report),
            formats=formats,
            seed_aux=seed,
            keep_aux=keep,
        )
        return pdf.read_bytes()

    assert build(first, first_tex, None, tmp_path / "aux-first") == plain["first"].read_bytes()
    assert sorted(p.name for p in (tmp_path / "aux-first").iterdir()) == ["report.aux", "report.out"]
    build(second, second_tex, tmp_path / "aux-first", tmp_path / "aux-second")
    spy = Spy(monkeypatch)
    again = build(first, first_tex, tmp_path / "aux-first", tmp_path / "aux-again")
    assert again == plain["first"].read_bytes()
    assert len(spy.passes) == 1 and "-draftmode" not in spy.passes[0]  # its own last files: one pass
    spy.runs.clear()
    # From the files another version left (its title, question and claims), the first report's PDF all the same.
    back = build(first, first_tex, tmp_path / "aux-second", tmp_path / "aux-back")
    assert back == plain["first"].read_bytes()
    assert 1 <= len(spy.passes) <= 3 and spy.latexmk == 0
