"""Reading TeX's failures, and keeping long data lines from causing them.

TeX reports some errors only on the terminal: a line longer than its input buffer (`! Unable to read an entire
line---bufsize=200000`) stops it before the log is flushed, and the message can follow other output on the same
line (`(./report.aux)! Unable ...`). So errors are looked for in the log and in latexmk's output, anywhere on a
line. When the error points at a line of the .tex (`l.NN`, or the longest line for a buffer overflow),
`blame` names the paper field whose text is on it, so the user knows which store record to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from builder.errors import RenderError
from builder.models import Report

_ERROR_RE = re.compile(r"(?:^|(?<=\)))! (?P<message>.+)$")
_CONTEXT_RE = re.compile(r"^l\.(\d+)")
_MISSING_RE = re.compile(r"Missing character: There is no (.+?)(?: \(U\+([0-9A-Fa-f]{4,6})\))? in font (.+?)!")
_HINTS = (
    ("Unable to read an entire line", "a line of the .tex is longer than TeX's input buffer"),
    ("TeX capacity exceeded", "the text is larger than TeX's memory allows"),
)
# Lines longer than this are broken at spaces (a newline is a space to TeX); no data field comes near it,
# so ordinary reports keep their bytes.
WRAP_AT = 4_000


def _scan(text: str, limit: int) -> tuple[list[str], int | None]:
    lines = text.splitlines()
    picked: list[str] = []
    line_number: int | None = None
    errors = 0
    i = 0
    while i < len(lines) and errors < limit:
        match = _ERROR_RE.search(lines[i])
        if match:
            errors += 1
            picked.append("! " + match.group("message"))
            if i + 1 < len(lines) and lines[i + 1].startswith("Please increase"):
                picked.append(lines[i + 1])
            j = i + 1
            while j < len(lines) and j < i + 12:
                context = _CONTEXT_RE.match(lines[j])
                if context:
                    line_number = line_number or int(context.group(1))
                    picked.append(lines[j][:300])
                    if j + 1 < len(lines) and lines[j + 1].strip():
                        picked.append(lines[j + 1][:300])
                    break
                j += 1
            i = j
        i += 1
    return picked, line_number


def tex_errors(log: str, *, limit: int = 3, output: str = "") -> str:
    """The TeX error lines that matter: each '!' error (at a line start or after other output) and its 'l.NN'
    context, from the log, else from the terminal output."""
    picked, _ = _scan(log, limit)
    if not picked and output:
        picked, _ = _scan(output, limit)
    return "\n".join(picked)


def error_line(log: str, output: str, tex: str) -> int | None:
    """The .tex line (1-based) the failure points at: the first 'l.NN', or for a buffer overflow the longest line."""
    _, number = _scan(log, 3)
    if number is None and "Unable to read an entire line" in output + log:
        lengths = [len(line) for line in tex.splitlines()]
        number = lengths.index(max(lengths)) + 1 if lengths else None
    return number


def hint(detail: str) -> str:
    for needle, meaning in _HINTS:
        if needle in detail:
            return meaning
    return ""


def missing_glyphs(log: str) -> list[str]:
    """One warning per (character, font) XeTeX could not print, naming the character and its code point."""
    seen: dict[tuple[str, str], str] = {}
    for match in _MISSING_RE.finditer(log):
        char, hexcode, font = match.group(1), match.group(2), match.group(3)
        code = f"U+{int(hexcode, 16):04X}" if hexcode else (f"U+{ord(char):04X}" if len(char) == 1 else "U+?")
        font_name = font.split(":")[0].split("/")[0].strip('"')
        key = (code, font_name)
        if key not in seen:
            seen[key] = (f"missing glyph: {char!r} ({code}) is not in font {font_name}; "
                         "the PDF shows an empty box instead")
    return list(seen.values())


def wrap_long_lines(tex: str, width: int = WRAP_AT) -> str:
    """Break lines longer than `width` at spaces, so no line reaches TeX's input buffer. Comment lines are kept
    whole (a break would turn the rest of a comment into code)."""
    if all(len(line) <= width for line in tex.split("\n")):
        return tex
    out: list[str] = []
    for line in tex.split("\n"):
        if len(line) <= width or line.lstrip().startswith("%"):
            out.append(line)
            continue
        while len(line) > width:
            cut = line.rfind(" ", width // 2, width)
            if cut <= 0 or line[cut - 1] == "\\":
                break  # no safe space: leave the rest whole (no data field is this long without one)
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def _fields(report: Report) -> Iterator[tuple[str, str]]:
    for paper in report.papers:
        where = f"paper {paper.arxiv_id}"
        yield f"{where} field 'title'", paper.title
        yield f"{where} field 'journal_ref'", paper.journal_ref or ""
        yield f"{where} field 'doi'", paper.doi or ""
        for index, name in enumerate(paper.authors):
            yield f"{where} field 'authors[{index}]'", name
        for index, sentence in enumerate((paper.abstract, *paper.fulltext_sentences)):
            yield f"{where} field '{'abstract' if index == 0 else f'fulltext_sentences[{index - 1}]'}'", sentence
    for result in report.claims:
        yield f"claim {result.claim.id}", result.claim.text


def blame(exc: RenderError, report: Report, tex: str, escape: Callable[[str], str]) -> RenderError:
    """`exc` with the data field whose text is on the failing .tex line, when one can be found."""
    number = exc.tex_line
    lines = tex.splitlines()
    if number is None or not 1 <= number <= len(lines):
        return exc
    line = lines[number - 1]
    for name, value in _fields(report):
        head = value[:80].rsplit(" ", 1)[0] if len(value) > 80 else value
        probe = escape(head)
        if len(head) >= 4 and probe in line:
            return RenderError(f"{exc}\ncaused by {name} (.tex line {number}, {len(line)} characters)", number)
    return exc
