"""Text hygiene at the store's door: what arXiv (or a colleague) sends is cleaned once, before any renderer sees it.

Every output format has characters it cannot carry: XML (the SVG figures) forbids NUL and most C0 controls,
UTF-8 cannot encode a lone surrogate, and an unterminated right-to-left override reverses whatever follows it on
a page (an arXiv id included). Cleaning here, once, means the PDF, the page, the .bib, the figures and the
manifest all receive the same safe text.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings/overrides (closed by PDF U+202C) and isolates (closed by PDI U+2069).
_EMBED_OPEN = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
_ISOLATE_OPEN = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI
_PDF = "\u202c"
_PDI = "\u2069"
FSI = "\u2068"
BIDI_CONTROLS = frozenset({*_EMBED_OPEN, *_ISOLATE_OPEN, _PDF, _PDI, "\u200e", "\u200f", "\u061c"})
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# Explicit embeddings, overrides and isolates: the characters whose effect runs past their own position.
_BIDI_SCOPE_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


_SPACE = dict.fromkeys("\t\n\r\x0b\x0c\x85", " ")


class TextError(ValueError):
    """Text that cannot be cleaned without guessing (a lone surrogate): refused, with the reason."""


def _allowed(char: str) -> bool:
    """False for characters no output may carry: C0/C1 controls, noncharacters, U+FEFF (a stray BOM)."""
    code = ord(char)
    if unicodedata.category(char) == "Cc":
        return False
    return not (code == 0xFEFF or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE)


def check_surrogates(text: str) -> None:
    """Refuse a lone surrogate: it is half of a broken UTF-16 pair and no UTF-8 file can hold it."""
    for index, char in enumerate(text):
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise TextError(
                f"holds a lone surrogate U+{ord(char):04X} at character {index + 1} "
                "(half of a broken UTF-16 pair; fix the source text)"
            )


def balance_bidi(text: str) -> str:
    """Close every embedding, override and isolate the text opens, drop closers it never opened, and wrap the
    result in FSI...PDI, so its direction stays inside it whatever is printed around it (UAX #9 isolates)."""
    if not _BIDI_SCOPE_RE.search(text):
        return text
    stack: list[str] = []
    out: list[str] = []
    for char in text:
        if char in _EMBED_OPEN or char in _ISOLATE_OPEN:
            stack.append(char)
        elif char == _PDF:
            if not stack or stack[-1] not in _EMBED_OPEN:
                continue  # an unmatched PDF closes nothing (an isolate or nothing is open)
            stack.pop()
        elif char == _PDI:
            if not any(c in _ISOLATE_OPEN for c in stack):
                continue
            while stack:  # a PDI also ends the embeddings opened inside its isolate
                opened = stack.pop()
                if opened in _ISOLATE_OPEN:
                    break
                out.append(_PDF)
        out.append(char)
    for opened in reversed(stack):
        out.append(_PDI if opened in _ISOLATE_OPEN else _PDF)
    balanced = "".join(out)
    return balanced if _isolated(balanced) else FSI + balanced + _PDI


def _isolated(balanced: str) -> bool:
    """True when balanced text is one FSI...PDI isolate already, so cleaning twice changes nothing."""
    if not balanced.startswith(FSI):
        return False
    depth = 0
    for index, char in enumerate(balanced):
        depth += char in _ISOLATE_OPEN
        depth -= char == _PDI
        if depth == 0:
            return index == len(balanced) - 1
    return False


def has_visible(text: str) -> bool:
    """True when the text shows something: a letter, digit, punctuation or symbol, not only spaces, zero-width
    characters, bidi controls or lone combining marks (a 'name' of U+200B is as blank as one of spaces)."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in text)


def strip_bidi(text: str) -> str:
    """Text without bidi controls, for TeX and BibTeX (which neither print nor interpret them)."""
    return _BIDI_RE.sub("", text)


# arXiv's metadata is written for TeX: "over 50\\% accuracy drops" means "over 50% accuracy drops". These
# escapes of one printable character are undone, so a reader sees the character; everything else stays as written.
_TEX_ESCAPE = re.compile(r"\\([%&_#$])")
# Text styles authors use in abstracts ("\\textit{multilingual adaptive fine-tuning}") read as their words; any
# other command stays as written (and prints literally: see builder.render.latex.escape).
_TEX_STYLE = re.compile(r"\\(?:textit|textbf|emph|texttt|textsc|textsl|textrm|textsf|underline)\{([^{}\\]*)\}")


def clean_text(text: str, *, one_line: bool = True) -> str:
    """The text as every output can carry it: surrogates refused, TeX's escaped characters (\\%, \\&, \\_, \\#, \\$)
    unescaped and its text styles (\\textit{...}, \\emph{...}) read as their words, controls removed, bidi
    balanced and isolated.

    `one_line` collapses every run of whitespace (titles, names, abstracts); without it (full-text sentences)
    the text's spacing is kept and only controls other than line breaks and tabs go.
    """
    check_surrogates(text)
    text = _TEX_STYLE.sub(r"\1", _TEX_ESCAPE.sub(r"\1", text))
    kept = "".join(ch if _allowed(ch) or (not one_line and ch in "\t\n") else _SPACE.get(ch, "") for ch in text)
    if one_line:
        kept = " ".join(kept.split())
    return balance_bidi(kept)
