"""Everything data passes through on its way into the .tex: escaping (`tex_escape`), the engine a text needs
(`choose_engine`), dates and the reproducible epoch, author lists and citations."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from pylatex.utils import NoEscape

from builder.hygiene import strip_bidi
from builder.models import Paper, Report

# Beyond this many authors a reference lists the first ones and "et al." (the manifest keeps every name).
PDF_AUTHOR_LIMIT = 100
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


# ---------------------------------------------------------------------------------------------------------------
# Escaping: the only way data text enters the .tex file.

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    # Brackets can be taken as an optional argument right after \\ or \item: group them.
    "[": "{[}",
    "]": "{]}",
    "\t": " ",
    "\n": " ",
    "\r": " ",
}


# Non-ASCII characters that pdfLaTeX prints with a precomposed T1 glyph (or a mapped dingbat) and that
# pdftotext reads back unchanged, in every font the template uses. Measured, not guessed: the test
# `test_pdflatex_characters_read_back` compiles each one with pdfLaTeX and reads it back. A report that
# uses any other character is compiled with XeLaTeX.
PDFLATEX_CHARS = frozenset(
    "¡¢£¤¥¦§¨©ª«¬®¯°±´µ¶·¸º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"
    "ĂăĄąĆćČčĎďđĘęĚěĞğİıĲĳĹĺĽľŁłŃńŇňŊŋŐőŒœŔŕŘřŚśŞşŠšŢţŤťŮůŰűŸŹźŻżŽž"
    "–—‘’“”„‚•†‡€‰‹›™№℃←→✓✗"
    "…−≈≠≤≥"  # drawn from other glyphs, read back through /ActualText (latex/fonts-pdflatex.tex)
)
ENGINES = ("pdflatex", "xelatex")
_ENGINE_LINE = re.compile(r"\A% !TEX program = (pdflatex|xelatex)\n")


def choose_engine(text: str) -> str:
    """'pdflatex' when every character is ASCII or in PDFLATEX_CHARS, else 'xelatex'."""
    for char in set(text):
        if ord(char) > 0x7E and char not in PDFLATEX_CHARS:
            return "xelatex"
    return "pdflatex"


def tex_engine(tex: str) -> str:
    """The engine a .tex file names on its first line (`% !TEX program = ...`); XeLaTeX when it names none."""
    match = _ENGINE_LINE.match(tex)
    return match.group(1) if match else "xelatex"


_DEVANAGARI_RUN = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+")


def tex_escape(text: object) -> NoEscape:
    """Make any text print literally with either engine; control characters become a visible [U+XXXX].

    Devanagari words go through \\builderdeva (latex/preamble.tex): shaped with the Devanagari script,
    and tagged with /ActualText so the PDF text layer keeps the characters in logical order.
    """
    text = strip_bidi(str(text))  # TeX neither prints nor applies bidi controls
    if _DEVANAGARI_RUN.search(text):
        parts: list[str] = []
        last = 0
        for match in _DEVANAGARI_RUN.finditer(text):
            run = match.group(0)
            parts.append(_escape_chars(text[last:match.start()]))
            if run.strip("\u200c\u200d"):
                hexcode = "FEFF" + run.encode("utf-16-be").hex().upper()
                parts.append(rf"\builderdeva{{{hexcode}}}{{{run}}}")
            else:
                parts.append(run)
            last = match.end()
        parts.append(_escape_chars(text[last:]))
        return NoEscape("".join(parts))
    return NoEscape(_escape_chars(text))


def _escape_chars(text: str) -> str:
    out: list[str] = []
    for i, char in enumerate(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"{{[}}U+{ord(char):04X}{{]}}")
        else:
            out.append(char)
            # T1 fonts turn "--" into a dash and ",," into a low quote: an empty group keeps them literal.
            if char in "-," and text[i + 1 : i + 2] == char:
                out.append("{}")
    return "".join(out)


def tex_breakable(text: object) -> NoEscape:
    """Escape an identifier (DOI, arXiv id, key) and allow line breaks after '/', '.', '-' and '_'."""
    return NoEscape(re.sub(r"(/|\.|-|\\_)", r"\1\\allowbreak{}", tex_escape(text)))


def tex_paragraphs(text: str) -> NoEscape:
    """Escape multi-paragraph text: blank lines separate paragraphs, single newlines are spaces."""
    parts = [p.strip() for p in re.split(r"\n[ \t\r]*\n", text.strip())]
    return NoEscape("\n\n".join(tex_escape(p) for p in parts if p))


def tex_url(url: str) -> NoEscape:
    """A URL safe inside \\href{...}: anything beyond a plain set is percent-encoded, and % is escaped."""
    return NoEscape(quote(url, safe=":/.-_=?&+,;@!*()").replace("%", r"\%").replace("&", r"\&"))


def format_date(day: dt.date) -> str:
    """'5 July 2026', independent of the process locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def source_date_epoch(day: dt.date) -> int:
    """Midnight UTC of a date as SOURCE_DATE_EPOCH: the same inputs give byte-identical PDFs."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def report_epoch(report: Report) -> int:
    """The report date as the PDF timestamp that keeps builds reproducible."""
    return source_date_epoch(report.date)


# ---------------------------------------------------------------------------------------------------------------
# Small formatters shared by the sections.


def full_authors(paper: Paper) -> str:
    """Every author, in order: 'A, B, C and D'; beyond PDF_AUTHOR_LIMIT the first ones and 'et al.'."""
    names = list(paper.authors) or ["Anonymous"]
    if len(names) > PDF_AUTHOR_LIMIT:
        return ", ".join(names[:PDF_AUTHOR_LIMIT]) + " et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ref_numbers(report: Report) -> dict[str, int]:
    return report.reference_numbers


def cite(report: Report, arxiv_id: str, *, numbers: dict[str, int] | None = None) -> str:
    """'[3] Politov et al. (2025)' (`Report.citation`) with [3] linked to reference 3; an unknown id as itself."""
    numbers = numbers if numbers is not None else _ref_numbers(report)
    if arxiv_id not in numbers:
        return tex_escape(f"arXiv:{arxiv_id}")
    number = numbers[arxiv_id]
    return rf"\hyperref[ref:{number}]{{[{number}]}}~{tex_escape(report.papers[number - 1].label)}"


def _cite_number(numbers: dict[str, int], arxiv_id: str) -> str:
    if arxiv_id in numbers:
        return rf"\hyperref[ref:{numbers[arxiv_id]}]{{[{numbers[arxiv_id]}]}}"
    return tex_escape(f"arXiv:{arxiv_id}")


def mark(value: bool) -> str:
    return r"\builderyes{}" if value else r"\builderno{}"


