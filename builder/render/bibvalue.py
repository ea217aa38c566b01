"""Field values for a .bib file, written for BibTeX's own grammar and for the TeX of whoever cites the file.

A report's .bib is meant to be cited in other people's documents, so what its values carry runs in their TeX.
Two grammars matter:

- BibTeX ends a braced value where its brace count returns to zero, and it counts *every* brace, `\\{` and
  `\\}` included. A value must therefore be balanced as BibTeX counts, or a title can close its own field and
  open new ones (`}, note = {...`).
- TeX runs the value as code. arXiv metadata holds some LaTeX (accents, `\\textit`, `$x_1$`) that should print
  as intended, but a `\\input{...}` or `^^5c` in a title must print as text, never run.

`bib_text` keeps a short list of harmless commands (`SAFE_TEXT_COMMANDS`, `SAFE_MATH_COMMANDS`) and writes
every other backslash as `{\\textbackslash}`, every `^` outside math as `{\\^{}}`, literal braces as
`{\\textbraceleft}`/`{\\textbraceright}` (braced, so BibTeX's case changes leave the command names alone), and
drops grouping braces unless they balance.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from builder.hygiene import strip_bidi


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Commands that only format or spell a character: they read nothing and define nothing.
SAFE_TEXT_COMMANDS = _names(
    "textit textbf emph textsc texttt textsf textrm textsl textup textnormal mbox "
    "ss o O ae AE oe OE aa AA l L i j dh DH th TH ng NG dj DJ "
    "LaTeX TeX BibTeX ldots dots textendash textemdash textquoteleft textquoteright S P copyright "
    "c d b k r u v t "
    "textbackslash textbraceleft textbraceright textasciitilde textasciicircum textunderscore"
)
# Inside $...$: letters, operators and font switches of plain mathematics.
SAFE_MATH_COMMANDS = _names(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho "
    "varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
    "Psi Omega mathrm mathbf mathit mathcal mathbb mathsf mathtt boldsymbol text textrm textit operatorname sqrt "
    "cdot cdots ldots dots times div pm mp leq geq le ge neq approx sim simeq equiv propto ll gg in notin "
    "subset subseteq cup cap infty partial nabla sum prod int log ln exp min max arg lim sup inf to rightarrow "
    "leftarrow Rightarrow Leftarrow leftrightarrow mapsto ell hbar top bot star ast circ prime "
    "langle rangle lceil rceil lfloor rfloor vert Vert mid colon quad qquad hat tilde bar vec dot "
    "ddot widehat widetilde overline underline"
)
# Of those, the ones that take an argument: kept only when a brace group follows directly.
_ARG_TEXT_COMMANDS = _names(
    "textit textbf emph textsc texttt textsf textrm textsl textup textnormal mbox c d b k r u v t"
)
_ARG_MATH_COMMANDS = _names(
    "mathrm mathbf mathit mathcal mathbb mathsf mathtt boldsymbol text textrm textit operatorname sqrt hat "
    "tilde bar vec dot ddot widehat widetilde overline underline"
)
_STANDALONE_SYMBOLS = frozenset("&%#_$ -/@!,")  # control symbols that print one character or a space
_ACCENTS = frozenset("'\"`=.~^")  # control symbols that accent the next letter or group
_ESCAPE_BARE = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "^": r"{\^{}}", "$": r"\$"}
_MATH_PLAIN = re.compile(r"[A-Za-z0-9 +\-=*/<>()\[\]|.,;:!'^_{}]")
_COMMAND = re.compile(r"\\([A-Za-z]+)")


def bibtex_balanced(value: str) -> bool:
    """True when BibTeX (which counts every brace, escaped or not) sees the value close exactly at its end."""
    depth = 0
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _grouping_braces(text: str) -> str:
    """The braces of `text` that group, in order (`\\{`, `\\}` become text and `\\\\` is two backslashes)."""
    out = []
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in "{}":
            out.append(text[index])
        index += 1
    return "".join(out)


def _math_is_plain(body: str) -> bool:
    """Math we keep as math: plain symbols and safe commands only, no `^^`, scripts with something to raise."""
    if not body.strip() or not bibtex_balanced(body) or re.search(r"[\^_]\s*([\^_}]|$)", body):
        return False
    index = 0
    while index < len(body):
        if body[index] == "\\":
            match = _COMMAND.match(body, index)
            if not match or match.group(1) not in SAFE_MATH_COMMANDS:
                return False
            index = match.end()
            if match.group(1) in _ARG_MATH_COMMANDS and body[index : index + 1] != "{":
                return False
            continue
        if not _MATH_PLAIN.match(body[index]):
            return False
        index += 1
    return True


def _text_piece(text: str, keep_groups: bool, name: bool = False) -> str:
    """Escape a stretch of text (no math): safe LaTeX stays, everything else prints as itself.

    Without `keep_groups` (the braces did not balance and are dropped) no command is kept, since
    `\\textit{x}` without its braces would become the unknown `\\textitx`. A kept command without an argument
    is braced, `{\\O}`: BibTeX's case changes leave a braced command's name alone (`\\LaTeX` would become
    `\\latex`), and XeTeX would read `\\OÞ` as one unknown command. In a `name`, every command and escape is
    braced (BibTeX's "special character"), because styles cut names into labels and initials character by
    character (alpha, abbrv), and a cut `\\&` leaves a lone backslash; commands with arguments are printed.
    """
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            after = text[index + 2 : index + 3]
            match = _COMMAND.match(text, index)
            if match:
                command = match.group(1)
                needs_group = command in _ARG_TEXT_COMMANDS
                if keep_groups and command in SAFE_TEXT_COMMANDS and not needs_group:
                    out.append("{" + match.group(0) + "}")
                    index = match.end()
                    continue
                if keep_groups and needs_group and not name and text[match.end() : match.end() + 1] == "{":
                    out.append(match.group(0))
                    index = match.end()
                    continue
            elif following == "\\":
                out.append(r"{\textbackslash}{\textbackslash}")
                index += 2
                continue
            elif following in ("{", "}"):
                out.append(r"{\textbraceleft}" if following == "{" else r"{\textbraceright}")
                index += 2
                continue
            elif following and following in _STANDALONE_SYMBOLS:
                out.append("{\\" + following + "}" if name else "\\" + following)
                index += 2
                continue
            elif keep_groups and following and following in _ACCENTS and after.isalpha():
                out.append("{\\" + following + after + "}" if name else "\\" + following)
                index += 3 if name else 2
                continue
            elif keep_groups and following and following in _ACCENTS and after == "{" and not name:
                out.append("\\" + following)
                index += 2
                continue
            out.append(r"{\textbackslash}")  # a command we do not know is printed, never run
            index += 1
            continue
        if char in "{}":
            if keep_groups:
                out.append(char)
        elif char in _ESCAPE_BARE:
            escaped = _ESCAPE_BARE[char]
            out.append("{" + escaped + "}" if name and not escaped.startswith("{") else escaped)
        else:
            out.append(char)
        index += 1
    return "".join(out)


_MATH_RE = re.compile(r"(?<!\\)\$([^$]*?)(?<!\\)\$")


def bib_text(text: str, *, name: bool = False) -> str:
    """A title, name or journal for a braced BibTeX value: balanced as BibTeX counts, no command that acts.

    `name`: an author name, which styles cut into initials and labels: no math, every escape braced.
    """
    text = " ".join(strip_bidi(text).split())
    keep_groups = bibtex_balanced(_grouping_braces(text))
    if name:
        value = _text_piece(text, keep_groups, name=True)
        return value if bibtex_balanced(value) else value.replace("{", "").replace("}", "")
    out: list[str] = []
    last = 0
    for match in _MATH_RE.finditer(text):
        out.append(_text_piece(text[last : match.start()], keep_groups))
        body = match.group(1)
        if keep_groups and _math_is_plain(body):
            out.append(f"${body}$")
        else:
            out.append(r"\$" + _text_piece(body, keep_groups) + r"\$")
        last = match.end()
    out.append(_text_piece(text[last:], keep_groups))
    value = "".join(out)
    if not bibtex_balanced(value):  # cannot happen by construction; never write a value that closes early
        value = value.replace("{", "").replace("}", "")
    return value


def bib_identifier(text: str) -> str:
    """A DOI or similar identifier: kept verbatim except characters BibTeX or TeX act on, percent-encoded
    (a DOI resolver decodes them back), so a DOI like `10.1/a}, note = {X` cannot add a field."""
    text = " ".join(strip_bidi(text).split())
    return "".join(quote(ch, safe="") if ch in "{}\\%#$^&~\"" else ch for ch in text)
