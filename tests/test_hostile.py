"""Hostile text through the whole pipeline: TeX, Markdown, HTML and template syntax must come out literally.

Two layers, because TeX is slow:
- curated examples go through the real CLI (spec -> verify -> review -> pdfLaTeX or XeLaTeX -> MkDocs) once per module;
- a hypothesis property pushes generated text through `load_spec` (YAML round trip) and then the real renderers
  (`render_tex` + `compile_pdf` with TeX, `write_docs` + `build_site` with MkDocs), skipping only verification.
Every check reads the outputs back: pdftotext for the PDF, an HTML parser for the site page. A `\\write18` must
not create its file, an `\\input` of a file outside the project must not show its contents, and no script,
event handler or `javascript:` link may appear in the built HTML. Set BUILDER_HOSTILE_EXAMPLES=200 for a nightly run.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from factories import make_claims, make_report
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_pipeline import ROOT, _project, pdftotext, run_builder, squash

from builder.render.latex import compile_pdf, render_tex
from builder.render.site import build_site, write_docs
from builder.spec import load_spec

TOKEN = uuid.uuid4().hex[:12]
PWNED = Path(f"/tmp/PWNED-{TOKEN}")  # what a successful \write18 would create
SECRET_DIR = Path(f"/tmp/builder-secret-{TOKEN}")  # a file outside every project folder
SECRET = SECRET_DIR / "secret.tex"
SECRET_TEXT = f"SECRETCONTENT{TOKEN}"


@pytest.fixture(scope="module", autouse=True)
def secret_file() -> object:
    SECRET_DIR.mkdir(exist_ok=True)
    SECRET.write_text(SECRET_TEXT + "\n", encoding="utf-8")
    yield SECRET
    SECRET.unlink(missing_ok=True)
    SECRET_DIR.rmdir()
    assert not PWNED.exists(), "a \\write18 in a spec ran a shell command"


# --- reading the outputs back ------------------------------------------------------------------------------------


class PageText(HTMLParser):
    """The visible text of a page, plus everything that could run: scripts, handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.inline_scripts: list[str] = []
        self.dangerous: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        for name, value in values.items():
            if name.startswith("on"):
                self.dangerous.append(f"<{tag} {name}={value!r}>")
            if re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.dangerous.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed"):
            self.dangerous.append(f"<{tag}>")
        if tag not in ("br", "img", "hr", "meta", "link", "input", "source", "wbr"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.inline_scripts.append(data)
        elif not (self._in and self._in[-1] in ("style", "template")):
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def read_page(path: Path) -> PageText:
    parser = PageText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def spaced(text: str) -> str:
    """Whitespace-insensitive form for HTML text (Markdown and HTML collapse runs of spaces)."""
    return re.sub(r"\s+", " ", text).strip()


def assert_page_safe(page: PageText, hostile: list[str]) -> None:
    assert page.dangerous == [], page.dangerous
    for script in page.inline_scripts:
        assert "alert(" not in script, script
    for tag, attrs in page.tags:
        assert not (tag == "img" and attrs.get("src") == "x"), "an <img> from the input became markup"
    flat = spaced(page.text)
    for text in hostile:
        assert spaced(text) in flat, text


def glyphless_pieces(text: str, missing: set[str]) -> list[str]:
    """The runs of `text` between characters the fonts lack (their place in pdftotext's output is undefined)."""
    return [piece for piece in re.split("|".join(map(re.escape, sorted(missing))) or "$^", text) if squash(piece)]


# --- curated examples through the real CLI ----------------------------------------------------------------------

TITLE = (
    rf"Hostile \input{{{SECRET}}} \write18{{touch {PWNED}}} <script>alert('t')</script> "
    r"{{ config }} a|b 100% }{ \end{document}"
)
QUESTION = (
    r"Does \catcode`\@=11 \def\x{y}\x $x^2$ & # _ ~ ^ \\ [click](javascript:alert(1)) {% raw %} "
    r"<a href='javascript:alert(2)'>here</a> work?"
)
AUTHOR = rf"Ann \immediate\write18{{touch {PWNED}}} O'Brien <img src=x onerror=alert(1)> | **bold** &amp;"
CLAIMS = [
    r"\input{/etc/passwd} claim | cell | {{ 7*7 }} <iframe src=javascript:alert(1)></iframe> ${x}",
    r"Unbalanced { brace, \verb|x| \begin{verbatim} and \\ and a lone % sign with __dunder__ and `code`.",
]
PAPER_AUTHOR = rf"Eve \input{{{SECRET}}} <script>alert(2)</script> {{{{ page }}}}"
GLYPH_QUESTION = "Does 日本語 text or an emoji 😀 break the PDF build?"


def _spec(title: str, question: str, author: str, claims: list[str]) -> str:
    return yaml.safe_dump(
        {
            "title": title,
            "date": "2026-06-27",
            "author": author,
            "question": question,
            "primary": "2501.18750",
            "papers": ["2106.09063"],
            "claims": [{"text": text, "source": "2501.18750"} for text in claims],
            "settings": {"max_claims": 4},
        },
        allow_unicode=True,
        sort_keys=False,
    )


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("hostile")
    project = _project(
        tmp,
        {
            "hostile.yaml": _spec(TITLE, QUESTION, AUTHOR, CLAIMS),
            "glyphs.yaml": _spec("Glyphs outside the fonts", GLYPH_QUESTION, "Zoë Ürün", ["Plain claim."]),
        },
    )
    # A paper in this project's store with a hostile author: it reaches the references, the .bib and the page.
    record_path = project / "store" / "papers" / "2106.09063.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["authors"] = [PAPER_AUTHOR, *record["authors"]]
    record_path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    out = project / "build"
    result = run_builder("--root", str(project), "build", "--quiet", "-j", "2", "--out", str(out))
    return out, result


def test_hostile_spec_builds_without_error_or_traceback(curated: tuple[Path, object]) -> None:
    _, result = curated
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not PWNED.exists()


def test_hostile_text_reads_back_literally_from_the_pdf(curated: tuple[Path, object]) -> None:
    out, _ = curated
    text = pdftotext(out / "pdf" / "hostile.pdf")
    flat = squash(text)
    for literal in (TITLE, QUESTION, AUTHOR, *CLAIMS, PAPER_AUTHOR):
        assert squash(literal) in flat, literal
    assert SECRET_TEXT not in text and "root:x:0:0" not in text


def test_nothing_outside_the_project_reaches_any_output(curated: tuple[Path, object]) -> None:
    out, _ = curated
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_TEXT.encode() not in data, path
            assert b"root:x:0:0" not in data, path


def test_hostile_text_shows_literally_on_the_page_and_nothing_can_run(curated: tuple[Path, object]) -> None:
    out, _ = curated
    page = read_page(out / "site" / "reports" / "hostile.html")
    assert_page_safe(page, [TITLE, QUESTION, AUTHOR, *CLAIMS, PAPER_AUTHOR])
    home = read_page(out / "site" / "index.html")
    assert_page_safe(home, [TITLE])
    for other in (out / "site").rglob("*.html"):
        assert read_page(other).dangerous == [], other


def test_manifest_and_bib_keep_the_text_exactly(curated: tuple[Path, object]) -> None:
    import bibtexparser

    out, _ = curated
    data = json.loads((out / "data" / "hostile.json").read_text(encoding="utf-8"))
    assert (data["title"], data["question"], data["author"]) == (TITLE, QUESTION, AUTHOR)
    assert [c["text"] for c in data["claims"] if c["origin"] == "spec"] == CLAIMS
    library = bibtexparser.parse_string((out / "bib" / "hostile.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks and len(library.entries) == 2


def test_glyphs_missing_from_the_fonts_warn_by_name_and_do_not_fail(curated: tuple[Path, object]) -> None:
    out, result = curated
    for char, code in (("日", "U+65E5"), ("本", "U+672C"), ("語", "U+8A9E"), ("😀", "U+1F600")):
        assert f"missing glyph: '{char}' ({code})" in result.stderr, char
    data = json.loads((out / "data" / "glyphs.json").read_text(encoding="utf-8"))
    assert any("U+1F600" in warning for warning in data["warnings"])
    flat = squash(pdftotext(out / "pdf" / "glyphs.pdf"))
    for piece in glyphless_pieces(GLYPH_QUESTION, {"日", "本", "語", "😀"}):
        assert squash(piece) in flat, piece
    assert spaced(GLYPH_QUESTION) in spaced(read_page(out / "site" / "reports" / "glyphs.html").text)
    # TeX's warnings are in the PDF's Limitations too, as in the manifest and on the page (parity, #14).
    text = pdftotext(out / "pdf" / "glyphs.pdf")
    assert f"The build raised {len(data['warnings'])} warnings" in " ".join(text.split())
    for warning in data["warnings"]:
        for code in re.findall(r"U\+[0-9A-F]{4,6}", warning):
            assert code in text, warning


# --- property: generated hostile text through load_spec and the real renderers -------------------------------------

FONT_DIR = Path("/usr/share/fonts/opentype/freefont")
FONTS = ("FreeSerif", "FreeSerifBold", "FreeSerifItalic", "FreeSans", "FreeSansBold", "FreeMono")


def _cmaps() -> list[set[int]]:
    return [set(TTFont(FONT_DIR / f"{name}.otf", lazy=True).getBestCmap()) for name in FONTS]


COVERED = set.intersection(*_cmaps())  # every font the template uses draws these: they must read back exactly
IN_ANY_FONT = set.union(*_cmaps())
RANGES = [(0x20, 0x7E), (0xA1, 0xFF), (0x100, 0x17F), (0x391, 0x3C9), (0x410, 0x44F)]
ALPHABET = (
    "".join(
        chr(c)
        for lo, hi in RANGES
        for c in range(lo, hi + 1)
        if c in COVERED and c != 0xAD  # a soft hyphen is invisible by design
    )
    + "–—‘’“”…€→≤≥±×÷•"
)
FRAGMENTS = [
    rf"\input{{{SECRET}}}",
    rf"\write18{{touch {PWNED}}}",
    rf"\immediate\write18{{touch {PWNED}}}",
    r"\catcode`\{=12",
    r"\def\foo{bar}\foo",
    r"\csname relax\endcsname",
    "{",
    "}",
    "}{",
    "%",
    "\\",
    "\\\\",
    "$",
    "#1",
    "^^5c",
    "~",
    "_",
    "&",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>y</a>",
    "{{ config }}",
    "{% for x in y %}",
    "| a | b |",
    "|",
    "**",
    "# heading",
    "> quote",
    "---",
    "![img](http://x/y.png)",
    "&amp;",
    "&#x3C;",
    "\u00a0",
]
OUTSIDE_FONTS = ["日", "本", "😀", "\U0001f9ea", "ꙮ", "\u0f00"]  # CJK, emoji, a rare Cyrillic letter, Tibetan
OUTSIDE_FONTS = [c for c in OUTSIDE_FONTS if ord(c) not in IN_ANY_FONT]

pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=ALPHABET, min_size=1, max_size=10))
hostile_text = st.lists(pieces, min_size=1, max_size=6).map(" ".join).filter(lambda s: s.strip() != "")
EXAMPLES = int(os.environ.get("BUILDER_HOSTILE_EXAMPLES", "8"))


def _fields(draw_text: dict[str, str], tmp: Path) -> tuple[str, str, str, str]:
    """Write the texts into a spec and load it: what reaches the renderers is what the YAML loader made of it."""
    spec = tmp / "prop.yaml"
    spec.write_text(
        _spec(draw_text["title"], draw_text["question"], draw_text["author"], [draw_text["claim"]]), encoding="utf-8"
    )
    loaded = load_spec(spec, "Default Author")
    return loaded.spec.title, loaded.spec.question, loaded.author, loaded.spec.claims[0].text


@settings(
    max_examples=EXAMPLES,
    # Shrinking re-renders every candidate (seconds each); the default run reports the failing example as found.
    phases=(Phase.explicit, Phase.reuse, Phase.generate) + ((Phase.shrink,) if EXAMPLES > 10 else ()),
    deadline=None,
    derandomize=EXAMPLES <= 10,  # the default run is reproducible; a nightly run explores
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=hostile_text,
    question=hostile_text,
    author=hostile_text,
    claim=hostile_text,
    outside=st.lists(st.sampled_from(OUTSIDE_FONTS), max_size=2, unique=True),
)
def test_any_text_renders_literally_in_pdf_and_page(
    tmp_path_factory: pytest.TempPathFactory, title: str, question: str, author: str, claim: str, outside: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    question = f"{question} {''.join(outside)}".strip()
    title, question, author, claim_text = _fields(
        {"title": title, "question": question, "author": author, "claim": claim}, tmp
    )
    claims = make_claims()
    first = claims[0]
    claims = (dataclasses.replace(first, claim=dataclasses.replace(first.claim, text=claim_text)), *claims[1:])
    report = make_report(slug="prop", title=title, question=question, author=author, claims=claims)

    tex = tmp / "prop.tex"
    tex.write_text(render_tex(report), encoding="utf-8")
    docs, site = tmp / "docs", tmp / "site"
    index = write_docs([report], docs, {}, {})
    with ThreadPoolExecutor(max_workers=2) as pool:  # TeX and MkDocs are separate processes: overlap them
        warnings_future = pool.submit(compile_pdf, tex, tmp / "prop.pdf", epoch=0)
        site_future = pool.submit(build_site, docs, site, config=ROOT / "mkdocs.yml", nav=index.nav)
        warnings = warnings_future.result()
        site_future.result()

    assert not PWNED.exists(), "\\write18 ran"
    # -raw: content-stream order, so a table cell's wrapped lines are not interleaved with the next column's.
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(tmp / "prop.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert SECRET_TEXT not in text
    flat = squash(text)
    missing = set(outside)
    for char in missing:
        assert any(f"(U+{ord(char):04X})" in w for w in warnings), (char, warnings)
    assert not [w for w in warnings if "missing glyph" in w and not any(c in w for c in missing)], warnings
    for field, literal in (("title", title), ("author", author), ("claim", claim_text), ("question", question)):
        for piece in glyphless_pieces(literal, missing):
            assert squash(piece) in flat, (field, piece)

    page = read_page(site / "reports" / "prop.html")
    assert_page_safe(page, [title, question, author, claim_text])
    assert html.escape("<script>") not in page.text  # escaped once for HTML, not twice
